"""NEST's stimulation devices: poisson_generator, dc_generator, spike_generator,
noise_generator.

Timing follows NEST's grid (docs/nest.md):

* a spike_generator emits a spike at time s (on the grid) in the tick ending at
  s if ``origin+start < s <= origin+stop``; a poisson_generator draws in tick ``t``
  when ``origin+start < t*h <= origin+stop`` (its spikes are stamped ``(t+1)*h``).
  Events reach each target ``delay`` ticks later (ring slot ``t + delay``) like a
  neuron's spike. Weights route by sign to the ``exc``/``inh`` receptors unless
  the target names one.
* current generators (dc, noise) are on in tick ``t`` when
  ``origin+start <= (t+1)*h < origin+stop``; the current (pA, times the
  connection weight) goes to the target's ``current`` receptor ``delay`` ticks
  later, and NEST neurons apply a current received in one tick during the next.

These windows were fitted to NEST 3.10 traces (tests/data/nest/extra.json).

All randomness comes from each device's own xoroshiro stream (``rng[d]``), so a
poisson_generator draws an independent train for every target, in target order.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from ..registry import DeviceModel, Var, register
from ..rng import _rotl, normal, poisson
from ..synapses.fixed import deliver, route

#: NEST's "never" for stop
FOREVER = 1.7976931348623157e308


def _window(start: str, stop: str) -> dict[str, Var]:
    """``start``, ``stop``, ``origin``: consecutive rows, read by :func:`_bounds`."""
    return {"start": Var(0.0, "ms", start), "stop": Var(FOREVER, "ms", stop),
            "origin": Var(0.0, "ms", "time origin of start/stop")}


#: the window of the spike devices (poisson_generator, spike_generator)
SPIKE_WINDOW = _window("on after origin+start", "off after origin+stop")
#: the window of the current devices (dc_generator, noise_generator)
CURRENT_WINDOW = _window("on from origin+start", "off from origin+stop")


class NestDevice(DeviceModel):
    """Base of the NEST generators."""

    family: ClassVar[str] = "nest"


@njit(cache=True, inline="always")
def _bounds(P, d, dt, row):
    """Device d's window in steps: (origin+start, origin+stop)/dt, rounded; rows
    ``row``, ``row + 1``, ``row + 2`` hold start, stop, origin."""
    t_on = round((P[row + 2, d] + P[row, d]) / dt)
    t_off = round((P[row + 2, d] + P[row + 1, d]) / dt) if P[row + 1, d] < 1e300 else 1e308
    return t_on, t_off


@njit(cache=True, inline="always")
def _spikes_on(P, d, dt, row, stamp):
    """A spike device emits spikes stamped in (origin+start, origin+stop]."""
    t_on, t_off = _bounds(P, d, dt, row)
    return stamp > t_on and stamp <= t_off


@njit(cache=True, inline="always")
def _current_on(P, d, dt, row, now):
    """A current device is on when origin+start <= now < origin+stop."""
    t_on, t_off = _bounds(P, d, dt, row)
    return now >= t_on and now < t_off


@njit(cache=True, inline="always")
def _current_row(receptor, n_rows):
    # NEST neurons take currents on their third receptor row ("current")
    if receptor >= 0:
        return receptor
    return 2 if n_rows > 2 else 0


@njit(cache=True, inline="always")
def _add(slot, q, value, idx, delay, row, I_now, ring):
    """Target q gets ``value``: now (delay 0) or in ring slot ``slot`` + its delay
    (slot = t mod the ring's length; delays are shorter than the ring)."""
    d = delay[q]
    if d == 0:
        I_now[row, idx[q]] += value
    else:
        deliver(ring, slot, d, row, idx[q], value)


# ----------------------------------------------------------------------------- poisson_generator


@njit(cache=True)
def _poisson_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng):
    # P rows: 0 rate (Hz) 1 start 2 stop 3 origin (ms)
    # NEST tests the step's start time: on when origin+start < t*h <= origin+stop
    # (so the first spikes carry the stamp origin+start+2h; checked against NEST)
    stamp = float(t)
    cdf = np.empty(129)
    slot = t % ring.shape[0]
    for d in range(ptr.shape[0] - 1):
        if not _spikes_on(P, d, dt, 1, stamp):
            continue
        lam = P[0, d] * dt * 1e-3
        if lam <= 0.0:
            continue
        if lam < 30.0:
            # inversion with one uniform per target: the cumulative Poisson
            # probabilities of this mean, tabulated once per tick (up to a tail
            # of 1e-15), are counted branch-free
            n_tab = 0
            pk = math.exp(-lam)
            acc = pk
            while n_tab < 128 and acc < 1.0 - 1e-15:
                cdf[n_tab] = acc
                n_tab += 1
                pk *= lam / n_tab
                acc += pk
            # xoroshiro128+ (runtime.rng's generator) with its state in registers
            s0 = rng[d, 0]
            s1 = rng[d, 1]
            for q in range(ptr[d], ptr[d + 1]):
                x = s0 + s1
                s1 ^= s0
                s0 = _rotl(s0, 24) ^ s1 ^ (s1 << np.uint64(16))
                s1 = _rotl(s1, 37)
                u = float(np.int64(x >> np.uint64(11))) * (1.0 / 9007199254740992.0)
                k = 0
                for j in range(n_tab):
                    k += u >= cdf[j]
                if k:
                    # _add spelled out: through the helper this loop runs 3x slower
                    # (Numba then keeps reference counting of the arrays in it)
                    dq = delay[q]
                    row = route(receptor, w[q])
                    if dq == 0:
                        I_now[row, idx[q]] += w[q] * k
                    else:
                        deliver(ring, slot, dq, row, idx[q], w[q] * k)
            rng[d, 0] = s0
            rng[d, 1] = s1
        else:
            s = rng[d]
            for q in range(ptr[d], ptr[d + 1]):
                k = poisson(s, lam)
                if k:
                    _add(slot, q, w[q] * k, idx, delay, route(receptor, w[q]), I_now, ring)


