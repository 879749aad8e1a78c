"""Named assembly-calculus operations (PNAS 2020; Dabagia et al. for sequences).

Every operation is a *schedule* of :meth:`Brain.project` rounds and nothing
else; the science is in which fibers are open on which round.  Each operation
``op`` has a twin ``op_trace`` that runs the same schedule and also returns an
:class:`AssemblyTrace` (winners and metrics of the watched area after every
round).  Operations mutate the brain (plasticity is on unless disabled).

Sizes: ``rounds`` counts projection rounds; overlaps are fractions of the
assembly size (``|a & b| / max(|a|, |b|)``); ``chance_overlap(k, n) = k/n``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Sequence as Seq
from typing import Callable, Iterable

import numpy as np

from .brain import Brain

__all__ = [
    "Assembly", "Sequence", "TraceStep", "AssemblyTrace",
    "overlap", "overlap_count", "chance_overlap", "snapshot",
    "project", "project_trace", "reciprocal_project", "reciprocal_project_trace",
    "associate", "associate_trace", "merge", "merge_trace",
    "pattern_complete", "pattern_complete_trace", "separate", "separate_trace",
    "sequence_memorize", "sequence_memorize_trace", "ordered_recall", "ordered_recall_trace",
]


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Assembly:
    """Immutable snapshot of the winners of one area (sorted int64 ids)."""

    area: str
    winners: np.ndarray

    def __post_init__(self) -> None:
        w = np.unique(np.asarray(self.winners, dtype=np.int64))
        w.setflags(write=False)
        object.__setattr__(self, "winners", w)

    def __len__(self) -> int:
        return int(self.winners.size)

    def __contains__(self, neuron: int) -> bool:
        i = np.searchsorted(self.winners, neuron)
        return bool(i < self.winners.size and self.winners[i] == neuron)

    def __repr__(self) -> str:
        return f"Assembly({self.area!r}, size={len(self)})"


@dataclass(frozen=True, eq=False)
class Sequence:
    """Ordered assemblies of one area."""

    area: str
    assemblies: tuple[Assembly, ...]

    def __len__(self) -> int:
        return len(self.assemblies)

    def __getitem__(self, i: int) -> Assembly:
        return self.assemblies[i]

    def __iter__(self):
        return iter(self.assemblies)


@dataclass(frozen=True)
class TraceStep:
    """The watched area after one round.

    ``overlap_prev``: overlap with the previous step's winners (NaN at the
    first step); ``overlap_ref``: overlap with the trace's reference assembly
    (NaN without one); ``first_winners``: winners that never won before;
    ``support``: distinct neurons that ever won; ``phase``: schedule label.
    """

    round: int
    phase: str
    winners: np.ndarray
    support: int
    first_winners: int
    overlap_prev: float
    overlap_ref: float


@dataclass
class AssemblyTrace:
    """Per-round record of one area during an operation."""

    area: str
    steps: list[TraceStep] = field(default_factory=list)
    reference: Assembly | None = None

    def supports(self) -> np.ndarray:
        return np.array([s.support for s in self.steps], dtype=np.int64)

    def first_winners(self) -> np.ndarray:
        return np.array([s.first_winners for s in self.steps], dtype=np.int64)

    def overlaps_prev(self) -> np.ndarray:
        return np.array([s.overlap_prev for s in self.steps])

    def overlaps_ref(self) -> np.ndarray:
        return np.array([s.overlap_ref for s in self.steps])

    def winners(self) -> list[np.ndarray]:
        return [s.winners for s in self.steps]

    @property
    def final(self) -> Assembly:
        return Assembly(self.area, self.steps[-1].winners if self.steps else np.empty(0, np.int64))

    def __len__(self) -> int:
        return len(self.steps)


def overlap_count(a: Assembly | np.ndarray | Seq[int], b: Assembly | np.ndarray | Seq[int]) -> int:
    """Number of neurons in both."""
    wa = a.winners if isinstance(a, Assembly) else np.asarray(a)
    wb = b.winners if isinstance(b, Assembly) else np.asarray(b)
    return int(np.intersect1d(wa, wb).size)


def overlap(a: Assembly | np.ndarray | Seq[int], b: Assembly | np.ndarray | Seq[int]) -> float:
    """``|a & b| / max(|a|, |b|)`` (0 when both are empty)."""
    wa = a.winners if isinstance(a, Assembly) else np.unique(np.asarray(a))
    wb = b.winners if isinstance(b, Assembly) else np.unique(np.asarray(b))
    m = max(wa.size, wb.size)
    return 0.0 if m == 0 else np.intersect1d(wa, wb).size / m


def chance_overlap(k: int, n: int) -> float:
    """Expected overlap fraction of two independent random k-subsets of n."""
    return k / n


def snapshot(brain: Brain, area: str) -> Assembly:
    """Current winners of ``area`` as an :class:`Assembly`."""
    return Assembly(area, brain.area(area).winners)


# --------------------------------------------------------------------------
# Schedule runner
# --------------------------------------------------------------------------

class _Recorder:
    """Runs rounds and, when tracing, records the watched area after each."""

    def __init__(self, brain: Brain, area: str | None, reference: Assembly | None = None) -> None:
        self.brain = brain
        self.trace = AssemblyTrace(area, reference=reference) if area is not None else None
        self._prev: np.ndarray | None = None
        self._round = 0

    def step(self, stims: dict, areas: dict, phase: str) -> None:
        self.brain.project(stims, areas)
        self._round += 1
        self.record(phase)

    def record(self, phase: str) -> None:
        if self.trace is None:
            return
        a = self.brain.area(self.trace.area)
        w = a.winners.astype(np.int64)
        op = np.nan if self._prev is None else overlap(w, self._prev)
        orf = np.nan if self.trace.reference is None else overlap(w, self.trace.reference)
        self.trace.steps.append(TraceStep(self._round, phase, w, a.support, a.num_first_winners, op, orf))
        self._prev = w


class _Fixed:
    """Temporarily fix areas; restores each area's previous flag on exit."""

    def __init__(self, brain: Brain, names: Iterable[str]) -> None:
        self.brain = brain
        self.names = list(names)
        self.saved: list[bool] = []

    def __enter__(self) -> "_Fixed":
        for n in self.names:
            a = self.brain.area(n)
            self.saved.append(a.fixed_assembly)
            a.fix_assembly()
        return self

    def __exit__(self, *exc) -> None:
        for n, was in zip(self.names, self.saved):
            if not was:
                self.brain.area(n).unfix_assembly()


