"""The 20-word English parser brain (Mitropolsky, Papadimitriou et al.).

Areas: ``LEX`` (explicit; one block of ``lex_k`` neurons per word), ``DET``,
``SUBJ``, ``OBJ``, ``VERB``, ``ADJ``, ``ADVERB``, ``PREP``, ``PREP_P``
(implicit).  Every word carries *pre* and *post* rules that inhibit or
disinhibit areas and fibers (rules are indexed so that several reasons to
keep something inhibited can coexist: an area or fiber is open only while its
set of inhibition indices is empty).  Parsing a word:

1. activate the word's block in ``LEX`` (fixed) and apply its pre rules;
2. build the *projection map*: for every open area ``a1`` and open area
   ``a2`` joined by an open fiber, ``a1 -> a2`` if ``a1`` holds an assembly
   and ``a2 -> a2`` if ``a2`` does;
3. areas in the map that ``LEX`` does not fire into are fixed; areas ``LEX``
   fires into are cleared (a new constituent starts there);
4. ``project_rounds`` rounds, recomputing the map each round and remembering
   every fiber that fired;
5. apply the post rules.

Readout ("fiber readout"): plasticity off, nothing fixed; starting from
``VERB``, an area fires into the areas it ever fired into that the readout
rules allow; each such area then fires into ``LEX`` and the word whose block
wins is its dependent: ``(head, dependent, relation)``.

Differences from the published script, all deliberate: rule and map
bookkeeping uses ordered containers (the script iterated over sets, so the
firing order and its random draws depended on ``PYTHONHASHSEED``); the readout
really disables plasticity (the script set a misspelt attribute); ``LEX``
never fires into itself (it is fixed, so that round only strengthened
``LEX -> LEX`` synapses no readout uses).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .brain import Brain

__all__ = [
    "LEX", "DET", "SUBJ", "OBJ", "VERB", "ADJ", "ADVERB", "PREP", "PREP_P", "AREAS",
    "AreaRule", "FiberRule", "Lexeme", "LEXEME_DICT", "READOUT_RULES", "EnglishParserBrain", "parse",
]

LEX, DET, SUBJ, OBJ, VERB = "LEX", "DET", "SUBJ", "OBJ", "VERB"
ADJ, ADVERB, PREP, PREP_P = "ADJ", "ADVERB", "PREP", "PREP_P"
AREAS = [LEX, DET, SUBJ, OBJ, VERB, ADJ, ADVERB, PREP, PREP_P]
RECURRENT_AREAS = [SUBJ, OBJ, VERB, ADJ, ADVERB, PREP, PREP_P]
INITIAL_AREAS = [LEX, SUBJ, VERB]            # open before the first word

INHIBIT, DISINHIBIT = "INHIBIT", "DISINHIBIT"


@dataclass(frozen=True)
class AreaRule:
    action: str
    area: str
    index: int


@dataclass(frozen=True)
class FiberRule:
    """Acts on the fiber in both directions."""

    action: str
    area1: str
    area2: str
    index: int


Rule = AreaRule | FiberRule


@dataclass(frozen=True)
class Lexeme:
    index: int
    pre_rules: tuple[Rule, ...]
    post_rules: tuple[Rule, ...]


def _F(action: str, a1: str, a2: str, i: int) -> FiberRule:
    return FiberRule(action, a1, a2, i)


def _A(action: str, a: str, i: int) -> AreaRule:
    return AreaRule(action, a, i)


def _noun(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (
        _F(D, LEX, SUBJ, 0), _F(D, LEX, OBJ, 0), _F(D, LEX, PREP_P, 0),
        _F(D, DET, SUBJ, 0), _F(D, DET, OBJ, 0), _F(D, DET, PREP_P, 0),
        _F(D, ADJ, SUBJ, 0), _F(D, ADJ, OBJ, 0), _F(D, ADJ, PREP_P, 0),
        _F(D, VERB, OBJ, 0), _F(D, PREP_P, PREP, 0), _F(D, PREP_P, SUBJ, 0), _F(D, PREP_P, OBJ, 0),
    ), (
        _A(I, DET, 0), _A(I, ADJ, 0), _A(I, PREP_P, 0), _A(I, PREP, 0),
        _F(I, LEX, SUBJ, 0), _F(I, LEX, OBJ, 0), _F(I, LEX, PREP_P, 0),
        _F(I, ADJ, SUBJ, 0), _F(I, ADJ, OBJ, 0), _F(I, ADJ, PREP_P, 0),
        _F(I, DET, SUBJ, 0), _F(I, DET, OBJ, 0), _F(I, DET, PREP_P, 0),
        _F(I, VERB, OBJ, 0), _F(I, PREP_P, PREP, 0), _F(I, PREP_P, VERB, 0),
        _F(D, LEX, SUBJ, 1), _F(D, LEX, OBJ, 1), _F(D, DET, SUBJ, 1), _F(D, DET, OBJ, 1),
        _F(D, ADJ, SUBJ, 1), _F(D, ADJ, OBJ, 1),
        _F(I, PREP_P, SUBJ, 0), _F(I, PREP_P, OBJ, 0), _F(I, VERB, ADJ, 0),
    ))


def _trans_verb(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (
        _F(D, LEX, VERB, 0), _F(D, VERB, SUBJ, 0), _F(D, VERB, ADVERB, 0), _A(D, ADVERB, 1),
    ), (
        _F(I, LEX, VERB, 0), _A(D, OBJ, 0), _A(I, SUBJ, 0), _A(I, ADVERB, 0), _F(D, PREP_P, VERB, 0),
    ))


def _intrans_verb(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (
        _F(D, LEX, VERB, 0), _F(D, VERB, SUBJ, 0), _F(D, VERB, ADVERB, 0), _A(D, ADVERB, 1),
    ), (
        _F(I, LEX, VERB, 0), _A(I, SUBJ, 0), _A(I, ADVERB, 0), _F(D, PREP_P, VERB, 0),
    ))


def _copula(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (
        _F(D, LEX, VERB, 0), _F(D, VERB, SUBJ, 0),
    ), (
        _F(I, LEX, VERB, 0), _A(D, OBJ, 0), _A(I, SUBJ, 0), _F(D, ADJ, VERB, 0),
    ))


def _adverb(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (_A(D, ADVERB, 0), _F(D, LEX, ADVERB, 0)), (_F(I, LEX, ADVERB, 0), _A(I, ADVERB, 1)))


def _determiner(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (_A(D, DET, 0), _F(D, LEX, DET, 0)), (_F(I, LEX, DET, 0), _F(I, VERB, ADJ, 0)))


def _adjective(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (_A(D, ADJ, 0), _F(D, LEX, ADJ, 0)), (_F(I, LEX, ADJ, 0), _F(I, VERB, ADJ, 0)))


def _preposition(i: int) -> Lexeme:
    D, I = DISINHIBIT, INHIBIT
    return Lexeme(i, (_A(D, PREP, 0), _F(D, LEX, PREP, 0)), (
        _F(I, LEX, PREP, 0), _A(D, PREP_P, 0),
        _F(I, LEX, SUBJ, 1), _F(I, LEX, OBJ, 1), _F(I, DET, SUBJ, 1), _F(I, DET, OBJ, 1),
        _F(I, ADJ, SUBJ, 1), _F(I, ADJ, OBJ, 1),
    ))


#: The 20 words; ``index`` is the word's block in LEX.
LEXEME_DICT: dict[str, Lexeme] = {
    "the": _determiner(0), "a": _determiner(1),
    "dogs": _noun(2), "cats": _noun(3), "mice": _noun(4), "people": _noun(5),
    "chase": _trans_verb(6), "love": _trans_verb(7), "bite": _trans_verb(8),
    "of": _preposition(9), "big": _adjective(10), "bad": _adjective(11),
    "run": _intrans_verb(12), "fly": _intrans_verb(13), "quickly": _adverb(14),
    "in": _preposition(15), "are": _copula(16), "man": _noun(17), "woman": _noun(18),
    "saw": _trans_verb(19),
}

#: Which fibers the readout may follow, by source area.
READOUT_RULES: dict[str, list[str]] = {
    VERB: [LEX, SUBJ, OBJ, PREP_P, ADVERB, ADJ],
    SUBJ: [LEX, DET, ADJ, PREP_P],
    OBJ: [LEX, DET, ADJ, PREP_P],
    PREP_P: [LEX, PREP, ADJ, DET],
    PREP: [LEX],
    ADJ: [LEX],
    DET: [LEX],
    ADVERB: [LEX],
    LEX: [],
}


@dataclass
class _Inhibition:
    """Indexed inhibition: open iff no index is set.  Sets are only tested
    for emptiness/membership, never iterated, so hash order cannot leak."""

    areas: dict[str, set[int]] = field(default_factory=dict)
    fibers: dict[tuple[str, str], set[int]] = field(default_factory=dict)


class EnglishParserBrain:
    """Parser brain with the published defaults (p=0.1, non-LEX n=10000 and
    k=100, LEX k=20, betas 0.2 / LEX 1.0 / recurrent 0.05 / inter-area 0.5,
    20 rounds per word)."""

    def __init__(self, p: float = 0.1, *, non_lex_n: int = 10000, non_lex_k: int = 100, lex_k: int = 20,
                 default_beta: float = 0.2, lex_beta: float = 1.0, recurrent_beta: float = 0.05,
                 interarea_beta: float = 0.5, project_rounds: int = 20, seed: int = 0,
                 lexeme_dict: dict[str, Lexeme] | None = None) -> None:
        self.lexemes = dict(LEXEME_DICT if lexeme_dict is None else lexeme_dict)
        self.lex_k = lex_k
        self.project_rounds = project_rounds
        self.brain = b = Brain(p, seed=seed)
        n_words = max(lx.index for lx in self.lexemes.values()) + 1
        b.add_explicit_area(LEX, n_words * lex_k, lex_k, default_beta)
        for area in (SUBJ, OBJ, VERB, ADJ, PREP, PREP_P):
            b.add_area(area, non_lex_n, non_lex_k, default_beta)
        b.add_area(DET, non_lex_n, lex_k, default_beta)
        b.add_area(ADVERB, non_lex_n, non_lex_k, default_beta)
        for area in RECURRENT_AREAS:
            b.update_plasticity(area, LEX, lex_beta)
            b.update_plasticity(LEX, area, lex_beta)
            b.update_plasticity(area, area, recurrent_beta)
            for other in RECURRENT_AREAS:
                if other != area:
                    b.update_plasticity(other, area, interarea_beta)
        self.reset()

    def reset(self) -> None:
        """Initial inhibition state (keeps the learned synapses)."""
        self.inh = _Inhibition()
        for a in AREAS:
            self.inh.areas[a] = set() if a in INITIAL_AREAS else {0}
            for a2 in AREAS:
                self.inh.fibers[(a, a2)] = {0}
        self.activated: dict[str, list[str]] = {}

    # --------------------------------------------------------------- rules
    def apply_rule(self, rule: Rule) -> None:
        if isinstance(rule, FiberRule):
            for key in ((rule.area1, rule.area2), (rule.area2, rule.area1)):
                if rule.action == INHIBIT:
                    self.inh.fibers[key].add(rule.index)
                else:
                    self.inh.fibers[key].discard(rule.index)
        else:
            if rule.action == INHIBIT:
                self.inh.areas[rule.area].add(rule.index)
            else:
                self.inh.areas[rule.area].discard(rule.index)

    def project_map(self) -> dict[str, list[str]]:
        """Fibers that fire this round, in a fixed (area-list) order."""
        out: dict[str, list[str]] = {}
        has = {a: self.brain.area(a).winners.size > 0 for a in AREAS}

        def add(src: str, dst: str) -> None:
            lst = out.setdefault(src, [])
            if dst not in lst:
                lst.append(dst)

        for a1 in AREAS:
            if self.inh.areas[a1]:
                continue
            for a2 in AREAS:
                if a1 == LEX and a2 == LEX:
                    continue
                if self.inh.areas[a2] or self.inh.fibers[(a1, a2)]:
                    continue
                if has[a1]:
                    add(a1, a2)
                if has[a2] and a2 != LEX:
                    add(a2, a2)
        return out

    # --------------------------------------------------------------- words
    def activate_word(self, word: str) -> None:
        self.brain.area(LEX).unfix_assembly()
        self.brain.activate(LEX, self.lexemes[word].index)

    def get_word(self, area: str = LEX, min_overlap: float = 0.7) -> str | None:
        """Word whose LEX block holds at least ``min_overlap`` of the winners."""
        w = self.brain.area(area).winners
        if w.size == 0:
            return None
        k = self.brain.area(area).k
        for word, lx in self.lexemes.items():
            block = np.arange(lx.index * k, lx.index * k + k)
            if np.intersect1d(w, block).size >= min_overlap * k:
                return word
        return None

    def parse_word(self, word: str) -> None:
        if word not in self.lexemes:
            raise KeyError(f"word {word!r} is not in the lexicon")
        b = self.brain
        lx = self.lexemes[word]
        self.activate_word(word)
        for r in lx.pre_rules:
            self.apply_rule(r)
        pm = self.project_map()
        lex_targets = pm.get(LEX, [])
        for area in pm:
            if area == LEX:
                continue
            if area not in lex_targets:
                if b.area(area).winners.size:
                    b.area(area).fix_assembly()
            else:
                b.area(area).unfix_assembly()
                b.area(area).winners = []
        for _ in range(self.project_rounds):
            pm = self.project_map()
            for src, dsts in pm.items():
                lst = self.activated.setdefault(src, [])
                lst += [d for d in dsts if d not in lst]
            b.project({}, pm)
        for r in lx.post_rules:
            self.apply_rule(r)

    # ------------------------------------------------------------- readout
    def read_dependencies(self, root: str = VERB) -> list[tuple[str | None, str | None, str]]:
        """Fiber readout from ``root`` (plasticity off, nothing fixed)."""
        b = self.brain
        deps: list[tuple[str | None, str | None, str]] = []
        for a in AREAS:
            b.area(a).unfix_assembly()
        fibers = {src: [d for d in dsts if d in READOUT_RULES[src]] for src, dsts in self.activated.items()}
        seen: set[str] = set()

        def read_out(area: str) -> None:
            if area in seen or b.area(area).winners.size == 0:
                return
            seen.add(area)
            to_areas = fibers.get(area, [])
            if not to_areas:
                return
            b.project({}, {area: to_areas})
            this_word = self.get_word(LEX)
            for to in to_areas:
                if to == LEX:
                    continue
                b.project({}, {to: [LEX]})
                deps.append((this_word, self.get_word(LEX), to))
            for to in to_areas:
                if to != LEX:
                    read_out(to)

        with b.plasticity_off():
            read_out(root)
        return deps

    def parse(self, sentence: str) -> list[tuple[str | None, str | None, str]]:
        """Parse a sentence of lexicon words; returns ``(head, dependent,
        relation)`` triples, e.g. ``("chase", "mice", "OBJ")``.

        Like the published parser, a brain parses one sentence: the synapses
        it learns (LEX beta 1.0 for 20 rounds multiplies weights by 2**20)
        are not forgotten, so a second sentence on the same brain reads out
        the first one's words.  Use :func:`parse` or a new brain per sentence.
        """
        self.reset()
        for a in AREAS:
            self.brain.area(a).unfix_assembly()
            self.brain.area(a).winners = []
        for word in sentence.split():
            self.parse_word(word)
        return self.read_dependencies()


def parse(sentence: str = "cats chase mice", *, p: float = 0.1, lex_k: int = 20, project_rounds: int = 20,
          seed: int = 0, **kwargs) -> list[tuple[str | None, str | None, str]]:
    """Parse ``sentence`` with a fresh :class:`EnglishParserBrain`."""
    pb = EnglishParserBrain(p, lex_k=lex_k, project_rounds=project_rounds, seed=seed, **kwargs)
    return pb.parse(sentence)
