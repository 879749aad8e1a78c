"""GPU kernels of NEST's synapses (runtime/synapses/nest_plastic.py and
``static_synapse``, which transmits with ``fixed_propagate`` of runtime/gpu/synapses.py):
``stdp_synapse``, ``tsodyks2_synapse``, ``stdp_dopamine_synapse``.

The post-spike history each plastic pathway keeps in ``X`` (a ring of K-
traces and spike times per post unit, and the list of units that fired per
tick) is advanced in three launches: copy the previous tick's traces (a thread
per post unit), apply this tick's post spikes (a thread per spike; the spike's
position in the tick's list is its index in ``fired``, so no atomics), then
the tick's count and stamp (one thread). The fired list holds the GPU's order
of ``fired`` (ascending on the CPU); only the membership is ever read.

``stdp_synapse``: potentiation by the post spikes reaching their synapses now
(one block per such spike, over its CSC column; a synapse has one delay, so it
is touched once per tick), then depression and the pre-trace update over the
rows of pre units that fired. Every synapse's arithmetic is the CPU's.

``tsodyks2_synapse``: the synapse state changes only in its pre unit's row.

``stdp_dopamine_synapse``: the dopamine spikes of the volume transmitter are
appended by one thread; on the delivery ticks (every ``update_interval``) every
synapse is brought up to date in parallel (each synapse's events are its own),
and the buffered pre spikes of the interval are processed by one block per
group of pre units: each block walks the event list in order and takes the
events of its units, each lane the same synapses of a row every time, so every
synapse sees its events in the CPU's order. Only the summation order of the
delivered weights into the ring is the GPU's.
"""
from __future__ import annotations

from . import GpuKernel, register_gpu
from .synapses import FIXED


HISTORY = r"""
// ---------------------------------------------------------------- NEST post-spike history in X (nest_plastic)
#define NX_R 0
#define NX_NPOST 1
#define NX_ND 2
#define NX_M 3
#define NX_LAST 4
#define NX_NDOPA 5
#define NX_CAPD 6
#define NX_NPRE 7
#define NX_CAPP 8
#define NX_HDR 16
#define NEST_EPS 1e-6

struct nest_hist { i64 R, n_post, nd, o_del, o_tau, o_K, o_T, o_FL, o_FC, o_D, o_P; };

__device__ __forceinline__ nest_hist nest_offsets(const double* X) {
    nest_hist h;
    h.R = (i64)X[NX_R];
    h.n_post = (i64)X[NX_NPOST];
    h.nd = (i64)X[NX_ND];
    h.o_del = NX_HDR;
    h.o_tau = h.o_del + h.nd;
    h.o_K = h.o_tau + h.n_post;
    h.o_T = h.o_K + h.R * h.n_post;
    h.o_FL = h.o_T + h.R * h.n_post;
    h.o_FC = h.o_FL + h.R * h.n_post;
    h.o_D = h.o_FC + h.R;
    h.o_P = h.o_D + 2 * (i64)X[NX_CAPD];
    return h;
}

// Python's a % b for b > 0
__device__ __forceinline__ i64 nest_mod(i64 a, i64 b) {
    const i64 r = a % b;
    return r < 0 ? r + b : r;
}

// _record_post, 1: the trace state of tick t-1 into tick t's slot (a thread per post unit)
extern "C" __global__ void nest_hist_copy(LEARN_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    if (X[NX_LAST] == (double)t || t <= 0) return;
    const nest_hist h = nest_offsets(X);
    const i64 slot = nest_mod(t, h.R), prev = nest_mod(t - 1, h.R);
    for (i64 j = brainc_tid(); j < h.n_post; j += brainc_nthreads()) {
        X[h.o_K + slot * h.n_post + j] = X[h.o_K + prev * h.n_post + j];
        X[h.o_T + slot * h.n_post + j] = X[h.o_T + prev * h.n_post + j];
    }
}

// 2: this tick's post spikes (K- <- K- e^{-dt/tau} + 1), listed at their index in fired
extern "C" __global__ void nest_hist_spikes(LEARN_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    if (X[NX_LAST] == (double)t) return;
    const nest_hist h = nest_offsets(X);
    const i64 slot = nest_mod(t, h.R);
    const double now = (double)(t + 1) * dt;
    const i64 m = n_post_fired[0];
    for (i64 q = brainc_tid(); q < m; q += brainc_nthreads()) {
        const i64 j = post_fired[q];
        double K = X[h.o_K + slot * h.n_post + j];
        const double T = X[h.o_T + slot * h.n_post + j];
        K = T >= 0.0 ? K * exp((T - now) / X[h.o_tau + j]) + 1.0 : 1.0;
        X[h.o_K + slot * h.n_post + j] = K;
        X[h.o_T + slot * h.n_post + j] = now;
        X[h.o_FL + slot * h.n_post + q] = (double)j;
    }
}

// 3: the tick's spike count and stamp (one thread)
extern "C" __global__ void nest_hist_end(LEARN_ARGS) {
    if (ctl[CTL_STOP] || brainc_tid() != 0) return;
    const i64 t = ctl[CTL_T];
    if (X[NX_LAST] == (double)t) return;
    const nest_hist h = nest_offsets(X);
    X[h.o_FC + nest_mod(t, h.R)] = (double)n_post_fired[0];
    X[NX_LAST] = (double)t;
}

// _k_minus_before: post trace of unit j just before m_tau * dt
__device__ __forceinline__ double nest_k_minus_before(const double* X, const nest_hist& h, i64 j, i64 m_tau, i64 t,
                                                      double dt) {
    i64 k = m_tau - 2;
    if (k < 0) return 0.0;
    if (k < t - h.R + 1) k = t - h.R + 1;
    const i64 slot = nest_mod(k, h.R);
    const double T = X[h.o_T + slot * h.n_post + j];
    if (T < 0.0) return 0.0;
    return X[h.o_K + slot * h.n_post + j] * exp((T - (double)m_tau * dt) / X[h.o_tau + j]);
}
"""

