"""World: food field, start sampling, sensors, config validation, reproducibility."""
from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from arena.body import (
    N_SEGMENTS, P_ARENA_RADIUS, P_CHEM_TAU, P_SENSOR_LATERAL, P_SUBSTEPS, make_params,
    straight_state,
)
from arena.config import ArenaConfig, load_arena_config
from arena.sensors import (
    SEN_C_LEFT, SEN_C_RIGHT, SEN_DC_LEFT, SEN_DC_RIGHT, SEN_PROPRIO, SEN_TOUCH_HEAD,
    SEN_TOUCH_TAIL, activation_step, chemosensor_positions, exp_filter_step,
    rate_to_activation, sensor_size,
)
from arena.world import (
    World, arena_tick, concentration, concentration_grid, init_chem_filter, read_sensors,
    sample_start,
)

N = N_SEGMENTS
IDX = np.arange(N)


def wave(t_ms: float, amp: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    m = amp * np.sin(2 * np.pi * (0.5 * t_ms / 1000.0 - IDX / 16.0))
    return 0.5 + 0.5 * m, 0.5 - 0.5 * m


def cfg(**kw) -> ArenaConfig:
    base = {"radius_mm": 10.0, "food": [{"position_mm": [4.0, -2.0], "width_mm": 1.5,
                                         "amplitude": 2.0}]}
    base.update(kw)
    return ArenaConfig.from_dict(base)


# ---- food field ---------------------------------------------------------------

def test_concentration_peaks_at_food() -> None:
    food = cfg().food_array()
    xs, ys = np.meshgrid(np.linspace(-10, 10, 401), np.linspace(-10, 10, 401))
    c = concentration_grid(xs, ys, food)
    k = np.unravel_index(np.argmax(c), c.shape)
    assert xs[k] == pytest.approx(4.0) and ys[k] == pytest.approx(-2.0)
    assert concentration(4.0, -2.0, food) == pytest.approx(2.0)
    # one width away the Gaussian is exp(-1/2) of the peak
    assert concentration(5.5, -2.0, food) == pytest.approx(2.0 * math.exp(-0.5))
    # compiled scalar and vectorised versions agree
    assert concentration(1.3, 0.7, food) == pytest.approx(concentration_grid(1.3, 0.7, food))


def test_two_sources_superpose() -> None:
    food = np.array([[-5.0, 0.0, 1.0, 1.0], [5.0, 0.0, 2.0, 0.5]])
    assert concentration(-5.0, 0.0, food) == pytest.approx(1.0 + 0.5 * math.exp(-100 / 8))
    xs = np.linspace(-9, 9, 1801)
    c = concentration_grid(xs, 0.0, food)
    maxima = xs[1:-1][(c[1:-1] > c[:-2]) & (c[1:-1] > c[2:])]
    assert np.allclose(maxima, [-5.0, 5.0], atol=0.02)
    assert concentration(0.0, 0.0, np.zeros((0, 4))) == 0.0


# ---- config -------------------------------------------------------------------

def test_config_defaults_and_unknown_keys() -> None:
    c = ArenaConfig()
    assert c.body.n_segments == 24 and c.body.drag_ratio == 40.0
    with pytest.raises(ValidationError):
        ArenaConfig.from_dict({"radius_mm": 5.0, "colour": "blue"})
    with pytest.raises(ValidationError):
        ArenaConfig.from_dict({"body": {"segments": 12}})
    with pytest.raises(ValidationError):
        ArenaConfig.from_dict({"food": [{"position_mm": [0, 0], "width_mm": 1, "x": 1}]})


def test_config_geometry_checks() -> None:
    with pytest.raises(ValidationError, match="outside"):
        cfg(food=[{"position_mm": [20.0, 0.0], "width_mm": 1.0}])
    with pytest.raises(ValidationError, match="does not fit"):
        cfg(start={"position_mm": [9.0, 0.0], "position_jitter_mm": 0.5})
    with pytest.raises(ValidationError):
        cfg(food=[{"position_mm": [0.0, 0.0], "width_mm": 0.0}])


def test_config_from_yaml_and_recipe_section(tmp_path) -> None:
    text = """
arena:
  radius_mm: 6.0
  seed: 5
  food:
    - {position_mm: [2.0, 1.0], width_mm: 1.0, amplitude: 3.0}
  start: {position_mm: [-2.0, 0.0], heading_rad: 0.5}
  body: {joint_tau_ms: 50.0, substeps: 3}
  sensors: {chem_tau_ms: 500.0}
"""
    f = tmp_path / "arena.yaml"
    f.write_text(text)
    c = load_arena_config(f)
    assert c.radius_mm == 6.0 and c.seed == 5 and c.body.substeps == 3
    assert c.food_array().tolist() == [[2.0, 1.0, 1.0, 3.0]]
    p = c.body_params()
    assert p[P_ARENA_RADIUS] == 6.0 and p[P_SUBSTEPS] == 3.0 and p[P_CHEM_TAU] == 500.0
    assert load_arena_config(c) is c
    assert load_arena_config(None) == ArenaConfig()


# ---- start pose -----------------------------------------------------------------

def test_start_pose_seeded() -> None:
    c = cfg(start={"position_mm": [-1.0, 2.0], "position_jitter_mm": 1.0})
    poses = [sample_start(c, s) for s in range(200)]
    assert sample_start(c, 7) == sample_start(c, 7)
    assert sample_start(c, 7) != sample_start(c, 8)
    xy = np.array([p[:2] for p in poses])
    assert np.all(np.hypot(xy[:, 0] + 1.0, xy[:, 1] - 2.0) <= 1.0)
    headings = np.array([p[2] for p in poses])
    assert headings.min() >= 0 and headings.max() < 2 * math.pi and headings.std() > 1.0
    fixed = cfg(start={"heading_rad": 1.0, "heading_jitter_rad": 0.1})
    hs = [sample_start(fixed, s)[2] for s in range(50)]
    assert all(0.9 <= h <= 1.1 for h in hs)
    assert sample_start(fixed, 3)[:2] == (0.0, 0.0)


def test_world_reproducible_bit_for_bit() -> None:
    c = cfg(start={"position_mm": [0.0, 0.0], "position_jitter_mm": 3.0})

    def trajectory(seed: int) -> np.ndarray:
        w = World(c, seed=seed)
        rng = np.random.default_rng(seed)
        rows = []
        for t in range(3000):
            d, v = wave(t)
            noise = 0.1 * rng.standard_normal(N)
            sens = w.step(d + noise, v - noise)
            rows.append(np.concatenate([w.body.state, sens]))
        return np.array(rows)

    a, b = trajectory(42), trajectory(42)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, trajectory(43))


