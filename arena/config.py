"""Arena configuration (pydantic v2): world geometry, food, start pose, body and sensors.

The same structure is accepted from a standalone YAML file or as the ``arena:``
section of a recipe. Units are in the field names (``_mm``, ``_ms``, ``_rad``);
unknown keys are rejected at every level so typos fail loudly.

Example (YAML)::

    arena:
      radius_mm: 10.0
      seed: 7
      food:
        - {position_mm: [5.0, 0.0], width_mm: 2.0, amplitude: 1.0}
      start:
        position_mm: [-3.0, 0.0]
        position_jitter_mm: 1.0
        heading_rad: null          # null: uniform random heading
      body: {drag_ratio: 40.0, joint_tau_ms: 100.0}
      sensors: {chem_tau_ms: 1000.0}
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from arena.body import N_SEGMENTS, make_params

__all__ = [
    "FoodSource", "StartConfig", "BodyConfig", "SensorConfig", "CouplingConfig", "ArenaConfig",
    "load_arena_config",
]


class FoodSource(BaseModel):
    """One Gaussian food source: ``A exp(-|x - p|^2 / (2 w^2))``."""

    model_config = ConfigDict(extra="forbid")

    position_mm: tuple[float, float] = Field(description="centre p, mm")
    width_mm: float = Field(gt=0.0, description="Gaussian standard deviation w, mm")
    amplitude: float = Field(1.0, description="peak A, concentration units; negative = repellent")


class StartConfig(BaseModel):
    """Start pose of the (straight) worm; the body midpoint is placed uniformly
    in a disc of radius ``position_jitter_mm`` around ``position_mm``."""

    model_config = ConfigDict(extra="forbid")

    position_mm: tuple[float, float] = (0.0, 0.0)
    position_jitter_mm: float = Field(0.0, ge=0.0)
    heading_rad: float | None = Field(
        None, description="head direction; None draws it uniformly in [0, 2 pi)")
    heading_jitter_rad: float = Field(
        0.0, ge=0.0, description="uniform +- jitter added to a fixed heading")


class BodyConfig(BaseModel):
    """Body mechanics (see docs/arena.md, 'Body and physics')."""

    model_config = ConfigDict(extra="forbid")

    n_segments: int = Field(N_SEGMENTS, ge=2)
    length_mm: float = Field(1.0, gt=0.0)
    drag_normal: float = Field(1.0, gt=0.0, description="c_n, drag units")
    drag_ratio: float = Field(40.0, gt=0.0, description="c_n / c_t")
    muscle_gain_rad: float = Field(0.8, ge=0.0, description="preferred joint angle per unit activation difference")
    joint_tau_ms: float = Field(100.0, gt=0.0)
    joint_limit_rad: float = Field(0.6, gt=0.0, lt=math.pi / 2)
    substeps: int = Field(2, ge=1, le=64)
    wall_stiffness: float = Field(1000.0, gt=0.0, description="drag units per mm")
    wall_skin_mm: float = Field(0.01, ge=0.0)


class SensorConfig(BaseModel):
    """Sensor geometry and filtering."""

    model_config = ConfigDict(extra="forbid")

    lateral_offset_mm: float = Field(0.02, ge=0.0)
    back_offset_mm: float = Field(0.0, ge=0.0)
    chem_tau_ms: float = Field(1000.0, gt=0.0)
    touch_range_mm: float = Field(0.05, gt=0.0)


class CouplingConfig(BaseModel):
    """Brain <-> world coupling: sensor currents, motor filtering, reward and
    metrics (see docs/arena.md, 'Brain coupling'; implemented in arena/coupling.py).
    Currents are in the input units of the bound neuron model."""

    model_config = ConfigDict(extra="forbid")

    chem_gain: float = Field(20.0, description="current per food unit of concentration c")
    chem_dc_gain: float = Field(30.0, ge=0.0, description="current per unit of rising change max(dc, 0) (relative change with the Weber floor)")
    chem_off_gain: float = Field(30.0, ge=0.0, description="chemo_off_*: current per unit of falling change max(-dc, 0)")
    chem_weber_floor: float = Field(
        0.01, ge=0.0, description="if > 0, dc is relative (Weber): dc / (c_adapted + floor), floor in food units")
    chem_smooth_ms: float = Field(
        0.0, ge=0.0, description="smooth c over this time before taking dc (removes the head-sweep ripple; 0: off)")
    touch_gain: float = Field(20.0, description="current at full wall touch")
    proprio_gain: float = Field(10.0, description="current at full bending (joint limit)")
    motor_tau_ms: float = Field(50.0, gt=0.0, description="low-pass time constant of motor spike rates")
    motor_half_max_hz: float = Field(20.0, gt=0.0, description="group rate giving half muscle activation")
    reward_gain: float = Field(10.0, description="reward per food unit/s of head concentration increase")
    reward_tau_ms: float = Field(500.0, gt=0.0, description="time constant of each of the two smoothing stages of the head concentration rate")
    wall_penalty: float = Field(1.0, ge=0.0, description="reward subtracted at full wall touch")
    reward_every: int = Field(1, ge=1, description="deliver the summed reward every K ticks (fewer reward sweeps)")
    success_radius_mm: float = Field(1.0, gt=0.0, description="'near food' radius for the metrics")
    sample_every: int = Field(10, ge=1, description="trajectory sample interval, ticks")


def _default_food() -> list[FoodSource]:
    return [FoodSource(position_mm=(5.0, 0.0), width_mm=2.0, amplitude=1.0)]


class ArenaConfig(BaseModel):
    """The whole arena: circular dish centred at the origin, food, start, body, sensors."""

    model_config = ConfigDict(extra="forbid")

    radius_mm: float = Field(10.0, gt=0.0)
    seed: int = Field(0, description="seeds the start pose (numpy default_rng)")
    food: list[FoodSource] = Field(default_factory=_default_food)
    start: StartConfig = Field(default_factory=StartConfig)
    body: BodyConfig = Field(default_factory=BodyConfig)
    sensors: SensorConfig = Field(default_factory=SensorConfig)
    coupling: CouplingConfig = Field(default_factory=CouplingConfig)

    @model_validator(mode="after")
    def _check_geometry(self) -> "ArenaConfig":
        for k, f in enumerate(self.food):
            if math.hypot(*f.position_mm) > self.radius_mm:
                raise ValueError(f"food[{k}] at {f.position_mm} lies outside the arena")
        # The straight start body must fit: its farthest point is half a body
        # length from the midpoint, and it must clear the wall's penalty skin.
        reach = (math.hypot(*self.start.position_mm) + self.start.position_jitter_mm
                 + 0.5 * self.body.length_mm + self.body.wall_skin_mm)
        if reach > self.radius_mm:
            raise ValueError(
                f"start region (reach {reach:.3g} mm incl. half body and wall skin) "
                f"does not fit in the arena of radius {self.radius_mm} mm")
        return self

    # ---- conversion to the compiled representation ------------------------
    def body_params(self) -> np.ndarray:
        """The float64[N_PARAMS] vector consumed by :func:`arena.body.body_step`."""
        b, s = self.body, self.sensors
        return make_params(
            n_segments=b.n_segments, length_mm=b.length_mm, drag_normal=b.drag_normal,
            drag_ratio=b.drag_ratio, muscle_gain_rad=b.muscle_gain_rad,
            joint_tau_ms=b.joint_tau_ms, joint_limit_rad=b.joint_limit_rad,
            substeps=b.substeps, arena_radius_mm=self.radius_mm,
            wall_stiffness=b.wall_stiffness, wall_skin_mm=b.wall_skin_mm,
            sensor_lateral_mm=s.lateral_offset_mm, sensor_back_mm=s.back_offset_mm,
            chem_tau_ms=s.chem_tau_ms, touch_range_mm=s.touch_range_mm,
        )

    def food_array(self) -> np.ndarray:
        """Food sources as float64[n_food, 4]: columns x_mm, y_mm, width_mm, amplitude."""
        out = np.zeros((len(self.food), 4), dtype=np.float64)
        for k, f in enumerate(self.food):
            out[k] = (f.position_mm[0], f.position_mm[1], f.width_mm, f.amplitude)
        return out

    # ---- loading -------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ArenaConfig":
        """Validate a mapping; a mapping whose only key is ``arena`` is unwrapped."""
        if set(data) == {"arena"}:
            data = data["arena"]
        return cls.model_validate(data or {})

    @classmethod
    def from_yaml(cls, path: str | Path) -> "ArenaConfig":
        """Load from a YAML file (top level = the config, or ``arena:`` containing it)."""
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
        return cls.from_dict(data)


def load_arena_config(source: "ArenaConfig | dict[str, Any] | str | Path | None") -> ArenaConfig:
    """Accept a config object, a dict, a YAML path, or None (defaults)."""
    if source is None:
        return ArenaConfig()
    if isinstance(source, ArenaConfig):
        return source
    if isinstance(source, dict):
        return ArenaConfig.from_dict(source)
    return ArenaConfig.from_yaml(source)
