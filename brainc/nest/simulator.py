"""A NEST-flavoured front end: create nodes, connect them, simulate, read out.

The :class:`Simulator` collects what the calls describe as a *recipe* (the
same YAML/JSON structure ``brainc compile`` reads), lowers it with the
compiler (:mod:`brainc.build`) to the brain IR and runs it with
:class:`runtime.network.Network`. There is no second simulator: every draw
(connections, random parameters, Poisson trains) comes from the compiler's and
runtime's seeded streams, so ``sim.to_recipe()`` compiles to the same network.

Conventions (NEST's, see docs/nest.md): times in ms; spikes are stamped at
the end of the step in which they happen; node ids are NEST's (1-based, in
creation order, devices included); a weight's sign routes it to the
excitatory or inhibitory input of the target.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from brainc.errors import BraincError
from brainc.ir import Brain
from runtime.registry import UnknownModelError, device_model, neuron_model, synapse_model

from .random import Random, as_distribution

__all__ = ["Simulator", "NodeCollection", "Connections", "Result", "NestError"]

#: NEST model names that are registered under another name here
ALIASES = {"izhikevich": "nest_izhikevich"}
RECORDERS = ("spike_recorder", "voltmeter", "multimeter")
#: syn_spec keys that are not synapse parameters
_SYN_KEYS = {"synapse_model", "weight", "delay", "receptor_type", "volume_transmitter"}


class NestError(BraincError):
    """A call that NEST would refuse (unknown model or parameter, bad connection)."""


# ----------------------------------------------------------------------------- nodes


@dataclass(eq=False)
class _Group:
    """One ``create`` call: a population, a set of generators or a recorder."""

    kind: str  # "neuron" | "generator" | "recorder"
    model: str  # registered model name (or recorder name)
    nest_model: str  # as the user wrote it
    n: int
    name: str
    first_id: int
    params: Any  # neuron: dict name -> scalar/ndarray/Random; others: list of dicts
    targets: list[tuple["_Group", np.ndarray]] = field(default_factory=list)  # recorders


class NodeCollection:
    """Nodes of one or more ``create`` calls (NEST's NodeCollection).

    Index and slice it like a sequence; ``+`` concatenates; ``global_ids`` are
    NEST's node ids. ``get``/``set`` read and change parameters (and, after a
    simulation, the live state of neurons)."""

    def __init__(self, sim: "Simulator", parts: list[tuple[_Group, np.ndarray]]) -> None:
        self._sim = sim
        self._parts = [(g, np.asarray(i, np.int64)) for g, i in parts if len(i)]

    # -- sequence behaviour
    def __len__(self) -> int:
        return sum(i.size for _, i in self._parts)

    def _flat(self) -> list[tuple[_Group, int]]:
        return [(g, int(k)) for g, idx in self._parts for k in idx]

    def __getitem__(self, key: Any) -> "NodeCollection":
        flat = self._flat()
        if isinstance(key, (int, np.integer)):
            items = [flat[key]]
        elif isinstance(key, slice):
            items = flat[key]
        else:
            items = [flat[int(k)] for k in key]
        parts: list[tuple[_Group, list[int]]] = []
        for g, k in items:
            if parts and parts[-1][0] is g:
                parts[-1][1].append(k)
            else:
                parts.append((g, [k]))
        return NodeCollection(self._sim, [(g, np.array(ks, np.int64)) for g, ks in parts])

    def __iter__(self):
        for g, k in self._flat():
            yield NodeCollection(self._sim, [(g, np.array([k]))])

    def __add__(self, other: "NodeCollection") -> "NodeCollection":
        return NodeCollection(self._sim, self._parts + other._parts)

    def __repr__(self) -> str:
        desc = ", ".join(f"{g.nest_model} x{i.size}" for g, i in self._parts)
        return f"NodeCollection({desc})"

    @property
    def global_ids(self) -> np.ndarray:
        if not self._parts:
            return np.zeros(0, np.int64)
        return np.concatenate([g.first_id + i for g, i in self._parts])

    def tolist(self) -> list[int]:
        return [int(x) for x in self.global_ids]

    @property
    def model(self) -> str:
        return self._single()[0].nest_model

    def _single(self) -> tuple[_Group, np.ndarray]:
        if len(self._parts) != 1:
            raise NestError("this operation needs nodes of a single create() call")
        return self._parts[0]

    # -- parameters and state
    def get(self, key: str | None = None) -> Any:
        """Parameter or state ``key`` (one value per node; a scalar for one node),
        or a dict of all parameters when ``key`` is None."""
        g, idx = self._single()
        if key is None:
            if g.kind != "neuron":
                return [g.params[k] for k in idx]
            model = neuron_model(g.model)
            return {k: self.get(k) for k in model.params if not k.startswith("_")}
        if g.kind != "neuron":
            vals = [g.params[int(k)].get(key, _device_default(g, key)) for k in idx]
            return vals[0] if len(vals) == 1 else vals
        model = neuron_model(g.model)
        net = self._sim._net
        if net is not None and key in model.state:
            vals = net.state(g.name, key)[idx]
        elif key in model.params:
            v = g.params.get(key, model.params[key].default)
            if isinstance(v, Random):
                brain = self._sim._ensure_brain()
                v = brain.population(g.name).params.get(key, model.params[key].default)
            vals = np.broadcast_to(np.asarray(v, np.float64), (g.n,))[idx]
        else:
            raise NestError(f"{g.nest_model} has no parameter or state {key!r}")
        return float(vals[0]) if vals.size == 1 else np.array(vals)

    def set(self, params: dict[str, Any] | None = None, **kw: Any) -> None:
        """Change parameters (NEST's ``SetStatus``); values are scalars, one value
        per node, or distributions. Takes effect at the next ``simulate``."""
        params = {**(params or {}), **kw}
        for g, idx in self._parts:
            self._sim._set_params(g, idx, params)
        self._sim._invalidate()


def _device_default(g: _Group, key: str) -> Any:
    if g.kind == "generator":
        var = device_model(g.model).params.get(key)
        return None if var is None else var.default
    return {"interval": None, "record_from": ["V_m"] if g.model == "voltmeter" else [],
            "start": 0.0, "stop": math.inf, "origin": 0.0}.get(key)


# ----------------------------------------------------------------------------- connections


@dataclass(eq=False)
class _Projection:
    name: str
    pre: tuple[_Group, np.ndarray]
    post: tuple[_Group, np.ndarray]
    rule: dict[str, Any]
    synapse: str
    params: dict[str, Any]
    weight: Any
    delay: Any
    receptor: str | None
    gate: tuple[_Group, np.ndarray] | None
    nest_synapse: str


@dataclass(eq=False)
class _DeviceLink:
    name: str
    gen: _Group
    instance: int
    post: tuple[_Group, np.ndarray]
    weight: Any
    delay: Any
    receptor: str | None


class Connections:
    """Synapses selected by :meth:`Simulator.get_connections` (NEST's SynapseCollection).

    ``get(key)`` returns one value per synapse (weight, delay in ms, source,
    target, synapse_model, or any parameter/state of the synapse model, e.g.
    Kplus, u, x, c, n); ``set(weight=...)`` changes them (scalar or one value
    per synapse). Values are live after a simulation (plastic weights)."""

    def __init__(self, sim: "Simulator", items: list[tuple[_Projection, np.ndarray]]) -> None:
        self._sim = sim
        self._items = items  # (projection, selected synapse indices in IR order)

    def __len__(self) -> int:
        return sum(sel.size for _, sel in self._items)

    def get(self, key: str | Sequence[str] | None = None) -> Any:
        if key is None:
            key = ["source", "target", "weight", "delay", "synapse_model"]
        if not isinstance(key, str):
            return {k: self.get(k) for k in key}
        parts = [self._sim._syn_values(p, sel, key) for p, sel in self._items]
        if key == "synapse_model":
            out: Any = [x for p in parts for x in p]
            return out[0] if len(out) == 1 else out
        arr = np.concatenate(parts) if parts else np.zeros(0)
        return arr.item() if arr.size == 1 else arr

    def set(self, params: dict[str, Any] | None = None, **kw: Any) -> None:
        params = {**(params or {}), **kw}
        off = 0
        n = len(self)
        for p, sel in self._items:
            piece = {}
            for k, v in params.items():
                arr = np.asarray(v, np.float64)
                if arr.ndim == 0:
                    piece[k] = np.full(sel.size, float(arr))
                elif arr.size == n:
                    piece[k] = arr[off:off + sel.size]
                else:
                    raise NestError(f"set({k}=...): expected a scalar or {n} values, got {arr.size}")
            self._sim._syn_set(p, sel, piece)
            off += sel.size

    def __repr__(self) -> str:
        return f"Connections({len(self)} synapses)"


# ----------------------------------------------------------------------------- results


class Result:
    """What the recorders saw since the last ``simulate`` (``cont`` appends).

    ``spikes(rec)`` -> (times ms, sender ids); ``rate(rec)`` mean rate (Hz) per
    observed neuron; ``trace(rec, var)`` -> (times ms, values[n_samples] for one
    neuron or values[n_samples, n_neurons]); ``events(rec)`` a NEST-style dict."""

    def __init__(self, sim: "Simulator") -> None:
        self._sim = sim
        self._net = sim._net

    @property
    def time(self) -> float:
        """Simulated time (ms) since the last ``simulate``."""
        return self._net.t * self._sim.dt

    def spikes(self, recorder: NodeCollection) -> tuple[np.ndarray, np.ndarray]:
        g = self._sim._recorder_group(recorder, "spike_recorder")
        net, dt = self._net, self._sim.dt
        ticks, units = net.spikes()
        prm = g.params[0]
        t_all = (ticks + 1) * dt
        lo = float(prm.get("origin", 0.0)) + float(prm.get("start", 0.0))
        hi = float(prm.get("origin", 0.0)) + float(prm.get("stop", math.inf))
        times, senders = [], []
        offsets = net._offsets
        for tg, idx in g.targets:
            first = offsets[tg.name]
            local = units - first
            ok = (local >= 0) & (local < tg.n)
            mask = np.zeros(tg.n, bool)
            mask[idx] = True
            ok[ok] = mask[local[ok]]
            ok &= (t_all > lo + 1e-9 * dt) & (t_all <= hi + 1e-9 * dt)
            times.append(t_all[ok])
            senders.append(local[ok] + tg.first_id)
        t = np.concatenate(times) if times else np.zeros(0)
        s = np.concatenate(senders) if senders else np.zeros(0, np.int64)
        order = np.lexsort((s, t))
        return t[order], s[order]

    def n_observed(self, recorder: NodeCollection) -> int:
        g = self._sim._recorder_group(recorder)
        return int(sum(np.unique(idx).size for _, idx in g.targets))

    def rate(self, recorder: NodeCollection) -> float:
        """Spikes per observed neuron per second over the recording window."""
        g = self._sim._recorder_group(recorder, "spike_recorder")
        t, _ = self.spikes(recorder)
        prm = g.params[0]
        lo = float(prm.get("origin", 0.0)) + float(prm.get("start", 0.0))
        hi = min(float(prm.get("origin", 0.0)) + float(prm.get("stop", math.inf)), self.time)
        dur = max(hi - max(lo, 0.0), 0.0) / 1000.0
        n = self.n_observed(recorder)
        return float(t.size / (n * dur)) if n and dur > 0 else 0.0

    def trace(self, recorder: NodeCollection, variable: str = "V_m") -> tuple[np.ndarray, np.ndarray]:
        g = self._sim._recorder_group(recorder, ("voltmeter", "multimeter"))
        prm = g.params[0]
        variables = _record_from(g)
        if variable not in variables:
            raise NestError(f"{g.nest_model} does not record {variable!r} (record_from: {variables})")
        net, dt = self._net, self._sim.dt
        cols = []
        times = None
        for r in [r for r in net.recorders if r.name == g.name]:
            if r.chunks:
                tk = np.concatenate([c[0] for c in r.chunks])
                v = np.concatenate([c[1] for c in r.chunks])
            else:
                tk, v = np.zeros(0, np.int64), np.zeros((0, r.buf.shape[1]))
            k = r.variables.index(variable)
            nu = r.idx.size
            cols.append(v[:, k * nu:(k + 1) * nu])
            times = tk
        if times is None:
            return np.zeros(0), np.zeros(0)
        vals = np.concatenate(cols, axis=1)
        every = max(1, int(round(float(prm.get("interval", dt)) / dt)))
        keep = (times + 1) % every == 0
        t = (times[keep] + 1) * dt
        lo = float(prm.get("origin", 0.0)) + float(prm.get("start", 0.0))
        hi = float(prm.get("origin", 0.0)) + float(prm.get("stop", math.inf))
        keep2 = (t > lo + 1e-9 * dt) & (t <= hi + 1e-9 * dt)
        vals = vals[keep][keep2]
        return t[keep2], (vals[:, 0] if vals.shape[1] == 1 else vals)

    def events(self, recorder: NodeCollection) -> dict[str, np.ndarray]:
        """NEST-style events: times/senders (and one array per recorded variable)."""
        g = self._sim._recorder_group(recorder)
        if g.model == "spike_recorder":
            t, s = self.spikes(recorder)
            return {"times": t, "senders": s}
        ids = np.concatenate([tg.first_id + idx for tg, idx in g.targets])
        out: dict[str, np.ndarray] = {}
        for var in _record_from(g):
            t, v = self.trace(recorder, var)
            v = v.reshape(t.size, -1)
            out[var] = v.ravel()
            out["times"] = np.repeat(t, v.shape[1])
            out["senders"] = np.tile(ids, t.size)
        return out


def _record_from(g: _Group) -> list[str]:
    rf = g.params[0].get("record_from")
    if rf is None:
        rf = ["V_m"] if g.model == "voltmeter" else []
    return [rf] if isinstance(rf, str) else list(rf)


# ----------------------------------------------------------------------------- the simulator


def _scalar_or_list(v: Any) -> Any:
    """A recipe value: float, list of floats, or a Distribution dict."""
    if isinstance(v, Random):
        return dict(v.spec)
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    arr = np.asarray(v, np.float64)
    if arr.ndim == 0:
        return float(arr)
    return [float(x) for x in arr.ravel()]


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_jsonable(x) for x in (v.tolist() if isinstance(v, np.ndarray) else v)]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, np.bool_)):
        return float(v)
    return v


class Simulator:
    """A NEST-like session.

    >>> sim = Simulator(dt=0.1, seed=1)
    >>> n = sim.create("iaf_psc_alpha", 10, {"I_e": 376.0})
    >>> sr = sim.create("spike_recorder")
    >>> sim.connect(n, sr)
    >>> res = sim.simulate(1000.0)
    >>> res.rate(sr)   # 16 Hz
    """

    def __init__(self, dt: float = 0.1, seed: int = 12345, name: str = "nest") -> None:
        if not dt > 0:
            raise NestError("dt must be > 0")
        self.dt = float(dt)
        self.seed = int(seed)
        self.name = name
        self._groups: list[_Group] = []
        self._projections: list[_Projection] = []
        self._links: list[_DeviceLink] = []
        self._next_id = 1
        self._model_defaults: dict[str, tuple[str, dict[str, Any]]] = {}  # name -> (base, params)
        self._overrides: dict[str, dict[str, np.ndarray]] = {}  # projection -> key -> IR-order values
        self._brain: Brain | None = None
        self._net: Any = None
        self._names: set[str] = set()

    # ------------------------------------------------------------------ models
    def _resolve_model(self, model: str) -> tuple[str, dict[str, Any]]:
        """(registered name, default overrides) for a NEST model name or a copy."""
        if model in self._model_defaults:
            base, prm = self._model_defaults[model]
            rb, rp = self._resolve_model(base) if base != model else (base, {})
            return rb, {**rp, **prm}
        return ALIASES.get(model, model), {}

    def copy_model(self, existing: str, new: str, params: dict[str, Any] | None = None) -> None:
        """NEST's ``CopyModel``: a new name for a model with other defaults."""
        if new in self._model_defaults:
            raise NestError(f"model {new!r} exists already")
        self._model_defaults[new] = (existing, dict(params or {}))

    def set_defaults(self, model: str, params: dict[str, Any] | None = None, **kw: Any) -> None:
        """NEST's ``SetDefaults`` (affects later ``create``/``connect`` calls)."""
        base, prm = self._model_defaults.get(model, (model, {}))
        self._model_defaults[model] = (base, {**prm, **(params or {}), **kw})

    def get_defaults(self, model: str) -> dict[str, Any]:
        name, over = self._resolve_model(model)
        for table in (_neuron, _synapse, _device):
            cls = table(name)
            if cls is not None:
                out = {k: v.default for k, v in cls.params.items() if not k.startswith("_")}
                out.update(over)
                return out
        if name in RECORDERS:
            return dict(over)
        raise NestError(f"unknown model {model!r}")

    # ------------------------------------------------------------------ create
    def _fresh_name(self, base: str) -> str:
        k = len(self._groups)
        name = f"{base}_{k}"
        while name in self._names:
            k += 1
            name = f"{base}_{k}"
        self._names.add(name)
        return name

    def create(self, model: str, n: int = 1, params: dict[str, Any] | Sequence[dict[str, Any]] | None = None,
               label: str | None = None) -> NodeCollection:
        """Create ``n`` nodes of ``model`` (a neuron, generator or recorder name)."""
        n = int(n)
        if n < 1:
            raise NestError("n must be >= 1")
        name, defaults = self._resolve_model(model)
        per_node = isinstance(params, (list, tuple))
        if per_node and len(params) != n:  # type: ignore[arg-type]
            raise NestError(f"got {len(params)} parameter dicts for {n} nodes")  # type: ignore[arg-type]
        if label is not None:
            if label in self._names:
                raise NestError(f"label {label!r} is used already")
            self._names.add(label)
        gname = label or self._fresh_name(model)
        first = self._next_id
        if name in RECORDERS:
            if n != 1:
                raise NestError("create one recorder at a time")
            prm = {**defaults, **(params[0] if per_node else (params or {}))}  # type: ignore[index]
            g = _Group("recorder", name, model, 1, gname, first, [prm])
        elif _device(name) is not None:
            dm = device_model(name)
            plist = []
            for k in range(n):
                prm = {**defaults, **(params[k] if per_node else (params or {}))}  # type: ignore[index]
                for key in prm:
                    if key not in dm.params:
                        raise NestError(f"{model}: unknown parameter {key!r} (known: "
                                        f"{', '.join(p for p in dm.params if not p.startswith('_'))})")
                plist.append(prm)
            g = _Group("generator", name, model, n, gname, first, plist)
        else:
            cls = _neuron(name)
            if cls is None:
                raise NestError(f"unknown model {model!r}")
            g = _Group("neuron", name, model, n, gname, first, {})
            self._set_params(g, np.arange(n), defaults)
            if per_node:
                keys = set().union(*[set(p) for p in params])  # type: ignore[union-attr]
                for key in keys:
                    vals = [p.get(key, g.params.get(key, cls.params[key].default) if key in cls.params else None)
                            for p in params]  # type: ignore[union-attr]
                    self._set_params(g, np.arange(n), {key: np.asarray(vals, np.float64)})
            else:
                self._set_params(g, np.arange(n), params or {})
        self._next_id += n
        self._groups.append(g)
        self._invalidate()
        return NodeCollection(self, [(g, np.arange(n))])

    def _set_params(self, g: _Group, idx: np.ndarray, params: dict[str, Any]) -> None:
        if g.kind != "neuron":
            for key, v in params.items():
                if g.kind == "generator" and key not in device_model(g.model).params:
                    raise NestError(f"{g.nest_model}: unknown parameter {key!r}")
                for k in idx:
                    g.params[int(k)][key] = v
            return
        cls = neuron_model(g.model)
        for key, v in params.items():
            if key not in cls.params or key.startswith("_"):
                known = ", ".join(k for k in cls.params if not k.startswith("_"))
                raise NestError(f"{g.nest_model}: unknown parameter {key!r} (known: {known})")
            dist = as_distribution(v)
            whole = idx.size == g.n and np.array_equal(idx, np.arange(g.n))
            if dist is not None:
                if not whole:
                    raise NestError(f"{key}: distributions apply to a whole population")
                g.params[key] = dist
                continue
            arr = np.asarray(v, np.float64) if not isinstance(v, bool) else np.float64(float(v))
            if arr.ndim == 0 and whole:
                g.params[key] = float(arr)
                continue
            cur = g.params.get(key, cls.params[key].default)
            if isinstance(cur, Random):
                raise NestError(f"{key}: cannot set part of a population drawn from a distribution")
            full = np.array(np.broadcast_to(np.asarray(cur, np.float64), (g.n,)))
            if arr.ndim and arr.size != idx.size:
                raise NestError(f"{key}: expected {idx.size} values, got {arr.size}")
            full[idx] = arr
            g.params[key] = full

    # ------------------------------------------------------------------ connect
    def connect(self, pre: NodeCollection, post: NodeCollection, rule: str | dict[str, Any] = "all_to_all",
                weight: Any = None, delay: Any = None, synapse: str | dict[str, Any] | None = None,
                allow_autapses: bool | None = None, allow_multapses: bool | None = None,
                seed: int | None = None, receptor: int | None = None, *,
                conn_spec: str | dict[str, Any] | None = None, syn_spec: Any = None) -> None:
        """Connect ``pre`` to ``post`` (NEST's ``Connect``).

        ``rule``/``conn_spec``: a rule name or a dict such as
        ``{"rule": "fixed_indegree", "indegree": 100}``; ``synapse``/``syn_spec``: a
        synapse model name or a dict such as ``{"synapse_model": "stdp_synapse",
        "weight": 2.0, "lambda": 0.01}``. ``weight``/``delay`` (ms): scalars, arrays
        (NEST's shapes) or distributions (:mod:`brainc.nest.random`). ``seed``
        selects another connection stream for this call. Recorders connect as in
        NEST: ``connect(neurons, spike_recorder)``, ``connect(voltmeter, neurons)``."""
        rule = conn_spec if conn_spec is not None else rule
        spec = syn_spec if syn_spec is not None else synapse
        spec = {"synapse_model": spec} if isinstance(spec, str) else dict(spec or {})
        if weight is not None:
            spec["weight"] = weight
        if delay is not None:
            spec["delay"] = delay
        if receptor is not None:
            spec["receptor_type"] = receptor
        rd = {"rule": rule} if isinstance(rule, str) else dict(rule)
        if allow_autapses is not None:
            rd["allow_autapses"] = allow_autapses
        if allow_multapses is not None:
            rd["allow_multapses"] = allow_multapses
        if "rule" not in rd:
            raise NestError("conn_spec needs a 'rule'")
        kinds = {g.kind for g, _ in pre._parts} | {"to:" + g.kind for g, _ in post._parts}
        if not len(pre) or not len(post):
            return
        pre_kind = {g.kind for g, _ in pre._parts}
        post_kind = {g.kind for g, _ in post._parts}
        if post_kind == {"recorder"}:
            g, _ = post._single()
            if g.model != "spike_recorder":
                raise NestError(f"{g.nest_model} is connected to neurons as connect({g.nest_model}, neurons)")
            for pg, idx in pre._parts:
                if pg.kind != "neuron":
                    raise NestError("only neurons can be recorded by a spike_recorder")
                g.targets.append((pg, idx))
        elif pre_kind == {"recorder"}:
            g, _ = pre._single()
            if g.model == "spike_recorder":
                raise NestError("connect(neurons, spike_recorder), not the other way round")
            for pg, idx in post._parts:
                if pg.kind != "neuron":
                    raise NestError("voltmeters and multimeters observe neurons")
                model = neuron_model(pg.model)
                for var in _record_from(g):
                    if var not in model.state:
                        raise NestError(f"{pg.nest_model} has no recordable {var!r} "
                                        f"(recordables: {', '.join(model.state)})")
                g.targets.append((pg, idx))
        elif pre_kind == {"generator"}:
            self._connect_generators(pre, post, rd, spec)
        elif pre_kind == {"neuron"} and post_kind == {"neuron"}:
            self._connect_neurons(pre, post, rd, spec, seed)
        else:
            raise NestError(f"cannot connect {pre} to {post} ({sorted(kinds)})")
        self._invalidate()

    def _syn_model(self, spec: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        nest_name = spec.get("synapse_model", "static_synapse")
        name, defaults = self._resolve_model(nest_name)
        try:
            smodel = synapse_model(name)
        except UnknownModelError:
            raise NestError(f"unknown synapse model {nest_name!r}") from None
        merged = {**defaults, **{k: v for k, v in spec.items() if k != "synapse_model"}}
        return name, nest_name, merged | {"_model": smodel}

    def _receptor(self, post_group: _Group, rtype: Any) -> str | None:
        r = int(rtype or 0)
        if post_group.model == "parrot_neuron":
            if r == 0:
                return "exc"
            if r == 1:
                return "ignored"
        elif r == 0:
            return None
        raise NestError(f"{post_group.nest_model} has no receptor_type {r}")

    def _connect_generators(self, pre: NodeCollection, post: NodeCollection, rd: dict[str, Any],
                            spec: dict[str, Any]) -> None:
        rname = rd["rule"]
        if rname not in ("all_to_all", "one_to_one"):
            raise NestError(f"generators connect all_to_all or one_to_one, not {rname!r}")
        syn, nest_syn, merged = self._syn_model(spec)
        merged.pop("_model")
        if syn != "static_synapse":
            raise NestError(f"generators connect with static_synapse, not {nest_syn!r}")
        weight = merged.pop("weight", 1.0)
        delay = merged.pop("delay", 1.0)
        rtype = merged.pop("receptor_type", 0)
        for key in merged:
            raise NestError(f"generator connections take weight, delay and receptor_type, not {key!r}")
        gens = pre._flat()
        if rname == "one_to_one":
            if len(gens) != len(post):
                raise NestError("one_to_one needs as many generators as targets")
            targets = [post[k] for k in range(len(post))]
            pairs = list(zip(gens, targets))
            if isinstance(weight, (list, np.ndarray)) or isinstance(delay, (list, np.ndarray)):
                wv = np.broadcast_to(np.asarray(weight, np.float64), (len(post),))
                dv = np.broadcast_to(np.asarray(delay, np.float64), (len(post),))
                items = [((g, k), tc, float(wv[j]), float(dv[j])) for j, ((g, k), tc) in enumerate(pairs)]
            else:
                items = [((g, k), tc, weight, delay) for (g, k), tc in pairs]
        else:
            items = [((g, k), post, weight, delay) for g, k in gens]
        for (g, k), target, w, d in items:
            for pg, idx in target._parts:
                if pg.kind != "neuron":
                    raise NestError("generators feed neurons")
                rec = self._receptor(pg, rtype)
                wv = 1.0 if pg.model in ("parrot_neuron", "volume_transmitter") and rec != "ignored" else w
                name = f"{g.name}.{k}.{len(self._links)}"
                self._links.append(_DeviceLink(name, g, k, (pg, idx), _value(wv, idx.size),
                                               _value(d, idx.size), rec))

    def _connect_neurons(self, pre: NodeCollection, post: NodeCollection, rd: dict[str, Any],
                         spec: dict[str, Any], seed: int | None) -> None:
        syn, nest_syn, merged = self._syn_model(spec)
        smodel = merged.pop("_model")
        weight = merged.pop("weight", 1.0)
        delay = merged.pop("delay", 1.0)
        rtype = merged.pop("receptor_type", 0)
        vt = merged.pop("volume_transmitter", None)
        params = {}
        for key, v in merged.items():
            if key not in smodel.params or key.startswith("_") or key == "gate_unit":
                known = ", ".join(k for k in smodel.params if not k.startswith("_") and k != "gate_unit")
                raise NestError(f"{nest_syn}: unknown parameter {key!r} (known: {known or 'none'})")
            params[key] = v
        gate = None
        if smodel.needs_gate:
            if vt is None:
                raise NestError(f"{nest_syn} needs a volume_transmitter (syn_spec['volume_transmitter'])")
            gate = vt._single()
            if gate[0].model != "volume_transmitter" or gate[1].size != 1:
                raise NestError("volume_transmitter must be one volume_transmitter node")
        elif vt is not None:
            raise NestError(f"{nest_syn} takes no volume_transmitter")
        rname = rd["rule"]
        cfg = {k: v for k, v in rd.items() if k != "rule"}
        pairs: list[tuple[tuple[_Group, np.ndarray], tuple[_Group, np.ndarray]]] = []
        pp, qp = pre._parts, post._parts
        if rname in ("all_to_all", "pairwise_bernoulli"):
            pairs = [(a, b) for a in pp for b in qp]
        elif rname == "fixed_indegree":
            if len(pp) != 1:
                raise NestError("fixed_indegree needs the sources of one create() call")
            pairs = [(pp[0], b) for b in qp]
        elif rname == "fixed_outdegree":
            if len(qp) != 1:
                raise NestError("fixed_outdegree needs the targets of one create() call")
            pairs = [(a, qp[0]) for a in pp]
        elif rname == "fixed_total_number":
            if len(pp) != 1 or len(qp) != 1:
                raise NestError("fixed_total_number needs sources and targets of single create() calls")
            pairs = [(pp[0], qp[0])]
        elif rname == "one_to_one":
            if len(pre) != len(post):
                raise NestError(f"one_to_one needs equal sizes, got {len(pre)} sources and {len(post)} targets")
            fa, fb = pre._flat(), post._flat()
            start = 0
            for j in range(1, len(fa) + 1):
                if j == len(fa) or fa[j][0] is not fa[j - 1][0] or fb[j][0] is not fb[j - 1][0]:
                    pairs.append(((fa[start][0], np.array([k for _, k in fa[start:j]])),
                                  (fb[start][0], np.array([k for _, k in fb[start:j]]))))
                    start = j
        else:
            raise NestError(f"unknown rule {rname!r}")
        for (ga, ia), (gb, ib) in pairs:
            _check_rule(rname, cfg, ia.size, ib.size, same=ga is gb)
        arrays = any(isinstance(v, (list, tuple, np.ndarray)) for v in (weight, delay))
        if arrays and len(pairs) != 1:
            raise NestError("weight/delay arrays need sources and targets of single create() calls")
        for (ga, ia), (gb, ib) in pairs:
            rec = self._receptor(gb, rtype)
            base = f"{ga.name}->{gb.name}:{nest_syn}"
            name = base if seed is None else f"{base}@seed{int(seed)}"
            k = 1
            while name in self._names:
                k += 1
                name = f"{base}#{k}" if seed is None else f"{base}@seed{int(seed)}#{k}"
            self._names.add(name)
            w = weight
            if gb.model in ("parrot_neuron", "volume_transmitter") and rec != "ignored" and syn == "static_synapse":
                w = 1.0  # parrots and volume transmitters count spikes; NEST ignores the weight
            pr = _Projection(name, (ga, ia), (gb, ib), {"rule": rname, **cfg}, syn, dict(params),
                             w, delay, rec, gate, nest_syn)
            n = _expected_count(rname, ia.size, ib.size, cfg)
            for key, val in (("weight", w), ("delay", delay)):
                if isinstance(val, (list, tuple, np.ndarray)):
                    arr = _nest_array(np.asarray(val, np.float64), rname, ia.size, ib.size, cfg)
                    if n is None or arr.size != n:
                        raise NestError(f"{key} array has {arr.size} values; the rule makes {n} synapses")
                    self._overrides.setdefault(name, {})[key] = arr
                    setattr(pr, key, float(arr[0]) if arr.size else 0.0)
            self._projections.append(pr)

    # ------------------------------------------------------------------ recipe / IR
    def _invalidate(self) -> None:
        self._brain = None

    @staticmethod
    def _ref(part: tuple[_Group, np.ndarray]) -> str:
        g, idx = part
        if idx.size == g.n and np.array_equal(idx, np.arange(g.n)):
            return g.name
        if idx.size and np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
            return f"{g.name}[{int(idx[0])}:{int(idx[0]) + idx.size}]"
        raise NestError(f"{g.nest_model}: only whole populations or contiguous slices can be connected "
                        "(the network must be expressible as a recipe)")

    def to_recipe(self, path: str | Path | None = None, *, internal: bool = False) -> dict[str, Any]:
        """The network as a recipe dict (written as YAML when ``path`` is given);
        ``brainc compile`` turns it into the same brain."""
        pops = []
        for g in self._groups:
            if g.kind != "neuron":
                continue
            params = {k: _scalar_or_list(v) for k, v in g.params.items()}
            pops.append({"name": g.name, "model": g.model, "size": g.n, **({"params": params} if params else {})})
        projections = []
        for p in self._projections:
            ov = self._overrides.get(p.name, {})
            entry: dict[str, Any] = {"name": p.name, "from": self._ref(p.pre), "to": self._ref(p.post),
                                     "synapse": p.synapse}
            rule = {k: v for k, v in p.rule.items() if v is not None}
            entry["rule"] = rule["rule"] if len(rule) == 1 and rule["rule"] in ("all_to_all", "one_to_one") else rule
            for key in ("weight", "delay"):
                if key in ov and not internal:
                    entry[key] = [float(x) for x in ov[key]]
                else:
                    entry[key] = _scalar_or_list(getattr(p, key))
            params = {k: _scalar_or_list(v) for k, v in p.params.items()}
            for key, arr in ov.items():
                if key not in ("weight", "delay"):
                    if internal:
                        continue
                    params[key] = float(arr[0]) if arr.size and np.all(arr == arr[0]) else [float(x) for x in arr]
            if params:
                entry["params"] = params
            if p.receptor is not None:
                entry["receptor"] = p.receptor
            if p.gate is not None:
                entry["gate"] = self._ref(p.gate)
            projections.append(entry)
        devices = []
        for link in self._links:
            prm = {k: _jsonable(v) for k, v in link.gen.params[link.instance].items()}
            tgt: dict[str, Any] = {"to": self._ref(link.post), "weight": _scalar_or_list(link.weight),
                                   "delay": _scalar_or_list(link.delay)}
            if link.receptor is not None:
                tgt["receptor"] = link.receptor
            devices.append({"name": link.name, "model": link.gen.model, "params": prm, "targets": [tgt]})
        for g in self._groups:
            if g.kind != "recorder" or not g.targets:
                continue
            prm = {k: _jsonable(v) for k, v in g.params[0].items() if v is not None}
            if g.model != "spike_recorder":
                prm["record_from"] = _record_from(g)
                if internal:
                    prm["interval"] = self.dt  # sampled every step, thinned to NEST's phase at read-out
            devices.append({"name": g.name, "model": g.model, "params": prm,
                            "targets": [{"to": self._ref(t)} for t in g.targets]})
        recipe: dict[str, Any] = {"name": _safe_name(self.name), "seed": self.seed, "dt": self.dt,
                                  "populations": pops, "projections": projections, "devices": devices}
        if not internal:
            self._fill_derived(recipe)
        if path is not None:
            import yaml

            Path(path).write_text(yaml.safe_dump(_jsonable(recipe), sort_keys=False))
        return recipe

    def _fill_derived(self, recipe: dict[str, Any]) -> None:
        """Write the parameters the IR derives from the network (stdp tau_minus,
        dopamine update_interval) into a public recipe."""
        brain = self._ensure_brain()
        by_name = {pr.name: pr for pr in brain.projections}
        for entry in recipe["projections"]:
            pr = by_name.get(entry["name"])
            if pr is None:
                continue
            for key in ("tau_minus", "update_interval"):
                if key in pr.params and key not in entry.get("params", {}):
                    v = np.asarray(pr.params[key], np.float64)
                    entry.setdefault("params", {})[key] = (float(v.ravel()[0]) if v.size and np.all(v == v.ravel()[0])
                                                          else [float(x) for x in v])

    def _ensure_brain(self) -> Brain:
        if self._brain is not None:
            return self._brain
        from brainc.build import Builder
        from brainc.loader import validate
        from brainc.recipe import Recipe

        data = _jsonable(self.to_recipe(internal=True))
        where = f"<brainc.nest {self.name}>"
        recipe = validate(Recipe, data, where)
        canonical = json.dumps(data, sort_keys=True)
        brain = Builder(recipe, Path.cwd() / f"{recipe.name}.yaml", canonical, self.seed).build()
        by_name = {pr.name: pr for pr in brain.projections}
        for name, ov in self._overrides.items():
            pr = by_name[name]
            for key, arr in ov.items():
                if key == "weight":
                    pr.weight = arr.astype(np.float64).copy()
                elif key == "delay":
                    ticks = np.rint(arr / self.dt).astype(np.int32)
                    if np.any(ticks < 1):
                        raise NestError(f"{name}: delays must be at least one step ({self.dt} ms)")
                    pr.delay = ticks
                else:
                    pr.params[key] = arr.astype(np.float64).copy()
        self._derive(brain)
        self._brain = brain
        return brain

    def _derive(self, brain: Brain) -> None:
        """Parameters NEST takes from elsewhere: the post neuron's tau_minus for
        STDP synapses; the dopamine synapses' update interval (volume
        transmitter deliver_interval x the network's minimum delay)."""
        min_delay = math.inf
        for pr in brain.projections:
            if pr.delay.size:
                min_delay = min(min_delay, int(pr.delay.min()))
        for dev in brain.devices:
            for tg in dev.targets:
                if dev.model not in RECORDERS and np.size(tg.delay):
                    min_delay = min(min_delay, int(np.min(tg.delay)))
        if not math.isfinite(min_delay):
            min_delay = 1
        groups = {g.name: g for g in self._groups}
        for p in self._projections:
            pr = next(x for x in brain.projections if x.name == p.name)
            smodel = synapse_model(pr.synapse)
            if "tau_minus" in smodel.params and "tau_minus" not in p.params \
                    and "tau_minus" not in self._overrides.get(p.name, {}):
                post = brain.population(pr.post)
                tm = post.params.get("tau_minus", neuron_model(post.model).params.get("tau_minus").default
                                     if "tau_minus" in neuron_model(post.model).params else 20.0)
                tm = np.asarray(tm, np.float64)
                pr.params["tau_minus"] = float(tm) if tm.ndim == 0 else tm[pr.post_idx]
            if "update_interval" in smodel.params and "update_interval" not in p.params:
                vt = groups[p.gate[0].name] if p.gate else None
                di = float(vt.params.get("deliver_interval", 1.0)) if vt is not None else 1.0
                pr.params["update_interval"] = di * min_delay * self.dt

    # ------------------------------------------------------------------ running
    def simulate(self, ms: float) -> Result:
        """Simulate ``ms`` milliseconds from the initial state."""
        from runtime.network import Network

        import dataclasses

        brain = self._ensure_brain()
        # the runtime may adopt the IR's weight arrays without copying: give
        # plastic projections their own copy so every simulate() starts afresh
        run_brain = dataclasses.replace(brain, projections=[
            dataclasses.replace(pr, weight=pr.weight.copy()) if synapse_model(pr.synapse).plastic else pr
            for pr in brain.projections])
        self._net = Network(run_brain, seed=self.seed, source="brainc.nest")
        self._run(ms)
        return Result(self)

    def cont(self, ms: float) -> Result:
        """Continue the last simulation by ``ms`` milliseconds."""
        if self._net is None:
            return self.simulate(ms)
        if self._brain is None:
            raise NestError("the network changed since simulate(); call simulate() to start afresh")
        self._run(ms)
        return Result(self)

    def _run(self, ms: float) -> None:
        ticks = int(round(float(ms) / self.dt))
        if abs(ticks * self.dt - ms) > 1e-9 * max(1.0, abs(ms)):
            raise NestError(f"simulation time {ms} ms is not a multiple of dt = {self.dt} ms")
        net = self._net
        # state recorders buffer 4096 samples between drains: run in chunks
        chunk = 4000 if net.recorders else max(ticks, 1)
        while ticks > 0:
            k = min(chunk, ticks)
            net.run(k)
            ticks -= k

    @property
    def network(self) -> Any:
        """The :class:`runtime.network.Network` of the last simulation (or None)."""
        return self._net

    @property
    def brain(self) -> Brain:
        """The compiled brain IR of the current network."""
        return self._ensure_brain()

    # ------------------------------------------------------------------ connections
    def get_connections(self, source: NodeCollection | None = None, target: NodeCollection | None = None,
                        synapse_model: str | None = None) -> Connections:
        """Synapses from ``source`` to ``target`` (either may be None: any)."""
        brain = self._ensure_brain()
        by_name = {pr.name: pr for pr in brain.projections}
        items = []
        src = None if source is None else set(source.tolist())
        tgt = None if target is None else set(target.tolist())
        for p in self._projections:
            if synapse_model is not None and p.nest_synapse != synapse_model and p.synapse != synapse_model:
                continue
            pr = by_name[p.name]
            sel = np.ones(pr.count, bool)
            if src is not None:
                ids = p.pre[0].first_id + pr.pre_idx
                sel &= np.isin(ids, list(src))
            if tgt is not None:
                ids = p.post[0].first_id + pr.post_idx
                sel &= np.isin(ids, list(tgt))
            idx = np.flatnonzero(sel)
            if idx.size:
                items.append((p, idx))
        return Connections(self, items)

    def _pathway(self, p: _Projection) -> tuple[Any, np.ndarray] | None:
        """(live pathway, positions of the projection's synapses in it, IR order)."""
        net = self._net
        if net is None or self._brain is None:
            return None
        for pw in net.pathways:
            if p.name in pw.projections:
                j = pw.projections.index(p.name)
                pos = np.flatnonzero(pw.proj == j)  # the projection's synapses, grouped by pre
                pr = next(x for x in self._brain.projections if x.name == p.name)
                post_live = pw.post_idx[pos]
                off = int(net._where[pr.post][1])  # the post population's start in its block
                # the runtime groups by pre stably (or, formerly, sorted by (pre, post));
                # accept whichever permutation reproduces the live post indices
                for order in (np.argsort(pr.pre_idx, kind="stable"), np.lexsort((pr.post_idx, pr.pre_idx))):
                    if np.array_equal(pr.post_idx[order].astype(np.int64) + off, post_live):
                        ir_pos = np.empty_like(pos)
                        ir_pos[order] = pos
                        return pw, ir_pos
                raise NestError(f"cannot map the synapses of {p.name!r} to the running network")
        return None

    def _syn_values(self, p: _Projection, sel: np.ndarray, key: str) -> Any:
        brain = self._ensure_brain()
        pr = next(x for x in brain.projections if x.name == p.name)
        if key == "source":
            return p.pre[0].first_id + pr.pre_idx[sel].astype(np.int64)
        if key == "target":
            return p.post[0].first_id + pr.post_idx[sel].astype(np.int64)
        if key == "synapse_model":
            return [p.nest_synapse] * sel.size
        live = self._pathway(p)
        smodel = synapse_model(pr.synapse)
        if key == "weight":
            return live[0].w[live[1][sel]].copy() if live else pr.weight[sel].copy()
        if key == "delay":
            return (live[0].delay[live[1][sel]] if live else pr.delay[sel]).astype(np.float64) * self.dt
        if key in smodel.state and live:
            return live[0].S[list(smodel.state).index(key), live[1][sel]].copy()
        if key in smodel.params:
            if live:
                return live[0].P[list(smodel.params).index(key), live[1][sel]].copy()
            v = pr.params.get(key, smodel.params[key].default)
            return np.broadcast_to(np.asarray(v, np.float64), (pr.count,))[sel].copy()
        if key in smodel.state:
            return np.full(sel.size, smodel.state[key].default)
        raise NestError(f"{p.nest_synapse} has no {key!r}")

    def _syn_set(self, p: _Projection, sel: np.ndarray, values: dict[str, np.ndarray]) -> None:
        brain = self._ensure_brain()
        pr = next(x for x in brain.projections if x.name == p.name)
        smodel = synapse_model(pr.synapse)
        live = self._pathway(p)
        ov = self._overrides.setdefault(p.name, {})
        for key, v in values.items():
            if key == "weight":
                base = ov.get("weight", pr.weight.astype(np.float64)).copy()
                base[sel] = v
                ov["weight"] = base
                pr.weight = base.copy()
                if live:
                    live[0].w[live[1][sel]] = v
            elif key == "delay":
                raise NestError("delays cannot be changed after connecting (they size the delay rings)")
            elif key in smodel.params and not key.startswith("_"):
                cur = np.array(np.broadcast_to(np.asarray(pr.params.get(key, smodel.params[key].default),
                                                          np.float64), (pr.count,)))
                cur[sel] = v
                ov[key] = cur
                pr.params[key] = cur.copy()
                if live:
                    live[0].P[list(smodel.params).index(key), live[1][sel]] = v
            elif key in smodel.state and live:
                live[0].S[list(smodel.state).index(key), live[1][sel]] = v
            else:
                raise NestError(f"{p.nest_synapse}: cannot set {key!r}")

    def _recorder_group(self, rec: NodeCollection, model: str | tuple[str, ...] | None = None) -> _Group:
        g, _ = rec._single()
        if g.kind != "recorder":
            raise NestError(f"{g.nest_model} is not a recorder")
        if model is not None and g.model not in ((model,) if isinstance(model, str) else model):
            raise NestError(f"expected a {model}, got {g.nest_model}")
        if self._net is None:
            raise NestError("nothing simulated yet")
        return g


# ----------------------------------------------------------------------------- helpers


def _neuron(name: str) -> Any:
    try:
        return neuron_model(name)
    except UnknownModelError:
        return None


def _synapse(name: str) -> Any:
    try:
        return synapse_model(name)
    except UnknownModelError:
        return None


def _device(name: str) -> Any:
    if name in RECORDERS:
        return None
    try:
        return device_model(name)
    except UnknownModelError:
        return None


def _value(v: Any, n: int) -> Any:
    """A per-target value for a device link: scalar, Random or array of n."""
    dist = as_distribution(v)
    if dist is not None:
        return dist
    arr = np.asarray(v, np.float64)
    if arr.ndim == 0:
        return float(arr)
    if arr.size != n:
        raise NestError(f"expected {n} values, got {arr.size}")
    return arr


def _check_rule(rule: str, cfg: dict[str, Any], n_pre: int, n_post: int, same: bool) -> None:
    """NEST refuses impossible requests at Connect; so do we (same wording as
    brainc.connect, which checks again when the network is compiled)."""
    no_mult = not cfg.get("allow_multapses", True)
    no_aut = same and not cfg.get("allow_autapses", True)
    need = {"fixed_indegree": "indegree", "fixed_outdegree": "outdegree", "fixed_total_number": "N",
            "pairwise_bernoulli": "p"}.get(rule)
    if need and cfg.get(need) is None:
        raise NestError(f"rule {rule!r} needs {need!r}")
    if rule == "fixed_indegree":
        k, avail = int(cfg["indegree"]), n_pre - (1 if no_aut else 0)
        if k > 0 and no_mult and k > avail:
            raise NestError(f"fixed_indegree: indegree {k} exceeds the {max(avail, 0)} available sources "
                            "without multapses")
    elif rule == "fixed_outdegree":
        k, avail = int(cfg["outdegree"]), n_post - (1 if no_aut else 0)
        if k > 0 and no_mult and k > avail:
            raise NestError(f"fixed_outdegree: outdegree {k} exceeds the {max(avail, 0)} available targets "
                            "without multapses")
    elif rule == "fixed_total_number":
        total = int(cfg["N"])
        possible = n_pre * n_post - (min(n_pre, n_post) if no_aut else 0)
        if no_mult and total > possible:
            raise NestError(f"fixed_total_number: {total} synapses exceed the {possible} possible pairs "
                            "without multapses")
    elif rule == "pairwise_bernoulli" and not 0.0 <= float(cfg["p"]) <= 1.0:
        raise NestError("pairwise_bernoulli: p must be in [0, 1]")


def _expected_count(rule: str, n_pre: int, n_post: int, cfg: dict[str, Any]) -> int | None:
    if rule == "all_to_all":
        return n_pre * n_post
    if rule == "one_to_one":
        return n_pre
    if rule == "fixed_indegree":
        return n_post * int(cfg.get("indegree", 0))
    if rule == "fixed_outdegree":
        return n_pre * int(cfg.get("outdegree", 0))
    if rule == "fixed_total_number":
        return int(cfg.get("N", 0))
    return None


def _nest_array(arr: np.ndarray, rule: str, n_pre: int, n_post: int, cfg: dict[str, Any]) -> np.ndarray:
    """NEST's weight/delay array shapes -> the compiler's synapse order.

    all_to_all: (n_post, n_pre) (the compiler orders pre-major); fixed_indegree:
    (n_post, indegree); fixed_outdegree: (n_pre, outdegree); others 1-D."""
    if rule == "all_to_all" and arr.ndim == 2:
        if arr.shape != (n_post, n_pre):
            raise NestError(f"all_to_all arrays have shape (len(post), len(pre)) = {(n_post, n_pre)}")
        return arr.T.ravel().copy()
    return arr.ravel().copy()


def _safe_name(name: str) -> str:
    import re

    s = re.sub(r"[^A-Za-z0-9_.\-]", "_", name)
    return s if s and re.match(r"[A-Za-z0-9_]", s[0]) else f"n{s}"
