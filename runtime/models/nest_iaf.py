"""NEST's integrate-and-fire neurons, matching NEST 3.10 on its time grid.

Models (NEST names, parameters, defaults and units: ms, mV, pA, nS, pF):

* ``iaf_psc_delta``  delta synapses: a spike of weight w (mV) makes V_m jump by w
* ``iaf_psc_exp``    exponential post-synaptic currents, weight = current jump (pA)
* ``iaf_psc_alpha``  alpha-shaped post-synaptic currents, weight = current peak (pA)
* ``iaf_cond_exp``   exponential conductances (nS), integrated like NEST with the
  embedded Runge-Kutta-Fehlberg 4(5) method and GSL's step-size control

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
the *initial* value of that state, as NEST's ``Create(model, params={...})`` does.
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numba import njit

from ..registry import NeuronModel, Var, register

#: NEST's default for "no lower bound" (it uses -DBL_MAX or -inf; equivalent here)
NO_FLOOR = -1.7976931348623157e308
#: receptor rows of every NEST-style neuron: sign-routed spikes and currents
RECEPTORS = ("exc", "inh", "current")


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


def _refractory_steps(t_ref: np.ndarray | float, h: float) -> np.ndarray:
    """NEST's refractory period in whole steps (round to nearest)."""
    return np.rint(np.asarray(t_ref) / h)


# ----------------------------------------------------------------------------- iaf_psc_delta


@njit(cache=True)
def _delta_prepare(P, dt):
    # rows: 0 C_m 1 tau_m 2 t_ref 3 E_L 4 V_reset 5 V_th 6 V_min 7 I_e 8 refractory_input
    #       9 tau_minus 10 V_m(init) | 11 _h 12 _P33 13 _P30 14 _refr
    for i in range(P.shape[1]):
        tau = P[1, i]
        P[12, i] = math.exp(-dt / tau)
        P[13, i] = -tau / P[0, i] * math.expm1(-dt / tau)
        P[14, i] = float(round(P[2, i] / dt))
        P[11, i] = dt


