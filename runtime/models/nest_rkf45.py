"""GSL's embedded Runge-Kutta-Fehlberg 4(5) integrator, as NEST drives it for
its conductance-based models (``iaf_cond_exp``, ``aeif_cond_alpha``).

NEST integrates these models with GSL's "rkf45" stepper under GSL's standard
step-size control, calling the evolve function repeatedly until the step of
length h is covered and carrying the adaptive step size from one step to the
next. The functions below implement that published algorithm (Fehlberg's
coefficients; the standard control rule: D_i = eps_abs + eps_rel (a_y |y_i| +
a_dydt h |y'_i|), shrink by max(0.2, 0.9 r^(-1/5)) and retry when the error
ratio r > 1.1, grow by min(5, max(1, 0.9 r^(-1/6))) when r < 0.5), so the
trajectories agree with NEST's to rounding.

The Fehlberg stages are written once, as scalar functions (:func:`stage2` ...
:func:`advance`, :func:`error`): :func:`rkf45_step` applies them over arrays,
:func:`cond_exp_step` over iaf_cond_exp's three state variables held in
registers (the branch-free, vectorisable step the model tries first).
"""
from __future__ import annotations

import math

from numba import njit

from .nest_common import mark_prepared

# ----------------------------------------------------------------------------- right-hand sides


@njit(cache=True, inline="always")
def cond_exp_current(v, g_ex, g_in, p):
    """iaf_cond_exp's membrane current C_m dV/dt (pA) for p as :func:`cond_exp_f`."""
    # NEST 3.10 caps V at V_th inside the right-hand side (RK stages can
    # overshoot the threshold); the reference traces need the cap to agree to 1e-12
    V = v if v < p[9] else p[9]
    i_ex = g_ex * (V - p[2])
    i_in = g_in * (V - p[3])
    i_L = p[0] * (V - p[1])
    return -i_L + p[8] + p[7] - i_ex - i_in


@njit(cache=True, inline="always")
def cond_exp_f(v, g_ex, g_in, p):
    """iaf_cond_exp's derivatives (dV, dg_ex, dg_in) for p = (g_L, E_L, E_ex, E_in,
    C_m, tau_syn_ex, tau_syn_in, I_e, I_stim, V_th): a tuple or an array."""
    return cond_exp_current(v, g_ex, g_in, p) / p[4], -g_ex / p[5], -g_in / p[6]


@njit(cache=True)
def _cond_exp_rhs(y, f, p):
    f[0], f[1], f[2] = cond_exp_f(y[0], y[1], y[2], p)


@njit(cache=True)
def _aeif_rhs(y, f, p):
    """aeif_cond_alpha's right-hand side (used by runtime.models.nest_aeif)."""
    # y: 0 V 1 dg_ex 2 g_ex 3 dg_in 4 g_in 5 w
    # p: 0 g_L 1 E_L 2 E_ex 3 E_in 4 C_m 5 tau_ex 6 tau_in 7 I_e 8 I_stim 9 Delta_T
    #    10 V_th 11 V_peak 12 V_reset 13 a 14 tau_w 15 refractory(0/1)
    refr = p[15] != 0.0
    V = p[12] if refr else min(y[0], p[11])
    dg_ex = y[1]
    g_ex = y[2]
    dg_in = y[3]
    g_in = y[4]
    w = y[5]
    i_ex = g_ex * (V - p[2])
    i_in = g_in * (V - p[3])
    i_spike = 0.0 if p[9] == 0.0 else p[0] * p[9] * math.exp((V - p[10]) / p[9])
    f[0] = 0.0 if refr else (-p[0] * (V - p[1]) + i_spike - i_ex - i_in - w + p[7] + p[8]) / p[4]
    f[1] = -dg_ex / p[5]
    f[2] = dg_ex - g_ex / p[5]
    f[3] = -dg_in / p[6]
    f[4] = dg_in - g_in / p[6]
    f[5] = (p[13] * (V - p[1]) - w) / p[14]


#: right-hand sides the integrator knows (a kind number, not a function
#: argument, keeps the compiled kernels cacheable)
COND_EXP, AEIF_COND_ALPHA = 0, 1


@njit(cache=True, inline="always")
def rhs(kind, y, f, p):
    if kind == COND_EXP:
        _cond_exp_rhs(y, f, p)
    else:
        _aeif_rhs(y, f, p)


# ----------------------------------------------------------------------------- Fehlberg's stages

