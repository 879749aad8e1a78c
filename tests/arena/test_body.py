"""Body physics: exact rest, clipped joints, bounded dynamics, undulatory
propulsion, force balance, wall containment."""
from __future__ import annotations

import math

import numpy as np
import pytest

from arena.body import (
    N_PARAMS, N_SEGMENTS, P_DRAG_N, P_DRAG_ROT, P_DRAG_T, P_JOINT_LIMIT, P_SEG_LEN,
    P_SUBSTEPS, S_PHI, Body, body_nodes, body_step, centre_of_mass, make_params,
    segment_curvature, state_size, straight_state,
)

N = N_SEGMENTS
IDX = np.arange(N)


def wave(t_ms: float, direction: int = 1, f_hz: float = 0.5, lam_seg: float = 16.0,
         amp: float = 0.35, bias: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Dorsal/ventral activations of a travelling wave; direction +1 = head->tail."""
    m = amp * np.sin(2 * np.pi * (f_hz * t_ms / 1000.0 - direction * IDX / lam_seg)) + bias
    return 0.5 + 0.5 * m, 0.5 - 0.5 * m


def run_wave(body: Body, n_ticks: int, t0: int = 0, **kw) -> None:
    for t in range(t0, t0 + n_ticks):
        body.step(*wave(t, **kw))


@pytest.fixture(scope="module")
def big() -> np.ndarray:
    """Parameters with a wall far away (no contact)."""
    return make_params(arena_radius_mm=100.0)


def test_layout() -> None:
    p = make_params()
    assert p.shape == (N_PARAMS,)
    assert state_size() == N + 2
    assert p[P_SEG_LEN] * N == pytest.approx(1.0)
    assert p[P_DRAG_N] / p[P_DRAG_T] == pytest.approx(40.0)


def test_straight_worm_without_input_does_not_move(big: np.ndarray) -> None:
    b = Body.straight(0.3, -0.2, 1.1, big)
    s0 = b.state.copy()
    zero = np.zeros(N)
    for _ in range(2000):
        assert b.step(zero, zero) == 0.0
    assert np.array_equal(b.state, s0)  # exact, bit for bit
    # balanced co-contraction is no input to the joints either
    half = np.full(N, 0.7)
    for _ in range(500):
        b.step(half, half)
    assert np.array_equal(b.state, s0)


def test_clipped_joint_generates_no_thrust(big: np.ndarray) -> None:
    """Full dorsal activation drives every joint past its limit: once clipped the
    joints stop, so the body must stop (no drift from a pinned joint)."""
    b = Body.straight(0.0, 0.0, 0.0, big)
    ones, zero = np.ones(N), np.zeros(N)
    for _ in range(400):  # transient: target 0.8 rad > limit 0.6 rad, reached at ~139 ms
        b.step(ones, zero)
    assert np.all(b.joint_angles == big[P_JOINT_LIMIT])
    c0 = np.array(b.centre_of_mass())
    s0 = b.state.copy()
    powers = [b.step(ones, zero) for _ in range(3000)]
    drift = np.hypot(*(np.array(b.centre_of_mass()) - c0))
    assert drift < 1e-12
    assert np.array_equal(b.state, s0)
    assert max(powers) == 0.0
    # one side of the body only (head half dorsal at max): also stops
    b = Body.straight(0.0, 0.0, 0.0, big)
    d = np.where(IDX < N // 2, 1.0, 0.0)
    for _ in range(4000):  # the unclipped joints relax exponentially (tau 100 ms)
        b.step(d, zero)
    c0 = np.array(b.centre_of_mass())
    for _ in range(3000):
        b.step(d, zero)
    assert np.hypot(*(np.array(b.centre_of_mass()) - c0)) < 1e-9


def test_random_input_keeps_dynamics_bounded(big: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    b = Body.straight(0.0, 0.0, 0.0, big)
    nodes = np.empty((N + 1, 2))
    prev = np.array(b.centre_of_mass())
    max_step, powers = 0.0, []
    lim = big[P_JOINT_LIMIT]
    for t in range(20000):
        if (t // 100) % 2:  # alternate white noise and worst-case full flips
            d, v = rng.random(N), rng.random(N)
        else:
            d = np.full(N, float(rng.random() > 0.5))
            v = 1.0 - d
        powers.append(b.step(d, v))
        c = np.array(b.centre_of_mass())
        max_step = max(max_step, float(np.hypot(*(c - prev))))
        prev = c
        assert np.all(np.abs(b.joint_angles) <= lim)
    assert np.all(np.isfinite(b.state))
    powers = np.asarray(powers)
    assert np.all(powers >= 0.0) and np.all(np.isfinite(powers))
    # centre-of-mass speed < 0.05 mm/ms (50 body lengths/s, far above anything
    # the joint time constant allows) and no growth of dissipation over time
    assert max_step < 0.05
    assert powers.max() < 1e-3
    assert powers[10000:].max() < 3.0 * powers[:10000].max()
    # the chain stays rigid: every segment keeps its length
    body_nodes(b.state, big, nodes)
    seg = np.hypot(*np.diff(nodes, axis=0).T)
    assert np.allclose(seg, big[P_SEG_LEN], rtol=0, atol=1e-12)


@pytest.mark.parametrize("direction", [1, -1])
def test_travelling_wave_propels(big: np.ndarray, direction: int) -> None:
    """Head->tail wave: forward (along the head); tail->head wave: backward."""
    heading = 0.7
    b = Body.straight(0.0, 0.0, heading, big)
    c0 = np.array(b.centre_of_mass())
    run_wave(b, 10000, direction=direction)
    disp = np.array(b.centre_of_mass()) - c0
    along = disp @ np.array([math.cos(heading), math.sin(heading)])
    # ~0.25 body lengths/s at 0.5 Hz: expect > 1.5 mm in 10 s, mostly along the axis
    assert direction * along > 1.5
    assert abs(along) > 0.9 * np.hypot(*disp)


def test_dorsal_bias_turns_left(big: np.ndarray) -> None:
    """Convention check: dorsal (= left) bias during forward crawling curves the
    path counter-clockwise."""
    b = Body.straight(0.0, 0.0, 0.0, big)
    run_wave(b, 2000)
    p0 = np.array(b.centre_of_mass())
    run_wave(b, 4000, t0=2000, bias=0.1)
    p1 = np.array(b.centre_of_mass())
    run_wave(b, 4000, t0=6000, bias=0.1)
    p2 = np.array(b.centre_of_mass())
    a, c = p1 - p0, p2 - p1
    assert a[0] * c[1] - a[1] * c[0] > 0.0  # cross product > 0: left turn


def test_rigid_motion_covariance(big: np.ndarray) -> None:
    """Physics does not depend on where the worm is or which way it faces."""
    b1 = Body.straight(0.0, 0.0, 0.0, big)
    b2 = Body.straight(3.0, -2.0, 2.0, big)
    c1, c2 = np.array(b1.centre_of_mass()), np.array(b2.centre_of_mass())
    run_wave(b1, 3000)
    run_wave(b2, 3000)
    d1 = np.array(b1.centre_of_mass()) - c1
    d2 = np.array(b2.centre_of_mass()) - c2
    rot = np.array([[math.cos(2.0), -math.sin(2.0)], [math.sin(2.0), math.cos(2.0)]])
    assert np.allclose(rot @ d1, d2, atol=1e-9)
    assert np.allclose(b1.joint_angles, b2.joint_angles)


def test_zero_net_force_and_torque(big: np.ndarray) -> None:
    """Independent check of the RFT solve: finite-difference segment velocities of
    one tiny step give (almost) zero net drag force and torque."""
    b = Body.straight(0.0, 0.0, 0.3, big)
    run_wave(b, 1500)
    p = big.copy()
    p[P_SUBSTEPS] = 1.0
    dt = 1e-4
    n0 = np.empty((N + 1, 2))
    n1 = np.empty((N + 1, 2))
    body_nodes(b.state, p, n0)
    s = b.state.copy()
    body_step(s, p, *wave(1500), dt)
    body_nodes(s, p, n1)
    L, ct, cn, cr = p[P_SEG_LEN], p[P_DRAG_T], p[P_DRAG_N], p[P_DRAG_ROT]
    cen0 = 0.5 * (n0[:-1] + n0[1:])
    cen1 = 0.5 * (n1[:-1] + n1[1:])
    vel = (cen1 - cen0) / dt
    tang0 = n0[:-1] - n0[1:]
    tang1 = n1[:-1] - n1[1:]
    th0 = np.arctan2(tang0[:, 1], tang0[:, 0])
    th1 = np.arctan2(tang1[:, 1], tang1[:, 0])
    thdot = np.angle(np.exp(1j * (th1 - th0))) / dt
    t = tang0 / L
    nrm = np.stack([-t[:, 1], t[:, 0]], axis=1)
    vt = np.sum(vel * t, axis=1)
    vn = np.sum(vel * nrm, axis=1)
    f = -L * (ct * vt[:, None] * t + cn * vn[:, None] * nrm)
    torque = cen0[:, 0] * f[:, 1] - cen0[:, 1] * f[:, 0] - cr * thdot
    scale = np.abs(f).sum()
    assert scale > 0
    assert np.hypot(*f.sum(axis=0)) < 1e-5 * scale
    assert abs(torque.sum()) < 1e-5 * scale * np.abs(cen0).max()


def test_substep_convergence() -> None:
    out = []
    for ns in (1, 8):
        p = make_params(arena_radius_mm=100.0, substeps=ns)
        b = Body.straight(0.0, 0.0, 0.0, p)
        run_wave(b, 4000)
        out.append(np.array(b.centre_of_mass()))
    assert np.hypot(*(out[0] - out[1])) < 0.01 * np.hypot(*out[1])


def test_worm_never_leaves_arena() -> None:
    """A small dish: crawl into the wall, then thrash randomly; every node of
    every tick stays inside R, and the head does reach the wall."""
    R = 1.5
    p = make_params(arena_radius_mm=R)
    b = Body.straight(0.0, 0.0, 0.0, p)
    nodes = np.empty((N + 1, 2))
    rmax = 0.0
    rng = np.random.default_rng(11)
    for t in range(30000):
        if t < 20000:
            d, v = wave(t)
        elif (t // 50) % 2:
            d, v = rng.random(N), rng.random(N)
        else:
            d = np.full(N, float(rng.random() > 0.5))
            v = 1.0 - d
        b.step(d, v)
        body_nodes(b.state, p, nodes)
        rmax = max(rmax, float(np.hypot(nodes[:, 0], nodes[:, 1]).max()))
        assert rmax <= R
    assert rmax > R - 0.02  # it really pushed against the wall


def test_wall_slides_worm_along() -> None:
    """Frictionless wall: a worm crawling into it is turned and slides along
    the rim instead of sticking forever."""
    p = make_params(arena_radius_mm=1.5)
    b = Body.straight(0.0, 0.0, 0.0, p)
    run_wave(b, 40000)
    x, y = b.centre_of_mass()
    assert math.degrees(abs(math.atan2(y, x))) > 20.0


def test_curvature_readout(big: np.ndarray) -> None:
    s = straight_state(0.0, 0.0, 0.0, big)
    s[S_PHI:] = 0.1
    out = np.empty(N)
    segment_curvature(s, big, out)
    assert np.allclose(out, 0.1 / big[P_SEG_LEN])
    # the dorsal side is concave for phi > 0: the tail curls towards the left (+y)
    nodes = np.empty((N + 1, 2))
    body_nodes(s, big, nodes)
    assert nodes[-1, 1] > 0.0
    assert centre_of_mass(s, big)[1] > 0.0
