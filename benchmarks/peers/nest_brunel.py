#!/usr/bin/env python
"""Brunel (2000) sparse balanced network, model A (delta synapses), in NEST.

Parameters follow NEST's ``brunel_delta_nest.py`` example (order=2500:
NE=10000, NI=2500, CE=1000, CI=250, J=0.1 mV, g=5, eta=2, delay=1.5 ms,
iaf_psc_delta with C_m=1, tau_m=20, t_ref=2, E_L=0, V_m=0, V_th=20), one
independent Poisson input per neuron at p_rate = 1000*nu_ex*CE Hz with
nu_ex = eta * V_th / (J*CE*tau_m), delivered with weight J and the same delay.

The example script uses V_reset=0 mV; Brunel (2000) uses V_r=10 mV.
``--v-reset`` selects either (default 0.0 = NEST example).

Run under .venv-nest:
    .venv-nest/bin/python benchmarks/peers/nest_brunel.py [--order 2500] [--threads 1]

Prints one JSON line (last line of stdout) with simulator, version, build_s,
sim_s, rate_hz (mean excitatory rate over all NE neurons), rate_in_hz,
cv_isi, n_neurons, n_synapses and the parameters.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _stats import emit, machine_info, spike_stats  # noqa: E402


def brunel_params(order=2500, v_reset=0.0, simtime=1000.0, dt=0.1):
    NE, NI = 4 * order, order
    epsilon = 0.1
    CE, CI = int(epsilon * NE), int(epsilon * NI)
    tau_m, theta, J, g, eta, delay = 20.0, 20.0, 0.1, 5.0, 2.0, 1.5
    nu_th = theta / (J * CE * tau_m)
    nu_ex = eta * nu_th
    p_rate = 1000.0 * nu_ex * CE
    return {
        "order": order, "NE": NE, "NI": NI, "CE": CE, "CI": CI,
        "epsilon": epsilon, "J": J, "g": g, "eta": eta, "delay": delay,
        "J_ex": J, "J_in": -g * J, "nu_th_per_ms": nu_th, "nu_ex_per_ms": nu_ex,
        "p_rate_hz": p_rate, "simtime": simtime, "dt": dt,
        "neuron_model": "iaf_psc_delta",
        "neuron_params": {"C_m": 1.0, "tau_m": tau_m, "t_ref": 2.0, "E_L": 0.0,
                          "V_reset": float(v_reset), "V_m": 0.0, "V_th": theta},
        "connectivity": "fixed_indegree (autapses and multapses allowed, NEST defaults)",
        "poisson": "one poisson_generator connected all_to_all (independent train per target)",
    }


def run(order=2500, v_reset=0.0, simtime=1000.0, dt=0.1, threads=1, seed=12345,
        return_spikes=False):
    import nest
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR
    except AttributeError:  # older NEST
        nest.set_verbosity("M_ERROR")
    p = brunel_params(order, v_reset, simtime, dt)

    t0, c0 = time.perf_counter(), time.process_time()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt, "local_num_threads": threads,
                          "rng_seed": seed, "print_time": False})
    nest.SetDefaults("iaf_psc_delta", p["neuron_params"])
    nodes_ex = nest.Create("iaf_psc_delta", p["NE"])
    nodes_in = nest.Create("iaf_psc_delta", p["NI"])
    noise = nest.Create("poisson_generator", params={"rate": p["p_rate_hz"]})
    sr_ex = nest.Create("spike_recorder")
    sr_in = nest.Create("spike_recorder")
    nest.CopyModel("static_synapse", "excitatory", {"weight": p["J_ex"], "delay": p["delay"]})
    nest.CopyModel("static_synapse", "inhibitory", {"weight": p["J_in"], "delay": p["delay"]})
    allnodes = nodes_ex + nodes_in
    nest.Connect(noise, allnodes, syn_spec="excitatory")
    nest.Connect(nodes_ex, sr_ex)
    nest.Connect(nodes_in, sr_in)
    nest.Connect(nodes_ex, allnodes, {"rule": "fixed_indegree", "indegree": p["CE"]}, "excitatory")
    nest.Connect(nodes_in, allnodes, {"rule": "fixed_indegree", "indegree": p["CI"]}, "inhibitory")
    t1, c1 = time.perf_counter(), time.process_time()
    nest.Simulate(simtime)
    t2, c2 = time.perf_counter(), time.process_time()

    n_syn = (nest.GetDefaults("excitatory")["num_connections"]
             + nest.GetDefaults("inhibitory")["num_connections"]
             - (p["NE"] + p["NI"]))  # minus the poisson->neuron connections
    ev_ex = sr_ex.get("events")
    ev_in = sr_in.get("events")
    st_ex = spike_stats(ev_ex["senders"], ev_ex["times"], nodes_ex.tolist(), 0.0, simtime)
    st_in = spike_stats(ev_in["senders"], ev_in["times"], nodes_in.tolist(), 0.0, simtime)
    res = {
        "simulator": "nest", "version": nest.__version__, "network": "brunel2000_delta",
        "variant": "nest_example" if v_reset == 0.0 else f"v_reset={v_reset}",
        "threads": threads, "seed": seed,
        "build_s": round(t1 - t0, 4), "sim_s": round(t2 - t1, 4),
        "build_cpu_s": round(c1 - c0, 4), "sim_cpu_s": round(c2 - c1, 4),
        "rate_hz": st_ex["rate_hz"], "rate_in_hz": st_in["rate_hz"],
        "cv_isi": st_ex["cv_isi"], "cv_isi_in": st_in["cv_isi"],
        "spikes": st_ex["n_spikes"] + st_in["n_spikes"],
        "n_neurons": p["NE"] + p["NI"], "n_synapses": int(n_syn),
        "params": p,
    }
    if return_spikes:
        import numpy as np
        res["_spikes_ex"] = (np.asarray(ev_ex["senders"]) - nodes_ex[0].global_id,
                             np.asarray(ev_ex["times"]))
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--order", type=int, default=2500)
    ap.add_argument("--v-reset", type=float, default=0.0)
    ap.add_argument("--simtime", type=float, default=1000.0)
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args(argv)
    res = run(a.order, a.v_reset, a.simtime, a.dt, a.threads, a.seed)
    res["machine"] = machine_info()
    emit(res)


if __name__ == "__main__":
    main()
