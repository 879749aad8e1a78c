"""Unit tests of runtime.assembly_engine: samplers, connectivity, round semantics."""
from __future__ import annotations

import numpy as np
import pytest

from runtime.assembly_engine import (
    AreaSpec, AssemblyEngine, FiberSpec, StimulusSpec, _InputLaw, _split_totals,
)


def _engine(n=20000, k=100, p=0.05, beta=0.05, explicit=False, seed=0):
    return AssemblyEngine([AreaSpec("A", n, k, beta, explicit)], [StimulusSpec("s", k)],
                          [FiberSpec("s", "A", p), FiberSpec("A", "A", p)], seed=seed)


# ---------------------------------------------------------------- samplers

def test_pool_top_k_matches_brute_force():
    """A fresh implicit area: the top-k inputs of its never-fired neurons
    (stimulus level + area input, from the pool histogram) have the law of
    the top-k of n explicit draws."""
    n, k, reps = 200, 5, 1500
    fast = []
    for seed in range(reps):
        e = AssemblyEngine([AreaSpec("A", n, k), AreaSpec("B", 40, 10, explicit=True)], [StimulusSpec("s", 20)],
                           [FiberSpec("s", "A", 0.3), FiberSpec("B", "A", 0.2)], seed=seed)
        e.set_winners("B", np.arange(10))
        mask = {1: np.isin(np.arange(40), np.arange(10))}
        pl = e._decide(0, [0, 1], mask)
        fast.append(np.sort(pl.lvl + pl.r)[::-1][:k])
    fast = np.array(fast)
    rng = np.random.default_rng(0)
    brute = -np.sort(-(rng.binomial(20, 0.3, (reps, n)) + rng.binomial(10, 0.2, (reps, n))), axis=1)[:, :k]
    se = np.sqrt(fast.var(0) / reps + brute.var(0) / reps)
    assert np.all(np.abs(fast.mean(0) - brute.mean(0)) < 5 * se + 1e-9)


def test_transition_matrix_moments():
    from runtime.assembly_engine import _InputLaw, _transition_matrix
    w_old, d, a, p = 100, 30, 20, 0.1
    add = _InputLaw([a], [p]).pmf()
    Q = _transition_matrix(12, w_old, d, add)
    assert np.allclose(Q.sum(1), 1.0)
    x = np.arange(Q.shape[1])
    for r in range(13):
        assert abs(Q[r] @ x - (r * (1 - d / w_old) + a * p)) < 1e-9


def test_split_is_hypergeometric_for_equal_p():
    """Given a total x from sources of sizes (a, b) with equal p, the share of
    the first source is Hypergeometric(a, b, x)."""
    rng = np.random.default_rng(2)
    a, b, x, reps = 30, 50, 12, 40000
    law = _InputLaw([a, b], [0.1, 0.1])
    out = _split_totals(np.full(reps, x, dtype=np.int64), law.fmat, law.gmat, law.sizes, rng.random((reps, 2)))
    assert np.all(out.sum(1) == x)
    ref = rng.hypergeometric(a, b, x, size=reps)
    assert abs(out[:, 0].mean() - ref.mean()) < 0.05
    assert abs(out[:, 0].var() - ref.var()) < 0.1


def test_split_unequal_p_matches_conditional_law():
    """Unequal p: compare with rejection sampling of (Bin(a,p1), Bin(b,p2))
    conditioned on the total."""
    rng = np.random.default_rng(3)
    a, b, p1, p2, x = 20, 40, 0.3, 0.05, 8
    law = _InputLaw([a, b], [p1, p2])
    reps = 30000
    out = _split_totals(np.full(reps, x, dtype=np.int64), law.fmat, law.gmat, law.sizes, rng.random((reps, 2)))
    u = rng.binomial(a, p1, 400000)
    v = rng.binomial(b, p2, 400000)
    ref = u[u + v == x]
    assert abs(out[:, 0].mean() - ref.mean()) < 0.06


