"""``Brain``: the assembly-calculus API users know, on :class:`AssemblyEngine`.

The surface follows the original simulator (``add_stimulus``, ``add_area``,
``add_explicit_area``, ``project``, ``update_plasticities``, area
``winners``/``fix_assembly``) so existing scripts port by changing the import.
The semantics are the engine's: every ``project`` call is one *synchronous*
round (all destination areas are computed from the previous winners, then
committed together), fixed assemblies stay plastic, and the result does not
depend on ``PYTHONHASHSEED`` (nothing iterates over sets; dicts keep insertion
order).

Fibers are created lazily, the first time a ``project`` names them (or a
plasticity/inhibition setting refers to them).  Synapses of a fiber that has
never transmitted are untouched Bernoulli(p) draws, so creating them late is
equivalent in distribution to creating every fiber up front, and much cheaper.
"""
from __future__ import annotations

from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from runtime.assembly_engine import AreaSpec, AssemblyEngine, FiberSpec, StimulusSpec

__all__ = ["Brain", "Area", "Fiber"]

_EMPTY: Mapping = MappingProxyType({})


class Area:
    """Live view of one area of a :class:`Brain` (not a snapshot).

    ``winners`` reads the current winners (int32 neuron ids) and can be
    assigned to make a chosen set fire next round.  ``support`` (alias ``w``)
    is the number of distinct neurons that ever won.
    """

    def __init__(self, brain: "Brain", name: str) -> None:
        self._brain = brain
        self.name = name
        self.saved_w: list[int] = []
        self.saved_winners: list[np.ndarray] = []

    # parameters
    @property
    def _eng(self) -> AssemblyEngine:
        return self._brain.engine

    @property
    def n(self) -> int:
        return self._eng.area_params(self.name)["n"]

    @property
    def k(self) -> int:
        return self._eng.area_params(self.name)["k"]

    @property
    def explicit(self) -> bool:
        return self._eng.area_params(self.name)["explicit"]

    @property
    def beta(self) -> float:
        """Default plasticity of synapses into this area (fibers without their
        own beta use it)."""
        return self._eng.area_params(self.name)["beta"]

    @beta.setter
    def beta(self, value: float) -> None:
        self._eng.set_area_beta(self.name, value)

    @property
    def refractory_period(self) -> int:
        """Long-range inhibition: winners of the last this-many updates of the
        area cannot win (0 = off)."""
        return self._eng.area_params(self.name)["refractory"]

    @refractory_period.setter
    def refractory_period(self, rounds: int) -> None:
        self._eng.set_refractory(self.name, rounds)

    # state
    @property
    def winners(self) -> np.ndarray:
        return self._eng.winners(self.name)

    @winners.setter
    def winners(self, ids: Sequence[int] | np.ndarray) -> None:
        ids = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64)
        if ids.size == 0:
            self._eng.clear_winners(self.name)
        else:
            self._eng.set_winners(self.name, ids)

    @property
    def support(self) -> int:
        return self._eng.support(self.name)

    w = support

    @property
    def num_first_winners(self) -> int:
        """Winners at the last update that had never won before."""
        return self._eng.first_winners(self.name)

    @property
    def fixed_assembly(self) -> bool:
        return self._eng.is_fixed(self.name)

    def fix_assembly(self) -> None:
        """Hold the current winners (they still learn from their inputs)."""
        self._eng.fix(self.name)

    def unfix_assembly(self) -> None:
        self._eng.unfix(self.name)

    def __repr__(self) -> str:
        p = self._eng.area_params(self.name)
        kind = "explicit" if p["explicit"] else "implicit"
        return (f"Area({self.name!r}, n={p['n']}, k={p['k']}, beta={p['beta']}, {kind}, "
                f"support={self.support}, winners={self.winners.size})")


