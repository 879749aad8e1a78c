#!/usr/bin/env python
"""Generate NEST reference data for brainc's conformance tests.

Run under the NEST virtual environment (nest-simulator 3.10.0 from PyPI):

    .venv-nest/bin/python tests/data/nest/make_reference.py            # everything
    .venv-nest/bin/python tests/data/nest/make_reference.py --only single plasticity

Parts (each writes its own files next to this script; see README.md here):
    defaults     -> defaults.json        NEST default status of every model used
    single       -> single_neuron.json + single_neuron.npz
                    single-neuron traces (DC, PSP, mixed input), all models,
                    default and non-default parameter sets, dt 0.1 and 0.05
    refractory   -> refractory.json      iaf_psc_delta input during refractoriness
    plasticity   -> plasticity.json + plasticity.npz
                    stdp_synapse, tsodyks2_synapse, stdp_dopamine_synapse
    generators   -> generators.json      poisson_generator rate statistics
    networks     -> network_stats.json   Brunel (2000) and COBA statistics/timings
                    (runs benchmarks/peers/nest_brunel.py and nest_coba.py)

Everything is deterministic: input spike trains come from numpy
default_rng with the seeds stored in the files, NEST's rng_seed is fixed,
and every simulation uses local_num_threads = 1.

Conventions stored in the files:
    * multimeter samples: interval = dt, sample k (k = 1..n) is at t = k*dt,
      i.e. the state at the END of step k (NEST's convention); the initial
      state (t = 0) is not a sample. Simulations run T + 2 ms and are cut to
      t <= T because NEST's multimeter lags by min_delay.
    * spike_generator times are the generator's emission times; a target sees
      the event at t_emit + delay (the delay of that connection).
    * all times in ms, voltages mV, currents pA, conductances nS.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PEERS = os.path.join(REPO, "benchmarks", "peers")

import nest  # noqa: E402

try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except AttributeError:  # pragma: no cover - older NEST
    nest.set_verbosity("M_ERROR")

NEST_VERSION = nest.__version__
RNG_SEED = 20240601  # NEST kernel rng_seed for every simulation here

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def jsonable(x):
    """Convert NEST status values to JSON-friendly Python objects."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, (int, float, str)) or x is None:
        return x
    if isinstance(x, nest.NodeCollection):
        return {"NodeCollection": x.tolist()}
    return str(x)


def dump_json(path, obj):
    # allow_nan: NEST uses +-inf for some parameters (e.g. V_min); Python's
    # json writes/reads them as Infinity/-Infinity.
    with open(path, "w") as fh:
        json.dump(jsonable(obj), fh, indent=1, sort_keys=False, allow_nan=True)
        fh.write("\n")


def reset(dt):
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt, "local_num_threads": 1,
                          "rng_seed": RNG_SEED, "print_time": False})


def grid_times(rng, n, t_lo, t_hi, grid=0.1):
    """n distinct spike times on a `grid` ms lattice in [t_lo, t_hi]."""
    lo, hi = int(round(t_lo / grid)), int(round(t_hi / grid))
    k = np.sort(rng.choice(np.arange(lo, hi + 1), size=n, replace=False))
    return np.round(k * grid, 10)


def poisson_grid_train(rng, rate_hz, t_lo, t_hi, grid=0.1, min_isi=0.0):
    """Poisson-like train rounded to the grid, unique, ISIs >= min_isi."""
    out, t = [], t_lo
    while True:
        t += rng.exponential(1000.0 / rate_hz)
        if t > t_hi:
            break
        tg = round(round(t / grid) * grid, 10)
        if tg < t_lo or (out and tg - out[-1] < max(min_isi, grid) - 1e-9):
            continue
        out.append(tg)
    return np.asarray(out)


def model_status(node):
    st = node.get()
    if isinstance(st, dict) and not isinstance(st.get("model"), str):
        st = {k: v[0] for k, v in st.items()}
    return st


def conn_status(conns):
    st = conns.get()
    if isinstance(st, dict):
        st = {k: (v[0] if isinstance(v, (list, tuple)) else v) for k, v in st.items()}
    return st


# --------------------------------------------------------------------------
# defaults
# --------------------------------------------------------------------------

NEURON_MODELS = ["iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha", "iaf_cond_exp",
                 "aeif_cond_alpha", "izhikevich", "parrot_neuron"]
SYNAPSE_MODELS = ["static_synapse", "stdp_synapse", "tsodyks2_synapse", "stdp_dopamine_synapse"]
DEVICE_MODELS = ["spike_generator", "poisson_generator", "dc_generator", "multimeter",
                 "spike_recorder", "weight_recorder", "volume_transmitter"]


