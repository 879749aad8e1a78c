"""Small pure-numpy helpers shared by the peer benchmark scripts.

Works under any of the peer virtual environments (.venv-nest, .venv-brian2)
because it only needs numpy and the standard library.
"""
from __future__ import annotations

import json
import os
import platform
import sys

import numpy as np


def spike_stats(senders, times, ids, t_start, t_stop):
    """Rate / ISI statistics of the neurons ``ids`` over [t_start, t_stop) ms.

    senders, times: arrays of equal length (neuron id, spike time in ms).
    ids: the neuron ids of the population (any integers).
    Returns a dict with n_spikes, rate_hz (mean over all ids), cv_isi (mean
    CV of the inter-spike intervals over neurons with >= 3 spikes) and
    n_cv (how many neurons entered the CV mean).
    """
    senders = np.asarray(senders).astype(np.int64)
    times = np.asarray(times, dtype=float)
    ids = np.asarray(ids).astype(np.int64)
    sel = np.isin(senders, ids) & (times >= t_start) & (times < t_stop)
    s, t = senders[sel], times[sel]
    dur_s = (t_stop - t_start) / 1000.0
    out = {"n_spikes": int(s.size),
           "rate_hz": float(s.size / (ids.size * dur_s)) if ids.size else 0.0}
    if s.size:
        order = np.lexsort((t, s))
        s, t = s[order], t[order]
        bounds = np.flatnonzero(np.diff(s)) + 1
        cvs = []
        for ts in np.split(t, bounds):
            if ts.size >= 3:
                isi = np.diff(ts)
                m = isi.mean()
                if m > 0:
                    cvs.append(isi.std() / m)
        out["cv_isi"] = float(np.mean(cvs)) if cvs else float("nan")
        out["n_cv"] = len(cvs)
    else:
        out["cv_isi"] = float("nan")
        out["n_cv"] = 0
    return out


def machine_info():
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "n_cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def emit(result: dict):
    """Print the one-line JSON result (always the last line of stdout)."""
    def _default(o):
        if isinstance(o, (np.integer,)):
            return int(o)
        if isinstance(o, (np.floating,)):
            return float(o)
        if isinstance(o, np.ndarray):
            return o.tolist()
        return str(o)
    sys.stdout.flush()
    print(json.dumps(result, default=_default, sort_keys=False), flush=True)


def brian2_timed_run(b2, net, duration, device: str, build_dir: str, t0: float, c0: float,
                     repeats: int = 1) -> dict:
    """Run a Brian2 network for ``duration`` (a Brian2 quantity) and time it.

    ``t0``/``c0``: perf_counter/process_time when building started. Returns
    build_s, sim_s, compile_s, build_cpu_s, sim_cpu_s (None where not
    measurable: C++ standalone runs the simulation in a child process and
    reports its own run time) and sim_runs_s. With ``repeats`` > 1 the same
    simulation runs that many times (the standalone binary is executed again;
    the runtime network is restored to its state before the run) and sim_s is
    the best, as for brainc's own best-of-N. The monitors keep the last run,
    which is the same simulation every time. ``b2`` is the brian2 module,
    passed in so that this file imports only numpy (it serves the NEST
    environment too).
    """
    import time

    if device == "cpp_standalone":
        net.run(duration, namespace={})
        t1 = time.perf_counter()
        b2.device.build(directory=build_dir, compile=True, run=True, debug=False)
        t2 = time.perf_counter()
        runs = [float(b2.device._last_run_time)]
        for _ in range(repeats - 1):
            b2.device.run(directory=build_dir, with_output=False)
            runs.append(float(b2.device._last_run_time))
        return {"build_s": (t2 - t0) - runs[0], "sim_s": min(runs), "compile_s": (t2 - t1) - runs[0],
                "build_cpu_s": None, "sim_cpu_s": None, "sim_runs_s": [round(x, 4) for x in runs]}
    net.run(0 * duration, namespace={})  # code generation / compilation of all objects
    t1, c1 = time.perf_counter(), time.process_time()
    net.store("before")
    runs, cpu = [], []
    for r in range(repeats):
        if r:
            net.restore("before", restore_random_state=True)  # the same noise every run
        a, b = time.perf_counter(), time.process_time()
        net.run(duration, namespace={})
        runs.append(time.perf_counter() - a)
        cpu.append(time.process_time() - b)
    return {"build_s": t1 - t0, "sim_s": min(runs), "compile_s": None, "build_cpu_s": c1 - c0,
            "sim_cpu_s": min(cpu), "sim_runs_s": [round(x, 4) for x in runs]}
