"""NEST's izhikevich (registered as ``nest_izhikevich``), parrot_neuron and
volume_transmitter.

``nest_izhikevich`` is NEST's variant of the Izhikevich (2003) model, which
differs from the spiking family's ``izhikevich``: forward Euler over one step
with the previous step's v and u (``consistent_integration``, NEST's default) or
the published two half-steps for v (``consistent_integration = 0``, where NEST
treats the step's synaptic input as a current inside both half-steps, so a
weight w moves V_m by about w * dt instead of w); input weights are jumps of
V_m in mV; V_m is bounded below by V_min; spike when V_m >= V_th, then
V_m <- c, U_m <- U_m + d. Currents from devices act from the next step (NEST).

``parrot_neuron`` re-emits, at the end of the step, the spikes that arrive in
it (receptors ``exc``/``inh``, i.e. NEST's port 0; weights are ignored except that
their summed magnitude, rounded, is the multiplicity: the brainc.nest API connects
into parrots with weight 1 so it counts spikes). Input on receptor ``ignored``
(NEST's port 1) is not repeated, which lets a parrot stand in as a post-synaptic
neuron whose spikes are known in advance (STDP tests). A spike of multiplicity
m is one emission with ``out = m``: static and NEST plastic synapses deliver m
times the weight, as NEST does, but spike recorders list it once (NEST lists it
m times).

``volume_transmitter`` collects the spikes of dopaminergic neurons (connect them
to it with any weight; multiplicities count) and offers them to
``stdp_dopamine_synapse`` through the gate mechanism: its ``out`` in a tick is
the number of dopamine spikes that arrived in that tick (the synapses take
their time stamp as the tick's end, like NEST's volume transmitter).
"""
from __future__ import annotations

from typing import ClassVar

from numba import njit

from ..registry import Var, register
from .nest_common import NestNeuron, fire, initial, pick, pick_state


@njit(cache=True)
def update_izhikevich(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    # P rows: 0 a 1 b 2 c 3 d 4 I_e 5 V_th 6 V_min 7 consistent_integration 8 tau_minus
    #         9 V_m 10 U_m (inits)
    V, U, Ist = S
    nf = 0
    for i in range(V.shape[0]):
        a = P[0, i]
        b = P[1, i]
        syn = I[0, i] + I[1, i]
        v = V[i]
        u = U[i]
        if P[7, i] != 0.0:
            v_old = v
            u_old = u
            v = v + dt * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + Ist[i] + P[4, i]) + syn
            u = u + dt * a * (b * v_old - u_old)
        else:
            # the published numerics: two half-steps for v; NEST treats the step's
            # synaptic input as a current inside both (total effect dt * w)
            v = v + dt / 2.0 * (0.04 * v * v + 5.0 * v + 140.0 - u + Ist[i] + P[4, i] + syn)
            v = v + dt / 2.0 * (0.04 * v * v + 5.0 * v + 140.0 - u + Ist[i] + P[4, i] + syn)
            u = u + dt * a * (b * v - u)
        if v < P[6, i]:
            v = P[6, i]
        if v >= P[5, i]:
            v = P[2, i]
            u = u + P[3, i]
            nf = fire(i, 1.0, out, fired, nf)
        else:
            out[i] = 0.0
        V[i] = v
        U[i] = u
        Ist[i] = I[2, i]
    return nf


@register
class NestIzhikevich(NestNeuron):
    """NEST's ``izhikevich`` neuron (named ``nest_izhikevich`` here)."""

    name: ClassVar[str] = "nest_izhikevich"
    state = {**pick_state("V_m", V_m=-65.0), "U_m": Var(-13.0, "mV", "recovery variable"), **pick_state("I_stim")}
    params = {
        "a": Var(0.02, "1/ms", "recovery time scale"),
        "b": Var(0.2, "1", "recovery sensitivity"),
        "c": Var(-65.0, "mV", "after-spike reset of V_m"),
        "d": Var(8.0, "mV", "after-spike increment of U_m"),
        **pick("I_e", "V_th", "V_min", V_th=30.0),
        "consistent_integration": Var(1.0, "bool", "1: forward Euler (NEST default); 0: published numerics"),
        **pick("tau_minus"),
        **initial(state, "V_m", "U_m"),
    }
    update = update_izhikevich


@njit(cache=True, inline="always")
def _relay(I, out, fired, multiplicity):
    """Emit what arrived on receptors exc/inh this tick: the summed weight
    magnitude x (volume_transmitter) or, with ``multiplicity``, x rounded but at
    least 1 (parrot_neuron)."""
    nf = 0
    for i in range(out.shape[0]):
        x = abs(I[0, i]) + abs(I[1, i])
        if x > 0.0:
            if multiplicity:
                x = float(round(x))
                x = x if x >= 1.0 else 1.0
            nf = fire(i, x, out, fired, nf)
        else:
            out[i] = 0.0 if multiplicity else x
    return nf


@njit(cache=True)
def update_parrot(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    # out carries the multiplicity m (static_synapse and the NEST plastic
    # synapses scale the weight by it); the unit is listed once among the emitters
    return _relay(I, out, fired, True)


@register
class ParrotNeuron(NestNeuron):
    """Repeats its input spikes (NEST ``parrot_neuron``)."""

    name: ClassVar[str] = "parrot_neuron"
    params = pick("tau_minus")
    state = {}
    receptors = ("exc", "inh", "ignored")
    voltage = None
    update = update_parrot


@njit(cache=True)
def update_vt(P, S, I, out, fired, seg, G, L, t, dt, mods, rng):
    return _relay(I, out, fired, False)


@register
class VolumeTransmitter(NestNeuron):
    """Collects dopamine spikes for ``stdp_dopamine_synapse`` (NEST ``volume_transmitter``).
    Connect the dopamine neurons to it with weight 1 (the summed weight is the
    spike count). ``deliver_interval`` (in units of the network's minimum delay)
    is read by the brainc.nest API to set the synapses' ``update_interval``."""

    name: ClassVar[str] = "volume_transmitter"
    spiking: ClassVar[bool] = False
    params = {"deliver_interval": Var(1.0, "min_delays", "how often the synapses are updated", min=1.0)}
    state = {}
    receptors = ("exc", "inh")
    voltage = None
    update = update_vt
