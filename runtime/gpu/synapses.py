"""GPU kernels of the spiking family's synapses: ``fixed``,
Tsodyks-Markram short-term plasticity (``facilitating``, ``depressing``) and
``gap_junction``.

The learning synapses are in runtime/gpu/stdp.py, NEST's in runtime/gpu/nest_synapses.py.

One thread block per emitting presynaptic unit (grid-strided over the count
the neuron kernel left on the device, so the launch needs no read-back); the
block's threads stride the unit's CSR row and add into the post delay ring with
``atomicAdd``, since several emitters may hit one target in the same tick.
The order of those additions is not fixed on a GPU: sums of more than two
inputs into one unit can differ from the CPU's in the last bits (see docs/gpu.md).
"""
from __future__ import annotations

from . import GpuKernel, register_gpu

FIXED = r"""
// fixed.propagate: w times the emitter's out (1 for a spike, m for a NEST parrot
// relaying m coincident spikes); serves every synapse model that transmits statically
extern "C" __global__ void fixed_propagate(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const i64 m = n_fired[0];
    const i64 base = t % D;
    for (i64 q = blockIdx.x; q < m; q += gridDim.x) {
        const i64 i = pre_fired[q];
        const double mult = pre_out[i];
        const i64 end = indptr[i + 1];
        for (i64 s = indptr[i] + threadIdx.x; s < end; s += blockDim.x) {
            const double ws = w[s] * mult;
            i64 slot = base + (i64)delay[s];  // delay < D: one subtraction instead of a modulo
            if (slot >= D) slot -= D;
            atomicAdd(&ring[(slot * n_rec_post + brainc_route(receptor, ws)) * n_post + post_idx[s]], ws);
        }
    }
}
"""

for _name in ("fixed", "static_synapse"):
    register_gpu(GpuKernel(model=_name, kind="synapse", source=FIXED, entries={"propagate": "fixed_propagate"}))

# ---------------------------------------------------------------- Tsodyks-Markram (runtime/synapses/short_term.py)
STP = r"""
// exp(-lag/tau), tau <= 0: instantaneous; beyond 700 time constants: fully relaxed (as the CPU)
__device__ __forceinline__ double stp_relax(double lag_ms, double tau) {
    if (tau <= 0.0) return 0.0;
    const double a = lag_ms / tau;
    return a > 700.0 ? 0.0 : exp(-a);
}

// the synapse state changes only in its pre unit's row: no races on S
extern "C" __global__ void stp_propagate(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const double tf = (double)t;
    const i64 m = n_fired[0];
    for (i64 q = blockIdx.x; q < m; q += gridDim.x) {
        const i64 i = pre_fired[q];
        const i64 end = indptr[i + 1];
        for (i64 s = indptr[i] + threadIdx.x; s < end; s += blockDim.x) {
            const double ws = w[s];
            const double lag = (tf - S[2 * n_syn + s]) * dt;
            const double U = P[0 * n_syn + s];
            const double u = U + S[0 * n_syn + s] * stp_relax(lag, P[1 * n_syn + s]) * (1.0 - U);
            const double x = 1.0 - (1.0 - S[1 * n_syn + s]) * stp_relax(lag, P[2 * n_syn + s]);
            S[0 * n_syn + s] = u;
            S[1 * n_syn + s] = x * (1.0 - u);
            S[2 * n_syn + s] = tf;
            const i64 slot = (t + (i64)delay[s]) % D;
            atomicAdd(&ring[(slot * n_rec_post + brainc_route(receptor, ws)) * n_post + post_idx[s]],
                      ws * ((u / U) * x));
        }
    }
}
"""

for _name in ("facilitating", "depressing"):
    register_gpu(GpuKernel(model=_name, kind="synapse", source=STP, entries={"propagate": "stp_propagate"},
                           params=("U", "tau_fac", "tau_rec"), state=("u", "x", "t_last")))

# ---------------------------------------------------------------- gap junctions (runtime/synapses/gap_junction.py)
GAP = r"""
// one thread per junction; both cells' inputs take atomic adds (a cell has several junctions)
extern "C" __global__ void gap_junction_couple(COUPLE_ARGS) {
    if (ctl[CTL_STOP] || pre_v < 0 || post_v < 0) return;
    i64 s = brainc_tid();
    if (s >= n_syn) return;
    const i64 i = pre_idx[s];
    const i64 j = post_idx[s];
    const double cur = fabs(w[s]) * (pre_S[pre_v * n_pre + i] - post_S[post_v * n_post + j]);
    atomicAdd(&post_I[j], cur);
    atomicAdd(&pre_I[i], -cur);
}
"""

register_gpu(GpuKernel(model="gap_junction", kind="synapse", source=GAP, entries={"couple": "gap_junction_couple"}))
