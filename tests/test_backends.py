"""The runtime behaves the same on every backend.

Parametrised by backend:

* ``numba``: the fused CPU loop (the reference);
* ``cupy-host``: the CuPy backend's orchestration with its CUDA kernels compiled
  for the CPU and run thread by thread (:class:`runtime.gpu.engine.HostEngine`).
  Summation order is then the CPU's, so results must equal numba's bit for bit;
  this is what exercises the GPU backend in CI;
* ``cupy``: the real GPU (only where CuPy sees one). Atomic additions make the
  summation order vary, so comparisons with numba use tolerances there (the
  bounds are argued in docs/gpu.md and measured in tests/gpu).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from numba import njit

import runtime
from brainc.compiler import compile_ir, compile_recipe
from brainc.errors import BraincError, RuntimeBlowUp
from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.backends import get_backend
from runtime.backends.cupy_backend import CupyBackend, cupy_available
from runtime.gpu import NoGpuKernelError
from runtime.gpu.engine import host_compiler
from runtime.network import Network
from runtime.registry import NeuronModel, SynapseModel, Var

ROOT = Path(__file__).resolve().parents[1]
IZH = ROOT / "recipes" / "izhikevich2003.yaml"

BACKENDS = [
    "numba",
    pytest.param("cupy-host", marks=pytest.mark.skipif(host_compiler() is None, reason="no C++ compiler")),
    pytest.param("cupy", marks=pytest.mark.skipif(not cupy_available()[0], reason="no CuPy/GPU")),
]


def use(net: Network, backend: str) -> Network:
    """Put ``net`` on ``backend`` (the host emulation has no name in get_backend)."""
    if backend == "numba":
        return net
    net.backend = CupyBackend(engine="host" if backend == "cupy-host" else "cuda")
    net.backend.attach(net)
    return net


def make(brain: Brain, backend: str, seed: int | None = None) -> Network:
    return use(Network(brain, seed=seed), backend)


def exact(backend: str) -> bool:
    return backend != "cupy"


def same(a: np.ndarray, b: np.ndarray, backend: str, rtol: float = 1e-9, atol: float = 1e-9) -> bool:
    if exact(backend):
        return a.shape == b.shape and np.array_equal(a, b)
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def two_cells(weight: float = 20.0, delay: int = 3) -> Brain:
    b = Brain("two", 0, 1.0)
    b.populations += [Population("a", "izhikevich", 1), Population("b", "izhikevich", 1)]
    b.projections.append(Projection("ab", "a", "b", "fixed", np.array([0], np.int32), np.array([0], np.int32),
                                    np.array([weight]), np.array([delay], np.int32)))
    return b


def dyadic_net(n: int = 200, k: int = 20, seed: int = 3, synapse: str = "fixed") -> Brain:
    """Random network whose weights are multiples of 1/64 and whose input is a
    constant bias: every sum is exact in any order, so even the GPU must match
    the CPU spike for spike."""
    rng = np.random.default_rng(seed)
    b = Brain("dyadic", seed, 1.0)
    bias = np.round(rng.uniform(3.0, 12.0, n) * 64) / 64
    b.populations.append(Population("p", "izhikevich", n, {"I_bias": bias}))
    pre = np.repeat(np.arange(n), k).astype(np.int32)
    post = rng.integers(0, n, n * k).astype(np.int32)
    w = np.round(rng.uniform(-2.0, 4.0, n * k) * 64) / 64
    d = rng.integers(1, 6, n * k).astype(np.int32)
    b.projections.append(Projection("rec", "p", "p", synapse, pre, post, w, d))
    return b


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


# ---------------------------------------------------------------- equivalence with the reference


def test_izhikevich2003_matches_numba(backend: str) -> None:
    brain = compile_ir(IZH)
    ref = Network(brain)
    ref.run(400)
    net = make(compile_ir(IZH), backend)
    net.run(400)
    (t0, u0), (t1, u1) = ref.spikes(), net.spikes()
    if exact(backend):
        assert np.array_equal(t0, t1) and np.array_equal(u0, u1)
        assert np.array_equal(ref.state("exc", "v"), net.state("exc", "v"))
        assert np.array_equal(ref.devices[0].rng, net.devices[0].rng)  # the noise streams are the CPU's
    else:
        # identical streams, but atomics and libm ulps let the chaotic network drift
        assert abs(t1.size - t0.size) < 0.05 * t0.size
        first = np.flatnonzero(~((t0[:t1.size] == t1[:t0.size]) & (u0[:t1.size] == u1[:t0.size])))
        assert first.size == 0 or t0[first[0]] >= 20  # same spikes for the first ticks at least
        assert np.array_equal(ref.devices[0].rng, net.devices[0].rng)  # stream positions agree exactly


def test_dyadic_network_identical_spikes(backend: str) -> None:
    ref = Network(dyadic_net())
    ref.run(500)
    net = make(dyadic_net(), backend)
    net.run(500)
    assert ref.spikes()[0].size > 500
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y)
    assert np.array_equal(ref.state("p", "v"), net.state("p", "v"))


def test_chunked_runs_equal_one_run(backend: str) -> None:
    a, b = make(dyadic_net(), backend), make(dyadic_net(), backend)
    a.run(400)
    for n in (1, 49, 50, 100, 3, 97, 100):
        b.run(n)
    assert a.t == b.t == 400
    for x, y in zip(a.spikes(), b.spikes()):
        assert np.array_equal(x, y)


def test_checkpoint_resume_identical(backend: str, tmp_path: Path) -> None:
    db = compile_recipe(IZH, tmp_path / "b.db")
    straight = use(runtime.load(db), backend)
    straight.run(301)
    half = use(runtime.load(db), backend)
    half.run(151)  # an odd tick: the GPU's noise streams are double-buffered by tick parity
    half.checkpoint(tmp_path / "c.db")
    resumed = runtime.resume(tmp_path / "c.db")
    resumed = use(resumed, backend)
    assert resumed.t == 151
    resumed.run(150)
    if exact(backend):
        for x, y in zip(straight.spikes(), resumed.spikes()):
            assert np.array_equal(x, y)
        assert np.array_equal(straight.state("exc", "v"), resumed.state("exc", "v"))
    else:
        assert abs(straight.spikes()[0].size - resumed.spikes()[0].size) < 0.1 * straight.spikes()[0].size


def test_voltmeter_matches_numba(backend: str) -> None:
    def brain() -> Brain:
        b = dyadic_net(n=50, k=5)
        b.devices.append(Device("vm", "voltmeter", {"record_from": ["v", "u"], "interval": 3.0},
                                [DeviceTarget("p", np.array([0, 7, 9]), np.ones(3), np.zeros(3, np.int32))]))
        return b

    ref, net = Network(brain()), make(brain(), backend)
    for n in (100, 1, 2, 30):
        ref.run(n)
        net.run(n)
    t0, v0, c0 = ref.recording("vm")
    t1, v1, c1 = net.recording("vm")
    assert c0 == c1 and np.array_equal(t0, t1) and v0.shape == (45, 6)
    assert np.array_equal(v0, v1)


# ---------------------------------------------------------------- host <-> device traffic


def test_inject_state_and_modulators_reach_the_device(backend: str) -> None:
    net = make(two_cells(weight=40.0, delay=3), backend)
    net.inject("a", 30.0)
    net.run(50)
    ta, _ = net.spikes("a")
    tb, _ = net.spikes("b")
    assert ta.size > 0 and tb.size > 0 and tb[0] >= ta[0] + 3
    net.inject("a", 0.0)
    net.run(100)
    n_before = net.spikes("a")[0].size
    net.set_state("a", "v", 40.0)  # above v_peak: fires in the next tick
    net.run(1)
    t, _ = net.spikes("a")
    assert t.size == n_before + 1 and t[-1] == net.t - 1
    net.reward(0.5)
    assert net.modulator("reward") == 0.5
    net.run(1)
    assert net.modulator("reward") == 0.0  # the pulse was cleared on the device and synced back


def test_injection_flag_is_respected(backend: str) -> None:
    """Delivery adds ``inj`` only while the block's ``injon`` flag is set (Network.inject maintains it)."""
    ref, net = Network(two_cells()), make(two_cells(), backend)
    for x in (ref, net):
        x.backend.sync(x)
        x.blocks[0].inj[0, 0] = 40.0  # written behind inject()'s back: injon stays 0
        x.backend.push(x) if x is net else None
        x.run(30)
        assert x.spikes("a")[0].size == 0
        x.inject("b", 30.0)  # sets injon: now the stale entry counts too
        x.run(30)
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y)
    assert ref.spikes("a")[0].size > 0


