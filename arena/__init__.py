"""The arena: a 24-segment worm in a dish with food, coupled to a brain inside
the fused tick loop (see docs/arena.md)."""
from __future__ import annotations

import brainc  # noqa: F401  (first: it versions Numba's kernel cache)
from arena.config import ArenaConfig, CouplingConfig, load_arena_config
from arena.coupling import ArenaEnv, attach_arena, bind, chemotaxis_index
from arena.world import World

__all__ = ["ArenaConfig", "CouplingConfig", "load_arena_config", "ArenaEnv", "attach_arena", "bind",
           "chemotaxis_index", "World", "run_arena", "run_many"]


def __getattr__(name: str):  # lazy: the runner pulls in the runtime and multiprocessing
    if name in ("run_arena", "run_many"):
        from arena import run

        return getattr(run, name)
    raise AttributeError(name)