def _is_stim(brain: Brain, name: str) -> bool:
    return name in brain.stimulus_size_by_name


def _check_rounds(rounds: int) -> None:
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")


# --------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------

def _project(brain: Brain, source: str, target: str, rounds: int, recurrent: bool,
             rec: _Recorder) -> Assembly:
    _check_rounds(rounds)
    if _is_stim(brain, source):
        first = ({source: [target]}, {})
        rest = ({source: [target]}, {target: [target]} if recurrent else {})
        fixed: list[str] = []
    else:
        if brain.area(source).winners.size == 0:
            raise ValueError(f"source area {source!r} has no assembly")
        first = ({}, {source: [target]})
        rest = ({}, {source: [target], target: [target]} if recurrent else {source: [target]})
        fixed = [source]
    with _Fixed(brain, fixed):
        rec.step(*first, phase="project")
        for _ in range(rounds - 1):
            rec.step(*rest, phase="project")
    return snapshot(brain, target)


def project(brain: Brain, source: str, target: str, rounds: int = 10, recurrent: bool = True) -> Assembly:
    """Form an assembly in ``target`` driven by ``source`` (a stimulus, or an
    area whose assembly is held fixed meanwhile).

    Round 1 is ``source -> target``; later rounds add ``target -> target``
    when ``recurrent`` (the PNAS definition of projection).
    """
    return _project(brain, source, target, rounds, recurrent, _Recorder(brain, None))