_A2 = 1.0 / 4.0
_B31, _B32 = 3.0 / 32.0, 9.0 / 32.0
_B41, _B42, _B43 = 1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0
_B51, _B52, _B53, _B54 = 8341.0 / 4104.0, -32832.0 / 4104.0, 29440.0 / 4104.0, -845.0 / 4104.0
_B61, _B62, _B63, _B64, _B65 = (-6080.0 / 20520.0, 41040.0 / 20520.0, -28352.0 / 20520.0,
                                9295.0 / 20520.0, -5643.0 / 20520.0)
_C1, _C3, _C4, _C5, _C6 = (902880.0 / 7618050.0, 3953664.0 / 7618050.0, 3855735.0 / 7618050.0,
                           -1371249.0 / 7618050.0, 277020.0 / 7618050.0)
_E1, _E3, _E4, _E5, _E6 = 1.0 / 360.0, -128.0 / 4275.0, -2197.0 / 75240.0, 1.0 / 50.0, 2.0 / 55.0
_DBL_MIN = 2.2250738585072014e-308


@njit(cache=True, inline="always")
def stage2(y, h, k1):
    """Where stage 2 evaluates the derivative (one state variable)."""
    return y + _A2 * h * k1


@njit(cache=True, inline="always")
def stage3(y, h, k1, k2):
    return y + h * (_B31 * k1 + _B32 * k2)


@njit(cache=True, inline="always")
def stage4(y, h, k1, k2, k3):
    return y + h * (_B41 * k1 + _B42 * k2 + _B43 * k3)


@njit(cache=True, inline="always")
def stage5(y, h, k1, k2, k3, k4):
    return y + h * (_B51 * k1 + _B52 * k2 + _B53 * k3 + _B54 * k4)


@njit(cache=True, inline="always")
def stage6(y, h, k1, k2, k3, k4, k5):
    return y + h * (_B61 * k1 + _B62 * k2 + _B63 * k3 + _B64 * k4 + _B65 * k5)


@njit(cache=True, inline="always")
def advance(y, h, k1, k3, k4, k5, k6):
    """The 4th-order result of the step."""
    return y + h * (_C1 * k1 + _C3 * k3 + _C4 * k4 + _C5 * k5 + _C6 * k6)


@njit(cache=True, inline="always")
def error(h, k1, k3, k4, k5, k6):
    """The 4th/5th-order difference GSL's control measures."""
    return h * (_E1 * k1 + _E3 * k3 + _E4 * k4 + _E5 * k5 + _E6 * k6)


@njit(cache=True, inline="always")
def rkf45_step(kind, p, y, h, k1, k2, k3, k4, k5, k6, tmp, yerr):
    """One Fehlberg step of size h from y (in place); k1 holds y'(y) on entry.
    Writes the 4th/5th-order difference into yerr."""
    m = y.shape[0]
    for j in range(m):
        tmp[j] = stage2(y[j], h, k1[j])
    rhs(kind, tmp, k2, p)
    for j in range(m):
        tmp[j] = stage3(y[j], h, k1[j], k2[j])
    rhs(kind, tmp, k3, p)
    for j in range(m):
        tmp[j] = stage4(y[j], h, k1[j], k2[j], k3[j])
    rhs(kind, tmp, k4, p)
    for j in range(m):
        tmp[j] = stage5(y[j], h, k1[j], k2[j], k3[j], k4[j])
    rhs(kind, tmp, k5, p)
    for j in range(m):
        tmp[j] = stage6(y[j], h, k1[j], k2[j], k3[j], k4[j], k5[j])
    rhs(kind, tmp, k6, p)
    for j in range(m):
        y[j] = advance(y[j], h, k1[j], k3[j], k4[j], k5[j], k6[j])
    for j in range(m):
        yerr[j] = error(h, k1[j], k3[j], k4[j], k5[j], k6[j])


@njit(cache=True, inline="always")
def cond_exp_step(h, V, ge, gi, p):
    """:func:`rkf45_step` on iaf_cond_exp's (V, g_ex, g_in) in scalars (p as for
    :func:`cond_exp_f`): returns the three new values and GSL's error ratio for
    its tolerance there (eps_abs = 1e-3, eps_rel = 0)."""
    k1v, k1e, k1i = cond_exp_f(V, ge, gi, p)
    k2v, k2e, k2i = cond_exp_f(stage2(V, h, k1v), stage2(ge, h, k1e), stage2(gi, h, k1i), p)
    k3v, k3e, k3i = cond_exp_f(stage3(V, h, k1v, k2v), stage3(ge, h, k1e, k2e), stage3(gi, h, k1i, k2i), p)
    k4v, k4e, k4i = cond_exp_f(stage4(V, h, k1v, k2v, k3v), stage4(ge, h, k1e, k2e, k3e),
                               stage4(gi, h, k1i, k2i, k3i), p)
    k5v, k5e, k5i = cond_exp_f(stage5(V, h, k1v, k2v, k3v, k4v), stage5(ge, h, k1e, k2e, k3e, k4e),
                               stage5(gi, h, k1i, k2i, k3i, k4i), p)
    k6v, k6e, k6i = cond_exp_f(stage6(V, h, k1v, k2v, k3v, k4v, k5v), stage6(ge, h, k1e, k2e, k3e, k4e, k5e),
                               stage6(gi, h, k1i, k2i, k3i, k4i, k5i), p)
    ev = abs(error(h, k1v, k3v, k4v, k5v, k6v)) / 1e-3
    ee = abs(error(h, k1e, k3e, k4e, k5e, k6e)) / 1e-3
    ei = abs(error(h, k1i, k3i, k4i, k5i, k6i)) / 1e-3
    return (advance(V, h, k1v, k3v, k4v, k5v, k6v), advance(ge, h, k1e, k3e, k4e, k5e, k6e),
            advance(gi, h, k1i, k3i, k4i, k5i, k6i), max(ev, max(ee, ei)))