class Fiber:
    """View of the fiber ``src -> dst`` (created on first access)."""

    def __init__(self, brain: "Brain", src: str, dst: str) -> None:
        self._brain = brain
        self.src = src
        self.dst = dst

    @property
    def _idx(self) -> int:
        return self._brain._ensure_fiber(self.src, self.dst)

    @property
    def p(self) -> float:
        return self._brain.engine.fiber_params(self._idx)["p"]

    @property
    def beta(self) -> float:
        """Effective plasticity: the fiber's own beta, else the destination's."""
        b = self._brain.engine.fiber_params(self._idx)["beta"]
        return self._brain.engine.area_params(self.dst)["beta"] if b is None else b

    @beta.setter
    def beta(self, value: float | None) -> None:
        self._brain._beta_override[(self.src, self.dst)] = value
        self._brain.engine.set_fiber_beta(self._idx, value)

    @property
    def inhibited(self) -> bool:
        return self._brain.engine.fiber_params(self._idx)["inhibited"]

    def inhibit(self) -> None:
        """The fiber stops transmitting (even when a ``project`` names it)."""
        self._brain.engine.set_fiber_inhibited(self._idx, True)

    def disinhibit(self) -> None:
        self._brain.engine.set_fiber_inhibited(self._idx, False)

    def synapses(self) -> dict[str, np.ndarray]:
        """Copies of the stored synapses (see :meth:`AssemblyEngine.fiber_synapses`)."""
        return self._brain.engine.fiber_synapses(self._idx)

    def __repr__(self) -> str:
        return f"Fiber({self.src!r} -> {self.dst!r}, p={self.p}, beta={self.beta}, inhibited={self.inhibited})"


