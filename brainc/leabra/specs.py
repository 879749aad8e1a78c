"""Spec objects of the Leabra API (Leabra7's names, emergent's defaults).

A spec is a plain record: every field has a default taken from the model's
registry declaration (:mod:`runtime.models.leabra`, :mod:`runtime.synapses.xcal`),
so the kernels and the API cannot disagree on a default. Unknown field names
raise ``ValueError`` (a typo must not silently fall back to a default).

Field names are the model's row names, except where Leabra7 has its own name
for the same quantity (``gc_l``, ``spk_thr``, ``act_gain``, ``act_nvar``,
``sig_offset``); :data:`UNIT_ALIASES` etc. map them onto rows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from runtime.models.leabra import INHIB_FFFB, INHIB_KWTA, INHIB_KWTA_AVG, INHIB_NONE, LeabraUnit
from runtime.synapses.xcal import XCAL

__all__ = [
    "UnitSpec", "LayerSpec", "ProjnSpec", "Scalar", "Uniform", "Gaussian",
    "UNIT_ALIASES", "LAYER_ALIASES", "PROJN_ALIASES", "INHIBITION_TYPES",
]

#: API name -> P row of the leabra unit model, where they differ
UNIT_ALIASES = {"gc_l": "gbar_l", "spk_thr": "thr", "act_gain": "gain", "act_nvar": "nvar"}
#: API name -> G row of the leabra layer parameters, where they differ
LAYER_ALIASES = {"inhibition_type": "inhib_type"}
#: API name -> P row of the xcal synapse model, where they differ
PROJN_ALIASES = {"sig_offset": "sig_off"}

INHIBITION_TYPES = {"fffb": INHIB_FFFB, "kwta": INHIB_KWTA, "kwta_avg": INHIB_KWTA_AVG, "none": INHIB_NONE}
ACT_FUNS = {"nxx1": 0.0, "spike": 1.0, "nxx1_conv": 2.0}
PROJN_TYPES = ("full", "one_to_one")
_BOOL_UNIT = {"avg_l_err_mod", "clamp_hard", "clamp_avg"}
_BOOL_LAYER = {"act_avg_fixed", "act_avg_use_first"}
_BOOL_PROJN = {"learn", "set_l_lrn", "soft_bound", "norm", "momentum"}


# ---------------------------------------------------------------------------
# weight distributions (Leabra7: lb.Scalar, lb.Uniform, lb.Gaussian)

@dataclass(frozen=True)
class Scalar:
    """Every weight equal to ``value``."""

    value: float = 0.5

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.value))

    def to_dict(self) -> dict[str, Any]:
        return {"dist": "scalar", "value": float(self.value)}


@dataclass(frozen=True)
class Uniform:
    """Weights uniform on ``[low, high)``."""

    low: float = 0.25
    high: float = 0.75

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"Uniform needs low <= high, got low={self.low} and high={self.high}")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def to_dict(self) -> dict[str, Any]:
        return {"dist": "uniform", "low": float(self.low), "high": float(self.high)}


@dataclass(frozen=True)
class Gaussian:
    """Normal weights with ``mean`` and variance ``var`` (Leabra7's parameters)."""

    mean: float = 0.5
    var: float = 0.01

    def __post_init__(self) -> None:
        if self.var < 0:
            raise ValueError(f"Gaussian needs var >= 0, got {self.var}")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean, math.sqrt(self.var), n)

    def to_dict(self) -> dict[str, Any]:
        return {"dist": "gaussian", "mean": float(self.mean), "var": float(self.var)}


# ---------------------------------------------------------------------------

class _Spec:
    """Record with validated fields; subclasses fill ``_fields``."""

    _fields: ClassVar[dict[str, Any]] = {}
    _kind: ClassVar[str] = "spec"

    def __init__(self, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in self._fields]
        if unknown:
            raise ValueError(
                f"unknown {self._kind} parameter {unknown[0]!r} (known: {', '.join(sorted(self._fields))})")
        for k, default in self._fields.items():
            v = kwargs.get(k, default)
            setattr(self, k, self._check(k, v))

    def _check(self, name: str, value: Any) -> Any:
        return value

    def to_dict(self) -> dict[str, Any]:
        """Plain-data view of every field."""
        out: dict[str, Any] = {}
        for k in self._fields:
            v = getattr(self, k)
            out[k] = v.to_dict() if hasattr(v, "to_dict") else (list(v) if isinstance(v, tuple) else v)
        return out

    def __repr__(self) -> str:
        changed = {k: getattr(self, k) for k, d in self._fields.items() if getattr(self, k) != d}
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()  # type: ignore[union-attr]