def test_pathway_grows_and_shrinks(backend: str) -> None:
    net = make(two_cells(weight=40.0, delay=1), backend)
    pw = net.pathways[0]
    net.backend.sync(net)
    pw.add(np.array([1]), np.array([0]), np.array([40.0]), np.array([1]), 2, 2)
    net.inject("b", 30.0)
    net.run(30)
    assert net.spikes("a")[0].size > 0  # the b -> a synapse added at run time transmits
    pw.keep(pw.pre_idx == 0, 2, 2)
    n = net.spikes("a")[0].size
    net.run(30)
    assert net.spikes("a")[0].size == n  # and is gone again


def test_nan_blow_up_same_tick_as_numba(backend: str) -> None:
    ticks = []
    for be in ("numba", backend):
        net = make(two_cells(), be)
        net.inject("b", np.nan)
        with pytest.raises(RuntimeBlowUp, match=r"population 'b' became NaN/inf by tick \d+"):
            net.run(500)
        ticks.append(net.t)
    assert ticks[0] == ticks[1]


def test_runaway_rates_stop(backend: str) -> None:
    b = Brain("r", 0, 1.0)
    b.populations.append(Population("p", "izhikevich", 10, {"c": 29.0, "d": 0.0, "a": 0.0}))
    net = make(b, backend)
    net.inject("p", 1e4)
    with pytest.raises(RuntimeBlowUp, match="ran away"):
        net.run(1000)
    assert net.t < 1000


