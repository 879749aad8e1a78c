"""Recipe schema: pydantic models for YAML/JSON brain recipes and components.

One schema serves every family: ``populations``/``projections``/``devices`` for
units declared directly (NEST-style, Izhikevich networks), ``layers`` of
``components`` for spiking circuits, and family sections (``assemblies``,
``leabra``, ``arena``) that the compiler lowers to the same IR. Unknown keys are
errors everywhere. ``brainc schema`` prints :func:`json_schema`.
"""
from __future__ import annotations

import math
from typing import Any, Literal, Union

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Recipe", "ComponentSpec", "json_schema", "Distribution", "RULES"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _finite(v: float) -> float:
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("must be a finite number (NaN and inf are not allowed)")
    return v


class Distribution(Strict):
    """A random distribution for per-unit or per-synapse values (seeded)."""

    dist: Literal["constant", "uniform", "normal", "lognormal", "exponential", "uniform_int"]
    value: float | None = None
    low: float = 0.0
    high: float = 1.0
    mean: float = 0.0
    std: float = 1.0
    scale: float = 1.0
    min: float | None = Field(None, description="clip below (normal/lognormal)")
    max: float | None = Field(None, description="clip above (normal/lognormal)")

    @field_validator("value", "low", "high", "mean", "std", "scale", "min", "max")
    @classmethod
    def _check_finite(cls, v: Any) -> Any:
        return v if v is None else _finite(v)

    @model_validator(mode="after")
    def _check(self) -> "Distribution":
        if self.dist == "constant" and self.value is None:
            raise ValueError("a constant distribution needs 'value'")
        if self.dist in ("uniform", "uniform_int") and self.high < self.low:
            raise ValueError("uniform needs low <= high")
        if self.std < 0 or self.scale <= 0:
            raise ValueError("std must be >= 0 and scale > 0")
        return self


#: a finite float (NaN and inf are errors at the exact recipe path)
Finite = Annotated[float, AfterValidator(_finite)]

#: a parameter value: number, per-unit list, distribution, or an arithmetic
#: expression string over the population's declared random variables
Value = Union[Finite, list[Finite], Distribution, str]


RULES = (
    "all_to_all", "one_to_one", "fixed_indegree", "fixed_outdegree", "fixed_total_number",
    "pairwise_bernoulli", "probability", "proximity",
)


class Rule(Strict):
    """A connection rule (NEST's conn_spec plus ``probability`` between terminals
    and distance-dependent ``proximity``)."""

    rule: Literal[
        "all_to_all", "one_to_one", "fixed_indegree", "fixed_outdegree", "fixed_total_number",
        "pairwise_bernoulli", "probability", "proximity",
    ]
    p: float | None = Field(None, ge=0.0, le=1.0, description="connection probability")
    indegree: int | None = Field(None, ge=0)
    outdegree: int | None = Field(None, ge=0)
    N: int | None = Field(None, ge=0, description="total number (fixed_total_number)")
    cutoff: float | None = Field(None, gt=0, description="proximity: no synapse beyond this distance")
    sigma: float | None = Field(None, gt=0, description="proximity: p = p * exp(-d^2 / (2 sigma^2))")
    allow_autapses: bool = True
    allow_multapses: bool = True

    @model_validator(mode="after")
    def _required(self) -> "Rule":
        need = {
            "fixed_indegree": "indegree", "fixed_outdegree": "outdegree",
            "fixed_total_number": "N", "pairwise_bernoulli": "p", "probability": "p", "proximity": "p",
        }.get(self.rule)
        if need and getattr(self, need) is None:
            raise ValueError(f"rule {self.rule!r} needs {need!r}")
        if self.rule == "proximity" and self.cutoff is None:
            raise ValueError("rule 'proximity' needs 'cutoff'")
        return self


