"""NEST's plastic synapses: stdp_synapse, tsodyks2_synapse, stdp_dopamine_synapse.

All three reproduce NEST 3.10's update rules event by event (docs/nest.md;
tests/nest/test_plasticity.py compares weights, traces and transmitted
weights with stored NEST runs to 1e-9). Times are ms on the grid: a spike of
tick ``t`` has the time stamp ``(t+1)*dt``; ``d`` is the synapse's (purely
dendritic) delay.

Post-synaptic spike history
---------------------------
NEST's STDP rules read the post neuron's spike history (its "archiving node":
spike times and the trace K- with time constant ``tau_minus``, a property of
the post neuron). Here each plastic pathway keeps that history itself in its
pathway state ``X``: a ring over the last ``R`` ticks holding, for every post
unit, the trace value after its latest spike and that spike's time (so K- at
any recent time is exact) plus the list of units that fired in each tick.
``tau_minus`` is a synapse parameter holding the post neuron's value (the
brainc.nest API copies it from the target population; recipes set it). The
ring spans the longest delay (plus the dopamine synapse's update interval),
so memory is ``3 R n_post`` numbers per pathway.

stdp_synapse (Guetig et al. 2003 weight dependence, all-to-all pairing)
-----------------------------------------------------------------------
* a post spike at ``t_post`` reaches the synapse at ``t_post + d`` and potentiates:
  ``w <- Wmax * min(1, w/Wmax + lambda (1 - w/Wmax)^mu_plus K+)`` with the pre trace
  ``K+`` (time constant tau_plus, +1 per pre spike) just before ``t_post + d``;
* a pre spike at ``t`` depresses with the post trace just before ``t - d``:
  ``w <- Wmax * max(0, w/Wmax - alpha lambda (w/Wmax)^mu_minus K-)`` and is then
  transmitted with the new weight.
NEST applies the potentiations lazily when the next pre spike is delivered;
the sequence of weight operations is the same, so transmitted weights and the
weight after each pre spike equal NEST's, but a weight read between pre spikes
already includes potentiation from post spikes that have reached the synapse.

tsodyks2_synapse (Tsodyks & Markram 1997; Fuhrmann et al. 2002)
---------------------------------------------------------------
At each pre spike after the first, with h the time since the previous one:
``x <- 1 + (x - x u - 1) exp(-h/tau_rec)``, ``u <- U + u (1 - U) exp(-h/tau_fac)``
(``u <- U`` when tau_fac = 0); the spike is transmitted with ``w u x``. The first
spike uses the initial ``u`` and ``x`` (as NEST).

stdp_dopamine_synapse (Izhikevich 2007; Potjans et al. 2010)
------------------------------------------------------------
Eligibility ``c`` (+A_plus K+ at post arrivals, -A_minus K- at pre spikes, decay
tau_c), dopamine trace ``n`` (+multiplicity/tau_n per dopamine spike, decay
tau_n), ``dw/dt = c (n - b)`` integrated exactly between events and clipped to
[Wmin, Wmax] at each event. The dopamine spikes come from a
``volume_transmitter`` unit (the pathway's gate; all synapses of a pathway
share it) whose ``out`` counts the spikes arriving in each tick. As in NEST,
every synapse is brought up to date every ``update_interval`` ms (NEST: the
volume transmitter's deliver_interval times the network's minimum delay; the
API computes it) and pre spikes emitted within such an interval are processed
right after that update, in emission order: this reproduces NEST's results
exactly, including its order of potentiation and depression within an interval.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, Var, register
from .fixed import deliver, route
from .fixed import propagate as fixed_propagate

# --------------------------------------------------------------------------- X layout
#: header slots of X
_R, _NPOST, _ND, _M, _LAST, _NDOPA, _CAPD, _NPRE, _CAPP = range(9)
HDR = 16


def _history_state(pw: Any, n_post: int, dt: float, extra_ticks: int = 0,
                   cap_dopa: int = 0, cap_pre: int = 0) -> np.ndarray:
    """X for a pathway: header, distinct delays, tau_minus per post unit, K-/time
    rings, fired lists, then optional dopamine and pre-spike buffers. Also
    copies the delays into the synapses' ``_delay`` row."""
    names = list(pw.model.params)
    pw.P[names.index("_delay")] = pw.delay
    delays = np.unique(pw.delay.astype(np.int64)) if pw.delay.size else np.zeros(0, np.int64)
    dmax = int(delays.max()) if delays.size else 1
    R = dmax + 2 + extra_ticks
    nd = delays.size
    taum = np.full(n_post, 20.0)
    if pw.w.size:
        taum[pw.post_idx] = pw.P[names.index("tau_minus")]
    size = HDR + nd + n_post + 3 * R * n_post + R + 2 * cap_dopa + 3 * cap_pre
    X = np.zeros(size)
    X[_R] = R
    X[_NPOST] = n_post
    X[_ND] = nd
    X[_LAST] = -1.0
    X[_CAPD] = cap_dopa
    X[_CAPP] = cap_pre
    X[HDR:HDR + nd] = delays
    o = HDR + nd
    X[o:o + n_post] = taum
    o += n_post + R * n_post  # K- ring starts at zero
    X[o:o + R * n_post] = -1.0  # time of latest spike: none
    return X


