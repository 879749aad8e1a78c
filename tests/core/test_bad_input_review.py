"""Bad input found in review: device parameters and delays, component bounds,
error paths, output paths, signals, file modes and the CLI seed. Each gives one
error line naming the file and the path inside it, and leaves nothing behind."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from brainc import database as dbio
from brainc.cli import main as brainc_main
from brainc.cli import signals_exit
from brainc.compiler import compile_ir
from brainc.errors import BraincError, DatabaseError, RecipeError

from .conftest import ROOT
from .test_recipe_errors import expect_recipe_error

POP = """name: t
seed: 1
populations:
  - {name: a, model: iaf_psc_alpha, size: 10}
"""


def device(model: str, params: str, target: str = "{to: a}") -> str:
    return POP + f"devices:\n  - {{name: d, model: {model}, params: {{{params}}}, targets: [{target}]}}\n"


# (recipe text, expected path, expected message fragment)
BAD = [
    # 1. device parameters: type, finiteness, the model's bounds, lists only where lists belong
    (device("poisson_generator", 'rate: "fast"'), "devices[0].params.rate", "expected a number"),
    (device("poisson_generator", "rate: -5"), "devices[0].params.rate", ">= 0"),
    (device("poisson_generator", "rate: [1, 2]"), "devices[0].params.rate", "expected a number"),
    (device("poisson_generator", "rate: null"), "devices[0].params.rate", "expected a number, got null"),
    (device("poisson_generator", "rate: 1e400"), "devices[0].params.rate", "finite"),  # PyYAML: a string
    (device("poisson_generator", "rate: true"), "devices[0].params.rate", "expected a number, got true"),
    (device("poisson_generator", "rate: .nan"), "devices[0].params.rate", "finite"),
    (device("dc_generator", 'amplitude: "nan"'), "devices[0].params.amplitude", "finite"),
    (device("noise_generator", "std: -1"), "devices[0].params.std", ">= 0"),
    (device("noise_current", "mean: {a: 1}"), "devices[0].params.mean", "expected a number"),
    (device("spike_generator", "spike_times: 5"), "devices[0].params.spike_times", "list"),
    (device("spike_generator", "spike_times: [1, x]"), "devices[0].params.spike_times[1]", "expected a number"),
    (device("spike_generator", "spike_times: [1, .inf]"), "devices[0].params.spike_times[1]", "finite"),
    (device("spike_generator", "spike_times: [3, 1]"), "devices[0].params.spike_times[1]", "sorted"),
    (device("spike_generator", "spike_times: [1, 2], spike_weights: [1]"), "devices[0].params.spike_weights",
     "one entry per"),
    (device("spike_generator", "spike_weights: [1]"), "devices[0].params.spike_weights", "without spike_times"),
    (device("spike_generator", "spike_times: [1, 2], spike_multiplicities: [1, 1.5]"),
     "devices[0].params.spike_multiplicities[1]", "whole number"),
    (device("spike_generator", "precise_times: true"), "devices[0].params.precise_times", "must be false"),
    (device("spike_generator", "allow_offgrid_times: 7"), "devices[0].params.allow_offgrid_times", "true or false"),
    (device("voltmeter", "interval: 0"), "devices[0].params.interval", "> 0"),
    (device("multimeter", "record_from: 5"), "devices[0].params.record_from", "state variable name"),
    # 2. device target delays: >= 0 (0 feeds the current tick), finite, fitting the delay ring
    (device("dc_generator", "", "{to: a, delay: -1}"), "devices[0].targets[0].delay", ">= 0"),
    (device("dc_generator", "", "{to: a, delay: [1, 1, 1, 1, 1, 1, 1, 1, 1, -2]}"),
     "devices[0].targets[0].delay", ">= 0"),
    (device("dc_generator", "", "{to: a, delay: 1e300}"), "devices[0].targets[0].delay", "too long"),
    (device("dc_generator", "", "{to: a, delay: '1 +'}"), "devices[0].targets[0].delay", "parse"),
    (device("dc_generator", "", "{to: a, weight: '1 +'}"), "devices[0].targets[0].weight", "parse"),
    (POP + "max_memory_gb: 0.001\ndevices:\n  - {name: d, model: dc_generator, targets: [{to: a, delay: 1e6}]}\n",
     "devices[0].targets[0].delay", "delay ring"),
    # 4. a bad projection delay is reported at .delay, a bad weight at .weight
    (POP + "projections:\n  - {from: a, to: a, delay: '2 *'}\n", "projections[0].delay", "parse"),
    (POP + "projections:\n  - {from: a, to: a, weight: '2 *'}\n", "projections[0].weight", "parse"),
    (POP + "projections:\n  - {from: a, to: a, delay: -3}\n", "projections[0].delay", ">= 0"),
    (POP + "projections:\n  - {from: a, to: a, delay: 1e300}\n", "projections[0].delay", "too long"),
    # synapse parameters within the model's bounds
    (POP + "projections:\n  - {from: a, to: a, synapse: tsodyks2_synapse, params: {U: 2}}\n",
     "projections[0].params.U", "<= 1"),
]


@pytest.mark.parametrize("text,path,msg", BAD)
def test_bad_input_names_file_and_path(write, text: str, path: str, msg: str) -> None:
    expect_recipe_error(write(text), path, msg, exact=True)


GOOD = [
    device("poisson_generator", "rate: 1e5"),  # PyYAML reads 1e5 as a string: still a number
    device("poisson_generator", "rate: 20, start: 1.0, stop: 50"),
    device("dc_generator", "amplitude: -5"),
    device("dc_generator", "", "{to: a, delay: 0}"),  # devices may feed the current tick
    device("spike_generator", "spike_times: [1, 2, 2, 4.5], spike_weights: [1, -1, 2, 0.5], "
                              "spike_multiplicities: [1, 2, 0, 3], allow_offgrid_times: true"),
    device("voltmeter", "record_from: [V_m], interval: 2"),
    device("spike_recorder", "start: 10, stop: 20"),
]


@pytest.mark.parametrize("text", GOOD)
def test_good_device_params_compile(write, text: str) -> None:
    brain = compile_ir(write(text))
    assert brain.devices[0].name == "d"


def test_device_params_are_stored_as_numbers(write) -> None:
    brain = compile_ir(write(device("poisson_generator", "rate: 1e5, start: 2")))
    assert brain.devices[0].params == {"rate": 100000.0, "start": 2.0}
    assert all(type(v) is float for v in brain.devices[0].params.values())


def test_device_delay_zero_runs(write) -> None:
    """Delay 0 is legitimate: the device writes into the current tick's input."""
    from runtime.network import Network

    brain = compile_ir(write(device("dc_generator", "amplitude: 500", "{to: a, delay: 0}")))
    assert int(brain.devices[0].targets[0].delay.max()) == 0
    net = Network(brain)
    net.run(5)


