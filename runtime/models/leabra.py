"""Leabra rate-code (and optional spiking) units with per-layer FFFB / k-WTA inhibition.

The numerics follow emergent's Leabra (github.com/emer/leabra, Go, whose unit
tests were validated against C++ emergent 8.5.6); every equation, default and
deviation is documented in ``docs/leabra.md``. Names follow emergent, with
Leabra7's names where the API exposes them.

One call of :func:`update` advances every unit of every layer merged into the
block by one Leabra *cycle* (one tick; ``dt`` is ignored: a cycle is the unit of
time, scaled by the ``integ`` parameter as in emergent).

Array layout (see :mod:`runtime.registry`):

* ``P[row, unit]`` rows in the order of :attr:`LeabraUnit.params`,
* ``S[row, unit]`` rows in the order of :attr:`LeabraUnit.state`,
* ``G[layer, row]`` / ``L[layer, row]`` in the order of ``group_params`` /
  ``group_state``; ``seg[layer] : seg[layer + 1]`` are the units of a layer,
* ``I[0]`` (receptor ``exc``) is the excitatory net input delivered this cycle,
  i.e. the full sum ``sum_projections gscale * wt * act_sent`` sent at the end
  of the previous cycle (emergent's ``GeRaw``); ``I[1]`` (``inh``) is the same
  for inhibitory projections (``GiRaw``),
* ``out[unit]`` is the activity the unit transmits: ``act_sent``, emergent's
  thresholded send value (0 when ``act <= send_thr``; refreshed only when it
  moved by more than ``delta_thr``). ``fired`` lists the units with ``out != 0``.

Modulator channels read by this family (indices into ``mods``; the API sets them):

* ``mods[M_PHASE]`` (3): 0 = free cycling, 1 = minus phase, 2 = plus phase.
  During the minus (plus) phase each cycle copies ``act`` into ``act_m``
  (``act_p``) and the layer mean into ``acts_m_avg`` (``acts_p_avg``), so at
  the end of a phase they hold the phase's final values.
* ``mods[M_TRIAL_START]`` (4): 1 on the first tick of a trial. That tick is a
  *send-only* tick: the input delivered from the previous trial is discarded,
  nothing integrates, and the (decayed, clamped) activities set by
  :func:`trial_init` are sent, exactly as emergent's ``AlphaCycInit`` followed
  by the first ``SendGDelta``.
* ``mods[M_LEARN]`` (2): 1 on a learning tick. Units are frozen (re-send their
  ``out``) and the ``xcal`` synapses apply their weight change.

Besides the contract kernel the module provides trial-boundary helpers the API
calls between ticks (all ``@njit`` over the same arrays): :func:`trial_init`
(emergent ``AlphaCycInit``), :func:`plus_phase_end` (emergent ``PlusPhase``),
:func:`init_block` (emergent ``InitWeights`` for unit/layer state) and the
activation functions :func:`nxx1` and :func:`xcal_fun` (tested against emergent's
published values).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from runtime.registry import NeuronModel, Var, register

__all__ = [
    "LeabraUnit", "update", "trial_init", "plus_phase_end", "init_block",
    "nxx1", "nxx1_conv", "nxx1_params", "xcal_fun", "M_PHASE", "M_TRIAL_START", "M_LEARN",
    "N_MODS", "INHIB_FFFB", "INHIB_KWTA", "INHIB_KWTA_AVG", "INHIB_NONE",
]

# ---------------------------------------------------------------------------
# modulator channels: the runtime's fixed layout (runtime/modulators.py)
from ..modulators import MOD_LEARN as M_LEARN, MOD_PHASE as M_PHASE, MOD_TRIAL_START as M_TRIAL_START  # noqa: E402

N_MODS = 5

# inhibition types (G row ``inhib_type``)
INHIB_FFFB = 0
INHIB_KWTA = 1
INHIB_KWTA_AVG = 2
INHIB_NONE = 3

# ---------------------------------------------------------------------------
# per-unit parameters (UnitSpec). Dimensionless normalized units throughout
# (emergent's normalized potentials: 0 = -100 mV, 1 = +0 mV ...; conductances
# relative to a maximum; time in cycles, 1 cycle ~ 1 ms).
_PARAMS: dict[str, Var] = {
    "integ": Var(1.0, "cycle", "global integration step multiplying vm_dt and net_dt (emergent Dt.Integ)", 0.0),
    "vm_dt": Var(1.0 / 3.3, "1/cycle", "membrane potential and rate-code activation rate (1/VmTau, VmTau=3.3)", 0.0, 1.0),
    "net_dt": Var(1.0 / 1.4, "1/cycle", "net-input (conductance) integration rate (1/GTau, GTau=1.4)", 0.0, 1.0),
    "gbar_e": Var(1.0, "1", "maximal excitatory conductance", 0.0),
    "gbar_l": Var(0.1, "1", "leak conductance (Leabra7: gc_l); emergent's default 0.1 (was 0.2 before 2019)", 0.0),
    "gbar_i": Var(1.0, "1", "maximal inhibitory conductance", 0.0),
    "e_rev_e": Var(1.0, "1", "excitatory reversal potential (normalized; 1 = 0 mV)"),
    "e_rev_l": Var(0.3, "1", "leak reversal potential (normalized; 0.3 = -70 mV)"),
    "e_rev_i": Var(0.25, "1", "inhibitory reversal potential (normalized; 0.25 = -75 mV)"),
    "thr": Var(0.5, "1", "firing threshold Theta for the rate code and for spikes (Leabra7: spk_thr)"),
    "gain": Var(100.0, "1", "gain of the NXX1 activation function (Leabra7: act_gain)", 0.0),
    "nvar": Var(0.005, "1", "noise parameter of NXX1 (C++ kernel exp(-z^2/nvar^2)) (Leabra7: act_nvar)", 1e-12),
    "vm_act_thr": Var(0.01, "1", "act below which activation is driven by vm - thr instead of ge - ge_thr"),
    "vm_min": Var(0.0, "1", "lower bound of vm"),
    "vm_max": Var(2.0, "1", "upper bound of vm"),
    "act_fun": Var(0.0, "enum", "0 = NXX1 rate code (Go approximation), 1 = discrete spikes with rate-code estimate act_eq, 2 = NXX1 by explicit convolution (C++ emergent 8)"),
    "v_m_r": Var(0.3, "1", "spike mode: vm after a spike (emergent spike_misc.vm_r)"),
    "t_r": Var(0.0, "cycle", "spike mode: refractory period after a spike (vm held at v_m_r)", 0.0),
    "spike_eq_gain": Var(8.0, "1", "spike mode: act = eq_gain * running spike rate (emergent spike.eq_gain)", 0.0),
    "spike_eq_dt": Var(0.02, "1/cycle", "spike mode: rate of the running spike-rate average (emergent spike.eq_dt)", 0.0, 1.0),
    "adapt_dt": Var(0.0, "1/cycle", "AdEx adaptation rate (1/144 when on); 0 turns adaptation off (emergent adapt.on=false)", 0.0, 1.0),
    "vm_gain": Var(0.04, "1", "adaptation: gain of vm - e_rev_l driving adapt", 0.0),
    "spike_gain": Var(0.00805, "1", "adaptation: increment of adapt per spike (rate code: per expected spike act/spike_eq_gain)", 0.0),
    "self_gi": Var(0.0, "1", "self-inhibition strength (emergent Inhib.Self.Gi; 0 = off)", 0.0),
    "self_dt": Var(1.0 / 1.4, "1/cycle", "self-inhibition integration rate", 0.0, 1.0),
    "ss_dt": Var(0.5, "1/cycle", "super-short average avg_ss rate (1/SSTau, SSTau=2)", 0.0, 1.0),
    "s_dt": Var(0.5, "1/cycle", "short average avg_s rate (1/STau, STau=2)", 0.0, 1.0),
    "m_dt": Var(0.1, "1/cycle", "medium average avg_m rate (1/MTau, MTau=10)", 0.0, 1.0),
    "lrn_m": Var(0.1, "1", "share of avg_m mixed into avg_s_lrn = (1-lrn_m) avg_s + lrn_m avg_m", 0.0, 1.0),
    "avg_init": Var(0.15, "1", "initial avg_ss, avg_s, avg_m and act_avg", 0.0, 1.0),
    "avg_l_init": Var(0.4, "1", "initial avg_l", 0.0, 1.0),
    "avg_l_gain": Var(2.5, "1", "avg_l moves toward avg_l_gain * avg_m", 0.0),
    "avg_l_min": Var(0.2, "1", "floor of avg_l", 0.0),
    "avg_l_dt": Var(0.1, "1/trial", "avg_l rate per trial (1/Tau, Tau=10)", 0.0, 1.0),
    "avg_l_lrn_max": Var(0.5, "1", "avg_l_lrn at avg_l = avg_l_gain", 0.0),
    "avg_l_lrn_min": Var(0.0001, "1", "avg_l_lrn at avg_l = avg_l_min", 0.0),
    "avg_l_err_mod": Var(1.0, "bool", "scale avg_l_lrn by the layer's error level (1 - cos_diff_avg)"),
    "avg_l_mod_min": Var(0.01, "1", "floor of that error modulation", 0.0),
    "act_avg_dt": Var(1.0 / 200.0, "1/trial", "rate of the long-run act_avg (1/AvgTau, AvgTau=200)", 0.0, 1.0),
    "clamp_hard": Var(1.0, "bool", "1: clamped units take act = ext; 0: soft clamp, ext adds to the net input"),
    "clamp_min": Var(0.0, "1", "hard clamp range minimum"),
    "clamp_max": Var(0.95, "1", "hard clamp range maximum (rate code saturates below 1)"),
    "clamp_gain": Var(0.2, "1", "soft clamp: ge_raw += clamp_gain * ext", 0.0),
    "clamp_avg": Var(0.0, "bool", "soft clamp as a weighted average instead of a sum"),
    "clamp_avg_gain": Var(0.2, "1", "soft clamp average weight of clamp_gain * ext", 0.0, 1.0),
    "init_vm": Var(0.4, "1", "vm after initialization / full decay"),
    "init_act": Var(0.0, "1", "act after initialization / full decay"),
    "init_ge": Var(0.0, "1", "ge after initialization / full decay"),
    "decay": Var(1.0, "1", "proportion of activation state decayed toward init at each trial start (0 = none)", 0.0, 1.0),
    "send_thr": Var(0.1, "1", "units with act <= send_thr send nothing (emergent OptThresh.Send)", 0.0),
    "delta_thr": Var(0.005, "1", "sent activity is refreshed only when act moved more than this (OptThresh.Delta)", 0.0),
}

_STATE: dict[str, Var] = {
    "act": Var(0.0, "1", "rate-code activation (spike mode: act_eq)"),
    "act_lrn": Var(0.0, "1", "non-adapted activation driving the learning averages (emergent ActLrn)"),
    "act_sent": Var(0.0, "1", "activity last sent to receivers (= out)"),
    "ge": Var(0.0, "1", "excitatory conductance / net input (Leabra7: net)"),
    "ge_raw": Var(0.0, "1", "net input delivered this cycle (incl. soft clamp)"),
    "gi": Var(0.0, "1", "total inhibitory conductance (Leabra7: gc_i)"),
    "gi_syn": Var(0.0, "1", "inhibitory conductance from inhibitory projections"),
    "gi_self": Var(0.0, "1", "self-inhibition conductance"),
    "inet": Var(0.0, "1", "net membrane current (Leabra7: i_net)"),
    "vm": Var(0.4, "1", "membrane potential (Leabra7: v_m)"),
    "spike": Var(0.0, "1", "1 on a cycle with a spike (spike mode)"),
    "isi": Var(0.0, "cycle", "cycles since the last spike (spike mode; refractoriness)"),
    "avg_spk": Var(0.0, "1/cycle", "running average spike rate (spike mode)"),
    "adapt": Var(0.0, "1", "adaptation current"),
    "avg_ss": Var(0.15, "1", "super-short running average of act_lrn"),
    "avg_s": Var(0.15, "1", "short running average (plus-phase signal)"),
    "avg_m": Var(0.15, "1", "medium running average (minus-phase signal)"),
    "avg_s_lrn": Var(0.15, "1", "avg_s mixed with lrn_m * avg_m, used by XCAL"),
    "avg_l": Var(0.4, "1", "long-term average (BCM floating threshold), per trial"),
    "avg_l_lrn": Var(0.0, "1", "weight of the BCM (avg_l) term in XCAL"),
    "act_m": Var(0.0, "1", "act at the end of the minus phase"),
    "act_p": Var(0.0, "1", "act at the end of the plus phase"),
    "act_dif": Var(0.0, "1", "act_p - act_m"),
    "act_avg": Var(0.15, "1", "long-run average of act_p (per trial, act_avg_dt)"),
    "ext": Var(0.0, "1", "external (clamp) value, set by the API"),
    "clamped": Var(0.0, "bool", "1 when the unit receives external input (hard or soft per clamp_hard)"),
}

_GROUP_PARAMS: dict[str, Var] = {
    "inhib_type": Var(0.0, "enum", "0 = FFFB, 1 = k-WTA, 2 = k-WTA-avg, 3 = none"),
    "gi": Var(1.8, "1", "FFFB overall inhibition gain", 0.0),
    "ff": Var(1.0, "1", "FFFB feedforward gain (on average net input above ff0)", 0.0),
    "fb": Var(1.0, "1", "FFFB feedback gain (on average activation)", 0.0),
    "fb_dt": Var(1.0 / 1.4, "1/cycle", "FFFB feedback integration rate (1/FBTau, FBTau=1.4)", 0.0, 1.0),
    "ff0": Var(0.1, "1", "FFFB feedforward zero point"),
    "max_vs_avg": Var(0.0, "1", "FFFB: share of max vs average net input in the feedforward term", 0.0, 1.0),
    "kwta_pct": Var(0.25, "1", "k-WTA: k = round(kwta_pct * size)", 0.0, 1.0),
    "kwta_pt": Var(0.25, "1", "k-WTA: inhibition between the k+1-th (0) and k-th (1) threshold", 0.0, 1.0),
    "act_avg_init": Var(0.15, "1", "expected layer activity (initial acts_p_avg_eff)", 0.0, 1.0),
    "act_avg_dt": Var(0.01, "1/trial", "rate of the running layer activity averages (1/Tau, Tau=100)", 0.0, 1.0),
    "act_avg_fixed": Var(0.0, "bool", "1: acts_p_avg_eff stays act_avg_init"),
    "act_avg_use_first": Var(1.0, "bool", "1: first measured average replaces half the initial guess"),
    "act_avg_adjust": Var(1.0, "1", "multiplier from the running average to acts_p_avg_eff", 0.0),
    "cos_diff_dt": Var(0.01, "1/trial", "rate of the running cos_diff average (1/Tau, Tau=100)", 0.0, 1.0),
}

_GROUP_STATE: dict[str, Var] = {
    "ge_avg": Var(0.0, "1", "mean ge over the layer this cycle"),
    "ge_max": Var(0.0, "1", "max ge over the layer this cycle"),
    "act_avg": Var(0.0, "1", "mean act over the layer (end of cycle)"),
    "act_max": Var(0.0, "1", "max act over the layer (end of cycle)"),
    "ffi": Var(0.0, "1", "feedforward inhibition"),
    "fbi": Var(0.0, "1", "feedback inhibition (integrated)"),
    "gi": Var(0.0, "1", "layer inhibitory conductance (Leabra7: gc_i)"),
    "acts_m_avg": Var(0.0, "1", "mean act at the end of the minus phase"),
    "acts_p_avg": Var(0.0, "1", "mean act at the end of the plus phase"),
    "acts_m_avg_run": Var(0.15, "1", "running average of acts_m_avg (emergent ActMAvg)"),
    "acts_p_avg_run": Var(0.15, "1", "running average of acts_p_avg (emergent ActPAvg)"),
    "acts_p_avg_eff": Var(0.15, "1", "effective sending activity used for net-input scaling (ActPAvgEff)"),
    "cos_diff": Var(0.0, "1", "cosine of minus vs plus activity (zero-mean) on the last trial"),
    "cos_diff_avg": Var(0.0, "1", "running average of cos_diff"),
    "cos_diff_var": Var(0.0, "1", "running variance of cos_diff"),
    "mod_avg_l_lrn": Var(0.0, "1", "error modulation of avg_l_lrn (0 on target layers)"),
    "clamped_m": Var(0.0, "bool", "some unit was clamped during the minus phase of this trial"),
    "clamped_p": Var(0.0, "bool", "some unit was clamped during the plus phase of this trial"),
    "is_target": Var(0.0, "bool", "clamped in plus but not in minus on the last trial (BCM off)"),
}


def _idx(d: dict[str, Var]) -> dict[str, int]:
    return {k: i for i, k in enumerate(d)}


_p = _idx(_PARAMS)
_s = _idx(_STATE)
_g = _idx(_GROUP_PARAMS)
_l = _idx(_GROUP_STATE)

# Row indices as module constants: Numba freezes them into the kernels.
P_INTEG = _p["integ"]; P_VM_DT = _p["vm_dt"]; P_NET_DT = _p["net_dt"]
P_GBAR_E = _p["gbar_e"]; P_GBAR_L = _p["gbar_l"]; P_GBAR_I = _p["gbar_i"]
P_E_REV_E = _p["e_rev_e"]; P_E_REV_L = _p["e_rev_l"]; P_E_REV_I = _p["e_rev_i"]
P_THR = _p["thr"]; P_GAIN = _p["gain"]; P_NVAR = _p["nvar"]; P_VM_ACT_THR = _p["vm_act_thr"]
P_VM_MIN = _p["vm_min"]; P_VM_MAX = _p["vm_max"]; P_ACT_FUN = _p["act_fun"]
P_V_M_R = _p["v_m_r"]; P_T_R = _p["t_r"]; P_SPIKE_EQ_GAIN = _p["spike_eq_gain"]; P_SPIKE_EQ_DT = _p["spike_eq_dt"]
P_ADAPT_DT = _p["adapt_dt"]; P_VM_GAIN = _p["vm_gain"]; P_SPIKE_GAIN = _p["spike_gain"]
P_SELF_GI = _p["self_gi"]; P_SELF_DT = _p["self_dt"]
P_SS_DT = _p["ss_dt"]; P_S_DT = _p["s_dt"]; P_M_DT = _p["m_dt"]; P_LRN_M = _p["lrn_m"]; P_AVG_INIT = _p["avg_init"]
P_AVG_L_INIT = _p["avg_l_init"]; P_AVG_L_GAIN = _p["avg_l_gain"]; P_AVG_L_MIN = _p["avg_l_min"]
P_AVG_L_DT = _p["avg_l_dt"]; P_AVG_L_LRN_MAX = _p["avg_l_lrn_max"]; P_AVG_L_LRN_MIN = _p["avg_l_lrn_min"]
P_AVG_L_ERR_MOD = _p["avg_l_err_mod"]; P_AVG_L_MOD_MIN = _p["avg_l_mod_min"]; P_ACT_AVG_DT = _p["act_avg_dt"]
P_CLAMP_HARD = _p["clamp_hard"]; P_CLAMP_MIN = _p["clamp_min"]; P_CLAMP_MAX = _p["clamp_max"]
P_CLAMP_GAIN = _p["clamp_gain"]; P_CLAMP_AVG = _p["clamp_avg"]; P_CLAMP_AVG_GAIN = _p["clamp_avg_gain"]
P_INIT_VM = _p["init_vm"]; P_INIT_ACT = _p["init_act"]; P_INIT_GE = _p["init_ge"]; P_DECAY = _p["decay"]
P_SEND_THR = _p["send_thr"]; P_DELTA_THR = _p["delta_thr"]

S_ACT = _s["act"]; S_ACT_LRN = _s["act_lrn"]; S_ACT_SENT = _s["act_sent"]; S_GE = _s["ge"]; S_GE_RAW = _s["ge_raw"]
S_GI = _s["gi"]; S_GI_SYN = _s["gi_syn"]; S_GI_SELF = _s["gi_self"]; S_INET = _s["inet"]; S_VM = _s["vm"]
S_SPIKE = _s["spike"]; S_ISI = _s["isi"]; S_AVG_SPK = _s["avg_spk"]; S_ADAPT = _s["adapt"]
S_AVG_SS = _s["avg_ss"]; S_AVG_S = _s["avg_s"]; S_AVG_M = _s["avg_m"]; S_AVG_S_LRN = _s["avg_s_lrn"]
S_AVG_L = _s["avg_l"]; S_AVG_L_LRN = _s["avg_l_lrn"]; S_ACT_M = _s["act_m"]; S_ACT_P = _s["act_p"]
S_ACT_DIF = _s["act_dif"]; S_ACT_AVG = _s["act_avg"]; S_EXT = _s["ext"]; S_CLAMPED = _s["clamped"]

G_INHIB_TYPE = _g["inhib_type"]; G_GI = _g["gi"]; G_FF = _g["ff"]; G_FB = _g["fb"]; G_FB_DT = _g["fb_dt"]
G_FF0 = _g["ff0"]; G_MAX_VS_AVG = _g["max_vs_avg"]; G_KWTA_PCT = _g["kwta_pct"]; G_KWTA_PT = _g["kwta_pt"]
G_ACT_AVG_INIT = _g["act_avg_init"]; G_ACT_AVG_DT = _g["act_avg_dt"]; G_ACT_AVG_FIXED = _g["act_avg_fixed"]
G_ACT_AVG_USE_FIRST = _g["act_avg_use_first"]; G_ACT_AVG_ADJUST = _g["act_avg_adjust"]; G_COS_DIFF_DT = _g["cos_diff_dt"]

L_GE_AVG = _l["ge_avg"]; L_GE_MAX = _l["ge_max"]; L_ACT_AVG = _l["act_avg"]; L_ACT_MAX = _l["act_max"]
L_FFI = _l["ffi"]; L_FBI = _l["fbi"]; L_GI = _l["gi"]; L_ACTS_M_AVG = _l["acts_m_avg"]; L_ACTS_P_AVG = _l["acts_p_avg"]
L_ACTS_M_AVG_RUN = _l["acts_m_avg_run"]; L_ACTS_P_AVG_RUN = _l["acts_p_avg_run"]; L_ACTS_P_AVG_EFF = _l["acts_p_avg_eff"]
L_COS_DIFF = _l["cos_diff"]; L_COS_DIFF_AVG = _l["cos_diff_avg"]; L_COS_DIFF_VAR = _l["cos_diff_var"]
L_MOD_AVG_L_LRN = _l["mod_avg_l_lrn"]; L_CLAMPED_M = _l["clamped_m"]; L_CLAMPED_P = _l["clamped_p"]
L_IS_TARGET = _l["is_target"]

# Fixed shape constants of emergent's NXX1 approximation (nxx1.Params defaults).
_SIG_MULT = 0.33
_SIG_MULT_POW = 0.8
_SIG_GAIN = 3.0
_INTERP_RANGE = 0.01
_GAIN_COR_RANGE = 10.0
_GAIN_COR = 0.1


# ---------------------------------------------------------------------------
# activation function

@njit(cache=True, inline="always")
def _xx1_gain_cor(x: float, gain: float, nvar: float) -> float:
    """x/(x+1) of gain*x, with the gain reduced near threshold (within
    GAIN_COR_RANGE * nvar) to compensate for the convolution's smoothing."""
    fact = (_GAIN_COR_RANGE - x / nvar) / _GAIN_COR_RANGE
    if fact < 0.0:
        gx = gain * x
    else:
        gx = gain * (1.0 - _GAIN_COR * fact) * x
    return gx / (gx + 1.0)


