"""Diagnostic plots for assembly experiments (matplotlib, Agg canvas).

Figures are built with the object-oriented API on an Agg canvas, so nothing
here touches pyplot's global state or needs a display; save them with
``fig.savefig(path)``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .ops import Assembly, AssemblyTrace, overlap

__all__ = ["plot_overlap_matrix", "plot_winner_turnover", "plot_support_growth", "plot_trace_metrics"]


def _figure(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def plot_overlap_matrix(assemblies: Sequence[Assembly] | Sequence[np.ndarray],
                        labels: Sequence[str] | None = None, *, chance: float | None = None,
                        title: str = "assembly overlap") -> Figure:
    """Heat map of pairwise overlaps (fraction of assembly size).

    ``chance``: the random-overlap baseline (e.g. ``k/n``), written in the
    title for reference.
    """
    m = len(assemblies)
    mat = np.zeros((m, m))
    for i in range(m):
        for j in range(m):
            mat[i, j] = overlap(assemblies[i], assemblies[j])
    if labels is None:
        labels = [getattr(a, "area", str(i)) + f"[{i}]" for i, a in enumerate(assemblies)]
    fig = _figure((1.2 + 0.6 * m, 1.0 + 0.6 * m))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(mat, vmin=0.0, vmax=1.0, cmap="viridis")
    ax.set_xticks(range(m), labels, rotation=60, ha="right")
    ax.set_yticks(range(m), labels)
    for i in range(m):
        for j in range(m):
            ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center",
                    color="white" if mat[i, j] < 0.6 else "black", fontsize=7)
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_title(title if chance is None else f"{title} (chance {chance:.3g})")
    fig.tight_layout()
    return fig


def plot_winner_turnover(trace: AssemblyTrace, *, max_neurons: int = 2000,
                         title: str | None = None) -> Figure:
    """Raster of which neurons win in which round (rows ordered by first win)
    above the number of first-time winners per round."""
    steps = trace.steps
    order: dict[int, int] = {}
    for s in steps:
        for nid in s.winners.tolist():
            if nid not in order:
                order[nid] = len(order)
    xs, ys = [], []
    for t, s in enumerate(steps):
        rows = [order[nid] for nid in s.winners.tolist() if order[nid] < max_neurons]
        xs += [t] * len(rows)
        ys += rows
    fig = _figure((7.0, 5.0))
    ax1 = fig.add_subplot(2, 1, 1)
    ax1.scatter(xs, ys, s=1.0, marker="s", linewidths=0, color="k")
    ax1.set_ylabel("neuron (by first win)")
    ax1.set_title(title or f"winner turnover in {trace.area}")
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
    ax2.bar(range(len(steps)), trace.first_winners(), color="tab:orange")
    ax2.set_xlabel("round")
    ax2.set_ylabel("first-time winners")
    fig.tight_layout()
    return fig


def plot_support_growth(curves: Mapping[str, AssemblyTrace | Sequence[int]], *, k: int | None = None,
                        title: str = "support growth") -> Figure:
    """Support (distinct neurons ever fired) against round, one line per
    curve; with ``k`` the y axis is in units of k."""
    fig = _figure((6.0, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    for label, c in curves.items():
        y = c.supports() if isinstance(c, AssemblyTrace) else np.asarray(c)
        y = y / k if k else y
        ax.plot(np.arange(1, len(y) + 1), y, label=label, linewidth=1.2)
    ax.set_xlabel("round")
    ax.set_ylabel("support / k" if k else "support")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_trace_metrics(trace: AssemblyTrace, title: str | None = None) -> Figure:
    """Overlap with the previous round (and with the reference, when the
    trace has one) against round."""
    fig = _figure((6.0, 3.5))
    ax = fig.add_subplot(1, 1, 1)
    r = np.arange(len(trace))
    ax.plot(r, trace.overlaps_prev(), label="overlap with previous round")
    if trace.reference is not None:
        ax.plot(r, trace.overlaps_ref(), label="overlap with reference")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("round")
    ax.set_title(title or f"{trace.area}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
