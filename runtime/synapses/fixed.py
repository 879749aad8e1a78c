"""Static synapses: weight and integer delay never change.

A spike of presynaptic unit i at tick t adds ``w`` to the post unit's input for
tick ``t + delay`` (receptor by sign unless the projection names one)."""
from __future__ import annotations

from typing import ClassVar

import numpy as np
from numba import njit

from ..registry import SynapseModel, register


@njit(cache=True, inline="always")
def route(receptor, w):
    """Receptor row for a synapse: the projection's, or by sign (exc=0, inh=1)."""
    if receptor >= 0:
        return receptor
    return 0 if w >= 0.0 else 1


@njit(cache=True, inline="always")
def deliver(ring, base, delay, row, post, value):
    """``ring[(t + delay) mod D, row, post] += value`` for ``base = t mod D`` and
    0 <= delay < D (the ring spans the longest delay): no division per event.
    Indices go in unsigned: Numba then skips its negative-index wraparound."""
    slot = base + np.int64(delay)
    if slot >= ring.shape[0]:
        slot -= ring.shape[0]
    ring[np.uint64(slot), np.uint64(row), np.uint64(post)] += value


@njit(cache=True)
def propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X, receptor, ring, gate_out, mods):
    """Each emitter's CSR row adds ``w * out`` into the post ring at ``t + delay``.
    ``out`` is 1.0 for a spike (exact), or the multiplicity m of a NEST parrot
    neuron that repeats m coincident spikes as one event."""
    base = t % ring.shape[0]
    for q in range(n_fired):
        i = pre_fired[q]
        m = pre_out[i]
        # the row as slices indexed from 0: no wraparound test per synapse
        # (the hot loop of every spiking network; COBA's delivery ~1.5x faster)
        a = indptr[i]
        n = indptr[i + 1] - a
        w_row = w[a:a + n]
        d_row = delay[a:a + n]
        post_row = post_idx[a:a + n]
        for k in range(n):
            ws = w_row[k] * m
            deliver(ring, base, d_row[k], route(receptor, ws), post_row[k], ws)


@register
class Fixed(SynapseModel):
    name: ClassVar[str] = "fixed"
    family: ClassVar[str] = "generic"
    propagate = propagate


@register
class StaticSynapse(SynapseModel):
    """NEST's name for the same thing."""

    name: ClassVar[str] = "static_synapse"
    family: ClassVar[str] = "nest"
    propagate = propagate
