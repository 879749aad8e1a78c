"""CUDA C shared by every GPU kernel: types, control block, RNG, generic tick kernels.

The same text compiles with NVRTC (through CuPy) for the GPU and with a C++
compiler for the host emulation (:mod:`runtime.gpu.hostemu`), which runs each
launch's threads one after another. Kernels therefore avoid shared memory,
``__syncthreads`` and warp intrinsics: every thread must be able to run to
completion alone. The host emulation then reproduces the CPU backend's
summation order exactly (one lane per emitting unit, ascending), which is what
lets CI check the GPU orchestration against the Numba loop bit for bit.

Kernel parameter lists are long and shared by every kernel of a phase, so a
family module writes ``UPDATE_ARGS`` (``PROPAGATE_ARGS``, ``LEARN_ARGS``,
``COUPLE_ARGS``, ``EMIT_ARGS``) in its source and calls :func:`expand`, which
replaces them by the phase's parameter list (see runtime/gpu/__init__.py).
"""
from __future__ import annotations

#: the parameter list of every kernel of a phase (calling conventions: runtime/gpu/__init__.py)
ARGS = {
    "UPDATE_ARGS": """const double* P, double* S, double* I, double* out, i64* fired, i64* nf, const i64* seg,
        const double* G, double* L, const double* mods, u64* rng, double* Y, const i64* ctl, i64 n, i64 n_rec,
        i64 n_groups, i64 n_y, double dt""",
    "PROPAGATE_ARGS": """const i64* pre_fired, const i64* n_fired, const double* pre_out, const i64* indptr,
        const int* post_idx, const int* delay, double* w, double* S, const double* P, double* X, i64* Y,
        double* ring, const double* gate_out, const double* mods, const i64* ctl, i64 receptor, i64 D, i64 n_post,
        i64 n_rec_post, i64 n_syn, i64 n_gate, double dt""",
    "LEARN_ARGS": """const i64* pre_fired, const i64* n_pre, const i64* post_fired, const i64* n_post_fired,
        const double* pre_out, const double* post_out, const i64* indptr, const int* post_idx, const int* pre_idx,
        const i64* cscptr, const i64* cscsyn, double* w, double* S, const double* P, double* X, i64* Y,
        double* post_S, const double* gate_out, const double* mods, const i64* ctl, i64 n_syn, i64 n_pre_units,
        i64 n_post_units, i64 n_gate, double dt""",
    "COUPLE_ARGS": """const double* pre_S, const double* post_S, double* pre_I, double* post_I, i64 pre_v, i64 post_v,
        const int* pre_idx, const int* post_idx, const double* w, double* S, const double* P, double* X,
        const double* mods, const i64* ctl, i64 n_syn, i64 n_pre, i64 n_post""",
    "EMIT_ARGS": """const double* P, double* S, const i64* ptr, const i64* idx, const double* w, const int* delay,
        const i64* tdev, double* I_now, double* ring, u64* rng_a, u64* rng_b, const i64* chunk_dev,
        const i64* chunk_lo, const i64* chunk_hi, const u64* chunk_jump, const double* mods, i64* ctl,
        i64 receptor, i64 n_dev, i64 n_tgt, i64 n_chunks, i64 n_post, i64 n_rec_post, i64 D, double dt""",
}


def expand(source: str) -> str:
    """``source`` with each ``*_ARGS`` placeholder replaced by its phase's parameter list."""
    for key, params in ARGS.items():
        source = source.replace(key, " ".join(params.split()))
    return source


#: control-block slots (int64 array on the device, written by the host once per chunk)
CTL_STOP, CTL_T, CTL_STEP, CTL_STATUS, CTL_BAD, CTL_T0, CTL_SLIP = range(7)
CTL_SIZE = 8

