"""Reward-modulated STDP (``reward_plastic``): a three-factor rule.

Pre/post pairings do not change the weight directly; they feed a per-synapse
eligibility trace ``e`` (Izhikevich 2007, "Solving the distal reward
problem"), which a reward turns into a weight change::

    post spike at t:  e += A_plus  * x_pre(t-)      (pre before post: potentiating)
    pre  spike at t:  e -= A_minus * x_post(t-)     (post before pre: depressing)
    between events:   e decays with tau_e (ms)
    reward m at t:    |w| <- clip(|w| + lr * e(t) * m, w_min, w_max)   (sign kept)

``x_pre``/``x_post`` are the STDP traces of :mod:`runtime.synapses.plastic`
(same scaled rows, same three passes, same zero-lag rule: a pre and a post
spike in the same tick do not pair). ``e`` is stored the same way, scaled to
the pathway's reference tick (``z_e``, e = z_e exp(-(t - t_ref) dt / tau_e)),
so it decays without being touched, and a tick without reward costs
O(synapses of units that fired), as STDP.

Reward: ``net.reward(m)`` sets the ``reward`` modulator (``mods[0]``, see
``runtime.network.DEFAULT_MODULATORS``) for exactly one tick. On that tick the
learn phase first applies the tick's pairings, then sweeps *every* synapse
once (O(n_syn), only on reward ticks) with ``e`` decayed to the current tick. A
negative ``m`` reverses the change (punishment depresses eligible synapses).
The eligibility is not consumed by a reward: a second reward soon after credits
the same (further decayed) pairings again, as a sustained dopamine level would.
Learning acts on ``|w|`` and keeps the sign the synapse was created with, so
for an inhibitory synapse a positive change makes it more inhibitory. The
synapse transmits like ``fixed``.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import propagate as fixed_propagate
from .plastic import (
    P_TAU_MINUS, P_TAU_PLUS, S_Z_POST, S_Z_PRE, STDP_PARAMS, STDP_STATE, STDP_X, XO_T_REF, param_scan, rescale,
    stdp_bump_pre,
)

__all__ = ["RewardPlastic", "learn", "reward_sweep", "M_REWARD", "eligibility"]

#: index of the ``reward`` channel in ``mods`` (first of DEFAULT_MODULATORS)
from ..modulators import MOD_REWARD as M_REWARD  # noqa: E402

_PARAMS: dict[str, Var] = {
    **STDP_PARAMS,
    "A_plus": Var(0.1, "1", "eligibility added per unit of pre trace at a post spike", 0.0),
    "A_minus": Var(0.12, "1", "eligibility removed per unit of post trace at a pre spike", 0.0),
    "w_min": Var(0.0, "current", "lower clip of |w|", 0.0),
    "w_max": Var(10.0, "current", "upper clip of |w|", 0.0),
    "tau_e": Var(1000.0, "ms", "decay time constant of the eligibility trace", 1e-9),
    "lr": Var(1.0, "current", "weight change per unit of eligibility times reward", 0.0),
}
_STATE: dict[str, Var] = {
    **STDP_STATE,
    "z_e": Var(0.0, "1", "eligibility scaled to t_ref: e(t) = z_e exp(-(t - t_ref) dt / tau_e)"),
}
_X: dict[str, Var] = dict(STDP_X)
_p = list(_PARAMS)
_s = list(_STATE)
P_A_PLUS, P_A_MINUS = _p.index("A_plus"), _p.index("A_minus")
P_W_MIN, P_W_MAX = _p.index("w_min"), _p.index("w_max")
P_TAU_E, P_LR = _p.index("tau_e"), _p.index("lr")
S_Z_E = _s.index("z_e")
TAU_ROWS = (P_TAU_PLUS, P_TAU_MINUS, P_TAU_E)
Z_ROWS = (S_Z_PRE, S_Z_POST, S_Z_E)


@njit(cache=True)
def learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out,
          indptr, post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    """Contract learn phase: pairings into e (the plastic rule's three passes,
    with e in place of w), then on a reward tick |w| += lr e m for every synapse."""
    n = w.shape[0]
    if n == 0:
        return
    vary = param_scan(P, X, 0, TAU_ROWS)
    rescale(t, dt, S, P, X, 0, Z_ROWS, TAU_ROWS, vary)
    d = (t - X[XO_T_REF]) * dt
    v_tp = (vary >> P_TAU_PLUS) & 1
    v_tm = (vary >> P_TAU_MINUS) & 1
    v_te = (vary >> P_TAU_E) & 1
    v_ap = (vary >> P_A_PLUS) & 1
    v_am = (vary >> P_A_MINUS) & 1
    Ep0 = math.exp(-d / P[P_TAU_PLUS, 0])
    Em0 = math.exp(-d / P[P_TAU_MINUS, 0])
    Gm0 = 1.0 / Em0
    Ge0 = math.exp(d / P[P_TAU_E, 0])
    for q in range(n_pre):  # (1) pre spikes pair with post traces without this tick's post spikes
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            z = S[S_Z_POST, s]
            if z != 0.0:
                x = z * (math.exp(-d / P[P_TAU_MINUS, s]) if v_tm else Em0)
                S[S_Z_E, s] -= P[P_A_MINUS, s * v_am] * x * (math.exp(d / P[P_TAU_E, s]) if v_te else Ge0)
    for q in range(n_post):  # (2) post spikes pair with pre traces without this tick's pre spikes
        j = post_fired[q]
        for k in range(csc_ptr[j], csc_ptr[j + 1]):
            s = csc_syn[k]
            S[S_Z_POST, s] += math.exp(d / P[P_TAU_MINUS, s]) if v_tm else Gm0
            z = S[S_Z_PRE, s]
            if z != 0.0:
                x = z * (math.exp(-d / P[P_TAU_PLUS, s]) if v_tp else Ep0)
                S[S_Z_E, s] += P[P_A_PLUS, s * v_ap] * x * (math.exp(d / P[P_TAU_E, s]) if v_te else Ge0)
    stdp_bump_pre(t, dt, pre_fired, n_pre, indptr, S, P, X, 0, vary, -1)  # (3)
    m = mods[M_REWARD]
    if m != 0.0:
        reward_sweep(w, S, P, vary, d, m)


@njit(cache=True)
def reward_sweep(w, S, P, vary, d, m):
    """Reward tick: |w| <- clip(|w| + lr e m, w_min, w_max) for every synapse
    with non-zero eligibility (``d`` = (t - t_ref) dt). O(n_syn), sequential;
    with homogeneous parameters the loop is branch-free and vectorises (the
    arena may reward every tick)."""
    n = w.shape[0]
    z_e = S[S_Z_E]
    if (vary >> P_TAU_E) & 1 or (vary >> P_LR) & 1 or (vary >> P_W_MIN) & 1 or (vary >> P_W_MAX) & 1:
        for s in range(n):
            z = z_e[s]
            if z == 0.0:
                continue
            e = z * math.exp(-d / P[P_TAU_E, s])
            ws = w[s]
            mag = min(max(abs(ws) + P[P_LR, s] * e * m, P[P_W_MIN, s]), P[P_W_MAX, s])
            w[s] = math.copysign(mag, ws)
        return
    c = P[P_LR, 0] * m * math.exp(-d / P[P_TAU_E, 0])
    lo = P[P_W_MIN, 0]
    hi = P[P_W_MAX, 0]
    for s in range(n):
        z = z_e[s]
        ws = w[s]
        mag = min(max(abs(ws) + c * z, lo), hi)
        w[s] = math.copysign(mag, ws) if z != 0.0 else ws


def eligibility(pw: Any, t: int, dt: float = 1.0) -> np.ndarray:
    """Host helper: the eligibility e of every synapse of ``pw`` at tick ``t``."""
    return pw.S[S_Z_E] * np.exp(-(t - pw.X[XO_T_REF]) * dt / pw.P[P_TAU_E])


@register
class RewardPlastic(SynapseModel):
    """Three-factor STDP: pairings build an eligibility trace, a reward pulse m
    changes |w| by lr * e * m (clipped to [w_min, w_max])."""

    name: ClassVar[str] = "reward_plastic"
    family: ClassVar[str] = "spiking"
    params = _PARAMS
    state = _STATE
    pathway_state = _X
    plastic: ClassVar[bool] = True
    propagate = fixed_propagate
    learn = learn