# ---------------------------------------------------------------- the other models with GPU kernels


def _stdp_brain(synapse: str, params: dict | None = None) -> Brain:
    b = dyadic_net(n=120, k=15, synapse=synapse)
    b.projections[0].params = dict(params or {})
    b.populations[0].params["I_bias"] = np.full(120, 6.0)
    b.devices.append(Device("dc", "dc_current", {"amplitude": 4.0, "start": 50.0, "stop": 250.0},
                            [DeviceTarget("p", np.arange(0, 120, 2), np.full(60, 1.0), np.zeros(60, np.int32))]))
    b.devices.append(Device("nz", "noise_current", {"mean": 0.0, "std": 3.0},
                            [DeviceTarget("p", np.arange(120), np.ones(120), np.zeros(120, np.int32))]))
    return b


def test_learning_models_checkpoint_resume_identical(backend: str, tmp_path: Path) -> None:
    """All the learning synapses in one network, checkpointed at an odd tick
    (state, traces, gate tables, pruning counters and scratch survive)."""
    def brain() -> Brain:
        b = _gated_brain({"A_plus": 0.05, "A_minus": 0.05})
        rng = np.random.default_rng(9)
        for k, (syn, params) in enumerate(_LEARNING[2:]):
            if syn == "gated":
                continue
            pre = rng.integers(0, 120, 600).astype(np.int32)
            post = rng.integers(0, 120, 600).astype(np.int32)
            w = np.round(rng.uniform(-1.0, 2.0, 600) * 64) / 64
            b.projections.append(Projection(f"p{k}", "p", "p", syn, pre, post, w, np.full(600, 2, np.int32),
                                            params={k2: (v[:600] if isinstance(v, np.ndarray) else v)
                                                    for k2, v in params.items()}))
        return b

    straight = make(brain(), backend)
    _drive(straight)
    half = make(brain(), backend)
    half.run(151)
    half.reward(0.75)
    half.checkpoint(tmp_path / "c.db")
    resumed = use(runtime.resume(tmp_path / "c.db"), backend)
    resumed.run(149)
    ref = Network(brain())
    ref.run(151)
    ref.reward(0.75)
    ref.run(149)
    for x, y in zip(ref.spikes(), resumed.spikes()):
        assert np.array_equal(x, y) if exact(backend) else abs(x.size - y.size) < 0.1 * x.size
    if exact(backend):
        resumed.backend.sync(resumed)
        for p0, p1 in zip(ref.pathways, resumed.pathways):
            assert np.array_equal(p0.w, p1.w) and np.array_equal(p0.S, p1.S) and np.array_equal(p0.X, p1.X)
    assert straight.t == resumed.t == 300


def test_pruned_synapses_compacted_mid_run(backend: str) -> None:
    """developmental.compact drops pruned synapses between runs (Pathway.keep): the
    device arrays, the parameter scan and the scratch follow the new synapse count."""
    from runtime.synapses.developmental import compact

    params = dict(_LEARNING[-1][1])
    nets = [_learning_net("developmental", params, "numba"), _learning_net("developmental", params, backend)]
    for net in nets:
        net.run(150)
        assert compact(net) > 0
        net.run(150)
    ref, net = nets
    net.backend.sync(net)
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y) if exact(backend) else abs(x.size - y.size) < 0.1 * x.size
    if exact(backend):
        p0, p1 = ref.pathways[0], net.pathways[0]
        assert p0.w.size == p1.w.size and np.array_equal(p0.w, p1.w) and np.array_equal(p0.X, p1.X)


def _gated_brain(params: dict) -> Brain:
    """The STDP test network, its synapses gated by a second noisy population."""
    b = _stdp_brain("gated", params)
    b.populations.append(Population("g", "izhikevich", 9))
    b.devices.append(Device("gz", "noise_current", {"mean": 2.0, "std": 6.0},
                            [DeviceTarget("g", np.arange(9), np.ones(9), np.zeros(9, np.int32))]))
    pr = b.projections[0]
    pr.gate = "g"
    pr.params["gate_unit"] = (np.arange(pr.count) % 7).astype(np.float64)
    return b


_VARY = np.linspace(8.0, 30.0, 120 * 15)  # per-synapse time constants: the per-synapse exp paths
_LEARNING = [
    ("facilitating", {}),
    ("depressing", {}),
    ("plastic", {"A_plus": 0.05, "A_minus": 0.06, "w_max": 6.0}),
    ("plastic", {"tau_plus": _VARY, "A_minus": _VARY / 60.0, "tau_minus": 1.0, "w_min": 0.25}),  # rescales
    ("gated", {"A_plus": 0.05, "A_minus": 0.05, "window": 4.0}),
    ("gated", {"window": 2.0}),  # no learning: the gate table only
    ("reward_plastic", {"tau_e": 200.0}),
    ("reward_plastic", {"tau_e": _VARY * 10.0, "lr": 0.5, "tau_minus": 2.0}),
    ("developmental", {"critical_start": 20.0, "critical_end": 260.0, "eval_interval": 40.0, "z": 0.3}),
]