STDP_SYNAPSE = r"""
// P rows: 0 tau_plus 1 lambda 2 alpha 3 mu_plus 4 mu_minus 5 Wmax 6 tau_minus 7 _delay; S rows: 0 Kplus 1 t_last
__device__ __forceinline__ double nest_facilitate(double w, double kplus, double lam, double mu_plus, double wmax) {
    const double norm_w = (w / wmax) + (lam * pow(1.0 - (w / wmax), mu_plus) * kplus);
    return norm_w < 1.0 ? norm_w * wmax : wmax;
}

__device__ __forceinline__ double nest_depress(double w, double kminus, double lam, double alpha, double mu_minus,
                                               double wmax) {
    const double norm_w = (w / wmax) - (alpha * lam * pow(w / wmax, mu_minus) * kminus);
    return norm_w > 0.0 ? norm_w * wmax : 0.0;
}

// 1. post spikes reaching their synapses now (t_post + d == now): potentiate (a block per such spike)
extern "C" __global__ void stdp_synapse_pot(LEARN_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const nest_hist h = nest_offsets(X);
    for (i64 a = 0; a < h.nd; a++) {
        const i64 Dl = (i64)X[h.o_del + a];
        const i64 k = t - Dl;
        if (k < 0 || k < t - h.R + 1) continue;
        const i64 slot = nest_mod(k, h.R);
        const i64 cnt = (i64)X[h.o_FC + slot];
        const double t_post = (double)(k + 1) * dt;
        for (i64 c = blockIdx.x; c < cnt; c += gridDim.x) {
            const i64 j = (i64)X[h.o_FL + slot * h.n_post + c];
            for (i64 q = cscptr[j] + threadIdx.x; q < cscptr[j + 1]; q += blockDim.x) {
                const i64 s = cscsyn[q];
                if ((i64)P[7 * n_syn + s] != Dl) continue;
                const double minus_dt = S[1 * n_syn + s] - (t_post + (double)Dl * dt);
                w[s] = nest_facilitate(w[s], S[0 * n_syn + s] * exp(minus_dt / P[0 * n_syn + s]), P[1 * n_syn + s],
                                       P[3 * n_syn + s], P[5 * n_syn + s]);
            }
        }
    }
}

// 2. pre spikes of this tick: depress with K- just before now - d, then the pre trace
extern "C" __global__ void stdp_synapse_dep(LEARN_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const nest_hist h = nest_offsets(X);
    const double now = (double)(t + 1) * dt;
    const i64 m = n_pre[0];
    for (i64 q = blockIdx.x; q < m; q += gridDim.x) {
        const i64 i = pre_fired[q];
        for (i64 s = indptr[i] + threadIdx.x; s < indptr[i + 1]; s += blockDim.x) {
            const i64 Dl = (i64)P[7 * n_syn + s];
            const double km = nest_k_minus_before(X, h, post_idx[s], t + 1 - Dl, t, dt);
            w[s] = nest_depress(w[s], km, P[1 * n_syn + s], P[2 * n_syn + s], P[4 * n_syn + s], P[5 * n_syn + s]);
            S[0 * n_syn + s] = S[0 * n_syn + s] * exp((S[1 * n_syn + s] - now) / P[0 * n_syn + s]) + 1.0;
            S[1 * n_syn + s] = now;
        }
    }
}
"""

