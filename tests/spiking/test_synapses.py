"""Behaviour of the learning and dynamic synapses of the spiking family against
hand-computed values: plastic (STDP), facilitating/depressing (Tsodyks-Markram),
gated, gap_junction, reward_plastic, developmental.

Spikes are placed exactly with a one-tick kick (see spiking_helpers.fire);
ticks are 1 ms, so exp(-lag/tau) uses lags in ticks."""
from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spiking_helpers import (  # noqa: E402
    brain, delivered, fire, noise, pathway, project, spike_ticks, syn_state, unit_index, weights,
)

from runtime.network import DEFAULT_MODULATORS, Network  # noqa: E402
from runtime.registry import synapse_model  # noqa: E402
from runtime.synapses.short_term import stp_train  # noqa: E402

E = math.exp
STDP = {"A_plus": 0.1, "A_minus": 0.12, "tau_plus": 20.0, "tau_minus": 20.0, "w_min": 0.0, "w_max": 10.0}


def pair_net(synapse: str = "plastic", w: float = 2.0, params: dict | None = None, n_pre: int = 1,
             n_post: int = 1) -> Network:
    """pre -> post, all to all, delay 1, weights too weak to make post fire."""
    b = brain({"pre": n_pre, "post": n_post})
    project(b, "p", "pre", "post", synapse, [(i, j) for i in range(n_pre) for j in range(n_post)], w,
            params={**STDP, **(params or {})})
    return Network(b)


def test_registered_with_flags() -> None:
    expect = {"plastic": (True, False, False), "facilitating": (False, False, False),
              "depressing": (False, False, False), "gated": (True, True, False),
              "gap_junction": (False, False, True), "reward_plastic": (True, False, False),
              "developmental": (True, False, False)}
    for name, (plastic, gate, free) in expect.items():
        m = synapse_model(name)
        assert (m.plastic, m.needs_gate, m.delay_free) == (plastic, gate, free), name
        for var in {**m.params, **m.state}.values():
            assert var.unit and var.doc
    assert synapse_model("gap_junction").couple is not None
    assert DEFAULT_MODULATORS[0] == "reward"  # reward_plastic reads mods[0]


# ----------------------------------------------------------------------------- plastic (STDP)
def test_stdp_ltp_pre_before_post() -> None:
    net = pair_net()
    fire(net, {10: [("pre", 0)], 15: [("post", 0)]}, 20)
    assert list(spike_ticks(net, "pre")) == [10] and list(spike_ticks(net, "post")) == [15]
    expect = 2.0 + 0.1 * E(-5 / 20) * (10.0 - 2.0)
    assert weights(net, "p")[0] == pytest.approx(expect, rel=1e-12)


def test_stdp_ltd_post_before_pre() -> None:
    net = pair_net()
    fire(net, {10: [("post", 0)], 15: [("pre", 0)]}, 20)
    expect = 2.0 - 0.12 * E(-5 / 20) * (2.0 - 0.0)
    assert weights(net, "p")[0] == pytest.approx(expect, rel=1e-12)


def test_stdp_all_pairs_and_same_tick_rule() -> None:
    # pre at 5; pre AND post at 10 (zero lag: not paired); post at 12.
    net = pair_net()
    fire(net, {5: [("pre", 0)], 10: [("pre", 0), ("post", 0)], 12: [("post", 0)]}, 11)
    w10 = 2.0 + 0.1 * E(-5 / 20) * 8.0  # LTP from the pre spike at 5 only; no LTD (post trace 0 before 10)
    assert weights(net, "p")[0] == pytest.approx(w10, rel=1e-12)
    fire(net, {12: [("post", 0)]}, 14)
    # the post spike at 12 pairs with both pre spikes (all-to-all traces)
    w12 = w10 + 0.1 * (E(-7 / 20) + E(-2 / 20)) * (10.0 - w10)
    assert weights(net, "p")[0] == pytest.approx(w12, rel=1e-12)
    # and the post spike at 10 is in the post trace: a pre spike at 20 is depressed by both posts
    fire(net, {20: [("pre", 0)]}, 22)
    w20 = w12 - 0.12 * (E(-10 / 20) + E(-8 / 20)) * w12
    assert weights(net, "p")[0] == pytest.approx(w20, rel=1e-12)


