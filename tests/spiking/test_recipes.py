"""The two arena brains: recipes/arena_v1.yaml (hard-wired) and
recipes/arena_dev_v1.yaml (blank slate). They compile fast, have the promised
size, layers, component types and synapse mix, expose the arena terminals in
body order, run healthily with activity in every layer, and the hard-wired
spine crawls forward (head-to-tail wave) and reverses when the concentration
falls."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from brainc.compiler import compile_ir
from runtime.network import Network

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "recipes" / "arena_v1.yaml"
DEV = ROOT / "recipes" / "arena_dev_v1.yaml"
LAYERS = ["sensory", "decision", "memory", "planning", "motor"]
ARENA_TERMINALS = ("chemo_left", "chemo_right", "touch_head", "touch_tail", "motor_dorsal", "motor_ventral")
N_SEG = 24

@pytest.fixture(scope="module")
def v1():
    return compile_ir(V1)


@pytest.fixture(scope="module")
def dev():
    return compile_ir(DEV)


def _mix(brain) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in brain.projections:
        out[p.synapse] = out.get(p.synapse, 0) + p.count
    return out


def _layer_of(brain) -> dict[str, str]:
    return {p.name: p.origin["layer"] for p in brain.populations}


def test_compile_is_fast():
    compile_ir(V1)  # warm caches (numba connect kernels, imports)
    t = time.perf_counter()
    compile_ir(V1)
    dt = time.perf_counter() - t
    assert dt < 3.0, f"arena_v1 compiled in {dt:.2f} s"  # ~0.15-0.3 s on a quiet machine


@pytest.mark.parametrize("which", ["v1", "dev"])
def test_size_layers_and_component_types(which, v1, dev):
    b = {"v1": v1, "dev": dev}[which]
    assert 7500 <= b.n_units <= 8500
    layers = []
    for p in b.populations:
        if p.origin["layer"] not in layers:
            layers.append(p.origin["layer"])
    assert layers == LAYERS
    types = {p.origin["component"] for p in b.populations}
    assert len(types) == 21, sorted(types)
    for comp in ("sensory_bank", "binary_decision", "working_memory_cell", "emotional_state",
                 "forward_cpg", "backward_cpg", "head_steering", "cross_inhibition", "timer",
                 "motor_segment", "mechanosensory", "klinokinesis"):
        assert comp in types
    assert {p.model for p in b.populations} == {"izhikevich"}


def test_v1_synapse_mix(v1):
    mix = _mix(v1)
    assert {"fixed", "plastic", "facilitating", "depressing", "gated", "gap_junction",
            "reward_plastic"} <= set(mix)
    assert "developmental" not in mix
    rp = [p for p in v1.projections if p.synapse == "reward_plastic"]
    assert rp and all(p.pre.startswith("memory.emotional_state") and p.post == "decision.locomotion"
                      for p in rp)
    layer = _layer_of(v1)
    # proximity wiring between layers, with sign by type where the source mixes types
    prox = [p for p in v1.projections if p.meta.get("rule", {}).get("rule") == "proximity"]
    assert len(prox) >= 10 and any(layer[p.pre] != layer[p.post] for p in prox)
    byt = next(p for p in v1.projections if p.name == "memory->recall_relay")
    assert (byt.weight < 0).any() and (byt.weight > 0).any()
    # the spine is fixed
    for name in ("drive->forward", "forward->cpg", "fwave_d", "bwave_v", "timer->end_reversal"):
        assert next(p for p in v1.projections if p.name == name).synapse == "fixed"
    # reversal triggers pass only while the worm crawls forward (gate: the forward ring)
    for name in ("klinokinesis->backward", "explore->backward"):
        assert next(p for p in v1.projections if p.name == name).synapse == "gated"
    # the learned pathway: joy -> the forward modulator, which vetoes spontaneous reversals
    (joy,) = [p for p in rp if p.name == "joy->forward"]
    assert joy.params["w_max"] > 10 * float(np.max(np.abs(joy.weight)))


SPINE = {"drive->forward", "touch_head->backward", "touch_tail->forward", "chemo_left->klinokinesis",
         "chemo_right->klinokinesis", "chemo_off->klinokinesis", "forward->cpg",
         "backward->cpg", "backward->timer", "timer->end_reversal", "timer->turn", "turn->head_ventral",
         "fcpg->seg0_d", "fcpg->seg0_v", "fwave_d", "fwave_v", "bcpg->seg23_d", "bcpg->seg23_v", "bwave_d",
         "bwave_v", "chemo_left->steering", "chemo_right->steering", "steering->gate_d", "steering->gate_v",
         "forward->steer_gate", "steer_gate->head_dorsal", "steer_gate->head_ventral",
         "timer->end_reversal_5", "timer->end_reversal_9",
         *(f"timer->veto_{x}_{d}" for x in ("klinokinesis", "explore") for d in (1, 5, 9)),
         *(f"keep_going->explore_{d}" for d in range(1, 9))}
#: spine projections that are gated by the forward ring (reversal triggers)
GATED_SPINE = {"klinokinesis->backward", "explore->backward"}


def test_dev_synapse_mix(dev, v1):
    mix = _mix(dev)
    assert "developmental" in mix and "reward_plastic" not in mix
    layer = _layer_of(dev)
    between = [p for p in dev.projections if p.meta.get("kind") != "internal"]
    assert {p.name for p in between if p.synapse == "fixed"} == SPINE, "only the reflex spine is fixed"
    assert {p.name for p in between if p.synapse == "gated"} == GATED_SPINE
    v1_between = {p.name: p for p in v1.projections if p.meta.get("kind") != "internal"}
    assert set(v1_between) == {p.name for p in between}, "same wiring plan as arena_v1"
    for p in between:
        if p.name not in SPINE | GATED_SPINE:
            assert p.synapse == "developmental", p.name
            assert p.params["critical_start"] == 20000.0 and p.params["critical_end"] == 60000.0
    dense = sum(p.count for p in between if p.name not in SPINE | GATED_SPINE)
    sparse = sum(p.count for n, p in v1_between.items() if n not in SPINE | GATED_SPINE)
    assert dense > 1.5 * sparse, "developmental wiring starts denser (overproduction)"
    assert any(layer[p.pre] != layer[p.post] for p in between if p.synapse == "developmental")


@pytest.mark.parametrize("which", ["v1", "dev"])
def test_arena_terminals_resolve_in_body_order(which, v1, dev):
    b = {"v1": v1, "dev": dev}[which]
    terms = {t.name: t for t in b.terminals}
    for name in ARENA_TERMINALS + ("chemo_off_left", "chemo_off_right", "proprio"):
        assert name in terms and terms[name].indices.size > 0, name
    for name in ("motor_dorsal", "motor_ventral", "proprio"):
        t = terms[name]
        pop = b.population(t.population)
        inst = pop.unit_meta["instance"][t.indices]
        assert t.indices.size % N_SEG == 0
        groups = np.array_split(inst, N_SEG)  # what the arena does: 24 equal groups in terminal order
        assert [set(g.tolist()) for g in groups] == [{i} for i in range(N_SEG)], name
    node = b.population("motor.motor_segment").origin["nodes"]
    md = terms["motor_dorsal"]
    assert {node[k] for k in b.population("motor.motor_segment").unit_meta["node"][md.indices]} == {"mn_d.mn"}
    net = Network(b)
    from arena.coupling import bind

    binding = bind(net, N_SEG)
    assert binding.sizes["motor_dorsal"] == binding.sizes["motor_ventral"] == 2 * N_SEG


@pytest.mark.parametrize("which", ["v1", "dev"])
def test_500_ticks_healthy_with_activity_in_every_layer(which, v1, dev):
    b = {"v1": v1, "dev": dev}[which]
    net = Network(b)
    net.run(500)  # raises RuntimeBlowUp on NaN or runaway rates
    t, u = net.spikes()
    off = b.offsets()
    per_layer = dict.fromkeys(LAYERS, 0)
    for p in b.populations:
        per_layer[p.origin["layer"]] += int(((u >= off[p.name]) & (u < off[p.name] + p.size)).sum())
    assert all(n > 0 for n in per_layer.values()), per_layer
    rate = len(t) / b.n_units / 0.5
    assert 0.5 < rate < 60, rate
    for blk in net.blocks:
        assert np.all(np.isfinite(blk.S))


def _motor_counts(net, brain, t0, t1, binw=10):
    """(dorsal, ventral) motor spikes per segment in bins of ``binw`` ticks."""
    pop = brain.population("motor.motor_segment")
    nodes = pop.origin["nodes"]
    t, u = net.spikes(pop.name)
    node = pop.unit_meta["node"][u]
    inst = pop.unit_meta["instance"][u]
    bins = np.arange(t0, t1 + 1, binw)
    out = []
    for side in ("mn_d.mn", "mn_v.mn"):
        k = nodes.index(side)
        out.append(np.array([np.histogram(t[(node == k) & (inst == s)], bins)[0] for s in range(N_SEG)], float))
    return out[0], out[1]


def _lag(a, b, max_lag=150):
    cc = [np.corrcoef(a[: a.size - L], b[L:])[0, 1] for L in range(max_lag)]
    return int(np.nanargmax(cc)), float(np.nanmax(cc))


def _quiet(net):
    """Veto the spontaneous reversals (the explore unit's kill neuron fires
    continuously), leaving the reflex spine alone."""
    net.inject("decision.explore.reset", 30.0)
    return net


def test_v1_spine_crawls_forward_with_a_head_to_tail_wave(v1):
    net = _quiet(Network(v1))
    net.run(6000)
    t, _ = net.spikes("decision.locomotion")
    fwd = net.spikes("planning.forward_cpg")[0]
    assert fwd.size > 0 and net.spikes("planning.backward_cpg")[0].size == 0
    d, v = _motor_counts(net, v1, 1500, 6000)
    sig = d - v
    lags = []
    for s in (2, 4, 8):
        lag, corr = _lag(sig[0], sig[s])
        assert corr > 0.3, (s, corr)
        lags.append(lag * 10)
    assert lags[0] < lags[1] < lags[2], lags  # the wave travels from head to tail
    assert 40 <= lags[2] / 8 <= 90, lags  # ~62 ms per segment
    # dorsal and ventral alternate in every segment (100 ms bins)
    d, v = _motor_counts(net, v1, 1500, 6000, binw=100)
    for s in range(N_SEG):
        assert np.corrcoef(d[s], v[s])[0, 1] < -0.3, s
        assert d[s].sum() > 20 and v[s].sum() > 20, s


def test_v1_falling_concentration_triggers_a_reversal(v1):
    net = _quiet(Network(v1))
    net.run(1500)
    fwd_ring = lambda t0, t1: _count(net, "forward", t0, t1)
    bwd_ring = lambda t0, t1: _count(net, "backward", t0, t1)
    assert fwd_ring(1000, 1500) > 0 and bwd_ring(0, 1500) == 0
    net.inject("chemo_off_left", 15.0)
    net.inject("chemo_off_right", 15.0)
    net.run(300)
    net.inject("chemo_off_left", 0.0)
    net.inject("chemo_off_right", 0.0)
    net.run(400)
    assert bwd_ring(1500, 2200) > 0 and fwd_ring(1900, 2200) == 0, "reversal"
    assert _count(net, "planning.backward_cpg", 1500, 2200) > 0
    net.run(1800)
    assert bwd_ring(3300, 4000) == 0 and fwd_ring(3300, 4000) > 0, "the timer ends the reversal"


def _episodes(net, name, t0, t1, gap=100):
    """(start, end) ticks of the bursts of activity of a terminal, split at pauses > gap."""
    b, idx = net._locate(name)
    gid = net.blocks[b].gid[idx]
    t, u = net.spikes()
    s = np.sort(t[(t >= t0) & (t < t1) & np.isin(u, gid)])
    if s.size == 0:
        return []
    cut = np.flatnonzero(np.diff(s) > gap)
    return list(zip(s[np.r_[0, cut + 1]], s[np.r_[cut, s.size - 1]]))


def test_v1_the_timer_ends_every_reversal(v1):
    """A sustained fall keeps klinokinesis firing, but every reversal ends within
    ~1 s (the reversal timer resets the backward ring with the reversal's own
    delayed train and vetoes the triggers for a refractory period), forward
    crawling resumes in between, and a fall during a reversal cannot prolong it
    (klinokinesis is gated by the forward ring). Before the fix a reversal
    could latch for ~14 s."""
    net = _quiet(Network(v1))
    net.run(1500)
    net.inject("chemo_off_left", 15.0)
    net.inject("chemo_off_right", 15.0)
    net.run(10000)
    eps = _episodes(net, "backward", 1500, 11500)
    long = [(a, b) for a, b in eps if b - a > 200]
    assert len(long) >= 4, eps
    assert all(b - a <= 1100 for a, b in eps), eps
    assert 700 <= long[0][1] - long[0][0] <= 1000, long
    assert sum(b - a for a, b in eps) < 0.5 * 10000, "mostly forward despite the sustained fall"
    gaps = [(b1, a2) for (_, b1), (a2, _) in zip(long, long[1:])]
    assert all(a2 - b1 >= 100 for b1, a2 in gaps), gaps
    assert long[1][0] - long[0][1] >= 600, "refractory after the first reversal"
    assert sum(_count(net, "forward", b1, a2) > 0 for b1, a2 in gaps) >= 0.8 * len(gaps), \
        "forward crawling resumes between reversals"
    assert _count(net, "planning.turn", 1500, 11500) > 0, "reversals end with a turn"


def test_v1_explores_unless_the_forward_modulator_vetoes(v1):
    """The explore unit makes spontaneous reversals; a strongly driven forward
    modulator (what joy -> forward drives once learned) vetoes them."""
    net = Network(v1)
    net.run(20000)
    assert len(_episodes(net, "backward", 0, 20000)) >= 4, "spontaneous pirouettes"
    net = Network(v1)
    net.inject("decision.locomotion.modulator_a_in", 60.0)
    net.run(20000)
    assert _count(net, "decision.locomotion.modulator_a_out", 10000, 20000) > 1000  # > 100 Hz
    assert len(_episodes(net, "backward", 1000, 20000)) <= 1, "keep going"


def _count(net, name, t0, t1):
    """Spikes of a terminal or population between ticks t0 and t1."""
    b, idx = net._locate(name)
    gid = net.blocks[b].gid[idx]
    t, u = net.spikes()
    return int(((t >= t0) & (t < t1) & np.isin(u, gid)).sum())
