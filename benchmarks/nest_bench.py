#!/usr/bin/env python
"""NEST family benchmark: brainc (brainc.nest API -> compiler -> Numba loop)
against NEST 3.10 and Brian2 on the same networks.

* Brunel (2000) model A, order 2500 (12,500 iaf_psc_delta, 15.6 M synapses,
  Poisson drive), 1000 ms at dt 0.1 ms - NEST's brunel_delta_nest example;
* COBA benchmark (Brette et al. 2007 #1), 4000 iaf_cond_exp, p = 0.02,
  1000 ms at dt 0.1 ms; and the same network with brainc's fixed-step
  iaf_cond_exp_heun (``coba_heun``; not a NEST model: docs/nest.md).

    python benchmarks/nest_bench.py                 # brainc only (+ stored peer results)
    python benchmarks/nest_bench.py --peers         # also (re)run the peer scripts
    python benchmarks/nest_bench.py --repeats 3 --json out.json

"build" is recipe -> IR (connection drawing) plus loading the IR into the
runtime (CSR pathways); "sim" is the 1000 ms run with the compiled loop already
in Numba's on-disk cache (the first run of a new network shape compiles it:
reported as "first run"). Wall-clock and CPU seconds are both reported: the
development machine is shared, so CPU time is the steadier number. Peer
numbers come from benchmarks/peers/*.py (their venvs .venv-nest and
.venv-brian2), via benchmarks/out/peers.json (run_all.py) or --peers.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brainc.nest.examples import brunel, coba  # noqa: E402

PEERS = ROOT / "benchmarks" / "peers"
PEER_JOBS = {
    "brunel": [("NEST 3.10", ".venv-nest", ["nest_brunel.py"], "nest_brunel"),
               ("Brian2 runtime", ".venv-brian2", ["brian2_brunel.py", "--device", "runtime"],
                "brian2_brunel_runtime"),
               ("Brian2 C++ standalone", ".venv-brian2",
                ["brian2_brunel.py", "--device", "cpp_standalone", "--build-dir", "/tmp/brian2_brunel_build"],
                "brian2_brunel_standalone")],
    "coba": [("NEST 3.10", ".venv-nest", ["nest_coba.py"], "nest_coba"),
             ("Brian2 runtime", ".venv-brian2", ["brian2_coba.py", "--device", "runtime"], "brian2_coba_runtime"),
             ("Brian2 C++ standalone", ".venv-brian2",
              ["brian2_coba.py", "--device", "cpp_standalone", "--build-dir", "/tmp/brian2_coba_build"],
              "brian2_coba_standalone")],
}
PEER_JOBS["coba_heun"] = PEER_JOBS["coba"]

#: network name -> (builder(seed) -> (simulator, recorders), recorder for the rate, our label)
NETWORKS = {
    "brunel": (lambda seed: brunel(order=2500, seed=seed), "E", "brainc (Numba)"),
    "coba": (lambda seed: coba(seed=seed), "all", "brainc (Numba)"),
    "coba_heun": (lambda seed: coba(seed=seed, model="iaf_cond_exp_heun"), "all", "brainc, _heun variant"),
}


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def bench_brainc(net: str, repeats: int, seed: int = 12345) -> dict[str, Any]:
    """Best-of-``repeats`` timings of one network (a first run compiles the loop)."""
    from runtime.network import Network

    runs = []
    for r in range(repeats + 1):
        w0, c0 = _clock()
        build, key, _ = NETWORKS[net]
        sim, rec = build(seed)
        brain = sim.brain  # recipe -> IR: connections drawn
        w1, c1 = _clock()
        sim._net = Network(brain, seed=seed)  # IR -> runtime arrays (what simulate() does)
        w2, c2 = _clock()
        sim._run(1000.0)
        w3, c3 = _clock()
        from brainc.nest.simulator import Result

        res = Result(sim)
        runs.append({"ir_s": w1 - w0, "load_s": w2 - w1, "build_s": w2 - w0, "build_cpu_s": c2 - c0,
                     "sim_s": w3 - w2, "sim_cpu_s": c3 - c2, "rate_hz": res.rate(rec[key]),
                     "n_synapses": brain.n_synapses, "n_neurons": brain.n_units})
        print(f"  brainc {net} run {r}{' (first: compiles)' if r == 0 else ''}: build {w2 - w0:.3f} s "
              f"(cpu {c2 - c0:.3f}), sim {w3 - w2:.3f} s (cpu {c3 - c2:.3f}), rate {runs[-1]['rate_hz']:.2f} Hz",
              flush=True)
    first, rest = runs[0], runs[1:]
    best = {k: min(r[k] for r in rest) for k in ("ir_s", "load_s", "build_s", "build_cpu_s", "sim_s", "sim_cpu_s")}
    return {**best, "first_sim_s": first["sim_s"], "rates_hz": [r["rate_hz"] for r in runs],
            "n_synapses": rest[0]["n_synapses"], "n_neurons": rest[0]["n_neurons"], "runs": runs,
            "loadavg": os.getloadavg()}


def run_peer(venv: str, args: list[str], repeats: int = 1) -> dict[str, Any] | None:
    """One peer script's result (its last stdout line, JSON). Brian2 scripts run
    the simulation ``repeats`` times and report the best, as brainc's tables do;
    NEST runs once (it is 20-100x slower: its spread does not change a ratio)."""
    py = ROOT / venv / "bin" / "python"
    if not py.exists():
        return None
    extra = ["--repeats", str(repeats)] if args[0].startswith("brian2_") else []
    p = subprocess.run([str(py), str(PEERS / args[0])] + args[1:] + extra, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        print(p.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def peers(net: str, rerun: bool, repeats: int = 1) -> list[tuple[str, dict[str, Any]]]:
    stored: dict[str, Any] = {}
    path = ROOT / "benchmarks" / "out" / "peers.json"
    if path.exists():
        stored = json.loads(path.read_text())
    out = []
    for label, venv, args, key in PEER_JOBS[net]:
        res = run_peer(venv, args, repeats) if rerun else None
        if res is not None:
            runs = res.get("sim_runs_s") or [res["sim_s"]]
            out.append((label, {"build_s": res["build_s"], "sim_s": res["sim_s"], "rate_hz": res["rate_hz"],
                                "source": f"this run, best of {len(runs)}" if len(runs) > 1 else "this run"}))
        elif key in stored:
            s = stored[key]
            rate = s["runs"][0].get("rate_hz") if s.get("runs") else None
            out.append((label, {"build_s": s["min_build_s"], "sim_s": s["min_sim_s"], "rate_hz": rate,
                                "source": "benchmarks/out/peers.json"}))
    return out


def table(net: str, ours: dict[str, Any], others: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [f"{net}: {ours['n_neurons']:,} neurons, {ours['n_synapses']:,} synapses, 1000 ms at dt 0.1 ms",
             f"{'simulator':<24}{'build s':>9}{'sim s':>9}{'rate Hz':>9}{'sim / ours':>11}",
             f"{NETWORKS[net][2]:<24}{ours['build_s']:>9.3f}{ours['sim_s']:>9.3f}{ours['rates_hz'][-1]:>9.2f}"
             f"   (best of {len(ours['runs']) - 1}; cpu: build {ours['build_cpu_s']:.3f}, sim {ours['sim_cpu_s']:.3f}; "
             f"first run {ours['first_sim_s']:.3f})"]
    for label, r in others:
        rate = f"{r['rate_hz']:>9.2f}" if r.get("rate_hz") is not None else f"{'':>9}"
        ratio = r["sim_s"] / ours["sim_s"] if ours["sim_s"] > 0 else float("nan")
        lines.append(f"{label:<24}{r['build_s']:>9.3f}{r['sim_s']:>9.3f}{rate}{ratio:>10.2f}x   ({r['source']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=2, help="timed runs after the compiling first run")
    ap.add_argument("--only", nargs="+", choices=list(NETWORKS), default=list(NETWORKS))
    ap.add_argument("--peers", action="store_true", help="rerun the NEST/Brian2 peer scripts")
    ap.add_argument("--json", help="write all numbers here")
    a = ap.parse_args(argv)
    report: dict[str, Any] = {}
    texts = []
    for net in a.only:
        ours = bench_brainc(net, a.repeats)
        others = peers(net, a.peers, a.repeats)
        report[net] = {"brainc": ours, "peers": dict(others)}
        texts.append(table(net, ours, others))
    print()
    print("\n\n".join(texts))
    print(f"\nload average: {os.getloadavg()}")
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=1, default=float))


if __name__ == "__main__":
    main()