def test_stdp_same_tick_alone_changes_nothing() -> None:
    net = pair_net()
    fire(net, {10: [("pre", 0), ("post", 0)]}, 30)
    assert weights(net, "p")[0] == 2.0


def test_stdp_soft_bounds() -> None:
    # near the upper bound the step shrinks with the distance to w_max
    net = pair_net(w=9.5)
    fire(net, {10: [("pre", 0)], 11: [("post", 0)]}, 13)
    assert weights(net, "p")[0] == pytest.approx(9.5 + 0.1 * E(-1 / 20) * 0.5, rel=1e-12)
    # huge steps (A x > 1) stop exactly at the bounds and never cross them
    net = pair_net(w=5.0, params={"A_plus": 3.0, "A_minus": 3.0, "w_min": 1.0})
    fire(net, {10: [("pre", 0)], 11: [("post", 0)]}, 13)
    assert weights(net, "p")[0] == 10.0
    fire(net, {20: [("post", 0)], 21: [("pre", 0)]}, 23)
    assert weights(net, "p")[0] == 1.0
    # repeated causal pairing saturates below w_max
    net = pair_net(w=1.0, params={"A_plus": 0.5})
    sched = {10 + 20 * k: [("pre", 0)] for k in range(15)}
    sched.update({12 + 20 * k: [("post", 0)] for k in range(15)})
    fire(net, sched, 320)
    assert 9.0 < weights(net, "p")[0] <= 10.0


def test_stdp_negative_weight_keeps_sign() -> None:
    net = pair_net(w=-2.0)
    fire(net, {10: [("pre", 0)], 15: [("post", 0)]}, 20)
    grown = 2.0 + 0.1 * E(-5 / 20) * 8.0
    assert weights(net, "p")[0] == pytest.approx(-grown, rel=1e-12)  # more inhibitory
    fire(net, {30: [("post", 0)], 35: [("pre", 0)]}, 40)
    w30 = grown + 0.1 * E(-20 / 20) * (10.0 - grown)  # the post at 30 still pairs with the pre at 10
    shrunk = w30 - 0.12 * (E(-5 / 20) + E(-20 / 20)) * w30  # posts at 30 and 15 both in the trace
    assert weights(net, "p")[0] == pytest.approx(-shrunk, rel=1e-12)
    # strong depression drives |w| to w_min = 0 from below, never across zero
    net = pair_net(w=-2.0, params={"A_minus": 5.0})
    fire(net, {10: [("post", 0)], 11: [("pre", 0)], 20: [("post", 0)], 21: [("pre", 0)]}, 23)
    w = weights(net, "p")[0]
    assert w == 0.0 and math.copysign(1.0, w) == -1.0  # -0.0: the sign bit keeps it inhibitory
    fire(net, {30: [("pre", 0)], 31: [("post", 0)]}, 33)
    assert weights(net, "p")[0] < 0.0  # potentiation from 0 grows it as inhibitory again


def test_stdp_post_sweep_touches_only_that_post_units_synapses() -> None:
    net = pair_net(n_pre=3, n_post=2)
    fire(net, {10: [("pre", 0), ("pre", 2)], 14: [("post", 1)]}, 16)
    pre, post, w = net.weights("p")
    x = 0.1 * E(-4 / 20) * 8.0
    expect = {(0, 0): 2.0, (0, 1): 2.0 + x, (1, 0): 2.0, (1, 1): 2.0, (2, 0): 2.0, (2, 1): 2.0 + x}
    for a, c, v in zip(pre, post, w):
        assert v == pytest.approx(expect[(a, c)], rel=1e-12)
    pw, _ = pathway(net, "p")
    assert pw.cscptr.shape[0] == net.blocks[pw.post].n + 1  # plastic: CSC index built


