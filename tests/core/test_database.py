"""The brain database: format, round trip, determinism, refusal of foreign files."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from brainc import database as dbio
from brainc.compiler import compile_ir, compile_recipe
from brainc.errors import DatabaseError

from .conftest import ROOT

IZH = ROOT / "recipes" / "izhikevich2003.yaml"


def test_round_trip_and_provenance(tmp_path: Path) -> None:
    brain = compile_ir(IZH)
    path = dbio.write_atomic(brain, tmp_path / "b.db")
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == dbio.APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == dbio.FORMAT_VERSION
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["seed"] == "1" and meta["compiler_version"] and len(meta["recipe_sha256"]) == 64
    assert "izhikevich" in meta["recipe"]
    # relational tables answer questions directly
    assert con.execute("SELECT SUM(count) FROM projections").fetchone()[0] == 1_000_000
    assert dict(con.execute("SELECT synapse, synapses FROM synapse_mix")) == {"fixed": 1_000_000}
    con.close()
    back = dbio.read(path)
    assert [p.name for p in back.populations] == ["exc", "inh"]
    for a, b in zip(brain.projections, back.projections):
        a.sort_by_pre()
        assert np.array_equal(a.pre_idx, b.pre_idx) and np.array_equal(a.post_idx, b.post_idx)
        assert np.array_equal(a.weight, b.weight) and np.array_equal(a.delay, b.delay)
    c_orig = brain.population("exc").params["c"]
    assert np.array_equal(back.population("exc").params["c"], c_orig)
    assert back.population("inh").params["c"] == -65.0  # homogeneous stored once


def test_same_recipe_and_seed_same_content(tmp_path: Path) -> None:
    a = compile_recipe(IZH, tmp_path / "a.db")
    b = compile_recipe(IZH, tmp_path / "b.db")
    c = compile_recipe(IZH, tmp_path / "c.db", seed=2)
    assert dbio.content_hash(a) == dbio.content_hash(b)
    assert dbio.content_hash(a) != dbio.content_hash(c)


def test_chunked_arrays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbio, "CHUNK_BYTES", 1000)
    con = sqlite3.connect(tmp_path / "x.db")
    con.executescript(dbio.SCHEMA)
    x = np.random.default_rng(0).normal(size=(77, 33))
    aid = dbio.put_array(con, "o", "x", x)
    assert con.execute("SELECT COUNT(*) FROM array_chunks WHERE array_id=?", (aid,)).fetchone()[0] > 10
    assert np.array_equal(dbio.get_array(con, aid), x)


@pytest.mark.parametrize("kind", ["missing", "text", "foreign", "newer", "corrupt"])
def test_bad_databases_are_refused(tmp_path: Path, kind: str) -> None:
    p = tmp_path / "bad.db"
    if kind == "text":
        p.write_text("hello")
    elif kind == "foreign":
        sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit()
    elif kind == "newer":
        compile_recipe(IZH, p)
        con = sqlite3.connect(p)
        con.execute(f"PRAGMA user_version={dbio.FORMAT_VERSION + 1}")
        con.commit()
        con.close()
    elif kind == "corrupt":
        compile_recipe(IZH, p)
        data = bytearray(p.read_bytes())
        data[4096:8192] = b"\xff" * 4096
        p.write_bytes(bytes(data))
    with pytest.raises(DatabaseError) as exc:
        dbio.read(p)
    assert str(p) in str(exc.value)


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    brain = compile_ir(IZH)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dbio, "put_array", boom)
    with pytest.raises(RuntimeError):
        dbio.write_atomic(brain, tmp_path / "x.db")
    assert list(tmp_path.iterdir()) == []