@njit(cache=True, error_model="numpy")
def _delta_step_plain(P, S, I, out):
    """The step for neurons without refractory_input, branch-free (vectorised);
    the same arithmetic as the general loop below."""
    for i in range(S.shape[1]):
        E_L = P[3, i]
        y3 = S[0, i] - E_L
        r = S[1, i]
        y = P[13, i] * (S[2, i] + P[7, i]) + P[12, i] * y3 + (I[0, i] + I[1, i])
        vmin = P[6, i] - E_L
        y = vmin if y < vmin else y
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
def update_psc_delta(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    n = S.shape[1]
    if n == 0:
        return 0
    if P[11, 0] != dt:
        _delta_prepare(P, dt)
    plain = True
    for i in range(n):
        if P[8, i] != 0.0:
            plain = False
            break
    if plain:
        _delta_step_plain(P, S, I, out)
        nf = 0
        for i in range(n):
            if out[i] != 0.0:
                fired[nf] = i
                nf += 1
        return nf
    V = S[0]
    r = S[1]
    y0 = S[2]
    rbuf = S[3]
    nf = 0
    for i in range(n):
        E_L = P[3, i]
        y3 = V[i] - E_L
        spikes = I[0, i] + I[1, i]
        if r[i] == 0.0:
            y3 = P[13, i] * (y0[i] + P[7, i]) + P[12, i] * y3 + spikes
            if P[8, i] != 0.0 and rbuf[i] != 0.0:
                y3 += rbuf[i]
                rbuf[i] = 0.0
            vmin = P[6, i] - E_L
            if y3 < vmin:
                y3 = vmin
        else:
            if P[8, i] != 0.0:
                # input arriving while refractory is kept, decayed to the end of
                # the refractory period (NEST's refractory_input)
                rbuf[i] += spikes * math.exp(-r[i] * dt / P[1, i])
            r[i] -= 1.0
        if y3 >= P[5, i] - E_L:
            r[i] = P[14, i]
            y3 = P[4, i] - E_L
            out[i] = 1.0
            fired[nf] = i
            nf += 1
        else:
            out[i] = 0.0
        y0[i] = I[2, i]
        V[i] = y3 + E_L
    return nf


@register
class IafPscDelta(NeuronModel):
    """Leaky integrate-and-fire with delta synapses (NEST ``iaf_psc_delta``)."""

    name: ClassVar[str] = "iaf_psc_delta"
    family: ClassVar[str] = "nest"
    params = {
        "C_m": Var(250.0, "pF", "membrane capacitance", min=1e-12),
        "tau_m": Var(10.0, "ms", "membrane time constant", min=1e-12),
        "t_ref": Var(2.0, "ms", "absolute refractory period", min=0.0),
        "E_L": Var(-70.0, "mV", "resting potential"),
        "V_reset": Var(-70.0, "mV", "reset potential"),
        "V_th": Var(-55.0, "mV", "spike threshold"),
        "V_min": Var(NO_FLOOR, "mV", "lower bound of V_m"),
        "I_e": Var(0.0, "pA", "constant external current"),
        "refractory_input": Var(0.0, "bool", "keep (decayed) input arriving while refractory"),
        "tau_minus": Var(20.0, "ms", "STDP post-synaptic trace time constant", min=1e-12),
        "V_m": Var(-70.0, "mV", "initial membrane potential"),
        "_h": Var(-1.0, "ms", "derived: resolution the propagators were made for"),
        "_P33": Var(0.0, "1", "derived: exp(-h/tau_m)"),
        "_P30": Var(0.0, "mV/pA", "derived: current -> V propagator"),
        "_refr": Var(0.0, "steps", "derived: refractory steps"),
    }
    state = {
        "V_m": Var(-70.0, "mV", "membrane potential"),
        "r": Var(0.0, "steps", "refractory steps left"),
        "I_stim": Var(0.0, "pA", "current input of the previous step (from current devices)"),
        "refr_spikes": Var(0.0, "mV", "input kept during refractoriness (refractory_input)"),
    }
    receptors = RECEPTORS
    voltage = "V_m"
    update = update_psc_delta

    @classmethod
    def init_state(cls, P: np.ndarray, rng_seed: int) -> np.ndarray:
        S = np.zeros((len(cls.state), P.shape[1]))
        S[0] = P[list(cls.params).index("V_m")]
        return S


# ----------------------------------------------------------------------------- iaf_psc_exp


@njit(cache=True)
def _exp_prepare(P, dt):
    # rows: 0 C_m 1 tau_m 2 tau_syn_ex 3 tau_syn_in 4 t_ref 5 E_L 6 V_reset 7 V_th 8 I_e
    #       9 tau_minus 10 V_m 11 I_syn_ex 12 I_syn_in (inits)
    #       | 13 _h 14 _P11ex 15 _P11in 16 _P22 17 _P21ex 18 _P21in 19 _P20 20 _refr
    for i in range(P.shape[1]):
        C = P[0, i]
        tau = P[1, i]
        P[14, i] = math.exp(-dt / P[2, i])
        P[15, i] = math.exp(-dt / P[3, i])
        P[16, i] = math.exp(-dt / tau)
        P[17, i] = propagator_32(P[2, i], tau, C, dt)
        P[18, i] = propagator_32(P[3, i], tau, C, dt)
        P[19, i] = tau / C * (1.0 - P[16, i])
        P[20, i] = float(round(P[4, i] / dt))
        P[13, i] = dt


@njit(cache=True)
def update_psc_exp(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    n = S.shape[1]
    if n == 0:
        return 0
    if P[13, 0] != dt:
        _exp_prepare(P, dt)
    V = S[0]
    Iex = S[1]
    Iin = S[2]
    r = S[3]
    i0 = S[4]
    nf = 0
    for i in range(n):
        E_L = P[5, i]
        v = V[i] - E_L
        if r[i] == 0.0:
            v = v * P[16, i] + (P[8, i] + i0[i]) * P[19, i] + Iex[i] * P[17, i] + Iin[i] * P[18, i]
        else:
            r[i] -= 1.0
        # the synaptic currents decay over the step; spikes of this step then add
        # a jump that acts on V from the next step on
        Iex[i] = Iex[i] * P[14, i] + I[0, i]
        Iin[i] = Iin[i] * P[15, i] + I[1, i]
        if v >= P[7, i] - E_L:
            r[i] = P[20, i]
            v = P[6, i] - E_L
            out[i] = 1.0
            fired[nf] = i
            nf += 1
        else:
            out[i] = 0.0
        i0[i] = I[2, i]
        V[i] = v + E_L
    return nf


@register
class IafPscExp(NeuronModel):
    """Leaky integrate-and-fire with exponential PSCs (NEST ``iaf_psc_exp``).
    NEST's escape-noise threshold (``delta`` > 0) and filtered current port are
    not modelled."""

    name: ClassVar[str] = "iaf_psc_exp"
    family: ClassVar[str] = "nest"
    params = {
        "C_m": Var(250.0, "pF", "membrane capacitance", min=1e-12),
        "tau_m": Var(10.0, "ms", "membrane time constant", min=1e-12),
        "tau_syn_ex": Var(2.0, "ms", "excitatory PSC time constant", min=1e-12),
        "tau_syn_in": Var(2.0, "ms", "inhibitory PSC time constant", min=1e-12),
        "t_ref": Var(2.0, "ms", "absolute refractory period", min=0.0),
        "E_L": Var(-70.0, "mV", "resting potential"),
        "V_reset": Var(-70.0, "mV", "reset potential"),
        "V_th": Var(-55.0, "mV", "spike threshold"),
        "I_e": Var(0.0, "pA", "constant external current"),
        "tau_minus": Var(20.0, "ms", "STDP post-synaptic trace time constant", min=1e-12),
        "V_m": Var(-70.0, "mV", "initial membrane potential"),
        "I_syn_ex": Var(0.0, "pA", "initial excitatory current"),
        "I_syn_in": Var(0.0, "pA", "initial inhibitory current"),
        "_h": Var(-1.0, "ms", "derived: resolution the propagators were made for"),
        "_P11ex": Var(0.0, "1", "derived"), "_P11in": Var(0.0, "1", "derived"),
        "_P22": Var(0.0, "1", "derived"), "_P21ex": Var(0.0, "mV/pA", "derived"),
        "_P21in": Var(0.0, "mV/pA", "derived"), "_P20": Var(0.0, "mV/pA", "derived"),
        "_refr": Var(0.0, "steps", "derived: refractory steps"),
    }
    state = {
        "V_m": Var(-70.0, "mV", "membrane potential"),
        "I_syn_ex": Var(0.0, "pA", "excitatory synaptic current"),
        "I_syn_in": Var(0.0, "pA", "inhibitory synaptic current (negative)"),
        "r": Var(0.0, "steps", "refractory steps left"),
        "I_stim": Var(0.0, "pA", "current input of the previous step"),
    }
    receptors = RECEPTORS
    voltage = "V_m"
    update = update_psc_exp

    @classmethod
    def init_state(cls, P: np.ndarray, rng_seed: int) -> np.ndarray:
        names = list(cls.params)
        S = np.zeros((len(cls.state), P.shape[1]))
        S[0] = P[names.index("V_m")]
        S[1] = P[names.index("I_syn_ex")]
        S[2] = P[names.index("I_syn_in")]
        return S


# ----------------------------------------------------------------------------- iaf_psc_alpha


@njit(cache=True)
def _alpha_prepare(P, dt):
    # rows: 0 C_m 1 tau_m 2 tau_syn_ex 3 tau_syn_in 4 t_ref 5 E_L 6 V_reset 7 V_th 8 V_min
    #       9 I_e 10 tau_minus 11 V_m(init)
    #       | 12 _h 13 _P11ex 14 _P21ex 15 _P11in 16 _P21in 17 _expm1 18 _P30
    #         19 _P31ex 20 _P32ex 21 _P31in 22 _P32in 23 _e_ex 24 _e_in 25 _refr
    for i in range(P.shape[1]):
        C = P[0, i]
        tau = P[1, i]
        P[13, i] = math.exp(-dt / P[2, i])
        P[14, i] = dt * P[13, i]
        P[15, i] = math.exp(-dt / P[3, i])
        P[16, i] = dt * P[15, i]
        P[17, i] = math.expm1(-dt / tau)
        P[18, i] = -tau / C * P[17, i]
        P[19, i] = propagator_31(P[2, i], tau, C, dt)
        P[20, i] = propagator_32(P[2, i], tau, C, dt)
        P[21, i] = propagator_31(P[3, i], tau, C, dt)
        P[22, i] = propagator_32(P[3, i], tau, C, dt)
        # an incoming weight w makes the current peak at w pA, tau_syn after arrival
        P[23, i] = math.e / P[2, i]
        P[24, i] = math.e / P[3, i]
        P[25, i] = float(round(P[4, i] / dt))
        P[12, i] = dt


@njit(cache=True)
def update_psc_alpha(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    n = S.shape[1]
    if n == 0:
        return 0
    if P[12, 0] != dt:
        _alpha_prepare(P, dt)
    V = S[0]
    Iex = S[1]
    dIex = S[2]
    Iin = S[3]
    dIin = S[4]
    r = S[5]
    y0 = S[6]
    nf = 0
    for i in range(n):
        E_L = P[5, i]
        y3 = V[i] - E_L
        if r[i] == 0.0:
            y3 = (P[18, i] * (y0[i] + P[9, i]) + P[19, i] * dIex[i] + P[20, i] * Iex[i]
                  + P[21, i] * dIin[i] + P[22, i] * Iin[i] + P[17, i] * y3 + y3)
            vmin = P[8, i] - E_L
            if y3 < vmin:
                y3 = vmin
        else:
            r[i] -= 1.0
        # alpha currents keep evolving during refractoriness
        Iex[i] = P[14, i] * dIex[i] + P[13, i] * Iex[i]
        dIex[i] = dIex[i] * P[13, i] + P[23, i] * I[0, i]
        Iin[i] = P[16, i] * dIin[i] + P[15, i] * Iin[i]
        dIin[i] = dIin[i] * P[15, i] + P[24, i] * I[1, i]
        if y3 >= P[7, i] - E_L:
            r[i] = P[25, i]
            y3 = P[6, i] - E_L
            out[i] = 1.0
            fired[nf] = i
            nf += 1
        else:
            out[i] = 0.0
        y0[i] = I[2, i]
        V[i] = y3 + E_L
    return nf


@register
class IafPscAlpha(NeuronModel):
    """Leaky integrate-and-fire with alpha-shaped PSCs (NEST ``iaf_psc_alpha``)."""

    name: ClassVar[str] = "iaf_psc_alpha"
    family: ClassVar[str] = "nest"
    params = {
        "C_m": Var(250.0, "pF", "membrane capacitance", min=1e-12),
        "tau_m": Var(10.0, "ms", "membrane time constant", min=1e-12),
        "tau_syn_ex": Var(2.0, "ms", "excitatory PSC rise time", min=1e-12),
        "tau_syn_in": Var(2.0, "ms", "inhibitory PSC rise time", min=1e-12),
        "t_ref": Var(2.0, "ms", "absolute refractory period", min=0.0),
        "E_L": Var(-70.0, "mV", "resting potential"),
        "V_reset": Var(-70.0, "mV", "reset potential"),
        "V_th": Var(-55.0, "mV", "spike threshold"),
        "V_min": Var(NO_FLOOR, "mV", "lower bound of V_m (NEST: -inf)"),
        "I_e": Var(0.0, "pA", "constant external current"),
        "tau_minus": Var(20.0, "ms", "STDP post-synaptic trace time constant", min=1e-12),
        "V_m": Var(-70.0, "mV", "initial membrane potential"),
        "_h": Var(-1.0, "ms", "derived: resolution the propagators were made for"),
        "_P11ex": Var(0.0, "1", "derived"), "_P21ex": Var(0.0, "ms", "derived"),
        "_P11in": Var(0.0, "1", "derived"), "_P21in": Var(0.0, "ms", "derived"),
        "_expm1": Var(0.0, "1", "derived: expm1(-h/tau_m)"), "_P30": Var(0.0, "mV/pA", "derived"),
        "_P31ex": Var(0.0, "derived"), "_P32ex": Var(0.0, "derived"),
        "_P31in": Var(0.0, "derived"), "_P32in": Var(0.0, "derived"),
        "_e_ex": Var(0.0, "1/ms", "derived: e/tau_syn_ex"), "_e_in": Var(0.0, "1/ms", "derived: e/tau_syn_in"),
        "_refr": Var(0.0, "steps", "derived: refractory steps"),
    }
    state = {
        "V_m": Var(-70.0, "mV", "membrane potential"),
        "I_syn_ex": Var(0.0, "pA", "excitatory synaptic current"),
        "dI_syn_ex": Var(0.0, "pA/ms", "its derivative state"),
        "I_syn_in": Var(0.0, "pA", "inhibitory synaptic current (negative)"),
        "dI_syn_in": Var(0.0, "pA/ms", "its derivative state"),
        "r": Var(0.0, "steps", "refractory steps left"),
        "I_stim": Var(0.0, "pA", "current input of the previous step"),
    }
    receptors = RECEPTORS
    voltage = "V_m"
    update = update_psc_alpha

    @classmethod
    def init_state(cls, P: np.ndarray, rng_seed: int) -> np.ndarray:
        S = np.zeros((len(cls.state), P.shape[1]))
        S[0] = P[list(cls.params).index("V_m")]
        return S


# ----------------------------------------------------------------------------- GSL-style RKF45
#
# NEST integrates its conductance-based models with GSL's embedded
# Runge-Kutta-Fehlberg 4(5) stepper ("rkf45") under GSL's standard step-size
# control, calling the evolve function repeatedly until the step of length h
# is covered and carrying the adaptive step size from one step to the next.
# The functions below implement that published algorithm (Fehlberg's
# coefficients; the standard control rule: D_i = eps_abs + eps_rel (a_y |y_i| +
# a_dydt h |y'_i|), shrink by max(0.2, 0.9 r^(-1/5)) and retry when the error
# ratio r > 1.1, grow by min(5, max(1, 0.9 r^(-1/6))) when r < 0.5), so the
# trajectories agree with NEST's to rounding.

@njit(cache=True)
def _cond_exp_rhs(y, f, p):
    # p: 0 g_L 1 E_L 2 E_ex 3 E_in 4 C_m 5 tau_syn_ex 6 tau_syn_in 7 I_e 8 I_stim 9 V_th
    # NEST 3.10 caps V at V_th inside the right-hand side (RK stages can
    # overshoot the threshold); the reference traces need the cap to agree to 1e-12
    V = y[0] if y[0] < p[9] else p[9]
    i_ex = y[1] * (V - p[2])
    i_in = y[2] * (V - p[3])
    i_L = p[0] * (V - p[1])
    f[0] = (-i_L + p[8] + p[7] - i_ex - i_in) / p[4]
    f[1] = -y[1] / p[5]
    f[2] = -y[2] / p[6]



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


_A2, _A3, _A4, _A5, _A6 = 1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0
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
def rkf45_step(kind, p, y, h, k1, k2, k3, k4, k5, k6, tmp, yerr):
    """One Fehlberg step of size h from y (in place); k1 holds y'(y) on entry.
    Writes the 4th/5th-order difference into yerr."""
    m = y.shape[0]
    for j in range(m):
        tmp[j] = y[j] + _A2 * h * k1[j]
    rhs(kind, tmp, k2, p)
    for j in range(m):
        tmp[j] = y[j] + h * (_B31 * k1[j] + _B32 * k2[j])
    rhs(kind, tmp, k3, p)
    for j in range(m):
        tmp[j] = y[j] + h * (_B41 * k1[j] + _B42 * k2[j] + _B43 * k3[j])
    rhs(kind, tmp, k4, p)
    for j in range(m):
        tmp[j] = y[j] + h * (_B51 * k1[j] + _B52 * k2[j] + _B53 * k3[j] + _B54 * k4[j])
    rhs(kind, tmp, k5, p)
    for j in range(m):
        tmp[j] = y[j] + h * (_B61 * k1[j] + _B62 * k2[j] + _B63 * k3[j] + _B64 * k4[j] + _B65 * k5[j])
    rhs(kind, tmp, k6, p)
    for j in range(m):
        d = _C1 * k1[j] + _C3 * k3[j] + _C4 * k4[j] + _C5 * k5[j] + _C6 * k6[j]
        y[j] += h * d
    for j in range(m):
        yerr[j] = h * (_E1 * k1[j] + _E3 * k3[j] + _E4 * k4[j] + _E5 * k5[j] + _E6 * k6[j])


@njit(cache=True)
def evolve_apply(kind, p, y, t0, t1, h, eps_abs, eps_rel, a_y, a_dydt, work):
    """Advance y from t0 towards t1 by one accepted adaptive step (GSL's
    ``evolve_apply`` with the standard control). ``h`` is the suggested step;
    returns (t reached, suggested next step). ``work`` is float64[10, len(y)]."""
    y0 = work[0]
    k2 = work[2]
    k3 = work[3]
    k4 = work[4]
    k5 = work[5]
    k6 = work[6]
    tmp = work[7]
    yerr = work[8]
    dydt_in = work[9]
    ydot = work[1]
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


# ----------------------------------------------------------------------------- iaf_cond_exp


@njit(cache=True, error_model="numpy")  # IEEE division (no zero checks): lets LLVM vectorise
def _cond_exp_full_steps(P, S, dt, Vn, gen, gin, ok):
    """One RKF45 step of the full length dt for every neuron (branch-free, so the
    compiler can vectorise it), with GSL's acceptance test. Same arithmetic, in
    the same order, as :func:`evolve_apply` on :func:`_cond_exp_rhs`."""
    h = dt
    for i in range(S.shape[1]):
        gL = P[3, i]
        EL = P[7, i]
        Eex = P[5, i]
        Ein = P[6, i]
        C = P[4, i]
        tex = P[8, i]
        tin = P[9, i]
        Ie = P[10, i]
        Vth = P[0, i]
        Ist = S[4, i]
        V = S[0, i]
        ge = S[1, i]
        gi = S[2, i]
        # k1
        v = V if V < Vth else Vth
        k1v = (-(gL * (v - EL)) + Ist + Ie - ge * (v - Eex) - gi * (v - Ein)) / C
        k1e = -ge / tex
        k1i = -gi / tin
        # k2
        tv = V + _A2 * h * k1v
        te = ge + _A2 * h * k1e
        ti = gi + _A2 * h * k1i
        v = tv if tv < Vth else Vth
        k2v = (-(gL * (v - EL)) + Ist + Ie - te * (v - Eex) - ti * (v - Ein)) / C
        k2e = -te / tex
        k2i = -ti / tin
        # k3
        tv = V + h * (_B31 * k1v + _B32 * k2v)
        te = ge + h * (_B31 * k1e + _B32 * k2e)
        ti = gi + h * (_B31 * k1i + _B32 * k2i)
        v = tv if tv < Vth else Vth
        k3v = (-(gL * (v - EL)) + Ist + Ie - te * (v - Eex) - ti * (v - Ein)) / C
        k3e = -te / tex
        k3i = -ti / tin
        # k4
        tv = V + h * (_B41 * k1v + _B42 * k2v + _B43 * k3v)
        te = ge + h * (_B41 * k1e + _B42 * k2e + _B43 * k3e)
        ti = gi + h * (_B41 * k1i + _B42 * k2i + _B43 * k3i)
        v = tv if tv < Vth else Vth
        k4v = (-(gL * (v - EL)) + Ist + Ie - te * (v - Eex) - ti * (v - Ein)) / C
        k4e = -te / tex
        k4i = -ti / tin
        # k5
        tv = V + h * (_B51 * k1v + _B52 * k2v + _B53 * k3v + _B54 * k4v)
        te = ge + h * (_B51 * k1e + _B52 * k2e + _B53 * k3e + _B54 * k4e)
        ti = gi + h * (_B51 * k1i + _B52 * k2i + _B53 * k3i + _B54 * k4i)
        v = tv if tv < Vth else Vth
        k5v = (-(gL * (v - EL)) + Ist + Ie - te * (v - Eex) - ti * (v - Ein)) / C
        k5e = -te / tex
        k5i = -ti / tin
        # k6
        tv = V + h * (_B61 * k1v + _B62 * k2v + _B63 * k3v + _B64 * k4v + _B65 * k5v)
        te = ge + h * (_B61 * k1e + _B62 * k2e + _B63 * k3e + _B64 * k4e + _B65 * k5e)
        ti = gi + h * (_B61 * k1i + _B62 * k2i + _B63 * k3i + _B64 * k4i + _B65 * k5i)
        v = tv if tv < Vth else Vth
        k6v = (-(gL * (v - EL)) + Ist + Ie - te * (v - Eex) - ti * (v - Ein)) / C
        k6e = -te / tex
        k6i = -ti / tin
        Vn[i] = V + h * (_C1 * k1v + _C3 * k3v + _C4 * k4v + _C5 * k5v + _C6 * k6v)
        gen[i] = ge + h * (_C1 * k1e + _C3 * k3e + _C4 * k4e + _C5 * k5e + _C6 * k6e)
        gin[i] = gi + h * (_C1 * k1i + _C3 * k3i + _C4 * k4i + _C5 * k5i + _C6 * k6i)
        ev = abs(h * (_E1 * k1v + _E3 * k3v + _E4 * k4v + _E5 * k5v + _E6 * k6v)) / 1e-3
        ee = abs(h * (_E1 * k1e + _E3 * k3e + _E4 * k4e + _E5 * k5e + _E6 * k6e)) / 1e-3
        ei = abs(h * (_E1 * k1i + _E3 * k3i + _E4 * k4i + _E5 * k5i + _E6 * k6i)) / 1e-3
        rmax = max(ev, max(ee, ei))
        # accepted as one step when it is a full step and GSL would not shrink it;
        # GSL's next suggestion is then >= dt, which acts exactly like dt
        ok[i] = 1.0 if (S[5, i] >= dt and rmax <= 1.1) else 0.0


@njit(cache=True, error_model="numpy")
def _cond_exp_finish(P, S, I, dt, Vn, gen, gin, out):
    """After integration: add this step's spikes to the conductances, then
    refractoriness and threshold, branch-free (vectorised); out = 1 marks a spike."""
    for i in range(S.shape[1]):
        ge = gen[i] + I[0, i]
        gi = gin[i] - I[1, i]  # inhibitory weights are negative; g_in stays positive
        r = S[3, i]
        refr = r > 0.0
        spike = (not refr) and Vn[i] >= P[0, i]
        S[0, i] = P[1, i] if (refr or spike) else Vn[i]
        S[3, i] = r - 1.0 if refr else (P[16, i] if spike else r)
        S[1, i] = ge
        S[2, i] = gi
        S[4, i] = I[2, i]
        out[i] = 1.0 if spike else 0.0
        # h_int of a neuron that took the full step stays >= dt (GSL would grow
        # it): any value >= dt acts exactly like dt in the next step


@njit(cache=True)
def update_cond_exp(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    # P rows: 0 V_th 1 V_reset 2 t_ref 3 g_L 4 C_m 5 E_ex 6 E_in 7 E_L 8 tau_syn_ex
    #         9 tau_syn_in 10 I_e 11 tau_minus 12 V_m 13 g_ex 14 g_in (inits) | 15 _h 16 _refr
    # S rows: 0 V_m 1 g_ex 2 g_in 3 r 4 I_stim 5 h_int
    n = S.shape[1]
    if n == 0:
        return 0
    if P[15, 0] != dt:
        for i in range(n):
            P[16, i] = float(round(P[2, i] / dt))
            P[15, i] = dt
        for i in range(n):
            if S[5, i] <= 0.0:
                S[5, i] = dt
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
        y[0] = S[0, i]
        y[1] = S[1, i]
        y[2] = S[2, i]
        p[0] = P[3, i]
        p[1] = P[7, i]
        p[2] = P[5, i]
        p[3] = P[6, i]
        p[4] = P[4, i]
        p[5] = P[8, i]
        p[6] = P[9, i]
        p[7] = P[10, i]
        p[8] = S[4, i]
        p[9] = P[0, i]
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
    nf = 0
    for i in range(n):
        if out[i] != 0.0:
            fired[nf] = i
            nf += 1
    return nf


@register
class IafCondExp(NeuronModel):
    """Leaky integrate-and-fire with exponential conductances (NEST ``iaf_cond_exp``).
    Weights are conductance jumps in nS (negative weights: inhibitory, |w| added
    to g_in). Integrated with RKF45 under GSL's control (eps_abs = 1e-3 mV, as NEST)."""

    name: ClassVar[str] = "iaf_cond_exp"
    family: ClassVar[str] = "nest"
    params = {
        "V_th": Var(-55.0, "mV", "spike threshold"),
        "V_reset": Var(-60.0, "mV", "reset potential"),
        "t_ref": Var(2.0, "ms", "absolute refractory period", min=0.0),
        "g_L": Var(16.6667, "nS", "leak conductance", min=0.0),
        "C_m": Var(250.0, "pF", "membrane capacitance", min=1e-12),
        "E_ex": Var(0.0, "mV", "excitatory reversal potential"),
        "E_in": Var(-85.0, "mV", "inhibitory reversal potential"),
        "E_L": Var(-70.0, "mV", "leak reversal potential"),
        "tau_syn_ex": Var(0.2, "ms", "excitatory conductance time constant", min=1e-12),
        "tau_syn_in": Var(2.0, "ms", "inhibitory conductance time constant", min=1e-12),
        "I_e": Var(0.0, "pA", "constant external current"),
        "tau_minus": Var(20.0, "ms", "STDP post-synaptic trace time constant", min=1e-12),
        "V_m": Var(-70.0, "mV", "initial membrane potential"),
        "g_ex": Var(0.0, "nS", "initial excitatory conductance"),
        "g_in": Var(0.0, "nS", "initial inhibitory conductance"),
        "_h": Var(-1.0, "ms", "derived: resolution"),
        "_refr": Var(0.0, "steps", "derived: refractory steps"),
    }
    state = {
        "V_m": Var(-70.0, "mV", "membrane potential"),
        "g_ex": Var(0.0, "nS", "excitatory conductance"),
        "g_in": Var(0.0, "nS", "inhibitory conductance"),
        "r": Var(0.0, "steps", "refractory steps left"),
        "I_stim": Var(0.0, "pA", "current input of the previous step"),
        "h_int": Var(0.0, "ms", "adaptive integration step carried between steps"),
    }
    receptors = RECEPTORS
    voltage = "V_m"
    update = update_cond_exp

    @classmethod
    def init_state(cls, P: np.ndarray, rng_seed: int) -> np.ndarray:
        names = list(cls.params)
        S = np.zeros((len(cls.state), P.shape[1]))
        S[0] = P[names.index("V_m")]
        S[1] = P[names.index("g_ex")]
        S[2] = P[names.index("g_in")]
        return S
