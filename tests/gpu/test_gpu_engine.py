"""GPU kernel registry and engines, checked on the CPU: signatures, argument
checks, the CUDA source compiling (nvcc, where installed) and the host emulation."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from brainc.errors import BraincError
from runtime.gpu import NoGpuKernelError, StaleGpuKernelError, full_source, gpu_kernel, gpu_kernels
from runtime.gpu.engine import HostEngine, host_compiler, parse_signatures
from runtime.registry import device_model, neuron_model, synapse_model

needs_cxx = pytest.mark.skipif(host_compiler() is None, reason="no C++ compiler")


def test_every_gpu_kernel_matches_its_model_layout() -> None:
    lookup = {"neuron": neuron_model, "synapse": synapse_model, "device": device_model}
    for (kind, name), k in gpu_kernels().items():
        model = lookup[kind](name)
        assert gpu_kernel(kind, name, model) is k
        for phase, entry in k.entries.items():
            assert getattr(model, phase, None) is not None, f"{name}: GPU {phase} but no CPU {phase}"
        for fn in k.names("update") + k.names("propagate") + k.names("learn") + k.names("emit"):
            assert fn in parse_signatures(full_source([k]))


def test_every_model_has_a_gpu_kernel() -> None:
    """Every model of the fused loop runs on the GPU (host-engine families step on the host)."""
    from runtime.registry import device_models, neuron_models, synapse_models

    have = gpu_kernels()
    missing = [f"neuron {n}" for n, m in neuron_models().items() if not m.host_engine and ("neuron", n) not in have]
    hosted = {"hebbian_beta"}  # assembly fibers: the assembly engine's own
    missing += [f"synapse {n}" for n in synapse_models() if n not in hosted and ("synapse", n) not in have]
    missing += [f"device {n}" for n in device_models() if ("device", n) not in have]
    assert not missing


def test_missing_and_stale_kernels_are_clear_errors() -> None:
    with pytest.raises(NoGpuKernelError, match="neuron model 'no_such_unit' has no GPU kernel yet"):
        gpu_kernel("neuron", "no_such_unit")

    class Edited:
        params = {"a": 0, "b": 0}  # izhikevich reordered
        state = {"v": 0, "u": 0}

    with pytest.raises(StaleGpuKernelError, match="izhikevich"):
        gpu_kernel("neuron", "izhikevich", Edited)

    # layer rows (Leabra's FFFB reads G/L by index) and rows of related models are guarded too
    from runtime.models.leabra import LeabraUnit

    class Layered(LeabraUnit):
        group_state = {"extra": 0, **LeabraUnit.group_state}

    with pytest.raises(StaleGpuKernelError, match="group_state"):
        gpu_kernel("neuron", "leabra", Layered)

    class Appended(LeabraUnit):  # a kernel whose strides depend on the row count: exact layout
        group_params = {**LeabraUnit.group_params, "new_knob": 0}

    with pytest.raises(StaleGpuKernelError, match="group_params"):
        gpu_kernel("neuron", "leabra", Appended)
    from runtime.gpu import _KERNELS, _check_layout

    xk = _KERNELS[("synapse", "xcal")]
    bad = type(xk)(**{**xk.__dict__, "related": (("neuron", "leabra", "state", ("act", "vm")),)})
    with pytest.raises(StaleGpuKernelError, match="neuron model 'leabra' state"):
        _check_layout(bad, synapse_model("xcal"))


def test_signature_parsing() -> None:
    sig = parse_signatures('extern "C" __global__ void k(const double* a, i64 n, int* b, double x) {}')
    assert [(p.name, p.base, p.pointer) for p in sig["k"]] == [
        ("a", "double", True), ("n", "i64", False), ("b", "int", True), ("x", "double", False)]


@needs_cxx
def test_host_engine_checks_dtypes_and_runs_threads_in_order() -> None:
    src = full_source([]) + r'''
extern "C" __global__ void order(i64* out, i64* n, i64 m) {
    i64 i = brainc_tid();
    if (i < m) out[atomicAdd((u64*)n, 1ULL)] = i;
}
'''
    e = HostEngine()
    e.compile(src)
    out, n = np.zeros(10, np.int64), np.zeros(1, np.int64)
    e.launch("order", 3, 4, (out, n, 10))
    assert n[0] == 10 and list(out) == list(range(10))
    with pytest.raises(TypeError, match="must be a int64 array"):
        e.launch("order", 1, 1, (out.astype(np.int32), n, 10))


@needs_cxx
def test_host_engine_reports_compile_errors() -> None:
    e = HostEngine()
    with pytest.raises(BraincError, match="compiling the GPU kernels for the host failed"):
        e.compile('extern "C" __global__ void broken(double* a) { this is not C }')


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="no nvcc")
def test_all_kernels_compile_with_nvcc(tmp_path: Path) -> None:
    """The full source compiles for Hopper with the backend's flags (no GPU needed)."""
    src = tmp_path / "all.cu"
    src.write_text(full_source(list(gpu_kernels().values())))
    res = subprocess.run(["nvcc", "-arch=sm_90", "--fmad=false", "-std=c++17", "-cubin", "-o",
                          str(tmp_path / "all.cubin"), str(src)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
