"""Where GPU kernels run: CUDA through CuPy, or the host emulation for CI.

An engine compiles one CUDA C source (:func:`runtime.gpu.full_source`) and
launches its ``extern "C" __global__`` functions over arrays of its array module
``xp``. Both engines parse the kernels' signatures so every argument is checked
(array dtype against the pointer type, scalars converted to the declared C
type) before it reaches a kernel: a wrong dtype is an error on the host instead
of garbage on the device.

* :class:`CudaEngine`: ``xp`` is CuPy; NVRTC compiles with ``--fmad=false`` so
  products and sums round as on the CPU (fused multiply-adds would change the
  last bits of every Izhikevich step and make the backends drift apart).
* :class:`HostEngine`: ``xp`` is NumPy; the same source is compiled by a C++
  compiler with a small shim (``__global__`` -> plain function, atomics ->
  plain read-modify-write) and each launch runs its threads one after another.
  It exists so the backend's orchestration and the kernels' index arithmetic
  are exercised by tests on machines without a GPU.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from brainc.errors import BraincError

_SIG = re.compile(r'extern\s+"C"\s+__global__\s+void\s+(\w+)\s*\(([^)]*)\)', re.S)

#: C pointer base type -> numpy dtype the argument must have
_PTR_DTYPES = {
    "double": np.float64, "float": np.float32, "i64": np.int64, "long long": np.int64,
    "int": np.int32, "unsigned int": np.uint32, "u64": np.uint64, "unsigned long long": np.uint64,
    "unsigned char": np.uint8,
}
#: C scalar type -> (numpy scalar type, ctypes type)
_SCALARS = {
    "double": (np.float64, ctypes.c_double), "float": (np.float32, ctypes.c_float),
    "i64": (np.int64, ctypes.c_longlong), "long long": (np.int64, ctypes.c_longlong),
    "int": (np.int32, ctypes.c_int), "u64": (np.uint64, ctypes.c_ulonglong),
    "unsigned long long": (np.uint64, ctypes.c_ulonglong),
}


@dataclass(frozen=True)
class Param:
    name: str
    base: str  # C type without const/pointer
    pointer: bool


def parse_signatures(source: str) -> dict[str, tuple[Param, ...]]:
    """Parameter lists of the ``extern "C" __global__`` functions in ``source``."""
    out: dict[str, tuple[Param, ...]] = {}
    for name, plist in _SIG.findall(source):
        params = []
        for raw in plist.split(","):
            raw = " ".join(raw.replace("__restrict__", "").split())
            if not raw:
                continue
            pointer = "*" in raw
            raw = raw.replace("*", " ")
            words = raw.split()
            pname = words[-1]
            base = " ".join(w for w in words[:-1] if w != "const")
            if (base not in _PTR_DTYPES) if pointer else (base not in _SCALARS):
                raise ValueError(f"kernel {name}: unsupported parameter type {base!r} for {pname!r}")
            params.append(Param(pname, base, pointer))
        out[name] = tuple(params)
    return out


class Engine:
    """Common argument checking; subclasses compile and launch."""

    xp: Any
    name: str
    #: threads per emitting unit for propagate/learn (the host uses one lane so
    #: the summation order is the CPU loop's)
    lanes: int
    #: whether launches may be captured into a CUDA graph
    graphs: bool = False

    def __init__(self) -> None:
        self._sigs: dict[str, tuple[Param, ...]] = {}

    def _check(self, kernel: str, args: tuple[Any, ...]) -> list[Any]:
        sig = self._sigs.get(kernel)
        if sig is None:
            raise BraincError(f"GPU kernel {kernel!r} is not in the compiled source")
        if len(sig) != len(args):
            raise TypeError(f"kernel {kernel}: {len(sig)} parameters, {len(args)} arguments")
        out = []
        for p, a in zip(sig, args):
            if p.pointer:
                want = _PTR_DTYPES[p.base]
                if not hasattr(a, "dtype") or a.dtype != want:
                    raise TypeError(f"kernel {kernel}: argument {p.name} must be a {np.dtype(want)} array, "
                                    f"got {getattr(a, 'dtype', type(a).__name__)}")
                if not a.flags.c_contiguous:
                    raise TypeError(f"kernel {kernel}: argument {p.name} must be C-contiguous")
                out.append(a)
            else:
                out.append(_SCALARS[p.base][0](a))
        return out

    def compile(self, source: str) -> None:
        raise NotImplementedError

    def launch(self, kernel: str, grid: int, block: int, args: tuple[Any, ...]) -> None:
        """Check ``args`` against the kernel's signature, then launch."""
        self.launch_checked(kernel, grid, block, self._check(kernel, args))

    def launch_checked(self, kernel: str, grid: int, block: int, vals: list[Any]) -> None:
        """Launch with arguments already converted by ``_check`` (the hot path)."""
        raise NotImplementedError

    def to_host(self, a: Any) -> np.ndarray:
        raise NotImplementedError

    def synchronize(self) -> None:
        return None


