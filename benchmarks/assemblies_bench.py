"""Assembly-engine benchmarks (prints figures; not a timed test).

Run:  python benchmarks/assemblies_bench.py [--quick]

* projection speed: 20 rounds (1 stimulus-only + 19 stimulus + recurrence) at
  n=1e6, k=1000, p=0.001, beta=0.05 on one core (target <= 0.1 s; the
  original Python simulator takes ~23 s, neural_assemblies ~1.2 s, a C++ port
  ~0.1 s);
* memory: the same at n=1e7 (target: peak under 100 MB), measured as the
  tracemalloc peak of everything allocated after the engine's import and as
  the growth of the process's peak RSS;
* for context, the n=1e5, k=317, p=0.01 projection and an explicit area.

Numba kernels are compiled (or loaded from the on-disk cache) by a warm-up run
before timing; the first-call cost is reported separately.
"""
from __future__ import annotations

import os

# one core: pin thread pools before numpy/numba load
for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

t_import = time.perf_counter()
from runtime.assembly_engine import AreaSpec, AssemblyEngine, FiberSpec, StimulusSpec  # noqa: E402

t_import = time.perf_counter() - t_import


def _engine(n: int, k: int, p: float, beta: float, seed: int, explicit: bool = False) -> AssemblyEngine:
    return AssemblyEngine([AreaSpec("A", n, k, beta, explicit)], [StimulusSpec("stim", k)],
                          [FiberSpec("stim", "A", p), FiberSpec("A", "A", p)], seed=seed)


def _project(e: AssemblyEngine, rounds: int) -> None:
    e.round({("stim", "A"): True})
    for _ in range(rounds - 1):
        e.round()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_speed(n: int, k: int, p: float, rounds: int, seeds: int, explicit: bool = False) -> dict:
    """Median wall and CPU (process) time of ``rounds`` rounds over seeds."""
    builds, runs, cpus, supports = [], [], [], []
    for s in range(seeds):
        t0 = time.perf_counter()
        e = _engine(n, k, p, 0.05, seed=s, explicit=explicit)
        t1 = time.perf_counter()
        c1 = time.process_time()
        _project(e, rounds)
        c2 = time.process_time()
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        runs.append(t2 - t1)
        cpus.append(c2 - c1)
        supports.append(e.support("A"))
    return {"build_s": statistics.median(builds), "rounds_s": statistics.median(runs),
            "rounds_min_s": min(runs), "cpu_s": statistics.median(cpus),
            "support_mean": statistics.mean(supports)}


def bench_memory(n: int, k: int, p: float, rounds: int) -> dict:
    """Build + ``rounds`` rounds under tracemalloc; also peak-RSS growth."""
    rss0 = _rss_mib()
    tracemalloc.start()
    t0 = time.perf_counter()
    e = _engine(n, k, p, 0.05, seed=0)
    t1 = time.perf_counter()
    _project(e, rounds)
    t2 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"build_s": t1 - t0, "rounds_s": t2 - t1, "tracemalloc_peak_mib": peak / 2 ** 20,
            "engine_arrays_mib": e.nbytes() / 2 ** 20, "rss_growth_mib": _rss_mib() - rss0,
            "support": e.support("A")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer seeds")
    args = ap.parse_args()
    seeds = 2 if args.quick else 7

    t0 = time.perf_counter()
    _project(_engine(20000, 100, 0.01, 0.05, seed=99), 5)       # compile / load kernels
    warm = time.perf_counter() - t0
    print(f"import {t_import:.2f} s; first-call kernel compile/cache load {warm:.2f} s")

    # memory first, while the process's peak RSS is still the import baseline
    m = bench_memory(10 ** 7, 1000, 0.001, 20)
    print(f"n=1e7 k=1000 p=0.001, 20 rounds: build {m['build_s']:.2f} s, rounds {m['rounds_s']:.2f} s, "
          f"tracemalloc peak {m['tracemalloc_peak_mib']:.1f} MiB, engine arrays {m['engine_arrays_mib']:.1f} MiB, "
          f"peak-RSS growth {m['rss_growth_mib']:.1f} MiB, support {m['support']}   [target < 100 MB]")

    r = bench_speed(10 ** 7, 1000, 0.001, 20, seeds)
    print(f"n=1e7 k=1000 p=0.001, 20 rounds: wall {r['rounds_s'] * 1e3:.1f} ms median "
          f"({r['rounds_min_s'] * 1e3:.1f} ms best), CPU {r['cpu_s'] * 1e3:.1f} ms median, "
          f"build {r['build_s'] * 1e3:.0f} ms, support {r['support_mean']:.0f}   [GPU target on an H100: < 50 ms]")

    r = bench_speed(10 ** 6, 1000, 0.001, 20, seeds)
    print(f"n=1e6 k=1000 p=0.001, 20 rounds: wall {r['rounds_s'] * 1e3:.1f} ms median "
          f"({r['rounds_min_s'] * 1e3:.1f} ms best), CPU {r['cpu_s'] * 1e3:.1f} ms median, "
          f"build {r['build_s'] * 1e3:.0f} ms, support {r['support_mean']:.0f}   [target <= 100 ms]")

    r = bench_speed(10 ** 5, 317, 0.01, 25, seeds)
    print(f"n=1e5 k=317 p=0.01, 25 rounds: wall {r['rounds_s'] * 1e3:.1f} ms, CPU {r['cpu_s'] * 1e3:.1f} ms, "
          f"build {r['build_s'] * 1e3:.0f} ms, support {r['support_mean']:.0f}")

    r = bench_speed(20000, 141, 0.01, 20, max(1, seeds // 2), explicit=True)
    print(f"explicit n=2e4 k=141 p=0.01, 20 rounds: wall {r['rounds_s'] * 1e3:.1f} ms, "
          f"build {r['build_s'] * 1e3:.0f} ms, support {r['support_mean']:.0f}")


if __name__ == "__main__":
    main()