def part_defaults():
    nest.ResetKernel()
    out = {"nest_version": NEST_VERSION,
           "note": "nest.GetDefaults(model) for each model, all keys, unmodified "
                   "(numpy arrays -> lists; +-inf written as Infinity/-Infinity)",
           "kernel": jsonable(nest.GetKernelStatus()),
           "neurons": {m: nest.GetDefaults(m) for m in NEURON_MODELS},
           "synapses": {m: nest.GetDefaults(m) for m in SYNAPSE_MODELS},
           "devices": {m: nest.GetDefaults(m) for m in DEVICE_MODELS}}
    # kernel status contains run-specific bookkeeping; keep the stable part
    keep = ("resolution", "min_delay", "max_delay", "ms_per_tic", "tics_per_ms", "tics_per_step",
            "rng_type", "rng_types", "rng_seed", "local_num_threads", "T_min", "T_max")
    out["kernel"] = {k: out["kernel"][k] for k in keep if k in out["kernel"]}
    dump_json(os.path.join(HERE, "defaults.json"), out)
    print("defaults.json written")


# --------------------------------------------------------------------------
# single neurons
# --------------------------------------------------------------------------

# per model: parameter sets (overrides of NEST defaults), DC currents per set,
# PSP weights per set (exc, inh), unit of the weight.
SINGLE = {
    "iaf_psc_delta": {
        "weight_unit": "mV (jump of V_m)",
        "psets": {
            "default": {},
            "brunel": {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 10.0,
                       "V_m": 0.0, "V_th": 20.0},
        },
        "I_e": {"default": 400.0, "brunel": 1.5},
        "w": {"default": (2.0, -2.0), "brunel": (2.0, -2.0)},
    },
    "iaf_psc_exp": {
        "weight_unit": "pA (jump of I_syn)",
        "psets": {
            "default": {},
            "nondefault": {"tau_m": 15.0, "C_m": 200.0, "tau_syn_ex": 3.0, "tau_syn_in": 6.0,
                           "t_ref": 3.0, "E_L": -65.0, "V_reset": -68.0, "V_th": -50.0, "V_m": -65.0},
            # tau_syn_ex == tau_m (singular propagator), tau_syn_in nearly equal
            "equal_tau": {"tau_m": 10.0, "tau_syn_ex": 10.0, "tau_syn_in": 10.000001},
        },
        "I_e": {"default": 400.0, "nondefault": 260.0, "equal_tau": 400.0},
        "w": {"default": (500.0, -500.0), "nondefault": (300.0, -300.0), "equal_tau": (100.0, -100.0)},
    },
    "iaf_psc_alpha": {
        "weight_unit": "pA (peak of the alpha current)",
        "psets": {
            "default": {},
            "nondefault": {"tau_m": 20.0, "C_m": 200.0, "tau_syn_ex": 0.5, "tau_syn_in": 5.0,
                           "t_ref": 1.5, "E_L": -68.0, "V_reset": -75.0, "V_th": -54.0, "V_m": -68.0},
            "equal_tau": {"tau_m": 10.0, "tau_syn_ex": 10.0, "tau_syn_in": 10.000001},
        },
        "I_e": {"default": 376.0, "nondefault": 180.0, "equal_tau": 400.0},
        "w": {"default": (500.0, -500.0), "nondefault": (500.0, -300.0), "equal_tau": (50.0, -50.0)},
    },
    "iaf_cond_exp": {
        "weight_unit": "nS (jump of g)",
        "psets": {
            "default": {},
            # COBA benchmark neuron (Brette et al. 2007)
            "coba": {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0,
                     "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0, "tau_syn_ex": 5.0,
                     "tau_syn_in": 10.0, "V_m": -60.0},
        },
        "I_e": {"default": 300.0, "coba": 150.0},
        "w": {"default": (20.0, -20.0), "coba": (3.0, -3.0)},
    },
    "aeif_cond_alpha": {
        "weight_unit": "nS (peak of the alpha conductance)",
        "psets": {
            "default": {},
            "nondefault": {"C_m": 200.0, "g_L": 12.0, "E_L": -65.0, "V_th": -52.0, "V_reset": -58.0,
                           "V_peak": 10.0, "Delta_T": 1.5, "a": 2.0, "b": 60.0, "tau_w": 100.0,
                           "t_ref": 2.0, "tau_syn_ex": 1.0, "tau_syn_in": 3.0, "V_m": -65.0},
        },
        "I_e": {"default": 700.0, "nondefault": 400.0},
        "w": {"default": (20.0, -20.0), "nondefault": (5.0, -5.0)},
    },
    "izhikevich": {
        "weight_unit": "mV (jump of V_m)",
        "psets": {
            "default": {},
            "chattering": {"a": 0.02, "b": 0.2, "c": -50.0, "d": 2.0},
            "published_numerics": {"consistent_integration": False},
        },
        "I_e": {"default": 10.0, "chattering": 10.0, "published_numerics": 10.0},
        "w": {"default": (5.0, -5.0), "chattering": (5.0, -5.0), "published_numerics": (5.0, -5.0)},
    },
}