def project_trace(brain: Brain, source: str, target: str, rounds: int = 10,
                  recurrent: bool = True) -> AssemblyTrace:
    """:func:`project` recording ``target`` after each round."""
    rec = _Recorder(brain, target)
    _project(brain, source, target, rounds, recurrent, rec)
    return rec.trace


def _reciprocal(brain: Brain, source: str, target: str, rounds: int, fix_source: bool,
                rec: _Recorder) -> Assembly:
    _check_rounds(rounds)
    if brain.area(source).winners.size == 0:
        raise ValueError(f"source area {source!r} has no assembly")
    with _Fixed(brain, [source] if fix_source else []):
        rec.step({}, {source: [target]}, phase="forward")
        for _ in range(rounds - 1):
            rec.step({}, {source: [target], target: [target, source]}, phase="reciprocal")
    return snapshot(brain, target)


def reciprocal_project(brain: Brain, source: str, target: str, rounds: int = 10,
                       fix_source: bool = True) -> Assembly:
    """Copy the assembly of ``source`` into ``target`` with a return path.

    Round 1: ``source -> target``; later rounds: ``source -> target``,
    ``target -> target`` and ``target -> source``.  With ``fix_source`` the
    source assembly is held (and still learns the return synapses), so
    afterwards ``target -> source`` alone re-evokes much of it.
    """
    return _reciprocal(brain, source, target, rounds, fix_source, _Recorder(brain, None))


def reciprocal_project_trace(brain: Brain, source: str, target: str, rounds: int = 10,
                             fix_source: bool = True) -> AssemblyTrace:
    rec = _Recorder(brain, target)
    _reciprocal(brain, source, target, rounds, fix_source, rec)
    return rec.trace


# --------------------------------------------------------------------------
# Association and merge
# --------------------------------------------------------------------------

def _drive(brain: Brain, area: str, stim: str | None, extra: Seq[str]) -> tuple[dict, dict]:
    """Fibers that keep ``area`` firing and send it to ``extra``.

    Without a stimulus the (fixed) area just fires into ``extra``.  With one,
    the stimulus drives the area and the area's self-loop keeps its assembly;
    while the area is still silent only the stimulus fires (it cannot send
    anything yet), exactly like the original's first stimulus-only round.
    """
    if stim is None:
        return {}, {area: list(extra)}
    if brain.area(area).winners.size == 0:
        return {stim: [area]}, {}
    return {stim: [area]}, {area: [area, *extra]}


def _union(*parts: tuple[dict, dict]) -> tuple[dict, dict]:
    s: dict[str, list[str]] = {}
    a: dict[str, list[str]] = {}
    for ps, pa in parts:
        for k, v in ps.items():
            s.setdefault(k, [])
            s[k] += [x for x in v if x not in s[k]]
        for k, v in pa.items():
            a.setdefault(k, [])
            a[k] += [x for x in v if x not in a[k]]
    return s, a


def _two_sources(brain: Brain, source_a: str, source_b: str, stim_a: str | None, stim_b: str | None,
                 rounds: int) -> list[str]:
    """The areas that association and merge hold fixed (both sources without
    stimuli, none with), after checking their arguments."""
    _check_rounds(rounds)
    if (stim_a is None) != (stim_b is None):
        raise ValueError("give both stim_a and stim_b, or neither (then the sources are held fixed)")
    fixed = [] if stim_a is not None else [source_a, source_b]
    for s in fixed:
        if brain.area(s).winners.size == 0:
            raise ValueError(f"source area {s!r} has no assembly")
    return fixed


