"""brainc.nest: a NEST-flavoured Python API over the brainc compiler and runtime.

    from brainc.nest import Simulator
    sim = Simulator(dt=0.1)
    neurons = sim.create("iaf_psc_alpha", 100, {"I_e": 376.0})
    sr = sim.create("spike_recorder")
    sim.connect(neurons, sr)
    res = sim.simulate(1000.0)
    times, senders = res.spikes(sr)

Models, semantics and what was checked against NEST 3.10: docs/nest.md.
"""
from __future__ import annotations

from . import random
from .simulator import Connections, NestError, NodeCollection, Result, Simulator

__all__ = ["Simulator", "NodeCollection", "Connections", "Result", "NestError", "random"]