# ----------------------------------------------------------------------------- components

def _component_recipe(tmp_path: Path, component: str) -> Path:
    (tmp_path / "cx.yaml").write_text(component)
    p = tmp_path / "r.yaml"
    p.write_text("name: r\nlayers:\n  - {name: L, components: [{component: cx, count: 2}]}\n")
    return p


def _component_error(tmp_path: Path, component: str) -> RecipeError:
    p = _component_recipe(tmp_path, component)
    with pytest.raises(RecipeError) as exc:
        compile_ir(p)
    assert "\n" not in str(exc.value)
    return exc.value


def test_component_neuron_params_are_bounds_checked(tmp_path: Path) -> None:
    err = _component_error(tmp_path, "component: cx\nneurons:\n  - {name: n, type: iaf_psc_alpha}\n"
                                     "  - {name: m, type: iaf_psc_alpha, params: {C_m: -1}}\n")
    assert err.file.endswith("cx.yaml")
    assert err.path == "neurons[1].params.C_m"
    assert ">=" in err.message


@pytest.mark.parametrize("syn,path,msg", [
    ("{from: n, to: m, type: nosuch}", "synapses[1].type", "unknown synapse model"),
    ("{from: n, to: m, params: {zz: 1}}", "synapses[1].params.zz", "unknown parameter"),
    ("{from: n, to: m, type: gated}", "synapses[1].gate", "needs 'gate'"),
    ("{from: n, to: m, delay: 0.1}", "synapses[1].delay", "at least one tick"),
    ("{from: n, to: m, delay: -1}", "synapses[1].delay", ">= 0"),
    ("{from: n, to: m, type: facilitating, params: {U: 5}}", "synapses[1].params.U", "<= 1"),
])
def test_component_synapse_errors_name_the_synapse(tmp_path: Path, syn: str, path: str, msg: str) -> None:
    err = _component_error(tmp_path, "component: cx\nneurons: [{name: n}, {name: m}]\nsynapses:\n"
                                     f"  - {{from: n, to: m}}\n  - {syn}\n")
    assert err.file.endswith("cx.yaml")
    assert err.path == path, str(err)
    assert msg in err.message, str(err)