def test_stdp_traces_are_event_driven() -> None:
    """Traces change only at spikes of their own synapses (scaled to t_ref, no per-tick decay)."""
    from runtime.synapses.plastic import traces

    net = pair_net(n_pre=2)
    fire(net, {10: [("pre", 0)]}, 500)
    assert list(syn_state(net, "p", "z_pre")) == [E(10 / 20), 0.0]  # t_ref = 0
    pw, _ = pathway(net, "p")
    x_pre, x_post = traces(pw, 499)
    assert x_pre[0] == pytest.approx(E(-489 / 20), rel=1e-12) and x_pre[1] == 0.0 and not x_post.any()


def test_stdp_exact_across_rescaling() -> None:
    """The scaled traces are rescaled once (t - t_ref) dt / tau passes 256: at
    tick 5121 for tau = 20 ms; pairings around it keep their exact values."""
    net = pair_net()
    fire(net, {5100: [("pre", 0)], 5130: [("post", 0)], 5140: [("pre", 0)]}, 5141)
    pw, _ = pathway(net, "p")
    assert pw.X[0] == 5121.0  # t_ref moved
    w1 = 2.0 + 0.1 * E(-30 / 20) * 8.0
    w2 = w1 - 0.12 * E(-10 / 20) * w1
    assert weights(net, "p")[0] == pytest.approx(w2, rel=1e-12)
    assert np.all(np.abs(pw.S[:2]) < 1e3)


# ----------------------------------------------------------------------------- short-term plasticity
TRAIN = [10, 30, 40, 45, 60, 100, 400, 2400]


@pytest.mark.parametrize("model,params", [
    ("depressing", {"U": 0.5, "tau_rec": 800.0, "tau_fac": 0.0}),
    ("facilitating", {"U": 0.16, "tau_rec": 45.0, "tau_fac": 376.0}),
    ("facilitating", {"U": 0.3, "tau_rec": 200.0, "tau_fac": 100.0}),
])
def test_stp_amplitudes_follow_recursion(model: str, params: dict) -> None:
    b = brain({"pre": 1, "post": 1})
    project(b, "p", "pre", "post", model, [(0, 0)], 0.7, delay=2, params=params)
    net = Network(b)
    got = fire(net, {t: [("pre", 0)] for t in TRAIN}, TRAIN[-1] + 3, probe=("post", 0))
    amps = got[np.array(TRAIN) + 2]
    want = stp_train(0.7, params["U"], params["tau_fac"], params["tau_rec"], TRAIN)
    np.testing.assert_allclose(amps, want, rtol=1e-12)
    assert amps[0] == 0.7  # first spike after rest: exactly w
    assert np.count_nonzero(got) == len(TRAIN)
    # hand check of the second spike (20 ms after the first)
    U, tf, tr = params["U"], params["tau_fac"], params["tau_rec"]
    u2 = U + U * (E(-20 / tf) if tf > 0 else 0.0) * (1 - U)
    x2 = 1 - (1 - (1 - U)) * E(-20 / tr)
    assert amps[1] == pytest.approx(0.7 * u2 * x2 / U, rel=1e-12)
    if model == "depressing":
        assert np.all(amps[1:5] < 0.7)
        assert amps[-1] > 0.9 * 0.7  # mostly recovered after 2 s
    elif params["U"] < 0.2:
        assert amps[2] > 0.7  # facilitation after a short interval


def test_stp_inhibitory_routing() -> None:
    b = brain({"pre": 1, "post": 1})
    project(b, "p", "pre", "post", "depressing", [(0, 0)], -1.5)
    net = Network(b)
    fire(net, {5: [("pre", 0)]}, 6)
    # izhikevich has one input row: the inhibitory weight arrives as a negative current
    assert list(delivered(net, "post", 0)) == [-1.5]


# ----------------------------------------------------------------------------- gated
def gated_net(window: float = 5.0, params: dict | None = None) -> Network:
    b = brain({"pre": 1, "post": 1, "gate": 2})
    project(b, "p", "pre", "post", "gated", [(0, 0)], 3.0,
            params={"gate_unit": np.array([1.0]), "window": window, **(params or {})}, gate="gate")
    return Network(b)