# ------------------------------------------------------------ connectivity

def test_bernoulli_blocks_have_binomial_degrees():
    """Synapses among freshly materialised neurons are Bernoulli(p): total
    count, in/out degree mean and dispersion."""
    p, m = 0.02, 3000
    e = _engine(n=100000, k=100, p=p)
    e.set_winners("A", np.arange(m))             # materialise m neurons, fresh synapses
    syn = e.fiber_synapses(("A", "A"))
    E = syn["pre"].size
    assert abs(E - p * m * m) < 5 * np.sqrt(p * m * m)
    pairs = syn["pre"].astype(np.int64) * m + syn["post"]
    assert np.unique(pairs).size == E            # no duplicate synapse
    for deg in (np.bincount(syn["pre"], minlength=m), np.bincount(syn["post"], minlength=m)):
        assert abs(deg.mean() - p * m) < 0.5
        assert 0.85 < deg.var() / (p * m * (1 - p)) < 1.15


def test_stimulus_pool_counts_are_binomial():
    e = _engine(n=200000, k=100, p=0.05)
    vals = e._pool[0][0]
    assert abs(vals.mean() - 5.0) < 0.05
    assert abs(vals.var() - 100 * 0.05 * 0.95) < 0.1


# --------------------------------------------------------------- semantics

def test_projection_forms_self_loop_and_converges():
    e = _engine(n=100000, k=317, p=0.05)
    e.round({("s", "A"): True})
    sup = []
    for _ in range(19):
        e.round()
        sup.append(e.support("A"))
    assert e.synapse_count(("A", "A")) > 0
    assert sup[-1] == sup[-2]                   # converged
    w = e.fiber_synapses(("A", "A"))["w"]
    assert w.max() > 1.5                        # A -> A was potentiated


def test_fiber_transmits_only_if_source_fires():
    e = AssemblyEngine([AreaSpec("A", 1000, 10), AreaSpec("B", 1000, 10)], [StimulusSpec("s", 10)],
                       [FiberSpec("s", "A", 0.1), FiberSpec("A", "B", 0.1)], seed=0)
    out = e.round()                             # A silent: only s -> A fires
    assert list(out) == ["A"]
    assert e.winners("B").size == 0
    out = e.round()
    assert sorted(out) == ["A", "B"]
    e.set_stimulus_active("s", False)
    e.set_fiber_inhibited(("A", "B"), True)
    wa, wb = e.winners("A"), e.winners("B")
    assert e.round() == {}                      # nothing transmits; winners persist
    assert np.array_equal(e.winners("A"), wa) and np.array_equal(e.winners("B"), wb)


def test_round_is_synchronous():
    """With plasticity off, B's new winners are the top-k of the input from
    A's *previous* winners, although A updates in the same round."""
    e = AssemblyEngine([AreaSpec("A", 400, 20, explicit=True), AreaSpec("B", 400, 20, explicit=True)],
                       [StimulusSpec("s", 20)],
                       [FiberSpec("s", "A", 0.2), FiberSpec("A", "B", 0.2), FiberSpec("A", "A", 0.2)], seed=5)
    e.disable_plasticity = True
    e.round({("s", "A"): True})
    prev_a = e.winners("A")
    syn = e.fiber_synapses(("A", "B"))
    inp = np.zeros(400)
    np.add.at(inp, syn["post"], syn["w"] * np.isin(syn["pre"], prev_a))
    e.round()
    got = np.sort(inp[e.winners("B")])
    thr = np.sort(inp)[-20]
    assert got.min() >= thr - 1e-9             # every winner is in the top-k (ties random)


