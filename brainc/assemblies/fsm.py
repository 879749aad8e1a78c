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
    """Shared machinery: explicit block areas, conjunctions, wiring, readout."""

    def __init__(self, states: Sequence[Hashable], symbols: Sequence[Hashable], *, k: int, n_trans: int,
                 p: float, state_p: float, wire_beta: float, wire_rounds: int, clean_rounds: int,
                 seed: int) -> None:
        if len(set(states)) != len(states) or len(set(symbols)) != len(symbols):
            raise ValueError("states and symbols must be unique")
        self.states = list(states)
        self.symbols = list(symbols)
        self.k = k
        self.n_trans = n_trans
        self.wire_rounds = wire_rounds
        self.clean_rounds = clean_rounds
        self.brain = Brain(p, seed=seed)
        b = self.brain
        # dense recurrent state blocks (state_p) make them clean attractors
        b.add_explicit_area("STATE", k * len(self.states), k, wire_beta, custom_inner_p=state_p)
        b.add_explicit_area("SYMBOL", k * len(self.symbols), k, wire_beta)
        self._sidx = {q: i for i, q in enumerate(self.states)}
        self._aidx = {a: i for i, a in enumerate(self.symbols)}
        # every state block becomes an attractor of STATE -> STATE, so one
        # clean-up round restores a pure block from a mostly-right pattern
        for i in range(len(self.states)):
            self._block("STATE", i)
            b.area("STATE").fix_assembly()
            for _ in range(wire_rounds):
                b.project({}, {"STATE": ["STATE"]})
            b.area("STATE").unfix_assembly()

    def _add_conjunction_area(self, name: str) -> None:
        # explicit, and no plasticity into it: the conjunction of given source
        # blocks is then the same set of neurons at run time as in training
        # (an implicit area would redraw never-fired neurons' inputs; see
        # docs/assemblies.md, "implicit areas")
        self.brain.add_explicit_area(name, self.n_trans, self.k, 0.0)

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

    def _form(self, target: str, sources: list[str]) -> None:
        """The sources (already holding their assemblies) fire into the silent
        conjunction area ``target``: the k-cap keeps neurons driven by all."""
        b = self.brain
        b.area(target).winners = []
        with b.plasticity_off():
            b.project({}, {src: [target] for src in sources})

    def _wire_all(self, src: str, sets: dict[int, list[np.ndarray]]) -> None:
        """For every state, fire the union of the conjunction assemblies that
        lead to it and let ``src -> STATE`` learn toward its block.

        One potentiation per (neuron, successor), however many conjunctions
        share the neuron: wiring each conjunction separately would compound
        the multiplicative update on shared neurons (x(1+beta)^rounds per
        membership) and let a successor with many conjunctions swamp the others.
        """
        for state in sorted(sets):
            self.brain.area(src).winners = np.unique(np.concatenate(sets[state]))
            self._wire(src, state)

    def _wire(self, src: str, state: int) -> None:
        """Hold ``src``'s assembly and the state block; ``src -> STATE`` learns."""
        b = self.brain
        b.area(src).fix_assembly()
        self._block("STATE", state)
        b.area("STATE").fix_assembly()
        for _ in range(self.wire_rounds):
            b.project({}, {src: ["STATE"]})
        b.area(src).unfix_assembly()
        b.area("STATE").unfix_assembly()

    def _settle(self, last: str) -> None:
        """``last -> STATE`` then clean-up rounds, plasticity off."""
        b = self.brain
        with b.plasticity_off():
            b.project({}, {last: ["STATE"]})
            for _ in range(self.clean_rounds):
                b.project({}, {"STATE": ["STATE"]})


