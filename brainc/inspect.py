"""Summaries of brain databases for `brainc inspect`."""
from __future__ import annotations

import os
from typing import Any

from . import database as dbio


def summarize(path: str | os.PathLike) -> dict[str, Any]:
    """Populations, projections, synapse-type mix, memory and provenance."""
    con = dbio.open_db(path)
    try:
        meta = dbio.read_meta(con)
        pops = [{"name": n, "model": m, "size": int(s), "first_unit": int(f), "origin": o}
                for n, m, s, f, o in con.execute(
                    "SELECT name, model, size, first_unit, origin FROM populations ORDER BY id")]
        names = dict(con.execute("SELECT id, name FROM populations"))
        projs = [{"name": n, "pre": names[a], "post": names[b], "synapse": s, "count": int(c), "storage": st}
                 for n, a, b, s, c, st in con.execute(
                     "SELECT name, pre_id, post_id, synapse, count, storage FROM projections ORDER BY id")]
        mix = {s: {"projections": int(p), "synapses": int(n or 0)}
               for s, p, n in con.execute("SELECT synapse, projections, synapses FROM synapse_mix ORDER BY synapse")}
        models: dict[str, int] = {}
        for p in pops:
            models[p["model"]] = models.get(p["model"], 0) + p["size"]
        nbytes = con.execute("SELECT COALESCE(SUM(nbytes), 0) FROM arrays").fetchone()[0]
        terminals = [n for (n,) in con.execute("SELECT name FROM terminals ORDER BY id")]
        devices = [{"name": n, "model": m} for n, m in con.execute("SELECT name, model FROM devices ORDER BY id")]
    finally:
        con.close()
    return {
        "file": str(path),
        "name": meta.get("name"),
        "seed": int(meta.get("seed", 0)),
        "dt": float(meta.get("dt", 1.0)),
        "format_version": int(meta.get("format_version", 0)),
        "compiler_version": meta.get("compiler_version"),
        "recipe_file": meta.get("recipe_file"),
        "recipe_sha256": meta.get("recipe_sha256"),
        "neurons": sum(p["size"] for p in pops),
        "synapses": sum(p["count"] for p in projs),
        "units_by_model": models,
        "synapse_mix": mix,
        "array_bytes": int(nbytes),
        "file_bytes": os.path.getsize(path),
        "populations": pops,
        "projections": projs,
        "terminals": terminals,
        "devices": devices,
    }


def render(s: dict[str, Any], limit: int = 40) -> str:
    """Human-readable text of :func:`summarize`."""
    lines = [
        f"brain {s['name']!r}  seed {s['seed']}  dt {s['dt']} ms  format v{s['format_version']}  "
        f"compiled by brainc {s['compiler_version']}",
        f"recipe {s['recipe_file']}  sha256 {str(s['recipe_sha256'])[:16]}...",
        f"{s['neurons']:,} units, {s['synapses']:,} synapses, {s['array_bytes'] / 1e6:.1f} MB of arrays "
        f"({s['file_bytes'] / 1e6:.1f} MB file)",
        "",
        "units by model:",
    ]
    lines += [f"  {m:<24} {n:>12,}" for m, n in s["units_by_model"].items()]
    lines += ["", "synapse-type mix:"]
    lines += [f"  {k:<24} {v['synapses']:>12,} synapses in {v['projections']} projections"
              for k, v in s["synapse_mix"].items()]
    lines += ["", f"populations ({len(s['populations'])}):"]
    for p in s["populations"][:limit]:
        lines.append(f"  {p['name']:<36} {p['model']:<20} {p['size']:>10,}")
    if len(s["populations"]) > limit:
        lines.append(f"  ... {len(s['populations']) - limit} more")
    lines += ["", f"projections ({len(s['projections'])}):"]
    for p in s["projections"][:limit]:
        lines.append(f"  {p['name']:<44} {p['synapse']:<16} {p['count']:>12,}")
    if len(s["projections"]) > limit:
        lines.append(f"  ... {len(s['projections']) - limit} more")
    if s["terminals"]:
        lines += ["", f"terminals ({len(s['terminals'])}): " + ", ".join(s["terminals"][:limit])
                  + (" ..." if len(s["terminals"]) > limit else "")]
    if s["devices"]:
        lines += ["", "devices: " + ", ".join(f"{d['name']} ({d['model']})" for d in s["devices"])]
    return "\n".join(lines)
