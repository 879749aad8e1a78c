"""GPU backend speed (CuPy) against the Numba CPU loop.

Prints one ``key=value | ...`` line per network and backend; ``--json PATH``
also writes the results to PATH (nothing is written without it).

    python benchmarks/gpu_bench.py                     # 10k..1M Izhikevich networks
    python benchmarks/gpu_bench.py --sizes 1000000 --ticks 2000 --json out.json
    python benchmarks/gpu_bench.py --brunel            # + Brunel (2000) order 2500, 1000 ms
    # the docs' table (docs/gpu.md, Performance; benchmarks/README.md):
    python benchmarks/gpu_bench.py --sizes 10000,100000,1000000 --ticks 2000 --cpu-ticks 100 --brunel

Networks are built in-process straight into the IR (no recipe compile): the
Izhikevich RS/FS network of benchmarks/core_bench.py (80 % excitatory,
``--k`` synapses per neuron by fixed out-degree, default 100, uniform weights
0..0.5 and -1..0, delays 1-5 ticks for E->E) driven by a Gaussian noise current
of std 6 rather than core_bench's bias currents, which gives about 8 Hz (the
rate of Izhikevich's 2003 1000-neuron network); and, with ``--brunel``, Brunel
(2000) model A, order 2500, as in NEST's brunel_delta_nest.py. Timings are
wall-clock after a warm-up run (kernel compilation and CUDA-graph capture),
spike read-out included: ``--ticks`` ticks of each Izhikevich network on the
GPU, ``--cpu-ticks`` ticks (10x that for Brunel) on the Numba loop, and
10,000 ticks (1,000 ms) of Brunel on the GPU.
"""
from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.models.izhikevich import PRESETS
from runtime.network import Network


def izh_brain(n: int, k: int, noise: float = 6.0, seed: int = 1) -> Brain:
    """The core_bench network, built directly with NumPy."""
    rng = np.random.default_rng(seed)
    ne = int(n * 0.8)
    ni = n - ne
    b = Brain(f"izh{n}", seed, 1.0)
    b.populations += [Population("exc", "izhikevich", ne, dict(PRESETS["RS"])),
                      Population("inh", "izhikevich", ni, dict(PRESETS["FS"]))]

    def proj(name: str, pre: str, post: str, n_pre: int, n_post: int, out: int, lo: float, hi: float,
             dmax: int) -> None:
        pre_idx = np.repeat(np.arange(n_pre, dtype=np.int32), out)
        post_idx = rng.integers(0, n_post, pre_idx.size, dtype=np.int32)
        w = rng.uniform(lo, hi, pre_idx.size)
        d = (rng.integers(1, dmax + 1, pre_idx.size, dtype=np.int32) if dmax > 1
             else np.ones(pre_idx.size, np.int32))
        b.projections.append(Projection(name, pre, post, "fixed", pre_idx, post_idx, w, d))

    proj("e", "exc", "exc", ne, ne, int(k * 0.8), 0.0, 0.5, 5)
    proj("ei", "exc", "inh", ne, ni, k - int(k * 0.8), 0.0, 0.5, 1)
    proj("i", "inh", "exc", ni, ne, k, -1.0, 0.0, 1)
    b.devices.append(Device("noise", "noise_current", {"std": noise}, [
        DeviceTarget("exc", np.arange(ne), np.ones(ne), np.zeros(ne, np.int32)),
        DeviceTarget("inh", np.arange(ni), np.ones(ni), np.zeros(ni, np.int32))]))
    return b


