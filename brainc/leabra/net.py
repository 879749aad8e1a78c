"""``brainc.leabra.Net``: Leabra7's API on the brainc compiler and runtime.

A ``Net`` is a description (layers and projections with their specs) until it
first runs. Then it takes the same road as every recipe:

1. :meth:`Net.to_recipe_dict` writes a recipe with a ``leabra:`` section;
2. :class:`brainc.recipe.Recipe` validates it and :func:`brainc.build.build`
   lowers it (:func:`brainc.families.lower_leabra`: layers -> populations of
   model ``leabra``, projections -> ``xcal`` synapses) to the IR, exactly as
   ``brainc compile`` does for the written recipe (same database content);
3. :class:`runtime.network.Network` (backend ``numba``) loads the IR: one
   ``leabra`` block holding every layer (``seg`` = layer offsets, layers in
   creation order) and one ``xcal`` pathway per receptor (``exc``, ``inh``)
   merging all projections, advanced by the one fused compiled loop.

The API drives that network with whole phases per ``Network.run`` call and
does the per-trial work between calls, directly on the runtime's arrays
(emergent's alpha cycle, driven by Leabra7's calls):

* A trial opens at the first cycle after construction, ``learn()`` or
  ``end_trial()``: :func:`runtime.models.leabra.trial_init` on the block
  (decay, hard clamps; on training trials -- opened by ``minus_phase_cycle`` or
  ``plus_phase_cycle`` -- also avg_l and the layer activity averages), then
  every projection's ``gscale`` (xcal state row) is recomputed, and the
  ``trial_start`` modulator (a one-tick pulse) makes the next tick send-only.
* ``minus_phase_cycle(n)`` / ``plus_phase_cycle(n)`` / ``cycle(n)`` are one
  ``run`` call each (``n`` ticks, plus the send-only tick when a trial opens)
  with the ``phase`` modulator at 1 / 2 / 0; the plus phase ends with
  :func:`runtime.models.leabra.plus_phase_end` on the block.
* ``learn()`` runs one tick with the ``learn`` modulator set (units frozen, the
  xcal learn kernel applies XCAL in the loop's learn phase) and closes the trial.

Cycle-frequency logs need the state after every cycle: only while such logs
are requested (and not paused) does a phase run one tick per call.
"""
from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from runtime.models import leabra as _lu
from runtime.models.leabra import LeabraUnit, init_block, plus_phase_end, trial_init
from runtime.modulators import MOD_LEARN, MOD_PHASE, MOD_TRIAL_START
from runtime.synapses import xcal as _xc
from runtime.synapses.xcal import XCAL, slay_act_scale

from .logs import (FREQS, LogBook, Logs, conn_row, known_conn_attrs, known_layer_attrs, layer_row,
                   make_table, unit_row, _short)
from .specs import (Gaussian, LayerSpec, ProjnSpec, Scalar, Uniform, layer_spec_from_rows,
                    projn_spec_from_rows, spec_from_dict, unit_spec_from_rows)

__all__ = ["Net"]

#: where the API's lowering pretends the recipe lives (errors name it; no file is read)
_VIRTUAL_DIR = Path("/<brainc.leabra.Net>")
#: table added to runtime checkpoints by :meth:`Net.checkpoint`
_CKPT_TABLE = "leabra_api"
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class _Layer:
    __slots__ = ("name", "size", "spec", "index", "a", "b")

    def __init__(self, name: str, size: int, spec: LayerSpec, index: int) -> None:
        self.name, self.size, self.spec, self.index = name, size, spec, index
        self.a = self.b = 0  # block-local unit range, set when the network is attached


class _Projn:
    __slots__ = ("name", "pre", "post", "spec", "k", "sel", "pre_loc", "post_loc", "ncon", "last_scale")

    def __init__(self, name: str, pre: _Layer, post: _Layer, spec: ProjnSpec) -> None:
        self.name, self.pre, self.post, self.spec = name, pre, post, spec
        self.k = -1                       # runtime pathway holding this projection
        self.sel: Any = slice(0, 0)       # its synapses in that pathway (slice or index array)
        self.pre_loc = self.post_loc = np.zeros(0, dtype=np.int64)
        self.ncon = 0.0                   # connections per receiving unit
        self.last_scale = np.nan          # gscale last written (rewrite only on change)


