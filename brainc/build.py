"""Lower a validated recipe to the brain IR: expand, place, connect (seeded).

Stages: (1) direct populations and family sections (assemblies, leabra) become
populations; (2) each layer's component groups are expanded from their
templates into one population per (layer, group), placed in 3D, with the
components' internal synapses; (3) terminals are resolved to unit indices;
(4) projections are drawn with their connection rules; (5) devices and
modulators are attached. Every random draw comes from a stream named after
what it builds, so adding a projection never changes another's synapses.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from runtime.registry import UnknownModelError, device_model, neuron_model, synapse_model
from runtime.rng import stream_seed

from . import connect as conn
from .errors import RecipeError
from .ir import SIGN_ROUTED, Brain, Device, DeviceTarget, Modulator, Population, Projection, Terminal
from .loader import ComponentLibrary, component_roots
from .recipe import ComponentSpec, Distribution, Recipe, Rule
from .values import ValueError_, resolve

RECORDERS = ("spike_recorder", "voltmeter", "multimeter")
BYTES_PER_SYNAPSE = 8 + 4 + 4 + 8 + 4  # weight, post, delay, pre (runtime), projection id
#: delays are stored as int32 ticks
MAX_DELAY_TICKS = 2**31 - 2


def _rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng(stream_seed(seed, key))


@dataclass
class Template:
    """A component flattened: nodes, internal synapses, terminals."""

    nodes: list[tuple[str, str, str, int, dict[str, float]]] = field(default_factory=list)
    # (flat name, model, type, count, params)
    synapses: list[tuple[str, str, Any, str, str]] = field(default_factory=list)
    # (from, to, InternalSynapse, file that declares it, its path there: synapses[j])
    terminals: dict[str, list[str]] = field(default_factory=dict)
    file: str = ""


class Builder:
    """Builds one :class:`~brainc.ir.Brain` from one recipe."""

    def __init__(self, recipe: Recipe, recipe_path: Path, canonical: str, seed: int | None = None) -> None:
        self.r = recipe
        self.file = str(recipe_path)
        self.seed = recipe.seed if seed is None else int(seed)
        self.lib = ComponentLibrary(component_roots(recipe, recipe_path), recipe.components, self.file)
        import hashlib

        self.brain = Brain(name=recipe.name, seed=self.seed, dt=recipe.dt, meta={
            "recipe": canonical, "recipe_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
            "recipe_file": os.path.basename(self.file)})
        self.pops: dict[str, Population] = {}
        self.terminals: dict[str, tuple[str, np.ndarray]] = {}
        self.unit_types: dict[str, np.ndarray] = {}  # population -> type code per unit
        self.max_delay: dict[str, tuple[int, str, str]] = {}  # model -> (ticks, file, path) of the longest delay

    def err(self, path: str, msg: str) -> RecipeError:
        return RecipeError(self.file, path, msg)

    # ----------------------------------------------------------------- populations
    def _model(self, name: str, path: str) -> Any:
        try:
            return neuron_model(name)
        except UnknownModelError as exc:
            raise self.err(path, str(exc)) from None

    def _unit_params(self, model: Any, params: dict[str, Any], n: int, rng: np.random.Generator,
                     names: dict[str, np.ndarray], path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, val in params.items():
            if key not in model.params:
                raise self.err(f"{path}.{key}", f"unknown parameter of model {model.name!r} "
                               f"(known: {', '.join(model.params)})")
            try:
                out[key] = resolve(val, n, rng, names)
            except ValueError_ as exc:
                raise self.err(f"{path}.{key}", str(exc)) from None
            self._check_bounds(model.params[key], out[key], f"{path}.{key}")
        return out

    def _check_bounds(self, var: Any, value: Any, path: str, file: str | None = None) -> None:
        """``value`` (a number or array) within ``var``'s declared [min, max]; errors
        name ``file`` (default: the recipe) and ``path``."""
        where = self.file if file is None else file
        arr = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            raise RecipeError(where, path, "must be finite (NaN and inf are not allowed)")
        if var.min is not None and np.any(arr < var.min):
            raise RecipeError(where, path, f"must be >= {var.min}")
        if var.max is not None and np.any(arr > var.max):
            raise RecipeError(where, path, f"must be <= {var.max}")

    def _add_population(self, pop: Population, path: str) -> None:
        if pop.name in self.pops:
            raise self.err(path, f"duplicate population name {pop.name!r}")
        self.pops[pop.name] = pop
        self.brain.populations.append(pop)

    def direct_populations(self) -> None:
        from runtime.models.izhikevich import PRESETS, TYPE_CODES

        for i, ps in enumerate(self.r.populations):
            path = f"populations[{i}]"
            model = self._model(ps.model, f"{path}.model")
            rng = _rng(self.seed, f"population:{ps.name}")
            names = {}
            for vname, dist in ps.random.items():
                names[vname] = resolve(dist, ps.size, rng)
            params: dict[str, Any] = {}
            if ps.type is not None:
                if model.name != "izhikevich" or ps.type not in PRESETS:
                    raise self.err(f"{path}.type", f"unknown type {ps.type!r} (izhikevich types: "
                                   f"{', '.join(PRESETS)})")
                params.update(PRESETS[ps.type])
                self.unit_types[ps.name] = np.full(ps.size, TYPE_CODES[ps.type], np.int8)
            params.update(self._unit_params(model, ps.params, ps.size, rng, names, f"{path}.params"))
            gp = {}
            for key, val in ps.layer_params.items():
                if key not in model.group_params:
                    raise self.err(f"{path}.layer_params.{key}", f"unknown layer parameter of model "
                                   f"{model.name!r} (known: {', '.join(model.group_params) or 'none'})")
                gp[key] = float(val)
                self._check_bounds(model.group_params[key], gp[key], f"{path}.layer_params.{key}")
            pos = np.asarray(ps.position) + rng.uniform(0, 1, (ps.size, 3)) * np.asarray(ps.extent)
            meta = {"type": self.unit_types[ps.name]} if ps.name in self.unit_types else {}
            self._add_population(Population(ps.name, model.name, ps.size, params, gp, pos.astype(np.float32),
                                            {"kind": "population"}, meta), path)

    # ----------------------------------------------------------------- components
    def flatten(self, name: str, path: str, stack: tuple[str, ...] = ()) -> Template:
        if name in stack:
            raise self.err(path, f"component include cycle: {' -> '.join(stack + (name,))}")
        spec, file = self.lib.get(name, path)
        # paths inside the component's own file, or under the recipe's inline components
        at = f"components.{name}." if name in self.lib.inline else ""
        tpl = Template(file=file)
        own = set()
        for j, node in enumerate(spec.neurons):
            if node.name in own:
                raise RecipeError(file, f"{at}neurons[{j}].name", f"duplicate node {node.name!r}")
            own.add(node.name)
            tpl.nodes.append((node.name, *self._node_model(node, file, f"{at}neurons[{j}]"), node.count,
                              node.params))
        for j, sub in enumerate(spec.subcomponents):
            child = self.flatten(sub.component, f"{path} -> {name}.subcomponents[{j}]", stack + (name,))
            for (nname, model, typ, count, params) in child.nodes:
                tpl.nodes.append((f"{sub.name}.{nname}", model, typ, count, params))
            for (a, b, syn, sfile, spath) in child.synapses:
                if syn.gate is not None:  # the gate node is named inside the sub-component too
                    syn = syn.model_copy(update={"gate": f"{sub.name}.{syn.gate}"})
                tpl.synapses.append((f"{sub.name}.{a}", f"{sub.name}.{b}", syn, sfile, spath))
            for tname, members in child.terminals.items():
                tpl.terminals[f"{sub.name}.{tname}"] = [f"{sub.name}.{m}" for m in members]
        flat_names = {n[0] for n in tpl.nodes}

        def expand(ref: str, where: str) -> list[str]:
            if ref in flat_names:
                return [ref]
            if ref in tpl.terminals:
                return list(tpl.terminals[ref])
            raise RecipeError(file, where, f"unknown node or terminal {ref!r} in component {name!r}")

        for j, syn in enumerate(spec.synapses):
            for a in expand(syn.from_, f"{at}synapses[{j}].from"):
                for b in expand(syn.to, f"{at}synapses[{j}].to"):
                    tpl.synapses.append((a, b, syn, file, f"{at}synapses[{j}]"))
        for tname, members in spec.terminals.items():
            tpl.terminals[tname] = [m for k, ref in enumerate(members)
                                    for m in expand(ref, f"{at}terminals.{tname}[{k}]")]
        return tpl

    def _node_model(self, node: Any, file: str, path: str) -> tuple[str, str]:
        from runtime.models.izhikevich import PRESETS

        if node.type in PRESETS:
            model = neuron_model("izhikevich")
        else:
            try:
                model = neuron_model(node.type)
            except UnknownModelError:
                raise RecipeError(file, f"{path}.type", f"unknown neuron type {node.type!r} "
                                  f"(izhikevich types {', '.join(PRESETS)} or a registered model)") from None
        for key, val in node.params.items():
            if key not in model.params:
                raise RecipeError(file, f"{path}.params.{key}",
                                  f"unknown parameter of model {model.name!r} (known: {', '.join(model.params)})")
            self._check_bounds(model.params[key], val, f"{path}.params.{key}", file)
        return model.name, node.type

    def layers(self) -> None:
        from runtime.models.izhikevich import PRESETS, TYPE_CODES

        for li, layer in enumerate(self.r.layers):
            z = layer.z if layer.z is not None else 10.0 * li
            for ci, use in enumerate(layer.components):
                path = f"layers[{li}].components[{ci}]"
                tpl = self.flatten(use.component, f"{path}.component")
                group = use.name or use.component
                pname = f"{layer.name}.{group}"
                models = {n[1] for n in tpl.nodes}
                if not tpl.nodes:
                    raise self.err(f"{path}.component", f"component {use.component!r} has no neurons")
                if len(models) > 1:
                    raise self.err(f"{path}.component", f"component {use.component!r} mixes models "
                                   f"{sorted(models)}; one model per component")
                model = neuron_model(models.pop())
                per = sum(n[3] for n in tpl.nodes)
                n_units = per * use.count
                offsets: dict[str, tuple[int, int]] = {}
                acc = 0
                for (nname, _, _, count, _) in tpl.nodes:
                    offsets[nname] = (acc, count)
                    acc += count
                params: dict[str, np.ndarray] = {k: np.full(n_units, v.default) for k, v in model.params.items()}
                node_of_unit = np.empty(per, np.int32)
                type_of_unit = np.full(per, -1, np.int8)
                for k, (nname, _, typ, count, nparams) in enumerate(tpl.nodes):
                    s, c = offsets[nname]
                    node_of_unit[s:s + c] = k
                    vals = dict(PRESETS.get(typ, {}))
                    vals.update(nparams)
                    for key, v in vals.items():
                        arr = params[key].reshape(use.count, per)
                        arr[:, s:s + c] = v
                    if typ in TYPE_CODES:
                        type_of_unit[s:s + c] = TYPE_CODES[typ]
                params = {k: (float(v[0]) if np.all(v == v[0]) else v) for k, v in params.items()}
                rng = _rng(self.seed, f"place:{pname}")
                cols = max(1, math.ceil(math.sqrt(use.count)))
                rows = math.ceil(use.count / cols)
                sx, sy = layer.extent[0] / cols, layer.extent[1] / rows
                inst = np.arange(use.count)
                cx = (inst % cols + 0.5) * sx - layer.extent[0] / 2
                cy = (inst // cols + 0.5) * sy - layer.extent[1] / 2
                centres = np.stack([cx, cy, np.full(use.count, z)], axis=1)
                jitter = rng.normal(0.0, 0.15 * min(sx, sy), (n_units, 3)) * np.array([1, 1, 0.2])
                pos = np.repeat(centres, per, axis=0) + jitter
                unit_meta = {"instance": np.repeat(inst, per).astype(np.int32),
                             "node": np.tile(node_of_unit, use.count),
                             "type": np.tile(type_of_unit, use.count)}
                self.unit_types[pname] = unit_meta["type"]
                self._add_population(Population(
                    pname, model.name, n_units, params, {}, pos.astype(np.float32),
                    {"kind": "component", "layer": layer.name, "component": use.component,
                     "count": use.count, "units_per_instance": per, "file": os.path.basename(tpl.file),
                     "nodes": [n[0] for n in tpl.nodes]}, unit_meta), path)
                for tname, members in tpl.terminals.items():
                    local = np.concatenate([np.arange(offsets[m][0], offsets[m][0] + offsets[m][1])
                                            for m in members]) if members else np.zeros(0, np.int64)
                    idx = (inst[:, None] * per + local[None, :]).ravel()
                    self.terminals[f"{pname}.{tname}"] = (pname, idx.astype(np.int64))
                    self.brain.terminals.append(Terminal(f"{pname}.{tname}", pname, idx.astype(np.int64)))
                self._internal_synapses(tpl, pname, per, use.count, offsets, path)

    def _internal_synapses(self, tpl: Template, pname: str, per: int, count: int,
                           offsets: dict[str, tuple[int, int]], path: str) -> None:
        by_type: dict[str, list] = {}
        for item in tpl.synapses:
            by_type.setdefault(item[2].type, []).append(item)
        for typ, items in sorted(by_type.items()):
            try:
                smodel = synapse_model(typ)
            except UnknownModelError as exc:
                raise RecipeError(items[0][3], f"{items[0][4]}.type", str(exc)) from None
            rng = _rng(self.seed, f"internal:{pname}:{typ}")
            pre_l, post_l, w_l, d_l = [], [], [], []
            par: dict[str, list] = {k: [] for k in smodel.params}
            for (a, b, syn, sfile, spath) in items:
                sa, ca = offsets[a]
                sb, cb = offsets[b]
                pa = np.repeat(np.arange(sa, sa + ca), cb)
                pb = np.tile(np.arange(sb, sb + cb), ca)
                if a == b and ca > 1:
                    keep = pa != pb
                    pa, pb = pa[keep], pb[keep]
                pre = (np.arange(count)[:, None] * per + pa[None, :]).ravel()
                post = (np.arange(count)[:, None] * per + pb[None, :]).ravel()
                if syn.p < 1.0:
                    keep = rng.random(pre.size) < syn.p
                    pre, post = pre[keep], post[keep]
                for key, val in syn.params.items():
                    if key not in smodel.params:
                        raise RecipeError(sfile, f"{spath}.params.{key}", f"unknown parameter of synapse "
                                          f"{typ!r} (known: {', '.join(smodel.params) or 'none'})")
                    self._check_bounds(smodel.params[key], val, f"{spath}.params.{key}", sfile)
                for key, var in smodel.params.items():
                    par[key].append(np.full(pre.size, syn.params.get(key, var.default)))
                if smodel.needs_gate:
                    if syn.gate is None or syn.gate not in offsets:
                        raise RecipeError(sfile, f"{spath}.gate",
                                          f"synapse type {typ!r} needs 'gate': a node of the component")
                    g0 = offsets[syn.gate][0]
                    par["gate_unit"][-1] = (pre // per) * per + g0 + 0.0
                pre_l.append(pre)
                post_l.append(post)
                w_l.append(np.full(pre.size, syn.weight))
                d_l.append(np.full(pre.size, self._ticks(syn.delay, smodel, f"{spath}.delay", sfile)))
                self._note_delay(pname, d_l[-1], sfile, f"{spath}.delay")
            params = {k: np.concatenate(v) for k, v in par.items()}
            params = {k: (float(v[0]) if v.size and np.all(v == v[0]) else v) for k, v in params.items()
                      if v.size}
            proj = Projection(f"{pname}:{typ}", pname, pname, typ, np.concatenate(pre_l).astype(np.int32),
                              np.concatenate(post_l).astype(np.int32), np.concatenate(w_l),
                              np.concatenate(d_l).astype(np.int32), SIGN_ROUTED, params,
                              gate=pname if smodel.needs_gate else None, meta={"kind": "internal"})
            self.brain.projections.append(proj)

    def _ticks(self, delay_ms: Any, smodel: Any | None, path: str, file: str | None = None) -> Any:
        """Delays (ms) -> whole ticks: >= 1 tick for synapses that are not delay-free,
        >= 0 for devices (``smodel`` None: delay 0 feeds the current tick's input)."""
        where = self.file if file is None else file
        ms = np.asarray(delay_ms, dtype=np.float64)
        if not np.all(np.isfinite(ms)):
            raise RecipeError(where, path, "delay must be finite (NaN and inf are not allowed)")
        if np.any(ms < 0):
            raise RecipeError(where, path, f"delay must be >= 0 ms (got {float(ms.min()):g})")
        ticks = np.rint(ms / self.r.dt)
        if np.any(ticks > MAX_DELAY_TICKS):
            raise RecipeError(where, path, f"delay too long: at most {MAX_DELAY_TICKS:,} ticks "
                              f"({MAX_DELAY_TICKS * self.r.dt:g} ms at dt = {self.r.dt} ms)")
        d = ticks.astype(np.int64)
        if smodel is not None and not smodel.delay_free and np.any(d < 1):
            raise RecipeError(where, path, f"delay must be at least one tick ({self.r.dt} ms)")
        return d if d.ndim else int(d)

    def _note_delay(self, pop: str, ticks: Any, file: str, path: str) -> None:
        """Remember the longest delay into each neuron model's units (the runtime
        keeps one delay ring of that many ticks per model, see :meth:`check_rings`)."""
        longest = int(np.max(ticks)) if np.size(ticks) else 0
        model = self.pops[pop].model
        if longest > self.max_delay.get(model, (0, "", ""))[0]:
            self.max_delay[model] = (longest, file, path)

    def check_rings(self) -> None:
        """Refuse delays whose delay rings (ticks x receptors x units, float64)
        would not fit in memory: the runtime would fail to allocate them."""
        limit = (self.r.max_memory_gb * 1e9) if self.r.max_memory_gb else _available_memory()
        for model, (ticks, file, path) in self.max_delay.items():
            n = sum(p.size for p in self.pops.values() if p.model == model)
            need = (ticks + 1.0) * len(neuron_model(model).receptors) * n * 8
            if need > limit:
                raise RecipeError(file, path, f"delay of {ticks:,} ticks needs a delay ring of about "
                                  f"{need / 1e9:.1f} GB for the {n:,} {model} units, but only "
                                  f"{limit / 1e9:.1f} GB is available")

    # ----------------------------------------------------------------- references
    _SLICE = re.compile(r"^(?P<name>.+?)\[(?P<a>-?\d*)(?::(?P<b>-?\d*))?\](?P<rest>(\.[A-Za-z0-9_.]+)?)$")

    def ref(self, ref: str, path: str) -> tuple[str, np.ndarray]:
        """Resolve a reference to (population, local indices)."""
        if ref in self.r.terminals:
            return self.ref(self.r.terminals[ref], f"terminals.{ref}")
        if ref in self.terminals:
            return self.terminals[ref]
        if ref in self.pops:
            return ref, np.arange(self.pops[ref].size, dtype=np.int64)
        m = self._SLICE.match(ref)
        if m:
            base = m.group("name")
            if base in self.pops:
                pop = self.pops[base]
                a = int(m.group("a")) if m.group("a") else 0
                b = int(m.group("b")) if m.group("b") not in (None, "") else (a + 1 if m.group("b") is None else pop.size)
                rest = m.group("rest")
                if pop.origin.get("kind") == "component":
                    per = pop.origin["units_per_instance"]
                    inst = np.arange(pop.size // per)[a:b]
                    if rest:
                        full = f"{base}{rest}"
                        if full not in self.terminals:
                            raise self.err(path, f"unknown terminal {rest[1:]!r} of {base!r}")
                        _, idx = self.terminals[full]
                        return base, idx[np.isin(idx // per, inst)]
                    return base, (inst[:, None] * per + np.arange(per)[None, :]).ravel().astype(np.int64)
                if rest:
                    raise self.err(path, f"{base!r} is a population without terminals")
                return base, np.arange(pop.size, dtype=np.int64)[a:b]
        known = sorted(self.pops) + sorted(self.terminals)[:10]
        raise self.err(path, f"unknown population or terminal {ref!r} (known include: {', '.join(known[:12])})")

    def recipe_terminals(self) -> None:
        for name, target in self.r.terminals.items():
            pop, idx = self.ref(target, f"terminals.{name}")
            self.brain.terminals.append(Terminal(name, pop, idx))

    # ----------------------------------------------------------------- projections
    def estimate(self) -> None:
        """Refuse networks that would not fit in memory, before allocating."""
        n_units = sum(p.size for p in self.pops.values() if p.model not in ("assembly_area", "assembly_stimulus"))
        syn = 0.0
        for i, pj in enumerate(self.r.projections):
            try:
                _, a = self.ref(pj.from_, f"projections[{i}].from")
                _, b = self.ref(pj.to, f"projections[{i}].to")
            except RecipeError:
                continue
            rule = pj.rule if isinstance(pj.rule, Rule) else Rule(rule=pj.rule)
            syn += conn.expected_count(rule.rule, a.size, b.size, rule.p, rule.indegree, rule.outdegree, rule.N)
        need = syn * BYTES_PER_SYNAPSE * 1.5 + n_units * 8 * 24
        limit = (self.r.max_memory_gb * 1e9) if self.r.max_memory_gb else _available_memory()
        if need > limit:
            raise self.err("projections" if syn else "populations",
                           f"network needs about {need / 1e9:.1f} GB ({n_units:,} units, {syn:,.0f} synapses) "
                           f"but only {limit / 1e9:.1f} GB is available")

    def projections(self) -> None:
        names: set[str] = {p.name for p in self.brain.projections}
        for i, pj in enumerate(self.r.projections):
            path = f"projections[{i}]"
            try:
                smodel = synapse_model(pj.synapse)
            except UnknownModelError as exc:
                raise self.err(f"{path}.synapse", str(exc)) from None
            pre_pop, pre_idx = self.ref(pj.from_, f"{path}.from")
            post_pop, post_idx = self.ref(pj.to, f"{path}.to")
            name = pj.name or f"{pj.from_}->{pj.to}:{pj.synapse}"
            if name in names:
                raise self.err(f"{path}.name", f"duplicate projection name {name!r}")
            names.add(name)
            rule = pj.rule if isinstance(pj.rule, Rule) else Rule(rule=pj.rule)
            same = pre_pop == post_pop
            pos_a = self.pops[pre_pop].positions
            pos_b = self.pops[post_pop].positions
            try:
                a, b = conn.connect(
                    rule.rule, n_pre=pre_idx.size, n_post=post_idx.size, seed=stream_seed(self.seed, f"connect:{name}"),
                    pre_ids=pre_idx if same else None, post_ids=post_idx if same else None,
                    p=rule.p, indegree=rule.indegree, outdegree=rule.outdegree, N=rule.N, cutoff=rule.cutoff,
                    sigma=rule.sigma, pos_pre=None if pos_a is None else pos_a[pre_idx],
                    pos_post=None if pos_b is None else pos_b[post_idx],
                    allow_autapses=rule.allow_autapses, allow_multapses=rule.allow_multapses)
            except conn.ConnectError as exc:
                raise self.err(f"{path}.rule", str(exc)) from None
            n = a.size
            rng = _rng(self.seed, f"values:{name}")
            try:
                w = np.broadcast_to(np.asarray(resolve(pj.weight, n, rng), np.float64), (n,)).copy()
            except ValueError_ as exc:
                raise self.err(f"{path}.weight", str(exc)) from None
            try:
                dms = np.broadcast_to(np.asarray(resolve(pj.delay, n, rng), np.float64), (n,))
            except ValueError_ as exc:
                raise self.err(f"{path}.delay", str(exc)) from None
            if pj.sign == "positive":
                w = np.abs(w)
            elif pj.sign == "negative":
                w = -np.abs(w)
            elif pj.sign == "by_type":
                from runtime.models.izhikevich import INHIBITORY_TYPES, TYPE_CODES

                types = self.unit_types.get(pre_pop)
                if types is None:
                    raise self.err(f"{path}.sign", f"sign by_type needs typed units; {pre_pop!r} has no types")
                inhib = np.isin(types[pre_idx[a]], [TYPE_CODES[t] for t in INHIBITORY_TYPES])
                w = np.where(inhib, -np.abs(w), np.abs(w))
            delay = self._ticks(dms, smodel, f"{path}.delay")
            if not smodel.delay_free:
                self._note_delay(post_pop, delay, self.file, f"{path}.delay")
            params: dict[str, Any] = {}
            for key, val in pj.params.items():
                if key not in smodel.params:
                    raise self.err(f"{path}.params.{key}", f"unknown parameter of synapse {smodel.name!r} "
                                   f"(known: {', '.join(smodel.params) or 'none'})")
                try:
                    params[key] = resolve(val, n, rng)
                except ValueError_ as exc:
                    raise self.err(f"{path}.params.{key}", str(exc)) from None
                self._check_bounds(smodel.params[key], params[key], f"{path}.params.{key}")
            gate = None
            if smodel.needs_gate:
                if pj.gate is None:
                    raise self.err(f"{path}.gate", f"synapse {smodel.name!r} needs 'gate' (a terminal or population)")
                gate, gidx = self.ref(pj.gate, f"{path}.gate")
                params["gate_unit"] = gidx[np.arange(n) % gidx.size].astype(np.float64)
            elif pj.gate is not None:
                raise self.err(f"{path}.gate", f"synapse {smodel.name!r} takes no gate")
            receptor = SIGN_ROUTED
            if pj.receptor is not None:
                recs = neuron_model(self.pops[post_pop].model).receptors
                if pj.receptor not in recs:
                    raise self.err(f"{path}.receptor", f"model {self.pops[post_pop].model!r} has no receptor "
                                   f"{pj.receptor!r} (has {', '.join(recs)})")
                receptor = recs.index(pj.receptor)
            self.brain.projections.append(Projection(
                name, pre_pop, post_pop, smodel.name, pre_idx[a].astype(np.int32), post_idx[b].astype(np.int32),
                w, np.asarray(delay, np.int32).reshape(-1) if np.ndim(delay) else np.full(n, delay, np.int32),
                receptor, params, gate, "csr", {"rule": rule.model_dump(exclude_none=True)}))

    # ----------------------------------------------------------------- devices
    def _number(self, val: Any, path: str) -> float:
        """A finite number: int/float, or a string holding one (PyYAML reads
        ``1e5`` without a dot as a string); never bool, null or a list."""
        if isinstance(val, str):
            try:
                x = float(val)
            except ValueError:
                raise self.err(path, f"expected a number, got {val!r}") from None
        elif isinstance(val, (int, float)) and not isinstance(val, bool):
            try:
                x = float(val)
            except OverflowError:
                raise self.err(path, "must be finite (number too large)") from None
        else:
            raise self.err(path, f"expected a number, got {_show(val)}")
        if not math.isfinite(x):
            raise self.err(path, "must be finite (NaN and inf are not allowed)")
        return x

    def _device_params(self, dm: Any, raw: dict[str, Any], path: str) -> dict[str, Any]:
        """A generator's parameters checked against its model's declaration: numbers
        within the declared bounds, 0/1 or true/false for flags, lists of numbers
        for list-valued parameters (spike_generator's times, weights, multiplicities)."""
        out: dict[str, Any] = {}
        for key, val in raw.items():
            kpath = f"{path}.{key}"
            if key not in dm.params:
                raise self.err(kpath, f"unknown parameter of device {dm.name!r} "
                               f"(known: {', '.join(k for k in dm.params if not k.startswith('_'))})")
            var = dm.params[key]
            if _is_list_var(var):
                if not isinstance(val, list):
                    raise self.err(kpath, f"expected a list of numbers, got {_show(val)}")
                xs = [self._number(x, f"{kpath}[{k}]") for k, x in enumerate(val)]
                for k, x in enumerate(xs):
                    self._check_bounds(var, x, f"{kpath}[{k}]")
                if key.endswith("multiplicities"):
                    for k, x in enumerate(xs):
                        if x < 0 or not x.is_integer():
                            raise self.err(f"{kpath}[{k}]", f"expected a whole number >= 0, got {x:g}")
                if key.endswith("times"):
                    for k in range(1, len(xs)):
                        if xs[k] < xs[k - 1]:
                            raise self.err(f"{kpath}[{k}]", "spike times must be sorted (non-decreasing)")
                out[key] = xs
            elif _is_bool_var(var):
                if isinstance(val, bool):
                    x = float(val)
                else:
                    x = self._number(val, kpath)
                    if x not in (0.0, 1.0):
                        raise self.err(kpath, f"expected true or false, got {_show(val)}")
                if var.max == 0.0 and x:
                    raise self.err(kpath, "must be false (not supported)")
                out[key] = bool(x)
            else:
                x = self._number(val, kpath)
                self._check_bounds(var, x, kpath)
                out[key] = x
        lists = [k for k, v in dm.params.items() if _is_list_var(v)]
        if lists and lists[0] in out:  # the others give one entry per element of the first
            n = len(out[lists[0]])
            for key in lists[1:]:
                if key in out and out[key] and len(out[key]) != n:
                    raise self.err(f"{path}.{key}", f"expected one entry per element of {lists[0]} "
                                   f"({n}), got {len(out[key])}")
        elif lists:
            for key in lists[1:]:
                if out.get(key):
                    raise self.err(f"{path}.{key}", f"given without {lists[0]}")
        return out

    def _recorder_params(self, raw: dict[str, Any], path: str) -> dict[str, Any]:
        """Recorders: ``record_from`` (a state variable name or a list of them) and
        ``interval`` (ms, > 0) are checked; other keys (NEST's start/stop/origin,
        label, ...) are read-out settings kept as given."""
        out = dict(raw)
        if "interval" in raw:
            x = self._number(raw["interval"], f"{path}.interval")
            if x <= 0:
                raise self.err(f"{path}.interval", f"must be > 0 ms, got {x:g}")
            out["interval"] = x
        if "record_from" in raw:
            val = raw["record_from"]
            names = [val] if isinstance(val, str) else val
            if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
                raise self.err(f"{path}.record_from",
                               f"expected a state variable name or a list of them, got {_show(val)}")
        return out

    def devices(self) -> None:
        seen: set[str] = set()
        for i, dv in enumerate(self.r.devices):
            path = f"devices[{i}]"
            if dv.name in seen:
                raise self.err(f"{path}.name", f"duplicate device name {dv.name!r}")
            seen.add(dv.name)
            if dv.model in RECORDERS:
                params = self._recorder_params(dv.params, f"{path}.params")
            else:
                try:
                    dm = device_model(dv.model)
                except UnknownModelError as exc:
                    raise self.err(f"{path}.model", str(exc)) from None
                params = self._device_params(dm, dv.params, f"{path}.params")
            dev = Device(dv.name, dv.model, params)
            for j, tg in enumerate(dv.targets):
                tpath = f"{path}.targets[{j}]"
                pop, idx = self.ref(tg.to, f"{tpath}.to")
                rng = _rng(self.seed, f"device:{dv.name}:{j}")
                try:
                    w = np.broadcast_to(np.asarray(resolve(tg.weight, idx.size, rng), np.float64), idx.shape).copy()
                except ValueError_ as exc:
                    raise self.err(f"{tpath}.weight", str(exc)) from None
                try:
                    d = np.broadcast_to(np.asarray(resolve(tg.delay, idx.size, rng), np.float64), idx.shape)
                except ValueError_ as exc:
                    raise self.err(f"{tpath}.delay", str(exc)) from None
                # devices may feed the current tick (delay 0); the runtime sizes the
                # target's delay ring from the largest delay
                ticks = np.asarray(self._ticks(d, None, f"{tpath}.delay"), np.int64).astype(np.int32)
                self._note_delay(pop, ticks, self.file, f"{tpath}.delay")
                receptor = SIGN_ROUTED
                if tg.receptor is not None:
                    recs = neuron_model(self.pops[pop].model).receptors
                    if tg.receptor not in recs:
                        raise self.err(f"{path}.targets[{j}].receptor", f"no receptor {tg.receptor!r}")
                    receptor = recs.index(tg.receptor)
                dev.targets.append(DeviceTarget(pop, idx, w, ticks, receptor))
            self.brain.devices.append(dev)
        for m in self.r.modulators:
            self.brain.modulators.append(Modulator(m.name, m.value))

    # ----------------------------------------------------------------- families
    def family_sections(self) -> None:
        from .families import lower_assemblies, lower_leabra

        if self.r.assemblies is not None:
            lower_assemblies(self, self.r.assemblies)
        if self.r.leabra is not None:
            lower_leabra(self, self.r.leabra)
        if self.r.arena is not None:
            try:
                from arena.config import ArenaConfig
                from .loader import validate

                cfg = validate(ArenaConfig, self.r.arena, self.file, ("arena",))
                self.brain.extras["arena"] = cfg.model_dump(mode="json")
            except ImportError:
                self.brain.extras["arena"] = self.r.arena

    def build(self) -> Brain:
        self.direct_populations()
        self.family_sections()
        self.layers()
        self.recipe_terminals()
        self.estimate()
        self.projections()
        self.devices()
        self.check_rings()
        return self.brain


def _show(val: Any) -> str:
    """A recipe value for an error message (YAML spelling, shortened)."""
    if val is None:
        return "null"
    if isinstance(val, bool):
        return "true" if val else "false"
    text = repr(val)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_list_var(var: Any) -> bool:
    """A list-valued device parameter (spike_generator's spike_times,
    spike_weights, spike_multiplicities), declared with ``is_list``."""
    return var.is_list


def _is_bool_var(var: Any) -> bool:
    return var.unit == "bool"


def _available_memory() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return 8e9


def build(recipe: Recipe, recipe_path: Path, canonical: str, seed: int | None = None) -> Brain:
    """Recipe -> IR."""
    return Builder(recipe, recipe_path, canonical, seed).build()