def _learning_net(synapse: str, params: dict, backend: str) -> Network:
    brain = _gated_brain(params) if synapse == "gated" else _stdp_brain(synapse, params)
    return make(brain, backend)


def _drive(net: Network) -> None:
    """300 ticks in uneven pieces, with reward pulses (reward_plastic) in between."""
    for n, m in ((40, 0.5), (1, -0.25), (70, 1.0), (89, 0.0), (100, 2.0)):
        net.run(n)
        if m:
            net.reward(m)


@pytest.mark.parametrize("synapse,params", _LEARNING,
                         ids=[f"{s}-{k}" for k, (s, _) in enumerate(_LEARNING)])
def test_synapse_models_match_numba(backend: str, synapse: str, params: dict) -> None:
    ref, net = _learning_net(synapse, params, "numba"), _learning_net(synapse, params, backend)
    w_init = ref.pathways[0].w.copy()
    _drive(ref)
    _drive(net)
    pw0, pw1 = ref.pathways[0], net.pathways[0]
    net.backend.sync(net)
    if synapse not in ("facilitating", "depressing") and (synapse != "gated" or "A_plus" in params):
        assert not np.array_equal(pw0.w, w_init)  # it learned
    if exact(backend):
        for x, y in zip(ref.spikes(), net.spikes()):
            assert np.array_equal(x, y)
        assert np.array_equal(pw0.w, pw1.w) and np.array_equal(pw0.S, pw1.S) and np.array_equal(pw0.X, pw1.X)
        assert np.array_equal(np.signbit(pw0.w), np.signbit(pw1.w))
    else:
        assert abs(ref.spikes()[0].size - net.spikes()[0].size) < 0.1 * ref.spikes()[0].size


@njit(cache=False)
def _hebb_learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out, indptr, post_idx, pre_idx,
                csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods):
    for q in range(n_post):
        j = post_fired[q]
        for k in range(csc_ptr[j], csc_ptr[j + 1]):
            s = csc_syn[k]
            S[0, s] += 1.0
            w[s] = min(w[s] + P[0, s], 8.0)
    for q in range(n_pre):
        i = pre_fired[q]
        for s in range(indptr[i], indptr[i + 1]):
            w[s] = max(w[s] - 0.5 * P[0, s], -8.0)


_HEBB_CUDA = r"""
extern "C" __global__ void hebb_post(LEARN_ARGS) {
    if (ctl[CTL_STOP]) return;
    for (i64 q = blockIdx.x; q < n_post_fired[0]; q += gridDim.x) {
        const i64 j = post_fired[q];
        for (i64 k = cscptr[j] + threadIdx.x; k < cscptr[j + 1]; k += blockDim.x) {
            const i64 s = cscsyn[k];
            S[s] += 1.0;
            w[s] = fmin(w[s] + P[s], 8.0);
        }
    }
}
extern "C" __global__ void hebb_pre(LEARN_ARGS) {
    if (ctl[CTL_STOP]) return;
    for (i64 q = blockIdx.x; q < n_pre[0]; q += gridDim.x) {
        const i64 i = pre_fired[q];
        for (i64 s = indptr[i] + threadIdx.x; s < indptr[i + 1]; s += blockDim.x)
            w[s] = fmax(w[s] - 0.5 * P[s], -8.0);
    }
}
"""


@pytest.fixture
def hebb_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A toy learning synapse with CPU and GPU kernels, registered for one test:
    exercises the backend's learn phase (CSR and CSC sweeps, weights synced back)."""
    from runtime import gpu, registry
    from runtime.gpu.synapses import FIXED
    from runtime.synapses.fixed import propagate

    class Hebb(SynapseModel):
        name = "test_hebb"
        params = {"eta": Var(0.25)}
        state = {"posts": Var(0.0)}
        plastic = True

    Hebb.propagate = propagate
    Hebb.learn = _hebb_learn
    registry.synapse_models()
    gpu.gpu_kernels()
    monkeypatch.setitem(registry._SYNAPSES, "test_hebb", Hebb)
    monkeypatch.setitem(gpu._KERNELS, ("synapse", "test_hebb"), gpu.GpuKernel(
        model="test_hebb", kind="synapse", source=(FIXED, _HEBB_CUDA), params=("eta",), state=("posts",),
        entries={"propagate": "fixed_propagate", "learn": ("hebb_post", "hebb_pre")}))


