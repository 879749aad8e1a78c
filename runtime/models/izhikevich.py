"""Izhikevich (2003) neurons: the spiking-circuit family's unit model.

    dv/dt = 0.04 v^2 + 5 v + 140 - u + I        (v in mV, t in ms, I dimensionless "current")
    du/dt = a (b v - u)
    if v >= v_peak: v <- c, u <- u + d

Integrated as in the paper with two half-steps of dt/2 for v per tick, then one
step for u, with v *bounded in both half-steps*:

* below at ``v_min``: a strong inhibitory pulse cannot drive v into the region
  left of the quadratic's unstable root, from where the quadratic term would
  fling it up into a spurious spike on the next half-step;
* above at ``v_cap``: the crossing tick's overshoot stays finite whatever the
  input. Between ``v_peak`` and ``v_cap`` the published numerics are kept on
  purpose: the recovery variable is updated with the end-of-tick v, so each
  spike adds the adaptation of the paper's model. Clipping v at ``v_peak``
  before the u update instead changes that adaptation and raises the 1000-neuron
  network's spike count by ~8%, outside the 7,300-7,700 that the published
  model gives (docs/models.md has the measurement).

A spike is emitted when v >= v_peak after either half-step; v is then reset to
c and u incremented by d at the end of the tick, so no overshoot persists.
All input arrives in one receptor row ``syn`` (inhibitory weights are negative).
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np
from numba import njit

from ..loop_kernels import collect_fired
from ..registry import NeuronModel, Var, register

#: the five cell types of Izhikevich (2003, 2004) as (a, b, c, d)
PRESETS: dict[str, dict[str, float]] = {
    "RS": {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0},    # regular spiking (excitatory)
    "IB": {"a": 0.02, "b": 0.2, "c": -55.0, "d": 4.0},    # intrinsically bursting
    "CH": {"a": 0.02, "b": 0.2, "c": -50.0, "d": 2.0},    # chattering
    "FS": {"a": 0.1, "b": 0.2, "c": -65.0, "d": 2.0},     # fast spiking (inhibitory)
    "LTS": {"a": 0.02, "b": 0.25, "c": -65.0, "d": 2.0},  # low-threshold spiking (inhibitory)
}
#: types whose outgoing synapses are inhibitory when a projection asks for sign by type
INHIBITORY_TYPES = frozenset({"FS", "LTS"})
TYPE_CODES = {name: i for i, name in enumerate(PRESETS)}


@njit(cache=True)
def update(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    a = P[0]
    b = P[1]
    c = P[2]
    d = P[3]
    v_peak = P[4]
    v_min = P[5]
    bias = P[6]
    v_cap = P[7]
    v = S[0]
    u = S[1]
    n_rec = I.shape[0]
    h = 0.5 * dt
    # sum receptors into row 0 first: an inner loop of unknown trip count
    # would stop the main loop from vectorising
    I0 = I[0]
    for r in range(1, n_rec):
        Ir = I[r]
        for i in range(I0.shape[0]):
            I0[i] += Ir[i]
    # branch-free body: keeps the loop vectorisable (a data-dependent store such
    # as fired[nf] = i here makes it ~5x slower); emitters are collected after
    for i in range(v.shape[0]):
        cur = bias[i] + I0[i]
        vi = v[i]
        ui = u[i]
        spiked = False
        for _half in range(2):
            vi += h * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + cur)
            vi = min(max(vi, v_min[i]), v_cap[i])
            spiked = spiked or vi >= v_peak[i]
        ui += dt * a[i] * (b[i] * vi - ui)
        v[i] = c[i] if spiked else vi
        u[i] = ui + d[i] if spiked else ui
        out[i] = 1.0 if spiked else 0.0
    return collect_fired(out, fired)


@register
class Izhikevich(NeuronModel):
    """Izhikevich simple model; set a type preset (RS/FS/IB/CH/LTS) or a, b, c, d."""

    name: ClassVar[str] = "izhikevich"
    family: ClassVar[str] = "spiking"
    params = {
        "a": Var(0.02, "1/ms", "recovery time scale"),
        "b": Var(0.2, "1", "recovery sensitivity to v"),
        "c": Var(-65.0, "mV", "after-spike reset of v"),
        "d": Var(8.0, "mV", "after-spike increment of u"),
        "v_peak": Var(30.0, "mV", "spike cut-off"),
        "v_min": Var(-100.0, "mV", "lower bound of v in each half-step"),
        "I_bias": Var(0.0, "1", "constant input current"),
        "v_cap": Var(1.0e4, "mV", "upper bound of v within the crossing tick (keeps the overshoot finite)"),
    }
    state = {
        "v": Var(-65.0, "mV", "membrane potential"),
        "u": Var(-13.0, "mV", "recovery variable (initialised to b * v)"),
    }
    # one input row: the model sums excitatory and inhibitory input anyway, and
    # a single row halves the memory traffic of delivering the ring each tick
    receptors = ("syn",)
    voltage = "v"
    update = update

    @classmethod
    def init_state(cls, P: np.ndarray, rng_seed: int) -> np.ndarray:
        S = np.empty((2, P.shape[1]))
        S[0] = -65.0
        S[1] = P[1] * S[0]
        return S
