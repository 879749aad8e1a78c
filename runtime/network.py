"""A loaded brain as struct-of-arrays blocks, advanced by a backend.

Populations of one neuron model are merged into one *block* (contiguous arrays,
one kernel call per tick for all of them); projections of one synapse model
between the same two blocks (same receptor and gate) are merged into one
*pathway*, stored CSR by presynaptic unit. The backend (``numba`` by default)
advances all of it inside one compiled loop (see :mod:`runtime.loop`).
"""
from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from brainc import database as dbio
from brainc.errors import BraincError, DatabaseError, RuntimeBlowUp
from brainc.ir import SIGN_ROUTED, Brain

from brainc.csr import order_by_pre

from .host import engine_class
from .modulators import NAMES as MOD_NAMES, PULSES as MOD_PULSES
from .registry import NeuronModel, SynapseModel, device_model, neuron_model, synapse_model
from .rng import new_state, stream_seed

#: recorder device models handled by the runtime itself
RECORDERS = ("spike_recorder", "voltmeter", "multimeter")
#: modulator channels every network has, in the fixed order of runtime/modulators.py
DEFAULT_MODULATORS = MOD_NAMES
PULSE_MODULATORS = MOD_PULSES
#: projections larger than this (synapses) are not merged with others into a pathway
MERGE_LIMIT = 1_000_000


def _param_matrix(spec: dict[str, Any], values: dict[str, Any], n: int, what: str) -> np.ndarray:
    """Rows in schema order; each row a parameter broadcast to n (missing: default)."""
    unknown = sorted(set(values) - set(spec))
    if unknown:
        raise BraincError(f"{what}: unknown parameter {unknown[0]!r} (known: {', '.join(spec)})")
    M = np.empty((len(spec), n))
    for r, (name, var) in enumerate(spec.items()):
        v = values.get(name, var.default)
        M[r] = v
    return M


@dataclass
class Block:
    """All units of one neuron model. Arrays follow :mod:`runtime.registry`."""

    model: type[NeuronModel]
    pops: list[tuple[str, int, int, int]]  # (population, local start, size, global first id)
    P: np.ndarray
    S: np.ndarray
    G: np.ndarray
    L: np.ndarray
    seg: np.ndarray
    rng: np.ndarray
    gid: np.ndarray
    ring: np.ndarray = field(default=None)  # type: ignore[assignment]
    I: np.ndarray = field(default=None)  # type: ignore[assignment]
    out: np.ndarray = field(default=None)  # type: ignore[assignment]
    fired: np.ndarray = field(default=None)  # type: ignore[assignment]
    inj: np.ndarray = field(default=None)  # type: ignore[assignment]
    recmask: np.ndarray = field(default=None)  # type: ignore[assignment]
    nf: np.ndarray = field(default=None)  # type: ignore[assignment]
    injon: np.ndarray = field(default_factory=lambda: np.zeros(1, np.uint8))  # 1 while inj is non-zero

    @property
    def n(self) -> int:
        return int(self.gid.shape[0])

    def args(self) -> list[np.ndarray]:
        return [self.P, self.S, self.I, self.out, self.fired, self.seg, self.G, self.L, self.rng,
                self.ring, self.inj, self.gid, self.recmask, self.nf, self.injon]

    def arrays(self) -> dict[str, np.ndarray]:
        """State that a checkpoint must hold."""
        return {"S": self.S, "L": self.L, "rng": self.rng, "ring": self.ring, "inj": self.inj,
                "recmask": self.recmask, "out": self.out, "injon": self.injon}