@njit(cache=True)
def nxx1_params(gain: float, nvar: float) -> tuple[float, float, float]:
    """Derived constants of the NXX1 approximation for (gain, nvar):
    ``(sig_mult_eff, sig_val_at_0, interp_val)``."""
    sig_mult_eff = _SIG_MULT * (gain * nvar) ** _SIG_MULT_POW
    sig_val_at_0 = 0.5 * sig_mult_eff
    interp_val = _xx1_gain_cor(_INTERP_RANGE, gain, nvar) - sig_val_at_0
    return sig_mult_eff, sig_val_at_0, interp_val


@njit(cache=True, inline="always")
def _nxx1(x: float, gain: float, nvar: float, sig_mult_eff: float,
          sig_val_at_0: float, interp_val: float) -> float:
    if x < 0.0:
        # below threshold: the convolution's tail, approximated by a logistic
        return sig_mult_eff / (1.0 + np.exp(-x * (_SIG_GAIN / nvar)))
    elif x < _INTERP_RANGE:
        # linear bridge from the logistic's value at 0 to the gain-corrected XX1
        return sig_val_at_0 + (x / _INTERP_RANGE) * interp_val
    return _xx1_gain_cor(x, gain, nvar)


@njit(cache=True)
def nxx1(x: float, gain: float = 100.0, nvar: float = 0.005) -> float:
    """Noisy x/(x+1) of the distance to threshold ``x`` (emergent's closed-form
    approximation of x/(x+1) convolved with a Gaussian of variance ``nvar``)."""
    a, b, c = nxx1_params(gain, nvar)
    return _nxx1(x, gain, nvar, a, b, c)