def test_subcomponent_synapse_error_names_the_subcomponent_file(tmp_path: Path) -> None:
    (tmp_path / "inner.yaml").write_text("component: inner\nneurons: [{name: n}, {name: m}]\n"
                                         "synapses:\n  - {from: n, to: m, type: nosuch}\n")
    err = _component_error(tmp_path, "component: cx\nneurons: [{name: k}]\n"
                                     "subcomponents: [{name: s, component: inner}]\n")
    assert err.file.endswith("inner.yaml")
    assert err.path == "synapses[0].type"


# ----------------------------------------------------------------------------- output paths, modes

@pytest.mark.parametrize("where", ["file/x.db", "file/sub/x.db"])
def test_unwritable_output_is_one_line(write, tmp_path: Path, where: str) -> None:
    p = write(POP)
    (tmp_path / "file").write_text("not a folder")
    res = CliRunner().invoke(brainc_main, ["compile", str(p), "-o", str(tmp_path / where)])
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "cannot write" in lines[0], res.output
    assert "Traceback" not in res.output


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_output_in_proc_is_a_database_error(write) -> None:
    with pytest.raises(DatabaseError, match="cannot write"):
        with dbio.atomic_sqlite("/proc/brainc_test_x.db"):
            pass


def test_database_mode_follows_umask(write, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        out = tmp_path / "x.db"
        res = CliRunner().invoke(brainc_main, ["compile", str(write(POP)), "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    with dbio.atomic_sqlite(tmp_path / "y.db") as con:
        con.execute("CREATE TABLE t (x)")
    assert stat.S_IMODE((tmp_path / "y.db").stat().st_mode) == 0o666 & ~old


# ----------------------------------------------------------------------------- seed

@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_cli_seed_out_of_range(write, tmp_path: Path, seed: str) -> None:
    out = tmp_path / "x.db"
    res = CliRunner().invoke(brainc_main, ["compile", str(write(POP)), "--seed", seed, "-o", str(out)])
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--seed" in lines[0], res.output
    assert not out.exists()


def test_api_seed_out_of_range(write) -> None:
    with pytest.raises(BraincError, match="seed"):
        compile_ir(write(POP), seed=-1)


# ----------------------------------------------------------------------------- signals

def test_signals_exit_raises_and_restores() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as exc:
        with signals_exit():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler interrupts this
    assert exc.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_during_compile_leaves_nothing(tmp_path: Path, sig: int) -> None:
    """Killing `brainc compile` while it writes removes the hidden temp file."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "brunel.db"
    proc = subprocess.Popen([sys.executable, "-m", "brainc.cli", "compile", str(ROOT / "recipes/nest/brunel.yaml"),
                             "-o", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(out_dir.glob(".*.tmp")):
        time.sleep(0.01)
    if proc.poll() is not None:
        pytest.skip("compile finished before a temp file was seen")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip(f"compile finished before the signal arrived: {err.decode()[-300:]}")
    assert proc.returncode == 128 + sig, err.decode()
    assert b"Traceback" not in err, err.decode()
    assert list(out_dir.iterdir()) == [], list(out_dir.iterdir())
