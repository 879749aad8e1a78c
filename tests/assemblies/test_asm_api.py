"""The Brain API users know from the original simulator / neural_assemblies."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.assemblies import Assembly, Brain, chance_overlap, overlap, overlap_count, project


def _brain(seed=0):
    b = Brain(0.05, seed=seed, save_winners=True)
    b.add_stimulus("s", 100)
    b.add_area("A", 10000, 100, 0.05)
    b.add_area("B", 10000, 100, 0.05)
    b.add_explicit_area("L", 500, 50, 0.1)
    return b


def test_project_round_and_history():
    b = _brain()
    out = b.project({"s": ["A"]}, {})
    assert out == {"A": 100}
    b.project({"s": ["A"]}, {"A": ["A", "B"]})
    a = b.area("A")
    assert a.winners.size == 100 and a.support >= 100 and a.w == a.support
    assert a.saved_w == [100, a.support]
    assert len(a.saved_winners) == 2
    assert b.area("B").winners.size == 100
    assert set(b.areas) == {"A", "B", "L"} and b.area_by_name["A"] is a
    assert "A" in repr(a) and "Brain" in repr(b)


def test_unnamed_fibers_are_silent_and_sources_need_winners():
    b = _brain()
    with pytest.raises(ValueError):
        b.project({}, {"A": ["B"]})                 # A has no assembly yet
    b.project({"s": ["A"]}, {})
    wa = b.area("A").winners
    b.project({"s": ["B"]}, {})                    # A not named: keeps its winners
    assert np.array_equal(b.area("A").winners, wa)
    with pytest.raises(KeyError):
        b.project({"nope": ["A"]}, {})
    with pytest.raises(KeyError):
        b.project({}, {"A": ["Z"]})


def test_assign_winners_and_fix():
    b = _brain()
    b.area("A").winners = [1, 5, 9]
    assert list(b.area("A").winners) == [1, 5, 9]
    b.area("A").fix_assembly()
    assert b.area("A").fixed_assembly
    b.project({"s": ["A"]}, {})
    assert list(b.area("A").winners) == [1, 5, 9]
    b.area("A").unfix_assembly()
    b.project({"s": ["A"]}, {})
    assert b.area("A").winners.size == 100
    b.area("B").winners = []
    with pytest.raises(ValueError):
        b.area("B").fix_assembly()


def test_activate_explicit_block():
    b = _brain()
    b.activate("L", 3)
    assert list(b.area("L").winners) == list(range(150, 200))
    assert b.area("L").fixed_assembly


def test_update_plasticities_and_disable():
    b = _brain()
    b.update_plasticities(area_update_map={"B": [("A", 0.5)]}, stim_update_map={"A": [("s", 0.0)]})
    b.project({"s": ["A"]}, {})
    w = b.fiber("s", "A").synapses()["w"]
    win = b.area("A").winners
    assert np.allclose(w[win], np.round(w[win]))     # beta 0 on s -> A
    assert b.fiber("A", "B").beta == 0.5
    b.project({"s": ["A"]}, {"A": ["B"]})
    syn = b.fiber("A", "B").synapses()
    assert syn["w"].max() == pytest.approx(1.5)
    b.disable_plasticity = True
    before = b.fiber("A", "B").synapses()["w"].copy()
    b.project({"s": ["A"]}, {"A": ["B"]})
    after = b.fiber("A", "B").synapses()["w"]
    assert np.array_equal(before, after[: before.size])
    with b.plasticity_off():
        pass
    assert b.disable_plasticity


def test_fiber_inhibition():
    b = _brain()
    b.project({"s": ["A"]}, {})
    b.inhibit_fiber("A", "B")
    assert b.fiber("A", "B").inhibited
    b.project({}, {"A": ["B"]})
    assert b.area("B").winners.size == 0
    b.disinhibit_fiber("A", "B")
    b.project({}, {"A": ["B"]})
    assert b.area("B").winners.size == 100


def test_custom_p_of_explicit_area():
    b = Brain(0.01, seed=0)
    b.add_explicit_area("E", 300, 30, custom_inner_p=0.5, custom_out_p=0.2, custom_in_p=0.3)
    b.add_area("A", 1000, 30)
    assert b.fiber("E", "E").p == 0.5
    assert b.fiber("E", "A").p == 0.2
    assert b.fiber("A", "E").p == 0.3
    assert b.fiber("A", "A").p == 0.01


def test_assembly_and_overlap_helpers():
    a = Assembly("A", [5, 1, 3, 3])
    assert list(a.winners) == [1, 3, 5] and len(a) == 3 and 3 in a and 4 not in a
    assert overlap(a, [1, 3, 7]) == pytest.approx(2 / 3)
    assert overlap_count(a, np.array([1, 9])) == 1
    assert overlap([], []) == 0.0
    assert chance_overlap(100, 10000) == 0.01
    with pytest.raises(ValueError):
        a.winners[0] = 9


def test_project_op_from_area_source():
    b = _brain()
    project(b, "s", "A", rounds=5)
    wa = b.area("A").winners
    asm = project(b, "A", "B", rounds=5)
    assert len(asm) == 100
    assert np.array_equal(b.area("A").winners, wa)      # source held during the op
    assert not b.area("A").fixed_assembly              # and released afterwards