def test_gated_transmits_only_within_window() -> None:
    net = gated_net(window=5.0)
    sched = {10: [("pre", 0)],                    # gate never active: blocked
             20: [("gate", 0)], 21: [("pre", 0)],  # the other gate unit: still blocked
             30: [("gate", 1)], 34: [("pre", 0)],  # 4 ticks after its gate: open
             35: [("pre", 0)],                     # 5 ticks after: closed (window 5)
             50: [("gate", 1), ("pre", 0)]}        # same tick: open
    got = fire(net, sched, 60, probe=("post", 0))
    assert list(np.flatnonzero(got)) == [35, 51]
    assert got[35] == 3.0 and got[51] == 3.0


def test_gated_window_one_is_same_tick_only() -> None:
    net = gated_net(window=1.0)
    got = fire(net, {10: [("gate", 1)], 11: [("pre", 0)], 20: [("gate", 1), ("pre", 0)]}, 25,
               probe=("post", 0))
    assert list(np.flatnonzero(got)) == [21]


def test_gated_learning_only_while_open() -> None:
    net = gated_net(window=10.0, params={**STDP})
    # causal pair with the gate closed: no change (but the traces follow the spikes)
    fire(net, {10: [("pre", 0)], 15: [("post", 0)]}, 40)
    assert weights(net, "p")[0] == 3.0
    # gate opens at 50: the pre spike at 52 is depressed by the post trace (post at 15),
    # the post spike at 55 potentiated by both pre spikes (10 and 52)
    fire(net, {50: [("gate", 1)], 52: [("pre", 0)], 55: [("post", 0)]}, 60)
    w52 = 3.0 - 0.12 * E(-37 / 20) * 3.0
    w55 = w52 + 0.1 * (E(-3 / 20) + E(-45 / 20)) * (10.0 - w52)
    assert weights(net, "p")[0] == pytest.approx(w55, rel=1e-12)
    # closed again 10 ticks after the gate spike
    fire(net, {70: [("pre", 0)], 72: [("post", 0)]}, 75)
    assert weights(net, "p")[0] == pytest.approx(w55, rel=1e-12)


def test_gated_from_recipe(tmp_path: Path) -> None:
    from brainc.compiler import compile_ir

    recipe = tmp_path / "gated.yaml"
    recipe.write_text(textwrap.dedent("""
        name: gated_test
        seed: 1
        dt: 1.0
        populations:
          - {name: a, model: izhikevich, size: 2}
          - {name: b, model: izhikevich, size: 2}
          - {name: g, model: izhikevich, size: 3}
        projections:
          - {name: ab, from: a, to: b, rule: one_to_one, synapse: gated, weight: 2.0, gate: "g[1:3]",
             params: {window: 3}}
    """))
    net = Network(compile_ir(recipe))
    pw, _ = pathway(net, "ab")
    assert list(pw.P[list(pw.model.params).index("gate_unit")]) == [
        unit_index(net, "g", 1)[1], unit_index(net, "g", 2)[1]]
    got = fire(net, {10: [("g", 2)], 11: [("a", 1)], 12: [("a", 0)]}, 15, probe=("b", 1))
    assert list(np.flatnonzero(got)) == [12]
    got0 = fire(net, {20: [("g", 1)], 21: [("a", 0)]}, 25, probe=("b", 0))
    assert list(np.flatnonzero(got0)) == [22]


# ----------------------------------------------------------------------------- gap junction
def gap_net(g: float) -> Network:
    b = brain({"a": 1, "b": 1})
    project(b, "gj", "a", "b", "gap_junction", [(0, 0)], g, delay=0)
    return Network(b)


