"""Checkpointable random numbers for kernels: xoroshiro128+ over explicit state.

Numba's built-in ``np.random`` keeps hidden global state that cannot be saved in
a checkpoint, so every block that needs randomness owns a ``uint64[2]`` state
array (or one per stream) and draws through these functions. Streams are seeded
with splitmix64 from (root seed, stream key) so adding a recorder or a population
never changes the numbers another block sees.
"""
from __future__ import annotations

import hashlib

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


@njit
def poisson(s, lam: float) -> int:
    """Poisson deviate with mean ``lam`` (inversion for small, PTRS-free normal
    approximation is avoided: exact inversion in chunks keeps it exact for any lam)."""
    if lam <= 0.0:
        return 0
    count = 0
    remaining = lam
    # exact: split large means into chunks of <= 30, summing Poisson draws
    while remaining > 0.0:
        chunk = remaining if remaining < 30.0 else 30.0
        remaining -= chunk
        L = np.exp(-chunk)
        p = uniform(s)
        while p > L:
            count += 1
            p *= uniform(s)
    return count
