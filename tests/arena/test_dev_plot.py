"""The development picture (arena.plots.plot_development) from a small synthetic
result structure shaped like benchmarks/arena_bench.py's dev_run output (no simulation)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from arena.plots import plot_development

TICKS = 10_000
SNAPS = {"newborn": 0, "critical_start": 2_000, "middle": 4_000, "critical_end": 6_000, "end": TICKS}


def _run(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    st = list(range(0, TICKS + 1, 1_000))
    dt_ = list(range(0, TICKS + 1, 100))
    return {
        "seed": seed, "dt_ms": 1.0, "success_radius_mm": 1.0,
        "windows": {"before": {"ticks": [0, 2_000]}, "during": {"ticks": [2_000, 6_000]},
                    "after": {"ticks": [6_000, TICKS]}},
        "series": {"tick": st, "joy_forward_w": [0.3 + 18 * (1 - np.exp(-t / 1_500)) for t in st],
                   "alive": [1.0 if t <= 2_000 else 0.62 for t in st]},
        "distance": {"tick": dt_, "mm": list(4.0 * np.exp(-np.array(dt_) / 4_000) + rng.uniform(0, .3, len(dt_)))},
        "snapshots": {name: {"tick": at, "frozen": {"ci": float(rng.normal(0.5, 0.2)), "reversals": 14},
                             "plastic": {"ci": float(rng.normal(0.4, 0.3)), "reversals": 16}}
                      for name, at in SNAPS.items()},
    }


def test_plot_development_writes_png(tmp_path: Path) -> None:
    out = plot_development([_run(s) for s in range(3)], tmp_path / "sub" / "dev.png", title="synthetic")
    assert out == tmp_path / "sub" / "dev.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 20_000


def test_plot_development_tolerates_missing_series(tmp_path: Path) -> None:
    """Results without the sampled series (older JSON) still give a picture (probe panel only)."""
    runs = [_run(s) for s in range(2)]
    for r in runs:
        del r["series"], r["distance"]
    out = plot_development(runs, tmp_path / "dev.png")
    assert out.stat().st_size > 10_000
