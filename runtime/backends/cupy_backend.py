"""The GPU backend: the same tick loop as kernel launches over device copies of the arrays.

On :meth:`CupyBackend.attach` every array of the network (struct-of-arrays
blocks, CSR pathways, devices, recorders, modulators) is copied to the device.
:meth:`CupyBackend.advance` then runs up to ``n`` ticks as a fixed sequence of
kernel launches per tick, in the order of :mod:`runtime.loop` (deliver ->
devices -> update -> learn -> propagate -> record -> check), without reading
anything back: the current tick lives on the device (``ctl``), spikes go into a
bitmap (one bit per tick and unit) and sampled state into device buffers, a
failed health check raises a device flag that makes every later kernel return
at once. Only at the end of a chunk does the host read the control block, copy
out the recordings, and return ``(ticks_done, status, bad_block)``.

Because a tick's launches have fixed arguments, a segment of ``check_every``
ticks (plus the health check) is captured once into a CUDA graph and replayed,
which removes the Python launch overhead that otherwise dominates small networks.

:meth:`sync` copies the state back into the network's NumPy arrays (so
``state()``, ``spikes()``, ``checkpoint()`` work unchanged), :meth:`push` copies
host changes (``inject``, ``set_state``, modulators, a restored checkpoint) to
the device. Rule for ``push``: per-unit state, modulators and device state are
always uploaded; per-synapse arrays and delay rings are uploaded when the
network holds a different array object than at the last upload (as after
``Pathway.keep``/``add`` or a checkpoint restore). Code that edits a
per-synapse array in place calls ``net.backend.push(net, everything=True)``.

Everything except the kernels themselves is written against an array module
``xp``: with the host engine (:class:`runtime.gpu.engine.HostEngine`, NumPy
arrays, the CUDA source compiled for the CPU) the whole backend runs in CI.
"""
from __future__ import annotations

import os
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from brainc.errors import BraincError

from ..gpu import DeviceLaunch, GpuKernel, NoGpuKernelError, full_source, gpu_kernel
from ..gpu.engine import Engine, make_engine
from ..gpu.jump import plan_chunks
from ..gpu.prelude import CTL_BAD, CTL_SIZE, CTL_SLIP, CTL_STATUS, CTL_STEP, CTL_T, CTL_T0

__all__ = ["CupyBackend", "cupy_available", "EMULATE_ENV"]

#: set to 1 to make ``--backend cupy`` run the kernels' host emulation (testing aid)
EMULATE_ENV = "BRAINC_GPU_EMULATE"


# Blocks per multiprocessor of a grid-strided launch (emit, rows, syn): enough to
# fill the GPU when a tick has much work; every surplus block still has to be
# scheduled and exit when it has little (a few spikes per tick).
BLOCKS_PER_SM = 32


def cupy_available() -> tuple[bool, str]:
    """(usable, reason): whether CuPy imports and sees a CUDA device."""
    if os.environ.get(EMULATE_ENV) == "1":
        return True, f"host emulation ({EMULATE_ENV}=1)"
    try:
        import cupy
    except ImportError:
        return False, "CuPy is not installed (pip install 'brainc[gpu]')"
    except Exception as exc:  # pragma: no cover - broken installs raise all sorts
        return False, f"CuPy failed to import ({exc})"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # pragma: no cover - depends on the machine
        return False, f"no usable CUDA device ({str(exc).strip() or type(exc).__name__})"
    if n < 1:  # pragma: no cover
        return False, "no CUDA device found"
    return True, f"{n} CUDA device(s)"


# ---------------------------------------------------------------- device mirrors
@dataclass
class _Slot:
    """A device array and the host array object it was last uploaded from."""

    dev: Any
    host: Any


@dataclass
class _DevBlock:
    k: int
    kernel: GpuKernel
    n: int
    n_rec: int
    D: int
    base: int  # first position of this block in the spike bitmap
    v_row: int
    a: dict[str, Any] = field(default_factory=dict)  # name -> device array


@dataclass
class _DevPathway:
    kernel: GpuKernel
    a: dict[str, Any] = field(default_factory=dict)


@dataclass
class _DevDevice:
    kernel: GpuKernel
    a: dict[str, Any] = field(default_factory=dict)
    n_chunks: int = 0