def test_gap_junction_currents_symmetric() -> None:
    net = gap_net(0.1)
    net.set_state("a", "v", -60.0)
    net.set_state("b", "v", -70.0)
    net.run(1)
    ba, ia = unit_index(net, "a", 0)
    bb, ib = unit_index(net, "b", 0)
    assert net.blocks[bb].I[0, ib] == pytest.approx(0.1 * 10.0, rel=1e-12)
    assert net.blocks[ba].I[0, ia] == pytest.approx(-0.1 * 10.0, rel=1e-12)
    # the sign of the weight is ignored (conductance)
    net = gap_net(-0.1)
    net.set_state("a", "v", -60.0)
    net.set_state("b", "v", -70.0)
    net.run(1)
    assert net.blocks[bb].I[0, ib] == pytest.approx(1.0, rel=1e-12)


def test_gap_junction_equalises_voltages() -> None:
    def gap_after(g: float, ticks: int) -> float:
        net = gap_net(g)
        net.set_state("a", "v", -55.0)
        net.set_state("b", "v", -75.0)
        net.run(ticks)
        return abs(float(net.state("a", "v")[0] - net.state("b", "v")[0]))

    assert gap_after(0.2, 5) < 0.5 * gap_after(0.0, 5)
    # a depolarised cell pulls its coupled partner up (no spikes: input below rheobase)
    def settled(g: float) -> tuple[float, float]:
        net = gap_net(g)
        net.inject("a", 3.0)
        net.run(300)
        assert len(net.spikes()[0]) == 0
        return float(net.state("a", "v")[0]), float(net.state("b", "v")[0])

    va0, vb0 = settled(0.0)
    va, vb = settled(0.3)
    assert vb > vb0 + 0.1 * (va0 - vb0)
    assert 0.0 < va - vb < 0.6 * (va0 - vb0)


# ----------------------------------------------------------------------------- reward_plastic
RP = {"A_plus": 0.1, "A_minus": 0.12, "tau_plus": 20.0, "tau_minus": 20.0, "w_min": 0.0, "w_max": 10.0,
      "tau_e": 1000.0, "lr": 2.0}


def elig(net: Network, t: int) -> float:
    """Eligibility of the single synapse of projection "p" at tick t."""
    from runtime.synapses.reward_plastic import eligibility

    pw, sel = pathway(net, "p")
    return float(eligibility(pw, t)[sel][0])


def reward_net(w: float = 2.0) -> Network:
    b = brain({"pre": 1, "post": 1})
    project(b, "p", "pre", "post", "reward_plastic", [(0, 0)], w, params=RP)
    return Network(b)


@pytest.mark.parametrize("m", [0.5, -0.5])
def test_reward_changes_weight_by_lr_e_m(m: float) -> None:
    net = reward_net()
    fire(net, {10: [("pre", 0)], 15: [("post", 0)]}, 100)
    e15 = 0.1 * E(-5 / 20)
    assert elig(net, 15) == pytest.approx(e15, rel=1e-12)
    assert elig(net, 99) == pytest.approx(e15 * E(-84 / 1000), rel=1e-12)  # decays with tau_e
    assert weights(net, "p")[0] == 2.0  # pairing alone does not change w
    net.reward(m)
    net.run(1)  # the reward acts in tick 100's learn phase
    e100 = e15 * E(-85 / 1000)
    assert weights(net, "p")[0] == pytest.approx(2.0 + 2.0 * e100 * m, rel=1e-12)
    w_after = weights(net, "p")[0]
    net.run(200)  # one-tick pulse: no further change
    assert net.modulator("reward") == 0.0
    assert weights(net, "p")[0] == w_after
    if m < 0:
        assert w_after < 2.0


def test_reward_without_reward_nothing_and_acausal_depresses() -> None:
    net = reward_net()
    fire(net, {10: [("post", 0)], 13: [("pre", 0)]}, 50)
    assert weights(net, "p")[0] == 2.0
    e = -0.12 * E(-3 / 20)
    assert elig(net, 13) == pytest.approx(e, rel=1e-12)
    net.reward(1.0)
    net.run(1)
    assert weights(net, "p")[0] == pytest.approx(2.0 + 2.0 * e * E(-37 / 1000), rel=1e-12)


