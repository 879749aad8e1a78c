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
def deliver(t, I, ring, inj, injon):
    """I <- ring[t mod D] (+ inj when ``injon[0]``), then clear the ring slot.
    Memory-bound: row views keep it a streaming copy, and the injected input
    is read only while something is injected."""
    R = ring[t % ring.shape[0]]
    for r in range(I.shape[0]):
        Ir = I[r]
        Rr = R[r]
        if injon[0]:
            Jr = inj[r]
            for i in range(Ir.shape[0]):
                Ir[i] = Rr[i] + Jr[i]
                Rr[i] = 0.0
        else:
            for i in range(Ir.shape[0]):
                Ir[i] = Rr[i]
                Rr[i] = 0.0


@njit(cache=True)
def collect_fired(out, fired):
    """Write the indices of units with non-zero ``out`` into ``fired``; return
    the count. Neuron kernels call this after a branch-free integration loop."""
    nf = 0
    for i in range(out.shape[0]):
        if out[i] != 0.0:
            fired[nf] = i
            nf += 1
    return nf


@njit(cache=True, inline="always")
def ring_slot(t, delay, D):
    """Ring row for an event at tick ``t`` with ``delay`` (0 <= delay < D)
    without an integer division per synapse."""
    slot = t % D + delay
    return slot - D if slot >= D else slot


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


@njit(cache=True)
def health(S, out, v_row, count, window, max_rate):
    """NAN if any state (or output) is not finite; RUNAWAY if the block emitted
    more than ``max_rate`` events per unit per tick over the window."""
    if v_row >= 0:
        for x in S[v_row]:
            if not np.isfinite(x):
                return NAN
    else:
        for x in out:
            if not np.isfinite(x):
                return NAN
    n = out.shape[0]
    # short windows (a call of a few ticks) are judged only once long enough:
    # the loop keeps adding to count and window until then
    if n > 0 and window >= MIN_WINDOW and count > max_rate * n * window:
        return RUNAWAY
    return OK
