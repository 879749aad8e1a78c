"""xoroshiro128+ jump-ahead (runtime.gpu.jump): the math that lets GPU threads
draw a CPU stream in parallel. Runs on the CPU."""
from __future__ import annotations

import numpy as np
import pytest

from runtime.gpu import jump
from runtime.rng import new_state, next_u64


def _ints(state: np.ndarray) -> tuple[int, int]:
    return int(state[0]), int(state[1])


def test_characteristic_polynomial_reproduces_published_jumps() -> None:
    # the constants of the reference xoroshiro128+ (24, 16, 37) jump() and long_jump()
    assert jump.split(jump.jump_poly(2 ** 64)) == (0xDF900294D8F554A5, 0x170865DF4B3201FC)
    assert jump.split(jump.jump_poly(2 ** 96)) == (0xD2A98B26625EEE7B, 0xDDDF9B1090AA7AC1)


@pytest.mark.parametrize("k", [0, 1, 2, 63, 64, 128, 1000, 12345])
def test_jump_equals_stepping(k: int) -> None:
    s = new_state(42)
    ref = s.copy()
    for _ in range(k):
        next_u64(ref)
    assert jump.apply_jump(*_ints(s), jump.jump_poly(k)) == _ints(ref)


def test_jump_table_rows_are_multiples_of_the_stride() -> None:
    table = jump.jump_table(10, 7)
    for j in range(7):
        assert (int(table[j, 0]) | int(table[j, 1]) << 64) == jump.jump_poly(10 * j)


def test_plan_chunks_cover_every_target_once() -> None:
    ptr = np.array([0, 130, 130, 131, 300])
    plan = jump.plan_chunks(ptr, draws=2, target_chunk=64)
    covered = np.zeros(300, int)
    for d, lo, hi in zip(plan["dev"], plan["lo"], plan["hi"]):
        assert ptr[d] <= lo <= hi <= ptr[d + 1]
        covered[lo:hi] += 1
    assert (covered == 1).all()
    # every device (also the empty one) has exactly one chunk ending at its last target
    for d in range(4):
        ends = plan["hi"][plan["dev"] == d]
        assert (ends == ptr[d + 1]).sum() == 1
    # each chunk's jump polynomial skips 2 draws per earlier target of its device
    for c in range(plan["dev"].size):
        d, lo = plan["dev"][c], plan["lo"][c]
        poly = int(plan["jump"][c, 0]) | int(plan["jump"][c, 1]) << 64
        assert poly == jump.jump_poly(2 * (lo - ptr[d]))


def test_chunk_length_fills_the_gpu_within_bounds() -> None:
    # Brunel's 12,500 Poisson targets (one draw each): short chunks, thousands of threads
    assert jump.chunk_targets(12_500, 1) == jump.MIN_CHUNK_TARGETS
    # a million noise targets (two draws each): chunks capped at CHUNK_DRAWS draws
    assert jump.chunk_targets(1_000_000, 2) == jump.CHUNK_DRAWS // 2
    # in between: about CHUNK_THREADS chunks
    n = 200_000
    c = jump.chunk_targets(n, 1)
    assert jump.MIN_CHUNK_TARGETS <= c <= jump.CHUNK_DRAWS and -(-n // c) <= jump.CHUNK_THREADS
    # the default plan uses it
    plan = jump.plan_chunks(np.array([0, 12_500]), draws=1)
    assert plan["dev"].size == -(-12_500 // jump.MIN_CHUNK_TARGETS)
