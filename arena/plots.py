"""Pictures of arena runs: trajectories over the food field, a spike raster and
the reward trace (matplotlib, Agg backend; no display needed)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

__all__ = ["plot_run"]

#: most spikes drawn in the raster (a random subset beyond that keeps files small)
MAX_RASTER_POINTS = 150_000


def plot_run(results: Sequence[dict[str, Any]], path: str | os.PathLike, title: str | None = None) -> Path:
    """Write a PNG: (top) the centre-of-mass trajectory of every seed over the
    food concentration field of the dish, start o, end x; (middle) the spike
    raster of the first result that carries spikes (``spike_t``/``spike_u``),
    motor units coloured dorsal/ventral; (bottom) its reward (mean per sample
    interval) and distance to food over time. ``results`` as returned by
    :func:`arena.run.run_arena`. Returns the path."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from arena.world import concentration_grid

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    first = results[0]
    R = float(first["radius_mm"])
    food = np.asarray(first["food"], np.float64).reshape(-1, 4)
    withspk = next((r for r in results if "spike_t" in r), None)

    fig = plt.figure(figsize=(8.5, 12.5))
    gs = fig.add_gridspec(3, 1, height_ratios=[3.2, 1.6, 1.0], hspace=0.28)
    ax = fig.add_subplot(gs[0])
    xs = np.linspace(-R, R, 241)
    X, Y = np.meshgrid(xs, xs)
    C = concentration_grid(X, Y, food)
    C[X ** 2 + Y ** 2 > R * R] = np.nan
    im = ax.imshow(C, origin="lower", extent=(-R, R, -R, R), cmap="Greens", alpha=0.85)
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="food concentration")
    th = np.linspace(0, 2 * np.pi, 361)
    ax.plot(R * np.cos(th), R * np.sin(th), color="0.3", lw=1.5)
    for f in food:
        ax.plot(f[0], f[1], marker="*", ms=14, color="gold" if f[3] > 0 else "purple", mec="k")
    cmap = plt.get_cmap("tab10")
    for k, r in enumerate(results):
        tr = np.asarray(r["trajectory"])
        if tr.size == 0:
            continue
        col = cmap(k % 10)
        ax.plot(tr[:, 3], tr[:, 4], color=col, lw=1.0, alpha=0.9,
                label=f"seed {r['seed']}: CI {r['ci']:+.2f}")
        ax.plot(tr[0, 3], tr[0, 4], "o", color=col, mec="k", ms=6)
        ax.plot(tr[-1, 3], tr[-1, 4], "X", color=col, mec="k", ms=8)
    ax.set_xlim(-R * 1.02, R * 1.02)
    ax.set_ylim(-R * 1.02, R * 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ci = np.array([r["ci"] for r in results])
    learn = "learning on" if first.get("learn", True) else "learning off"
    ticks = int(first.get("ticks", 0))
    ax.set_title(title or f"{first.get('brain', 'brain')}: {ticks:,} ticks, {learn}, "
                 f"CI {ci.mean():+.2f}" + (f" ± {ci.std(ddof=1):.2f} (n={ci.size})" if ci.size > 1 else ""))
    if len(results) <= 12:
        ax.legend(fontsize=7, loc="upper left", framealpha=0.8)

    ax2 = fig.add_subplot(gs[1])
    if withspk is not None:
        t = np.asarray(withspk["spike_t"])
        u = np.asarray(withspk["spike_u"])
        if t.size > MAX_RASTER_POINTS:
            sel = np.random.default_rng(0).choice(t.size, MAX_RASTER_POINTS, replace=False)
            t, u = t[sel], u[sel]
        colors = np.full(t.size, "0.35", dtype=object)
        terms = withspk.get("terminals", {})
        for name, col in (("motor_dorsal", "tab:red"), ("motor_ventral", "tab:blue"),
                          ("chemo_left", "tab:green"), ("chemo_right", "tab:olive")):
            if name in terms:
                colors[np.isin(u, terms[name])] = col
        ax2.scatter(t / 1000.0, u, s=0.6, c=list(colors), marker="|", linewidths=0.4, rasterized=True)
        for name, first_u, size in withspk.get("populations", []):
            ax2.axhline(first_u - 0.5, color="0.85", lw=0.5)
        ax2.set_ylabel("unit")
        ax2.set_title(f"spikes, seed {withspk['seed']} (red/blue: dorsal/ventral motor, "
                      "green: chemosensors)", fontsize=9)
    else:
        ax2.text(0.5, 0.5, "no spikes recorded", ha="center", va="center", transform=ax2.transAxes)
    ax2.set_xlabel("time (s)")

    ax3 = fig.add_subplot(gs[2], sharex=ax2)
    r0 = withspk or first
    tr = np.asarray(r0["trajectory"])
    if tr.size:
        ts = tr[:, 0] / 1000.0
        ax3.plot(ts, tr[:, 6], color="tab:purple", lw=0.8)
        ax3.axhline(0.0, color="0.6", lw=0.5)
        ax3.set_ylabel("reward", color="tab:purple")
        ax4 = ax3.twinx()
        ax4.plot(ts, tr[:, 7], color="tab:orange", lw=1.0)
        ax4.set_ylabel("distance to food (mm)", color="tab:orange")
    ax3.set_xlabel("time (s)")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