@njit(cache=True)
def nxx1_conv(x: float, gain: float = 100.0, nvar: float = 0.005) -> float:
    """x/(x+1) of gain*x convolved with C++ emergent 8's discrete noise kernel:
    weights exp(-z^2 / nvar^2) at z = -3 nvar ... 3 nvar in steps of 0.001,
    normalized (LeabraUnitSpec::CreateNXX1Fun; there tabulated and interpolated,
    here evaluated at x directly)."""
    res = 0.001
    rng = 3.0 * nvar
    if rng < res:
        rng = res
    nk = int(rng / res + 1e-9)
    var = nvar * nvar if nvar > 1e-6 else 1e-12
    wsum = 0.0
    acc = 0.0
    for j in range(-nk, nk + 1):
        z = j * res
        wk = np.exp(-(z * z) / var)
        y = x - z
        f = gain * y / (gain * y + 1.0) if y > 0.0 else 0.0
        acc += wk * f
        wsum += wk
    return acc / wsum


@njit(cache=True, inline="always")
def xcal_core(srval: float, thr: float, d_thr: float, d_rev: float) -> float:
    """The XCAL 'check-mark' function of co-product ``srval`` and threshold ``thr``.

    0 below ``d_thr``; ``srval - thr`` above ``thr * d_rev``; in between a line
    back to 0 with slope ``-(1 - d_rev) / d_rev``. Inlined into the xcal
    synapse's weight-change sweeps (runtime/synapses/xcal.py).
    """
    if srval < d_thr:
        return 0.0
    if srval > thr * d_rev:
        return srval - thr
    if d_rev > 0.0:
        return -srval * (1.0 - d_rev) / d_rev
    return -srval


