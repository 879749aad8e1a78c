"""Reference networks built with brainc.nest, parameterised as NEST's own
scripts (benchmarks/peers/nest_brunel.py, nest_coba.py) so rates compare.

    from brainc.nest.examples import brunel, coba
    sim, rec = brunel(order=2500)
    res = sim.simulate(1000.0)
    res.rate(rec["E"])   # ~32 Hz (NEST 3.10: 31.99 Hz)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .simulator import NodeCollection, Simulator


def brunel(order: int = 2500, v_reset: float = 0.0, dt: float = 0.1, seed: int = 12345,
           record: bool = True) -> tuple[Simulator, dict[str, NodeCollection]]:
    """Brunel (2000) model A as NEST's brunel_delta_nest.py: 4*order excitatory
    and order inhibitory iaf_psc_delta neurons, fixed in-degrees CE = 0.1 NE and
    CI = 0.1 NI, J = 0.1 mV, g = 5, eta = 2, delay 1.5 ms, one independent
    Poisson train per neuron. Returns (simulator, {"E": rec, "I": rec})."""
    NE, NI = 4 * order, order
    CE, CI = int(0.1 * NE), int(0.1 * NI)
    tau_m, theta, J, g, eta, delay = 20.0, 20.0, 0.1, 5.0, 2.0, 1.5
    nu_th = theta / (J * CE * tau_m)
    p_rate = 1000.0 * eta * nu_th * CE
    sim = Simulator(dt=dt, seed=seed, name=f"brunel{order}")
    sim.set_defaults("iaf_psc_delta", {"C_m": 1.0, "tau_m": tau_m, "t_ref": 2.0, "E_L": 0.0,
                                       "V_reset": v_reset, "V_m": 0.0, "V_th": theta})
    ex = sim.create("iaf_psc_delta", NE, label="E")
    inh = sim.create("iaf_psc_delta", NI, label="I")
    noise = sim.create("poisson_generator", params={"rate": p_rate}, label="noise")
    sim.copy_model("static_synapse", "excitatory", {"weight": J, "delay": delay})
    sim.copy_model("static_synapse", "inhibitory", {"weight": -g * J, "delay": delay})
    both = ex + inh
    sim.connect(noise, both, syn_spec="excitatory")
    sim.connect(ex, both, {"rule": "fixed_indegree", "indegree": CE}, syn_spec="excitatory")
    sim.connect(inh, both, {"rule": "fixed_indegree", "indegree": CI}, syn_spec="inhibitory")
    rec: dict[str, NodeCollection] = {}
    if record:
        rec["E"] = sim.create("spike_recorder", label="spikes_E")
        rec["I"] = sim.create("spike_recorder", label="spikes_I")
        sim.connect(ex, rec["E"])
        sim.connect(inh, rec["I"])
    return sim, rec


def coba_initial_state(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """V_m ~ N(-65, 5) mV, g_ex ~ N(40, 15) nS, g_in ~ N(200, 120) nS drawn
    exactly as benchmarks/peers/nest_coba.py does (numpy default_rng(seed))."""
    rng = np.random.default_rng(seed)
    v = -60.0 + (rng.standard_normal(n) * 5.0 - 5.0)
    ge = (rng.standard_normal(n) * 1.5 + 4.0) * 10.0
    gi = (rng.standard_normal(n) * 12.0 + 20.0) * 10.0
    return v, ge, gi


def coba(n: int = 4000, dt: float = 0.1, seed: int = 12345,
         model: str = "iaf_cond_exp") -> tuple[Simulator, dict[str, NodeCollection]]:
    """Vogels & Abbott (2005) / Brette et al. (2007) benchmark 1 with iaf_cond_exp,
    as benchmarks/peers/nest_coba.py (same initial states for the same seed).
    ``model``: "iaf_cond_exp" (NEST's adaptive RKF45) or "iaf_cond_exp_heun"
    (brainc's fixed-step variant). Returns (simulator, {"all": spike recorder})."""
    NE = int(round(0.8 * n))
    sim = Simulator(dt=dt, seed=seed, name=f"coba{n}")
    pop = sim.create(model, n, {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0,
                                         "V_reset": -60.0, "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0,
                                         "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 0.0}, label="neurons")
    v, ge, gi = coba_initial_state(n, seed)
    pop.set(V_m=v, g_ex=ge, g_in=gi)
    rec = sim.create("spike_recorder", label="spikes")
    sim.connect(pop, rec)
    conn: dict[str, Any] = {"rule": "pairwise_bernoulli", "p": 0.02}
    sim.connect(pop[:NE], pop, conn, syn_spec={"synapse_model": "static_synapse", "weight": 6.0, "delay": dt})
    sim.connect(pop[NE:], pop, conn, syn_spec={"synapse_model": "static_synapse", "weight": -67.0, "delay": dt})
    return sim, {"all": rec}