class Brain:
    """A model brain: stimuli, areas and lazily created fibers.

    ``p``: default connection probability; ``seed``: seeds the engine's single
    generator (every random draw, including those of the operations in
    :mod:`brainc.assemblies.ops`, comes from it).  ``save_size`` /
    ``save_winners`` keep per-``project`` support / winner histories on each
    area (``saved_w`` / ``saved_winners``).
    """

    def __init__(self, p: float, seed: int = 0, *, save_size: bool = True, save_winners: bool = False) -> None:
        if not 0.0 < p <= 1.0:
            raise ValueError(f"connection probability p must be in (0, 1], got {p}")
        self.p = float(p)
        self.save_size = save_size
        self.save_winners = save_winners
        self.engine = AssemblyEngine(seed=seed)
        self._areas: dict[str, Area] = {}
        self._stimuli: dict[str, int] = {}
        self._custom_p: dict[str, tuple[float | None, float | None, float | None]] = {}
        self._beta_override: dict[tuple[str, str], float | None] = {}

    def to_recipe(self, name: str = "assembly_brain", seed: int | None = None) -> dict[str, Any]:
        """The areas, stimuli and fibers created so far as a recipe dict (write it
        with ``yaml.safe_dump``); ``brainc compile`` turns it into a brain
        database whose ``brainrun`` ticks one projection round per tick.
        Learned weights are state, not structure: they are not included."""
        eng = self.engine
        areas = []
        for a in eng.area_names:
            ap = eng.area_params(a)
            areas.append({"name": a, "n": int(ap["n"]), "k": int(ap["k"]), "beta": float(ap["beta"]),
                          "explicit": bool(ap["explicit"])})
        stimuli = [{"name": s, "size": int(size)} for s, size in self._stimuli.items()]
        fibers = []
        for src, dst in eng.fibers:
            fp = eng.fiber_params((src, dst))
            fib: dict[str, Any] = {"from": src, "to": dst, "p": float(fp["p"]), "inhibited": bool(fp["inhibited"])}
            if fp["beta"] is not None:
                fib["beta"] = float(fp["beta"])
            fibers.append(fib)
        return {"name": name, "seed": int(eng.seed if seed is None else seed),
                "assemblies": {"p": self.p, "areas": areas, "stimuli": stimuli, "fibers": fibers}}

    # ------------------------------------------------------------ building
    @property
    def rng(self) -> np.random.Generator:
        """The engine's generator (use it for any randomness of a protocol so
        one seed reproduces everything)."""
        return self.engine.rng

    def add_stimulus(self, name: str, size: int) -> None:
        """A stimulus of ``size`` neurons that always fire together."""
        self.engine.add_stimulus(StimulusSpec(name, int(size)))
        self._stimuli[name] = int(size)

    def add_area(self, name: str, n: int, k: int, beta: float = 0.05, *, refractory_period: int = 0) -> Area:
        """An implicit area: only neurons that ever fire are materialised."""
        self.engine.add_area(AreaSpec(name, int(n), int(k), float(beta), False, int(refractory_period)))
        self._areas[name] = Area(self, name)
        return self._areas[name]

    def add_explicit_area(self, name: str, n: int, k: int, beta: float = 0.05, *,
                          custom_inner_p: float | None = None, custom_out_p: float | None = None,
                          custom_in_p: float | None = None, refractory_period: int = 0) -> Area:
        """An explicit area: all ``n`` neurons and their synapses are stored.

        ``custom_inner_p`` / ``custom_out_p`` / ``custom_in_p``: connection
        probability of the area's self-fiber / fibers out of it / fibers into
        it (default ``p``).
        """
        self.engine.add_area(AreaSpec(name, int(n), int(k), float(beta), True, int(refractory_period)))
        self._areas[name] = Area(self, name)
        self._custom_p[name] = (custom_inner_p, custom_out_p, custom_in_p)
        return self._areas[name]

    # -------------------------------------------------------------- access
    def area(self, name: str) -> Area:
        try:
            return self._areas[name]
        except KeyError:
            raise KeyError(f"no area named {name!r}") from None

    @property
    def areas(self) -> dict[str, Area]:
        """Areas by name, in creation order."""
        return dict(self._areas)

    area_by_name = areas

    @property
    def stimulus_size_by_name(self) -> dict[str, int]:
        return dict(self._stimuli)

    def fiber(self, src: str, dst: str) -> Fiber:
        self._ensure_fiber(src, dst)
        return Fiber(self, src, dst)

    def inhibit_fiber(self, src: str, dst: str) -> None:
        self.fiber(src, dst).inhibit()

    def disinhibit_fiber(self, src: str, dst: str) -> None:
        self.fiber(src, dst).disinhibit()

    @property
    def disable_plasticity(self) -> bool:
        """When true no synapse changes (winners still move)."""
        return self.engine.disable_plasticity

    @disable_plasticity.setter
    def disable_plasticity(self, value: bool) -> None:
        self.engine.disable_plasticity = bool(value)

    @contextmanager
    def plasticity_off(self) -> Iterator[None]:
        """Temporarily disable plasticity (restored on exit, even on error)."""
        old = self.disable_plasticity
        self.disable_plasticity = True
        try:
            yield
        finally:
            self.disable_plasticity = old

    def _fiber_p(self, src: str, dst: str) -> float:
        p = self.p
        if src in self._custom_p:
            inner, out, _ = self._custom_p[src]
            if src == dst and inner is not None:
                return inner
            if src != dst and out is not None:
                p = out
        if dst in self._custom_p and src != dst:
            _, _, inn = self._custom_p[dst]
            if inn is not None:
                p = inn
        return p

    def _ensure_fiber(self, src: str, dst: str) -> int:
        if dst not in self._areas:
            raise KeyError(f"no area named {dst!r}")
        if src not in self._areas and src not in self._stimuli:
            raise KeyError(f"no area or stimulus named {src!r}")
        if not self.engine.has_fiber(src, dst):
            self.engine.add_fiber(FiberSpec(src, dst, self._fiber_p(src, dst),
                                            self._beta_override.get((src, dst))))
        return self.engine.fiber_index((src, dst))

    # ------------------------------------------------------------ learning
    def update_plasticity(self, from_area: str, to_area: str, new_beta: float) -> None:
        """Plasticity of the fiber ``from_area -> to_area`` (an area or stimulus)."""
        self._beta_override[(from_area, to_area)] = float(new_beta)
        if self.engine.has_fiber(from_area, to_area):
            self.engine.set_fiber_beta((from_area, to_area), float(new_beta))

    def update_plasticities(self, area_update_map: Mapping[str, Sequence[tuple[str, float]]] = _EMPTY,
                            stim_update_map: Mapping[str, Sequence[tuple[str, float]]] = _EMPTY) -> None:
        """``area_update_map[to_area] = [(from_area, beta), ...]`` and
        ``stim_update_map[area] = [(stimulus, beta), ...]``, as in the original."""
        for to_area, rules in area_update_map.items():
            for from_area, beta in rules:
                self.update_plasticity(from_area, to_area, beta)
        for to_area, rules in stim_update_map.items():
            for stim, beta in rules:
                self.update_plasticity(stim, to_area, beta)

    # ------------------------------------------------------------- running
    def project(self, areas_by_stim: Mapping[str, Sequence[str]],
                dst_areas_by_src_area: Mapping[str, Sequence[str]], verbose: int = 0) -> dict[str, int]:
        """One synchronous round in which exactly the named fibers may fire.

        ``areas_by_stim[stim] = [area, ...]``, ``dst_areas_by_src_area[src] =
        [dst, ...]``.  Named source areas must hold winners.  Inhibited fibers
        stay silent.  Returns ``{area: first-time winners}`` of updated areas.
        """
        active: dict[int, bool] = {}
        for stim, dsts in areas_by_stim.items():
            if stim not in self._stimuli:
                raise KeyError(f"no stimulus named {stim!r}")
            for d in dsts:
                active[self._ensure_fiber(stim, d)] = True
        for src, dsts in dst_areas_by_src_area.items():
            if src not in self._areas:
                raise KeyError(f"no area named {src!r}")
            if len(dsts) and self.engine.winners(src).size == 0:
                raise ValueError(f"cannot project from area {src!r}: it has no winners")
            for d in dsts:
                active[self._ensure_fiber(src, d)] = True
        result = self.engine.round(active)
        for name, first in result.items():
            a = self._areas[name]
            if self.save_size:
                a.saved_w.append(a.support)
            if self.save_winners:
                a.saved_winners.append(a.winners)
            if verbose:
                print(f"project: {name} support={a.support} first-time winners={first}")
        return result

    def activate(self, area: str, index: int) -> None:
        """Fire neurons ``index*k .. index*k + k - 1`` of ``area`` and fix them
        (the original's word activation in explicit lexicon areas)."""
        a = self.area(area)
        k = a.k
        a.winners = np.arange(index * k, index * k + k)
        a.fix_assembly()

    # --------------------------------------------------------- persistence
    def state_dict(self) -> dict[str, Any]:
        """Engine state plus the brain's own settings (``meta["brain"]``)."""
        st = self.engine.state_dict()
        st["meta"]["brain"] = {
            "p": self.p, "save_size": self.save_size, "save_winners": self.save_winners,
            "areas": list(self._areas), "stimuli": dict(self._stimuli),
            "custom_p": {k: list(v) for k, v in self._custom_p.items()},
            "beta_override": [[s, d, b] for (s, d), b in self._beta_override.items()],
            "saved_w": {k: list(map(int, a.saved_w)) for k, a in self._areas.items()},
        }
        return st

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Any]) -> "Brain":
        meta = state["meta"]
        b = meta["brain"]
        brain = cls(b["p"], seed=int(meta["seed"]), save_size=b["save_size"], save_winners=b["save_winners"])
        brain.engine = AssemblyEngine.from_state_dict(state)
        for name in b["areas"]:
            brain._areas[name] = Area(brain, name)
            brain._areas[name].saved_w = list(b["saved_w"].get(name, []))
        brain._stimuli = {k: int(v) for k, v in b["stimuli"].items()}
        brain._custom_p = {k: tuple(v) for k, v in b["custom_p"].items()}
        brain._beta_override = {(s, d): bb for s, d, bb in b["beta_override"]}
        return brain

    def __repr__(self) -> str:
        return f"Brain(p={self.p}, areas={list(self._areas)}, stimuli={list(self._stimuli)})"
