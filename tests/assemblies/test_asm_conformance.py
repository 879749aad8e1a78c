"""Conformance with the original simulator's behaviour (Papadimitriou et al.,
PNAS 2020; dmitropolsky/assemblies ``simulations.py``).  Numbers measured with
this engine are in docs/assemblies.md next to the paper's."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.assemblies import Brain
from brainc.assemblies.ops import (
    associate, chance_overlap, merge_trace, ordered_recall, overlap, pattern_complete,
    project, project_trace, reciprocal_project, separate, sequence_memorize, snapshot,
)
from runtime.assembly_engine import AreaSpec, AssemblyEngine, FiberSpec, StimulusSpec


def _projection_supports(n, k, p, beta, rounds, seed):
    """The original ``project_sim``: round 1 stim -> A, then stim + A -> A."""
    e = AssemblyEngine([AreaSpec("A", n, k, beta)], [StimulusSpec("s", k)],
                       [FiberSpec("s", "A", p), FiberSpec("A", "A", p)], seed=seed)
    e.round({("s", "A"): True})
    sup = [e.support("A")]
    for _ in range(rounds - 1):
        e.round()
        sup.append(e.support("A"))
    return np.array(sup)


def test_projection_n1e6_converges_by_round_25():
    """Original simulator: support stops growing by round 25 and ends near
    5,800-6,100 (n=1e6, k=1000, p=0.001, beta=0.05)."""
    finals = []
    for seed in range(3):
        sup = _projection_supports(10 ** 6, 1000, 0.001, 0.05, 25, seed)
        assert sup[-1] == sup[-2], sup
        assert np.all(np.diff(sup) >= 0)
        finals.append(sup[-1])
    assert all(4800 <= f <= 6800 for f in finals), finals
    assert 5200 <= np.mean(finals) <= 6300, finals


def test_projection_n1e5_settles_near_1200():
    """Original: settles near 1,200 by about round 15 (n=1e5, k=317, p=0.01)."""
    finals, settle = [], []
    for seed in range(5):
        sup = _projection_supports(10 ** 5, 317, 0.01, 0.05, 25, seed)
        assert np.all(sup[-5:] == sup[-1])
        finals.append(sup[-1])
        settle.append(int(np.argmax(sup == sup[-1])) + 1)
    assert all(1000 <= f <= 1450 for f in finals), finals
    assert 1080 <= np.mean(finals) <= 1320, finals
    assert np.mean(settle) <= 18, settle


@pytest.mark.parametrize("seed", [0, 1])
def test_pattern_completion_recovers_300_of_317(seed):
    b = Brain(0.05, seed=seed)
    b.add_stimulus("s", 317)
    b.add_area("A", 100000, 317, 0.05)
    project(b, "s", "A", rounds=25)
    out, frac = pattern_complete(b, "A", fraction=0.5, rounds=5)
    assert round(frac * 317) >= 300


def test_projection_trace_metrics():
    b = Brain(0.01, seed=3)
    b.add_stimulus("s", 317)
    b.add_area("A", 100000, 317, 0.05)
    tr = project_trace(b, "s", "A", rounds=20)
    assert len(tr) == 20
    assert tr.first_winners()[0] == 317 and tr.first_winners()[-1] == 0
    assert tr.overlaps_prev()[-1] == 1.0
    assert np.isnan(tr.overlaps_prev()[0])


def _two_stimulus_brain(p, beta, seed, n=100000, k=317):
    b = Brain(p, seed=seed)
    for s in ("sA", "sB"):
        b.add_stimulus(s, k)
    for a in "ABC":
        b.add_area(a, n, k, beta)
    project(b, "sA", "A")
    project(b, "sB", "B")
    return b


def _response(b, stim, src, dst="C"):
    with b.plasticity_off():
        b.project({stim: [src]}, {})
        b.project({}, {src: [dst]})
    return snapshot(b, dst)


def test_association_raises_overlap_from_chance():
    """After co-firing, C's responses to A alone and to B alone overlap far
    above chance (original ``association_grand_sim``: 10-40% ranges)."""
    b = _two_stimulus_brain(0.05, 0.1, seed=0)
    # control: the two pathways trained separately, never together
    ctrl = _two_stimulus_brain(0.05, 0.1, seed=1)
    for src, stim in (("A", "sA"), ("B", "sB")):
        ctrl.area("C").winners = []
        ctrl.project({stim: [src]}, {src: [src, "C"]})
        for _ in range(9):
            ctrl.project({stim: [src]}, {src: [src, "C"], "C": ["C"]})
    before = overlap(_response(ctrl, "sA", "A"), _response(ctrl, "sB", "B"))
    associate(b, "A", "B", "C", "sA", "sB", rounds=10)
    after = overlap(_response(b, "sA", "A"), _response(b, "sB", "B"))
    assert before < 0.05
    assert after > 0.12
    assert after > 5 * max(before, chance_overlap(317, 100000))


def test_merge_forms_stable_reciprocal_assembly():
    b = Brain(0.01, seed=0)
    for s in ("sA", "sB"):
        b.add_stimulus(s, 317)
    for a in "ABC":
        b.add_area(a, 100000, 317, 0.05)
    project(b, "sA", "A")
    project(b, "sB", "B")
    tr = merge_trace(b, "A", "B", "C", "sA", "sB", rounds=30)
    sup = tr.supports()
    assert sup[-1] == sup[-5]                      # C's support has converged
    c, a, bb = snapshot(b, "C"), snapshot(b, "A"), snapshot(b, "B")
    with b.plasticity_off():
        b.area("A").winners = a.winners
        b.project({}, {"A": ["C"]})
        from_a = overlap(snapshot(b, "C"), c)
        b.area("C").winners = c.winners
        b.project({}, {"C": ["A", "B"]})
        back_a, back_b = overlap(snapshot(b, "A"), a), overlap(snapshot(b, "B"), bb)
    assert from_a > 0.5                            # each parent evokes the merge
    assert back_a > 0.3 and back_b > 0.3           # and the merge evokes both parents


def test_reciprocal_projection_restores_source():
    """Original ``fixed_assembly_recip_proj`` comment: first B -> A restores
    ~25% of A, later recurrent rounds ~42% (defaults n=1e5, k=317, p=0.01)."""
    b = Brain(0.01, seed=2)
    b.add_stimulus("sA", 317)
    b.add_area("A", 100000, 317, 0.05)
    b.add_area("B", 100000, 317, 0.05)
    a0 = project(b, "sA", "A", rounds=21)
    reciprocal_project(b, "A", "B", rounds=21)
    b.project({}, {"B": ["A"]})
    first = overlap(snapshot(b, "A"), a0)
    for _ in range(20):
        b.project({}, {"B": ["A"], "A": ["A"]})
    final = overlap(snapshot(b, "A"), a0)
    assert 0.1 < first < 0.6
    assert final > 0.3 and final > first


def test_separation_gives_near_chance_overlap():
    b = Brain(0.01, seed=3)
    b.add_stimulus("s1", 317)
    b.add_stimulus("s2", 317)
    b.add_area("A", 100000, 317, 0.05)
    x, y, o = separate(b, "s1", "s2", "A")
    assert len(x) == len(y) == 317
    assert o < 0.03


def test_sequence_memorize_and_ordered_recall():
    b = Brain(0.1, seed=0)
    names = [f"s{i}" for i in range(6)]
    for s in names:
        b.add_stimulus(s, 100)
    b.add_area("A", 10000, 100, 0.1)
    seq = sequence_memorize(b, names, "A", rounds_per_step=1, repetitions=10)
    rec = ordered_recall(b, "A", "s0", max_steps=10, known_assemblies=list(seq), refractory=2)
    order = [int(np.argmax([overlap(r, s) for s in seq])) for r in rec]
    assert order == list(range(6))
    assert min(max(overlap(r, s) for s in seq) for r in rec) > 0.8
    # without long-range inhibition the first assembly just holds itself
    with pytest.raises(ValueError):
        ordered_recall(b, "A", "s0", refractory=0)


@pytest.mark.slow
def test_n1e7_memory_under_100mb():
    """Slow (~1 s of work, but a 1e7-neuron pool): engine allocations for
    build + 20 rounds at n=1e7, k=1000 stay under 100 MB."""
    import tracemalloc
    tracemalloc.start()
    sup = _projection_supports(10 ** 7, 1000, 0.001, 0.05, 20, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100 * 2 ** 20
    assert sup[-1] >= 1000