@njit(cache=True)
def xcal_fun(srval: float, thr: float, d_thr: float = 0.0001, d_rev: float = 0.1) -> float:
    """:func:`xcal_core` with Leabra's default ``d_thr`` and ``d_rev``."""
    return xcal_core(srval, thr, d_thr, d_rev)


# ---------------------------------------------------------------------------
# the cycle kernel

@njit(cache=True, inline="always", error_model="numpy")
def _send(P: Any, S: Any, i: int) -> float:
    """emergent's SendGDelta rule, applied to the value that is sent: nothing at
    or below send_thr; refresh only on changes larger than delta_thr."""
    act = S[S_ACT, i]
    sent = S[S_ACT_SENT, i]
    if act > P[P_SEND_THR, i]:
        if abs(act - sent) > P[P_DELTA_THR, i]:
            sent = act
    elif sent > P[P_SEND_THR, i]:
        sent = 0.0
    S[S_ACT_SENT, i] = sent
    return sent


@njit(cache=True)
def _kwta_gi(P: Any, S: Any, G: Any, g: int, a: int, b: int) -> float:
    """k-WTA inhibition of layer ``g``: the gi that puts units exactly at threshold
    (from their current ge), placed between the k-th and (k+1)-th highest
    (kwta) or between the averages of the top k and of the rest (kwta_avg)."""
    n = b - a
    thr_g = np.empty(n)
    for i in range(a, b):
        thr = P[P_THR, i]
        num = (S[S_GE, i] * P[P_GBAR_E, i] * (P[P_E_REV_E, i] - thr)
               + P[P_GBAR_L, i] * (P[P_E_REV_L, i] - thr) - S[S_ADAPT, i])
        den = (thr - P[P_E_REV_I, i]) * P[P_GBAR_I, i]
        thr_g[i - a] = num / den if den != 0.0 else 0.0
    k = int(np.floor(G[g, G_KWTA_PCT] * n + 0.5))
    k = min(max(k, 1), n)
    pt = G[g, G_KWTA_PT]
    srt = np.sort(thr_g)[::-1]  # descending
    if k >= n:
        return srt[n - 1]
    if int(G[g, G_INHIB_TYPE]) == INHIB_KWTA:
        return srt[k] + pt * (srt[k - 1] - srt[k])
    top = 0.0
    for j in range(k):
        top += srt[j]
    rest = 0.0
    for j in range(k, n):
        rest += srt[j]
    top /= k
    rest /= n - k
    return rest + pt * (top - rest)


