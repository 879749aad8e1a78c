"""The brainc.nest API: NEST-style creation, connection rules and their
errors, recorders, get/set of connections, fresh vs continued runs, and
to_recipe round trips through the compiler."""
from __future__ import annotations

import numpy as np
import pytest

from brainc.errors import BraincError
from brainc.nest import NestError, Simulator, random


def _spiking_net(seed: int = 3) -> tuple[Simulator, dict]:
    sim = Simulator(dt=0.1, seed=seed)
    ex = sim.create("iaf_psc_alpha", 40, {"I_e": random.uniform(300.0, 420.0), "V_m": random.normal(-65.0, 3.0)})
    inh = sim.create("iaf_psc_exp", 10, {"I_e": 360.0})
    pg = sim.create("poisson_generator", params={"rate": 8000.0})
    sr = sim.create("spike_recorder")
    sim.connect(pg, ex + inh, weight=5.0, delay=1.0)
    sim.connect(ex, ex + inh, {"rule": "fixed_indegree", "indegree": 8}, weight=20.0, delay=random.uniform(1.0, 3.0))
    sim.connect(inh, ex, {"rule": "pairwise_bernoulli", "p": 0.3}, weight=-60.0, delay=1.5)
    sim.connect(ex + inh, sr)
    return sim, {"ex": ex, "inh": inh, "sr": sr}


def test_node_ids_slicing_and_get() -> None:
    sim = Simulator()
    a = sim.create("iaf_psc_alpha", 5, {"tau_m": 12.0})
    sr = sim.create("spike_recorder")
    b = sim.create("izhikevich", 3, [{"a": 0.02}, {"a": 0.03}, {"a": 0.1}])
    assert a.tolist() == [1, 2, 3, 4, 5] and sr.tolist() == [6] and b.tolist() == [7, 8, 9]
    assert a[1:3].tolist() == [2, 3] and len(a + b) == 8
    assert a.get("tau_m").tolist() == [12.0] * 5
    assert b[2].get("a") == 0.1
    a[0:2].set(tau_m=15.0)
    assert a.get("tau_m").tolist() == [15.0, 15.0, 12.0, 12.0, 12.0]
    assert sim.get_defaults("iaf_psc_alpha")["C_m"] == 250.0


def test_unknown_model_and_parameter() -> None:
    sim = Simulator()
    with pytest.raises(NestError, match="unknown model"):
        sim.create("iaf_nonexistent")
    with pytest.raises(NestError, match="unknown parameter 'tau'"):
        sim.create("iaf_psc_alpha", params={"tau": 1.0})
    n = sim.create("iaf_psc_alpha", 2)
    with pytest.raises(NestError, match="unknown parameter 'tau_pluss'"):
        sim.connect(n, n, syn_spec={"synapse_model": "stdp_synapse", "tau_pluss": 3.0})
    with pytest.raises(NestError, match="volume_transmitter"):
        sim.connect(n, n, syn_spec={"synapse_model": "stdp_dopamine_synapse"})


def test_connection_rule_errors_are_nests() -> None:
    sim = Simulator()
    a = sim.create("iaf_psc_delta", 5)
    b = sim.create("iaf_psc_delta", 3)
    with pytest.raises(NestError, match="one_to_one needs equal sizes"):
        sim.connect(a, b, "one_to_one")
    with pytest.raises(NestError, match="indegree 6 exceeds the 5 available sources"):
        sim.connect(a, b, {"rule": "fixed_indegree", "indegree": 6, "allow_multapses": False})
    with pytest.raises(NestError, match="outdegree 3 exceeds the 2 available targets"):
        sim.connect(b, b, {"rule": "fixed_outdegree", "outdegree": 3, "allow_multapses": False,
                           "allow_autapses": False})
    with pytest.raises(NestError, match="16 synapses exceed the 15 possible pairs"):
        sim.connect(a, b, {"rule": "fixed_total_number", "N": 16, "allow_multapses": False})
    sim.connect(a, b, {"rule": "fixed_total_number", "N": 15, "allow_multapses": False})
    assert len(sim.get_connections(a, b)) == 15
    with pytest.raises(BraincError):
        sim.connect(a, b, {"rule": "no_such_rule"})


