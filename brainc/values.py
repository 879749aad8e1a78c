"""Turn recipe values (numbers, lists, distributions, expressions) into arrays.

Expressions are arithmetic over the population's declared random variables and
numbers, evaluated by a small whitelist AST walker (never ``eval``):
``"-65 + 15*re**2"`` with ``random: {re: {dist: uniform}}``.
"""
from __future__ import annotations

import ast
from typing import Any, Mapping

import numpy as np

from .recipe import Distribution

_FUNCS = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": np.abs,
          "minimum": np.minimum, "maximum": np.maximum, "clip": np.clip}
_BIN = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
        ast.Div: np.divide, ast.Pow: np.power}


class ValueError_(ValueError):
    """Raised for a bad expression; the caller adds file and path."""


def evaluate(expr: str, names: Mapping[str, np.ndarray | float]) -> np.ndarray | float:
    """Evaluate an arithmetic expression over ``names``."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise ValueError_(f"cannot parse expression {expr!r}") from None

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError_(f"unknown name {node.id!r} in expression {expr!r} "
                                  f"(declare it under 'random')")
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            return _BIN[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
            return _FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ValueError_(f"unsupported syntax in expression {expr!r}")

    out = ev(tree)
    if np.any(~np.isfinite(out)):
        raise ValueError_(f"expression {expr!r} gives NaN or inf")
    return out


def sample(dist: Distribution, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` values from ``dist``."""
    if dist.dist == "constant":
        out = np.full(n, float(dist.value))
    elif dist.dist == "uniform":
        out = rng.uniform(dist.low, dist.high, n)
    elif dist.dist == "uniform_int":
        out = rng.integers(int(dist.low), int(dist.high) + 1, n).astype(np.float64)
    elif dist.dist == "normal":
        out = rng.normal(dist.mean, dist.std, n)
    elif dist.dist == "lognormal":
        out = rng.lognormal(dist.mean, dist.std, n)
    else:  # exponential
        out = rng.exponential(dist.scale, n)
    if dist.min is not None or dist.max is not None:
        out = np.clip(out, dist.min if dist.min is not None else -np.inf,
                      dist.max if dist.max is not None else np.inf)
    return out


def resolve(value: Any, n: int, rng: np.random.Generator,
            names: Mapping[str, np.ndarray] | None = None) -> np.ndarray | float:
    """A scalar stays a float; lists must have length ``n``; distributions and
    expressions give float64[n]."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Distribution):
        return sample(value, n, rng)
    if isinstance(value, list):
        if len(value) != n:
            raise ValueError_(f"expected {n} values, got {len(value)}")
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, str):
        out = evaluate(value, names or {})
        return out if isinstance(out, float) else np.broadcast_to(out, (n,)).astype(np.float64)
    raise ValueError_(f"unsupported value {value!r}")