TSODYKS2 = r"""
// P rows: 0 U 1 tau_rec 2 tau_fac 3 u(init) 4 x(init); S rows: 0 u 1 x 2 t_last (-1: none)
extern "C" __global__ void tsodyks2_propagate(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const double now = (double)(t + 1) * dt;
    const i64 m = n_fired[0];
    for (i64 q = blockIdx.x; q < m; q += gridDim.x) {
        const i64 i = pre_fired[q];
        const double mult = pre_out[i];
        for (i64 s = indptr[i] + threadIdx.x; s < indptr[i + 1]; s += blockDim.x) {
            double u = S[0 * n_syn + s], x = S[1 * n_syn + s];
            const double tl = S[2 * n_syn + s];
            if (tl >= 0.0) {
                const double hh = now - tl;
                const double x_decay = exp(-hh / P[1 * n_syn + s]);
                const double u_decay = P[2 * n_syn + s] < 1.0e-10 ? 0.0 : exp(-hh / P[2 * n_syn + s]);
                x = 1.0 + (x - x * u - 1.0) * x_decay;
                u = P[0 * n_syn + s] + u * (1.0 - P[0 * n_syn + s]) * u_decay;
                S[0 * n_syn + s] = u;
                S[1 * n_syn + s] = x;
            }
            S[2 * n_syn + s] = now;
            const double ws = x * u * w[s] * mult;
            atomicAdd(&ring[((nest_mod(t + (i64)delay[s], D)) * n_rec_post + brainc_route(receptor, w[s])) * n_post
                            + post_idx[s]], ws);
        }
    }
}
"""