@njit(cache=True, error_model="numpy")
def update(P, S, I, out, fired, seg, G, L, t, dt, mods, rng) -> int:
    """One Leabra cycle for all units of all layers of the block.

    Order (emergent ``Network.Cycle``): net input from ``I`` -> layer average /
    max ge -> layer inhibition (FFFB from this cycle's ge and the previous
    cycle's average act, or k-WTA) -> per unit vm and act -> learning averages
    -> layer average / max act -> ``out`` = sent activity.
    Returns the number of units written to ``fired`` (those with ``out != 0``).
    """
    n = S.shape[1]
    n_layers = seg.shape[0] - 1
    phase = int(mods[M_PHASE])
    nf = 0
    if mods[M_TRIAL_START] > 0.0 or mods[M_LEARN] > 0.0:
        # send-only / frozen tick (see module doc): no integration
        for i in range(n):
            v = _send(P, S, i)
            out[i] = v
            if v != 0.0:
                fired[nf] = i
                nf += 1
        return nf

    has_inh = I.shape[0] > 1
    # 1. conductances from the delivered net input
    for i in range(n):
        ge_raw = I[0, i]
        if S[S_CLAMPED, i] > 0.0 and P[P_CLAMP_HARD, i] == 0.0:
            # soft clamp: external input adds to (or averages with) the net input
            ext = S[S_EXT, i]
            if P[P_CLAMP_AVG, i] != 0.0:
                ag = P[P_CLAMP_AVG_GAIN, i]
                ge_raw = ag * P[P_CLAMP_GAIN, i] * ext + (1.0 - ag) * ge_raw
            else:
                ge_raw += ext * P[P_CLAMP_GAIN, i]
        S[S_GE_RAW, i] = ge_raw
        gdt = P[P_INTEG, i] * P[P_NET_DT, i]
        S[S_GE, i] += gdt * (ge_raw - S[S_GE, i])
        if has_inh:
            gis = S[S_GI_SYN, i] + gdt * (I[1, i] - S[S_GI_SYN, i])
            S[S_GI_SYN, i] = gis if gis > 0.0 else 0.0

    # 2. layer inhibition
    for g in range(n_layers):
        a = seg[g]
        b = seg[g + 1]
        if b <= a:
            continue
        gsum = 0.0
        gmax = 0.0
        for i in range(a, b):
            ge = S[S_GE, i]
            gsum += ge
            if ge > gmax:
                gmax = ge
        gavg = gsum / (b - a)
        L[g, L_GE_AVG] = gavg
        L[g, L_GE_MAX] = gmax
        itype = int(G[g, G_INHIB_TYPE])
        if itype == INHIB_FFFB:
            ffnet = gavg + G[g, G_MAX_VS_AVG] * (gmax - gavg)
            ffi = G[g, G_FF] * (ffnet - G[g, G_FF0]) if ffnet > G[g, G_FF0] else 0.0
            L[g, L_FFI] = ffi
            L[g, L_FBI] += G[g, G_FB_DT] * (G[g, G_FB] * L[g, L_ACT_AVG] - L[g, L_FBI])
            L[g, L_GI] = G[g, G_GI] * (ffi + L[g, L_FBI])
        elif itype == INHIB_KWTA or itype == INHIB_KWTA_AVG:
            L[g, L_GI] = _kwta_gi(P, S, G, g, a, b)
        else:
            L[g, L_GI] = 0.0

    # 3. membrane potential, activation, learning averages, sending
    p_gain = -1.0
    p_nvar = -1.0
    sme = 0.0
    sv0 = 0.0
    ival = 0.0
    for g in range(n_layers):
        a = seg[g]
        b = seg[g + 1]
        n_clamped = 0
        asum = 0.0
        amax = 0.0
        lay_gi = L[g, L_GI]
        for i in range(a, b):
            gain = P[P_GAIN, i]
            nvar = P[P_NVAR, i]
            if gain != p_gain or nvar != p_nvar:
                # derived NXX1 constants need a pow(); reuse them while the
                # parameters repeat (they are per layer in practice)
                sme, sv0, ival = nxx1_params(gain, nvar)
                p_gain = gain
                p_nvar = nvar
            if P[P_SELF_GI, i] > 0.0:
                S[S_GI_SELF, i] += P[P_SELF_DT, i] * (P[P_SELF_GI, i] * S[S_ACT, i] - S[S_GI_SELF, i])
            else:
                S[S_GI_SELF, i] = 0.0
            gi = lay_gi + S[S_GI_SELF, i] + S[S_GI_SYN, i]
            S[S_GI, i] = gi
            thr = P[P_THR, i]
            if S[S_CLAMPED, i] > 0.0:
                n_clamped += 1
            if S[S_CLAMPED, i] > 0.0 and P[P_CLAMP_HARD, i] != 0.0:
                # hard clamp (emergent HardClamp)
                v = S[S_EXT, i]
                lo = P[P_CLAMP_MIN, i]
                hi = P[P_CLAMP_MAX, i]
                v = lo if v < lo else (hi if v > hi else v)
                S[S_ACT, i] = v
                S[S_ACT_LRN, i] = v
                S[S_VM, i] = thr + v / gain
                S[S_INET, i] = 0.0
                S[S_SPIKE, i] = 0.0
            else:
                vm = S[S_VM, i]
                ge_e = S[S_GE, i] * P[P_GBAR_E, i]
                gi_e = gi * P[P_GBAR_I, i]
                gl = P[P_GBAR_L, i]
                e_e = P[P_E_REV_E, i]
                e_l = P[P_E_REV_L, i]
                e_i = P[P_E_REV_I, i]
                adapt = S[S_ADAPT, i]
                inet = ge_e * (e_e - vm) + gl * (e_l - vm) + gi_e * (e_i - vm) - adapt
                S[S_INET, i] = inet
                vdt = P[P_INTEG, i] * P[P_VM_DT, i]
                spike = 0.0
                if P[P_ACT_FUN, i] != 1.0:
                    # rate code (0: NXX1 approximation, 2: NXX1 convolution): vm never resets
                    vm += vdt * inet
                    vm = P[P_VM_MIN, i] if vm < P[P_VM_MIN, i] else (P[P_VM_MAX, i] if vm > P[P_VM_MAX, i] else vm)
                    act = S[S_ACT, i]
                    conv = P[P_ACT_FUN, i] == 2.0
                    if act < P[P_VM_ACT_THR, i] and vm <= thr:
                        # sub-threshold: driven by vm so activity does not jump on
                        x1 = vm - thr
                        x2 = x1
                    else:
                        # gelin: distance of ge from the ge that holds vm at thr
                        den = thr - e_e
                        gthr_nok = (gi_e * (e_i - thr) + gl * (e_l - thr)) / den
                        x1 = ge_e - (gthr_nok - adapt / den)
                        x2 = ge_e - gthr_nok
                    if conv:
                        new_act = nxx1_conv(x1, gain, nvar)
                        new_lrn = new_act if x2 == x1 else nxx1_conv(x2, gain, nvar)
                    else:
                        new_act = _nxx1(x1, gain, nvar, sme, sv0, ival)
                        new_lrn = new_act if x2 == x1 else _nxx1(x2, gain, nvar, sme, sv0, ival)
                    S[S_ACT, i] = act + vdt * (new_act - act)
                    S[S_ACT_LRN, i] += vdt * (new_lrn - S[S_ACT_LRN, i])
                    eq_rate = S[S_ACT, i] / P[P_SPIKE_EQ_GAIN, i] if P[P_SPIKE_EQ_GAIN, i] > 0.0 else 0.0
                else:
                    # discrete spikes; the transmitted act is the rate-code estimate
                    isi = S[S_ISI, i] + 1.0
                    if isi <= P[P_T_R, i]:
                        vm = P[P_V_M_R, i]
                    else:
                        vm += vdt * inet
                        vm = P[P_VM_MIN, i] if vm < P[P_VM_MIN, i] else (P[P_VM_MAX, i] if vm > P[P_VM_MAX, i] else vm)
                    if vm > thr:
                        spike = 1.0
                        vm = P[P_V_M_R, i]
                        isi = 0.0
                    S[S_ISI, i] = isi
                    S[S_AVG_SPK, i] += P[P_SPIKE_EQ_DT, i] * (spike - S[S_AVG_SPK, i])
                    a_eq = P[P_SPIKE_EQ_GAIN, i] * S[S_AVG_SPK, i]
                    a_eq = a_eq if a_eq < 1.0 else 1.0
                    S[S_ACT, i] = a_eq
                    S[S_ACT_LRN, i] = a_eq
                    eq_rate = spike
                S[S_VM, i] = vm
                S[S_SPIKE, i] = spike
                if P[P_ADAPT_DT, i] > 0.0:
                    # AdEx adaptation: slow current following vm, kicked by spikes
                    S[S_ADAPT, i] += (P[P_INTEG, i] * P[P_ADAPT_DT, i]
                                      * (P[P_VM_GAIN, i] * (vm - e_l) - adapt)
                                      + P[P_SPIKE_GAIN, i] * eq_rate)
            # learning averages (emergent AvgsFmAct, on act_lrn)
            al = S[S_ACT_LRN, i]
            S[S_AVG_SS, i] += P[P_SS_DT, i] * (al - S[S_AVG_SS, i])
            S[S_AVG_S, i] += P[P_S_DT, i] * (S[S_AVG_SS, i] - S[S_AVG_S, i])
            S[S_AVG_M, i] += P[P_M_DT, i] * (S[S_AVG_S, i] - S[S_AVG_M, i])
            lm = P[P_LRN_M, i]
            S[S_AVG_S_LRN, i] = (1.0 - lm) * S[S_AVG_S, i] + lm * S[S_AVG_M, i]
            act = S[S_ACT, i]
            if phase == 1:
                S[S_ACT_M, i] = act
            elif phase == 2:
                S[S_ACT_P, i] = act
            asum += act
            if act > amax:
                amax = act
            v = _send(P, S, i)
            out[i] = v
            if v != 0.0:
                fired[nf] = i
                nf += 1
        # 4. layer activity statistics (used by next cycle's feedback inhibition)
        if b > a:
            aavg = asum / (b - a)
            L[g, L_ACT_AVG] = aavg
            L[g, L_ACT_MAX] = amax
            if phase == 1:
                L[g, L_ACTS_M_AVG] = aavg
                if n_clamped > 0:
                    L[g, L_CLAMPED_M] = 1.0
            elif phase == 2:
                L[g, L_ACTS_P_AVG] = aavg
                if n_clamped > 0:
                    L[g, L_CLAMPED_P] = 1.0
    return nf


