"""Pair-based STDP (``plastic``) and the shared pieces the other learning
synapses of the spiking family reuse (``gated``, ``reward_plastic``,
``developmental``).

Rule (all-to-all pairing, exponential traces; ticks of ``dt`` ms)::

    x_pre  jumps by 1 at every pre spike,  decays with tau_plus   (ms)
    x_post jumps by 1 at every post spike, decays with tau_minus  (ms)
    post spike at t:  |w| += A_plus  * x_pre(t-)  * (w_max - |w|)    (LTP)
    pre  spike at t:  |w| -= A_minus * x_post(t-) * (|w| - w_min)    (LTD)

``x(t-)`` is the trace *just before* this tick's increments: a pre and a post
spike in the same tick are a zero-lag pair, which the rule does not count
(neither LTP nor LTD: at 1 ms resolution their order is unknown). Both spikes
still enter the traces and pair with earlier and later spikes.

Signed weights: learning acts on the magnitude ``|w|`` and keeps the sign of
the weight, so an inhibitory synapse that is potentiated becomes *more*
inhibitory, and no weight crosses zero. The sign is the weight's IEEE sign bit:
a magnitude driven to 0 leaves ``-0.0`` on an inhibitory synapse, so it grows
back as inhibitory (``sign: by_type`` gives inhibitory zero weights ``-0.0`` as
well). The soft bounds are multiplicative (the step shrinks to zero at the
bound); a step larger than the remaining distance (``A x > 1`` after a burst)
stops at the bound, and a weight created outside ``[w_min, w_max]`` is only
ever moved towards the range.

Traces: per synapse and never decayed tick by tick. Each is stored *scaled* to
a pathway-wide reference tick ``t_ref`` (``X[t_ref]``)::

    x(t) = z * exp(-(t - t_ref) dt / tau)          a spike at t:  z += exp((t - t_ref) dt / tau)

so reading or bumping a trace is one multiply with a factor computed once per
tick, not an ``exp`` per synapse (with per-synapse time constants the factor is
computed per synapse). When ``(t - t_ref) dt / tau_min`` exceeds
``RESCALE_AT`` (256: every ~5,000 ticks for tau = 20 ms) every ``z`` is
multiplied by the current factor and ``t_ref`` moves to now: an O(n_syn) pass,
amortised to a few synapses per tick, that keeps ``z`` finite. A pre spike
touches the synapses of its CSR row, a post spike those of its CSC column
(``csc_ptr``/``csc_syn``), so learning costs O(synapses of units that fired),
like transmission.

Each tick's learn phase runs three passes, which makes the zero-lag rule exact
without storing spike times: (1) LTD over the rows of pre units that fired,
reading post traces that do not yet hold this tick's post spikes; (2) LTP over
the columns of post units that fired, reading pre traces that do not yet hold
this tick's pre spikes, then bumping the post traces; (3) bumping the pre
traces of the rows from (1) (still in cache).

Reuse: ``gated``, ``reward_plastic`` and ``developmental`` call the sweeps and
helpers below. Numba's on-disk cache tracks only the file a function is
defined in, so after editing this file clear their caches too
(``runtime/synapses/__pycache__``) or they keep the old code.

Timing uses the ticks at which the pre and post *somata* fire (lag = t_post -
t_pre, as in the Bi & Poo protocol), not spike arrival: the delay shifts when a
spike acts on the post cell, not the pairing window. Learn runs after the
neuron update and before propagate (runtime.loop), so a pre spike is
transmitted with the weight its own pairing left.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import propagate as fixed_propagate

__all__ = [
    "STDP_PARAMS", "STDP_STATE", "STDP_X", "RESCALE_AT", "param_scan", "rescale", "potentiate", "depress",
    "stdp_depress_sweep", "stdp_potentiate_sweep", "stdp_bump_pre", "stdp_step", "traces", "Plastic",
]

#: rescale the scaled traces when (t - t_ref) dt / tau_min exceeds this (z stays below e^256 ~ 1e111)
RESCALE_AT = 256.0

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
    "z_pre": Var(0.0, "1", "pre trace scaled to t_ref: x_pre(t) = z_pre exp(-(t - t_ref) dt / tau_plus)"),
    "z_post": Var(0.0, "1", "post trace scaled to t_ref: x_post(t) = z_post exp(-(t - t_ref) dt / tau_minus)"),
}
#: pathway state of the STDP machinery (a model appends it to its own, at offset ``ix``)
STDP_X: dict[str, Var] = {
    "t_ref": Var(0.0, "tick", "reference tick of the scaled traces"),
    "p_checked": Var(-1.0, "synapses", "synapse count the parameter scan was done for (-1: scan)"),
    "p_vary": Var(0.0, "bitmask", "bit r set: parameter row r differs between synapses"),
    "tau_min": Var(0.0, "ms", "smallest trace time constant (how often traces are rescaled)"),
}

# rows of P, S and X offsets (shared by every model built on the dicts above)
P_A_PLUS, P_A_MINUS, P_TAU_PLUS, P_TAU_MINUS, P_W_MIN, P_W_MAX = range(6)
S_Z_PRE, S_Z_POST = range(2)
XO_T_REF, XO_CHECKED, XO_VARY, XO_TAU_MIN = range(4)  # offsets from the model's STDP_X position
TAU_ROWS = (P_TAU_PLUS, P_TAU_MINUS)


@njit(cache=True)
def param_scan(P, X, ix, tau_rows):
    """Bitmask of the parameter rows that differ between synapses (bit r: row r),
    and the smallest time constant among ``tau_rows`` into ``X[ix + tau_min]``.

    Learning sweeps are memory-bound: every parameter row read per synapse is a
    cache line fetched at random (post-side sweeps follow the CSC index). A
    homogeneous row is read at column 0 instead (``P[r, s * vary_r]``), which
    stays in L1. The scan runs once, and again whenever the synapse count
    changes (``Pathway.keep``/``add``); after editing ``P`` in place with the same
    count, set ``X[ix + 1] = -1``.
    """
    n = P.shape[1]
    if X[ix + XO_CHECKED] != n:
        mask = 0
        for r in range(P.shape[0]):
            p0 = P[r, 0] if n > 0 else 0.0
            for s in range(1, n):
                if P[r, s] != p0:
                    mask |= 1 << r
                    break
        tau_min = np.inf
        for r in tau_rows:
            for s in range(n):
                tau_min = min(tau_min, P[r, s])
        X[ix + XO_CHECKED] = n
        X[ix + XO_VARY] = mask
        X[ix + XO_TAU_MIN] = tau_min
    return np.int64(X[ix + XO_VARY])


@njit(cache=True)
def rescale(t, dt, S, P, X, ix, z_rows, tau_rows, vary):
    """Move the traces' reference tick to ``t`` when they would grow too large:
    every ``S[z_rows[k]]`` is multiplied by its decay since ``t_ref`` (time
    constants in ``P[tau_rows[k]]``). O(n_syn), every ~RESCALE_AT tau_min ticks."""
    t_ref = X[ix + XO_T_REF]
    if (t - t_ref) * dt <= RESCALE_AT * X[ix + XO_TAU_MIN]:
        return
    n = S.shape[1]
    for k in range(len(z_rows)):
        zr = z_rows[k]
        tr = tau_rows[k]
        if (vary >> tr) & 1:
            for s in range(n):
                S[zr, s] *= math.exp(-(t - t_ref) * dt / P[tr, s])
        elif n > 0:
            f = math.exp(-(t - t_ref) * dt / P[tr, 0])
            for s in range(n):
                S[zr, s] *= f
    X[ix + XO_T_REF] = t


@njit(cache=True, inline="always")
def potentiate(m, x, A, hi):
    """Soft-bounded LTP of a magnitude ``m`` by trace ``x``: towards ``hi``, never past it."""
    if m < hi:
        m += A * x * (hi - m)
        if m > hi:
            m = hi
    return m


@njit(cache=True, inline="always")
def depress(m, x, A, lo):
    """Soft-bounded LTD of a magnitude ``m`` by trace ``x``: towards ``lo``, never past it."""
    if m > lo:
        m -= A * x * (m - lo)
        if m < lo:
            m = lo
    return m


@njit(cache=True, inline="always")
def gate_open(k, g, window, t, tab_k, last_k, built, active_now):
    """Whether a gated synapse may change/transmit at tick ``t``: its unit ``g``
    sits in gate-table column ``k`` (``tab_k``, last active at tick ``last_k``)
    and was active less than ``window`` ticks ago. A stale table (not ``built``
    for these synapses, or the column holds another unit) falls back to "active
    this tick" (``active_now``). See :mod:`runtime.synapses.gated`."""
    if built and tab_k == g:
        return t - last_k < window
    return active_now