DTS = (0.1, 0.05)
T_DC, T_PSP, T_MIX = 300.0, 150.0, 150.0
DELAY = 1.0
PSP_EXC_T, PSP_INH_T = 10.0, 80.0      # generator emission times (arrival +1 ms)
MIX_SEED = 7
TAIL = 2.0                              # extra simulated time (multimeter lag)


def simulate_single(model, params, dt, T, I_e=0.0, inputs=(), record=True):
    """One neuron + optional spike_generator inputs; returns (status, traces, spikes)."""
    reset(dt)
    n = nest.Create(model, params=dict(params))
    if "I_e" in nest.GetDefaults(model):
        n.set({"I_e": float(I_e)})
    for inp in inputs:
        sg = nest.Create("spike_generator", params={
            "spike_times": [float(t) for t in inp["times"]],
            **({"spike_multiplicities": [int(m) for m in inp["multiplicities"]]}
               if "multiplicities" in inp else {})})
        nest.Connect(sg, n, syn_spec={"synapse_model": "static_synapse",
                                      "weight": float(inp["weight"]), "delay": float(inp["delay"])})
    status = model_status(n)
    recordables = list(nest.GetDefaults(model).get("recordables", []))
    mm = None
    if record and recordables:
        mm = nest.Create("multimeter", params={"interval": dt, "record_from": recordables})
        nest.Connect(mm, n)
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    nest.Simulate(T + TAIL)
    traces = {}
    nsteps = int(round(T / dt))
    if mm is not None:
        ev = mm.get("events")
        t = np.asarray(ev["times"])
        keep = t <= T + 1e-9
        t = t[keep]
        assert t.size == nsteps, (model, t.size, nsteps)
        assert np.allclose(t, dt * np.arange(1, nsteps + 1)), "unexpected sample times"
        for r in recordables:
            traces[r] = np.asarray(ev[r], dtype=np.float64)[keep]
    st = np.asarray(sr.get("events")["times"], dtype=float)
    spikes = st[st <= T + 1e-9]
    return status, traces, spikes, recordables


