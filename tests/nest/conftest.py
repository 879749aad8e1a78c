"""Shared helpers for the NEST-family tests: stored NEST 3.10 references
(tests/data/nest, made by make_reference.py / make_reference_extra.py under
.venv-nest; the tests themselves never need NEST)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data" / "nest"


def _reference(name: str) -> Path:
    """A committed reference file: missing is an error, never a skip (the
    conformance tests must not silently disappear)."""
    path = DATA / name
    if not path.exists():
        raise FileNotFoundError(f"reference file {path} missing (it is committed; remake it with "
                                "tests/data/nest/make_reference*.py under .venv-nest)")
    return path


def load_json(name: str) -> dict[str, Any]:
    return json.loads(_reference(name).read_text())


def load_npz(name: str) -> Any:
    return np.load(_reference(name))


def ticks(times: Any, dt: float) -> np.ndarray:
    """Grid step index of each time (times are multiples of dt)."""
    return np.rint(np.asarray(times, np.float64) / dt).astype(np.int64)
