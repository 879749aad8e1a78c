"""Same seed -> same winners (independent of PYTHONHASHSEED); state_dict and
npz round trips resume bit-for-bit."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from brainc.assemblies import Brain
from brainc.assemblies.ops import associate, merge, project
from runtime.assembly_engine import AreaSpec, AssemblyEngine, FiberSpec, StimulusSpec

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
import hashlib, numpy as np
from brainc.assemblies import Brain
from brainc.assemblies.ops import associate, merge, project
from brainc.assemblies.parser import parse
b = Brain(0.05, seed=7)
for s in ("sA", "sB"):
    b.add_stimulus(s, 100)
for a in ("A", "B", "C", "D"):
    b.add_area(a, 20000, 100, 0.1)
b.add_explicit_area("E", 2000, 50, 0.1)
project(b, "sA", "A"); project(b, "sB", "B")
associate(b, "A", "B", "C", "sA", "sB", rounds=4)
merge(b, "A", "B", "D", rounds=4)
b.project({}, {"A": ["E", "C"], "B": ["E", "D"], "C": ["A"]})
h = hashlib.sha256()
for a in b.areas:
    h.update(b.area(a).winners.tobytes())
h.update(repr(parse("the dogs love a bad woman")).encode())
print(h.hexdigest())
"""


def _digest(hashseed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip()


def test_independent_of_pythonhashseed():
    assert _digest("0") == _digest("12345")


def _scenario(seed: int) -> Brain:
    b = Brain(0.05, seed=seed)
    b.add_stimulus("s", 100)
    b.add_stimulus("t", 80)
    b.add_area("A", 30000, 100, 0.05, refractory_period=1)
    b.add_area("B", 30000, 100, 0.1)
    b.add_explicit_area("X", 1500, 40, 0.2)
    return b


def _steps(b: Brain, rounds: range) -> list[np.ndarray]:
    out = []
    for i in rounds:
        if i % 7 == 3:
            b.area("B").winners = np.arange(0, 300, 3)      # assignment, materialising
        stims = {"s": ["A"], "t": ["A", "B"]} if i % 2 else {"s": ["A", "X"]}
        areas = {"A": ["A", "B", "X"]} if b.area("A").winners.size else {}
        if b.area("B").winners.size:
            areas["B"] = ["B", "A"]
        b.project(stims, areas)
        out += [b.area(a).winners for a in ("A", "B", "X")]
    return out


def test_same_seed_same_winners():
    a = _steps(_scenario(11), range(12))
    b = _steps(_scenario(11), range(12))
    c = _steps(_scenario(12), range(12))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def _state_digest(st: dict) -> str:
    h = hashlib.sha256(json.dumps(st["meta"], sort_keys=True).encode())
    for k in sorted(x for x in st if x != "meta"):
        h.update(k.encode())
        h.update(np.ascontiguousarray(st[k]).tobytes())
    return h.hexdigest()


def test_state_dict_round_trip_bit_for_bit():
    ref = _scenario(5)
    _steps(ref, range(8))
    st = ref.state_dict()
    json.dumps(st["meta"])                                  # metadata is JSON-able
    assert all(isinstance(v, np.ndarray) for k, v in st.items() if k != "meta")
    resumed = Brain.from_state_dict(st)
    cont_ref = _steps(ref, range(8, 16))
    cont_res = _steps(resumed, range(8, 16))
    assert all(np.array_equal(x, y) for x, y in zip(cont_ref, cont_res))
    assert _state_digest(ref.state_dict()) == _state_digest(resumed.state_dict())


def test_engine_npz_round_trip(tmp_path):
    e = AssemblyEngine([AreaSpec("A", 50000, 100, 0.05), AreaSpec("L", 600, 30, 0.5, explicit=True)],
                       [StimulusSpec("s", 100)],
                       [FiberSpec("s", "A", 0.02), FiberSpec("A", "A", 0.02), FiberSpec("A", "L", 0.1),
                        FiberSpec("L", "A", 0.1, beta=0.2)], seed=9)
    for _ in range(6):
        e.round()
    path = tmp_path / "asm.npz"
    e.save_npz(str(path))
    f = AssemblyEngine.load_npz(str(path))
    for _ in range(6):
        e.round()
        f.round()
        for a in ("A", "L"):
            assert np.array_equal(e.winners(a), f.winners(a))
    assert _state_digest(e.state_dict()) == _state_digest(f.state_dict())
