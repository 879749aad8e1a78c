"""Family sections of a recipe lowered to populations and projections.

``assemblies``: areas -> populations of model ``assembly_area`` (n, k, beta,
explicit), stimuli -> ``assembly_stimulus``, fibers -> projections of synapse
``hebbian_beta`` with ``implicit`` storage (the engine draws them).
``leabra``: layers -> populations of model ``leabra`` (unit params per unit,
layer params per population), projections -> ``xcal`` synapses (the one
lowering path: ``brainc.leabra.Net`` writes this section and compiles it here).
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
    """Lower the ``leabra:`` section (the one path for recipes and ``brainc.leabra.Net``).

    Layers become populations of model ``leabra`` in declaration order (the
    runtime merges them into one block, so ``seg`` offsets follow this order):
    ``unit`` values are per-unit parameters, ``layer`` values layer (group)
    parameters. Projections become ``xcal`` synapses with delay 1 (net input
    for the next cycle), receptor ``exc`` or ``inh``, in pre-major order with
    ascending post index inside a row (what the kernels' fast paths expect).
    Each projection draws from its own stream ``leabra.projn:<name>``: first the
    keep-mask (``p`` < 1), then the weights, which are clipped to [0, 1]
    (weights are fractions of the maximal conductance). Finally emergent's
    ``InitWtSym``: where both directions between two layers have ``sym``, the
    projection into the later layer gives its weights to the reciprocal one.
    """
    from runtime.registry import neuron_model, synapse_model
    from runtime.rng import stream_seed

    from .values import ValueError_, resolve

    unit = neuron_model("leabra")
    syn = synapse_model("xcal")
    order: dict[str, int] = {}
    for i, ly in enumerate(sec.layers):
        path = f"leabra.layers[{i}]"
        for key, val in ly.unit.items():
            if key not in unit.params:
                raise b.err(f"{path}.unit.{key}", f"unknown unit parameter (known: {', '.join(unit.params)})")
            b._check_bounds(unit.params[key], val, f"{path}.unit.{key}")
        for key, val in ly.layer.items():
            if key not in unit.group_params:
                raise b.err(f"{path}.layer.{key}",
                            f"unknown layer parameter (known: {', '.join(unit.group_params)})")
            b._check_bounds(unit.group_params[key], val, f"{path}.layer.{key}")
        b._add_population(Population(ly.name, "leabra", ly.size, {k: float(v) for k, v in ly.unit.items()},
                                     {k: float(v) for k, v in ly.layer.items()},
                                     None, {"kind": "leabra_layer"}), path)
        order[ly.name] = i
    lowered: list[tuple[Any, Projection]] = []
    names: set[str] = set()
    for i, pj in enumerate(sec.projections):
        path = f"leabra.projections[{i}]"
        for ref, key in ((pj.from_, "from"), (pj.to, "to")):
            if ref not in order:
                raise b.err(f"{path}.{key}", f"unknown leabra layer {ref!r}")
        for key, val in pj.params.items():
            if key not in syn.params:
                raise b.err(f"{path}.params.{key}", f"unknown projection parameter (known: {', '.join(syn.params)})")
            b._check_bounds(syn.params[key], val, f"{path}.params.{key}")
        name = pj.name or f"{pj.from_}->{pj.to}"
        if name in names:
            raise b.err(f"{path}.name", f"duplicate projection name {name!r}")
        names.add(name)
        n_pre, n_post = b.pops[pj.from_].size, b.pops[pj.to].size
        rng = np.random.default_rng(stream_seed(b.seed, f"leabra.projn:{name}"))
        if pj.pattern == "one_to_one":  # unit i to unit i over the smaller layer
            m = min(n_pre, n_post)
            pre = np.arange(m, dtype=np.int64)
            post = np.arange(m, dtype=np.int64)
        else:  # full (sparse: full thinned by p)
            pre = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
            post = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
        if pj.p < 1.0:
            keep = rng.random(pre.shape[0]) < pj.p
            pre, post = pre[keep], post[keep]
        n = pre.shape[0]
        try:
            w = np.broadcast_to(np.asarray(resolve(pj.weight, n, rng), np.float64), (n,))
        except ValueError_ as exc:
            raise b.err(f"{path}.weight", str(exc)) from None
        w = np.clip(w, 0.0, 1.0)
        pr = Projection(name, pj.from_, pj.to, "xcal", pre.astype(np.int32), post.astype(np.int32), w,
                        np.ones(n, np.int32), 0 if pj.receptor == "exc" else 1,
                        {k: float(v) for k, v in pj.params.items()}, None, "csr",
                        {"kind": "leabra_projection", "pattern": pj.pattern, "p": float(pj.p), "sym": bool(pj.sym)})
        lowered.append((pj, pr))
    _symmetrize(lowered, order, {n: b.pops[n].size for n in order})
    b.brain.projections.extend(pr for _, pr in lowered)


def _symmetrize(lowered: list[tuple[Any, Projection]], order: dict[str, int], sizes: dict[str, int]) -> None:
    """emergent InitWtSym on lowered projections (local indices, pre-major rows):
    w_back[j, i] = w_fwd[i, j] for each forward projection (into the later
    layer) whose reciprocal projection also has ``sym`` (the last declared one
    when several connect the same pair)."""
    by_pair = {(pr.pre, pr.post): (pj, pr) for pj, pr in lowered}
    for pj, pr in lowered:
        if not pj.sym or order[pr.post] < order[pr.pre]:
            continue
        back = by_pair.get((pr.post, pr.pre))
        if back is None or back[1] is pr or not back[0].sym:
            continue
        bk = back[1]
        n_a = sizes[pr.pre]  # the back projection's post layer
        key_b = bk.pre_idx.astype(np.int64) * n_a + bk.post_idx  # sorted: pre-major, post ascending
        key_f = pr.post_idx.astype(np.int64) * n_a + pr.pre_idx  # each forward synapse's reciprocal
        pos = np.searchsorted(key_b, key_f)
        ok = pos < key_b.shape[0]
        ok[ok] = key_b[pos[ok]] == key_f[ok]
        bk.weight[pos[ok]] = pr.weight[ok]
