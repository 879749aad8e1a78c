"""The brain database: a self-describing, versioned SQLite file.

Relational tables describe the network (so ``sqlite3 brain.db 'select ...'``
answers questions); bulk per-unit and per-synapse arrays live in ``arrays`` +
``array_chunks`` as raw little-endian bytes in chunks below SQLite's blob limit,
with dtype and shape recorded. Projections are stored CSR by presynaptic unit
(``indptr`` over the pre population, then ``post``, ``weight``, ``delay`` and
per-synapse parameters in the same order). Nothing is ever pickled.

Writing goes to a temporary file in the target folder, then ``os.replace``: a
failed compile never leaves a half-written database behind. See docs/database.md.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .errors import DatabaseError
from .ir import Brain, Device, DeviceTarget, Modulator, Population, Projection, Terminal

APPLICATION_ID = 0x4252414E  # "BRAN"
FORMAT_VERSION = 1
CHUNK_BYTES = 64 * 1024 * 1024  # well under SQLite's default 1 GB blob limit

_DTYPES = {"float64", "float32", "int64", "int32", "int16", "int8", "uint8", "uint16", "uint32", "uint64", "bool"}

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE arrays (
  id INTEGER PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL,
  dtype TEXT NOT NULL, shape TEXT NOT NULL, nbytes INTEGER NOT NULL,
  UNIQUE(owner, name));
CREATE TABLE array_chunks (
  array_id INTEGER NOT NULL REFERENCES arrays(id), seq INTEGER NOT NULL,
  data BLOB NOT NULL, PRIMARY KEY(array_id, seq));
CREATE TABLE populations (
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, model TEXT NOT NULL,
  size INTEGER NOT NULL, first_unit INTEGER NOT NULL,
  origin TEXT NOT NULL, group_params TEXT NOT NULL);
CREATE TABLE parameters (
  owner TEXT NOT NULL, name TEXT NOT NULL, value REAL, array_id INTEGER REFERENCES arrays(id),
  PRIMARY KEY(owner, name));
CREATE TABLE projections (
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
  pre_id INTEGER NOT NULL REFERENCES populations(id),
  post_id INTEGER NOT NULL REFERENCES populations(id),
  synapse TEXT NOT NULL, receptor INTEGER NOT NULL, gate_id INTEGER REFERENCES populations(id),
  storage TEXT NOT NULL, count INTEGER NOT NULL, meta TEXT NOT NULL);
CREATE TABLE terminals (
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
  population_id INTEGER NOT NULL REFERENCES populations(id),
  direction TEXT NOT NULL, size INTEGER NOT NULL, array_id INTEGER NOT NULL REFERENCES arrays(id));
CREATE TABLE devices (
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, model TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE device_targets (
  device_id INTEGER NOT NULL REFERENCES devices(id), seq INTEGER NOT NULL,
  population_id INTEGER NOT NULL REFERENCES populations(id), receptor INTEGER NOT NULL,
  size INTEGER NOT NULL, PRIMARY KEY(device_id, seq));
CREATE TABLE modulators (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, value REAL NOT NULL);
CREATE TABLE extras (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY, started TEXT NOT NULL, backend TEXT NOT NULL,
  ticks INTEGER NOT NULL, info TEXT NOT NULL);
CREATE VIEW synapse_mix AS
  SELECT synapse, COUNT(*) AS projections, SUM(count) AS synapses
  FROM projections GROUP BY synapse;
"""


# ----------------------------------------------------------------------------- arrays

def put_array(con: sqlite3.Connection, owner: str, name: str, arr: np.ndarray) -> int:
    """Store ``arr`` under (owner, name) in chunks; returns its array id."""
    arr = np.ascontiguousarray(arr)
    dt = arr.dtype.name
    if dt not in _DTYPES:
        raise DatabaseError(f"cannot store array {owner}/{name} of dtype {dt}")
    data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    cur = con.execute(
        "INSERT OR REPLACE INTO arrays(owner, name, dtype, shape, nbytes) VALUES (?,?,?,?,?)",
        (owner, name, dt, json.dumps(list(arr.shape)), len(data)),
    )
    aid = int(cur.lastrowid)
    con.execute("DELETE FROM array_chunks WHERE array_id=?", (aid,))
    view = memoryview(data)
    for seq, start in enumerate(range(0, max(len(data), 1), CHUNK_BYTES)):
        con.execute(
            "INSERT INTO array_chunks(array_id, seq, data) VALUES (?,?,?)",
            (aid, seq, bytes(view[start:start + CHUNK_BYTES])),
        )
    return aid


