"""Model registry: the one place neuron, synapse and device models plug in.

A model is a class that declares its parameters and state variables (with units)
and supplies pure Numba kernels over explicit arrays. The runtime composes one
fused tick loop from the kernels of the models present in a network
(see :mod:`runtime.loop`), so adding a model never edits a dispatcher: define the
class in a module under ``runtime/models``, ``runtime/synapses`` or
``runtime/devices``, decorate it with :func:`register`, done.

Array conventions (all float64 unless stated; "n" is the block size):

* ``P``  float64[n_params, n]   per-unit (or per-synapse) parameters, rows in
  the order of ``params``; homogeneous values are broadcast at load time.
* ``S``  float64[n_state, n]    state variables, rows in the order of ``state``.
* ``I``  float64[n_receptors, n] input accumulated for this tick (delivered
  from the delay ring, devices and user injection); the neuron kernel consumes it.
* ``out`` float64[n]            what the unit emits this tick: 1.0 for a spike,
  0.0 otherwise, or the rate/activity for rate-coded units.
* ``fired`` int64[n]            local indices of units that emitted this tick
  (spiking) or whose out is non-zero (rate-coded); the kernel returns the count.
* ``seg`` int64[n_groups + 1]   offsets of the populations merged into the block
  (a layer-wide operation such as k-WTA or FFFB inhibition works per segment).
* ``G``  float64[n_groups, n_gparams] per-population (layer) parameters.
* ``L``  float64[n_groups, n_lstate] per-population (layer) state.
* ``mods`` float64[n_mods]      global modulator channels (reward, dopamine,
  phase, learn flag, ...), indexed by the network's modulator table.
* ``rng`` uint64[n, 2] or uint64[2] xoroshiro128+ state (see :mod:`runtime.rng`),
  owned by the block, checkpointed with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

__all__ = [
    "Var", "NeuronModel", "SynapseModel", "DeviceModel",
    "register", "neuron_model", "synapse_model", "device_model",
    "neuron_models", "synapse_models", "device_models", "UnknownModelError",
]


@dataclass(frozen=True)
class Var:
    """A parameter or state variable: default value, unit and meaning."""

    default: float
    unit: str = "1"
    doc: str = ""
    min: float | None = None
    max: float | None = None
    #: a device parameter given as a list of numbers (spike_generator's times);
    #: the compiler checks each element against min/max
    is_list: bool = False


class NeuronModel:
    """Base class of neuron (unit) models.

    Subclasses set the class attributes and provide ``update`` as a Numba
    ``@njit`` function with the signature::

        update(P, S, I, out, fired, seg, G, L, t, dt, mods, rng) -> int

    advancing every unit of the block by one tick of ``dt`` (ms), writing
    ``out``/``fired`` and returning the number of entries written to ``fired``.
    """

    name: ClassVar[str]
    family: ClassVar[str] = "generic"
    params: ClassVar[dict[str, Var]] = {}
    state: ClassVar[dict[str, Var]] = {}
    group_params: ClassVar[dict[str, Var]] = {}
    group_state: ClassVar[dict[str, Var]] = {}
    receptors: ClassVar[tuple[str, ...]] = ("exc", "inh")
    spiking: ClassVar[bool] = True
    #: name of the state row holding the membrane potential, if any
    #: (gap junctions couple through it); None when the model has none.
    voltage: ClassVar[str | None] = None
    #: "module:Class" of a host engine (runtime/host.py) for families whose tick
    #: runs between compiled ticks (assembly areas); None for fused-loop models
    host_engine: ClassVar[str | None] = None
    update: ClassVar[Callable[..., int]]

    @classmethod
    def init_state(cls, P: Any, rng_seed: int) -> Any:
        """Initial ``S`` for a block with parameter matrix ``P``.

        The default fills each state row with its declared default; a model
        whose initial state depends on parameters (e.g. u = b v) overrides this.
        """
        import numpy as np

        n = P.shape[1] if P.ndim == 2 else 0
        S = np.empty((len(cls.state), n))
        for i, var in enumerate(cls.state.values()):
            S[i] = var.default
        return S


class SynapseModel:
    """Base class of synapse (projection) models.

    A synapse model may implement any of these phases (each a Numba ``@njit``
    function; phases left as ``None`` are skipped by the loop generator):

    * ``couple(pre_S, post_S, pre_I, post_I, pre_v, post_v, pre_idx, post_idx, w, S, P, X, mods)``
      continuous, delay-free interaction before integration (gap junctions),
      adding into receptor row 0 of either side's input; ``pre_v``/``post_v``
      are the voltage row indices of the two blocks (-1 if the model has none).
    * ``propagate(t, dt, pre_fired, n_fired, pre_out, indptr, post_idx, delay, w, S, P, X,
      receptor, ring, gate_out, mods)`` event-driven transmission over the CSR
      rows of units that emitted; adds into ``ring[(t + delay) % D, receptor, post]``
      (``receptor`` < 0 means: row 0 for w >= 0, row 1 for w < 0).
      ``gate_out`` is the ``out`` array of the modulating population (or an empty array).
    * ``learn(t, dt, pre_fired, n_pre, post_fired, n_post, pre_out, post_out,
      indptr, post_idx, pre_idx, csc_ptr, csc_syn, w, S, P, X, post_S, gate_out, mods)``
      plasticity after integration (traces, STDP, eligibility, pruning).
      ``csc_ptr`` (int64[n_post + 1]) and ``csc_syn`` (int64[n_syn]) index the
      synapses of each post unit, built only for ``plastic`` models.

    Per-synapse parameters live in ``P`` (n_params, n_syn); state in ``S``
    (n_state, n_syn); pathway-wide state (a few numbers shared by all synapses
    of the pathway, e.g. a gate's activity trace) in ``X`` (n_pathway_state,).
    Indices are local to the pre/post blocks; ``t`` is the tick, ``dt`` ms.
    """

    name: ClassVar[str]
    family: ClassVar[str] = "generic"
    params: ClassVar[dict[str, Var]] = {}
    state: ClassVar[dict[str, Var]] = {}
    pathway_state: ClassVar[dict[str, Var]] = {}
    #: delay-free model (gap junction): delays of 0 are allowed and ignored
    delay_free: ClassVar[bool] = False
    #: whether the model needs a modulating population (``gated``). Such a model
    #: declares a per-synapse parameter ``gate_unit``: the compiler stores the
    #: gate unit's index local to the gate population and the runtime turns it
    #: into an index into ``gate_out``, the ``out`` array of the gate's block.
    needs_gate: ClassVar[bool] = False
    #: whether weights may change at run time (checkpointed, CSC index built)
    plastic: ClassVar[bool] = False
    couple: ClassVar[Callable[..., None] | None] = None
    # optional hook: ``init_pathway_state(pathway, n_pre, n_post, dt) -> X`` when
    # the pathway-wide state depends on the network (e.g. a post spike history)
    propagate: ClassVar[Callable[..., None] | None] = None
    learn: ClassVar[Callable[..., None] | None] = None

    @classmethod
    def init_state(cls, w: Any, P: Any) -> Any:
        """Initial ``S`` (n_state, n_syn); default: each row at its default."""
        import numpy as np

        S = np.empty((len(cls.state), w.shape[0]))
        for i, var in enumerate(cls.state.values()):
            S[i] = var.default
        return S


class DeviceModel:
    """Base class of devices that inject into neurons (generators).

    ``emit(t, dt, P, S, tgt_ptr, tgt_idx, tgt_w, tgt_delay, receptor, I_now, ring, rng)``
    writes this tick's input into the targets of every device instance of the
    group: ``P``/``S`` are float64[n_params|n_state, n_devices]; targets are a CSR
    over device instances (``tgt_ptr`` int64[n_devices + 1], ``tgt_idx`` int64
    block-local unit, ``tgt_w`` float64, ``tgt_delay`` int32 ticks); ``receptor``
    as for synapses; ``I_now`` is the target block's input for this tick (delay 0),
    ``ring`` its delay ring; ``rng`` uint64[n_devices, 2] per-device streams.
    Recorders are not models: the runtime records spikes and state generically.
    """

    name: ClassVar[str]
    family: ClassVar[str] = "generic"
    params: ClassVar[dict[str, Var]] = {}
    state: ClassVar[dict[str, Var]] = {}
    emit: ClassVar[Callable[..., None]]
    # optional hook: ``init_device_state(P, params_list, dt, n_targets) -> S`` for
    # list-valued parameters such as spike times


class UnknownModelError(KeyError):
    """Raised when a recipe or database names a model nobody registered."""

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0])


_NEURONS: dict[str, type[NeuronModel]] = {}
_SYNAPSES: dict[str, type[SynapseModel]] = {}
_DEVICES: dict[str, type[DeviceModel]] = {}


def register(cls: type) -> type:
    """Class decorator adding a model to its registry under ``cls.name``."""
    table: dict[str, Any]
    if issubclass(cls, NeuronModel):
        table = _NEURONS
    elif issubclass(cls, SynapseModel):
        table = _SYNAPSES
    elif issubclass(cls, DeviceModel):
        table = _DEVICES
    else:
        raise TypeError(f"{cls.__name__} is not a NeuronModel, SynapseModel or DeviceModel")
    if cls.name in table and table[cls.name] is not cls:
        raise ValueError(f"model name {cls.name!r} registered twice")
    table[cls.name] = cls
    return cls


def _load_all() -> None:
    """Import every model module so their ``@register`` decorators run."""
    import importlib
    import pkgutil

    for pkg_name in ("runtime.models", "runtime.synapses", "runtime.devices"):
        pkg = importlib.import_module(pkg_name)
        for mod in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"{pkg_name}.{mod.name}")


def _lookup(table: dict[str, Any], kind: str, name: str) -> Any:
    if not table:
        _load_all()
    if name not in table:
        _load_all()
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise UnknownModelError(f"unknown {kind} model {name!r} (known: {known})") from None


def neuron_model(name: str) -> type[NeuronModel]:
    return _lookup(_NEURONS, "neuron", name)


def synapse_model(name: str) -> type[SynapseModel]:
    return _lookup(_SYNAPSES, "synapse", name)


def device_model(name: str) -> type[DeviceModel]:
    return _lookup(_DEVICES, "device", name)


def neuron_models() -> dict[str, type[NeuronModel]]:
    _load_all()
    return dict(_NEURONS)


def synapse_models() -> dict[str, type[SynapseModel]]:
    _load_all()
    return dict(_SYNAPSES)


def device_models() -> dict[str, type[DeviceModel]]:
    _load_all()
    return dict(_DEVICES)


ENVIRONMENT_PROTOCOL = """
An environment (the arena) couples a world to the brain inside the fused loop.
``net.env`` is an object with:

* ``kernel_path``: "module:function" of a Numba ``@njit`` function
  ``env(t, dt, env_S, env_P, env_io, mods, phase, I_blocks, out_blocks)``
  called twice per tick: ``phase == 0`` after delivery, before integration
  (sense: add sensor currents into ``I_blocks[b][receptor, unit]``), and
  ``phase == 1`` after the neuron update (act: read ``out_blocks[b][unit]``,
  drive the body, write reward into ``mods``). ``I_blocks``/``out_blocks`` are
  tuples over the network's blocks in block order.
* ``S``, ``P``, ``io``: float64 1-D arrays (state, parameters, and a scratch /
  binding table, e.g. block and unit indices of sensor and motor terminals).
* ``arrays() -> dict[str, ndarray]``: what a checkpoint must store.
"""