# Per-synapse helpers take and return scalars on purpose: a Numba helper called
# per synapse with the S/P arrays as arguments pays array reference counting on
# every call (measured 3-4x slower sweeps). Array work lives in the sweeps, or in
# helpers inlined into them (``inline="always"``, no call: _synapse_gate_open).
# ``gate``: int64[6] = rows (slot S, table S, last S, gate_unit P, window P) of a
# gated model and 1 if its table is built for these synapses, else 0; or an
# empty array: no gating. ``skip_row`` >= 0: synapses with
# S[skip_row, s] == 0 (pruned) are left alone.


@njit(cache=True, inline="always")
def _synapse_gate_open(s, n, t, S, P, gate, built, gate_out):
    """:func:`gate_open` for synapse ``s`` of ``n`` at tick ``t``, its table column
    and gate unit read from the rows of ``S`` and ``P`` that ``gate`` names."""
    k = min(max(np.int64(S[gate[0], s]), 0), n - 1)
    g = np.int64(P[gate[3], s])
    return gate_open(k, g, P[gate[4], s], t, np.int64(S[gate[1], k]), S[gate[2], k], built, gate_out[g] > 0.0)


@njit(cache=True)
def stdp_depress_sweep(t, dt, pre_fired, n_pre, indptr, w, S, P, X, ix, vary, skip_row, gate, gate_out):
    """Pass 1: LTD of the synapses of pre units that fired at ``t``, by post
    traces that do not yet contain this tick's post spikes."""
    n = w.shape[0]
    if n == 0:
        return
    d = (t - X[ix + XO_T_REF]) * dt
    v_tm = (vary >> P_TAU_MINUS) & 1  # column multipliers: 0 reads column 0 (homogeneous row)
    v_a = (vary >> P_A_MINUS) & 1
    v_lo = (vary >> P_W_MIN) & 1
    E0 = math.exp(-d / P[P_TAU_MINUS, 0])
    gated = gate.shape[0] > 0
    built = gated and gate[5] == 1
    for q in range(n_pre):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            if skip_row >= 0 and S[skip_row, s] == 0.0:
                continue
            z = S[S_Z_POST, s]
            if z == 0.0:
                continue
            if gated and not _synapse_gate_open(s, n, t, S, P, gate, built, gate_out):
                continue
            x = z * (math.exp(-d / P[P_TAU_MINUS, s]) if v_tm else E0)
            ws = w[s]
            sg = math.copysign(1.0, ws)
            w[s] = sg * depress(ws * sg, x, P[P_A_MINUS, s * v_a], P[P_W_MIN, s * v_lo])


