"""GPU kernels of the NEST family: ``iaf_psc_delta``, ``dc_generator``, ``poisson_generator``
(the other NEST neurons are in runtime/gpu/nest_neurons.py, the synapses in
nest_synapses.py, ``noise_generator``/``spike_generator`` in nest_devices.py).

Transcriptions of :mod:`runtime.models.nest_iaf` and
:mod:`runtime.devices.nest_generators` (same operation order; the propagators
each unit derives on its first tick come from CUDA's exp/expm1, which may
differ from the C library's in the last bit).

``poisson_generator`` draws from one stream per device, target after target,
as the CPU kernel does, in one of two ways:

* mean ``lam`` < 30 per tick: one uniform per target, inverted through the
  tabulated cumulative Poisson distribution. Draws per target are fixed, so a
  device's targets split into chunks that jump ahead (``pg_fixed``), as for
  ``noise_current``: exactly the CPU's numbers, fully parallel.
* ``lam`` >= 30: PTRS rejection (:func:`runtime.rng.poisson`), a *variable*
  number of uniforms per target (two per attempt). Reproduced in parallel in four steps
  (no read-back): ``pg_gen`` fills a buffer with the next M uniforms of the
  stream (64 per thread, jumping ahead; M = mean draws + 10 sd); ``pg_next``
  finds, for *every* buffer position i, where a target starting there would end
  (``next(i)``) and its count; ``pg_double`` (log2(targets) launches) builds
  ``next^(2^l)`` by pointer doubling; ``pg_end``/``pg_add`` place target q at
  ``next^q(0)`` (composed by the bits of q) and advance the stream to
  ``next^n(0)``. If the buffer runs out (a 10-sigma event) ``pg_serial`` redoes
  that device's tick the CPU's way on one thread, so the numbers are the CPU's
  in every case.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import DeviceLaunch, GpuKernel, register_gpu
from ..rng import PTRS_MIN
from .jump import jump_table, plan_chunks

# ---------------------------------------------------------------- iaf_psc_delta
IAF_PSC_DELTA = r"""
extern "C" __global__ void iaf_psc_delta_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 i = brainc_tid();
    if (i >= n) return;
    double* Pw = (double*)P;  // derived rows (_h, _P33, _P30, _refr) are written on the first tick
#define PR(r) Pw[(r) * n + i]
    if (PR(11) != dt) {
        const double tau = PR(1);
        PR(12) = exp(-dt / tau);
        PR(13) = -tau / PR(0) * expm1(-dt / tau);
        PR(14) = rint(PR(2) / dt);  // Python's round(): half to even
        PR(11) = dt;
    }
    double V = S[0 * n + i], r = S[1 * n + i], y0 = S[2 * n + i], rbuf = S[3 * n + i];
    const double E_L = PR(3);
    double y3 = V - E_L;
    const double spikes = I[0 * n + i] + I[1 * n + i];
    if (r == 0.0) {
        y3 = PR(13) * (y0 + PR(7)) + PR(12) * y3 + spikes;
        if (PR(8) != 0.0 && rbuf != 0.0) {
            y3 += rbuf;
            rbuf = 0.0;
        }
        const double vmin = PR(6) - E_L;
        if (y3 < vmin) y3 = vmin;
    } else {
        if (PR(8) != 0.0) rbuf += spikes * exp(-r * dt / PR(1));
        r -= 1.0;
    }
    if (y3 >= PR(5) - E_L) {
        r = PR(14);
        y3 = PR(4) - E_L;
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
    S[0 * n + i] = y3 + E_L;
    S[1 * n + i] = r;
    S[2 * n + i] = I[2 * n + i];
    S[3 * n + i] = rbuf;
#undef PR
}
"""

register_gpu(GpuKernel(
    model="iaf_psc_delta", kind="neuron", source=IAF_PSC_DELTA, entries={"update": "iaf_psc_delta_update"},
    params=("C_m", "tau_m", "t_ref", "E_L", "V_reset", "V_th", "V_min", "I_e", "refractory_input", "tau_minus",
            "V_m", "_h", "_P33", "_P30", "_refr"),
    state=("V_m", "r", "I_stim", "refr_spikes")))

# ---------------------------------------------------------------- generators: shared helpers
NEST_GEN = r"""
// a generator's event for target q: delay 0 goes into this tick's input, else into the ring
__device__ __forceinline__ void nest_gen_add(i64 t, i64 q, double value, const i64* idx, const int* delay, i64 row,
                                             double* I_now, double* ring, i64 n_post, i64 n_rec, i64 D) {
    const i64 d = (i64)delay[q];
    if (d == 0) atomicAdd(&I_now[row * n_post + idx[q]], value);
    else atomicAdd(&ring[(((t + d) % D) * n_rec + row) * n_post + idx[q]], value);
}

