"""`brainrun`: tick a brain database (or the default arena brain)."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from brainc.cli import friendly
from brainc.errors import BraincError


def parse_seeds(text: str | None, seed: int) -> list[int]:
    """'0-9' -> [0..9], '1,4,7' -> [1, 4, 7]; None -> [seed]."""
    if not text:
        return [seed]
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out += list(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--ticks", type=int, default=1000, show_default=True, help="ticks to run")
@click.option("--seed", type=int, default=None, help="runtime seed (default: the database's)")
@click.option("--backend", type=click.Choice(["numba", "cupy", "auto"]), default="numba", show_default=True)
@click.option("--spikes", "spikes_out", type=click.Path(dir_okay=False), help="write spikes (tick, unit) to .npz")
@click.option("--checkpoint", "ckpt", type=click.Path(dir_okay=False), help="checkpoint file to write")
@click.option("--checkpoint-every", type=int, default=0, help="also checkpoint every K ticks")
@click.option("--resume", type=click.Path(dir_okay=False), help="continue from a checkpoint")
@click.option("--progress/--no-progress", default=None, help="progress bar (default: on for long runs)")
@click.option("--arena", is_flag=True, help="couple the brain to the arena (default when no DB is given)")
@click.option("--seeds", help="arena: several seeds, e.g. 0-9 (run in parallel processes)")
@click.option("--no-learn", is_flag=True, help="arena: learning-off control")
@click.option("--plot", type=click.Path(dir_okay=False), help="arena: picture path")
@click.option("--trajectory", type=click.Path(dir_okay=False), help="arena: trajectory .npz")
@click.option("--json", "as_json", is_flag=True, help="print results as JSON")
@friendly
def main(db: str | None, ticks: int, seed: int | None, backend: str, spikes_out: str | None, ckpt: str | None,
         checkpoint_every: int, resume: str | None, progress: bool | None, arena: bool, seeds: str | None,
         no_learn: bool, plot: str | None, trajectory: str | None, as_json: bool) -> None:
    """Run a brain database for --ticks ticks. With no DB, run the main job:
    the default arena brain seeking food (compiled on first use)."""
    if ticks < 0:
        raise BraincError("--ticks must be >= 0")
    if arena or (db is None and resume is None):
        try:
            from arena.run import run_cli
        except ImportError as exc:
            raise BraincError(f"the arena is not available: {exc}") from None
        run_cli(db=db, ticks=ticks, seeds=parse_seeds(seeds, 0 if seed is None else seed), backend=backend,
                learn=not no_learn, plot=plot, trajectory=trajectory, as_json=as_json, progress=progress)
        return
    import runtime

    if checkpoint_every and not ckpt:
        raise BraincError("--checkpoint-every needs --checkpoint PATH")
    t0 = time.perf_counter()
    net = runtime.resume(resume, backend=backend) if resume else runtime.load(db, backend=backend, seed=seed)
    t_load = time.perf_counter() - t0
    start_t = net.t
    net.run(0)  # compile outside the timed run
    t1 = time.perf_counter()
    if checkpoint_every:
        done = 0
        while done < ticks:
            step = min(checkpoint_every, ticks - done)
            net.run(step, progress=progress)
            done += step
            net.checkpoint(ckpt)
    else:
        net.run(ticks, progress=progress)
        if ckpt:
            net.checkpoint(ckpt)
    wall = time.perf_counter() - t1
    t, u = net.spikes()
    sel = t >= start_t
    result: dict[str, Any] = {
        "db": db or resume, "ticks": ticks, "t_end": net.t, "backend": net.backend.name,
        "spikes": int(sel.sum()), "wall_s": round(wall, 4), "load_s": round(t_load, 4),
        "ticks_per_s": round(ticks / wall, 1) if wall > 0 else None,
        "rate_hz": {p.name: _rate(net, p.name, start_t) for p in net.brain.populations
                    if p.name in net._where},
    }
    if spikes_out:
        _write_spikes(net, spikes_out)
        result["spikes_file"] = spikes_out
    if ckpt:
        result["checkpoint"] = ckpt
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(f"ran {ticks:,} ticks in {wall:.2f} s ({result['ticks_per_s']:,} ticks/s, backend "
                   f"{net.backend.name}); {result['spikes']:,} spikes; tick now {net.t}")
        for name, r in list(result["rate_hz"].items())[:12]:
            click.echo(f"  {name:<36} {r:8.2f} Hz")


def _rate(net: Any, pop: str, start_t: int) -> float:
    t, _ = net.spikes(pop)
    n = net.brain.population(pop).size
    dur_s = max(net.t - start_t, 1) * net.dt / 1000.0
    return round(float((t >= start_t).sum()) / (n * dur_s), 3)


def _write_spikes(net: Any, path: str) -> None:
    t, u = net.spikes()
    pops = net.brain.populations
    offsets = net.brain.offsets()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, tick=t, unit=u, dt=np.float64(net.dt),
        population_name=np.array([p.name for p in pops]), population_model=np.array([p.model for p in pops]),
        population_first=np.array([offsets[p.name] for p in pops], np.int64),
        population_size=np.array([p.size for p in pops], np.int64))


if __name__ == "__main__":
    main()
