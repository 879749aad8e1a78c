"""Numba's on-disk cache, versioned by the source of every kernel.

Numba validates a cached function against its own file only: a kernel whose
helper in *another* file changed (``runtime.rng.poisson`` called from
``runtime.devices.nest_generators``) would reload stale machine code. So every
brainc kernel caches under a folder named by the hash of all kernel sources
(``brainc/``, ``runtime/``, ``arena/``): any edit starts a fresh cache, and an
unchanged install reuses its compiled kernels across processes.

:func:`configure` runs when ``brainc`` is imported, before any kernel module
(``runtime`` and ``arena`` import ``brainc`` first).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

#: folders whose Python files hold (or feed) Numba kernels
KERNEL_PACKAGES = ("brainc", "runtime", "arena")
#: cache folders of other source versions kept (newest first) before pruning:
#: several checkouts or installs may share the base folder
KEEP = 8
#: the file that marks a folder as one of brainc's kernel caches
MARKER = ".brainc-kernel-cache"
_HASH = re.compile(r"[0-9a-f]{16}")

_configured: str | None = None


def source_hash(root: Path) -> str:
    """SHA-256 prefix over the kernel packages' Python sources under ``root``."""
    h = hashlib.sha256()
    for pkg in KERNEL_PACKAGES:
        for f in sorted((root / pkg).rglob("*.py")):
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def configure() -> str:
    """Point Numba's cache at ``<base>/<source hash>`` and return that folder
    ("" when it cannot be written: Numba's default caching then applies).
    ``<base>`` is ``$NUMBA_CACHE_DIR/brainc`` if the user set one, else
    ``~/.cache/brainc/numba`` (``$BRAINC_CACHE/numba``). Older versions' folders beyond :data:`KEEP` are
    removed."""
    global _configured
    if _configured is not None:
        return _configured
    root = Path(__file__).resolve().parent.parent
    inherited = os.environ.get("BRAINC_NUMBA_BASE")  # set by a parent process
    user = os.environ.get("NUMBA_CACHE_DIR")
    if inherited:
        base = Path(inherited)
    elif user:  # the user's Numba cache: brainc keeps to its own sub-folder there
        base = Path(user) / "brainc"
    else:
        base = Path(os.environ.get("BRAINC_CACHE", Path.home() / ".cache" / "brainc")) / "numba"
    folder = base / source_hash(root)
    try:  # an unwritable home (read-only containers): leave Numba's own choice
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_bytes(b"")  # also refreshes the folder's time: pruned last
    except OSError:
        _configured = ""
        return _configured
    # remembered for child processes, so a nested import does not nest folders
    os.environ["BRAINC_NUMBA_BASE"] = str(base)
    # Numba reads its configuration from the environment at import and again
    # whenever the environment changed: set both
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules:
        import numba

        numba.config.CACHE_DIR = str(folder)
    _configured = str(folder)
    _prune(base, folder)
    return _configured


def _prune(base: Path, current: Path) -> None:
    """Remove all but the :data:`KEEP` most recently used other versions;
    only folders brainc made (hash-named, with the marker file) are touched."""
    try:
        others = sorted((d for d in base.iterdir() if d.is_dir() and d != current and _HASH.fullmatch(d.name)
                         and (d / MARKER).is_file()),
                        key=lambda d: d.stat().st_mtime, reverse=True)
    except OSError:
        return
    for d in others[KEEP:]:
        shutil.rmtree(d, ignore_errors=True)