def _num(kind: str, name: str, value: Any, lo: float | None, hi: float | None) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{kind} parameter {name!r} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{kind} parameter {name!r} must be finite, got {value!r}")
    if lo is not None and v < lo:
        raise ValueError(f"{kind} parameter {name!r} must be >= {lo}, got {v}")
    if hi is not None and v > hi:
        raise ValueError(f"{kind} parameter {name!r} must be <= {hi}, got {v}")
    return v


class UnitSpec(_Spec):
    """Unit parameters (emergent ActParams / LearnNeurParams). See docs/leabra.md.

    ``act_fun`` is ``"nxx1"`` (rate code, emergent Go's closed-form NXX1),
    ``"nxx1_conv"`` (rate code, C++ emergent's convolved NXX1) or ``"spike"``; boolean fields take
    bools; every other field is a float with the unit documented in
    :attr:`runtime.models.leabra.LeabraUnit.params`.
    """

    _kind = "UnitSpec"
    _fields: ClassVar[dict[str, Any]] = {}

    def _check(self, name: str, value: Any) -> Any:
        if name == "act_fun":
            if value not in ACT_FUNS:
                raise ValueError(f"UnitSpec act_fun must be one of {sorted(ACT_FUNS)}, got {value!r}")
            return value
        if name in _BOOL_UNIT:
            return bool(value)
        var = LeabraUnit.params[UNIT_ALIASES.get(name, name)]
        return _num(self._kind, name, value, var.min, var.max)

    def row_values(self) -> dict[str, float]:
        """Values by P row name of the ``leabra`` model."""
        out = {}
        for k in self._fields:
            v = getattr(self, k)
            row = UNIT_ALIASES.get(k, k)
            out[row] = ACT_FUNS[v] if k == "act_fun" else float(v)
        return out


_inv_unit = {v: k for k, v in UNIT_ALIASES.items()}
for _row, _var in LeabraUnit.params.items():
    _name = _inv_unit.get(_row, _row)
    if _name == "act_fun":
        UnitSpec._fields[_name] = "nxx1"
    elif _name in _BOOL_UNIT:
        UnitSpec._fields[_name] = bool(_var.default)
    else:
        UnitSpec._fields[_name] = _var.default


class LayerSpec(_Spec):
    """Layer parameters: inhibition (FFFB / k-WTA), activity averages, the
    unit spec, and logging requests (Leabra7 ``log_on_cycle`` etc.)."""

    _kind = "LayerSpec"
    _fields: ClassVar[dict[str, Any]] = {}

    def _check(self, name: str, value: Any) -> Any:
        if name == "inhibition_type":
            if value not in INHIBITION_TYPES:
                raise ValueError(
                    f"LayerSpec inhibition_type must be one of {sorted(INHIBITION_TYPES)}, got {value!r}")
            return value
        if name == "unit_spec":
            if value is None:
                return UnitSpec()
            if not isinstance(value, UnitSpec):
                raise ValueError(f"LayerSpec unit_spec must be a UnitSpec, got {type(value).__name__}")
            return value
        if name.startswith("log_on_"):
            if isinstance(value, str):
                value = (value,)
            return tuple(value)
        if name in _BOOL_LAYER:
            return bool(value)
        var = LeabraUnit.group_params[LAYER_ALIASES.get(name, name)]
        return _num(self._kind, name, value, var.min, var.max)

    def row_values(self) -> dict[str, float]:
        """Values by G row name of the ``leabra`` model."""
        out = {}
        for row in LeabraUnit.group_params:
            name = {v: k for k, v in LAYER_ALIASES.items()}.get(row, row)
            v = getattr(self, name)
            out[row] = float(INHIBITION_TYPES[v]) if name == "inhibition_type" else float(v)
        return out


for _row, _var in LeabraUnit.group_params.items():
    _name = {v: k for k, v in LAYER_ALIASES.items()}.get(_row, _row)
    if _name == "inhibition_type":
        LayerSpec._fields[_name] = "fffb"
    elif _name in _BOOL_LAYER:
        LayerSpec._fields[_name] = bool(_var.default)
    else:
        LayerSpec._fields[_name] = _var.default
LayerSpec._fields.update({"unit_spec": None, "log_on_cycle": (), "log_on_trial": (),
                          "log_on_epoch": (), "log_on_batch": ()})


