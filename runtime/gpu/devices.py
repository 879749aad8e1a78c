"""GPU kernels of the current generators (:mod:`runtime.devices.current`).

``noise_current`` draws from one xoroshiro128+ stream per device, two uniforms
per target per tick in target order, exactly as the CPU kernel. The backend
splits each device's targets into chunks; a chunk's thread jumps its device's
tick-start state ahead to the chunk's first draw (``chunk_jump``), so the
numbers are the CPU's, just drawn in parallel. The thread of a device's last
chunk ends exactly where the CPU stream ends and stores that state in the
other half of the double-buffered ``rng``.
"""
from __future__ import annotations

from . import GpuKernel, register_gpu

NOISE = r"""
extern "C" __global__ void noise_current_emit(EMIT_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 c = brainc_tid();
    if (c >= n_chunks) return;
    const i64 t = ctl[CTL_T];
    const i64 d = chunk_dev[c];
    brainc_rng r = brainc_dev_rng(rng_a, rng_b, t, d);
    brainc_jump(&r, chunk_jump[2 * c], chunk_jump[2 * c + 1]);
    const double mean = P[0 * n_dev + d];
    const double sd = P[1 * n_dev + d];
    const i64 row = (receptor >= 0 ? receptor : 0) * n_post;
    const i64 hi = chunk_hi[c];
    for (i64 q = chunk_lo[c]; q < hi; q++)
        atomicAdd(&I_now[row + idx[q]], w[q] * (mean + sd * brainc_normal(&r, ctl)));
    if (hi == ptr[d + 1]) {
        brainc_dev_rng_store(rng_a, rng_b, t, d, &r);
    }
}
"""

DC = r"""
extern "C" __global__ void dc_current_emit(EMIT_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 q = brainc_tid();
    if (q >= n_tgt) return;
    const i64 d = tdev[q];
    const double now = (double)ctl[CTL_T] * dt;
    if (now < P[1 * n_dev + d] || now >= P[2 * n_dev + d]) return;
    atomicAdd(&I_now[(receptor >= 0 ? receptor : 0) * n_post + idx[q]], w[q] * P[0 * n_dev + d]);
}
"""

register_gpu(GpuKernel(model="noise_current", kind="device", source=NOISE, entries={"emit": "noise_current_emit"},
                       params=("mean", "std"), rng_draws=2))
register_gpu(GpuKernel(model="dc_current", kind="device", source=DC, entries={"emit": "dc_current_emit"},
                       params=("amplitude", "start", "stop")))
