"""GPU kernels of the Leabra family: ``leabra`` units (runtime/models/leabra.py)
and ``xcal`` projections (runtime/synapses/xcal.py).

A Leabra cycle has layer-wide steps (FFFB inhibition from the layer's mean and
max net input; k-WTA from the sorted per-unit thresholds; the layer's mean and
max activity afterwards), so ``update`` is six launches:

1. ``leabra_ge`` (a thread per unit): net input -> conductances; on a send-only
   or learning tick (``mods[trial_start]``/``mods[learn]``) it only re-sends.
2. ``leabra_ge_stats`` (a block per layer): each of the block's ``lanes``
   threads sums/maxes a strided slice of the layer's ``ge`` into the scratch ``Y``.
3. ``leabra_inhib`` (a thread per layer): combines the slices in lane order and
   computes the layer's inhibition (k-WTA sorts the layer's thresholds in ``Y``).
4. ``leabra_act`` (a thread per unit): vm, activation, learning averages, sending.
5. ``leabra_act_stats`` / 6. ``leabra_act_end``: the same reduction for the
   layer's mean/max activity and clamp flags.

The per-unit arithmetic is the CPU kernel's, operation for operation. The
layer sums are the only reordering: with one lane (the host emulation) each
slice is the whole layer in unit order, so the sums are the CPU's bit for bit;
with ``lanes`` = 64 on a GPU a layer mean of n values is summed as 64 strided
partial sums (fixed order, so runs are reproducible) and differs from the
sequential sum by at most ``gamma(n) * sum |ge|``, ``gamma(n) = n u / (1 - n u)``.
Maxima are exact.

``xcal`` transmits ``gscale * wt * act_sent`` with atomic adds into the ring (the
CPU's order on the host, reordered on a GPU: the bound of docs/gpu.md), and
learns on ``mods[learn]`` ticks with one block per sending unit: every synapse's
weight change is independent except the row-wide maximum of the normaliser,
reduced exactly with an integer atomicMax and written back in a second launch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import GpuKernel, register_gpu

#: the rows these kernels were written for (the stale-kernel guard compares them with the models)
LEABRA_PARAMS = (
    "integ", "vm_dt", "net_dt", "gbar_e", "gbar_l", "gbar_i", "e_rev_e", "e_rev_l", "e_rev_i", "thr", "gain", "nvar",
    "vm_act_thr", "vm_min", "vm_max", "act_fun", "v_m_r", "t_r", "spike_eq_gain", "spike_eq_dt", "adapt_dt",
    "vm_gain", "spike_gain", "self_gi", "self_dt", "ss_dt", "s_dt", "m_dt", "lrn_m", "avg_init", "avg_l_init",
    "avg_l_gain", "avg_l_min", "avg_l_dt", "avg_l_lrn_max", "avg_l_lrn_min", "avg_l_err_mod", "avg_l_mod_min",
    "act_avg_dt", "clamp_hard", "clamp_min", "clamp_max", "clamp_gain", "clamp_avg", "clamp_avg_gain", "init_vm",
    "init_act", "init_ge", "decay", "send_thr", "delta_thr")
LEABRA_STATE = (
    "act", "act_lrn", "act_sent", "ge", "ge_raw", "gi", "gi_syn", "gi_self", "inet", "vm", "spike", "isi", "avg_spk",
    "adapt", "avg_ss", "avg_s", "avg_m", "avg_s_lrn", "avg_l", "avg_l_lrn", "act_m", "act_p", "act_dif", "act_avg",
    "ext", "clamped")
LEABRA_GROUP_PARAMS = (
    "inhib_type", "gi", "ff", "fb", "fb_dt", "ff0", "max_vs_avg", "kwta_pct", "kwta_pt", "act_avg_init",
    "act_avg_dt", "act_avg_fixed", "act_avg_use_first", "act_avg_adjust", "cos_diff_dt")
LEABRA_GROUP_STATE = (
    "ge_avg", "ge_max", "act_avg", "act_max", "ffi", "fbi", "gi", "acts_m_avg", "acts_p_avg", "acts_m_avg_run",
    "acts_p_avg_run", "acts_p_avg_eff", "cos_diff", "cos_diff_avg", "cos_diff_var", "mod_avg_l_lrn", "clamped_m",
    "clamped_p", "is_target")
XCAL_PARAMS = (
    "learn", "lrate", "m_lrn", "set_l_lrn", "l_lrn", "d_rev", "d_thr", "lrn_thr", "sig_gain", "sig_off", "soft_bound",
    "norm", "norm_decay_dt", "norm_min", "norm_lr_comp", "momentum", "momentum_dt", "momentum_lr_comp",
    "wt_scale_abs", "wt_scale_rel")
XCAL_STATE = ("lwt", "dwt", "norm", "moment", "gscale")


def _defines(prefix: str, names: tuple[str, ...]) -> str:
    return "\n".join(f"#define {prefix}{name.upper()} {i}" for i, name in enumerate(names))


ROWS = "\n".join([
    "// ---------------------------------------------------------------- Leabra rows",
    _defines("LP_", LEABRA_PARAMS), _defines("LS_", LEABRA_STATE), _defines("LG_", LEABRA_GROUP_PARAMS),
    _defines("LL_", LEABRA_GROUP_STATE), _defines("XP_", XCAL_PARAMS), _defines("XS_", XCAL_STATE),
    "#define LM_LEARN 2        // runtime/modulators.py: MOD_LEARN",
    "#define LM_PHASE 3        // MOD_PHASE",
    "#define LM_TRIAL_START 4  // MOD_TRIAL_START",
    ""])

#: scratch of a leabra block: 5 partial-result arrays of n_groups * lanes, then n doubles (k-WTA)
_N_PARTS = 5

LEABRA = r"""
#define LY_GSUM 0
#define LY_GMAX 1
#define LY_ASUM 2
#define LY_AMAX 3
#define LY_NCL 4
#define LY_PARTS 5

