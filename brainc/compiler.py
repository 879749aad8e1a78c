"""The compile pipeline: parse -> validate -> build IR -> write the database."""
from __future__ import annotations

import operator
import os
from pathlib import Path

from . import database as dbio
from .build import build
from .errors import BraincError, RecipeError
from .ir import Brain
from .loader import load_recipe_traced

#: where compiled brains go by default (repo layout: <root>/brains)
BRAINS_DIR = Path(os.environ.get("BRAINC_BRAINS", Path(__file__).resolve().parent.parent / "brains"))


def compile_ir(recipe_path: str | os.PathLike, seed: int | None = None) -> Brain:
    """Recipe file -> IR (no file written)."""
    if seed is not None:
        try:
            ok = not isinstance(seed, bool) and 0 <= operator.index(seed) <= 2**63 - 1
        except TypeError:
            ok = False
        if not ok:
            raise BraincError(f"seed: expected a whole number from 0 to {2**63 - 1}, got {seed!r}")
    recipe, canonical, path, origins = load_recipe_traced(recipe_path)
    try:
        return build(recipe, path, canonical, seed)
    except RecipeError as exc:  # name the included fragment that wrote the entry
        raise origins.relocate(exc) from None


def default_output(brain: Brain) -> Path:
    return BRAINS_DIR / f"{brain.name}_s{brain.seed}.db"


def compile_recipe(recipe_path: str | os.PathLike, out: str | os.PathLike | None = None,
                   seed: int | None = None) -> Path:
    """Recipe file -> brain database (atomically written); returns its path."""
    brain = compile_ir(recipe_path, seed)
    return dbio.write_atomic(brain, out or default_output(brain))