DOPAMINE = r"""
// P rows: 0 A_plus 1 A_minus 2 tau_plus 3 tau_c 4 tau_n 5 b 6 Wmin 7 Wmax 8 tau_minus 9 update_interval
//         10 _delay 11 gate_unit; S rows: 0 Kplus 1 c 2 n 3 t_last_update 4 dopa index
#define DP(r, s) P[(i64)(r) * n_syn + (s)]
#define DS(r, s) S[(i64)(r) * n_syn + (s)]

__device__ __forceinline__ double dopa_update_weight(double w, double c0, double n0, double minus_dt, double tau_c,
                                                     double tau_n, double b, double wmin, double wmax) {
    const double taus = (tau_c + tau_n) / (tau_c * tau_n);
    w = w - c0 * (n0 / taus * expm1(taus * minus_dt) - b * tau_c * expm1(minus_dt / tau_c));
    if (w < wmin) w = wmin;
    if (w > wmax) w = wmax;
    return w;
}

// _process_dopa: w and c of synapse s from t0 to t1 through the interval's dopamine spikes
__device__ void dopa_process(i64 s, double t0, double t1, double* w, double* S, const double* P, const double* X,
                             i64 o_D, i64 n_syn) {
    const double tau_c = DP(3, s), tau_n = DP(4, s), b = DP(5, s), wmin = DP(6, s), wmax = DP(7, s);
    const i64 nd = (i64)X[NX_NDOPA];
    i64 idx = (i64)DS(4, s);
    if (nd > idx + 1 && t1 - X[o_D + 2 * (idx + 1)] > -NEST_EPS) {
        const double n0 = DS(2, s) * exp((X[o_D + 2 * idx] - t0) / tau_n);
        w[s] = dopa_update_weight(w[s], DS(1, s), n0, t0 - X[o_D + 2 * (idx + 1)], tau_c, tau_n, b, wmin, wmax);
        double mdt = X[o_D + 2 * idx] - X[o_D + 2 * (idx + 1)];
        idx += 1;
        DS(2, s) = DS(2, s) * exp(mdt / tau_n) + X[o_D + 2 * idx + 1] / tau_n;
        while (nd > idx + 1 && t1 - X[o_D + 2 * (idx + 1)] > -NEST_EPS) {
            const double cd = DS(1, s) * exp((t0 - X[o_D + 2 * idx]) / tau_c);
            w[s] = dopa_update_weight(w[s], cd, DS(2, s), X[o_D + 2 * idx] - X[o_D + 2 * (idx + 1)], tau_c, tau_n, b,
                                      wmin, wmax);
            mdt = X[o_D + 2 * idx] - X[o_D + 2 * (idx + 1)];
            idx += 1;
            DS(2, s) = DS(2, s) * exp(mdt / tau_n) + X[o_D + 2 * idx + 1] / tau_n;
        }
        const double cd = DS(1, s) * exp((t0 - X[o_D + 2 * idx]) / tau_c);
        w[s] = dopa_update_weight(w[s], cd, DS(2, s), X[o_D + 2 * idx] - t1, tau_c, tau_n, b, wmin, wmax);
    } else {
        const double n0 = DS(2, s) * exp((X[o_D + 2 * idx] - t0) / tau_n);
        w[s] = dopa_update_weight(w[s], DS(1, s), n0, t0 - t1, tau_c, tau_n, b, wmin, wmax);
    }
    DS(4, s) = (double)idx;
    DS(1, s) = DS(1, s) * exp((t0 - t1) / tau_c);
}

// _dopa_post_window: post spikes of unit j in (t_a, t_b] potentiate c at their arrival
__device__ double dopa_post_window(i64 s, i64 j, double t_a, double t_b, double t_spike, bool is_send, i64 t,
                                   double dt, double* w, double* S, const double* P, const double* X,
                                   const nest_hist& h, i64 n_syn) {
    const i64 Dl = (i64)DP(10, s);
    const double d = (double)Dl * dt;
    const double t_lu = DS(3, s);
    double t0 = t_lu;
    const i64 m_a = (i64)rint(t_a / dt), m_b = (i64)rint(t_b / dt);
    i64 k_lo = m_a;
    if (k_lo < t - h.R + 1) k_lo = t - h.R + 1;
    for (i64 k = k_lo; k < m_b; k++) {
        if (k < 0) continue;
        const double tp = (double)(k + 1) * dt;
        if (X[h.o_T + nest_mod(k, h.R) * h.n_post + j] != tp) continue;
        dopa_process(s, t0, tp + d, w, S, P, X, h.o_D, n_syn);
        t0 = tp + d;
        const double minus_dt = t_lu - t0;
        if ((!is_send) || (t_spike - tp > NEST_EPS)) DS(1, s) += DP(0, s) * (DS(0, s) * exp(minus_dt / DP(2, s)));
    }
    return t0;
}

__device__ __forceinline__ i64 dopa_interval(const double* P, i64 n_syn, double dt) {
    i64 M = (i64)rint(P[9 * n_syn] / dt);
    return M < 1 ? 1 : M;
}

// learn, after the history: the volume transmitter's dopamine spikes of this tick (one thread)
extern "C" __global__ void dopa_append(LEARN_ARGS) {
    if (ctl[CTL_STOP] || brainc_tid() != 0 || n_syn == 0) return;
    const nest_hist h = nest_offsets(X);
    const double now = (double)(ctl[CTL_T] + 1) * dt;
    const i64 g = (i64)P[11 * n_syn];
    const double cnt = (g >= 0 && g < n_gate) ? gate_out[g] : 0.0;
    if (cnt > 0.0) {
        i64 k = (i64)X[NX_NDOPA];
        if (k >= (i64)X[NX_CAPD]) k = (i64)X[NX_CAPD] - 1;
        X[h.o_D + 2 * k] = now;
        X[h.o_D + 2 * k + 1] = cnt;
        X[NX_NDOPA] = (double)(k + 1);
    }
}

// on a delivery tick: bring every synapse up to now (a thread per synapse)
extern "C" __global__ void dopa_deliver(LEARN_ARGS) {
    if (ctl[CTL_STOP] || n_syn == 0) return;
    const i64 t = ctl[CTL_T];
    if ((t + 1) % dopa_interval(P, n_syn, dt) != 0) return;
    const nest_hist h = nest_offsets(X);
    const double now = (double)(t + 1) * dt;
    for (i64 s = brainc_tid(); s < n_syn; s += brainc_nthreads()) {
        const i64 j = post_idx[s];
        const double d = DP(10, s) * dt;
        const double t0 = dopa_post_window(s, j, DS(3, s) - d, now - d, now, false, t, dt, w, S, P, X, h, n_syn);
        dopa_process(s, t0, now, w, S, P, X, h.o_D, n_syn);
        DS(2, s) = DS(2, s) * exp((X[h.o_D + 2 * (i64)DS(4, s)] - now) / DP(4, s));
        DS(0, s) = DS(0, s) * exp((DS(3, s) - now) / DP(2, s));
        DS(3, s) = now;
        DS(4, s) = 0.0;
    }
}

extern "C" __global__ void dopa_deliver_end(LEARN_ARGS) {
    if (ctl[CTL_STOP] || brainc_tid() != 0 || n_syn == 0) return;
    const i64 t = ctl[CTL_T];
    if ((t + 1) % dopa_interval(P, n_syn, dt) != 0) return;
    const nest_hist h = nest_offsets(X);
    X[h.o_D] = (double)(t + 1) * dt;
    X[h.o_D + 1] = 0.0;
    X[NX_NDOPA] = 1.0;
}

// propagate 1: buffer this tick's pre spikes (event q at position NPRE + q, as the CPU's loop)
extern "C" __global__ void dopa_buffer(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP] || n_syn == 0) return;
    const nest_hist h = nest_offsets(X);
    const i64 cap = (i64)X[NX_CAPP], k0 = (i64)X[NX_NPRE];
    const i64 m = n_fired[0];
    for (i64 q = brainc_tid(); q < m; q += brainc_nthreads()) {
        const i64 k = k0 + q;
        if (k >= cap) continue;
        X[h.o_P + 3 * k] = (double)ctl[CTL_T];
        X[h.o_P + 3 * k + 1] = (double)pre_fired[q];
        X[h.o_P + 3 * k + 2] = pre_out[pre_fired[q]];
    }
}

extern "C" __global__ void dopa_buffer_end(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP] || brainc_tid() != 0 || n_syn == 0) return;
    const i64 cap = (i64)X[NX_CAPP], k = (i64)X[NX_NPRE] + n_fired[0];
    X[NX_NPRE] = (double)(k < cap ? k : cap);
}

// 2. on a delivery tick: the interval's pre spikes, in order; block b takes the events of the
// pre units i with i % gridDim == b, and a lane always the same synapses of a row
extern "C" __global__ void dopa_send(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP] || n_syn == 0) return;
    const i64 t = ctl[CTL_T];
    if ((t + 1) % dopa_interval(P, n_syn, dt) != 0) return;
    const nest_hist h = nest_offsets(X);
    const i64 k = (i64)X[NX_NPRE];
    for (i64 e = 0; e < k; e++) {
        const i64 i = (i64)X[h.o_P + 3 * e + 1];
        if (i % gridDim.x != blockIdx.x) continue;
        const i64 te = (i64)X[h.o_P + 3 * e];
        const double mult = X[h.o_P + 3 * e + 2];
        const double t_spike = (double)(te + 1) * dt;
        for (i64 s = indptr[i] + threadIdx.x; s < indptr[i + 1]; s += blockDim.x) {
            const i64 j = post_idx[s];
            const i64 Dl = (i64)DP(10, s);
            const double d = (double)Dl * dt;
            const double t0 = dopa_post_window(s, j, DS(3, s) - d, t_spike - d, t_spike, true, t, dt, w, S, P, X, h,
                                               n_syn);
            dopa_process(s, t0, t_spike, w, S, P, X, h.o_D, n_syn);
            const double km = nest_k_minus_before(X, h, j, te + 1 - Dl, t, dt);
            DS(1, s) -= DP(1, s) * km;
            const double ws = w[s] * mult;
            atomicAdd(&ring[(nest_mod(te + (i64)delay[s], D) * n_rec_post + brainc_route(receptor, ws)) * n_post + j],
                      ws);
            DS(0, s) = DS(0, s) * exp((DS(3, s) - t_spike) / DP(2, s)) + 1.0;
            DS(3, s) = t_spike;
        }
    }
}

extern "C" __global__ void dopa_send_end(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP] || brainc_tid() != 0 || n_syn == 0) return;
    if ((ctl[CTL_T] + 1) % dopa_interval(P, n_syn, dt) != 0) return;
    X[NX_NPRE] = 0.0;
}
#undef DP
#undef DS
"""

