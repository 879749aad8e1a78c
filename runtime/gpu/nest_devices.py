"""GPU kernels of NEST's ``noise_generator`` and ``spike_generator``
(runtime/devices/nest_generators.py; ``dc_generator`` and ``poisson_generator``
are in runtime/gpu/nest.py).

``noise_generator`` draws two uniforms (one Box-Muller normal) per target on
the ticks it refreshes its values (every ``dt`` ms of its own), from one stream
per device, target after target: the stream splits into chunks that jump ahead
like ``noise_current``'s (``rng_draws = 2``); on ticks without fresh values the
last chunk's thread carries the stream state over to the other buffer. Whether
a tick is fresh depends on the device's state row 0, which a second launch
marks after every chunk has read it.

``spike_generator``: one thread per target walks the device's spike list from
its pointer (``S[0]``) and adds the spikes of this tick; a second launch (one
thread per device) advances the pointer. Its kernels take the length of the
spike list as an extra argument, so it builds its launches (``stages``).
"""
from __future__ import annotations

from . import DeviceLaunch, GpuKernel, register_gpu
from .nest import NEST_GEN

NOISE_GENERATOR = r"""
// P rows: 0 mean 1 std 2 dt (refresh interval) 3 start 4 stop 5 origin; S row 0: drawn yet (< 0: no),
// rows 1..: the value held for each target
__device__ __forceinline__ bool nest_noise_active(const double* P, i64 n_dev, i64 d, i64 t, double dt) {
    const double now = (double)(t + 1);
    const double t_on = rint((P[5 * n_dev + d] + P[3 * n_dev + d]) / dt);
    const double t_off = P[4 * n_dev + d] < 1e300 ? rint((P[5 * n_dev + d] + P[4 * n_dev + d]) / dt) : 1e308;
    return now >= t_on && now < t_off;
}

__device__ __forceinline__ bool nest_noise_fresh(const double* P, const double* S, i64 n_dev, i64 d, i64 t,
                                                 double dt) {
    const i64 every = P[2 * n_dev + d] > 0.0 ? (i64)brainc_pymax(1.0, rint(P[2 * n_dev + d] / dt)) : 1;
    return (t % every) == 0 || S[d] < 0.0;
}

extern "C" __global__ void noise_generator_emit(EMIT_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 c = brainc_tid();
    if (c >= n_chunks) return;
    const i64 t = ctl[CTL_T];
    const i64 d = chunk_dev[c];
    const i64 lo = chunk_lo[c], hi = chunk_hi[c];
    const bool last = hi == ptr[d + 1];
    const bool active = nest_noise_active(P, n_dev, d, t, dt);
    const bool fresh = active && nest_noise_fresh(P, S, n_dev, d, t, dt);
    brainc_rng r = brainc_dev_rng(rng_a, rng_b, t, d);
    if (fresh) {
        brainc_jump(&r, chunk_jump[2 * c], chunk_jump[2 * c + 1]);
        for (i64 q = lo; q < hi; q++)
            S[(1 + q - ptr[d]) * n_dev + d] = P[0 * n_dev + d] + P[1 * n_dev + d] * brainc_normal(&r, ctl);
    }
    if (last) brainc_dev_rng_store(rng_a, rng_b, t, d, &r);
    if (!active) return;
    const i64 row = receptor >= 0 ? receptor : (n_rec_post > 2 ? 2 : 0);  // the "current" receptor
    for (i64 q = lo; q < hi; q++)
        nest_gen_add(t, q, w[q] * S[(1 + q - ptr[d]) * n_dev + d], idx, delay, row, I_now, ring, n_post, n_rec_post, D);
}

// after every chunk read it: the device has drawn
extern "C" __global__ void noise_generator_mark(EMIT_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    for (i64 d = brainc_tid(); d < n_dev; d += brainc_nthreads())
        if (nest_noise_active(P, n_dev, d, t, dt)) S[d] = 1.0;
}
"""

SPIKE_GENERATOR = r"""
// P rows: 0 start 1 stop 2 origin; S rows: 0 next index 1 count, 2.. emission ticks, 2 + L.. weight factors
extern "C" __global__ void spike_generator_emit(EMIT_ARGS, i64 L) {
    if (ctl[CTL_STOP]) return;
    const i64 q = brainc_tid();
    if (q >= n_tgt) return;
    const i64 t = ctl[CTL_T];
    const double tf = (double)t;
    const i64 d = tdev[q];
    const i64 cnt = (i64)S[1 * n_dev + d];
    i64 k = (i64)S[0 * n_dev + d];
    const double stamp = (double)(t + 1);
    const double t_on = rint((P[2 * n_dev + d] + P[0 * n_dev + d]) / dt);
    const double t_off = P[1 * n_dev + d] < 1e300 ? rint((P[2 * n_dev + d] + P[1 * n_dev + d]) / dt) : 1e308;
    while (k < cnt && S[(2 + k) * n_dev + d] < tf) k++;
    for (; k < cnt && S[(2 + k) * n_dev + d] == tf; k++) {
        if (!(stamp > t_on && stamp <= t_off)) continue;
        const double ww = w[q] * S[(2 + L + k) * n_dev + d];
        nest_gen_add(t, q, ww, idx, delay, brainc_route(receptor, ww), I_now, ring, n_post, n_rec_post, D);
    }
}

extern "C" __global__ void spike_generator_advance(EMIT_ARGS, i64 L) {
    if (ctl[CTL_STOP]) return;
    const double tf = (double)ctl[CTL_T];
    for (i64 d = brainc_tid(); d < n_dev; d += brainc_nthreads()) {
        const i64 cnt = (i64)S[1 * n_dev + d];
        i64 k = (i64)S[0 * n_dev + d];
        while (k < cnt && S[(2 + k) * n_dev + d] <= tf) k++;
        S[0 * n_dev + d] = (double)k;
    }
}
"""


def _sg_stages(c: DeviceLaunch) -> list[tuple[str, int, int, tuple]]:
    a = c.a
    L = (int(a["S"].shape[0]) - 2) // 2
    args = (a["P"], a["S"], a["ptr"], a["idx"], a["w"], a["delay"], a["tdev"], c.I, c.ring, a["rng"], a["rng_b"],
            a["chunk_dev"], a["chunk_lo"], a["chunk_hi"], a["chunk_jump"], c.mods, c.ctl, c.receptor, c.n_dev,
            c.n_tgt, 0, c.n_post, c.n_rec_post, c.D, c.dt, L)
    return [("spike_generator_emit", max(1, -(-c.n_tgt // 128)), 128, args),
            ("spike_generator_advance", max(1, -(-c.n_dev // 64)), 64, args)]


register_gpu(GpuKernel(model="noise_generator", kind="device", source=(NEST_GEN, NOISE_GENERATOR),
                       entries={"emit": ("noise_generator_emit", "noise_generator_mark")},
                       params=("mean", "std", "dt", "start", "stop", "origin"), rng_draws=2))
register_gpu(GpuKernel(model="spike_generator", kind="device", source=(NEST_GEN, SPIKE_GENERATOR),
                       entries={"emit": ("spike_generator_emit", "spike_generator_advance")},
                       params=("start", "stop", "origin"), stages=_sg_stages))