def test_learning_synapse_matches_numba(backend: str, hebb_model: None) -> None:
    ref, net = Network(dyadic_net(synapse="test_hebb")), make(dyadic_net(synapse="test_hebb"), backend)
    w_init = ref.pathways[0].w.copy()
    ref.run(300)
    net.run(300)
    pw0, pw1 = ref.pathways[0], net.pathways[0]
    net.backend.sync(net)
    assert not np.array_equal(pw0.w, w_init) and pw0.S.sum() > 0  # it learned
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y)  # dyadic weights and steps: exact on every backend
    assert np.array_equal(pw0.w, pw1.w) and np.array_equal(pw0.S, pw1.S)
    assert np.array_equal(ref.weights("rec")[2], net.weights("rec")[2])


def test_gap_junctions_match_numba(backend: str) -> None:
    def brain() -> Brain:
        b = dyadic_net(n=60, k=4)
        rng = np.random.default_rng(0)
        pre = rng.integers(0, 60, 100).astype(np.int32)
        post = rng.integers(0, 60, 100).astype(np.int32)
        b.projections.append(Projection("gap", "p", "p", "gap_junction", pre, post, np.full(100, 0.05),
                                        np.zeros(100, np.int32)))
        return b

    ref, net = Network(brain()), make(brain(), backend)
    ref.run(200)
    net.run(200)
    assert same(ref.state("p", "v"), net.state("p", "v"), backend, rtol=1e-6, atol=1e-6)


def brunel_mini(order: int = 100, rate: float = 20_000.0) -> Brain:
    """A small Brunel (2000) network of NEST models (iaf_psc_delta, static_synapse,
    poisson_generator, dc_generator), dt 0.1 ms."""
    rng = np.random.default_rng(2)
    ne, ni, dt = 4 * order, order, 0.1
    b = Brain("brunel", 5, dt)
    neuron = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_th": 20.0, "V_m": 0.0}
    b.populations += [Population("E", "iaf_psc_delta", ne, dict(neuron)),
                      Population("I", "iaf_psc_delta", ni, dict(neuron, refractory_input=1.0))]
    for pre, n_pre, w in (("E", ne, 0.1), ("I", ni, -0.5)):
        for post, n_post in (("E", ne), ("I", ni)):
            k = n_pre // 10
            post_idx = np.repeat(np.arange(n_post), k).astype(np.int32)
            pre_idx = rng.integers(0, n_pre, post_idx.size).astype(np.int32)
            b.projections.append(Projection(f"{pre}{post}", pre, post, "static_synapse", pre_idx, post_idx,
                                            np.full(post_idx.size, w), np.full(post_idx.size, 15, np.int32)))
    b.devices.append(Device("ext", "poisson_generator", {"rate": rate}, [
        DeviceTarget("E", np.arange(ne), np.full(ne, 0.1), np.full(ne, 15, np.int32)),
        DeviceTarget("I", np.arange(ni), np.full(ni, 0.1), np.full(ni, 15, np.int32))]))
    b.devices.append(Device("dc", "dc_generator", {"amplitude": 0.5, "start": 20.0, "stop": 40.0},
                            [DeviceTarget("I", np.arange(ni), np.ones(ni), np.zeros(ni, np.int32))]))
    return b


@pytest.mark.parametrize("rate,ticks", [(20_000.0, 600), (350_000.0, 150)])  # lam 2: one draw per target; 35: variable
def test_nest_brunel_matches_numba(backend: str, rate: float, ticks: int) -> None:
    ref, net = Network(brunel_mini(rate=rate)), make(brunel_mini(rate=rate), backend)
    ref.run(ticks)
    net.run(ticks)
    (t0, u0), (t1, u1) = ref.spikes(), net.spikes()
    assert t0.size > 100
    net.backend.sync(net)
    assert np.array_equal(ref.devices[0].rng, net.devices[0].rng)  # the Poisson streams are the CPU's
    if exact(backend):
        assert np.array_equal(t0, t1) and np.array_equal(u0, u1)
        assert np.array_equal(ref.state("E", "V_m"), net.state("E", "V_m"))
    else:
        assert abs(t0.size - t1.size) < 0.1 * t0.size