@njit(cache=True, inline="always")
def _offsets(X):
    R = int(X[_R])
    n_post = int(X[_NPOST])
    nd = int(X[_ND])
    o_del = HDR
    o_tau = o_del + nd
    o_K = o_tau + n_post
    o_T = o_K + R * n_post
    o_FL = o_T + R * n_post
    o_FC = o_FL + R * n_post
    o_D = o_FC + R
    o_P = o_D + 2 * int(X[_CAPD])
    return R, n_post, nd, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P


@njit(cache=True)
def _record_post(t, dt, post_fired, n_post_fired, X):
    """Advance the post-spike ring to tick t: copy the trace state of tick t-1
    and apply the spikes of tick t (NEST's archiving: K- <- K- e^{-dt/tau} + 1)."""
    R, n_post, nd, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P = _offsets(X)
    if X[_LAST] == t:
        return
    slot = t % R
    prev = (t - 1) % R
    if t > 0:
        for j in range(n_post):
            X[o_K + slot * n_post + j] = X[o_K + prev * n_post + j]
            X[o_T + slot * n_post + j] = X[o_T + prev * n_post + j]
    now = (t + 1) * dt
    c = 0
    for q in range(n_post_fired):
        j = post_fired[q]
        K = X[o_K + slot * n_post + j]
        T = X[o_T + slot * n_post + j]
        if T >= 0.0:
            K = K * math.exp((T - now) / X[o_tau + j]) + 1.0
        else:
            K = 1.0
        X[o_K + slot * n_post + j] = K
        X[o_T + slot * n_post + j] = now
        X[o_FL + slot * n_post + c] = j
        c += 1
    X[o_FC + slot] = c
    X[_LAST] = t


@njit(cache=True, inline="always")
def _k_minus_before(X, j, m_tau, t, dt):
    """Post trace of unit j just before time m_tau*dt (spikes strictly earlier)."""
    R, n_post, nd, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P = _offsets(X)
    k = m_tau - 2  # last tick whose spikes are strictly before m_tau*dt
    if k < 0:
        return 0.0
    if k < t - R + 1:
        k = t - R + 1  # older than the ring: nothing happened since (ring sized for this)
    slot = k % R
    T = X[o_T + slot * n_post + j]
    if T < 0.0:
        return 0.0
    return X[o_K + slot * n_post + j] * math.exp((T - m_tau * dt) / X[o_tau + j])


# --------------------------------------------------------------------------- stdp_synapse


@njit(cache=True, inline="always")
def _facilitate(w, kplus, lam, mu_plus, wmax):
    norm_w = (w / wmax) + (lam * math.pow(1.0 - (w / wmax), mu_plus) * kplus)
    return norm_w * wmax if norm_w < 1.0 else wmax


@njit(cache=True, inline="always")
def _depress(w, kminus, lam, alpha, mu_minus, wmax):
    norm_w = (w / wmax) - (alpha * lam * math.pow(w / wmax, mu_minus) * kminus)
    return norm_w * wmax if norm_w > 0.0 else 0.0


