"""Host-stepped families run through the same Network, database and checkpoints."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import runtime
from brainc.compiler import compile_recipe

from .conftest import ROOT


def test_assembly_recipe_runs_one_round_per_tick_and_resumes(tmp_path: Path) -> None:
    db = compile_recipe(ROOT / "recipes" / "assemblies" / "projection.yaml", tmp_path / "a.db")
    net = runtime.load(db)
    net.run(16)
    t, u = net.spikes("A")
    assert np.array_equal(np.bincount(t), np.full(16, 317))  # k winners every round
    support = int(net.state("A", "support")[0])
    assert 1000 <= support <= 1500  # settles near 1,200 (n=1e5, k=317, p=0.01, beta=0.05)
    net.checkpoint(tmp_path / "ck.db")
    net.run(4)
    again = runtime.resume(tmp_path / "ck.db")
    again.run(4)
    assert np.array_equal(net.state("A", "winners"), again.state("A", "winners"))
    assert np.array_equal(net.spikes()[1], again.spikes()[1])


def test_assembly_api_network_writes_as_recipe(tmp_path: Path) -> None:
    import yaml

    from brainc.assemblies import Brain
    from brainc.compiler import compile_ir

    b = Brain(p=0.01, seed=3)
    b.add_stimulus("s", 100)
    b.add_area("A", 10_000, 100, 0.05)
    b.project({"s": ["A"]}, {})
    b.project({"s": ["A"]}, {"A": ["A"]})
    rec = tmp_path / "r.yaml"
    rec.write_text(yaml.safe_dump(b.to_recipe("from_api")))
    brain = compile_ir(rec)
    assert {p.model for p in brain.populations} == {"assembly_area", "assembly_stimulus"}
    assert {(pr.pre, pr.post) for pr in brain.projections} == {("s", "A"), ("A", "A")}
    net = runtime.Network(brain)
    net.run(3)
    assert net.state("A", "winners").size == 100
