"""Electrical synapses (``gap_junction``): symmetric, delay-free coupling.

Each synapse is one junction of conductance ``g = |w|`` between units i (pre)
and j (post); every tick, before integration, it adds::

    I_j += g (v_i - v_j)        I_i += g (v_j - v_i)

to receptor row 0 of both cells (the Izhikevich model sums its receptors), with
v the voltages at the end of the previous tick. The current is symmetric, so
one synapse couples both ways: list each pair once (a recipe that connects
i->j *and* j->i gets twice the conductance). The sign of the weight is ignored
(a negative conductance is not physical; ``sign: by_type`` on an inhibitory
source must not flip it).

Numerics: the coupling current is held over the tick (explicit in the
coupling). For two cells it relaxes the voltage difference by a factor
``(1 - 2 g dt)`` per tick, so a cell's summed conductance should stay below
0.5 per ms for monotone relaxation (below 1 for stability). The Izhikevich spike
itself is not resolved (v is reset within the tick), so coupled cells see no
spikelet, only the after-spike reset.

Units: g in model current per mV (dimensionless family: I per mV).
"""
from __future__ import annotations

from typing import ClassVar

from numba import njit

from ..registry import SynapseModel, register

__all__ = ["GapJunction", "couple"]


@njit(cache=True)
def couple(pre_S, post_S, pre_I, post_I, pre_v, post_v, pre_idx, post_idx, w, S, P, X, mods):
    """Contract couple phase: add the junction currents into row 0 of both inputs."""
    if pre_v < 0 or post_v < 0:
        return  # a model without a membrane potential cannot be coupled electrically
    vi = pre_S[pre_v]
    vj = post_S[post_v]
    for s in range(w.shape[0]):
        i = pre_idx[s]
        j = post_idx[s]
        cur = abs(w[s]) * (vi[i] - vj[j])
        post_I[0, j] += cur
        pre_I[0, i] -= cur


@register
class GapJunction(SynapseModel):
    """Symmetric electrical coupling I = g (v_pre - v_post), no delay, weight = g."""

    name: ClassVar[str] = "gap_junction"
    family: ClassVar[str] = "spiking"
    delay_free: ClassVar[bool] = True
    couple = couple