@dataclass
class _DevRecorder:
    cols: int
    a: dict[str, Any] = field(default_factory=dict)


#: why a network with an environment in the loop runs on the CPU
_ENV_WHY = ("an environment is coupled in the loop (the arena), which the cupy backend does not run on the GPU "
            "yet")

#: arrays re-uploaded by push() every time (cheap: per unit / per device)
_BLOCK_STATE = ("S", "L", "I", "out", "inj", "injon", "rng", "recmask")
_BLOCK_STRUCT = ("P", "seg", "G", "ring")
_PATH_STRUCT = ("indptr", "post_idx", "pre_idx", "delay", "w", "S", "P", "cscptr", "cscsyn")


class CupyBackend:
    """Advance a network on an NVIDIA GPU through CuPy (or its host emulation).

    ``engine``: ``"cuda"`` (default; ``"host"`` when ``BRAINC_GPU_EMULATE=1``) or
    ``"host"`` or an :class:`~runtime.gpu.engine.Engine`. ``graphs``: replay
    CUDA graphs of ``check_every`` ticks. ``max_chunk``: most ticks per
    :meth:`advance` (one host synchronisation each). ``bitmap_bytes`` and
    ``recorder_bytes`` bound the device memory for recordings of one chunk.
    ``fallback``: when the network needs something without a GPU kernel, hand it
    to the Numba backend with a warning instead of raising (``--backend auto``).
    ``synced``: push everything before and sync after every :meth:`advance`, for
    APIs that read and edit the network's host arrays between runs (brainc.leabra
    writes clamps, modulators and projection scales; brainc.nest reads weights);
    costs a full upload and download per run call.
    """

    name = "cupy"

    def __init__(self, engine: str | Engine | None = None, *, graphs: bool = True, max_chunk: int = 10_000,
                 bitmap_bytes: int = 256 << 20, recorder_bytes: int = 256 << 20, fallback: bool = False,
                 synced: bool = False) -> None:
        if engine is None:
            engine = "host" if os.environ.get(EMULATE_ENV) == "1" else "cuda"
        self.engine: Engine = make_engine(engine) if isinstance(engine, str) else engine
        self.xp = self.engine.xp
        self.use_graphs = bool(graphs) and self.engine.graphs
        self.max_chunk = int(max_chunk)
        self.bitmap_bytes = int(bitmap_bytes)
        self.recorder_bytes = int(recorder_bytes)
        self.fallback = bool(fallback)
        self.synced = bool(synced)
        #: bitmap words expanded at once when extracting spikes (32 bytes of scratch each)
        self.drain_words = 1 << 21
        self._source: str | None = None
        self._layout = 0
        self._ahead = False
        self._t_dev = 0
        self._warned_slip = False
        self.stats = {"chunks": 0, "graph_replays": 0, "launches": 0}

    # ------------------------------------------------------------ helpers
    def _ctx(self) -> Any:
        stream = getattr(self.engine, "stream", None)
        return stream if stream is not None else nullcontext()

    def _new(self, host: np.ndarray) -> Any:
        """A device copy of ``host`` (a new allocation: bumps the layout version)."""
        self._layout += 1
        host = np.ascontiguousarray(host)
        if self.xp is np:
            return np.array(host, copy=True)
        out = self.xp.empty(host.shape, host.dtype)
        out.set(host, stream=self.engine.stream)
        return out

    def _upload(self, dev: Any, host: np.ndarray) -> Any:
        """Copy ``host`` into ``dev`` in place when shapes agree (device pointers
        stay valid for captured graphs), else allocate anew."""
        host = np.ascontiguousarray(host)
        if dev is None or dev.shape != host.shape or dev.dtype != host.dtype:
            return self._new(host)
        if self.xp is np:
            np.copyto(dev, host)
        else:
            dev.set(host, stream=self.engine.stream)
        return dev

    def _download(self, dev: Any, host: np.ndarray) -> None:
        if self.xp is np:
            np.copyto(host, dev)
        else:
            dev.get(stream=self.engine.stream, out=host)

    def _mirror(self, store: dict[str, Any], key: str, host: np.ndarray, always: bool) -> None:
        """Keep ``store[key]`` (a device array) current with ``host``; the host
        object is remembered in ``store['@' + key]`` to detect replacement."""
        tag = "@" + key
        if always or store.get(tag) is not host or key not in store:
            store[key] = self._upload(store.get(key), host)
            store[tag] = host

    # ------------------------------------------------------------ attach
    def _kernels(self, net: Any) -> tuple[list[GpuKernel], list[GpuKernel], list[GpuKernel]]:
        """The GPU kernel of every model in ``net``; one error naming all that lack one."""
        from ..registry import device_model

        missing: list[str] = []
        bk, pk, dk = [], [], []
        for b in net.blocks:
            try:
                bk.append(gpu_kernel("neuron", b.model.name, b.model))
            except NoGpuKernelError:
                missing.append(f"neuron model {b.model.name!r}")
        for p in net.pathways:
            try:
                k = gpu_kernel("synapse", p.model.name, p.model)
            except NoGpuKernelError:
                missing.append(f"synapse model {p.model.name!r}")
                continue
            for phase in ("couple", "propagate", "learn"):
                if getattr(p.model, phase) is not None and not k.names(phase):
                    missing.append(f"synapse model {p.model.name!r} ({phase} phase)")
            pk.append(k)
        for d in net.devices:
            try:
                dk.append(gpu_kernel("device", d.model, device_model(d.model)))
            except NoGpuKernelError:
                missing.append(f"device model {d.model!r}")
        if missing:
            names = ", ".join(dict.fromkeys(missing))
            raise NoGpuKernelError(f"{names} {'has' if len(set(missing)) == 1 else 'have'} no GPU kernel yet; "
                                   "run this network with --backend numba")
        return bk, pk, dk

    def _fall_back(self, net: Any, why: str, force: bool = False) -> bool:
        """Hand ``net`` to the Numba backend with a warning (``--backend auto``, or
        ``force`` for what the GPU cannot run at all: an environment in the loop)."""
        if not (self.fallback or force):
            return False
        from .numba_backend import NumbaBackend

        who = "backend auto" if self.fallback else "backend cupy"
        warnings.warn(f"{who}: {why}; running on the CPU (numba)", RuntimeWarning, stacklevel=3)
        if self._source is not None and self._ahead:
            self.sync(net)
        net.backend = NumbaBackend()
        net.backend.attach(net)
        return True

    def attach(self, net: Any) -> None:
        try:
            bk, pk, dk = self._kernels(net)
        except NoGpuKernelError as exc:
            if self._fall_back(net, str(exc)):
                return
            raise
        if net.env is not None:
            self._fall_back(net, _ENV_WHY, force=True)
            return
        self._shape = self._shape_of(net)
        source = full_source(bk + pk + dk)
        if source != self._source:
            self.engine.compile(source)
            self._source = source
        with self._ctx():
            self._build(net, bk, pk, dk)
        self._ahead = False
        self._t_dev = int(net.t)

    @staticmethod
    def _shape_of(net: Any) -> tuple:
        return (tuple(b.model.name for b in net.blocks),
                tuple((p.model.name, p.pre, p.post, p.receptor, p.gate) for p in net.pathways),
                tuple((d.model, d.block, d.receptor) for d in net.devices),
                tuple((r.block, tuple(r.rows), r.idx.size, int(r.every[0])) for r in net.recorders))

    def _build(self, net: Any, bk: list[GpuKernel], pk: list[GpuKernel], dk: list[GpuKernel]) -> None:
        """Allocate the device mirror of ``net`` and upload everything."""
        self._blocks: list[_DevBlock] = []
        base = 0
        for k, (b, kern) in enumerate(zip(net.blocks, bk)):
            m = b.model
            db = _DevBlock(k=k, kernel=kern, n=b.n, n_rec=len(m.receptors), D=b.ring.shape[0], base=base,
                           v_row=list(m.state).index(m.voltage) if m.voltage else -1)
            base += b.n
            self._blocks.append(db)
        self._n_units = base
        nb = len(self._blocks)
        self._nfs = self._new(np.zeros(nb, np.int64))
        for db, b in zip(self._blocks, net.blocks):
            db.a["fired"] = self._new(np.zeros(max(b.n, 1), np.int64))
            db.a["nf"] = self._nfs[db.k:db.k + 1]
        self._paths = [_DevPathway(kernel=kern) for kern in pk]
        self._empty = self._new(np.zeros(0))
        self._devs = [_DevDevice(kernel=kern) for kern in dk]
        for dd, d in zip(self._devs, net.devices):
            # double-buffered streams: tick t reads buffer (t & 1) and writes the other
            dd.a["rng"] = self._new(d.rng)
            dd.a["rng_b"] = self._new(d.rng)
        self._recs = [_DevRecorder(cols=r.rows.size * r.idx.size) for r in net.recorders]
        self._mods = self._new(net.mods)
        self._pulse = self._new(net.pulse.astype(np.uint8))
        self._counts = self._new(net._counts)
        self._window = self._new(net._window)
        self._ctl = self._new(np.zeros(CTL_SIZE, np.int64))
        self._flags = self._new(np.zeros(max(nb, 1), np.int32))
        self._sizes = self._new(net._pop_n if net._pop_n.size else np.zeros(1, np.int64))
        self._pop_lo = self._new(net._pop_lo)
        self._gid_all = self._new(np.concatenate([b.gid for b in net.blocks]) if nb else np.zeros(0, np.int64))
        self._W = max(1, -(-self._n_units // 32))
        # chunk capacity: the spike bitmap and the state-recorder buffers must hold a chunk
        cap = min(self.max_chunk, max(1, self.bitmap_bytes // (4 * self._W)))
        for r in net.recorders:
            every = int(r.every[0])
            rows = max(2, self.recorder_bytes // (8 * max(1, r.rows.size * r.idx.size)))
            cap = min(cap, (rows - 1) * every)
        self._cap = max(1, cap)
        self._bits = self._new(np.zeros((self._cap, self._W), np.uint32))
        for dr, r in zip(self._recs, net.recorders):
            n_rows = self._cap // int(r.every[0]) + 2
            dr.a["buf"] = self._new(np.zeros((n_rows, max(dr.cols, 1))))
            dr.a["times"] = self._new(np.zeros(n_rows, np.int64))
        self._refresh(net, everything=True)
        self._upload_state(net)

    def _refresh(self, net: Any, everything: bool = False) -> None:
        """Upload structural arrays the network replaced (or all, with ``everything``)."""
        if self._shape_of(net) != self._shape:
            raise BraincError("the network's blocks, pathways, devices or recorders changed after attach; "
                              "attach the backend again")
        lanes = self.engine.lanes
        for db, b in zip(self._blocks, net.blocks):
            changed = everything or any(db.a.get("@" + name) is not getattr(b, name) for name in _BLOCK_STRUCT)
            for name in _BLOCK_STRUCT:
                self._mirror(db.a, name, getattr(b, name), everything)
            if changed or "Y" not in db.a:
                hook = db.kernel.scratch
                y = hook(b, net, lanes) if hook is not None else np.zeros(1)
                db.a["Y"] = self._upload(db.a.get("Y"), np.ascontiguousarray(y, np.float64))
        for dp, p in zip(self._paths, net.pathways):
            changed = everything or any(dp.a.get("@" + name) is not getattr(p, name) for name in _PATH_STRUCT)
            for name in _PATH_STRUCT + ("X",):
                self._mirror(dp.a, name, getattr(p, name), everything)
            if changed or "Y" not in dp.a:
                hook = dp.kernel.scratch
                y = hook(p, net, lanes) if hook is not None else np.zeros(1, np.int64)
                dp.a["Y"] = self._upload(dp.a.get("Y"), np.ascontiguousarray(y, np.int64))
        for dd, d in zip(self._devs, net.devices):
            changed = dd.a.get("@ptr") is not d.ptr or dd.a.get("@P") is not d.P or everything
            for name in ("P", "ptr", "idx", "w", "delay"):
                self._mirror(dd.a, name, getattr(d, name), everything)
            if changed:
                counts = np.diff(d.ptr)
                self._mirror(dd.a, "tdev", np.repeat(np.arange(d.ptr.size - 1, dtype=np.int64), counts), True)
                draws = dd.kernel.rng_draws
                plan = plan_chunks(d.ptr, max(draws, 1)) if draws > 0 else plan_chunks(d.ptr[:1], 1)
                dd.n_chunks = int(plan["dev"].size) if draws > 0 else 0
                for key in ("dev", "lo", "hi", "jump"):
                    self._mirror(dd.a, "chunk_" + key, plan[key], True)
                if dd.kernel.plan is not None:
                    for key, arr in dd.kernel.plan(d, float(net.dt)).items():
                        self._mirror(dd.a, key, np.ascontiguousarray(arr), True)
        for dr, r in zip(self._recs, net.recorders):
            for name in ("rows", "idx"):
                self._mirror(dr.a, name, getattr(r, name), everything)

    # ------------------------------------------------------------ the tick program
    def _grid(self, n: int, block: int = 256, cap: int | None = None) -> int:
        g = max(1, -(-int(n) // block))
        return min(g, cap) if cap else g

    def _geometry(self, kind: str, n: int, busy: int) -> tuple[int, int]:
        """(grid, block) of a launch of geometry ``kind`` over ``n`` items (runtime/gpu/__init__.py)."""
        lanes = self.engine.lanes
        if self.engine.name == "host" and kind != "unit":
            return 1, 1  # grid-strided kernels: one thread keeps the CPU's order
        if kind == "unit":
            return self._grid(n), 256
        if kind == "syn":
            return self._grid(n, 256, busy), 256
        if kind in ("emit", "rows", "groups"):
            return self._grid(n, 1, busy), lanes
        if kind == "group":
            return self._grid(n, 64), 64
        if kind == "one":
            return 1, 1
        raise BraincError(f"unknown GPU launch geometry {kind!r}")

    def _program(self, net: Any) -> tuple[list[Callable[[], None]], list[Callable[[], None]]]:
        """Prepared launches of one tick, and of the health check."""
        key = (self._layout, float(net.dt), float(net.max_rate))
        if getattr(self, "_prog_key", None) == key:
            return self._prog
        e, ctl = self.engine, self._ctl
        serial = e.name == "host"  # one lane per emitter: the CPU's summation order
        busy = BLOCKS_PER_SM * e.n_sm  # blocks worth launching for grid-strided loops
        tick: list[tuple[str, int, int, tuple]] = []
        for db in self._blocks:
            a = db.a
            tick.append(("brainc_deliver", self._grid(db.n_rec * db.n), 256,
                         (a["I"], a["ring"], a["inj"], a["injon"], a["nf"], ctl, db.n_rec, db.n, db.D)))
        for dd, d in zip(self._devs, net.devices):
            a, db = dd.a, self._blocks[d.block]
            n_tgt = int(d.idx.size)
            if dd.kernel.stages is not None:
                ctx = DeviceLaunch(a=a, I=db.a["I"], ring=db.a["ring"], mods=self._mods, ctl=ctl,
                                   receptor=int(d.receptor), n_dev=int(d.ptr.size - 1), n_tgt=n_tgt, n_post=db.n,
                                   n_rec_post=db.n_rec, D=db.D, dt=float(net.dt), serial=serial)
                tick.extend(dd.kernel.stages(ctx))  # (kernel, grid, block, args) per launch
                continue
            threads = dd.n_chunks if dd.kernel.rng_draws > 0 else n_tgt
            for name in dd.kernel.names("emit"):
                tick.append((name, self._grid(threads, 128), 128,
                             (a["P"], a["S"], a["ptr"], a["idx"], a["w"], a["delay"], a["tdev"], db.a["I"],
                              db.a["ring"], a["rng"], a["rng_b"], a["chunk_dev"], a["chunk_lo"], a["chunk_hi"],
                              a["chunk_jump"], self._mods, ctl, int(d.receptor), int(d.ptr.size - 1), n_tgt,
                              dd.n_chunks, db.n, db.n_rec, db.D, float(net.dt))))
        for dp, p in zip(self._paths, net.pathways):
            pre, post = self._blocks[p.pre], self._blocks[p.post]
            for name in dp.kernel.names("couple"):
                a = dp.a
                tick.append((name, self._grid(p.w.size), 256,
                             (pre.a["S"], post.a["S"], pre.a["I"], post.a["I"], pre.v_row, post.v_row,
                              a["pre_idx"], a["post_idx"], a["w"], a["S"], a["P"], a["X"], self._mods, ctl,
                              int(p.w.size), pre.n, post.n)))
        for db in self._blocks:
            a = db.a
            n_groups = int(a["seg"].size - 1)
            for name in db.kernel.names("update"):
                kind = db.kernel.geometry.get(name, "unit")
                grid, block = self._geometry(kind, n_groups if kind in ("groups", "group") else db.n, busy)
                tick.append((name, grid, block,
                             (a["P"], a["S"], a["I"], a["out"], a["fired"], a["nf"], a["seg"], a["G"], a["L"],
                              self._mods, a["rng"], a["Y"], ctl, db.n, db.n_rec, n_groups, int(a["Y"].size),
                              float(net.dt))))
        for phase in ("learn", "propagate"):
            for dp, p in zip(self._paths, net.pathways):
                a, pre, post = dp.a, self._blocks[p.pre], self._blocks[p.post]
                gate = self._blocks[p.gate[0]].a["out"] if p.gate is not None else self._empty
                for name in dp.kernel.names(phase):
                    kind = dp.kernel.geometry.get(name, "emit")
                    n_items = {"emit": max(pre.n, post.n) if phase == "learn" else pre.n, "syn": int(p.w.size),
                               "rows": pre.n}.get(kind, 1)
                    grid, block = self._geometry(kind, n_items, busy)
                    if phase == "learn":
                        args = (pre.a["fired"], pre.a["nf"], post.a["fired"], post.a["nf"], pre.a["out"],
                                post.a["out"], a["indptr"], a["post_idx"], a["pre_idx"], a["cscptr"], a["cscsyn"],
                                a["w"], a["S"], a["P"], a["X"], a["Y"], post.a["S"], gate, self._mods, ctl,
                                int(p.w.size), pre.n, post.n, int(gate.size), float(net.dt))
                    else:
                        args = (pre.a["fired"], pre.a["nf"], pre.a["out"], a["indptr"], a["post_idx"], a["delay"],
                                a["w"], a["S"], a["P"], a["X"], a["Y"], post.a["ring"], gate, self._mods, ctl,
                                int(p.receptor), post.D, post.n, post.n_rec, int(p.w.size), int(gate.size),
                                float(net.dt))
                    tick.append((name, grid, block, args))
        for db in self._blocks:
            a = db.a
            tick.append(("brainc_record_spikes", self._grid(db.n, 256, busy // 4), 256,
                         (a["fired"], a["nf"], a["recmask"], self._bits, ctl, db.base, self._W)))
        for dr, r in zip(self._recs, net.recorders):
            db = self._blocks[r.block]
            tick.append(("brainc_record_state", self._grid(dr.cols), 256,
                         (db.a["S"], dr.a["rows"], dr.a["idx"], dr.a["buf"], dr.a["times"], ctl,
                          int(r.rows.size), int(r.idx.size), db.n, int(r.every[0]))))
        for db, b in zip(self._blocks, net.blocks):
            if len(b.pops) > 1:
                tick.append(("brainc_count_groups", self._grid(db.n, 256, busy // 4), 256,
                             (db.a["fired"], db.a["nf"], db.a["seg"], len(b.pops), self._counts,
                              int(net._pop_lo[db.k]), ctl)))
        tick.append(("brainc_tick_end", 1, 1, (ctl, self._mods, self._pulse, int(net.mods.size), self._counts,
                                               self._nfs, self._pop_lo, len(self._blocks), self._window)))
        health: list[tuple[str, int, int, tuple]] = []
        for db in self._blocks:
            x = db.a["S"][db.v_row] if db.v_row >= 0 else db.a["out"]
            health.append(("brainc_nan_scan", self._grid(db.n, 256, busy // 4), 256,
                           (x, db.n, self._flags, db.k, ctl)))
        health.append(("brainc_health", 1, 1, (ctl, self._counts, self._flags, self._sizes, self._pop_lo,
                                                len(self._blocks), self._window, float(net.max_rate))))
        self._prog = ([self._prepare(*x) for x in tick], [self._prepare(*x) for x in health])
        self._prog_key = key
        self._graphs: dict[str, Any] = {}
        return self._prog

    def _prepare(self, kernel: str, grid: int, block: int, args: tuple) -> Callable[[], None]:
        vals = self.engine._check(kernel, args)  # checked once; every launch reuses the converted values
        launch = self.engine.launch_checked

        def go() -> None:
            launch(kernel, grid, block, vals)
        return go

    def _graph(self, name: str, ticks: int, with_health: bool) -> Any:
        """A CUDA graph of ``ticks`` ticks (and the check), captured on first use."""
        g = self._graphs.get(name)
        if g is not None or not self.use_graphs:
            return g
        tick, health = self._prog
        stream = self.engine.stream
        try:
            stream.begin_capture()
            try:
                for _ in range(ticks):
                    for f in tick:
                        f()
                if with_health:
                    for f in health:
                        f()
            finally:
                g = stream.end_capture()
            if hasattr(g, "upload"):
                g.upload(stream)  # instantiate now, not inside the first timed replay
        except Exception as exc:  # pragma: no cover - depends on the CUDA/CuPy version
            warnings.warn(f"CUDA graph capture failed ({exc}); launching kernels one by one", RuntimeWarning)
            self.use_graphs = False
            return None
        self._graphs[name] = g
        return g

    def _run_ticks(self, ticks: int, with_health: bool) -> None:
        tick, health = self._prog
        if self.use_graphs:
            # a graph per distinct segment length (in practice check_every, and 1 for ragged ends)
            if ticks > 1 and f"{ticks}:{int(with_health)}" not in self._graphs and len(self._graphs) >= 8:
                for _ in range(ticks - 1):
                    self._run_ticks(1, False)
                self._run_ticks(1, with_health)
                return
            g = self._graph(f"{ticks}:{int(with_health)}", ticks, with_health)
            if g is not None:
                g.launch(self.engine.stream)
                self.stats["graph_replays"] += 1
                return
        for _ in range(ticks):
            for f in tick:
                f()
        if with_health:
            for f in health:
                f()
        self.stats["launches"] += ticks * len(tick) + (len(health) if with_health else 0)

    # ------------------------------------------------------------ protocol
    def advance(self, net: Any, n_ticks: int) -> tuple[int, int, int]:
        if net.env is not None:
            self._fall_back(net, _ENV_WHY, force=True)
            return net.backend.advance(net, n_ticks)
        n_ticks = int(n_ticks)
        if n_ticks <= 0:
            return 0, 0, -1
        if self.synced:
            self.push(net, everything=True)
        with self._ctx():
            self._refresh(net)
            self._program(net)
            if (int(net.t) - self._t_dev) & 1:
                self._swap_rng_buffers()
            self._t_dev = int(net.t)
            K = min(n_ticks, self._cap)
            ctl = np.zeros(CTL_SIZE, np.int64)
            ctl[CTL_T] = ctl[CTL_T0] = net.t
            ctl[CTL_BAD] = -1
            self._ctl = self._upload(self._ctl, ctl)
            self._flags[...] = 0
            # health checks after ticks t with (t + 1) % check_every == 0 (absolute time, as
            # the CPU loop) and after the last tick of the call
            for ticks, check in self._segments(int(net.t), K, max(1, int(net.check_every)), K == n_ticks):
                self._run_ticks(ticks, check)
            out = self.engine.to_host(self._ctl)  # the one synchronisation of the chunk
            done, status, bad = int(out[CTL_STEP]), int(out[CTL_STATUS]), int(out[CTL_BAD])
            if out[CTL_SLIP] and not self._warned_slip:
                self._warned_slip = True
                warnings.warn("a noise stream drew u1 == 0 (probability 2^-53 per draw): from here on its numbers "
                              "differ from the CPU backend's (they remain valid random numbers)", RuntimeWarning)
            self._drain(net, int(net.t), done)
            self._t_dev = int(net.t) + done
            self._ahead = True
            self.stats["chunks"] += 1
        if status or self.synced:
            self.sync(net)  # Network._blow_up reads the host state
        return done, status, bad

    @staticmethod
    def _segments(t: int, K: int, ce: int, end_check: bool) -> list[tuple[int, bool]]:
        """(ticks, check after them) pieces of a chunk of K ticks from tick t."""
        out: list[tuple[int, bool]] = []
        done = 0
        while done < K:
            to_check = ce - (t + done) % ce  # ticks up to and including the next check tick
            n = min(to_check, K - done)
            done += n
            out.append((n, n == to_check or (done == K and end_check)))
        return out

    def _swap_rng_buffers(self) -> None:
        for dd in self._devs:
            if dd.kernel.rng_draws != 0:
                a = dd.a["rng"].copy()
                dd.a["rng"][...] = dd.a["rng_b"]
                dd.a["rng_b"][...] = a

    def _rng_current(self, dd: _DevDevice) -> Any:
        """The device buffer that holds the device streams' state at tick ``_t_dev``."""
        if dd.kernel.rng_draws != 0 and (self._t_dev & 1):
            return dd.a["rng_b"]
        return dd.a["rng"]

    def _drain(self, net: Any, t0: int, done: int) -> None:
        """Copy this chunk's spikes and state samples to the network's host lists."""
        xp = self.xp
        if done:
            W = self._W
            step = max(1, self.drain_words // W)  # rows per slice: bounds the temporary bit matrix
            shifts = xp.arange(32, dtype=xp.uint32)
            ts, us = [], []
            for r0 in range(0, done, step):
                rows = self._bits[r0:min(done, r0 + step)]
                flat = rows.reshape(-1)
                nz = xp.flatnonzero(flat)
                if int(nz.size):
                    vals = flat[nz]
                    hit = ((vals[:, None] >> shifts[None, :]) & 1).astype(bool)
                    r, c = xp.nonzero(hit)
                    word = nz[r]
                    tick = word // W + (t0 + r0)
                    pos = (word % W) * 32 + c
                    ts.append(self.engine.to_host(tick.astype(xp.int64)))
                    us.append(self.engine.to_host(self._gid_all[pos]))
                rows[...] = 0
            if ts:
                net._spike_t.append(np.concatenate(ts))
                net._spike_u.append(np.concatenate(us))
        for dr, r in zip(self._recs, net.recorders):
            every = int(r.every[0])
            n = -(-(t0 + done) // every) - (-(-t0 // every))
            if n > 0:
                times = self.engine.to_host(dr.a["times"][:n])
                buf = self.engine.to_host(dr.a["buf"][:n, :dr.cols])
                r.chunks.append((times, buf))

    def sync(self, net: Any) -> None:
        """Copy the device state into the network's arrays (no-op if already current)."""
        if not self._ahead:
            return
        with self._ctx():
            for db, b in zip(self._blocks, net.blocks):
                for name in ("S", "L", "I", "out", "ring", "rng"):
                    self._download(db.a[name], getattr(b, name))
                self._download(db.a["nf"], b.nf)
                nf = int(b.nf[0])
                fired = self.engine.to_host(db.a["fired"][:nf])
                fired.sort()  # atomic appends leave the GPU's order arbitrary; the CPU's is ascending
                b.fired[:nf] = fired
            for dp, p in zip(self._paths, net.pathways):
                if p.model.plastic or p.model.learn is not None:
                    self._download(dp.a["w"], p.w)
                if p.S.size:
                    self._download(dp.a["S"], p.S)
                if p.X.size:
                    self._download(dp.a["X"], p.X)
            for dd, d in zip(self._devs, net.devices):
                self._download(dd.a["S"], d.S)
                self._download(self._rng_current(dd), d.rng)
            self._download(self._mods, net.mods)
            self._download(self._counts, net._counts)
            self._download(self._window, net._window)
            self.engine.synchronize()
        self._ahead = False

    def push(self, net: Any, everything: bool = False) -> None:
        """Copy host changes to the device (see the module docstring for what is uploaded)."""
        with self._ctx():
            self._refresh(net, everything=everything)
            self._upload_state(net)
            self.engine.synchronize()
        self._ahead = False

    def _upload_state(self, net: Any) -> None:
        """Per-unit, per-device and network-wide state: always uploaded."""
        for db, b in zip(self._blocks, net.blocks):
            for name in _BLOCK_STATE:
                self._mirror(db.a, name, getattr(b, name), True)
            self._upload(db.a["nf"], b.nf)
        for dp, p in zip(self._paths, net.pathways):
            self._mirror(dp.a, "X", p.X, True)
        self._t_dev = int(net.t)
        for dd, d in zip(self._devs, net.devices):
            self._mirror(dd.a, "S", d.S, True)
            self._upload(self._rng_current(dd), d.rng)  # the buffer that tick net.t reads
        self._mods = self._upload(self._mods, net.mods)
        self._counts = self._upload(self._counts, net._counts)
        self._window = self._upload(self._window, net._window)
