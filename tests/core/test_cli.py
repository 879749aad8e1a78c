"""The brainc and brainrun command lines."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from brainc.cli import main as brainc_main
from runtime.cli import main as brainrun_main

from .conftest import ROOT

IZH = str(ROOT / "recipes" / "izhikevich2003.yaml")


def test_compile_validate_inspect_schema(tmp_path: Path) -> None:
    r = CliRunner()
    out = tmp_path / "iz.db"
    res = r.invoke(brainc_main, ["compile", IZH, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "1,000 units" in res.output and out.exists()
    res = r.invoke(brainc_main, ["validate", IZH])
    assert res.exit_code == 0 and res.output.startswith("ok")
    res = r.invoke(brainc_main, ["inspect", str(out), "--json"])
    s = json.loads(res.output)
    assert s["neurons"] == 1000 and s["synapses"] == 1_000_000
    assert {p["name"] for p in s["populations"]} == {"exc", "inh"}
    assert all({"name", "pre", "post", "synapse", "count"} <= set(p) for p in s["projections"])
    res = r.invoke(brainc_main, ["inspect", str(out)])
    assert "synapse-type mix" in res.output and "fixed" in res.output
    res = r.invoke(brainc_main, ["schema"])
    schema = json.loads(res.output)
    assert "properties" in schema and "layers" in schema["properties"]
    res = r.invoke(brainc_main, ["models"])
    assert "izhikevich" in res.output


def test_brainrun_spikes_checkpoint_resume(tmp_path: Path) -> None:
    r = CliRunner()
    db = tmp_path / "iz.db"
    assert r.invoke(brainc_main, ["compile", IZH, "-o", str(db)]).exit_code == 0
    res = r.invoke(brainrun_main, [str(db), "--ticks", "400", "--spikes", str(tmp_path / "s.npz"), "--json",
                                   "--no-progress"])
    assert res.exit_code == 0, res.output
    full = np.load(tmp_path / "s.npz")
    assert set(full["population_name"]) == {"exc", "inh"}
    ck = tmp_path / "ck.db"
    res = r.invoke(brainrun_main, [str(db), "--ticks", "200", "--checkpoint", str(ck), "--checkpoint-every", "100"])
    assert res.exit_code == 0, res.output
    res = r.invoke(brainrun_main, ["--resume", str(ck), "--ticks", "200", "--spikes", str(tmp_path / "r.npz")])
    assert res.exit_code == 0, res.output
    resumed = np.load(tmp_path / "r.npz")
    assert np.array_equal(full["tick"], resumed["tick"]) and np.array_equal(full["unit"], resumed["unit"])


def test_brainrun_refuses_bad_database(tmp_path: Path) -> None:
    bad = tmp_path / "x.db"
    bad.write_text("not a database")
    res = CliRunner().invoke(brainrun_main, [str(bad), "--ticks", "10"])
    assert res.exit_code == 1
    assert res.output.strip().startswith("error:") and "not a brain database" in res.output
    assert "Traceback" not in res.output


def test_blow_up_stops_with_message_and_keeps_last_checkpoint(tmp_path: Path) -> None:
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("name: bad\npopulations:\n  - {name: hot, model: izhikevich, size: 10, "
                      "params: {a: 0, c: 29, d: 0, I_bias: 0}}\n")
    db = tmp_path / "bad.db"
    r = CliRunner()
    assert r.invoke(brainc_main, ["compile", str(recipe), "-o", str(db)]).exit_code == 0
    ck = tmp_path / "ck.db"
    res = r.invoke(brainrun_main, [str(db), "--ticks", "100", "--checkpoint", str(ck)])
    assert res.exit_code == 0 and ck.exists()
    before = ck.read_bytes()
    import runtime

    net = runtime.resume(ck)
    net.inject("hot", 1e4)
    net.checkpoint(ck)  # a good checkpoint with the runaway drive in it
    good = ck.read_bytes()
    res = r.invoke(brainrun_main, ["--resume", str(ck), "--ticks", "1000", "--checkpoint", str(ck),
                                   "--checkpoint-every", "30"])
    assert res.exit_code == 1
    assert "population 'hot'" in res.output and "ran away" in res.output and "tick" in res.output
    assert ck.read_bytes() == good and good != before