// start/stop window of NEST's generators: times in ms from origin, on the tick grid
__device__ __forceinline__ double nest_gen_on(const double* P, i64 n_dev, i64 d, double dt) {
    return rint((P[3 * n_dev + d] + P[1 * n_dev + d]) / dt);
}
__device__ __forceinline__ double nest_gen_off(const double* P, i64 n_dev, i64 d, double dt) {
    return P[2 * n_dev + d] < 1e300 ? rint((P[3 * n_dev + d] + P[2 * n_dev + d]) / dt) : 1e308;
}
"""

DC_GENERATOR = r"""
extern "C" __global__ void dc_generator_emit(EMIT_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 q = brainc_tid();
    if (q >= n_tgt) return;
    const i64 t = ctl[CTL_T];
    const i64 d = tdev[q];
    const double now = (double)(t + 1);  // on when origin+start <= (t+1)*h < origin+stop (as the CPU)
    if (!(now >= nest_gen_on(P, n_dev, d, dt) && now < nest_gen_off(P, n_dev, d, dt))) return;
    const i64 row = receptor >= 0 ? receptor : (n_rec_post > 2 ? 2 : 0);  // the "current" receptor
    nest_gen_add(t, q, w[q] * P[0 * n_dev + d], idx, delay, row, I_now, ring, n_post, n_rec_post, D);
}
"""

register_gpu(GpuKernel(model="dc_generator", kind="device", source=(NEST_GEN, DC_GENERATOR),
                       entries={"emit": "dc_generator_emit"}, params=("amplitude", "start", "stop", "origin")))

# ---------------------------------------------------------------- poisson_generator
#: the parameters every poisson_generator stage takes (one list, so one argument tuple serves all)
_PG_PARAMS = """const double* P, const i64* ptr, const i64* idx, const double* w, const int* delay,
    const i64* tdev, double* I_now, double* ring, u64* rng_a, u64* rng_b, const i64* pM, const i64* poff,
    const i64* cdev, const i64* cloc, const i64* cbase, const u64* cjump, const i64* bdev, double* buf, int* jmp,
    i64* cnt, int* over, const i64* fx_dev, const i64* fx_lo, const i64* fx_hi, const u64* fx_jump, i64* ctl,
    i64 receptor, i64 n_dev, i64 n_tgt, i64 n_chunks, i64 n_fx, i64 n_buf, i64 levels, i64 level, i64 n_post,
    i64 n_rec, i64 D, double dt"""
POISSON = (r"""
__device__ __forceinline__ bool pg_active(const double* P, i64 n_dev, i64 d, i64 t, double dt, double* lam) {
    const double stamp = (double)t;  // NEST tests the step's start: origin+start < t*h <= origin+stop
    if (!(stamp > nest_gen_on(P, n_dev, d, dt) && stamp <= nest_gen_off(P, n_dev, d, dt))) return false;
    *lam = P[0 * n_dev + d] * dt * 1e-3;
    return *lam > 0.0;
}

// PTRS (runtime.rng.ptrs_constants / ptrs_try, the same arithmetic): lam >= 30 draws two
// uniforms per attempt until one is accepted
struct pg_ptrs { double lam, loglam, a, b, log_inv_alpha, v_r; };

__device__ __forceinline__ pg_ptrs pg_ptrs_constants(double lam) {
    pg_ptrs c;
    const double slam = sqrt(lam);
    c.lam = lam;
    c.b = 0.931 + 2.53 * slam;
    c.a = -0.059 + 0.02483 * c.b;
    const double inv_alpha = 1.1239 + 1.1328 / (c.b - 3.4);
    c.v_r = 0.9277 - 3.6224 / (c.b - 2.0);
    c.loglam = log(lam);
    c.log_inv_alpha = log(inv_alpha);
    return c;
}