# ---------------------------------------------------------------------------
# trial-boundary helpers (called by the API between ticks)

@njit(cache=True)
def _avg_from_act(G: Any, g: int, cur: float, act: float) -> float:
    """emergent ActAvgParams.AvgFmAct: running layer activity average."""
    if act < 0.0001:
        return cur
    if G[g, G_ACT_AVG_USE_FIRST] != 0.0 and cur == G[g, G_ACT_AVG_INIT]:
        return cur + 0.5 * (act - cur)
    return cur + G[g, G_ACT_AVG_DT] * (act - cur)


@njit(cache=True)
def trial_init(P, S, seg, G, L, update_avgs: bool) -> None:
    """Start of a trial (emergent ``Layer.AlphaCycInit``).

    With ``update_avgs`` (training trials): avg_l / avg_l_lrn move from the last
    trial's avg_m, and the layers' running activity averages (which set the
    net-input scaling) absorb the last trial's phase averages. Always: decay
    activation state toward its initial values by ``decay``, decay the layer
    inhibition state likewise, forget what was sent (act_sent = 0) and apply
    hard clamps. The API then recomputes projection scales and runs the
    send-only tick (``mods[M_TRIAL_START] = 1``).
    """
    n_layers = seg.shape[0] - 1
    for g in range(n_layers):
        a = seg[g]
        b = seg[g + 1]
        if b <= a:
            continue
        if update_avgs:
            mod = L[g, L_MOD_AVG_L_LRN]
            for i in range(a, b):
                avg_l = S[S_AVG_L, i] + P[P_AVG_L_DT, i] * (P[P_AVG_L_GAIN, i] * S[S_AVG_M, i] - S[S_AVG_L, i])
                if avg_l < P[P_AVG_L_MIN, i]:
                    avg_l = P[P_AVG_L_MIN, i]
                S[S_AVG_L, i] = avg_l
                den = P[P_AVG_L_GAIN, i] - P[P_AVG_L_MIN, i]
                fact = (P[P_AVG_L_LRN_MAX, i] - P[P_AVG_L_LRN_MIN, i]) / den if den != 0.0 else 0.0
                lrn = fact * (avg_l - P[P_AVG_L_MIN, i])
                if P[P_AVG_L_ERR_MOD, i] != 0.0:
                    lrn *= mod
                S[S_AVG_L_LRN, i] = lrn
            L[g, L_ACTS_M_AVG_RUN] = _avg_from_act(G, g, L[g, L_ACTS_M_AVG_RUN], L[g, L_ACTS_M_AVG])
            L[g, L_ACTS_P_AVG_RUN] = _avg_from_act(G, g, L[g, L_ACTS_P_AVG_RUN], L[g, L_ACTS_P_AVG])
            if G[g, G_ACT_AVG_FIXED] != 0.0:
                L[g, L_ACTS_P_AVG_EFF] = G[g, G_ACT_AVG_INIT]
            else:
                L[g, L_ACTS_P_AVG_EFF] = G[g, G_ACT_AVG_ADJUST] * L[g, L_ACTS_P_AVG_RUN]
        # decay (emergent DecayState): the layer uses its first unit's decay
        for i in range(a, b):
            d = P[P_DECAY, i]
            if d > 0.0:
                S[S_ACT, i] -= d * (S[S_ACT, i] - P[P_INIT_ACT, i])
                S[S_GE, i] -= d * (S[S_GE, i] - P[P_INIT_GE, i])
                S[S_GI, i] -= d * S[S_GI, i]
                S[S_GI_SELF, i] -= d * S[S_GI_SELF, i]
                S[S_VM, i] -= d * (S[S_VM, i] - P[P_INIT_VM, i])
                S[S_GI_SYN, i] -= d * S[S_GI_SYN, i]
                S[S_ADAPT, i] -= d * S[S_ADAPT, i]
                S[S_AVG_SPK, i] -= d * S[S_AVG_SPK, i]
            S[S_INET, i] = 0.0
            S[S_ACT_SENT, i] = 0.0
            S[S_GE_RAW, i] = 0.0
            if S[S_CLAMPED, i] > 0.0 and P[P_CLAMP_HARD, i] != 0.0:
                v = S[S_EXT, i]
                lo = P[P_CLAMP_MIN, i]
                hi = P[P_CLAMP_MAX, i]
                v = lo if v < lo else (hi if v > hi else v)
                S[S_ACT, i] = v
                S[S_ACT_LRN, i] = v
                S[S_VM, i] = P[P_THR, i] + v / P[P_GAIN, i]
        d = P[P_DECAY, a]
        for r in (L_GE_AVG, L_GE_MAX, L_ACT_AVG, L_ACT_MAX, L_FFI, L_FBI, L_GI):
            L[g, r] -= d * L[g, r]
        L[g, L_CLAMPED_M] = 0.0
        L[g, L_CLAMPED_P] = 0.0