# ----------------------------------------------------------------------------- GSL's evolve


@njit(cache=True)
def evolve_apply(kind, p, y, t0, t1, h, eps_abs, eps_rel, a_y, a_dydt, work):
    """Advance y from t0 towards t1 by one accepted adaptive step (GSL's
    ``evolve_apply`` with the standard control). ``h`` is the suggested step;
    returns (t reached, suggested next step). ``work`` is float64[10, len(y)]."""
    # rows of work, indexed (unpacking the array itself makes iaf_cond_exp measurably slower)
    y0, ydot, k2, k3, k4, k5, k6 = work[0], work[1], work[2], work[3], work[4], work[5], work[6]
    tmp, yerr, dydt_in = work[7], work[8], work[9]
    m = y.shape[0]
    dt = t1 - t0
    for j in range(m):
        y0[j] = y[j]
    rhs(kind, y, dydt_in, p)  # y'(t0): computed once, reused by retries
    h0 = h
    while True:
        final = False
        if h0 > dt:
            h0 = dt
            final = True
        rkf45_step(kind, p, y, h0, dydt_in, k2, k3, k4, k5, k6, tmp, yerr)
        t_new = t1 if final else t0 + h0
        h_old = h0
        dec = False
        if a_dydt != 0.0:
            rhs(kind, y, ydot, p)  # y'(t0 + h0) for the derivative-scaled tolerance
        rmax = _DBL_MIN
        for j in range(m):
            yp = ydot[j] if a_dydt != 0.0 else 0.0
            D0 = eps_rel * (a_y * abs(y[j]) + a_dydt * abs(h_old * yp)) + eps_abs
            rr = abs(yerr[j]) / abs(D0)
            if rr > rmax:
                rmax = rr
        if rmax > 1.1:
            rr = 0.9 / rmax ** (1.0 / 5.0)
            if rr < 0.2:
                rr = 0.2
            h0 = rr * h_old
            dec = True
        elif rmax < 0.5:
            rr = 0.9 / rmax ** (1.0 / 6.0)
            if rr > 5.0:
                rr = 5.0
            if rr < 1.0:
                rr = 1.0
            h0 = rr * h_old
        if dec:
            if abs(h0) < abs(h_old) and t_new + h0 != t_new:
                for j in range(m):
                    y[j] = y0[j]
                continue
            h0 = h_old
        return t_new, h0


# ----------------------------------------------------------------------------- what both models share


@njit(cache=True)
def prepare_adaptive(P, S, dt, t_ref_row, h_row, refr_row, h_int_row):
    """Derived rows of an adaptive model (:func:`~.nest_common.mark_prepared`),
    and the first integration step (dt) wherever none is carried yet."""
    for i in range(P.shape[1]):
        mark_prepared(P, i, dt, t_ref_row, h_row, refr_row)
        if S[h_int_row, i] <= 0.0:
            S[h_int_row, i] = dt


@njit(cache=True, inline="always")
def shared_params(P, S, i, tau_ex_row, tau_in_row, I_e_row, I_stim_row):
    """p[0:9] of both right-hand sides as a tuple: (g_L, E_L, E_ex, E_in, C_m,
    tau_syn_ex, tau_syn_in, I_e, I_stim). Rows 3-7 of P (g_L, C_m, E_ex, E_in,
    E_L) are the same in both models; the other rows are given."""
    return (P[3, i], P[7, i], P[5, i], P[6, i], P[4, i], P[tau_ex_row, i], P[tau_in_row, i], P[I_e_row, i],
            S[I_stim_row, i])


@njit(cache=True, inline="always")
def load(p, values):
    """p[:len(values)] <- values (a tuple)."""
    for j in range(len(values)):
        p[j] = values[j]
