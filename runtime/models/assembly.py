"""Assembly-calculus areas and stimuli as registered models (host-stepped).

Areas (``assembly_area``: n, k, beta, explicit) and stimuli
(``assembly_stimulus``: size) are populations; fibers are ``hebbian_beta``
projections with implicit storage. One tick is one synchronous projection round
of :class:`runtime.assembly_engine.AssemblyEngine` over every uninhibited fiber
whose source fired; the winners are the area's spikes for that tick.
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..host import pack_json, unpack_json
from ..registry import NeuronModel, SynapseModel, Var, register

ENGINE = "runtime.models.assembly:AssemblyHost"


def _no_kernel(*args: Any) -> int:  # host-stepped: never called by the fused loop
    raise RuntimeError("assembly models are stepped by their host engine")


@register
class AssemblyArea(NeuronModel):
    name: ClassVar[str] = "assembly_area"
    family: ClassVar[str] = "assemblies"
    params = {"n": Var(1e5, "neurons", "area size"), "k": Var(317, "neurons", "cap size (winners per round)"),
              "beta": Var(0.05, "1", "Hebbian plasticity: w <- w (1 + beta) from firing sources to winners"),
              "explicit": Var(0.0, "bool", "1: all n neurons materialised; 0: implicit (sampled)")}
    state = {"winners": Var(0.0, "ids", "current winners")}
    receptors = ("input",)
    host_engine: ClassVar[str] = ENGINE
    update = _no_kernel


@register
class AssemblyStimulus(NeuronModel):
    name: ClassVar[str] = "assembly_stimulus"
    family: ClassVar[str] = "assemblies"
    params = {"size": Var(100, "neurons", "stimulus size (all fire when active)")}
    state = {"active": Var(1.0, "bool", "whether the stimulus fires")}
    receptors = ("input",)
    host_engine: ClassVar[str] = ENGINE
    update = _no_kernel


@register
class HebbianBeta(SynapseModel):
    """Random fibers (Bernoulli p) with multiplicative Hebbian learning."""

    name: ClassVar[str] = "hebbian_beta"
    family: ClassVar[str] = "assemblies"
    params = {"p": Var(0.01, "1", "connection probability"),
              "beta": Var(0.05, "1", "per-fiber plasticity (default: the target area's)"),
              "inhibited": Var(0.0, "bool", "1: the fiber does not transmit")}
    plastic = True


class AssemblyHost:
    """Adapter between :class:`AssemblyEngine` and the runtime's host protocol."""

    def __init__(self, engine: Any, populations: list[str]) -> None:
        self.engine = engine
        self.populations = populations

    @classmethod
    def build(cls, brain: Any, populations: list[Any], projections: list[Any], seed: int) -> "AssemblyHost":
        from runtime.assembly_engine import AssemblyEngine
        from runtime.rng import stream_seed

        areas = [{"name": p.name, "n": int(p.params.get("n", p.size)), "k": int(p.params["k"]),
                  "beta": float(p.params.get("beta", 0.05)), "explicit": bool(p.params.get("explicit", 0.0))}
                 for p in populations if p.model == "assembly_area"]
        stimuli = [{"name": p.name, "size": int(p.params.get("size", p.size))}
                   for p in populations if p.model == "assembly_stimulus"]
        fibers = [{"src": pr.pre, "dst": pr.post, "p": float(pr.params["p"]),
                   "beta": float(pr.params["beta"]) if "beta" in pr.params else None,
                   "inhibited": bool(pr.params.get("inhibited", 0.0))} for pr in projections]
        eng = AssemblyEngine.from_ir_like(areas, stimuli, fibers, seed=stream_seed(seed, "assemblies"))
        return cls(eng, [p.name for p in populations])

    def step(self, t: int) -> list[tuple[str, np.ndarray]]:
        self.engine.round()
        return [(name, self.engine.winners(name)) for name in self.engine.area_names]

    def state(self, population: str, variable: str) -> np.ndarray:
        if variable == "winners":
            return self.engine.winners(population)
        if variable == "support":
            return np.array([self.engine.support(population)])
        raise KeyError(variable)

    def arrays(self) -> dict[str, np.ndarray]:
        sd = self.engine.state_dict()
        out = {k.replace("/", "|"): np.asarray(v) for k, v in sd.items() if k != "meta"}
        out["meta"] = pack_json(sd["meta"])
        return out

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        from runtime.assembly_engine import AssemblyEngine

        sd: dict[str, Any] = {k.replace("|", "/"): v for k, v in arrays.items() if k != "meta"}
        sd["meta"] = unpack_json(arrays["meta"])
        self.engine = AssemblyEngine.from_state_dict(sd)
