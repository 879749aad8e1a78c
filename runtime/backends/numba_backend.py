"""The default CPU backend: one fused Numba loop per network shape."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..loop import BlockShape, DeviceShape, LoopShape, PathwayShape, compile_loop


def loop_shape(net: Any) -> LoopShape:
    blocks = tuple(
        BlockShape(b.model.name, len(b.model.receptors),
                   list(b.model.state).index(b.model.voltage) if b.model.voltage else -1)
        for b in net.blocks)
    pathways = []
    for p in net.pathways:
        pre_m, post_m = net.blocks[p.pre].model, net.blocks[p.post].model
        pathways.append(PathwayShape(
            p.model.name, p.pre, p.post, p.model.couple is not None, p.model.learn is not None,
            p.model.propagate is not None,
            list(pre_m.state).index(pre_m.voltage) if pre_m.voltage else -1,
            list(post_m.state).index(post_m.voltage) if post_m.voltage else -1))
    devices = tuple(DeviceShape(d.model, d.block) for d in net.devices)
    env = net.env.kernel_path if net.env is not None else None
    return LoopShape(blocks, tuple(pathways), devices, len(net.recorders), env)


_EMPTY = np.zeros(0)


def loop_args(net: Any) -> list[Any]:
    """Arguments after the fixed head, in the generated signature's order."""
    args: list[Any] = []
    for b in net.blocks:
        args += b.args()
    for p in net.pathways:
        gate = _EMPTY if p.gate is None else net.blocks[p.gate[0]].out[p.gate[1]:p.gate[2]]
        args += [p.indptr, p.post_idx, p.pre_idx, p.delay, p.w, p.S, p.P, p.X,
                 np.int64(p.receptor), p.cscptr, p.cscsyn, gate]
    for d in net.devices:
        args += [d.P, d.S, d.ptr, d.idx, d.w, d.delay, np.int64(d.receptor), d.rng]
    for r in net.recorders:
        args += [np.array([r.block], np.int64), r.rows, r.idx, r.every, r.buf, r.times, r.n]
    if net.env is not None:
        args += [net.env.S, net.env.P, net.env.io]
    return args


class NumbaBackend:
    name = "numba"

    def attach(self, net: Any) -> None:
        self._shape = None
        self._run = None

    def _ensure(self, net: Any) -> Any:
        shape = loop_shape(net)
        if shape != self._shape:
            self._run = compile_loop(shape)
            self._shape = shape
        return self._run

    def advance(self, net: Any, n_ticks: int) -> tuple[int, int, int]:
        run = self._ensure(net)
        done, rec_n, status, bad = run(
            np.int64(n_ticks), np.int64(net.t), float(net.dt), net.mods, net.pulse,
            np.int64(net.check_every), float(net.max_rate), net._rec_t, net._rec_u, np.int64(0),
            net._counts, net._pop_lo, net._pop_n, net._window, *loop_args(net))
        net._drain(int(rec_n))
        return int(done), int(status), int(bad)

    def sync(self, net: Any) -> None:
        return None

    def push(self, net: Any) -> None:
        return None