def _associate(brain: Brain, source_a: str, source_b: str, target: str, stim_a: str | None,
               stim_b: str | None, rounds: int, rec: _Recorder) -> Assembly:
    fixed = _two_sources(brain, source_a, source_b, stim_a, stim_b, rounds)
    t_self = ({}, {target: [target]})
    with _Fixed(brain, fixed):
        for src, stim, phase in ((source_a, stim_a, "a"), (source_b, stim_b, "b")):
            while brain.area(src).winners.size == 0:
                rec.step(*_drive(brain, src, stim, [target]), phase="sources")
            brain.area(target).winners = []          # a fresh start for each pathway
            rec.step(*_drive(brain, src, stim, [target]), phase=phase)
            for _ in range(rounds - 1):
                rec.step(*_union(_drive(brain, src, stim, [target]), t_self), phase=phase)
        both = _union(_drive(brain, source_a, stim_a, [target]), _drive(brain, source_b, stim_b, [target]))
        rec.step(*both, phase="ab")
        for _ in range(rounds - 1):
            rec.step(*_union(both, t_self), phase="ab")
    return snapshot(brain, target)


def associate(brain: Brain, source_a: str, source_b: str, target: str, stim_a: str | None = None,
              stim_b: str | None = None, rounds: int = 10) -> Assembly:
    """Association (PNAS 2020, after the original ``association_sim``).

    ``source_a`` then ``source_b`` are projected into ``target`` (each for
    ``rounds`` with target recurrence, from a silent target), then both fire
    together for ``rounds``.  Afterwards the target's responses to ``a`` alone
    and ``b`` alone overlap far above chance.  With stimuli the sources are
    kept alive by them (and their self-loops); without, they are held fixed.
    Returns the joint target assembly.
    """
    return _associate(brain, source_a, source_b, target, stim_a, stim_b, rounds, _Recorder(brain, None))


def associate_trace(brain: Brain, source_a: str, source_b: str, target: str, stim_a: str | None = None,
                    stim_b: str | None = None, rounds: int = 10) -> AssemblyTrace:
    rec = _Recorder(brain, target)
    _associate(brain, source_a, source_b, target, stim_a, stim_b, rounds, rec)
    return rec.trace


def _merge(brain: Brain, source_a: str, source_b: str, target: str, stim_a: str | None,
           stim_b: str | None, rounds: int, rec: _Recorder) -> Assembly:
    fixed = _two_sources(brain, source_a, source_b, stim_a, stim_b, rounds)
    def fwd() -> tuple[dict, dict]:
        return _union(_drive(brain, source_a, stim_a, [target]), _drive(brain, source_b, stim_b, [target]))

    back = ({}, {target: [target, source_a, source_b]})
    with _Fixed(brain, fixed):
        while brain.area(source_a).winners.size == 0 or brain.area(source_b).winners.size == 0:
            rec.step(*fwd(), phase="sources")       # stimuli light up silent sources
        rec.step(*fwd(), phase="forward")
        for _ in range(rounds - 1):
            rec.step(*_union(fwd(), back), phase="merge")
    return snapshot(brain, target)


def merge(brain: Brain, source_a: str, source_b: str, target: str, stim_a: str | None = None,
          stim_b: str | None = None, rounds: int = 10) -> Assembly:
    """Merge (PNAS 2020, after the original ``merge_sim``): ``a`` and ``b``
    fire together into ``target``; from round 2 the target also fires into
    itself and back into both sources, so a conjunctive assembly forms that
    is reciprocally linked to both parents.  Returns the target assembly."""
    return _merge(brain, source_a, source_b, target, stim_a, stim_b, rounds, _Recorder(brain, None))


def merge_trace(brain: Brain, source_a: str, source_b: str, target: str, stim_a: str | None = None,
                stim_b: str | None = None, rounds: int = 10) -> AssemblyTrace:
    rec = _Recorder(brain, target)
    _merge(brain, source_a, source_b, target, stim_a, stim_b, rounds, rec)
    return rec.trace


# --------------------------------------------------------------------------
# Pattern completion and separation
# --------------------------------------------------------------------------

