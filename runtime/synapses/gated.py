"""Gated synapses (``gated``): transmit, and optionally learn, only while a gate
unit was active recently.

Each synapse names a gate unit (param ``gate_unit``: the recipe's ``gate``
terminal or population, turned by the runtime into an index into ``gate_out``,
the ``out`` array of the gate unit's block). The gate of synapse s is *open* at
tick t when its unit was active (``gate_out > 0``: a spike, or non-zero rate
activity) at some tick t' with ``t - t' < window``; ``window = 1`` means "in
this very tick". A spike of the pre unit is transmitted (weight ``w`` at
``t + delay``, as ``fixed``) only through open gates.

Learning is optional: with ``A_plus``/``A_minus`` > 0 the synapse runs the
``plastic`` STDP rule (the shared sweeps of :mod:`runtime.synapses.plastic`:
same traces, zero-lag rule and soft bounds), but applies a weight change only
while its gate is open; the traces follow every spike regardless, so timing
before the gate opened still counts. With both rates 0 (the default) the learn
phase only tracks the gates (and the traces are not kept).

Efficient gate memory. Gate units are few compared with synapses, so the last
active tick is kept *per distinct gate unit*, not per synapse, in a small table
stored in the first columns of two state rows: ``gate_tab[k]`` is the k-th
distinct gate unit, ``gate_last[k]`` the last tick it was active, and each
synapse's ``gate_slot`` points at its unit's column. Every tick the learn
phase scans only the table (O(distinct gate units)) and stamps
``gate_last[k] = t`` for active units; propagate then checks
``t - gate_last[gate_slot[s]] < window`` for the synapses of units that fired.
The table is built inside the kernel on the first tick and rebuilt whenever the
synapse count differs from the one it was built for (``X[n_built]``, e.g. after
``Pathway.keep``/``add``); a rebuild forgets gate history older than the
current tick.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import route
from .plastic import (
    S_Z_POST, S_Z_PRE, STDP_PARAMS, STDP_STATE, STDP_X, TAU_ROWS, gate_open, param_scan, rescale,
    stdp_bump_pre, stdp_depress_sweep, stdp_potentiate_sweep,
)

__all__ = ["Gated", "propagate", "learn", "build_gate_table"]

#: "never active": far enough in the past that every window has closed
NEVER = -1.0e12

_PARAMS: dict[str, Var] = {
    **STDP_PARAMS,  # rows 0-5 as in plastic; learning off by default
    "A_plus": Var(0.0, "1", "LTP step while the gate is open (0: no learning)", 0.0),
    "A_minus": Var(0.0, "1", "LTD step while the gate is open (0: no learning)", 0.0),
    "gate_unit": Var(0.0, "index", "gate unit (set by the compiler from the projection's gate)"),
    "window": Var(20.0, "ticks", "gate stays open this many ticks after its unit was active (1: same tick)",
                  1.0),
}
_STATE: dict[str, Var] = {
    **STDP_STATE,
    "gate_slot": Var(-1.0, "index", "column of this synapse's gate unit in gate_tab/gate_last"),
    "gate_tab": Var(-1.0, "index", "table column k < n_gates: k-th distinct gate unit (-1 after)"),
    "gate_last": Var(NEVER, "tick", "table column k < n_gates: last tick gate unit k was active"),
}
_X: dict[str, Var] = {
    "n_built": Var(-1.0, "synapses", "synapse count the gate table was built for (-1: not built)"),
    "n_gates": Var(0.0, "units", "number of distinct gate units (columns of the table)"),
    "learns": Var(0.0, "bool", "any synapse with A_plus or A_minus > 0"),
    **STDP_X,
}

_p = list(_PARAMS)
_s = list(_STATE)
P_A_PLUS, P_A_MINUS = _p.index("A_plus"), _p.index("A_minus")
P_GATE_UNIT, P_WINDOW = _p.index("gate_unit"), _p.index("window")
S_GATE_SLOT, S_GATE_TAB, S_GATE_LAST = _s.index("gate_slot"), _s.index("gate_tab"), _s.index("gate_last")
X_N_BUILT, X_N_GATES, X_LEARNS, X_STDP = range(4)  # STDP_X from X_STDP on


@njit(cache=True)
def build_gate_table(S, P, X):
    """(Re)build the distinct-gate-unit table and every synapse's slot."""
    n = S.shape[1]
    units = np.empty(n, np.int64)
    learns = 0.0
    for s in range(n):
        units[s] = np.int64(P[P_GATE_UNIT, s])
        if P[P_A_PLUS, s] > 0.0 or P[P_A_MINUS, s] > 0.0:
            learns = 1.0
    uniq = np.unique(units)
    for k in range(n):
        S[S_GATE_TAB, k] = -1.0
        S[S_GATE_LAST, k] = NEVER
    for k in range(uniq.shape[0]):
        S[S_GATE_TAB, k] = uniq[k]
    for s in range(n):
        S[S_GATE_SLOT, s] = np.searchsorted(uniq, units[s])
    X[X_N_BUILT] = n
    X[X_N_GATES] = uniq.shape[0]
    X[X_LEARNS] = learns


