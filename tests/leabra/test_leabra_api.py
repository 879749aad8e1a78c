"""The Leabra7-style API: construction, clamping, phases, observations, logs,
errors and the recipe dictionary."""
from __future__ import annotations

import json

import numpy as np
import pytest

import brainc.leabra as lb
from runtime.models.leabra import LeabraUnit
from runtime.synapses.xcal import XCAL


def col(table, name):
    return np.asarray(table[name])


def nrows(table):
    return len(next(iter(table.values()))) if isinstance(table, dict) else len(table)


def two_neurons():
    """Leabra7 appendix B.1: one clamped input unit driving one output unit."""
    net = lb.Net()
    spec = lb.LayerSpec(log_on_cycle=("unit_v_m", "unit_act", "unit_i_net", "unit_net", "unit_gc_i",
                                      "unit_adapt", "unit_spike", "avg_act"))
    net.new_layer(name="input", size=1, spec=spec)
    net.new_layer(name="output", size=1, spec=spec)
    net.new_projn(name="proj1", pre="input", post="output", spec=lb.ProjnSpec(dist=lb.Scalar(0.5)))
    return net


def test_two_neuron_example_logs():
    net = two_neurons()
    net.clamp_layer(name="input", acts=[1])
    for _ in range(5):
        net.cycle()
    net.cycle(195)
    whole, parts = net.logs(freq="cycle", name="output")
    assert list(col(parts, "time")) == list(range(1, 201))
    assert set(["unit", "v_m", "act", "i_net", "net", "gc_i", "adapt", "spike", "time"]) <= set(
        parts.keys() if isinstance(parts, dict) else parts.columns)
    act = col(parts, "act")
    # the output unit comes on (held down by its own layer's FFFB inhibition)
    assert act[0] < 1e-3 and act[-1] > 0.05
    assert np.all(col(parts, "gc_i")[-10:] > 0.5)
    assert np.allclose(col(whole, "avg_act"), act)  # one unit: layer average = unit
    inp = net.logs("cycle", "input").parts
    assert np.allclose(col(inp, "act"), 0.95)
    net.pause_logging("cycle")
    net.cycle(10)
    assert nrows(net.logs("cycle", "output").parts) == 200
    net.resume_logging()
    net.cycle(3)
    assert list(col(net.logs("cycle", "output").parts, "time"))[-3:] == [211, 212, 213]


def test_observe_tables():
    net = two_neurons()
    obs = net.observe(name="output", attr="unit_act")
    assert list(col(obs, "unit")) == [0] and col(obs, "act")[0] == 0.0
    assert nrows(net.observe("output", "avg_act")) == 1
    w = net.observe("proj1", "conn_wt")
    assert list(col(w, "pre_unit")) == [0] and list(col(w, "post_unit")) == [0]
    assert col(w, "wt")[0] == pytest.approx(0.5)
    assert col(net.observe("proj1", "conn_fwt"), "fwt")[0] == pytest.approx(0.5)
    for attr in ("unit_" + v for v in LeabraUnit.state):
        assert nrows(net.observe("output", attr)) == 1
    for attr in LeabraUnit.group_state:
        assert nrows(net.observe("output", attr)) == 1
    for attr in ("conn_" + v for v in XCAL.state):
        assert nrows(net.observe("proj1", attr)) == 1
    if lb.have_pandas():
        import pandas as pd
        assert isinstance(obs, pd.DataFrame)
    else:
        assert isinstance(obs, dict)


