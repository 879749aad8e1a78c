"""Run brains in the arena: single runs, several seeds in parallel, and ``brainrun --arena``.

``brainrun`` (runtime/cli.py) calls :func:`run_cli`. With no database it uses
the default arena brain, ``recipes/arena_v1.yaml``, compiled into ``brains/``
on first use and recompiled when the recipe changed (recipe sha256 in the
database's meta, or a newer component file). Each seed is one run: the seed
sets both the runtime seed (noise, initial state) and the start pose, so a
learning-off control with the same seeds sees the same starts.

The environment variable ``BRAINC_ARENA_RECIPE`` replaces the default recipe;
it exists for the tests (they run a small worm brain) and is not meant for use.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from brainc.errors import BraincError

__all__ = ["run_arena", "run_many", "run_cli", "ensure_db", "default_recipe", "summarize",
           "METRIC_KEYS"]

ROOT = Path(__file__).resolve().parent.parent
#: the main job's brain
DEFAULT_RECIPE = ROOT / "recipes" / "arena_v1.yaml"
#: metrics summarised over seeds (see ArenaEnv.metrics)
METRIC_KEYS = ("ci", "d_start", "d_end", "mean_distance", "frac_near", "frac_wall", "reward_mean",
               "speed_mm_s", "ticks_per_s")
#: ticks per chunk when reporting progress
CHUNK = 10_000


def default_recipe() -> Path:
    """The recipe of the default arena brain (``BRAINC_ARENA_RECIPE`` overrides, for tests)."""
    env = os.environ.get("BRAINC_ARENA_RECIPE")
    return Path(env) if env else DEFAULT_RECIPE


def _brains_dir() -> Path:
    from brainc import compiler

    return Path(compiler.BRAINS_DIR)


def _db_sha(db: Path) -> str | None:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='recipe_sha256'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _newest_component_mtime(recipe_path: Path) -> float:
    """Newest mtime among the files a recipe may pull components from (its
    folder, its components/ subfolder and the shipped library)."""
    from brainc.loader import LIBRARY

    newest = 0.0
    for folder in (recipe_path.parent, recipe_path.parent / "components", LIBRARY, LIBRARY / "sub"):
        if folder.is_dir():
            for f in folder.iterdir():
                if f.suffix in (".yaml", ".yml", ".json"):
                    newest = max(newest, f.stat().st_mtime)
    return newest


def ensure_db(recipe: str | os.PathLike | None = None, out_dir: str | os.PathLike | None = None,
              quiet: bool = False) -> Path:
    """Path of the compiled database of ``recipe`` (default: :func:`default_recipe`)
    in ``out_dir`` (default ``brains/``), compiling it when missing or stale:
    the recipe's sha256 differs from the database's ``recipe_sha256`` meta, or
    a component file is newer than the database."""
    import hashlib

    from brainc.compiler import compile_recipe
    from brainc.loader import load_recipe

    recipe_path = Path(recipe) if recipe is not None else default_recipe()
    if not recipe_path.is_file():
        raise BraincError(f"the default arena brain {recipe_path} does not exist yet; "
                          "pass a brain database: brainrun DB --arena")
    rec, canonical, resolved = load_recipe(recipe_path)
    out = Path(out_dir) if out_dir is not None else _brains_dir()
    db = out / f"{rec.name}_s{rec.seed}.db"
    sha = hashlib.sha256(canonical.encode()).hexdigest()
    fresh = (db.is_file() and _db_sha(db) == sha
             and db.stat().st_mtime >= _newest_component_mtime(resolved))
    if not fresh:
        if not quiet:
            print(f"compiling {recipe_path} -> {db}", file=sys.stderr)
        out.mkdir(parents=True, exist_ok=True)
        compile_recipe(resolved, out=db)
    return db


# --------------------------------------------------------------------------- one run
def run_arena(db: str | os.PathLike, seed: int, ticks: int, learn: bool = True,
              backend: str = "numba", spikes: bool = False, progress: Any = None,
              config: Any = None) -> dict[str, Any]:
    """Run one brain in the arena for ``ticks`` ticks and return its result.

    ``seed``: runtime seed and start-pose seed. ``learn=False``: learning-off
    control. ``spikes``: include the spike raster (``spike_t``, ``spike_u``
    global unit ids) and population table for plotting. ``progress``: None,
    a tqdm-like bar (``update(n)``), or a shared counter (``get_lock``/``value``).
    ``config``: arena configuration override (default: the recipe's).

    Returns a dict with the metrics of :meth:`ArenaEnv.metrics`, ``seed``,
    ``learn``, ``wall_s`` (run time without loading/compiling), ``ticks_per_s``,
    ``trajectory`` (float64[n, len(TRAJ_COLUMNS)]) and ``food``/``radius_mm``.
    """
    import runtime
    from arena.coupling import attach_arena

    if backend not in ("numba", "auto"):
        raise BraincError(f"the arena runs on the numba backend (got --backend {backend})")
    if ticks < 1:
        raise BraincError("--ticks must be >= 1 for an arena run")
    net = runtime.load(db, backend="numba", seed=int(seed))
    env = attach_arena(net, config=config, seed=int(seed), learn=learn, ticks=ticks)
    net.run(1)  # compile (or load the cached loop) outside the timed part
    t0 = time.perf_counter()
    done = 1
    while done < ticks:
        step = min(CHUNK, ticks - done)
        net.run(step)
        done += step
        _tick_progress(progress, step)
    wall = time.perf_counter() - t0
    _tick_progress(progress, 1)
    res: dict[str, Any] = {"seed": int(seed), "learn": bool(learn), **env.metrics()}
    res["wall_s"] = wall
    res["ticks_per_s"] = (ticks - 1) / wall if wall > 0 else float("nan")
    res["trajectory"] = env.trajectory()
    res["food"] = env.food
    res["radius_mm"] = env.config.radius_mm
    res["brain"] = net.brain.name
    if spikes:
        t, u = net.spikes()
        res["spike_t"], res["spike_u"] = t, u
        offsets = net.brain.offsets()
        res["populations"] = [(p.name, offsets[p.name], p.size) for p in net.brain.populations]
        res["terminals"] = {name: _global_units(net, name) for name in
                            ("chemo_left", "chemo_right", "motor_dorsal", "motor_ventral")}
    return res


def _global_units(net: Any, name: str) -> np.ndarray:
    b, idx = net._locate(name)
    return net.blocks[b].gid[idx]


def _tick_progress(progress: Any, n: int) -> None:
    if progress is None:
        return
    if hasattr(progress, "get_lock"):
        with progress.get_lock():
            progress.value += n
    else:
        progress.update(n)


# --------------------------------------------------------------------------- many seeds
_COUNTER: Any = None


def _init_worker(counter: Any) -> None:
    global _COUNTER
    _COUNTER = counter


def _worker(args: tuple) -> dict[str, Any]:
    db, seed, ticks, learn, backend, spikes = args
    return run_arena(db, seed, ticks, learn, backend, spikes, progress=_COUNTER)


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_many(db: str | os.PathLike, seeds: Sequence[int], ticks: int, learn: bool = True,
             backend: str = "numba", workers: int | None = None, progress: bool | None = None,
             spikes_for_first: bool = True) -> list[dict[str, Any]]:
    """Run several seeds, in parallel processes when there is more than one
    (``min(len(seeds), os.cpu_count())`` workers, forkserver/spawn start), and
    return their results in seed order. The fused loop is compiled (or loaded
    from the cache) in this process first, so workers only load it."""
    seeds = [int(s) for s in seeds]
    total = ticks * len(seeds)
    show = progress if progress is not None else (total >= 200_000 and sys.stderr.isatty())
    n_workers = min(len(seeds), os.cpu_count() or 1) if workers is None else max(1, workers)
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="tick", unit_scale=True, dynamic_ncols=True, leave=False,
                   desc=f"{len(seeds)} seed{'s' if len(seeds) > 1 else ''}")
    try:
        if n_workers <= 1 or len(seeds) == 1:
            return [run_arena(db, s, ticks, learn, backend, spikes_for_first and k == 0, progress=bar)
                    for k, s in enumerate(seeds)]
        _warm(db, learn)
        ctx = _context()
        counter = ctx.Value("q", 0)
        jobs = [(str(db), s, ticks, learn, backend, spikes_for_first and k == 0)
                for k, s in enumerate(seeds)]
        with ctx.Pool(n_workers, initializer=_init_worker, initargs=(counter,)) as pool:
            pending = pool.map_async(_worker, jobs, chunksize=1)
            seen = 0
            while not pending.ready():
                pending.wait(0.25)
                if bar is not None:
                    now = counter.value
                    bar.update(now - seen)
                    seen = now
            return pending.get()
    finally:
        if bar is not None:
            bar.close()


def _warm(db: str | os.PathLike, learn: bool) -> None:
    """Compile the fused loop once (cached on disk) before workers start."""
    import runtime
    from arena.coupling import attach_arena

    net = runtime.load(db, seed=0)
    attach_arena(net, seed=0, learn=learn, ticks=1)
    net.run(1)


# --------------------------------------------------------------------------- summaries
def summarize(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean, standard deviation (ddof 1 when n > 1), min and max of each metric over seeds."""
    out: dict[str, dict[str, float]] = {}
    for key in METRIC_KEYS:
        vals = np.array([r[key] for r in results if key in r], np.float64)
        if vals.size == 0:
            continue
        out[key] = {"mean": float(vals.mean()), "std": float(vals.std(ddof=1)) if vals.size > 1 else 0.0,
                    "min": float(vals.min()), "max": float(vals.max())}
    return out


def _public(res: dict[str, Any]) -> dict[str, Any]:
    """The JSON-able scalar part of a result."""
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in res.items()
            if isinstance(v, (int, float, str, bool)) and k not in ("radius_mm",)}


