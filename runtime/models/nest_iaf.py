"""NEST's integrate-and-fire neurons, matching NEST 3.10 on its time grid.

Models (NEST names, parameters, defaults and units: ms, mV, pA, nS, pF):

* ``iaf_psc_delta``  delta synapses: a spike of weight w (mV) makes V_m jump by w
* ``iaf_psc_exp``    exponential post-synaptic currents, weight = current jump (pA)
* ``iaf_psc_alpha``  alpha-shaped post-synaptic currents, weight = current peak (pA)
* ``iaf_cond_exp``   exponential conductances (nS), integrated like NEST with the
  embedded Runge-Kutta-Fehlberg 4(5) method and GSL's step-size control
  (:mod:`runtime.models.nest_rkf45`)

Grid semantics (the same as NEST; docs/nest.md has the derivation):

* tick ``t`` advances the state from ``t*h`` to ``(t+1)*h``; a spike emitted in it
  carries the time stamp ``(t+1)*h`` and a state sample taken after it is NEST's
  multimeter sample at ``(t+1)*h``.
* spikes delivered into tick ``t``'s input (receptors ``exc``/``inh``, routed by the
  weight's sign exactly like NEST's ex/in buffers) act in tick ``t``: a spike
  stamped ``s`` with a delay of ``d`` ticks lands in the input of tick ``s/h - 1 + d``.
* currents (receptor ``current``, pA, from dc_generator and friends) delivered into
  tick ``t`` are stored in the state ``I_stim`` and act from tick ``t + 1`` on: NEST
  reads its current buffer at the end of the step for use in the next one.

Propagators are computed once per parameter set and resolution: they live in
the underscore parameter rows (``_h`` holds the resolution they were made for;
the kernel recomputes all of them whenever ``_h`` differs from the tick's ``dt``,
e.g. on the first tick). Never set underscore rows yourself.

Every model also declares ``tau_minus`` (ms), the time constant of the spike
trace NEST's archiving node keeps for STDP; the brainc.nest API copies it into
the stdp synapses that target the neuron.

Parameters named like state variables (``V_m``, ``I_syn_ex``, ``g_ex``, ...) set
the *initial* value of that state, as NEST's ``Create(model, params={...})`` does
(:class:`~runtime.models.nest_common.NestNeuron`).
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numba import njit

from ..loop_kernels import collect_fired
from ..registry import Var, register
from .nest_common import (NestNeuron, conductances, derived, initial, integrates, mark_prepared, pick, pick_state,
                          stale, synaptic, threshold)
from .nest_rkf45 import COND_EXP, cond_exp_current, cond_exp_step, evolve_apply, load, prepare_adaptive, shared_params

# ----------------------------------------------------------------------------- propagators


@njit(cache=True)
def propagator_32(tau_syn: float, tau: float, C: float, h: float) -> float:
    """Effect on V (mV) after one step ``h`` of a unit exponential current (pA)
    decaying with ``tau_syn``, membrane ``tau``/``C``.

    The closed form divides by ``1 - tau/tau_syn``; when the two time constants
    (nearly) coincide it loses precision, so, as NEST does, the singular limit
    ``h/C exp(-h/tau)`` is used when they are equal or when the closed form strays
    from the limit by more than twice its first-order correction (only possible
    within 0.1 ms of the singularity)."""
    p_linear = 1.0 / (2.0 * C * tau * tau) * h * h * (tau_syn - tau) * math.exp(-h / tau)
    p_singular = h / C * math.exp(-h / tau)
    if tau == tau_syn:
        return p_singular
    p = -tau / (C * (1.0 - tau / tau_syn)) * math.exp(-h / tau_syn) * math.expm1(h * (1.0 / tau_syn - 1.0 / tau))
    if (abs(tau - tau_syn) < 0.1 and abs(p - p_singular) > 2.0 * abs(p_linear)):
        return p_singular
    return p


@njit(cache=True)
def propagator_31(tau_syn: float, tau: float, C: float, h: float) -> float:
    """Effect on V (mV) after one step ``h`` of a unit alpha-current derivative
    (pA/ms) with time constant ``tau_syn``: (1/C) * int_0^h e^{-(h-s)/tau} s e^{-s/tau_syn} ds.

    With a = 1/tau_syn - 1/tau this is (E*expm1(a h)/a - h E)/(a C), E = e^{-h/tau_syn};
    near a = 0 it cancels catastrophically, so the singular limit h^2/(2C) e^{-h/tau}
    is used under the same rule as :func:`propagator_32` (first-order correction
    h^3 (tau_syn - tau) e^{-h/tau} / (3 C tau^2))."""
    p_linear = 1.0 / (3.0 * C * tau * tau) * h * h * h * (tau_syn - tau) * math.exp(-h / tau)
    p_singular = h * h / 2.0 / C * math.exp(-h / tau)
    a = 1.0 / tau_syn - 1.0 / tau
    if tau == tau_syn or a == 0.0:
        return p_singular
    E = math.exp(-h / tau_syn)
    p = (E * math.expm1(a * h) / a - h * E) / a / C
    if (abs(tau - tau_syn) < 0.1 and abs(p - p_singular) > 2.0 * abs(p_linear)):
        return p_singular
    return p


@njit(cache=True, inline="always")
def _floor(y, y_min):
    return y_min if y < y_min else y


@njit(cache=True, inline="always")
def _psc_decay(P, i, dt):
    """What both current-based PSC models derive first (rows 0-3: C_m, tau_m,
    tau_syn_ex, tau_syn_in): per synapse type, the decay of the current over a
    step and the effect of a unit current on V (:func:`propagator_32`):
    (ex decay, in decay, ex -> V, in -> V)."""
    C = P[0, i]
    tau = P[1, i]
    return (math.exp(-dt / P[2, i]), math.exp(-dt / P[3, i]),
            propagator_32(P[2, i], tau, C, dt), propagator_32(P[3, i], tau, C, dt))


# ----------------------------------------------------------------------------- iaf_psc_delta


@njit(cache=True)
def _delta_prepare(P, dt):
    # rows: 0 C_m 1 tau_m 2 t_ref 3 E_L 4 V_reset 5 V_th 6 V_min 7 I_e 8 refractory_input
    #       9 tau_minus 10 V_m(init) | 11 _h 12 _P33 13 _P30 14 _refr
    for i in range(P.shape[1]):
        tau = P[1, i]
        P[12, i] = math.exp(-dt / tau)  # exp(-h/tau_m)
        P[13, i] = -tau / P[0, i] * math.expm1(-dt / tau)  # current -> V
        mark_prepared(P, i, dt, 2, 11, 14)


@njit(cache=True, inline="always")
def _delta_free(P, i, y3, y0, spikes):
    """V - E_L after a step outside refractoriness (before the V_min floor)."""
    return P[13, i] * (y0 + P[7, i]) + P[12, i] * y3 + spikes


@njit(cache=True, error_model="numpy")
def _delta_step_plain(P, S, I, out):
    """The step for neurons without refractory_input, branch-free (vectorised);
    the same arithmetic as :func:`_delta_step_refractory_input`."""
    for i in range(S.shape[1]):
        E_L = P[3, i]
        y3 = S[0, i] - E_L
        r = S[1, i]
        y = _floor(_delta_free(P, i, y3, S[2, i], I[0, i] + I[1, i]), P[6, i] - E_L)
        refr = r != 0.0
        y = y3 if refr else y
        r = r - 1.0 if refr else r
        spike = y >= P[5, i] - E_L
        S[1, i] = P[14, i] if spike else r
        y = P[4, i] - E_L if spike else y
        out[i] = 1.0 if spike else 0.0
        S[2, i] = I[2, i]
        S[0, i] = y + E_L


@njit(cache=True)
def _delta_step_refractory_input(P, S, I, out, fired, dt):
    """The general step: input arriving while refractory is kept, decayed to the
    end of the refractory period, for neurons with refractory_input (NEST's)."""
    V, r, y0, rbuf = S
    nf = 0
    for i in range(S.shape[1]):
        E_L = P[3, i]
        y3 = V[i] - E_L
        spikes = I[0, i] + I[1, i]
        if r[i] != 0.0 and P[8, i] != 0.0:
            rbuf[i] += spikes * math.exp(-r[i] * dt / P[1, i])
        if integrates(r, i):
            y3 = _delta_free(P, i, y3, y0[i], spikes)
            if P[8, i] != 0.0 and rbuf[i] != 0.0:
                y3 += rbuf[i]
                rbuf[i] = 0.0
            y3 = _floor(y3, P[6, i] - E_L)
        y3, nf = threshold(P, i, y3, E_L, 5, 4, 14, r, out, fired, nf)
        y0[i] = I[2, i]
        V[i] = y3 + E_L
    return nf


@njit(cache=True)
def update_psc_delta(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    if stale(P, 11, dt):
        _delta_prepare(P, dt)
    for i in range(S.shape[1]):
        if P[8, i] != 0.0:
            return _delta_step_refractory_input(P, S, I, out, fired, dt)
    _delta_step_plain(P, S, I, out)
    return collect_fired(out, fired)


@register
class IafPscDelta(NestNeuron):
    """Leaky integrate-and-fire with delta synapses (NEST ``iaf_psc_delta``)."""

    name: ClassVar[str] = "iaf_psc_delta"
    state = {**pick_state("V_m", "r", "I_stim"),
             "refr_spikes": Var(0.0, "mV", "input kept during refractoriness (refractory_input)")}
    params = {
        **pick("C_m", "tau_m", "t_ref", "E_L", "V_reset", "V_th", "V_min", "I_e"),
        "refractory_input": Var(0.0, "bool", "keep (decayed) input arriving while refractory"),
        **pick("tau_minus"),
        **initial(state, "V_m"),
        **derived(_P33="1", _P30="mV/pA"),
    }
    update = update_psc_delta


# ----------------------------------------------------------------------------- iaf_psc_exp


@njit(cache=True)
def _exp_prepare(P, dt):
    # rows: 0 C_m 1 tau_m 2 tau_syn_ex 3 tau_syn_in 4 t_ref 5 E_L 6 V_reset 7 V_th 8 I_e
    #       9 tau_minus 10 V_m 11 I_syn_ex 12 I_syn_in (inits)
    #       | 13 _h 14 _P11ex 15 _P11in 16 _P22 17 _P21ex 18 _P21in 19 _P20 20 _refr
    for i in range(P.shape[1]):
        P[14, i], P[15, i], P[17, i], P[18, i] = _psc_decay(P, i, dt)
        tau = P[1, i]
        P[16, i] = math.exp(-dt / tau)
        P[19, i] = tau / P[0, i] * (1.0 - P[16, i])
        mark_prepared(P, i, dt, 4, 13, 20)


@njit(cache=True)
def update_psc_exp(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    if stale(P, 13, dt):
        _exp_prepare(P, dt)
    V, Iex, Iin, r, i0 = S
    nf = 0
    for i in range(S.shape[1]):
        E_L = P[5, i]
        v = V[i] - E_L
        if integrates(r, i):
            v = v * P[16, i] + (P[8, i] + i0[i]) * P[19, i] + Iex[i] * P[17, i] + Iin[i] * P[18, i]
        # the synaptic currents decay over the step; spikes of this step then add
        # a jump that acts on V from the next step on
        Iex[i] = Iex[i] * P[14, i] + I[0, i]
        Iin[i] = Iin[i] * P[15, i] + I[1, i]
        v, nf = threshold(P, i, v, E_L, 7, 6, 20, r, out, fired, nf)
        i0[i] = I[2, i]
        V[i] = v + E_L
    return nf


@register
class IafPscExp(NestNeuron):
    """Leaky integrate-and-fire with exponential PSCs (NEST ``iaf_psc_exp``).
    NEST's escape-noise threshold (``delta`` > 0) and filtered current port are
    not modelled."""

    name: ClassVar[str] = "iaf_psc_exp"
    state = pick_state("V_m", "I_syn_ex", "I_syn_in", "r", "I_stim")
    params = {
        **pick("C_m", "tau_m"),
        **synaptic("PSC time constant", 2.0),
        **pick("t_ref", "E_L", "V_reset", "V_th", "I_e", "tau_minus"),
        **initial(state, "V_m", "I_syn_ex", "I_syn_in"),
        **derived(_P11ex="1", _P11in="1", _P22="1", _P21ex="mV/pA", _P21in="mV/pA", _P20="mV/pA"),
    }
    update = update_psc_exp


# ----------------------------------------------------------------------------- iaf_psc_alpha


@njit(cache=True)
def _alpha_prepare(P, dt):
    # rows: 0 C_m 1 tau_m 2 tau_syn_ex 3 tau_syn_in 4 t_ref 5 E_L 6 V_reset 7 V_th 8 V_min
    #       9 I_e 10 tau_minus 11 V_m(init)
    #       | 12 _h 13 _P11ex 14 _P21ex 15 _P11in 16 _P21in 17 _expm1 18 _P30
    #         19 _P31ex 20 _P32ex 21 _P31in 22 _P32in 23 _e_ex 24 _e_in 25 _refr
    for i in range(P.shape[1]):
        P[13, i], P[15, i], P[20, i], P[22, i] = _psc_decay(P, i, dt)
        C = P[0, i]
        tau = P[1, i]
        P[14, i] = dt * P[13, i]
        P[16, i] = dt * P[15, i]
        P[17, i] = math.expm1(-dt / tau)
        P[18, i] = -tau / C * P[17, i]
        P[19, i] = propagator_31(P[2, i], tau, C, dt)
        P[21, i] = propagator_31(P[3, i], tau, C, dt)
        # an incoming weight w makes the current peak at w pA, tau_syn after arrival
        P[23, i] = math.e / P[2, i]
        P[24, i] = math.e / P[3, i]
        mark_prepared(P, i, dt, 4, 12, 25)


@njit(cache=True)
def update_psc_alpha(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    if stale(P, 12, dt):
        _alpha_prepare(P, dt)
    V, Iex, dIex, Iin, dIin, r, y0 = S
    nf = 0
    for i in range(S.shape[1]):
        E_L = P[5, i]
        y3 = V[i] - E_L
        if integrates(r, i):
            y3 = _floor(P[18, i] * (y0[i] + P[9, i]) + P[19, i] * dIex[i] + P[20, i] * Iex[i]
                        + P[21, i] * dIin[i] + P[22, i] * Iin[i] + P[17, i] * y3 + y3, P[8, i] - E_L)
        # alpha currents keep evolving during refractoriness
        Iex[i] = P[14, i] * dIex[i] + P[13, i] * Iex[i]
        dIex[i] = dIex[i] * P[13, i] + P[23, i] * I[0, i]
        Iin[i] = P[16, i] * dIin[i] + P[15, i] * Iin[i]
        dIin[i] = dIin[i] * P[15, i] + P[24, i] * I[1, i]
        y3, nf = threshold(P, i, y3, E_L, 7, 6, 25, r, out, fired, nf)
        y0[i] = I[2, i]
        V[i] = y3 + E_L
    return nf


@register
class IafPscAlpha(NestNeuron):
    """Leaky integrate-and-fire with alpha-shaped PSCs (NEST ``iaf_psc_alpha``)."""

    name: ClassVar[str] = "iaf_psc_alpha"
    state = {
        **pick_state("V_m", "I_syn_ex"), "dI_syn_ex": Var(0.0, "pA/ms", "its derivative state"),
        **pick_state("I_syn_in"), "dI_syn_in": Var(0.0, "pA/ms", "its derivative state"),
        **pick_state("r", "I_stim"),
    }
    params = {
        **pick("C_m", "tau_m"),
        **synaptic("PSC rise time", 2.0),
        **pick("t_ref", "E_L", "V_reset", "V_th", "V_min", "I_e", "tau_minus"),
        **initial(state, "V_m"),
        **derived(_P11ex="1", _P21ex="ms", _P11in="1", _P21in="ms", _expm1="1", _P30="mV/pA",
                  _P31ex="mV ms/pA", _P32ex="mV/pA", _P31in="mV ms/pA", _P32in="mV/pA", _e_ex="1/ms", _e_in="1/ms"),
    }
    update = update_psc_alpha


# ----------------------------------------------------------------------------- iaf_cond_exp


@njit(cache=True, inline="always")
def _cond_exp_params(P, S, i):
    """p of the right-hand side (:func:`~.nest_rkf45.cond_exp_f`) for neuron i."""
    return shared_params(P, S, i, 8, 9, 10, 4) + (P[0, i],)


@njit(cache=True, error_model="numpy")  # IEEE division (no zero checks): lets LLVM vectorise
def _cond_exp_full_steps(P, S, dt, Vn, gen, gin, ok):
    """One RKF45 step of the full length dt for every neuron (branch-free, so the
    compiler can vectorise it), with GSL's acceptance test. Same arithmetic, in
    the same order, as :func:`evolve_apply` on iaf_cond_exp's right-hand side."""
    for i in range(S.shape[1]):
        Vn[i], gen[i], gin[i], rmax = cond_exp_step(dt, S[0, i], S[1, i], S[2, i], _cond_exp_params(P, S, i))
        # accepted as one step when it is a full step and GSL would not shrink it;
        # GSL's next suggestion is then >= dt, which acts exactly like dt
        ok[i] = 1.0 if (S[5, i] >= dt and rmax <= 1.1) else 0.0


@njit(cache=True, inline="always")
def _cond_exp_settle(S, I, i, Vn, gen, gin, V_th, V_reset, refr_steps):
    """After integration: this step's spikes into the conductances, then
    refractoriness and threshold. Writes S rows 0-4 of neuron i and returns
    1.0 for a spike (else 0.0)."""
    r = S[3, i]
    refr = r > 0.0
    spike = (not refr) and Vn >= V_th
    S[0, i] = V_reset if (refr or spike) else Vn
    S[3, i] = r - 1.0 if refr else (refr_steps if spike else r)
    S[1, i] = gen + I[0, i]
    S[2, i] = gin - I[1, i]  # inhibitory weights are negative; g_in stays positive
    S[4, i] = I[2, i]
    return 1.0 if spike else 0.0


@njit(cache=True, error_model="numpy")
def _cond_exp_finish(P, S, I, dt, Vn, gen, gin, out):
    """After integration, for every neuron (branch-free, vectorised); out = 1 marks a spike."""
    for i in range(S.shape[1]):
        out[i] = _cond_exp_settle(S, I, i, Vn[i], gen[i], gin[i], P[0, i], P[1, i], P[16, i])
        # h_int of a neuron that took the full step stays >= dt (GSL would grow
        # it): any value >= dt acts exactly like dt in the next step


@njit(cache=True)
def update_cond_exp(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    # P rows: 0 V_th 1 V_reset 2 t_ref 3 g_L 4 C_m 5 E_ex 6 E_in 7 E_L 8 tau_syn_ex
    #         9 tau_syn_in 10 I_e 11 tau_minus 12 V_m 13 g_ex 14 g_in (inits) | 15 _h 16 _refr
    # S rows: 0 V_m 1 g_ex 2 g_in 3 r 4 I_stim 5 h_int
    if stale(P, 15, dt):
        prepare_adaptive(P, S, dt, 2, 15, 16, 5)
    n = S.shape[1]
    Vn = np.empty(n)
    gen = np.empty(n)
    ginn = np.empty(n)
    ok = np.empty(n)
    # 1. the common case for everyone: one accepted step of length dt (vectorised)
    _cond_exp_full_steps(P, S, dt, Vn, gen, ginn, ok)
    # 2. the rest: GSL's adaptive sub-steps from the step's start
    y = np.empty(3)
    p = np.empty(10)
    work = np.empty((10, 3))
    for i in range(n):
        if ok[i] != 0.0:
            continue
        for j in range(3):
            y[j] = S[j, i]
        load(p, _cond_exp_params(P, S, i))
        tt = 0.0
        h = S[5, i]
        while tt < dt:
            tt, h = evolve_apply(COND_EXP, p, y, tt, dt, h, 1e-3, 0.0, 1.0, 0.0, work)
        S[5, i] = h
        Vn[i] = y[0]
        gen[i] = y[1]
        ginn[i] = y[2]
    # 3. spikes in, refractoriness, threshold (vectorised), then list the emitters
    _cond_exp_finish(P, S, I, dt, Vn, gen, ginn, out)
    return collect_fired(out, fired)


@register
class IafCondExp(NestNeuron):
    """Leaky integrate-and-fire with exponential conductances (NEST ``iaf_cond_exp``).
    Weights are conductance jumps in nS (negative weights: inhibitory, |w| added
    to g_in). Integrated with RKF45 under GSL's control (eps_abs = 1e-3 mV, as NEST)."""

    name: ClassVar[str] = "iaf_cond_exp"
    state = pick_state("V_m", "g_ex", "g_in", "r", "I_stim", "h_int")
    params = {
        **pick("V_th", "V_reset", "t_ref", V_reset=-60.0),
        **conductances(g_L=16.6667, C_m=250.0, E_L=-70.0),
        **synaptic("conductance time constant", 0.2),
        **pick("I_e", "tau_minus"),
        **initial(state, "V_m", "g_ex", "g_in"),
        **derived(),
    }
    update = update_cond_exp


# ----------------------------------------------------------------------------- iaf_cond_exp_heun


#: P rows a Heun step reads (V_th, V_reset, g_L, E_ex, E_in, E_L, I_e,
#: _decay_ex, _decay_in, _dt_C, _refr)
_HEUN_ROWS = (0, 1, 3, 5, 6, 7, 10, 16, 17, 18, 20)


@njit(cache=True)
def _prepare_heun(P, dt):
    """Derived rows: refractory steps, the exact decay of each conductance over
    dt, dt / C_m, and whether every row a step reads is the same for all neurons."""
    for i in range(P.shape[1]):
        mark_prepared(P, i, dt, 2, 15, 20)
        P[16, i] = math.exp(-dt / P[8, i])
        P[17, i] = math.exp(-dt / P[9, i])
        P[18, i] = dt / P[4, i]
    uniform = 1.0
    for r in _HEUN_ROWS:
        for i in range(1, P.shape[1]):
            if P[r, i] != P[r, 0]:
                uniform = 0.0
    P[19, :] = uniform


@njit(cache=True, inline="always")
def _heun_point(S, I, i, p, de, di, dt_C, V_th, V_reset, refr_steps):
    """One fixed step of neuron i (p as for :func:`~.nest_rkf45.cond_exp_f`,
    de/di the conductances' decay over dt, dt_C = dt / C_m), settled; returns
    the spike flag. Both stages are membrane currents scaled by dt_C: no
    division per neuron (a vector division costs as much as the rest of the step)."""
    V, ge, gi = S[0, i], S[1, i], S[2, i]
    ge1 = ge * de
    gi1 = gi * di
    c1 = cond_exp_current(V, ge, gi, p)
    c2 = cond_exp_current(V + dt_C * c1, ge1, gi1, p)
    return _cond_exp_settle(S, I, i, V + (0.5 * dt_C) * (c1 + c2), ge1, gi1, V_th, V_reset, refr_steps)


@njit(cache=True, error_model="numpy")
def _cond_exp_heun_steps(P, S, I, dt, out):
    """One fixed step for every neuron (branch-free, vectorised): the
    conductances decay exactly, V takes Heun's step (explicit trapezoid) with
    iaf_cond_exp's right-hand side, conductances at the step's end in the
    second stage. Then the step's spikes, refractoriness and threshold.
    Where the parameters are the same for every neuron (the ``_uniform`` row),
    they are read once: the step then streams only the state (half the bytes)."""
    if P[19, 0] != 0.0:
        q = _cond_exp_params(P, S, 0)
        for i in range(S.shape[1]):
            p = (q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], S[4, i], q[9])
            out[i] = _heun_point(S, I, i, p, P[16, 0], P[17, 0], P[18, 0], P[0, 0], P[1, 0], P[20, 0])
    else:
        for i in range(S.shape[1]):
            out[i] = _heun_point(S, I, i, _cond_exp_params(P, S, i), P[16, i], P[17, i], P[18, i], P[0, i],
                                 P[1, i], P[20, i])


@njit(cache=True)
def update_cond_exp_heun(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    # P rows: 0-14 as iaf_cond_exp | 15 _h 16 _decay_ex 17 _decay_in 18 _dt_C 19 _uniform 20 _refr
    # S rows: 0 V_m 1 g_ex 2 g_in 3 r 4 I_stim
    if stale(P, 15, dt):
        _prepare_heun(P, dt)
    _cond_exp_heun_steps(P, S, I, dt, out)
    return collect_fired(out, fired)


@register
class IafCondExpHeun(IafCondExp):
    """``iaf_cond_exp`` with a fixed-step integrator (brainc's, not in NEST):
    the conductances decay exactly and V takes one Heun step (2nd order, two
    right-hand sides) per dt, instead of GSL's adaptive RKF45 (six right-hand
    sides and an error estimate per step). Same parameters, units, receptors
    and spike semantics; about 6x faster on COBA; V differs from NEST's by O(dt^2)
    (docs/nest.md, "iaf_cond_exp_heun")."""

    name: ClassVar[str] = "iaf_cond_exp_heun"
    state = pick_state("V_m", "g_ex", "g_in", "r", "I_stim")
    params = {**{k: v for k, v in IafCondExp.params.items() if not k.startswith("_")},
              **derived(_decay_ex="1", _decay_in="1", _dt_C="ms/pF", _uniform="1")}
    update = update_cond_exp_heun