def _weight_value(dist: Scalar | Uniform | Gaussian) -> Any:
    """A Leabra7 weight distribution as a recipe value (number or distribution)."""
    if isinstance(dist, Scalar):
        return float(dist.value)
    if isinstance(dist, Uniform):
        return {"dist": "uniform", "low": float(dist.low), "high": float(dist.high)}
    return {"dist": "normal", "mean": float(dist.mean), "std": math.sqrt(dist.var)}


def _dist_from_value(value: Any, where: str) -> Scalar | Uniform | Gaussian:
    """Inverse of :func:`_weight_value` for validated recipe values."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Scalar(float(value))
    kind = getattr(value, "dist", None)
    if kind == "constant":
        return Scalar(float(value.value))
    if kind == "uniform":
        return Uniform(float(value.low), float(value.high))
    if kind == "normal" and value.min is None and value.max is None:
        return Gaussian(float(value.mean), float(value.std) ** 2)
    raise ValueError(f"{where}: weight {value!r} has no Leabra7 distribution (Scalar, Uniform, Gaussian); "
                     "load the compiled recipe with runtime.load instead")


class Net:
    """A Leabra network (Leabra7's ``lb.Net``) compiled to a brain and run by the runtime.

    Parameters
    ----------
    seed : root seed of the recipe; projection ``<name>`` draws its connectivity
        and initial weights from the stream ``stream_seed(seed, "leabra.projn:<name>")``.
    name : the recipe / brain name (letters, digits, ``_.-``).
    """

    def __init__(self, seed: int = 0, name: str = "leabra_net") -> None:
        if not _NAME_RE.match(str(name)):
            raise ValueError(f"network name {name!r} must match {_NAME_RE.pattern}")
        self.seed = int(seed)
        self.name = str(name)
        self._layers: dict[str, _Layer] = {}
        self._projns: dict[str, _Projn] = {}
        self._built = False
        self._rt: Any = None
        self._trial_open = False
        self._start_pending = False
        self._had_plus = False
        self.counters = {"cycle": 0, "trial": 0, "epoch": 0, "batch": 0}
        self._paused: set[str] = set()
        self._books: dict[tuple[str, str], LogBook] = {}
        self._rel_tot: dict[tuple[int, int], float] = {}
        self._cycle_rec_rows: tuple[np.ndarray | None, np.ndarray | None] = (None, None)

    # ------------------------------------------------------------------ build
    def new_layer(self, name: str, size: int, spec: LayerSpec | None = None) -> None:
        """Add a layer of ``size`` units (Leabra7 ``Net.new_layer``)."""
        self._check_not_built("add a layer")
        if name in self._layers or name in self._projns:
            raise ValueError(f"the name {name!r} is already used by a layer or projection")
        if int(size) != size or size < 1:
            raise ValueError(f"layer {name!r} needs a positive integer size, got {size!r}")
        spec = LayerSpec() if spec is None else spec
        if not isinstance(spec, LayerSpec):
            raise ValueError(f"layer {name!r} spec must be a LayerSpec, got {type(spec).__name__}")
        known = set(known_layer_attrs())
        for freq in FREQS:
            for a in getattr(spec, f"log_on_{freq}"):
                if a not in known:
                    raise ValueError(f"layer {name!r} cannot log unknown attribute {a!r}")
        self._layers[name] = _Layer(name, int(size), spec, len(self._layers))

    def new_projn(self, name: str, pre: str, post: str, spec: ProjnSpec | None = None) -> None:
        """Add a projection from layer ``pre`` to layer ``post`` (Leabra7 ``Net.new_projn``)."""
        self._check_not_built("add a projection")
        if name in self._layers or name in self._projns:
            raise ValueError(f"the name {name!r} is already used by a layer or projection")
        for role, ln in (("pre", pre), ("post", post)):
            if ln not in self._layers:
                raise ValueError(f"projection {name!r} names unknown {role} layer {ln!r}")
        spec = ProjnSpec() if spec is None else spec
        if not isinstance(spec, ProjnSpec):
            raise ValueError(f"projection {name!r} spec must be a ProjnSpec, got {type(spec).__name__}")
        known = set(known_conn_attrs())
        for freq in ("trial", "epoch", "batch"):
            for a in getattr(spec, f"log_on_{freq}"):
                if a not in known:
                    raise ValueError(f"projection {name!r} cannot log unknown attribute {a!r}")
        self._projns[name] = _Projn(name, self._layers[pre], self._layers[post], spec)

    def _check_not_built(self, what: str) -> None:
        if self._built:
            raise RuntimeError(f"cannot {what} after the network has started running")

    # ----------------------------------------------------------------- recipe
    def to_recipe_dict(self) -> dict[str, Any]:
        """The network as a brain recipe (plain data, JSON/YAML-ready) with a
        ``leabra:`` section: layers with their non-default unit (P row) and
        layer (G row) parameters, projections with pattern, keep probability,
        initial weight, receptor, symmetry and non-default xcal parameters.
        Logging requests are API-side and not part of the recipe."""
        layers = []
        for lay in self._layers.values():
            d: dict[str, Any] = {"name": lay.name, "size": lay.size}
            unit = {k: v for k, v in lay.spec.unit_spec.row_values().items()
                    if v != LeabraUnit.params[k].default}
            layer = {k: v for k, v in lay.spec.row_values().items() if v != LeabraUnit.group_params[k].default}
            if unit:
                d["unit"] = unit
            if layer:
                d["layer"] = layer
            layers.append(d)
        projns = []
        for pj in self._projns.values():
            sp = pj.spec
            d = {"name": pj.name, "from": pj.pre.name, "to": pj.post.name}
            if sp.projn_type == "one_to_one":
                d["pattern"] = "one_to_one"
            elif sp.sparsity < 1.0:
                d["pattern"] = "sparse"
            if sp.sparsity < 1.0:
                d["p"] = float(sp.sparsity)
            d["weight"] = _weight_value(sp.dist)
            if sp.inhibitory:
                d["receptor"] = "inh"
            if not sp.sym:
                d["sym"] = False
            params = {k: v for k, v in sp.row_values().items() if v != XCAL.params[k].default}
            if params:
                d["params"] = params
            projns.append(d)
        return {"name": self.name, "seed": self.seed, "leabra": {"layers": layers, "projections": projns}}

    def write_recipe(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_recipe_dict` as YAML (or JSON for a ``.json`` path);
        ``brainc compile`` of the file gives the database :meth:`compile` writes
        when the file is named ``<name>.yaml`` (the file name is recorded)."""
        path = Path(path)
        rd = self.to_recipe_dict()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".json":
            path.write_text(json.dumps(rd, indent=1) + "\n")
        else:
            import yaml

            path.write_text(yaml.safe_dump(rd, sort_keys=False, default_flow_style=None, width=100))
        return path

    def brain(self) -> Any:
        """The brain IR, lowered from :meth:`to_recipe_dict` by the compiler
        (validation, :func:`brainc.families.lower_leabra`), as if from the file
        ``<name>.yaml``."""
        from brainc.build import build
        from brainc.loader import validate
        from brainc.recipe import Recipe

        if not self._layers:
            raise RuntimeError("the network has no layers")
        rd = self.to_recipe_dict()
        file = _VIRTUAL_DIR / f"{self.name}.yaml"
        recipe = validate(Recipe, rd, str(file))
        # the same canonical text brainc.loader.load_recipe records for the written file
        canonical = json.dumps(rd, sort_keys=True, indent=1)
        return build(recipe, file, canonical)

    def compile(self, path: str | os.PathLike) -> Path:
        """Write the brain database (what ``brainc compile <name>.yaml`` writes)."""
        from brainc import database as dbio

        return dbio.write_atomic(self.brain(), path)

    @classmethod
    def from_recipe(cls, source: str | os.PathLike | dict[str, Any]) -> "Net":
        """A ``Net`` from a recipe file (or dict) holding only a ``leabra:``
        section; specs are rebuilt from the parameter rows (Leabra7 names)."""
        from brainc.loader import load_recipe, validate
        from brainc.recipe import Recipe

        if isinstance(source, dict):
            recipe = validate(Recipe, source, "<dict>")
        else:
            recipe = load_recipe(source)[0]
        sec = recipe.leabra
        if sec is None or recipe.populations or recipe.projections or recipe.layers or recipe.devices \
                or recipe.assemblies is not None or recipe.arena is not None:
            raise ValueError("a brainc.leabra.Net recipe has a leabra section and nothing else")
        net = cls(seed=recipe.seed, name=recipe.name)
        for ly in sec.layers:
            net.new_layer(ly.name, ly.size, layer_spec_from_rows(ly.layer, unit_spec_from_rows(ly.unit)))
        for i, pj in enumerate(sec.projections):
            name = pj.name or f"{pj.from_}->{pj.to}"
            spec = projn_spec_from_rows(
                pj.params, dist=_dist_from_value(pj.weight, f"leabra.projections[{i}]"),
                projn_type="one_to_one" if pj.pattern == "one_to_one" else "full",
                sparsity=pj.p, sym=pj.sym, inhibitory=pj.receptor == "inh")
            net.new_projn(name, pj.from_, pj.to, spec)
        return net

    # ---------------------------------------------------------- runtime wiring
    def _build(self) -> None:
        """Compile and load the network (first use)."""
        if self._built:
            return
        from runtime.network import Network

        self._attach(Network(self.brain(), backend="numba"), fresh=True)

    def _attach(self, rt: Any, fresh: bool) -> None:
        """Map layers and projections onto the runtime's block and pathways."""
        if len(rt.blocks) != 1 or rt.blocks[0].model is not LeabraUnit:
            raise RuntimeError("a Leabra network loads as exactly one 'leabra' block")
        self._rt = rt
        # rate code: every active unit "emits" every tick, so the runaway-rate
        # check of spiking networks does not apply
        rt.max_rate = np.inf
        blk = rt.blocks[0]
        # emitting units are not spikes: recording them would fill memory
        blk.recmask[:] = 0
        pops = [p[0] for p in blk.pops]
        for lay in self._layers.values():
            lay.index = pops.index(lay.name)
            _, start, size, _ = blk.pops[lay.index]
            lay.a, lay.b = start, start + size
        if fresh:
            # layer state from the layer parameters (act_avg_init ...): the
            # runtime starts every group-state row at its declared default
            init_block(blk.P, blk.S, blk.seg, blk.G, blk.L)
        found = set()
        for k, pw in enumerate(rt.pathways):
            for j, pname in enumerate(pw.projections):
                pj = self._projns[pname]
                idx = np.flatnonzero(pw.proj == j)
                if idx.size == 0:
                    sel: Any = slice(0, 0)
                elif idx[-1] - idx[0] + 1 == idx.size:
                    sel = slice(int(idx[0]), int(idx[-1]) + 1)  # a view, not a gather
                else:
                    sel = idx
                pj.k, pj.sel = k, sel
                pj.pre_loc = pw.pre_idx[sel].astype(np.int64) - pj.pre.a
                pj.post_loc = pw.post_idx[sel].astype(np.int64) - pj.post.a
                pj.ncon = pj.pre_loc.shape[0] / pj.post.size
                pj.last_scale = np.nan
                found.add(pname)
        for pj in self._projns.values():
            if pj.name not in found:
                raise RuntimeError(f"projection {pj.name!r} is missing from the runtime network")
        # net-input scale normalizers: sum of wt_scale_rel per receiver and receptor
        tot: dict[tuple[int, int], float] = {}
        for pj in self._projns.values():
            key = (pj.post.index, int(pj.spec.inhibitory))
            tot[key] = tot.get(key, 0.0) + pj.spec.wt_scale_rel
        self._rel_tot = tot
        self._built = True
        self._setup_logging()

    @property
    def network(self) -> Any:
        """The :class:`runtime.network.Network` running this net (built on first use)."""
        self._build()
        return self._rt

    # block arrays, always read through the runtime (a resume replaces them)
    @property
    def P(self) -> np.ndarray:
        return self.network.blocks[0].P

    @property
    def S(self) -> np.ndarray:
        return self.network.blocks[0].S

    @property
    def G(self) -> np.ndarray:
        return self.network.blocks[0].G

    @property
    def L(self) -> np.ndarray:
        return self.network.blocks[0].L

    @property
    def seg(self) -> np.ndarray:
        return self.network.blocks[0].seg

    def _set_gscales(self) -> None:
        """emergent GScaleFmAvgAct: per projection abs * rel / sum(rel) *
        SLayActScale(sending layer acts_p_avg_eff, sending size, connections per receiver),
        written into the projection's synapses (xcal state row ``gscale``)."""
        L = self._rt.blocks[0].L
        eff_row = _lu.L_ACTS_P_AVG_EFF
        for pj in self._projns.values():
            sp = pj.spec
            savg = float(L[pj.pre.index, eff_row])
            tot = self._rel_tot[(pj.post.index, int(sp.inhibitory))]
            sc = sp.wt_scale_abs * (sp.wt_scale_rel / tot if tot > 0 else sp.wt_scale_rel)
            sc *= slay_act_scale(savg, pj.pre.size, pj.ncon)
            if sc != pj.last_scale:
                self._rt.pathways[pj.k].S[_xc.S_GSCALE, pj.sel] = sc
                pj.last_scale = sc

    # ---------------------------------------------------------------- clamping
    def _layer(self, name: str) -> _Layer:
        try:
            return self._layers[name]
        except KeyError:
            raise ValueError(f"no layer named {name!r}") from None

    def clamp_layer(self, name: str, acts: Iterable[float]) -> None:
        """Clamp layer ``name`` to the activities ``acts`` (one per unit).

        Hard clamping (``clamp_hard``, the default) sets act = acts (within
        [clamp_min, clamp_max]) from the next cycle on; soft clamping adds
        ``clamp_gain * acts`` to the net input. Takes effect at once in an open
        trial (e.g. targets before the plus phase)."""
        self._build()
        lay = self._layer(name)
        v = np.asarray(acts, dtype=np.float64).reshape(-1)
        if v.shape[0] != lay.size:
            raise ValueError(f"layer {name!r} has {lay.size} units but {v.shape[0]} clamp values were given")
        S = self._rt.blocks[0].S
        S[_lu.S_EXT, lay.a:lay.b] = v
        S[_lu.S_CLAMPED, lay.a:lay.b] = 1.0

    def unclamp_layer(self, name: str) -> None:
        """Remove the clamp of layer ``name`` (its units run free from the next cycle)."""
        self._build()
        lay = self._layer(name)
        S = self._rt.blocks[0].S
        S[_lu.S_EXT, lay.a:lay.b] = 0.0
        S[_lu.S_CLAMPED, lay.a:lay.b] = 0.0

    # ----------------------------------------------------------------- cycling
    def _open_trial(self, train: bool) -> None:
        blk = self._rt.blocks[0]
        trial_init(blk.P, blk.S, blk.seg, blk.G, blk.L, train)
        self._set_gscales()
        self._trial_open = True
        self._start_pending = True
        self._had_plus = False

    def _run(self, num_cycles: int, phase: int) -> None:
        if int(num_cycles) != num_cycles or num_cycles < 0:
            raise ValueError(f"num_cycles must be a non-negative integer, got {num_cycles!r}")
        num_cycles = int(num_cycles)
        start = self._start_pending
        if num_cycles == 0 and not start:
            return
        rt = self._rt
        rt.mods[MOD_PHASE] = phase
        if start:
            # a pulse channel: the loop clears it after the first tick, so the
            # whole phase (send-only tick + cycles) is one run call
            rt.mods[MOD_TRIAL_START] = 1.0
        srows, lrows = self._cycle_rec_rows
        if srows is None or lrows is None or num_cycles == 0:
            rt.run(num_cycles + (1 if start else 0))
        else:
            # cycle logs requested: the state after every cycle, one tick per call
            blk = rt.blocks[0]
            if start:
                rt.run(1)
            rs = np.empty((num_cycles, srows.shape[0], blk.n))
            rl = np.empty((num_cycles, lrows.shape[0], blk.L.shape[0]))
            for c in range(num_cycles):
                rt.run(1)
                rs[c] = blk.S[srows]
                rl[c] = blk.L[:, lrows].T
            times = self.counters["cycle"] + 1 + np.arange(num_cycles)
            self._log_cycles(times, rs, rl)
        self._start_pending = False
        self.counters["cycle"] += num_cycles

    def cycle(self, num_cycles: int = 1) -> None:
        """Run free cycles (no phase); opens a test trial when none is open."""
        self._build()
        if not self._trial_open:
            self._open_trial(train=False)
        self._run(num_cycles, 0)

    def minus_phase_cycle(self, num_cycles: int = 50) -> None:
        """Run ``num_cycles`` minus-phase cycles (expectation); opens a training trial when needed."""
        self._build()
        if self._trial_open and self._had_plus:
            self._close_trial()
        if not self._trial_open:
            self._open_trial(train=True)
        self._run(num_cycles, 1)

    def plus_phase_cycle(self, num_cycles: int = 25) -> None:
        """Run ``num_cycles`` plus-phase cycles (outcome: clamp targets first) and record the phase."""
        self._build()
        if not self._trial_open:
            self._open_trial(train=True)
        self._run(num_cycles, 2)
        blk = self._rt.blocks[0]
        plus_phase_end(blk.P, blk.S, blk.seg, blk.G, blk.L)
        self._had_plus = True

    def learn(self) -> None:
        """Apply XCAL weight changes on all projections (one learning tick of
        the runtime: units frozen, xcal's learn phase) and close the trial."""
        self._build()
        mods = self._rt.mods
        mods[MOD_LEARN] = 1.0
        try:
            self._rt.run(1)
        finally:
            mods[MOD_LEARN] = 0.0
        self._close_trial()

    def end_trial(self) -> None:
        """Close the current trial without learning (the next cycle starts a new one)."""
        self._build()
        self._close_trial()

    def _close_trial(self) -> None:
        if self._trial_open:
            self._trial_open = False
            self.counters["trial"] += 1
            self._log_at("trial")

    def end_epoch(self) -> None:
        """Mark the end of an epoch (epoch logs, epoch counter)."""
        self._build()
        self.counters["epoch"] += 1
        self._log_at("epoch")

    def end_batch(self) -> None:
        """Mark the end of a batch (batch logs, batch counter)."""
        self._build()
        self.counters["batch"] += 1
        self._log_at("batch")

    # -------------------------------------------------------------- observing
    def _conn_values(self, pj: _Projn, row: int) -> np.ndarray:
        """One projection's weights (row -1) or xcal state row, in (pre, post) order."""
        pw = self._rt.pathways[pj.k]
        return np.array(pw.w[pj.sel] if row == -1 else pw.S[row, pj.sel], dtype=np.float64, copy=True)

    def observe(self, name: str, attr: str) -> Any:
        """Snapshot of one attribute of a layer or projection as a tidy table.

        Unit attributes (``unit_act`` ...) give columns ``unit`` and the short
        name (``act``); layer attributes (``avg_act`` ...) one row; projection
        attributes (``conn_wt`` ...) columns ``pre_unit``, ``post_unit`` and the
        short name."""
        self._build()
        if name in self._layers:
            lay = self._layers[name]
            r = unit_row(attr)
            if r is not None:
                return make_table({"unit": np.arange(lay.size), _short(attr): self.S[r, lay.a:lay.b].copy()})
            r = layer_row(attr)
            if r is not None:
                return make_table({attr: np.array([self.L[lay.index, r]])})
            raise ValueError(f"layer {name!r} has no attribute {attr!r}")
        if name in self._projns:
            pj = self._projns[name]
            r = conn_row(attr)
            if r is None:
                raise ValueError(f"projection {name!r} has no attribute {attr!r}")
            return make_table({"pre_unit": pj.pre_loc.copy(), "post_unit": pj.post_loc.copy(),
                               _short(attr): self._conn_values(pj, r)})
        raise ValueError(f"no layer or projection named {name!r}")

    def weights(self, name: str) -> np.ndarray:
        """Weight matrix ``wt[pre_unit, post_unit]`` of projection ``name`` (NaN where unconnected)."""
        self._build()
        if name not in self._projns:
            raise ValueError(f"no projection named {name!r}")
        pj = self._projns[name]
        m = np.full((pj.pre.size, pj.post.size), np.nan)
        m[pj.pre_loc, pj.post_loc] = self._conn_values(pj, -1)
        return m

    def arrays(self) -> dict[str, Any]:
        """The runtime's arrays (live references): ``P, S, seg, G, L`` of the
        leabra block, layer ranges, and per projection its pathway index
        ``pathway``, its synapses ``synapses`` (indices into that pathway's
        ``w``, ``S``, ``P``, ``pre_idx``, ``post_idx``) and the pathway itself."""
        self._build()
        blk = self._rt.blocks[0]
        projs = {}
        for pj in self._projns.values():
            pw = self._rt.pathways[pj.k]
            syn = np.arange(pw.w.shape[0])[pj.sel]
            projs[pj.name] = {"pathway": pj.k, "synapses": syn, "object": pw}
        return {"P": blk.P, "S": blk.S, "seg": blk.seg, "G": blk.G, "L": blk.L,
                "layers": {lay.name: (lay.a, lay.b) for lay in self._layers.values()},
                "projections": projs, "network": self._rt}

    # ------------------------------------------------------------ checkpoints
    def _api_state(self) -> dict[str, Any]:
        return {
            "format": 1, "name": self.name, "seed": self.seed,
            "layers": [{"name": lay.name, "size": lay.size, "spec": lay.spec.to_dict()}
                       for lay in self._layers.values()],
            "projections": [{"name": pj.name, "pre": pj.pre.name, "post": pj.post.name,
                             "spec": pj.spec.to_dict()} for pj in self._projns.values()],
            "state": {"counters": dict(self.counters), "trial_open": self._trial_open,
                      "start_pending": self._start_pending, "had_plus": self._had_plus,
                      "paused": sorted(self._paused)},
        }

    def checkpoint(self, path: str | os.PathLike) -> Path:
        """Write a runtime checkpoint (:meth:`runtime.network.Network.checkpoint`:
        brain, weights, all state) plus the API's specs and trial state, so
        :meth:`Net.resume` continues exactly here (also mid-trial); logs are not
        kept. ``runtime.resume`` / ``brainrun --resume`` read it too."""
        self._build()
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.leabra.tmp")
        try:
            self._rt.checkpoint(tmp)
            con = sqlite3.connect(tmp)
            try:
                with con:
                    con.execute(f"CREATE TABLE {_CKPT_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                    con.execute(f"INSERT INTO {_CKPT_TABLE} VALUES ('net', ?)", (json.dumps(self._api_state()),))
            finally:
                con.close()
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return path

    @classmethod
    def resume(cls, path: str | os.PathLike) -> "Net":
        """Continue a network saved by :meth:`checkpoint`."""
        import runtime

        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such checkpoint")
        con = sqlite3.connect(str(path))  # read only: one SELECT
        try:
            row = con.execute(f"SELECT value FROM {_CKPT_TABLE} WHERE key='net'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        finally:
            con.close()
        if row is None:
            raise ValueError(f"{path}: not a brainc.leabra checkpoint (use runtime.resume for other checkpoints)")
        st = json.loads(row[0])
        net = cls(seed=st["seed"], name=st["name"])
        for d in st["layers"]:
            net.new_layer(d["name"], d["size"], spec_from_dict(LayerSpec, d["spec"]))
        for d in st["projections"]:
            net.new_projn(d["name"], d["pre"], d["post"], spec_from_dict(ProjnSpec, d["spec"]))
        rt = runtime.resume(path)
        if rt.brain.meta.get("recipe") != json.dumps(net.to_recipe_dict(), sort_keys=True, indent=1):
            raise ValueError(f"{path}: the checkpoint's brain does not match its saved Leabra specs")
        net._paused = set(st["state"]["paused"])
        net._attach(rt, fresh=False)
        s = st["state"]
        net.counters = {k: int(v) for k, v in s["counters"].items()}
        net._trial_open, net._start_pending, net._had_plus = s["trial_open"], s["start_pending"], s["had_plus"]
        return net

    # ---------------------------------------------------------------- logging
    def _setup_logging(self) -> None:
        srows: set[int] = set()
        lrows: set[int] = set()
        for lay in self._layers.values():
            for freq in FREQS:
                attrs = getattr(lay.spec, f"log_on_{freq}")
                whole = [a for a in attrs if unit_row(a) is None]
                parts = [a for a in attrs if unit_row(a) is not None]
                self._books[(lay.name, freq)] = LogBook(whole, parts, {"unit": np.arange(lay.size)})
                if freq == "cycle":
                    srows.update(unit_row(a) for a in parts)  # type: ignore[misc]
                    lrows.update(layer_row(a) for a in whole)  # type: ignore[misc]
        for pj in self._projns.values():
            for freq in ("trial", "epoch", "batch"):
                attrs = list(getattr(pj.spec, f"log_on_{freq}"))
                self._books[(pj.name, freq)] = LogBook(
                    [], attrs, {"pre_unit": pj.pre_loc, "post_unit": pj.post_loc})
        self._srows = np.array(sorted(srows), dtype=np.int64)
        self._lrows = np.array(sorted(lrows), dtype=np.int64)
        self._update_rec_rows()

    def _update_rec_rows(self) -> None:
        active = "cycle" not in self._paused and (self._srows.size or self._lrows.size)
        self._cycle_rec_rows = (self._srows, self._lrows) if active else (None, None)

    def _log_cycles(self, times: np.ndarray, rs: np.ndarray, rl: np.ndarray) -> None:
        spos = {int(r): j for j, r in enumerate(self._srows)}
        lpos = {int(r): j for j, r in enumerate(self._lrows)}
        for lay in self._layers.values():
            book = self._books[(lay.name, "cycle")]
            if not book.whole_attrs and not book.part_attrs:
                continue
            whole = (np.stack([rl[:, lpos[layer_row(a)], lay.index] for a in book.whole_attrs], axis=1)  # type: ignore[index]
                     if book.whole_attrs else None)
            parts = (np.stack([rs[:, spos[unit_row(a)], lay.a:lay.b] for a in book.part_attrs], axis=1)  # type: ignore[index]
                     if book.part_attrs else None)
            book.add(times, whole, parts)

    def _log_at(self, freq: str) -> None:
        if freq in self._paused or not self._built:
            return
        t = np.array([self.counters[freq]])
        S, L = self.S, self.L
        for lay in self._layers.values():
            book = self._books[(lay.name, freq)]
            if book.whole_attrs:
                whole = np.array([[L[lay.index, layer_row(a)] for a in book.whole_attrs]])  # type: ignore[index]
            else:
                whole = None
            parts = (np.stack([S[unit_row(a), lay.a:lay.b] for a in book.part_attrs])[None]  # type: ignore[index]
                     if book.part_attrs else None)
            book.add(t, whole, parts)
        for pj in self._projns.values():
            book = self._books[(pj.name, freq)]
            if book.part_attrs:
                parts = np.stack([self._conn_values(pj, conn_row(a)) for a in book.part_attrs])[None]  # type: ignore[arg-type]
                book.add(t, None, parts)

    def logs(self, freq: str, name: str) -> Logs:
        """Leabra7 ``Net.logs``: ``Logs(whole, parts)`` tables of layer or
        projection ``name`` at ``freq`` ("cycle", "trial", "epoch", "batch");
        the ``time`` column holds that frequency's counter."""
        if freq not in FREQS:
            raise ValueError(f"unknown log frequency {freq!r} (known: {', '.join(FREQS)})")
        self._build()
        if (name, freq) not in self._books:
            if name in self._layers or name in self._projns:
                raise ValueError(f"{name!r} keeps no {freq} logs")
            raise ValueError(f"no layer or projection named {name!r}")
        return self._books[(name, freq)].tables()

    def pause_logging(self, freq: str | None = None) -> None:
        """Stop logging at ``freq`` (all frequencies when None)."""
        self._paused.update(FREQS if freq is None else [self._check_freq(freq)])
        if self._built:
            self._update_rec_rows()

    def resume_logging(self, freq: str | None = None) -> None:
        """Resume logging at ``freq`` (all frequencies when None)."""
        self._paused.difference_update(FREQS if freq is None else [self._check_freq(freq)])
        if self._built:
            self._update_rec_rows()

    @staticmethod
    def _check_freq(freq: str) -> str:
        if freq not in FREQS:
            raise ValueError(f"unknown log frequency {freq!r} (known: {', '.join(FREQS)})")
        return freq
