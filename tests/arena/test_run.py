"""Arena runs: brainrun CLI end to end, reproducibility, checkpoint/resume,
parallel seeds, compile-on-demand of the default brain (small test brain)."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import runtime
from arena.coupling import attach_arena
from arena.run import ensure_db, run_arena, run_many
from brainc import compiler
from brainc.compiler import compile_recipe
from runtime.cli import main as brainrun

DATA = Path(__file__).parent / "data"
RECIPE = DATA / "worm_min.yaml"


@pytest.fixture(scope="module")
def worm_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_recipe(RECIPE, out=tmp_path_factory.mktemp("worm") / "worm_min.db")


@pytest.fixture
def default_brain(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the 'no DB' default at the small test recipe and brains/ at tmp."""
    monkeypatch.setenv("BRAINC_ARENA_RECIPE", str(RECIPE))
    monkeypatch.setattr(compiler, "BRAINS_DIR", tmp_path / "brains")
    return tmp_path / "brains"


def test_brainrun_without_db_runs_the_default_arena_brain(default_brain: Path, tmp_path: Path) -> None:
    png, npz = tmp_path / "run.png", tmp_path / "traj.npz"
    res = CliRunner().invoke(brainrun, ["--ticks", "2000", "--seed", "4", "--json", "--plot", str(png),
                                        "--trajectory", str(npz)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["brain"] == "worm_min" and out["ticks"] == 2000 and out["learn"] is True
    (seed,) = out["seeds"]
    assert seed["seed"] == 4 and seed["ticks"] == 2000
    for key in ("ci", "d_start", "d_end", "mean_distance", "frac_near", "speed_mm_s", "ticks_per_s"):
        assert np.isfinite(seed[key])
    assert out["summary"]["ci"]["mean"] == pytest.approx(seed["ci"], abs=1e-6)
    assert (default_brain / "worm_min_s3.db").is_file()  # compiled on first use
    assert png.stat().st_size > 10_000
    z = np.load(npz)
    assert z["trajectory"].shape == (1, 2000 // 10 + 1, len(z["columns"]))
    assert z["metric_ci"][0] == pytest.approx(seed["ci"], abs=1e-6)


def test_brainrun_table_output_and_no_learn(default_brain: Path, tmp_path: Path, worm_db: Path) -> None:
    res = CliRunner().invoke(brainrun, [str(worm_db), "--arena", "--ticks", "1500", "--no-learn",
                                        "--plot", str(tmp_path / "p.png")])
    assert res.exit_code == 0, res.output
    assert "learning off" in res.output and "CI" in res.output and "picture:" in res.output


def test_brainrun_reports_missing_db_and_bad_ticks(default_brain: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(brainrun, [str(tmp_path / "nope.db"), "--arena", "--ticks", "10"])
    assert res.exit_code == 1 and "no such brain database" in res.output
    res = CliRunner().invoke(brainrun, ["--ticks", "0"])
    assert res.exit_code == 1 and "--ticks" in res.output


def test_same_seed_same_run_other_seed_other_run(worm_db: Path) -> None:
    a = run_arena(worm_db, seed=5, ticks=1500)
    b = run_arena(worm_db, seed=5, ticks=1500)
    c = run_arena(worm_db, seed=6, ticks=1500)
    assert np.array_equal(a["trajectory"], b["trajectory"]) and a["ci"] == b["ci"]
    assert not np.array_equal(a["trajectory"], c["trajectory"])


def test_checkpoint_resume_gives_identical_trajectory(worm_db: Path, tmp_path: Path) -> None:
    ref = runtime.load(worm_db, seed=3)
    env_ref = attach_arena(ref, seed=3, ticks=3000)
    ref.run(3000)

    net = runtime.load(worm_db, seed=3)
    attach_arena(net, seed=3, ticks=1700)
    net.run(1700)
    ck = net.checkpoint(tmp_path / "arena.ckpt")
    back = runtime.resume(ck)
    env = attach_arena(back, ticks=1300)  # continues from the stored arena state
    back.run(1300)
    assert back.t == 3000
    assert np.array_equal(env.trajectory(), env_ref.trajectory())
    assert np.array_equal(env.body_state, env_ref.body_state)
    assert env.metrics() == env_ref.metrics()
    t1, u1 = ref.spikes()
    t2, u2 = back.spikes()
    assert np.array_equal(t1, t2) and np.array_equal(u1, u2)


def test_parallel_seeds_match_serial_runs(worm_db: Path) -> None:
    par = run_many(worm_db, [1, 2], ticks=1000, workers=2, progress=False)
    ser = [run_arena(worm_db, s, 1000) for s in (1, 2)]
    assert [r["seed"] for r in par] == [1, 2]
    for p, s in zip(par, ser):
        assert np.array_equal(p["trajectory"], s["trajectory"])
    assert "spike_t" in par[0] and "spike_t" not in par[1]


def test_default_brain_is_recompiled_only_when_stale(tmp_path: Path) -> None:
    rec = tmp_path / "worm.yaml"
    shutil.copy(RECIPE, rec)
    out = tmp_path / "brains"
    db = ensure_db(rec, out, quiet=True)
    assert db == out / "worm_min_s3.db"
    stamp = db.stat().st_mtime_ns
    time.sleep(0.01)
    assert ensure_db(rec, out, quiet=True) == db and db.stat().st_mtime_ns == stamp  # fresh: kept
    rec.write_text(rec.read_text().replace("weight: 8,", "weight: 9,"))
    ensure_db(rec, out, quiet=True)
    assert db.stat().st_mtime_ns != stamp  # recipe changed: recompiled
    net = runtime.load(db)
    pre, post, w = net.weights("steer_l")
    assert np.all(w == 9.0)


def test_reference_klinokinesis_worm_climbs_the_gradient(tmp_path: Path) -> None:
    """worm_chemo (OFF cells -> turning) reaches the food; worm_min (same
    locomotion, no chemosensory pathway) does not."""
    chemo = compile_recipe(DATA / "worm_chemo.yaml", out=tmp_path / "chemo.db")
    blind = compile_recipe(RECIPE, out=tmp_path / "blind.db")
    ci_chemo = [run_arena(chemo, s, 20_000)["ci"] for s in range(3)]
    ci_blind = [run_arena(blind, s, 20_000)["ci"] for s in range(3)]
    assert min(ci_chemo) > 0.3 and np.mean(ci_chemo) > 0.45
    assert np.mean(ci_chemo) > np.mean(ci_blind) + 0.3
