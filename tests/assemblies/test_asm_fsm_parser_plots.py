"""Automata computed by assemblies, the English parser brain, and plots."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.assemblies import Brain
from brainc.assemblies.fsm import FSMNetwork, PFANetwork
from brainc.assemblies.ops import project_trace, snapshot
from brainc.assemblies.parser import EnglishParserBrain, parse


def test_fsm_mod3_counter():
    tr = {(q, a): (q + int(a)) % 3 for q in range(3) for a in "012"}
    f = FSMNetwork([0, 1, 2], list("012"), tr, start=0, accept=[0], seed=1)
    rng = np.random.default_rng(0)
    for _ in range(10):
        word = "".join(rng.choice(list("012"), 8))
        visited, accepted = f.run(word)
        expect = [0]
        for c in word:
            expect.append((expect[-1] + int(c)) % 3)
        assert visited == expect
        assert accepted == (expect[-1] == 0)


def test_fsm_missing_transitions_go_dead():
    f = FSMNetwork(["s", "t"], ["a", "b"], {("s", "a"): "t", ("t", "b"): "s"}, start="s", accept=["s"])
    assert f.run("abab") == (["s", "t", "s", "t", "s"], True)
    assert f.run("aa")[0][-1] == FSMNetwork.DEAD


@pytest.mark.slow
def test_pfa_frequencies_match_probabilities():
    """Slow: 600 sampled transitions."""
    dist = {("A", "x"): {"A": 0.3, "B": 0.7}, ("B", "x"): {"A": 0.5, "B": 0.5}}
    p = PFANetwork(["A", "B"], ["x"], dist, start="A", tickets=10, seed=0)
    for q in ("A", "B"):
        cnt = {"A": 0, "B": 0}
        for _ in range(300):
            p._block("STATE", p._sidx[q])
            cnt[p.step("x")] += 1
        pa = dist[(q, "x")]["A"]
        assert abs(cnt["A"] / 300 - pa) < 4 * np.sqrt(pa * (1 - pa) / 300) + 0.05


def test_pfa_deterministic_rows_and_allocation():
    dist = {("A", "x"): {"A": 0.3, "B": 0.7}, ("B", "x"): {"B": 1.0}}
    p = PFANetwork(["A", "B"], ["x"], dist, start="A", tickets=10, seed=2)
    assert p.allocation[("A", "x")].count("A") == 3
    for _ in range(10):
        p._block("STATE", p._sidx["B"])
        assert p.step("x") == "B"
    seen = {p.run("x")[-1] for _ in range(20)}
    assert seen == {"A", "B"}
    with pytest.raises(ValueError):
        PFANetwork(["A"], ["x"], {("A", "x"): {"A": 0.5}}, start="A")


@pytest.mark.parametrize("sentence,expected", [
    ("cats chase mice", {("chase", "cats", "SUBJ"), ("chase", "mice", "OBJ")}),
    ("people run quickly", {("run", "people", "SUBJ"), ("run", "quickly", "ADVERB")}),
    ("the dogs love a bad woman", {("love", "dogs", "SUBJ"), ("love", "woman", "OBJ"), ("dogs", "the", "DET"),
                                   ("woman", "a", "DET"), ("woman", "bad", "ADJ")}),
])
def test_parser_dependencies(sentence, expected):
    assert set(parse(sentence)) == expected


def test_parser_brain_and_unknown_words():
    pb = EnglishParserBrain(seed=3)
    deps = pb.parse("big dogs bite the man")
    assert {("bite", "dogs", "SUBJ"), ("bite", "man", "OBJ"), ("dogs", "big", "ADJ"),
            ("man", "the", "DET")} == set(deps)
    assert pb.get_word() in pb.lexemes                 # LEX holds a word after readout
    with pytest.raises(KeyError):
        EnglishParserBrain(seed=3).parse("cats eat mice")


def test_plots_write_png(tmp_path):
    from brainc.assemblies.plots import (
        plot_overlap_matrix, plot_support_growth, plot_trace_metrics, plot_winner_turnover,
    )
    b = Brain(0.05, seed=0)
    b.add_stimulus("s1", 50)
    b.add_stimulus("s2", 50)
    b.add_area("A", 5000, 50, 0.05)
    t1 = project_trace(b, "s1", "A", rounds=8)
    a1 = snapshot(b, "A")
    b.area("A").winners = []
    t2 = project_trace(b, "s2", "A", rounds=8)
    a2 = snapshot(b, "A")
    figs = {
        "overlap": plot_overlap_matrix([a1, a2, t1.final], ["s1", "s2", "s1 final"], chance=50 / 5000),
        "turnover": plot_winner_turnover(t1),
        "support": plot_support_growth({"s1": t1, "s2": t2.supports()}, k=50),
        "metrics": plot_trace_metrics(t2),
    }
    for name, fig in figs.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.stat().st_size > 1000