class CudaEngine(Engine):
    """Kernels compiled by NVRTC and launched on the current CUDA device."""

    name = "cuda"
    lanes = 64
    graphs = True

    def __init__(self) -> None:
        super().__init__()
        import cupy

        self.xp = cupy
        self._module: Any = None
        self._fns: dict[str, Any] = {}
        dev = cupy.cuda.Device()
        try:  # sizes the grid-strided launches (32 resident blocks per multiprocessor)
            self.n_sm = int(dev.attributes["MultiProcessorCount"])
        except (KeyError, AttributeError):  # pragma: no cover - older CuPy
            self.n_sm = int(cupy.cuda.runtime.getDeviceProperties(dev.id)["multiProcessorCount"])
        self.stream = cupy.cuda.Stream(non_blocking=True)

    def compile(self, source: str) -> None:
        import cupy

        self._sigs = parse_signatures(source)
        # --fmad=false: no fused multiply-add contraction, so arithmetic rounds as
        # in the Numba kernels (which are compiled without fastmath)
        self._module = cupy.RawModule(code=source, options=("--fmad=false", "-std=c++17"))
        self._fns = {name: self._module.get_function(name) for name in self._sigs}

    def launch_checked(self, kernel: str, grid: int, block: int, vals: list[Any]) -> None:
        # RawKernel launches on CuPy's current stream: the backend runs inside ``with engine.stream``
        self._fns[kernel]((max(1, int(grid)),), (int(block),), tuple(vals))

    def to_host(self, a: Any) -> np.ndarray:
        return a.get(stream=self.stream)

    def synchronize(self) -> None:
        self.stream.synchronize()


# ---------------------------------------------------------------- host emulation
_SHIM = r"""
#include <cmath>
#include <cstdint>
#include <cstring>
using std::isfinite; using std::sqrt; using std::log; using std::exp; using std::cos; using std::sin;
using std::fabs; using std::fmin; using std::fmax; using std::floor; using std::ceil; using std::pow;
using std::tanh; using std::expm1; using std::log1p;
struct brainc_dim3 { unsigned int x, y, z; };
static brainc_dim3 threadIdx, blockIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__
// one thread at a time: atomics are plain read-modify-write
static inline double atomicAdd(double* a, double v) { double o = *a; *a = o + v; return o; }
static inline float atomicAdd(float* a, float v) { float o = *a; *a = o + v; return o; }
static inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) {
    unsigned long long o = *a; *a = o + v; return o; }
static inline int atomicAdd(int* a, int v) { int o = *a; *a = o + v; return o; }
static inline unsigned int atomicOr(unsigned int* a, unsigned int v) { unsigned int o = *a; *a = o | v; return o; }
static inline int atomicOr(int* a, int v) { int o = *a; *a = o | v; return o; }
static inline int atomicMax(int* a, int v) { int o = *a; if (v > o) *a = v; return o; }
static inline unsigned long long atomicExch(unsigned long long* a, unsigned long long v) {
    unsigned long long o = *a; *a = v; return o; }
static inline unsigned long long atomicOr(unsigned long long* a, unsigned long long v) {
    unsigned long long o = *a; *a = o | v; return o; }
static inline long long atomicMin(long long* a, long long v) { long long o = *a; if (v < o) *a = v; return o; }
static inline long long atomicMax(long long* a, long long v) { long long o = *a; if (v > o) *a = v; return o; }
static inline long long __double_as_longlong(double x) { long long b; std::memcpy(&b, &x, 8); return b; }
static inline double __longlong_as_double(long long b) { double x; std::memcpy(&x, &b, 8); return x; }
using std::rint; using std::round; using std::trunc; using std::fmod; using std::copysign; using std::nearbyint;
"""


