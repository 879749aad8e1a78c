"""Core runtime and compiler speed (issue: core). Prints a table; no assertions.

    python benchmarks/core_bench.py            # brain-only ticks/s + compile times
    python benchmarks/core_bench.py --big      # also the 1M-neuron / 100M-synapse compile+load

Networks are Izhikevich RS/FS populations (80 % excitatory) with fixed synapses
drawn by fixed out-degree (random targets). The 8k and 50k networks are driven
by heterogeneous bias currents (no per-tick noise); the 1000-neuron network
(out-degree 1000, the size of Izhikevich's 2003 network, not all-to-all) and
the --big network by a Gaussian noise current. Each row gives ticks/s in wall
time and in the process's CPU time (steadier on a shared machine), single
thread, plus the recipe's compile time.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from brainc import database as dbio
from brainc.compiler import compile_ir
from runtime.network import Network


def recipe(n: int, syn_per_neuron: int, noise: float, bias: float | dict = 0.0) -> dict:
    ne, ni = int(n * 0.8), n - int(n * 0.8)
    k = syn_per_neuron
    return {
        "name": f"bench{n}", "seed": 1,
        "populations": [
            {"name": "exc", "model": "izhikevich", "size": ne, "type": "RS", "params": {"I_bias": bias}},
            {"name": "inh", "model": "izhikevich", "size": ni, "type": "FS", "params": {"I_bias": bias}}],
        "projections": [
            {"name": "e", "from": "exc", "to": "exc", "rule": {"rule": "fixed_outdegree", "outdegree": int(k * 0.8)},
             "weight": {"dist": "uniform", "low": 0, "high": 0.5}, "delay": {"dist": "uniform_int", "low": 1, "high": 5}},
            {"name": "ei", "from": "exc", "to": "inh", "rule": {"rule": "fixed_outdegree", "outdegree": k - int(k * 0.8)},
             "weight": {"dist": "uniform", "low": 0, "high": 0.5}, "delay": 1},
            {"name": "i", "from": "inh", "to": "exc", "rule": {"rule": "fixed_outdegree", "outdegree": k},
             "weight": {"dist": "uniform", "low": -1, "high": 0}, "delay": 1}],
        "devices": [{"name": "noise", "model": "noise_current", "params": {"std": noise},
                     "targets": [{"to": "exc"}, {"to": "inh"}]}] if noise else [],
    }


def bench_run(n: int, k: int, noise: float, ticks: int, bias: float | dict = 0.0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "r.yaml"
        p.write_text(yaml.safe_dump(recipe(n, k, noise, bias)))
        t0 = time.perf_counter()
        brain = compile_ir(p)
        t_compile = time.perf_counter() - t0
        net = Network(brain)
        net.run(10)  # compile the loop
        t0, c0 = time.perf_counter(), time.process_time()
        net.run(ticks)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        spikes = net.spikes()[0]
        per_tick = (spikes >= 10).sum() / ticks
    return {"neurons": n, "synapses": brain.n_synapses, "spikes_per_tick": per_tick,
            "ticks_per_s": ticks / wall, "ticks_per_cpu_s": ticks / max(cpu, 1e-9), "compile_s": t_compile}


def bench_big() -> None:
    n, k = 1_000_000, 100
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        p = Path(tmp) / "r.yaml"
        p.write_text(yaml.safe_dump(recipe(n, k, 3.0)))
        t0 = time.perf_counter()
        brain = compile_ir(p)
        dbio.write_atomic(brain, Path(tmp) / "big.db")
        t_compile = time.perf_counter() - t0
        del brain
        t0 = time.perf_counter()
        brain = dbio.read(Path(tmp) / "big.db")
        t_read = time.perf_counter() - t0
        net = Network(brain)
        t_load = time.perf_counter() - t0
        print(f"| 1M neurons / {sum(pw.w.size for pw in net.pathways):,} synapses "
              f"| compile+write {t_compile:.1f} s | read {t_read:.1f} s | load (read + build) {t_load:.1f} s |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--ticks", type=int, default=5000)
    a = ap.parse_args()
    print("| network | synapses | spikes/tick | ticks/s (wall) | ticks/s (CPU time) | compile s |")
    print("|---|---|---|---|---|---|")
    for label, n, k, noise, ticks, bias in [
        ("8k Izhikevich, ~200 spikes/tick (bias drive)", 8000, 8, 0.0, a.ticks,
         {"dist": "uniform", "low": 0.0, "high": 30.0}),
        ("50k Izhikevich, 1M synapses (bias drive)", 50_000, 20, 0.0, a.ticks // 5,
         {"dist": "uniform", "low": 0.0, "high": 12.0}),
        ("1000 neurons, out-degree 1000 (Izhikevich 2003 size)", 1000, 1000, 5.0, a.ticks // 5, 0.0),
    ]:
        r = bench_run(n, k, noise, ticks, bias)
        print(f"| {label} | {r['synapses']:,} | {r['spikes_per_tick']:.0f} | {r['ticks_per_s']:,.0f} "
              f"| {r['ticks_per_cpu_s']:,.0f} | {r['compile_s']:.2f} |", flush=True)
    if a.big:
        bench_big()


if __name__ == "__main__":
    main()
