"""Connection rules: counts, statistics, autapses/multapses, NEST's errors."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.connect import ConnectError, connect


def ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def test_all_to_all_and_autapses() -> None:
    a, b = connect("all_to_all", n_pre=5, n_post=5, seed=1)
    assert a.size == 25
    a, b = connect("all_to_all", n_pre=5, n_post=5, seed=1, pre_ids=ids(5), post_ids=ids(5), allow_autapses=False)
    assert a.size == 20 and not np.any(a == b)


def test_one_to_one() -> None:
    a, b = connect("one_to_one", n_pre=4, n_post=4, seed=1)
    assert np.array_equal(a, b)
    with pytest.raises(ConnectError, match="equal sizes"):
        connect("one_to_one", n_pre=4, n_post=5, seed=1)


def test_pairwise_bernoulli_is_binomial() -> None:
    n, p = 400, 0.05
    a, b = connect("pairwise_bernoulli", n_pre=n, n_post=n, seed=3, p=p)
    mean, sd = n * n * p, np.sqrt(n * n * p * (1 - p))
    assert abs(a.size - mean) < 4 * sd
    # every pair at most once, rows spread uniformly over targets
    assert np.unique(a * n + b).size == a.size
    counts = np.bincount(b, minlength=n)
    assert abs(counts.mean() - n * p) < 1.0 and counts.std() < 3 * np.sqrt(n * p)


@pytest.mark.parametrize("mult", [True, False])
def test_fixed_indegree(mult: bool) -> None:
    a, b = connect("fixed_indegree", n_pre=50, n_post=30, seed=2, indegree=20, pre_ids=ids(50), post_ids=ids(30),
                   allow_autapses=False, allow_multapses=mult)
    assert np.all(np.bincount(b, minlength=30) == 20)
    assert not np.any(a == b)
    if not mult:
        assert np.unique(a * 30 + b).size == a.size


def test_fixed_outdegree_and_total() -> None:
    a, b = connect("fixed_outdegree", n_pre=30, n_post=50, seed=2, outdegree=7)
    assert np.all(np.bincount(a, minlength=30) == 7)
    a, b = connect("fixed_total_number", n_pre=10, n_post=10, seed=2, N=100, allow_multapses=False)
    assert a.size == 100 and np.unique(a * 10 + b).size == 100


@pytest.mark.parametrize("rule,kw", [
    ("fixed_indegree", {"indegree": 11}), ("fixed_outdegree", {"outdegree": 11}),
    ("fixed_total_number", {"N": 101}),
])
def test_impossible_requests(rule: str, kw: dict) -> None:
    with pytest.raises(ConnectError):
        connect(rule, n_pre=10, n_post=10, seed=1, allow_multapses=False, **kw)


def test_proximity_respects_cutoff() -> None:
    rng = np.random.default_rng(0)
    pa, pb = rng.uniform(0, 10, (200, 3)), rng.uniform(0, 10, (200, 3))
    a, b = connect("proximity", n_pre=200, n_post=200, seed=1, p=1.0, cutoff=2.0, sigma=1.0, pos_pre=pa, pos_post=pb)
    d = np.linalg.norm(pa[a] - pb[b], axis=1)
    assert a.size > 0 and d.max() <= 2.0
    # probability falls with distance: near pairs are connected more often than far ones
    all_d = np.linalg.norm(pa[:, None] - pb[None], axis=2)
    near = (all_d < 1.0).sum()
    far = ((all_d > 1.5) & (all_d <= 2.0)).sum()
    assert (d < 1.0).sum() / near > ((d > 1.5) & (d <= 2.0)).sum() / far


def test_seeded() -> None:
    x = connect("pairwise_bernoulli", n_pre=100, n_post=100, seed=5, p=0.1)
    y = connect("pairwise_bernoulli", n_pre=100, n_post=100, seed=5, p=0.1)
    z = connect("pairwise_bernoulli", n_pre=100, n_post=100, seed=6, p=0.1)
    assert np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1])
    assert x[0].size != z[0].size or not np.array_equal(x[1], z[1])