def host_compiler() -> str | None:
    """The C++ compiler the host emulation uses (``$CXX``, g++ or clang++), or None."""
    for cand in (os.environ.get("CXX"), "g++", "clang++", "c++"):
        if cand and shutil.which(cand):
            return shutil.which(cand)
    return None


def _wrappers(sigs: dict[str, tuple[Param, ...]], source: str) -> str:
    """A launcher per kernel that runs every thread of the grid in order."""
    out = []
    for name, plist in _SIG.findall(source):
        params = " ".join(plist.split())
        names = ", ".join(p.name for p in sigs[name])
        out.append(
            f'extern "C" void brainc_launch_{name}(unsigned int g, unsigned int b{", " if params else ""}{params}) {{\n'
            f"    gridDim.x = g; gridDim.y = gridDim.z = 1; blockDim.x = b; blockDim.y = blockDim.z = 1;\n"
            f"    for (unsigned int bx = 0; bx < g; bx++) {{ blockIdx.x = bx;\n"
            f"        for (unsigned int tx = 0; tx < b; tx++) {{ threadIdx.x = tx; {name}({names}); }} }}\n"
            f"}}\n")
    return "\n".join(out)


class HostEngine(Engine):
    """The CUDA source compiled for the CPU; threads run sequentially."""

    name = "host"
    lanes = 1
    graphs = False
    n_sm = 1

    def __init__(self) -> None:
        super().__init__()
        self.xp = np
        self._lib: Any = None

    def compile(self, source: str) -> None:
        cxx = host_compiler()
        if cxx is None:
            raise BraincError("the host emulation of the GPU kernels needs a C++ compiler (g++ or clang++)")
        self._sigs = parse_signatures(source)
        text = _SHIM + source + "\n" + _wrappers(self._sigs, source)
        key = hashlib.sha256((cxx + text).encode()).hexdigest()[:20]
        cache = Path(os.environ.get("BRAINC_CACHE", Path.home() / ".cache" / "brainc")) / "gpu_host"
        cache.mkdir(parents=True, exist_ok=True)
        lib = cache / f"kernels_{key}.so"
        if not lib.exists():
            with tempfile.TemporaryDirectory() as tmp:
                src = Path(tmp) / "kernels.cpp"
                src.write_text(text)
                so = Path(tmp) / "kernels.so"
                # -ffp-contract=off: no FMA, as NVRTC with --fmad=false and Numba without fastmath
                cmd = [cxx, "-O2", "-std=c++17", "-shared", "-fPIC", "-ffp-contract=off", "-fno-fast-math",
                       "-w", "-o", str(so), str(src)]
                res = subprocess.run(cmd, capture_output=True, text=True)
                if res.returncode != 0:
                    raise BraincError(f"compiling the GPU kernels for the host failed:\n{res.stderr[-4000:]}")
                tmp_lib = lib.with_suffix(f".{os.getpid()}.tmp")
                shutil.copyfile(so, tmp_lib)
                os.replace(tmp_lib, lib)
        self._lib = ctypes.CDLL(str(lib))
        self._fns: dict[str, Any] = {}
        for name, sig in self._sigs.items():
            fn = getattr(self._lib, f"brainc_launch_{name}")
            fn.restype = None
            fn.argtypes = [ctypes.c_uint, ctypes.c_uint] + [
                ctypes.c_void_p if p.pointer else _SCALARS[p.base][1] for p in sig]
            self._fns[name] = fn

    def launch_checked(self, kernel: str, grid: int, block: int, vals: list[Any]) -> None:
        sig = self._sigs[kernel]
        cargs = [a.ctypes.data if p.pointer else a.item() for p, a in zip(sig, vals)]
        self._fns[kernel](max(1, int(grid)), int(block), *cargs)

    def to_host(self, a: Any) -> np.ndarray:
        return np.array(a, copy=True)


def make_engine(kind: str) -> Engine:
    """``cuda`` (CuPy on a GPU) or ``host`` (sequential emulation on the CPU)."""
    if kind == "cuda":
        return CudaEngine()
    if kind == "host":
        return HostEngine()
    raise BraincError(f"unknown GPU engine {kind!r} (cuda or host)")