PRELUDE = r"""
// ---------------------------------------------------------------- brainc prelude
typedef long long i64;
typedef unsigned long long u64;

#define CTL_STOP 0    // set by a failed health check: every later kernel returns at once
#define CTL_T 1       // current tick (absolute)
#define CTL_STEP 2    // ticks completed in this chunk (row of the spike bitmap)
#define CTL_STATUS 3  // 0 ok, 1 NaN/inf, 2 runaway
#define CTL_BAD 4     // block that failed
#define CTL_T0 5      // tick at the start of the chunk (state-recorder rows)
#define CTL_SLIP 6    // a normal() rejection made a stream leave the CPU's sequence
#define BRAINC_PI 3.141592653589793
#define BRAINC_MIN_WINDOW 20  // = runtime.loop_kernels.MIN_WINDOW (rates judged over >= 20 ticks)

__device__ __forceinline__ i64 brainc_tid() { return (i64)blockIdx.x * (i64)blockDim.x + (i64)threadIdx.x; }
__device__ __forceinline__ i64 brainc_nthreads() { return (i64)gridDim.x * (i64)blockDim.x; }

// xoroshiro128+ (24, 16, 37), exactly runtime/rng.py
struct brainc_rng { u64 s0; u64 s1; };

// A device's stream (xoroshiro128+ state) at tick t: streams are double-buffered
// by tick parity, read from one buffer and written to the other, so no thread
// overwrites a state another thread of the same tick still reads.
__device__ __forceinline__ brainc_rng brainc_dev_rng(const u64* rng_a, const u64* rng_b, i64 t, i64 d) {
    const u64* src = (t & 1) ? rng_b : rng_a;
    brainc_rng r;
    r.s0 = src[2 * d];
    r.s1 = src[2 * d + 1];
    return r;
}

// the device's stream state for tick t + 1
__device__ __forceinline__ void brainc_dev_rng_store(u64* rng_a, u64* rng_b, i64 t, i64 d, const brainc_rng* r) {
    u64* dst = (t & 1) ? rng_a : rng_b;
    dst[2 * d] = r->s0;
    dst[2 * d + 1] = r->s1;
}

__device__ __forceinline__ u64 brainc_rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }

__device__ __forceinline__ u64 brainc_next(brainc_rng* r) {
    u64 s0 = r->s0;
    u64 s1 = r->s1;
    u64 result = s0 + s1;
    s1 ^= s0;
    r->s0 = brainc_rotl(s0, 24) ^ s1 ^ (s1 << 16);
    r->s1 = brainc_rotl(s1, 37);
    return result;
}

__device__ __forceinline__ double brainc_uniform(brainc_rng* r) {
    return (double)(brainc_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

// Box-Muller as runtime.rng.normal. A u1 of exactly 0 (probability 2^-53) costs
// the CPU an extra draw; a chunked stream cannot know that in advance, so it is
// flagged and reported instead.
__device__ __forceinline__ double brainc_normal(brainc_rng* r, i64* ctl) {
    double u1 = brainc_uniform(r);
    while (u1 <= 0.0) {
        ctl[CTL_SLIP] = 1;
        u1 = brainc_uniform(r);
    }
    double u2 = brainc_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * BRAINC_PI * u2);
}

// state <- M^k state, where the 128-bit polynomial (j0 | j1 << 64) is x^k mod
// the generator's characteristic polynomial (see runtime/gpu/jump.py)
__device__ __forceinline__ void brainc_jump(brainc_rng* r, u64 j0, u64 j1) {
    u64 a0 = 0, a1 = 0;
    for (int word = 0; word < 2; word++) {
        u64 J = word ? j1 : j0;
        for (int b = 0; b < 64; b++) {
            if (J & (1ULL << b)) {
                a0 ^= r->s0;
                a1 ^= r->s1;
            }
            brainc_next(r);
        }
    }
    r->s0 = a0;
    r->s1 = a1;
}

// receptor row of a synapse: the projection's, or by the weight's sign
__device__ __forceinline__ i64 brainc_route(i64 receptor, double w) {
    return receptor >= 0 ? receptor : (w >= 0.0 ? 0 : 1);
}

#define BRAINC_KEY_INF 0x7ff0000000000000LL  // brainc_dkey(+inf)

// an integer key of a double that orders as the doubles do (atomicMin/atomicMax on doubles)
__device__ __forceinline__ i64 brainc_dkey(double x) {
    const i64 b = __double_as_longlong(x);
    return b >= 0 ? b : b ^ 0x7fffffffffffffffLL;
}
__device__ __forceinline__ double brainc_dunkey(i64 k) {
    return __longlong_as_double(k >= 0 ? k : k ^ 0x7fffffffffffffffLL);
}
// a double kept in an i64 scratch slot
__device__ __forceinline__ double brainc_ld(const i64* y) { return __longlong_as_double(*y); }
__device__ __forceinline__ void brainc_st(i64* y, double x) { *y = __double_as_longlong(x); }

// Python's min()/max() of two floats as Numba compiles them (the first argument
// wins ties and NaN comparisons), for transcriptions of min(max(x, lo), hi)
__device__ __forceinline__ double brainc_pymax(double a, double b) { return b > a ? b : a; }
__device__ __forceinline__ double brainc_pymin(double a, double b) { return b < a ? b : a; }

// append unit i to this tick's emitter list
__device__ __forceinline__ void brainc_fire(i64* fired, i64* nf, i64 i) {
    i64 q = (i64)atomicAdd((u64*)nf, 1ULL);
    fired[q] = i;
}
"""

