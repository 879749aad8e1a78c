"""The world: a circular dish with Gaussian food fields, plus the per-tick composition
of body physics and sensing that a brain loop calls.

Compiled API (all ``@njit(cache=True)``)::

    concentration(x, y, food) -> float
        food: float64[n_food, 4] rows (x_mm, y_mm, width_mm, amplitude)
        C(x) = sum_i A_i exp(-|x - p_i|^2 / (2 w_i^2))
    read_sensors(state, params, food, chem_filt, dt_ms, out) -> None
        chem_filt: float64[2] (left, right) adaptation filters, updated in place
        out: float64[6 + N] sensor vector (layout in arena.sensors)
    arena_tick(state, params, food, chem_filt, dorsal, ventral, dt_ms, out) -> float
        body_step followed by read_sensors; returns the drag power of body_step

Plain-Python wrapper: :class:`World` (config + seeded start + a :class:`Body`).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from arena.body import P_CHEM_TAU, Body, body_step, straight_state
from arena.config import ArenaConfig, load_arena_config
from arena.sensors import (
    SEN_C_LEFT, SEN_C_RIGHT, SEN_DC_LEFT, SEN_DC_RIGHT, SEN_PROPRIO,
    SEN_TOUCH_HEAD, SEN_TOUCH_TAIL, chemosensor_positions, exp_filter_step,
    proprioception, sensor_size, wall_touch,
)

__all__ = [
    "concentration", "concentration_grid", "read_sensors", "arena_tick",
    "init_chem_filter", "sample_start", "World",
]


@njit(cache=True)
def concentration(x, y, food):
    """Food concentration at (x, y), mm: sum of Gaussians (concentration units).

    food: float64[n_food, 4] with columns x_mm, y_mm, width_mm, amplitude.
    """
    c = 0.0
    for k in range(food.shape[0]):
        dx = x - food[k, 0]
        dy = y - food[k, 1]
        w = food[k, 2]
        c += food[k, 3] * math.exp(-(dx * dx + dy * dy) / (2.0 * w * w))
    return c


def concentration_grid(xs: np.ndarray, ys: np.ndarray, food: np.ndarray) -> np.ndarray:
    """Vectorised field for plotting/tests: C at every (xs, ys) pair (broadcast
    arrays, mm) -> array of the broadcast shape."""
    xs, ys = np.broadcast_arrays(np.asarray(xs, np.float64), np.asarray(ys, np.float64))
    c = np.zeros(xs.shape)
    for x0, y0, w, a in np.asarray(food, np.float64).reshape(-1, 4):
        c += a * np.exp(-((xs - x0) ** 2 + (ys - y0) ** 2) / (2.0 * w * w))
    return c


@njit(cache=True)
def read_sensors(state, params, food, chem_filt, dt_ms, out):
    """Fill the sensor vector ``out`` (float64[6 + N]) for the current body state.

    Advances the chemosensor adaptation filters ``chem_filt`` (float64[2]) by
    ``dt_ms``; call it exactly once per tick.
    """
    xl, yl, xr, yr = chemosensor_positions(state, params)
    cl = concentration(xl, yl, food)
    cr = concentration(xr, yr, food)
    tau = params[P_CHEM_TAU]
    fl, dl = exp_filter_step(cl, chem_filt[0], dt_ms, tau)
    fr, dr = exp_filter_step(cr, chem_filt[1], dt_ms, tau)
    chem_filt[0] = fl
    chem_filt[1] = fr
    out[SEN_C_LEFT] = cl
    out[SEN_C_RIGHT] = cr
    out[SEN_DC_LEFT] = dl
    out[SEN_DC_RIGHT] = dr
    th, tt = wall_touch(state, params)
    out[SEN_TOUCH_HEAD] = th
    out[SEN_TOUCH_TAIL] = tt
    proprioception(state, params, out[SEN_PROPRIO:])


@njit(cache=True)
def arena_tick(state, params, food, chem_filt, dorsal, ventral, dt_ms, out):
    """One world tick: move the body under the given muscle activations, then
    sense. Arrays as in :func:`arena.body.body_step` and :func:`read_sensors`.
    Returns the mean drag power of the step."""
    p = body_step(state, params, dorsal, ventral, dt_ms)
    read_sensors(state, params, food, chem_filt, dt_ms, out)
    return p


@njit(cache=True)
def init_chem_filter(state, params, food, chem_filt):
    """Set the adaptation filters to the current sensor concentrations (so a
    worm placed in a gradient does not see a spurious step at t = 0)."""
    xl, yl, xr, yr = chemosensor_positions(state, params)
    chem_filt[0] = concentration(xl, yl, food)
    chem_filt[1] = concentration(xr, yr, food)


def sample_start(config: ArenaConfig, seed: int | None = None) -> tuple[float, float, float]:
    """Draw the start pose (x_mid_mm, y_mid_mm, heading_rad) with
    ``numpy.random.default_rng(seed)`` (``config.seed`` when ``seed`` is None).

    Always draws the same three uniforms in the same order, so changing one
    start option never shifts the others' random numbers.
    """
    rng = np.random.default_rng(config.seed if seed is None else seed)
    u_r, u_a, u_h = rng.random(3)
    st = config.start
    r = st.position_jitter_mm * math.sqrt(u_r)  # uniform over the disc area
    a = 2.0 * math.pi * u_a
    x = st.position_mm[0] + r * math.cos(a)
    y = st.position_mm[1] + r * math.sin(a)
    if st.heading_rad is None:
        heading = 2.0 * math.pi * u_h
    else:
        heading = st.heading_rad + st.heading_jitter_rad * (2.0 * u_h - 1.0)
    return x, y, heading


class World:
    """A configured arena with one worm: convenience wrapper for scripts and tests.

    Attributes: ``config`` (ArenaConfig), ``params`` (float64[N_PARAMS]),
    ``food`` (float64[n_food, 4]), ``body`` (:class:`arena.body.Body`, sharing
    ``params``), ``chem_filt`` (float64[2]), ``sensors`` (float64[6 + N], the
    latest reading), ``t_ms`` (elapsed time).
    """

    def __init__(self, config: ArenaConfig | dict[str, Any] | str | Path | None = None,
                 seed: int | None = None) -> None:
        self.config = load_arena_config(config)
        self.params = self.config.body_params()
        self.food = self.config.food_array()
        self.n_segments = self.config.body.n_segments
        self.chem_filt = np.zeros(2)
        self.sensors = np.zeros(sensor_size(self.n_segments))
        self.reset(seed)

    @property
    def radius_mm(self) -> float:
        """Arena (wall) radius, mm."""
        return self.config.radius_mm

    def reset(self, seed: int | None = None) -> None:
        """Place a straight worm at a freshly drawn start pose (see sample_start)."""
        x, y, h = sample_start(self.config, seed)
        self.body = Body(straight_state(x, y, h, self.params, self.n_segments), self.params)
        init_chem_filter(self.body.state, self.params, self.food, self.chem_filt)
        read_sensors(self.body.state, self.params, self.food, self.chem_filt.copy(), 1.0,
                     self.sensors)
        self.sensors[SEN_DC_LEFT] = 0.0
        self.sensors[SEN_DC_RIGHT] = 0.0
        self.t_ms = 0.0

    def step(self, dorsal: np.ndarray, ventral: np.ndarray, dt_ms: float = 1.0) -> np.ndarray:
        """One tick (arena_tick); returns a copy of the sensor vector."""
        arena_tick(self.body.state, self.params, self.food, self.chem_filt,
                   np.asarray(dorsal, np.float64), np.asarray(ventral, np.float64),
                   float(dt_ms), self.sensors)
        self.t_ms += dt_ms
        return self.sensors.copy()

    def concentration(self, x: float | np.ndarray, y: float | np.ndarray) -> float | np.ndarray:
        """Food concentration at (x, y), mm (scalars or arrays)."""
        if np.ndim(x) == 0 and np.ndim(y) == 0:
            return concentration(float(x), float(y), self.food)
        return concentration_grid(x, y, self.food)

    def distance_to_nearest_food(self, x: float, y: float) -> float:
        """Euclidean distance from (x, y) to the closest food centre, mm."""
        d = np.hypot(self.food[:, 0] - x, self.food[:, 1] - y)
        return float(d.min()) if d.size else math.inf
