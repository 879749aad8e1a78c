"""GPU kernels of the NEST neurons besides ``iaf_psc_delta`` (runtime/gpu/nest.py):
``iaf_psc_exp``, ``iaf_psc_alpha``, ``iaf_cond_exp``, ``aeif_cond_alpha``
(runtime/models/nest_iaf.py, nest_aeif.py), ``nest_izhikevich``,
``parrot_neuron`` and ``volume_transmitter`` (runtime/models/nest_misc.py).

One thread per neuron, a line-by-line transcription of the CPU kernels. The
propagators each neuron derives on its first tick use CUDA's exp/expm1 on a
GPU (last-bit differences from the C library). The conductance-based models
integrate with GSL's adaptive RKF45 exactly as the CPU kernels do
(:data:`NEST_RKF45` transcribes ``rkf45_step``/``evolve_apply``; ``iaf_cond_exp``
keeps the CPU's single full step when GSL would accept it, so the carried step
size ``h_int`` matches too): each neuron's trajectory is independent, so the
only GPU differences are pow/exp ulps, which an adaptive step-size rule can
amplify into a different sub-step sequence (bounded by the tolerance, as
between NEST builds).
"""
from __future__ import annotations

from . import GpuKernel, register_gpu

NEST_PROPAGATORS = r"""
// ---------------------------------------------------------------- NEST propagators (nest_iaf.propagator_32/31)
__device__ double nest_propagator_32(double tau_syn, double tau, double C, double h) {
    const double p_linear = 1.0 / (2.0 * C * tau * tau) * h * h * (tau_syn - tau) * exp(-h / tau);
    const double p_singular = h / C * exp(-h / tau);
    if (tau == tau_syn) return p_singular;
    const double p = -tau / (C * (1.0 - tau / tau_syn)) * exp(-h / tau_syn) * expm1(h * (1.0 / tau_syn - 1.0 / tau));
    if (fabs(tau - tau_syn) < 0.1 && fabs(p - p_singular) > 2.0 * fabs(p_linear)) return p_singular;
    return p;
}

__device__ double nest_propagator_31(double tau_syn, double tau, double C, double h) {
    const double p_linear = 1.0 / (3.0 * C * tau * tau) * h * h * h * (tau_syn - tau) * exp(-h / tau);
    const double p_singular = h * h / 2.0 / C * exp(-h / tau);
    const double a = 1.0 / tau_syn - 1.0 / tau;
    if (tau == tau_syn || a == 0.0) return p_singular;
    const double E = exp(-h / tau_syn);
    const double p = (E * expm1(a * h) / a - h * E) / a / C;
    if (fabs(tau - tau_syn) < 0.1 && fabs(p - p_singular) > 2.0 * fabs(p_linear)) return p_singular;
    return p;
}
#define NEST_E 2.718281828459045
"""

IAF_PSC_EXP = r"""
extern "C" __global__ void iaf_psc_exp_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    double* Pw = (double*)P;  // derived rows are written on the first tick (as the CPU kernel)
#define PR(r) Pw[(r) * n + i]
#define SR(r) S[(r) * n + i]
    if (PR(13) != dt) {
        const double C = PR(0), tau = PR(1);
        PR(14) = exp(-dt / PR(2));
        PR(15) = exp(-dt / PR(3));
        PR(16) = exp(-dt / tau);
        PR(17) = nest_propagator_32(PR(2), tau, C, dt);
        PR(18) = nest_propagator_32(PR(3), tau, C, dt);
        PR(19) = tau / C * (1.0 - PR(16));
        PR(20) = rint(PR(4) / dt);
        PR(13) = dt;
    }
    const double E_L = PR(5);
    double v = SR(0) - E_L;
    if (SR(3) == 0.0) v = v * PR(16) + (PR(8) + SR(4)) * PR(19) + SR(1) * PR(17) + SR(2) * PR(18);
    else SR(3) -= 1.0;
    SR(1) = SR(1) * PR(14) + I[0 * n + i];
    SR(2) = SR(2) * PR(15) + I[1 * n + i];
    if (v >= PR(7) - E_L) {
        SR(3) = PR(20);
        v = PR(6) - E_L;
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
    SR(4) = I[2 * n + i];
    SR(0) = v + E_L;
#undef PR
#undef SR
}
"""

