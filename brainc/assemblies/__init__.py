"""Assembly calculus: the ``Brain`` API, named operations, automata, parser, plots.

Quick start::

    from brainc.assemblies import Brain, project, overlap
    b = Brain(p=0.05, seed=0)
    b.add_stimulus("stim", size=100)
    b.add_area("A", n=10_000, k=100, beta=0.05)
    asm = project(b, "stim", "A", rounds=10)

Numerics live in :mod:`runtime.assembly_engine`; see ``docs/assemblies.md``.
"""
from .brain import Area, Brain, Fiber
from .ops import (
    Assembly, AssemblyTrace, Sequence, TraceStep,
    associate, associate_trace, chance_overlap, merge, merge_trace, ordered_recall,
    ordered_recall_trace, overlap, overlap_count, pattern_complete, pattern_complete_trace,
    project, project_trace, reciprocal_project, reciprocal_project_trace, separate,
    separate_trace, sequence_memorize, sequence_memorize_trace, snapshot,
)

__all__ = [
    "Brain", "Area", "Fiber",
    "Assembly", "AssemblyTrace", "Sequence", "TraceStep",
    "overlap", "overlap_count", "chance_overlap", "snapshot",
    "project", "project_trace", "reciprocal_project", "reciprocal_project_trace",
    "associate", "associate_trace", "merge", "merge_trace",
    "pattern_complete", "pattern_complete_trace", "separate", "separate_trace",
    "sequence_memorize", "sequence_memorize_trace", "ordered_recall", "ordered_recall_trace",
    "FSMNetwork", "PFANetwork", "EnglishParserBrain", "parse",
]


def __getattr__(name: str):
    # automata and the parser pull in more code; import them on first use
    if name in ("FSMNetwork", "PFANetwork"):
        from . import fsm
        return getattr(fsm, name)
    if name in ("EnglishParserBrain", "parse"):
        from . import parser
        return getattr(parser, name)
    raise AttributeError(name)
