"""XCAL projections of the Leabra family: rate-code transmission and XCAL learning.

Follows emergent's Leabra (github.com/emer/leabra, ``leabra/learn.go`` and
``leabra/path.go``); see ``docs/leabra.md`` for the equations and defaults.

Storage is CSR by presynaptic unit (``indptr`` over the pre block, ``post_idx``
sorted within each row); ``w`` is the effective, sigmoidally contrast-enhanced
weight ``wt`` that transmits; ``S`` holds the linear weight ``lwt`` (emergent
LWt, Leabra7 ``fwt``) that learning changes, plus learning traces and the
projection's net-input scale ``gscale``.

* :func:`propagate` adds ``gscale * wt * act_sent(pre)`` into the post ring at
  ``t + delay`` (delay 1 for Leabra: net input for the next cycle). A row whose
  targets are a contiguous index range (full projections) takes a vectorizable
  path without index indirection.
* :func:`learn` applies XCAL when ``mods[M_LEARN]`` is set: error-driven
  ``xcal(srs, srm)`` plus BCM ``xcal(srs, avg_l) * avg_l_lrn``, optional dwt
  normalization and momentum, soft bounding on ``lwt``, then
  ``wt = sig(lwt)``. Pre-synaptic learning averages are read from ``post_S``
  at the CSR row index: Leabra layers share one block, so pre and post units
  live in the same state array and CSR indices are block indices
  (:func:`learn_rows` takes separate ``pre_S`` and ``post_S``).

Extra helpers for the API: :func:`sig_wt`, :func:`sig_inv_wt`,
:func:`slay_act_scale` (emergent WtScaleParams.SLayActScale), :func:`init_lwt`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from runtime.models import leabra as _leabra
from runtime.registry import SynapseModel, Var, register

# Rows of the leabra unit state and the learn channel, as literals: Numba's disk
# cache freezes globals into this file's kernels and does not notice edits to
# runtime/models/leabra.py, so a change there must fail loudly here (and the
# edit to this file then refreshes the cache).
from ..modulators import MOD_LEARN as M_LEARN  # noqa: E402
S_AVG_S = 15
S_AVG_M = 16
S_AVG_S_LRN = 17
S_AVG_L = 18
S_AVG_L_LRN = 19
for _name in ("M_LEARN", "S_AVG_S", "S_AVG_M", "S_AVG_S_LRN", "S_AVG_L", "S_AVG_L_LRN"):
    if globals()[_name] != getattr(_leabra, _name):
        raise ImportError(f"runtime/synapses/xcal.py: {_name} = {globals()[_name]} but the leabra model "
                          f"has {getattr(_leabra, _name)}; update the literal")

__all__ = ["XCAL", "propagate", "learn", "learn_rows", "row_flags", "sig_wt", "sig_inv_wt", "slay_act_scale", "init_lwt"]

_PARAMS: dict[str, Var] = {
    "learn": Var(1.0, "bool", "whether this projection learns"),
    "lrate": Var(0.04, "1", "learning rate", 0.0),
    "m_lrn": Var(1.0, "1", "weight of the error-driven (medium threshold) term", 0.0),
    "set_l_lrn": Var(0.0, "bool", "1: use l_lrn for the BCM term instead of the receiver's avg_l_lrn"),
    "l_lrn": Var(1.0, "1", "fixed BCM weight when set_l_lrn", 0.0),
    "d_rev": Var(0.1, "1", "XCAL reversal point as a proportion of the threshold", 0.0, 0.99),
    "d_thr": Var(0.0001, "1", "XCAL: no change below this co-product", 0.0),
    "lrn_thr": Var(0.01, "1", "senders with avg_s and avg_m below this do not learn", 0.0),
    "sig_gain": Var(6.0, "1", "gain of the weight contrast sigmoid (1 = linear)", 0.0),
    "sig_off": Var(1.0, "1", "offset of the weight contrast sigmoid", 0.0),
    "soft_bound": Var(1.0, "bool", "exponential soft bounding of lwt changes"),
    "norm": Var(1.0, "bool", "normalize dwt by a decaying max |dwt| per sending unit"),
    "norm_decay_dt": Var(0.001, "1/trial", "decay rate of that max (1/DecayTau, DecayTau=1000)", 0.0, 1.0),
    "norm_min": Var(0.001, "1", "floor of the normalizer", 0.0),
    "norm_lr_comp": Var(0.15, "1", "learning-rate compensation with normalization", 0.0),
    "momentum": Var(1.0, "bool", "momentum on dwt"),
    "momentum_dt": Var(0.1, "1/trial", "momentum integration rate (1/MTau, MTau=10)", 0.0, 1.0),
    "momentum_lr_comp": Var(0.1, "1", "learning-rate compensation with momentum", 0.0),
    "wt_scale_abs": Var(1.0, "1", "absolute net-input scale (not normalized)", 0.0),
    "wt_scale_rel": Var(1.0, "1", "relative net-input scale (normalized over the receiver's projections)", 0.0),
}

_STATE: dict[str, Var] = {
    "lwt": Var(0.5, "1", "linear weight that learning changes (emergent LWt, Leabra7 fwt)"),
    "dwt": Var(0.0, "1", "last weight change (after lrate, norm, momentum; before soft bounding)"),
    "norm": Var(0.0, "1", "running max |dwt| for normalization"),
    "moment": Var(0.0, "1", "momentum trace"),
    "gscale": Var(1.0, "1", "projection net-input scale abs * rel/sum(rel) * sending-activity scale (set per trial)"),
}

_p = {k: i for i, k in enumerate(_PARAMS)}
_s = {k: i for i, k in enumerate(_STATE)}
P_LEARN = _p["learn"]; P_LRATE = _p["lrate"]; P_M_LRN = _p["m_lrn"]; P_SET_L_LRN = _p["set_l_lrn"]
P_L_LRN = _p["l_lrn"]; P_D_REV = _p["d_rev"]; P_D_THR = _p["d_thr"]; P_LRN_THR = _p["lrn_thr"]
P_SIG_GAIN = _p["sig_gain"]; P_SIG_OFF = _p["sig_off"]; P_SOFT_BOUND = _p["soft_bound"]
P_NORM = _p["norm"]; P_NORM_DECAY_DT = _p["norm_decay_dt"]; P_NORM_MIN = _p["norm_min"]
P_NORM_LR_COMP = _p["norm_lr_comp"]; P_MOMENTUM = _p["momentum"]; P_MOMENTUM_DT = _p["momentum_dt"]
P_MOMENTUM_LR_COMP = _p["momentum_lr_comp"]; P_WT_SCALE_ABS = _p["wt_scale_abs"]; P_WT_SCALE_REL = _p["wt_scale_rel"]
S_LWT = _s["lwt"]; S_DWT = _s["dwt"]; S_NORM = _s["norm"]; S_MOMENT = _s["moment"]; S_GSCALE = _s["gscale"]


@njit(cache=True, inline="always")
def sig_wt(lw: float, gain: float, off: float) -> float:
    """Contrast-enhanced weight from linear weight: 1 / (1 + (off (1-w) / w)^gain)."""
    if gain == 1.0 and off == 1.0:
        return lw
    if lw <= 0.0:
        return 0.0
    if lw >= 1.0:
        return 1.0
    pw = (off * (1.0 - lw)) / lw
    if gain == 6.0:
        # the default gain: an integer power instead of pow() (emergent SigFun61)
        p2 = pw * pw
        return 1.0 / (1.0 + p2 * p2 * p2)
    return 1.0 / (1.0 + pw ** gain)


@njit(cache=True)
def sig_inv_wt(w: float, gain: float, off: float) -> float:
    """Linear weight from contrast-enhanced weight (inverse of :func:`sig_wt`)."""
    if gain == 1.0 and off == 1.0:
        return w
    if w <= 0.0:
        return 0.0
    if w >= 1.0:
        return 1.0
    return 1.0 / (1.0 + ((1.0 - w) / w) ** (1.0 / gain) / off)


@njit(cache=True)
def init_lwt(w: Any, S: Any, P: Any) -> None:
    """Set ``lwt = sig_inv(w)`` for all synapses (after weights were drawn as wt)."""
    for k in range(w.shape[0]):
        S[S_LWT, k] = sig_inv_wt(w[k], P[P_SIG_GAIN, k], P[P_SIG_OFF, k])


def slay_act_scale(savg: float, snu: int, ncon: float) -> float:
    """emergent ``WtScaleParams.SLayActScale``: 1 / expected number of active
    senders for a receiver, from the sending layer's activity ``savg``, its size
    ``snu`` and the average number of connections per receiver ``ncon``
    (partial connectivity adds a 2-unit standard-error margin)."""
    def rnd(x: float) -> int:  # Go math32.Round: half away from zero (x >= 0 here)
        return int(np.floor(x + 0.5))
    ncon = max(ncon, 1.0)
    slay_act_n = max(rnd(savg * snu), 1)
    if ncon == snu:
        return 1.0 / slay_act_n
    max_act_n = int(min(ncon, float(slay_act_n)))
    avg_act_n = max(rnd(savg * ncon), 1)
    exp_act_n = min(avg_act_n + 2, max_act_n)
    return 1.0 / exp_act_n


#: bits of the per-row flags in the pathway state ``X`` (see :func:`row_flags`)
ROW_ONE_PROJ = 1     #: all synapses of the row belong to one projection (one gscale)
ROW_HOMOG = 2        #: the row's learning parameters are identical (read once per row)
ROW_CONTIG = 4       #: the row's targets are one ascending contiguous index range


@njit(cache=True)
def row_flags(indptr: Any, post_idx: Any, proj: Any, P: Any) -> Any:
    """Per-CSR-row flags (float64, one per pre unit) stored as the pathway
    state ``X``: which fast paths a row may take. The runtime merges all xcal
    projections between two blocks into one pathway, so a row can hold runs of
    several projections (different ``gscale`` and parameters); computing this
    once at load time keeps the kernels from guessing per call."""
    n_pre = indptr.shape[0] - 1
    X = np.zeros(n_pre)
    n_par = P.shape[0]
    for i in range(n_pre):
        k0 = indptr[i]
        k1 = indptr[i + 1]
        if k1 <= k0:
            continue
        one = True
        contig = True
        homog = True
        for k in range(k0 + 1, k1):
            if proj[k] != proj[k0]:
                one = False
            if post_idx[k] != post_idx[k - 1] + 1:
                contig = False
            if homog:
                for r in range(n_par):
                    if r != P_WT_SCALE_ABS and r != P_WT_SCALE_REL and P[r, k] != P[r, k0]:
                        homog = False
                        break
        X[i] = (ROW_ONE_PROJ if one else 0) + (ROW_HOMOG if homog else 0) + (ROW_CONTIG if contig else 0)
    return X


@njit(cache=True, error_model="numpy")
def propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X,
              receptor, ring, gate_out, mods) -> None:
    """Send ``gscale * wt * act_sent`` of every unit that emitted into
    ``ring[(t + delay) % D, receptor, post]`` (one delay per CSR row).

    ``gscale`` is uniform within a projection (the API writes it per
    projection); a row of one projection (``X`` flag ``ROW_ONE_PROJ``) is sent
    as ``dst += (gscale * act) * w`` without reading the scale per synapse, and
    as one AXPY without index indirection when its targets are contiguous
    (``ROW_CONTIG``), which halves the memory traffic of this memory-bound
    loop. Rows mixing projections (or ``X`` without flags) read the scale per
    synapse."""
    D = ring.shape[0]
    flagged = X.shape[0] == indptr.shape[0] - 1
    for f in range(n_fired):
        i = pre_fired[f]
        k0 = indptr[i]
        k1 = indptr[i + 1]
        if k1 <= k0:
            continue
        a = pre_out[i]
        buf = ring[(t + delay[k0]) % D, receptor]
        fl = int(X[i]) if flagged else 0
        if fl & ROW_ONE_PROJ:
            c = S[S_GSCALE, k0] * a
            if fl & ROW_CONTIG:
                # contiguous targets (sorted row): no indirection, vectorizes
                p0 = post_idx[k0]
                nk = k1 - k0
                ww = w[k0:k1]
                dst = buf[p0:p0 + nk]
                for j in range(nk):
                    dst[j] += c * ww[j]
            else:
                for k in range(k0, k1):
                    buf[post_idx[k]] += c * w[k]
        else:
            for k in range(k0, k1):
                buf[post_idx[k]] += S[S_GSCALE, k] * w[k] * a


@njit(cache=True, inline="always")
def _apply_row(k0: int, k1: int, w: Any, S: Any, soft: bool, gain: float, off: float) -> None:
    """emergent WtFmDWt over one row: soft-bounded lwt += dwt, wt = sig(lwt)."""
    for k in range(k0, k1):
        dwt = S[S_DWT, k]
        if dwt == 0.0:
            continue
        lw = S[S_LWT, k]
        if soft:
            dwt *= (1.0 - lw) if dwt > 0.0 else lw
        lw += dwt
        lw = 0.0 if lw < 0.0 else (1.0 if lw > 1.0 else lw)
        S[S_LWT, k] = lw
        w[k] = sig_wt(lw, gain, off)


@njit(cache=True, error_model="numpy")
def learn_rows(pre_S, post_S, indptr, post_idx, w, S, P, X) -> None:
    """XCAL weight change and update over all CSR rows, with pre-synaptic
    learning averages from ``pre_S`` (indexed by CSR row) and post-synaptic ones
    from ``post_S`` (indexed by ``post_idx``). emergent ``DWtStd`` + ``WtFmDWt``.

    The parameters of a row flagged ``ROW_HOMOG`` in ``X`` (see
    :func:`row_flags`), or of every row when ``P`` is a broadcast view
    (stride 0), are read once per row instead of per synapse."""
    n_pre = indptr.shape[0] - 1
    n_syn = w.shape[0]
    if n_syn == 0:
        return
    all_homog = P.strides[1] == 0
    flagged = X.shape[0] == n_pre
    for i in range(n_pre):
        k0 = indptr[i]
        k1 = indptr[i + 1]
        if k1 <= k0:
            continue
        su_s = pre_S[S_AVG_S, i]
        su_m = pre_S[S_AVG_M, i]
        su_s_lrn = pre_S[S_AVG_S_LRN, i]
        if all_homog or (flagged and (int(X[i]) & ROW_HOMOG)):
            if P[P_LEARN, k0] == 0.0 or (su_s < P[P_LRN_THR, k0] and su_m < P[P_LRN_THR, k0]):
                for k in range(k0, k1):
                    S[S_DWT, k] = 0.0
                continue
            lrate = P[P_LRATE, k0]
            m_lrn = P[P_M_LRN, k0]
            set_l = P[P_SET_L_LRN, k0] != 0.0
            l_lrn_fixed = P[P_L_LRN, k0]
            d_thr = P[P_D_THR, k0]
            d_rev = P[P_D_REV, k0]
            norm_on = P[P_NORM, k0] != 0.0
            norm_dc = 1.0 - P[P_NORM_DECAY_DT, k0]
            norm_min = P[P_NORM_MIN, k0]
            norm_lrc = P[P_NORM_LR_COMP, k0]
            mom_on = P[P_MOMENTUM, k0] != 0.0
            mom_dc = 1.0 - P[P_MOMENTUM_DT, k0]
            mom_lrc = P[P_MOMENTUM_LR_COMP, k0]
            max_norm = 0.0
            for k in range(k0, k1):
                j = post_idx[k]
                srs = su_s_lrn * post_S[S_AVG_S_LRN, j]
                srm = su_m * post_S[S_AVG_M, j]
                l_lrn = l_lrn_fixed if set_l else post_S[S_AVG_L_LRN, j]
                dwt = (_leabra.xcal_core(srs, srm, d_thr, d_rev) * m_lrn
                       + _leabra.xcal_core(srs, post_S[S_AVG_L, j], d_thr, d_rev) * l_lrn)
                nf = 1.0
                if norm_on:
                    nv = norm_dc * S[S_NORM, k]
                    ad = abs(dwt)
                    nv = nv if nv > ad else ad
                    S[S_NORM, k] = nv
                    if nv > max_norm:
                        max_norm = nv
                    if nv != 0.0:
                        nf = norm_lrc / (nv if nv > norm_min else norm_min)
                if mom_on:
                    mo = mom_dc * S[S_MOMENT, k] + dwt
                    S[S_MOMENT, k] = mo
                    dwt = nf * mom_lrc * mo
                else:
                    dwt *= nf
                S[S_DWT, k] = lrate * dwt
            if norm_on:
                # the normalizer is shared by a sender's synapses (max over the row)
                for k in range(k0, k1):
                    S[S_NORM, k] = max_norm
            _apply_row(k0, k1, w, S, P[P_SOFT_BOUND, k0] != 0.0, P[P_SIG_GAIN, k0], P[P_SIG_OFF, k0])
            continue
        # general case: parameters may differ per synapse
        any_norm = False
        max_norm = 0.0
        for k in range(k0, k1):
            S[S_DWT, k] = 0.0
            if P[P_LEARN, k] == 0.0:
                continue
            if su_s < P[P_LRN_THR, k] and su_m < P[P_LRN_THR, k]:
                continue  # sender silent in both phases: no learning
            j = post_idx[k]
            srs = su_s_lrn * post_S[S_AVG_S_LRN, j]
            srm = su_m * post_S[S_AVG_M, j]
            d_thr = P[P_D_THR, k]
            d_rev = P[P_D_REV, k]
            l_lrn = P[P_L_LRN, k] if P[P_SET_L_LRN, k] != 0.0 else post_S[S_AVG_L_LRN, j]
            dwt = (_leabra.xcal_core(srs, srm, d_thr, d_rev) * P[P_M_LRN, k]
                   + _leabra.xcal_core(srs, post_S[S_AVG_L, j], d_thr, d_rev) * l_lrn)
            nf = 1.0
            if P[P_NORM, k] != 0.0:
                any_norm = True
                nv = (1.0 - P[P_NORM_DECAY_DT, k]) * S[S_NORM, k]
                ad = abs(dwt)
                nv = nv if nv > ad else ad
                S[S_NORM, k] = nv
                if nv > max_norm:
                    max_norm = nv
                if nv != 0.0:
                    nm = P[P_NORM_MIN, k]
                    nf = P[P_NORM_LR_COMP, k] / (nv if nv > nm else nm)
            if P[P_MOMENTUM, k] != 0.0:
                mo = (1.0 - P[P_MOMENTUM_DT, k]) * S[S_MOMENT, k] + dwt
                S[S_MOMENT, k] = mo
                dwt = nf * P[P_MOMENTUM_LR_COMP, k] * mo
            else:
                dwt *= nf
            S[S_DWT, k] = P[P_LRATE, k] * dwt
        if any_norm:
            for k in range(k0, k1):
                if P[P_NORM, k] != 0.0:
                    S[S_NORM, k] = max_norm
        for k in range(k0, k1):
            _apply_row(k, k + 1, w, S, P[P_SOFT_BOUND, k] != 0.0, P[P_SIG_GAIN, k], P[P_SIG_OFF, k])


@njit(cache=True)
def learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out, indptr,
          post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods) -> None:
    """Contract learn phase: XCAL on the tick where ``mods[M_LEARN]`` is set.
    Pre-synaptic averages come from ``post_S`` (same block; see module doc)."""
    if mods[M_LEARN] <= 0.0:
        return
    learn_rows(post_S, post_S, indptr, post_idx, w, S, P, X)


@register
class XCAL(SynapseModel):
    """Leabra projection: rate-code net input and XCAL learning (emergent Leabra)."""

    name = "xcal"
    family = "leabra"
    params = _PARAMS
    state = _STATE
    plastic = True
    propagate = propagate
    learn = learn

    @classmethod
    def init_pathway_state(cls, pw: Any, n_pre: int, n_post: int, dt: float) -> Any:
        """``X`` = per-row fast-path flags (:func:`row_flags`), computed once from
        the merged pathway's rows, projection ids and parameters."""
        return row_flags(pw.indptr, pw.post_idx, pw.proj, pw.P)

    @classmethod
    def init_state(cls, w: Any, P: Any) -> Any:
        """``lwt = sig_inv(w)``, traces 0, ``gscale`` 1 (set by the API per trial)."""
        S = super().init_state(w, P)
        if w.shape[0]:
            init_lwt(w, S, P)
        return S
