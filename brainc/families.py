"""Family sections of a recipe lowered to populations and projections.

``assemblies``: areas -> populations of model ``assembly_area`` (n, k, beta,
explicit), stimuli -> ``assembly_stimulus``, fibers -> projections of synapse
``hebbian_beta`` with ``implicit`` storage (the engine draws them).
``leabra``: layers -> populations of model ``leabra`` (unit params per unit,
layer params per population), projections -> ``xcal`` synapses.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ir import Population, Projection


def lower_assemblies(b: Any, sec: Any) -> None:
    names = set()
    for i, st in enumerate(sec.stimuli):
        b._add_population(Population(st.name, "assembly_stimulus", st.size, {"size": float(st.size)}, {},
                                     None, {"kind": "assembly_stimulus"}), f"assemblies.stimuli[{i}]")
        names.add(st.name)
    for i, ar in enumerate(sec.areas):
        if ar.k > ar.n:
            raise b.err(f"assemblies.areas[{i}].k", f"k ({ar.k}) must be <= n ({ar.n})")
        b._add_population(Population(ar.name, "assembly_area", ar.n,
                                     {"n": float(ar.n), "k": float(ar.k), "beta": float(ar.beta),
                                      "explicit": float(ar.explicit)}, {}, None, {"kind": "assembly_area"}),
                          f"assemblies.areas[{i}]")
        names.add(ar.name)
    areas = {a.name: a for a in sec.areas}
    for i, fb in enumerate(sec.fibers):
        path = f"assemblies.fibers[{i}]"
        if fb.from_ not in names:
            raise b.err(f"{path}.from", f"unknown area or stimulus {fb.from_!r}")
        if fb.to not in areas:
            raise b.err(f"{path}.to", f"unknown area {fb.to!r} (fibers end in areas)")
        p = sec.p if fb.p is None else fb.p
        beta = areas[fb.to].beta if fb.beta is None else fb.beta
        empty_i = np.zeros(0, np.int32)
        b.brain.projections.append(Projection(
            f"{fb.from_}->{fb.to}", fb.from_, fb.to, "hebbian_beta", empty_i, empty_i, np.zeros(0),
            empty_i, 0, {"p": float(p), "beta": float(beta), "inhibited": float(fb.inhibited)},
            None, "implicit", {"kind": "fiber"}))


def lower_leabra(b: Any, sec: Any) -> None:
    from runtime.registry import neuron_model, synapse_model

    from . import connect as conn
    from .values import resolve
    from runtime.rng import stream_seed

    unit = neuron_model("leabra")
    syn = synapse_model("xcal")
    for i, ly in enumerate(sec.layers):
        path = f"leabra.layers[{i}]"
        for key in ly.unit:
            if key not in unit.params:
                raise b.err(f"{path}.unit.{key}", f"unknown unit parameter (known: {', '.join(unit.params)})")
        for key in ly.layer:
            if key not in unit.group_params:
                raise b.err(f"{path}.layer.{key}",
                            f"unknown layer parameter (known: {', '.join(unit.group_params)})")
        b._add_population(Population(ly.name, "leabra", ly.size, {k: float(v) for k, v in ly.unit.items()},
                                     {k: float(v) for k, v in ly.layer.items()},
                                     None, {"kind": "leabra_layer"}), path)
    for i, pj in enumerate(sec.projections):
        path = f"leabra.projections[{i}]"
        for ref, key in ((pj.from_, "from"), (pj.to, "to")):
            if ref not in b.pops or b.pops[ref].model != "leabra":
                raise b.err(f"{path}.{key}", f"unknown leabra layer {ref!r}")
        for key in pj.params:
            if key not in syn.params:
                raise b.err(f"{path}.params.{key}", f"unknown projection parameter (known: {', '.join(syn.params)})")
        name = pj.name or f"{pj.from_}->{pj.to}"
        n_pre, n_post = b.pops[pj.from_].size, b.pops[pj.to].size
        rule = {"full": "all_to_all", "one_to_one": "one_to_one", "sparse": "pairwise_bernoulli"}[pj.pattern]
        try:
            a, c = conn.connect(rule, n_pre=n_pre, n_post=n_post, seed=stream_seed(b.seed, f"connect:{name}"),
                                p=pj.p)
        except conn.ConnectError as exc:
            raise b.err(f"{path}.pattern", str(exc)) from None
        rng = np.random.default_rng(stream_seed(b.seed, f"values:{name}"))
        w = np.broadcast_to(np.asarray(resolve(pj.weight, a.size, rng), np.float64), (a.size,)).copy()
        b.brain.projections.append(Projection(
            name, pj.from_, pj.to, "xcal", a.astype(np.int32), c.astype(np.int32), w,
            np.ones(a.size, np.int32), 0, {k: float(v) for k, v in pj.params.items()}, None, "csr",
            {"pattern": pj.pattern}))