@dataclass
class Pathway:
    """All synapses of one model between two blocks, CSR by pre unit."""

    model: type[SynapseModel]
    pre: int
    post: int
    receptor: int
    gate: tuple[int, int, int] | None  # (block, start, stop) of the modulating population
    projections: list[str]
    indptr: np.ndarray
    post_idx: np.ndarray
    pre_idx: np.ndarray
    delay: np.ndarray
    w: np.ndarray
    S: np.ndarray
    P: np.ndarray
    X: np.ndarray
    proj: np.ndarray  # int32 projection number per synapse (index into ``projections``)
    cscptr: np.ndarray = field(default=None)  # type: ignore[assignment]
    cscsyn: np.ndarray = field(default=None)  # type: ignore[assignment]

    def build_csc(self, n_post: int) -> None:
        """Index synapses by post unit (plastic models need post-side sweeps)."""
        if not self.model.plastic:
            self.cscptr = np.zeros(1, np.int64)
            self.cscsyn = np.zeros(0, np.int64)
            return
        order = order_by_pre(self.post_idx, n_post)
        self.cscsyn = np.arange(self.post_idx.size, dtype=np.int64) if order is None else order
        self.cscptr = dbio.csr_indptr(self.post_idx, n_post)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"indptr": self.indptr, "post_idx": self.post_idx, "pre_idx": self.pre_idx,
                "delay": self.delay, "w": self.w, "S": self.S, "P": self.P, "X": self.X, "proj": self.proj}

    def keep(self, mask: np.ndarray, n_pre: int, n_post: int) -> None:
        """Structural plasticity: keep only synapses where ``mask`` is true
        (arrays shrink; CSR and CSC are rebuilt)."""
        idx = np.flatnonzero(mask)
        self.post_idx = self.post_idx[idx]
        self.pre_idx = self.pre_idx[idx]
        self.delay = self.delay[idx]
        self.w = self.w[idx]
        self.S = np.ascontiguousarray(self.S[:, idx])
        self.P = np.ascontiguousarray(self.P[:, idx])
        self.proj = self.proj[idx]
        self.indptr = dbio.csr_indptr(self.pre_idx, n_pre)
        self.build_csc(n_post)

    def add(self, pre: np.ndarray, post: np.ndarray, w: np.ndarray, delay: np.ndarray,
            n_pre: int, n_post: int, proj: int = 0) -> None:
        """Structural plasticity: add synapses (parameters copy synapse 0's or defaults)."""
        pre = np.asarray(pre, np.int32)
        post = np.asarray(post, np.int32)
        order = np.lexsort((np.concatenate([self.post_idx, post]), np.concatenate([self.pre_idx, pre])))
        P_new = np.repeat(self.P[:, :1] if self.P.shape[1] else
                          np.array([[v.default] for v in self.model.params.values()]).reshape(-1, 1),
                          pre.size, axis=1)
        S_new = self.model.init_state(np.asarray(w, np.float64), P_new)
        self.pre_idx = np.concatenate([self.pre_idx, pre])[order]
        self.post_idx = np.concatenate([self.post_idx, post])[order]
        self.w = np.concatenate([self.w, np.asarray(w, np.float64)])[order]
        self.delay = np.concatenate([self.delay, np.asarray(delay, np.int32)])[order]
        self.S = np.ascontiguousarray(np.concatenate([self.S, S_new], axis=1)[:, order])
        self.P = np.ascontiguousarray(np.concatenate([self.P, P_new], axis=1)[:, order])
        self.proj = np.concatenate([self.proj, np.full(pre.size, proj, np.int32)])[order]
        self.indptr = dbio.csr_indptr(self.pre_idx, n_pre)
        self.build_csc(n_post)


@dataclass
class DeviceGroup:
    """Generator devices of one model feeding one block."""

    model: str
    block: int
    names: list[str]
    P: np.ndarray
    S: np.ndarray
    ptr: np.ndarray
    idx: np.ndarray
    w: np.ndarray
    delay: np.ndarray
    receptor: int
    rng: np.ndarray


@dataclass
class StateRecorder:
    """A voltmeter/multimeter: samples state rows of some units of one block."""

    name: str
    block: int
    variables: list[str]
    rows: np.ndarray
    idx: np.ndarray  # block-local units
    every: np.ndarray
    buf: np.ndarray
    times: np.ndarray
    n: np.ndarray
    chunks: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)


