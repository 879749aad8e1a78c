"""What the NEST-family neuron models share: one definition of each common
parameter, the base class that gives them NEST's receptors and initial state,
and the small kernels every step ends with (refractory countdown, spike test,
emission). No model lives here.

Derived rows: a model keeps values computed from its parameters and the
resolution (propagators, refractory steps) in underscore parameter rows; ``_h``
holds the resolution they were made for, and the kernel recomputes them when
it differs from the tick's ``dt`` (:func:`stale`, e.g. on the first tick).
"""
from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import numpy as np
from numba import njit

from ..registry import NeuronModel, Var

#: NEST's default for "no lower bound" (it uses -DBL_MAX or -inf; equivalent here)
NO_FLOOR = -1.7976931348623157e308
#: receptor rows of every NEST-style neuron: sign-routed spikes and currents
RECEPTORS = ("exc", "inh", "current")

#: parameters several NEST models declare, with NEST's iaf_psc_* defaults
#: (:func:`pick` copies them into a model's schema, other defaults by keyword)
COMMON: dict[str, Var] = {
    "C_m": Var(250.0, "pF", "membrane capacitance", min=1e-12),
    "tau_m": Var(10.0, "ms", "membrane time constant", min=1e-12),
    "t_ref": Var(2.0, "ms", "absolute refractory period", min=0.0),
    "g_L": Var(16.6667, "nS", "leak conductance", min=0.0),
    "E_ex": Var(0.0, "mV", "excitatory reversal potential"),
    "E_in": Var(-85.0, "mV", "inhibitory reversal potential"),
    "E_L": Var(-70.0, "mV", "resting potential"),
    "V_reset": Var(-70.0, "mV", "reset potential"),
    "V_th": Var(-55.0, "mV", "spike threshold"),
    "V_min": Var(NO_FLOOR, "mV", "lower bound of V_m"),
    "I_e": Var(0.0, "pA", "constant external current"),
    "tau_minus": Var(20.0, "ms", "STDP post-synaptic trace time constant", min=1e-12),
}
#: state variables several NEST models have (:func:`pick_state`)
STATE: dict[str, Var] = {
    "V_m": Var(-70.0, "mV", "membrane potential"),
    "I_syn_ex": Var(0.0, "pA", "excitatory synaptic current"),
    "I_syn_in": Var(0.0, "pA", "inhibitory synaptic current (negative)"),
    "g_ex": Var(0.0, "nS", "excitatory conductance"),
    "g_in": Var(0.0, "nS", "inhibitory conductance"),
    "r": Var(0.0, "steps", "refractory steps left"),
    "I_stim": Var(0.0, "pA", "current input of the previous step"),
    "h_int": Var(0.0, "ms", "adaptive integration step carried between steps"),
}


def _pick(table: dict[str, Var], names: tuple[str, ...], defaults: dict[str, float]) -> dict[str, Var]:
    unknown = set(defaults) - set(names)
    if unknown:
        raise KeyError(f"defaults for variables not picked: {sorted(unknown)}")
    return {k: replace(table[k], default=defaults[k]) if k in defaults else table[k] for k in names}


def pick(*names: str, **defaults: float) -> dict[str, Var]:
    """The :data:`COMMON` parameters ``names``, in that order; keyword arguments
    give some of them another default."""
    return _pick(COMMON, names, defaults)


def pick_state(*names: str, **defaults: float) -> dict[str, Var]:
    """The :data:`STATE` variables ``names``, as :func:`pick`."""
    return _pick(STATE, names, defaults)


def initial(state: dict[str, Var], *names: str) -> dict[str, Var]:
    """Parameters that set the initial value of the state variables ``names``
    (same name, default and unit; see :class:`NestNeuron`)."""
    return {k: replace(state[k], doc=f"initial {state[k].doc}") for k in names}