def test_reward_clips_and_keeps_sign() -> None:
    net = reward_net(w=-9.9)
    fire(net, {10: [("pre", 0)], 11: [("post", 0)]}, 12)
    net.reward(100.0)
    net.run(1)
    assert weights(net, "p")[0] == -10.0  # |w| clipped at w_max, still inhibitory
    net.reward(-1000.0)
    net.run(1)
    w = weights(net, "p")[0]
    assert w == 0.0 and math.copysign(1.0, w) == -1.0


# ----------------------------------------------------------------------------- developmental
def dev_net(critical_end: float, z: float, stdp: dict | None = None) -> Network:
    """src[0] drives every post unit (w 40, fires ~12 Hz); src[1:] fire
    independently (noise, ~16 Hz) through weak synapses: dense src -> post."""
    b = brain({"src": 21, "post": 4})
    pairs = [(i, j) for i in range(21) for j in range(4)]
    w = [40.0 if i == 0 else 0.5 for i, _ in pairs]
    params = {"A_plus": 0.0, "A_minus": 0.0, "critical_start": 0.0, "critical_end": critical_end,
              "eval_interval": 2000.0, "window": 10.0, "z": z, "w_max": 50.0, **(stdp or {})}
    project(b, "d", "src", "post", "developmental", pairs, w, params=params)
    noise(b, "noise", "src", range(1, 21), 0.0, 12.0)
    net = Network(b)
    inj = np.zeros(21)
    inj[0] = 6.0
    net.inject("src", inj)
    return net


def alive_by_pre(net: Network) -> np.ndarray:
    return syn_state(net, "d", "alive").reshape(21, 4)


def test_developmental_prunes_uncorrelated_keeps_correlated() -> None:
    net = dev_net(critical_end=8000.0, z=1.0)
    net.run(2001)  # first evaluation at tick 2000
    alive = alive_by_pre(net)
    assert alive[0].all()
    first = int(alive[1:].sum())
    assert first < 0.5 * 80  # z = 1 prunes most chance-level synapses at once
    # counters were reset at the evaluation: 1 tick of data only
    assert syn_state(net, "d", "n_pre").max() <= 1.0
    net.run(6000)
    alive = alive_by_pre(net)
    assert alive[0].all() and alive[1:].sum() <= 2
    _, _, w = net.weights("d")
    assert np.all(w[syn_state(net, "d", "alive") == 0.0] == 0.0)
    # pruned synapses transmit nothing: post input is the driver's only
    assert len(spike_ticks(net, "post")) > 50


def test_developmental_statistic_matches_counts() -> None:
    """Recompute counters and the pruning decision of the first window from the spike trains."""
    from runtime.synapses.developmental import survives

    net = dev_net(critical_end=2000.0, z=0.0)
    net.run(2000)  # ticks 0..1999; counters were reset at tick 0, so they hold ticks 1..1999
    t_src, u_src = net.spikes("src")
    t_post, u_post = net.spikes("post")
    post0 = t_post[(u_post == 0) & (t_post > 0)]
    n_co = syn_state(net, "d", "n_co").reshape(21, 4)
    n_pre = syn_state(net, "d", "n_pre").reshape(21, 4)
    n_post = syn_state(net, "d", "n_post").reshape(21, 4)

    def coincidences(i: int, posts: np.ndarray) -> int:
        pre = t_src[u_src == i]
        return sum(1 for tp in posts if np.any((tp - pre >= 1) & (tp - pre <= 10)))

    for i in range(21):
        assert n_pre[i, 0] == np.count_nonzero((u_src == i) & (t_src > 0))
        assert n_post[i, 0] == len(post0)
        assert n_co[i, 0] == coincidences(i, post0)
    net.run(1)  # tick 2000: its spikes are counted, then the window (T = 2000 ticks) is tested
    t_src, u_src = net.spikes("src")
    t_post, u_post = net.spikes("post")
    post0 = t_post[(u_post == 0) & (t_post > 0)]
    keep = alive_by_pre(net)
    assert keep[0].all()
    decided = []
    for i in range(21):
        want = survives(float(coincidences(i, post0)), float(np.count_nonzero((u_src == i) & (t_src > 0))),
                        float(len(post0)), 2000.0, 10.0, 0.0)
        assert bool(keep[i, 0]) == want
        decided.append(want)
    assert 0 < sum(decided[1:]) < 20