@njit(cache=True, inline="always")
def _slot(slot, n_syn):
    """Table column of a synapse (its ``gate_slot``), clamped into the table."""
    k = np.int64(slot)
    return k if 0 <= k < n_syn else 0


@njit(cache=True)
def propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X, receptor, ring,
              gate_out, mods):
    """Contract propagate phase: like ``fixed``, through open gates only."""
    D = ring.shape[0]
    n_syn = w.shape[0]
    built = X[X_N_BUILT] == n_syn
    for q in range(n_fired):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            k = _slot(S[S_GATE_SLOT, s], n_syn)
            g = np.int64(P[P_GATE_UNIT, s])
            tab = np.int64(S[S_GATE_TAB, k])
            if tab != g:
                X[X_N_BUILT] = -1.0  # stale table: rebuild on the next learn phase
            if gate_open(k, g, P[P_WINDOW, s], t, tab, S[S_GATE_LAST, k], built, gate_out[g] > 0.0):
                ws = w[s]
                ring[(t + delay[s]) % D, route(receptor, ws), post_idx[s]] += ws


@njit(cache=True)
def learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out,
          indptr, post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    """Contract learn phase: stamp active gate units, then (if any synapse
    learns) the plastic rule's passes with weight changes only through open gates."""
    n_syn = w.shape[0]
    if X[X_N_BUILT] != n_syn:
        build_gate_table(S, P, X)
    for k in range(np.int64(X[X_N_GATES])):
        if gate_out[np.int64(S[S_GATE_TAB, k])] > 0.0:
            S[S_GATE_LAST, k] = t
    if X[X_LEARNS] == 0.0:
        return
    gate = np.array([S_GATE_SLOT, S_GATE_TAB, S_GATE_LAST, P_GATE_UNIT, P_WINDOW, 1], np.int64)
    vary = param_scan(P, X, X_STDP, TAU_ROWS)
    rescale(t, dt, S, P, X, X_STDP, (S_Z_PRE, S_Z_POST), TAU_ROWS, vary)
    stdp_depress_sweep(t, dt, pre_fired, n_pre, indptr, w, S, P, X, X_STDP, vary, -1, gate, gate_out)
    stdp_potentiate_sweep(t, dt, post_fired, n_post, csc_ptr, csc_syn, w, S, P, X, X_STDP, vary, -1, gate,
                          gate_out)
    stdp_bump_pre(t, dt, pre_fired, n_pre, indptr, S, P, X, X_STDP, vary, -1)


@register
class Gated(SynapseModel):
    """Transmits (and, with A_plus/A_minus > 0, learns by STDP) only within
    ``window`` ticks after its gate unit was active."""

    name: ClassVar[str] = "gated"
    family: ClassVar[str] = "spiking"
    params = _PARAMS
    state = _STATE
    pathway_state = _X
    needs_gate: ClassVar[bool] = True
    plastic: ClassVar[bool] = True  # optional STDP: weights may change, post-side sweeps need the CSC index
    propagate = propagate
    learn = learn
