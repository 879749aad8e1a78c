"""Interim tick harness for the Leabra kernels (stand-in for runtime.Network).

It owns exactly the arrays of the runtime contract for one ``leabra`` block
(all layers merged, ``seg`` = layer offsets) and one ``xcal`` synapse group per
projection (CSR over block indices), plus the delay ring, and runs whole
stretches of ticks inside one compiled loop:

    deliver ring[t % D] -> I;  update(...)  ->  propagate(...) for each group

which is the fixed tick order of the runtime design (deliver -> integrate ->
plasticity -> propagate). Plasticity is applied by :meth:`Harness.learn`, a
tick-free call of the ``xcal`` learn kernel with ``mods[M_LEARN] = 1`` (the
runtime may equally run a tick with that channel set: units are frozen on it).

Only :mod:`brainc.leabra.net` (one place) and the tests use this module; the
lead replaces it with ``runtime.Network`` without touching the kernels.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, typed

from runtime.models.leabra import M_LEARN, M_PHASE, M_TRIAL_START, N_MODS, update
from runtime.rng import new_state
from runtime.synapses.xcal import XCAL, learn, propagate


def _xcal_params() -> dict:
    return XCAL.params

__all__ = ["Harness", "run_ticks", "learn_all"]


# Not cached on disk: Numba's cache does not notice changes in callees defined in
# other files (the kernels), so cached glue could run stale kernel code.
@njit(cache=False)
def run_ticks(n_ticks, t0, start_trial, P, S, I, out, fired, seg, G, L, mods, rng,
              groups, ring, gate, rec_s_rows, rec_l_rows, rec_s, rec_l) -> int:
    """Run ``n_ticks`` ticks from tick ``t0``; returns the next tick number.

    ``start_trial``: the first tick is the send-only trial-start tick.
    ``rec_s[k, r, :]`` / ``rec_l[k, r, :]`` receive state row ``rec_s_rows[r]``
    (units) / layer-state row ``rec_l_rows[r]`` (layers) after tick ``k``
    (pass arrays with a zero-length first axis to record nothing).
    """
    D = ring.shape[0]
    n = S.shape[1]
    n_rec = I.shape[0]
    do_rec = rec_s.shape[0] >= n_ticks and (rec_s_rows.shape[0] > 0 or rec_l_rows.shape[0] > 0)
    for step in range(n_ticks):
        t = t0 + step
        slot = t % D
        for r in range(n_rec):
            src = ring[slot, r]
            dst = I[r]
            for i in range(n):
                dst[i] = src[i]
                src[i] = 0.0
        mods[M_TRIAL_START] = 1.0 if (start_trial and step == 0) else 0.0
        nf = update(P, S, I, out, fired, seg, G, L, t, 1.0, mods, rng)
        for gi in range(len(groups)):
            indptr, post_idx, pre_idx, delay, w, Ssyn, Psyn, receptor = groups[gi]
            propagate(t, fired, nf, out, indptr, post_idx, delay, w, Ssyn, Psyn,
                      receptor, ring, gate, mods)
        if do_rec:
            for r in range(rec_s_rows.shape[0]):
                rec_s[step, r, :] = S[rec_s_rows[r]]
            for r in range(rec_l_rows.shape[0]):
                rec_l[step, r, :] = L[:, rec_l_rows[r]]
    mods[M_TRIAL_START] = 0.0
    return t0 + n_ticks


@njit(cache=False)
def learn_all(t, S, out, fired, groups, mods, gate, empty_i) -> None:
    """Call the xcal learn kernel of every group (``mods[M_LEARN]`` decides)."""
    for gi in range(len(groups)):
        indptr, post_idx, pre_idx, delay, w, Ssyn, Psyn, receptor = groups[gi]
        learn(t, 1.0, fired, 0, fired, 0, out, out, indptr, post_idx, pre_idx,
              empty_i, empty_i, w, Ssyn, Psyn, S, gate, mods)


class Harness:
    """Arrays and compiled tick loop for one Leabra network.

    Parameters
    ----------
    P, S : float64[n_params, n], float64[n_state, n]   the leabra block
    seg : int64[n_layers + 1]                          layer offsets
    G, L : float64[n_layers, n_gparams], float64[n_layers, n_lstate]
    groups : list of dicts with ``indptr`` (int64[n + 1]), ``post_idx``,
        ``pre_idx``, ``delay`` (int64[n_syn]), ``w`` (float64[n_syn]),
        ``S`` (float64[5, n_syn]), ``P`` (float64[n_xcal_params, n_syn],
        typically a read-only ``np.broadcast_to`` view: one value per
        projection) and ``receptor`` (0 exc, 1 inh).
    """

    def __init__(self, P: np.ndarray, S: np.ndarray, seg: np.ndarray, G: np.ndarray,
                 L: np.ndarray, groups: list[dict[str, Any]], seed: int = 0) -> None:
        self.P, self.S, self.seg, self.G, self.L = P, S, seg, G, L
        n = S.shape[1]
        self.I = np.zeros((2, n))
        self.out = np.zeros(n)
        self.fired = np.zeros(n, dtype=np.int64)
        self.ring = np.zeros((2, 2, n))
        self.mods = np.zeros(N_MODS)
        self.rng = new_state(seed)
        self.gate = np.zeros(0)
        self.empty_i = np.zeros(0, dtype=np.int64)
        self.t = 0
        self.groups = groups
        tl = typed.List()
        if not groups:
            # a typed list needs an item type: add one empty group
            zi = np.zeros(0, dtype=np.int64)
            groups = [{"indptr": np.zeros(n + 1, dtype=np.int64), "post_idx": zi, "pre_idx": zi,
                       "delay": zi, "w": np.zeros(0, dtype=np.float32), "S": np.zeros((5, 0)),
                       "P": np.zeros((len(_xcal_params()), 0)), "receptor": 0}]
        for g in groups:
            tl.append((g["indptr"], g["post_idx"], g["pre_idx"], g["delay"], g["w"],
                       g["S"], _a_layout(g["P"]), np.int64(g["receptor"])))
        self._tl = tl
        self._no_s = np.zeros((0, 0, n))
        self._no_l = np.zeros((0, 0, L.shape[0]))
        self._no_rows = np.zeros(0, dtype=np.int64)

    def run(self, n_ticks: int, phase: int, start_trial: bool,
            rec_s_rows: np.ndarray | None = None,
            rec_l_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Run ``n_ticks`` ticks in ``phase`` (0 free, 1 minus, 2 plus).

        Returns the recordings ``(rec_s[n_ticks, len(rec_s_rows), n],
        rec_l[n_ticks, len(rec_l_rows), n_layers])`` (empty without rows)."""
        self.mods[M_PHASE] = phase
        if rec_s_rows is None and rec_l_rows is None:
            rs, rl, rsr, rlr = self._no_s, self._no_l, self._no_rows, self._no_rows
        else:
            rsr = self._no_rows if rec_s_rows is None else np.asarray(rec_s_rows, dtype=np.int64)
            rlr = self._no_rows if rec_l_rows is None else np.asarray(rec_l_rows, dtype=np.int64)
            rs = np.zeros((n_ticks, rsr.shape[0], self.S.shape[1]))
            rl = np.zeros((n_ticks, rlr.shape[0], self.L.shape[0]))
        self.t = run_ticks(n_ticks, self.t, start_trial, self.P, self.S, self.I, self.out,
                           self.fired, self.seg, self.G, self.L, self.mods, self.rng,
                           self._tl, self.ring, self.gate, rsr, rlr, rs, rl)
        return rs, rl

    def learn(self) -> None:
        """Apply XCAL on every projection (a tick-free learning step)."""
        self.mods[M_LEARN] = 1.0
        learn_all(self.t, self.S, self.out, self.fired, self._tl, self.mods, self.gate, self.empty_i)
        self.mods[M_LEARN] = 0.0


def _a_layout(P: np.ndarray) -> np.ndarray:
    """``P`` as a non-contiguous ('A' layout) array, so all groups share one type.

    A broadcast view (one column repeated, strides (8, 0)) already is; a
    materialized array is re-viewed through a padded buffer so its stride is
    not the contiguous one (values unchanged, read-only use)."""
    if not (P.flags.c_contiguous or P.flags.f_contiguous) and not P.flags.writeable:
        return P
    buf = np.zeros((P.shape[0], P.shape[1], 2))
    buf[:, :, 0] = P
    view = buf[:, :, 0]
    view.flags.writeable = False
    return view
