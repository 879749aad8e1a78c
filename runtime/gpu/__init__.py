"""GPU kernels of the registered models, keyed by model name.

The CPU runtime composes one fused Numba loop from each model's ``@njit``
kernels (:mod:`runtime.loop`). The GPU backend (:mod:`runtime.backends.cupy_backend`)
cannot run those, so every model that should run on a GPU also supplies CUDA C
source here: one module per family (``runtime/gpu/<family>.py``) calls
:func:`register_gpu` with a :class:`GpuKernel`. Nothing in the backend names a
model; a model without a GPU kernel gives :class:`NoGpuKernelError`
("model X has no GPU kernel yet") when a network using it is attached.

Kernel calling conventions (every kernel is ``extern "C" __global__``; the
prelude in :mod:`runtime.gpu.prelude` is prepended to every source, so kernels
use its ``i64``/``u64`` types, ``CTL_*`` indices, RNG and emit helpers). A
phase's parameter list is the same for all its kernels: sources write
``UPDATE_ARGS``, ``PROPAGATE_ARGS``, ``LEARN_ARGS``, ``COUPLE_ARGS`` or
``EMIT_ARGS`` and pass through :func:`runtime.gpu.prelude.expand`.
The current tick is read from ``ctl[CTL_T]`` on the device rather than passed
as an argument, so a tick's launches have fixed arguments and can be captured
once into a CUDA graph and replayed. Every kernel returns at once when
``ctl[CTL_STOP]`` is set (a health check failed earlier in the chunk).

Neuron ``update`` (by default one thread per unit; launched over ``n``)::

    (const double* P, double* S, double* I, double* out, i64* fired, i64* nf,
     const i64* seg, const double* G, double* L, const double* mods, u64* rng,
     double* Y, const i64* ctl, i64 n, i64 n_rec, i64 n_groups, i64 n_y, double dt)

Arrays are the flattened row-major arrays of :mod:`runtime.registry`
(``P[r * n + i]``). Emitting units call ``brainc_fire(fired, nf, i)`` (an atomic
append: the order of ``fired`` is not ascending on a GPU). ``Y`` is the block's
scratch array (``n_y`` doubles, from the kernel's ``scratch`` hook; empty
without one).

Synapse ``propagate`` and ``learn`` (by default one thread block per emitting
unit, grid-strided over the count left on the device; the block's threads
stride the unit's CSR row)::

    propagate(const i64* pre_fired, const i64* n_fired, const double* pre_out,
              const i64* indptr, const int* post_idx, const int* delay, double* w,
              double* S, const double* P, double* X, i64* Y, double* ring, const double* gate_out,
              const double* mods, const i64* ctl, i64 receptor, i64 D, i64 n_post,
              i64 n_rec_post, i64 n_syn, i64 n_gate, double dt)
    learn(const i64* pre_fired, const i64* n_pre, const i64* post_fired, const i64* n_post_fired,
          const double* pre_out, const double* post_out, const i64* indptr, const int* post_idx,
          const int* pre_idx, const i64* cscptr, const i64* cscsyn, double* w, double* S,
          const double* P, double* X, i64* Y, double* post_S, const double* gate_out, const double* mods,
          const i64* ctl, i64 n_syn, i64 n_pre_units, i64 n_post_units, i64 n_gate, double dt)

``Y`` is the pathway's int64 scratch array (shared by its propagate and learn
kernels; doubles are kept there as bits, ``brainc_ld``/``brainc_st``);
``n_gate`` is the length of ``gate_out``.

Synapse ``couple`` (delay-free interaction before integration; one thread per synapse)::

    (const double* pre_S, const double* post_S, double* pre_I, double* post_I, i64 pre_v, i64 post_v,
     const int* pre_idx, const int* post_idx, const double* w, double* S, const double* P, double* X,
     const double* mods, const i64* ctl, i64 n_syn, i64 n_pre, i64 n_post)

Device ``emit`` (one thread per target, or one per *chunk* of targets for
devices that draw random numbers, see :mod:`runtime.gpu.jump`)::

    (const double* P, double* S, const i64* ptr, const i64* idx, const double* w,
     const int* delay, const i64* tdev, double* I_now, double* ring, u64* rng_a, u64* rng_b,
     const i64* chunk_dev, const i64* chunk_lo, const i64* chunk_hi, const u64* chunk_jump,
     const double* mods, i64* ctl, i64 receptor, i64 n_dev, i64 n_tgt, i64 n_chunks,
     i64 n_post, i64 n_rec_post, i64 D, double dt)

Random devices keep their xoroshiro128+ states double-buffered: at tick ``t``
they read ``(t & 1) ? rng_b : rng_a`` (``brainc_dev_rng``) and the thread of each device's last chunk
writes the advanced state to the other buffer.

Launch geometry. A phase may be several kernels, launched in order with the
same arguments; :attr:`GpuKernel.geometry` says how each is launched (the
default is the phase's: ``unit`` for update, ``emit`` for propagate/learn):

* ``unit``: one thread per unit (``if (i >= n) return``);
* ``emit``: one block of ``lanes`` threads per emitting unit, grid-strided;
* ``syn``: threads grid-stride over the pathway's synapses (capped grid);
* ``rows``: one block of ``lanes`` threads per pre unit, grid-strided;
* ``groups``: one block of ``lanes`` threads per group (layer), grid-strided;
* ``group``: threads grid-stride over groups; ``one``: a single thread.

All but ``unit`` must be written grid-strided (any grid works): the host
emulation runs them as one thread (``lanes`` = 1), which keeps every sum in
the CPU kernel's order. ``lanes`` is 1 on the host and 64 on a GPU.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

from brainc.errors import BraincError

__all__ = ["GpuKernel", "DeviceLaunch", "NoGpuKernelError", "StaleGpuKernelError", "register_gpu", "gpu_kernel",
           "gpu_kernels", "full_source"]

#: the phases a kernel may provide, per kind of model
PHASES = {"neuron": ("update",), "synapse": ("propagate", "learn", "couple"), "device": ("emit",)}


class NoGpuKernelError(BraincError):
    """A network uses a model that has CPU kernels only."""


class StaleGpuKernelError(BraincError):
    """A GPU kernel was written for another parameter/state layout than the model now has."""


@dataclass(frozen=True)
class GpuKernel:
    """CUDA C source of one model's phases.

    ``source`` is CUDA C, or a tuple of pieces shared with other models.
    ``entries`` maps a phase (``update``, ``propagate``, ``learn``, ``emit``)
    to the name of the ``__global__`` function in ``source``; ``learn`` may name
    several functions, launched in order with the same arguments (e.g. a
    pre-spike pass then a post-spike pass). ``params``/``state`` are the row
    names the source indexes, in order: they are checked against the registry
    model so a model edited on the CPU side cannot silently read the wrong
    rows on the GPU. ``rng_draws`` (devices only) is how many uniform draws each
    target consumes from its device's stream per tick (0: no randomness), which
    lets the backend split a device's targets into independent chunks by
    jumping the stream ahead (see :mod:`runtime.gpu.jump`).
    """

    model: str
    kind: str
    source: str | tuple[str, ...]
    entries: dict[str, str | tuple[str, ...]]
    params: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    rng_draws: int = 0
    notes: str = ""
    #: devices with a per-tick draw count that is not fixed (``rng_draws = -1``)
    #: build their own launches: ``plan(group, dt) -> {name: host array}`` gives
    #: scratch arrays (uploaded next to the group's arrays, replanned when the
    #: group's ``P`` or ``ptr`` is replaced) and ``stages(ctx) -> [(kernel, grid,
    #: block, args)]`` the launches of one tick (see :class:`DeviceLaunch`)
    plan: Any = None
    stages: Any = None
    #: launch geometry per kernel name (see the module docstring); unnamed: the phase's default
    geometry: dict[str, str] = field(default_factory=dict)
    #: ``scratch(obj, net, lanes) -> ndarray``: initial scratch ``Y`` of a block (float64) or
    #: pathway (int64); remade when the block's or pathway's arrays are replaced. Kernels must
    #: leave the scratch as they found it at the end of every tick (it is not checkpointed).
    scratch: Any = None
    #: row names of ``G``/``L`` (neurons) and ``X`` (synapses) the source indexes
    group_params: tuple[str, ...] = ()
    group_state: tuple[str, ...] = ()
    pathway_state: tuple[str, ...] = ()
    #: rows of *other* models the source indexes: ((kind, model, attribute, rows), ...)
    #: (xcal reads the leabra unit state of its pre and post units)
    related: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    #: the declared rows must be all the model's rows, not a prefix (kernels that scan every row)
    exact: bool = False

    def parts(self) -> tuple[str, ...]:
        """The source as pieces; models sharing a piece (a helper or a kernel) list
        the same string, and :func:`full_source` includes each piece once."""
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)

    def names(self, phase: str) -> tuple[str, ...]:
        e = self.entries.get(phase)
        if e is None:
            return ()
        return (e,) if isinstance(e, str) else tuple(e)


@dataclass
class DeviceLaunch:
    """What a device kernel's ``stages`` hook may use to build its launches.

    ``a``: the group's device arrays (``P``, ``S``, ``ptr``, ``idx``, ``w``,
    ``delay``, ``tdev``, ``rng`` and ``rng_b`` (double buffer), plus the scratch
    arrays of ``plan``); ``I``/``ring``: the target block's input and delay ring;
    scalars as in the ``emit`` signature; ``serial``: the host emulation (keep
    the CPU's order: one thread where order matters).
    """

    a: dict[str, Any]
    I: Any
    ring: Any
    mods: Any
    ctl: Any
    receptor: int
    n_dev: int
    n_tgt: int
    n_post: int
    n_rec_post: int
    D: int
    dt: float
    serial: bool


_KERNELS: dict[tuple[str, str], GpuKernel] = {}
_LOADED = False


def register_gpu(k: GpuKernel) -> GpuKernel:
    """Add ``k`` to the table under (kind, model name)."""
    if k.kind not in PHASES:
        raise ValueError(f"GPU kernel kind must be one of {sorted(PHASES)}, got {k.kind!r}")
    bad = set(k.entries) - set(PHASES[k.kind])
    if bad:
        raise ValueError(f"GPU kernel for {k.model!r}: unknown phase(s) {sorted(bad)}")
    key = (k.kind, k.model)
    if key in _KERNELS and _KERNELS[key] != k:
        raise ValueError(f"GPU kernel for {k.kind} model {k.model!r} registered twice")
    _KERNELS[key] = k
    return k


def _load_all() -> None:
    """Import every family module of this package so their registrations run."""
    global _LOADED
    if _LOADED:
        return
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in ("prelude", "jump", "engine", "hostemu"):
            importlib.import_module(f"{__name__}.{mod.name}")
    _LOADED = True


def gpu_kernels() -> dict[tuple[str, str], GpuKernel]:
    """All registered GPU kernels, keyed by (kind, model name)."""
    _load_all()
    return dict(_KERNELS)


def _check_rows(k: GpuKernel, owner: str, what: str, want: tuple[str, ...], have: tuple[str, ...],
                exact: bool) -> None:
    if (have != want) if exact else (have[:len(want)] != want):
        raise StaleGpuKernelError(
            f"the GPU kernel of {k.kind} model {k.model!r} was written for {owner}{what} {list(want)} but the "
            f"model now declares {list(have)}; update runtime/gpu (or use --backend numba)")


def _check_layout(k: GpuKernel, model_cls: Any) -> None:
    for what in ("params", "state", "group_params", "group_state", "pathway_state"):
        want = getattr(k, what)
        have = tuple(getattr(model_cls, what, {}) or ())
        if want or (k.exact and what in ("params", "state")):
            _check_rows(k, "", what, want, have, k.exact)
    if k.related:
        from ..registry import device_model, neuron_model, synapse_model

        lookup = {"neuron": neuron_model, "synapse": synapse_model, "device": device_model}
        for kind, name, what, want in k.related:
            have = tuple(getattr(lookup[kind](name), what, {}) or ())
            _check_rows(k, f"{kind} model {name!r} ", what, tuple(want), have, False)


def gpu_kernel(kind: str, name: str, model_cls: Any = None) -> GpuKernel:
    """The GPU kernel of a model; raises :class:`NoGpuKernelError` if none exists.

    With ``model_cls`` (the registry class), also checks that the row layout the
    CUDA source assumes still matches the model's declared params/state.
    """
    _load_all()
    k = _KERNELS.get((kind, name))
    if k is None:
        raise NoGpuKernelError(f"{kind} model {name!r} has no GPU kernel yet (use --backend numba)")
    if model_cls is not None:
        _check_layout(k, model_cls)
    return k


def full_source(kernels: list[GpuKernel]) -> str:
    """Prelude + generic kernels + each distinct model source: one compilation unit."""
    from .prelude import GENERIC, PRELUDE, expand

    seen: list[str] = []
    for k in kernels:
        for part in k.parts():
            if part not in seen:
                seen.append(part)
    return expand("\n".join([PRELUDE, GENERIC, *seen]))

