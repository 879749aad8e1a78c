"""Leabra family front-end: Leabra7's API (``Net``, ``LayerSpec``, ``UnitSpec``,
``ProjnSpec``) over emergent-conformant kernels (``leabra`` units, ``xcal``
projections). See ``docs/leabra.md``.

Example::

    import brainc.leabra as lb
    net = lb.Net(seed=1)
    net.new_layer("input", 4)
    net.new_layer("output", 2)
    net.new_projn("in_to_out", "input", "output", lb.ProjnSpec(lrate=0.02))
    net.clamp_layer("input", [1, 0, 1, 0])
    net.minus_phase_cycle(50)
    net.clamp_layer("output", [1, 0])
    net.plus_phase_cycle(25)
    net.unclamp_layer("input"); net.unclamp_layer("output")
    net.learn()
"""
from .logs import Logs, have_pandas
from .net import Net
from .specs import Gaussian, LayerSpec, ProjnSpec, Scalar, Uniform, UnitSpec

__all__ = ["Net", "LayerSpec", "UnitSpec", "ProjnSpec", "Scalar", "Uniform", "Gaussian", "Logs", "have_pandas"]
