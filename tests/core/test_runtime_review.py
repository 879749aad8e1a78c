"""Runtime review fixes: which population ran away, rate checks across short
calls (checkpoint-every, host engines), and brainrun's argument and output
checks (seeds, unwritable paths, negative --checkpoint-every, signals)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from brainc.errors import BraincError, RuntimeBlowUp
from brainc.ir import Brain, Population
from runtime.backends.cupy_backend import CupyBackend
from runtime.cli import main as brainrun_main, parse_seeds
from runtime.gpu.engine import host_compiler
from runtime.loop_kernels import MIN_WINDOW
from runtime.network import Network

BACKENDS = ["numba", pytest.param("cupy-host", marks=pytest.mark.skipif(host_compiler() is None,
                                                                         reason="no C++ compiler"))]


def _make(brain: Brain, backend: str) -> Network:
    net = Network(brain)
    if backend == "cupy-host":
        net.backend = CupyBackend(engine="host")
        net.backend.attach(net)
    return net


def _merged(sizes: tuple[int, int, int] = (1, 100, 1)) -> Brain:
    """Three populations of one model: one block, 'hot' in the middle."""
    b = Brain("r", 0, 1.0)
    for name, n in zip(("calm", "hot", "calm2"), sizes):
        b.populations.append(Population(name, "izhikevich", n, {"c": 29.0, "d": 0.0, "a": 0.0}))
    return b


# ---------------------------------------------------------------- 1. the runaway's name


@pytest.mark.parametrize("backend", BACKENDS)
def test_runaway_names_the_population_that_ran_away_not_the_blocks_first(backend: str) -> None:
    net = _make(_merged(), backend)
    assert len(net.blocks) == 1 and net.blocks[0].pops[0][0] == "calm"
    net.inject("hot", 1e4)
    with pytest.raises(RuntimeBlowUp, match=r"population 'hot' \(izhikevich\) ran away"):
        net.run(1000)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_small_runaway_population_is_not_hidden_by_its_block(backend: str) -> None:
    """5 runaway units among 1,000 quiet ones of the same model (one block):
    judged per population, they stop the run; the block's mean rate is 0.5 %."""
    net = _make(_merged((500, 5, 500)), backend)
    assert len(net.blocks) == 1
    net.inject("hot", 1e4)
    with pytest.raises(RuntimeBlowUp, match=r"population 'hot' \(izhikevich\) ran away"):
        net.run(1000)
    assert net.t <= 100  # the first check, not the end of the run


def test_runaway_named_from_last_tick_when_spikes_are_not_recorded() -> None:
    net = Network(_merged((1, 1, 100)))
    net.blocks[0].recmask[:] = 0  # e.g. the Leabra adapter and benchmarks switch recording off
    net.inject("calm2", 1e4)
    with pytest.raises(RuntimeBlowUp, match=r"population 'calm2' \(izhikevich\) ran away"):
        net.run(1000)


# ---------------------------------------------------------------- 2. short calls add up