def nest_zoo(seed: int = 4) -> Brain:
    """Every NEST model in one network: neurons driven by Poisson/dc/noise/spike
    generators, static, tsodyks2, stdp and dopamine synapses between them."""
    rng = np.random.default_rng(seed)
    b = Brain("zoo", seed, 0.1)
    pops = {"d": ("iaf_psc_delta", 20, {"refractory_input": np.r_[np.zeros(10), np.ones(10)]}),
            "e": ("iaf_psc_exp", 20, {}), "a": ("iaf_psc_alpha", 20, {"tau_syn_ex": np.linspace(0.5, 3.0, 20)}),
            "c": ("iaf_cond_exp", 20, {}), "ch": ("iaf_cond_exp_heun", 10, {"t_ref": np.linspace(0.5, 3.0, 10)}),
            "ae": ("aeif_cond_alpha", 10, {"t_ref": np.r_[np.zeros(5), np.full(5, 1.0)]}),
            "z": ("nest_izhikevich", 10, {"consistent_integration": np.r_[np.ones(5), np.zeros(5)],
                                           "I_e": np.linspace(4.0, 14.0, 10)}),
            "p": ("parrot_neuron", 6, {}), "vt": ("volume_transmitter", 1, {})}
    for name, (model, n, params) in pops.items():
        b.populations.append(Population(name, model, n, dict(params)))
    drive = {"d": (0.6, 12000.0), "e": (60.0, 9000.0), "a": (50.0, 9000.0), "c": (3.0, 9000.0), "ch": (3.0, 9000.0), "ae": (4.0, 12000.0)}
    for name, (w, rate) in drive.items():
        n = pops[name][1]
        b.devices.append(Device(f"pg_{name}", "poisson_generator", {"rate": rate},
                                [DeviceTarget(name, np.arange(n), np.full(n, w), np.full(n, 1, np.int32))]))
    b.devices.append(Device("dc", "dc_generator", {"amplitude": 150.0, "start": 5.0, "stop": 20.0},
                            [DeviceTarget(p, np.arange(pops[p][1]), np.ones(pops[p][1]), np.zeros(pops[p][1], np.int32))
                             for p in ("e", "c")]))
    b.devices.append(Device("ng", "noise_generator", {"mean": 20.0, "std": 80.0, "dt": 0.5, "start": 3.0},
                            [DeviceTarget("e", np.arange(20), np.ones(20), np.full(20, 2, np.int32))]))
    b.devices.append(Device("ng2", "noise_generator", {"std": 30.0},
                            [DeviceTarget("e", np.arange(5), np.ones(5), np.zeros(5, np.int32))]))
    times = np.round(np.sort(rng.uniform(0.2, 25.0, 40)), 1)
    b.devices.append(Device("sg", "spike_generator", {"spike_times": list(times)},
                            [DeviceTarget("p", np.arange(6), np.ones(6), np.full(6, 1, np.int32))]))
    b.devices.append(Device("sg2", "spike_generator",
                            {"spike_times": [1.0, 1.0, 2.5, 7.0], "spike_weights": [1.0, 2.0, 0.5, 3.0]},
                            [DeviceTarget("d", np.arange(4), np.full(4, 0.5), np.full(4, 3, np.int32))]))

    def proj(name, pre, post, syn, k, w, delay, params=None, gate=None, wjit=0.0):
        n_pre, n_post = pops[pre][1], pops[post][1]
        pi = rng.integers(0, n_pre, k).astype(np.int32)
        po = rng.integers(0, n_post, k).astype(np.int32)
        ww = np.full(k, w) * (1.0 + wjit * rng.uniform(-1, 1, k))
        dd = rng.integers(delay[0], delay[1] + 1, k).astype(np.int32)
        b.projections.append(Projection(name, pre, post, syn, pi, po, ww, dd, params=dict(params or {}), gate=gate))

    proj("dd", "d", "d", "static_synapse", 60, 0.4, (10, 15), wjit=0.5)
    proj("de", "d", "e", "tsodyks2_synapse", 50, 80.0, (5, 12), {"tau_fac": 20.0, "U": 0.3})
    proj("ea", "e", "a", "static_synapse", 60, -40.0, (8, 8))
    proj("pa", "p", "a", "stdp_synapse", 40, 30.0, (10, 10), {"Wmax": 100.0, "lambda": 0.05, "mu_plus": 0.5})
    proj("ac", "a", "c", "stdp_synapse", 60, 2.0, (3, 14), {"Wmax": 10.0, "lambda": 0.1, "alpha": 1.2})
    proj("cz", "c", "z", "static_synapse", 40, 4.0, (4, 9))
    proj("chc", "ch", "c", "static_synapse", 30, -3.0, (2, 6))
    proj("zvt", "z", "vt", "static_synapse", 10, 1.0, (1, 1))
    proj("dae", "d", "ae", "stdp_dopamine_synapse", 60, 3.0, (10, 10),
         {"gate_unit": 0.0, "update_interval": 1.0, "A_plus": 0.5, "b": 0.001, "Wmax": 20.0}, gate="vt")
    return b


def _same_network_state(ref: Network, net: Network, backend: str) -> None:
    net.backend.sync(net)
    for x, y in zip(ref.spikes(), net.spikes()):
        assert np.array_equal(x, y) if exact(backend) else abs(x.size - y.size) <= 0.1 * x.size + 5
    if not exact(backend):
        return
    for b0, b1 in zip(ref.blocks, net.blocks):
        assert np.array_equal(b0.S, b1.S) and np.array_equal(b0.L, b1.L), b0.model.name
    for p0, p1 in zip(ref.pathways, net.pathways):
        assert np.array_equal(p0.w, p1.w) and np.array_equal(p0.S, p1.S) and np.array_equal(p0.X, p1.X), \
            p0.projections
    for d0, d1 in zip(ref.devices, net.devices):
        assert np.array_equal(d0.rng, d1.rng) and np.array_equal(d0.S, d1.S), d0.model


