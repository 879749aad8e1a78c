"""Generic kernels the fused loop uses for every model: delivery, recording, health."""
from __future__ import annotations

import numpy as np
from numba import njit

#: health() codes
OK, NAN, RUNAWAY = 0, 1, 2
#: rates are judged over at least this many ticks; a shorter window (calls of a
#: few ticks, check_every < MIN_WINDOW) carries its counts on to the next check
MIN_WINDOW = 20


@njit(cache=True, inline="always")
def take_input(t, ring, inj, injon):
    """This tick's input ``I``: the ring slot ``ring[t mod D]`` itself (a view,
    no copy), with the injected input added while ``injon[0]``. Devices and
    couplings add into it; :func:`release_input` clears it after the tick."""
    R = ring[t % ring.shape[0]]
    if injon[0]:
        for r in range(R.shape[0]):
            Rr = R[r]
            Jr = inj[r]
            for i in range(Rr.shape[0]):
                Rr[i] += Jr[i]
    return R


@njit(cache=True, inline="always")
def release_input(R, I, keep):
    """Clear the tick's ring slot ``R`` for the tick ``D`` later; when ``keep``
    (a tick the loop may return after) first copy it into the block's ``I``, so
    the input of the last tick stays readable between calls without a copy
    every tick."""
    for r in range(R.shape[0]):
        Rr = R[r]
        if keep:
            Ir = I[r]
            for i in range(Rr.shape[0]):
                Ir[i] = Rr[i]
        for i in range(Rr.shape[0]):
            Rr[i] = 0.0


#: units per test in :func:`collect_fired` (measured best of 16-256 on COBA)
_SCAN = 16


@njit(cache=True)
def collect_fired(out, fired):
    """Write the indices of units with non-zero ``out`` into ``fired``; return
    the count. Neuron kernels call this after a branch-free integration loop.
    Spikes are rare, so ``_SCAN`` units are tested at once: OR of their bit
    patterns (vectorised; the sign bit shifted out so -0.0 counts as zero, as
    ``!= 0.0`` does), and only a group with a set bit is scanned one by one."""
    bits = out.view(np.uint64)
    n = out.shape[0]
    nf = 0
    for g in range(0, n - n % _SCAN, _SCAN):
        acc = np.uint64(0)
        for i in range(g, g + _SCAN):
            acc |= bits[i] << np.uint64(1)
        if acc != 0:
            for i in range(g, g + _SCAN):
                if out[i] != 0.0:
                    fired[nf] = i
                    nf += 1
    for i in range(n - n % _SCAN, n):
        if out[i] != 0.0:
            fired[nf] = i
            nf += 1
    return nf


@njit(cache=True, inline="always")
def record_spikes(t, fired, nf, gid, recmask, rec_t, rec_u, rec_n):
    for q in range(nf):
        i = fired[q]
        if recmask[i]:
            rec_t[rec_n] = t
            rec_u[rec_n] = gid[i]
            rec_n += 1
    return rec_n


@njit(cache=True)
def record_state(t, S, rows, idx, every, buf, times, n):
    """Append S[rows][:, idx] to ``buf`` (row n) every ``every`` ticks."""
    if t % every[0] != 0 or n[0] >= buf.shape[0]:
        return
    k = 0
    for r in rows:
        for i in idx:
            buf[n[0], k] = S[r, i]
            k += 1
    times[n[0]] = t
    n[0] += 1


@njit(cache=True, inline="always")
def count_events(fired, nf, seg, counts, lo):
    """Add this tick's ``nf`` emitters to their populations' counts
    (``counts[lo + g]`` for the block's groups ``seg``, one per population), so
    a small runaway population is judged on its own, not diluted in its block."""
    if seg.shape[0] == 2:
        counts[lo] += nf
        return
    g = 0
    for q in range(nf):
        i = fired[q]
        while i >= seg[g + 1]:
            g += 1
        while i < seg[g]:  # emitters need not come in ascending order
            g -= 1
        counts[lo + g] += 1


@njit(cache=True)
def health(S, out, v_row, counts, lo, hi, pop_n, window, max_rate):
    """NAN if any state (or output) is not finite; RUNAWAY if a population
    (``counts[lo:hi]``, sizes ``pop_n[lo:hi]``) emitted more than ``max_rate``
    events per unit per tick over the window."""
    if v_row >= 0:
        for x in S[v_row]:
            if not np.isfinite(x):
                return NAN
    else:
        for x in out:
            if not np.isfinite(x):
                return NAN
    # short windows (a call of a few ticks) are judged only once long enough:
    # the loop keeps adding to counts and window until then
    if window >= MIN_WINDOW:
        for j in range(lo, hi):
            if pop_n[j] > 0 and counts[j] > max_rate * pop_n[j] * window:
                return RUNAWAY
    return OK