// one attempt: the deviate, or -1.0 when rejected
__device__ __forceinline__ double pg_ptrs_try(const pg_ptrs* c, double u, double v) {
    const double U = u - 0.5;
    const double us = 0.5 - fabs(U);
    if (us <= 0.0) return -1.0;
    const double k = floor((2.0 * c->a / us + c->b) * U + c->lam + 0.43);
    if (us >= 0.07 && v <= c->v_r) return k;
    if (k < 0.0 || (us < 0.013 && v > us)) return -1.0;
    if (v <= 0.0) return -1.0;
    if (log(v) + c->log_inv_alpha - log(c->a / (us * us) + c->b) <= -c->lam + k * c->loglam - lgamma(k + 1.0))
        return k;
    return -1.0;
}

// draws of one target starting at buffer position i (count into *k); -1 if the buffer runs out
__device__ __forceinline__ i64 pg_walk(const double* u, i64 i, i64 M, double lam, i64* k_out) {
    const pg_ptrs c = pg_ptrs_constants(lam);
    for (i64 j = i; j + 1 < M; j += 2) {
        const double k = pg_ptrs_try(&c, u[j], u[j + 1]);
        if (k >= 0.0) {
            *k_out = (i64)k;
            return j + 2;
        }
    }
    return -1;
}

// lam < 30 (the CPU's tabulated inversion): one uniform per target, so a device's
// targets split into chunks that jump ahead like noise_current's
extern "C" __global__ void pg_fixed(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 c = brainc_tid();
    if (c >= n_fx) return;
    const i64 t = ctl[CTL_T], d = fx_dev[c];
    double lam;
    if (!pg_active(P, n_dev, d, t, dt, &lam) || lam >= 30.0) return;
    brainc_rng r = brainc_dev_rng(rng_a, rng_b, t, d);
    brainc_jump(&r, fx_jump[2 * c], fx_jump[2 * c + 1]);
    double cdf[128];  // cumulative Poisson probabilities up to a tail of 1e-15, as the CPU
    int n_tab = 0;
    double pk = exp(-lam), acc = pk;
    while (n_tab < 128 && acc < 1.0 - 1e-15) {
        cdf[n_tab] = acc;
        n_tab++;
        pk *= lam / (double)n_tab;
        acc += pk;
    }
    const i64 hi = fx_hi[c];
    for (i64 q = fx_lo[c]; q < hi; q++) {
        const double u = brainc_uniform(&r);
        i64 k = 0;
        for (int j = 0; j < n_tab; j++) k += u >= cdf[j];
        if (k) nest_gen_add(t, q, w[q] * (double)k, idx, delay, brainc_route(receptor, w[q]), I_now, ring, n_post,
                            n_rec, D);
    }
    if (hi == ptr[d + 1]) {
        brainc_dev_rng_store(rng_a, rng_b, t, d, &r);
    }
}

// lam >= 30 (the CPU's PTRS rejection, a variable number of draws per target):
// 1. the next M uniforms of each such device's stream, 64 per thread
extern "C" __global__ void pg_gen(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 c = brainc_tid();
    if (c >= n_chunks) return;
    const i64 t = ctl[CTL_T], d = cdev[c];
    double lam;
    if (!pg_active(P, n_dev, d, t, dt, &lam) || lam < 30.0) return;
    brainc_rng r = brainc_dev_rng(rng_a, rng_b, t, d);
    brainc_jump(&r, cjump[2 * c], cjump[2 * c + 1]);
    const i64 M = pM[d];
    for (i64 j = cloc[c] * 64, e = j + 64; j < e && j < M; j++) buf[poff[d] + j] = brainc_uniform(&r);
}

// 2. next(i) and k(i) for every buffer position
extern "C" __global__ void pg_next(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 g = brainc_tid();
    if (g >= n_buf) return;
    const i64 d = bdev[g];
    double lam;
    if (!pg_active(P, n_dev, d, ctl[CTL_T], dt, &lam) || lam < 30.0) return;
    i64 k = 0;
    const i64 nx = pg_walk(buf + poff[d], g - poff[d], pM[d], lam, &k);
    jmp[g] = (int)nx;
    cnt[g] = k;  // i64: a count can pass 2^31 (lam up to ~1e12 per step)
}

// 3. pointer doubling: level l holds next^(2^l)
extern "C" __global__ void pg_double(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 g = brainc_tid();
    if (g >= n_buf) return;
    const i64 d = bdev[g];
    double lam;
    if (!pg_active(P, n_dev, d, ctl[CTL_T], dt, &lam) || lam < 30.0) return;
    const int j = jmp[(level - 1) * n_buf + g];
    jmp[level * n_buf + g] = (j < 0 || j >= pM[d]) ? -1 : jmp[(level - 1) * n_buf + poff[d] + j];
}

