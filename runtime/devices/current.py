"""Current generators for the dimensionless spiking family.

``noise_current``: every tick each target receives an independent Gaussian
current ``mean + std * N(0, 1)`` (times the connection weight), as the thalamic
input of Izhikevich (2003). ``dc_current``: a constant ``amplitude``.
"""
from __future__ import annotations

from typing import ClassVar

from numba import njit

from ..registry import DeviceModel, Var, register
from ..rng import normal


@njit(cache=True)
def _noise(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng):
    r = receptor if receptor >= 0 else 0
    for d in range(ptr.shape[0] - 1):
        mean = P[0, d]
        std = P[1, d]
        s = rng[d]
        for q in range(ptr[d], ptr[d + 1]):
            I_now[r, idx[q]] += w[q] * (mean + std * normal(s))


@njit(cache=True)
def _dc(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng):
    r = receptor if receptor >= 0 else 0
    for d in range(ptr.shape[0] - 1):
        if t * dt < P[1, d] or t * dt >= P[2, d]:
            continue
        for q in range(ptr[d], ptr[d + 1]):
            I_now[r, idx[q]] += w[q] * P[0, d]


@register
class NoiseCurrent(DeviceModel):
    name: ClassVar[str] = "noise_current"
    family: ClassVar[str] = "spiking"
    params = {"mean": Var(0.0, "model current", "mean"), "std": Var(1.0, "model current", "standard deviation")}
    emit = _noise


@register
class DcCurrent(DeviceModel):
    name: ClassVar[str] = "dc_current"
    family: ClassVar[str] = "spiking"
    params = {"amplitude": Var(0.0, "model current", "constant current"),
              "start": Var(0.0, "ms", "on from"), "stop": Var(1e300, "ms", "off from")}
    emit = _dc
