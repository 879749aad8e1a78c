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


@pytest.mark.parametrize("synapse,params", [
    ("facilitating", {}),
    ("depressing", {}),
])
def test_synapse_models_match_numba(backend: str, synapse: str, params: dict) -> None:
    ref = Network(_stdp_brain(synapse, params))
    net = make(_stdp_brain(synapse, params), backend)
    ref.run(300)
    net.run(300)
    pw0, pw1 = ref.pathways[0], net.pathways[0]
    net.backend.sync(net)
    if exact(backend):
        for x, y in zip(ref.spikes(), net.spikes()):
            assert np.array_equal(x, y)
        assert np.array_equal(pw0.w, pw1.w) and np.array_equal(pw0.S, pw1.S)
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
extern "C" __global__ void hebb_post(const i64* pre_fired, const i64* n_pre, const i64* post_fired,
        const i64* n_post_fired, const double* pre_out, const double* post_out, const i64* indptr,
        const int* post_idx, const int* pre_idx, const i64* cscptr, const i64* cscsyn, double* w, double* S,
        const double* P, double* X, double* post_S, const double* gate_out, const double* mods, const i64* ctl,
        i64 n_syn, i64 n_pre_units, i64 n_post_units, double dt) {
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
extern "C" __global__ void hebb_pre(const i64* pre_fired, const i64* n_pre, const i64* post_fired,
        const i64* n_post_fired, const double* pre_out, const double* post_out, const i64* indptr,
        const int* post_idx, const int* pre_idx, const i64* cscptr, const i64* cscsyn, double* w, double* S,
        const double* P, double* X, double* post_S, const double* gate_out, const double* mods, const i64* ctl,
        i64 n_syn, i64 n_pre_units, i64 n_post_units, double dt) {
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


def test_emulation_env_makes_cupy_use_the_host_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    if host_compiler() is None:
        pytest.skip("no C++ compiler")
    monkeypatch.setenv("BRAINC_GPU_EMULATE", "1")
    net = Network(two_cells(), backend="cupy")
    assert net.backend.name == "cupy" and net.backend.engine.name == "host"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.run(10)
