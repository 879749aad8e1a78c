"""Checkpointable random numbers for kernels: xoroshiro128+ over explicit state.

Numba's built-in ``np.random`` keeps hidden global state that cannot be saved in
a checkpoint, so every block that needs randomness owns a ``uint64[2]`` state
array (or one per stream) and draws through these functions. Streams are seeded
with splitmix64 from (root seed, stream key) so adding a recorder or a population
never changes the numbers another block sees.
"""
from __future__ import annotations

import hashlib
import math

import numpy as np
from numba import njit, uint64

_MASK = (1 << 64) - 1


def _splitmix64(x: int) -> tuple[int, int]:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return x, z ^ (z >> 31)


def stream_seed(root_seed: int, key: str) -> int:
    """A 63-bit seed for the stream named ``key`` under ``root_seed``."""
    h = hashlib.sha256(f"{int(root_seed)}:{key}".encode()).digest()
    return int.from_bytes(h[:8], "little") >> 1


def new_state(seed: int, n_streams: int | None = None) -> np.ndarray:
    """xoroshiro128+ state: uint64[2], or uint64[n_streams, 2] for per-unit streams."""
    count = 1 if n_streams is None else n_streams
    out = np.empty((count, 2), dtype=np.uint64)
    x = int(seed) & _MASK
    for i in range(count):
        x, a = _splitmix64(x)
        x, b = _splitmix64(x)
        if a == 0 and b == 0:
            b = 1
        out[i, 0] = a
        out[i, 1] = b
    return out[0].copy() if n_streams is None else out


@njit(inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit
def next_u64(s) -> np.uint64:
    """Next 64-bit output of the generator whose state is the uint64[2] ``s``."""
    s0 = s[0]
    s1 = s[1]
    result = s0 + s1
    s1 ^= s0
    s[0] = _rotl(s0, 24) ^ s1 ^ (s1 << uint64(16))
    s[1] = _rotl(s1, 37)
    return result


@njit
def uniform(s) -> float:
    """Uniform double in [0, 1) with 53 random bits."""
    return float(next_u64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit
def normal(s) -> float:
    """Standard normal deviate (Box-Muller; the second value is discarded so the
    stream position depends only on the number of draws, which keeps state simple)."""
    u1 = uniform(s)
    while u1 <= 0.0:
        u1 = uniform(s)
    u2 = uniform(s)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


#: below this mean, Poisson deviates come from products of uniforms (O(lam)
#: draws); from it on, by transformed rejection (O(1) draws for any mean)
PTRS_MIN = 30.0


@njit(inline="always")
def ptrs_constants(lam: float) -> tuple[float, float, float, float, float, float]:
    """(lam, log lam, a, b, log(1/alpha), v_r) of Hoermann's (1993)
    transformed rejection with squeeze (PTRS), valid for lam >= 10."""
    slam = math.sqrt(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    return lam, math.log(lam), a, b, math.log(inv_alpha), v_r


@njit(inline="always")
def ptrs_try(c: tuple[float, float, float, float, float, float], u: float, v: float) -> float:
    """One PTRS attempt from two uniforms in [0, 1): the deviate (a whole
    number, as a float), or -1.0 when the attempt is rejected. Shared by the
    CPU and, in CUDA C, the GPU generator (runtime/gpu/nest.py, pg_ptrs_try)."""
    lam, loglam, a, b, log_inv_alpha, v_r = c
    U = u - 0.5
    us = 0.5 - abs(U)
    if us <= 0.0:
        return -1.0
    k = math.floor((2.0 * a / us + b) * U + lam + 0.43)
    if us >= 0.07 and v <= v_r:
        return k
    if k < 0.0 or (us < 0.013 and v > us):
        return -1.0
    if v <= 0.0:  # log(0): only the squeeze above could accept it
        return -1.0
    if math.log(v) + log_inv_alpha - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1.0):
        return k
    return -1.0


@njit
def poisson(s, lam: float) -> int:
    """Poisson deviate with mean ``lam`` (exact in law for any mean): products
    of uniforms below :data:`PTRS_MIN`, else PTRS rejection, two uniforms per
    attempt (~1.1 attempts on average), so a huge rate costs no more than a
    moderate one."""
    if lam <= 0.0:
        return 0
    if lam < PTRS_MIN:
        count = 0
        L = np.exp(-lam)
        p = uniform(s)
        while p > L:
            count += 1
            p *= uniform(s)
        return count
    c = ptrs_constants(lam)
    while True:
        u = uniform(s)
        k = ptrs_try(c, u, uniform(s))
        if k >= 0.0:
            return int(k)
