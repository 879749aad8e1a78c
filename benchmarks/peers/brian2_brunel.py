#!/usr/bin/env python
"""Brunel (2000) sparse balanced network (delta synapses) in Brian2.

Same model and parameters as ``nest_brunel.py`` (NEST's brunel_delta_nest
example): NE=4*order, NI=order, fixed in-degree CE=1000 / CI=250 (sources
drawn with replacement, autapses allowed, like NEST's fixed_indegree
default), J=0.1 mV, g=5, eta=2, delay 1.5 ms, tau_m=20 ms, V_th=20 mV,
V_reset=0 mV (``--v-reset 10`` for Brunel 2000), t_ref=2 ms, dt=0.1 ms.
Inputs arriving during the refractory period are dropped (as NEST's
iaf_psc_delta does by default). External drive: PoissonInput with CE
sources at nu_ex each (= one Poisson train of CE*nu_ex per neuron).

Run under .venv-brian2:
    .venv-brian2/bin/python benchmarks/peers/brian2_brunel.py --device runtime
    .venv-brian2/bin/python benchmarks/peers/brian2_brunel.py --device cpp_standalone \
        --build-dir /tmp/brian2_brunel_build

For cpp_standalone, build_s is the Python-side network description plus the
code generation/compilation (device.build) minus the C++ run time, and sim_s
is the time the compiled binary reports for running the simulation
(device._last_run_time); compile_s is reported separately.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _stats import brian2_timed_run, emit, machine_info, spike_stats  # noqa: E402


def run(order=2500, v_reset=0.0, simtime=1000.0, dt=0.1, device="runtime",
        build_dir="/tmp/brian2_brunel_build", seed=12345, threads=1, repeats=1):
    import brian2 as b2
    from brian2 import ms, mV, Hz

    t0, c0 = time.perf_counter(), time.process_time()
    if device == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
    else:
        b2.prefs.codegen.target = "cython"
    b2.prefs.core.default_float_dtype = np.float64
    b2.defaultclock.dt = dt * ms
    b2.seed(seed)

    NE, NI = 4 * order, order
    CE, CI = int(0.1 * NE), int(0.1 * NI)
    tau_m, theta, J, g, eta, delay = 20.0, 20.0, 0.1, 5.0, 2.0, 1.5
    nu_ex = eta * theta / (J * CE * tau_m)  # per ms, per source

    eqs = "dv/dt = -v / tau : volt (unless refractory)"
    G = b2.NeuronGroup(NE + NI, eqs, threshold="v >= theta", reset="v = vr",
                       refractory=2.0 * ms, method="exact",
                       namespace={"tau": tau_m * ms, "theta": theta * mV, "vr": v_reset * mV})
    G.v = 0 * mV
    rng = np.random.default_rng(seed)
    n = NE + NI
    # fixed in-degree: for every target, CE exc and CI inh sources with replacement
    src_e = rng.integers(0, NE, size=n * CE)
    tgt_e = np.repeat(np.arange(n), CE)
    src_i = rng.integers(NE, n, size=n * CI)
    tgt_i = np.repeat(np.arange(n), CI)
    # input during refractoriness is dropped (NEST iaf_psc_delta default)
    Se = b2.Synapses(G, G, on_pre="v_post += JE * int(not_refractory_post)",
                     namespace={"JE": J * mV}, delay=delay * ms)
    Se.connect(i=src_e, j=tgt_e)
    Si = b2.Synapses(G, G, on_pre="v_post += JI * int(not_refractory_post)",
                     namespace={"JI": -g * J * mV}, delay=delay * ms)
    Si.connect(i=src_i, j=tgt_i)
    # external drive: CE Poisson sources at nu_ex each (binomial per step),
    # also dropped while refractory
    P = b2.PoissonInput(G, "v", CE, nu_ex * 1000 * Hz, weight=f"{J}*mV*int(not_refractory)")
    sm = b2.SpikeMonitor(G)
    net = b2.Network(G, Se, Si, P, sm)

    timing = brian2_timed_run(b2, net, simtime * ms, device, build_dir, t0, c0, repeats)

    i = np.asarray(sm.i[:])
    t = np.asarray(sm.t[:] / ms)
    st_ex = spike_stats(i, t, np.arange(NE), 0.0, simtime)
    st_in = spike_stats(i, t, np.arange(NE, n), 0.0, simtime)
    return {
        "simulator": "brian2", "version": b2.__version__, "device": device,
        "codegen": "cpp_standalone" if device == "cpp_standalone" else "cython",
        "network": "brunel2000_delta",
        "variant": "nest_example" if v_reset == 0.0 else f"v_reset={v_reset}",
        "threads": threads, "seed": seed,
        **{k: v if v is None or isinstance(v, list) else round(v, 4) for k, v in timing.items()},
        "rate_hz": st_ex["rate_hz"], "rate_in_hz": st_in["rate_hz"],
        "cv_isi": st_ex["cv_isi"], "spikes": st_ex["n_spikes"] + st_in["n_spikes"],
        "n_neurons": n, "n_synapses": int(len(src_e) + len(src_i)),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--order", type=int, default=2500)
    ap.add_argument("--v-reset", type=float, default=0.0)
    ap.add_argument("--simtime", type=float, default=1000.0)
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    ap.add_argument("--build-dir", default="/tmp/brian2_brunel_build")
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeats", type=int, default=1, help="runs of the same simulation; sim_s is the best")
    a = ap.parse_args(argv)
    res = run(a.order, a.v_reset, a.simtime, a.dt, a.device, a.build_dir, a.seed, repeats=a.repeats)
    res["machine"] = machine_info()
    emit(res)


if __name__ == "__main__":
    main()