def test_developmental_stops_after_critical_period_and_survivors_learn() -> None:
    net = dev_net(critical_end=2000.0, z=0.0, stdp={"A_plus": 0.05, "A_minus": 0.05})
    net.run(2001)
    alive = syn_state(net, "d", "alive")
    assert 0 < alive[4:].sum() < 80  # z = 0: roughly half survive one evaluation
    w_mid = weights(net, "d").copy()
    net.run(8000)
    assert np.array_equal(syn_state(net, "d", "alive"), alive)  # topology fixed
    assert syn_state(net, "d", "n_pre").max() == 0.0  # nothing counted any more
    w_end = weights(net, "d")
    live = alive == 1.0
    assert np.any(w_end[live] != w_mid[live])  # survivors keep learning (STDP)
    assert np.all(w_end[~live] == 0.0)


def test_developmental_compact() -> None:
    from runtime.synapses.developmental import compact

    net = dev_net(critical_end=4000.0, z=1.0)
    net.run(4001)
    n_alive = int(syn_state(net, "d", "alive").sum())
    removed = compact(net)
    assert removed == 84 - n_alive
    pre, post, w = net.weights("d")
    assert pre.size == n_alive and np.all(syn_state(net, "d", "alive") == 1.0)
    net.run(500)  # keeps running on the compacted arrays
    assert len(spike_ticks(net, "post")) > 0


# ----------------------------------------------------------------------------- checkpoints
def test_learning_state_survives_checkpoint(tmp_path: Path) -> None:
    """All learning state lives in w, S and X: a resumed run matches an uninterrupted one."""
    from runtime import resume

    def make() -> Network:
        b = brain({"src": 12, "dst": 6, "gate": 1})
        allp = [(i, j) for i in range(12) for j in range(6)]
        project(b, "pl", "src", "dst", "plastic", allp, 1.5, delay=2, params={**STDP, "A_plus": 0.05})
        project(b, "rp", "src", "dst", "reward_plastic", allp, -0.8, params=RP)
        project(b, "dv", "src", "dst", "developmental", allp, 0.7,
                params={"critical_start": 100.0, "critical_end": 900.0, "eval_interval": 200.0, "z": 0.0})
        project(b, "fa", "src", "dst", "facilitating", allp, 0.6, delay=3)
        project(b, "gt", "src", "dst", "gated", allp, 0.9,
                params={"gate_unit": np.zeros(len(allp)), "A_plus": 0.05, "A_minus": 0.05}, gate="gate")
        project(b, "gj", "dst", "dst", "gap_junction", [(0, 1), (2, 3)], 0.05, delay=0)
        noise(b, "n1", "src", range(12), 2.0, 9.0)
        noise(b, "n2", "dst", range(6), 2.0, 9.0)
        noise(b, "n3", "gate", range(1), 2.0, 9.0)
        return Network(b, seed=5)

    def drive(net: Network, until: int) -> None:
        while net.t < until:
            net.run(min(150, until - net.t))
            net.reward(0.3 if (net.t // 150) % 2 else -0.2)

    a = make()
    drive(a, 1200)
    b = make()
    drive(b, 600)
    b.checkpoint(tmp_path / "ck.db")
    c = resume(tmp_path / "ck.db")
    drive(c, 1200)
    assert len(a.spikes()[0]) > 200
    for proj in ("pl", "rp", "dv", "fa", "gt"):
        np.testing.assert_array_equal(a.weights(proj)[2], c.weights(proj)[2], err_msg=proj)
    for pa, pc in zip(a.pathways, c.pathways):
        np.testing.assert_array_equal(pa.S, pc.S)
        np.testing.assert_array_equal(pa.X, pc.X)
    assert not np.array_equal(a.weights("pl")[2], 1.5)  # it did learn
    assert 0 < syn_state(a, "dv", "alive").sum() < 72  # and pruned (4 evaluations, z = 0)
