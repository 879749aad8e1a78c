"""The CuPy backend's bookkeeping under stress, on the host emulation (CPU):
many small chunks, sliced spike extraction, recorders across chunks."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.backends.cupy_backend import CupyBackend
from runtime.gpu.engine import host_compiler
from runtime.network import Network

pytestmark = pytest.mark.skipif(host_compiler() is None, reason="no C++ compiler")


def brain(n: int = 300) -> Brain:
    rng = np.random.default_rng(5)
    b = Brain("stress", 7, 1.0)
    b.populations += [Population("a", "izhikevich", n // 2), Population("b", "izhikevich", n - n // 2)]
    k = 10
    pre = np.repeat(np.arange(n // 2), k).astype(np.int32)
    post = rng.integers(0, n - n // 2, pre.size).astype(np.int32)
    b.projections.append(Projection("ab", "a", "b", "fixed", pre, post, rng.uniform(0, 2, pre.size),
                                    rng.integers(1, 8, pre.size).astype(np.int32)))
    b.projections.append(Projection("ba", "b", "a", "fixed", post, pre, rng.uniform(-2, 0, pre.size),
                                    np.ones(pre.size, np.int32)))
    for pop, m in (("a", n // 2), ("b", n - n // 2)):
        b.devices.append(Device(f"n{pop}", "noise_current", {"std": 6.0},
                                [DeviceTarget(pop, np.arange(m), np.ones(m), np.zeros(m, np.int32))]))
    b.devices.append(Device("vm", "voltmeter", {"record_from": ["v"], "interval": 7.0},
                            [DeviceTarget("b", np.array([1, 2, 3]), np.ones(3), np.zeros(3, np.int32))]))
    return b


def test_tiny_chunks_and_slices_equal_the_cpu() -> None:
    ref = Network(brain())
    ref.run(333)
    net = Network(brain())
    # chunks of at most 13 ticks (bitmap of 13 rows), spike extraction 2 rows at a time
    net.backend = CupyBackend(engine="host", max_chunk=13)
    net.backend.drain_words = 2 * (-(-300 // 32))
    net.backend.attach(net)
    net.run(333)
    assert net.backend.stats["chunks"] >= 333 // 13
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y)
    for x, y in zip(ref.recording("vm")[:2], net.recording("vm")[:2]):
        assert np.array_equal(x, y)
    for d0, d1 in zip(ref.devices, net.devices):
        assert np.array_equal(d0.rng, d1.rng)


def test_recorder_budget_limits_the_chunk() -> None:
    net = Network(brain())
    net.backend = CupyBackend(engine="host", recorder_bytes=8 * 3 * 5)  # 5 rows of 3 columns
    net.backend.attach(net)
    assert net.backend._cap <= 4 * 7
    net.run(100)
    t, v, _ = net.recording("vm")
    assert np.array_equal(t, np.arange(0, 100, 7))


def test_odd_tick_push_keeps_noise_streams() -> None:
    """Streams are double-buffered by tick parity; a push at an odd tick must
    land in the buffer that tick reads."""
    ref = Network(brain())
    net = Network(brain())
    net.backend = CupyBackend(engine="host")
    net.backend.attach(net)
    for n in (3, 1, 5, 2):
        ref.run(n)
        net.run(n)
        net.inject("a", 0.5)
        ref.inject("a", 0.5)
    ref.run(50)
    net.run(50)
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y)


def _poisson_brain(rate: float) -> Brain:
    b = Brain("pg", 4, 0.1)
    b.populations.append(Population("p", "iaf_psc_delta", 40, {"C_m": 1.0, "tau_m": 20.0, "V_th": 20.0,
                                                                "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0}))
    idx = np.arange(40)
    b.devices.append(Device("pg", "poisson_generator", {"rate": rate},
                            [DeviceTarget("p", idx, np.full(40, 0.02), np.full(40, 3, np.int32))]))
    return b


def test_poisson_buffer_overflow_falls_back_to_the_cpu_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """lam >= 30 draws a variable count per target from a buffer sized for 10
    sd; a buffer that runs out makes pg_serial redo the tick exactly."""
    import runtime.gpu.nest as gn

    real = gn._pg_sizes

    def tiny(group, dt):
        z = real(group, dt)
        z["M"] = np.where(z["M"] > 0, 64, 0)  # far too short for 40 targets: every tick overflows
        z["n_buf"] = int(z["M"].sum())
        return z

    monkeypatch.setattr(gn, "_pg_sizes", tiny)
    ref = Network(_poisson_brain(400_000.0))  # lam = 40 per tick
    net = Network(_poisson_brain(400_000.0))
    net.backend = CupyBackend(engine="host")
    net.backend.attach(net)
    ref.run(30)
    net.run(30)
    net.backend.sync(net)
    assert int(net.backend._devs[0].a["pg_over"][0]) == 1
    assert np.array_equal(ref.devices[0].rng, net.devices[0].rng)
    assert np.array_equal(ref.blocks[0].S, net.blocks[0].S)
    assert np.array_equal(ref.blocks[0].ring, net.blocks[0].ring)


@pytest.mark.parametrize("rate", [4e5, 1e12, 3e13])
def test_poisson_counts_past_int32_match_the_cpu(rate: float) -> None:
    """PTRS draws any mean in O(1) uniforms, so a mean of 3e9 per step (3e13 Hz)
    reaches the parallel path: its per-target counts are 64-bit there too."""
    ref = Network(_poisson_brain(rate))
    net = Network(_poisson_brain(rate))
    net.backend = CupyBackend(engine="host")
    net.backend.attach(net)
    ref.run(8)
    net.run(8)
    net.backend.sync(net)
    assert np.array_equal(ref.devices[0].rng, net.devices[0].rng)
    assert np.array_equal(ref.blocks[0].S, net.blocks[0].S)
    assert np.array_equal(ref.blocks[0].ring, net.blocks[0].ring)
    assert ref.blocks[0].ring.any() or ref.blocks[0].S[0].any()
