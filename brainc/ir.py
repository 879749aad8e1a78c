"""The brain intermediate representation (IR) every family lowers to.

A :class:`Brain` is plain data: populations (blocks of homogeneous units with a
model name and per-unit parameters), projections (synapses between two
populations, CSR-sortable arrays), terminals (named ports resolved to unit
indices), devices (generators and recorders), modulators (global scalar
channels such as reward or a learning flag) and ``extras`` (family sections that
are not units or synapses, e.g. the arena configuration). The compiler writes
it to SQLite (:mod:`brainc.database`); the runtime loads it into blocks.

Units follow the model's declared schema (see :mod:`runtime.registry`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: a parameter value: one number for a homogeneous population, else an array of size n
ParamValue = float | np.ndarray

#: receptor index meaning "route by the sign of the weight" (>= 0: exc, < 0: inh)
SIGN_ROUTED = -1


@dataclass
class Population:
    """A block of ``size`` units of one ``model``.

    ``params`` maps parameter name -> scalar or float64[size]; parameters the
    model declares but that are absent take the model default. ``positions`` is
    float32[size, 3] (arbitrary length units, used by proximity rules and plots)
    or None. ``origin`` records provenance (layer, component, instance) as JSON
    data; ``unit_meta`` optional per-unit integer arrays (e.g. instance id, node
    type code) kept for inspection and terminal resolution.
    """

    name: str
    model: str
    size: int
    params: dict[str, ParamValue] = field(default_factory=dict)
    group_params: dict[str, float] = field(default_factory=dict)
    positions: np.ndarray | None = None
    origin: dict[str, Any] = field(default_factory=dict)
    unit_meta: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Projection:
    """Synapses of one ``synapse`` model from population ``pre`` to ``post``.

    ``pre_idx``/``post_idx`` are int32[n_syn] indices local to each population;
    ``weight`` float64[n_syn] (model units, e.g. pA or mV or dimensionless);
    ``delay`` int32[n_syn] in ticks (>= 1 for event transmission, 0 only for
    delay-free models such as gap junctions). ``receptor`` is the post receptor
    index or :data:`SIGN_ROUTED`. ``gate`` names the modulating population for
    gated synapses. ``storage`` is "csr" (explicit arrays) or "implicit"
    (assembly fibers drawn by the engine).
    """

    name: str
    pre: str
    post: str
    synapse: str
    pre_idx: np.ndarray
    post_idx: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor: int = SIGN_ROUTED
    params: dict[str, ParamValue] = field(default_factory=dict)
    gate: str | None = None
    storage: str = "csr"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(self.pre_idx.shape[0])

    def sort_by_pre(self, n_pre: int | None = None) -> None:
        """Group synapses by presynaptic unit (stable), so a CSR is a view."""
        from .csr import order_by_pre

        if self.count == 0:
            return
        order = order_by_pre(self.pre_idx, int(self.pre_idx.max()) + 1 if n_pre is None else n_pre)
        if order is None:
            return
        self.pre_idx = self.pre_idx[order]
        self.post_idx = self.post_idx[order]
        self.weight = self.weight[order]
        self.delay = self.delay[order]
        for k, v in list(self.params.items()):
            if isinstance(v, np.ndarray) and v.shape == order.shape:
                self.params[k] = v[order]


@dataclass
class Terminal:
    """A named port: unit indices (int64, local) into ``population``."""

    name: str
    population: str
    indices: np.ndarray
    direction: str = "both"  # "in", "out" or "both"


@dataclass
class DeviceTarget:
    """One connection of a device to (or from, for recorders) a population."""

    population: str
    indices: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor: int = SIGN_ROUTED


@dataclass
class Device:
    """A generator (injects) or recorder (observes): ``model`` names a registered
    device model or one of the built-in recorders (spike_recorder, voltmeter,
    multimeter). ``params`` holds scalars/lists (JSON-able)."""

    name: str
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    targets: list[DeviceTarget] = field(default_factory=list)


@dataclass
class Modulator:
    """A global scalar channel read by kernels (reward, dopamine, phase, learn)."""

    name: str
    value: float = 0.0


@dataclass
class Brain:
    """The whole network. ``dt`` in ms per tick; ``seed`` the root seed."""

    name: str
    seed: int
    dt: float
    populations: list[Population] = field(default_factory=list)
    projections: list[Projection] = field(default_factory=list)
    terminals: list[Terminal] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    modulators: list[Modulator] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    def population(self, name: str) -> Population:
        for p in self.populations:
            if p.name == name:
                return p
        raise KeyError(name)

    def offsets(self) -> dict[str, int]:
        """Global unit id of each population's first unit (declaration order)."""
        out: dict[str, int] = {}
        acc = 0
        for p in self.populations:
            out[p.name] = acc
            acc += p.size
        return out

    @property
    def n_units(self) -> int:
        return sum(p.size for p in self.populations)

    @property
    def n_synapses(self) -> int:
        return sum(pr.count for pr in self.projections)
