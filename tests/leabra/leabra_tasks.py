"""Leabra7's example tasks (pattern association, error-driven hidden, Iris) on
``brainc.leabra``; shared by the tests and ``benchmarks/leabra_bench.py``.

The networks and training loops follow the Leabra7 paper's appendix B scripts
(layer spec gi=1.5, ff=1, fb=1; Uniform(0.25, 0.75) weights; feedback
projections at wt_scale_rel 0.3; minus phase then targets clamped for the plus
phase; learn after each trial), with emergent's unit defaults where Leabra7
set its own (see docs/leabra.md).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

import brainc.leabra as lb

DATA = Path(__file__).resolve().parents[1] / "data" / "leabra"

# ----------------------------------------------------------------- patterns
#: pattern association (Leabra7 B.2). The paper's fourth input row is garbled
#: ("[0, 1, 0]"); we use [0, 1, 0, 0], which keeps the task linearly separable.
PA_X = np.array([[1, 1, 1, 0], [0, 1, 1, 1], [0, 1, 0, 1], [0, 1, 0, 0]], dtype=float)
PA_Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)

#: error-driven hidden (Leabra7 B.3, O'Reilly & Rudy 2000): every input unit is
#: on in one pattern of each class, so no single layer of weights separates them
EH_X = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=float)
EH_Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)


def mse_thresh(expected: np.ndarray, actual: np.ndarray) -> float:
    """Thresholded MSE (Leabra7): per-unit errors below 0.5 count as 0."""
    diff = np.abs(np.asarray(expected) - np.asarray(actual))
    diff[diff < 0.5] = 0.0
    return float(np.mean(diff * diff))


def trial(net: lb.Net, x: np.ndarray, y: np.ndarray, minus: int = 50, plus: int = 25,
          inp: str = "input", outp: str = "output") -> None:
    """One training trial: clamp input, minus phase, clamp target, plus phase, learn."""
    net.clamp_layer(inp, x)
    net.minus_phase_cycle(minus)
    net.clamp_layer(outp, y)
    net.plus_phase_cycle(plus)
    net.unclamp_layer(inp)
    net.unclamp_layer(outp)
    net.learn()


def output(net: lb.Net, x: np.ndarray, cycles: int = 50, inp: str = "input",
           outp: str = "output") -> np.ndarray:
    """Settled output activity for input ``x`` (a test trial: no learning)."""
    net.clamp_layer(inp, x)
    net.cycle(cycles)
    net.unclamp_layer(inp)
    out = np.asarray(net.observe(outp, "unit_act")["act"], dtype=float)
    net.end_trial()
    return out


def predict(net: lb.Net, X: np.ndarray, cycles: int = 50, **kw: Any) -> np.ndarray:
    return np.array([output(net, x, cycles, **kw) for x in X])


def _layer_spec() -> lb.LayerSpec:
    return lb.LayerSpec(gi=1.5, ff=1.0, fb=1.0)


def build_pattern_assoc(seed: int = 0) -> lb.Net:
    """4 -> 2 network of Leabra7 B.2 (fb=0.5 there; ours FFFB fb=0.5, fb_dt 0.7)."""
    net = lb.Net(seed=seed)
    ls = lb.LayerSpec(gi=1.5, ff=1.0, fb=0.5, fb_dt=0.7)
    net.new_layer("input", 4, ls)
    net.new_layer("output", 2, ls)
    net.new_projn("input_to_output", "input", "output",
                  lb.ProjnSpec(lrate=0.02, dist=lb.Uniform(0.25, 0.75)))
    return net


def build_err_hidden(seed: int = 0, hidden: bool = True, n_hidden: int = 4,
                     lrate: float = 0.04, name: str = "leabra_net") -> lb.Net:
    """4 -> 4 -> 2 with output -> hidden feedback (Leabra7 B.3), or 4 -> 2 when
    ``hidden`` is False (recipes/leabra/hidden_task.yaml is the first, named
    ``hidden_task``)."""
    net = lb.Net(seed=seed, name=name)
    ls = _layer_spec()
    up = lb.ProjnSpec(lrate=lrate, dist=lb.Uniform(0.25, 0.75))
    net.new_layer("input", 4, ls)
    if hidden:
        net.new_layer("hidden", n_hidden, ls)
    net.new_layer("output", 2, ls)
    if hidden:
        down = lb.ProjnSpec(lrate=lrate, dist=lb.Uniform(0.25, 0.75), wt_scale_rel=0.3)
        net.new_projn("input_to_hidden", "input", "hidden", up)
        net.new_projn("hidden_to_output", "hidden", "output", up)
        net.new_projn("output_to_hidden", "output", "hidden", down)
    else:
        net.new_projn("input_to_output", "input", "output", up)
    return net


def train_until_solved(net: lb.Net, X: np.ndarray, Y: np.ndarray, max_epochs: int,
                       minus: int = 50, plus: int = 25, perfect: int = 3,
                       rng: np.random.Generator | None = None) -> dict[str, Any]:
    """Train epoch by epoch (patterns in random order when ``rng``) until the
    thresholded error is 0 for ``perfect`` consecutive epochs."""
    losses = []
    run = 0
    for ep in range(max_epochs):
        order = rng.permutation(len(X)) if rng is not None else np.arange(len(X))
        for k in order:
            trial(net, X[k], Y[k], minus, plus)
        net.end_epoch()
        loss = mse_thresh(Y, predict(net, X, minus))
        losses.append(loss)
        run = run + 1 if loss == 0.0 else 0
        if run >= perfect:
            return {"solved": True, "epochs": ep + 1, "losses": losses}
    return {"solved": False, "epochs": max_epochs, "losses": losses}


# -------------------------------------------------------------------- Iris
def load_iris() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Fisher's Iris (tests/data/leabra/iris.csv): features (150, 4) in cm,
    class index (150,), class names."""
    with open(DATA / "iris.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(v) for v in r[:4]] for r in rows])
    names = sorted({r[4] for r in rows})
    y = np.array([names.index(r[4]) for r in rows])
    return X, y, names


def quantile_onehot(train: np.ndarray, test: np.ndarray, n_bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Leabra7's encoding: each feature -> its empirical quantile in [0, 1]
    (fitted on ``train``; ties share their mean rank) -> one of ``n_bins``
    equal bins -> one-hot. Returns (n, n_features * n_bins) arrays."""
    def encode(X: np.ndarray) -> np.ndarray:
        out = np.zeros((X.shape[0], X.shape[1] * n_bins))
        for f in range(X.shape[1]):
            ref = np.sort(train[:, f])
            lo = np.searchsorted(ref, X[:, f], side="left")
            hi = np.searchsorted(ref, X[:, f], side="right")
            q = ((lo + hi - 1) / 2.0) / max(len(ref) - 1, 1)  # mean rank of ties, scaled
            q = np.clip(q, 0.0, 1.0)
            b = np.minimum((q * n_bins).astype(int), n_bins - 1)
            out[np.arange(X.shape[0]), f * n_bins + b] = 1.0
        return out
    return encode(train), encode(test)


def build_iris_net(n_in: int, n_out: int = 3, n_hidden: int = 23, seed: int = 0,
                   lrate: float = 0.02, name: str = "leabra_net") -> lb.Net:
    """Leabra7 B.4: input -> hidden(23) -> output with output -> hidden feedback
    (recipes/leabra/iris.yaml is ``build_iris_net(40, name="iris")``)."""
    net = lb.Net(seed=seed, name=name)
    ls = _layer_spec()
    net.new_layer("input", n_in, ls)
    net.new_layer("hidden", n_hidden, ls)
    net.new_layer("output", n_out, ls)
    up = lb.ProjnSpec(lrate=lrate, dist=lb.Uniform(0.25, 0.75))
    down = lb.ProjnSpec(lrate=lrate, dist=lb.Uniform(0.25, 0.5), wt_scale_rel=0.3)
    net.new_projn("input_to_hidden", "input", "hidden", up)
    net.new_projn("hidden_to_output", "hidden", "output", up)
    net.new_projn("output_to_hidden", "output", "hidden", down)
    return net


def accuracy(net: lb.Net, X: np.ndarray, y: np.ndarray, cycles: int = 50) -> tuple[float, float]:
    """(classification accuracy of the argmax output, MSE of the binarized output)."""
    out = predict(net, X, cycles)
    pred = np.argmax(out, axis=1)
    onehot = np.eye(out.shape[1])[pred]
    target = np.eye(out.shape[1])[y]
    return float(np.mean(pred == y)), float(np.mean((onehot - target) ** 2))


def run_iris(split_seed: int, epochs: int = 500, eval_every: int = 5, n_bins: int = 10,
             n_hidden: int = 23, lrate: float = 0.02, test_frac: float = 0.2) -> dict[str, Any]:
    """Train on a random (1 - test_frac) split for ``epochs`` epochs (patterns
    shuffled each epoch); evaluate every ``eval_every`` epochs and at the end."""
    X, y, _ = load_iris()
    rng = np.random.default_rng(split_seed)
    perm = rng.permutation(len(y))
    n_test = int(round(test_frac * len(y)))
    te, tr = perm[:n_test], perm[n_test:]
    Xtr, Xte = quantile_onehot(X[tr], X[te], n_bins)
    ytr, yte = y[tr], y[te]
    Ytr = np.eye(3)[ytr]
    net = build_iris_net(Xtr.shape[1], 3, n_hidden, seed=split_seed, lrate=lrate)
    curve: dict[str, list[float]] = {"epoch": [], "train_acc": [], "test_acc": [], "train_loss": [], "test_loss": []}
    for ep in range(epochs):
        for k in rng.permutation(len(ytr)):
            trial(net, Xtr[k], Ytr[k], 50, 25)
        net.end_epoch()
        if (ep + 1) % eval_every == 0 or ep + 1 == epochs:
            a_tr, l_tr = accuracy(net, Xtr, ytr)
            a_te, l_te = accuracy(net, Xte, yte)
            curve["epoch"].append(ep + 1)
            curve["train_acc"].append(a_tr)
            curve["test_acc"].append(a_te)
            curve["train_loss"].append(l_tr)
            curve["test_loss"].append(l_te)
    return {"train_acc": curve["train_acc"][-1], "test_acc": curve["test_acc"][-1], "curve": curve}