def test_fixed_assembly_still_learns():
    e = _engine(n=10000, k=50, p=0.1)
    e.round({("s", "A"): True})
    w0 = e.winners("A")
    e.fix("A")
    before = e.fiber_synapses(("s", "A"))["w"][w0].copy()
    for _ in range(3):
        e.round()
    assert np.array_equal(e.winners("A"), w0)
    after = e.fiber_synapses(("s", "A"))["w"][w0]
    assert np.allclose(after, before * np.float32(1.05) ** 3, rtol=1e-5)
    aa = e.fiber_synapses(("A", "A"))
    inside = np.isin(aa["pre"], w0) & np.isin(aa["post"], w0)
    assert np.all(aa["w"][inside] > 1.1)


def test_per_fiber_beta_overrides_area_beta():
    e = AssemblyEngine([AreaSpec("A", 5000, 50, beta=0.05)], [StimulusSpec("s", 50)],
                       [FiberSpec("s", "A", 0.1, beta=0.5)], seed=0)
    e.round()
    w = e.fiber_synapses(("s", "A"))["w"]
    win = e.winners("A")
    raw = np.round(w[win] / 1.5)
    assert np.allclose(w[win], raw * 1.5)


def test_refractory_bars_recent_winners():
    e = _engine(n=10000, k=50, p=0.1)
    e.set_refractory("A", 2)
    e.round({("s", "A"): True})
    w1 = e.winners("A")
    e.round({("A", "A"): True})
    w2 = e.winners("A")
    e.round({("A", "A"): True})
    w3 = e.winners("A")
    assert np.intersect1d(w1, w2).size == 0
    assert np.intersect1d(w3, np.union1d(w1, w2)).size == 0


def test_multiple_stimuli_into_one_area():
    """Two stimuli firing together use the summed pool levels (the multi-row path)."""
    e = AssemblyEngine([AreaSpec("A", 50000, 100)], [StimulusSpec("s1", 100), StimulusSpec("s2", 100)],
                       [FiberSpec("s1", "A", 0.05), FiberSpec("s2", "A", 0.05), FiberSpec("A", "A", 0.05)],
                       seed=3)
    for _ in range(8):
        e.round()
    assert e.winners("A").size == 100
    m = e.materialised("A")
    assert e.fiber_synapses(("s1", "A"))["w"].size == m
    assert int(e._dead[0].sum()) == m             # every materialised neuron left the pool
    assert int(e._hist[0][0].sum()) == 50000 - m


def test_assigning_winners_beyond_support_materialises():
    e = _engine(n=10000, k=50)
    e.set_winners("A", [3, 7, 120])
    assert e.materialised("A") == 121
    assert e.support("A") == 3
    with pytest.raises(ValueError):
        e.set_winners("A", [10000])


def test_validation_errors():
    with pytest.raises(ValueError):
        AssemblyEngine([AreaSpec("A", 10, 20)])
    e = _engine()
    with pytest.raises(ValueError):
        e.add_fiber(FiberSpec("s", "A", 0.1))
    with pytest.raises(ValueError):
        e.add_fiber(FiberSpec("nope", "A", 0.1))
    with pytest.raises(KeyError):
        e.winners("B")


def test_from_ir_like():
    e = AssemblyEngine.from_ir_like(
        [{"name": "A", "n": 10000, "k": 100, "beta": 0.05, "explicit": False},
         {"name": "L", "n": 400, "k": 20, "beta": 0.1, "explicit": True}],
        [{"name": "s", "size": 100}],
        [{"src": "s", "dst": "A", "p": 0.05, "beta": None, "inhibited": False},
         {"src": "A", "dst": "A", "p": 0.05, "beta": float("nan"), "inhibited": False},
         {"src": "A", "dst": "L", "p": 0.1, "beta": 0.5, "inhibited": True}],
        seed=4)
    assert e.fiber_params(("A", "A"))["beta"] is None
    assert e.fiber_params(("A", "L"))["inhibited"]
    assert e.materialised("L") == 400
    e.round()
    e.round()
    assert e.winners("A").size == 100 and e.winners("L").size == 0
