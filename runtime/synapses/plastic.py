"""Pair-based STDP (``plastic``) and the per-synapse pieces other learning
synapses of the spiking family reuse (``gated``, ``reward_plastic``,
``developmental``).

Rule (all-to-all pairing, exponential traces; ticks of ``dt`` ms)::

    x_pre  jumps by 1 at every pre spike,  decays with tau_plus   (ms)
    x_post jumps by 1 at every post spike, decays with tau_minus  (ms)
    post spike at t:  |w| += A_plus  * x_pre(t-)  * (w_max - |w|)    (LTP)
    pre  spike at t:  |w| -= A_minus * x_post(t-) * (|w| - w_min)    (LTD)

``x(t-)`` is the trace *just before* this tick's increments: a pre and a post
spike in the same tick are a zero-lag pair, which the rule does not count
(neither LTP nor LTD; at 1 ms resolution its order is unknown). Earlier spikes
still pair with both.

Signed weights: learning acts on the magnitude ``|w|`` and keeps the sign the
synapse was created with (row ``sign``), so an inhibitory synapse that is
potentiated becomes *more* inhibitory and no weight ever crosses zero. The
soft bounds are multiplicative (the step shrinks to zero at the bound); a
step larger than the remaining distance (``A * x > 1`` after a burst) is
clipped at the bound, and a weight created outside ``[w_min, w_max]`` is only
ever moved towards the range.

Traces are per synapse and *event-driven*: a trace is stored as its value just
before the last spike of its side (``x_pre``/``x_post``) plus that spike's tick
(``t_pre``/``t_post``); its value at tick t is
``(x + 1) * exp(-(t - t_last) dt / tau)`` (or ``x`` when t == t_last). Nothing
decays per tick: a pre spike touches the synapses of its CSR row, a post spike
those of its CSC column (``csc_ptr``/``csc_syn``), so learning costs
O(synapses of units that fired), like transmission.

Timing uses the ticks at which the pre and post *somata* fire (lag = t_post -
t_pre, as in the Bi & Poo protocol), not spike arrival: the delay shifts when a
spike acts on the post cell, not the pairing window.

Tick order (runtime.loop): learn runs after the neuron update and before
propagate, so a pre spike is transmitted with its weight already depressed by
the pairing that spike made.
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import propagate as fixed_propagate

__all__ = [
    "STDP_PARAMS", "STDP_STATE", "NEVER", "trace_before", "potentiate", "depress",
    "post_event", "pre_event", "stdp_post", "stdp_pre", "sign_of", "Plastic",
]

#: "no spike yet": far enough in the past that every trace has decayed to 0.0
NEVER = -1.0e12

#: STDP parameters; every learning synapse of the family starts with these rows
STDP_PARAMS: dict[str, Var] = {
    "A_plus": Var(0.01, "1", "LTP step: fraction of the distance to w_max per unit of pre trace", 0.0),
    "A_minus": Var(0.012, "1", "LTD step: fraction of the distance to w_min per unit of post trace", 0.0),
    "tau_plus": Var(20.0, "ms", "decay time constant of the pre trace (LTP window)", 1e-9),
    "tau_minus": Var(20.0, "ms", "decay time constant of the post trace (LTD window)", 1e-9),
    "w_min": Var(0.0, "current", "lower bound of |w|", 0.0),
    "w_max": Var(10.0, "current", "upper bound of |w|", 0.0),
}
#: per-synapse STDP state; learning synapses put these rows first
STDP_STATE: dict[str, Var] = {
    "x_pre": Var(0.0, "1", "pre trace just before the last pre spike"),
    "t_pre": Var(NEVER, "tick", "tick of the last pre spike"),
    "x_post": Var(0.0, "1", "post trace just before the last post spike"),
    "t_post": Var(NEVER, "tick", "tick of the last post spike"),
    "sign": Var(1.0, "1", "+1 excitatory, -1 inhibitory (sign of the initial weight; learning keeps it)"),
}

# rows of P and S (shared by every model built on STDP_PARAMS/STDP_STATE)
P_A_PLUS, P_A_MINUS, P_TAU_PLUS, P_TAU_MINUS, P_W_MIN, P_W_MAX = range(6)
S_X_PRE, S_T_PRE, S_X_POST, S_T_POST, S_SIGN = range(5)


def sign_of(w: np.ndarray) -> np.ndarray:
    """The ``sign`` row for initial weights ``w``: -1 where w < 0, else +1."""
    return np.where(np.asarray(w) < 0.0, -1.0, 1.0)


def stdp_init_state(model: type[SynapseModel], w: np.ndarray) -> np.ndarray:
    """Defaults for every row of ``model.state`` with the ``sign`` row set from ``w``."""
    S = np.empty((len(model.state), w.shape[0]))
    for i, var in enumerate(model.state.values()):
        S[i] = var.default
    S[S_SIGN] = sign_of(w)
    return S


@njit(cache=True, inline="always")
def trace_before(x, t_last, t, dt, tau):
    """Value at tick ``t`` (before this tick's increment) of a trace stored as
    ``x`` = value just before its last jump at tick ``t_last`` (see module doc)."""
    lag = t - t_last
    if lag <= 0.0:
        return x
    return (x + 1.0) * np.exp(-lag * dt / tau)


@njit(cache=True, inline="always")
def potentiate(w, S, P, s, x):
    """Soft-bounded LTP of synapse ``s`` by pre trace ``x``: |w| moves towards w_max."""
    sg = S[S_SIGN, s]
    m = w[s] * sg
    hi = P[P_W_MAX, s]
    if m < hi:
        m += P[P_A_PLUS, s] * x * (hi - m)
        if m > hi:
            m = hi
        w[s] = sg * m


@njit(cache=True, inline="always")
def depress(w, S, P, s, x):
    """Soft-bounded LTD of synapse ``s`` by post trace ``x``: |w| moves towards w_min."""
    sg = S[S_SIGN, s]
    m = w[s] * sg
    lo = P[P_W_MIN, s]
    if m > lo:
        m -= P[P_A_MINUS, s] * x * (m - lo)
        if m < lo:
            m = lo
        w[s] = sg * m


@njit(cache=True, inline="always")
def post_event(S, P, s, t, dt):
    """Post unit of ``s`` fired at ``t``: return x_pre(t-) and advance the post
    trace (x_post <- x_post(t-), t_post <- t). The caller applies the pairing."""
    x = trace_before(S[S_X_PRE, s], S[S_T_PRE, s], t, dt, P[P_TAU_PLUS, s])
    tl = S[S_T_POST, s]
    if tl != t:
        S[S_X_POST, s] = trace_before(S[S_X_POST, s], tl, t, dt, P[P_TAU_MINUS, s])
        S[S_T_POST, s] = t
    return x


@njit(cache=True, inline="always")
def pre_event(S, P, s, t, dt):
    """Pre unit of ``s`` fired at ``t``: return x_post(t-) and advance the pre trace."""
    x = trace_before(S[S_X_POST, s], S[S_T_POST, s], t, dt, P[P_TAU_MINUS, s])
    tl = S[S_T_PRE, s]
    if tl != t:
        S[S_X_PRE, s] = trace_before(S[S_X_PRE, s], tl, t, dt, P[P_TAU_PLUS, s])
        S[S_T_PRE, s] = t
    return x


@njit(cache=True, inline="always")
def stdp_post(w, S, P, s, t, dt):
    """Post spike on synapse ``s``: LTP from the pre trace, then advance the post trace."""
    potentiate(w, S, P, s, post_event(S, P, s, t, dt))


@njit(cache=True, inline="always")
def stdp_pre(w, S, P, s, t, dt):
    """Pre spike on synapse ``s``: LTD from the post trace, then advance the pre trace."""
    depress(w, S, P, s, pre_event(S, P, s, t, dt))


@njit(cache=True)
def learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out,
          indptr, post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    """Contract learn phase: LTP over the CSC columns of post units that fired,
    LTD over the CSR rows of pre units that fired (order is irrelevant: both use
    traces from before this tick's increments)."""
    for q in range(n_post):
        j = post_fired[q]
        for k in range(csc_ptr[j], csc_ptr[j + 1]):
            stdp_post(w, S, P, csc_syn[k], t, dt)
    for q in range(n_pre):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            stdp_pre(w, S, P, s, t, dt)


@register
class Plastic(SynapseModel):
    """Pair-based STDP with soft bounds on |w| (sign kept), event-driven traces."""

    name: ClassVar[str] = "plastic"
    family: ClassVar[str] = "spiking"
    params = dict(STDP_PARAMS)
    state = dict(STDP_STATE)
    plastic: ClassVar[bool] = True
    propagate = fixed_propagate
    learn = learn

    @classmethod
    def init_state(cls, w: Any, P: Any) -> Any:
        return stdp_init_state(cls, w)