def get_array(con: sqlite3.Connection, array_id: int) -> np.ndarray:
    """Read an array by id (raises DatabaseError if missing or inconsistent)."""
    row = con.execute("SELECT dtype, shape, nbytes FROM arrays WHERE id=?", (array_id,)).fetchone()
    if row is None:
        raise DatabaseError(f"array {array_id} is missing")
    dtype, shape_s, nbytes = row
    if dtype not in _DTYPES:
        raise DatabaseError(f"array {array_id} has unknown dtype {dtype!r}")
    shape = tuple(json.loads(shape_s))
    dt = np.dtype(dtype).newbyteorder("<")
    count = int(np.prod(shape, dtype=np.int64))
    if count * dt.itemsize != nbytes:
        raise DatabaseError(f"array {array_id} has shape {shape} but {nbytes} bytes")
    out = np.empty(count, dtype=dt)  # chunks are copied once, straight into place
    raw = out.view(np.uint8)
    pos = 0
    # incremental BLOB I/O reads ~3x faster than SELECTing the chunk values
    for rowid, size in con.execute(
        "SELECT rowid, length(data) FROM array_chunks WHERE array_id=? ORDER BY seq", (array_id,)
    ).fetchall():
        if pos + size > nbytes:
            raise DatabaseError(f"array {array_id} has more bytes than recorded")
        with con.blobopen("array_chunks", "data", rowid, readonly=True) as blob:
            raw[pos:pos + size] = np.frombuffer(blob.read(), dtype=np.uint8)
        pos += size
    if pos != nbytes:
        raise DatabaseError(f"array {array_id} is truncated ({pos} of {nbytes} bytes)")
    return out.astype(np.dtype(dtype), copy=False).reshape(shape)


def get_named_array(con: sqlite3.Connection, owner: str, name: str) -> np.ndarray | None:
    row = con.execute("SELECT id FROM arrays WHERE owner=? AND name=?", (owner, name)).fetchone()
    return None if row is None else get_array(con, int(row[0]))


def _put_params(con: sqlite3.Connection, owner: str, params: dict[str, Any]) -> None:
    for key, val in params.items():
        if isinstance(val, np.ndarray):
            if val.size and np.all(val == val.flat[0]) and val.dtype.kind == "f":
                con.execute("INSERT INTO parameters VALUES (?,?,?,NULL)", (owner, key, float(val.flat[0])))
            else:
                aid = put_array(con, owner, f"param:{key}", val)
                con.execute("INSERT INTO parameters VALUES (?,?,NULL,?)", (owner, key, aid))
        else:
            con.execute("INSERT INTO parameters VALUES (?,?,?,NULL)", (owner, key, float(val)))