IAF_PSC_ALPHA = r"""
extern "C" __global__ void iaf_psc_alpha_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    double* Pw = (double*)P;
#define PR(r) Pw[(r) * n + i]
#define SR(r) S[(r) * n + i]
    if (PR(12) != dt) {
        const double C = PR(0), tau = PR(1);
        PR(13) = exp(-dt / PR(2));
        PR(14) = dt * PR(13);
        PR(15) = exp(-dt / PR(3));
        PR(16) = dt * PR(15);
        PR(17) = expm1(-dt / tau);
        PR(18) = -tau / C * PR(17);
        PR(19) = nest_propagator_31(PR(2), tau, C, dt);
        PR(20) = nest_propagator_32(PR(2), tau, C, dt);
        PR(21) = nest_propagator_31(PR(3), tau, C, dt);
        PR(22) = nest_propagator_32(PR(3), tau, C, dt);
        PR(23) = NEST_E / PR(2);
        PR(24) = NEST_E / PR(3);
        PR(25) = rint(PR(4) / dt);
        PR(12) = dt;
    }
    const double E_L = PR(5);
    double y3 = SR(0) - E_L;
    if (SR(5) == 0.0) {
        y3 = (PR(18) * (SR(6) + PR(9)) + PR(19) * SR(2) + PR(20) * SR(1)
              + PR(21) * SR(4) + PR(22) * SR(3) + PR(17) * y3 + y3);
        const double vmin = PR(8) - E_L;
        if (y3 < vmin) y3 = vmin;
    } else {
        SR(5) -= 1.0;
    }
    SR(1) = PR(14) * SR(2) + PR(13) * SR(1);
    SR(2) = SR(2) * PR(13) + PR(23) * I[0 * n + i];
    SR(3) = PR(16) * SR(4) + PR(15) * SR(3);
    SR(4) = SR(4) * PR(15) + PR(24) * I[1 * n + i];
    if (y3 >= PR(7) - E_L) {
        SR(5) = PR(25);
        y3 = PR(6) - E_L;
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
    SR(6) = I[2 * n + i];
    SR(0) = y3 + E_L;
#undef PR
#undef SR
}
"""