def part_single():
    meta = {"nest_version": NEST_VERSION, "rng_seed": RNG_SEED, "delay_ms": DELAY,
            "conventions": {
                "sample_times": "trace k (0-based) is at t = (k+1)*dt; n_samples = T/dt",
                "input_times": "spike_generator emission times; arrival = time + delay",
                "npz_keys": "<case_id>/<recordable>, float64, for each name in the case's "
                            "stored_traces (all recordables at dt=0.1; only V_m at dt=0.05 to keep "
                            "the files small)",
                "case_id": "<model>/<stimulus>/<pset>/dt<dt>",
                "stimuli": {
                    "dc": "I_e constant from t=0, no synaptic input",
                    "psp": "I_e=0; one excitatory spike (weight w_exc) emitted at %.1f ms and one "
                           "inhibitory spike (weight w_inh) emitted at %.1f ms, delay %.1f ms"
                           % (PSP_EXC_T, PSP_INH_T, DELAY),
                    "mixed": "I_e = 0.9 * dc I_e plus 30 excitatory and 15 inhibitory spikes at "
                             "random 0.1-ms-grid times in [5, T-20] (numpy default_rng(%d + 10*model_index "
                             "+ pset_index); the times are stored in each case's inputs" % MIX_SEED,
                    "passthrough": "parrot_neuron: spike train with multiplicities, two delays",
                }},
            "cases": {}}
    arrays = {}
    for mi, (model, spec) in enumerate(SINGLE.items()):
        for pset, over in spec["psets"].items():
            I_dc = spec["I_e"][pset]
            w_e, w_i = spec["w"][pset]
            rng = np.random.default_rng(MIX_SEED + 10 * mi + list(spec["psets"]).index(pset))
            mix_e = grid_times(rng, 30, 5.0, T_MIX - 20.0)
            mix_i = grid_times(rng, 15, 5.0, T_MIX - 20.0)
            stimuli = {
                "dc": dict(T=T_DC, I_e=I_dc, inputs=[]),
                "psp": dict(T=T_PSP, I_e=0.0, inputs=[
                    {"times": [PSP_EXC_T], "weight": w_e, "delay": DELAY},
                    {"times": [PSP_INH_T], "weight": w_i, "delay": DELAY}]),
                "mixed": dict(T=T_MIX, I_e=round(0.9 * I_dc, 6), inputs=[
                    {"times": mix_e.tolist(), "weight": w_e, "delay": DELAY},
                    {"times": mix_i.tolist(), "weight": w_i, "delay": DELAY}]),
            }
            for stim, sdef in stimuli.items():
                for dt in DTS:
                    cid = f"{model}/{stim}/{pset}/dt{dt}"
                    status, traces, spikes, recs = simulate_single(
                        model, over, dt, sdef["T"], sdef["I_e"], sdef["inputs"])
                    # size budget: at the finer dt only V_m is stored
                    stored = [r for r in traces if dt == DTS[0] or r == "V_m"]
                    for r in stored:
                        arrays[f"{cid}/{r}"] = traces[r]
                    meta["cases"][cid] = {
                        "model": model, "stimulus": stim, "pset": pset, "dt": dt, "T": sdef["T"],
                        "param_overrides": over, "I_e": sdef["I_e"], "inputs": sdef["inputs"],
                        "weight_unit": spec["weight_unit"], "recordables": recs,
                        "stored_traces": stored,
                        "n_samples": int(round(sdef["T"] / dt)),
                        "spike_times": spikes.tolist(), "n_spikes": int(spikes.size),
                        "status": status,
                    }
                    print(f"{cid:45s} spikes={spikes.size:3d} first={spikes[:1]}")
    # parrot passthrough
    times = [10.0, 20.0, 20.5, 35.5, 50.1, 50.2, 80.0]
    mult = [1, 2, 1, 3, 1, 1, 1]
    for dt in DTS:
        for delay in (1.0, 2.3):
            cid = f"parrot_neuron/passthrough/delay{delay}/dt{dt}"
            inputs = [{"times": times, "multiplicities": mult, "weight": 1.0, "delay": delay}]
            status, _, spikes, _ = simulate_single("parrot_neuron", {}, dt, 100.0, 0.0, inputs)
            meta["cases"][cid] = {"model": "parrot_neuron", "stimulus": "passthrough", "pset": "default",
                                  "dt": dt, "T": 100.0, "param_overrides": {}, "I_e": None,
                                  "inputs": inputs, "recordables": [], "stored_traces": [],
                                  "n_samples": 0,
                                  "spike_times": spikes.tolist(), "n_spikes": int(spikes.size),
                                  "status": status,
                                  "note": "a spike with multiplicity m is repeated m times in spike_times"}
            print(f"{cid:45s} spikes={spikes.tolist()}")
    # the documented iaf_psc_alpha check: I_e = 376 pA, defaults, 1000 ms
    for dt in DTS:
        _, _, spikes, _ = simulate_single("iaf_psc_alpha", {}, dt, 1000.0, 376.0, record=False)
        meta.setdefault("checks", {})[f"iaf_psc_alpha_376pA_1000ms_dt{dt}"] = {
            "spike_times": spikes.tolist(), "n_spikes": int(spikes.size)}
        print(f"iaf_psc_alpha 376 pA 1000 ms dt={dt}: {spikes.size} spikes, first {spikes[0]}")
    np.savez_compressed(os.path.join(HERE, "single_neuron.npz"), **arrays)
    dump_json(os.path.join(HERE, "single_neuron.json"), meta)
    print("single_neuron.{json,npz} written:", len(meta["cases"]), "cases,", len(arrays), "arrays")


# --------------------------------------------------------------------------
# refractoriness of iaf_psc_delta
# --------------------------------------------------------------------------


def part_refractory():
    """A 20 mV input makes the neuron fire; inputs with binary-coded weights
    arrive during and right after the 2 ms refractory period, plus a large
    inhibitory one (-16 mV) inside it. Which ones count is visible in V_m."""
    gen = [  # (emission time, weight); arrival = time + 1.0
        (10.0, 20.0),   # arrives 11.0: V -70 -> -50 >= -55 -> spike at 11.0
        (11.0, 0.25),   # arrives 12.0: refractory
        (11.5, -16.0),  # arrives 12.5: refractory
        (11.9, 0.5),    # arrives 12.9: refractory
        (12.0, 1.0),    # arrives 13.0: refractoriness ends around here
        (12.1, 2.0),    # arrives 13.1
        (12.2, 4.0),    # arrives 13.2
    ]
    out = {"nest_version": NEST_VERSION, "model": "iaf_psc_delta", "delay": DELAY,
           "inputs": [{"time": t, "weight": w} for t, w in gen],
           "description": part_refractory.__doc__, "cases": {}}
    for refr_in in (False, True):
        for dt in DTS:
            inputs = [{"times": [t], "weight": w, "delay": DELAY} for t, w in gen]
            status, traces, spikes, _ = simulate_single(
                "iaf_psc_delta", {"refractory_input": refr_in}, dt, 30.0, 0.0, inputs)
            cid = f"refractory_input={refr_in}/dt{dt}"
            out["cases"][cid] = {"dt": dt, "T": 30.0, "refractory_input": refr_in,
                                 "V_m": traces["V_m"].tolist(), "spike_times": spikes.tolist(),
                                 "status": status}
            v = traces["V_m"]
            print(cid, "spikes", spikes, "V(14.0)=", v[int(round(14.0 / dt)) - 1])
    dump_json(os.path.join(HERE, "refractory.json"), out)
    print("refractory.json written")


