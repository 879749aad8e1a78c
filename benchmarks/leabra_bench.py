"""Leabra family benchmarks (numbers recorded in docs/leabra.md).

Every network runs on the product path: brainc.leabra.Net lowers to a recipe,
compiles to the IR and runs on runtime.network.Network (numba backend, one
fused loop; a trial = 3 runtime calls).

1. Iris: 500 training epochs (120 trials of 50 minus + 25 plus cycles + learn)
   of the Leabra7 Iris network (40 -> 23 -> 3 with feedback) through the
   Python API, on one core. Target: <= 60 s (Leabra7: ~1 ms per cycle).
2. Large networks: 1,000 units per layer, input -> hidden -> output (full
   projections) without and with output -> hidden feedback, trained on random
   15 % patterns (75 minus + 25 plus cycles + learn per trial). Target:
   >= 1,000 cycles/s.
3. ``--iris-curves``: 5 random 80/20 splits x 500 epochs, evaluated every 5
   epochs; mean test accuracy and the learning curves plot docs/leabra_iris.png.

Usage: python benchmarks/leabra_bench.py [--quick] [--iris-curves] [--skip-big]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core

import numpy as np  # noqa: E402

import brainc.leabra as lb  # noqa: E402
from runtime.models import leabra as lu  # noqa: E402


def _tasks():
    spec = importlib.util.spec_from_file_location("leabra_tasks", ROOT / "tests" / "leabra" / "leabra_tasks.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


T = _tasks()


def bench_iris(epochs: int) -> dict[str, float]:
    X, y, _ = T.load_iris()
    rng = np.random.default_rng(0)
    perm = rng.permutation(150)
    te, tr = perm[:30], perm[30:]
    Xtr, Xte = T.quantile_onehot(X[tr], X[te], 10)
    Ytr = np.eye(3)[y[tr]]
    net = T.build_iris_net(Xtr.shape[1], 3, 23, seed=0, lrate=0.02)
    T.trial(net, Xtr[0], Ytr[0])  # compile / load caches outside the timing
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(epochs):
        for k in rng.permutation(len(tr)):
            T.trial(net, Xtr[k], Ytr[k], 50, 25)
        net.end_epoch()
    train_s = time.perf_counter() - t0
    cpu_s = time.process_time() - c0
    t0 = time.perf_counter()
    acc_tr, _ = T.accuracy(net, Xtr, y[tr])
    acc_te, _ = T.accuracy(net, Xte, y[te])
    eval_s = time.perf_counter() - t0
    cycles = epochs * len(tr) * 75
    return {"epochs": epochs, "train_s": train_s, "cpu_s": cpu_s, "ms_per_cycle": 1e3 * train_s / cycles,
            "us_per_trial": 1e6 * train_s / (epochs * len(tr)), "eval_s": eval_s,
            "train_acc": acc_tr, "test_acc": acc_te}


def bench_big(n: int, feedback: bool, trials: int, reps: int = 3) -> dict[str, float]:
    net = lb.Net(seed=0)
    for name in ("input", "hidden", "output"):
        net.new_layer(name, n)
    net.new_projn("input_to_hidden", "input", "hidden")
    net.new_projn("hidden_to_output", "hidden", "output")
    if feedback:
        net.new_projn("output_to_hidden", "output", "hidden", lb.ProjnSpec(wt_scale_rel=0.3))
    rng = np.random.default_rng(1)
    pats = [((rng.random(n) < 0.15).astype(float), (rng.random(n) < 0.15).astype(float)) for _ in range(8)]

    def trial(x: np.ndarray, y: np.ndarray) -> None:
        net.clamp_layer("input", x)
        net.minus_phase_cycle(75)
        net.clamp_layer("output", y)
        net.plus_phase_cycle(25)
        net.unclamp_layer("input")
        net.unclamp_layer("output")
        net.learn()

    trial(*pats[0])  # compile / warm up
    best = best_cpu = 0.0
    senders = []
    for _ in range(reps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        for k in range(trials):
            trial(*pats[k % len(pats)])
            senders.append(int(np.count_nonzero(net.S[lu.S_ACT_SENT])))
        best = max(best, trials * 100 / (time.perf_counter() - t0))
        best_cpu = max(best_cpu, trials * 100 / (time.process_time() - c0))
    # pure cycling (no learning / trial overhead)
    net.clamp_layer("input", pats[0][0])
    net.minus_phase_cycle(10)
    cyc = cyc_cpu = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        net.minus_phase_cycle(500)
        cyc = max(cyc, 500 / (time.perf_counter() - t0))
        cyc_cpu = max(cyc_cpu, 500 / (time.process_time() - c0))
    n_syn = sum(pw.w.shape[0] for pw in net.network.pathways)
    return {"units_per_layer": n, "feedback": feedback, "synapses": n_syn,
            "cycles_per_s_with_learning": best, "cycles_per_s_with_learning_cpu": best_cpu,
            "cycles_per_s_cycling": cyc, "cycles_per_s_cycling_cpu": cyc_cpu,
            "senders_at_trial_end": float(np.mean(senders))}


def iris_curves(splits: int, epochs: int, out_png: Path) -> dict[str, object]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = []
    t0 = time.perf_counter()
    for s in range(splits):
        r = T.run_iris(split_seed=s, epochs=epochs, eval_every=5)
        runs.append(r)
        print(f"  split {s}: train {r['train_acc']:.3f} test {r['test_acc']:.3f} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    ep = np.array(runs[0]["curve"]["epoch"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for key, ax, title in (("acc", axes[0], "classification accuracy"), ("loss", axes[1], "MSE (binarized output)")):
        for part, color in (("train", "tab:blue"), ("test", "tab:orange")):
            m = np.array([r["curve"][f"{part}_{key}"] for r in runs])
            ax.plot(ep, m.mean(axis=0), color=color, label=f"{part} (mean of {splits} splits)")
            ax.fill_between(ep, m.min(axis=0), m.max(axis=0), color=color, alpha=0.2)
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylim(0.5, 1.01)
    fig.suptitle("brainc.leabra on Iris: 40-23-3 with feedback, 80/20 splits (band: min-max)")
    fig.tight_layout()
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=110)
    test = [r["test_acc"] for r in runs]
    return {"test_acc": test, "mean_test_acc": float(np.mean(test)),
            "mean_train_acc": float(np.mean([r["train_acc"] for r in runs])),
            "seconds": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="50 Iris epochs, fewer big-net trials")
    ap.add_argument("--iris-curves", action="store_true", help="5 splits x 500 epochs, write docs/leabra_iris.png")
    ap.add_argument("--skip-big", action="store_true")
    args = ap.parse_args()

    epochs = 50 if args.quick else 500
    r = bench_iris(epochs)
    est = r["train_s"] * 500 / epochs
    print(f"Iris: {epochs} epochs in {r['train_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU "
          f"(500 epochs: {est:.1f} s wall; target <= 60 s) -- "
          f"{r['ms_per_cycle'] * 1e3:.2f} us/cycle, {r['us_per_trial']:.0f} us/trial "
          f"(Leabra7: ~1000 us/cycle); eval {r['eval_s']:.2f} s; "
          f"train acc {r['train_acc']:.3f}, test acc {r['test_acc']:.3f}", flush=True)
    if not args.skip_big:
        trials = 3 if args.quick else 10
        for fb in (False, True):
            b = bench_big(1000, fb, trials)
            print(f"3 x 1000 units, {b['synapses'] / 1e6:.0f} M synapses, feedback={fb}: "
                  f"{b['cycles_per_s_with_learning']:.0f} cycles/s wall "
                  f"({b['cycles_per_s_with_learning_cpu']:.0f} per CPU-second) incl. learning and trial "
                  f"overhead; cycling only {b['cycles_per_s_cycling']:.0f} wall "
                  f"({b['cycles_per_s_cycling_cpu']:.0f} per CPU-second); target >= 1000; "
                  f"{b['senders_at_trial_end']:.0f} sending units at trial end", flush=True)
    if args.iris_curves:
        c = iris_curves(5, 500, ROOT / "docs" / "leabra_iris.png")
        print(f"Iris 5 splits x 500 epochs: test acc {['%.3f' % a for a in c['test_acc']]}, "
              f"mean {c['mean_test_acc']:.3f} (train {c['mean_train_acc']:.3f}); "
              f"{c['seconds']:.0f} s incl. evaluation every 5 epochs; plot docs/leabra_iris.png", flush=True)


if __name__ == "__main__":
    main()
