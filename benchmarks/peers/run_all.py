#!/usr/bin/env python
"""Run every peer benchmark in its own virtual environment, several times,
and collect the JSON result lines into benchmarks/out/peers.json.

    python benchmarks/peers/run_all.py [--repeats 3] [--only nest_brunel brian2_coba ...]

Expects /work/main-style virtual environments at <repo>/.venv-nest and
<repo>/.venv-brian2 (see README.md). Runs are sequential (one thread each).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
NEST_PY = os.path.join(REPO, ".venv-nest", "bin", "python")
BRIAN_PY = os.path.join(REPO, ".venv-brian2", "bin", "python")

JOBS = {
    "nest_brunel": (NEST_PY, ["nest_brunel.py"]),
    "nest_coba": (NEST_PY, ["nest_coba.py"]),
    "brian2_brunel_runtime": (BRIAN_PY, ["brian2_brunel.py", "--device", "runtime"]),
    "brian2_brunel_standalone": (BRIAN_PY, ["brian2_brunel.py", "--device", "cpp_standalone",
                                            "--build-dir", "/tmp/brian2_brunel_build"]),
    "brian2_coba_runtime": (BRIAN_PY, ["brian2_coba.py", "--device", "runtime"]),
    "brian2_coba_standalone": (BRIAN_PY, ["brian2_coba.py", "--device", "cpp_standalone",
                                          "--build-dir", "/tmp/brian2_coba_build"]),
    "brian2_izhikevich2003_runtime": (BRIAN_PY, ["brian2_izhikevich2003.py", "--device", "runtime"]),
    "brian2_izhikevich2003_standalone": (BRIAN_PY, ["brian2_izhikevich2003.py", "--device",
                                                    "cpp_standalone", "--build-dir", "/tmp/brian2_izh_build"]),
    "numpy_izhikevich2003": (BRIAN_PY, ["numpy_izhikevich2003.py"]),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="+", choices=list(JOBS))
    ap.add_argument("--out", default=os.path.join(REPO, "benchmarks", "out", "peers.json"))
    a = ap.parse_args(argv)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    results = {}
    if os.path.exists(a.out):
        with open(a.out) as fh:
            results = json.load(fh)
    for name in a.only or list(JOBS):
        py, args = JOBS[name]
        runs = []
        for r in range(a.repeats):
            t0 = time.perf_counter()
            p = subprocess.run([py, os.path.join(HERE, args[0])] + args[1:], capture_output=True,
                               text=True, cwd=REPO)
            if p.returncode != 0:
                print(p.stdout[-2000:], p.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"{name} failed")
            res = json.loads(p.stdout.strip().splitlines()[-1])
            res.pop("params", None)
            res["wall_total_s"] = round(time.perf_counter() - t0, 3)
            runs.append(res)
            print(f"{name} #{r}: build {res.get('build_s')} sim {res.get('sim_s')} "
                  f"sim_cpu {res.get('sim_cpu_s')} rate {res.get('rate_hz')} spikes {res.get('spikes')}",
                  flush=True)
        with open("/proc/loadavg") as fh:
            load = fh.read().split()[:3]
        results[name] = {"runs": runs, "loadavg_after": load,
                         "min_build_s": min(r["build_s"] for r in runs),
                         "min_sim_s": min(r["sim_s"] for r in runs)}
        with open(a.out, "w") as fh:
            json.dump(results, fh, indent=1)
    print("written", a.out)


if __name__ == "__main__":
    main()
