"""Random parameter values for brainc.nest, in the spirit of ``nest.random``.

Each function returns a :class:`Random` wrapping a recipe ``Distribution``
(see :mod:`brainc.recipe`), so a network built with them lowers to a recipe
unchanged; values are drawn by the compiler from seeded streams named after
the population or projection.

NEST 2 style dictionaries are accepted too, e.g.
``{"distribution": "normal", "mu": 0.0, "sigma": 1.0}``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Random", "uniform", "normal", "lognormal", "exponential", "uniform_int", "as_distribution"]


@dataclass(frozen=True)
class Random:
    """A distribution for parameters, weights or delays (recipe form in ``spec``)."""

    spec: dict[str, Any]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.spec.items() if k != "dist")
        return f"{self.spec['dist']}({args})"


def uniform(min: float = 0.0, max: float = 1.0) -> Random:
    """Uniform on [min, max)."""
    return Random({"dist": "uniform", "low": float(min), "high": float(max)})


def normal(mean: float = 0.0, std: float = 1.0, min: float | None = None, max: float | None = None) -> Random:
    """Normal; optional ``min``/``max`` clip the values (not NEST's redraw)."""
    spec: dict[str, Any] = {"dist": "normal", "mean": float(mean), "std": float(std)}
    if min is not None:
        spec["min"] = float(min)
    if max is not None:
        spec["max"] = float(max)
    return Random(spec)


def lognormal(mean: float = 0.0, std: float = 1.0) -> Random:
    """exp(N(mean, std)) (``mean``/``std`` of the underlying normal, as NEST)."""
    return Random({"dist": "lognormal", "mean": float(mean), "std": float(std)})


def exponential(beta: float = 1.0) -> Random:
    """Exponential with scale ``beta`` (mean beta)."""
    return Random({"dist": "exponential", "scale": float(beta)})


def uniform_int(max: int) -> Random:
    """Integers 0 .. max-1 (NEST's ``uniform_int``)."""
    return Random({"dist": "uniform_int", "low": 0.0, "high": float(int(max) - 1)})


def as_distribution(value: Any) -> Random | None:
    """A :class:`Random` for ``value`` if it describes a distribution, else None."""
    if isinstance(value, Random):
        return value
    if not isinstance(value, dict):
        return None
    if "dist" in value:
        return Random(dict(value))
    if "distribution" not in value:
        return None
    d = value["distribution"]
    if d == "uniform":
        return uniform(value.get("low", 0.0), value.get("high", 1.0))
    if d == "normal":
        return normal(value.get("mu", 0.0), value.get("sigma", 1.0))
    if d == "normal_clipped":
        return normal(value.get("mu", 0.0), value.get("sigma", 1.0), value.get("low"), value.get("high"))
    if d == "lognormal":
        return lognormal(value.get("mu", 0.0), value.get("sigma", 1.0))
    if d == "exponential":
        lam = value.get("lambda", 1.0)
        return exponential(1.0 / lam)
    if d == "uniform_int":
        return Random({"dist": "uniform_int", "low": float(value.get("low", 0)),
                       "high": float(value.get("high", 1))})
    raise ValueError(f"unsupported distribution {d!r}")