class FSMNetwork(_BlockAutomaton):
    """Deterministic finite automaton computed by assemblies.

    ``transitions[(q, a)] = q'``; missing pairs go to an added ``"<dead>"``
    state.  ``run(word)`` returns the visited states (read out of STATE by
    overlap) and whether the last one is accepting.
    """

    DEAD = "<dead>"

    def __init__(self, states: Sequence[Hashable], symbols: Sequence[Hashable],
                 transitions: Mapping[tuple[Hashable, Hashable], Hashable], start: Hashable,
                 accept: Sequence[Hashable] = (), *, k: int = 100, n_trans: int = 10000, p: float = 0.1,
                 state_p: float = 0.5, wire_beta: float = 1.0, wire_rounds: int = 3, clean_rounds: int = 2,
                 seed: int = 0) -> None:
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
        super().__init__(states, symbols, k=k, n_trans=n_trans, p=p, state_p=state_p, wire_beta=wire_beta,
                         wire_rounds=wire_rounds, clean_rounds=clean_rounds, seed=seed)
        self.start = start
        self.accept = list(accept)
        self._add_conjunction_area("TRANS")
        sets: dict[int, list[np.ndarray]] = {}
        for q in self.states:
            for a in self.symbols:
                self._block("STATE", self._sidx[q])
                self._block("SYMBOL", self._aidx[a])
                self._form("TRANS", ["STATE", "SYMBOL"])
                sets.setdefault(self._sidx[total[(q, a)]], []).append(self.brain.area("TRANS").winners)
        self._wire_all("TRANS", sets)
        self.reset()

    def reset(self) -> None:
        """Put the start state's block into STATE."""
        self._block("STATE", self._sidx[self.start])

    def step(self, symbol: Hashable) -> Hashable | None:
        """Consume one symbol: STATE and SYMBOL fire into TRANS, TRANS into
        STATE (plus clean-up); returns the state read out of STATE.  STATE
        keeps the assembly the network produced, not a clean copy."""
        if symbol not in self._aidx:
            raise KeyError(f"unknown symbol {symbol!r}")
        self._block("SYMBOL", self._aidx[symbol])
        self._form("TRANS", ["STATE", "SYMBOL"])
        self._settle("TRANS")
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

    ``transitions[(q, a)] = {q': probability, ...}`` (each summing to 1);
    ``tickets`` is the resolution of the probabilities (1/tickets).  Two
    conjunction areas: ``TRANS`` = conj(state, symbol), ``CHOICE`` =
    conj(TRANS assembly, ticket); ``CHOICE -> STATE`` is wired to each
    ticket's successor.
    """

    def __init__(self, states: Sequence[Hashable], symbols: Sequence[Hashable],
                 transitions: Mapping[tuple[Hashable, Hashable], Mapping[Hashable, float]], start: Hashable,
                 *, tickets: int = 10, k: int = 100, n_trans: int = 3000, p: float = 0.1,
                 state_p: float = 0.5, wire_beta: float = 1.0, wire_rounds: int = 3, clean_rounds: int = 2,
                 seed: int = 0) -> None:
        super().__init__(states, symbols, k=k, n_trans=n_trans, p=p, state_p=state_p, wire_beta=wire_beta,
                         wire_rounds=wire_rounds, clean_rounds=clean_rounds, seed=seed)
        if start not in self._sidx:
            raise ValueError(f"unknown start state {start!r}")
        self.tickets = int(tickets)
        self.start = start
        b = self.brain
        b.add_explicit_area("TICKET", k * self.tickets, k, 0.0)
        self._add_conjunction_area("TRANS")
        self._add_conjunction_area("CHOICE")
        self.allocation: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
        sets: dict[int, list[np.ndarray]] = {}
        for q in self.states:
            for a in self.symbols:
                dist = transitions.get((q, a))
                if dist is None:
                    raise ValueError(f"no transition distribution for {(q, a)!r}")
                alloc = self._allocate(dist)
                self.allocation[(q, a)] = alloc
                self._block("STATE", self._sidx[q])
                self._block("SYMBOL", self._aidx[a])
                self._form("TRANS", ["STATE", "SYMBOL"])
                b.area("TRANS").fix_assembly()
                for t, q2 in enumerate(alloc):
                    self._block("TICKET", t)
                    self._form("CHOICE", ["TRANS", "TICKET"])
                    sets.setdefault(self._sidx[q2], []).append(b.area("CHOICE").winners)
                b.area("TRANS").unfix_assembly()
        self._wire_all("CHOICE", sets)
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
        """Consume one symbol: a ticket block chosen uniformly by the brain's
        generator fires; STATE+SYMBOL -> TRANS, TRANS+TICKET -> CHOICE,
        CHOICE -> STATE.  Returns the state read out of STATE."""
        if symbol not in self._aidx:
            raise KeyError(f"unknown symbol {symbol!r}")
        t = int(self.brain.rng.integers(self.tickets))
        self._block("SYMBOL", self._aidx[symbol])
        self._block("TICKET", t)
        self._form("TRANS", ["STATE", "SYMBOL"])
        self._form("CHOICE", ["TRANS", "TICKET"])
        self._settle("CHOICE")
        return self._read_state()[0]

    def run(self, word: Sequence[Hashable]) -> list[Hashable | None]:
        self.reset()
        visited: list[Hashable | None] = [self.start]
        for a in word:
            visited.append(self.step(a))
        return visited