def test_rules_make_the_right_counts() -> None:
    sim = Simulator(seed=5)
    a = sim.create("iaf_psc_delta", 20)
    b = sim.create("iaf_psc_delta", 10)
    sim.connect(a, b, "all_to_all", weight=np.arange(200.0).reshape(10, 20))
    sim.connect(a[:10], b, "one_to_one", weight=2.0)
    sim.connect(a, b, {"rule": "fixed_indegree", "indegree": 4})
    sim.connect(a, b, {"rule": "fixed_outdegree", "outdegree": 3, "allow_multapses": False})
    sim.connect(a, b, {"rule": "fixed_total_number", "N": 17})
    sim.connect(a, a, {"rule": "pairwise_bernoulli", "p": 1.0}, allow_autapses=False)
    assert len(sim.get_connections(a, b)) == 200 + 10 + 40 + 60 + 17
    c = sim.get_connections(a, a)
    assert len(c) == 380 and np.all(c.get("source") != c.get("target"))
    # NEST's all_to_all weight matrix is (len(post), len(pre))
    conns = sim.get_connections(a[3], b[7], synapse_model="static_synapse")
    assert 7 * 20 + 3 in conns.get("weight").tolist()
    out = sim.get_connections(a[0])
    src = out.get("source")
    assert np.all(src == 1)


def test_negative_weights_route_to_inhibitory_input() -> None:
    sim = Simulator()
    n = sim.create("iaf_psc_exp")
    sg = sim.create("spike_generator", params={"spike_times": [5.0]})
    sim.connect(sg, n, weight=-300.0)
    mm = sim.create("multimeter", params={"record_from": ["I_syn_ex", "I_syn_in"]})
    sim.connect(mm, n)
    res = sim.simulate(10.0)
    assert res.trace(mm, "I_syn_ex")[1].max() == 0.0
    assert res.trace(mm, "I_syn_in")[1].min() == -300.0


def test_simulate_is_fresh_and_cont_continues() -> None:
    sim, nodes = _spiking_net()
    t1, s1 = sim.simulate(100.0).spikes(nodes["sr"])
    t2, s2 = sim.simulate(100.0).spikes(nodes["sr"])
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(s1, s2)
    sim.simulate(60.0)
    t3, s3 = sim.cont(40.0).spikes(nodes["sr"])
    np.testing.assert_array_equal(t1, t3)
    np.testing.assert_array_equal(s1, s3)
    assert t1.size > 50


def test_set_weights_and_read_back() -> None:
    sim, nodes = _spiking_net()
    conns = sim.get_connections(nodes["inh"], nodes["ex"])
    n = len(conns)
    assert n > 0 and np.all(conns.get("weight") == -60.0)
    assert np.all(conns.get("delay") == 1.5)
    conns.set(weight=np.linspace(-1.0, -2.0, n))
    np.testing.assert_allclose(sim.get_connections(nodes["inh"], nodes["ex"]).get("weight"), np.linspace(-1, -2, n))
    res = sim.simulate(20.0)
    live = sim.get_connections(nodes["inh"], nodes["ex"])
    np.testing.assert_allclose(live.get("weight"), np.linspace(-1.0, -2.0, n))
    live.set(weight=-5.0)
    assert np.all(sim.get_connections(nodes["inh"], nodes["ex"]).get("weight") == -5.0)
    assert res.time == 20.0


def test_recorders_windows_and_rates() -> None:
    sim = Simulator()
    n = sim.create("iaf_psc_alpha", 3, {"I_e": 376.0})
    all_sr = sim.create("spike_recorder")
    late = sim.create("spike_recorder", params={"start": 100.0, "stop": 400.0})
    vm = sim.create("voltmeter", params={"interval": 1.0})
    sim.connect(n, all_sr)
    sim.connect(n[1:], late)
    sim.connect(vm, n[0])
    res = sim.simulate(1000.0)
    t, s = res.spikes(all_sr)
    assert t.size == 48 and res.rate(all_sr) == 16.0
    tl, sl = res.spikes(late)
    assert set(sl.tolist()) == {2, 3} and np.all((tl > 100.0) & (tl <= 400.0))
    tv, v = res.trace(vm)
    assert tv[0] == 1.0 and tv.size == 1000 and v.shape == (1000,)
    ev = res.events(vm)
    assert set(ev) == {"times", "senders", "V_m"}