def test_nest_models_match_numba(backend: str, tmp_path: Path) -> None:
    """Every NEST neuron, generator and synapse in one network; checkpointed at a
    tick inside a dopamine delivery interval (buffered pre spikes, dopamine list,
    noise values held between refreshes, spike-generator pointers)."""
    ref = Network(nest_zoo())
    ref.run(300)
    assert min(ref.spikes(p)[0].size for p in ref.population_names) > 5  # every population is active
    net = make(nest_zoo(), backend)
    net.run(137)
    net.checkpoint(tmp_path / "c.db")
    net = use(runtime.resume(tmp_path / "c.db"), backend)
    net.run(163)
    _same_network_state(ref, net, backend)


def _leabra_nets() -> list:
    import brainc.leabra as lb

    a = lb.Net(seed=7, name="varied")
    a.new_layer("in", 12, lb.LayerSpec(unit_spec=lb.UnitSpec(gc_l=0.2, act_fun="nxx1_conv")))
    a.new_layer("hid", 9, lb.LayerSpec(inhibition_type="kwta", kwta_pct=0.3, act_avg_fixed=True))
    a.new_layer("out", 4)
    a.new_projn("ih", "in", "hid", lb.ProjnSpec(sparsity=0.6, dist=lb.Gaussian(0.5, 0.09), lrate=0.03))
    a.new_projn("ho", "hid", "out", lb.ProjnSpec(norm=False))
    a.new_projn("oh", "out", "hid", lb.ProjnSpec(wt_scale_rel=0.2))
    a.new_projn("hh", "hid", "hid", lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.4), inhibitory=True,
                                                 sym=False))
    a.new_projn("oi", "out", "in", lb.ProjnSpec(sym=False, dist=lb.Uniform(0.1, 0.2)))
    b = lb.Net(seed=3, name="spiking")
    b.new_layer("in", 12, lb.LayerSpec(unit_spec=lb.UnitSpec(clamp_hard=False, clamp_avg=True)))
    b.new_layer("sp", 16, lb.LayerSpec(inhibition_type="kwta_avg", kwta_pct=0.25,
                                       unit_spec=lb.UnitSpec(act_fun="spike", adapt_dt=1.0 / 144, self_gi=0.3)))
    b.new_layer("no", 5, lb.LayerSpec(inhibition_type="none"))
    b.new_layer("out", 4)
    b.new_projn("is", "in", "sp", lb.ProjnSpec(momentum=False))
    b.new_projn("so", "sp", "out", lb.ProjnSpec(sig_gain=3.0))
    b.new_projn("sn", "sp", "no", lb.ProjnSpec())
    b.new_projn("nout", "no", "out", lb.ProjnSpec())
    b.new_projn("os", "out", "sp", lb.ProjnSpec(wt_scale_rel=0.3))
    return [a, b]


