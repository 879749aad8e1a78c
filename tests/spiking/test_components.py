"""Behavioural tests of the spiking component library (components/, components/sub/).

Every component is placed once (working_memory_cell twice) as its own group in
one layer of a single test brain, so the whole library shares one compiled
tick loop; each test starts a fresh Network on that brain, drives the
component's terminals with ``net.inject`` and reads node rates from
``net.spikes`` (units are mapped to nodes with ``Population.unit_meta``).
Groups are not connected to each other, so tests do not interact.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from brainc.compiler import compile_ir
from brainc.loader import LIBRARY
from brainc.recipe import ComponentSpec
from runtime.network import Network

SYNAPSE_TYPES = ("fixed", "plastic", "facilitating", "depressing", "gated", "gap_junction")

CIRCUITS = sorted(p.stem for p in LIBRARY.glob("*.yaml"))
SUBS = sorted(p.stem for p in (LIBRARY / "sub").glob("*.yaml"))
COUNTS = {"working_memory_cell": 2}


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def brain(tmp_path_factory):
    names = CIRCUITS + SUBS
    rec = {
        "name": "component_library", "seed": 3,
        "layers": [{"name": "L", "extent": [40.0, 40.0], "components": [
            {"component": n, "count": COUNTS.get(n, 1), "name": n} for n in names]}],
        "terminals": {"cue0": "L.working_memory_cell[0].assoc_in",
                      "cue1": "L.working_memory_cell[1].assoc_in",
                      "set0": "L.working_memory_cell[0].set"},
    }
    path = tmp_path_factory.mktemp("lib") / "library.yaml"
    path.write_text(yaml.safe_dump(rec, sort_keys=False))
    return compile_ir(path)


class Rig:
    """A fresh network on the library brain, addressed by component name."""

    def __init__(self, brain, comp: str) -> None:
        self.b = brain
        self.net = Network(brain)
        self.comp = comp
        self.pop = brain.population(f"L.{comp}")

    def inject(self, terminal: str, value: float) -> "Rig":
        self.net.inject(f"L.{self.comp}.{terminal}", value)
        return self

    def run(self, ticks: int) -> "Rig":
        self.net.run(ticks)
        return self

    @property
    def t(self) -> int:
        return self.net.t

    def _units(self, node: str, inst: int | None) -> np.ndarray:
        k = self.pop.origin["nodes"].index(node)
        m = self.pop.unit_meta["node"] == k
        if inst is not None:
            m &= self.pop.unit_meta["instance"] == inst
        return np.flatnonzero(m)

    def spikes(self, node: str, inst: int | None = None) -> np.ndarray:
        t, u = self.net.spikes(self.pop.name)
        return t[np.isin(u, self._units(node, inst))]

    def rate(self, node: str, t0: int, t1: int, inst: int | None = None) -> float:
        """Mean rate (Hz) per unit of ``node`` over ticks [t0, t1)."""
        s = self.spikes(node, inst)
        n = self._units(node, inst).size
        return float(((s >= t0) & (s < t1)).sum()) / n / (t1 - t0) * 1000.0

    def step(self, terminal: str, value: float, ticks: int) -> tuple[int, int]:
        """Inject ``value`` for ``ticks`` ticks, then remove it; returns the window."""
        t0 = self.t
        self.inject(terminal, value).run(ticks).inject(terminal, 0.0)
        return t0, self.t


@pytest.fixture
def rig(brain):
    return lambda comp: Rig(brain, comp)


# ----------------------------------------------------------------------------- the library itself
def test_library_size_and_documentation():
    assert len(CIRCUITS) >= 11, CIRCUITS
    assert len(SUBS) >= 21, SUBS
    for name in ("sensory_bank", "binary_decision", "working_memory_cell", "emotional_state",
                 "mechanosensory", "forward_cpg", "backward_cpg", "head_steering", "cross_inhibition",
                 "timer"):
        assert name in CIRCUITS
    assert {"bistable_ring", "bistable_latch"} <= set(SUBS)
    for folder, names in ((LIBRARY, CIRCUITS), (LIBRARY / "sub", SUBS)):
        for n in names:
            spec = ComponentSpec.model_validate(yaml.safe_load((folder / f"{n}.yaml").read_text()))
            assert spec.component == n
            assert len(spec.description) > 150, f"{n}: description too short"
            assert spec.terminals, f"{n}: no terminals"
            for term in spec.terminals:
                assert term in spec.description, f"{n}: terminal {term!r} not described"


def test_required_terminals():
    need = {
        "sensory_bank": {"channel_in", "out"},
        "binary_decision": {"sensory_a_in", "sensory_b_in", "modulator_a_in", "modulator_b_in", "out_a", "out_b"},
        "working_memory_cell": {"set", "reset", "assoc_in", "recall_out"},
        "forward_cpg": {"drive", "dorsal_out", "ventral_out"},
        "backward_cpg": {"drive", "dorsal_out", "ventral_out"},
    }
    for comp, terms in need.items():
        spec = yaml.safe_load((LIBRARY / f"{comp}.yaml").read_text())
        assert terms <= set(spec["terminals"]), comp


def test_neuron_makeup(brain):
    from runtime.models.izhikevich import TYPE_CODES

    code = {v: k for k, v in TYPE_CODES.items()}
    types = lambda comp: [code[int(c)] for c in brain.population(f"L.{comp}").unit_meta["type"]]
    assert sorted(types("sensory_bank")) == ["RS", "RS", "RS"]
    dec = brain.population("L.binary_decision")
    assert types("binary_decision").count("CH") == 6  # two rings of three
    assert "bistable_ring" not in dec.origin["nodes"]
    wmc = types("working_memory_cell")[:8]
    assert wmc.count("CH") == 3 and wmc.count("FS") == 1 and wmc.count("RS") == 4
    mix = {p.synapse for p in brain.projections if p.pre == "L.sensory_bank"}
    assert mix == {"gap_junction", "depressing", "fixed"}


# ----------------------------------------------------------------------------- circuits
def test_sensory_bank_rate_grows_with_input_and_adapts(rig):
    r = rig("sensory_bank").run(200)
    steady, onset = [], []
    for current in (5.0, 10.0, 20.0):
        t0, _ = r.step("channel_in", current, 1000)
        onset.append(r.rate("output", t0, t0 + 150))
        steady.append(r.rate("output", t0 + 500, t0 + 1000))
        r.run(1500)  # rest: the depressing synapses recover
    assert steady[0] > 3 and steady[0] < steady[1] < steady[2]
    assert onset[2] > 1.3 * steady[2]  # adaptation within a step
    assert r.rate("output", r.t - 1000, r.t) == 0.0


def test_binary_decision_commits_to_stronger_input_and_holds(rig):
    for strong, weak, win, lose in (("sensory_a_in", "sensory_b_in", "ring_a.ring", "ring_b.ring"),
                                    ("sensory_b_in", "sensory_a_in", "ring_b.ring", "ring_a.ring")):
        r = rig("binary_decision").run(100)
        r.inject(strong, 8.0).inject(weak, 6.0).run(300)
        r.inject(strong, 0.0).inject(weak, 0.0).run(1500)
        assert r.rate(win, r.t - 1200, r.t) > 80, "the winner holds after the inputs stop"
        assert r.rate(lose, 200, r.t) == 0.0


def test_binary_decision_modulator_bias_override_and_reset(rig):
    for mod, win in (("modulator_a_in", "ring_a.ring"), ("modulator_b_in", "ring_b.ring")):
        r = rig("binary_decision").run(100)
        r.inject(mod, 10.0).inject("sensory_a_in", 7.0).inject("sensory_b_in", 7.0).run(400)
        assert r.rate(win, 400, 500) > 80, mod
    r = rig("binary_decision").run(100)
    r.inject("sensory_a_in", 8.0).run(300).inject("sensory_a_in", 3.0).run(300)
    assert r.rate("ring_a.ring", 300, 700) > 80
    t0, _ = r.step("sensory_b_in", 8.0, 500)  # moderate contrary evidence: no change of mind
    assert r.rate("ring_a.ring", t0, r.t) > 80 and r.rate("ring_b.ring", t0, r.t) == 0.0
    r.step("sensory_b_in", 30.0, 100)  # strong contrary evidence overturns
    r.run(500)
    assert r.rate("ring_b.ring", r.t - 400, r.t) > 80 and r.rate("ring_a.ring", r.t - 400, r.t) == 0.0
    r.step("reset_b", 10.0, 5)  # reset b: the weak tonic a input takes over again
    r.run(700)
    assert r.rate("ring_b.ring", r.t - 500, r.t) == 0.0 and r.rate("ring_a.ring", r.t - 500, r.t) > 80


def test_working_memory_cell_sets_holds_resets_and_recalls(rig):
    r = rig("working_memory_cell")
    net = r.net
    r.run(100)
    assert r.rate("bit.ring", 0, 100) == 0.0
    for _ in range(3):  # the cue is active while the memory is set
        net.inject("cue0", 10.0)
        r.run(20)
        net.inject("set0", 10.0)
        r.run(100)
        net.inject("set0", 0.0)
        net.inject("cue0", 0.0)
        r.run(300)
        assert r.rate("bit.ring", r.t - 250, r.t, inst=0) > 80, "holds after set"
        assert r.rate("readout", r.t - 250, r.t, inst=0) > 10
        r.step("reset", 10.0, 5)
        r.run(200)
        assert r.rate("bit.ring", r.t - 150, r.t, inst=0) == 0.0, "reset clears"
    net.inject("cue0", 10.0)
    net.inject("cue1", 10.0)  # cell 1's context was never paired with a set
    r.run(300)
    net.inject("cue0", 0.0)
    net.inject("cue1", 0.0)
    r.run(500)
    assert r.rate("bit.ring", r.t - 400, r.t, inst=0) > 80, "the paired context recalls the memory"
    assert r.rate("bit.ring", r.t - 400, r.t, inst=1) == 0.0, "an unpaired context does not"
    assert r.rate("readout", r.t - 400, r.t, inst=0) > 10


def test_emotional_state_persists_flips_and_calms(rig):
    r = rig("emotional_state").run(200)
    r.step("positive_in", 30.0, 2)  # one volley: not enough evidence
    r.run(300)
    assert r.rate("pos.latch", 200, r.t) == 0.0
    r.step("positive_in", 10.0, 300)
    r.run(1000)
    assert r.rate("pos.latch", r.t - 800, r.t) > 80 and r.rate("arousal", r.t - 800, r.t) > 5
    r.step("negative_in", 10.0, 300)
    r.run(1000)
    assert r.rate("neg.latch", r.t - 800, r.t) > 80 and r.rate("pos.latch", r.t - 800, r.t) == 0.0
    r.step("reset", 10.0, 5)
    r.run(500)
    assert r.rate("neg.latch", r.t - 400, r.t) == 0.0 and r.rate("arousal", r.t - 400, r.t) == 0.0


def test_mechanosensory_separates_ends_and_needs_sustained_touch(rig):
    r = rig("mechanosensory").run(200)
    t0, t1 = r.step("anterior_in", 10.0, 500)
    assert r.rate("ant_int", t0, t1) > 10 and r.rate("post_int", t0, t1) == 0.0
    assert r.rate("any", t0, t1) > 5
    r.run(300)
    t0, t1 = r.step("posterior_in", 10.0, 500)
    assert r.rate("post_int", t0, t1) > 10 and r.rate("ant_int", t0, t1) == 0.0


def _alternation(r: Rig, t0: int, t1: int, binw: int = 50) -> tuple[float, float]:
    """(correlation of dorsal and ventral binned counts, dominant period in ms)."""
    bins = np.arange(t0, t1 + 1, binw)
    d = np.histogram(r.spikes("dorsal"), bins)[0].astype(float)
    v = np.histogram(r.spikes("ventral"), bins)[0].astype(float)
    x = d - v
    spec = np.abs(np.fft.rfft(x - x.mean()))
    k = int(spec[1:].argmax()) + 1
    return float(np.corrcoef(d, v)[0, 1]), len(x) * binw / k


@pytest.mark.parametrize("comp, lo, hi", [("forward_cpg", 800, 1300), ("backward_cpg", 400, 800)])
def test_cpg_alternates_dorsal_ventral(rig, comp, lo, hi):
    r = rig(comp).run(300)
    assert r.rate("dorsal", 0, 300) == 0.0 and r.rate("ventral", 0, 300) == 0.0, "silent without drive"
    r.inject("drive", 10.0).run(5000)
    corr, period = _alternation(r, 1300, 5300)
    assert corr < -0.4, "dorsal and ventral alternate"
    assert lo <= period <= hi, period
    assert r.rate("dorsal", 1300, 5300) > 5 and r.rate("ventral", 1300, 5300) > 5
    r.inject("drive", 0.0).run(1000)
    assert r.rate("dorsal", r.t - 800, r.t) == 0.0 and r.rate("ventral", r.t - 800, r.t) == 0.0


def test_forward_rhythm_is_slower_than_backward(rig):
    periods = []
    for comp in ("forward_cpg", "backward_cpg"):
        r = rig(comp).inject("drive", 10.0).run(5300)
        periods.append(_alternation(r, 1300, 5300)[1])
    assert periods[0] > 1.4 * periods[1]


def test_head_steering_follows_the_stronger_side(rig):
    r = rig("head_steering").run(100)
    r.inject("left_in", 10.0).inject("right_in", 7.0).run(1500)
    assert r.rate("dorsal", 300, r.t) > 1.2 * r.rate("ventral", 300, r.t)
    t0 = r.t
    r.inject("left_in", 7.0).inject("right_in", 10.0).run(1500)
    assert r.rate("ventral", t0 + 300, r.t) > 1.2 * r.rate("dorsal", t0 + 300, r.t)


def test_cross_inhibition_suppresses_the_weaker_side(rig):
    solo = rig("cross_inhibition")
    solo.inject("b_in", 7.0).run(1500)
    b_alone = solo.rate("out_b", 300, 1500)
    r = rig("cross_inhibition")
    r.inject("a_in", 10.0).inject("b_in", 7.0).run(1500)
    a, b = r.rate("out_a", 300, 1500), r.rate("out_b", 300, 1500)
    assert b_alone > 10
    assert b < 0.6 * b_alone, "the weaker side is suppressed"
    assert b < 0.6 * a, "and loses clearly against the stronger one"
    lone = rig("cross_inhibition")
    lone.inject("a_in", 10.0).run(1500)
    assert lone.rate("out_a", 300, 1500) > 15 and lone.rate("out_b", 0, 1500) == 0.0


def test_timer_fires_after_its_delay_and_can_be_cancelled(rig):
    r = rig("timer").run(100)
    r.step("start", 20.0, 3)
    r.run(1500)
    out = r.spikes("output")
    assert out.size >= 1 and 800 <= out[0] - 100 <= 1000, out
    hold = r.spikes("hold")
    assert hold.size >= 4 and hold.min() >= out[0] and hold.max() - out[0] < 60, "each output spike is stretched"
    r = rig("timer").run(100)
    r.step("start", 20.0, 3)
    r.run(400)
    r.step("reset", 10.0, 5)
    r.run(1200)
    assert r.spikes("output").size == 0 and r.spikes("hold").size == 0, "a reset timer stays silent"


def test_timer_delays_a_whole_train(rig):
    """A sustained start (a state that drives the timer) comes out ~0.85 s later
    for as long as it lasted, as a near-continuous train (the refractory period
    of a state whose reset is driven by out)."""
    r = rig("timer").run(100)
    r.step("start", 20.0, 1000)  # ticks 100..1100
    r.run(2000)
    hold = r.spikes("hold")
    assert 850 <= hold.min() - 100 <= 1000, hold.min()
    assert 1000 - 150 <= hold.max() - hold.min() <= 1000 + 150, (hold.min(), hold.max())
    assert r.rate("hold", hold.min() + 50, hold.max() - 50) > 60, "near-continuous"
    bins = np.histogram(hold, np.arange(hold.min(), hold.max(), 25))[0]
    assert (bins > 0).mean() > 0.9, bins


def test_motor_segment_routes_waves_and_steering(rig):
    r = rig("motor_segment").run(100)
    t0, t1 = r.step("fwd_dorsal_in", 10.0, 500)
    assert r.rate("mn_d.mn", t0, t1) > 10 and r.rate("mn_v.mn", t0, t1) == 0.0
    assert r.rate("fwd_d.cell", t0, t1) > 10  # the relay is the chain output
    r.run(300)
    t0, t1 = r.step("bwd_ventral_in", 10.0, 500)
    assert r.rate("mn_v.mn", t0, t1) > 10 and r.rate("mn_d.mn", t0, t1) < 0.2 * r.rate("mn_v.mn", t0, t1)
    r.run(300)
    t0, t1 = r.step("steer_dorsal_in", 10.0, 500)
    assert r.rate("mn_d.mn", t0, t1) > 5 and r.rate("mn_v.mn", t0, t1) < 0.2 * r.rate("mn_d.mn", t0, t1)


def test_klinokinesis_reverses_on_a_fall_only(rig):
    r = rig("klinokinesis").run(300)
    t0, t1 = r.step("off_in", 3.0, 500)  # below threshold
    assert r.spikes("command.loop.ring").size == 0
    t0, t1 = r.step("off_in", 8.0, 500)  # sustained fall
    assert r.rate("command.loop.ring", t0, t1 + 50) > 5
    r.run(500)
    t0 = r.t
    r.inject("chem_in", 10.0).run(2000)  # steady or rising concentration: nothing
    assert r.rate("command.loop.ring", t0, r.t) == 0.0
    t0 = r.t
    r.inject("chem_in", 0.0).run(400)  # the concentration signal drops out
    s = r.spikes("command.loop.ring")
    assert s[s >= t0].size >= 6 and s[s >= t0][0] - t0 < 200
    r.run(1500)
    assert r.rate("command.loop.ring", r.t - 1200, r.t) == 0.0, "a long absence is not news"


def test_proprioceptor_is_signed(rig):
    r = rig("proprioceptor").run(200)
    t0, t1 = r.step("in", 3.0, 500)
    assert r.rate("relay", t0, t1) > 5 and r.rate("stretch.cell", t0, t1) > 0
    t0, t1 = r.step("in", -3.0, 500)
    assert r.rate("relay", t0, t1) == 0.0


# ----------------------------------------------------------------------------- sub-components
def test_bistable_ring_and_latch(rig):
    for comp, node in (("bistable_ring", "ring"), ("bistable_latch", "latch")):
        r = rig(comp).run(200)
        assert r.rate(node, 0, 200) == 0.0
        r.step("set", 10.0, 5)
        r.run(1000)
        assert r.rate(node, r.t - 800, r.t) > 100, comp
        r.step("reset", 10.0, 5)
        r.run(500)
        assert r.rate(node, r.t - 450, r.t) == 0.0, comp


def test_half_center_flip_flop(rig):
    r = rig("half_center")
    r.step("set_dorsal", 10.0, 5)
    r.run(300)
    assert r.rate("d.ring", 100, 300) > 100 and r.rate("v.ring", 0, 300) == 0.0
    r.step("set_ventral", 10.0, 5)  # excluded while dorsal is on
    r.run(200)
    assert r.rate("v.ring", 300, r.t) == 0.0
    r.step("stop_dorsal", 10.0, 3)
    r.run(20)
    r.step("set_ventral", 10.0, 5)
    r.run(300)
    assert r.rate("v.ring", r.t - 250, r.t) > 100 and r.rate("d.ring", r.t - 250, r.t) == 0.0


def test_delay_line_delays_spikes(rig):
    r = rig("delay_line").run(100)
    r.step("in", 20.0, 3)
    r.run(400)
    s_in, s_out = r.spikes("s0"), r.spikes("s4")
    assert s_in.size == 1 and s_out.size == 1
    assert 200 <= s_out[0] - s_in[0] <= 215


def test_coincidence_detector_is_an_and_gate(rig):
    r = rig("coincidence_detector").run(100)
    t0, t1 = r.step("a_in", 10.0, 400)
    assert r.rate("a", t0, t1) > 10 and r.rate("detector", t0, t1) == 0.0
    both = rig("coincidence_detector").run(100)
    both.inject("a_in", 10.0).inject("b_in", 10.0).run(400)  # synchronous inputs
    assert both.rate("detector", 100, 500) >= 0.8 * both.rate("a", 100, 500) > 10


def test_integrator_rate_is_monotonic(rig):
    r = rig("integrator").run(100)
    rates = []
    for current in (4.0, 6.0, 10.0):
        t0, t1 = r.step("in", current, 500)
        rates.append(r.rate("cell", t0 + 100, t1))
    assert 0 < rates[0] < rates[1] < rates[2]


def test_mutual_inhibition_favours_the_stronger(rig):
    r = rig("mutual_inhibition")
    r.inject("a_in", 10.0).inject("b_in", 7.0).run(1500)
    assert r.rate("b", 300, 1500) < 0.7 * r.rate("a", 300, 1500)


def test_off_detector_and_disinhibitor(rig):
    r = rig("off_detector").run(300)
    r.inject("in", 10.0).run(1000)
    assert r.rate("cell", 300, 1300) == 0.0 and r.rate("tonic", 500, 1300) < 2
    t0 = r.t
    r.inject("in", 0.0).run(300)
    assert r.spikes("cell")[r.spikes("cell") >= t0].size >= 1
    r.run(1500)
    assert r.rate("cell", r.t - 1000, r.t) == 0.0
    d = rig("disinhibitor").run(500)
    off = d.rate("cell", 100, 500)
    t0, t1 = d.step("in", 10.0, 500)
    assert d.rate("cell", t0 + 100, t1) > 2 * off + 3


def test_gated_relay(rig):
    r = rig("gated_relay")
    t0, t1 = r.step("in", 10.0, 500)
    assert r.rate("pre", t0, t1) > 10 and r.rate("post", t0, t1) == 0.0
    r.inject("in", 10.0).inject("gate_in", 8.0)
    t0 = r.t
    r.run(500)
    assert r.rate("post", t0, r.t) > 5


def test_short_term_plasticity_relays(rig):
    f = rig("facilitating_relay")
    f.step("in", 30.0, 2)  # a lone spike fails
    f.run(300)
    assert f.spikes("post").size == 0
    t0, t1 = f.step("in", 15.0, 500)  # a train facilitates through
    assert f.rate("post", t0, t1) > 5
    d = rig("depressing_relay")
    t0, _ = d.step("in", 10.0, 1000)
    assert d.rate("post", t0, t0 + 100) > 5 and d.rate("post", t0 + 300, t0 + 1000) == 0.0
    d.run(1500)
    t0, _ = d.step("in", 10.0, 100)
    assert d.rate("post", t0, t0 + 100) > 5, "recovers after rest"


def test_burst_unit_gives_a_fixed_burst(rig):
    r = rig("burst_unit").run(100)
    r.step("in", 30.0, 2)
    r.run(300)
    s = r.spikes("loop.ring")
    assert 9 <= s.size <= 30 and s.max() - s.min() <= 60


def test_burst_unit_and_klinokinesis_can_be_vetoed(rig):
    r = rig("burst_unit").run(100)
    r.inject("reset", 30.0).run(50)  # a train on the kill neuron
    r.step("in", 30.0, 2)
    r.run(300)
    assert r.spikes("loop.ring").size <= 3, "vetoed: at most the triggering volley"
    r = rig("klinokinesis").run(300)
    r.inject("reset", 30.0)
    t0, t1 = r.step("off_in", 8.0, 500)  # a sustained fall, as in test_klinokinesis_reverses_on_a_fall_only
    assert r.rate("command.loop.ring", t0, t1 + 50) < 2


def test_pacemaker_tonic_inhibitor_and_relays(rig):
    p = rig("pacemaker").run(1000)
    assert 5 <= p.rate("cell", 200, 1000) <= 20
    ti = rig("tonic_inhibitor").run(1000)
    assert ti.rate("cell", 200, 1000) > 10
    for comp, node in (("relay", "cell"), ("synfire_stage", "cell"), ("kill_switch", "cell"),
                       ("motor_pool", "mn"), ("stretch_receptor", "sensor")):
        r = rig(comp).run(100)
        term = {"kill_switch": "trigger"}.get(comp, "in")
        assert r.rate(node, 0, 100) == 0.0, comp
        t0, t1 = r.step(term, 10.0, 300)
        assert r.rate(node, t0, t1) > 5, comp


def test_gap_pair_synchronises(rig):
    r = rig("gap_pair").run(100)
    r.inject("in", 8.0).run(1000)
    k = r.pop.origin["nodes"].index("cell")
    t, u = r.net.spikes(r.pop.name)
    a, b = t[u == 0], t[u == 1]
    assert a.size > 5 and abs(a.size - b.size) <= 1
    assert np.all(np.abs(a[: min(a.size, b.size)] - b[: min(a.size, b.size)]) <= 1)
    assert k == 0


def test_assoc_pair_binds_coactive_neurons(rig):
    r = rig("assoc_pair").run(100)
    r.step("b_in", 10.0, 300)
    r.run(200)
    assert r.rate("a", 100, r.t) == 0.0, "b alone does not recruit a before learning"
    for _ in range(3):
        r.step("in", 10.0, 200)
        r.run(100)
    w = r.net.weights("L.assoc_pair:plastic")[2]
    assert np.all(w > 15), w
    t0, t1 = r.step("b_in", 10.0, 300)
    assert r.rate("a", t0, t1) > 5, "after pairing, b recalls a"