# --------------------------------------------------------------------------
# plasticity
# --------------------------------------------------------------------------

PLAST_DT = 0.1
CHUNK = 1.0   # ms between GetStatus reads of the connection
PLAST_SEED = 4242


def _parrot_from_train(times, delay=1.0):
    """parrot_neuron that spikes at `times` + delay (driven by a spike_generator)."""
    sg = nest.Create("spike_generator", params={"spike_times": [float(t) for t in times]})
    p = nest.Create("parrot_neuron")
    nest.Connect(sg, p, syn_spec={"delay": delay, "weight": 1.0})
    return p


def _run_chunked(T, conn, keys, extra=None):
    """Simulate T ms in CHUNK pieces; after each, read `keys` of `conn`.
    Returns the reads at which any value changed (t, values...) plus final."""
    rows, last = [], None
    nest.Prepare()
    t = 0.0
    nsteps = int(round(T / CHUNK))
    for k in range(nsteps):
        nest.Run(CHUNK)
        t = (k + 1) * CHUNK
        st = conn.get(keys)
        vals = tuple(float(np.ravel(st[key])[0]) if isinstance(st, dict) else float(st) for key in keys)
        if vals != last:
            rows.append((t,) + vals)
            last = vals
    nest.Cleanup()
    return {"t": [r[0] for r in rows], **{key: [r[i + 1] for r in rows] for i, key in enumerate(keys)}}


def _spike_times(sr):
    return np.asarray(sr.get("events")["times"], dtype=float).tolist()


def stdp_case(name, pre_train, post_train, syn_params, post_model="parrot_neuron",
              post_params=None, w0=50.0, delay=1.0, T=2000.0):
    reset(PLAST_DT)
    wr = nest.Create("weight_recorder")
    nest.CopyModel("stdp_synapse", "stdp_rec", {"weight_recorder": wr})
    pre = _parrot_from_train(pre_train)
    if post_model == "parrot_neuron":
        post = _parrot_from_train(post_train)
        receptor = 1   # parrot: receptor 1 = plastic input, not repeated
    else:
        post = nest.Create(post_model, params=dict(post_params or {}))
        receptor = 0
    if post_params and post_model == "parrot_neuron":
        post.set(post_params)
    sr_pre, sr_post = nest.Create("spike_recorder"), nest.Create("spike_recorder")
    nest.Connect(pre, sr_pre)
    nest.Connect(post, sr_post)
    nest.Connect(pre, post, syn_spec={"synapse_model": "stdp_rec", "weight": w0, "delay": delay,
                                      "receptor_type": receptor, **syn_params})
    conn = nest.GetConnections(pre, post)
    c0 = conn_status(conn)
    post_status = model_status(post)
    traj = _run_chunked(T, conn, ["weight", "Kplus"])
    ev = wr.get("events")
    res = {
        "synapse_model": "stdp_synapse", "T": T, "dt": PLAST_DT, "delay": delay, "w0": w0,
        "syn_params": syn_params, "post_model": post_model, "post_params": post_params or {},
        "receptor_type": receptor,
        "pre_generator_times": list(map(float, pre_train)),
        "post_generator_times": list(map(float, post_train)) if post_model == "parrot_neuron" else None,
        "generator_to_parrot_delay": 1.0,
        "pre_spikes": _spike_times(sr_pre), "post_spikes": _spike_times(sr_post),
        "weight_recorder": {"times": np.asarray(ev["times"]).tolist(),
                            "weights": np.asarray(ev["weights"]).tolist()},
        "trajectory": traj, "conn_status_initial": c0, "conn_status_final": conn_status(conn),
        "post_status": post_status,
    }
    print(f"{name:30s} pre={len(res['pre_spikes'])} post={len(res['post_spikes'])} "
          f"w: {w0} -> {res['conn_status_final']['weight']:.6f}")
    return res