class Population(Strict):
    """Units declared directly: ``size`` units of ``model`` (a registered neuron
    model or a type preset such as RS/FS/IB/CH/LTS for izhikevich)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
    model: str
    size: int = Field(ge=1, le=2_000_000_000)
    type: str | None = Field(None, description="izhikevich preset (RS, FS, IB, CH, LTS)")
    params: dict[str, Value] = Field(default_factory=dict)
    random: dict[str, Distribution] = Field(
        default_factory=dict, description="per-unit random variables usable in expression params")
    layer_params: dict[str, Finite] = Field(default_factory=dict, description="population-wide (layer) parameters")
    position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    extent: tuple[float, float, float] = (1.0, 1.0, 0.0)


class Projection(Strict):
    """Synapses between terminals or populations."""

    name: str | None = None
    from_: str = Field(alias="from", description="population, 'pop[a:b]', or terminal reference")
    to: str
    synapse: str = "fixed"
    params: dict[str, Value] = Field(default_factory=dict)
    rule: Union[Rule, Literal[
        "all_to_all", "one_to_one", "fixed_indegree", "fixed_outdegree", "fixed_total_number",
        "pairwise_bernoulli", "probability", "proximity"]] = "all_to_all"
    weight: Value = 1.0
    delay: Value = Field(1.0, description="ms; rounded to whole ticks (>= 1 tick unless the synapse is delay-free)")
    receptor: str | None = Field(None, description="post receptor name; default routes by weight sign")
    sign: Literal["as_given", "by_type", "positive", "negative"] = "as_given"
    gate: str | None = Field(None, description="modulating terminal or population (gated synapses)")

    @field_validator("rule", mode="before")
    @classmethod
    def _rule(cls, v: Any) -> Any:
        if isinstance(v, str) and v in ("fixed_indegree", "fixed_outdegree", "fixed_total_number",
                                          "pairwise_bernoulli", "probability", "proximity"):
            raise ValueError(f"rule {v!r} needs parameters: write {{rule: {v}, ...}}")
        return v


class DeviceTarget(Strict):
    to: str
    weight: Value = 1.0
    delay: Value = 1.0
    receptor: str | None = None


class Device(Strict):
    """A generator (``targets`` receive its output) or a recorder (``targets``
    are observed). Recorders: spike_recorder, voltmeter, multimeter."""

    name: str
    model: str
    params: dict[str, Any] = Field(default_factory=dict)
    targets: list[DeviceTarget] = Field(default_factory=list)


class ComponentUse(Strict):
    component: str
    count: int = Field(1, ge=1, le=10_000_000)
    name: str | None = Field(None, description="group name inside the layer (default: the component name)")


class Layer(Strict):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")
    z: float | None = Field(None, description="height of the layer; default 10 x layer index")
    extent: tuple[float, float] = (10.0, 10.0)
    components: list[ComponentUse] = Field(min_length=1)


class Node(Strict):
    """A neuron (or a group of ``count`` identical neurons) inside a component."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: str = Field("RS", description="izhikevich preset RS/FS/IB/CH/LTS, or another registered model name")
    count: int = Field(1, ge=1, le=100_000)
    params: dict[str, Finite] = Field(default_factory=dict)


class InternalSynapse(Strict):
    from_: str = Field(alias="from")
    to: str
    type: str = "fixed"
    weight: float = 1.0
    delay: float = 1.0
    p: float = Field(1.0, ge=0.0, le=1.0, description="probability per node pair (groups)")
    params: dict[str, Finite] = Field(default_factory=dict)
    gate: str | None = None

    _w = field_validator("weight", "delay")(lambda cls, v: _finite(v))


class SubComponent(Strict):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    component: str


class ComponentSpec(Strict):
    """A reusable circuit: neurons, internal synapses, sub-components and
    named terminals (lists of node names or ``sub.terminal`` references)."""

    component: str
    description: str = ""
    neurons: list[Node] = Field(default_factory=list)
    subcomponents: list[SubComponent] = Field(default_factory=list)
    synapses: list[InternalSynapse] = Field(default_factory=list)
    terminals: dict[str, list[str]] = Field(default_factory=dict)