@register
class PoissonGenerator(NestDevice):
    """Independent Poisson spike trains, one per target (NEST ``poisson_generator``)."""

    name: ClassVar[str] = "poisson_generator"
    params = {"rate": Var(0.0, "Hz", "mean rate of each train", min=0.0), **SPIKE_WINDOW}
    emit = _poisson_emit


# ----------------------------------------------------------------------------- dc_generator, noise_generator


@njit(cache=True, inline="always")
def _draw_noise(t, dt, P, S, d, n, s):
    """noise_generator d's values for its n targets (S rows 1..n): drawn on its
    first active tick and then every P[2] ms (every step when 0), else held."""
    every = max(1, int(round(P[2, d] / dt))) if P[2, d] > 0.0 else 1
    if (t % every) == 0 or S[0, d] < 0.0:
        for k in range(n):
            S[1 + k, d] = P[0, d] + P[1, d] * normal(s)
    S[0, d] = 1.0


@njit(cache=True, inline="always")
def _current_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng, noise):
    """The current devices: a dc_generator's amplitude (P row 0) or, with
    ``noise``, a noise_generator's value per target (:func:`_draw_noise`), times
    the weight, into the targets' ``current`` row while the device is on."""
    row = _current_row(receptor, I_now.shape[0])
    slot = t % ring.shape[0]
    for d in range(ptr.shape[0] - 1):
        # on when origin+start <= (t+1)*h < origin+stop (checked against NEST's traces)
        if not _current_on(P, d, dt, 3 if noise else 1, float(t + 1)):
            continue
        if noise:
            _draw_noise(t, dt, P, S, d, ptr[d + 1] - ptr[d], rng[d])
        for k, q in enumerate(range(ptr[d], ptr[d + 1])):
            _add(slot, q, w[q] * (S[1 + k, d] if noise else P[0, d]), idx, delay, row, I_now, ring)


@njit(cache=True)
def _dc_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng):
    # P rows: 0 amplitude (pA) 1 start 2 stop 3 origin
    _current_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng, False)


@register
class DcGenerator(NestDevice):
    """Constant current (NEST ``dc_generator``), into the ``current`` receptor."""

    name: ClassVar[str] = "dc_generator"
    params = {"amplitude": Var(0.0, "pA", "current"), **CURRENT_WINDOW}
    emit = _dc_emit


@njit(cache=True)
def _noise_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng):
    # P rows: 0 mean 1 std (pA) 2 dt (update interval, ms) 3 start 4 stop 5 origin
    # S: per device, the values currently held for its targets (rows 1..); row 0 < 0 until the first draw
    _current_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng, True)


