"""Arena benchmark: chemotaxis of the default brains, with and without learning,
development across the critical period, and speed.

    python benchmarks/arena_bench.py                       # everything (defaults below)
    python benchmarks/arena_bench.py --skip-dev --seeds 0-4
    python benchmarks/arena_bench.py --recipe tests/arena/data/worm_min.yaml --skip-dev

1. **arena_v1** (``--recipe``), ``--ticks`` (30,000) per seed, seeds ``--seeds``
   (0-9): learning on vs the learning-off control on the same seeds (same
   start poses and noise). Chemotaxis index CI = (d_start - d_end) / d_start
   of the body centre to the nearest food, time-averaged distance, fraction of
   time within ``success_radius_mm``; mean +- sd over seeds and the paired
   difference on - off.
2. **speed**: one seed in this process (one core), ticks/s of the whole loop
   (brain + sensors + body + reward), and the brain alone without the arena.
3. **arena_dev_v1** (``--dev-recipe``), ``--dev-ticks`` (100,000) per seed with
   learning: behaviour in the windows before, during and after the critical
   period (from the ``developmental`` synapses' critical_start/critical_end;
   thirds of the run if there are none), the fraction of developmental
   synapses alive at each window's end, and probe CIs: from snapshots at the
   start, in the middle of the critical period and at the end, a fresh
   ``--probe-ticks`` episode from the seed's start pose, learning off.

Targets (docs/arena.md, Results): arena_v1 mean CI >= +0.5 with learning and
clearly above learning off; >= 10,000 ticks/s on one core.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from arena.run import _context, ensure_db, run_arena, run_many, summarize  # noqa: E402
from runtime.cli import parse_seeds  # noqa: E402


# --------------------------------------------------------------------------- helpers
def fmt(s: dict[str, float], signed: bool = False, pct: bool = False) -> str:
    if pct:
        return f"{100 * s['mean']:.0f} ± {100 * s['std']:.0f} %"
    return f"{s['mean']:+.2f} ± {s['std']:.2f}" if signed else f"{s['mean']:.2f} ± {s['std']:.2f}"


def paired(on: list[dict], off: list[dict], key: str = "ci") -> dict[str, float]:
    d = np.array([a[key] - b[key] for a, b in zip(on, off)])
    return {"mean": float(d.mean()), "sd": float(d.std(ddof=1)) if d.size > 1 else 0.0,
            "sem": float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0,
            "wins": int((d > 0).sum()), "n": int(d.size)}


def speed(db: Path, ticks: int) -> dict[str, float]:
    """ticks/s of one seed on one core: with the arena, and the brain alone."""
    import runtime

    r = run_arena(db, 0, ticks)
    net = runtime.load(db, seed=0)
    net.run(1)
    t0 = time.perf_counter()
    net.run(ticks)
    brain_only = ticks / (time.perf_counter() - t0)
    return {"ticks_per_s": r["ticks_per_s"], "brain_only_ticks_per_s": brain_only,
            "units": int(net.brain.n_units), "synapses": int(net.brain.n_synapses)}


# --------------------------------------------------------------------------- development
def _windows(net: Any, total: int) -> list[tuple[str, int, int]]:
    starts, ends = [], []
    for pw in net.pathways:
        if pw.model.name == "developmental":
            names = list(pw.model.params)
            starts.append(float(pw.P[names.index("critical_start")].min()))
            ends.append(float(pw.P[names.index("critical_end")].max()))
    if starts:
        cs, ce = int(min(starts)), int(max(ends))
    else:
        cs, ce = total // 3, 2 * total // 3
    cs, ce = max(0, min(cs, total)), max(0, min(ce, total))
    return [("before", 0, cs), ("during", cs, ce), ("after", ce, total)]


def _alive_fraction(net: Any) -> float | None:
    tot = alive = 0
    for pw in net.pathways:
        if pw.model.name == "developmental":
            names = list(pw.model.state)
            a = pw.S[names.index("alive")]
            tot += a.size
            alive += int((a > 0).sum())
    return alive / tot if tot else None


def _window_metrics(traj: np.ndarray, a: int, b: int, radius: float) -> dict[str, float] | None:
    if b <= a:
        return None
    sel = (traj[:, 0] >= a) & (traj[:, 0] <= b)
    w = traj[sel]
    if len(w) < 2:
        return None
    d = w[:, 7]
    path = float(np.hypot(*np.diff(w[:, 3:5], axis=0).T).sum())
    return {"ci": float((d[0] - d[-1]) / d[0]) if d[0] > 0 else 0.0, "mean_distance": float(d.mean()),
            "frac_near": float((d <= radius).mean()), "speed_mm_s": path / ((w[-1, 0] - w[0, 0]) / 1000.0)}


def _probe(ckpt: Path, seed: int, ticks: int) -> float:
    """CI of a fresh episode (learning off) of the brain stored in ``ckpt``."""
    import runtime
    from arena.coupling import attach_arena

    net = runtime.resume(ckpt)
    net._env_state = None  # a new worm at the seed's start pose, same brain
    env = attach_arena(net, seed=seed, learn=False, ticks=ticks)
    net.run(ticks)
    return env.metrics()["ci"]


def dev_run(args: tuple) -> dict[str, Any]:
    """One seed of the development benchmark (a pool worker)."""
    db, seed, ticks, probe_ticks = args
    import runtime
    from arena.coupling import attach_arena

    net = runtime.load(db, seed=seed)
    env = attach_arena(net, seed=seed, learn=True, ticks=ticks)
    wins = _windows(net, ticks)
    mid = (wins[1][1] + wins[1][2]) // 2 if wins[1][2] > wins[1][1] else ticks // 2
    out: dict[str, Any] = {"seed": seed, "windows": {}, "alive": {}, "probe_ci": {}}
    with tempfile.TemporaryDirectory() as tmp:
        snaps = {"before": 0, "during": mid, "after": ticks}
        marks = sorted({w[2] for w in wins} | set(snaps.values()))
        t0 = time.perf_counter()
        for m in marks:
            if m > net.t:
                net.run(m - net.t)
            for name, at in snaps.items():
                if at == m:
                    net.checkpoint(Path(tmp) / f"{name}.ckpt")
            for name, a, b in wins:
                if b == m:
                    out["alive"][name] = _alive_fraction(net)
        out["wall_s"] = time.perf_counter() - t0
        traj = env.trajectory()
        R = env.config.coupling.success_radius_mm
        for name, a, b in wins:
            out["windows"][name] = {"ticks": [a, b], **(_window_metrics(traj, a, b, R) or {})}
        out["ci_total"] = env.metrics()["ci"]
        for name in snaps:
            out["probe_ci"][name] = _probe(Path(tmp) / f"{name}.ckpt", seed, probe_ticks)
    return out


def run_dev(db: Path, seeds: list[int], ticks: int, probe_ticks: int) -> list[dict[str, Any]]:
    jobs = [(str(db), s, ticks, probe_ticks) for s in seeds]
    n = min(len(seeds), os.cpu_count() or 1)
    if n <= 1:
        return [dev_run(j) for j in jobs]
    import runtime
    from arena.coupling import attach_arena

    net = runtime.load(db, seed=0)  # compile the loop once before the workers start
    attach_arena(net, seed=0, ticks=1)
    net.run(1)
    with _context().Pool(n) as pool:
        return pool.map(dev_run, jobs, chunksize=1)


# --------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recipe", default=str(ROOT / "recipes" / "arena_v1.yaml"))
    ap.add_argument("--dev-recipe", default=str(ROOT / "recipes" / "arena_dev_v1.yaml"))
    ap.add_argument("--ticks", type=int, default=30_000)
    ap.add_argument("--dev-ticks", type=int, default=100_000)
    ap.add_argument("--probe-ticks", type=int, default=30_000)
    ap.add_argument("--seeds", default="0-9")
    ap.add_argument("--skip-dev", action="store_true")
    ap.add_argument("--skip-main", action="store_true")
    ap.add_argument("--plot-dir", default=None, help="write run pictures here (default: brains/)")
    ap.add_argument("--json", dest="json_out", help="write all results as JSON")
    args = ap.parse_args()
    seeds = parse_seeds(args.seeds, 0)
    report: dict[str, Any] = {"seeds": seeds, "cpu_count": os.cpu_count()}
    from arena.plots import plot_run
    from brainc import compiler

    plot_dir = Path(args.plot_dir) if args.plot_dir else Path(compiler.BRAINS_DIR)

    if not args.skip_main:
        db = ensure_db(args.recipe)
        print(f"## {Path(args.recipe).name}: {args.ticks:,} ticks, seeds {args.seeds}")
        on = run_many(db, seeds, args.ticks, learn=True)
        off = run_many(db, seeds, args.ticks, learn=False)
        s_on, s_off = summarize(on), summarize(off)
        print("| seed | CI learn | CI no-learn | mean d learn (mm) | mean d no-learn (mm) |")
        print("|---|---|---|---|---|")
        for a, b in zip(on, off):
            print(f"| {a['seed']} | {a['ci']:+.2f} | {b['ci']:+.2f} | {a['mean_distance']:.2f} | "
                  f"{b['mean_distance']:.2f} |")
        pd = paired(on, off)
        print(f"\n| | learning on | learning off |\n|---|---|---|\n"
              f"| CI | {fmt(s_on['ci'], True)} | {fmt(s_off['ci'], True)} |\n"
              f"| mean distance (mm) | {fmt(s_on['mean_distance'])} | {fmt(s_off['mean_distance'])} |\n"
              f"| d_end (mm) | {fmt(s_on['d_end'])} | {fmt(s_off['d_end'])} |\n"
              f"| time near food | {fmt(s_on['frac_near'], pct=True)} | {fmt(s_off['frac_near'], pct=True)} |\n"
              f"| speed (mm/s) | {fmt(s_on['speed_mm_s'])} | {fmt(s_off['speed_mm_s'])} |\n")
        print(f"paired CI difference (on - off): {pd['mean']:+.3f} ± {pd['sem']:.3f} (sem), "
              f"learning better on {pd['wins']}/{pd['n']} seeds")
        plot_run(on, plot_dir / "arena_bench_learn.png")
        plot_run(off, plot_dir / "arena_bench_nolearn.png")
        sp = speed(db, args.ticks)
        print(f"\nspeed (one core, seed 0, {args.ticks:,} ticks): {sp['ticks_per_s']:,.0f} ticks/s with the "
              f"arena; brain alone {sp['brain_only_ticks_per_s']:,.0f} ticks/s "
              f"({sp['units']} units, {sp['synapses']} synapses)")
        strip = ("trajectory", "food", "spike_t", "spike_u", "populations", "terminals")
        report["main"] = {"recipe": args.recipe, "ticks": args.ticks,
                          "learn": [{k: v for k, v in r.items() if k not in strip} for r in on],
                          "no_learn": [{k: v for k, v in r.items() if k not in strip} for r in off],
                          "summary_learn": s_on, "summary_no_learn": s_off, "paired_ci": pd, "speed": sp}

    if not args.skip_dev:
        db = ensure_db(args.dev_recipe)
        print(f"\n## {Path(args.dev_recipe).name}: {args.dev_ticks:,} ticks of development, seeds {args.seeds}")
        res = run_dev(db, seeds, args.dev_ticks, args.probe_ticks)
        names = ("before", "during", "after")
        print("| window | ticks | CI in window | mean d (mm) | near food | speed (mm/s) | dev. synapses alive |")
        print("|---|---|---|---|---|---|---|")
        for name in names:
            rows = [r["windows"][name] for r in res if "ci" in r["windows"][name]]
            if not rows:
                a, b = res[0]["windows"][name]["ticks"]
                print(f"| {name} | {a:,}–{b:,} (empty) | – | – | – | – | – |")
                continue
            a, b = res[0]["windows"][name]["ticks"]

            def ms(key: str, rows: list = rows) -> str:
                v = np.array([x[key] for x in rows])
                return f"{v.mean():.2f} ± {v.std(ddof=1) if v.size > 1 else 0:.2f}"
            alive = [r["alive"].get(name) for r in res if r["alive"].get(name) is not None]
            al = f"{100 * np.mean(alive):.0f} %" if alive else "–"
            print(f"| {name} | {a:,}–{b:,} | {ms('ci')} | {ms('mean_distance')} | {ms('frac_near')} | "
                  f"{ms('speed_mm_s')} | {al} |")
        print("\nprobe episodes (fresh start, learning off, "
              f"{args.probe_ticks:,} ticks): CI of the brain at")
        for name in names:
            v = np.array([r["probe_ci"][name] for r in res])
            print(f"  {name:>6}: {v.mean():+.2f} ± {v.std(ddof=1) if v.size > 1 else 0:.2f}   "
                  + " ".join(f"{x:+.2f}" for x in v))
        report["dev"] = {"recipe": args.dev_recipe, "ticks": args.dev_ticks, "runs": res}

    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=1, default=float))
        print(f"\nwrote {args.json_out}")


if __name__ == "__main__":
    main()