def save_trajectories(path: str | os.PathLike, results: Sequence[dict[str, Any]]) -> Path:
    """Write trajectories (float64[n_seeds, n_samples, n_cols]) and per-seed
    metrics to a compressed .npz (columns in ``columns``)."""
    from arena.coupling import TRAJ_COLUMNS

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = max(len(r["trajectory"]) for r in results)
    traj = np.full((len(results), n, len(TRAJ_COLUMNS)), np.nan)
    for k, r in enumerate(results):
        traj[k, :len(r["trajectory"])] = r["trajectory"]
    extra = {f"metric_{key}": np.array([r[key] for r in results], np.float64)
             for key in METRIC_KEYS if all(key in r for r in results)}
    np.savez_compressed(path, trajectory=traj, columns=np.array(TRAJ_COLUMNS),
                        seeds=np.array([r["seed"] for r in results], np.int64),
                        learn=np.array([r["learn"] for r in results]), food=results[0]["food"],
                        radius_mm=np.float64(results[0]["radius_mm"]), **extra)
    return path


# --------------------------------------------------------------------------- CLI
def run_cli(db: str | None, ticks: int, seeds: Sequence[int], backend: str, learn: bool,
            plot: str | None, trajectory: str | None, as_json: bool, progress: bool | None) -> None:
    """``brainrun [DB] --arena``: run each seed for ``ticks`` ticks (in parallel
    processes), print per-seed chemotaxis index, distances and speed, and write
    a picture (``plot``, default ``brains/arena_run.png``) and optionally the
    trajectories (``trajectory`` .npz). ``as_json`` prints one JSON object."""
    import click

    if ticks < 1:
        raise BraincError("--ticks must be >= 1 for an arena run")
    if not seeds:
        raise BraincError("no seeds to run")
    db_path = Path(db) if db is not None else ensure_db(quiet=as_json)
    if not db_path.is_file():
        raise BraincError(f"{db_path}: no such brain database")
    t0 = time.perf_counter()
    results = run_many(db_path, seeds, ticks, learn=learn, backend=backend, progress=progress)
    elapsed = time.perf_counter() - t0
    summary = summarize(results)
    plot_path = Path(plot) if plot else _brains_dir() / "arena_run.png"
    from arena.plots import plot_run

    plot_run(results, plot_path)
    traj_path = save_trajectories(trajectory, results) if trajectory else None
    if as_json:
        out = {"db": str(db_path), "brain": results[0]["brain"], "ticks": ticks, "learn": learn,
               "seeds": [_public(r) for r in results], "summary": summary,
               "elapsed_s": round(elapsed, 3), "plot": str(plot_path),
               "trajectory": str(traj_path) if traj_path else None}
        click.echo(json.dumps(out))
        return
    click.echo(f"arena: {results[0]['brain']} ({db_path}), {ticks:,} ticks, learning "
               f"{'on' if learn else 'off'}, {len(seeds)} seed{'s' if len(seeds) > 1 else ''}")
    click.echo(f"{'seed':>6} {'CI':>7} {'d_start':>8} {'d_end':>7} {'mean_d':>7} {'near':>6} "
               f"{'wall':>6} {'mm/s':>6} {'ticks/s':>9}")
    for r in results:
        click.echo(f"{r['seed']:>6} {r['ci']:>+7.3f} {r['d_start']:>8.2f} {r['d_end']:>7.2f} "
                   f"{r['mean_distance']:>7.2f} {r['frac_near']:>6.1%} {r['frac_wall']:>6.1%} "
                   f"{r['speed_mm_s']:>6.3f} {r['ticks_per_s']:>9,.0f}")
    if len(results) > 1:
        s = summary
        click.echo(f"{'mean':>6} {s['ci']['mean']:>+7.3f} {s['d_start']['mean']:>8.2f} "
                   f"{s['d_end']['mean']:>7.2f} {s['mean_distance']['mean']:>7.2f} "
                   f"{s['frac_near']['mean']:>6.1%} {s['frac_wall']['mean']:>6.1%} "
                   f"{s['speed_mm_s']['mean']:>6.3f} {s['ticks_per_s']['mean']:>9,.0f}")
        click.echo(f"CI {s['ci']['mean']:+.3f} +- {s['ci']['std']:.3f} (sd over {len(results)} seeds); "
                   f"wall time {elapsed:.1f} s")
    click.echo(f"picture: {plot_path}")
    if traj_path:
        click.echo(f"trajectory: {traj_path}")
