"""The CuPy backend on a real GPU: numerics against the Numba reference.

Marked ``gpu`` (deselected by default; run with ``pytest -m gpu tests/gpu``)
and skipped without CuPy and a CUDA device. tests/test_backends.py runs its
whole backend-parametrised suite on the GPU too when CuPy sees one.

Where the two backends may differ, and by how much:

* the order of atomic additions into one delay-ring entry (several spikes hitting
  one unit in a tick) is not fixed on a GPU: such a sum of m terms differs from
  the CPU's by at most 2 * gamma(m) * sum |terms|, gamma(m) = m u / (1 - m u),
  u = 2^-53 (test_one_tick_summation_bound);
* log/cos/exp of CUDA and of the C library may differ in the last bit, so
  Gaussian noise values agree to a few ulps although the xoroshiro128+ streams
  (integers) are identical (test_noise_streams_identical);
* with all sums exact (dyadic weights, no transcendental functions), spikes are
  identical (test_dyadic_identical_with_and_without_graphs).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import runtime
from brainc.compiler import compile_ir, compile_recipe
from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.backends.cupy_backend import EMULATE_ENV, CupyBackend, cupy_available
from runtime.network import Network

ROOT = Path(__file__).resolve().parents[2]
IZH = ROOT / "recipes" / "izhikevich2003.yaml"
U = 2.0 ** -53

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not cupy_available()[0] or os.environ.get(EMULATE_ENV) == "1", reason="needs CuPy and a GPU"),
]


def gpu(net: Network, **kw) -> Network:
    net.backend = CupyBackend(engine="cuda", **kw)
    net.backend.attach(net)
    return net


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units of the last place of the larger magnitude."""
    scale = np.spacing(np.maximum(np.abs(a), np.abs(b)))
    return np.abs(a - b) / np.where(scale > 0, scale, 1.0)


def noise_ulps(a: np.ndarray, b: np.ndarray, mean: float) -> np.ndarray:
    """Distance in ulps of the largest term of ``mean + std * z``: where the sum
    cancels (a value near 0) it keeps the absolute rounding error of its terms,
    which is many ulps of the small result."""
    terms = np.maximum.reduce([np.abs(a), np.abs(b), np.abs(a - mean), np.full(a.shape, abs(mean))])
    return np.abs(a - b) / np.spacing(terms)


def test_noise_streams_identical() -> None:
    b = Brain("noise", 3, 1.0)
    b.populations.append(Population("p", "izhikevich", 5000, {"v_min": -1e9, "v_peak": 1e9, "v_cap": 1e10}))
    for k, (lo, hi) in enumerate(((0, 3000), (3000, 3001), (3001, 5000))):
        idx = np.arange(lo, hi)
        b.devices.append(Device(f"n{k}", "noise_current", {"mean": 1.0, "std": 2.0},
                                [DeviceTarget("p", idx, np.ones(idx.size), np.zeros(idx.size, np.int32))]))
    ref, net = Network(b), gpu(Network(b))
    for _ in range(3):
        ref.run(1)
        net.run(1)
        net.backend.sync(net)
        d = noise_ulps(ref.blocks[0].I[0], net.blocks[0].I[0], 1.0)
        assert d.max() <= 8, d.max()
        for d0, d1 in zip(ref.devices, net.devices):
            assert np.array_equal(d0.rng, d1.rng)


def test_one_tick_summation_bound(tmp_path: Path) -> None:
    """From the same state, one tick of transmission differs from the CPU's
    by no more than the rounding bound of a re-ordered sum."""
    db = compile_recipe(IZH, tmp_path / "b.db")
    ref = runtime.load(db)
    ref.run(100)
    ref.checkpoint(tmp_path / "c.db")
    a = runtime.resume(tmp_path / "c.db")
    g = gpu(runtime.resume(tmp_path / "c.db"))
    ring_before = a.blocks[0].ring.copy()
    a.run(1)
    g.run(1)
    g.backend.sync(g)
    blk, pw = a.blocks[0], a.pathways[0]
    assert np.array_equal(blk.fired[:blk.nf[0]], g.blocks[0].fired[:g.blocks[0].nf[0]])  # same emitters
    # per ring entry: number of terms added this tick and the sum of their magnitudes
    D = blk.ring.shape[0]
    terms = np.zeros_like(blk.ring)
    mags = np.abs(ring_before)
    for i in blk.fired[:blk.nf[0]]:
        s = np.arange(pw.indptr[i], pw.indptr[i + 1])
        slot = (a.t - 1 + pw.delay[s]) % D
        rec = np.where(pw.w[s] >= 0, 0, 1)
        np.add.at(terms, (slot, rec, pw.post_idx[s]), 1.0)
        np.add.at(mags, (slot, rec, pw.post_idx[s]), np.abs(pw.w[s]))
    m = terms + 1
    bound = 2 * (m * U / (1 - m * U)) * mags
    diff = np.abs(blk.ring - g.blocks[0].ring)
    assert (diff <= bound).all(), float((diff - bound).max())
    print(f"\none tick: {int(terms.sum())} additions, max |diff| {diff.max():.3g}, max bound {bound.max():.3g}, "
          f"entries differing {int((diff > 0).sum())}")


