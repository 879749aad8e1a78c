"""Developmental synapses (``developmental``): overproduce, then prune what
chance explains, during a critical period; STDP throughout.

The recipe draws dense connectivity. Between ticks ``critical_start`` and
``critical_end`` every synapse is tested at the end of each evaluation window
of ``eval_interval`` ticks, and pruned when the coincidences of its pre and
post spikes are not significantly above what independent firing predicts.

Statistic (per synapse, over the ticks T since its counters were reset)::

    N_pre, N_post   pre and post spikes
    C               post spikes with at least one pre spike 1..window ticks before
    p_pre = N_pre / T                       pre firing probability per tick
    q = 1 - (1 - p_pre)^window              chance that a window holds a pre spike
    E = N_post q,  Var = N_post q (1 - q)   under independence C ~ Binomial(N_post, q)
    keep  iff  C >= E + z sqrt(Var)         (one-sided test; z = 1: ~16% level,
                                             z = 1.645: 5%, z = 0: "above chance")

For small rates E ~ N_pre r_post window with r_post = N_post / T, the naive
"pre spikes times chance of a post spike in the window". ``C`` is counted on
the post side: at a post spike the lag to the synapse's last pre spike is
known exactly (row ``t_pre``, kept while counting; the post side is counted
before this tick's pre spikes update it). A synapse without data (no pre or no
post spike in the window: E = 0) has no evidence against it and is kept.
Counters are reset after every evaluation (and at critical_start).

Pruning sets ``alive = 0`` and ``w = 0``: the synapse transmits nothing and is
skipped by learning. Survivors learn by the ``plastic`` STDP rule (the shared
kernels of :mod:`runtime.synapses.plastic`), during and after the critical
period; after ``critical_end`` no synapse is pruned and nothing is counted, so
the topology is fixed. :func:`compact` removes pruned synapses from the host
arrays (``Pathway.keep``) to make later ticks cheaper.

Cost: while counting, a pass over the rows and columns of units that fired
updates the counters (O(synapses of units that fired), like the STDP passes);
evaluation is an O(n_syn) sweep on evaluation ticks only. Their
schedule is per synapse (merged projections may differ), the pathway keeps the
next tick any synapse needs a sweep (``X[next_eval]``) and whether any synapse
is counting (``X[counting]``).
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import propagate as fixed_propagate
from .plastic import STDP_PARAMS, STDP_STATE, STDP_X, stdp_step

__all__ = ["Developmental", "learn", "count", "evaluate", "survives", "compact"]

_PARAMS: dict[str, Var] = {
    **STDP_PARAMS,
    "critical_start": Var(0.0, "ticks", "first tick of the critical period (counters reset here)", 0.0),
    "critical_end": Var(10000.0, "ticks", "last tick at which a synapse can be pruned", 0.0),
    "eval_interval": Var(2000.0, "ticks", "length of an evaluation window", 1.0),
    "window": Var(10.0, "ticks", "a post spike 1..window ticks after a pre spike is a coincidence", 1.0),
    "z": Var(1.0, "1", "keep iff C >= E + z sqrt(Var) (one-sided test threshold)"),
}
_STATE: dict[str, Var] = {
    **STDP_STATE,
    "alive": Var(1.0, "bool", "0 once pruned"),
    "n_co": Var(0.0, "spikes", "coincidences C in the current window"),
    "n_pre": Var(0.0, "spikes", "pre spikes in the current window"),
    "n_post": Var(0.0, "spikes", "post spikes in the current window"),
    "t_count": Var(-1.0, "tick", "tick the counters were last reset (-1: never)"),
    "t_pre": Var(-1.0e12, "tick", "last pre spike while counting (coincidence lags)"),
}
_X: dict[str, Var] = {
    "next_eval": Var(0.0, "tick", "next tick at which some synapse resets or is evaluated"),
    "counting": Var(0.0, "bool", "whether any synapse is inside its critical period"),
    **STDP_X,
}
_p = list(_PARAMS)
_s = list(_STATE)
P_CS, P_CE, P_EI = _p.index("critical_start"), _p.index("critical_end"), _p.index("eval_interval")
P_WINDOW, P_Z = _p.index("window"), _p.index("z")
S_ALIVE, S_N_CO, S_N_PRE, S_N_POST, S_T_COUNT, S_T_PRE = (
    _s.index(k) for k in ("alive", "n_co", "n_pre", "n_post", "t_count", "t_pre"))
X_NEXT, X_COUNTING, X_STDP = range(3)  # STDP_X from X_STDP on
_INF = 1.0e300


@njit(cache=True, inline="always")
def _reset(S, s, t):
    S[S_N_CO, s] = 0.0
    S[S_N_PRE, s] = 0.0
    S[S_N_POST, s] = 0.0
    S[S_T_COUNT, s] = t


@njit(cache=True)
def survives(C, n_pre, n_post, T, window, z):
    """The pruning test of the module docstring: True to keep."""
    if n_pre <= 0.0 or n_post <= 0.0 or T <= 0.0:
        return True  # no data, no evidence against the synapse
    p = min(n_pre / T, 1.0)
    q = 1.0 - (1.0 - p) ** window
    E = n_post * q
    return C >= E + z * np.sqrt(n_post * q * (1.0 - q))


@njit(cache=True)
def evaluate(t, w, S, P, X):
    """Sweep at tick ``t``: reset counters of synapses whose critical period
    starts now, test (and prune) those at the end of a window, and schedule
    the next sweep. Returns the number of synapses pruned."""
    nxt = _INF
    counting = 0.0
    pruned = 0
    for s in range(w.shape[0]):
        if S[S_ALIVE, s] == 0.0:
            continue
        cs = np.rint(P[P_CS, s])  # whole ticks, so that boundaries are hit exactly
        ce = np.rint(P[P_CE, s])
        ei = max(np.rint(P[P_EI, s]), 1.0)
        if t < cs:
            if cs < nxt:
                nxt = cs
            continue
        k = np.floor((t - cs) / ei)
        if t == cs or S[S_T_COUNT, s] < cs:  # period starts (or run started inside it): count from now
            _reset(S, s, t)
        elif t == cs + k * ei and t <= ce:
            if survives(S[S_N_CO, s], S[S_N_PRE, s], S[S_N_POST, s], t - S[S_T_COUNT, s], P[P_WINDOW, s],
                        P[P_Z, s]):
                _reset(S, s, t)
            else:
                S[S_ALIVE, s] = 0.0
                w[s] = 0.0
                _reset(S, s, t)  # a pruned synapse keeps no stale counts
                pruned += 1
                continue
        t_next = cs + (k + 1.0) * ei
        if t_next <= ce:
            counting = 1.0
            if t_next < nxt:
                nxt = t_next
    X[X_NEXT] = nxt
    X[X_COUNTING] = counting
    return pruned


@njit(cache=True)
def count(t, pre_fired, n_pre, post_fired, n_post, indptr, csc_ptr, csc_syn, S, P):
    """Counters of living synapses for this tick's spikes: post side first, so
    ``t_pre`` is still the last pre spike *before* this tick."""
    for q in range(n_post):
        j = post_fired[q]
        for k in range(csc_ptr[j], csc_ptr[j + 1]):
            s = csc_syn[k]
            if S[S_ALIVE, s] == 0.0:
                continue
            S[S_N_POST, s] += 1.0
            lag = t - S[S_T_PRE, s]
            if lag >= 1.0 and lag <= P[P_WINDOW, s]:
                S[S_N_CO, s] += 1.0
    for q in range(n_pre):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            if S[S_ALIVE, s] != 0.0:
                S[S_N_PRE, s] += 1.0
                S[S_T_PRE, s] = t


@njit(cache=True)
def learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out,
          indptr, post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    """Contract learn phase: count (during the critical period), STDP on living
    synapses (the ``plastic`` sweeps, skipping pruned ones), then the
    evaluation sweep when one is due."""
    if X[X_COUNTING] > 0.0:
        count(t, pre_fired, n_pre, post_fired, n_post, indptr, csc_ptr, csc_syn, S, P)
    stdp_step(t, dt, pre_fired, n_pre, post_fired, n_post, indptr, csc_ptr, csc_syn, w, S, P, X, X_STDP, S_ALIVE)
    if t >= X[X_NEXT]:
        evaluate(t, w, S, P, X)


def compact(net: Any) -> int:
    """Drop pruned synapses of every ``developmental`` pathway of ``net`` from
    its arrays (``Pathway.keep``); returns how many were removed."""
    net.backend.sync(net)
    removed = 0
    for pw in net.pathways:
        if pw.model is Developmental:
            alive = pw.S[S_ALIVE] > 0.0
            removed += int(alive.size - np.count_nonzero(alive))
            if not alive.all():
                pw.keep(alive, net.blocks[pw.pre].n, net.blocks[pw.post].n)
    net.backend.push(net)
    return removed


@register
class Developmental(SynapseModel):
    """Dense STDP synapses pruned during a critical period when their pre/post
    coincidences are not above chance (see module docstring)."""

    name: ClassVar[str] = "developmental"
    family: ClassVar[str] = "spiking"
    params = _PARAMS
    state = _STATE
    pathway_state = _X
    plastic: ClassVar[bool] = True
    propagate = fixed_propagate
    learn = learn