_HIST = ("nest_hist_copy", "nest_hist_spikes", "nest_hist_end")
_HIST_GEOMETRY = {"nest_hist_copy": "syn", "nest_hist_spikes": "syn", "nest_hist_end": "one"}

register_gpu(GpuKernel(
    model="stdp_synapse", kind="synapse", source=(FIXED, HISTORY, STDP_SYNAPSE),
    entries={"propagate": "fixed_propagate", "learn": _HIST + ("stdp_synapse_pot", "stdp_synapse_dep")},
    geometry=_HIST_GEOMETRY, params=("tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax", "tau_minus",
                                     "_delay"), state=("Kplus", "t_last")))
register_gpu(GpuKernel(
    model="tsodyks2_synapse", kind="synapse", source=(HISTORY, TSODYKS2), entries={"propagate": "tsodyks2_propagate"},
    params=("U", "tau_rec", "tau_fac", "u", "x"), state=("u", "x", "t_last")))
register_gpu(GpuKernel(
    model="stdp_dopamine_synapse", kind="synapse", source=(HISTORY, DOPAMINE),
    entries={"learn": _HIST + ("dopa_append", "dopa_deliver", "dopa_deliver_end"),
             "propagate": ("dopa_buffer", "dopa_buffer_end", "dopa_send", "dopa_send_end")},
    geometry={**_HIST_GEOMETRY, "dopa_append": "one", "dopa_deliver": "syn", "dopa_deliver_end": "one",
              "dopa_buffer": "syn", "dopa_buffer_end": "one", "dopa_send": "rows", "dopa_send_end": "one"},
    params=("A_plus", "A_minus", "tau_plus", "tau_c", "tau_n", "b", "Wmin", "Wmax", "tau_minus", "update_interval",
            "_delay", "gate_unit"),
    state=("Kplus", "c", "n", "t_last_update", "dopa_index")))