NEST_RKF45 = r"""
// ---------------------------------------------------------------- GSL's RKF45 (nest_rkf45.rkf45_step)
#define NEST_COND_EXP 0
#define NEST_AEIF 1
#define NEST_YMAX 6

// iaf_cond_exp's membrane current C_m dV/dt (pA) (nest_rkf45.cond_exp_current)
__device__ double cond_exp_current(double v, double g_ex, double g_in, const double* p) {
    const double V = v < p[9] ? v : p[9];
    const double i_ex = g_ex * (V - p[2]);
    const double i_in = g_in * (V - p[3]);
    const double i_L = p[0] * (V - p[1]);
    return -i_L + p[8] + p[7] - i_ex - i_in;
}

__device__ void nest_rhs(int kind, const double* y, double* f, const double* p) {
    if (kind == NEST_COND_EXP) {
        f[0] = cond_exp_current(y[0], y[1], y[2], p) / p[4];
        f[1] = -y[1] / p[5];
        f[2] = -y[2] / p[6];
    } else {
        const bool refr = p[15] != 0.0;
        const double V = refr ? p[12] : brainc_pymin(y[0], p[11]);
        const double dg_ex = y[1], g_ex = y[2], dg_in = y[3], g_in = y[4], w = y[5];
        const double i_ex = g_ex * (V - p[2]);
        const double i_in = g_in * (V - p[3]);
        const double i_spike = p[9] == 0.0 ? 0.0 : p[0] * p[9] * exp((V - p[10]) / p[9]);
        f[0] = refr ? 0.0 : (-p[0] * (V - p[1]) + i_spike - i_ex - i_in - w + p[7] + p[8]) / p[4];
        f[1] = -dg_ex / p[5];
        f[2] = dg_ex - g_ex / p[5];
        f[3] = -dg_in / p[6];
        f[4] = dg_in - g_in / p[6];
        f[5] = (p[13] * (V - p[1]) - w) / p[14];
    }
}

#define RK_A2 (1.0 / 4.0)
#define RK_B31 (3.0 / 32.0)
#define RK_B32 (9.0 / 32.0)
#define RK_B41 (1932.0 / 2197.0)
#define RK_B42 (-7200.0 / 2197.0)
#define RK_B43 (7296.0 / 2197.0)
#define RK_B51 (8341.0 / 4104.0)
#define RK_B52 (-32832.0 / 4104.0)
#define RK_B53 (29440.0 / 4104.0)
#define RK_B54 (-845.0 / 4104.0)
#define RK_B61 (-6080.0 / 20520.0)
#define RK_B62 (41040.0 / 20520.0)
#define RK_B63 (-28352.0 / 20520.0)
#define RK_B64 (9295.0 / 20520.0)
#define RK_B65 (-5643.0 / 20520.0)
#define RK_C1 (902880.0 / 7618050.0)
#define RK_C3 (3953664.0 / 7618050.0)
#define RK_C4 (3855735.0 / 7618050.0)
#define RK_C5 (-1371249.0 / 7618050.0)
#define RK_C6 (277020.0 / 7618050.0)
#define RK_E1 (1.0 / 360.0)
#define RK_E3 (-128.0 / 4275.0)
#define RK_E4 (-2197.0 / 75240.0)
#define RK_E5 (1.0 / 50.0)
#define RK_E6 (2.0 / 55.0)
#define RK_DBL_MIN 2.2250738585072014e-308

__device__ void nest_rkf45_step(int kind, int m, const double* p, double* y, double h, const double* k1, double* k2,
                                double* k3, double* k4, double* k5, double* k6, double* tmp, double* yerr) {
    for (int j = 0; j < m; j++) tmp[j] = y[j] + RK_A2 * h * k1[j];
    nest_rhs(kind, tmp, k2, p);
    for (int j = 0; j < m; j++) tmp[j] = y[j] + h * (RK_B31 * k1[j] + RK_B32 * k2[j]);
    nest_rhs(kind, tmp, k3, p);
    for (int j = 0; j < m; j++) tmp[j] = y[j] + h * (RK_B41 * k1[j] + RK_B42 * k2[j] + RK_B43 * k3[j]);
    nest_rhs(kind, tmp, k4, p);
    for (int j = 0; j < m; j++)
        tmp[j] = y[j] + h * (RK_B51 * k1[j] + RK_B52 * k2[j] + RK_B53 * k3[j] + RK_B54 * k4[j]);
    nest_rhs(kind, tmp, k5, p);
    for (int j = 0; j < m; j++)
        tmp[j] = y[j] + h * (RK_B61 * k1[j] + RK_B62 * k2[j] + RK_B63 * k3[j] + RK_B64 * k4[j] + RK_B65 * k5[j]);
    nest_rhs(kind, tmp, k6, p);
    for (int j = 0; j < m; j++) {
        const double d = RK_C1 * k1[j] + RK_C3 * k3[j] + RK_C4 * k4[j] + RK_C5 * k5[j] + RK_C6 * k6[j];
        y[j] += h * d;
    }
    for (int j = 0; j < m; j++)
        yerr[j] = h * (RK_E1 * k1[j] + RK_E3 * k3[j] + RK_E4 * k4[j] + RK_E5 * k5[j] + RK_E6 * k6[j]);
}

// one accepted adaptive step from t0 towards t1; returns the time reached, *h the next step
__device__ double nest_evolve_apply(int kind, int m, const double* p, double* y, double t0, double t1, double* h,
                                   double eps_abs, double eps_rel, double a_y, double a_dydt) {
    double y0[NEST_YMAX], ydot[NEST_YMAX], k2[NEST_YMAX], k3[NEST_YMAX], k4[NEST_YMAX], k5[NEST_YMAX];
    double k6[NEST_YMAX], tmp[NEST_YMAX], yerr[NEST_YMAX], dydt_in[NEST_YMAX];
    const double dt = t1 - t0;
    for (int j = 0; j < m; j++) y0[j] = y[j];
    nest_rhs(kind, y, dydt_in, p);
    double h0 = *h;
    for (;;) {
        bool final_step = false;
        if (h0 > dt) {
            h0 = dt;
            final_step = true;
        }
        nest_rkf45_step(kind, m, p, y, h0, dydt_in, k2, k3, k4, k5, k6, tmp, yerr);
        const double t_new = final_step ? t1 : t0 + h0;
        const double h_old = h0;
        bool dec = false;
        if (a_dydt != 0.0) nest_rhs(kind, y, ydot, p);
        double rmax = RK_DBL_MIN;
        for (int j = 0; j < m; j++) {
            const double yp = a_dydt != 0.0 ? ydot[j] : 0.0;
            const double D0 = eps_rel * (a_y * fabs(y[j]) + a_dydt * fabs(h_old * yp)) + eps_abs;
            const double rr = fabs(yerr[j]) / fabs(D0);
            if (rr > rmax) rmax = rr;
        }
        if (rmax > 1.1) {
            double rr = 0.9 / pow(rmax, 1.0 / 5.0);
            if (rr < 0.2) rr = 0.2;
            h0 = rr * h_old;
            dec = true;
        } else if (rmax < 0.5) {
            double rr = 0.9 / pow(rmax, 1.0 / 6.0);
            if (rr > 5.0) rr = 5.0;
            if (rr < 1.0) rr = 1.0;
            h0 = rr * h_old;
        }
        if (dec) {
            if (fabs(h0) < fabs(h_old) && t_new + h0 != t_new) {
                for (int j = 0; j < m; j++) y[j] = y0[j];
                continue;
            }
            h0 = h_old;
        }
        *h = h0;
        return t_new;
    }
}
"""

