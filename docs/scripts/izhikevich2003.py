"""Izhikevich (2003) conformance figure and table for docs/models.md.

    python docs/scripts/izhikevich2003.py     # writes docs/izhikevich2003_raster.png, prints the table
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from brainc.compiler import compile_ir
from runtime.network import Network

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "izhikevich2003.yaml"


def main() -> None:
    counts = []
    for seed in range(10):
        net = Network(compile_ir(RECIPE, seed=seed))
        net.run(1000)
        counts.append(net.spikes()[0].size)
    print("| seed | " + " | ".join(str(s) for s in range(10)) + " | mean |")
    print("|---" * 12 + "|")
    print("| spikes | " + " | ".join(f"{c:,}" for c in counts) + f" | {np.mean(counts):,.0f} |")
    net = Network(compile_ir(RECIPE))
    net.run(1000)
    t, u = net.spikes()
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot(t, u, ",k")
    ax.axhline(799.5, color="tab:red", lw=0.6)
    ax.set_ylabel("neuron (0-799 excitatory, 800-999 inhibitory)")
    ax.set_title(f"Izhikevich (2003) network, recipe seed 1: {t.size:,} spikes in 1000 ms")
    rate = np.bincount(t, minlength=1000)
    ax2.plot(np.arange(1000), rate, lw=0.7)
    ax2.set_xlabel("time (ms)")
    ax2.set_ylabel("spikes / ms")
    fig.tight_layout()
    out = ROOT / "docs" / "izhikevich2003_raster.png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