GENERIC = r"""
// ---------------------------------------------------------------- generic tick kernels
// 1. deliver: I <- ring[t mod D] (+ inj while injon[0], the sum runtime.loop_kernels.take_input forms);
//    clear the slot; reset the emitter count
extern "C" __global__ void brainc_deliver(double* I, double* ring, const double* inj, const unsigned char* injon,
                                          i64* nf, const i64* ctl, i64 n_rec, i64 n, i64 D) {
    if (ctl[CTL_STOP]) return;
    i64 k = brainc_tid();
    if (k == 0) nf[0] = 0;
    if (k >= n_rec * n) return;
    i64 off = (ctl[CTL_T] % D) * n_rec * n + k;
    I[k] = injon[0] ? ring[off] + inj[k] : ring[off];
    ring[off] = 0.0;
}

// 7a. record spikes: one bit per (tick of the chunk, unit) in a bitmap
extern "C" __global__ void brainc_record_spikes(const i64* fired, const i64* nf, const unsigned char* recmask,
                                                unsigned int* bits, const i64* ctl, i64 base, i64 W) {
    if (ctl[CTL_STOP]) return;
    i64 m = nf[0];
    i64 row = ctl[CTL_STEP] * W;
    for (i64 q = brainc_tid(); q < m; q += brainc_nthreads()) {
        i64 i = fired[q];
        if (recmask[i]) {
            i64 pos = base + i;
            atomicOr(&bits[row + (pos >> 5)], 1u << (unsigned int)(pos & 31));
        }
    }
}

// 7b. record state rows of some units every `every` ticks (row = sample number in the chunk)
extern "C" __global__ void brainc_record_state(const double* S, const i64* rows, const i64* idx, double* buf,
                                               i64* times, const i64* ctl, i64 n_rows, i64 n_idx, i64 n,
                                               i64 every) {
    if (ctl[CTL_STOP]) return;
    i64 t = ctl[CTL_T];
    if (t % every != 0) return;
    i64 k = brainc_tid();
    i64 cols = n_rows * n_idx;
    if (k >= cols) return;
    i64 sample = t / every - (ctl[CTL_T0] + every - 1) / every;
    buf[sample * cols + k] = S[rows[k / n_idx] * n + idx[k % n_idx]];
    if (k == 0) times[sample] = t;
}

// emitters of a block of several populations counted per population (counts[lo + g] for
// the groups seg, as runtime.loop_kernels.count_events; any order of fired)
extern "C" __global__ void brainc_count_groups(const i64* fired, const i64* nf, const i64* seg, i64 n_groups,
                                               i64* counts, i64 lo, const i64* ctl) {
    if (ctl[CTL_STOP]) return;
    for (i64 q = brainc_tid(); q < nf[0]; q += brainc_nthreads()) {
        const i64 i = fired[q];
        i64 a = 0, b = n_groups;  // the group g with seg[g] <= i < seg[g + 1]
        while (b - a > 1) {
            const i64 m = (a + b) / 2;
            if (seg[m] <= i) a = m; else b = m;
        }
        atomicAdd((u64*)(counts + lo + a), 1ULL);
    }
}

// end of tick: one-tick modulator pulses, emitted counts (blocks of one population; the others
// by brainc_count_groups) and window for the rate check, tick counters
extern "C" __global__ void brainc_tick_end(i64* ctl, double* mods, const unsigned char* pulse, i64 n_mods,
                                           i64* counts, const i64* nfs, const i64* pop_lo, i64 n_blocks,
                                           i64* window) {
    if (ctl[CTL_STOP] || brainc_tid() != 0) return;
    for (i64 c = 0; c < n_mods; c++)
        if (pulse[c]) mods[c] = 0.0;
    for (i64 k = 0; k < n_blocks; k++)
        if (pop_lo[k + 1] - pop_lo[k] == 1) counts[pop_lo[k]] += nfs[k];
    window[0] += 1;
    ctl[CTL_T] += 1;
    ctl[CTL_STEP] += 1;
}

// 8a. health: flag block k if any value of x is not finite
extern "C" __global__ void brainc_nan_scan(const double* x, i64 n, int* flags, i64 k, const i64* ctl) {
    if (ctl[CTL_STOP]) return;
    for (i64 i = brainc_tid(); i < n; i += brainc_nthreads())
        if (!isfinite(x[i])) flags[k] = 1;
}

// 8b. health verdict in block order, as runtime.loop_kernels.health: a block is flagged for
// non-finite state, or when one of its populations (counts/sizes[pop_lo[k]:pop_lo[k + 1]])
// ran away. A window shorter than BRAINC_MIN_WINDOW ticks is not judged for runaway
// rates: its counts and length carry on to the next check, as in the CPU loop.
extern "C" __global__ void brainc_health(i64* ctl, i64* counts, int* flags, const i64* sizes, const i64* pop_lo,
                                         i64 n_blocks, i64* window, double max_rate) {
    if (ctl[CTL_STOP] || brainc_tid() != 0) return;
    const i64 win = window[0];
    for (i64 k = 0; k < n_blocks; k++) {
        i64 bad = 0;
        if (flags[k]) bad = 1;
        else if (win >= BRAINC_MIN_WINDOW)
            for (i64 j = pop_lo[k]; j < pop_lo[k + 1]; j++)
                if (sizes[j] > 0 && (double)counts[j] > max_rate * (double)sizes[j] * (double)win) bad = 2;
        flags[k] = 0;
        if (bad) {
            ctl[CTL_STATUS] = bad;
            ctl[CTL_BAD] = k;
            ctl[CTL_STOP] = 1;
            return;
        }
    }
    if (win >= BRAINC_MIN_WINDOW) {
        for (i64 j = 0; j < pop_lo[n_blocks]; j++) counts[j] = 0;
        window[0] = 0;
    }
}
"""