def _pattern_complete(brain: Brain, area: str, fraction: float, rounds: int, seed: int | None,
                      rec_factory: Callable[[Assembly], _Recorder]) -> tuple[Assembly, float, _Recorder]:
    _check_rounds(rounds)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    ref = snapshot(brain, area)
    if len(ref) == 0:
        raise ValueError(f"area {area!r} has no assembly to complete")
    rng = brain.rng if seed is None else np.random.default_rng(seed)
    keep = max(1, int(len(ref) * fraction))
    cue = np.sort(rng.choice(ref.winners, keep, replace=False))
    rec = rec_factory(ref)
    brain.area(area).winners = cue
    rec.record("cue")
    for _ in range(rounds):
        rec.step({}, {area: [area]}, phase="complete")
    out = snapshot(brain, area)
    return out, overlap(out, ref), rec


def pattern_complete(brain: Brain, area: str, fraction: float = 0.5, rounds: int = 5,
                     seed: int | None = None) -> tuple[Assembly, float]:
    """Fire a random ``fraction`` of the current assembly of ``area`` and let
    it run ``rounds`` rounds of ``area -> area``.  Returns the final assembly
    and its overlap with the original.  The cue is drawn from the brain's
    generator unless ``seed`` is given."""
    out, rec_frac, _ = _pattern_complete(brain, area, fraction, rounds, seed,
                                         lambda ref: _Recorder(brain, None))
    return out, rec_frac


def pattern_complete_trace(brain: Brain, area: str, fraction: float = 0.5, rounds: int = 5,
                           seed: int | None = None) -> AssemblyTrace:
    """:func:`pattern_complete` recording the area (step 0 is the cue;
    ``overlap_ref`` is the recovered fraction of the original)."""
    _, _, rec = _pattern_complete(brain, area, fraction, rounds, seed,
                                  lambda ref: _Recorder(brain, area, reference=ref))
    return rec.trace


def _separate(brain: Brain, stim_a: str, stim_b: str, target: str, rounds: int,
              rec: _Recorder) -> tuple[Assembly, Assembly, float]:
    _check_rounds(rounds)
    out = []
    for stim in (stim_a, stim_b):
        brain.area(target).winners = []
        rec.step({stim: [target]}, {}, phase=stim)
        for _ in range(rounds - 1):
            rec.step({stim: [target]}, {target: [target]}, phase=stim)
        out.append(snapshot(brain, target))
    return out[0], out[1], overlap(out[0], out[1])


def separate(brain: Brain, stim_a: str, stim_b: str, target: str, rounds: int = 10
             ) -> tuple[Assembly, Assembly, float]:
    """Project two stimuli into the same area, one after the other, from a
    silent area each time; returns both assemblies and their overlap (near
    ``chance_overlap`` for distinct stimuli).  Nothing is reset in between:
    stimulus B simply never excites A's assembly enough to capture it."""
    return _separate(brain, stim_a, stim_b, target, rounds, _Recorder(brain, None))


def separate_trace(brain: Brain, stim_a: str, stim_b: str, target: str, rounds: int = 10) -> AssemblyTrace:
    rec = _Recorder(brain, target)
    _separate(brain, stim_a, stim_b, target, rounds, rec)
    return rec.trace


# --------------------------------------------------------------------------
# Sequences (Dabagia, Papadimitriou, Vempala)
# --------------------------------------------------------------------------

def _sequence_memorize(brain: Brain, stimuli: Seq[str], target: str, rounds_per_step: int,
                       repetitions: int, rec: _Recorder) -> Sequence:
    if isinstance(stimuli, str):
        raise TypeError("stimuli must be a sequence of stimulus names")
    _check_rounds(rounds_per_step)
    if repetitions < 1:
        raise ValueError("repetitions must be >= 1")
    snaps: list[Assembly] = []
    for _rep in range(repetitions):
        brain.area(target).winners = []      # no link from the last item to the first
        snaps = []
        for stim in stimuli:
            # recurrence is open from the first round of every item: the round
            # in which the previous item's assembly is still firing and the new
            # one forms is what writes the bridge x_i -> x_{i+1}
            for _ in range(rounds_per_step):
                has = brain.area(target).winners.size > 0
                rec.step({stim: [target]}, {target: [target]} if has else {}, phase=stim)
            snaps.append(snapshot(brain, target))
    return Sequence(target, tuple(snaps))


