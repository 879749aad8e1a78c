"""Finite automata whose transitions are computed by assemblies.

A deterministic automaton (:class:`FSMNetwork`) uses three areas:

* ``STATE``  explicit, one block of ``k`` neurons per state (block ``i`` =
  neurons ``i*k .. i*k+k-1``), the original parser's lexicon layout;
* ``SYMBOL`` explicit, one block per input symbol;
* ``TRANS``  explicit: for every transition ``(q, a) -> q'`` training
  forms a *conjunctive* assembly ``t(q, a)`` from ``q`` and ``a`` firing
  together (a merge), then holds ``t(q, a)`` and ``q'`` fixed while
  ``TRANS -> STATE`` fires, which potentiates exactly the synapses
  ``t(q, a) -> q'`` (fixed assemblies keep learning).

Running a symbol is two projection rounds with plasticity off: ``STATE`` and
``SYMBOL`` fire into ``TRANS`` (the k-cap picks the neurons with input from
*both*, i.e. ``t(q, a)``), then ``TRANS`` fires into ``STATE`` (the k-cap
picks ``q'``).  The Python side only writes the symbol's block into
``SYMBOL`` and reads the state back by overlap; no transition table is
consulted after training.

The probabilistic version (:class:`PFANetwork`) adds an explicit ``TICKET``
area of ``tickets`` blocks (a random-choice area).  Each ``(q, a)`` gets its
tickets shared among the successor states in proportion to the
probabilities (largest-remainder rounding, so a probability is realised to
within ``1/tickets``), and training forms one conjunctive assembly per
``(q, a, ticket)`` wired to that ticket's successor.  At run time one ticket
block fires, chosen uniformly by the brain's generator (the only random draw
outside the network); ``STATE``, ``SYMBOL`` and ``TICKET`` fire into
``TRANS`` and ``TRANS`` into ``STATE``.  Successor probabilities therefore
live in how many ticket conjunctions point to each successor.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from .brain import Brain
from .ops import overlap

__all__ = ["FSMNetwork", "PFANetwork"]


class _BlockAutomaton:
    """Shared machinery: explicit block areas, conjunction training, readout."""

    def __init__(self, states: Sequence[Hashable], symbols: Sequence[Hashable], *, k: int, n_trans: int,
                 p: float, forward_beta: float, wire_beta: float, form_rounds: int, wire_rounds: int,
                 seed: int) -> None:
        if len(set(states)) != len(states) or len(set(symbols)) != len(symbols):
            raise ValueError("states and symbols must be unique")
        self.states = list(states)
        self.symbols = list(symbols)
        self.k = k
        self.form_rounds = form_rounds
        self.wire_rounds = wire_rounds
        self.brain = Brain(p, seed=seed)
        self.forward_beta = forward_beta
        b = self.brain
        b.add_explicit_area("STATE", k * len(self.states), k, wire_beta)
        b.add_explicit_area("SYMBOL", k * len(self.symbols), k, wire_beta)
        # explicit: a never-fired neuron's input from the fixed state and symbol
        # blocks must be the same at run time as during training (an implicit
        # area would redraw it; see docs/assemblies.md, "implicit areas")
        b.add_explicit_area("TRANS", n_trans, k, forward_beta)

    def _block(self, area: str, index: int) -> None:
        a = self.brain.area(area)
        if a.fixed_assembly:
            a.unfix_assembly()
        a.winners = np.arange(index * self.k, (index + 1) * self.k)

    def _read_state(self) -> tuple[Hashable | None, float]:
        """Best-matching state block and its overlap with the STATE winners."""
        w = self.brain.area("STATE").winners
        best, best_ov = None, 0.0
        for i, q in enumerate(self.states):
            ov = overlap(w, np.arange(i * self.k, (i + 1) * self.k))
            if ov > best_ov:
                best, best_ov = q, ov
        return best, best_ov

    def _train_conjunction(self, sources: list[tuple[str, int]], target_state: int) -> None:
        """Form a TRANS assembly from the fixed source blocks, then wire it to
        the target state block."""
        b = self.brain
        for area, idx in sources:
            self._block(area, idx)
            b.area(area).fix_assembly()
        b.area("TRANS").winners = []
        fan = {area: ["TRANS"] for area, _ in sources}
        for area, _ in sources:
            b.update_plasticity(area, "TRANS", self.forward_beta)
        b.project({}, fan)
        for _ in range(self.form_rounds - 1):
            b.project({}, {**fan, "TRANS": ["TRANS"]})
        # hold t and q' and let TRANS -> STATE learn
        b.area("TRANS").fix_assembly()
        self._block("STATE", target_state)
        b.area("STATE").fix_assembly()
        for _ in range(self.wire_rounds):
            b.project({}, {"TRANS": ["STATE"]})
        for area in ("TRANS", "STATE", *[a for a, _ in sources]):
            b.area(area).unfix_assembly()

    def _fire(self, sources: list[tuple[str, int]]) -> None:
        """One symbol step with plasticity off: sources -> TRANS -> STATE.
        STATE keeps whatever assembly the previous step left (not a clean
        block), so errors would propagate as in a real network."""
        b = self.brain
        for area, idx in sources:
            if area != "STATE":
                self._block(area, idx)
        with b.plasticity_off():
            b.project({}, {area: ["TRANS"] for area, _ in sources})
            b.project({}, {"TRANS": ["STATE"]})


class FSMNetwork(_BlockAutomaton):
    """Deterministic finite automaton computed by assemblies.

    ``transitions[(q, a)] = q'``; missing pairs go to an added ``"<dead>"``
    state.  ``run(word)`` returns the visited states and whether the last one
    is accepting.  Defaults (k=50, TRANS n=20000, p=0.1, beta=0.1) recover
    every transition of small automata exactly; see the tests.
    """

    DEAD = "<dead>"

    def __init__(self, states: Sequence[Hashable], symbols: Sequence[Hashable],
                 transitions: Mapping[tuple[Hashable, Hashable], Hashable], start: Hashable,
                 accept: Sequence[Hashable] = (), *, k: int = 100, n_trans: int = 10000, p: float = 0.1,
                 forward_beta: float = 0.0, wire_beta: float = 1.0, form_rounds: int = 1,
                 wire_rounds: int = 3, seed: int = 0) -> None:
        states = list(states)
        total = {(q, a): transitions.get((q, a)) for q in states for a in symbols}
        if any(v is None for v in total.values()):
            states.append(self.DEAD)
            total = {(q, a): transitions.get((q, a), self.DEAD) for q in states for a in symbols}
        for (q, a), q2 in total.items():
            if q2 not in states:
                raise ValueError(f"transition {(q, a)!r} goes to unknown state {q2!r}")
        if start not in states:
            raise ValueError(f"unknown start state {start!r}")
        super().__init__(states, symbols, k=k, n_trans=n_trans, p=p, forward_beta=forward_beta,
                         wire_beta=wire_beta, form_rounds=form_rounds, wire_rounds=wire_rounds, seed=seed)
        self.start = start
        self.accept = list(accept)
        self._sidx = {q: i for i, q in enumerate(self.states)}
        self._aidx = {a: i for i, a in enumerate(self.symbols)}
        for q in self.states:
            for a in self.symbols:
                self._train_conjunction([("STATE", self._sidx[q]), ("SYMBOL", self._aidx[a])],
                                        self._sidx[total[(q, a)]])
        self.reset()

    def reset(self) -> None:
        """Put the start state's block into STATE."""
        self._block("STATE", self._sidx[self.start])

    def step(self, symbol: Hashable) -> Hashable | None:
        """Consume one symbol; returns the state read out of STATE."""
        if symbol not in self._aidx:
            raise KeyError(f"unknown symbol {symbol!r}")
        self._fire([("STATE", -1), ("SYMBOL", self._aidx[symbol])])
        return self._read_state()[0]

    def run(self, word: Sequence[Hashable]) -> tuple[list[Hashable | None], bool]:
        """States after each symbol (start state first) and acceptance."""
        self.reset()
        visited: list[Hashable | None] = [self.start]
        for a in word:
            visited.append(self.step(a))
        return visited, visited[-1] in self.accept


