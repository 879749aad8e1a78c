"""Ticks per second of the spiking runtime with fixed vs learning synapses.

An 8,000-unit Izhikevich network (6,400 RS excitatory, 1,600 FS inhibitory)
with 60,000 random recurrent synapses (delays 1-5 ticks) driven by Gaussian
noise tuned to about 200 spikes per tick, run with the same connectivity as
``fixed``, ``plastic`` (STDP) and ``reward_plastic`` (STDP-driven eligibility,
a reward pulse every 100 ticks, i.e. an O(n_syn) sweep every 100 ticks).

    python benchmarks/spiking_bench.py [--ticks 20000] [--synapses 60000]

Prints one line per synapse model: ticks/s, spikes/tick and the mean |w| at
the end (learning must have changed it).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.network import Network


def build(synapse: str, n: int = 8000, n_syn: int = 60000, seed: int = 3,
          noise_mean: float = 2.0, noise_std: float = 6.0) -> Network:
    """The benchmark network with every recurrent synapse of model ``synapse``."""
    rng = np.random.default_rng(seed)
    n_exc = n * 4 // 5
    b = Brain("spiking_bench", seed, 1.0)
    b.populations.append(Population("exc", "izhikevich", n_exc, {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0}))
    b.populations.append(Population("inh", "izhikevich", n - n_exc, {"a": 0.1, "b": 0.2, "c": -65.0, "d": 2.0}))
    sizes = {"exc": n_exc, "inh": n - n_exc}
    share = {("exc", "exc"): 0.64, ("exc", "inh"): 0.16, ("inh", "exc"): 0.16, ("inh", "inh"): 0.04}
    for (a, c), f in share.items():
        k = int(round(f * n_syn))
        pre = rng.integers(0, sizes[a], k).astype(np.int32)
        post = rng.integers(0, sizes[c], k).astype(np.int32)
        w = rng.uniform(0.0, 1.0, k) * (2.0 if a == "exc" else -4.0)
        delay = rng.integers(1, 6, k).astype(np.int32)
        b.projections.append(Projection(f"{a}->{c}", a, c, synapse, pre, post, w, delay))
    for pop in ("exc", "inh"):
        idx = np.arange(sizes[pop])
        b.devices.append(Device(f"noise_{pop}", "noise_current", {"mean": noise_mean, "std": noise_std},
                                [DeviceTarget(pop, idx, np.ones(idx.size), np.zeros(idx.size, np.int32))]))
    return Network(b)


def bench(synapse: str, ticks: int, n_syn: int) -> tuple[float, float, float]:
    """(ticks/s, spikes/tick, mean |w|) after a warm-up run (compilation excluded)."""
    net = build(synapse, n_syn=n_syn)
    net.run(200)  # compile + settle
    reward = synapse == "reward_plastic"
    chunk = 100 if reward else ticks
    t0 = time.perf_counter()
    done = 0
    while done < ticks:
        if reward:
            net.reward(0.1 if (done // chunk) % 2 == 0 else -0.1)
        net.run(chunk)
        done += chunk
    el = time.perf_counter() - t0
    spikes = net.spikes()[0]
    n_spk = int(np.count_nonzero(spikes >= 200))
    w = np.concatenate([pw.w for pw in net.pathways])
    return ticks / el, n_spk / ticks, float(np.mean(np.abs(w)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ticks", type=int, default=20000)
    ap.add_argument("--synapses", type=int, default=60000)
    ap.add_argument("--models", default="fixed,plastic,reward_plastic")
    a = ap.parse_args()
    print(f"8000 Izhikevich units, {a.synapses} synapses, {a.ticks} ticks")
    for model in a.models.split(","):
        tps, spt, mw = bench(model, a.ticks, a.synapses)
        print(f"{model:>15}: {tps:10,.0f} ticks/s   {spt:6.1f} spikes/tick   mean |w| {mw:.4f}")


if __name__ == "__main__":
    main()
