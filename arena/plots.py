"""Pictures of arena runs: trajectories over the food field, a spike raster and
the reward trace; learning curves of the development benchmark (matplotlib,
Agg backend; no display needed)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

__all__ = ["plot_development", "plot_run"]

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


def _critical_period_s(runs: Sequence[dict[str, Any]], dt_ms: float) -> tuple[float, float] | None:
    """(start, end) in seconds of the critical period: the "during" window of the
    first run (None: no such window, or an empty one)."""
    w = runs[0].get("windows", {}).get("during", {}).get("ticks")
    if not w or w[1] <= w[0]:
        return None
    return w[0] * dt_ms / 1000.0, w[1] * dt_ms / 1000.0


def _series(runs: Sequence[dict[str, Any]], group: str, key: str,
            scale: float = 1.0) -> tuple[np.ndarray, np.ndarray] | None:
    """Common tick axis and float64[n_runs, n] of ``run[group][key]`` (None values as
    NaN); only the samples every run has. None if no run carries the series."""
    have = [r for r in runs if group in r and r[group].get(key) is not None]
    if not have:
        return None
    n = min(len(r[group]["tick"]) for r in have)
    t = np.asarray(have[0][group]["tick"][:n], np.float64)
    y = np.array([[np.nan if v is None else float(v) * scale for v in r[group][key][:n]] for r in have],
                 np.float64)
    return t, y


def plot_development(runs: Sequence[dict[str, Any]], path: str | os.PathLike, title: str | None = None,
                     probe_modes: Sequence[str] = ("frozen", "plastic")) -> Path:
    """Write a PNG of the learning curves of the development benchmark
    (``benchmarks/arena_bench.py``, one result of its ``dev_run`` per seed).
    Four panels over the time in the worm's life (s), the critical period (the
    runs' "during" window) shaded in each:

    1. distance of the body centre to the nearest food (``run["distance"]``),
       every seed thin, the mean over seeds thick, the success radius dashed;
    2. mean |w| of the ``joy->forward`` pathway (``run["series"]["joy_forward_w"]``),
       per seed and mean;
    3. the fraction of developmental synapses alive (``run["series"]["alive"]``),
       per seed and mean;
    4. the CI of the probes of the brain snapshots (``run["snapshots"][name][mode]["ci"]``
       for every ``probe_modes``) at the snapshots' ages: mean ± sd over seeds
       (error bars) with the seeds as dots.

    Each run needs ``seed``; ``dt_ms`` (default 1) converts ticks to time.
    Missing series leave their panel with a note. Returns the path."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dt = float(runs[0].get("dt_ms", 1.0))
    cp = _critical_period_s(runs, dt)
    cmap = plt.get_cmap("tab10")
    seeds = [r["seed"] for r in runs]

    fig, axes = plt.subplots(4, 1, figsize=(9.0, 13.0), sharex=True,
                             gridspec_kw={"height_ratios": [1.3, 1.0, 1.0, 1.2], "hspace": 0.12})
    panels = (("distance", "mm", 1.0, "distance to food (mm)"),
              ("series", "joy_forward_w", 1.0, "joy → forward, mean |w|"),
              ("series", "alive", 100.0, "developmental synapses\nalive (%)"))
    for ax, (group, key, scale, ylabel) in zip(axes, panels):
        s = _series(runs, group, key, scale)
        ax.set_ylabel(ylabel)
        if s is None:
            ax.text(0.5, 0.5, f"no {group}.{key} in the results", ha="center", va="center",
                    transform=ax.transAxes)
            continue
        t, y = s
        ts = t * dt / 1000.0
        for k, row in enumerate(y):
            ax.plot(ts, row, color=cmap(k % 10), lw=0.7, alpha=0.45,
                    label=f"seeds {', '.join(str(x) for x in seeds)}" if k == 0 else None)
        with np.errstate(all="ignore"):
            mean = np.nanmean(y, axis=0)
        ax.plot(ts, mean, color="k", lw=2.4, label=f"mean of {len(y)} seeds")
        if key == "alive":
            ax.set_ylim(min(0.0, float(np.nanmin(y))) if np.isfinite(y).any() else 0.0, 105.0)
        elif key == "mm":
            ax.set_ylim(bottom=0.0)
            if runs[0].get("success_radius_mm"):
                R = float(runs[0]["success_radius_mm"])
                ax.axhline(R, color="tab:green", lw=1.0, ls="--", label=f"{R:g} mm (success radius)")
    ax0 = axes[0]
    ax0.set_title(title or "development", fontsize=11)

    ax = axes[3]
    markers = {"frozen": ("o", "tab:blue"), "plastic": ("s", "tab:orange")}
    snaps = runs[0].get("snapshots", {})
    last = [r["distance"]["tick"][-1] for r in runs if r.get("distance", {}).get("tick")]
    last += [r["series"]["tick"][-1] for r in runs if r.get("series", {}).get("tick")]
    last += [v["tick"] for v in snaps.values()]
    span = max(last + [1]) * dt / 1000.0
    off = 0.012 * span
    rng = np.random.default_rng(0)
    for j, mode in enumerate(probe_modes):
        mk, col = markers.get(mode, ("D", cmap(j + 2)))
        xs, means, sds = [], [], []
        for name, snap in snaps.items():
            ci = np.array([r["snapshots"][name][mode]["ci"] for r in runs
                           if mode in r["snapshots"].get(name, {})], np.float64)
            if ci.size == 0:
                continue
            x = snap["tick"] * dt / 1000.0 + (j - (len(probe_modes) - 1) / 2) * 2 * off
            ax.scatter(x + rng.uniform(-0.6, 0.6, ci.size) * off, ci, s=14, color=col, alpha=0.45,
                       marker=mk, lw=0, zorder=2)
            xs.append(x)
            means.append(ci.mean())
            sds.append(ci.std(ddof=1) if ci.size > 1 else 0.0)
        if xs:
            ax.errorbar(xs, means, yerr=sds, color=col, marker=mk, ms=7, mec="k", lw=1.6, capsize=4,
                        zorder=3, label=f"{mode} probe: mean ± sd, dots: seeds")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_ylabel("probe CI of the brain\nat that age")
    ax.set_xlabel("time in the worm's life (s)")

    for k, ax in enumerate(axes):
        if cp is not None:
            ax.axvspan(*cp, color="gold", alpha=0.18, lw=0, zorder=0,
                       label="critical period" if k == 0 else None)
        ax.grid(alpha=0.3, lw=0.5)
        ax.set_xlim(-0.025 * span, 1.025 * span)
        ax.tick_params(labelbottom=(k == len(axes) - 1))
    axes[0].legend(fontsize=8, loc="upper right", framealpha=0.85)
    if axes[3].get_legend_handles_labels()[0]:
        axes[3].legend(fontsize=8, loc="lower right", framealpha=0.85)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
