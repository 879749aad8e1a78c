#!/usr/bin/env python
"""Izhikevich (2003) 1000-neuron network ("Simple model of spiking neurons",
IEEE Trans Neural Netw 14:1569), pure numpy, following the published
MATLAB listing's algorithm:

    Ne=800, Ni=200; re, ri ~ U(0,1)
    exc: a=0.02, b=0.2, c=-65+15 re^2, d=8-6 re^2
    inh: a=0.02+0.08 ri, b=0.25-0.05 ri, c=-65, d=2
    S = [0.5*rand(N,Ne), -rand(N,Ni)]   (S[i, j]: from j to i, dense, incl. diagonal)
    v = -65, u = b*v
    each 1 ms step t = 1..1000:
        I = [5*randn(Ne); 2*randn(Ni)]
        fired = v >= 30 ; record ; v[fired] = c ; u[fired] += d
        I += S[:, fired].sum(1)
        v += 0.5*(0.04 v^2 + 5 v + 140 - u + I)   (twice: two 0.5 ms half steps)
        u += a*(b*v - u)

Random numbers come from numpy.random.default_rng(seed) in the order
re, ri, S_exc, S_inh, then per step randn(N). Prints the total spike count
per seed and one JSON summary line. Expected: 7,300-7,700 spikes per seed.

    python benchmarks/peers/numpy_izhikevich2003.py [--seeds 10] [--steps 1000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _stats import emit, machine_info  # noqa: E402


def build(seed, Ne=800, Ni=200):
    rng = np.random.default_rng(seed)
    re = rng.random(Ne)
    ri = rng.random(Ni)
    a = np.concatenate([0.02 * np.ones(Ne), 0.02 + 0.08 * ri])
    b = np.concatenate([0.2 * np.ones(Ne), 0.25 - 0.05 * ri])
    c = np.concatenate([-65 + 15 * re**2, -65 * np.ones(Ni)])
    d = np.concatenate([8 - 6 * re**2, 2 * np.ones(Ni)])
    N = Ne + Ni
    S = np.empty((N, N))
    S[:, :Ne] = 0.5 * rng.random((N, Ne))
    S[:, Ne:] = -rng.random((N, Ni))
    return rng, a, b, c, d, S


def run(seed, steps=1000, Ne=800, Ni=200):
    t0 = time.perf_counter()
    rng, a, b, c, d, S = build(seed, Ne, Ni)
    ST = np.ascontiguousarray(S.T)  # row j = outgoing weights of neuron j
    N = Ne + Ni
    noise_amp = np.concatenate([5.0 * np.ones(Ne), 2.0 * np.ones(Ni)])
    v = -65.0 * np.ones(N)
    u = b * v
    t1 = time.perf_counter()
    n_spikes = 0
    for _ in range(steps):
        I = noise_amp * rng.standard_normal(N)
        fired = np.flatnonzero(v >= 30.0)
        n_spikes += fired.size
        if fired.size:
            v[fired] = c[fired]
            u[fired] += d[fired]
            I += ST[fired].sum(axis=0)
        v += 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + I)
        v += 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + I)
        u += a * (b * v - u)
    t2 = time.perf_counter()
    return n_spikes, t1 - t0, t2 - t1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10, help="run seeds 0..seeds-1")
    ap.add_argument("--steps", type=int, default=1000)
    a = ap.parse_args(argv)
    counts, builds, sims = [], [], []
    for s in range(a.seeds):
        n, tb, ts = run(s, a.steps)
        print(f"seed {s}: {n} spikes", flush=True)
        counts.append(n)
        builds.append(tb)
        sims.append(ts)
    emit({"simulator": "numpy", "version": np.__version__, "network": "izhikevich2003",
          "seeds": list(range(a.seeds)), "spikes_per_seed": counts,
          "spikes": float(np.mean(counts)), "spikes_min": int(min(counts)), "spikes_max": int(max(counts)),
          "build_s": round(float(np.mean(builds)), 4), "sim_s": round(float(np.mean(sims)), 4),
          "timing": "mean per seed", "n_neurons": 1000, "n_synapses": 1000 * 1000,
          "machine": machine_info()})


if __name__ == "__main__":
    main()
