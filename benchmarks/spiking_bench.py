"""Ticks per second of the spiking runtime with fixed vs learning synapses.

An 8,000-unit Izhikevich network (6,400 RS excitatory, 1,600 FS inhibitory)
with 60,000 random recurrent synapses (delays 1-5 ticks), driven by constant
currents drawn uniformly from [0, 18] (about 195 spikes per tick; a Gaussian
noise device, ``build(noise_std=...)``, costs more than the synapses and is off
by default), run with the same connectivity as
``fixed``, ``plastic`` (STDP) and ``reward_plastic`` (STDP-driven eligibility,
a reward pulse every 100 ticks, i.e. an O(n_syn) sweep every 100 ticks; and
``reward_plastic@every_tick``: a reward in every tick, as the arena delivers).

    python benchmarks/spiking_bench.py [--ticks 5000] [--rounds 3] [--synapses 60000]

Prints one line per synapse model: the best round's ticks/s (wall clock and
the process's CPU time, steadier on a shared machine), spikes/tick and the mean
|w| at the end (learning must have changed it).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from brainc.ir import Brain, Device, DeviceTarget, Population, Projection
from runtime.network import Network


def build(synapse: str, n: int = 8000, n_syn: int = 60000, seed: int = 3, drive: float = 18.0,
          noise_std: float = 0.0) -> Network:
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
    if noise_std > 0.0:
        for pop in ("exc", "inh"):
            idx = np.arange(sizes[pop])
            b.devices.append(Device(f"noise_{pop}", "noise_current", {"mean": 0.0, "std": noise_std},
                                    [DeviceTarget(pop, idx, np.ones(idx.size), np.zeros(idx.size, np.int32))]))
    net = Network(b)
    for pop in ("exc", "inh"):  # constant heterogeneous drive: tonic firing at 0-40 Hz
        net.inject(pop, rng.uniform(0.0, drive, sizes[pop]))
    return net


class Bench:
    """One network of a synapse model, timed in rounds (best round counts)."""

    def __init__(self, synapse: str, n_syn: int) -> None:
        self.every_tick = synapse.endswith("@every_tick")
        self.model = synapse.split("@")[0]
        self.net = build(self.model, n_syn=n_syn)
        self.net.run(200)  # compile + settle
        self.reward = self.model == "reward_plastic" and not self.every_tick
        if self.every_tick:  # as the arena does: a reward in every tick (the pulse is not cleared)
            self.net.pulse[self.net.modulator_names.index("reward")] = 0
            self.net.set_modulator("reward", 1e-3)
        self.best_wall = self.best_cpu = 0.0
        self.spikes = 0
        self.ticks = 0

    def round(self, ticks: int) -> None:
        net = self.net
        chunk = 100 if self.reward else ticks
        t_start = net.t
        t0 = time.perf_counter()
        c0 = time.process_time()
        done = 0
        while done < ticks:
            if self.reward:
                net.reward(0.1 if (done // chunk) % 2 == 0 else -0.1)
            net.run(chunk)
            done += chunk
        el = time.perf_counter() - t0
        cpu = time.process_time() - c0
        self.best_wall = max(self.best_wall, ticks / el)
        self.best_cpu = max(self.best_cpu, ticks / cpu)
        t = net.spikes()[0]
        self.spikes += int(np.count_nonzero(t >= t_start))
        self.ticks += ticks

    def mean_abs_w(self) -> float:
        return float(np.mean(np.abs(np.concatenate([pw.w for pw in self.net.pathways]))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ticks", type=int, default=5000)
    ap.add_argument("--synapses", type=int, default=60000)
    ap.add_argument("--models", default="fixed,plastic,reward_plastic,reward_plastic@every_tick")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds per model, interleaved; best counts")
    a = ap.parse_args()
    print(f"8000 Izhikevich units, {a.synapses} synapses, {a.rounds} rounds of {a.ticks} ticks (best round; "
          "CPU = this process's CPU time)")
    benches = {m: Bench(m, a.synapses) for m in a.models.split(",")}
    for _ in range(a.rounds):
        for b in benches.values():
            b.round(a.ticks)
    for m, b in benches.items():
        print(f"{m:>26}: {b.best_wall:9,.0f} ticks/s wall {b.best_cpu:9,.0f} ticks/s CPU   "
              f"{b.spikes / b.ticks:6.1f} spikes/tick   mean |w| {b.mean_abs_w():.4f}")


if __name__ == "__main__":
    main()
