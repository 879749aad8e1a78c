"""Brain <-> arena coupling: the environment kernel that runs inside the fused tick loop.

The runtime calls :func:`env_kernel` twice per tick (see
``runtime.registry.ENVIRONMENT_PROTOCOL`` and ``runtime.loop``):

* **phase 0** (after delivery, before integration): every bound *input* unit
  receives the current of its sensor channel, computed from the sensor reading
  at the end of the previous tick, into receptor row 0 of its block's ``I``.
* **phase 1** (after the neuron update): the spikes of the bound *motor* units
  are counted per segment, low-pass filtered into muscle activations, the body
  takes one step (``arena.world.arena_tick``: physics + sensors), the sensor
  channels for the next tick are computed, reward is added to
  ``mods[reward]`` (learning on) and the metrics and trajectory samples are
  updated. Everything stays in compiled code; Python only sets up the arrays.

Binding (terminal or population names of the brain, see :func:`bind`)::

    chemo_left, chemo_right    I = chem_gain c + chem_dc_gain max(dc, 0)       (required)
    touch_head, touch_tail     I = touch_gain * touch                          (required)
    motor_dorsal, motor_ventral  split into N groups head -> tail              (required)
    chemo_off_left/right       I = chem_off_gain max(-dc, 0)                   (optional)
    proprio                    N groups, I = proprio_gain * bend_i (signed)    (optional)
    proprio_dorsal/ventral     N groups, I = proprio_gain * max(+-bend_i, 0)   (optional)

``c`` is the concentration at the chemosensor (food units) and ``dc`` its
change: ``dc = c_s - c_bar`` where ``c_bar`` is the adapted level (the world's
chemosensor filter, ``sensors.chem_tau_ms``) and ``c_s`` is ``c`` itself or,
with ``chem_smooth_ms`` > 0, ``c`` low-pass filtered (which removes the
head-sweep ripple and leaves the trend). With ``chem_weber_floor`` > 0 the
change is relative, ``dc / (c_bar + floor)`` (Weber's law: the same response
to a 10 % rise far from food as near it). ``touch`` is the graded wall touch
in [0, 1], ``bend_i`` the bending of segment i in [-1, 1] (positive: dorsal
side concave). Motor groups: the units of each motor terminal (in terminal
order) are split into N groups as equal as possible; the fraction of a group
that spiked this tick, times 1000/dt, is a rate (Hz) filtered with
``motor_tau_ms``, and the activation is ``r / (r + motor_half_max_hz)``.
Inputs go into receptor row 0; the currents of a tick are computed from the
sensors at the end of the previous tick (one tick of sensory latency).

Reward (per tick, a pulse on the ``reward`` channel, like ``net.reward``)::

    reward = reward_gain * cdot_f - wall_penalty * max(touch_head, touch_tail)

where ``cdot_f`` (food units/s) is the rate of change of the head
concentration (mean of the two chemosensors) smoothed by two first-order
stages of ``reward_tau_ms`` each: positive when the worm approaches food.
With ``reward_every`` K > 1 the reward of K ticks is summed and delivered on
every K-th tick (fewer O(synapses) reward sweeps). Learning off: nothing is
written to ``mods`` (the reward is still computed for the metrics).

Array layouts (all float64, 1-D) are given by the ``EP_*`` (parameters ``P``),
``ES_*`` (state ``S``) and ``EIO_*`` (binding table ``io``) constants below and
in docs/arena.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from arena.body import S_X, S_Y, centre_of_mass, state_size, straight_state
from arena.config import ArenaConfig, load_arena_config
from arena.sensors import (
    SEN_C_LEFT, SEN_C_RIGHT, SEN_DC_LEFT, SEN_DC_RIGHT, SEN_PROPRIO, SEN_TOUCH_HEAD,
    SEN_TOUCH_TAIL, sensor_size,
)
from arena.world import arena_tick, init_chem_filter, read_sensors, sample_start

__all__ = [
    "ArenaEnv", "attach_arena", "bind", "Binding", "env_kernel", "chemotaxis_index",
    "REQUIRED_TERMINALS", "OPTIONAL_TERMINALS", "TRAJ_COLUMNS", "KERNEL_FILES",
]

#: sources the env kernel compiles in: the fused loop's cache key hashes them
#: (runtime.loop._kernel_hash), so editing the physics recompiles the loop.
KERNEL_FILES = tuple(str(Path(__file__).with_name(f)) for f in
                     ("body.py", "world.py", "sensors.py", "config.py"))

# ---- sensor channels (index into the channel block of S) ----------------------
CH_CHEM_L = 0
CH_CHEM_R = 1
CH_OFF_L = 2
CH_OFF_R = 3
CH_TOUCH_H = 4
CH_TOUCH_T = 5
CH_PROPRIO = 6  # + i (signed), then + N + i (dorsal part), + 2N + i (ventral part)


def n_channels(n_seg: int) -> int:
    """Number of sensor channels for an N-segment body (6 + 3 N)."""
    return CH_PROPRIO + 3 * n_seg


#: input terminal -> (channel, per-segment?) ; per-segment channels add 0..N-1
INPUT_TERMINALS: dict[str, tuple[str, int]] = {
    "chemo_left": ("scalar", CH_CHEM_L),
    "chemo_right": ("scalar", CH_CHEM_R),
    "touch_head": ("scalar", CH_TOUCH_H),
    "touch_tail": ("scalar", CH_TOUCH_T),
    "chemo_off_left": ("scalar", CH_OFF_L),
    "chemo_off_right": ("scalar", CH_OFF_R),
    "proprio": ("segments", 0),
    "proprio_dorsal": ("segments", 1),
    "proprio_ventral": ("segments", 2),
}
#: output terminal -> side (0 dorsal, 1 ventral)
OUTPUT_TERMINALS: dict[str, int] = {"motor_dorsal": 0, "motor_ventral": 1}
REQUIRED_TERMINALS = ("chemo_left", "chemo_right", "touch_head", "touch_tail",
                      "motor_dorsal", "motor_ventral")
OPTIONAL_TERMINALS = ("chemo_off_left", "chemo_off_right", "proprio", "proprio_dorsal",
                      "proprio_ventral")

# ---- parameter vector P -----------------------------------------------------------
EP_VERSION = 0        # layout version (1)
EP_NSEG = 1           # N, body segments
EP_NFOOD = 2          # number of food sources
EP_BODY = 3           # offset of the body parameter vector (arena.body N_PARAMS values)
EP_FOOD = 4           # offset of the food array (n_food x 4, row-major)
EP_CHEM_GAIN = 5
EP_CHEM_DC_GAIN = 6
EP_CHEM_OFF_GAIN = 7
EP_TOUCH_GAIN = 8
EP_PROPRIO_GAIN = 9
EP_MOTOR_TAU = 10     # ms
EP_MOTOR_HALF = 11    # Hz
EP_REWARD_GAIN = 12   # reward per (food unit / s)
EP_REWARD_TAU = 13    # ms
EP_WALL_PENALTY = 14
EP_LEARN = 15         # 1: add reward into mods; 0: learning-off control (reward stays 0)
EP_REWARD_CH = 16     # index of the reward channel in mods
EP_SAMPLE_EVERY = 17  # trajectory sample interval, ticks
EP_SUCCESS_R = 18     # 'near food' radius, mm
EP_REWARD_EVERY = 19  # reward is summed and delivered every K ticks
EP_WEBER_FLOOR = 20   # > 0: relative change dc / (c_adapted + floor)
EP_CHEM_SMOOTH = 21   # ms, smoothing of c before the change is taken (0: none)
EP_HEADER = 24

# ---- state vector S ----------------------------------------------------------------
ES_TICKS = 0        # ticks the arena has advanced
ES_C_PREV = 1       # head concentration at the previous tick (food units)
ES_CDOT = 2         # smoothed head concentration rate, food units / s
ES_REWARD = 3       # reward of the last tick
ES_REWARD_SUM = 4   # sum of reward over ticks
ES_DIST_SUM = 5     # sum over samples of the centre's distance to the nearest food, mm
ES_NEAR = 6         # samples with that distance <= success radius
ES_TOUCH = 7        # ticks with wall touch > 0 (head or tail)
ES_NSAMP = 8        # trajectory rows written
ES_D_START = 9      # centre-to-food distance at attach time, mm
ES_POWER_SUM = 10   # sum of drag power over ticks
ES_REWARD_ACC = 11  # reward summed since the last trajectory sample
ES_SPIKES_D = 12    # dorsal motor spikes (weighted counts) since start
ES_SPIKES_V = 13    # ventral motor spikes since start
ES_REWARD_PEND = 14  # reward summed since the last delivery (reward_every > 1)
ES_CFAST_L = 16     # chemosensor concentration smoothed with chem_smooth_ms (left)
ES_CFAST_R = 17     # (right)
ES_CDOT1 = 18       # first stage of the two-stage reward smoothing
ES_NDIST = 19       # samples in ES_DIST_SUM (one every sample_every ticks)
ES_HEADER = 24

#: trajectory columns (one row every ``sample_every`` ticks, row 0 = start)
TRAJ_COLUMNS = ("tick", "head_x_mm", "head_y_mm", "centre_x_mm", "centre_y_mm",
                "c_head", "reward_mean", "distance_mm")
NCOL = len(TRAJ_COLUMNS)

# ---- binding table io ---------------------------------------------------------------
EIO_N_IN = 0   # number of input entries
EIO_N_OUT = 1  # number of output entries
EIO_HEADER = 4
IN_W = 4       # input entry: block, unit, channel, weight
OUT_W = 4      # output entry: block, unit, slot (side * N + segment), weight


@dataclass(frozen=True)
class Layout:
    """Offsets of the blocks of the env state vector ``S`` for an N-segment body."""

    n_seg: int
    body: int
    chem: int
    rate: int
    act: int
    count: int
    sensors: int
    chan: int
    traj: int

    @classmethod
    def of(cls, n_seg: int) -> "Layout":
        body = ES_HEADER
        chem = body + state_size(n_seg)
        rate = chem + 2
        act = rate + 2 * n_seg
        count = act + 2 * n_seg
        sensors = count + 2 * n_seg
        chan = sensors + sensor_size(n_seg)
        traj = chan + n_channels(n_seg)
        return cls(n_seg, body, chem, rate, act, count, sensors, chan, traj)


@njit(inline="always")
def _nearest_food(x, y, food):
    """Distance (mm) from (x, y) to the nearest attractive source (amplitude > 0);
    all sources count when none is attractive."""
    best = 1e300
    best_any = 1e300
    for k in range(food.shape[0]):
        d = math.sqrt((x - food[k, 0]) ** 2 + (y - food[k, 1]) ** 2)
        if d < best_any:
            best_any = d
        if food[k, 3] > 0.0 and d < best:
            best = d
    return best if best < 1e300 else best_any


@njit
def _channels(S, P, o_chem, o_sen, o_chan, n_seg):
    """Sensor channels (input currents) from the sensor vector, into S[o_chan:].

    The change is ``dc = c_s - c_bar``: the (optionally smoothed, ES_CFAST_*)
    concentration minus the adapted level ``c_bar`` (the world's chemosensor
    filter, ``sensors.chem_tau_ms``); relative to ``c_bar + floor`` when the
    Weber floor is set."""
    gc = P[EP_CHEM_GAIN]
    gdc = P[EP_CHEM_DC_GAIN]
    goff = P[EP_CHEM_OFF_GAIN]
    dl = S[ES_CFAST_L] - S[o_chem]
    dr = S[ES_CFAST_R] - S[o_chem + 1]
    floor = P[EP_WEBER_FLOOR]
    if floor > 0.0:  # Weber: relative to the adapted level
        dl = dl / (S[o_chem] + floor)
        dr = dr / (S[o_chem + 1] + floor)
    S[o_chan + CH_CHEM_L] = gc * S[o_sen + SEN_C_LEFT] + gdc * max(dl, 0.0)
    S[o_chan + CH_CHEM_R] = gc * S[o_sen + SEN_C_RIGHT] + gdc * max(dr, 0.0)
    S[o_chan + CH_OFF_L] = goff * max(-dl, 0.0)
    S[o_chan + CH_OFF_R] = goff * max(-dr, 0.0)
    gt = P[EP_TOUCH_GAIN]
    S[o_chan + CH_TOUCH_H] = gt * S[o_sen + SEN_TOUCH_HEAD]
    S[o_chan + CH_TOUCH_T] = gt * S[o_sen + SEN_TOUCH_TAIL]
    gp = P[EP_PROPRIO_GAIN]
    for i in range(n_seg):
        b = S[o_sen + SEN_PROPRIO + i]
        S[o_chan + CH_PROPRIO + i] = gp * b
        S[o_chan + CH_PROPRIO + n_seg + i] = gp * max(b, 0.0)
        S[o_chan + CH_PROPRIO + 2 * n_seg + i] = gp * max(-b, 0.0)


@njit
def env_kernel(t, dt, env_S, env_P, env_io, mods, phase, I_blocks, out_blocks):
    """The arena's step inside the fused loop (see the module docstring).

    ``t`` tick, ``dt`` ms; ``env_S``/``env_P``/``env_io`` the arrays of
    :class:`ArenaEnv`; ``mods`` the modulator channels; ``phase`` 0 (sense) or
    1 (act); ``I_blocks``/``out_blocks`` the blocks' input and output arrays.
    """
    S = env_S
    P = env_P
    io = env_io
    n_seg = int(P[EP_NSEG])
    # offsets (mirror Layout.of; recomputed here so S/P carry no pointers)
    o_body = ES_HEADER
    o_chem = o_body + n_seg + 2
    o_rate = o_chem + 2
    o_act = o_rate + 2 * n_seg
    o_cnt = o_act + 2 * n_seg
    o_sen = o_cnt + 2 * n_seg
    o_chan = o_sen + 6 + n_seg
    o_traj = o_chan + 6 + 3 * n_seg
    n_in = int(io[EIO_N_IN])
    if phase == 0:
        for k in range(n_in):
            e = EIO_HEADER + IN_W * k
            I_blocks[int(io[e])][0, int(io[e + 1])] += io[e + 3] * S[o_chan + int(io[e + 2])]
        return
    # ---- phase 1: motor read-out -> muscles -> body + sensors -> reward, metrics
    n_out = int(io[EIO_N_OUT])
    for i in range(2 * n_seg):
        S[o_cnt + i] = 0.0
    base = EIO_HEADER + IN_W * n_in
    for k in range(n_out):
        e = base + OUT_W * k
        v = out_blocks[int(io[e])][int(io[e + 1])]
        if v != 0.0:
            S[o_cnt + int(io[e + 2])] += v * io[e + 3]
    alpha = 1.0 - math.exp(-dt / P[EP_MOTOR_TAU])
    half = P[EP_MOTOR_HALF]
    to_hz = 1000.0 / dt
    sd = 0.0
    sv = 0.0
    for i in range(2 * n_seg):
        c = S[o_cnt + i]
        if i < n_seg:
            sd += c
        else:
            sv += c
        r = S[o_rate + i]
        r += (c * to_hz - r) * alpha
        S[o_rate + i] = r
        S[o_act + i] = r / (r + half) if r > 0.0 else 0.0
    S[ES_SPIKES_D] += sd
    S[ES_SPIKES_V] += sv
    o_bp = int(P[EP_BODY])
    nf = int(P[EP_NFOOD])
    o_fd = int(P[EP_FOOD])
    bp = P[o_bp:o_fd]
    food = P[o_fd:o_fd + 4 * nf].reshape((nf, 4))
    state = S[o_body:o_body + n_seg + 2]
    power = arena_tick(state, bp, food, S[o_chem:o_chem + 2], S[o_act:o_act + n_seg],
                       S[o_act + n_seg:o_act + 2 * n_seg], dt, S[o_sen:o_sen + 6 + n_seg])
    cl = S[o_sen + SEN_C_LEFT]
    cr = S[o_sen + SEN_C_RIGHT]
    if P[EP_CHEM_SMOOTH] > 0.0:
        a = 1.0 - math.exp(-dt / P[EP_CHEM_SMOOTH])
        S[ES_CFAST_L] += (cl - S[ES_CFAST_L]) * a
        S[ES_CFAST_R] += (cr - S[ES_CFAST_R]) * a
    else:
        S[ES_CFAST_L] = cl
        S[ES_CFAST_R] = cr
    _channels(S, P, o_chem, o_sen, o_chan, n_seg)
    # reward: rate of change of the head concentration, smoothed by two
    # first-order stages (the head sweep makes it oscillate at the undulation
    # frequency), minus wall contact
    ch = 0.5 * (cl + cr)
    rate = (ch - S[ES_C_PREV]) * to_hz
    S[ES_C_PREV] = ch
    a = 1.0 - math.exp(-dt / P[EP_REWARD_TAU])
    S[ES_CDOT1] += (rate - S[ES_CDOT1]) * a
    S[ES_CDOT] += (S[ES_CDOT1] - S[ES_CDOT]) * a
    touch = max(S[o_sen + SEN_TOUCH_HEAD], S[o_sen + SEN_TOUCH_TAIL])
    reward = P[EP_REWARD_GAIN] * S[ES_CDOT] - P[EP_WALL_PENALTY] * touch
    S[ES_REWARD] = reward
    S[ES_REWARD_SUM] += reward
    S[ES_REWARD_ACC] += reward
    S[ES_REWARD_PEND] += reward
    if int(S[ES_TICKS] + 1.0) % int(P[EP_REWARD_EVERY]) == 0:
        if P[EP_LEARN] > 0.0:
            mods[int(P[EP_REWARD_CH])] += S[ES_REWARD_PEND]
        S[ES_REWARD_PEND] = 0.0
    # metrics: touch and power every tick; distances every sample_every ticks
    # (the centre of mass walks the whole chain, and time averages over a run
    # do not need every tick)
    if touch > 0.0:
        S[ES_TOUCH] += 1.0
    S[ES_POWER_SUM] += power
    S[ES_TICKS] += 1.0
    every = int(P[EP_SAMPLE_EVERY])
    ticks = int(S[ES_TICKS])
    if ticks % every == 0:
        xc, yc = centre_of_mass(state, bp)
        d = _nearest_food(xc, yc, food)
        S[ES_DIST_SUM] += d
        S[ES_NDIST] += 1.0
        if d <= P[EP_SUCCESS_R]:
            S[ES_NEAR] += 1.0
        row = int(S[ES_NSAMP])
        if o_traj + (row + 1) * NCOL <= S.shape[0]:
            o = o_traj + row * NCOL
            S[o] = ticks
            S[o + 1] = state[S_X]
            S[o + 2] = state[S_Y]
            S[o + 3] = xc
            S[o + 4] = yc
            S[o + 5] = ch
            S[o + 6] = S[ES_REWARD_ACC] / every
            S[o + 7] = d
            S[ES_NSAMP] = row + 1
        S[ES_REWARD_ACC] = 0.0


# ---------------------------------------------------------------------------- binding
@dataclass
class Binding:
    """Resolved terminals: ``inputs`` rows (block, unit, channel, weight) and
    ``outputs`` rows (block, unit, slot, weight), plus the unit counts per terminal."""

    inputs: np.ndarray
    outputs: np.ndarray
    sizes: dict[str, int]

    def io(self) -> np.ndarray:
        """The packed float64 binding table (layout EIO_*)."""
        io = np.zeros(EIO_HEADER + self.inputs.size + self.outputs.size)
        io[EIO_N_IN] = self.inputs.shape[0]
        io[EIO_N_OUT] = self.outputs.shape[0]
        io[EIO_HEADER:EIO_HEADER + self.inputs.size] = self.inputs.ravel()
        io[EIO_HEADER + self.inputs.size:] = self.outputs.ravel()
        return io


def segment_groups(n_units: int, n_seg: int) -> list[tuple[int, int, float]]:
    """(unit, segment, weight) pairs splitting ``n_units`` motor units head -> tail
    into ``n_seg`` groups. With n_units >= n_seg unit k belongs to segment
    ``k * n_seg // n_units`` (equal groups when n_units is a multiple of n_seg)
    and weighs 1 / group size, so a group's count is the fraction that spiked;
    with fewer units each unit drives a contiguous run of segments."""
    pairs: list[tuple[int, int, float]] = []
    if n_units >= n_seg:
        seg = [k * n_seg // n_units for k in range(n_units)]
        sizes = np.bincount(seg, minlength=n_seg)
        pairs = [(k, s, 1.0 / sizes[s]) for k, s in enumerate(seg)]
    else:
        for s in range(n_seg):
            pairs.append((s * n_units // n_seg, s, 1.0))
    return pairs


def _names_available(net: Any) -> list[str]:
    return sorted({t.name for t in net.brain.terminals} | set(net._where))


def bind(net: Any, n_seg: int) -> Binding:
    """Resolve the arena terminals of ``net`` by name (terminals first, then
    populations). Missing required names raise one BraincError naming all of them."""
    from brainc.errors import BraincError

    terms = {t.name for t in net.brain.terminals}
    have = terms | set(net._where)
    missing = [n for n in REQUIRED_TERMINALS if n not in have]
    if missing:
        avail = [n for n in sorted(terms)][:30]
        raise BraincError(
            f"the arena needs terminals {', '.join(missing)} (missing in brain {net.brain.name!r}); "
            f"declare them under the recipe's top-level 'terminals:'. Required: {', '.join(REQUIRED_TERMINALS)}; "
            f"optional: {', '.join(OPTIONAL_TERMINALS)}. Terminals present: {', '.join(avail) or 'none'}")
    inputs: list[tuple[float, float, float, float]] = []
    outputs: list[tuple[float, float, float, float]] = []
    sizes: dict[str, int] = {}
    for name, (kind, ch) in INPUT_TERMINALS.items():
        if name not in have:
            continue
        b, idx = net._locate(name)
        sizes[name] = int(idx.size)
        if kind == "scalar":
            inputs += [(b, int(u), ch, 1.0) for u in idx]
        else:
            if idx.size < n_seg:
                raise BraincError(f"terminal {name!r} has {idx.size} units; it needs at least one per "
                                  f"segment ({n_seg}), split head -> tail")
            for k, s, _ in segment_groups(int(idx.size), n_seg):
                inputs.append((b, int(idx[k]), CH_PROPRIO + ch * n_seg + s, 1.0))
    for name, side in OUTPUT_TERMINALS.items():
        b, idx = net._locate(name)
        sizes[name] = int(idx.size)
        if idx.size == 0:
            raise BraincError(f"terminal {name!r} is empty")
        for k, s, w in segment_groups(int(idx.size), n_seg):
            outputs.append((b, int(idx[k]), side * n_seg + s, w))
    return Binding(np.array(inputs, np.float64).reshape(-1, IN_W),
                   np.array(outputs, np.float64).reshape(-1, OUT_W), sizes)


# ---------------------------------------------------------------------------- env object
class ArenaEnv:
    """The arena coupled to a network (``net.env``): arrays for the fused loop
    plus read-outs. Build with :func:`attach_arena`.

    ``S``, ``P``, ``io`` are float64 1-D arrays (layouts ``ES_*``/``EP_*``/``EIO_*``);
    ``config`` the :class:`ArenaConfig`; ``binding`` the resolved terminals.
    """

    kernel_path = "arena.coupling:env_kernel"

    def __init__(self, config: ArenaConfig, S: np.ndarray, P: np.ndarray, io: np.ndarray,
                 binding: Binding, seed: int) -> None:
        self.config = config
        self.S = S
        self.P = P
        self.io = io
        self.binding = binding
        self.seed = seed
        self.n_seg = int(P[EP_NSEG])
        self.layout = Layout.of(self.n_seg)
        self.food = config.food_array()
        self.body_params = config.body_params()
        self.dt = 1.0  # ms per tick; attach_arena sets the network's

    # -- protocol
    def arrays(self) -> dict[str, np.ndarray]:
        """What a checkpoint stores (the whole arena state is in ``S``)."""
        return {"S": self.S, "P": self.P, "io": self.io}

    # -- capacity
    @property
    def capacity(self) -> int:
        """Trajectory rows the buffer can hold."""
        return (self.S.shape[0] - self.layout.traj) // NCOL

    def reserve(self, more_ticks: int) -> None:
        """Grow the trajectory buffer so ``more_ticks`` further ticks are all sampled.
        (Replaces ``S``; the loop reads ``net.env.S`` on every advance.)"""
        need = int(self.S[ES_NSAMP]) + int(more_ticks) // int(self.P[EP_SAMPLE_EVERY]) + 1
        if need > self.capacity:
            extra = np.zeros((need - self.capacity) * NCOL)
            self.S = np.concatenate([self.S, extra])

    # -- read-outs
    @property
    def ticks(self) -> int:
        return int(self.S[ES_TICKS])

    @property
    def body_state(self) -> np.ndarray:
        """Copy of the body state float64[N + 2] (layout in arena.body)."""
        o = self.layout.body
        return self.S[o:o + self.n_seg + 2].copy()

    @property
    def activations(self) -> tuple[np.ndarray, np.ndarray]:
        """(dorsal, ventral) muscle activations, float64[N] each, head first."""
        o = self.layout.act
        return self.S[o:o + self.n_seg].copy(), self.S[o + self.n_seg:o + 2 * self.n_seg].copy()

    @property
    def sensors(self) -> np.ndarray:
        """The latest sensor vector float64[6 + N] (layout in arena.sensors)."""
        o = self.layout.sensors
        return self.S[o:o + sensor_size(self.n_seg)].copy()

    @property
    def channels(self) -> np.ndarray:
        """The input currents of the sensor channels for the next tick, float64[6 + 3N]."""
        o = self.layout.chan
        return self.S[o:o + n_channels(self.n_seg)].copy()

    def trajectory(self) -> np.ndarray:
        """Samples written so far, float64[n, len(TRAJ_COLUMNS)] (row 0 = start)."""
        n = int(self.S[ES_NSAMP])
        o = self.layout.traj
        return self.S[o:o + n * NCOL].reshape(n, NCOL).copy()

    def centre(self) -> tuple[float, float]:
        """Current centre of mass, mm."""
        return centre_of_mass(self.S[self.layout.body:self.layout.body + self.n_seg + 2],
                              self.body_params)

    def distance(self) -> float:
        """Current distance of the centre of mass to the nearest food, mm."""
        x, y = self.centre()
        return nearest_food_distance(x, y, self.food)

    def metrics(self) -> dict[str, float]:
        """Chemotaxis metrics of the run so far (distances of the centre of mass,
        mm): ``ci`` = (d_start - d_end) / d_start, ``d_start``, ``d_end``,
        ``mean_distance`` (time-averaged over samples every ``sample_every``
        ticks), ``frac_near`` (fraction of those samples within ``success_radius_mm``), ``frac_wall`` (fraction touching the wall),
        ``reward_mean`` (per tick), ``path_mm`` (centre path length from samples),
        ``motor_rate_hz`` (mean motor group rate)."""
        S = self.S
        n = max(int(S[ES_TICKS]), 1)
        nd = int(S[ES_NDIST])
        d0 = float(S[ES_D_START])
        d1 = self.distance()
        traj = self.trajectory()
        path = float(np.hypot(*np.diff(traj[:, 3:5], axis=0).T).sum()) if len(traj) > 1 else 0.0
        dur_s = n * float(self.dt) / 1000.0
        return {
            "ticks": int(S[ES_TICKS]),
            "ci": chemotaxis_index(d0, d1),
            "d_start": d0,
            "d_end": d1,
            "mean_distance": float(S[ES_DIST_SUM]) / nd if nd else d0,
            "frac_near": float(S[ES_NEAR]) / nd if nd else float(d0 <= self.config.coupling.success_radius_mm),
            "frac_wall": float(S[ES_TOUCH]) / n,
            "reward_mean": float(S[ES_REWARD_SUM]) / n,
            "path_mm": path,
            "speed_mm_s": path / dur_s if dur_s > 0 else 0.0,
            "motor_rate_hz": float(S[ES_SPIKES_D] + S[ES_SPIKES_V]) / (2 * self.n_seg) / dur_s
            if dur_s > 0 else 0.0,
        }


def chemotaxis_index(d_start: float, d_end: float) -> float:
    """CI = (d_start - d_end) / d_start: 1 = reached the food, 0 = no net
    approach, negative = moved away. Distances in mm; d_start must be > 0."""
    if d_start <= 0.0:
        return 0.0
    return (d_start - d_end) / d_start


def nearest_food_distance(x: float, y: float, food: np.ndarray) -> float:
    """Distance (mm) from (x, y) to the nearest attractive food centre
    (amplitude > 0; all sources if none is attractive)."""
    food = np.asarray(food, np.float64).reshape(-1, 4)
    if food.shape[0] == 0:
        return math.inf
    d = np.hypot(food[:, 0] - x, food[:, 1] - y)
    pos = food[:, 3] > 0
    return float(d[pos].min() if pos.any() else d.min())


def _build_P(config: ArenaConfig, learn: bool, reward_channel: int) -> np.ndarray:
    n_seg = config.body.n_segments
    bp = config.body_params()
    food = config.food_array()
    c = config.coupling
    P = np.zeros(EP_HEADER + bp.size + food.size)
    P[EP_VERSION] = 1
    P[EP_NSEG] = n_seg
    P[EP_NFOOD] = food.shape[0]
    P[EP_BODY] = EP_HEADER
    P[EP_FOOD] = EP_HEADER + bp.size
    P[EP_CHEM_GAIN] = c.chem_gain
    P[EP_CHEM_DC_GAIN] = c.chem_dc_gain
    P[EP_CHEM_OFF_GAIN] = c.chem_off_gain
    P[EP_TOUCH_GAIN] = c.touch_gain
    P[EP_PROPRIO_GAIN] = c.proprio_gain
    P[EP_MOTOR_TAU] = c.motor_tau_ms
    P[EP_MOTOR_HALF] = c.motor_half_max_hz
    P[EP_REWARD_GAIN] = c.reward_gain
    P[EP_REWARD_TAU] = c.reward_tau_ms
    P[EP_WALL_PENALTY] = c.wall_penalty
    P[EP_LEARN] = 1.0 if learn else 0.0
    P[EP_REWARD_CH] = reward_channel
    P[EP_SAMPLE_EVERY] = c.sample_every
    P[EP_SUCCESS_R] = c.success_radius_mm
    P[EP_REWARD_EVERY] = c.reward_every
    P[EP_WEBER_FLOOR] = c.chem_weber_floor
    P[EP_CHEM_SMOOTH] = c.chem_smooth_ms
    P[EP_HEADER:EP_HEADER + bp.size] = bp
    P[EP_HEADER + bp.size:] = food.ravel()
    return P


def _fresh_S(config: ArenaConfig, P: np.ndarray, seed: int | None, capacity: int) -> np.ndarray:
    n_seg = config.body.n_segments
    lay = Layout.of(n_seg)
    S = np.zeros(lay.traj + max(capacity, 1) * NCOL)
    bp = config.body_params()
    food = config.food_array()
    x, y, h = sample_start(config, seed)
    state = S[lay.body:lay.body + n_seg + 2]
    state[:] = straight_state(x, y, h, bp, n_seg)
    chem = S[lay.chem:lay.chem + 2]
    init_chem_filter(state, bp, food, chem)
    sen = S[lay.sensors:lay.sensors + sensor_size(n_seg)]
    read_sensors(state, bp, food, chem.copy(), 1.0, sen)  # no filter advance at t = 0
    sen[SEN_DC_LEFT] = 0.0
    sen[SEN_DC_RIGHT] = 0.0
    S[ES_CFAST_L] = sen[SEN_C_LEFT]
    S[ES_CFAST_R] = sen[SEN_C_RIGHT]
    _channels(S, P, lay.chem, lay.sensors, lay.chan, n_seg)
    ch = 0.5 * (sen[SEN_C_LEFT] + sen[SEN_C_RIGHT])
    S[ES_C_PREV] = ch
    xc, yc = centre_of_mass(state, bp)
    d0 = nearest_food_distance(xc, yc, food)
    S[ES_D_START] = d0
    # trajectory row 0: the start
    S[lay.traj:lay.traj + NCOL] = (0.0, state[S_X], state[S_Y], xc, yc, ch, 0.0, d0)
    S[ES_NSAMP] = 1
    return S


def attach_arena(net: Any, config: ArenaConfig | dict | str | None = None, seed: int | None = None,
                 learn: bool = True, ticks: int = 0) -> ArenaEnv:
    """Couple ``net`` to an arena and set ``net.env``; returns the :class:`ArenaEnv`.

    ``config``: an ArenaConfig / dict / YAML path; default the brain's recipe
    ``arena:`` section (``net.brain.extras['arena']``), else defaults.
    ``seed``: start-pose seed (default ``config.seed``). ``learn=False`` is the
    learning-off control: no reward reaches ``mods`` and a declared ``learn``
    modulator is set to 0. ``ticks``: expected run length, to size the
    trajectory buffer (it grows with :meth:`ArenaEnv.reserve` otherwise).
    A network resumed from a checkpoint that held an arena continues from the
    stored arena state (``seed`` is then ignored).
    """
    from brainc.errors import BraincError

    if config is None:
        config = net.brain.extras.get("arena")
    config = load_arena_config(config)
    n_seg = config.body.n_segments
    binding = bind(net, n_seg)
    if "reward" not in net.modulator_names:
        raise BraincError("the network has no 'reward' modulator channel")
    P = _build_P(config, learn, net.modulator_names.index("reward"))
    capacity = int(ticks) // config.coupling.sample_every + 2
    stored = getattr(net, "_env_state", None) or {}
    if "S" in stored:
        S = np.ascontiguousarray(stored["S"], dtype=np.float64)
        oldP = stored.get("P")
        if oldP is not None and (oldP.shape != P.shape or oldP[EP_NSEG] != P[EP_NSEG]):
            raise BraincError("the checkpoint's arena does not match this arena configuration")
        if oldP is not None:
            P[EP_SAMPLE_EVERY] = oldP[EP_SAMPLE_EVERY]
        start_seed = -1
    else:
        S = _fresh_S(config, P, seed, capacity)
        start_seed = config.seed if seed is None else int(seed)
    env = ArenaEnv(config, S, P, binding.io(), binding, start_seed)
    env.dt = float(net.dt)
    env.reserve(ticks)
    if "learn" in {m.name for m in net.brain.modulators} and not learn:
        net.set_modulator("learn", 0.0)
    net.env = env
    return env
