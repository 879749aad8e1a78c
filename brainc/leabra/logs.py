"""Observations and logs as tidy tables (Leabra7's output format).

A table is a pandas ``DataFrame`` when pandas is installed, otherwise a plain
``dict`` of column name -> 1-D numpy array (every column the same length).
Either way one row is one observation (Wickham's tidy data): a ``time``
column (cycle, trial, epoch or batch counter), a ``unit`` column for unit
attributes (or ``pre_unit``/``post_unit`` for connection attributes), and one
column per attribute.

Attribute names follow Leabra7: ``unit_<var>`` for unit state (``unit_act``,
``unit_net``, ``unit_v_m``, ``unit_i_net``, ``unit_gc_i``, ``unit_adapt``,
``unit_spike``, ``unit_avg_l``... any state row of the ``leabra`` model),
layer-wide names (``avg_act``, ``avg_net``, ``fbi``, ``ffi``, ``gc_i``,
``cos_diff_avg``... any layer-state row), and ``conn_<var>`` for projections
(``conn_wt``, ``conn_fwt``, ``conn_dwt``...).
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from runtime.models.leabra import LeabraUnit
from runtime.synapses.xcal import XCAL

__all__ = ["Logs", "make_table", "unit_row", "layer_row", "conn_row", "LogBook", "FREQS", "have_pandas"]

#: Leabra7's result of ``Net.logs``: whole-object and per-part tables
Logs = namedtuple("Logs", ["whole", "parts"])

FREQS = ("cycle", "trial", "epoch", "batch")

#: Leabra7 unit attribute -> leabra state row, where they differ
UNIT_ATTR_ALIASES = {"net": "ge", "gc_i": "gi", "v_m": "vm", "i_net": "inet", "net_raw": "ge_raw"}
#: Leabra7 layer attribute -> leabra layer-state row, where they differ
LAYER_ATTR_ALIASES = {"avg_act": "act_avg", "avg_net": "ge_avg", "max_act": "act_max", "max_net": "ge_max",
                      "gc_i": "gi", "avg_act_p_eff": "acts_p_avg_eff"}
#: Leabra7 connection attribute -> xcal row ("wt" is the weight array itself)
CONN_ATTR_ALIASES = {"fwt": "lwt"}

try:  # pandas is optional
    import pandas as _pd
except ImportError:  # pragma: no cover - depends on the environment
    _pd = None


def have_pandas() -> bool:
    """Whether tables are pandas DataFrames."""
    return _pd is not None


def make_table(columns: dict[str, Any]) -> Any:
    """A tidy table from equal-length columns (DataFrame or dict of arrays)."""
    cols = {k: np.asarray(v) for k, v in columns.items()}
    if _pd is not None:
        return _pd.DataFrame(cols)
    return cols


def unit_row(attr: str) -> int | None:
    """State row of the ``leabra`` model for a ``unit_<var>`` attribute, or None."""
    if not attr.startswith("unit_"):
        return None
    var = attr[5:]
    var = UNIT_ATTR_ALIASES.get(var, var)
    names = list(LeabraUnit.state)
    return names.index(var) if var in names else None


def layer_row(attr: str) -> int | None:
    """Layer-state row for a layer-wide attribute, or None."""
    var = LAYER_ATTR_ALIASES.get(attr, attr)
    names = list(LeabraUnit.group_state)
    return names.index(var) if var in names else None


def conn_row(attr: str) -> int | None:
    """xcal state row for a ``conn_<var>`` attribute; -1 for the weight ``wt``; None if unknown."""
    if not attr.startswith("conn_"):
        return None
    var = attr[5:]
    if var == "wt":
        return -1
    var = CONN_ATTR_ALIASES.get(var, var)
    names = list(XCAL.state)
    return names.index(var) if var in names else None


def known_layer_attrs() -> list[str]:
    return (["unit_" + k for k in LeabraUnit.state] + ["unit_" + k for k in UNIT_ATTR_ALIASES]
            + list(LeabraUnit.group_state) + list(LAYER_ATTR_ALIASES))


def known_conn_attrs() -> list[str]:
    return ["conn_wt"] + ["conn_" + k for k in XCAL.state] + ["conn_" + k for k in CONN_ATTR_ALIASES]


class LogBook:
    """Accumulates one object's logs for one frequency as column chunks."""

    def __init__(self, whole_attrs: list[str], part_attrs: list[str], part_cols: dict[str, np.ndarray]) -> None:
        self.whole_attrs = whole_attrs
        self.part_attrs = part_attrs
        self.part_cols = part_cols  # static per-part columns (unit, or pre_unit/post_unit)
        self.whole: list[tuple[np.ndarray, np.ndarray]] = []  # (times[k], values[k, n_attrs])
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []  # (times[k], values[k, n_attrs, n_parts])

    def add(self, times: np.ndarray, whole: np.ndarray | None, parts: np.ndarray | None) -> None:
        if whole is not None and self.whole_attrs:
            self.whole.append((np.asarray(times), np.asarray(whole)))
        if parts is not None and self.part_attrs:
            self.parts.append((np.asarray(times), np.asarray(parts)))

    def tables(self) -> Logs:
        w: dict[str, Any] = {}
        if self.whole:
            t = np.concatenate([c[0] for c in self.whole])
            v = np.concatenate([c[1] for c in self.whole])
            for j, a in enumerate(self.whole_attrs):
                w[a] = v[:, j]
            w["time"] = t
        else:
            w = {a: np.zeros(0) for a in self.whole_attrs}
            w["time"] = np.zeros(0, dtype=np.int64)
        p: dict[str, Any] = {}
        n_parts = len(next(iter(self.part_cols.values()))) if self.part_cols else 0
        if self.parts:
            t = np.concatenate([c[0] for c in self.parts])
            v = np.concatenate([c[1] for c in self.parts])  # (k, n_attrs, n_parts)
            for name, col in self.part_cols.items():
                p[name] = np.tile(col, len(t))
            for j, a in enumerate(self.part_attrs):
                p[_short(a)] = v[:, j, :].reshape(-1)
            p["time"] = np.repeat(t, n_parts)
        else:
            for name in self.part_cols:
                p[name] = np.zeros(0, dtype=np.int64)
            for a in self.part_attrs:
                p[_short(a)] = np.zeros(0)
            p["time"] = np.zeros(0, dtype=np.int64)
        return Logs(make_table(w), make_table(p))


def _short(attr: str) -> str:
    """Column name of a part attribute: ``unit_act`` -> ``act``, ``conn_wt`` -> ``wt``."""
    for pre in ("unit_", "conn_"):
        if attr.startswith(pre):
            return attr[len(pre):]
    return attr