COND_EXP_COMMON = r"""
// iaf_cond_exp and its fixed-step variant: p of the right-hand side (nest_iaf._cond_exp_params)
__device__ __forceinline__ void cond_exp_params(const double* P, const double* S, i64 n, i64 i, double* p) {
    p[0] = P[3 * n + i]; p[1] = P[7 * n + i]; p[2] = P[5 * n + i]; p[3] = P[6 * n + i]; p[4] = P[4 * n + i];
    p[5] = P[8 * n + i]; p[6] = P[9 * n + i]; p[7] = P[10 * n + i]; p[8] = S[4 * n + i]; p[9] = P[0 * n + i];
}

// after integration (nest_iaf._cond_exp_settle): this step's spikes into the conductances,
// refractoriness and threshold; the refractory steps are in P row refr_row
__device__ __forceinline__ void cond_exp_settle(const double* P, double* S, const double* I, double* out,
                                                i64* fired, i64* nf, i64 n, i64 i, double Vn, double gen,
                                                double gin, int refr_row) {
    const double r = S[3 * n + i];
    const bool refr = r > 0.0;
    const bool spike = (!refr) && Vn >= P[0 * n + i];
    S[0 * n + i] = (refr || spike) ? P[1 * n + i] : Vn;
    S[3 * n + i] = refr ? r - 1.0 : (spike ? P[refr_row * n + i] : r);
    S[1 * n + i] = gen + I[0 * n + i];
    S[2 * n + i] = gin - I[1 * n + i];
    S[4 * n + i] = I[2 * n + i];
    if (spike) {
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
}
"""