@pytest.mark.parametrize("which", [0, 1], ids=["fffb-kwta-conv", "spike-kwta_avg-soft"])
def test_leabra_matches_numba(backend: str, which: int) -> None:
    """Leabra trials through the brainc.leabra API (minus and plus phases, hard and
    soft clamps, XCAL learning) on every backend."""
    def train(gpu: bool):
        net = _leabra_nets()[which]
        rt = net.network
        w0 = [p.w.copy() for p in rt.pathways]
        if gpu:
            # the API edits host arrays between runs (clamps, trial starts, scales): synced
            rt.backend = CupyBackend(engine="host" if backend == "cupy-host" else "cuda", synced=True)
            rt.backend.attach(rt)
        rng = np.random.default_rng(1)
        for _ in range(3):
            net.clamp_layer("in", rng.uniform(0, 1, 12))
            net.minus_phase_cycle(30)
            net.clamp_layer("out", rng.uniform(0, 1, 4))
            net.plus_phase_cycle(20)
            net.learn()
            net.unclamp_layer("out")
        return rt, w0

    ref, w0 = train(False)
    if backend == "numba":
        return
    net, _ = train(True)
    assert any(not np.array_equal(p.w, w) for p, w in zip(ref.pathways, w0))  # it learned
    if which == 1:
        assert ref.blocks[0].S[list(ref.blocks[0].model.state).index("avg_spk")].max() > 0  # it spiked
    # on a GPU: layer means summed in 64 lanes, CUDA's exp/pow; discrete spikes can amplify that
    rtol, atol = (1e-6, 1e-9) if which == 0 else (1e-2, 1e-2)
    for p0, p1 in zip(ref.pathways, net.pathways):
        assert same(p0.w, p1.w, backend, rtol=rtol, atol=atol)
    assert same(ref.blocks[0].S, net.blocks[0].S, backend, rtol=rtol, atol=atol)
    assert same(ref.blocks[0].L, net.blocks[0].L, backend, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- choosing a backend


@njit(cache=False)
def _cpu_only_update(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    return 0


class _CpuOnly(NeuronModel):
    """A model with CPU kernels only (for the "no GPU kernel" error)."""

    name = "test_cpu_only_unit"
    params = {"x": Var(0.0)}
    state = {"v": Var(0.0)}
    voltage = "v"

    update = staticmethod(_cpu_only_update)


@pytest.fixture
def cpu_only_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the CPU-only model for one test (the registry is global)."""
    from runtime import registry

    registry.neuron_models()  # load the real ones first
    monkeypatch.setitem(registry._NEURONS, _CpuOnly.name, _CpuOnly)


def _cpu_only_brain() -> Brain:
    b = two_cells()
    b.populations.append(Population("z", "test_cpu_only_unit", 3))
    return b


@pytest.mark.parametrize("engine", [pytest.param("host", marks=pytest.mark.skipif(
    host_compiler() is None, reason="no C++ compiler"))])
def test_model_without_gpu_kernel_is_one_clear_error(engine: str, cpu_only_model: None) -> None:
    net = Network(_cpu_only_brain())
    with pytest.raises(NoGpuKernelError, match="neuron model 'test_cpu_only_unit' has no GPU kernel yet"):
        CupyBackend(engine=engine).attach(net)
    # auto: falls back to numba with a warning instead
    be = CupyBackend(engine=engine, fallback=True)
    net.backend = be
    with pytest.warns(RuntimeWarning, match="no GPU kernel"):
        be.attach(net)
    assert net.backend.name == "numba"
    net.run(5)


def test_cupy_without_gpu_is_one_clear_error_and_auto_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import runtime.backends.cupy_backend as cb

    monkeypatch.setattr(cb, "cupy_available", lambda: (False, "CuPy is not installed (pip install 'brainc[gpu]')"))
    with pytest.raises(BraincError, match=r"the cupy backend is not available: CuPy is not installed"):
        get_backend("cupy")
    with pytest.raises(BraincError, match="--backend numba"):
        Network(two_cells(), backend="cupy")
    assert get_backend("auto").name == "numba"
    net = Network(two_cells(), backend="auto")
    assert net.backend.name == "numba"


def test_cli_backend_cupy_error_without_gpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from click.testing import CliRunner

    import runtime.backends.cupy_backend as cb
    from runtime.cli import main

    monkeypatch.setattr(cb, "cupy_available", lambda: (False, "CuPy is not installed (pip install 'brainc[gpu]')"))
    db = compile_recipe(IZH, tmp_path / "b.db")
    res = CliRunner().invoke(main, [str(db), "--ticks", "10", "--backend", "cupy"])
    assert res.exit_code != 0
    assert "the cupy backend is not available" in res.output
    assert "Traceback" not in res.output
    res = CliRunner().invoke(main, [str(db), "--ticks", "10", "--backend", "auto"])
    assert res.exit_code == 0, res.output


def test_environment_in_the_loop_falls_back_to_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    """The arena runs inside the Numba loop: --backend cupy hands such a network to
    the CPU with a warning instead of failing."""
    if host_compiler() is None:
        pytest.skip("no C++ compiler")
    from runtime.backends import numba_backend

    calls = []
    monkeypatch.setattr(numba_backend.NumbaBackend, "attach", lambda self, net: calls.append("attach"))
    monkeypatch.setattr(numba_backend.NumbaBackend, "advance", lambda self, net, n: (n, 0, -1))
    net = make(two_cells(), "cupy-host")
    calls.clear()
    net.env = object()  # what arena.coupling installs
    with pytest.warns(RuntimeWarning, match="environment is coupled in the loop.*running on the CPU"):
        net.run(3)
    assert net.backend.name == "numba" and calls == ["attach"] and net.t == 3


def test_launch_geometry_on_a_gpu() -> None:
    """The grid/block of every geometry kind on a (fake) GPU engine and on the host."""
    class FakeCuda:
        name, lanes, n_sm, graphs, xp = "cuda", 64, 132, True, np

    be = CupyBackend.__new__(CupyBackend)
    be.engine = FakeCuda()
    busy = 32 * 132
    assert be._geometry("unit", 1000, busy) == (4, 256)
    assert be._geometry("syn", 10 ** 8, busy) == (busy, 256)
    assert be._geometry("syn", 10, busy) == (1, 256)
    assert be._geometry("emit", 50, busy) == (50, 64)
    assert be._geometry("rows", 10 ** 6, busy) == (busy, 64)
    assert be._geometry("groups", 3, busy) == (3, 64)
    assert be._geometry("group", 3, busy) == (1, 64)
    assert be._geometry("one", 10 ** 6, busy) == (1, 1)
    with pytest.raises(BraincError, match="geometry"):
        be._geometry("diagonal", 1, busy)
    be.engine = type("Host", (), {"name": "host", "lanes": 1})()
    assert be._geometry("rows", 10 ** 6, 32) == (1, 1) and be._geometry("unit", 300, 32) == (2, 256)


def test_emulation_env_makes_cupy_use_the_host_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    if host_compiler() is None:
        pytest.skip("no C++ compiler")
    monkeypatch.setenv("BRAINC_GPU_EMULATE", "1")
    net = Network(two_cells(), backend="cupy")
    assert net.backend.name == "cupy" and net.backend.engine.name == "host"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.run(10)