class ProjnSpec(_Spec):
    """Projection parameters: connectivity (``projn_type`` ``"full"`` or
    ``"one_to_one"``, ``sparsity`` = fraction of connections kept), initial
    weights (``dist``), weight symmetry (``sym``), ``inhibitory`` (deliver to
    the ``inh`` receptor), net-input scaling and XCAL learning."""

    _kind = "ProjnSpec"
    _fields: ClassVar[dict[str, Any]] = {}

    def _check(self, name: str, value: Any) -> Any:
        if name == "dist":
            if value is None:
                return Uniform(0.25, 0.75)
            if not isinstance(value, (Scalar, Uniform, Gaussian)):
                raise ValueError(f"ProjnSpec dist must be Scalar, Uniform or Gaussian, got {value!r}")
            return value
        if name == "projn_type":
            if value not in PROJN_TYPES:
                raise ValueError(f"ProjnSpec projn_type must be one of {list(PROJN_TYPES)}, got {value!r}")
            return value
        if name == "sparsity":
            return _num(self._kind, name, value, 0.0, 1.0)
        if name in ("sym", "inhibitory") or name in _BOOL_PROJN:
            return bool(value)
        if name.startswith("log_on_"):
            if isinstance(value, str):
                value = (value,)
            return tuple(value)
        var = XCAL.params[PROJN_ALIASES.get(name, name)]
        return _num(self._kind, name, value, var.min, var.max)

    def row_values(self) -> dict[str, float]:
        """Values by P row name of the ``xcal`` model."""
        inv = {v: k for k, v in PROJN_ALIASES.items()}
        return {row: float(getattr(self, inv.get(row, row))) for row in XCAL.params}


_inv_projn = {v: k for k, v in PROJN_ALIASES.items()}
for _row, _var in XCAL.params.items():
    _name = _inv_projn.get(_row, _row)
    ProjnSpec._fields[_name] = bool(_var.default) if _name in _BOOL_PROJN else _var.default
ProjnSpec._fields.update({"dist": None, "projn_type": "full", "sparsity": 1.0, "sym": True,
                          "inhibitory": False, "log_on_trial": (), "log_on_epoch": (), "log_on_batch": ()})


# ---------------------------------------------------------------------------
# conversions: spec <-> plain dicts (checkpoints) and recipe rows (recipes)

def dist_from_dict(d: dict[str, Any]) -> Scalar | Uniform | Gaussian:
    """Inverse of ``Scalar/Uniform/Gaussian.to_dict``."""
    kind = d.get("dist")
    if kind == "scalar":
        return Scalar(float(d["value"]))
    if kind == "uniform":
        return Uniform(float(d["low"]), float(d["high"]))
    if kind == "gaussian":
        return Gaussian(float(d["mean"]), float(d["var"]))
    raise ValueError(f"unknown weight distribution {d!r}")


def spec_from_dict(cls: type, d: dict[str, Any]) -> Any:
    """Inverse of ``spec.to_dict()`` for UnitSpec, LayerSpec and ProjnSpec."""
    kw = dict(d)
    if cls is LayerSpec and isinstance(kw.get("unit_spec"), dict):
        kw["unit_spec"] = UnitSpec(**kw["unit_spec"])
    if cls is ProjnSpec and isinstance(kw.get("dist"), dict):
        kw["dist"] = dist_from_dict(kw["dist"])
    return cls(**kw)


def unit_spec_from_rows(rows: dict[str, float]) -> UnitSpec:
    """A UnitSpec from ``leabra`` P-row values (a recipe layer's ``unit``)."""
    inv = {v: k for k, v in UNIT_ALIASES.items()}
    inv_fun = {v: k for k, v in ACT_FUNS.items()}
    kw: dict[str, Any] = {}
    for row, v in rows.items():
        name = inv.get(row, row)
        if name == "act_fun":
            if float(v) not in inv_fun:
                raise ValueError(f"unit parameter act_fun must be one of {sorted(inv_fun)}, got {v!r}")
            kw[name] = inv_fun[float(v)]
        else:
            kw[name] = bool(v) if name in _BOOL_UNIT else float(v)
    return UnitSpec(**kw)


def layer_spec_from_rows(rows: dict[str, float], unit_spec: UnitSpec | None = None) -> LayerSpec:
    """A LayerSpec from ``leabra`` G-row values (a recipe layer's ``layer``)."""
    inv = {v: k for k, v in LAYER_ALIASES.items()}
    inv_type = {float(v): k for k, v in INHIBITION_TYPES.items()}
    kw: dict[str, Any] = {"unit_spec": unit_spec}
    for row, v in rows.items():
        name = inv.get(row, row)
        if name == "inhibition_type":
            if float(v) not in inv_type:
                raise ValueError(f"layer parameter inhib_type must be one of {sorted(inv_type)}, got {v!r}")
            kw[name] = inv_type[float(v)]
        else:
            kw[name] = bool(v) if name in _BOOL_LAYER else float(v)
    return LayerSpec(**kw)


def projn_spec_from_rows(rows: dict[str, float], **extra: Any) -> ProjnSpec:
    """A ProjnSpec from ``xcal`` P-row values (a recipe projection's ``params``)
    plus API-only fields (``dist``, ``projn_type``, ``sparsity``, ``sym``, ``inhibitory``)."""
    inv = {v: k for k, v in PROJN_ALIASES.items()}
    kw: dict[str, Any] = dict(extra)
    for row, v in rows.items():
        name = inv.get(row, row)
        kw[name] = bool(v) if name in _BOOL_PROJN else float(v)
    return ProjnSpec(**kw)