@njit(cache=True)
def stdp_learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out, indptr, post_idx,
               pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    # P rows: 0 tau_plus 1 lambda 2 alpha 3 mu_plus 4 mu_minus 5 Wmax 6 tau_minus
    # S rows: 0 Kplus 1 t_last (ms of the latest pre spike)
    _record_post(t, dt, post_fired, n_post, X)
    R, np_, nd, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P = _offsets(X)
    now = (t + 1) * dt
    Kp = S[0]
    tl = S[1]
    # 1. post spikes reaching their synapses now (t_post + d == now): potentiate
    for a in range(nd):
        D = int(X[o_del + a])
        k = t - D
        if k < 0 or k < t - R + 1:
            continue
        slot = k % R
        cnt = int(X[o_FC + slot])
        t_post = (k + 1) * dt
        for c in range(cnt):
            j = int(X[o_FL + slot * np_ + c])
            for q in range(csc_ptr[j], csc_ptr[j + 1]):
                s = csc_syn[q]
                if _delay_ticks(s, P) != D:
                    continue
                minus_dt = tl[s] - (t_post + D * dt)
                w[s] = _facilitate(w[s], Kp[s] * math.exp(minus_dt / P[0, s]), P[1, s], P[3, s], P[5, s])
    # 2. pre spikes of this tick: depress with K- just before now - d, then update K+
    for q in range(n_pre):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            D = _delay_ticks(s, P)
            km = _k_minus_before(X, post_idx[s], t + 1 - D, t, dt)
            w[s] = _depress(w[s], km, P[1, s], P[2, s], P[4, s], P[5, s])
            Kp[s] = Kp[s] * math.exp((tl[s] - now) / P[0, s]) + 1.0
            tl[s] = now


@njit(cache=True, inline="always")
def _delay_ticks(s, P):
    return int(P[7, s])


#: parameters of both STDP synapses
_TAU_PLUS = Var(20.0, "ms", "pre-synaptic trace time constant", min=1e-12)
_TAU_MINUS = Var(20.0, "ms", "post neuron's trace time constant (NEST: neuron parameter)", min=1e-12)
_DELAY = Var(0.0, "ticks", "derived: copy of the synapse delay")


class NestSynapse(SynapseModel):
    """Base of the NEST synapses in this module."""

    family: ClassVar[str] = "nest"


@register
class StdpSynapse(NestSynapse):
    """Pair-based STDP with NEST's all-to-all pairing (NEST ``stdp_synapse``).
    Transmission: the current weight times the spike's multiplicity."""

    name: ClassVar[str] = "stdp_synapse"
    plastic: ClassVar[bool] = True
    params = {
        "tau_plus": _TAU_PLUS,
        "lambda": Var(0.01, "1", "step size"),
        "alpha": Var(1.0, "1", "depression / potentiation ratio"),
        "mu_plus": Var(1.0, "1", "weight dependence exponent of potentiation"),
        "mu_minus": Var(1.0, "1", "weight dependence exponent of depression"),
        "Wmax": Var(100.0, "weight units", "maximum weight (NEST: same sign as the weight)"),
        "tau_minus": _TAU_MINUS,
        "_delay": _DELAY,
    }
    state = {
        "Kplus": Var(0.0, "1", "pre-synaptic trace after the latest pre spike"),
        "t_last": Var(0.0, "ms", "time of the latest pre spike (NEST starts at 0)"),
    }
    learn = stdp_learn
    propagate = fixed_propagate

    @classmethod
    def init_pathway_state(cls, pw: Any, n_pre: int, n_post: int, dt: float) -> np.ndarray:
        return _history_state(pw, n_post, dt)


# --------------------------------------------------------------------------- tsodyks2


@njit(cache=True)
def tsodyks2_propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X, receptor,
                       ring, gate_out, mods):
    # P rows: 0 U 1 tau_rec 2 tau_fac 3 u(init) 4 x(init); S rows: 0 u 1 x 2 t_last (-1: none)
    base = t % ring.shape[0]
    now = (t + 1) * dt
    u = S[0]
    x = S[1]
    tl = S[2]
    for q in range(n_fired):
        i = pre_fired[q]
        m = pre_out[i]
        for s in range(indptr[i], indptr[i + 1]):
            if tl[s] >= 0.0:
                h = now - tl[s]
                x_decay = math.exp(-h / P[1, s])
                u_decay = 0.0 if P[2, s] < 1.0e-10 else math.exp(-h / P[2, s])
                x[s] = 1.0 + (x[s] - x[s] * u[s] - 1.0) * x_decay
                u[s] = P[0, s] + u[s] * (1.0 - P[0, s]) * u_decay
            tl[s] = now
            ws = x[s] * u[s] * w[s] * m
            deliver(ring, base, delay[s], route(receptor, w[s]), post_idx[s], ws)