def _get_params(con: sqlite3.Connection, owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value, aid in con.execute(
        "SELECT name, value, array_id FROM parameters WHERE owner=? ORDER BY name", (owner,)
    ):
        out[name] = get_array(con, aid) if aid is not None else float(value)
    return out


# ----------------------------------------------------------------------------- write

def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


from .csr import indptr as csr_indptr  # noqa: E402  (re-exported for the runtime)


def write_into(con: sqlite3.Connection, brain: Brain) -> None:
    """Write ``brain`` into an open, empty connection (schema created here)."""
    con.executescript(SCHEMA)
    con.execute(f"PRAGMA application_id={APPLICATION_ID}")
    con.execute(f"PRAGMA user_version={FORMAT_VERSION}")
    from . import __version__

    meta = {
        "format": "brainc-brain",
        "format_version": str(FORMAT_VERSION),
        "compiler_version": __version__,
        "name": brain.name,
        "seed": str(brain.seed),
        "dt": repr(float(brain.dt)),
        "units": "ms, mV, pA, nS, pF, Hz (NEST-style models); dimensionless elsewhere",
        **brain.meta,
    }
    con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
    offsets = brain.offsets()
    pop_id: dict[str, int] = {}
    for pid, p in enumerate(brain.populations, start=1):
        pop_id[p.name] = pid
        con.execute(
            "INSERT INTO populations VALUES (?,?,?,?,?,?,?)",
            (pid, p.name, p.model, int(p.size), offsets[p.name],
             canonical_json(p.origin), canonical_json(p.group_params)),
        )
        _put_params(con, f"population:{p.name}", p.params)
        if p.positions is not None:
            put_array(con, f"population:{p.name}", "positions", p.positions.astype(np.float32))
        for key, arr in sorted(p.unit_meta.items()):
            put_array(con, f"population:{p.name}", f"meta:{key}", arr)
    for jid, pr in enumerate(brain.projections, start=1):
        owner = f"projection:{pr.name}"
        n_pre = brain.population(pr.pre).size
        pr.sort_by_pre(n_pre)
        con.execute(
            "INSERT INTO projections VALUES (?,?,?,?,?,?,?,?,?,?)",
            (jid, pr.name, pop_id[pr.pre], pop_id[pr.post], pr.synapse, int(pr.receptor),
             pop_id[pr.gate] if pr.gate else None, pr.storage, pr.count, canonical_json(pr.meta)),
        )
        put_array(con, owner, "indptr", csr_indptr(pr.pre_idx.astype(np.int64), n_pre))
        put_array(con, owner, "post", pr.post_idx.astype(np.int32))
        put_array(con, owner, "weight", pr.weight.astype(np.float64))
        put_array(con, owner, "delay", pr.delay.astype(np.int32))
        _put_params(con, owner, pr.params)
    for tid, t in enumerate(brain.terminals, start=1):
        aid = put_array(con, f"terminal:{t.name}", "indices", t.indices.astype(np.int64))
        con.execute("INSERT INTO terminals VALUES (?,?,?,?,?,?)",
                    (tid, t.name, pop_id[t.population], t.direction, int(t.indices.size), aid))
    for did, d in enumerate(brain.devices, start=1):
        con.execute("INSERT INTO devices VALUES (?,?,?,?)", (did, d.name, d.model, canonical_json(d.params)))
        for seq, tg in enumerate(d.targets):
            owner = f"device:{d.name}:{seq}"
            put_array(con, owner, "indices", tg.indices.astype(np.int64))
            put_array(con, owner, "weight", np.asarray(tg.weight, dtype=np.float64))
            put_array(con, owner, "delay", np.asarray(tg.delay, dtype=np.int32))
            con.execute("INSERT INTO device_targets VALUES (?,?,?,?,?)",
                        (did, seq, pop_id[tg.population], int(tg.receptor), int(tg.indices.size)))
    for mid, m in enumerate(brain.modulators, start=1):
        con.execute("INSERT INTO modulators VALUES (?,?,?)", (mid, m.name, float(m.value)))
    for key, val in sorted(brain.extras.items()):
        con.execute("INSERT INTO extras VALUES (?,?)", (key, canonical_json(val)))


def content_hash(path: str | os.PathLike) -> str:
    """sha256 over the network content (tables and arrays, not file layout):
    two compiles of the same recipe and seed give the same hash."""
    con = _open_ro(path)
    try:
        h = hashlib.sha256()
        for table in ("meta", "populations", "parameters", "projections", "terminals",
                      "devices", "device_targets", "modulators", "extras", "arrays"):
            for row in con.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                if table == "meta" and row[0] in ("created",):
                    continue
                h.update(repr(row).encode())
        for (data,) in con.execute("SELECT data FROM array_chunks ORDER BY array_id, seq"):
            h.update(data)
        return h.hexdigest()
    finally:
        con.close()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cannot_write(path: Path, exc: BaseException) -> DatabaseError:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return DatabaseError(f"{path}: cannot write: {why}")


@contextlib.contextmanager
def atomic_sqlite(path: str | os.PathLike) -> Iterator[sqlite3.Connection]:
    """A connection to a temporary file next to ``path``, committed and renamed
    onto ``path`` when the block ends; on any error nothing is left behind.

    The file gets the usual permissions (0666 less the umask), not mkstemp's
    0600. An unwritable place (no such folder, a file where a folder should
    be, a read-only or full file system) is a :class:`DatabaseError`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileExistsError:  # mkdir: a file is in the way
        raise DatabaseError(f"{path}: cannot write: {path.parent} is not a folder") from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            with con:
                yield con
        finally:
            con.close()
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) or (isinstance(exc, sqlite3.OperationalError) and any(
                w in str(exc) for w in ("disk", "full", "readonly", "unable to open"))):
            raise _cannot_write(path, exc) from None
        raise


def write_atomic(brain: Brain, path: str | os.PathLike) -> Path:
    """Write ``brain`` to ``path`` via a temporary file + rename."""
    with atomic_sqlite(path) as con:
        write_into(con, brain)
    return Path(path)


# ----------------------------------------------------------------------------- read

def _open_ro(path: str | os.PathLike) -> sqlite3.Connection:
    p = Path(path)
    if not p.is_file():
        raise DatabaseError(f"{path}: no such brain database")
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise DatabaseError(f"{path}: not a brain database (not an SQLite file)")
    try:
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: corrupt database ({exc})") from None
    if app_id != APPLICATION_ID:
        con.close()
        raise DatabaseError(f"{path}: not a brain database (application_id {app_id:#x})")
    if version > FORMAT_VERSION:
        con.close()
        raise DatabaseError(
            f"{path}: database format {version} is newer than this brainc understands "
            f"({FORMAT_VERSION}); upgrade brainc")
    if version < 1:
        con.close()
        raise DatabaseError(f"{path}: unknown database format {version}")
    return con


def open_db(path: str | os.PathLike) -> sqlite3.Connection:
    """Open a brain database read-only after checking its format."""
    return _open_ro(path)


def read_meta(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta"))


def read(path: str | os.PathLike) -> Brain:
    """Load a brain database into the IR (arrays in memory, CSR expanded back)."""
    con = _open_ro(path)
    try:
        return read_from(con, str(path))
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: corrupt database ({exc})") from None
    finally:
        con.close()


def read_from(con: sqlite3.Connection, label: str = "<db>") -> Brain:
    meta = read_meta(con)
    brain = Brain(name=meta.get("name", ""), seed=int(meta.get("seed", 0)),
                  dt=float(meta.get("dt", 1.0)), meta={k: v for k, v in meta.items()
                                                      if k in ("recipe", "recipe_sha256", "recipe_file")})
    names: dict[int, str] = {}
    sizes: dict[str, int] = {}
    for pid, name, model, size, _first, origin, gparams in con.execute(
        "SELECT id, name, model, size, first_unit, origin, group_params FROM populations ORDER BY id"
    ):
        owner = f"population:{name}"
        names[pid] = name
        sizes[name] = size
        pos = get_named_array(con, owner, "positions")
        unit_meta = {}
        for aid, aname in con.execute("SELECT id, name FROM arrays WHERE owner=? AND name LIKE 'meta:%'", (owner,)):
            unit_meta[aname[5:]] = get_array(con, aid)
        brain.populations.append(Population(
            name=name, model=model, size=int(size), params=_get_params(con, owner),
            group_params=json.loads(gparams), positions=pos, origin=json.loads(origin), unit_meta=unit_meta))
    for (name, pre_id, post_id, synapse, receptor, gate_id, storage, count, meta_s) in con.execute(
        "SELECT name, pre_id, post_id, synapse, receptor, gate_id, storage, count, meta FROM projections ORDER BY id"
    ):
        owner = f"projection:{name}"
        indptr = get_named_array(con, owner, "indptr")
        post = get_named_array(con, owner, "post")
        if indptr is None or post is None or post.size != count:
            raise DatabaseError(f"{label}: projection {name!r} arrays are missing or inconsistent")
        pre = np.repeat(np.arange(indptr.size - 1, dtype=np.int32), np.diff(indptr))
        brain.projections.append(Projection(
            name=name, pre=names[pre_id], post=names[post_id], synapse=synapse,
            pre_idx=pre, post_idx=post, weight=get_named_array(con, owner, "weight"),
            delay=get_named_array(con, owner, "delay"), receptor=int(receptor),
            params=_get_params(con, owner), gate=names.get(gate_id) if gate_id else None,
            storage=storage, meta=json.loads(meta_s)))
    for name, pid, direction, aid in con.execute(
        "SELECT name, population_id, direction, array_id FROM terminals ORDER BY id"
    ):
        brain.terminals.append(Terminal(name, names[pid], get_array(con, aid), direction))
    for did, name, model, params in con.execute("SELECT id, name, model, params FROM devices ORDER BY id"):
        dev = Device(name=name, model=model, params=json.loads(params))
        for seq, pid, receptor in con.execute(
            "SELECT seq, population_id, receptor FROM device_targets WHERE device_id=? ORDER BY seq", (did,)
        ):
            owner = f"device:{name}:{seq}"
            dev.targets.append(DeviceTarget(
                population=names[pid], indices=get_named_array(con, owner, "indices"),
                weight=get_named_array(con, owner, "weight"), delay=get_named_array(con, owner, "delay"),
                receptor=int(receptor)))
        brain.devices.append(dev)
    for name, value in con.execute("SELECT name, value FROM modulators ORDER BY id"):
        brain.modulators.append(Modulator(name, float(value)))
    for key, val in con.execute("SELECT key, value FROM extras ORDER BY key"):
        brain.extras[key] = json.loads(val)
    return brain


def iter_tables(con: sqlite3.Connection) -> Iterator[str]:
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        yield name
