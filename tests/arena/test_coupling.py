"""Brain <-> arena coupling: binding by terminal name, sensor currents, motor
read-out, reward sign, metrics (small test brain, tests/arena/data/worm_min.yaml)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

import runtime
from arena.body import S_X, straight_state
from arena.config import ArenaConfig
from arena.coupling import (
    CH_CHEM_L, CH_TOUCH_H, ES_NSAMP, ES_REWARD, ES_TICKS, EIO_HEADER, IN_W, OUT_W, TRAJ_COLUMNS, attach_arena, bind, chemotaxis_index, env_kernel, nearest_food_distance,
    segment_groups,
)
from arena.sensors import SEN_C_LEFT, SEN_C_RIGHT
from brainc.compiler import compile_recipe
from brainc.errors import BraincError

DATA = Path(__file__).parent / "data"
RECIPE = DATA / "worm_min.yaml"
N = 24


@pytest.fixture(scope="module")
def worm_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_recipe(RECIPE, out=tmp_path_factory.mktemp("worm") / "worm_min.db")


def _recipe_variant(tmp: Path, edit) -> Path:
    data = yaml.safe_load(RECIPE.read_text())
    edit(data)
    p = tmp / "variant.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return compile_recipe(p, out=tmp / "variant.db")


def _blocks(net):
    return tuple(b.I for b in net.blocks), tuple(b.out for b in net.blocks)


# ---- binding ------------------------------------------------------------------------

def test_segment_groups_split_head_to_tail() -> None:
    g = segment_groups(48, N)
    assert [s for _, s, _ in g] == [k // 2 for k in range(48)]
    assert all(w == 0.5 for _, _, w in g)
    g = segment_groups(30, N)  # unequal: sizes 1 or 2, weights 1/size, monotone
    segs = [s for _, s, _ in g]
    assert segs == sorted(segs) and set(segs) == set(range(N))
    for s in range(N):
        ws = [w for _, ss, w in g if ss == s]
        assert sum(ws) == pytest.approx(1.0)
    g = segment_groups(12, N)  # fewer units than segments: each drives 2 segments
    assert [(u, s) for u, s, _ in g] == [(s // 2, s) for s in range(N)]


def test_binding_by_terminal_name(worm_db: Path) -> None:
    net = runtime.load(worm_db)
    b = bind(net, N)
    assert b.sizes == {"chemo_left": 1, "chemo_right": 1, "touch_head": 1, "touch_tail": 1,
                       "motor_dorsal": 48, "motor_ventral": 48}
    blk, sens = net._locate("chemo_left")
    row = b.inputs[b.inputs[:, 2] == CH_CHEM_L]
    assert row.shape == (1, IN_W) and row[0, 0] == blk and row[0, 1] == sens[0]
    # outputs: dorsal group i -> slot i, ventral group i -> slot N + i, weight 1/2
    _, mn_d = net._locate("motor_dorsal")
    _, mn_v = net._locate("motor_ventral")
    out = b.outputs
    assert out.shape == (96, OUT_W)
    for k, u in enumerate(mn_d):
        r = out[out[:, 1] == u][0]
        assert r[2] == k // 2 and r[3] == 0.5
    for k, u in enumerate(mn_v):
        assert out[out[:, 1] == u][0][2] == N + k // 2
    io = b.io()
    assert io[0] == 4 and io[1] == 96 and io.size == EIO_HEADER + 4 * IN_W + 96 * OUT_W


def test_missing_terminals_named_in_one_error(worm_db: Path, tmp_path: Path) -> None:
    def drop(d):
        del d["terminals"]["touch_tail"]
        d["terminals"]["motor_v"] = d["terminals"].pop("motor_ventral")
        d["projections"] = [p for p in d["projections"] if p["from"] != "touch_tail"]
    db = _recipe_variant(tmp_path, drop)
    net = runtime.load(db)
    with pytest.raises(BraincError) as exc:
        attach_arena(net)
    msg = str(exc.value)
    assert "touch_tail" in msg and "motor_ventral" in msg and "chemo_left" not in msg.split("(missing")[0]
    assert "motor_v" in msg  # lists what is there


def test_proprio_terminal_needs_one_unit_per_segment(tmp_path: Path) -> None:
    def add(d):
        d["populations"].append({"name": "prop", "model": "izhikevich", "size": 10, "type": "RS"})
        d["terminals"]["proprio"] = "prop"
    net = runtime.load(_recipe_variant(tmp_path, add))
    with pytest.raises(BraincError, match="proprio"):
        attach_arena(net)


# ---- sensing and acting -------------------------------------------------------------

def test_phase0_writes_sensor_currents(worm_db: Path) -> None:
    net = runtime.load(worm_db)
    env = attach_arena(net, seed=1)
    I, out = _blocks(net)
    for x in I:
        x[:] = 0.0
    env_kernel(0, 1.0, env.S, env.P, env.io, net.mods, 0, I, out)
    c = env.config.coupling
    sen = env.sensors
    b, (u,) = net._locate("chemo_left")
    assert I[b][0, u] == pytest.approx(c.chem_gain * sen[SEN_C_LEFT])  # dc = 0 at the start
    b, (u,) = net._locate("chemo_right")
    assert I[b][0, u] == pytest.approx(c.chem_gain * sen[SEN_C_RIGHT])
    b, (u,) = net._locate("touch_head")
    assert I[b][0, u] == 0.0  # far from the wall
    assert env.channels[CH_TOUCH_H] == 0.0
    # only the bound units received input
    assert sum(np.count_nonzero(x) for x in I) == 2


def test_phase1_motor_spikes_drive_muscles(worm_db: Path) -> None:
    net = runtime.load(worm_db)
    env = attach_arena(net, seed=1)
    I, out = _blocks(net)
    b, mn_d = net._locate("motor_dorsal")
    for x in out:
        x[:] = 0.0
    out[b][mn_d[:2]] = 1.0  # dorsal group 0 (head) fires
    env_kernel(0, 1.0, env.S, env.P, env.io, net.mods, 1, I, out)
    d, v = env.activations
    assert d[0] > 0.0 and np.all(d[1:] == 0.0) and np.all(v == 0.0)
    tau = env.config.coupling.motor_tau_ms
    half = env.config.coupling.motor_half_max_hz
    rate = 1000.0 * (1 - math.exp(-1.0 / tau))  # a whole group firing in one tick = 1000 Hz input
    assert d[0] == pytest.approx(rate / (rate + half))
    assert env.S[ES_TICKS] == 1


# ---- reward -------------------------------------------------------------------------

def _reward_run(worm_db: Path, toward: bool, learn: bool = True) -> tuple[float, float]:
    """Slide a straight worm 1 um per tick toward (or away from) the food
    (a static shape never moves by itself) and return (env reward, mods reward)."""
    net = runtime.load(worm_db)
    cfg = ArenaConfig.from_dict({**net.brain.extras["arena"],
                                 "start": {"position_mm": [-2.0, 0.0], "heading_rad": 0.0}})
    env = attach_arena(net, config=cfg, seed=0, learn=learn)
    I, out = _blocks(net)
    for x in out:
        x[:] = 0.0
    body = env.layout.body
    step = 0.001 if toward else -0.001
    r_env = r_mod = 0.0
    for t in range(300):
        env.S[body + S_X] += step
        net.mods[:] = 0.0
        env_kernel(t, 1.0, env.S, env.P, env.io, net.mods, 1, I, out)
        r_env, r_mod = env.S[ES_REWARD], net.mods[net.modulator_names.index("reward")]
    return r_env, r_mod


def test_reward_positive_when_approaching_food(worm_db: Path) -> None:
    r_env, r_mod = _reward_run(worm_db, toward=True)
    assert r_env > 0 and r_mod == pytest.approx(r_env)
    r_env, r_mod = _reward_run(worm_db, toward=False)
    assert r_env < 0 and r_mod == pytest.approx(r_env)


def test_no_learn_keeps_reward_out_of_the_loop(worm_db: Path) -> None:
    r_env, r_mod = _reward_run(worm_db, toward=True, learn=False)
    assert r_env > 0 and r_mod == 0.0


def test_wall_contact_is_penalised(worm_db: Path) -> None:
    net = runtime.load(worm_db)
    env = attach_arena(net, seed=0)
    I, out = _blocks(net)
    for x in out:
        x[:] = 0.0
    R = env.config.radius_mm
    st = straight_state(R - 0.5 - 0.001, 0.0, 0.0, env.body_params, N)  # head tip at the wall
    env.S[env.layout.body:env.layout.body + N + 2] = st
    env_kernel(0, 1.0, env.S, env.P, env.io, net.mods, 1, I, out)
    assert env.S[ES_REWARD] < -0.5 * env.config.coupling.wall_penalty
    assert env.channels[CH_TOUCH_H] > 0


# ---- metrics ------------------------------------------------------------------------

def test_chemotaxis_index() -> None:
    assert chemotaxis_index(5.0, 1.0) == pytest.approx(0.8)
    assert chemotaxis_index(5.0, 5.0) == 0.0
    assert chemotaxis_index(4.0, 8.0) == pytest.approx(-1.0)
    assert chemotaxis_index(0.0, 1.0) == 0.0
    food = np.array([[4.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, -1.0]])  # a repellent is not food
    assert nearest_food_distance(0.0, 0.0, food) == pytest.approx(4.0)


def test_metrics_and_trajectory(worm_db: Path) -> None:
    net = runtime.load(worm_db)
    env = attach_arena(net, seed=2, ticks=3000)
    net.run(3000)
    m = env.metrics()
    tr = env.trajectory()
    every = env.config.coupling.sample_every
    assert tr.shape == (3000 // every + 1, len(TRAJ_COLUMNS)) and env.S[ES_NSAMP] == len(tr)
    assert np.array_equal(tr[:, 0], np.arange(len(tr)) * every)
    assert m["ticks"] == 3000
    assert m["d_start"] == pytest.approx(tr[0, 7])
    assert m["d_end"] == pytest.approx(tr[-1, 7])
    assert m["ci"] == pytest.approx((m["d_start"] - m["d_end"]) / m["d_start"])
    assert min(tr[:, 7]) - 1e-9 <= m["mean_distance"] <= max(tr[:, 7]) + 1e-9
    assert 0.0 <= m["frac_near"] <= 1.0 and m["speed_mm_s"] > 0.05  # it crawls
    # the trajectory grows past its reservation instead of silently stopping
    env.reserve(2000)
    net.run(2000)
    assert len(env.trajectory()) == 5000 // every + 1