def tsodyks_case(name, pre_train, syn_params, w=250.0, delay=1.0, T=1200.0):
    reset(PLAST_DT)
    pre = _parrot_from_train(pre_train)
    post = nest.Create("iaf_psc_exp", params={"tau_syn_ex": 2.0, "tau_syn_in": 2.0})
    sr_pre = nest.Create("spike_recorder")
    nest.Connect(pre, sr_pre)
    nest.Connect(pre, post, syn_spec={"synapse_model": "tsodyks2_synapse", "weight": w,
                                      "delay": delay, **syn_params})
    mm = nest.Create("multimeter", params={"interval": PLAST_DT, "record_from": ["I_syn_ex"]})
    nest.Connect(mm, post)
    conn = nest.GetConnections(pre, post)
    c0 = conn_status(conn)
    traj = _run_chunked(T + TAIL, conn, ["u", "x"])
    ev = mm.get("events")
    t = np.asarray(ev["times"])
    keep = t <= T + 1e-9
    res = {
        "synapse_model": "tsodyks2_synapse", "T": T, "dt": PLAST_DT, "delay": delay, "weight": w,
        "syn_params": syn_params, "post_model": "iaf_psc_exp",
        "post_status": model_status(post),
        "pre_generator_times": list(map(float, pre_train)), "generator_to_parrot_delay": 1.0,
        "pre_spikes": _spike_times(sr_pre), "trajectory": traj,
        "conn_status_initial": c0, "conn_status_final": conn_status(conn),
        "npz_keys": [f"{name}/I_syn_ex"],
        "npz_note": "post-synaptic I_syn_ex (pA) sampled at t = k*dt, k = 1..T/dt; each pre spike "
                    "adds weight * u * x (values after the update) to I_syn_ex at its arrival",
    }
    arrays = {f"{name}/I_syn_ex": np.asarray(ev["I_syn_ex"])[keep]}
    print(f"{name:30s} pre={len(res['pre_spikes'])} final u={res['conn_status_final']['u']:.5f} "
          f"x={res['conn_status_final']['x']:.5f}")
    return res, arrays


def dopa_case(name, pre_train, post_train, dopa_train, common, w0=35.0, delay=1.0, T=2000.0):
    reset(PLAST_DT)
    wr = nest.Create("weight_recorder")
    vt = nest.Create("volume_transmitter")
    nest.CopyModel("stdp_dopamine_synapse", "dopa_rec",
                   {"weight_recorder": wr, "volume_transmitter": vt, **common})
    pre = _parrot_from_train(pre_train)
    post = _parrot_from_train(post_train)
    dopa = _parrot_from_train(dopa_train)
    nest.Connect(dopa, vt)
    srs = [nest.Create("spike_recorder") for _ in range(3)]
    for p, s in zip((pre, post, dopa), srs):
        nest.Connect(p, s)
    nest.Connect(pre, post, syn_spec={"synapse_model": "dopa_rec", "weight": w0, "delay": delay,
                                      "receptor_type": 1})
    conn = nest.GetConnections(pre, post)
    c0 = conn_status(conn)
    cols = ["weight", "c", "n", "Kplus"]
    traj = _run_chunked(T, conn, cols)
    traj_arr = np.column_stack([traj["t"]] + [traj[k] for k in cols]).astype(np.float64)
    ev = wr.get("events")
    res = {
        "synapse_model": "stdp_dopamine_synapse", "T": T, "dt": PLAST_DT, "delay": delay, "w0": w0,
        "common_properties": common,
        "synapse_defaults_after_copy": nest.GetDefaults("dopa_rec"),
        "volume_transmitter_status": model_status(vt),
        "min_delay": nest.GetKernelStatus("min_delay"),
        "pre_generator_times": list(map(float, pre_train)),
        "post_generator_times": list(map(float, post_train)),
        "dopa_generator_times": list(map(float, dopa_train)), "generator_to_parrot_delay": 1.0,
        "dopa_to_vt_delay": 1.0,
        "pre_spikes": _spike_times(srs[0]), "post_spikes": _spike_times(srs[1]),
        "dopa_spikes": _spike_times(srs[2]),
        "weight_recorder": {"times": np.asarray(ev["times"]).tolist(),
                            "weights": np.asarray(ev["weights"]).tolist()},
        "trajectory_npz_key": f"{name}/trajectory",
        "trajectory_columns": ["t"] + cols,
        "trajectory_note": "the volume transmitter delivers every deliver_interval*min_delay ms, "
                           "so the connection state changes nearly every read: the (n_reads x 5) "
                           "array is in plasticity.npz",
        "conn_status_initial": c0, "conn_status_final": conn_status(conn),
        "post_status": model_status(post),
    }
    print(f"{name:30s} w: {w0} -> {res['conn_status_final']['weight']:.6f}")
    return res, {f"{name}/trajectory": traj_arr}


