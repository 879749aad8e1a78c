#!/usr/bin/env python
"""Vogels & Abbott (2005) COBA network (Brette et al. 2007 benchmark 1) in Brian2.

Same parameters and the same initial states (numpy default_rng(seed)) as
``nest_coba.py``: 4000 neurons (3200 exc / 800 inh), p=0.02, C_m=200 pF,
g_L=10 nS, E_L=-60, V_th=-50, V_reset=-60 mV, t_ref=5 ms, E_ex=0,
E_in=-80 mV, tau_ex=5, tau_in=10 ms, w_ex=6 nS, w_in=67 nS, dt=0.1 ms,
T=1000 ms, no synaptic delay (effect on the next step, as in the Brian
original; NEST needs delay >= dt = 0.1 ms). Integration method: ``--method``
(default 'euler', as in the original Brian benchmark; NEST integrates
iaf_cond_exp with adaptive RKF45).

Run under .venv-brian2:
    .venv-brian2/bin/python benchmarks/peers/brian2_coba.py --device runtime
    .venv-brian2/bin/python benchmarks/peers/brian2_coba.py --device cpp_standalone \
        --build-dir /tmp/brian2_coba_build
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _stats import brian2_timed_run, emit, machine_info, spike_stats  # noqa: E402
from nest_coba import coba_params, initial_state  # noqa: E402  (pure numpy parts)


def run(n=4000, simtime=1000.0, dt=0.1, device="runtime", build_dir="/tmp/brian2_coba_build",
        seed=12345, method="euler", threads=1, repeats=1):
    import brian2 as b2
    from brian2 import ms, mV, nS, pF

    p = coba_params(n, simtime, dt)
    q = p["neuron_params"]
    t0, c0 = time.perf_counter(), time.process_time()
    if device == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
    else:
        b2.prefs.codegen.target = "cython"
    b2.defaultclock.dt = dt * ms
    b2.seed(seed)
    ns = {"gL": q["g_L"] * nS, "Cm": q["C_m"] * pF, "El": q["E_L"] * mV, "Ee": q["E_ex"] * mV,
          "Ei": q["E_in"] * mV, "taue": q["tau_syn_ex"] * ms, "taui": q["tau_syn_in"] * ms,
          "Vt": q["V_th"] * mV, "Vr": q["V_reset"] * mV,
          "we": p["w_ex_nS"] * nS, "wi": p["w_in_nS"] * nS}
    eqs = """
    dv/dt = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v)) / Cm : volt (unless refractory)
    dge/dt = -ge / taue : siemens
    dgi/dt = -gi / taui : siemens
    """
    P = b2.NeuronGroup(n, eqs, threshold="v >= Vt", reset="v = Vr",
                       refractory=q["t_ref"] * ms, method=method, namespace=ns)
    v0, ge0, gi0 = initial_state(n, seed)
    P.v = v0 * mV
    P.ge = ge0 * nS
    P.gi = gi0 * nS
    NE = p["NE"]
    Ce = b2.Synapses(P[:NE], P, on_pre="ge += we", namespace=ns)
    Ce.connect(p=p["p"])
    Ci = b2.Synapses(P[NE:], P, on_pre="gi += wi", namespace=ns)
    Ci.connect(p=p["p"])
    sm = b2.SpikeMonitor(P)
    net = b2.Network(P, Ce, Ci, sm)

    timing = brian2_timed_run(b2, net, simtime * ms, device, build_dir, t0, c0, repeats)

    i = np.asarray(sm.i[:])
    t = np.asarray(sm.t[:] / ms)
    st_all = spike_stats(i, t, np.arange(n), 0.0, simtime)
    st_ex = spike_stats(i, t, np.arange(NE), 0.0, simtime)
    st_in = spike_stats(i, t, np.arange(NE, n), 0.0, simtime)
    return {
        "simulator": "brian2", "version": b2.__version__, "device": device,
        "codegen": "cpp_standalone" if device == "cpp_standalone" else "cython",
        "network": "coba_vogels_abbott", "method": method, "threads": threads, "seed": seed,
        **{k: v if v is None or isinstance(v, list) else round(v, 4) for k, v in timing.items()},
        "rate_hz": st_all["rate_hz"], "rate_ex_hz": st_ex["rate_hz"], "rate_in_hz": st_in["rate_hz"],
        "cv_isi": st_all["cv_isi"], "spikes": st_all["n_spikes"],
        "n_neurons": n, "n_synapses": int(len(Ce) + len(Ci)),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--simtime", type=float, default=1000.0)
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    ap.add_argument("--build-dir", default="/tmp/brian2_coba_build")
    ap.add_argument("--method", default="euler")
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeats", type=int, default=1, help="runs of the same simulation; sim_s is the best")
    a = ap.parse_args(argv)
    res = run(a.n, a.simtime, a.dt, a.device, a.build_dir, a.seed, a.method, repeats=a.repeats)
    res["machine"] = machine_info()
    emit(res)


if __name__ == "__main__":
    main()
