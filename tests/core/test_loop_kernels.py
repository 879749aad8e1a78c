"""The fused loop's generic kernels: the fired-unit scan and input read in place."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.compiler import compile_ir
from runtime.loop_kernels import collect_fired
from runtime.network import Network

from .conftest import ROOT

IZH = ROOT / "recipes" / "izhikevich2003.yaml"


@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 33, 4000, 4001])
def test_collect_fired_lists_exactly_the_non_zero_units(n: int) -> None:
    """The grouped scan (16 units per OR test, a tail one by one) lists every
    non-zero unit in ascending order; -0.0 counts as zero (``!= 0.0``), NaN,
    inf, subnormals and graded outputs (parrot multiplicities, rates) count."""
    rng = np.random.default_rng(n)
    out = np.zeros(n)
    if n:
        specials = np.array([1.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -5e-324, 3.0, 0.25, -1.0])
        k = rng.choice(n, size=min(n, 40), replace=False)
        out[k] = specials[rng.integers(0, specials.size, k.size)]
    fired = np.full(n, -1, np.int64)
    nf = collect_fired(out, fired)
    want = np.flatnonzero(out != 0.0)
    assert nf == want.size
    np.testing.assert_array_equal(fired[:nf], want)
    dense = np.ones(n)  # every unit fires
    assert collect_fired(dense, fired) == n and np.array_equal(fired[:n], np.arange(n))


def test_input_is_read_in_place_and_the_last_ticks_input_kept() -> None:
    """The tick's input is the ring slot itself: after a call the slot is
    clear, Block.I holds the last tick's input (ring value + injected), and
    runs split into calls of any length give the same spikes and rings."""
    brain = compile_ir(IZH)
    one, split = Network(brain), Network(compile_ir(IZH))
    for net in (one, split):
        net.inject("exc", 2.5)
    one.run(120)
    for k in (1, 7, 2, 50, 60):
        split.run(k)
    assert np.array_equal(one.spikes()[0], split.spikes()[0])
    assert np.array_equal(one.spikes()[1], split.spikes()[1])
    for a, b in zip(one.blocks, split.blocks):
        assert np.array_equal(a.ring, b.ring) and np.array_equal(a.I, b.I) and np.array_equal(a.S, b.S)
        # the slot of the last tick was released (cleared) for the tick D later
        assert not a.ring[(one.t - 1) % a.ring.shape[0]].any()



def test_block_input_after_a_tick_is_ring_plus_injected() -> None:
    """Without devices or noise, the input a tick reads (kept in Block.I after
    the call) is exactly what the ring held for it plus the injected input."""
    from brainc.nest import Simulator

    sim = Simulator(dt=0.1, seed=3)
    pop = sim.create("iaf_psc_delta", 20, {"I_e": 600.0})
    sim.connect(pop, pop, {"rule": "fixed_indegree", "indegree": 5}, syn_spec={"weight": 0.7, "delay": 0.3})
    sim.simulate(30.0)
    net = sim.network
    net.inject(net.blocks[0].pops[0][0], 1.5)
    b = net.blocks[0]
    for _ in range(40):
        expect = b.ring[net.t % b.ring.shape[0]] + b.inj
        net.run(1)
        np.testing.assert_array_equal(b.I, expect)
    assert b.inj.any() and net.spikes()[0].size > 0