// position after q targets of device d (or -1)
__device__ __forceinline__ i64 pg_start(const int* jmp, i64 n_buf, i64 levels, i64 base, i64 M, i64 q) {
    i64 pos = 0;
    for (i64 b = 0; b < levels && pos >= 0; b++)
        if ((q >> b) & 1) pos = pos >= M ? -1 : (i64)jmp[b * n_buf + base + pos];
    return pos;
}

// 4a. per device: where its stream ends this tick (the advanced state), or overflow
extern "C" __global__ void pg_end(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 d = brainc_tid();
    if (d >= n_dev) return;
    const i64 t = ctl[CTL_T];
    brainc_rng r = brainc_dev_rng(rng_a, rng_b, t, d);
    double lam;
    over[d] = 0;
    if (!pg_active(P, n_dev, d, t, dt, &lam)) {
        brainc_dev_rng_store(rng_a, rng_b, t, d, &r);  // unchanged
        return;
    }
    if (lam < 30.0) return;  // pg_fixed advanced this stream
    const i64 end = pg_start(jmp, n_buf, levels, poff[d], pM[d], ptr[d + 1] - ptr[d]);
    if (end < 0) {
        over[d] = 1;  // pg_serial takes this device's tick
        return;
    }
    brainc_jump(&r, cjump[2 * (cbase[d] + end / 64)], cjump[2 * (cbase[d] + end / 64) + 1]);
    for (i64 j = 0; j < end % 64; j++) brainc_next(&r);
    brainc_dev_rng_store(rng_a, rng_b, t, d, &r);
}

// 4b. per target: its count k at its start position
extern "C" __global__ void pg_add(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 q = brainc_tid();
    if (q >= n_tgt) return;
    const i64 t = ctl[CTL_T], d = tdev[q];
    double lam;
    if (!pg_active(P, n_dev, d, t, dt, &lam) || lam < 30.0 || over[d]) return;
    const i64 pos = pg_start(jmp, n_buf, levels, poff[d], pM[d], q - ptr[d]);
    const i64 k = cnt[poff[d] + pos];
    if (k) nest_gen_add(t, q, w[q] * (double)k, idx, delay, brainc_route(receptor, w[q]), I_now, ring, n_post,
                        n_rec, D);
}

