#!/usr/bin/env python
"""Izhikevich (2003) 1000-neuron network in Brian2 (see numpy_izhikevich2003.py
for the model). dt = 1 ms; each step the membrane is advanced with the
published two 0.5 ms half steps, then u with the new v.

Brian2's schedule per step is: state update (groups) -> threshold ->
synaptic propagation -> reset. The MATLAB loop (threshold -> reset -> add
input of this step's spikes -> update) maps onto it exactly: the synaptic
input of the spikes found at step n is accumulated in Isyn and consumed by
the update of step n+1, and the threshold test sees the v just updated.
Parameters and S are drawn with numpy (default_rng(seed), same order as
the numpy script); the per-step thalamic noise comes from Brian's randn()
(seeded with brian2.seed(seed)), so spike counts differ from the numpy run
for the same seed but not in distribution.

    .venv-brian2/bin/python benchmarks/peers/brian2_izhikevich2003.py [--seeds 10]
        [--device runtime|cpp_standalone] [--build-dir /tmp/brian2_izh_build]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _stats import brian2_timed_run, emit, machine_info  # noqa: E402
from numpy_izhikevich2003 import build as build_params  # noqa: E402


def run(seed, steps=1000, device="runtime", build_dir="/tmp/brian2_izh_build", Ne=800, Ni=200):
    import brian2 as b2
    from brian2 import ms

    t0, c0 = time.perf_counter(), time.process_time()
    if device == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.device.reinit()
        b2.device.activate(directory=build_dir, build_on_run=False)
    else:
        b2.prefs.codegen.target = "cython"
    b2.start_scope()
    b2.defaultclock.dt = 1 * ms
    b2.seed(seed)
    _, a, b, c, d, S = build_params(seed, Ne, Ni)
    N = Ne + Ni
    G = b2.NeuronGroup(N, """
        a : 1 (constant)
        b : 1 (constant)
        c : 1 (constant)
        d : 1 (constant)
        noise_sd : 1 (constant)
        v : 1
        u : 1
        Isyn : 1
        """, threshold="v >= 30", reset="v = c; u = u + d", method="euler")
    G.a, G.b, G.c, G.d = a, b, c, d
    G.noise_sd = np.concatenate([5.0 * np.ones(Ne), 2.0 * np.ones(Ni)])
    G.v = -65.0
    G.u = b * -65.0
    G.run_regularly("""
        I = noise_sd * randn() + Isyn
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I)
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I)
        u = u + a * (b * v - u)
        Isyn = 0
        """, when="groups")
    syn = b2.Synapses(G, G, "w : 1 (constant)", on_pre="Isyn_post += w")
    pre, post = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    syn.connect(i=pre.ravel(), j=post.ravel())
    syn.w = S.T.ravel()  # row-major over (pre, post): S[post, pre]
    sm = b2.SpikeMonitor(G, record=False)
    net = b2.Network(G, syn, sm)
    # MATLAB tests v >= 30 at the start of steps t = 1..T (at t = 1, v = -65
    # never fires); its test at step t sees the state after update t-1, which
    # Brian tests right after its update t-1. Hence T-1 Brian steps give
    # exactly the MATLAB spike count (MATLAB's T-th update is never tested).
    n_run = steps - 1
    timing = brian2_timed_run(b2, net, n_run * ms, device, build_dir, t0, c0)
    return int(sm.num_spikes), timing["build_s"], timing["sim_s"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    ap.add_argument("--build-dir", default="/tmp/brian2_izh_build")
    a = ap.parse_args(argv)
    import brian2
    counts, builds, sims = [], [], []
    for s in range(a.seeds):
        n, tb, ts = run(s, a.steps, a.device, a.build_dir)
        print(f"seed {s}: {n} spikes  build {tb:.3f}s sim {ts:.3f}s", flush=True)
        counts.append(n)
        builds.append(tb)
        sims.append(ts)
    # the first seeds' builds include code compilation (cached afterwards):
    # report medians
    emit({"simulator": "brian2", "version": brian2.__version__, "device": a.device,
          "network": "izhikevich2003", "seeds": list(range(a.seeds)), "spikes_per_seed": counts,
          "spikes": float(np.mean(counts)), "spikes_min": int(min(counts)), "spikes_max": int(max(counts)),
          "build_s": round(float(np.median(builds)), 4), "sim_s": round(float(np.median(sims)), 4),
          "timing": "median per seed", "n_neurons": 1000, "n_synapses": 1000 * 1000,
          "machine": machine_info()})


if __name__ == "__main__":
    main()
