"""`brainc`: compile, validate, inspect recipes and brain databases; print the schema."""
from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from typing import Any, Callable, Iterator

import click

from .errors import BraincError


SEED_MAX = 2**63 - 1


class Terminated(SystemExit):
    """Raised by the SIGTERM/SIGHUP handler so that cleanup (``finally``,
    ``except BaseException``) runs: a half-written database is removed."""


@contextlib.contextmanager
def signals_exit() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise :class:`Terminated`
    (exit status 128 + signal) instead of killing the process outright; the
    previous handlers are restored afterwards."""
    def handler(signum: int, frame: Any) -> None:
        raise Terminated(128 + signum)

    saved = []
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            saved.append((sig, signal.signal(sig, handler)))
        except ValueError:  # not the main thread: leave signals alone
            pass
    try:
        yield
    finally:
        for sig, old in saved:
            signal.signal(sig, old)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print user errors as one line on stderr and exit 1 (no traceback)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BraincError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            _quiet_teardown()
            sys.exit(130)
        except Terminated as exc:
            click.echo("terminated", err=True)
            _quiet_teardown()
            sys.exit(exc.code)
    return wrapper


def _quiet_teardown() -> None:
    """The process is ending after an interruption (cleanup has run on the way
    up). A Numba compilation cut off mid-way leaves half-built LLVM objects
    whose finalisers fail at interpreter exit: don't print those tracebacks."""
    sys.unraisablehook = lambda unraisable: None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="brainc")
def main() -> None:
    """brainc: compile brain recipes (YAML/JSON) into SQLite brain databases."""


@main.command("compile")
@click.argument("recipe", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="database path (default brains/NAME_sSEED.db)")
@click.option("--seed", type=int, help="override the recipe's seed")
@friendly
def compile_cmd(recipe: str, output: str | None, seed: int | None) -> None:
    """Validate RECIPE, expand and connect it, and write the brain database."""
    from . import database as dbio
    from .compiler import compile_ir, default_output

    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise BraincError(f"--seed: expected a whole number from 0 to {SEED_MAX}, got {seed}")
    t0 = time.perf_counter()
    with signals_exit():
        brain = compile_ir(recipe, seed)
        path = dbio.write_atomic(brain, output or default_output(brain))
    click.echo(f"compiled {brain.name!r}: {brain.n_units:,} units, {brain.n_synapses:,} synapses "
               f"-> {path} ({time.perf_counter() - t0:.2f} s)")


@main.command()
@click.argument("recipe", type=click.Path(dir_okay=False))
@friendly
def validate(recipe: str) -> None:
    """Check RECIPE completely (including connection rules) without writing anything."""
    from .compiler import compile_ir

    brain = compile_ir(recipe)
    click.echo(f"ok: {brain.name!r} is valid ({brain.n_units:,} units, {brain.n_synapses:,} synapses)")


@main.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
@friendly
def inspect(db: str, as_json: bool) -> None:
    """Summarise a brain database: populations, synapse mix, memory, provenance."""
    from .inspect import render, summarize

    s = summarize(db)
    click.echo(json.dumps(s, indent=1) if as_json else render(s))


@main.command()
def schema() -> None:
    """Print the recipe JSON Schema (for editor autocompletion)."""
    from .recipe import json_schema

    click.echo(json.dumps(json_schema(), indent=1))


@main.command()
def models() -> None:
    """List registered neuron, synapse and device models: parameters (a parameter
    named like a state variable sets its initial value) and state variables;
    derived rows (``_h``, ``_refr``, ...) are the runtime's and not listed."""
    from runtime.registry import device_models, neuron_models, synapse_models

    for title, table in (("neuron", neuron_models()), ("synapse", synapse_models()), ("device", device_models())):
        click.echo(f"{title} models:")
        for name, cls in sorted(table.items()):
            params = ", ".join(f"{k} [{v.unit}]" for k, v in cls.params.items() if not k.startswith("_"))
            click.echo(f"  {name:<24} {params or '-'}")
            state = ", ".join(k for k in getattr(cls, "state", {}) if not k.startswith("_"))
            if state:
                click.echo(f"  {'':<24} state: {state}")


if __name__ == "__main__":
    main()