def part_plasticity():
    rng = np.random.default_rng(PLAST_SEED)
    T = 2000.0
    pre = poisson_grid_train(rng, 20.0, 5.0, T - 10.0, min_isi=0.2)
    post = poisson_grid_train(rng, 20.0, 5.0, T - 10.0, min_isi=0.2)
    # add near-coincident pairs (both orders, a few ms apart) for strong STDP updates
    pairs = np.arange(100.0, T - 100.0, 200.0)
    pre = np.unique(np.round(np.concatenate([pre, pairs]), 1))
    post = np.unique(np.round(np.concatenate([post, pairs + 3.0, pairs + 100.0 - 4.0]), 1))
    out = {"nest_version": NEST_VERSION, "rng_seed_numpy": {"stdp_trains": PLAST_SEED,
                                                            "tsodyks_train": 2718, "dopamine_train": 161803},
           "chunk_ms": CHUNK,
           "conventions": {
               "trajectory": "connection status read after every %.1f ms of simulation "
                             "(Prepare/Run/Cleanup); only reads where a value changed are kept; "
                             "t is the simulation time of the read" % CHUNK,
               "pre_spikes/post_spikes": "spike times of the pre/post parrot neurons "
                                         "(= generator times + 1.0 ms)",
               "weight_recorder": "NEST weight_recorder events (one per transmitted pre spike)",
               "parrot receptor 1": "the plastic connection targets port 1 of a parrot post "
                                    "neuron: it is not repeated but its spikes are known",
           },
           "cases": {}}
    arrays = {}
    out["cases"]["stdp_default"] = stdp_case("stdp_default", pre, post, {}, w0=50.0, delay=1.0, T=T)
    out["cases"]["stdp_nondefault"] = stdp_case(
        "stdp_nondefault", pre, post,
        {"lambda": 0.05, "alpha": 1.2, "mu_plus": 0.0, "mu_minus": 0.0, "Wmax": 80.0, "tau_plus": 15.0},
        post_params={"tau_minus": 30.0}, w0=40.0, delay=2.5, T=T)
    out["cases"]["stdp_multiplicative_mu"] = stdp_case(
        "stdp_multiplicative_mu", pre, post,
        {"lambda": 0.02, "alpha": 0.8, "mu_plus": 0.4, "mu_minus": 0.7, "Wmax": 120.0, "tau_plus": 25.0},
        post_params={"tau_minus": 12.0}, w0=60.0, delay=1.5, T=T)
    out["cases"]["stdp_post_iaf"] = stdp_case(
        "stdp_post_iaf", pre, [], {"lambda": 0.02, "Wmax": 300.0},
        post_model="iaf_psc_alpha", post_params={"I_e": 420.0, "tau_minus": 20.0}, w0=100.0,
        delay=1.0, T=T)
    # tsodyks2: depressing with a regular train + recovery probes, facilitating Poisson train
    reg = np.concatenate([np.arange(10.0, 500.0, 50.0), [700.0, 1000.0]])
    r1, a1 = tsodyks_case("tsodyks2_depressing", reg,
                          {"U": 0.5, "u": 0.5, "x": 1.0, "tau_rec": 800.0, "tau_fac": 0.0})
    rngt = np.random.default_rng(2718)
    ptrain = poisson_grid_train(rngt, 20.0, 5.0, 1100.0, min_isi=1.0)
    r2, a2 = tsodyks_case("tsodyks2_facilitating", ptrain,
                          {"U": 0.1, "u": 0.1, "x": 1.0, "tau_rec": 100.0, "tau_fac": 1000.0})
    r3, a3 = tsodyks_case("tsodyks2_mixed", ptrain,
                          {"U": 0.3, "u": 0.3, "x": 1.0, "tau_rec": 200.0, "tau_fac": 300.0}, w=150.0,
                          delay=2.0)
    for nm, r, a in (("tsodyks2_depressing", r1, a1), ("tsodyks2_facilitating", r2, a2),
                     ("tsodyks2_mixed", r3, a3)):
        out["cases"][nm] = r
        arrays.update(a)
    # dopamine-modulated STDP
    rngd = np.random.default_rng(161803)
    dopa = np.unique(np.round(np.concatenate([
        poisson_grid_train(rngd, 3.0, 5.0, T - 10.0, min_isi=0.5),
        np.arange(400.0, T, 400.0), np.arange(400.0, T, 400.0) + 1.0]), 1))
    out["cases"]["stdp_dopamine_default"], a = dopa_case(
        "stdp_dopamine_default", pre, post, dopa, {}, w0=35.0, T=T)
    arrays.update(a)
    out["cases"]["stdp_dopamine_nondefault"], a = dopa_case(
        "stdp_dopamine_nondefault", pre, post, dopa,
        {"A_plus": 0.5, "A_minus": 0.8, "tau_plus": 15.0, "tau_c": 300.0, "tau_n": 100.0,
         "b": 0.05, "Wmin": 5.0, "Wmax": 75.0}, w0=30.0, T=T)
    arrays.update(a)
    np.savez_compressed(os.path.join(HERE, "plasticity.npz"), **arrays)
    dump_json(os.path.join(HERE, "plasticity.json"), out)
    print("plasticity.{json,npz} written")


# --------------------------------------------------------------------------
# generators
# --------------------------------------------------------------------------


