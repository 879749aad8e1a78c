"""Arena benchmark: chemotaxis of the default brains, with and without learning,
development across the critical period, and speed.

    python benchmarks/arena_bench.py                       # everything (defaults below)
    python benchmarks/arena_bench.py --skip-dev --seeds 0-4
    python benchmarks/arena_bench.py --skip-main           # the arena_dev_v1 tables of docs/arena.md
    python benchmarks/arena_bench.py --recipe tests/arena/data/worm_min.yaml --skip-dev

1. **arena_v1** (``--recipe``), ``--ticks`` (30,000) per seed, seeds ``--seeds``
   (0-9): learning on vs the learning-off control on the same seeds (same
   start poses and noise). Chemotaxis index CI = (d_start - d_end) / d_start
   of the body centre to the nearest food, time-averaged distance, fraction of
   time within ``success_radius_mm``; mean +- sd over seeds and the paired
   difference on - off.
2. **speed**: one seed in this process (one core), ticks/s of the whole loop
   (brain + sensors + body + reward), and the brain alone without the arena.
3. **arena_dev_v1** (``--dev-recipe``), one life of ``--dev-ticks`` (100,000)
   per seed with learning, seeds in parallel processes. Two markdown tables:

   * *windows* before, during and after the critical period (from the
     ``developmental`` synapses' critical_start/critical_end; thirds of the
     run if there are none): CI in the window, mean distance, time within
     ``success_radius_mm``, reversals per minute (onsets of bursts of the
     ``backward`` terminal, decision.locomotion.out_b, at least
     REVERSAL_GAP_MS apart), the forward modulator's rate
     (decision.locomotion.modulator_a_out) and the fraction of developmental
     synapses alive at the window's end;
   * *probes* of the brain at ages 0, critical_start, the middle of the
     critical period, critical_end and the end (checkpoints): mean weight of
     ``joy->forward``, developmental synapses alive, and the CI and reversal
     count of a fresh ``--probe-ticks`` (30,000) episode from the seed's
     start pose with learning off (no reward), in two variants: *frozen*
     (A_plus = A_minus = 0 in every plastic, reward_plastic and
     developmental pathway and the critical period moved past the probe's
     end: the snapshot as it is) and *plastic* (the probe brain keeps its
     STDP and pruning);

   then the frozen probe CIs per seed. Only the two recorded terminals'
   spikes are kept (the spike raster would fill the checkpoints). The brain
   state (joy->forward weight, developmental synapses alive) is also sampled
   every DEV_SAMPLE_EVERY ticks (the life runs in chunks between the marks;
   the runtime is chunk-invariant, so this changes nothing) and, with the
   distance to food, kept in the JSON and drawn by
   :func:`arena.plots.plot_development` (``--dev-plot``, default
   brains/arena_dev_v1.png; the docs' picture is docs/arena_dev_v1.png).

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
#: synapse models whose learning a frozen probe switches off (A_plus = A_minus = 0)
LEARNING_MODELS = ("plastic", "reward_plastic", "developmental")
#: the "keep going" pathway whose mean weight the probes report
JOY_FORWARD = "joy->forward"
#: terminals recorded during development: backward locomotion (decision.locomotion.out_b)
#: and the decision's forward modulator
BACKWARD = "backward"
FORWARD_MODULATOR = "decision.locomotion.modulator_a_out"
#: a spike of BACKWARD after at least this long without one is a reversal onset
REVERSAL_GAP_MS = 200.0
#: probe variants: "frozen" (no STDP, no pruning) and "plastic" (the brain keeps
#: its STDP and pruning; only the arena's reward is off)
PROBE_MODES = ("frozen", "plastic")
#: the brain snapshots that are probed, with their labels in the table
SNAPSHOT_LABELS = {"newborn": "newborn", "critical_start": "critical period starts",
                   "middle": "middle", "critical_end": "critical period ends", "end": "end"}
#: ticks between samples of the brain state (joy->forward weight, synapses alive) in dev_run
DEV_SAMPLE_EVERY = 2_000
#: ticks between the distance-to-food samples kept per seed (a multiple of the
#: trajectory's sample_every; the JSON and the development picture use them)
DEV_DISTANCE_EVERY = 100


def _windows(net: Any, total: int) -> list[tuple[str, int, int]]:
    """(name, first tick, end tick) of the windows before, during and after the
    critical period of the ``developmental`` synapses (thirds of the run if none)."""
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


def _snapshots(wins: list[tuple[str, int, int]], total: int) -> dict[str, int]:
    """Ticks of the probed snapshots (keys of SNAPSHOT_LABELS): birth, the start,
    middle and end of the critical period (``_windows``' "during"), the end."""
    _, cs, ce = wins[1]
    return {"newborn": 0, "critical_start": cs, "middle": (cs + ce) // 2, "critical_end": ce,
            "end": total}


def _alive_fraction(net: Any) -> float | None:
    """Fraction of the ``developmental`` synapses not pruned (None: there are none)."""
    tot = alive = 0
    for pw in net.pathways:
        if pw.model.name == "developmental":
            names = list(pw.model.state)
            a = pw.S[names.index("alive")]
            tot += a.size
            alive += int((a > 0).sum())
    return alive / tot if tot else None


def _mean_weight(net: Any, projection: str) -> float | None:
    """Mean |w| of a projection's synapses, pruned ones included (None: no such projection)."""
    if not any(projection in pw.projections for pw in net.pathways):
        return None
    w = net.weights(projection)[2]
    return float(np.abs(w).mean()) if w.size else None


def _brain_state(net: Any) -> dict[str, float | None]:
    """What the probe table reports about the brain itself."""
    return {"alive": _alive_fraction(net), "joy_forward_w": _mean_weight(net, JOY_FORWARD)}


def _record_only(net: Any, names: tuple[str, ...]) -> None:
    """Record the spikes of these terminals/populations only (the rest is not
    needed, and a checkpoint stores every recorded spike). Recording does not
    change the dynamics; the mask is stored in checkpoints."""
    net.backend.sync(net)
    for blk in net.blocks:
        blk.recmask[:] = 0
    for name in names:
        b, idx = net._locate(name)
        net.blocks[b].recmask[idx] = 1
    net.backend.push(net)


def _spike_ticks(net: Any, name: str, since: int = 0) -> np.ndarray:
    """Sorted ticks (>= ``since``) of the recorded spikes of a terminal or population."""
    b, idx = net._locate(name)
    t, u = net.spikes()
    return np.sort(t[(t >= since) & np.isin(u, net.blocks[b].gid[idx])])


def _onsets(ticks: np.ndarray, gap: float) -> np.ndarray:
    """Ticks of the first spike of each burst (bursts separated by >= ``gap`` ticks)."""
    if ticks.size == 0:
        return ticks
    return ticks[np.r_[True, np.diff(ticks) >= gap]]


def _reversal_onsets(net: Any, since: int = 0) -> np.ndarray:
    """Ticks at which the backward locomotion starts (REVERSAL_GAP_MS apart at least)."""
    return _onsets(_spike_ticks(net, BACKWARD, since), REVERSAL_GAP_MS / net.dt)


def _in_window(ticks: np.ndarray, a: int, b: int) -> int:
    """How many of ``ticks`` fall in [a, b)."""
    return int(((ticks >= a) & (ticks < b)).sum())


def _window_metrics(traj: np.ndarray, a: int, b: int, radius: float) -> dict[str, float] | None:
    """CI, mean distance, fraction within ``radius`` and speed of the body centre
    in ticks a..b of an arena trajectory (None: empty window)."""
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


def _window_activity(net: Any, a: int, b: int) -> dict[str, float]:
    """Reversal onsets per minute and the forward modulator's rate (Hz per unit)
    in ticks [a, b) of the spikes ``net`` recorded."""
    sec = (b - a) * net.dt / 1000.0
    n_mod = net._locate(FORWARD_MODULATOR)[1].size
    mod = _in_window(_spike_ticks(net, FORWARD_MODULATOR), a, b)
    return {"reversals_per_min": 60.0 * _in_window(_reversal_onsets(net), a, b) / sec,
            "modulator_hz": mod / n_mod / sec}


def _freeze(net: Any, until: int) -> None:
    """Switch off all learning of a (resumed) network: A_plus = A_minus = 0 in
    every LEARNING_MODELS pathway, and the critical period of the developmental
    synapses moved past tick ``until`` (nothing is counted or pruned)."""
    net.backend.sync(net)
    for pw in net.pathways:
        if pw.model.name not in LEARNING_MODELS:
            continue
        params, xs = list(pw.model.params), list(pw.model.pathway_state)
        pw.P[params.index("A_plus")] = 0.0
        pw.P[params.index("A_minus")] = 0.0
        if "p_checked" in xs:
            pw.X[xs.index("p_checked")] = -1.0  # P edited in place: rescan it (plastic.param_scan)
        if pw.model.name == "developmental":
            pw.P[params.index("critical_start")] = float(until)
            pw.P[params.index("critical_end")] = float(until)
            pw.X[xs.index("next_eval")] = 0.0  # reschedule (stops counting) on the next tick
    net.backend.push(net)


def _probe(ckpt: Path, seed: int, ticks: int, mode: str) -> dict[str, float | int]:
    """CI and reversal count of a fresh episode (learning off: no reward) of the
    brain stored in ``ckpt``, from the seed's start pose; ``mode`` "frozen" also
    stops its STDP and pruning (see PROBE_MODES)."""
    import runtime
    from arena.coupling import attach_arena

    net = runtime.resume(ckpt)
    t0 = net.t
    if mode == "frozen":
        _freeze(net, t0 + ticks + 1)
    net._env_state = None  # a new worm at the seed's start pose, same brain
    env = attach_arena(net, seed=seed, learn=False, ticks=ticks)
    net.run(ticks)
    return {"ci": env.metrics()["ci"], "reversals": int(_reversal_onsets(net, since=t0).size)}


def _distance_series(traj: np.ndarray, every: int) -> dict[str, list[float]]:
    """Distance of the body centre to the nearest food (mm), one sample every
    ``every`` ticks (the trajectory rows whose tick is a multiple of it)."""
    sel = traj[:, 0] % every == 0
    return {"tick": [int(t) for t in traj[sel, 0]], "mm": [round(float(d), 4) for d in traj[sel, 7]]}


def dev_run(args: tuple) -> dict[str, Any]:
    """One seed of the development benchmark (a pool worker): one life of
    ``ticks`` ticks with learning, snapshots at the ages of ``_snapshots``,
    the brain state sampled every ``sample_every`` ticks (DEV_SAMPLE_EVERY),
    then both probes (PROBE_MODES) of every snapshot."""
    db, seed, ticks, probe_ticks, *rest = args
    sample_every = int(rest[0]) if rest else DEV_SAMPLE_EVERY
    import runtime
    from arena.coupling import attach_arena

    net = runtime.load(db, seed=seed)
    _record_only(net, (BACKWARD, FORWARD_MODULATOR))
    env = attach_arena(net, seed=seed, learn=True, ticks=ticks)
    wins = _windows(net, ticks)
    snaps = _snapshots(wins, ticks)
    state: dict[int, dict[str, float | None]] = {}  # brain state at each mark
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        samples = set(range(0, ticks + 1, sample_every)) | {ticks}
        for m in sorted({b for _, _, b in wins} | set(snaps.values()) | samples):
            if m > net.t:
                net.run(m - net.t)
            state[m] = _brain_state(net)
            for name in (n for n, at in snaps.items() if at == m):
                net.checkpoint(Path(tmp) / f"{name}.ckpt")
        wall = time.perf_counter() - t0
        traj = env.trajectory()
        R = env.config.coupling.success_radius_mm
        out: dict[str, Any] = {"seed": seed, "wall_s": wall, "ci_total": env.metrics()["ci"],
                               "success_radius_mm": R, "dt_ms": float(net.dt), "windows": {},
                               "snapshots": {}}
        ts = sorted(samples)
        out["series"] = {"tick": ts, "joy_forward_w": [state[t]["joy_forward_w"] for t in ts],
                         "alive": [state[t]["alive"] for t in ts]}
        out["distance"] = _distance_series(traj, DEV_DISTANCE_EVERY)
        for name, a, b in wins:
            out["windows"][name] = {"ticks": [a, b], **(_window_metrics(traj, a, b, R) or {}),
                                    **(_window_activity(net, a, b) if b > a else {}),
                                    "alive": state[b]["alive"]}
        for name, at in snaps.items():
            out["snapshots"][name] = {"tick": at, **state[at],
                                      **{mode: _probe(Path(tmp) / f"{name}.ckpt", seed, probe_ticks, mode)
                                         for mode in PROBE_MODES}}
    return out


def run_dev(db: Path, seeds: list[int], ticks: int, probe_ticks: int,
            sample_every: int = DEV_SAMPLE_EVERY) -> list[dict[str, Any]]:
    """``dev_run`` for every seed, in parallel processes (one per core, at most one per seed)."""
    jobs = [(str(db), s, ticks, probe_ticks, sample_every) for s in seeds]
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


def _ms(values: list[float | None], digits: int = 2, signed: bool = False, scale: float = 1.0,
        unit: str = "") -> str:
    """"mean ± sd" over seeds (sd with ddof 1; "–" when there are no values)."""
    v = np.array([x for x in values if x is not None], np.float64) * scale
    if v.size == 0:
        return "–"
    sd = v.std(ddof=1) if v.size > 1 else 0.0
    return f"{v.mean():{'+' if signed else ''}.{digits}f} ± {sd:.{digits}f}{unit}"


def _column(rows: list[dict[str, Any]], *keys: str) -> list[Any]:
    """row[k0][k1]... of every row (None where a key is missing)."""
    out = []
    for row in rows:
        for k in keys:
            row = row.get(k) if isinstance(row, dict) else None
        out.append(row)
    return out


def print_dev(res: list[dict[str, Any]], probe_ticks: int) -> None:
    """The two markdown tables of docs/arena.md (windows, probes) and the per-seed frozen probe CIs."""
    pct = {"digits": 0, "scale": 100.0, "unit": " %"}
    R = res[0]["success_radius_mm"]
    print(f"| window | ticks | CI in window | mean distance (mm) | time within {R:g} mm | reversals / min | "
          "forward modulator (Hz) | dev. synapses alive at window end |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("before", "during", "after"):
        rows = [r["windows"][name] for r in res]
        a, b = rows[0]["ticks"]
        cells = [_ms(_column(rows, "ci"), signed=True), _ms(_column(rows, "mean_distance")),
                 _ms(_column(rows, "frac_near"), **pct), _ms(_column(rows, "reversals_per_min"), 0),
                 _ms(_column(rows, "modulator_hz"), 0), _ms(_column(rows, "alive"), **pct)]
        print(f"| {name} | {a:,}–{b:,} | " + " | ".join(cells) + " |")
    print(f"\nprobes: a fresh {probe_ticks:,}-tick episode from the seed's start pose with the brain "
          "snapshot of a given age, learning off; frozen: no STDP and no pruning either\n")
    print(f"| brain at tick | {JOY_FORWARD} (mean w) | dev. synapses alive | probe CI, frozen | "
          "reversals per probe, frozen | probe CI, plastic | reversals per probe, plastic |")
    print("|---|---|---|---|---|---|---|")
    for name, label in SNAPSHOT_LABELS.items():
        rows = [r["snapshots"][name] for r in res]
        cells = [_ms(_column(rows, "joy_forward_w"), 1), _ms(_column(rows, "alive"), **pct)]
        for mode in PROBE_MODES:
            cells += [_ms(_column(rows, mode, "ci"), signed=True), _ms(_column(rows, mode, "reversals"), 0)]
        print(f"| {rows[0]['tick']:,} ({label}) | " + " | ".join(cells) + " |")
    print(f"\nfrozen probe CIs per seed ({', '.join(str(r['seed']) for r in res)}):")
    for name, label in SNAPSHOT_LABELS.items():
        ci = _column([r["snapshots"][name] for r in res], "frozen", "ci")
        print(f"  {res[0]['snapshots'][name]['tick']:>7,} ({label}): " + " ".join(f"{x:+.2f}" for x in ci))


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
    ap.add_argument("--dev-plot", default=None,
                    help="write the development picture here (default: <plot dir>/arena_dev_v1.png)")
    ap.add_argument("--dev-sample", type=int, default=DEV_SAMPLE_EVERY,
                    help="ticks between samples of the brain state during development")
    ap.add_argument("--json", dest="json_out", help="write all results as JSON")
    args = ap.parse_args()
    seeds = parse_seeds(args.seeds, 0)
    report: dict[str, Any] = {"seeds": seeds, "cpu_count": os.cpu_count()}
    from arena.plots import plot_development, plot_run
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
        res = run_dev(db, seeds, args.dev_ticks, args.probe_ticks, args.dev_sample)
        print_dev(res, args.probe_ticks)
        report["dev"] = {"recipe": args.dev_recipe, "ticks": args.dev_ticks, "sample_every": args.dev_sample,
                         "runs": res}
        dev_png = plot_development(res, args.dev_plot or plot_dir / "arena_dev_v1.png",
                                   title=f"{Path(args.dev_recipe).stem}: development over "
                                         f"{args.dev_ticks:,} ticks, seeds {args.seeds}")
        print(f"\nwrote {dev_png}")

    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=1, default=float))
        print(f"\nwrote {args.json_out}")


if __name__ == "__main__":
    main()