@register
class NoiseGenerator(NestDevice):
    """Gaussian white-noise current, an independent value per target held for
    ``dt`` ms (NEST ``noise_generator`` without its sinusoidal modulation)."""

    name: ClassVar[str] = "noise_generator"
    params = {
        "mean": Var(0.0, "pA", "mean current"),
        "std": Var(0.0, "pA", "standard deviation", min=0.0),
        "dt": Var(0.0, "ms", "update interval (0: every step)", min=0.0),
        **CURRENT_WINDOW,
    }
    emit = _noise_emit

    @classmethod
    def init_device_state(cls, P: np.ndarray, params: list[dict[str, Any]], dt: float,
                          n_targets: list[int]) -> np.ndarray:
        """S[0] < 0: draw on the first active tick; rows 1.. hold each target's value."""
        S = np.zeros((1 + max(n_targets, default=0), P.shape[1]))
        S[0] = -1.0
        return S


# ----------------------------------------------------------------------------- spike_generator


@njit(cache=True)
def _spike_emit(t, dt, P, S, ptr, idx, w, delay, receptor, I_now, ring, rng):
    # P rows: 0 start 1 stop 2 origin
    # S rows: 0 next index, 1 count, 2 .. 2+L emission ticks, 2+L .. 2+2L weight factors
    L = (S.shape[0] - 2) // 2
    slot = t % ring.shape[0]
    for d in range(ptr.shape[0] - 1):
        k = int(S[0, d])
        cnt = int(S[1, d])
        on = _spikes_on(P, d, dt, 0, float(t + 1))
        while k < cnt and S[2 + k, d] < t:
            k += 1  # times already past (e.g. set before a continued run)
        while k < cnt and S[2 + k, d] == t:
            if on:
                f = S[2 + L + k, d]
                for q in range(ptr[d], ptr[d + 1]):
                    ww = w[q] * f
                    _add(slot, q, ww, idx, delay, route(receptor, ww), I_now, ring)
            k += 1
        S[0, d] = k


@register
class SpikeGenerator(NestDevice):
    """Spikes at given times (NEST ``spike_generator``).

    ``spike_times`` (ms, on the grid; off-grid times are rounded up to the next
    step, as NEST's ``allow_offgrid_times``); optional ``spike_multiplicities``
    (integers) and ``spike_weights`` (factors on the connection weight). A spike
    at time s is emitted in the tick ending at s and reaches a target s + delay."""

    name: ClassVar[str] = "spike_generator"
    params = {
        **SPIKE_WINDOW,
        "spike_times": Var(0.0, "ms", "list of spike times (a list, not a number)", is_list=True),
        "spike_weights": Var(0.0, "1", "list of weight factors, one per spike (optional)", is_list=True),
        "spike_multiplicities": Var(0.0, "1", "list of multiplicities, one per spike (optional)", is_list=True),
        "allow_offgrid_times": Var(0.0, "bool", "accepted for NEST compatibility (times are always rounded up)"),
        "precise_times": Var(0.0, "bool", "accepted for NEST compatibility (must be false)", max=0.0),
        "shift_now_spikes": Var(0.0, "bool", "accepted for NEST compatibility"),
    }
    emit = _spike_emit

    @staticmethod
    def ticks(times: Any, dt: float) -> np.ndarray:
        """Emission tick of each spike time: the tick whose end is the time
        (times within 1e-9 steps of the grid snap to it, others round up)."""
        x = np.asarray(times, np.float64) / dt
        near = np.rint(x)
        steps = np.where(np.abs(x - near) < 1e-9 * np.maximum(1.0, np.abs(x)), near, np.ceil(x))
        return steps - 1.0

    @classmethod
    def init_device_state(cls, P: np.ndarray, params: list[dict[str, Any]], dt: float,
                          n_targets: list[int]) -> np.ndarray:
        rows = []
        for prm in params:
            times = np.asarray(prm.get("spike_times", []), np.float64).reshape(-1)
            f = np.ones(times.size)
            mult = prm.get("spike_multiplicities")
            if mult is not None and len(mult):
                if len(mult) != times.size:
                    raise ValueError("spike_multiplicities must have one entry per spike time")
                f = f * np.asarray(mult, np.float64)
            sw = prm.get("spike_weights")
            if sw is not None and len(sw):
                if len(sw) != times.size:
                    raise ValueError("spike_weights must have one entry per spike time")
                f = f * np.asarray(sw, np.float64)
            tk = cls.ticks(times, dt)
            if np.any(np.diff(tk) < 0):
                raise ValueError("spike_times must be sorted")
            rows.append((tk, f))
        L = max([r[0].size for r in rows], default=0)
        S = np.zeros((2 + 2 * L, len(rows)))
        for d, (tk, f) in enumerate(rows):
            S[1, d] = tk.size
            S[2:2 + tk.size, d] = tk
            S[2 + L:2 + L + tk.size, d] = f
        return S