def test_trial_and_epoch_logs():
    net = lb.Net(seed=3)
    net.new_layer("in", 4, lb.LayerSpec(log_on_trial=("unit_act",), log_on_epoch=("avg_act", "cos_diff_avg")))
    net.new_layer("out", 2, lb.LayerSpec(log_on_trial=("unit_act_m", "unit_act_p", "avg_act")))
    net.new_projn("p", "in", "out", lb.ProjnSpec(log_on_trial=("conn_wt",), log_on_epoch=("conn_dwt",)))
    for ep in range(2):
        for x, y in (([1, 0, 1, 0], [1, 0]), ([0, 1, 0, 1], [0, 1])):
            net.clamp_layer("in", x)
            net.minus_phase_cycle(30)
            net.clamp_layer("out", y)
            net.plus_phase_cycle(20)
            net.unclamp_layer("in")
            net.unclamp_layer("out")
            net.learn()
        net.end_epoch()
    w, p = net.logs("trial", "out")
    assert list(col(w, "time")) == [1, 2, 3, 4]
    assert nrows(p) == 8 and list(col(p, "unit"))[:2] == [0, 1]
    acp = col(p, "act_p").reshape(4, 2)
    assert np.allclose(acp, [[0.95, 0], [0, 0.95]] * 2)  # targets clamped in plus
    conn = net.logs("trial", "p").parts
    assert nrows(conn) == 4 * 8
    assert nrows(net.logs("epoch", "p").parts) == 2 * 8
    assert list(col(net.logs("epoch", "in").whole, "time")) == [1, 2]
    assert net.counters == {"cycle": 200, "trial": 4, "epoch": 2, "batch": 0}


def test_phases_and_trial_boundaries():
    net = lb.Net()
    net.new_layer("a", 2)
    net.new_layer("b", 2)
    net.new_projn("ab", "a", "b", lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.9)))
    net.clamp_layer("a", [1, 0])
    net.minus_phase_cycle(40)
    am = col(net.observe("b", "unit_act_m"), "act_m")
    assert am[0] > 0.5 and am[1] < 0.01
    net.clamp_layer("b", [0, 1])
    net.plus_phase_cycle(20)
    ap = col(net.observe("b", "unit_act_p"), "act_p")
    assert np.allclose(ap, [0, 0.95])
    assert np.allclose(col(net.observe("b", "unit_act_dif"), "act_dif"), ap - am)
    assert col(net.observe("b", "is_target"), "is_target")[0] == 1.0   # clamped only in plus
    assert col(net.observe("a", "is_target"), "is_target")[0] == 0.0
    # calling minus_phase_cycle after a plus phase starts a new trial (decay)
    net.unclamp_layer("b")
    net.minus_phase_cycle(0)
    assert np.all(col(net.observe("b", "unit_act"), "act") == 0)
    assert net.counters["trial"] == 1


def test_errors():
    net = lb.Net()
    with pytest.raises(ValueError, match="unknown UnitSpec parameter 'gc_x'"):
        lb.UnitSpec(gc_x=1)
    with pytest.raises(ValueError, match="unknown LayerSpec parameter"):
        lb.LayerSpec(foo=1)
    with pytest.raises(ValueError, match="inhibition_type"):
        lb.LayerSpec(inhibition_type="bogus")
    with pytest.raises(ValueError, match="must be <= 1"):
        lb.UnitSpec(decay=2)
    with pytest.raises(ValueError, match="projn_type"):
        lb.ProjnSpec(projn_type="ring")
    with pytest.raises(ValueError, match="low <= high"):
        lb.Uniform(0.8, 0.2)
    with pytest.raises(ValueError, match="positive integer size"):
        net.new_layer("x", 0)
    net.new_layer("a", 3)
    with pytest.raises(ValueError, match="already used"):
        net.new_layer("a", 3)
    with pytest.raises(ValueError, match="unknown post layer 'zz'"):
        net.new_projn("p", "a", "zz")
    with pytest.raises(ValueError, match="cannot log unknown attribute"):
        net.new_layer("b", 2, lb.LayerSpec(log_on_cycle=("unit_bogus",)))
    with pytest.raises(ValueError, match="has 3 units but 2 clamp values"):
        net.clamp_layer("a", [1, 0])
    with pytest.raises(RuntimeError, match="after the network has started running"):
        net.new_layer("c", 2)
    with pytest.raises(ValueError, match="no layer or projection named"):
        net.observe("nope", "unit_act")
    with pytest.raises(ValueError, match="has no attribute"):
        net.observe("a", "unit_bogus")
    with pytest.raises(ValueError, match="unknown log frequency"):
        net.logs("minute", "a")
    with pytest.raises(ValueError, match="network name"):
        lb.Net(name="a b")


