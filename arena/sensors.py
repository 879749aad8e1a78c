"""Sensor and motor transforms between the body/world and a brain: pure functions.

Everything here is a Numba ``@njit(cache=True)`` function over explicit scalars
or arrays, so a compiled brain loop can call it every tick. Nothing here reads
the food field itself (that lives in :mod:`arena.world`, which composes these
pieces into :func:`arena.world.read_sensors`), which keeps this module free of
import cycles.

Sensor vector (float64[SENSOR_SIZE_BASE + N], written by
:func:`arena.world.read_sensors`)::

    [SEN_C_LEFT]     concentration at the left chemosensor (food units)
    [SEN_C_RIGHT]    concentration at the right chemosensor
    [SEN_DC_LEFT]    recent change at the left sensor: c - c_filtered (food units)
    [SEN_DC_RIGHT]   recent change at the right sensor
    [SEN_TOUCH_HEAD] head-tip wall touch, graded in [0, 1]
    [SEN_TOUCH_TAIL] tail-tip wall touch, graded in [0, 1]
    [SEN_PROPRIO + i], i = 0..N-1: bending of segment i, mean adjacent joint
                     angle / joint limit, in [-1, 1] (positive = dorsal concave)
"""
from __future__ import annotations

import math

from numba import njit

from arena.body import (
    P_ARENA_RADIUS, P_JOINT_LIMIT, P_SEG_LEN, P_SENSOR_BACK, P_SENSOR_LATERAL,
    P_TOUCH_RANGE, P_WALL_SKIN, S_PHI, S_THETA, S_X, S_Y, mean_joint_angle,
)

__all__ = [
    "SEN_C_LEFT", "SEN_C_RIGHT", "SEN_DC_LEFT", "SEN_DC_RIGHT",
    "SEN_TOUCH_HEAD", "SEN_TOUCH_TAIL", "SEN_PROPRIO", "SENSOR_SIZE_BASE",
    "sensor_size", "chemosensor_positions", "exp_filter_step", "wall_touch",
    "proprioception", "rate_to_activation", "activation_step",
]

SEN_C_LEFT = 0
SEN_C_RIGHT = 1
SEN_DC_LEFT = 2
SEN_DC_RIGHT = 3
SEN_TOUCH_HEAD = 4
SEN_TOUCH_TAIL = 5
SEN_PROPRIO = 6
SENSOR_SIZE_BASE = 6


def sensor_size(n_segments: int) -> int:
    """Length of the sensor vector for an ``n_segments`` body."""
    return SENSOR_SIZE_BASE + n_segments


@njit(cache=True)
def chemosensor_positions(state, params):
    """Positions of the left and right chemosensors, mm -> (xl, yl, xr, yr).

    They sit ``P_SENSOR_BACK`` behind the head tip along the head segment and
    ``P_SENSOR_LATERAL`` to either side of the midline; left is the worm's
    left, ``n_0 = (-sin theta_0, cos theta_0)``. They move with the head, so
    head sweeps during undulation sample the field over time (the basis of
    klinotaxis) in addition to the instantaneous left/right difference.
    """
    th = state[S_THETA]
    tx = math.cos(th)
    ty = math.sin(th)
    back = params[P_SENSOR_BACK]
    lat = params[P_SENSOR_LATERAL]
    cx = state[S_X] - back * tx
    cy = state[S_Y] - back * ty
    # left normal is (-ty, tx)
    return cx - lat * ty, cy + lat * tx, cx + lat * ty, cy - lat * tx


@njit(cache=True)
def exp_filter_step(value, filt, dt_ms, tau_ms):
    """One step of an exponential (adapting) filter -> (new_filt, change).

    ``new_filt = filt + (value - filt) (1 - exp(-dt/tau))`` and
    ``change = value - new_filt``: the high-pass part, which for a slowly
    varying input approaches ``tau * d(value)/dt`` (units of ``value``).
    """
    alpha = 1.0 - math.exp(-dt_ms / tau_ms)
    nf = filt + (value - filt) * alpha
    return nf, value - nf


@njit(cache=True)
def wall_touch(state, params):
    """Graded wall touch at the head tip and tail tip -> (head, tail) in [0, 1].

    ``touch = clip(1 - gap / range, 0, 1)`` with ``gap = (R - skin) - |p|`` the
    distance from the point to the wall's contact surface (where the penalty
    force starts): 0 beyond ``P_TOUCH_RANGE``, 1 in contact.
    """
    n_seg = state.shape[0] - 2
    L = params[P_SEG_LEN]
    R = params[P_ARENA_RADIUS] - params[P_WALL_SKIN]
    rng_ = params[P_TOUCH_RANGE]
    hx = state[S_X]
    hy = state[S_Y]
    # walk to the tail tip
    x = hx
    y = hy
    th = state[S_THETA]
    for i in range(n_seg):
        x -= L * math.cos(th)
        y -= L * math.sin(th)
        if i < n_seg - 1:
            th -= state[S_PHI + i]
    head = 1.0 - (R - math.sqrt(hx * hx + hy * hy)) / rng_
    tail = 1.0 - (R - math.sqrt(x * x + y * y)) / rng_
    head = 0.0 if head < 0.0 else (1.0 if head > 1.0 else head)
    tail = 0.0 if tail < 0.0 else (1.0 if tail > 1.0 else tail)
    return head, tail


@njit(cache=True)
def proprioception(state, params, out):
    """Normalised bending per segment into ``out[0:N]``: mean of the segment's
    adjacent joint angles divided by the joint limit, in [-1, 1].

    Multiply by ``params[P_JOINT_LIMIT] / params[P_SEG_LEN]`` for curvature in
    1/mm (or use :func:`arena.body.segment_curvature`).
    """
    mean_joint_angle(state, 1.0 / params[P_JOINT_LIMIT], out)


@njit(cache=True)
def rate_to_activation(rate_hz, half_max_hz):
    """Saturating motor transform: firing rate (Hz, >= 0) -> drive in [0, 1),
    ``r / (r + r_half)``; half drive at ``half_max_hz``."""
    if rate_hz <= 0.0:
        return 0.0
    return rate_hz / (rate_hz + half_max_hz)


@njit(cache=True)
def activation_step(act, drive, dt_ms, tau_ms):
    """Muscle activation dynamics, in place: ``act`` (float64[N]) relaxes to
    ``drive`` (float64[N], clipped to [0, 1]) with time constant ``tau_ms``
    (exact exponential step, so any dt is stable)."""
    decay = math.exp(-dt_ms / tau_ms)
    for i in range(act.shape[0]):
        d = drive[i]
        d = 0.0 if d < 0.0 else (1.0 if d > 1.0 else d)
        act[i] = d + (act[i] - d) * decay
