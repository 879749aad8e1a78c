"""Numba's kernel cache is versioned by the hash of every kernel source."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from brainc import kernel_cache

from .conftest import ROOT


def _copy_tree(dst: Path) -> None:
    for pkg in kernel_cache.KERNEL_PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            out = dst / f.relative_to(ROOT)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(f.read_bytes())


def test_any_kernel_source_edit_changes_the_cache_folder(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    before = kernel_cache.source_hash(tmp_path)
    assert before == kernel_cache.source_hash(ROOT)
    helper = tmp_path / "runtime" / "rng.py"  # a helper other files' kernels call
    helper.write_text(helper.read_text() + "\n# edited\n")
    assert kernel_cache.source_hash(tmp_path) != before


def test_importing_brainc_points_numba_at_the_versioned_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "BRAINC_NUMBA_BASE")}
    env["BRAINC_CACHE"] = str(tmp_path)
    code = ("import brainc, numba, os; from brainc.kernel_cache import source_hash; from pathlib import Path; "
            "print(numba.config.CACHE_DIR); print(source_hash(Path(brainc.__file__).parent.parent))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True).stdout.split()
    assert out[0] == str(tmp_path / "numba" / out[1])


def test_old_versions_are_pruned_and_nothing_else(tmp_path: Path) -> None:
    base = tmp_path / "numba"
    names = [f"{i:016x}" for i in range(12)]
    for i, name in enumerate(names):
        d = base / name
        d.mkdir(parents=True)
        (d / kernel_cache.MARKER).write_bytes(b"")
        os.utime(d, (1000 + i, 1000 + i))
    foreign = [base / "other_project", base / "0123456789abcdef"]  # no marker: not brainc's
    for d in foreign:
        d.mkdir()
    current = base / "ffffffffffffffff"
    current.mkdir()
    kernel_cache._prune(base, current)
    left = sorted(d.name for d in base.iterdir())
    keep = names[-kernel_cache.KEEP:]
    assert left == sorted(keep + [current.name] + [d.name for d in foreign])


def test_a_users_numba_cache_is_only_used_below_brainc(tmp_path: Path) -> None:
    user = tmp_path / "shared"
    (user / "someone_else").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "BRAINC_NUMBA_BASE"}
    env["NUMBA_CACHE_DIR"] = str(user)
    out = subprocess.run([sys.executable, "-c", "import brainc, numba; print(numba.config.CACHE_DIR)"],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout.strip()
    assert Path(out).parent == user / "brainc"
    assert (user / "someone_else").is_dir()