def test_recipe_dict():
    net = lb.Net(seed=11, name="rd")
    us = lb.UnitSpec(gc_l=0.2, spk_thr=0.45)
    net.new_layer("in", 4, lb.LayerSpec(unit_spec=us))
    net.new_layer("hid", 3, lb.LayerSpec(inhibition_type="kwta", kwta_pct=0.34, log_on_trial=("unit_act",)))
    net.new_projn("ih", "in", "hid", lb.ProjnSpec(dist=lb.Gaussian(0.5, 0.01), sparsity=0.5, lrate=0.02))
    net.new_projn("hi", "hid", "in", lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.3),
                                                  inhibitory=True, sig_offset=1.2, sym=False))
    r = net.to_recipe_dict()
    json.dumps(r)  # plain data
    assert r["name"] == "rd" and r["seed"] == 11 and set(r) == {"name", "seed", "leabra"}
    lay = {d["name"]: d for d in r["leabra"]["layers"]}
    # only values that differ from the model defaults, by P / G row name
    assert lay["in"] == {"name": "in", "size": 4, "unit": {"gbar_l": 0.2, "thr": 0.45}}
    assert lay["hid"] == {"name": "hid", "size": 3, "layer": {"inhib_type": 1.0, "kwta_pct": 0.34}}
    pj = {d["name"]: d for d in r["leabra"]["projections"]}
    assert pj["ih"] == {"name": "ih", "from": "in", "to": "hid", "pattern": "sparse", "p": 0.5,
                        "weight": {"dist": "normal", "mean": 0.5, "std": pytest.approx(0.1)},
                        "params": {"lrate": 0.02}}
    assert pj["hi"] == {"name": "hi", "from": "hid", "to": "in", "pattern": "one_to_one", "weight": 0.3,
                        "receptor": "inh", "sym": False, "params": {"sig_off": 1.2}}
    # it is a valid recipe, and the API's specs come back from it
    back = lb.Net.from_recipe(r)
    assert back.to_recipe_dict() == r
    assert back._layers["hid"].spec.inhibition_type == "kwta"
    assert back._projns["hi"].spec.inhibitory and back._projns["hi"].spec.sig_offset == 1.2


def test_arrays_are_the_runtime_layout():
    net = lb.Net()
    net.new_layer("a", 3)
    net.new_layer("b", 2)
    net.new_projn("ab", "a", "b")
    net.new_projn("ba", "b", "a", lb.ProjnSpec(inhibitory=True))
    arr = net.arrays()
    rt = arr["network"]
    assert arr["P"] is rt.blocks[0].P and arr["S"] is rt.blocks[0].S
    assert arr["P"].shape == (len(LeabraUnit.params), 5)
    assert arr["S"].shape == (len(LeabraUnit.state), 5)
    assert arr["G"].shape == (2, len(LeabraUnit.group_params))
    assert arr["L"].shape == (2, len(LeabraUnit.group_state))
    assert list(arr["seg"]) == [0, 3, 5] and arr["layers"] == {"a": (0, 3), "b": (3, 5)}
    g = arr["projections"]["ab"]
    pw = rt.pathways[g["pathway"]]
    assert pw.model is XCAL and pw.receptor == 0
    assert list(pw.indptr) == [0, 2, 4, 6, 6, 6]  # CSR over the block, pre-major
    assert list(pw.post_idx[g["synapses"]]) == [3, 4, 3, 4, 3, 4]
    assert list(pw.delay) == [1] * 6
    inh = rt.pathways[arr["projections"]["ba"]["pathway"]]
    assert inh is not pw and inh.receptor == 1  # inhibitory projections: their own pathway
    assert pw.S.shape == (len(XCAL.state), 6) and pw.P.shape == (len(XCAL.params), 6)
