"""Per-kernel GPU time of one tick of a network (CuPy backend, no CUDA graphs).

    python benchmarks/gpu_profile.py --net brunel          # Brunel (2000) order 2500
    python benchmarks/gpu_profile.py --net izhikevich --n 1000000

Every launch of the tick program is bracketed by CUDA events, so the table
gives device time per kernel (summed over its launches) and the gap between
the sum and the wall time per tick, which is launch overhead that CUDA graphs
remove. Use it to find what to optimise; report speed with gpu_bench.py.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from typing import Any

from gpu_bench import brunel_brain, izh_brain, on

from runtime.network import Network


def profile(net: Network, ticks: int) -> list[tuple[str, int, float]]:
    """(kernel, launches, device ms) over ``ticks`` ticks, slowest first."""
    import cupy

    engine = net.backend.engine
    plain = engine.launch_checked
    marks: list[tuple[str, Any, Any]] = []

    def timed_launch(kernel: str, grid: int, block: int, vals: list[Any]) -> None:
        a, b = cupy.cuda.Event(), cupy.cuda.Event()
        a.record(engine.stream)
        plain(kernel, grid, block, vals)
        b.record(engine.stream)
        marks.append((kernel, a, b))

    engine.launch_checked = timed_launch
    net.backend._prog_key = None  # re-prepare the tick program: its launches bind launch_checked
    try:
        net.run(ticks)
        net.backend.sync(net)
    finally:
        engine.launch_checked = plain
        net.backend._prog_key = None
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for kernel, a, b in marks:
        b.synchronize()
        total[kernel] += cupy.cuda.get_elapsed_time(a, b)
        count[kernel] += 1
    return sorted(((k, count[k], total[k]) for k in total), key=lambda r: -r[2])


def jump_chunk() -> int:
    from runtime.gpu import jump

    return jump.CHUNK_DRAWS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--net", choices=("brunel", "izhikevich"), default="brunel")
    ap.add_argument("--n", type=int, default=100_000, help="neurons of the Izhikevich network")
    ap.add_argument("--ticks", type=int, default=500)
    ap.add_argument("--chunk-draws", type=int, default=None,
                    help="draws per thread of chunked random devices (runtime/gpu/jump.py CHUNK_DRAWS)")
    args = ap.parse_args()
    if args.chunk_draws:
        from runtime.gpu import jump

        jump.CHUNK_DRAWS = args.chunk_draws
    brain = brunel_brain() if args.net == "brunel" else izh_brain(args.n, 100)
    net = on(Network(brain), "cupy", graphs=False)
    net.run(200)  # compile, warm up
    net.backend.sync(net)
    t0 = time.perf_counter()
    net.run(args.ticks)
    net.backend.sync(net)
    wall_us = 1e6 * (time.perf_counter() - t0) / args.ticks
    rows = profile(net, args.ticks)
    dev_us = 1e3 * sum(r[2] for r in rows) / args.ticks
    print(f"{args.net} (chunk draws {jump_chunk()}): {wall_us:.1f} us/tick wall without graphs, {dev_us:.1f} us/tick in kernels")
    print("| kernel | launches/tick | us/tick | share |\n|---|---|---|---|")
    for kernel, n, ms in rows:
        print(f"| {kernel} | {n / args.ticks:.0f} | {1e3 * ms / args.ticks:.2f} | {1e3 * ms / args.ticks / dev_us:.0%} |")


if __name__ == "__main__":
    main()
