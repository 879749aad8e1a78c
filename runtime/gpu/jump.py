"""Jump-ahead for xoroshiro128+ streams, so one stream can be drawn by many GPU threads.

A CPU device kernel such as ``noise_current`` draws its targets' numbers from
one xoroshiro128+ stream per device, target after target. To reproduce that
sequence with many threads, the backend splits a device's targets into chunks
and gives each thread the stream state at its chunk's first draw. The state
transition of xoroshiro128+ is linear over GF(2): ``s_{k} = M^k s_0`` for a
128x128 bit matrix ``M``. With ``p`` the characteristic polynomial of ``M``
(degree 128, found here by Berlekamp-Massey), Cayley-Hamilton gives
``M^k = (x^k mod p)(M)``; the 128 coefficients of ``x^k mod p`` are the "jump
polynomial" that ``brainc_jump`` (prelude) applies with 128 generator steps.
This is how the reference ``jump()`` of xoroshiro128+ works; its published
2^64-step constant is checked against :func:`jump_poly` in the tests.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

_MASK = (1 << 64) - 1


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _MASK


def step(s0: int, s1: int) -> tuple[int, int]:
    """One state transition of xoroshiro128+ (24, 16, 37) on Python ints."""
    s1 ^= s0
    return (_rotl(s0, 24) ^ s1 ^ ((s1 << 16) & _MASK)), _rotl(s1, 37)


def _berlekamp_massey(bits: list[int]) -> int:
    """Minimal connection polynomial of a GF(2) sequence, as an int (bit i = x^i),
    returned as the characteristic polynomial (reversed connection polynomial)."""
    n = len(bits)
    c, b = [0] * (n + 1), [0] * (n + 1)
    c[0] = b[0] = 1
    L, m = 0, -1
    for i in range(n):
        d = bits[i]
        for j in range(1, L + 1):
            d ^= c[j] & bits[i - j]
        if d:
            t = c[:]
            for j in range(n - i + m):
                if i - m + j <= n:
                    c[i - m + j] ^= b[j]
            if 2 * L <= i:
                L, m, b = i + 1 - L, i, t
    # characteristic polynomial: x^L + c1 x^(L-1) + ... + cL
    poly = 0
    for j in range(L + 1):
        if c[j]:
            poly |= 1 << (L - j)
    return poly


@lru_cache(maxsize=1)
def char_poly() -> int:
    """Characteristic polynomial of the xoroshiro128+ transition (degree 128)."""
    s0, s1 = 0x0123456789ABCDEF, 0xFEDCBA9876543210
    bits = []
    for _ in range(512):
        bits.append(s0 & 1)
        s0, s1 = step(s0, s1)
    p = _berlekamp_massey(bits)
    if p.bit_length() != 129:  # pragma: no cover - a wrong generator constant
        raise AssertionError("xoroshiro128+ characteristic polynomial is not of degree 128")
    return p


def _mulmod(a: int, b: int, p: int) -> int:
    """a * b mod p over GF(2) (ints as bit vectors)."""
    deg = p.bit_length() - 1
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if (a >> deg) & 1:
            a ^= p
    return r


def jump_poly(k: int) -> int:
    """x^k mod p: the 128-bit jump polynomial that advances a stream by ``k`` draws."""
    p = char_poly()
    result, base = 1, 2  # 1 and x
    while k:
        if k & 1:
            result = _mulmod(result, base, p)
        base = _mulmod(base, base, p)
        k >>= 1
    return result


@lru_cache(maxsize=64)
def _mul_table(r: int) -> tuple[int, ...]:
    """Images x^i * r mod p for i < 128: multiplying by the fixed r becomes XORs."""
    p = char_poly()
    out = []
    a = r
    for _ in range(128):
        out.append(a)
        a <<= 1
        if (a >> 128) & 1:
            a ^= p
    return tuple(out)


@lru_cache(maxsize=32)
def jump_table(stride: int, count: int) -> np.ndarray:
    """uint64[count, 2]: jump polynomials for 0, stride, 2 stride, ... draws."""
    table = _mul_table(jump_poly(stride))
    out = np.empty((count, 2), np.uint64)
    q = 1
    for j in range(count):
        out[j, 0] = q & _MASK
        out[j, 1] = q >> 64
        acc = 0
        bit = 0
        x = q
        while x:
            if x & 1:
                acc ^= table[bit]
            x >>= 1
            bit += 1
        q = acc
    out.setflags(write=False)
    return out


def split(x: int) -> tuple[int, int]:
    """A 128-bit polynomial as its two uint64 words (low, high)."""
    return x & _MASK, x >> 64


def apply_jump(s0: int, s1: int, poly: int) -> tuple[int, int]:
    """Host reference of ``brainc_jump``: the state ``poly`` steps ahead."""
    a0 = a1 = 0
    for b in range(128):
        if (poly >> b) & 1:
            a0 ^= s0
            a1 ^= s1
        s0, s1 = step(s0, s1)
    return a0, a1


# Chunk length of a chunked device kernel (its targets per GPU thread). Each
# thread first jumps its stream ahead (128 generator steps, and a jump-table
# row built on the host), so very short chunks waste work; long chunks leave
# the GPU idle on small devices (64 targets per chunk gave 196 threads for
# Brunel's 12,500 Poisson targets: 84 us of a 112 us tick on an H100). So a
# chunk is as short as needed for CHUNK_THREADS threads, but at least
# MIN_CHUNK_TARGETS targets and at most CHUNK_DRAWS draws (benchmarks/
# gpu_profile.py and gpu_bench.py --chunk-draws measured these).
CHUNK_THREADS = 16_384
MIN_CHUNK_TARGETS = 4
CHUNK_DRAWS = 64


def chunk_targets(n_targets: int, draws: int) -> int:
    """Targets per chunk for ``n_targets`` targets of ``draws`` draws each."""
    longest = max(1, CHUNK_DRAWS // max(1, draws))
    wanted = -(-int(n_targets) // CHUNK_THREADS)
    return max(1, min(longest, max(MIN_CHUNK_TARGETS, wanted)))


def plan_chunks(ptr: np.ndarray, draws: int, target_chunk: int | None = None) -> dict[str, np.ndarray]:
    """Split each device's targets ``ptr[d]:ptr[d+1]`` into chunks of ``target_chunk``
    (default: :func:`chunk_targets`).

    Returns the chunk table the ``emit`` kernels take: ``dev``, ``lo``, ``hi``
    (int64[n_chunks]) and ``jump`` (uint64[n_chunks, 2], the polynomial for the
    chunk's first draw, ``draws`` per target). Every device has at least one
    chunk, and its last chunk ends at ``ptr[d+1]``: that chunk's thread writes the
    device's advanced state (a device without targets gets an empty chunk, which
    copies its state through unchanged).
    """
    ptr = np.asarray(ptr, np.int64)
    if target_chunk is None:
        target_chunk = chunk_targets(int(ptr[-1] - ptr[0]) if ptr.size else 0, draws)
    n_dev = ptr.size - 1
    counts = np.diff(ptr)
    per_dev = np.maximum(1, -(-counts // target_chunk))
    n_chunks = int(per_dev.sum())
    dev = np.repeat(np.arange(n_dev, dtype=np.int64), per_dev)
    first = np.zeros(n_dev, np.int64)
    if n_dev:
        first[1:] = np.cumsum(per_dev)[:-1]
    j = np.arange(n_chunks, dtype=np.int64) - first[dev]  # chunk number within its device
    lo = ptr[dev] + j * target_chunk
    hi = np.minimum(lo + target_chunk, ptr[dev + 1])
    lo = np.minimum(lo, ptr[dev + 1])
    table = jump_table(draws * target_chunk, int(per_dev.max()) if n_dev else 1)
    jump = np.ascontiguousarray(table[j]) if n_chunks else np.zeros((0, 2), np.uint64)
    return {"dev": dev, "lo": lo, "hi": hi, "jump": jump}
