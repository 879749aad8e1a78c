"""``brainc.leabra.Net``: Leabra7's API over the runtime contract's arrays.

The network is stored exactly as the runtime contract lays it out:

* one ``leabra`` block: ``P`` (unit params x units), ``S`` (unit state x units),
  ``seg`` (layer offsets, layers in creation order), ``G`` (layers x layer
  params), ``L`` (layers x layer state);
* one ``xcal`` synapse group per projection: CSR over block indices
  (``indptr`` length n_units + 1, ``post_idx`` sorted per row, ``pre_idx``),
  ``delay`` (all 1), ``w`` (effective weight), ``S`` (xcal state) and ``P``
  (a read-only broadcast view: one value per projection), ``receptor``
  (0 exc, 1 inh).

Running them is delegated to an *engine* with three members -- ``run(n_ticks,
phase, start_trial, rec_s_rows, rec_l_rows) -> (rec_s, rec_l)``, ``learn()``
and ``t`` -- created in :func:`_make_engine`, the one place that knows the
engine is the interim test harness (``tests/leabra/harness.py``). Swapping in
``runtime.Network`` means rewriting that function only.

Trial structure (emergent's alpha cycle, driven by Leabra7's calls):

* A trial opens at the first cycle after construction, ``learn()`` or
  ``end_trial()``. Opening runs :func:`runtime.models.leabra.trial_init`
  (decay, hard clamps; on training trials -- those opened by
  ``minus_phase_cycle`` or ``plus_phase_cycle`` -- also the avg_l and layer
  activity averages), recomputes every projection's ``gscale``, and prefixes
  the next run with the send-only tick.
* ``minus_phase_cycle(n)`` / ``plus_phase_cycle(n)`` run ``n`` cycles with
  ``mods[M_PHASE]`` = 1 / 2; the plus phase ends with
  :func:`runtime.models.leabra.plus_phase_end`. ``cycle(n)`` runs free cycles
  (phase 0), e.g. to test the network.
* ``learn()`` applies XCAL to every projection and closes the trial;
  ``end_trial()`` closes it without learning.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from runtime.models import leabra as _lu
from runtime.models.leabra import LeabraUnit, plus_phase_end, trial_init
from runtime.rng import stream_seed
from runtime.synapses import xcal as _xc
from runtime.synapses.xcal import XCAL, slay_act_scale

from .logs import (FREQS, LogBook, Logs, conn_row, known_conn_attrs, known_layer_attrs, layer_row,
                   make_table, unit_row, _short)
from .specs import LayerSpec, ProjnSpec

__all__ = ["Net"]


def _harness_module() -> Any:
    """Load the interim harness module (tests/leabra/harness.py) once, by path."""
    name = "brainc_leabra_interim_harness"
    mod = sys.modules.get(name)
    if mod is None:
        path = Path(__file__).resolve().parents[2] / "tests" / "leabra" / "harness.py"
        if not path.exists():
            raise RuntimeError(f"the interim Leabra harness {path} is missing; runtime.Network is not wired in yet")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return mod


def _make_engine(P: np.ndarray, S: np.ndarray, seg: np.ndarray, G: np.ndarray, L: np.ndarray,
                 groups: list[dict[str, Any]], seed: int) -> Any:
    """The ONE place the API touches the interim harness (to be replaced by runtime.Network).

    The returned engine must offer ``run``, ``learn`` and ``t`` as described in
    the module docstring, operating in place on the arrays given here.
    """
    return _harness_module().Harness(P, S, seg, G, L, groups, seed=seed)


class _Layer:
    __slots__ = ("name", "size", "spec", "index", "a", "b")

    def __init__(self, name: str, size: int, spec: LayerSpec, index: int) -> None:
        self.name, self.size, self.spec, self.index = name, size, spec, index
        self.a = self.b = 0


class _Projn:
    __slots__ = ("name", "pre", "post", "spec", "group", "pre_loc", "post_loc", "ncon", "last_scale")

    def __init__(self, name: str, pre: _Layer, post: _Layer, spec: ProjnSpec) -> None:
        self.name, self.pre, self.post, self.spec = name, pre, post, spec
        self.group: dict[str, Any] = {}
        self.pre_loc = self.post_loc = np.zeros(0, dtype=np.int64)
        self.ncon = 0.0
        self.last_scale = np.nan


class Net:
    """A Leabra network (Leabra7's ``lb.Net``) stored as runtime-contract arrays.

    Parameters
    ----------
    seed : root seed; each projection draws its connectivity and initial
        weights from its own stream ``stream_seed(seed, "leabra.projn:<name>")``.
    weight_dtype : dtype of the transmitted weight arrays ``w`` ("float32", the
        default, as emergent computes; or "float64"). Learning accumulates in
        the float64 linear weight ``lwt`` either way; float32 halves the memory
        traffic of net-input propagation, which is memory-bound.
    """

    def __init__(self, seed: int = 0, weight_dtype: str = "float32") -> None:
        if weight_dtype not in ("float32", "float64"):
            raise ValueError(f"weight_dtype must be 'float32' or 'float64', got {weight_dtype!r}")
        self.seed = int(seed)
        self.weight_dtype = weight_dtype
        self._layers: dict[str, _Layer] = {}
        self._projns: dict[str, _Projn] = {}
        self._built = False
        self._engine: Any = None
        self._trial_open = False
        self._start_pending = False
        self._had_plus = False
        self.counters = {"cycle": 0, "trial": 0, "epoch": 0, "batch": 0}
        self._paused: set[str] = set()
        self._books: dict[tuple[str, str], LogBook] = {}

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

    def _build(self) -> None:
        """Lay the network out as contract arrays and create the engine."""
        if self._built:
            return
        if not self._layers:
            raise RuntimeError("the network has no layers")
        layers = list(self._layers.values())
        off = 0
        for lay in layers:
            lay.a, lay.b = off, off + lay.size
            off += lay.size
        n = off
        self.seg = np.array([lay.a for lay in layers] + [n], dtype=np.int64)
        prow = list(LeabraUnit.params)
        self.P = np.empty((len(prow), n))
        for lay in layers:
            vals = lay.spec.unit_spec.row_values()
            for r, row in enumerate(prow):
                self.P[r, lay.a:lay.b] = vals[row]
        grow = list(LeabraUnit.group_params)
        self.G = np.array([[lay.spec.row_values()[row] for row in grow] for lay in layers], dtype=np.float64)
        self.S = LeabraUnit.init_state(self.P, self.seed)
        self.L = LeabraUnit.init_group_state(self.G)

        xrow = list(XCAL.params)
        for pj in self._projns.values():
            rng = np.random.default_rng(stream_seed(self.seed, f"leabra.projn:{pj.name}"))
            npre, npost = pj.pre.size, pj.post.size
            if pj.spec.projn_type == "full":
                pre_loc = np.repeat(np.arange(npre, dtype=np.int64), npost)
                post_loc = np.tile(np.arange(npost, dtype=np.int64), npre)
            else:  # one_to_one: unit i to unit i, over the smaller layer
                m = min(npre, npost)
                pre_loc = np.arange(m, dtype=np.int64)
                post_loc = np.arange(m, dtype=np.int64)
            if pj.spec.sparsity < 1.0:
                keep = rng.random(pre_loc.shape[0]) < pj.spec.sparsity
                pre_loc, post_loc = pre_loc[keep], post_loc[keep]
            nsyn = pre_loc.shape[0]
            w = np.clip(pj.spec.dist.sample(rng, nsyn), 0.0, 1.0).astype(self.weight_dtype)
            pre_idx = pre_loc + pj.pre.a
            post_idx = post_loc + pj.post.a
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(pre_idx, minlength=n), out=indptr[1:])
            vals = pj.spec.row_values()
            col = np.array([vals[row] for row in xrow])
            Pg = np.broadcast_to(col[:, None], (len(xrow), nsyn))
            pj.pre_loc, pj.post_loc = pre_loc, post_loc
            pj.ncon = nsyn / npost
            pj.group = {"indptr": indptr, "post_idx": np.ascontiguousarray(post_idx),
                        "pre_idx": np.ascontiguousarray(pre_idx), "delay": np.ones(nsyn, dtype=np.int64),
                        "w": w, "S": None, "P": Pg, "receptor": 1 if pj.spec.inhibitory else 0}
        self._symmetrize()
        for pj in self._projns.values():
            pj.group["S"] = XCAL.init_state(pj.group["w"], pj.group["P"])
        # net-input scale normalizers: sum of wt_scale_rel per receiver and receptor
        tot: dict[tuple[int, int], float] = {}
        for pj in self._projns.values():
            key = (pj.post.index, pj.group["receptor"])
            tot[key] = tot.get(key, 0.0) + pj.spec.wt_scale_rel
        self._rel_tot = tot
        self._engine = _make_engine(self.P, self.S, self.seg, self.G, self.L,
                                    [pj.group for pj in self._projns.values()], self.seed)
        self._built = True
        self._setup_logging()

    def _symmetrize(self) -> None:
        """emergent InitWtSym: where both directions between two layers have
        ``sym``, the projection into the later layer (by creation order) gives
        its weights to the reciprocal one (w_back[j, i] = w_fwd[i, j])."""
        by_pair = {(pj.pre.index, pj.post.index): pj for pj in self._projns.values()}
        n = self.S.shape[1]
        for pj in self._projns.values():
            if not pj.spec.sym or pj.post.index < pj.pre.index:
                continue
            back = by_pair.get((pj.post.index, pj.pre.index))
            if back is None or back is pj or not back.spec.sym:
                continue
            gb, gf = back.group, pj.group
            key_b = gb["pre_idx"] * n + gb["post_idx"]  # sorted: CSR by pre, then post
            key_f = gf["post_idx"] * n + gf["pre_idx"]  # the reciprocal synapse of each forward one
            pos = np.searchsorted(key_b, key_f)
            ok = (pos < key_b.shape[0])
            ok[ok] = key_b[pos[ok]] == key_f[ok]
            gb["w"][pos[ok]] = gf["w"][ok]

    def _set_gscales(self) -> None:
        """emergent GScaleFmAvgAct: per projection abs * rel / sum(rel) *
        SLayActScale(sending layer acts_p_avg_eff, sending size, connections per receiver)."""
        eff_row = _lu.L_ACTS_P_AVG_EFF
        for pj in self._projns.values():
            sp = pj.spec
            savg = float(self.L[pj.pre.index, eff_row])
            tot = self._rel_tot[(pj.post.index, pj.group["receptor"])]
            sc = sp.wt_scale_abs * (sp.wt_scale_rel / tot if tot > 0 else sp.wt_scale_rel)
            sc *= slay_act_scale(savg, pj.pre.size, pj.ncon)
            if sc != pj.last_scale:
                pj.group["S"][_xc.S_GSCALE].fill(sc)
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
        self.S[_lu.S_EXT, lay.a:lay.b] = v
        self.S[_lu.S_CLAMPED, lay.a:lay.b] = 1.0

    def unclamp_layer(self, name: str) -> None:
        """Remove the clamp of layer ``name`` (its units run free from the next cycle)."""
        self._build()
        lay = self._layer(name)
        self.S[_lu.S_EXT, lay.a:lay.b] = 0.0
        self.S[_lu.S_CLAMPED, lay.a:lay.b] = 0.0

    # ----------------------------------------------------------------- cycling
    def _open_trial(self, train: bool) -> None:
        trial_init(self.P, self.S, self.seg, self.G, self.L, train)
        self._set_gscales()
        self._trial_open = True
        self._start_pending = True
        self._had_plus = False

    def _run(self, num_cycles: int, phase: int) -> None:
        if int(num_cycles) != num_cycles or num_cycles < 0:
            raise ValueError(f"num_cycles must be a non-negative integer, got {num_cycles!r}")
        num_cycles = int(num_cycles)
        start = self._start_pending
        ticks = num_cycles + (1 if start else 0)
        if ticks == 0:
            return
        srows, lrows = self._cycle_rec_rows
        if srows is None:
            self._engine.run(ticks, phase, start)
        else:
            rs, rl = self._engine.run(ticks, phase, start, srows, lrows)
            k = 1 if start else 0
            times = self.counters["cycle"] + 1 + np.arange(num_cycles)
            self._log_cycles(times, rs[k:], rl[k:])
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
        plus_phase_end(self.P, self.S, self.seg, self.G, self.L)
        self._had_plus = True

    def learn(self) -> None:
        """Apply XCAL weight changes on all projections and close the trial."""
        self._build()
        self._engine.learn()
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
            vals = pj.group["w"] if r == -1 else pj.group["S"][r]
            return make_table({"pre_unit": pj.pre_loc.copy(), "post_unit": pj.post_loc.copy(),
                               _short(attr): np.array(vals, copy=True)})
        raise ValueError(f"no layer or projection named {name!r}")

    def weights(self, name: str) -> np.ndarray:
        """Weight matrix ``wt[pre_unit, post_unit]`` of projection ``name`` (NaN where unconnected)."""
        self._build()
        if name not in self._projns:
            raise ValueError(f"no projection named {name!r}")
        pj = self._projns[name]
        m = np.full((pj.pre.size, pj.post.size), np.nan)
        m[pj.pre_loc, pj.post_loc] = pj.group["w"]
        return m

    def arrays(self) -> dict[str, Any]:
        """The contract arrays (live references): ``P, S, seg, G, L`` of the leabra
        block and, per projection name, its xcal group dict."""
        self._build()
        return {"P": self.P, "S": self.S, "seg": self.seg, "G": self.G, "L": self.L,
                "layers": {lay.name: (lay.a, lay.b) for lay in self._layers.values()},
                "projections": {pj.name: pj.group for pj in self._projns.values()}}

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
        for lay in self._layers.values():
            book = self._books[(lay.name, freq)]
            if book.whole_attrs:
                whole = np.array([[self.L[lay.index, layer_row(a)] for a in book.whole_attrs]])  # type: ignore[index]
            else:
                whole = None
            parts = (np.stack([self.S[unit_row(a), lay.a:lay.b] for a in book.part_attrs])[None]  # type: ignore[index]
                     if book.part_attrs else None)
            book.add(t, whole, parts)
        for pj in self._projns.values():
            book = self._books[(pj.name, freq)]
            if book.part_attrs:
                rows = [conn_row(a) for a in book.part_attrs]
                parts = np.stack([pj.group["w"] if r == -1 else pj.group["S"][r] for r in rows])[None]
                book.add(t, None, parts.copy())

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

    # ----------------------------------------------------------------- recipe
    def to_recipe_dict(self) -> dict[str, Any]:
        """The network as plain data: layers (name, size, unit and layer
        parameters by model row) and projections (pre, post, receptor,
        connectivity, initial weight distribution, symmetry, xcal parameters)."""
        layers = []
        for lay in self._layers.values():
            sp = lay.spec
            layers.append({
                "name": lay.name, "size": lay.size, "model": LeabraUnit.name,
                "unit_params": sp.unit_spec.row_values(),
                "layer_params": sp.row_values(),
                "logging": {f: list(getattr(sp, f"log_on_{f}")) for f in FREQS},
            })
        projns = []
        for pj in self._projns.values():
            sp = pj.spec
            if sp.projn_type == "full" and sp.sparsity < 1.0:
                conn = {"type": "sparse", "p": sp.sparsity}
            else:
                conn = {"type": sp.projn_type, "p": sp.sparsity}
            projns.append({
                "name": pj.name, "pre": pj.pre.name, "post": pj.post.name, "synapse": XCAL.name,
                "receptor": "inh" if sp.inhibitory else "exc", "delay": 1,
                "connectivity": conn, "weights": sp.dist.to_dict(), "sym": sp.sym,
                "params": sp.row_values(),
                "logging": {f: list(getattr(sp, f"log_on_{f}")) for f in ("trial", "epoch", "batch")},
            })
        return {"family": "leabra", "seed": self.seed, "weight_dtype": self.weight_dtype,
                "modulators": list(LeabraUnit.modulators),
                "layers": layers, "projections": projns}