def sequence_memorize(brain: Brain, stimuli: Seq[str], target: str, rounds_per_step: int = 1,
                      repetitions: int = 10) -> Sequence:
    """Present ``stimuli`` in order to ``target`` (each for ``rounds_per_step``
    rounds, recurrence on), ``repetitions`` times, silencing the area before
    each repetition.  Every round in which item ``i`` fires while item
    ``i+1``'s stimulus arrives multiplies the bridge synapses
    ``x_i -> x_{i+1}`` by ``1 + beta``; one round per item (the default)
    spends every round on bridges, more rounds also deepen each item's
    attractor.  Returns the assemblies of the last repetition."""
    return _sequence_memorize(brain, stimuli, target, rounds_per_step, repetitions, _Recorder(brain, None))


def sequence_memorize_trace(brain: Brain, stimuli: Seq[str], target: str, rounds_per_step: int = 1,
                            repetitions: int = 10) -> AssemblyTrace:
    rec = _Recorder(brain, target)
    _sequence_memorize(brain, stimuli, target, rounds_per_step, repetitions, rec)
    return rec.trace


def _ordered_recall(brain: Brain, area: str, cue: str, max_steps: int, known: Seq[Assembly] | None,
                    refractory: int | None, cycle_threshold: float, novelty_threshold: float,
                    plastic: bool, rec: _Recorder) -> Sequence:
    a = brain.area(area)
    old_refr = a.refractory_period
    if refractory is not None:
        a.refractory_period = refractory
    if a.refractory_period <= 0:
        raise ValueError(f"ordered recall needs long-range inhibition: give refractory >= 1 "
                         f"or set area {area!r} refractory_period")
    old_plastic = brain.disable_plasticity
    brain.disable_plasticity = not plastic or old_plastic
    try:
        brain.engine.clear_refractory(area)
        a.winners = []
        rec.step({cue: [area]}, {}, phase="cue")
        recalled = [snapshot(brain, area)]
        for _ in range(max_steps):
            rec.step({}, {area: [area]}, phase="recall")
            cur = snapshot(brain, area)
            if any(overlap(cur, prev) > cycle_threshold for prev in recalled):
                break
            if known and max(overlap(cur, kk) for kk in known) < novelty_threshold:
                break
            recalled.append(cur)
    finally:
        brain.disable_plasticity = old_plastic
        if refractory is not None:
            a.refractory_period = old_refr
    return Sequence(area, tuple(recalled))


def ordered_recall(brain: Brain, area: str, cue: str, max_steps: int = 20,
                   known_assemblies: Seq[Assembly] | None = None, refractory: int | None = 2,
                   cycle_threshold: float = 0.9, novelty_threshold: float = 0.3,
                   plastic: bool = False) -> Sequence:
    """Replay a memorised sequence from its first stimulus.

    The cue stimulus fires once into the silent area, then the area fires into
    itself with long-range inhibition: winners of the last ``refractory``
    rounds cannot win, which removes the current assembly's self-excitation so
    the strongest remaining input, the learned bridge to the next item, takes
    over.  Stops at a repeat (overlap > ``cycle_threshold`` with an earlier
    step), at an unknown assembly (overlap < ``novelty_threshold`` with all
    ``known_assemblies``, when given), or after ``max_steps``.  Plasticity is
    off during recall unless ``plastic``.
    """
    return _ordered_recall(brain, area, cue, max_steps, known_assemblies, refractory, cycle_threshold,
                           novelty_threshold, plastic, _Recorder(brain, None))


def ordered_recall_trace(brain: Brain, area: str, cue: str, max_steps: int = 20,
                         known_assemblies: Seq[Assembly] | None = None, refractory: int | None = 2,
                         cycle_threshold: float = 0.9, novelty_threshold: float = 0.3,
                         plastic: bool = False) -> AssemblyTrace:
    rec = _Recorder(brain, area)
    _ordered_recall(brain, area, cue, max_steps, known_assemblies, refractory, cycle_threshold,
                    novelty_threshold, plastic, rec)
    return rec.trace
