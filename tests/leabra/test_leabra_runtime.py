"""brainc.leabra on the product path: recipe -> compiler -> database -> runtime.

The API lowers through the same code as ``brainc compile`` (same database
content), shipped Leabra recipes compile and free-run under ``brainrun``, and a
network checkpointed mid-training resumes to identical weights.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import brainc.leabra as lb
from brainc import database as dbio
from brainc.cli import main as brainc_main
from brainc.errors import RecipeError
from runtime.cli import main as brainrun_main

sys.path.insert(0, str(Path(__file__).resolve().parent))
import leabra_tasks as T  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "recipes" / "leabra"


def _varied_net(name: str = "varied") -> lb.Net:
    """Every lowering feature: unit/layer params, sparse, one-to-one, Gaussian,
    scalar, inhibitory, no-sym, per-projection parameters, a self projection."""
    net = lb.Net(seed=7, name=name)
    net.new_layer("in", 12, lb.LayerSpec(unit_spec=lb.UnitSpec(gc_l=0.2, act_fun="nxx1_conv")))
    net.new_layer("hid", 9, lb.LayerSpec(inhibition_type="kwta", kwta_pct=0.3, act_avg_fixed=True))
    net.new_layer("out", 4)
    net.new_projn("ih", "in", "hid", lb.ProjnSpec(sparsity=0.6, dist=lb.Gaussian(0.5, 0.09), lrate=0.03))
    net.new_projn("ho", "hid", "out", lb.ProjnSpec(norm=False))
    net.new_projn("oh", "out", "hid", lb.ProjnSpec(wt_scale_rel=0.2))
    net.new_projn("hh", "hid", "hid", lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.4),
                                                   inhibitory=True, sym=False))
    net.new_projn("oi", "out", "in", lb.ProjnSpec(sym=False, dist=lb.Uniform(0.1, 0.2)))
    return net


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_brainc_compile_of_the_written_recipe_is_the_api_database(tmp_path, suffix):
    net = _varied_net()
    recipe = net.write_recipe(tmp_path / f"{net.name}{suffix}")
    res = CliRunner().invoke(brainc_main, ["compile", str(recipe), "-o", str(tmp_path / "cli.db")])
    assert res.exit_code == 0, res.output
    api = net.compile(tmp_path / "api.db")
    if suffix == ".yaml":
        assert dbio.content_hash(tmp_path / "cli.db") == dbio.content_hash(api)
    # the brain itself is the same either way (the file name is only provenance)
    a, b = dbio.read(tmp_path / "cli.db"), dbio.read(api)
    assert [p.name for p in a.populations] == [p.name for p in b.populations] == ["in", "hid", "out"]
    for pa, pb in zip(a.projections, b.projections):
        assert pa.name == pb.name and pa.receptor == pb.receptor and pa.params == pb.params
        assert np.array_equal(pa.weight, pb.weight) and np.array_equal(pa.pre_idx, pb.pre_idx)
    # ... and it is what the running network holds
    w_ho = net.weights("ho")
    pr = next(p for p in a.projections if p.name == "ho")
    assert np.array_equal(w_ho[pr.pre_idx, pr.post_idx], pr.weight)


def test_lowering_semantics():
    brain = _varied_net().brain()
    pr = {p.name: p for p in brain.projections}
    assert brain.populations[0].params == {"gbar_l": 0.2, "act_fun": 2.0}
    assert brain.populations[1].group_params == {"inhib_type": 1.0, "kwta_pct": 0.3, "act_avg_fixed": 1.0}
    for p in pr.values():
        assert p.synapse == "xcal" and np.all(p.delay == 1)
        assert np.all((p.weight >= 0) & (p.weight <= 1))  # Gaussian draws clipped
        key = p.pre_idx.astype(np.int64) * 100 + p.post_idx
        assert np.all(np.diff(key) > 0)  # pre-major, ascending post within a row
    assert 0.45 < pr["ih"].count / (12 * 9) < 0.75  # sparse, p = 0.6
    assert pr["hh"].count == 9 and pr["hh"].receptor == 1 and np.all(pr["hh"].weight == 0.4)
    assert pr["ih"].params == {"lrate": 0.03} and pr["oh"].params == {"wt_scale_rel": 0.2}
    # InitWtSym: out -> hid takes hid -> out's weights (both sym); out -> in does not
    W_ho = np.zeros((9, 4))
    W_ho[pr["ho"].pre_idx, pr["ho"].post_idx] = pr["ho"].weight
    W_oh = np.zeros((4, 9))
    W_oh[pr["oh"].pre_idx, pr["oh"].post_idx] = pr["oh"].weight
    assert np.array_equal(W_oh, W_ho.T)
    assert np.all((pr["oi"].weight >= 0.1) & (pr["oi"].weight < 0.2))


def test_lowering_errors_name_the_recipe_path(tmp_path):
    from brainc.compiler import compile_ir

    def recipe(leabra: dict) -> Path:
        p = tmp_path / "r.json"
        p.write_text(json.dumps({"name": "r", "leabra": leabra}))
        return p

    layers = [{"name": "a", "size": 3}, {"name": "b", "size": 2}]
    cases = [
        ({"layers": [{"name": "a", "size": 3, "unit": {"gx": 1}}]}, r"leabra.layers\[0\].unit.gx: unknown unit"),
        ({"layers": [{"name": "a", "size": 3, "unit": {"decay": 2}}]}, r"leabra.layers\[0\].unit.decay: must be <= 1"),
        ({"layers": [{"name": "a", "size": 3, "layer": {"nope": 1}}]}, r"layers\[0\].layer.nope: unknown layer"),
        ({"layers": layers, "projections": [{"from": "a", "to": "c"}]}, r"projections\[0\].to: unknown leabra layer"),
        ({"layers": layers, "projections": [{"from": "a", "to": "b", "params": {"lrate": -1}}]},
         r"projections\[0\].params.lrate: must be >= 0"),
        ({"layers": layers, "projections": [{"from": "a", "to": "b", "weight": [0.5, 0.5]}]},
         r"projections\[0\].weight: expected 6 values"),
        ({"layers": layers, "projections": [{"from": "a", "to": "b"}, {"from": "a", "to": "b"}]},
         r"projections\[1\].name: duplicate projection name 'a->b'"),
    ]
    for sec, msg in cases:
        with pytest.raises(RecipeError, match=msg):
            compile_ir(recipe(sec))


def test_shipped_recipes_are_the_task_networks(tmp_path):
    for name, net in (("hidden_task", T.build_err_hidden(0, name="hidden_task")),
                      ("iris", T.build_iris_net(40, 3, 23, seed=0, name="iris"))):
        res = CliRunner().invoke(brainc_main, ["compile", str(RECIPES / f"{name}.yaml"),
                                               "-o", str(tmp_path / f"{name}.db")])
        assert res.exit_code == 0, res.output
        assert dbio.content_hash(tmp_path / f"{name}.db") == dbio.content_hash(net.compile(tmp_path / "api.db"))
        assert lb.Net.from_recipe(RECIPES / f"{name}.yaml").to_recipe_dict() == net.to_recipe_dict()


def test_brainrun_free_runs_leabra_recipes(tmp_path):
    r = CliRunner()
    for name in ("hidden_task", "iris"):
        db = tmp_path / f"{name}.db"
        res = r.invoke(brainc_main, ["compile", str(RECIPES / f"{name}.yaml"), "-o", str(db)])
        assert res.exit_code == 0, res.output
        res = r.invoke(brainrun_main, [str(db), "--ticks", "100", "--json"])
        assert res.exit_code == 0, res.output
        out = json.loads(res.output.strip().splitlines()[-1])
        assert out["ticks"] == 100 and out["t_end"] == 100


def test_recipe_network_learns_the_hidden_task():
    net = lb.Net.from_recipe(RECIPES / "hidden_task.yaml")
    res = T.train_until_solved(net, T.EH_X, T.EH_Y, max_epochs=300, minus=50, plus=20)
    assert res["solved"], res["losses"][-5:]


def _train(net: lb.Net, order: list[int], X: np.ndarray, Y: np.ndarray) -> None:
    for k in order:
        T.trial(net, X[k], Y[k], 30, 15)


def test_checkpoint_resume_mid_training_gives_identical_weights(tmp_path):
    X, Y = T.EH_X, T.EH_Y
    rng = np.random.default_rng(3)
    before, after = list(rng.integers(0, 4, 12)), list(rng.integers(0, 4, 12))

    def fresh() -> lb.Net:
        net = T.build_err_hidden(1)
        _train(net, before, X, Y)
        net.clamp_layer("input", X[0])
        net.minus_phase_cycle(30)  # stop mid-trial: the checkpoint holds an open trial
        return net

    a = fresh()
    ck = a.checkpoint(tmp_path / "mid.ckpt")
    a.clamp_layer("output", Y[0])
    a.plus_phase_cycle(15)
    a.learn()
    _train(a, after, X, Y)

    b = lb.Net.resume(ck)
    assert b.counters == {"cycle": 12 * 45 + 30, "trial": 12, "epoch": 0, "batch": 0}
    b.clamp_layer("output", Y[0])
    b.plus_phase_cycle(15)
    b.learn()
    _train(b, after, X, Y)
    for name in ("input_to_hidden", "hidden_to_output", "output_to_hidden"):
        assert np.array_equal(a.weights(name), b.weights(name)), name
    assert np.array_equal(a.S, b.S) and np.array_equal(a.L, b.L)
    assert a.counters == b.counters and a.network.t == b.network.t

    # a plain runtime checkpoint reader continues it too
    import runtime

    rt = runtime.resume(ck)
    assert rt.t == b.network.t - (15 + 1 + len(after) * 47)
    with pytest.raises(ValueError, match="not a brainc.leabra checkpoint"):
        lb.Net.resume(_varied_net().compile(tmp_path / "plain.db"))


def test_cycle_logging_only_steps_when_requested(monkeypatch):
    # the default path runs a whole phase per runtime call
    for log in ((), ("unit_act",)):
        net = T.build_err_hidden(0)
        net._layers["output"].spec.log_on_cycle = log
        net.cycle(0)
        net.end_trial()
        calls: list[int] = []
        orig = net.network.run
        monkeypatch.setattr(net.network, "run", lambda n, *a, **k: (calls.append(n), orig(n, *a, **k))[1])
        T.trial(net, T.EH_X[0], T.EH_Y[0], 50, 20)
        if not log:
            assert calls == [51, 20, 1]  # send-only tick + minus phase, plus phase, learning tick
        else:
            assert calls == [1] * 72  # cycle logs: one tick per call
            assert len(net.logs("cycle", "output").parts["act"]) == 2 * 70