IAF_COND_EXP = r"""
// P rows: 0 V_th 1 V_reset 2 t_ref 3 g_L 4 C_m 5 E_ex 6 E_in 7 E_L 8 tau_syn_ex 9 tau_syn_in 10 I_e
//         11 tau_minus 12 V_m 13 g_ex 14 g_in | 15 _h 16 _refr;  S rows: 0 V_m 1 g_ex 2 g_in 3 r 4 I_stim 5 h_int
extern "C" __global__ void iaf_cond_exp_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    double* Pw = (double*)P;
#define PR(r) Pw[(r) * n + i]
#define SR(r) S[(r) * n + i]
    if (PR(15) != dt) {
        PR(16) = rint(PR(2) / dt);
        PR(15) = dt;
        if (SR(5) <= 0.0) SR(5) = dt;
    }
    double p[10];
    cond_exp_params(P, S, n, i, p);
    // the CPU's common case: one RKF45 step of the full length dt, accepted when it is a
    // full step and GSL would not shrink it (_cond_exp_full_steps: the same arithmetic)
    double y[3] = {SR(0), SR(1), SR(2)};
    double k1[3], k2[3], k3[3], k4[3], k5[3], k6[3], tmp[3], yerr[3];
    nest_rhs(NEST_COND_EXP, y, k1, p);
    nest_rkf45_step(NEST_COND_EXP, 3, p, y, dt, k1, k2, k3, k4, k5, k6, tmp, yerr);
    const double ev = fabs(yerr[0]) / 1e-3, ee = fabs(yerr[1]) / 1e-3, ei = fabs(yerr[2]) / 1e-3;
    const double rmax = brainc_pymax(ev, brainc_pymax(ee, ei));
    if (!(SR(5) >= dt && rmax <= 1.1)) {
        // GSL's adaptive sub-steps from the step's start
        y[0] = SR(0); y[1] = SR(1); y[2] = SR(2);
        double tt = 0.0, h = SR(5);
        while (tt < dt) tt = nest_evolve_apply(NEST_COND_EXP, 3, p, y, tt, dt, &h, 1e-3, 0.0, 1.0, 0.0);
        SR(5) = h;
    }
    cond_exp_settle(P, S, I, out, fired, nf, n, i, y[0], y[1], y[2], 16);
#undef PR
#undef SR
}
"""

IAF_COND_EXP_HEUN = r"""
// P rows: 0-14 as iaf_cond_exp | 15 _h 16 _decay_ex 17 _decay_in 18 _dt_C 19 _uniform (CPU only) 20 _refr;
// S rows: 0 V_m 1 g_ex 2 g_in 3 r 4 I_stim
// (nest_iaf._cond_exp_heun_steps: exact conductance decay, Heun's step for V, the same arithmetic)
extern "C" __global__ void iaf_cond_exp_heun_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    double* Pw = (double*)P;
#define PR(r) Pw[(r) * n + i]
#define SR(r) S[(r) * n + i]
    if (PR(15) != dt) {
        PR(20) = rint(PR(2) / dt);
        PR(15) = dt;
        PR(16) = exp(-dt / PR(8));
        PR(17) = exp(-dt / PR(9));
        PR(18) = dt / PR(4);
    }
    double p[10];
    cond_exp_params(P, S, n, i, p);
    const double V = SR(0), ge = SR(1), gi = SR(2), dt_C = PR(18);
    const double ge1 = ge * PR(16), gi1 = gi * PR(17);
    const double c1 = cond_exp_current(V, ge, gi, p);
    const double c2 = cond_exp_current(V + dt_C * c1, ge1, gi1, p);
    const double Vn = V + (0.5 * dt_C) * (c1 + c2);
    cond_exp_settle(P, S, I, out, fired, nf, n, i, Vn, ge1, gi1, 20);
#undef PR
#undef SR
}
"""

