"""Errors that the CLI prints as one line, without a traceback."""
from __future__ import annotations


class BraincError(Exception):
    """Base class: a user-facing error with one clear sentence."""


class RecipeError(BraincError):
    """A recipe is malformed: names the file, the path inside it and what was expected."""

    def __init__(self, file: str | None, path: str, message: str) -> None:
        self.file = file
        self.path = path
        self.message = message
        where = f"{file}: " if file else ""
        loc = f"{path}: " if path else ""
        super().__init__(f"{where}{loc}{message}")


class DatabaseError(BraincError):
    """A brain database is missing, corrupt, foreign or from an unknown format."""


class RuntimeBlowUp(BraincError):
    """The simulation produced NaN/inf or runaway activity."""


def format_path(parts: tuple | list) -> str:
    """Render a location tuple like ('layers', 2, 'components', 0, 'count')
    as ``layers[2].components[0].count``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out