def part_generators():
    out = {"nest_version": NEST_VERSION, "rng_seed": RNG_SEED,
           "note": "poisson_generator -> N parrot_neurons (independent trains per target); exact "
                   "spike times depend on NEST's RNG, so only statistics are stored", "cases": {}}
    for rate, N, T in ((10.0, 1000, 10000.0), (50.0, 1000, 10000.0), (1000.0, 200, 2000.0)):
        reset(0.1)
        pg = nest.Create("poisson_generator", params={"rate": rate})
        par = nest.Create("parrot_neuron", N)
        sr = nest.Create("spike_recorder")
        nest.Connect(pg, par, syn_spec={"delay": 1.0})
        nest.Connect(par, sr)
        nest.Simulate(T + 1.0)
        ev = sr.get("events")
        s, t = np.asarray(ev["senders"]), np.asarray(ev["times"])
        sel = (t > 1.0) & (t <= T + 1.0)     # parrot output = generator time + 1 ms
        s, t = s[sel], t[sel]
        counts = np.bincount(s - par[0].global_id, minlength=N)
        isis = []
        for i in range(N):
            ti = np.sort(t[s == par[0].global_id + i])
            if ti.size > 2:
                isis.append(np.std(np.diff(ti)) / np.mean(np.diff(ti)))
        res = {"rate_hz": rate, "n_targets": N, "T_ms": T, "dt": 0.1,
               "mean_rate_hz": float(counts.mean() / (T / 1000.0)),
               "std_count": float(counts.std()), "mean_count": float(counts.mean()),
               "fano": float(counts.var() / counts.mean()),
               "cv_isi_mean": float(np.mean(isis)),
               "expected_count": rate * T / 1000.0}
        out["cases"][f"rate{rate:g}"] = res
        print("poisson", res)
    dump_json(os.path.join(HERE, "generators.json"), out)
    print("generators.json written")


# --------------------------------------------------------------------------
# networks
# --------------------------------------------------------------------------


def part_networks(seeds=(12345, 1, 2)):
    sys.path.insert(0, PEERS)
    import nest_brunel
    import nest_coba
    from _stats import machine_info

    out = {"nest_version": NEST_VERSION, "machine": machine_info(), "threads": 1,
           "timing_note": "build = ResetKernel+Create+Connect, sim = nest.Simulate(1000 ms); *_s are "
                          "wall-clock (time.perf_counter), *_cpu_s process CPU time (time.process_time); "
                          "single thread on a 2-core machine that other jobs shared while this ran, so "
                          "prefer the CPU times and the minima",
           "brunel": {}, "coba": {}}
    runs = [("nest_example_vreset0", 0.0), ("brunel2000_vreset10", 10.0)]
    for label, vr in runs:
        lst = []
        for sd in seeds:
            r = nest_brunel.run(order=2500, v_reset=vr, seed=sd, return_spikes=True)
            snd, tms = r.pop("_spikes_ex")
            hist = np.histogram(tms, bins=np.arange(0.0, 1000.0 + 1e-9, 1.0))[0]
            r["exc_pop_rate_hz_1ms_bins_summary"] = {
                "mean": float(hist.mean() / 10000 * 1000), "std": float(hist.std() / 10000 * 1000)}
            lst.append(r)
            print(f"brunel {label} seed {sd}: rate_ex {r['rate_hz']:.3f} Hz cv {r['cv_isi']:.3f} "
                  f"build {r['build_s']:.2f}s sim {r['sim_s']:.2f}s")
        out["brunel"][label] = _summarise(lst)
    lst = []
    for sd in seeds + (3, 4):
        r = nest_coba.run(seed=sd)
        lst.append(r)
        print(f"coba seed {sd}: rate {r['rate_hz']:.3f} Hz cv {r['cv_isi']:.3f} "
              f"build {r['build_s']:.2f}s sim {r['sim_s']:.2f}s")
    out["coba"]["brette2007_benchmark1"] = _summarise(lst)
    dump_json(os.path.join(HERE, "network_stats.json"), out)
    print("network_stats.json written")


def _summarise(runs):
    keys = ["rate_hz", "rate_in_hz", "rate_ex_hz", "cv_isi", "cv_isi_in", "spikes",
            "build_s", "sim_s", "build_cpu_s", "sim_cpu_s"]
    summ = {}
    for k in keys:
        vals = [r[k] for r in runs if k in r and r[k] is not None and not
                (isinstance(r[k], float) and math.isnan(r[k]))]
        if vals:
            summ[k] = {"mean": float(np.mean(vals)), "std": float(np.std(vals)),
                       "min": float(np.min(vals)), "max": float(np.max(vals))}
    return {"params": runs[0]["params"], "n_neurons": runs[0]["n_neurons"],
            "summary_over_seeds": summ,
            "runs": [{k: v for k, v in r.items() if k != "params"} for r in runs]}


PARTS = {"defaults": part_defaults, "single": part_single, "refractory": part_refractory,
         "plasticity": part_plasticity, "generators": part_generators, "networks": part_networks}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=list(PARTS), default=list(PARTS))
    a = ap.parse_args(argv)
    for name in a.only:
        t0 = time.perf_counter()
        PARTS[name]()
        print(f"[{name}] {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
