"""Backends advance a :class:`~runtime.network.Network` over its own arrays.

The protocol (duck-typed):

* ``name``: str
* ``attach(net)``: prepare for ``net`` (compile, move arrays to the device)
* ``advance(net, n_ticks) -> (ticks_done, status, bad_block)``: run up to
  ``n_ticks`` ticks; fewer when a buffer must be drained or a check failed
* ``sync(net)``: make the host arrays current (no-op on CPU)
* ``push(net)``: after the host changed arrays, make the device current
"""
from __future__ import annotations

from typing import Any

from brainc.errors import BraincError


def get_backend(name: str) -> Any:
    """``numba`` (default), ``cupy`` (NVIDIA GPU) or ``auto`` (cupy if usable, else numba)."""
    if name == "numba":
        from .numba_backend import NumbaBackend

        return NumbaBackend()
    if name in ("cupy", "auto"):
        try:
            from .cupy_backend import CupyBackend, cupy_available
        except ImportError as exc:  # pragma: no cover - depends on the machine
            if name == "auto":
                return get_backend("numba")
            raise BraincError(f"the cupy backend is not available: {exc}") from None
        ok, why = cupy_available()
        if ok:
            # auto: a network the GPU kernels cannot run yet falls back to numba
            return CupyBackend(fallback=name == "auto")
        if name == "auto":
            return get_backend("numba")
        raise BraincError(f"the cupy backend is not available: {why}; install brainc[gpu] on a machine "
                          "with an NVIDIA GPU, or use --backend numba")
    raise BraincError(f"unknown backend {name!r} (choose numba, cupy or auto)")