@register
class Tsodyks2Synapse(NestSynapse):
    """Short-term depression and facilitation (NEST ``tsodyks2_synapse``)."""

    name: ClassVar[str] = "tsodyks2_synapse"
    params = {
        "U": Var(0.5, "1", "utilisation increment", min=0.0, max=1.0),
        "tau_rec": Var(800.0, "ms", "recovery time constant", min=1e-12),
        "tau_fac": Var(0.0, "ms", "facilitation time constant (0: none)", min=0.0),
        "u": Var(0.5, "1", "initial utilisation", min=0.0, max=1.0),
        "x": Var(1.0, "1", "initial fraction of available resources", min=0.0, max=1.0),
    }
    state = {
        "u": Var(0.5, "1", "utilisation"),
        "x": Var(1.0, "1", "available resources"),
        "t_last": Var(-1.0, "ms", "time of the latest pre spike (-1: none yet)"),
    }
    propagate = tsodyks2_propagate

    @classmethod
    def init_state(cls, w: Any, P: Any) -> Any:
        S = np.empty((3, w.shape[0]))
        S[0] = P[3]
        S[1] = P[4]
        S[2] = -1.0
        return S


# --------------------------------------------------------------------------- stdp_dopamine

_EPS = 1e-6  # NEST's stdp_eps (ms): times closer than this are simultaneous


@njit(cache=True, inline="always")
def _dopa_update_weight(w, c0, n0, minus_dt, tau_c, tau_n, b, wmin, wmax):
    taus = (tau_c + tau_n) / (tau_c * tau_n)
    w = w - c0 * (n0 / taus * math.expm1(taus * minus_dt) - b * tau_c * math.expm1(minus_dt / tau_c))
    if w < wmin:
        w = wmin
    if w > wmax:
        w = wmax
    return w


@njit(cache=True)
def _process_dopa(s, t0, t1, w, S, P, X, o_D):
    """Advance w and c of synapse s from t0 to t1 through the dopamine spikes of
    the current interval with times in (t0, t1] (NEST's rule, exact between events)."""
    # P rows: 0 A_plus 1 A_minus 2 tau_plus 3 tau_c 4 tau_n 5 b 6 Wmin 7 Wmax
    # S rows: 0 Kplus 1 c 2 n 3 t_last_update 4 dopa index
    tau_c = P[3, s]
    tau_n = P[4, s]
    b = P[5, s]
    wmin = P[6, s]
    wmax = P[7, s]
    nd = int(X[_NDOPA])
    idx = int(S[4, s])
    if nd > idx + 1 and t1 - X[o_D + 2 * (idx + 1)] > -_EPS:
        n0 = S[2, s] * math.exp((X[o_D + 2 * idx] - t0) / tau_n)
        w[s] = _dopa_update_weight(w[s], S[1, s], n0, t0 - X[o_D + 2 * (idx + 1)], tau_c, tau_n, b, wmin, wmax)
        # dopamine spike idx+1
        mdt = X[o_D + 2 * idx] - X[o_D + 2 * (idx + 1)]
        idx += 1
        S[2, s] = S[2, s] * math.exp(mdt / tau_n) + X[o_D + 2 * idx + 1] / tau_n
        while nd > idx + 1 and t1 - X[o_D + 2 * (idx + 1)] > -_EPS:
            cd = S[1, s] * math.exp((t0 - X[o_D + 2 * idx]) / tau_c)
            w[s] = _dopa_update_weight(w[s], cd, S[2, s], X[o_D + 2 * idx] - X[o_D + 2 * (idx + 1)],
                                       tau_c, tau_n, b, wmin, wmax)
            mdt = X[o_D + 2 * idx] - X[o_D + 2 * (idx + 1)]
            idx += 1
            S[2, s] = S[2, s] * math.exp(mdt / tau_n) + X[o_D + 2 * idx + 1] / tau_n
        cd = S[1, s] * math.exp((t0 - X[o_D + 2 * idx]) / tau_c)
        w[s] = _dopa_update_weight(w[s], cd, S[2, s], X[o_D + 2 * idx] - t1, tau_c, tau_n, b, wmin, wmax)
    else:
        n0 = S[2, s] * math.exp((X[o_D + 2 * idx] - t0) / tau_n)
        w[s] = _dopa_update_weight(w[s], S[1, s], n0, t0 - t1, tau_c, tau_n, b, wmin, wmax)
    S[4, s] = idx
    S[1, s] = S[1, s] * math.exp((t0 - t1) / tau_c)