class Network:
    """A brain ready to run. Build with :func:`runtime.load` or ``Network(brain)``."""

    def __init__(self, brain: Brain, backend: str = "numba", seed: int | None = None,
                 source: str | None = None) -> None:
        self.brain = brain
        self.source = source
        self.seed = brain.seed if seed is None else int(seed)
        self.dt = float(brain.dt)
        self.t = 0
        self.check_every = 100
        self.max_rate = 0.95  # events per unit per tick averaged over the window
        self.blocks: list[Block] = []
        self.pathways: list[Pathway] = []
        self.devices: list[DeviceGroup] = []
        self.recorders: list[StateRecorder] = []
        self.env: Any = None  # an environment coupled in the loop (e.g. the arena)
        self._where: dict[str, tuple[int, int, int]] = {}  # population -> (block, start, size)
        self._offsets = brain.offsets()
        self._spike_t: list[np.ndarray] = []
        self._spike_u: list[np.ndarray] = []
        self._build_blocks()
        self._build_pathways()
        self._build_devices()
        self._build_modulators()
        self._size_rings()
        cap = max(1 << 16, 8 * sum(b.n for b in self.blocks))
        self._rec_t = np.zeros(cap, np.int64)
        self._rec_u = np.zeros(cap, np.int64)
        # events per population since the last judged window (the rate check),
        # populations in block order: block k's are pop_lo[k]:pop_lo[k + 1]
        self._pop_n = np.array([n for b in self.blocks for _, _, n, _ in b.pops], np.int64)
        self._pop_lo = np.concatenate([[0], np.cumsum([len(b.pops) for b in self.blocks])]).astype(np.int64)
        self._counts = np.zeros(self._pop_n.size, np.int64)
        self._window = np.zeros(1, np.int64)
        from .backends import get_backend

        self.backend = get_backend(backend)
        self.backend.attach(self)

    # ------------------------------------------------------------------ building
    def _build_blocks(self) -> None:
        by_model: dict[str, list] = {}
        hosted: dict[str, list] = {}
        for pop in self.brain.populations:
            engine = neuron_model(pop.model).host_engine
            if engine:  # host-stepped family (runtime/host.py)
                hosted.setdefault(engine, []).append(pop)
                continue
            by_model.setdefault(pop.model, []).append(pop)
        self.hosts: list[Any] = []
        self._hosted: dict[str, int] = {}
        for engine, pops in hosted.items():
            names = {p.name for p in pops}
            projs = [pr for pr in self.brain.projections if pr.pre in names and pr.post in names]
            self.hosts.append(engine_class(engine).build(self.brain, pops, projs, self.seed))
            for p in pops:
                self._hosted[p.name] = len(self.hosts) - 1
        for model_name, pops in by_model.items():
            model = neuron_model(model_name)
            n = sum(p.size for p in pops)
            P = np.empty((len(model.params), n))
            G = np.empty((len(pops), len(model.group_params)))
            L = np.empty((len(pops), len(model.group_state)))
            seg = np.zeros(len(pops) + 1, np.int64)
            gid = np.empty(n, np.int64)
            entries = []
            start = 0
            bi = len(self.blocks)
            for g, pop in enumerate(pops):
                P[:, start:start + pop.size] = _param_matrix(
                    model.params, pop.params, pop.size, f"population {pop.name!r}")
                G[g] = [pop.group_params.get(k, v.default) for k, v in model.group_params.items()]
                L[g] = [v.default for v in model.group_state.values()]
                gid[start:start + pop.size] = np.arange(pop.size) + self._offsets[pop.name]
                entries.append((pop.name, start, pop.size, self._offsets[pop.name]))
                self._where[pop.name] = (bi, start, pop.size)
                start += pop.size
                seg[g + 1] = start
            S = np.ascontiguousarray(model.init_state(P, stream_seed(self.seed, f"init:{model_name}")),
                                     dtype=np.float64)
            blk = Block(model=model, pops=entries, P=P, S=S, G=G, L=L, seg=seg,
                        rng=new_state(stream_seed(self.seed, f"block:{model_name}")), gid=gid)
            nr = len(model.receptors)
            blk.I = np.zeros((nr, n))
            blk.out = np.zeros(n)
            blk.fired = np.zeros(n, np.int64)
            blk.inj = np.zeros((nr, n))
            blk.recmask = np.ones(n, np.uint8)
            blk.nf = np.zeros(1, np.int64)
            self.blocks.append(blk)

    def _receptor_index(self, block: Block, name: str | int | None, what: str) -> int:
        if name is None:
            return SIGN_ROUTED
        if isinstance(name, (int, np.integer)):
            return int(name)
        try:
            return block.model.receptors.index(name)
        except ValueError:
            raise BraincError(f"{what}: model {block.model.name!r} has no receptor {name!r} "
                              f"(has {', '.join(block.model.receptors)})") from None

    def _build_pathways(self) -> None:
        groups: dict[tuple, list] = {}
        for pr in self.brain.projections:
            if pr.storage != "csr" or pr.pre not in self._where or pr.post not in self._where:
                continue
            bpre, _, _ = self._where[pr.pre]
            bpost, _, _ = self._where[pr.post]
            gate_block = self._where[pr.gate][0] if pr.gate is not None else None
            # merging saves kernel calls per tick for many small projections; a big
            # projection keeps its own pathway so loading it needs no reordering copy
            alone = pr.name if pr.count > MERGE_LIMIT else None
            key = (pr.synapse, bpre, bpost, pr.receptor, gate_block, alone)
            groups.setdefault(key, []).append(pr)
        for (syn, bpre, bpost, receptor, gate, _alone), prs in groups.items():
            model = synapse_model(syn)
            pre_l, post_l, w_l, d_l, P_l, proj_l = [], [], [], [], [], []
            for j, pr in enumerate(prs):
                _, s0, _ = self._where[pr.pre]
                _, t0, _ = self._where[pr.post]
                # no copies when dtypes already match and offsets are 0 (big brains)
                pre_j = pr.pre_idx.astype(np.int32, copy=False)
                post_j = pr.post_idx.astype(np.int32, copy=False)
                pre_l.append(pre_j + s0 if s0 else pre_j)
                post_l.append(post_j + t0 if t0 else post_j)
                w_l.append(pr.weight.astype(np.float64, copy=False))
                d_l.append(pr.delay.astype(np.int32, copy=False))
                Pj = _param_matrix(model.params, pr.params, pr.count, f"projection {pr.name!r}")
                if model.needs_gate and pr.gate is not None:
                    # gate_unit: local to the gate population -> local to the gate's block
                    Pj[list(model.params).index("gate_unit")] += self._where[pr.gate][1]
                P_l.append(Pj)
                proj_l.append(np.full(pr.count, j, np.int32))
            one = len(prs) == 1

            def merged(parts: list[np.ndarray]) -> np.ndarray:
                return parts[0] if one else np.concatenate(parts)

            pre = merged(pre_l)
            post = merged(post_l)
            n_pre = self.blocks[bpre].n
            order = order_by_pre(pre, n_pre)

            def ordered(a: np.ndarray) -> np.ndarray:
                return a if order is None else a[..., order]

            pre, post = ordered(pre), ordered(post)
            P = np.ascontiguousarray(ordered(P_l[0] if one else np.concatenate(P_l, axis=1)))
            w = ordered(merged(w_l))
            gate_t = None
            if gate is not None:  # the gate block's whole out array; gate_unit indexes it
                gate_t = (gate, 0, self.blocks[gate].n)
            elif model.needs_gate:
                raise BraincError(f"projection {prs[0].name!r}: synapse {syn!r} needs a gate population")
            if receptor == SIGN_ROUTED and len(self.blocks[bpost].model.receptors) == 1:
                receptor = 0  # one input row: excitatory and inhibitory weights sum there
            pw = Pathway(model=model, pre=bpre, post=bpost, receptor=int(receptor), gate=gate_t,
                         projections=[p.name for p in prs], indptr=dbio.csr_indptr(pre, n_pre),
                         post_idx=post, pre_idx=pre, delay=ordered(merged(d_l)), w=w,
                         S=np.empty(0), P=P, X=np.array([v.default for v in model.pathway_state.values()],
                                                         dtype=np.float64),
                         proj=ordered(merged(proj_l)))
            if model.plastic and pw.w is prs[0].weight:
                pw.w = pw.w.copy()  # learning must not rewrite the IR (the database's initial network)
            pw.S = np.ascontiguousarray(model.init_state(pw.w, P), dtype=np.float64)
            if hasattr(model, "init_pathway_state"):  # pathway state sized by the network (post history)
                pw.X = np.ascontiguousarray(model.init_pathway_state(
                    pw, self.blocks[bpre].n, self.blocks[bpost].n, self.dt), dtype=np.float64)
            pw.build_csc(self.blocks[bpost].n)
            self.pathways.append(pw)

    def _build_devices(self) -> None:
        groups: dict[tuple, list] = {}
        for dev in self.brain.devices:
            if dev.model in RECORDERS:
                self._add_recorder(dev)
                continue
            for tg in dev.targets:
                b, s0, _ = self._where[tg.population]
                groups.setdefault((dev.model, b, tg.receptor), []).append((dev, tg, s0))
        for (model_name, b, receptor), items in groups.items():
            model = device_model(model_name)
            names = [dev.name for dev, _, _ in items]
            nd = len(items)
            P = np.empty((len(model.params), nd))
            for j, (dev, _, _) in enumerate(items):
                P[:, j] = _param_matrix(model.params, {k: v for k, v in dev.params.items()
                                                       if (k in model.params or not k.startswith("_"))
                                                       and not isinstance(v, (list, tuple))},
                                        1, f"device {dev.name!r}")[:, 0]
            S = np.empty((len(model.state), nd))
            for r, var in enumerate(model.state.values()):
                S[r] = var.default
            if hasattr(model, "init_device_state"):  # list-valued params (e.g. spike times) -> S
                S = np.ascontiguousarray(model.init_device_state(
                    P, [dev.params for dev, _, _ in items], self.dt, [tg.indices.size for _, tg, _ in items]),
                    dtype=np.float64)
            counts = [tg.indices.size for _, tg, _ in items]
            ptr = np.zeros(nd + 1, np.int64)
            np.cumsum(counts, out=ptr[1:])
            idx = np.concatenate([tg.indices.astype(np.int64) + s0 for _, tg, s0 in items])
            w = np.concatenate([np.broadcast_to(np.asarray(tg.weight, np.float64), tg.indices.shape)
                                for _, tg, _ in items])
            delay = np.concatenate([np.broadcast_to(np.asarray(tg.delay, np.int32), tg.indices.shape)
                                    for _, tg, _ in items])
            # one stream per (device, target list): two target lists of one device
            # in the same block must not receive identical trains
            seqs: dict[str, int] = {}
            keys = []
            for n in names:
                keys.append(f"device:{n}" if n not in seqs else f"device:{n}:{seqs[n]}")
                seqs[n] = seqs.get(n, 0) + 1
            rng = np.stack([new_state(stream_seed(self.seed, k)) for k in keys])
            if receptor == SIGN_ROUTED and len(self.blocks[b].model.receptors) == 1:
                receptor = 0
            self.devices.append(DeviceGroup(model_name, b, names, P, S, ptr, idx, np.ascontiguousarray(w),
                                            np.ascontiguousarray(delay), int(receptor), rng))

    def _add_recorder(self, dev: Any) -> None:
        if dev.model == "spike_recorder":
            return  # spikes of every unit are recorded; spike_recorder selects at read-out
        variables = dev.params.get("record_from", ["V_m"] if dev.model == "voltmeter" else [])
        if isinstance(variables, str):
            variables = [variables]
        every = max(1, int(round(float(dev.params.get("interval", self.dt)) / self.dt)))
        for tg in dev.targets:
            b, s0, _ = self._where[tg.population]
            blk = self.blocks[b]
            names = list(blk.model.state)
            if dev.model == "voltmeter" and variables == ["V_m"] and "V_m" not in names:
                variables = [blk.model.voltage or names[0]]
            rows = []
            for v in variables:
                if v not in names:
                    raise BraincError(f"device {dev.name!r}: {blk.model.name!r} has no state variable {v!r} "
                                      f"(has {', '.join(names)})")
                rows.append(names.index(v))
            idx = tg.indices.astype(np.int64) + s0
            cap = 4096
            self.recorders.append(StateRecorder(
                name=dev.name, block=b, variables=list(variables), rows=np.array(rows, np.int64), idx=idx,
                every=np.array([every], np.int64), buf=np.zeros((cap, len(rows) * idx.size)),
                times=np.zeros(cap, np.int64), n=np.zeros(1, np.int64)))

    def _build_modulators(self) -> None:
        names = list(DEFAULT_MODULATORS)
        values = [0.0] * len(names)
        for m in self.brain.modulators:
            if m.name in names:
                values[names.index(m.name)] = m.value
            else:
                names.append(m.name)
                values.append(m.value)
        self.modulator_names = names
        self.mods = np.array(values, dtype=np.float64)
        self.pulse = np.array([1 if n in PULSE_MODULATORS else 0 for n in names], np.uint8)

    def _size_rings(self) -> None:
        max_delay = [1] * len(self.blocks)
        for pw in self.pathways:
            if pw.delay.size and not pw.model.delay_free:
                if pw.delay.min() < 1:
                    raise BraincError(f"projection {pw.projections[0]!r}: delays must be >= 1 tick "
                                      f"(got {pw.delay.min()})")
                max_delay[pw.post] = max(max_delay[pw.post], int(pw.delay.max()))
        for dg in self.devices:
            if dg.delay.size:
                max_delay[dg.block] = max(max_delay[dg.block], int(dg.delay.max()))
        for b, blk in enumerate(self.blocks):
            blk.ring = np.zeros((max_delay[b] + 1, len(blk.model.receptors), blk.n))

    # ------------------------------------------------------------------ running
    def run(self, ticks: int, progress: bool | None = None,
            on_chunk: Callable[["Network", int], None] | None = None) -> "Network":
        """Advance ``ticks`` ticks. Raises RuntimeBlowUp on NaN or runaway rates."""
        ticks = int(ticks)
        if ticks < 0:
            raise BraincError("ticks must be >= 0")
        bar = None
        if progress or (progress is None and ticks >= 200_000):
            from tqdm import tqdm

            bar = tqdm(total=ticks, unit="tick", unit_scale=True, dynamic_ncols=True, leave=False)
        remaining = ticks
        try:
            while remaining > 0:
                chunk = min(remaining, max(self.check_every, 10_000) if bar else remaining)
                if self.hosts:
                    chunk = 1  # host engines step between compiled ticks
                if self.blocks:
                    done, status, bad_block = self.backend.advance(self, chunk)
                else:
                    done, status, bad_block = chunk, 0, -1
                if self.hosts and not status:
                    self._step_hosts()
                self.t += done
                remaining -= done
                if bar:
                    bar.update(done)
                if status:
                    self._blow_up(status, bad_block)
                if on_chunk:
                    on_chunk(self, done)
        finally:
            if bar:
                bar.close()
        return self

    def _blow_up(self, status: int, b: int) -> None:
        blk = self.blocks[b]
        bad_pop = blk.pops[0][0]
        row = blk.S[blk.model.state and list(blk.model.state).index(blk.model.voltage)
                    if blk.model.voltage else 0] if blk.model.voltage else blk.out
        if status == 1:
            nonfinite = np.flatnonzero(~np.isfinite(row))
            if nonfinite.size:
                i = int(nonfinite[0])
                bad_pop = next(p for p, s, n, _ in blk.pops if s <= i < s + n)
            raise RuntimeBlowUp(f"population {bad_pop!r} became NaN/inf by tick {self.t}; "
                                "stopped (last checkpoint kept)")
        bad_pop = self._runaway_population(b)
        raise RuntimeBlowUp(f"population {bad_pop!r} ({blk.model.name}) ran away: more than "
                            f"{self.max_rate:.0%} of units emitting every tick before tick {self.t}; "
                            "stopped (last checkpoint kept)")

    def _runaway_population(self, b: int) -> str:
        """The population of block ``b`` (populations of one model share a
        block) with the highest event rate in the window the check judged; the
        loop stops before it clears the per-population counts."""
        lo, hi = int(self._pop_lo[b]), int(self._pop_lo[b + 1])
        rates = self._counts[lo:hi] / np.maximum(self._pop_n[lo:hi], 1)
        return self.blocks[b].pops[int(np.argmax(rates))][0]

    def _step_hosts(self) -> None:
        for host in self.hosts:
            for pop, ids in host.step(self.t):
                if ids.size:
                    self._spike_t.append(np.full(ids.size, self.t, np.int64))
                    self._spike_u.append(np.asarray(ids, np.int64) + self._offsets[pop])

    def _drain(self, rec_n: int) -> None:
        if rec_n:
            self._spike_t.append(self._rec_t[:rec_n].copy())
            self._spike_u.append(self._rec_u[:rec_n].copy())
        for r in self.recorders:
            n = int(r.n[0])
            if n:
                r.chunks.append((r.times[:n].copy(), r.buf[:n].copy()))
                r.n[0] = 0

    # ------------------------------------------------------------------ access
    def _locate(self, name: str) -> tuple[int, np.ndarray]:
        """(block, block-local unit indices) of a population or terminal."""
        if name in self._where:
            b, s0, n = self._where[name]
            return b, np.arange(s0, s0 + n)
        for t in self.brain.terminals:
            if t.name == name:
                b, s0, _ = self._where[t.population]
                return b, t.indices.astype(np.int64) + s0
        known = sorted(self._where) + sorted(t.name for t in self.brain.terminals)
        raise BraincError(f"no population or terminal named {name!r} (known: {', '.join(known[:20])}"
                          f"{' ...' if len(known) > 20 else ''})")

    @property
    def population_names(self) -> list[str]:
        return [p.name for p in self.brain.populations]

    def spikes(self, population: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ticks, units) of recorded spikes; units are local to ``population``
        (global unit ids when ``population`` is None)."""
        self.backend.sync(self)
        t = np.concatenate(self._spike_t) if self._spike_t else np.zeros(0, np.int64)
        u = np.concatenate(self._spike_u) if self._spike_u else np.zeros(0, np.int64)
        self._spike_t, self._spike_u = [t], [u]
        if population is None:
            return t, u
        pop = self.brain.population(population) if population in self._offsets else None
        if pop is None:
            raise BraincError(f"no population named {population!r}")
        first = self._offsets[population]
        sel = (u >= first) & (u < first + pop.size)
        return t[sel], u[sel] - first

    def state(self, population: str, variable: str) -> np.ndarray:
        """A copy of one state variable of a population (or terminal), float64[n]."""
        self.backend.sync(self)
        if population in self._hosted:
            try:
                return self.hosts[self._hosted[population]].state(population, variable)
            except KeyError:
                raise BraincError(f"{population!r} has no state variable {variable!r}") from None
        b, idx = self._locate(population)
        names = list(self.blocks[b].model.state)
        if variable not in names:
            raise BraincError(f"{population!r} ({self.blocks[b].model.name}) has no state variable "
                              f"{variable!r} (has {', '.join(names)})")
        return self.blocks[b].S[names.index(variable), idx].copy()

    def set_state(self, population: str, variable: str, values: Any) -> None:
        self.backend.sync(self)
        b, idx = self._locate(population)
        names = list(self.blocks[b].model.state)
        self.blocks[b].S[names.index(variable), idx] = values
        self.backend.push(self)

    def inject(self, target: str, values: Any, receptor: str | int = 0) -> None:
        """Set a persistent external input (added every tick until changed) to a
        population or terminal; ``values`` is a scalar or one value per unit."""
        self.backend.sync(self)
        b, idx = self._locate(target)
        r = self._receptor_index(self.blocks[b], receptor, f"inject({target!r})")
        blk = self.blocks[b]
        blk.inj[max(r, 0), idx] = values
        blk.injon[0] = 1 if np.any(blk.inj != 0.0) else 0
        self.backend.push(self)

    def modulator(self, name: str) -> float:
        self.backend.sync(self)  # kernels may change modulators (pulses end on the device)
        return float(self.mods[self.modulator_names.index(name)])

    def set_modulator(self, name: str, value: float) -> None:
        if name not in self.modulator_names:
            raise BraincError(f"no modulator {name!r} (have {', '.join(self.modulator_names)})")
        self.backend.sync(self)
        self.mods[self.modulator_names.index(name)] = float(value)
        self.backend.push(self)

    def reward(self, m: float) -> None:
        """Deliver reward ``m`` (positive or negative) to reward-modulated
        synapses: applied in the next tick's learning phase (a one-tick pulse)."""
        if not np.isfinite(m):
            raise BraincError(f"reward must be finite, got {m}")
        self.set_modulator("reward", m)

    def weights(self, projection: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pre, post, weight) of one projection, indices local to its populations."""
        self.backend.sync(self)
        for pw in self.pathways:
            if projection in pw.projections:
                j = pw.projections.index(projection)
                pr = next(p for p in self.brain.projections if p.name == projection)
                sel = pw.proj == j
                s_pre = self._where[pr.pre][1]
                s_post = self._where[pr.post][1]
                return pw.pre_idx[sel] - s_pre, pw.post_idx[sel] - s_post, pw.w[sel].copy()
        raise BraincError(f"no projection named {projection!r}")

    def recording(self, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(ticks, values[n_samples, n_vars * n_units], column names) of a state recorder."""
        self.backend.sync(self)
        for r in self.recorders:
            if r.name == name:
                if r.chunks:
                    t = np.concatenate([c[0] for c in r.chunks])
                    v = np.concatenate([c[1] for c in r.chunks])
                else:
                    t, v = np.zeros(0, np.int64), np.zeros((0, r.buf.shape[1]))
                cols = [f"{var}[{i}]" for var in r.variables for i in range(r.idx.size)]
                return t, v, cols
        raise BraincError(f"no recorder named {name!r}")

    # ------------------------------------------------------------------ checkpoints
    def checkpoint(self, path: str | os.PathLike) -> Path:
        """Write a self-contained checkpoint (network + all state, delay rings
        and RNG states included) atomically; :func:`runtime.resume` continues it."""
        self.backend.sync(self)
        with dbio.atomic_sqlite(path) as con:
            dbio.write_into(con, self.brain)
            con.execute("CREATE TABLE checkpoint (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            info = {"t": self.t, "seed": self.seed, "mods": self.mods.tolist(),
                    "modulator_names": self.modulator_names, "source": self.source or ""}
            con.execute("INSERT INTO checkpoint VALUES ('state', ?)", (json.dumps(info),))
            for k, blk in enumerate(self.blocks):
                for name, arr in blk.arrays().items():
                    dbio.put_array(con, f"state:block:{k}", name, arr)
            for k, pw in enumerate(self.pathways):
                for name, arr in pw.arrays().items():
                    dbio.put_array(con, f"state:pathway:{k}", name, arr)
            for k, dg in enumerate(self.devices):
                dbio.put_array(con, f"state:device:{k}", "S", dg.S)
                dbio.put_array(con, f"state:device:{k}", "rng", dg.rng)
            t, u = self.spikes()
            dbio.put_array(con, "state:spikes", "tick", t)
            dbio.put_array(con, "state:spikes", "unit", u)
            if self.env is not None:
                for name, arr in self.env.arrays().items():
                    dbio.put_array(con, "state:env", name, arr)
            for k, host in enumerate(self.hosts):
                for name, arr in host.arrays().items():
                    dbio.put_array(con, f"state:host:{k}", name, arr)
        return Path(path)

    def _restore(self, con: sqlite3.Connection) -> None:
        row = con.execute("SELECT value FROM checkpoint WHERE key='state'").fetchone()
        info = json.loads(row[0])
        self.t = int(info["t"])
        self.mods[:] = info["mods"]
        for k, blk in enumerate(self.blocks):
            for name in blk.arrays():
                arr = dbio.get_named_array(con, f"state:block:{k}", name)
                if arr is None:
                    raise DatabaseError(f"checkpoint lacks block {k} array {name!r}")
                setattr(blk, name, np.ascontiguousarray(arr))
        for k, pw in enumerate(self.pathways):
            for name in pw.arrays():
                arr = dbio.get_named_array(con, f"state:pathway:{k}", name)
                setattr(pw, name, np.ascontiguousarray(arr))
            pw.build_csc(self.blocks[pw.post].n)
        for k, dg in enumerate(self.devices):
            dg.S = np.ascontiguousarray(dbio.get_named_array(con, f"state:device:{k}", "S"))
            dg.rng = np.ascontiguousarray(dbio.get_named_array(con, f"state:device:{k}", "rng"))
        self._spike_t = [dbio.get_named_array(con, "state:spikes", "tick")]
        self._spike_u = [dbio.get_named_array(con, "state:spikes", "unit")]
        for k, host in enumerate(self.hosts):
            host.restore({name: dbio.get_array(con, aid) for aid, name in con.execute(
                "SELECT id, name FROM arrays WHERE owner=?", (f"state:host:{k}",))})
        self._env_state = {name[len(""):]: dbio.get_array(con, aid) for aid, name in con.execute(
            "SELECT id, name FROM arrays WHERE owner='state:env'")}
        self.backend.push(self)

    def summary(self) -> dict[str, Any]:
        return {
            "blocks": [{"model": b.model.name, "units": b.n, "populations": [p[0] for p in b.pops]}
                       for b in self.blocks],
            "pathways": [{"synapse": p.model.name, "synapses": int(p.w.size), "projections": p.projections}
                         for p in self.pathways],
        }
