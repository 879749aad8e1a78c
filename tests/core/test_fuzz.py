"""Property-based fuzzing: any valid small recipe compiles, writes, loads and
runs, deterministically; no valid recipe crashes the compiler with a traceback."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brainc import database as dbio
from brainc.compiler import compile_ir
from brainc.errors import BraincError
from runtime.network import Network

TYPES = ["RS", "FS", "IB", "CH", "LTS"]


@st.composite
def recipes(draw: st.DrawFn) -> dict:
    n_pops = draw(st.integers(1, 3))
    pops = []
    for i in range(n_pops):
        pops.append({"name": f"p{i}", "model": "izhikevich", "size": draw(st.integers(1, 40)),
                     "type": draw(st.sampled_from(TYPES))})
    projs = []
    for j in range(draw(st.integers(0, 4))):
        rule = draw(st.sampled_from([
            "all_to_all", "one_to_one", {"rule": "pairwise_bernoulli", "p": 0.2},
            {"rule": "fixed_indegree", "indegree": 2}, {"rule": "fixed_outdegree", "outdegree": 2},
            {"rule": "fixed_total_number", "N": 5},
            {"rule": "proximity", "p": 0.5, "cutoff": 1.0, "sigma": 0.5}]))
        a, b = draw(st.integers(0, n_pops - 1)), draw(st.integers(0, n_pops - 1))
        projs.append({"name": f"j{j}", "from": f"p{a}", "to": f"p{b}", "rule": rule,
                      "weight": draw(st.one_of(st.floats(-20, 20), st.just({"dist": "uniform", "low": 0, "high": 5}))),
                      "delay": draw(st.integers(1, 5))})
    return {"name": "fuzz", "seed": draw(st.integers(0, 2**31)), "populations": pops, "projections": projs,
            "devices": [{"name": "noise", "model": "noise_current", "params": {"std": 3.0},
                         "targets": [{"to": "p0"}]}]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes())
def test_valid_recipes_compile_run_and_are_deterministic(data: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "r.yaml"
        p.write_text(yaml.safe_dump(data))
        try:
            brain = compile_ir(p)
        except BraincError as exc:
            # only a rule that is impossible for the drawn sizes may be refused
            assert "one_to_one" in str(exc) or "exceeds" in str(exc) or "available" in str(exc), str(exc)
            return
        a = dbio.write_atomic(brain, Path(tmp) / "a.db")
        b = dbio.write_atomic(compile_ir(p), Path(tmp) / "b.db")
        assert dbio.content_hash(a) == dbio.content_hash(b)
        n1, n2 = Network(dbio.read(a)), Network(dbio.read(b))
        n1.run(50)
        n2.run(50)
        assert np.array_equal(n1.spikes()[1], n2.spikes()[1])