// lanes of the per-layer reductions, from the scratch size (5 * n_groups * lanes + n)
__device__ __forceinline__ i64 leabra_lanes(i64 n_y, i64 n, i64 n_groups) {
    return n_groups > 0 ? (n_y - n) / (LY_PARTS * n_groups) : 1;
}

__device__ __forceinline__ bool leabra_frozen(const double* mods) {
    return mods[LM_TRIAL_START] > 0.0 || mods[LM_LEARN] > 0.0;
}

#define LPR(r) P[(i64)(r) * n + i]
#define LST(r) S[(i64)(r) * n + i]

// emergent's SendGDelta on the sent value (leabra._send)
__device__ __forceinline__ double leabra_send(const double* P, double* S, i64 n, i64 i) {
    const double act = LST(LS_ACT);
    double sent = LST(LS_ACT_SENT);
    if (act > LPR(LP_SEND_THR)) {
        if (fabs(act - sent) > LPR(LP_DELTA_THR)) sent = act;
    } else if (sent > LPR(LP_SEND_THR)) {
        sent = 0.0;
    }
    LST(LS_ACT_SENT) = sent;
    return sent;
}

__device__ __forceinline__ double leabra_xx1_gain_cor(double x, double gain, double nvar) {
    const double fact = (10.0 - x / nvar) / 10.0;
    const double gx = fact < 0.0 ? gain * x : gain * (1.0 - 0.1 * fact) * x;
    return gx / (gx + 1.0);
}

__device__ __forceinline__ double leabra_nxx1(double x, double gain, double nvar, double sme, double sv0,
                                              double ival) {
    if (x < 0.0) return sme / (1.0 + exp(-x * (3.0 / nvar)));
    if (x < 0.01) return sv0 + (x / 0.01) * ival;
    return leabra_xx1_gain_cor(x, gain, nvar);
}

__device__ __forceinline__ double leabra_nxx1_conv(double x, double gain, double nvar) {
    const double res = 0.001;
    double rng = 3.0 * nvar;
    if (rng < res) rng = res;
    const i64 nk = (i64)(rng / res + 1e-9);
    const double var = nvar > 1e-6 ? nvar * nvar : 1e-12;
    double wsum = 0.0, acc = 0.0;
    for (i64 j = -nk; j < nk + 1; j++) {
        const double z = (double)j * res;
        const double wk = exp(-(z * z) / var);
        const double y = x - z;
        const double f = y > 0.0 ? gain * y / (gain * y + 1.0) : 0.0;
        acc += wk * f;
        wsum += wk;
    }
    return acc / wsum;
}