@pytest.mark.parametrize("backend", BACKENDS)
def test_runaway_found_when_run_in_calls_shorter_than_the_window(backend: str) -> None:
    stops = []
    for calls in (1000, 10, 7, 1):  # one call; calls of 10, 7, 1 ticks (checkpoint-every, host engines)
        net = _make(_merged(), backend)
        net.inject("hot", 1e4)
        with pytest.raises(RuntimeBlowUp, match="'hot'.*ran away"):
            for _ in range(1000 // calls):
                net.run(calls)
        stops.append(net.t)
        assert net.t <= 2 * max(MIN_WINDOW, calls)
    assert stops[0] == 100  # one long call: judged at the check_every boundary
    assert stops[1:] == [20, 21, 20]  # short calls: as soon as MIN_WINDOW ticks have been counted


@pytest.mark.parametrize("backend", BACKENDS)
def test_short_windows_carry_over_and_restart_after_a_judged_one(backend: str) -> None:
    net = _make(_merged(), backend)
    net.run(10)
    net.backend.sync(net)
    assert int(net._window[0]) == 10  # not judged yet: carried into the next call
    net.run(10)
    net.backend.sync(net)
    assert int(net._window[0]) == 0 and int(net._counts[0]) == 0  # 20 ticks judged: restart
    net.run(95)  # a check at tick 99 (check_every 100) judges 80 ticks; 15 carried on
    net.backend.sync(net)
    assert int(net._window[0]) == 15


@pytest.mark.parametrize("backend", BACKENDS)
def test_short_calls_stop_at_the_same_tick_on_every_backend(backend: str) -> None:
    ticks = []
    for be in ("numba", backend):
        net = _make(_merged(), be)
        net.run(13)
        net.inject("hot", 1e4)
        with pytest.raises(RuntimeBlowUp, match="'hot'.*ran away"):
            for _ in range(200):
                net.run(3)
        ticks.append(net.t)
    assert ticks[0] == ticks[1]


class _IdleHost:
    """A host engine that steps nothing: makes Network.run advance one tick per call."""

    def step(self, t: int) -> list:
        return []


def test_host_engine_networks_are_checked_for_runaways() -> None:
    net = Network(_merged())
    net.hosts = [_IdleHost()]
    net.inject("hot", 1e4)
    with pytest.raises(RuntimeBlowUp, match="'hot'.*ran away"):
        net.run(1000)
    assert net.t == MIN_WINDOW


# ---------------------------------------------------------------- 3-5. brainrun


def _db(tmp_path: Path) -> Path:
    from brainc.compiler import compile_recipe

    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: r\npopulations:\n  - {name: a, model: izhikevich, size: 5}\n")
    return compile_recipe(recipe, tmp_path / "r.db")


def _one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    for n in needles:
        assert n in lines[0], res.output


@pytest.mark.parametrize("text", ["abc", "1,,2", "5-3", "-1", "1-x", "2.5"])
def test_bad_seeds_are_one_line(text: str) -> None:
    with pytest.raises(BraincError, match=r"--seeds: expected e\.g\. 0-9 or 1,4,7"):
        parse_seeds(text, 0)
    _one_line_error(CliRunner().invoke(brainrun_main, ["--seeds", text, "--ticks", "1"]),
                    "--seeds: expected e.g. 0-9 or 1,4,7")


def test_good_seeds() -> None:
    assert parse_seeds("0-3,7", 9) == [0, 1, 2, 3, 7]
    assert parse_seeds(None, 9) == [9]


def test_negative_checkpoint_every_names_the_option(tmp_path: Path) -> None:
    db = _db(tmp_path)
    res = CliRunner().invoke(brainrun_main, [str(db), "--checkpoint", str(tmp_path / "ck.db"),
                                             "--checkpoint-every", "-5"])
    _one_line_error(res, "--checkpoint-every", "-5")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("option", ["--checkpoint", "--spikes"])
def test_unwritable_outputs_fail_before_the_run(tmp_path: Path, option: str, monkeypatch) -> None:
    db = _db(tmp_path)
    ran = []
    monkeypatch.setattr(Network, "run", lambda self, *a, **k: ran.append(a) or self)
    for where in ("/proc/ck.db", str(db / "x.db"), "/proc/no/such/x.db"):
        res = CliRunner().invoke(brainrun_main, [str(db), "--ticks", "10", option, where])
        _one_line_error(res, option, "cannot write")
    assert ran == []  # nothing was run (or compiled) before the error


def test_missing_output_folders_are_created(tmp_path: Path) -> None:
    db = _db(tmp_path)
    ck, sp = tmp_path / "a" / "b" / "ck.db", tmp_path / "c" / "s.npz"
    res = CliRunner().invoke(brainrun_main, [str(db), "--ticks", "5", "--checkpoint", str(ck), "--spikes", str(sp)])
    assert res.exit_code == 0, res.output
    assert ck.is_file() and sp.is_file()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".probe"))]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_signal_during_checkpoint_write_leaves_no_temporary_file(tmp_path: Path, sig: str, monkeypatch) -> None:
    from brainc import database as dbio

    db = _db(tmp_path)
    ck = tmp_path / "out" / "ck.db"
    ck.parent.mkdir()
    real = dbio.write_into

    def write_then_signal(con, brain):
        real(con, brain)
        os.kill(os.getpid(), getattr(signal, sig))  # arrives mid-write: the temporary file exists now

    monkeypatch.setattr(dbio, "write_into", write_then_signal)
    before = signal.getsignal(signal.SIGTERM)
    res = CliRunner().invoke(brainrun_main, [str(db), "--ticks", "5", "--checkpoint", str(ck)])
    assert res.exit_code == 128 + getattr(signal, sig), res.output
    assert "terminated" in res.output
    assert list(ck.parent.iterdir()) == []  # neither ck.db nor .ck.db.*.tmp
    assert signal.getsignal(signal.SIGTERM) == before  # default action restored after the write
