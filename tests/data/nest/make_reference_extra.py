#!/usr/bin/env python
"""Extra NEST 3.10 references for brainc's NEST family (tests/nest/).

Complements make_reference.py with what it does not cover:

* ``devices``: dc_generator and spike_generator timing (start/stop/origin,
  delays, weights, multiplicities) and poisson_generator start/stop windows,
  seen through iaf_psc_alpha V_m traces and parrot spike times;
* ``small_networks``: mean rates of a small Brunel network (order 500) and of
  the first 300 ms of the COBA benchmark, over several NEST seeds, for the
  fast default test run.

Run under the NEST virtual environment:

    .venv-nest/bin/python tests/data/nest/make_reference_extra.py [--only devices]

Writes ``extra.json`` next to this script (conventions as in README.md here:
multimeter sample k is the state at (k+1)*dt; times in ms).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "..", "..", "..", "benchmarks", "peers")

import nest  # noqa: E402

try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except AttributeError:  # pragma: no cover
    nest.set_verbosity("M_ERROR")

RNG_SEED = 20240601


def reset(dt: float, seed: int = RNG_SEED) -> None:
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt, "local_num_threads": 1, "rng_seed": seed, "print_time": False})


def vm_trace(node, dt, T):
    mm = nest.Create("multimeter", params={"interval": dt, "record_from": ["V_m"]})
    nest.Connect(mm, node)
    return mm


def cut(mm, T):
    ev = mm.get("events")
    t = np.asarray(ev["times"])
    keep = t <= T + 1e-9
    return np.asarray(ev["V_m"])[keep].tolist()


def part_devices() -> dict:
    out = {}
    for dt in (0.1, 0.05):
        T = 40.0
        # dc_generator windows and delays into iaf_psc_alpha (no spikes: small currents)
        cases = [
            {"amplitude": 100.0, "start": 5.0, "stop": 15.0, "origin": 0.0, "delay": 1.0, "weight": 1.0},
            {"amplitude": -50.0, "start": 2.0, "stop": 7.5, "origin": 10.0, "delay": 2.5, "weight": 2.0},
            {"amplitude": 80.0, "start": 0.0, "stop": 1e300, "origin": 0.0, "delay": dt, "weight": 1.0},
        ]
        for k, c in enumerate(cases):
            reset(dt)
            n = nest.Create("iaf_psc_alpha")
            prm = {key: c[key] for key in ("amplitude", "start", "origin")}
            if c["stop"] < 1e299:
                prm["stop"] = c["stop"]
            dc = nest.Create("dc_generator", params=prm)
            nest.Connect(dc, n, syn_spec={"weight": c["weight"], "delay": c["delay"]})
            mm = vm_trace(n, dt, T)
            nest.Simulate(T + 2.0)
            out[f"dc/{k}/dt{dt}"] = {"dt": dt, "T": T, "generator": c, "V_m": cut(mm, T)}
        # spike_generator with start/stop/origin, weights and multiplicities -> iaf_psc_delta
        reset(dt)
        n = nest.Create("iaf_psc_delta")
        sg_prm = {"spike_times": [2.0, 4.0, 6.0, 8.0, 10.0, 12.0], "spike_weights": [1.0, 0.5, 2.0, 1.5, 1.0, 3.0],
                  "spike_multiplicities": [1, 2, 1, 3, 1, 1], "start": 3.0, "stop": 10.0, "origin": 0.0}
        sg = nest.Create("spike_generator", params=sg_prm)
        nest.Connect(sg, n, syn_spec={"weight": 0.7, "delay": 1.3})
        mm = vm_trace(n, dt, T)
        nest.Simulate(T + 2.0)
        out[f"sg/0/dt{dt}"] = {"dt": dt, "T": T, "generator": sg_prm, "weight": 0.7, "delay": 1.3,
                               "V_m": cut(mm, T)}
        # poisson_generator windows: a high rate into parrots; first/last spike times
        reset(dt)
        pg = nest.Create("poisson_generator", params={"rate": 5000.0, "start": 5.0, "stop": 12.0, "origin": 3.0})
        par = nest.Create("parrot_neuron", 50)
        sr = nest.Create("spike_recorder")
        nest.Connect(pg, par, syn_spec={"delay": 1.0})
        nest.Connect(par, sr)
        nest.Simulate(T)
        t = np.asarray(sr.get("events")["times"])
        out[f"pg/0/dt{dt}"] = {"dt": dt, "T": T, "generator": {"rate": 5000.0, "start": 5.0, "stop": 12.0,
                                                              "origin": 3.0},
                               "delay": 1.0, "n_targets": 50, "first": float(t.min()), "last": float(t.max()),
                               "n_spikes": int(t.size)}
        print("devices", dt, "done")
    return out


def part_small_networks(seeds=(12345, 1, 2, 3, 4)) -> dict:
    sys.path.insert(0, PEERS)
    import nest_brunel
    import nest_coba

    out = {"brunel_order500": [], "coba_300ms": []}
    for sd in seeds:
        r = nest_brunel.run(order=500, v_reset=0.0, seed=sd)
        out["brunel_order500"].append({"seed": sd, "rate_hz": r["rate_hz"], "rate_in_hz": r["rate_in_hz"],
                                       "cv_isi": r["cv_isi"]})
        r = nest_coba.run(simtime=300.0, seed=sd)
        out["coba_300ms"].append({"seed": sd, "rate_hz": r["rate_hz"], "cv_isi": r["cv_isi"]})
        print("small networks seed", sd, out["brunel_order500"][-1]["rate_hz"], out["coba_300ms"][-1]["rate_hz"])
    for key in list(out):
        rates = [x["rate_hz"] for x in out[key]]
        out[key] = {"runs": out[key], "mean_rate_hz": float(np.mean(rates)), "std_rate_hz": float(np.std(rates))}
    return out


PARTS = {"devices": part_devices, "small_networks": part_small_networks}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=list(PARTS), default=list(PARTS))
    a = ap.parse_args(argv)
    path = os.path.join(HERE, "extra.json")
    data = json.load(open(path)) if os.path.exists(path) else {}
    data["nest_version"] = nest.__version__
    for name in a.only:
        t0 = time.perf_counter()
        data[name] = PARTS[name]()
        print(f"[{name}] {time.perf_counter() - t0:.1f} s")
    with open(path, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
