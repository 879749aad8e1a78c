"""Host-stepped engines: families whose tick cannot live in the fused loop.

An assembly area of n = 10^7 neurons materialises only neurons that ever fired,
so its arrays grow every round and its k-cap samples a binomial tail: that work
is a handful of vectorised NumPy/Numba calls per tick, not per-unit code, so it
runs between compiled ticks. A neuron model opts in by naming an engine class in
``host_engine`` ("module:Class"); the network gives each engine class the
populations and projections of its models and calls, once per tick after the
fused loop,

* ``step(t) -> list[(population, local unit ids)]``: advance one tick and return
  the units that emitted (recorded as spikes like any other);
* ``state(population, variable) -> ndarray``;
* ``arrays() -> dict[str, ndarray]`` / ``restore(arrays)``: checkpoint state.

Engines are built by ``Engine.build(brain, populations, projections, seed)``.
"""
from __future__ import annotations

import importlib
import json
from typing import Any

import numpy as np


def engine_class(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def pack_json(obj: Any) -> np.ndarray:
    """JSON metadata as a uint8 array (checkpoints store arrays only)."""
    return np.frombuffer(json.dumps(obj).encode(), dtype=np.uint8).copy()


def unpack_json(arr: np.ndarray) -> Any:
    return json.loads(bytes(np.asarray(arr, np.uint8)).decode())