@njit(cache=True)
def plus_phase_end(P, S, seg, G, L) -> None:
    """End of the plus phase (emergent ``Layer.PlusPhase``): act_dif, act_avg,
    and per layer the zero-mean cosine between minus and plus activity, its
    running average/variance, the target-layer flag and the avg_l_lrn error
    modulation ``max(1 - cos_diff_avg, avg_l_mod_min)`` (0 on target layers)."""
    n_layers = seg.shape[0] - 1
    for g in range(n_layers):
        a = seg[g]
        b = seg[g + 1]
        if b <= a:
            continue
        avg_m = L[g, L_ACTS_M_AVG]
        avg_p = L[g, L_ACTS_P_AVG]
        cosv = 0.0
        ssm = 0.0
        ssp = 0.0
        for i in range(a, b):
            S[S_ACT_DIF, i] = S[S_ACT_P, i] - S[S_ACT_M, i]
            S[S_ACT_AVG, i] += P[P_ACT_AVG_DT, i] * (S[S_ACT, i] - S[S_ACT_AVG, i])
            ap = S[S_ACT_P, i] - avg_p
            am = S[S_ACT_M, i] - avg_m
            cosv += ap * am
            ssm += am * am
            ssp += ap * ap
        dist = np.sqrt(ssm * ssp)
        if dist != 0.0:
            cosv /= dist
        L[g, L_COS_DIFF] = cosv
        # emergent CosDiffParams.AvgVarFmCos (Finch 2009 incremental variance)
        dtc = G[g, G_COS_DIFF_DT]
        if L[g, L_COS_DIFF_AVG] == 0.0:
            L[g, L_COS_DIFF_AVG] = cosv
            L[g, L_COS_DIFF_VAR] = 0.0
        else:
            dl = cosv - L[g, L_COS_DIFF_AVG]
            inc = dtc * dl
            L[g, L_COS_DIFF_AVG] += inc
            if L[g, L_COS_DIFF_VAR] == 0.0:
                L[g, L_COS_DIFF_VAR] = 2.0 * (1.0 - dtc) * dl * inc
            else:
                L[g, L_COS_DIFF_VAR] = (1.0 - dtc) * (L[g, L_COS_DIFF_VAR] + dl * inc)
        is_target = L[g, L_CLAMPED_P] > 0.0 and L[g, L_CLAMPED_M] == 0.0
        L[g, L_IS_TARGET] = 1.0 if is_target else 0.0
        if is_target:
            L[g, L_MOD_AVG_L_LRN] = 0.0
        else:
            m = 1.0 - L[g, L_COS_DIFF_AVG]
            if P[P_AVG_L_ERR_MOD, a] != 0.0:
                L[g, L_MOD_AVG_L_LRN] = m if m > P[P_AVG_L_MOD_MIN, a] else P[P_AVG_L_MOD_MIN, a]
            else:
                L[g, L_MOD_AVG_L_LRN] = 1.0


