"""The worm body: a planar chain of rigid segments moved by resistive-force theory.

Model (full derivation and parameter tables in ``docs/arena.md``):

* ``N`` rigid segments (default 24) of length ``L`` form a chain; ``N - 1``
  hinge joints carry the bending angles ``phi_j`` (rad).
* Each segment has a dorsal and a ventral muscle with activation in [0, 1].
  Joint ``j`` (between segments ``j`` and ``j + 1``) is driven by the mean
  activation difference of its two neighbours, which sets a preferred angle
  ``G * m_j``. The joint relaxes to it with time constant ``tau_j``
  (overdamped hinge: viscous joint, linear passive stiffness and muscle torque,
  divided through by the joint viscosity). Angles are clipped to
  ``[-phi_max, phi_max]`` and the joint velocity used by the drag computation is
  the *realised* rate ``(phi_new - phi_old) / h``, so a joint held at its limit
  has zero angular velocity and produces no thrust.
* Inertia is neglected (low Reynolds number / crawling on agar): given the
  shape velocity, the rigid-body velocity ``u = (x_dot, y_dot, omega)`` of the
  head node follows from zero net external force and torque, with anisotropic
  resistive-force drag ``f = -c_t (v.t) t - c_n (v.n) n`` per unit length.
* A circular wall of radius ``R`` acts on the chain nodes through a frictionless
  linearly-implicit penalty force (included in the force balance, so contact
  pushes *and* turns the body) and a hard position projection that guarantees no
  node ever ends a substep outside ``R``.

Conventions
-----------
Units: length mm, time ms, angle rad. Forces are in "drag units": the force
on 1 mm of body moving sideways at 1 mm/ms when c_n = 1, so drag coefficients
are drag units per (mm * mm/ms). Only the drag ratio matters for locomotion;
absolute values only matter relative to the wall stiffness.

``state`` float64[N + 2]::

    state[0]      x of the head tip (node 0), mm
    state[1]      y of the head tip, mm
    state[2]      theta_0, heading of the head segment (direction tail->head), rad
    state[3 + j]  phi_j, angle of joint j (between segments j and j+1), rad,
                  j = 0 .. N-2 (head to tail)

Segment ``i`` points along ``t_i = (cos theta_i, sin theta_i)`` with
``theta_{i+1} = theta_i - phi_i``; node ``i + 1 = node i - L t_i``. The worm's
*left* is ``n_0 = (-sin theta_0, cos theta_0)``; the dorsal side is placed on the
left (the worm crawls on its side), so ``phi > 0`` means the dorsal side is
concave and a worm crawling forward along its own curve turns left.

``params`` float64[N_PARAMS]: indices ``P_*`` below; build with
:func:`make_params` (or :meth:`arena.config.ArenaConfig.body_params`).

``dorsal``, ``ventral`` float64[N]: muscle activations per segment, head first,
clipped to [0, 1] inside the step.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "N_SEGMENTS", "N_PARAMS",
    "P_SEG_LEN", "P_DRAG_T", "P_DRAG_N", "P_DRAG_ROT", "P_MUSCLE_GAIN",
    "P_JOINT_TAU", "P_JOINT_LIMIT", "P_SUBSTEPS", "P_ARENA_RADIUS",
    "P_WALL_STIFFNESS", "P_WALL_SKIN", "P_SENSOR_LATERAL", "P_SENSOR_BACK",
    "P_CHEM_TAU", "P_TOUCH_RANGE",
    "S_X", "S_Y", "S_THETA", "S_PHI",
    "state_size", "make_params", "straight_state",
    "body_step", "body_nodes", "centre_of_mass", "segment_curvature", "mean_joint_angle",
    "Body",
]

#: Default number of segments (C. elegans: 24 body-wall muscle rows per quadrant).
N_SEGMENTS = 24

# ---- parameter vector layout -------------------------------------------------
P_SEG_LEN = 0         # segment length L, mm
P_DRAG_T = 1          # tangential drag coefficient c_t, drag units per (mm * mm/ms)
P_DRAG_N = 2          # normal drag coefficient c_n, same units
P_DRAG_ROT = 3        # rotational drag of one segment about its centre, c_n L^3 / 12
P_MUSCLE_GAIN = 4     # preferred joint angle per unit activation difference, rad
P_JOINT_TAU = 5       # joint relaxation time constant, ms
P_JOINT_LIMIT = 6     # |phi| limit, rad
P_SUBSTEPS = 7        # physics substeps per body_step call (stored as float)
P_ARENA_RADIUS = 8    # wall radius, mm (arena centred at the origin)
P_WALL_STIFFNESS = 9  # penalty stiffness, drag units per mm of penetration
P_WALL_SKIN = 10      # penalty acts from R - skin outwards, mm
P_SENSOR_LATERAL = 11  # chemosensor offset left/right of the midline, mm
P_SENSOR_BACK = 12    # chemosensor offset behind the head tip, mm
P_CHEM_TAU = 13       # chemosensor adaptation (exponential filter) time constant, ms
P_TOUCH_RANGE = 14    # distance to the wall at which touch starts to respond, mm
N_PARAMS = 15

# ---- state vector layout -----------------------------------------------------
S_X = 0
S_Y = 1
S_THETA = 2
S_PHI = 3


def state_size(n_segments: int = N_SEGMENTS) -> int:
    """Length of the body state vector for ``n_segments`` segments (N + 2)."""
    if n_segments < 2:
        raise ValueError("a body needs at least 2 segments")
    return n_segments + 2


def make_params(
    *,
    n_segments: int = N_SEGMENTS,
    length_mm: float = 1.0,
    drag_normal: float = 1.0,
    drag_ratio: float = 40.0,
    muscle_gain_rad: float = 0.8,
    joint_tau_ms: float = 100.0,
    joint_limit_rad: float = 0.6,
    substeps: int = 2,
    arena_radius_mm: float = 10.0,
    wall_stiffness: float = 1000.0,
    wall_skin_mm: float = 0.01,
    sensor_lateral_mm: float = 0.02,
    sensor_back_mm: float = 0.0,
    chem_tau_ms: float = 1000.0,
    touch_range_mm: float = 0.05,
) -> np.ndarray:
    """Build the float64[N_PARAMS] parameter vector used by the compiled kernels.

    ``drag_ratio`` is c_n / c_t (40 ~ C. elegans on agar); the per-segment
    rotational drag is derived from the slender-rod value c_n L^3 / 12.
    """
    if n_segments < 2:
        raise ValueError("n_segments must be >= 2")
    if length_mm <= 0 or drag_normal <= 0 or drag_ratio <= 0:
        raise ValueError("length, drag_normal and drag_ratio must be positive")
    if joint_tau_ms <= 0 or joint_limit_rad <= 0 or substeps < 1:
        raise ValueError("joint_tau_ms, joint_limit_rad must be > 0 and substeps >= 1")
    if chem_tau_ms <= 0 or touch_range_mm <= 0 or arena_radius_mm <= 0:
        raise ValueError("chem_tau_ms, touch_range_mm and arena_radius_mm must be > 0")
    seg = length_mm / n_segments
    p = np.zeros(N_PARAMS, dtype=np.float64)
    p[P_SEG_LEN] = seg
    p[P_DRAG_N] = drag_normal
    p[P_DRAG_T] = drag_normal / drag_ratio
    p[P_DRAG_ROT] = drag_normal * seg ** 3 / 12.0
    p[P_MUSCLE_GAIN] = muscle_gain_rad
    p[P_JOINT_TAU] = joint_tau_ms
    p[P_JOINT_LIMIT] = joint_limit_rad
    p[P_SUBSTEPS] = float(int(substeps))
    p[P_ARENA_RADIUS] = arena_radius_mm
    p[P_WALL_STIFFNESS] = wall_stiffness
    p[P_WALL_SKIN] = wall_skin_mm
    p[P_SENSOR_LATERAL] = sensor_lateral_mm
    p[P_SENSOR_BACK] = sensor_back_mm
    p[P_CHEM_TAU] = chem_tau_ms
    p[P_TOUCH_RANGE] = touch_range_mm
    return p


def straight_state(x_mid_mm: float, y_mid_mm: float, heading_rad: float,
                   params: np.ndarray, n_segments: int = N_SEGMENTS) -> np.ndarray:
    """State of a straight worm whose body midpoint is at (x_mid, y_mid), mm,
    head pointing along ``heading_rad``; returns float64[N + 2]."""
    s = np.zeros(state_size(n_segments), dtype=np.float64)
    half = 0.5 * params[P_SEG_LEN] * n_segments
    s[S_X] = x_mid_mm + half * math.cos(heading_rad)
    s[S_Y] = y_mid_mm + half * math.sin(heading_rad)
    s[S_THETA] = heading_rad
    return s


@njit(cache=True)
def _solve3(a00, a01, a02, a11, a12, a22, f0, f1, f2):
    """Solve the symmetric 3x3 system A u = f by cofactors (A is SPD here)."""
    c00 = a11 * a22 - a12 * a12
    c01 = a02 * a12 - a01 * a22
    c02 = a01 * a12 - a02 * a11
    c11 = a00 * a22 - a02 * a02
    c12 = a01 * a02 - a00 * a12
    c22 = a00 * a11 - a01 * a01
    det = a00 * c00 + a01 * c01 + a02 * c02
    inv = 1.0 / det
    u0 = (c00 * f0 + c01 * f1 + c02 * f2) * inv
    u1 = (c01 * f0 + c11 * f1 + c12 * f2) * inv
    u2 = (c02 * f0 + c12 * f1 + c22 * f2) * inv
    return u0, u1, u2


@njit(cache=True)
def _project_inside(state, params, n_seg):
    """Hard wall: rigidly translate the body so that no node lies outside R.

    Each pass moves the body inwards along the radial direction of the deepest
    node by its penetration (plus a 1e-12 mm margin). The body is tiny compared
    with the arena, so one pass nearly always suffices; the loop is bounded.
    """
    L = params[P_SEG_LEN]
    R = params[P_ARENA_RADIUS]
    for _ in range(16):
        x = state[S_X]
        y = state[S_Y]
        th = state[S_THETA]
        worst = 0.0
        wx = 0.0
        wy = 0.0
        for k in range(n_seg + 1):
            r2 = x * x + y * y
            if r2 > R * R:
                r = math.sqrt(r2)
                pen = r - R
                if pen > worst:
                    worst = pen
                    wx = x / r
                    wy = y / r
            if k < n_seg:
                x -= L * math.cos(th)
                y -= L * math.sin(th)
                if k < n_seg - 1:
                    th -= state[S_PHI + k]
        if worst <= 0.0:
            return
        shift = worst + 1e-12
        state[S_X] -= shift * wx
        state[S_Y] -= shift * wy


@njit(cache=True)
def body_step(state, params, dorsal, ventral, dt_ms):
    """Advance the body by ``dt_ms`` (one brain tick, normally 1 ms), in place.

    state   float64[N + 2]  (layout in the module docstring), updated in place
    params  float64[N_PARAMS]
    dorsal  float64[N]      dorsal muscle activation per segment, head first, [0, 1]
    ventral float64[N]      ventral muscle activation per segment, [0, 1]
    dt_ms   float           step length, ms; split into ``params[P_SUBSTEPS]``
                            equal substeps (activations held constant)

    Returns the mean power dissipated by drag over the step (drag units * mm/ms,
    >= 0); the wall's penalty force is not counted.
    """
    if not dt_ms > 0.0:  # nothing to do (also guards the rate division by h)
        return 0.0
    n_seg = state.shape[0] - 2
    n_joint = n_seg - 1
    L = params[P_SEG_LEN]
    ct = params[P_DRAG_T]
    cn = params[P_DRAG_N]
    crot = params[P_DRAG_ROT]
    gain = params[P_MUSCLE_GAIN]
    lim = params[P_JOINT_LIMIT]
    R = params[P_ARENA_RADIUS]
    kw = params[P_WALL_STIFFNESS]
    r_soft = R - params[P_WALL_SKIN]
    r_soft2 = r_soft * r_soft
    n_sub = int(params[P_SUBSTEPS])
    if n_sub < 1:
        n_sub = 1
    h = dt_ms / n_sub
    # Exact exponential relaxation towards the preferred angle: stable for any h
    # and exact for activations held constant over the substep.
    decay = math.exp(-h / params[P_JOINT_TAU])
    l_tot = L * n_seg
    energy = 0.0

    for _sub in range(n_sub):
        x0 = state[S_X]
        y0 = state[S_Y]
        # Drag resistance matrix (symmetric, upper triangle) and the drag force
        # from the shape motion alone (g), plus the shape-only dissipation (hq).
        r00 = 0.0
        r01 = 0.0
        r02 = 0.0
        r11 = 0.0
        r12 = 0.0
        r22 = 0.0
        g0 = 0.0
        g1 = 0.0
        g2 = 0.0
        hq = 0.0
        # Wall penalty contributions, kept apart so the dissipation is drag only.
        q00 = 0.0
        q01 = 0.0
        q02 = 0.0
        q11 = 0.0
        q12 = 0.0
        q22 = 0.0
        w0 = 0.0
        w1 = 0.0
        w2 = 0.0
        rmax2 = 0.0
        sum_abs_dphi = 0.0
        # Walk the chain head -> tail. (rx, ry): node position relative to the
        # head node; (bx, by): its velocity from shape change only; th: segment
        # angle; s: segment angular velocity from shape change only.
        rx = 0.0
        ry = 0.0
        bx = 0.0
        by = 0.0
        th = state[S_THETA]
        s = 0.0
        for i in range(n_seg + 1):
            # --- wall contact at node i ---------------------------------------
            px = x0 + rx
            py = y0 + ry
            p2 = px * px + py * py
            if p2 > rmax2:
                rmax2 = p2
            if p2 > r_soft2:
                pr = math.sqrt(p2)
                ex = px / pr
                ey = py / pr
                pen = pr - r_soft
                # generalized direction J^T e of the outward normal
                e2 = rx * ey - ry * ex
                # Linearly implicit penalty: the force uses the penetration
                # predicted at the end of the substep, so any stiffness is stable.
                kh = kw * h
                q00 += kh * ex * ex
                q01 += kh * ex * ey
                q02 += kh * ex * e2
                q11 += kh * ey * ey
                q12 += kh * ey * e2
                q22 += kh * e2 * e2
                fmag = kw * (pen + h * (ex * bx + ey * by))
                w0 -= fmag * ex
                w1 -= fmag * ey
                w2 -= fmag * e2
            if i == n_seg:
                break
            # --- segment i ----------------------------------------------------
            tx = math.cos(th)
            ty = math.sin(th)
            nx = -ty
            ny = tx
            # centre position / shape velocity relative to the head node
            cx = rx - 0.5 * L * tx
            cy = ry - 0.5 * L * ty
            vx = bx - 0.5 * L * s * nx
            vy = by - 0.5 * L * s * ny
            ax = -cy  # rigid-rotation lever: omega x c = omega * (ax, ay)
            ay = cx
            # RFT drag tensor integrated over the segment: L (c_t tt + c_n nn)
            kxx = L * (ct * tx * tx + cn * nx * nx)
            kxy = L * (ct - cn) * tx * ty
            kyy = L * (ct * ty * ty + cn * ny * ny)
            kax = kxx * ax + kxy * ay
            kay = kxy * ax + kyy * ay
            r00 += kxx
            r01 += kxy
            r02 += kax
            r11 += kyy
            r12 += kay
            r22 += ax * kax + ay * kay + crot
            kvx = kxx * vx + kxy * vy
            kvy = kxy * vx + kyy * vy
            g0 += kvx
            g1 += kvy
            g2 += ax * kvx + ay * kvy + crot * s
            hq += vx * kvx + vy * kvy + crot * s * s
            # --- advance to node i+1 ------------------------------------------
            rx -= L * tx
            ry -= L * ty
            bx -= L * s * nx
            by -= L * s * ny
            if i < n_joint:
                j = S_PHI + i
                phi_old = state[j]
                da = dorsal[i]
                va = ventral[i]
                db = dorsal[i + 1]
                vb = ventral[i + 1]
                # clip activations to the physiological range [0, 1]
                da = 0.0 if da < 0.0 else (1.0 if da > 1.0 else da)
                va = 0.0 if va < 0.0 else (1.0 if va > 1.0 else va)
                db = 0.0 if db < 0.0 else (1.0 if db > 1.0 else db)
                vb = 0.0 if vb < 0.0 else (1.0 if vb > 1.0 else vb)
                target = gain * 0.5 * ((da - va) + (db - vb))
                phi_new = target + (phi_old - target) * decay
                if phi_new > lim:
                    phi_new = lim
                elif phi_new < -lim:
                    phi_new = -lim
                # realised rate: zero for a joint pinned at its limit
                omega = (phi_new - phi_old) / h
                state[j] = phi_new
                sum_abs_dphi += abs(phi_new - phi_old)
                th -= phi_old
                s -= omega

        # Zero net force and torque: (R_drag + Q_wall) u = -g + w
        u0, u1, u2 = _solve3(r00 + q00, r01 + q01, r02 + q02,
                             r11 + q11, r12 + q12, r22 + q22,
                             w0 - g0, w1 - g1, w2 - g2)
        # drag dissipation u^T R u + 2 u.g + hq (>= 0 up to rounding)
        ru0 = r00 * u0 + r01 * u1 + r02 * u2
        ru1 = r01 * u0 + r11 * u1 + r12 * u2
        ru2 = r02 * u0 + r12 * u1 + r22 * u2
        pw = u0 * ru0 + u1 * ru1 + u2 * ru2 + 2.0 * (u0 * g0 + u1 * g1 + u2 * g2) + hq
        if pw < 0.0:
            pw = 0.0
        energy += pw * h

        state[S_X] = x0 + u0 * h
        state[S_Y] = y0 + u1 * h
        state[S_THETA] += u2 * h

        # Hard wall only when some node could have crossed R: each node moved by
        # at most |dx0| + L_tot (|omega| h + sum |dphi|) (chord <= arc).
        bound = (abs(u0) + abs(u1)) * h + l_tot * (abs(u2) * h + sum_abs_dphi)
        if math.sqrt(rmax2) + bound > R:
            _project_inside(state, params, n_seg)
    return energy / dt_ms


@njit(cache=True)
def body_nodes(state, params, out):
    """Write the N + 1 chain node positions (head tip first), mm, into
    ``out`` float64[N + 1, 2]."""
    n_seg = state.shape[0] - 2
    L = params[P_SEG_LEN]
    x = state[S_X]
    y = state[S_Y]
    th = state[S_THETA]
    for k in range(n_seg + 1):
        out[k, 0] = x
        out[k, 1] = y
        if k < n_seg:
            x -= L * math.cos(th)
            y -= L * math.sin(th)
            if k < n_seg - 1:
                th -= state[S_PHI + k]


@njit(cache=True)
def centre_of_mass(state, params):
    """Centre of mass (mean of segment centres, uniform density), mm -> (x, y)."""
    n_seg = state.shape[0] - 2
    L = params[P_SEG_LEN]
    x = state[S_X]
    y = state[S_Y]
    th = state[S_THETA]
    sx = 0.0
    sy = 0.0
    for i in range(n_seg):
        tx = math.cos(th)
        ty = math.sin(th)
        sx += x - 0.5 * L * tx
        sy += y - 0.5 * L * ty
        x -= L * tx
        y -= L * ty
        if i < n_seg - 1:
            th -= state[S_PHI + i]
    return sx / n_seg, sy / n_seg


@njit(cache=True, inline="always")
def mean_joint_angle(state, scale, out):
    """Mean of each segment's (one or two) adjacent joint angles, rad, times
    ``scale`` into ``out[0:N]`` (head first); shared by :func:`segment_curvature`
    and :func:`arena.sensors.proprioception`."""
    n_seg = state.shape[0] - 2
    for i in range(n_seg):
        acc = 0.0
        cnt = 0
        if i > 0:
            acc += state[S_PHI + i - 1]
            cnt += 1
        if i < n_seg - 1:
            acc += state[S_PHI + i]
            cnt += 1
        out[i] = acc / cnt * scale


@njit(cache=True)
def segment_curvature(state, params, out):
    """Curvature per segment, 1/mm, into ``out`` float64[N] (head first).

    Segment i's curvature is the mean of its (one or two) joint angles divided
    by the segment length; positive = dorsal (left) side concave.
    """
    mean_joint_angle(state, 1.0 / params[P_SEG_LEN], out)


class Body:
    """Convenience wrapper around a body state vector and its parameters.

    The compiled functions above are the product API; this class is for
    scripts and tests (each call crosses the Python/Numba boundary).
    """

    def __init__(self, state: np.ndarray, params: np.ndarray) -> None:
        self.state = np.ascontiguousarray(state, dtype=np.float64)
        self.params = np.ascontiguousarray(params, dtype=np.float64)
        if self.params.shape != (N_PARAMS,):
            raise ValueError(f"params must have shape ({N_PARAMS},)")
        self.n_segments = self.state.shape[0] - 2
        self._nodes = np.empty((self.n_segments + 1, 2))

    @classmethod
    def straight(cls, x_mid_mm: float = 0.0, y_mid_mm: float = 0.0, heading_rad: float = 0.0,
                 params: np.ndarray | None = None, n_segments: int = N_SEGMENTS) -> "Body":
        """A straight worm centred at (x_mid, y_mid), mm, heading ``heading_rad``."""
        p = make_params(n_segments=n_segments) if params is None else params
        return cls(straight_state(x_mid_mm, y_mid_mm, heading_rad, p, n_segments), p)

    def step(self, dorsal: np.ndarray, ventral: np.ndarray, dt_ms: float = 1.0) -> float:
        """Advance by ``dt_ms``; returns mean dissipated drag power (see body_step)."""
        return body_step(self.state, self.params, np.asarray(dorsal, np.float64),
                         np.asarray(ventral, np.float64), float(dt_ms))

    def nodes(self) -> np.ndarray:
        """Copy of the node positions, float64[N + 1, 2], mm, head tip first."""
        body_nodes(self.state, self.params, self._nodes)
        return self._nodes.copy()

    def centre_of_mass(self) -> tuple[float, float]:
        """Centre of mass (x, y), mm."""
        return centre_of_mass(self.state, self.params)

    def curvature(self) -> np.ndarray:
        """Curvature per segment, float64[N], 1/mm."""
        out = np.empty(self.n_segments)
        segment_curvature(self.state, self.params, out)
        return out

    @property
    def joint_angles(self) -> np.ndarray:
        """View of the joint angles, float64[N - 1], rad."""
        return self.state[S_PHI:]

    @property
    def head(self) -> tuple[float, float]:
        """Head tip position (x, y), mm."""
        return float(self.state[S_X]), float(self.state[S_Y])

    @property
    def heading(self) -> float:
        """Heading of the head segment, rad."""
        return float(self.state[S_THETA])

    @property
    def length_mm(self) -> float:
        """Body length, mm."""
        return float(self.params[P_SEG_LEN] * self.n_segments)
