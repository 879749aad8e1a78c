"""arena_v1 / arena_dev_v1 brain only (no body), learning on: ticks/s on one core.

    python benchmarks/arena_brain_bench.py [--ticks 20000]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from brainc.compiler import compile_ir
from runtime.network import Network

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=20_000)
    a = ap.parse_args()
    print("| brain | neurons | synapses | spikes/tick | ticks/s (wall) | ticks/s (CPU) |")
    print("|---|---|---|---|---|---|")
    for name in ("arena_v1", "arena_dev_v1"):
        brain = compile_ir(ROOT / "recipes" / f"{name}.yaml")
        net = Network(brain)
        net.run(500)  # compile + settle
        t0, c0 = time.perf_counter(), time.process_time()
        net.run(a.ticks)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        t, _ = net.spikes()
        per_tick = (t >= 500).sum() / a.ticks
        print(f"| {name} | {brain.n_units:,} | {brain.n_synapses:,} | {per_tick:.0f} | {a.ticks / wall:,.0f} "
              f"| {a.ticks / cpu:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