@njit(cache=True)
def stdp_potentiate_sweep(t, dt, post_fired, n_post, csc_ptr, csc_syn, w, S, P, X, ix, vary, skip_row, gate,
                          gate_out):
    """Pass 2: LTP of the synapses of post units that fired at ``t``, by pre
    traces that do not yet contain this tick's pre spikes; then bump their post
    traces."""
    n = w.shape[0]
    if n == 0:
        return
    d = (t - X[ix + XO_T_REF]) * dt
    v_tp = (vary >> P_TAU_PLUS) & 1
    v_tm = (vary >> P_TAU_MINUS) & 1
    v_a = (vary >> P_A_PLUS) & 1
    v_hi = (vary >> P_W_MAX) & 1
    E0 = math.exp(-d / P[P_TAU_PLUS, 0])
    G0 = math.exp(d / P[P_TAU_MINUS, 0])
    gated = gate.shape[0] > 0
    built = gated and gate[5] == 1
    for q in range(n_post):
        j = post_fired[q]
        for k in range(csc_ptr[j], csc_ptr[j + 1]):
            s = csc_syn[k]
            if skip_row >= 0 and S[skip_row, s] == 0.0:
                continue
            S[S_Z_POST, s] += math.exp(d / P[P_TAU_MINUS, s]) if v_tm else G0
            z = S[S_Z_PRE, s]
            if z == 0.0:
                continue
            if gated and not _synapse_gate_open(s, n, t, S, P, gate, built, gate_out):
                continue
            x = z * (math.exp(-d / P[P_TAU_PLUS, s]) if v_tp else E0)
            ws = w[s]
            sg = math.copysign(1.0, ws)
            w[s] = sg * potentiate(ws * sg, x, P[P_A_PLUS, s * v_a], P[P_W_MAX, s * v_hi])