@njit(cache=True)
def _dopa_post_window(s, j, t_a, t_b, t_spike, is_send, t, dt, w, S, P, X):
    """Post spikes of unit j with times in (t_a, t_b] (t_a, t_b already shifted by
    -d): potentiate c at their arrival t_post + d after integrating up to it.
    Returns the time reached (t0)."""
    R, n_post, nd, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P = _offsets(X)
    D = int(P[10, s])
    d = D * dt
    t_lu = S[3, s]
    t0 = t_lu
    m_a = int(round(t_a / dt))
    m_b = int(round(t_b / dt))
    k_lo = m_a  # ticks k with (k+1)*dt in (t_a, t_b]
    if k_lo < t - R + 1:
        k_lo = t - R + 1
    for k in range(k_lo, m_b):
        if k < 0:
            continue
        tp = (k + 1) * dt
        if X[o_T + (k % R) * n_post + j] != tp:
            continue
        _process_dopa(s, t0, tp + d, w, S, P, X, o_D)
        t0 = tp + d
        minus_dt = t_lu - t0
        if (not is_send) or (t_spike - tp > _EPS):
            S[1, s] += P[0, s] * (S[0, s] * math.exp(minus_dt / P[2, s]))
    return t0


@njit(cache=True, inline="always")
def _interval_ends(P, t, dt):
    """Whether tick t ends an update interval (P row 9, ms; at least one tick):
    the volume transmitter's delivery, after which the buffered pre spikes go."""
    M = int(round(P[9, 0] / dt))
    if M < 1:
        M = 1
    return (t + 1) % M == 0


@njit(cache=True)
def dopa_learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out, indptr, post_idx,
               pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    # P rows: 0 A_plus 1 A_minus 2 tau_plus 3 tau_c 4 tau_n 5 b 6 Wmin 7 Wmax 8 tau_minus
    #         9 update_interval 10 _delay 11 gate_unit
    _record_post(t, dt, post_fired, n_post, X)
    if w.shape[0] == 0:
        return
    R, np_, nd_, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P = _offsets(X)
    now = (t + 1) * dt
    # dopamine spikes that reached the volume transmitter in this tick
    g = int(P[11, 0])
    cnt = gate_out[g] if g < gate_out.shape[0] else 0.0
    if cnt > 0.0:
        k = int(X[_NDOPA])
        if k >= int(X[_CAPD]):
            k = int(X[_CAPD]) - 1  # cannot happen: the list holds one interval
        X[o_D + 2 * k] = now
        X[o_D + 2 * k + 1] = cnt
        X[_NDOPA] = k + 1
    if not _interval_ends(P, t, dt):
        return
    # the volume transmitter's delivery: bring every synapse up to now
    for s in range(w.shape[0]):
        j = post_idx[s]
        d = P[10, s] * dt
        t0 = _dopa_post_window(s, j, S[3, s] - d, now - d, now, False, t, dt, w, S, P, X)
        _process_dopa(s, t0, now, w, S, P, X, o_D)
        S[2, s] = S[2, s] * math.exp((X[o_D + 2 * int(S[4, s])] - now) / P[4, s])
        S[0, s] = S[0, s] * math.exp((S[3, s] - now) / P[2, s])
        S[3, s] = now
        S[4, s] = 0.0
    X[o_D] = now
    X[o_D + 1] = 0.0
    X[_NDOPA] = 1


