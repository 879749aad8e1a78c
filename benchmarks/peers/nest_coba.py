#!/usr/bin/env python
"""Vogels & Abbott (2005) COBA network = Benchmark 1 of Brette et al. (2007), in NEST.

4000 iaf_cond_exp neurons (3200 exc, 800 inh), random pairwise connection
probability p=0.02 (NEST 'pairwise_bernoulli', autapses allowed as in the
original Brian benchmark), conductance-based exponential synapses, no
external input: the activity is self-sustained from random initial states.

Parameters (Brette et al. 2007, benchmark 1; the Brian reference script
expresses conductances in units of g_L = 10 nS):
    C_m = 200 pF, g_L = 10 nS (tau_m = 20 ms), E_L = -60 mV, V_th = -50 mV,
    V_reset = -60 mV, t_ref = 5 ms, E_ex = 0 mV, E_in = -80 mV,
    tau_syn_ex = 5 ms, tau_syn_in = 10 ms, w_ex = 6 nS (0.6 g_L),
    w_in = 67 nS (6.7 g_L), delay = 0.1 ms (= dt, the smallest NEST allows;
    the Brian original has no delay), dt = 0.1 ms, T = 1000 ms.
    Initial state: V_m ~ N(-65, 5) mV, g_ex ~ N(40, 15) nS, g_in ~ N(200, 120) nS
    (i.e. (randn*1.5+4) g_L and (randn*12+20) g_L), drawn with numpy's
    default_rng(seed) so the Brian2 script starts from identical states.

Run under .venv-nest:
    .venv-nest/bin/python benchmarks/peers/nest_coba.py [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _stats import emit, machine_info, spike_stats  # noqa: E402


def coba_params(n=4000, simtime=1000.0, dt=0.1):
    NE = int(round(0.8 * n))
    return {
        "N": n, "NE": NE, "NI": n - NE, "p": 0.02, "simtime": simtime, "dt": dt,
        "neuron_model": "iaf_cond_exp",
        "neuron_params": {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0,
                          "V_reset": -60.0, "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0,
                          "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 0.0},
        "w_ex_nS": 6.0, "w_in_nS": 67.0, "delay": dt,
        "init": {"V_m": "N(-65, 5) mV", "g_ex": "N(40, 15) nS", "g_in": "N(200, 120) nS",
                 "rng": "numpy.random.default_rng(seed): V_m, g_ex, g_in drawn in that order, "
                        "each a standard_normal(N) vector"},
        "connectivity": "pairwise_bernoulli p=0.02 (autapses allowed)",
        "source": "Brette et al. (2007) J Comput Neurosci 23:349, benchmark 1 (COBA); "
                  "Vogels & Abbott (2005) J Neurosci 25:10786",
    }


def initial_state(n, seed):
    rng = np.random.default_rng(seed)
    v = -60.0 + (rng.standard_normal(n) * 5.0 - 5.0)
    ge = (rng.standard_normal(n) * 1.5 + 4.0) * 10.0
    gi = (rng.standard_normal(n) * 12.0 + 20.0) * 10.0
    return v, ge, gi


def run(n=4000, simtime=1000.0, dt=0.1, threads=1, seed=12345):
    import nest
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR
    except AttributeError:
        nest.set_verbosity("M_ERROR")
    p = coba_params(n, simtime, dt)
    v0, ge0, gi0 = initial_state(n, seed)

    t0, c0 = time.perf_counter(), time.process_time()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt, "local_num_threads": threads,
                          "rng_seed": seed, "print_time": False})
    pop = nest.Create("iaf_cond_exp", n, params=p["neuron_params"])
    pop.set({"V_m": v0.tolist(), "g_ex": ge0.tolist(), "g_in": gi0.tolist()})
    ex, inh = pop[:p["NE"]], pop[p["NE"]:]
    sr = nest.Create("spike_recorder")
    nest.Connect(pop, sr)
    conn = {"rule": "pairwise_bernoulli", "p": p["p"]}
    nest.Connect(ex, pop, conn, {"synapse_model": "static_synapse", "weight": p["w_ex_nS"], "delay": dt})
    nest.Connect(inh, pop, conn, {"synapse_model": "static_synapse", "weight": -p["w_in_nS"], "delay": dt})
    t1, c1 = time.perf_counter(), time.process_time()
    nest.Simulate(simtime)
    t2, c2 = time.perf_counter(), time.process_time()

    n_syn = nest.GetKernelStatus("num_connections") - n  # minus neuron->recorder
    ev = sr.get("events")
    st_all = spike_stats(ev["senders"], ev["times"], pop.tolist(), 0.0, simtime)
    st_ex = spike_stats(ev["senders"], ev["times"], ex.tolist(), 0.0, simtime)
    st_in = spike_stats(ev["senders"], ev["times"], inh.tolist(), 0.0, simtime)
    return {
        "simulator": "nest", "version": nest.__version__, "network": "coba_vogels_abbott",
        "threads": threads, "seed": seed,
        "build_s": round(t1 - t0, 4), "sim_s": round(t2 - t1, 4),
        "build_cpu_s": round(c1 - c0, 4), "sim_cpu_s": round(c2 - c1, 4),
        "rate_hz": st_all["rate_hz"], "rate_ex_hz": st_ex["rate_hz"], "rate_in_hz": st_in["rate_hz"],
        "cv_isi": st_all["cv_isi"], "spikes": st_all["n_spikes"],
        "n_neurons": n, "n_synapses": int(n_syn), "params": p,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--simtime", type=float, default=1000.0)
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args(argv)
    res = run(a.n, a.simtime, a.dt, a.threads, a.seed)
    res["machine"] = machine_info()
    emit(res)


if __name__ == "__main__":
    main()
