"""`brainrun`: tick a brain database (or the default arena brain)."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from brainc.cli import friendly, signals_exit
from brainc.errors import BraincError


SEEDS_HELP = "--seeds: expected e.g. 0-9 or 1,4,7"


def parse_seeds(text: str | None, seed: int) -> list[int]:
    """'0-9' -> [0..9], '1,4,7' -> [1, 4, 7]; None -> [seed]. Anything else
    (letters, an empty item, a descending range, a negative seed) is a
    :class:`BraincError` with one line naming the option."""
    if not text:
        return [seed]
    out: list[int] = []
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if a > b:
                    raise ValueError(part)
                out += list(range(a, b + 1))
            else:
                out.append(int(part))
    except ValueError:
        raise BraincError(f"{SEEDS_HELP}, got {text!r}") from None
    if any(not 0 <= s <= 2**63 - 1 for s in out):
        raise BraincError(f"{SEEDS_HELP} (seeds from 0 to {2**63 - 1}), got {text!r}")
    return out


def check_writable(option: str, path: str | None) -> None:
    """Fail before running, with one line, if ``path`` cannot be written: its
    nearest existing folder must be a writable folder (missing folders below
    it are created when the file is written) and an existing file must be
    writable. Catches /proc/..., read-only places and files-as-folders
    before a long run rather than after it."""
    if not path:
        return
    p = Path(path).expanduser().absolute()
    if p.exists():
        if p.is_dir():
            raise BraincError(f"{option} {path}: is a folder, expected a file path")
        if not os.access(p, os.W_OK):
            raise BraincError(f"{option} {path}: cannot write: permission denied")
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise BraincError(f"{option} {path}: cannot write: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BraincError(f"{option} {path}: cannot write: {parent} is not writable")
    # access() trusts mode bits; pseudo file systems (/proc, /sys) and
    # read-only mounts need a real attempt: create and remove a probe file
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        raise BraincError(f"{option} {path}: cannot write in {parent}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


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
    if checkpoint_every < 0:
        raise BraincError(f"--checkpoint-every must be >= 0 (0: checkpoint only at the end), got {checkpoint_every}")
    if arena or (db is None and resume is None):
        run_seeds = parse_seeds(seeds, 0 if seed is None else seed)
        check_writable("--plot", plot)
        check_writable("--trajectory", trajectory)
        try:
            from arena.run import run_cli
        except ImportError as exc:
            raise BraincError(f"the arena is not available: {exc}") from None
        run_cli(db=db, ticks=ticks, seeds=run_seeds, backend=backend,
                learn=not no_learn, plot=plot, trajectory=trajectory, as_json=as_json, progress=progress)
        return
    import runtime

    if checkpoint_every and not ckpt:
        raise BraincError("--checkpoint-every needs --checkpoint PATH")
    check_writable("--checkpoint", ckpt)
    check_writable("--spikes", spikes_out)
    t0 = time.perf_counter()
    net = runtime.resume(resume, backend=backend) if resume else runtime.load(db, backend=backend, seed=seed)
    t_load = time.perf_counter() - t0
    start_t = net.t
    # the first tick compiles (or loads from the cache) the fused loop: it is run
    # but not timed (runs are chunk-invariant, so the spikes are the same)
    warm = 1 if ticks > 1 else 0
    net.run(warm)
    t1 = time.perf_counter()
    if checkpoint_every:
        done = warm
        while done < ticks:
            step = min(checkpoint_every - done % checkpoint_every, ticks - done)
            net.run(step, progress=progress)
            done += step
            _checkpoint(net, ckpt)
    else:
        net.run(ticks - warm, progress=progress)
        if ckpt:
            _checkpoint(net, ckpt)
    wall = time.perf_counter() - t1
    timed = ticks - warm
    t, u = net.spikes()
    sel = t >= start_t
    result: dict[str, Any] = {
        "db": db or resume, "ticks": ticks, "t_end": net.t, "backend": net.backend.name,
        "spikes": int(sel.sum()), "wall_s": round(wall, 4), "load_s": round(t_load, 4),
        "ticks_per_s": round(timed / wall, 1) if wall > 0 else None,
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


def _checkpoint(net: Any, path: str) -> None:
    """Write a checkpoint; SIGTERM/SIGHUP meanwhile unwind (exit 128 + signal)
    so that the atomic writer removes its temporary file. Outside writes the
    signals keep their default action: a compiled run that holds the
    interpreter for minutes still stops at once."""
    with signals_exit():
        net.checkpoint(path)


def _write_spikes(net: Any, path: str) -> None:
    """Spikes to ``path`` (``.npz`` appended if missing, as NumPy does),
    written to a temporary file and renamed: an interrupted write leaves
    neither a truncated file nor the temporary one."""
    t, u = net.spikes()
    pops = net.brain.populations
    offsets = net.brain.offsets()
    final = Path(path if str(path).endswith(".npz") else f"{path}.npz")
    final.parent.mkdir(parents=True, exist_ok=True)  # missing folders are created, as for --checkpoint
    with signals_exit():
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez_compressed(
                    f, tick=t, unit=u, dt=np.float64(net.dt),
                    population_name=np.array([p.name for p in pops]),
                    population_model=np.array([p.model for p in pops]),
                    population_first=np.array([offsets[p.name] for p in pops], np.int64),
                    population_size=np.array([p.size for p in pops], np.int64))
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, final)
        except BaseException as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise BraincError(f"--spikes {path}: cannot write: {exc.strerror or exc}") from None
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


if __name__ == "__main__":
    main()
