"""GPU kernels of the spiking family's synapses: ``fixed``/``static_synapse``,
Tsodyks-Markram short-term plasticity (``facilitating``, ``depressing``) and
``gap_junction``.

Long-term plasticity (``plastic`` and the STDP-based models built on it) has no
GPU kernel yet: runtime/synapses/plastic.py was being rewritten (traces scaled
to a pathway-wide reference tick) while this module was written. The backend
already runs ``learn`` kernels (CSR and CSC sweeps, weights synced back); a
port registers ``entries={"propagate": "fixed_propagate", "learn": (...)}``.

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
extern "C" __global__ void fixed_propagate(const i64* pre_fired, const i64* n_fired, const double* pre_out,
                                           const i64* indptr, const int* post_idx, const int* delay, double* w,
                                           double* S, const double* P, double* X, double* ring,
                                           const double* gate_out, const double* mods, const i64* ctl,
                                           i64 receptor, i64 D, i64 n_post, i64 n_rec_post, i64 n_syn, double dt) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const i64 m = n_fired[0];
    const i64 base = t % D;
    for (i64 q = blockIdx.x; q < m; q += gridDim.x) {
        const i64 i = pre_fired[q];
        const i64 end = indptr[i + 1];
        for (i64 s = indptr[i] + threadIdx.x; s < end; s += blockDim.x) {
            const double ws = w[s];
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
__device__ __forceinline__ double stp_relax(double lag_ms, double tau) {
    return tau <= 0.0 ? 0.0 : exp(-lag_ms / tau);
}

// the synapse state changes only in its pre unit's row: no races on S
extern "C" __global__ void stp_propagate(const i64* pre_fired, const i64* n_fired, const double* pre_out,
                                         const i64* indptr, const int* post_idx, const int* delay, double* w,
                                         double* S, const double* P, double* X, double* ring,
                                         const double* gate_out, const double* mods, const i64* ctl,
                                         i64 receptor, i64 D, i64 n_post, i64 n_rec_post, i64 n_syn, double dt) {
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
extern "C" __global__ void gap_junction_couple(const double* pre_S, const double* post_S, double* pre_I,
                                               double* post_I, i64 pre_v, i64 post_v, const int* pre_idx,
                                               const int* post_idx, const double* w, double* S, const double* P,
                                               double* X, const double* mods, const i64* ctl, i64 n_syn,
                                               i64 n_pre, i64 n_post) {
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