AEIF_COND_ALPHA = r"""
// P rows: 0 V_peak 1 V_reset 2 t_ref 3 g_L 4 C_m 5 E_ex 6 E_in 7 E_L 8 Delta_T 9 tau_w 10 a 11 b 12 V_th
//         13 tau_syn_ex 14 tau_syn_in 15 I_e 16 gsl_error_tol 17 tau_minus 18..23 inits | 24 _h 25 _refr
// S rows: 0 V_m 1 dg_ex 2 g_ex 3 dg_in 4 g_in 5 w 6 r 7 I_stim 8 h_int
extern "C" __global__ void aeif_cond_alpha_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    double* Pw = (double*)P;
#define PR(r) Pw[(r) * n + i]
#define SR(r) S[(r) * n + i]
    if (PR(24) != dt) {
        PR(25) = rint(PR(2) / dt);
        PR(24) = dt;
        if (SR(8) <= 0.0) SR(8) = dt;
    }
    double y[6], p[16];
    for (int j = 0; j < 6; j++) y[j] = SR(j);
    p[0] = PR(3); p[1] = PR(7); p[2] = PR(5); p[3] = PR(6); p[4] = PR(4); p[5] = PR(13); p[6] = PR(14);
    p[7] = PR(15); p[8] = SR(7); p[9] = PR(8); p[10] = PR(12);
    const double v_peak = PR(8) > 0.0 ? PR(0) : PR(12);
    p[11] = v_peak; p[12] = PR(1); p[13] = PR(10); p[14] = PR(9);
    const double tol = PR(16), refr_steps = PR(25);
    double r = SR(6);
    bool spiked = false;
    double tt = 0.0, h = SR(8);
    while (tt < dt) {
        p[15] = r > 0.0 ? 1.0 : 0.0;
        tt = nest_evolve_apply(NEST_AEIF, 6, p, y, tt, dt, &h, tol, tol, 0.0, 1.0);
        if (r > 0.0) {
            y[0] = p[12];
        } else if (y[0] >= v_peak) {
            y[0] = p[12];
            y[5] += PR(11);
            r = refr_steps > 0.0 ? refr_steps + 1.0 : 0.0;
            spiked = true;
        }
    }
    if (r > 0.0) r -= 1.0;
    SR(8) = h;
    y[1] += I[0 * n + i] * (NEST_E / PR(13));
    y[3] -= I[1 * n + i] * (NEST_E / PR(14));
    for (int j = 0; j < 6; j++) SR(j) = y[j];
    SR(6) = r;
    SR(7) = I[2 * n + i];
    if (spiked) {
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
#undef PR
#undef SR
}
"""

NEST_IZHIKEVICH = r"""
// P rows: 0 a 1 b 2 c 3 d 4 I_e 5 V_th 6 V_min 7 consistent_integration 8 tau_minus 9 V_m 10 U_m
extern "C" __global__ void nest_izhikevich_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
#define PR(r) P[(r) * n + i]
#define SR(r) S[(r) * n + i]
    const double a = PR(0), b = PR(1);
    const double syn = I[0 * n + i] + I[1 * n + i];
    double v = SR(0), u = SR(1);
    const double Ist = SR(2);
    if (PR(7) != 0.0) {
        const double v_old = v, u_old = u;
        v = v + dt * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + Ist + PR(4)) + syn;
        u = u + dt * a * (b * v_old - u_old);
    } else {
        v = v + dt / 2.0 * (0.04 * v * v + 5.0 * v + 140.0 - u + Ist + PR(4) + syn);
        v = v + dt / 2.0 * (0.04 * v * v + 5.0 * v + 140.0 - u + Ist + PR(4) + syn);
        u = u + dt * a * (b * v - u);
    }
    if (v < PR(6)) v = PR(6);
    if (v >= PR(5)) {
        v = PR(2);
        u = u + PR(3);
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
    SR(0) = v;
    SR(1) = u;
    SR(2) = I[2 * n + i];
#undef PR
#undef SR
}
"""

PARROT = r"""
// re-emits the spikes of this tick; out = multiplicity (round(|exc| + |inh|), at least 1)
extern "C" __global__ void parrot_neuron_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    const double x = fabs(I[0 * n + i]) + fabs(I[1 * n + i]);
    if (x > 0.0) {
        const double m = rint(x);
        out[i] = m >= 1.0 ? m : 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
}

// out = the dopamine spikes that arrived this tick
extern "C" __global__ void volume_transmitter_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    const i64 i = brainc_tid();
    if (i >= n) return;
    const double x = fabs(I[0 * n + i]) + fabs(I[1 * n + i]);
    out[i] = x;
    if (x > 0.0) brainc_fire(fired, nf, i);
}
"""

