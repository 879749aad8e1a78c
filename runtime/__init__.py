"""brainc runtime: load a brain database and tick it (Numba on CPU, CuPy on GPU)."""
from __future__ import annotations

import os
import sqlite3
from typing import Any

from brainc import database as dbio  # first: importing brainc versions Numba's kernel cache
from brainc.errors import DatabaseError

from .network import Network

__all__ = ["load", "resume", "Network"]


def load(db: str | os.PathLike, backend: str = "numba", seed: int | None = None) -> Network:
    """Load a brain database into a runnable :class:`Network`."""
    brain = dbio.read(db)
    return Network(brain, backend=backend, seed=seed, source=str(db))


def resume(path: str | os.PathLike, backend: str = "numba") -> Network:
    """Continue from a checkpoint written by :meth:`Network.checkpoint`."""
    con = dbio.open_db(path)
    try:
        if con.execute("SELECT name FROM sqlite_master WHERE name='checkpoint'").fetchone() is None:
            raise DatabaseError(f"{path}: a brain database, not a checkpoint")
        import json

        info = json.loads(con.execute("SELECT value FROM checkpoint WHERE key='state'").fetchone()[0])
        brain = dbio.read_from(con, str(path))
        net = Network(brain, backend=backend, seed=int(info["seed"]), source=info.get("source") or None)
        net._restore(con)
        return net
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: corrupt checkpoint ({exc})") from None
    finally:
        con.close()
