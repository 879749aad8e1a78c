"""Leabra7's demonstration tasks (paper section 3 / appendix B) on brainc.leabra."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import leabra_tasks as T  # noqa: E402


def test_pattern_association_learns():
    res = T.train_until_solved(T.build_pattern_assoc(seed=0), T.PA_X, T.PA_Y, max_epochs=300,
                               minus=100, plus=20)
    assert res["solved"], res["losses"][-5:]
    assert res["losses"][0] > 0  # it had something to learn


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_error_driven_hidden_needs_the_hidden_layer(seed):
    hid = T.train_until_solved(T.build_err_hidden(seed), T.EH_X, T.EH_Y, max_epochs=300, minus=50, plus=20)
    assert hid["solved"], hid["losses"][-5:]
    flat = T.train_until_solved(T.build_err_hidden(seed, hidden=False), T.EH_X, T.EH_Y, max_epochs=300,
                                minus=50, plus=20)
    assert not flat["solved"]
    assert min(flat["losses"]) > 0  # never even one error-free epoch


def test_iris_encoding():
    X, y, names = T.load_iris()
    assert X.shape == (150, 4) and names == ["setosa", "versicolor", "virginica"]
    assert np.bincount(y).tolist() == [50, 50, 50]
    tr, te = T.quantile_onehot(X[:120], X[120:], 10)
    assert tr.shape == (120, 40) and te.shape == (30, 40)
    assert np.all(tr.sum(axis=1) == 4) and np.all(te.sum(axis=1) == 4)
    # quantile bins are roughly equally filled on the training data
    counts = tr[:, :10].sum(axis=0)
    assert counts.min() >= 5 and counts.max() <= 25


def test_iris_short():
    """Default-run version: one split, 60 epochs."""
    res = T.run_iris(split_seed=0, epochs=60, eval_every=60)
    assert res["train_acc"] >= 0.9
    assert res["test_acc"] >= 0.85


@pytest.mark.slow
def test_iris_full():
    """Leabra7's Iris result: 500 epochs on 80 %, mean test accuracy over 5
    random splits >= 90 % (ours: 94.0 %, see docs/leabra.md)."""
    accs = [T.run_iris(split_seed=s, epochs=500, eval_every=500)["test_acc"] for s in range(5)]
    assert np.mean(accs) >= 0.90, accs
