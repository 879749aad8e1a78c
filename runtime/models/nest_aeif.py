"""NEST's ``aeif_cond_alpha``: adaptive exponential integrate-and-fire
(Brette & Gerstner 2005) with alpha-shaped conductances.

    C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th)/Delta_T)
                - g_ex (V - E_ex) - g_in (V - E_in) - w + I_e + I_stim
    tau_w dw/dt = a (V - E_L) - w
    g = alpha function: dg/dt = dg - g/tau_syn, d(dg)/dt = -dg/tau_syn

Integrated as NEST does: GSL's embedded RKF45 with the standard step-size
control scaled by the derivatives (eps_abs = eps_rel = ``gsl_error_tol``), several
adaptive sub-steps per time step when needed, with the spike test after every
sub-step: V >= V_peak (V_th when Delta_T = 0) resets V to V_reset, adds b to w
and starts the refractory period, during which V is clamped at V_reset and the
right-hand side uses V_reset (inside the right-hand side V is also capped at
V_peak). Input spikes (nS, sign-routed) add e/tau_syn * w to dg at the end of
the step; device currents act from the next step.

Because the integrator is adaptive, a trajectory depends on every rounding of
the step-size rule; the conformance tests show agreement with NEST to ~1e-9 mV
or better (docs/nest.md).
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numba import njit

from ..registry import Var, register
from .nest_common import NestNeuron, conductances, derived, fire, initial, pick, pick_state, stale, synaptic
from .nest_rkf45 import AEIF_COND_ALPHA, evolve_apply, load, prepare_adaptive, shared_params


@njit(cache=True)
def update_aeif(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    # P rows: 0 V_peak 1 V_reset 2 t_ref 3 g_L 4 C_m 5 E_ex 6 E_in 7 E_L 8 Delta_T 9 tau_w
    #         10 a 11 b 12 V_th 13 tau_syn_ex 14 tau_syn_in 15 I_e 16 gsl_error_tol 17 tau_minus
    #         18 V_m 19 w 20 g_ex 21 dg_ex 22 g_in 23 dg_in (inits) | 24 _h 25 _refr
    # S rows: 0 V_m 1 dg_ex 2 g_ex 3 dg_in 4 g_in 5 w 6 r 7 I_stim 8 h_int
    if stale(P, 24, dt):
        prepare_adaptive(P, S, dt, 2, 24, 25, 8)
    y = np.empty(6)
    p = np.empty(16)
    work = np.empty((10, 6))
    nf = 0
    for i in range(S.shape[1]):
        for j in range(6):
            y[j] = S[j, i]
        v_peak = P[0, i] if P[8, i] > 0.0 else P[12, i]
        # p: the right-hand side's (runtime.models.nest_rkf45._aeif_rhs); p[15] is set below
        load(p, shared_params(P, S, i, 13, 14, 15, 7) + (P[8, i], P[12, i], v_peak, P[1, i], P[10, i], P[9, i]))
        tol = P[16, i]
        refr_steps = P[25, i]
        r = S[6, i]
        spiked = False
        tt = 0.0
        h = S[8, i]
        while tt < dt:
            p[15] = 1.0 if r > 0.0 else 0.0
            tt, h = evolve_apply(AEIF_COND_ALPHA, p, y, tt, dt, h, tol, tol, 0.0, 1.0, work)
            # spikes are handled inside the loop: spike-triggered adaptation can
            # matter within a step
            if r > 0.0:
                y[0] = p[12]
            elif y[0] >= v_peak:
                y[0] = p[12]
                y[5] += P[11, i]
                # +1 compensates the decrement after the loop; 0 means no refractoriness
                r = refr_steps + 1.0 if refr_steps > 0.0 else 0.0
                spiked = True
        if r > 0.0:
            r -= 1.0
        S[8, i] = h
        y[1] += I[0, i] * (math.e / P[13, i])
        y[3] -= I[1, i] * (math.e / P[14, i])  # inhibitory weights are negative
        for j in range(6):
            S[j, i] = y[j]
        S[6, i] = r
        S[7, i] = I[2, i]
        if spiked:
            nf = fire(i, 1.0, out, fired, nf)
        else:
            out[i] = 0.0
    return nf


@register
class AeifCondAlpha(NestNeuron):
    """Adaptive exponential IF with alpha conductances (NEST ``aeif_cond_alpha``)."""

    name: ClassVar[str] = "aeif_cond_alpha"
    state = {
        **pick_state("V_m", V_m=-70.6),
        "dg_ex": Var(0.0, "nS/ms", "excitatory conductance derivative state"), **pick_state("g_ex"),
        "dg_in": Var(0.0, "nS/ms", "inhibitory conductance derivative state"), **pick_state("g_in"),
        "w": Var(0.0, "pA", "adaptation current"),
        **pick_state("r", "I_stim", "h_int"),
    }
    params = {
        "V_peak": Var(0.0, "mV", "spike detection threshold"),
        **pick("V_reset", "t_ref", V_reset=-60.0, t_ref=0.0),
        **conductances(g_L=30.0, C_m=281.0, E_L=-70.6),
        "Delta_T": Var(2.0, "mV", "slope factor", min=0.0),
        "tau_w": Var(144.0, "ms", "adaptation time constant", min=1e-12),
        "a": Var(4.0, "nS", "subthreshold adaptation"),
        "b": Var(80.5, "pA", "spike-triggered adaptation"),
        "V_th": Var(-50.4, "mV", "spike initiation threshold"),
        **synaptic("alpha time constant", 0.2),
        **pick("I_e"),
        "gsl_error_tol": Var(1e-6, "1", "integrator error tolerance", min=1e-300),
        **pick("tau_minus"),
        **initial(state, "V_m", "w", "g_ex", "dg_ex", "g_in", "dg_in"),
        **derived(),
    }
    update = update_aeif
