"""Small-network helpers for the spiking synapse tests: build a brain in code,
make chosen units fire at chosen ticks, read synapse state and inputs."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.network import Network

#: an input that makes an Izhikevich unit cross v_peak within one tick from any state
KICK = 1000.0


def brain(pops: Mapping[str, int], seed: int = 1) -> Brain:
    """A brain with one Izhikevich (RS) population per entry of ``pops``."""
    b = Brain("test", seed, 1.0)
    for name, n in pops.items():
        b.populations.append(Population(name, "izhikevich", n))
    return b


def project(b: Brain, name: str, pre: str, post: str, synapse: str, pairs: Iterable[tuple[int, int]],
            w: Any, delay: Any = 1, params: dict[str, Any] | None = None, gate: str | None = None) -> None:
    """Add a projection with explicit (pre, post) pairs; ``w``/``delay`` scalar or per pair."""
    pairs = list(pairs)
    pre_idx = np.array([p for p, _ in pairs], np.int32)
    post_idx = np.array([q for _, q in pairs], np.int32)
    n = len(pairs)
    b.projections.append(Projection(
        name, pre, post, synapse, pre_idx, post_idx, np.broadcast_to(np.asarray(w, float), (n,)).copy(),
        np.broadcast_to(np.asarray(delay, np.int32), (n,)).copy(), params=dict(params or {}), gate=gate))


def noise(b: Brain, name: str, pop: str, units: Iterable[int], mean: float, std: float) -> None:
    """Gaussian current (noise_current device) into ``units`` of ``pop``."""
    idx = np.asarray(list(units), np.int64)
    b.devices.append(Device(name, "noise_current", {"mean": mean, "std": std},
                            [DeviceTarget(pop, idx, np.ones(idx.size), np.zeros(idx.size, np.int32))]))


def fire(net: Network, schedule: Mapping[int, Iterable[tuple[str, int]]], until: int,
         probe: tuple[str, int] | None = None) -> np.ndarray:
    """Run tick by tick up to tick ``until`` (exclusive), kicking the units
    ``schedule[t] = [(population, unit), ...]`` so that they fire exactly at
    tick t. With ``probe = (population, unit)`` returns the synaptic input that
    unit received at each tick through the delay ring (receptors summed)."""
    kicked: list[tuple[str, int]] = []
    trace = np.zeros(until)
    while net.t < until:
        for pop, u in kicked:
            _set_inj(net, pop, u, 0.0)
        kicked = list(schedule.get(net.t, ()))
        for pop, u in kicked:
            _set_inj(net, pop, u, KICK)
        t = net.t
        if probe is not None:  # what the delay ring delivers to the unit this tick
            trace[t] = delivered(net, *probe).sum()
        net.run(1)
    for pop, u in kicked:
        _set_inj(net, pop, u, 0.0)
    return trace


def delivered(net: Network, pop: str, unit: int) -> np.ndarray:
    """Per receptor, the synaptic input the ring holds for the unit's *next*
    tick (read before running it; the neuron update may consume I in place)."""
    blk, i = unit_index(net, pop, unit)
    ring = net.blocks[blk].ring
    return ring[net.t % ring.shape[0], :, i].copy()


def _set_inj(net: Network, pop: str, unit: int, value: float) -> None:
    blk, i = unit_index(net, pop, unit)
    net.blocks[blk].inj[0, i] = value
    net.blocks[blk].injon[0] = 1  # the loop reads inj only while this is set


def unit_index(net: Network, pop: str, unit: int) -> tuple[int, int]:
    """(block, block-local index) of a unit."""
    b, start, _ = net._where[pop]
    return b, start + unit


def pathway(net: Network, projection: str) -> tuple[Any, np.ndarray]:
    """(pathway, boolean selection of the projection's synapses in it)."""
    for pw in net.pathways:
        if projection in pw.projections:
            return pw, pw.proj == pw.projections.index(projection)
    raise KeyError(projection)


def syn_state(net: Network, projection: str, var: str) -> np.ndarray:
    """One state row of a projection's synapses (pathway order: by pre, then post)."""
    pw, sel = pathway(net, projection)
    return pw.S[list(pw.model.state).index(var), sel].copy()


def weights(net: Network, projection: str) -> np.ndarray:
    return net.weights(projection)[2]


def spike_ticks(net: Network, pop: str, unit: int = 0) -> np.ndarray:
    t, u = net.spikes(pop)
    return t[u == unit]