// fallback when the buffer ran out: the CPU's loop, one thread per such device
extern "C" __global__ void pg_serial(PG_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 d = brainc_tid();
    if (d >= n_dev || !over[d]) return;
    const i64 t = ctl[CTL_T];
    double lam;
    pg_active(P, n_dev, d, t, dt, &lam);
    brainc_rng r = brainc_dev_rng(rng_a, rng_b, t, d);
    const pg_ptrs c = pg_ptrs_constants(lam);
    for (i64 q = ptr[d]; q < ptr[d + 1]; q++) {
        double k = -1.0;
        while (k < 0.0) {
            const double u = brainc_uniform(&r);
            k = pg_ptrs_try(&c, u, brainc_uniform(&r));
        }
        if (k > 0.0) nest_gen_add(t, q, w[q] * k, idx, delay, brainc_route(receptor, w[q]), I_now, ring, n_post,
                                  n_rec, D);
    }
    brainc_dev_rng_store(rng_a, rng_b, t, d, &r);
}
""").replace("PG_ARGS", " ".join(_PG_PARAMS.split()))


def _pg_sizes(group: Any, dt: float) -> dict[str, Any]:
    """Buffer length per lam >= 30 device (mean draws + 10 sd, whole 64-draw chunks) and levels."""
    counts = np.diff(group.ptr).astype(np.int64)
    lam = group.P[0] * dt * 1e-3
    var = lam >= PTRS_MIN  # the variable-draw path; lam < 30 draws one uniform per target
    # PTRS: 2 uniforms per attempt; attempts per target for lam >= 30 measured
    # at most 1.23 on average (lam = 30; 1.12 for large lam), sd at most 0.53
    mean = counts * 2.0 * 1.25
    M = np.where(var, mean + 10.0 * 2.0 * 0.55 * np.sqrt(counts) + 64.0, 0.0)
    M = (np.ceil(M / 64.0) * 64.0).astype(np.int64)
    if M.size and int(M.sum()) >= 2 ** 31:  # positions are int32 on the device
        raise ValueError("poisson_generator: too many draws per tick for the GPU kernel")
    levels = max(1, math.ceil(math.log2(int(counts[var].max()) + 1))) if var.any() else 1
    return {"M": M, "levels": levels, "n_buf": int(M.sum())}


def _pg_plan(group: Any, dt: float) -> dict[str, np.ndarray]:
    z = _pg_sizes(group, dt)
    M, levels, n_buf = z["M"], z["levels"], z["n_buf"]
    n_dev = M.size
    off = np.zeros(n_dev + 1, np.int64)
    np.cumsum(M, out=off[1:])
    nch = M // 64 + 1  # one chunk more: pg_end's jump target when a stream ends at a chunk edge
    cbase = np.zeros(n_dev + 1, np.int64)
    np.cumsum(nch, out=cbase[1:])
    cdev = np.repeat(np.arange(n_dev, dtype=np.int64), nch)
    cloc = np.arange(int(cbase[-1]), dtype=np.int64) - cbase[cdev]
    cjump = np.ascontiguousarray(jump_table(64, int(nch.max()) if n_dev else 1)[cloc])
    fx = plan_chunks(group.ptr, 1)  # one draw per target (lam < 30)
    return {"pg_fx_dev": fx["dev"], "pg_fx_lo": fx["lo"], "pg_fx_hi": fx["hi"], "pg_fx_jump": fx["jump"],
            "pg_M": M, "pg_off": off, "pg_cdev": cdev, "pg_cloc": cloc, "pg_cbase": cbase, "pg_cjump": cjump,
            "pg_bdev": np.repeat(np.arange(n_dev, dtype=np.int64), M),
            "pg_buf": np.zeros(max(n_buf, 1)), "pg_jmp": np.zeros((levels, max(n_buf, 1)), np.int32),
            "pg_cnt": np.zeros(max(n_buf, 1), np.int64), "pg_over": np.zeros(max(n_dev, 1), np.int32)}


def _pg_stages(c: DeviceLaunch) -> list[tuple[str, int, int, tuple]]:
    a = c.a
    n_buf, levels = int(a["pg_bdev"].size), int(a["pg_jmp"].shape[0])  # pg_buf has >= 1 entry even if n_buf = 0
    n_chunks, n_fx = int(a["pg_cdev"].size), int(a["pg_fx_dev"].size)

    def args(level: int) -> tuple:
        return (a["P"], a["ptr"], a["idx"], a["w"], a["delay"], a["tdev"], c.I, c.ring, a["rng"], a["rng_b"],
                a["pg_M"], a["pg_off"], a["pg_cdev"], a["pg_cloc"], a["pg_cbase"], a["pg_cjump"], a["pg_bdev"],
                a["pg_buf"], a["pg_jmp"], a["pg_cnt"], a["pg_over"], a["pg_fx_dev"], a["pg_fx_lo"], a["pg_fx_hi"],
                a["pg_fx_jump"], c.ctl, c.receptor, c.n_dev, c.n_tgt, n_chunks, n_fx, n_buf, levels, level, c.n_post,
                c.n_rec_post, c.D, c.dt)

    def grid(n: int, block: int) -> int:
        return max(1, -(-n // block))

    out = [("pg_fixed", grid(n_fx, 64), 64, args(0))]
    if n_buf:  # some device draws lam >= 30 per tick
        out += [("pg_gen", grid(n_chunks, 128), 128, args(0)), ("pg_next", grid(n_buf, 256), 256, args(0))]
        out += [("pg_double", grid(n_buf, 256), 256, args(level)) for level in range(1, levels)]
    out.append(("pg_end", grid(c.n_dev, 64), 64, args(0)))
    if n_buf:
        out += [("pg_add", grid(c.n_tgt, 256), 256, args(0)), ("pg_serial", grid(c.n_dev, 64), 64, args(0))]
    return out


register_gpu(GpuKernel(model="poisson_generator", kind="device", source=(NEST_GEN, POISSON),
                       entries={"emit": ("pg_fixed", "pg_gen", "pg_next", "pg_double", "pg_end", "pg_add", "pg_serial")},
                       params=("rate", "start", "stop", "origin"), rng_draws=-1, plan=_pg_plan,
                       stages=_pg_stages))