def brunel_brain(order: int = 2500, g: float = 5.0, eta: float = 2.0, seed: int = 1) -> Brain:
    """Brunel (2000) model A as in NEST's brunel_delta_nest.py: 4*order excitatory
    and order inhibitory iaf_psc_delta neurons, CE = 0.1 NE, CI = 0.1 NI by fixed
    in-degree, J = 0.1 mV, delay 1.5 ms, Poisson drive at eta * nu_thresh, dt 0.1 ms."""
    rng = np.random.default_rng(seed)
    dt, delay, J = 0.1, 1.5, 0.1
    ne, ni = 4 * order, order
    ce, ci = ne // 10, ni // 10
    tau_m, theta = 20.0, 20.0
    nu_th = theta / (J * ce * tau_m)
    p_rate = 1000.0 * eta * nu_th * ce
    b = Brain(f"brunel{order}", seed, dt)
    neuron = {"C_m": 1.0, "tau_m": tau_m, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_th": theta, "V_m": 0.0}
    b.populations += [Population("E", "iaf_psc_delta", ne, dict(neuron)),
                      Population("I", "iaf_psc_delta", ni, dict(neuron))]
    d = int(round(delay / dt))

    def proj(name: str, pre: str, post: str, n_pre: int, n_post: int, indeg: int, w: float) -> None:
        post_idx = np.repeat(np.arange(n_post, dtype=np.int32), indeg)
        pre_idx = rng.integers(0, n_pre, post_idx.size, dtype=np.int32)
        b.projections.append(Projection(name, pre, post, "static_synapse", pre_idx, post_idx,
                                        np.full(post_idx.size, w), np.full(post_idx.size, d, np.int32)))

    for post, n_post in (("E", ne), ("I", ni)):
        proj(f"E{post}", "E", post, ne, n_post, ce, J)
        proj(f"I{post}", "I", post, ni, n_post, ci, -g * J)
    b.devices.append(Device("noise", "poisson_generator", {"rate": p_rate}, [
        DeviceTarget("E", np.arange(ne), np.full(ne, J), np.full(ne, d, np.int32)),
        DeviceTarget("I", np.arange(ni), np.full(ni, J), np.full(ni, d, np.int32))]))
    return b


def timed(net: Network, ticks: int, warm: int) -> dict[str, Any]:
    net.run(warm)
    t0 = time.perf_counter()
    net.run(ticks)
    net.backend.sync(net)
    wall = time.perf_counter() - t0
    t, _ = net.spikes()
    spikes = int((t >= warm).sum())
    return {"ticks": ticks, "wall_s": wall, "ticks_per_s": ticks / wall, "spikes": spikes,
            "spikes_per_tick": spikes / ticks}


def on(net: Network, backend: str, **kw: Any) -> Network:
    if backend != "numba":
        from runtime.backends.cupy_backend import CupyBackend

        net.backend = CupyBackend(engine="host" if backend == "cupy-host" else "cuda", **kw)
        t0 = time.perf_counter()
        net.backend.attach(net)
        net.attach_s = time.perf_counter() - t0  # type: ignore[attr-defined]
    return net


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="neuron counts (comma separated)")
    ap.add_argument("--k", type=int, default=100, help="synapses per neuron")
    ap.add_argument("--ticks", type=int, default=2000)
    ap.add_argument("--cpu-ticks", type=int, default=100, help="ticks for the numba comparison (0: skip)")
    ap.add_argument("--no-graphs", action="store_true", help="also time plain launches (no CUDA graphs)")
    ap.add_argument("--brunel", action="store_true", help="Brunel order 2500, 1000 ms at dt 0.1 ms")
    ap.add_argument("--backend", default="cupy", help="cupy (default) or cupy-host (CPU emulation)")
    ap.add_argument("--json", help="write results here")
    ap.add_argument("--chunk-draws", type=int, help="tuning: runtime/gpu/jump.py CHUNK_DRAWS")
    ap.add_argument("--blocks-per-sm", type=int, help="tuning: runtime/backends/cupy_backend.py BLOCKS_PER_SM")
    args = ap.parse_args()
    if args.chunk_draws:
        from runtime.gpu import jump

        jump.CHUNK_DRAWS = args.chunk_draws
    if args.blocks_per_sm:
        from runtime.backends import cupy_backend

        cupy_backend.BLOCKS_PER_SM = args.blocks_per_sm
    results: list[dict[str, Any]] = []

    def report(r: dict[str, Any]) -> None:
        results.append(r)
        print(" | ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()), flush=True)

    for n in [int(x) for x in args.sizes.split(",") if x]:
        t0 = time.perf_counter()
        brain = izh_brain(n, args.k)
        t_ir = time.perf_counter() - t0
        t0 = time.perf_counter()
        net = Network(brain)
        t_build = time.perf_counter() - t0
        syn = sum(p.w.size for p in net.pathways)
        if args.cpu_ticks:
            r = timed(net, args.cpu_ticks, 10)
            report({"net": "izhikevich", "neurons": n, "synapses": syn, "backend": "numba", **r})
        net = on(Network(brain), args.backend)
        r = timed(net, args.ticks, 200)
        report({"net": "izhikevich", "neurons": n, "synapses": syn, "backend": args.backend, "graphs": True,
                "ir_s": t_ir, "build_s": t_build, "attach_s": net.attach_s, **r})
        if args.no_graphs:
            net = on(Network(brain), args.backend, graphs=False)
            r = timed(net, min(args.ticks, 1000), 50)
            report({"net": "izhikevich", "neurons": n, "synapses": syn, "backend": args.backend, "graphs": False,
                    **r})
        del net, brain
    if args.brunel:
        brain = brunel_brain()
        net = Network(brain)
        syn = sum(p.w.size for p in net.pathways)
        if args.cpu_ticks:
            r = timed(net, 10 * args.cpu_ticks, 100)
            report({"net": "brunel2500", "neurons": 12500, "synapses": syn, "backend": "numba", **r,
                     "rate_hz": r["spikes_per_tick"] / 12500 / 1e-4})
        net = on(Network(brain), args.backend)
        r = timed(net, 10_000, 1000)  # 1000 ms of model time after 100 ms warm-up
        report({"net": "brunel2500", "neurons": 12500, "synapses": syn, "backend": args.backend, **r,
                 "rate_hz": r["spikes_per_tick"] / 12500 / 1e-4})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