def derived(**units: str) -> dict[str, Var]:
    """The derived rows, last in every model: ``_h``, the model's own (by unit)
    and ``_refr``, the refractory period in steps."""
    return {"_h": Var(-1.0, "ms", "derived: resolution the derived rows were made for"),
            **{k: Var(0.0, u, "derived") for k, u in units.items()},
            "_refr": Var(0.0, "steps", "derived: refractory steps")}


def synaptic(what: str, default_ex: float, default_in: float = 2.0) -> dict[str, Var]:
    """``tau_syn_ex``/``tau_syn_in``: the time constants of the two synapse types."""
    return {f"tau_syn_{k}": Var(d, "ms", f"{name} {what}", min=1e-12)
            for k, name, d in (("ex", "excitatory", default_ex), ("in", "inhibitory", default_in))}


def conductances(g_L: float, C_m: float, E_L: float) -> dict[str, Var]:
    """g_L, C_m, E_ex, E_in, E_L: rows 3-7 of both conductance-based models."""
    return {**pick("g_L", "C_m", "E_ex", "E_in", g_L=g_L, C_m=C_m),
            "E_L": Var(E_L, "mV", "leak reversal potential")}


class NestNeuron(NeuronModel):
    """Base of the NEST neurons: receptors ``exc``/``inh`` (spikes, routed by the
    weight's sign) and ``current``; parameters named like state variables
    (``V_m``, ``g_ex``, ...) set the initial value of that state, as NEST's
    ``Create(model, params={...})`` does; every other state starts at 0."""

    family: ClassVar[str] = "nest"
    receptors = RECEPTORS
    voltage = "V_m"

    @classmethod
    def init_state(cls, P: np.ndarray, rng_seed: int) -> np.ndarray:
        names = list(cls.params)
        S = np.zeros((len(cls.state), P.shape[1]))
        for row, key in enumerate(cls.state):
            if key in cls.params:
                S[row] = P[names.index(key)]
        return S


# ----------------------------------------------------------------------------- step kernels


@njit(cache=True, inline="always")
def stale(P, h_row, dt):
    """Whether the derived rows (made for the resolution in row ``h_row``) must be
    recomputed for ``dt``; False for an empty block."""
    return P.shape[1] > 0 and P[h_row, 0] != dt


@njit(cache=True, inline="always")
def mark_prepared(P, i, dt, t_ref_row, h_row, refr_row):
    """The derived rows every model has: the refractory period in whole steps
    (NEST rounds to nearest) and the resolution they were made for."""
    P[refr_row, i] = float(round(P[t_ref_row, i] / dt))
    P[h_row, i] = dt


@njit(cache=True, inline="always")
def integrates(r, i):
    """NEST's refractory countdown: True when unit i integrates this step,
    otherwise one of its refractory steps (``r[i]``) passes."""
    if r[i] == 0.0:
        return True
    r[i] -= 1.0
    return False


@njit(cache=True, inline="always")
def fire(i, m, out, fired, nf):
    """Unit i emits ``m`` > 0 this tick (a spike is 1, a parrot's multiplicity
    more) and is listed among the emitters; returns their new count. Call it
    in the emitting branch only: an unconditional call that tests ``m`` itself
    makes the kernels several times slower."""
    out[i] = m
    fired[nf] = i
    return nf + 1


@njit(cache=True, inline="always")
def threshold(P, i, y, E_L, th_row, reset_row, refr_row, r, out, fired, nf):
    """NEST's spike test at the end of a step, on y = V_m - E_L: y >= V_th - E_L
    emits a spike, resets y to V_reset - E_L and starts the refractory period
    (P rows ``th_row``, ``reset_row``, ``refr_row``: V_th, V_reset, refractory
    steps). Returns (y, emitter count)."""
    if y >= P[th_row, i] - E_L:
        r[i] = P[refr_row, i]
        return P[reset_row, i] - E_L, fire(i, 1.0, out, fired, nf)
    out[i] = 0.0
    return y, nf