@njit(cache=True)
def stdp_bump_pre(t, dt, pre_fired, n_pre, indptr, S, P, X, ix, vary, skip_row):
    """Pass 3: add this tick's pre spikes to the pre traces of their rows."""
    n = S.shape[1]
    if n == 0:
        return
    d = (t - X[ix + XO_T_REF]) * dt
    v_tp = (vary >> P_TAU_PLUS) & 1
    G0 = math.exp(d / P[P_TAU_PLUS, 0])
    for q in range(n_pre):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            if skip_row >= 0 and S[skip_row, s] == 0.0:
                continue
            S[S_Z_PRE, s] += math.exp(d / P[P_TAU_PLUS, s]) if v_tp else G0


_NO_GATE = np.zeros(0, np.int64)
_NO_OUT = np.zeros(0)


@njit(cache=True)
def stdp_step(t, dt, pre_fired, n_pre, post_fired, n_post, indptr, csc_ptr, csc_syn, w, S, P, X, ix, skip_row):
    """One tick of the plastic rule for a pathway whose STDP_X starts at ``X[ix]``:
    parameter scan, rescaling when due, then the three passes."""
    vary = param_scan(P, X, ix, TAU_ROWS)
    rescale(t, dt, S, P, X, ix, (S_Z_PRE, S_Z_POST), TAU_ROWS, vary)
    stdp_depress_sweep(t, dt, pre_fired, n_pre, indptr, w, S, P, X, ix, vary, skip_row, _NO_GATE, _NO_OUT)
    stdp_potentiate_sweep(t, dt, post_fired, n_post, csc_ptr, csc_syn, w, S, P, X, ix, vary, skip_row,
                          _NO_GATE, _NO_OUT)
    stdp_bump_pre(t, dt, pre_fired, n_pre, indptr, S, P, X, ix, vary, skip_row)


@njit(cache=True)
def learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out,
          indptr, post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    """Contract learn phase of ``plastic`` (see module docstring)."""
    stdp_step(t, dt, pre_fired, n_pre, post_fired, n_post, indptr, csc_ptr, csc_syn, w, S, P, X, 0, -1)


def traces(pw: Any, t: int, dt: float = 1.0, ix: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Host helper: (x_pre, x_post) of every synapse of pathway ``pw`` at tick
    ``t`` (after that tick's spikes), unscaled from the stored ``z`` rows."""
    d = (t - pw.X[ix + XO_T_REF]) * dt
    return (pw.S[S_Z_PRE] * np.exp(-d / pw.P[P_TAU_PLUS]), pw.S[S_Z_POST] * np.exp(-d / pw.P[P_TAU_MINUS]))


@register
class Plastic(SynapseModel):
    """Pair-based STDP with soft bounds on |w| (sign kept); traces scaled to a
    pathway reference tick, touched only at spikes."""

    name: ClassVar[str] = "plastic"
    family: ClassVar[str] = "spiking"
    params = dict(STDP_PARAMS)
    state = dict(STDP_STATE)
    pathway_state = dict(STDP_X)
    plastic: ClassVar[bool] = True
    propagate = fixed_propagate
    learn = learn
