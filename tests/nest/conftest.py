"""Shared helpers for the NEST-family tests: stored NEST 3.10 references
(tests/data/nest, made by make_reference.py / make_reference_extra.py under
.venv-nest; the tests themselves never need NEST)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "nest"


def load_json(name: str) -> dict[str, Any]:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"reference file {path} missing (run tests/data/nest/make_reference*.py)")
    return json.loads(path.read_text())


def load_npz(name: str) -> Any:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"reference file {path} missing")
    return np.load(path)


def ticks(times: Any, dt: float) -> np.ndarray:
    """Grid step index of each time (times are multiples of dt)."""
    return np.rint(np.asarray(times, np.float64) / dt).astype(np.int64)