class PFANetwork(_BlockAutomaton):
    """Probabilistic finite automaton computed by assemblies.

    ``transitions[(q, a)] = {q': probability, ...}`` (each summing to 1).
    ``tickets`` is the resolution of the probabilities (1/tickets).
    """

    def __init__(self, states: Sequence[Hashable], symbols: Sequence[Hashable],
                 transitions: Mapping[tuple[Hashable, Hashable], Mapping[Hashable, float]], start: Hashable,
                 *, tickets: int = 10, k: int = 100, n_trans: int = 20000, p: float = 0.1,
                 forward_beta: float = 0.0, wire_beta: float = 1.0, form_rounds: int = 1, wire_rounds: int = 3,
                 seed: int = 0) -> None:
        super().__init__(states, symbols, k=k, n_trans=n_trans, p=p, forward_beta=forward_beta,
                         wire_beta=wire_beta, form_rounds=form_rounds, wire_rounds=wire_rounds, seed=seed)
        self.tickets = int(tickets)
        self.brain.add_explicit_area("TICKET", k * self.tickets, k, wire_beta)
        self.start = start
        self._sidx = {q: i for i, q in enumerate(self.states)}
        self._aidx = {a: i for i, a in enumerate(self.symbols)}
        self.allocation: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
        for q in self.states:
            for a in self.symbols:
                dist = transitions.get((q, a))
                if dist is None:
                    raise ValueError(f"no transition distribution for {(q, a)!r}")
                alloc = self._allocate(dist)
                self.allocation[(q, a)] = alloc
                for t, q2 in enumerate(alloc):
                    self._train_conjunction([("STATE", self._sidx[q]), ("SYMBOL", self._aidx[a]),
                                             ("TICKET", t)], self._sidx[q2])
        self.reset()

    def _allocate(self, dist: Mapping[Hashable, float]) -> list[Hashable]:
        """Successor of each ticket: largest-remainder apportionment."""
        items = [(q2, float(pr)) for q2, pr in dist.items()]
        if any(q2 not in self._sidx for q2, _ in items):
            raise ValueError(f"unknown successor state in {dict(dist)!r}")
        tot = sum(pr for _, pr in items)
        if not np.isclose(tot, 1.0):
            raise ValueError(f"transition probabilities must sum to 1, got {tot}")
        quotas = [pr * self.tickets for _, pr in items]
        counts = [int(np.floor(x)) for x in quotas]
        order = sorted(range(len(items)), key=lambda i: (-(quotas[i] - counts[i]), i))
        for i in order[: self.tickets - sum(counts)]:
            counts[i] += 1
        out: list[Hashable] = []
        for (q2, _), c in zip(items, counts):
            out += [q2] * c
        return out

    def reset(self) -> None:
        self._block("STATE", self._sidx[self.start])

    def step(self, symbol: Hashable) -> Hashable | None:
        """Consume one symbol: a uniformly random ticket block fires with the
        state and symbol; returns the state read out of STATE."""
        if symbol not in self._aidx:
            raise KeyError(f"unknown symbol {symbol!r}")
        t = int(self.brain.rng.integers(self.tickets))
        self._fire([("STATE", -1), ("SYMBOL", self._aidx[symbol]), ("TICKET", t)])
        return self._read_state()[0]

    def run(self, word: Sequence[Hashable]) -> list[Hashable | None]:
        self.reset()
        visited: list[Hashable | None] = [self.start]
        for a in word:
            visited.append(self.step(a))
        return visited