@njit(cache=True)
def dopa_propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X, receptor,
                   ring, gate_out, mods):
    if w.shape[0] == 0:
        return
    R, np_, nd_, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P = _offsets(X)
    # buffer this tick's pre spikes (NEST delivers them after the interval's update)
    cap = int(X[_CAPP])
    k = int(X[_NPRE])
    for q in range(n_fired):
        if k < cap:
            X[o_P + 3 * k] = t
            X[o_P + 3 * k + 1] = pre_fired[q]
            X[o_P + 3 * k + 2] = pre_out[pre_fired[q]]
            k += 1
    X[_NPRE] = k
    if not _interval_ends(P, t, dt):
        return
    for e in range(k):
        te = int(X[o_P + 3 * e])
        i = int(X[o_P + 3 * e + 1])
        m = X[o_P + 3 * e + 2]
        t_spike = (te + 1) * dt
        base = te % ring.shape[0]
        for s in range(indptr[i], indptr[i + 1]):
            j = post_idx[s]
            D = int(P[10, s])
            d = D * dt
            t0 = _dopa_post_window(s, j, S[3, s] - d, t_spike - d, t_spike, True, t, dt, w, S, P, X)
            _process_dopa(s, t0, t_spike, w, S, P, X, o_D)
            km = _k_minus_before(X, j, te + 1 - D, t, dt)
            S[1, s] -= P[1, s] * km
            ws = w[s] * m
            deliver(ring, base, delay[s], route(receptor, ws), j, ws)
            S[0, s] = S[0, s] * math.exp((S[3, s] - t_spike) / P[2, s]) + 1.0
            S[3, s] = t_spike
    X[_NPRE] = 0


@register
class StdpDopamineSynapse(NestSynapse):
    """Dopamine-modulated STDP (NEST ``stdp_dopamine_synapse``); gate: a
    ``volume_transmitter`` population (one unit)."""

    name: ClassVar[str] = "stdp_dopamine_synapse"
    plastic: ClassVar[bool] = True
    needs_gate: ClassVar[bool] = True
    params = {
        "A_plus": Var(1.0, "1", "eligibility increment per potentiating pair"),
        "A_minus": Var(1.5, "1", "eligibility decrement per depressing pair"),
        "tau_plus": _TAU_PLUS,
        "tau_c": Var(1000.0, "ms", "eligibility trace time constant", min=1e-12),
        "tau_n": Var(200.0, "ms", "dopamine trace time constant", min=1e-12),
        "b": Var(0.0, "1/ms", "dopamine baseline"),
        "Wmin": Var(0.0, "weight units", "minimum weight"),
        "Wmax": Var(200.0, "weight units", "maximum weight"),
        "tau_minus": _TAU_MINUS,
        "update_interval": Var(1.0, "ms", "NEST's deliver_interval x min_delay", min=1e-12),
        "_delay": _DELAY,
        "gate_unit": Var(0.0, "index", "volume transmitter unit (set by the compiler)"),
    }
    state = {
        "Kplus": Var(0.0, "1", "pre-synaptic trace at t_last_update"),
        "c": Var(0.0, "1", "eligibility trace"),
        "n": Var(0.0, "1/ms", "dopamine trace (at the latest dopamine spike)"),
        "t_last_update": Var(0.0, "ms", "time the synapse was last brought up to date"),
        "dopa_index": Var(0.0, "1", "dopamine spikes of the interval already processed"),
    }
    learn = dopa_learn
    propagate = dopa_propagate

    @classmethod
    def init_pathway_state(cls, pw: Any, n_pre: int, n_post: int, dt: float) -> np.ndarray:
        names = list(cls.params)
        M = max(1, int(round(float(pw.P[names.index("update_interval"), 0]) / dt))) if pw.w.size else 1
        X = _history_state(pw, n_post, dt, extra_ticks=2 * M + 2, cap_dopa=M + 2,
                           cap_pre=M * max(n_pre, 1))
        # the dopamine list starts with a reference entry (time 0, no spike)
        o_D = _offsets(X)[9]
        X[o_D] = 0.0
        X[o_D + 1] = 0.0
        X[_NDOPA] = 1
        X[_M] = M
        return X