register_gpu(GpuKernel(
    model="iaf_psc_exp", kind="neuron", source=(NEST_PROPAGATORS, IAF_PSC_EXP),
    entries={"update": "iaf_psc_exp_update"},
    params=("C_m", "tau_m", "tau_syn_ex", "tau_syn_in", "t_ref", "E_L", "V_reset", "V_th", "I_e", "tau_minus", "V_m",
            "I_syn_ex", "I_syn_in", "_h", "_P11ex", "_P11in", "_P22", "_P21ex", "_P21in", "_P20", "_refr"),
    state=("V_m", "I_syn_ex", "I_syn_in", "r", "I_stim")))

register_gpu(GpuKernel(
    model="iaf_psc_alpha", kind="neuron", source=(NEST_PROPAGATORS, IAF_PSC_ALPHA),
    entries={"update": "iaf_psc_alpha_update"},
    params=("C_m", "tau_m", "tau_syn_ex", "tau_syn_in", "t_ref", "E_L", "V_reset", "V_th", "V_min", "I_e",
            "tau_minus", "V_m", "_h", "_P11ex", "_P21ex", "_P11in", "_P21in", "_expm1", "_P30", "_P31ex", "_P32ex",
            "_P31in", "_P32in", "_e_ex", "_e_in", "_refr"),
    state=("V_m", "I_syn_ex", "dI_syn_ex", "I_syn_in", "dI_syn_in", "r", "I_stim")))

register_gpu(GpuKernel(
    model="iaf_cond_exp", kind="neuron", source=(NEST_RKF45, COND_EXP_COMMON, IAF_COND_EXP), entries={"update": "iaf_cond_exp_update"},
    params=("V_th", "V_reset", "t_ref", "g_L", "C_m", "E_ex", "E_in", "E_L", "tau_syn_ex", "tau_syn_in", "I_e",
            "tau_minus", "V_m", "g_ex", "g_in", "_h", "_refr"),
    state=("V_m", "g_ex", "g_in", "r", "I_stim", "h_int")))

register_gpu(GpuKernel(
    model="iaf_cond_exp_heun", kind="neuron", source=(NEST_RKF45, COND_EXP_COMMON, IAF_COND_EXP_HEUN),
    entries={"update": "iaf_cond_exp_heun_update"},
    params=("V_th", "V_reset", "t_ref", "g_L", "C_m", "E_ex", "E_in", "E_L", "tau_syn_ex", "tau_syn_in", "I_e",
            "tau_minus", "V_m", "g_ex", "g_in", "_h", "_decay_ex", "_decay_in", "_dt_C", "_uniform", "_refr"),
    state=("V_m", "g_ex", "g_in", "r", "I_stim")))

register_gpu(GpuKernel(
    model="aeif_cond_alpha", kind="neuron", source=(NEST_PROPAGATORS, NEST_RKF45, AEIF_COND_ALPHA),
    entries={"update": "aeif_cond_alpha_update"},
    params=("V_peak", "V_reset", "t_ref", "g_L", "C_m", "E_ex", "E_in", "E_L", "Delta_T", "tau_w", "a", "b", "V_th",
            "tau_syn_ex", "tau_syn_in", "I_e", "gsl_error_tol", "tau_minus", "V_m", "w", "g_ex", "dg_ex", "g_in",
            "dg_in", "_h", "_refr"),
    state=("V_m", "dg_ex", "g_ex", "dg_in", "g_in", "w", "r", "I_stim", "h_int")))

register_gpu(GpuKernel(
    model="nest_izhikevich", kind="neuron", source=NEST_IZHIKEVICH, entries={"update": "nest_izhikevich_update"},
    params=("a", "b", "c", "d", "I_e", "V_th", "V_min", "consistent_integration", "tau_minus", "V_m", "U_m"),
    state=("V_m", "U_m", "I_stim")))

register_gpu(GpuKernel(model="parrot_neuron", kind="neuron", source=PARROT,
                       entries={"update": "parrot_neuron_update"}, params=("tau_minus",)))
register_gpu(GpuKernel(model="volume_transmitter", kind="neuron", source=PARROT,
                       entries={"update": "volume_transmitter_update"}, params=("deliver_interval",)))