# ---- sensors ---------------------------------------------------------------------

@pytest.mark.parametrize("heading", [0.0, 1.0, -2.5])
def test_chemosensor_left_right_asymmetry(heading: float) -> None:
    p = make_params(sensor_lateral_mm=0.05)
    s = straight_state(0.0, 0.0, heading, p)
    hx, hy = s[0], s[1]
    left = np.array([-math.sin(heading), math.cos(heading)])
    out = np.zeros(sensor_size(N))
    filt = np.zeros(2)
    for side in (1.0, -1.0):  # food on the worm's left, then on its right
        fx, fy = np.array([hx, hy]) + side * 2.0 * left
        food = np.array([[fx, fy, 1.5, 1.0]])
        init_chem_filter(s, p, food, filt)
        read_sensors(s, p, food, filt, 1.0, out)
        assert np.sign(out[SEN_C_LEFT] - out[SEN_C_RIGHT]) == side
    xl, yl, xr, yr = chemosensor_positions(s, p)
    assert math.hypot(xl - xr, yl - yr) == pytest.approx(2 * p[P_SENSOR_LATERAL])


def test_chemosensor_change_positive_when_approaching_food() -> None:
    c = cfg(food=[{"position_mm": [5.0, 0.0], "width_mm": 3.0}],
            start={"position_mm": [-2.0, 0.0], "heading_rad": 0.0})
    w = World(c)
    assert w.sensors[SEN_DC_LEFT] == 0.0
    for t in range(4000):
        sens = w.step(*wave(t))
    assert sens[SEN_DC_LEFT] > 0 and sens[SEN_DC_RIGHT] > 0
    assert sens[SEN_C_LEFT] > w.concentration(-1.5, 0.0)


def test_exp_filter() -> None:
    f, dc = exp_filter_step(1.0, 0.0, 1.0, 100.0)
    assert f == pytest.approx(1 - math.exp(-0.01)) and dc == pytest.approx(1.0 - f)
    f, dc = exp_filter_step(2.0, 2.0, 1.0, 100.0)
    assert f == 2.0 and dc == 0.0


def test_touch_at_wall() -> None:
    c = ArenaConfig.from_dict({"radius_mm": 1.5, "food": [],
                               "start": {"position_mm": [0.0, 0.0], "heading_rad": 0.0}})
    w = World(c)
    assert w.sensors[SEN_TOUCH_HEAD] == 0.0 and w.sensors[SEN_TOUCH_TAIL] == 0.0
    touched = 0.0
    for t in range(8000):
        sens = w.step(*wave(t))
        touched = max(touched, sens[SEN_TOUCH_HEAD])
        assert 0.0 <= sens[SEN_TOUCH_HEAD] <= 1.0
    assert touched == pytest.approx(1.0, abs=0.01)
    assert sens[SEN_TOUCH_TAIL] == 0.0
    # backing into the wall touches the tail instead
    w = World(c)
    tail = 0.0
    for t in range(8000):
        m = 0.35 * np.sin(2 * np.pi * (0.5 * t / 1000.0 + IDX / 16.0))
        tail = max(tail, w.step(0.5 + 0.5 * m, 0.5 - 0.5 * m)[SEN_TOUCH_TAIL])
    assert tail > 0.9


def test_proprioception_sign_and_range() -> None:
    w = World(cfg())
    d = np.where(IDX < 12, 1.0, 0.5)
    for _ in range(1000):
        sens = w.step(d, np.full(N, 0.5))
    prop = sens[SEN_PROPRIO:]
    assert prop.shape == (N,)
    assert np.all(prop[:11] > 0.5) and np.all(np.abs(prop) <= 1.0)
    assert np.all(np.abs(prop[13:]) < 1e-3)


def test_arena_tick_matches_world_step() -> None:
    w = World(cfg())
    s, f = w.body.state.copy(), w.chem_filt.copy()
    out = np.zeros_like(w.sensors)
    for t in range(200):
        d, v = wave(t)
        arena_tick(s, w.params, w.food, f, d, v, 1.0, out)
        w.step(d, v)
    assert np.array_equal(s, w.body.state) and np.array_equal(out, w.sensors)


def test_motor_transforms() -> None:
    assert rate_to_activation(0.0, 20.0) == 0.0
    assert rate_to_activation(20.0, 20.0) == pytest.approx(0.5)
    assert rate_to_activation(-5.0, 20.0) == 0.0
    act = np.zeros(3)
    activation_step(act, np.array([1.0, 2.0, -1.0]), 1000.0, 10.0)
    assert np.allclose(act, [1.0, 1.0, 0.0])