def dyadic_net(n: int = 2000, k: int = 50, seed: int = 3, synapse: str = "fixed") -> Brain:
    """Weights multiples of 1/64, constant bias input: all sums exact in any order."""
    rng = np.random.default_rng(seed)
    b = Brain("dyadic", seed, 1.0)
    bias = np.round(rng.uniform(3.0, 12.0, n) * 64) / 64
    b.populations.append(Population("p", "izhikevich", n, {"I_bias": bias}))
    pre = np.repeat(np.arange(n), k).astype(np.int32)
    post = rng.integers(0, n, n * k).astype(np.int32)
    w = np.round(rng.uniform(-2.0, 4.0, n * k) * 64) / 64
    b.projections.append(Projection("rec", "p", "p", synapse, pre, post, w,
                                    rng.integers(1, 6, n * k).astype(np.int32)))
    return b


def test_dyadic_identical_with_and_without_graphs() -> None:
    ref = Network(dyadic_net())
    ref.run(1000)
    for graphs in (True, False):
        net = gpu(Network(dyadic_net()), graphs=graphs)
        net.run(1000)
        assert ref.spikes()[0].size > 10_000
        for x, y in zip(ref.spikes(), net.spikes()):
            assert np.array_equal(x, y)
        assert np.array_equal(ref.state("p", "v"), net.state("p", "v"))
        assert (net.backend.stats["graph_replays"] > 0) == graphs


def test_izhikevich2003_agreement() -> None:
    """The chaotic network drifts apart only through last-bit differences:
    report when, and check the statistics agree."""
    ref = Network(compile_ir(IZH))
    net = gpu(Network(compile_ir(IZH)))
    ref.run(1000)
    net.run(1000)
    (t0, u0), (t1, u1) = ref.spikes(), net.spikes()
    n = min(t0.size, t1.size)
    diff = np.flatnonzero((t0[:n] != t1[:n]) | (u0[:n] != u1[:n]))
    first = int(t0[diff[0]]) if diff.size else None
    print(f"\nizhikevich2003 1000 ms: CPU {t0.size} spikes, GPU {t1.size}; first differing tick {first}")
    assert 7000 <= t1.size <= 8000
    assert first is None or first >= 20


def test_stdp_one_tick_within_ulps(tmp_path: Path) -> None:
    """From a common state, one tick of STDP (all three passes, same emitters) gives
    weights and traces within a few ulps of the CPU's: the passes reorder no sum,
    only CUDA's exp differs from the C library's."""
    def brain() -> Brain:
        b = dyadic_net(n=1000, k=40, synapse="plastic")
        b.projections[0].params = {"A_plus": 0.05, "A_minus": 0.06, "w_max": 6.0}
        b.devices.append(Device("nz", "noise_current", {"std": 4.0},
                                [DeviceTarget("p", np.arange(1000), np.ones(1000), np.zeros(1000, np.int32))]))
        return b

    ref = Network(brain())
    ref.run(200)
    ref.checkpoint(tmp_path / "c.db")
    a = runtime.resume(tmp_path / "c.db")
    g = gpu(runtime.resume(tmp_path / "c.db"))
    a.run(1)
    g.run(1)
    g.backend.sync(g)
    assert np.array_equal(a.blocks[0].fired[:a.blocks[0].nf[0]], g.blocks[0].fired[:g.blocks[0].nf[0]])
    p0, p1 = a.pathways[0], g.pathways[0]
    assert ulps(p0.w, p1.w).max() <= 8 and ulps(p0.S, p1.S).max() <= 8
    assert np.array_equal(p0.X, p1.X)