class AssemblyArea(Strict):
    name: str
    n: int = Field(ge=1, le=10_000_000_000)
    k: int = Field(ge=1)
    beta: float = Field(0.05, ge=0.0)
    explicit: bool = False


class AssemblyStimulus(Strict):
    name: str
    size: int = Field(ge=1)


class AssemblyFiber(Strict):
    from_: str = Field(alias="from")
    to: str
    p: float | None = Field(None, ge=0.0, le=1.0, description="default: the section's p")
    beta: float | None = Field(None, ge=0.0, description="default: the target area's beta")
    inhibited: bool = False


class AssemblySection(Strict):
    """Assembly-calculus areas, stimuli and fibers; one projection round per tick."""

    p: float = Field(0.01, gt=0.0, le=1.0)
    areas: list[AssemblyArea] = Field(default_factory=list)
    stimuli: list[AssemblyStimulus] = Field(default_factory=list)
    fibers: list[AssemblyFiber] = Field(default_factory=list)


class LeabraLayer(Strict):
    name: str
    size: int = Field(ge=1)
    unit: dict[str, float] = Field(default_factory=dict, description="unit parameters (UnitSpec)")
    layer: dict[str, float] = Field(default_factory=dict, description="layer parameters (LayerSpec)")


class LeabraProjection(Strict):
    name: str | None = None
    from_: str = Field(alias="from")
    to: str
    pattern: Literal["full", "one_to_one", "sparse"] = "full"
    p: float = Field(1.0, ge=0.0, le=1.0, description="probability of keeping each connection of the pattern "
                     "(sparse = full with p < 1)")
    weight: Value = Field(default_factory=lambda: Distribution(dist="uniform", low=0.25, high=0.75),
                          description="initial weight (clipped to [0, 1])")
    receptor: Literal["exc", "inh"] = Field("exc", description="inh: an inhibitory projection (gi_syn)")
    sym: bool = Field(True, description="take the reciprocal projection's initial weights (emergent InitWtSym)")
    params: dict[str, float] = Field(default_factory=dict, description="projection parameters (ProjnSpec)")


class LeabraSection(Strict):
    """Leabra layers and projections (rate-coded; one cycle per tick)."""

    layers: list[LeabraLayer] = Field(default_factory=list)
    projections: list[LeabraProjection] = Field(default_factory=list)


class Modulator(Strict):
    name: str
    value: float = 0.0


class Recipe(Strict):
    """A brain recipe. ``dt`` is milliseconds per tick."""

    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
    description: str = ""
    seed: int = Field(0, ge=0, le=2**63 - 1)
    dt: float = Field(1.0, gt=0.0, le=1000.0)
    include: list[str] = Field(default_factory=list, description="recipe fragments merged into this one")
    search_path: list[str] = Field(
        default_factory=list, description="folders (relative to the recipe) searched for components")
    components: dict[str, ComponentSpec] = Field(default_factory=dict, description="inline components")
    layers: list[Layer] = Field(default_factory=list)
    populations: list[Population] = Field(default_factory=list)
    projections: list[Projection] = Field(default_factory=list)
    terminals: dict[str, str] = Field(default_factory=dict, description="named aliases for terminal references")
    devices: list[Device] = Field(default_factory=list)
    modulators: list[Modulator] = Field(default_factory=list)
    assemblies: AssemblySection | None = None
    leabra: LeabraSection | None = None
    arena: dict[str, Any] | None = Field(None, description="arena world/body configuration (see docs/arena.md)")
    max_memory_gb: float | None = Field(None, gt=0, description="refuse networks estimated above this")

    _dt = field_validator("dt")(lambda cls, v: _finite(v))


def json_schema() -> dict[str, Any]:
    """JSON Schema of recipes (for editors), with the component schema under $defs."""
    schema = Recipe.model_json_schema(by_alias=True)
    schema["$defs"]["ComponentFile"] = ComponentSpec.model_json_schema(by_alias=True)
    return schema