// the layer of unit i (seg is ascending; empty layers have seg[g] == seg[g + 1])
__device__ __forceinline__ i64 leabra_layer(const i64* seg, i64 n_groups, i64 i) {
    i64 lo = 0, hi = n_groups - 1;
    while (lo < hi) {
        const i64 mid = (lo + hi + 1) / 2;
        if (seg[mid] <= i) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

// 1. conductances from the delivered net input (or, on a frozen tick, re-send only)
extern "C" __global__ void leabra_ge(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    if (leabra_frozen(mods)) {
        const double v = leabra_send(P, S, n, i);
        out[i] = v;
        if (v != 0.0) brainc_fire(fired, nf, i);
        return;
    }
    double ge_raw = I[i];
    if (LST(LS_CLAMPED) > 0.0 && LPR(LP_CLAMP_HARD) == 0.0) {
        const double ext = LST(LS_EXT);
        if (LPR(LP_CLAMP_AVG) != 0.0) {
            const double ag = LPR(LP_CLAMP_AVG_GAIN);
            ge_raw = ag * LPR(LP_CLAMP_GAIN) * ext + (1.0 - ag) * ge_raw;
        } else {
            ge_raw += ext * LPR(LP_CLAMP_GAIN);
        }
    }
    LST(LS_GE_RAW) = ge_raw;
    const double gdt = LPR(LP_INTEG) * LPR(LP_NET_DT);
    LST(LS_GE) += gdt * (ge_raw - LST(LS_GE));
    if (n_rec > 1) {
        const double gis = LST(LS_GI_SYN) + gdt * (I[n + i] - LST(LS_GI_SYN));
        LST(LS_GI_SYN) = gis > 0.0 ? gis : 0.0;
    }
}

// 2. per layer (a block of lanes): strided partial sum and max of ge
extern "C" __global__ void leabra_ge_stats(UPDATE_ARGS) {
    if (ctl[CTL_STOP] || leabra_frozen(mods)) return;
    const i64 lanes = leabra_lanes(n_y, n, n_groups);
    for (i64 g = blockIdx.x; g < n_groups; g += gridDim.x) {
        const i64 a = seg[g], b = seg[g + 1];
        for (i64 l = threadIdx.x; l < lanes; l += blockDim.x) {
            double sum = 0.0, mx = 0.0;
            for (i64 i = a + l; i < b; i += lanes) {
                const double ge = S[LS_GE * n + i];
                sum += ge;
                if (ge > mx) mx = ge;
            }
            Y[(LY_GSUM * n_groups + g) * lanes + l] = sum;
            Y[(LY_GMAX * n_groups + g) * lanes + l] = mx;
        }
    }
}

// k-WTA: the gi placing units at threshold, between the k-th and k+1-th highest (or the averages)
__device__ double leabra_kwta_gi(const double* P, const double* S, const double* G, i64 n_gp, i64 g, i64 a, i64 b,
                                 i64 n, double* buf) {
    const i64 m = b - a;
    for (i64 i = a; i < b; i++) {
        const double thr = LPR(LP_THR);
        const double num = (S[LS_GE * n + i] * LPR(LP_GBAR_E) * (LPR(LP_E_REV_E) - thr)
                            + LPR(LP_GBAR_L) * (LPR(LP_E_REV_L) - thr) - S[LS_ADAPT * n + i]);
        const double den = (thr - LPR(LP_E_REV_I)) * LPR(LP_GBAR_I);
        buf[i - a] = den != 0.0 ? num / den : 0.0;
    }
    // heapsort, ascending (np.sort); the CPU reads it reversed
    for (i64 start = m / 2 - 1; start >= 0; start--) {
        i64 root = start;
        for (;;) {
            i64 child = 2 * root + 1;
            if (child >= m) break;
            if (child + 1 < m && buf[child] < buf[child + 1]) child++;
            if (buf[root] < buf[child]) {
                const double tmp = buf[root]; buf[root] = buf[child]; buf[child] = tmp;
                root = child;
            } else break;
        }
    }
    for (i64 end = m - 1; end > 0; end--) {
        const double tmp = buf[0]; buf[0] = buf[end]; buf[end] = tmp;
        i64 root = 0;
        for (;;) {
            i64 child = 2 * root + 1;
            if (child >= end) break;
            if (child + 1 < end && buf[child] < buf[child + 1]) child++;
            if (buf[root] < buf[child]) {
                const double t2 = buf[root]; buf[root] = buf[child]; buf[child] = t2;
                root = child;
            } else break;
        }
    }
#define SRT(j) buf[m - 1 - (j)]
    i64 k = (i64)floor(G[g * n_gp + LG_KWTA_PCT] * (double)m + 0.5);
    k = k < 1 ? 1 : k;
    k = k > m ? m : k;
    const double pt = G[g * n_gp + LG_KWTA_PT];
    if (k >= m) return SRT(m - 1);
    if ((i64)G[g * n_gp + LG_INHIB_TYPE] == 1) return SRT(k) + pt * (SRT(k - 1) - SRT(k));
    double top = 0.0, rest = 0.0;
    for (i64 j = 0; j < k; j++) top += SRT(j);
    for (i64 j = k; j < m; j++) rest += SRT(j);
    top /= (double)k;
    rest /= (double)(m - k);
    return rest + pt * (top - rest);
#undef SRT
}

// 3. per layer (a thread): combine the partials in lane order, then the layer's inhibition
extern "C" __global__ void leabra_inhib(UPDATE_ARGS) {
    if (ctl[CTL_STOP] || leabra_frozen(mods)) return;
    const i64 lanes = leabra_lanes(n_y, n, n_groups);
    const i64 n_gp = LG_COS_DIFF_DT + 1, n_ls = LL_IS_TARGET + 1;
    for (i64 g = brainc_tid(); g < n_groups; g += brainc_nthreads()) {
        const i64 a = seg[g], b = seg[g + 1];
        if (b <= a) continue;
        double gsum = 0.0, gmax = 0.0;
        for (i64 l = 0; l < lanes; l++) {
            gsum += Y[(LY_GSUM * n_groups + g) * lanes + l];
            const double mx = Y[(LY_GMAX * n_groups + g) * lanes + l];
            if (mx > gmax) gmax = mx;
        }
        const double* Gg = G + g * n_gp;
        double* Lg = L + g * n_ls;
        const double gavg = gsum / (double)(b - a);
        Lg[LL_GE_AVG] = gavg;
        Lg[LL_GE_MAX] = gmax;
        const i64 itype = (i64)Gg[LG_INHIB_TYPE];
        if (itype == 0) {  // FFFB
            const double ffnet = gavg + Gg[LG_MAX_VS_AVG] * (gmax - gavg);
            const double ffi = ffnet > Gg[LG_FF0] ? Gg[LG_FF] * (ffnet - Gg[LG_FF0]) : 0.0;
            Lg[LL_FFI] = ffi;
            Lg[LL_FBI] += Gg[LG_FB_DT] * (Gg[LG_FB] * Lg[LL_ACT_AVG] - Lg[LL_FBI]);
            Lg[LL_GI] = Gg[LG_GI] * (ffi + Lg[LL_FBI]);
        } else if (itype == 1 || itype == 2) {  // k-WTA, k-WTA-avg
            Lg[LL_GI] = leabra_kwta_gi(P, S, G, n_gp, g, a, b, n, Y + (n_y - n) + a);
        } else {
            Lg[LL_GI] = 0.0;
        }
    }
}

// 4. per unit: membrane potential, activation, learning averages, sending
extern "C" __global__ void leabra_act(UPDATE_ARGS) {
    if (ctl[CTL_STOP] || leabra_frozen(mods)) return;
    const i64 i = brainc_tid();
    if (i >= n || n_groups == 0) return;
    const i64 n_ls = LL_IS_TARGET + 1;
    const i64 g = leabra_layer(seg, n_groups, i);
    const double lay_gi = L[g * n_ls + LL_GI];
    const i64 phase = (i64)mods[LM_PHASE];
    const double gain = LPR(LP_GAIN), nvar = LPR(LP_NVAR);
    const double sme = 0.33 * pow(gain * nvar, 0.8);  // nxx1_params
    const double sv0 = 0.5 * sme;
    const double ival = leabra_xx1_gain_cor(0.01, gain, nvar) - sv0;
    if (LPR(LP_SELF_GI) > 0.0) LST(LS_GI_SELF) += LPR(LP_SELF_DT) * (LPR(LP_SELF_GI) * LST(LS_ACT) - LST(LS_GI_SELF));
    else LST(LS_GI_SELF) = 0.0;
    const double gi = lay_gi + LST(LS_GI_SELF) + LST(LS_GI_SYN);
    LST(LS_GI) = gi;
    const double thr = LPR(LP_THR);
    if (LST(LS_CLAMPED) > 0.0 && LPR(LP_CLAMP_HARD) != 0.0) {
        double v = LST(LS_EXT);
        const double lo = LPR(LP_CLAMP_MIN), hi = LPR(LP_CLAMP_MAX);
        v = v < lo ? lo : (v > hi ? hi : v);
        LST(LS_ACT) = v;
        LST(LS_ACT_LRN) = v;
        LST(LS_VM) = thr + v / gain;
        LST(LS_INET) = 0.0;
        LST(LS_SPIKE) = 0.0;
    } else {
        double vm = LST(LS_VM);
        const double ge_e = LST(LS_GE) * LPR(LP_GBAR_E);
        const double gi_e = gi * LPR(LP_GBAR_I);
        const double gl = LPR(LP_GBAR_L);
        const double e_e = LPR(LP_E_REV_E), e_l = LPR(LP_E_REV_L), e_i = LPR(LP_E_REV_I);
        const double adapt = LST(LS_ADAPT);
        const double inet = ge_e * (e_e - vm) + gl * (e_l - vm) + gi_e * (e_i - vm) - adapt;
        LST(LS_INET) = inet;
        const double vdt = LPR(LP_INTEG) * LPR(LP_VM_DT);
        double spike = 0.0, eq_rate;
        if (LPR(LP_ACT_FUN) != 1.0) {
            vm += vdt * inet;
            vm = vm < LPR(LP_VM_MIN) ? LPR(LP_VM_MIN) : (vm > LPR(LP_VM_MAX) ? LPR(LP_VM_MAX) : vm);
            const double act = LST(LS_ACT);
            const bool conv = LPR(LP_ACT_FUN) == 2.0;
            double x1, x2;
            if (act < LPR(LP_VM_ACT_THR) && vm <= thr) {
                x1 = vm - thr;
                x2 = x1;
            } else {
                const double den = thr - e_e;
                const double gthr_nok = (gi_e * (e_i - thr) + gl * (e_l - thr)) / den;
                x1 = ge_e - (gthr_nok - adapt / den);
                x2 = ge_e - gthr_nok;
            }
            double new_act, new_lrn;
            if (conv) {
                new_act = leabra_nxx1_conv(x1, gain, nvar);
                new_lrn = x2 == x1 ? new_act : leabra_nxx1_conv(x2, gain, nvar);
            } else {
                new_act = leabra_nxx1(x1, gain, nvar, sme, sv0, ival);
                new_lrn = x2 == x1 ? new_act : leabra_nxx1(x2, gain, nvar, sme, sv0, ival);
            }
            LST(LS_ACT) = act + vdt * (new_act - act);
            LST(LS_ACT_LRN) += vdt * (new_lrn - LST(LS_ACT_LRN));
            eq_rate = LPR(LP_SPIKE_EQ_GAIN) > 0.0 ? LST(LS_ACT) / LPR(LP_SPIKE_EQ_GAIN) : 0.0;
        } else {
            double isi = LST(LS_ISI) + 1.0;
            if (isi <= LPR(LP_T_R)) {
                vm = LPR(LP_V_M_R);
            } else {
                vm += vdt * inet;
                vm = vm < LPR(LP_VM_MIN) ? LPR(LP_VM_MIN) : (vm > LPR(LP_VM_MAX) ? LPR(LP_VM_MAX) : vm);
            }
            if (vm > thr) {
                spike = 1.0;
                vm = LPR(LP_V_M_R);
                isi = 0.0;
            }
            LST(LS_ISI) = isi;
            LST(LS_AVG_SPK) += LPR(LP_SPIKE_EQ_DT) * (spike - LST(LS_AVG_SPK));
            double a_eq = LPR(LP_SPIKE_EQ_GAIN) * LST(LS_AVG_SPK);
            a_eq = a_eq < 1.0 ? a_eq : 1.0;
            LST(LS_ACT) = a_eq;
            LST(LS_ACT_LRN) = a_eq;
            eq_rate = spike;
        }
        LST(LS_VM) = vm;
        LST(LS_SPIKE) = spike;
        if (LPR(LP_ADAPT_DT) > 0.0)
            LST(LS_ADAPT) += (LPR(LP_INTEG) * LPR(LP_ADAPT_DT) * (LPR(LP_VM_GAIN) * (vm - e_l) - adapt)
                              + LPR(LP_SPIKE_GAIN) * eq_rate);
    }
    const double al = LST(LS_ACT_LRN);
    LST(LS_AVG_SS) += LPR(LP_SS_DT) * (al - LST(LS_AVG_SS));
    LST(LS_AVG_S) += LPR(LP_S_DT) * (LST(LS_AVG_SS) - LST(LS_AVG_S));
    LST(LS_AVG_M) += LPR(LP_M_DT) * (LST(LS_AVG_S) - LST(LS_AVG_M));
    const double lm = LPR(LP_LRN_M);
    LST(LS_AVG_S_LRN) = (1.0 - lm) * LST(LS_AVG_S) + lm * LST(LS_AVG_M);
    const double act = LST(LS_ACT);
    if (phase == 1) LST(LS_ACT_M) = act;
    else if (phase == 2) LST(LS_ACT_P) = act;
    const double v = leabra_send(P, S, n, i);
    out[i] = v;
    if (v != 0.0) brainc_fire(fired, nf, i);
}

// 5. per layer (a block of lanes): strided partial sum and max of act, clamped units
extern "C" __global__ void leabra_act_stats(UPDATE_ARGS) {
    if (ctl[CTL_STOP] || leabra_frozen(mods)) return;
    const i64 lanes = leabra_lanes(n_y, n, n_groups);
    for (i64 g = blockIdx.x; g < n_groups; g += gridDim.x) {
        const i64 a = seg[g], b = seg[g + 1];
        for (i64 l = threadIdx.x; l < lanes; l += blockDim.x) {
            double sum = 0.0, mx = 0.0, ncl = 0.0;
            for (i64 i = a + l; i < b; i += lanes) {
                const double act = S[LS_ACT * n + i];
                sum += act;
                if (act > mx) mx = act;
                if (S[LS_CLAMPED * n + i] > 0.0) ncl += 1.0;
            }
            Y[(LY_ASUM * n_groups + g) * lanes + l] = sum;
            Y[(LY_AMAX * n_groups + g) * lanes + l] = mx;
            Y[(LY_NCL * n_groups + g) * lanes + l] = ncl;
        }
    }
}

// 6. per layer (a thread): the layer's activity statistics
extern "C" __global__ void leabra_act_end(UPDATE_ARGS) {
    if (ctl[CTL_STOP] || leabra_frozen(mods)) return;
    const i64 lanes = leabra_lanes(n_y, n, n_groups);
    const i64 n_ls = LL_IS_TARGET + 1;
    const i64 phase = (i64)mods[LM_PHASE];
    for (i64 g = brainc_tid(); g < n_groups; g += brainc_nthreads()) {
        const i64 a = seg[g], b = seg[g + 1];
        if (b <= a) continue;
        double asum = 0.0, amax = 0.0, ncl = 0.0;
        for (i64 l = 0; l < lanes; l++) {
            asum += Y[(LY_ASUM * n_groups + g) * lanes + l];
            const double mx = Y[(LY_AMAX * n_groups + g) * lanes + l];
            if (mx > amax) amax = mx;
            ncl += Y[(LY_NCL * n_groups + g) * lanes + l];
        }
        double* Lg = L + g * n_ls;
        const double aavg = asum / (double)(b - a);
        Lg[LL_ACT_AVG] = aavg;
        Lg[LL_ACT_MAX] = amax;
        if (phase == 1) {
            Lg[LL_ACTS_M_AVG] = aavg;
            if (ncl > 0.0) Lg[LL_CLAMPED_M] = 1.0;
        } else if (phase == 2) {
            Lg[LL_ACTS_P_AVG] = aavg;
            if (ncl > 0.0) Lg[LL_CLAMPED_P] = 1.0;
        }
    }
}
#undef LPR
#undef LST
"""


def _leabra_scratch(blk: Any, net: Any, lanes: int) -> np.ndarray:
    return np.zeros(_N_PARTS * (blk.seg.size - 1) * lanes + blk.n)


register_gpu(GpuKernel(
    model="leabra", kind="neuron", source=(ROWS, LEABRA),
    entries={"update": ("leabra_ge", "leabra_ge_stats", "leabra_inhib", "leabra_act", "leabra_act_stats",
                        "leabra_act_end")},
    geometry={"leabra_ge_stats": "groups", "leabra_inhib": "group", "leabra_act_stats": "groups",
              "leabra_act_end": "group"},
    scratch=_leabra_scratch, params=LEABRA_PARAMS, state=LEABRA_STATE, group_params=LEABRA_GROUP_PARAMS,
    group_state=LEABRA_GROUP_STATE, exact=True))

XCAL = r"""
#define XY_FLAGGED 0   // X holds one flag word per CSR row
#define XY_ROWMAX 1    // then per row: key of the max normaliser (-1: none this learning tick)
#define XCAL_ROW_ONE_PROJ 1

// rate-code transmission: gscale * wt * act_sent of every sending unit (xcal.propagate)
extern "C" __global__ void xcal_propagate(PROPAGATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 t = ctl[CTL_T];
    const i64 rec = receptor >= 0 ? receptor : receptor + n_rec_post;  // Python's negative index
    const bool flagged = Y[XY_FLAGGED] != 0;
    const i64 m = n_fired[0];
    for (i64 q = blockIdx.x; q < m; q += gridDim.x) {
        const i64 i = pre_fired[q];
        const i64 k0 = indptr[i], k1 = indptr[i + 1];
        if (k1 <= k0) continue;
        const double a = pre_out[i];
        double* buf = ring + (((t + (i64)delay[k0]) % D) * n_rec_post + rec) * n_post;
        const i64 fl = flagged ? (i64)X[i] : 0;
        if (fl & XCAL_ROW_ONE_PROJ) {
            const double c = S[XS_GSCALE * n_syn + k0] * a;
            for (i64 k = k0 + threadIdx.x; k < k1; k += blockDim.x) atomicAdd(&buf[post_idx[k]], c * w[k]);
        } else {
            for (i64 k = k0 + threadIdx.x; k < k1; k += blockDim.x)
                atomicAdd(&buf[post_idx[k]], S[XS_GSCALE * n_syn + k] * w[k] * a);
        }
    }
}

__device__ __forceinline__ double xcal_fn(double srval, double thr, double d_thr, double d_rev) {
    if (srval < d_thr) return 0.0;
    if (srval > thr * d_rev) return srval - thr;
    if (d_rev > 0.0) return -srval * (1.0 - d_rev) / d_rev;
    return -srval;
}

__device__ __forceinline__ double xcal_sig_wt(double lw, double gain, double off) {
    if (gain == 1.0 && off == 1.0) return lw;
    if (lw <= 0.0) return 0.0;
    if (lw >= 1.0) return 1.0;
    const double pw = (off * (1.0 - lw)) / lw;
    if (gain == 6.0) {
        const double p2 = pw * pw;
        return 1.0 / (1.0 + p2 * p2 * p2);
    }
    return 1.0 / (1.0 + pow(pw, gain));
}

#define XPR(r) P[(i64)(r) * n_syn + k]
#define XST(r) S[(i64)(r) * n_syn + k]
#define XPS(r, u) post_S[(i64)(r) * n_post_units + (u)]

// XCAL on a learning tick, a block per sending unit: dwt, the normaliser (row max reduced
// with an integer atomicMax), momentum, then the soft-bounded lwt and wt (xcal.learn_rows)
extern "C" __global__ void xcal_dwt(LEARN_ARGS) {
    if (ctl[CTL_STOP] || mods[LM_LEARN] <= 0.0 || n_syn == 0) return;
    for (i64 i = blockIdx.x; i < n_pre_units; i += gridDim.x) {
        const i64 k0 = indptr[i], k1 = indptr[i + 1];
        if (k1 <= k0) continue;
        const double su_s = XPS(LS_AVG_S, i), su_m = XPS(LS_AVG_M, i), su_s_lrn = XPS(LS_AVG_S_LRN, i);
        for (i64 k = k0 + threadIdx.x; k < k1; k += blockDim.x) {
            XST(XS_DWT) = 0.0;
            if (XPR(XP_LEARN) == 0.0) continue;
            if (su_s < XPR(XP_LRN_THR) && su_m < XPR(XP_LRN_THR)) continue;
            const i64 j = post_idx[k];
            const double srs = su_s_lrn * XPS(LS_AVG_S_LRN, j);
            const double srm = su_m * XPS(LS_AVG_M, j);
            const double d_thr = XPR(XP_D_THR), d_rev = XPR(XP_D_REV);
            const double l_lrn = XPR(XP_SET_L_LRN) != 0.0 ? XPR(XP_L_LRN) : XPS(LS_AVG_L_LRN, j);
            double dwt = (xcal_fn(srs, srm, d_thr, d_rev) * XPR(XP_M_LRN)
                          + xcal_fn(srs, XPS(LS_AVG_L, j), d_thr, d_rev) * l_lrn);
            double nf = 1.0;
            if (XPR(XP_NORM) != 0.0) {
                double nv = (1.0 - XPR(XP_NORM_DECAY_DT)) * XST(XS_NORM);
                const double ad = fabs(dwt);
                nv = nv > ad ? nv : ad;
                XST(XS_NORM) = nv;
                atomicMax(&Y[XY_ROWMAX + i], brainc_dkey(nv));
                if (nv != 0.0) {
                    const double nm = XPR(XP_NORM_MIN);
                    nf = XPR(XP_NORM_LR_COMP) / (nv > nm ? nv : nm);
                }
            }
            if (XPR(XP_MOMENTUM) != 0.0) {
                const double mo = (1.0 - XPR(XP_MOMENTUM_DT)) * XST(XS_MOMENT) + dwt;
                XST(XS_MOMENT) = mo;
                dwt = nf * XPR(XP_MOMENTUM_LR_COMP) * mo;
            } else {
                dwt *= nf;
            }
            XST(XS_DWT) = XPR(XP_LRATE) * dwt;
            // WtFmDWt (xcal._apply_row)
            double dw = XST(XS_DWT);
            if (dw == 0.0) continue;
            double lw = XST(XS_LWT);
            if (XPR(XP_SOFT_BOUND) != 0.0) dw *= dw > 0.0 ? (1.0 - lw) : lw;
            lw += dw;
            lw = lw < 0.0 ? 0.0 : (lw > 1.0 ? 1.0 : lw);
            XST(XS_LWT) = lw;
            w[k] = xcal_sig_wt(lw, XPR(XP_SIG_GAIN), XPR(XP_SIG_OFF));
        }
    }
}

// the normaliser is shared by a sender's synapses: the row's max where any synapse normalised
extern "C" __global__ void xcal_norm(LEARN_ARGS) {
    if (ctl[CTL_STOP] || mods[LM_LEARN] <= 0.0 || n_syn == 0) return;
    for (i64 i = blockIdx.x; i < n_pre_units; i += gridDim.x) {
        const i64 key = Y[XY_ROWMAX + i];
        if (key < 0) continue;
        const double mx = brainc_dunkey(key);
        for (i64 k = indptr[i] + threadIdx.x; k < indptr[i + 1]; k += blockDim.x)
            if (XPR(XP_NORM) != 0.0) XST(XS_NORM) = mx;
    }
}

extern "C" __global__ void xcal_reset(LEARN_ARGS) {
    if (ctl[CTL_STOP] || mods[LM_LEARN] <= 0.0 || n_syn == 0) return;
    for (i64 i = brainc_tid(); i < n_pre_units; i += brainc_nthreads()) Y[XY_ROWMAX + i] = -1;
}
#undef XPR
#undef XST
#undef XPS
"""


def _xcal_scratch(pw: Any, net: Any, lanes: int) -> np.ndarray:
    n_pre = pw.indptr.size - 1
    y = np.full(1 + n_pre, -1, np.int64)
    y[0] = 1 if pw.X.shape[0] == n_pre else 0
    return y


register_gpu(GpuKernel(
    model="xcal", kind="synapse", source=(ROWS, XCAL),
    entries={"propagate": "xcal_propagate", "learn": ("xcal_dwt", "xcal_norm", "xcal_reset")},
    geometry={"xcal_dwt": "rows", "xcal_norm": "rows", "xcal_reset": "syn"}, scratch=_xcal_scratch,
    params=XCAL_PARAMS, state=XCAL_STATE,
    related=(("neuron", "leabra", "state", LEABRA_STATE[:LEABRA_STATE.index("avg_l_lrn") + 1]),)))
