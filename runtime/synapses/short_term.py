"""Short-term plasticity (Tsodyks-Markram): ``facilitating`` and ``depressing``.

Each synapse holds a release probability ``u`` and a fraction of available
resources ``x``. Between spikes (interval Δ ms) they relax exactly::

    u  ->  u e^{-Δ/tau_fac}                 (facilitation decays to 0)
    x  ->  1 - (1 - x) e^{-Δ/tau_rec}       (resources recover to 1)

and at a presynaptic spike::

    u_n = U + u(1 - U)          release probability used by this spike
    A_n = w * u_n * x / U       transmitted amplitude (added to the post input)
    x  <- x (1 - u_n)           resources used up

(the form of Fuhrmann et al. 2002 / NEST ``tsodyks2_synapse``). After a long
rest u has decayed to 0 and x recovered to 1, so u_1 = U and the first spike
transmits exactly ``w``: the weight is the efficacy of a rested synapse and the
normalisation by U makes depression and facilitation relative to it. A
depressing synapse (large U, long tau_rec, tau_fac = 0) then transmits less
than w in a train; a facilitating one (small U, long tau_fac) more, at most w/U.

Event-driven: the state is touched only when the pre unit fires (inside
``propagate``, which loops over the unit's synapses anyway); the decay over the
whole interval since the last spike is applied in closed form, so the result is
exact and independent of how many ticks passed. Intervals are measured between
emission ticks; a fixed delay shifts all arrivals equally, so they are the
intervals at the synapse. ``tau_fac <= 0`` (or ``tau_rec <= 0``) means
instantaneous relaxation.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import route

__all__ = ["Facilitating", "Depressing", "propagate", "stp_train"]

#: "no spike yet": far enough in the past that the synapse is fully rested
NEVER = -1.0e12

P_U, P_TAU_FAC, P_TAU_REC = range(3)
S_U, S_X, S_T_LAST = range(3)

_STATE: dict[str, Var] = {
    "u": Var(0.0, "1", "release variable after the last spike (decays to 0 between spikes)"),
    "x": Var(1.0, "1", "available resources after the last spike (recovers to 1)"),
    "t_last": Var(NEVER, "tick", "tick of the last presynaptic spike"),
}


@njit(cache=True, inline="always")
def _relax(lag_ms, tau):
    """exp(-lag/tau), with tau <= 0 meaning instantaneous relaxation."""
    if tau <= 0.0:
        return 0.0
    a = lag_ms / tau
    if a > 700.0:  # fully relaxed (and exp's underflow path is slow)
        return 0.0
    return math.exp(-a)


@njit(cache=True, inline="always")
def stp_spike(u_last, x_last, lag_ms, U, tau_fac, tau_rec):
    """A spike ``lag_ms`` after the previous one (state after it: ``u_last``,
    ``x_last``): returns (u_n x / U, u_n, x after the spike). The first factor
    multiplies w; it is exactly 1.0 after a long rest (u_n = U, x = 1)."""
    u = U + u_last * _relax(lag_ms, tau_fac) * (1.0 - U)
    x = 1.0 - (1.0 - x_last) * _relax(lag_ms, tau_rec)
    return (u / U) * x, u, x * (1.0 - u)


@njit(cache=True)
def propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X, receptor, ring,
              gate_out, mods):
    """Contract propagate phase: advance each synapse of a fired unit and send
    ``w * u_n * x / U`` to its post unit at ``t + delay``."""
    D = ring.shape[0]
    for q in range(n_fired):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            f, u, x = stp_spike(S[S_U, s], S[S_X, s], (t - S[S_T_LAST, s]) * dt, P[P_U, s], P[P_TAU_FAC, s],
                                P[P_TAU_REC, s])
            S[S_U, s] = u
            S[S_X, s] = x
            S[S_T_LAST, s] = t
            ws = w[s]
            ring[(t + delay[s]) % D, route(receptor, ws), post_idx[s]] += ws * f


def stp_train(w: float, U: float, tau_fac: float, tau_rec: float, ticks: Any, dt: float = 1.0) -> np.ndarray:
    """Reference (pure Python) amplitudes of a spike train at ``ticks`` on a
    rested synapse, by the recursion of the module docstring (for tests/plots)."""
    u, x, last = 0.0, 1.0, None
    out = []
    for t in ticks:
        if last is not None:
            lag = (t - last) * dt
            u *= np.exp(-lag / tau_fac) if tau_fac > 0 else 0.0
            x = 1.0 - (1.0 - x) * (np.exp(-lag / tau_rec) if tau_rec > 0 else 0.0)
        else:
            u, x = 0.0, 1.0
        un = U + u * (1.0 - U)
        out.append(w * un * x / U)
        x *= 1.0 - un
        u = un
        last = t
    return np.array(out)


@register
class Facilitating(SynapseModel):
    """Tsodyks-Markram synapse with facilitation dominant (defaults: Gupta et
    al. 2000 class F1, U=0.16, tau_fac=376 ms, tau_rec=45 ms)."""

    name: ClassVar[str] = "facilitating"
    family: ClassVar[str] = "spiking"
    params = {
        "U": Var(0.16, "1", "release increment / release probability of a rested synapse", 1e-6, 1.0),
        "tau_fac": Var(376.0, "ms", "facilitation decay time constant (0: none)", 0.0),
        "tau_rec": Var(45.0, "ms", "resource recovery time constant (0: instantaneous)", 0.0),
    }
    state = dict(_STATE)
    propagate = propagate


@register
class Depressing(SynapseModel):
    """Tsodyks-Markram synapse with depression only (defaults: Tsodyks &
    Markram 1997, U=0.5, tau_rec=800 ms, no facilitation)."""

    name: ClassVar[str] = "depressing"
    family: ClassVar[str] = "spiking"
    params = {
        "U": Var(0.5, "1", "fraction of resources a spike uses", 1e-6, 1.0),
        "tau_fac": Var(0.0, "ms", "facilitation decay time constant (0: none)", 0.0),
        "tau_rec": Var(800.0, "ms", "resource recovery time constant (0: instantaneous)", 0.0),
    }
    state = dict(_STATE)
    propagate = propagate