def test_to_recipe_compiles_to_the_same_brain(tmp_path) -> None:
    from brainc import database as dbio
    from brainc.compiler import compile_recipe

    sim, nodes = _spiking_net()
    pre = sim.create("parrot_neuron", 4)
    post = sim.create("iaf_psc_alpha", 4, {"tau_minus": 25.0})
    sg = sim.create("spike_generator", params={"spike_times": [5.0, 7.5]})
    sim.connect(sg, pre)
    sim.connect(pre, post, "one_to_one", syn_spec={"synapse_model": "stdp_synapse", "weight": 30.0, "lambda": 0.02})
    sim.connect(pre, post, "all_to_all", syn_spec={"synapse_model": "tsodyks2_synapse", "U": 0.2,
                                                   "weight": np.ones((4, 4))})
    sim.get_connections(nodes["inh"], nodes["ex"]).set(weight=-7.0)
    path = tmp_path / "net.yaml"
    recipe = sim.to_recipe(path)
    assert recipe["projections"][-2]["params"]["tau_minus"] == 25.0
    db = compile_recipe(path, tmp_path / "net.db")
    compiled = dbio.read(db)
    ours = sim.brain
    assert [p.name for p in compiled.populations] == [p.name for p in ours.populations]
    for a, b in zip(ours.populations, compiled.populations):
        assert a.model == b.model and a.size == b.size
        for k in a.params:
            np.testing.assert_array_equal(np.asarray(a.params[k]), np.asarray(b.params[k]))
    assert len(compiled.projections) == len(ours.projections)
    for a in ours.projections:
        b = next(x for x in compiled.projections if x.name == a.name)
        # the database stores synapses grouped by pre; compare as sets of rows
        ka = np.lexsort((a.weight, a.delay, a.post_idx, a.pre_idx))
        kb = np.lexsort((b.weight, b.delay, b.post_idx, b.pre_idx))
        for f in ("pre_idx", "post_idx", "delay", "weight"):
            np.testing.assert_array_equal(getattr(a, f)[ka], getattr(b, f)[kb], err_msg=f"{a.name} {f}")
        assert a.receptor == b.receptor and a.synapse == b.synapse
    names = {d.name for d in ours.devices}
    assert names == {d.name for d in compiled.devices}


def test_plastic_weights_restart_fresh() -> None:
    sim = Simulator()
    pre = sim.create("parrot_neuron")
    post = sim.create("parrot_neuron")
    sim.connect(sim_gen(sim, [10.0, 30.0, 50.0]), pre)
    sim.connect(sim_gen(sim, [12.0, 32.0, 52.0]), post)
    sim.connect(pre, post, syn_spec={"synapse_model": "stdp_synapse", "weight": 50.0, "receptor_type": 1})
    sim.simulate(100.0)
    w1 = sim.get_connections(pre, post).get("weight")
    assert w1 > 50.0  # pre before post: potentiation
    sim.simulate(100.0)
    assert sim.get_connections(pre, post).get("weight") == w1


def sim_gen(sim: Simulator, times: list[float]):
    return sim.create("spike_generator", params={"spike_times": times})


def test_dopamine_synapse_via_api_changes_weight() -> None:
    sim = Simulator()
    pre, post, dopa = (sim.create("parrot_neuron") for _ in range(3))
    sim.connect(sim_gen(sim, list(np.arange(10.0, 400.0, 20.0))), pre)
    sim.connect(sim_gen(sim, list(np.arange(13.0, 400.0, 20.0))), post)
    sim.connect(sim_gen(sim, [200.0, 201.0, 202.0]), dopa)
    vt = sim.create("volume_transmitter")
    sim.connect(dopa, vt)
    sim.connect(pre, post, syn_spec={"synapse_model": "stdp_dopamine_synapse", "volume_transmitter": vt,
                                     "weight": 10.0, "receptor_type": 1})
    sim.simulate(400.0)
    c = sim.get_connections(pre, post)
    assert c.get("weight") > 10.0 and c.get("n") > 0.0


def test_recipes_in_repo_compile() -> None:
    from pathlib import Path

    from brainc.compiler import compile_ir

    root = Path(__file__).resolve().parents[2] / "recipes" / "nest"
    brain = compile_ir(root / "coba.yaml")
    assert brain.n_units == 4000 and abs(brain.n_synapses / (0.02 * 4000 ** 2) - 1) < 0.02


@pytest.mark.slow
def test_brunel_recipe_compiles() -> None:
    from pathlib import Path

    from brainc.compiler import compile_ir

    brain = compile_ir(Path(__file__).resolve().parents[2] / "recipes" / "nest" / "brunel.yaml")
    assert brain.n_units == 12500 and brain.n_synapses == 12500 * 1250