#: unit state rows that start at a parameter: (state row, parameter row)
_INIT_FROM_P = ((S_ACT, P_INIT_ACT), (S_ACT_LRN, P_INIT_ACT), (S_GE, P_INIT_GE), (S_VM, P_INIT_VM),
                (S_AVG_SS, P_AVG_INIT), (S_AVG_S, P_AVG_INIT), (S_AVG_M, P_AVG_INIT), (S_ACT_AVG, P_AVG_INIT),
                (S_AVG_L, P_AVG_L_INIT))
#: unit state rows that start at 0
_INIT_ZERO = (S_ACT_SENT, S_GE_RAW, S_GI, S_GI_SYN, S_GI_SELF, S_INET, S_SPIKE, S_AVG_SPK, S_ADAPT, S_AVG_S_LRN,
              S_AVG_L_LRN, S_ACT_M, S_ACT_P, S_ACT_DIF)
#: initial inter-spike interval: long since the last spike
_INIT_ISI = 1e9


@njit(cache=True)
def _init_layer_avgs(G, L, g) -> None:
    """Layer ``g``'s running activity averages (``L[g]``) from its parameters ``G[g]``
    (emergent InitActAvg)."""
    init = G[g, G_ACT_AVG_INIT]
    L[g, L_ACTS_M_AVG_RUN] = init
    L[g, L_ACTS_P_AVG_RUN] = init
    L[g, L_ACTS_P_AVG_EFF] = init if G[g, G_ACT_AVG_FIXED] != 0.0 else G[g, G_ACT_AVG_ADJUST] * init


@njit(cache=True)
def init_block(P, S, seg, G, L) -> None:
    """Full initialization of unit and layer state from the parameters
    (emergent ``InitWeights`` minus the weights: InitActAvg + InitActs + layer
    averages). Clamp rows (ext, clamped) are left as they are."""
    n = S.shape[1]
    for i in range(n):
        for r, p in _INIT_FROM_P:
            S[r, i] = P[p, i]
        for r in _INIT_ZERO:
            S[r, i] = 0.0
        S[S_ISI, i] = _INIT_ISI
    for g in range(seg.shape[0] - 1):
        for r in range(L.shape[1]):
            L[g, r] = 0.0
        _init_layer_avgs(G, L, g)


@register
class LeabraUnit(NeuronModel):
    """Leabra point unit: conductance-based vm, NXX1 rate code (or spikes),
    learning averages; per-layer FFFB or k-WTA inhibition (emergent Leabra)."""

    name = "leabra"
    family = "leabra"
    params = _PARAMS
    state = _STATE
    group_params = _GROUP_PARAMS
    group_state = _GROUP_STATE
    receptors = ("exc", "inh")
    spiking = False
    voltage = "vm"
    #: modulator channels, in order, read at ``mods[M_PHASE]`` etc.
    modulators = ("leabra_phase", "leabra_trial_start", "leabra_learn")
    update = update

    @classmethod
    def init_state(cls, P: Any, rng_seed: int) -> Any:
        """Initial ``S`` for ``P``: state defaults, then the parameter-dependent
        initial values (vm = init_vm, averages = avg_init, avg_l = avg_l_init)."""
        S = super().init_state(P, rng_seed)
        if S.shape[1]:
            for r, p in _INIT_FROM_P:
                S[r] = P[p]
            for r in _INIT_ZERO:
                S[r] = 0.0
            S[S_ISI] = _INIT_ISI
        return S

    @classmethod
    def init_group_state(cls, G: Any) -> Any:
        """Initial ``L`` (n_layers, n_lstate) for layer parameters ``G``."""
        L = np.zeros((G.shape[0], len(cls.group_state)))
        for g in range(G.shape[0]):
            _init_layer_avgs(G, L, g)
        return L
