"""Assembly-calculus engine: synchronous k-cap rounds with Hebbian plasticity.

This is the numerical core of the assembly family (Papadimitriou, Vempala,
Mitropolsky, Collins, Maass, "Brain computation by assemblies of neurons",
PNAS 2020).  A network is a set of *areas* (``n`` neurons, cap ``k``, default
plasticity ``beta``), *stimuli* (``size`` neurons that fire together) and
*fibers* (directed connections ``src -> dst`` with connection probability
``p``, optional per-fiber ``beta`` and an ``inhibited`` flag).

One call to :meth:`AssemblyEngine.round` is one synchronous projection round:

1. **Which fibers transmit.**  A fiber transmits iff it is not inhibited, the
   caller's ``active`` mapping (when given) names it with a true value, and its
   source fired in the previous round: a stimulus fires iff its ``active``
   flag is set (default), an area fires iff it currently holds winners.
2. **Which areas update.**  Exactly the destinations of transmitting fibers.
   Areas that receive nothing keep their winners unchanged (this is the
   original simulator's convention and what lets ``A -> B`` schedules chain
   across calls).
3. **Selection.**  Every updating area computes the summed synaptic input of
   its neurons from the *previous* winners of all transmitting sources and
   keeps the top ``k`` (uniformly random tie-breaking at the cut).  A fixed
   area keeps its winners.  Neurons that won during the last ``refractory``
   updates of the area are ineligible (long-range inhibition, used for
   sequence recall).  All areas are decided from the same previous state and
   committed together, so the order of areas never matters.
4. **Plasticity.**  Every synapse from a previous winner of a transmitting
   source to a new winner of the destination is multiplied by ``1 + beta``
   (fiber beta if set, else the destination area's beta; 0 when plasticity is
   disabled).  Fixed areas are still plastic.

Explicit areas materialise all ``n`` neurons with Bernoulli(``p``)
connectivity.  Implicit areas materialise only neurons that ever fired (or were
assigned as winners); the ``n - m`` others form the area's *pool*:

* for every stimulus fiber into the area the pool stores each never-fired
  neuron's synapse count from that stimulus (uint8/16, length ``n``): a
  stimulus fires the same neurons every time, so these counts must persist;
* the area input of the pool is kept as a histogram ``H[v, r]``: how many
  never-fired neurons have stimulus level ``v`` and ``r`` synapses from the
  source winners that fired at the area's last update.  It starts as exact
  multinomial draws (a sum of Binomial(``size_f``, ``p_f``) per neuron, where
  ``size_f`` is the number of neurons actually firing on fiber ``f``, not
  ``k``) and is carried from round to round by the exact transition "lose a
  hypergeometric share of the synapses from sources that stopped firing, gain
  Binomial synapses from sources that started".  The pool's top ``k`` is read
  off ``H``.  Redrawing the pool every round, as the original simulator does,
  forgets who nearly won and inflates support by up to 70% against explicit
  areas; see docs/assemblies.md for the measured agreement.

A pool neuron that wins becomes a materialised neuron: a uniformly random
never-fired neuron with the winning stimulus level (its stored stimulus counts
become its stimulus weights); its area input is split over the firing sources
from the exact conditional law (multivariate hypergeometric when all ``p``
are equal), the firing presynaptic neurons of each source are a uniformly
random subset of that source's winners, and every other synapse to/from
materialised neurons is drawn Bernoulli(``p``).

Every random number comes from one ``numpy.random.Generator`` owned by the
engine; its ``bit_generator.state`` is part of :meth:`state_dict`, so a saved
engine resumes bit-for-bit.  All state is a flat dict of numpy arrays plus a
JSON-able ``meta`` dict (see :meth:`AssemblyEngine.state_dict`).

Storage.  A stimulus fiber keeps one float32 weight per materialised
destination neuron (the summed weight of its synapses from the stimulus: all
stimulus neurons always fire together, so only the sum matters, and a
multiplicative update scales the sum).  An area fiber keeps a COO edge list
(int32 ``pre``, int32 ``post``, float32 ``w``) over materialised neurons, in
amortised-growth buffers: recruiting a neuron appends its edges, nothing is
ever copied per round.  Memory is O(edges) = O(p * m_src * m_dst).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from numba import njit

__all__ = [
    "AreaSpec", "StimulusSpec", "FiberSpec", "AssemblyEngine", "STATE_VERSION",
]

#: Version of the :meth:`AssemblyEngine.state_dict` layout.
STATE_VERSION = 1

# "never won" marker for the refractory bookkeeping; far below any counter.
_NEVER = np.int64(-(1 << 62))


# --------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------

@dataclass
class AreaSpec:
    """A brain area.

    ``n``: neurons (count); ``k``: winners per round (count); ``beta``: default
    multiplicative plasticity of synapses into this area (dimensionless);
    ``explicit``: materialise all ``n`` neurons; ``refractory``: number of the
    area's own past updates whose winners are barred from winning again
    (0 = off; long-range inhibition).
    """

    name: str
    n: int
    k: int
    beta: float = 0.05
    explicit: bool = False
    refractory: int = 0


@dataclass
class StimulusSpec:
    """A stimulus: ``size`` neurons (count) that always fire together."""

    name: str
    size: int


@dataclass
class FiberSpec:
    """A directed fiber ``src -> dst`` (``src`` an area or stimulus name).

    ``p``: connection probability; ``beta``: plasticity of this fiber (None =
    destination area's beta); ``inhibited``: the fiber never transmits.
    """

    src: str
    dst: str
    p: float
    beta: float | None = None
    inhibited: bool = False


# --------------------------------------------------------------------------
# Growable buffers
# --------------------------------------------------------------------------

class _Buf:
    """1-D array with amortised (doubling) growth; ``view()`` is the live part."""

    __slots__ = ("a", "n")

    def __init__(self, dtype: Any, data: np.ndarray | None = None) -> None:
        if data is None:
            self.a = np.empty(16, dtype=dtype)
            self.n = 0
        else:
            self.a = np.array(data, dtype=dtype, copy=True)
            self.n = self.a.size

    def view(self) -> np.ndarray:
        return self.a[: self.n]

    def reserve(self, extra: int) -> None:
        need = self.n + extra
        if need > self.a.size:
            cap = max(need, 2 * self.a.size, 16)
            b = np.empty(cap, dtype=self.a.dtype)
            b[: self.n] = self.a[: self.n]
            self.a = b

    def append(self, values: np.ndarray) -> None:
        c = values.size
        if c == 0:
            return
        self.reserve(c)
        self.a[self.n: self.n + c] = values
        self.n += c

    def fill(self, count: int, value: Any) -> None:
        if count <= 0:
            return
        self.reserve(count)
        self.a[self.n: self.n + count] = value
        self.n += count


# --------------------------------------------------------------------------
# Numba kernels
# --------------------------------------------------------------------------

@njit(cache=True)
def _accumulate(pre, post, w, src_mask, out):
    """out[post[e]] += w[e] for every edge whose presynaptic neuron fired."""
    for e in range(pre.size):
        if src_mask[pre[e]]:
            out[post[e]] += w[e]


@njit(cache=True)
def _hebbian(pre, post, w, src_mask, dst_mask, factor):
    """w[e] *= factor for edges from a firing source neuron to a new winner."""
    for e in range(pre.size):
        if src_mask[pre[e]] and dst_mask[post[e]]:
            w[e] = w[e] * factor


@njit(cache=True)
def _binom_pmf(n, p):
    """Binomial(n, p) probability mass for 0..n (float64[n+1]), log-space."""
    out = np.zeros(n + 1)
    if p <= 0.0:
        out[0] = 1.0
        return out
    if p >= 1.0:
        out[n] = 1.0
        return out
    lp = math.log(p)
    lq = math.log1p(-p)
    lgn = math.lgamma(n + 1.0)
    for x in range(n + 1):
        out[x] = math.exp(lgn - math.lgamma(x + 1.0) - math.lgamma(n - x + 1.0)
                          + x * lp + (n - x) * lq)
    return out


@njit(cache=True)
def _split_totals(totals, fmat, gmat, sizes, u):
    """Split each candidate's input total over the firing sources.

    ``fmat[i, x]`` is the pmf of the input from source ``i``; ``gmat[i, y]`` the
    pmf of the summed input of sources ``i..F-1`` (``gmat[F]`` is a point mass
    at 0).  Source ``i`` takes ``x`` with probability proportional to
    ``fmat[i, x] * gmat[i+1, rem - x]``: the exact conditional law given the
    total (the multivariate hypergeometric when all ``p`` are equal).
    ``u`` holds one uniform per (candidate, source).  Returns int64[c, F].
    """
    c = totals.size
    F = fmat.shape[0]
    out = np.zeros((c, F), dtype=np.int64)
    for j in range(c):
        rem = totals[j]
        for i in range(F - 1):
            hi = min(sizes[i], rem)
            tot = 0.0
            for x in range(hi + 1):
                tot += fmat[i, x] * gmat[i + 1, rem - x]
            pick = -1
            if tot > 0.0:
                target = u[j, i] * tot
                acc = 0.0
                for x in range(hi + 1):
                    acc += fmat[i, x] * gmat[i + 1, rem - x]
                    if acc > target:
                        pick = x
                        break
                if pick < 0:
                    # rounding left target above the running sum: take the
                    # largest feasible value with positive weight
                    for x in range(hi, -1, -1):
                        if fmat[i, x] * gmat[i + 1, rem - x] > 0.0:
                            pick = x
                            break
            if pick < 0:
                # total underflowed (never happens for sampled tails); fall back
                # to a proportional-to-size share so the split stays feasible
                rest = 0
                for r in range(i, F):
                    rest += sizes[r]
                pick = min(hi, int(rem * sizes[i] / max(rest, 1)))
            out[j, i] = pick
            rem -= pick
        out[j, F - 1] = rem
    return out


@njit(cache=True)
def _choose_firing(pool, counts, u, post_ids, out_pre, out_post):
    """For candidate ``j``, pick ``counts[j]`` distinct neurons of ``pool``.

    Partial Fisher-Yates on a scratch copy of ``pool``; the pool is left
    permuted between candidates, which keeps every pick uniform.  ``u`` holds
    ``counts.sum()`` uniforms.
    """
    s = pool.size
    scratch = pool.copy()
    pos = 0
    for j in range(counts.size):
        x = counts[j]
        for t in range(x):
            r = t + int(u[pos] * (s - t))
            if r >= s:
                r = s - 1
            tmp = scratch[t]
            scratch[t] = scratch[r]
            scratch[r] = tmp
            out_pre[pos] = scratch[t]
            out_post[pos] = post_ids[j]
            pos += 1


# --------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------

@njit(cache=True)
def _lchoose(n, k):
    return math.lgamma(n + 1.0) - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0)


@njit(cache=True)
def _transition_matrix(rmax, w_old, d, pmf_add):
    """Law of a never-fired neuron's new area input given its old one.

    Row ``r``: the neuron had ``r`` synapses from the ``w_old`` previously
    firing source neurons; ``d`` of those stopped firing, so it keeps
    ``r - h`` with ``h ~ Hypergeometric(w_old, d, r)`` (given the count, the
    synapses sit on a uniformly random subset), plus the input from the newly
    firing neurons, whose law is ``pmf_add``.  float64[rmax+1, rmax+len(pmf_add)].
    """
    A = pmf_add.size
    Q = np.zeros((rmax + 1, rmax + A))
    for r in range(rmax + 1):
        if d == 0 or r == 0:
            for x in range(A):
                Q[r, r + x] += pmf_add[x]
            continue
        rr = min(r, w_old)
        lo = max(0, rr - (w_old - d))
        hi = min(rr, d)
        for h in range(lo, hi + 1):
            ph = math.exp(_lchoose(d, h) + _lchoose(w_old - d, rr - h) - _lchoose(w_old, rr))
            base = rr - h
            for x in range(A):
                Q[r, base + x] += ph * pmf_add[x]
    return Q


@njit(cache=True)
def _pool_hist(P, fs_rows, dead, out):
    """Histogram (``out``) over live pool columns of their summed stimulus
    counts on the pool rows ``fs_rows`` (the firing stimulus fibers)."""
    q = fs_rows.size
    for i in range(P.shape[1]):
        if dead[i]:
            continue
        v = 0
        for r in range(q):
            v += np.int64(P[fs_rows[r], i])
        out[v] += 1


@njit(cache=True)
def _pool_pick(P, fs_rows, dead, slot_of_level, ranks, offsets, out):
    """Live pool columns at requested levels, by rank within their level.

    ``slot_of_level[v]`` is -1 or the slot of level v; slot ``s`` wants the
    columns whose within-level rank is in ``ranks[offsets[s]:offsets[s+1]]``
    (ascending); they are written to ``out`` at the same positions.
    """
    nslot = offsets.size - 1
    seen = np.zeros(nslot, dtype=np.int64)
    nxt = offsets[:-1].copy()
    q = fs_rows.size
    for i in range(P.shape[1]):
        if dead[i]:
            continue
        v = 0
        for r in range(q):
            v += np.int64(P[fs_rows[r], i])
        if v >= slot_of_level.size:
            continue
        s = slot_of_level[v]
        if s < 0:
            continue
        if nxt[s] < offsets[s + 1] and ranks[nxt[s]] == seen[s]:
            out[nxt[s]] = i
            nxt[s] += 1
        seen[s] += 1


@njit(cache=True)
def _bucket_fill(vals, slot_of_level, offsets, out):
    """Counting sort of the columns whose level has a slot (ascending ids)."""
    pos = offsets[:-1].copy()
    for i in range(vals.size):
        s = slot_of_level[vals[i]]
        if s >= 0:
            out[pos[s]] = i
            pos[s] += 1


class _InputLaw:
    """Law of the summed input a never-fired neuron receives from firing areas.

    ``sizes``/``ps``: firing count and connection probability per area source.
    ``fmat``/``gmat``: per-source pmfs and suffix convolutions (see
    :func:`_split_totals`); ``neg_sf[x] = -P(X > x)`` for x in 0..T, ascending,
    so ``searchsorted`` inverts the tail.
    """

    __slots__ = ("sizes", "fmat", "gmat", "neg_sf", "total")

    def __init__(self, sizes: Sequence[int], ps: Sequence[float]) -> None:
        F = len(sizes)
        T = int(sum(sizes))
        self.total = T
        self.sizes = np.asarray(sizes, dtype=np.int64)
        fmat = np.zeros((F, T + 1))
        for i in range(F):
            fmat[i, : sizes[i] + 1] = _binom_pmf(int(sizes[i]), float(ps[i]))
        gmat = np.zeros((F + 1, T + 1))
        gmat[F, 0] = 1.0
        for i in range(F - 1, -1, -1):
            conv = np.convolve(fmat[i, : sizes[i] + 1], gmat[i + 1])[: T + 1]
            gmat[i, : conv.size] = conv
        pmf = gmat[0]
        # tail sums from the right keep tiny tail probabilities accurate
        ge = np.cumsum(pmf[::-1])[::-1]            # P(X >= x)
        sf = np.zeros(T + 1)
        sf[:-1] = ge[1:]                           # P(X > x)
        self.fmat = fmat
        self.gmat = gmat
        self.neg_sf = -sf

    def pmf(self) -> np.ndarray:
        """pmf of the total, trailing underflowed zeros trimmed."""
        pmf = self.gmat[0]
        nz = np.flatnonzero(pmf > 0.0)
        return pmf[: (nz[-1] + 1 if nz.size else 1)]


@dataclass
class _Plan:
    """What one area does in a round (computed before anything is committed)."""

    old: np.ndarray                 # materialised neurons that win (ascending)
    lvl: np.ndarray                 # recruits: summed firing-stimulus count
    r: np.ndarray                   # recruits: input from firing areas
    law: _InputLaw | None           # law of the area part
    fa: list[int]                   # transmitting area fibers into the area
    fs_rows: np.ndarray             # pool rows of the transmitting stimulus fibers
    hist: np.ndarray | None         # pool columns per stimulus level
    H: np.ndarray | None = None     # pool histogram [level, area input] this round
    hkey: tuple = ()                # stimulus fibers defining the level


_EMPTY_I64 = np.empty(0, dtype=np.int64)


class AssemblyEngine:
    """Areas, stimuli and fibers of an assembly-calculus network, stepped in
    synchronous rounds.  See the module docstring for the exact semantics.

    Neuron ids of an implicit area are materialisation order (0..m-1); of an
    explicit area, 0..n-1.  All arrays handed out are copies.

    Never-fired neurons of an implicit area form a *pool* (stored stimulus
    synapse counts plus the histogram of area inputs; module docstring).
    Memory: O(n) bytes per stimulus fiber into an implicit area, plus
    O(p * m_src * m_dst) synapses per area fiber.
    """

    # ------------------------------------------------------------------ setup
    def __init__(self, areas: Iterable[AreaSpec] = (), stimuli: Iterable[StimulusSpec] = (),
                 fibers: Iterable[FiberSpec] = (), seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.seed = int(seed)
        self.disable_plasticity = False
        self.rounds_done = 0
        # areas
        self._a_name: list[str] = []
        self._a_index: dict[str, int] = {}
        self._a_n: list[int] = []
        self._a_k: list[int] = []
        self._a_beta: list[float] = []
        self._a_explicit: list[bool] = []
        self._a_refr: list[int] = []
        self._a_fixed: list[bool] = []
        self._a_m: list[int] = []            # materialised neurons
        self._a_support: list[int] = []      # neurons that ever fired
        self._a_updates: list[int] = []      # winner-set changes (refractory clock)
        self._a_first: list[int] = []        # first-time winners at last update
        self._winners: list[np.ndarray] = []
        self._ever: list[_Buf] = []
        self._lastwin: list[_Buf] = []
        # never-fired neurons of implicit areas ("pool"), see the class docstring
        self._pool: list[np.ndarray | None] = []     # [q, n] stimulus synapse counts
        self._pool_fib: list[list[int]] = []         # stimulus fiber of each pool row
        self._dead: list[np.ndarray | None] = []     # bool[n]: pool column recruited
        self._hist: list[list[np.ndarray]] = []      # per row: live columns per count
        self._bucket: list[dict[int, tuple]] = []    # per row: rare-level index (derived)
        # pool histogram: H[v, r] = never-fired neurons with stimulus level v
        # (w.r.t. the stimulus fibers _H_stim) and r synapses from the source
        # winners that fired at the area's last update (_H_prev: fiber -> ids)
        self._H: list[np.ndarray | None] = []
        self._H_stim: list[tuple[int, ...]] = []
        self._H_prev: list[dict[int, np.ndarray]] = []
        # stimuli
        self._s_name: list[str] = []
        self._s_index: dict[str, int] = {}
        self._s_size: list[int] = []
        self._s_active: list[bool] = []
        # fibers
        self._f_src_kind: list[int] = []     # 0 stimulus, 1 area
        self._f_src: list[int] = []
        self._f_dst: list[int] = []
        self._f_p: list[float] = []
        self._f_beta: list[float | None] = []
        self._f_inhibited: list[bool] = []
        self._f_key: dict[tuple[str, str], int] = {}
        self._f_w: list[_Buf] = []
        self._f_pre: list[_Buf | None] = []
        self._f_post: list[_Buf | None] = []
        self._law_cache: dict[tuple, _InputLaw] = {}
        for a in areas:
            self.add_area(a)
        for s in stimuli:
            self.add_stimulus(s)
        for f in fibers:
            self.add_fiber(f)

    @classmethod
    def from_ir_like(cls, areas: Sequence[Mapping[str, Any]], stimuli: Sequence[Mapping[str, Any]],
                     fibers: Sequence[Mapping[str, Any]], seed: int = 0) -> "AssemblyEngine":
        """Build from plain dicts, as lowered from the IR.

        ``areas``: ``{"name", "n", "k", "beta", "explicit"}`` (optional
        ``"refractory"``); ``stimuli``: ``{"name", "size"}``; ``fibers``:
        ``{"src", "dst", "p", "beta", "inhibited"}`` with ``beta`` None (or
        absent/NaN) meaning "use the destination area's beta".  Fibers are
        created in list order (their draws, hence results, depend on it).
        """
        eng = cls(seed=seed)
        for a in areas:
            eng.add_area(AreaSpec(str(a["name"]), int(a["n"]), int(a["k"]), float(a.get("beta", 0.05)),
                                  bool(a.get("explicit", False)), int(a.get("refractory", 0) or 0)))
        for s in stimuli:
            eng.add_stimulus(StimulusSpec(str(s["name"]), int(s["size"])))
        for f in fibers:
            beta = f.get("beta")
            if beta is not None and math.isnan(float(beta)):
                beta = None
            eng.add_fiber(FiberSpec(str(f["src"]), str(f["dst"]), float(f["p"]),
                                    None if beta is None else float(beta), bool(f.get("inhibited", False))))
        return eng

    def _check_new_name(self, name: str) -> None:
        if name in self._a_index or name in self._s_index:
            raise ValueError(f"name {name!r} is already used by an area or stimulus")

    def add_area(self, spec: AreaSpec) -> int:
        """Add an area; explicit areas materialise all ``n`` neurons now."""
        self._check_new_name(spec.name)
        if spec.n <= 0 or spec.k <= 0 or spec.k > spec.n:
            raise ValueError(f"area {spec.name!r} needs 0 < k <= n, got n={spec.n}, k={spec.k}")
        if spec.n >= 2 ** 31 - 1:
            raise ValueError(f"area {spec.name!r}: n must be below 2**31 (int32 neuron ids)")
        i = len(self._a_name)
        self._a_name.append(spec.name)
        self._a_index[spec.name] = i
        self._a_n.append(int(spec.n))
        self._a_k.append(int(spec.k))
        self._a_beta.append(float(spec.beta))
        self._a_explicit.append(bool(spec.explicit))
        self._a_refr.append(int(spec.refractory))
        self._a_fixed.append(False)
        self._a_m.append(0)
        self._a_support.append(0)
        self._a_updates.append(0)
        self._a_first.append(0)
        self._winners.append(np.empty(0, dtype=np.int32))
        self._ever.append(_Buf(np.bool_))
        self._lastwin.append(_Buf(np.int64))
        self._pool.append(None)
        self._pool_fib.append([])
        self._dead.append(None)
        self._hist.append([])
        self._bucket.append({})
        self._H.append(None)
        self._H_stim.append(())
        self._H_prev.append({})
        if spec.explicit:
            self._ever[i].fill(spec.n, False)
            self._lastwin[i].fill(spec.n, _NEVER)
            self._a_m[i] = int(spec.n)
        return i

    def add_stimulus(self, spec: StimulusSpec) -> int:
        """Add a stimulus (active by default)."""
        self._check_new_name(spec.name)
        if spec.size < 0:
            raise ValueError(f"stimulus {spec.name!r} needs size >= 0")
        j = len(self._s_name)
        self._s_name.append(spec.name)
        self._s_index[spec.name] = j
        self._s_size.append(int(spec.size))
        self._s_active.append(True)
        return j

    def add_fiber(self, spec: FiberSpec) -> int:
        """Add a fiber; synapses between already-materialised neurons are drawn
        now (Bernoulli(p) per pair; Binomial(size, p) per neuron for stimuli,
        never-fired pool included)."""
        src, dst = spec.src, spec.dst
        if dst not in self._a_index:
            raise ValueError(f"fiber destination {dst!r} is not an area")
        if (src, dst) in self._f_key:
            raise ValueError(f"fiber {src!r} -> {dst!r} already exists")
        if not 0.0 <= spec.p <= 1.0:
            raise ValueError(f"fiber {src!r} -> {dst!r} needs 0 <= p <= 1")
        d = self._a_index[dst]
        f = len(self._f_src)
        if src in self._s_index:
            kind, s = 0, self._s_index[src]
        elif src in self._a_index:
            kind, s = 1, self._a_index[src]
        else:
            raise ValueError(f"fiber source {src!r} is neither an area nor a stimulus")
        self._f_src_kind.append(kind)
        self._f_src.append(s)
        self._f_dst.append(d)
        self._f_p.append(float(spec.p))
        self._f_beta.append(None if spec.beta is None else float(spec.beta))
        self._f_inhibited.append(bool(spec.inhibited))
        self._f_key[(src, dst)] = f
        m_dst = self._a_m[d]
        if kind == 0:
            size = self._s_size[s]
            w = _Buf(np.float32)
            w.append(self.rng.binomial(size, spec.p, m_dst).astype(np.float32))
            self._f_w.append(w)
            self._f_pre.append(None)
            self._f_post.append(None)
            if not self._a_explicit[d]:
                self._pool_add_row(d, f, size, spec.p)
        else:
            self._f_w.append(_Buf(np.float32))
            self._f_pre.append(_Buf(np.int32))
            self._f_post.append(_Buf(np.int32))
            rows = np.arange(self._a_m[s], dtype=np.int64)
            cols = np.arange(m_dst, dtype=np.int64)
            self._append_bernoulli(f, rows, cols)
        return f

    def _pool_add_row(self, a: int, f: int, size: int, p: float) -> None:
        """Draw the stimulus synapse counts of all n pool columns for fiber f.

        Drawn in chunks into the narrowest dtype so that n = 1e7 never needs an
        int64[n] temporary.
        """
        n = self._a_n[a]
        dt = np.uint8 if size < 2 ** 8 else np.uint16 if size < 2 ** 16 else np.uint32
        old = self._pool[a]
        if old is not None and np.dtype(old.dtype).itemsize > np.dtype(dt).itemsize:
            dt = old.dtype
        q = 0 if old is None else old.shape[0]
        P = np.empty((q + 1, n), dtype=dt)
        if old is not None:
            P[:q] = old
            del old
        chunk = 1 << 20
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            P[q, lo:hi] = self.rng.binomial(size, p, hi - lo)
        self._pool[a] = P
        self._pool_fib[a].append(f)
        if self._dead[a] is None:
            # identities were not tracked before the first pool row: columns are
            # exchangeable, so the first m stand for the materialised neurons
            dead = np.zeros(n, dtype=np.bool_)
            dead[: self._a_m[a]] = True
            self._dead[a] = dead
        self._hist[a].append(self._live_hist(P[q], self._dead[a], size))
        self._rare_bucket(a, q)          # O(n) index, built at set-up rather than mid-run

    @staticmethod
    def _live_hist(vals: np.ndarray, dead: np.ndarray, size: int) -> np.ndarray:
        h = np.zeros(size + 1, dtype=np.int64)
        chunk = 1 << 20
        for lo in range(0, vals.size, chunk):
            v = vals[lo: lo + chunk]
            h += np.bincount(v[~dead[lo: lo + chunk]], minlength=size + 1)[: size + 1]
        return h

    # -------------------------------------------------------------- queries
    @property
    def area_names(self) -> list[str]:
        return list(self._a_name)

    @property
    def stimulus_names(self) -> list[str]:
        return list(self._s_name)

    @property
    def fibers(self) -> list[tuple[str, str]]:
        """(src, dst) of every fiber, in fiber-index order."""
        return [(self._src_name(f), self._a_name[self._f_dst[f]]) for f in range(len(self._f_src))]

    def _src_name(self, f: int) -> str:
        return self._s_name[self._f_src[f]] if self._f_src_kind[f] == 0 else self._a_name[self._f_src[f]]

    def _area(self, name: str) -> int:
        try:
            return self._a_index[name]
        except KeyError:
            raise KeyError(f"no area named {name!r}") from None

    def fiber_index(self, key: int | tuple[str, str]) -> int:
        """Fiber index from an index or a (src, dst) pair."""
        if isinstance(key, (int, np.integer)):
            if not 0 <= int(key) < len(self._f_src):
                raise KeyError(f"no fiber with index {key}")
            return int(key)
        try:
            return self._f_key[(key[0], key[1])]
        except KeyError:
            raise KeyError(f"no fiber {key[0]!r} -> {key[1]!r}") from None

    def has_fiber(self, src: str, dst: str) -> bool:
        return (src, dst) in self._f_key

    def winners(self, area: str) -> np.ndarray:
        """Current winners of ``area`` (int32 neuron ids, ascending)."""
        return self._winners[self._area(area)].copy()

    def support(self, area: str) -> int:
        """Number of distinct neurons of ``area`` that ever won."""
        return self._a_support[self._area(area)]

    def materialised(self, area: str) -> int:
        """Number of neurons of ``area`` with stored synapses (n for explicit)."""
        return self._a_m[self._area(area)]

    def first_winners(self, area: str) -> int:
        """Winners at the area's last update that had never won before."""
        return self._a_first[self._area(area)]

    def area_params(self, area: str) -> dict[str, Any]:
        i = self._area(area)
        return {"name": area, "n": self._a_n[i], "k": self._a_k[i], "beta": self._a_beta[i],
                "explicit": self._a_explicit[i], "refractory": self._a_refr[i], "fixed": self._a_fixed[i]}

    def fiber_params(self, key: int | tuple[str, str]) -> dict[str, Any]:
        f = self.fiber_index(key)
        return {"src": self._src_name(f), "dst": self._a_name[self._f_dst[f]], "p": self._f_p[f],
                "beta": self._f_beta[f], "inhibited": self._f_inhibited[f],
                "src_kind": "stimulus" if self._f_src_kind[f] == 0 else "area"}

    def fiber_synapses(self, key: int | tuple[str, str]) -> dict[str, np.ndarray]:
        """Copies of a fiber's synapses over materialised neurons: ``{"w"}`` for
        a stimulus fiber (summed weight per destination neuron), ``{"pre",
        "post", "w"}`` (COO) for an area fiber."""
        f = self.fiber_index(key)
        if self._f_src_kind[f] == 0:
            return {"w": self._f_w[f].view().copy()}
        return {"pre": self._f_pre[f].view().copy(), "post": self._f_post[f].view().copy(),
                "w": self._f_w[f].view().copy()}

    def synapse_count(self, key: int | tuple[str, str]) -> int:
        """Stored synapses of an area fiber (materialised neurons only)."""
        f = self.fiber_index(key)
        if self._f_src_kind[f] == 0:
            raise ValueError("stimulus fibers store summed weights, not synapses")
        return int(self._f_w[f].n)

    # ------------------------------------------------------------- controls
    def set_winners(self, area: str, ids: Iterable[int] | np.ndarray) -> None:
        """Make ``ids`` the winners of ``area`` (they fire next round).

        Ids must lie in [0, n).  In an implicit area, ids at or beyond the
        materialised count materialise neurons up to ``max(ids)`` (random
        never-fired neurons, fresh synapses).  Counts as an update of the area
        (refractory clock, support).
        """
        i = self._area(area)
        arr = np.unique(np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64))
        if arr.size and (arr[0] < 0 or arr[-1] >= self._a_n[i]):
            raise ValueError(f"winner ids of area {area!r} must lie in [0, {self._a_n[i]})")
        if arr.size and arr[-1] >= self._a_m[i]:
            c = int(arr[-1]) + 1 - self._a_m[i]
            self._grow({i: c}, {i: self._pick_uniform_live(i, c)}, None)
            # random never-fired neurons left the pool: restart its histogram
            # from fresh draws at the next update
            self._H[i] = None
            self._H_prev[i] = {}
        self._commit_winners(i, arr.astype(np.int32))

    def clear_winners(self, area: str) -> None:
        """Silence ``area`` (no winners; it stops transmitting)."""
        i = self._area(area)
        self._winners[i] = np.empty(0, dtype=np.int32)

    def fix(self, area: str) -> None:
        """Hold the winners of ``area`` fixed (plasticity into it still applies)."""
        i = self._area(area)
        if self._winners[i].size == 0:
            raise ValueError(f"area {area!r} has no winners to fix")
        self._a_fixed[i] = True

    def unfix(self, area: str) -> None:
        self._a_fixed[self._area(area)] = False

    def is_fixed(self, area: str) -> bool:
        return self._a_fixed[self._area(area)]

    def set_area_beta(self, area: str, beta: float) -> None:
        self._a_beta[self._area(area)] = float(beta)

    def set_refractory(self, area: str, rounds: int) -> None:
        """Long-range inhibition: winners of the area's last ``rounds`` updates
        cannot win (0 turns it off)."""
        if rounds < 0:
            raise ValueError("refractory period must be >= 0")
        self._a_refr[self._area(area)] = int(rounds)

    def clear_refractory(self, area: str) -> None:
        """Forget who won recently in ``area`` (refractory history)."""
        i = self._area(area)
        self._lastwin[i].view()[:] = _NEVER

    def set_stimulus_active(self, stimulus: str, active: bool) -> None:
        try:
            self._s_active[self._s_index[stimulus]] = bool(active)
        except KeyError:
            raise KeyError(f"no stimulus named {stimulus!r}") from None

    def set_fiber_beta(self, key: int | tuple[str, str], beta: float | None) -> None:
        self._f_beta[self.fiber_index(key)] = None if beta is None else float(beta)

    def set_fiber_inhibited(self, key: int | tuple[str, str], inhibited: bool) -> None:
        self._f_inhibited[self.fiber_index(key)] = bool(inhibited)

    # ---------------------------------------------------------------- round
    def _transmits(self, f: int, active: Mapping | None) -> bool:
        if self._f_inhibited[f]:
            return False
        if active is not None:
            on = active.get(f)
            if on is None:
                on = active.get((self._src_name(f), self._a_name[self._f_dst[f]]))
            if not on:
                return False
        if self._f_src_kind[f] == 0:
            return self._s_active[self._f_src[f]]
        return self._winners[self._f_src[f]].size > 0

    def round(self, active: Mapping[Any, bool] | None = None) -> dict[str, int]:
        """One synchronous projection round.

        ``active``: optional mapping from fiber index or ``(src, dst)`` to bool;
        when given, only fibers mapped to a true value may transmit (they still
        must be uninhibited and have a firing source).  Returns
        ``{area: first-time winners}`` for every area that updated.
        """
        nf = len(self._f_src)
        trans = [f for f in range(nf) if self._transmits(f, active)]
        self.rounds_done += 1
        if not trans:
            return {}
        targets = sorted({self._f_dst[f] for f in trans})
        fin: dict[int, list[int]] = {a: [] for a in targets}
        for f in trans:
            fin[self._f_dst[f]].append(f)
        # previous-winner masks of firing source areas (over materialised neurons)
        src_masks: dict[int, np.ndarray] = {}
        for f in trans:
            if self._f_src_kind[f] == 1:
                s = self._f_src[f]
                if s not in src_masks:
                    mk = np.zeros(self._a_m[s], dtype=np.bool_)
                    mk[self._winners[s]] = True
                    src_masks[s] = mk
        prev_winners = {s: self._winners[s] for s in src_masks}

        # ---- decide every target from the previous state
        plans = {a: self._decide(a, fin[a], src_masks) for a in targets}

        # ---- commit: recruit, wire, learn, swap winners
        grow: dict[int, int] = {}
        cols: dict[int, np.ndarray] = {}
        splits: dict[int, np.ndarray] = {}
        for a in targets:
            pl = plans[a]
            c = int(pl.lvl.size)
            if c == 0:
                continue
            grow[a] = c
            cols[a] = self._pick_pool_columns(a, pl)
            if pl.fa:
                u = self.rng.random((c, len(pl.fa)))
                splits[a] = _split_totals(pl.r, pl.law.fmat, pl.law.gmat, pl.law.sizes, u)
        m_old = list(self._a_m)
        self._grow(grow, cols, ({a: plans[a].fa for a in targets}, splits, prev_winners, src_masks))

        new_winners: dict[int, np.ndarray] = {}
        for a in targets:
            old_sel = plans[a].old.astype(np.int32)
            c = grow.get(a, 0)
            if c:
                new_ids = np.arange(m_old[a], m_old[a] + c, dtype=np.int32)
                new_winners[a] = np.concatenate([old_sel, new_ids])
            else:
                new_winners[a] = old_sel

        if not self.disable_plasticity:
            for a in targets:
                dst_mask = None
                for f in fin[a]:
                    beta = self._f_beta[f]
                    if beta is None:
                        beta = self._a_beta[a]
                    if beta == 0.0:
                        continue
                    factor = np.float32(1.0 + beta)
                    w = self._f_w[f].view()
                    if self._f_src_kind[f] == 0:
                        w[new_winners[a]] *= factor
                        continue
                    if dst_mask is None:
                        dst_mask = np.zeros(self._a_m[a], dtype=np.bool_)
                        dst_mask[new_winners[a]] = True
                    s = self._f_src[f]
                    mk = src_masks[s]
                    if mk.size < self._a_m[s]:       # source grew this round
                        mk = np.concatenate([mk, np.zeros(self._a_m[s] - mk.size, np.bool_)])
                    _hebbian(self._f_pre[f].view(), self._f_post[f].view(), w, mk, dst_mask, factor)

        for a in targets:
            pl = plans[a]
            if pl.H is not None:
                H = pl.H
                if pl.lvl.size:
                    np.subtract.at(H, (pl.lvl, pl.r), 1)
                self._H[a] = H
                self._H_stim[a] = pl.hkey
                self._H_prev[a] = {f: prev_winners[self._f_src[f]] for f in pl.fa}

        result: dict[str, int] = {}
        for a in targets:
            self._commit_winners(a, new_winners[a])
            result[self._a_name[a]] = self._a_first[a]
        return result

    step = round

    def _law(self, fa: list[int], sizes: list[int]) -> _InputLaw:
        key = tuple((sz, self._f_p[f]) for sz, f in zip(sizes, fa))
        law = self._law_cache.get(key)
        if law is None:
            if len(self._law_cache) > 256:
                self._law_cache.clear()
            law = _InputLaw(sizes, [self._f_p[f] for f in fa])
            self._law_cache[key] = law
        return law

    def _decide(self, a: int, fins: list[int], src_masks: dict[int, np.ndarray]) -> _Plan:
        """Winners of area ``a`` from the previous state (nothing is mutated
        except the generator)."""
        fa = [f for f in fins if self._f_src_kind[f] == 1]
        if self._a_fixed[a]:
            return _Plan(self._winners[a].astype(np.int64), _EMPTY_I64, _EMPTY_I64, None, fa, _EMPTY_I64, None)
        m = self._a_m[a]
        k = self._a_k[a]
        inputs = np.zeros(m)
        fs: list[int] = []
        sizes: list[int] = []
        for f in fins:
            if self._f_src_kind[f] == 0:
                inputs += self._f_w[f].view()
                fs.append(f)
            else:
                s = self._f_src[f]
                _accumulate(self._f_pre[f].view(), self._f_post[f].view(), self._f_w[f].view(),
                            src_masks[s], inputs)
                sizes.append(int(self._winners[s].size))
        if self._a_refr[a] > 0 and m:
            barred = self._lastwin[a].view() >= self._a_updates[a] + 1 - self._a_refr[a]
            inputs[barred] = -np.inf
        law = self._law(fa, sizes)
        N = self._a_n[a] - m
        hist = None
        fs_rows = _EMPTY_I64
        cand = lvl_parts = r_parts = None
        H = None
        hkey: tuple = ()
        if not self._a_explicit[a] and N > 0:
            if fs:
                rowpos = self._pool_fib[a]
                fs_rows = np.array([rowpos.index(f) for f in fs], dtype=np.int64)
                if fs_rows.size == 1:
                    hist = self._hist[a][int(fs_rows[0])].copy()
                else:
                    vmax = sum(self._s_size[self._f_src[f]] for f in fs)
                    hist = np.zeros(vmax + 1, dtype=np.int64)
                    _pool_hist(self._pool[a], fs_rows, self._dead[a], hist)
            else:
                hist = np.array([N], dtype=np.int64)
            H = self._pool_histogram(a, tuple(fs), hist, fa, law)
            hkey = tuple(fs)
            lvl_parts, r_parts = self._pool_candidates(H, k)
            cand = (lvl_parts + r_parts).astype(np.float64)
        vals = np.concatenate([inputs, cand]) if cand is not None else inputs
        sel = self._topk(vals, k)
        old = sel[sel < m]
        newc = sel[sel >= m] - m
        if newc.size:
            return _Plan(old, lvl_parts[newc], r_parts[newc], law, fa, fs_rows, hist, H, hkey)
        return _Plan(old, _EMPTY_I64, _EMPTY_I64, law, fa, fs_rows, hist, H, hkey)

    def _pool_histogram(self, a: int, hkey: tuple, hist_v: np.ndarray, fa: list[int],
                        law: _InputLaw) -> np.ndarray:
        """The pool histogram H[v, r] for this round (not stored yet).

        Fresh start: every never-fired neuron's area input is an independent
        draw from ``law`` (multinomial per level).  Otherwise the previous
        histogram is carried forward: when the firing stimulus set changed,
        the area-input counts are re-dealt over the new levels (multivariate
        hypergeometric: the one approximation, independence of level and
        area input, is made only at such switches); then every neuron's area
        input moves by :func:`_transition_matrix` from the source winners of
        the last update to the current ones.  This keeps "who nearly won"
        across rounds, as an explicit area does, instead of redrawing the
        pool every round (the original simulator's shortcut, which lets
        never-fired neurons win by luck and inflates support by up to 70%).
        """
        rng = self.rng
        H = self._H[a]
        if H is None:
            pmf = law.pmf()
            return rng.multinomial(hist_v, pmf / pmf.sum()).astype(np.int64)
        if hkey != self._H_stim[a]:
            R = H.sum(0)
            Hn = np.zeros((hist_v.size, R.size), dtype=np.int64)
            rem = R.copy()
            for v in np.flatnonzero(hist_v):
                Hn[v] = rng.multivariate_hypergeometric(rem, int(hist_v[v]))
                rem -= Hn[v]
            H = Hn
        prev = self._H_prev[a]
        new = {f: self._winners[self._f_src[f]] for f in fa}
        w_old = int(sum(x.size for x in prev.values()))
        d = 0
        add_sizes: list[int] = []
        add_fibers: list[int] = []
        for f in sorted(set(prev) | set(new)):
            o = prev.get(f, _EMPTY_I64)
            nw = new.get(f, _EMPTY_I64)
            common = np.intersect1d(o, nw, assume_unique=True).size if (o.size and nw.size) else 0
            d += o.size - common
            if nw.size > common:
                add_sizes.append(int(nw.size - common))
                add_fibers.append(f)
        if d == 0 and not add_sizes:
            return H.copy()
        pmf_add = self._law(add_fibers, add_sizes).pmf() if add_sizes else np.ones(1)
        nzc = np.flatnonzero(H.any(0))
        rmax = int(nzc[-1]) if nzc.size else 0
        Q = _transition_matrix(rmax, w_old, d, pmf_add)
        Q /= Q.sum(1, keepdims=True)
        vb, rb = np.nonzero(H)
        moved = rng.multinomial(H[vb, rb], Q[rb])
        Hn = np.zeros((H.shape[0], Q.shape[1]), dtype=np.int64)
        np.add.at(Hn, vb, moved)
        nzc = np.flatnonzero(Hn.any(0))
        return Hn[:, : (nzc[-1] + 1 if nzc.size else 1)]

    def _pool_candidates(self, H: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Pool neurons that can reach the top k: every bucket above the
        pool's own k-th value, and at that value up to k neurons chosen with
        probability proportional to the bucket sizes (fair ties)."""
        vb, rb = np.nonzero(H)
        if vb.size == 0:
            return _EMPTY_I64, _EMPTY_I64
        L = vb + rb
        order = np.argsort(-L, kind="stable")
        vb, rb, L = vb[order], rb[order], L[order]
        c = H[vb, rb]
        cum = np.cumsum(c)
        cut = int(L[min(int(np.searchsorted(cum, k)), L.size - 1)])
        above = L > cut
        at = np.flatnonzero(L == cut)
        n_above = int(c[above].sum())
        take_at = min(int(c[at].sum()), k - n_above)     # n_above < k by construction
        lv = [np.repeat(vb[above], c[above])]
        rr = [np.repeat(rb[above], c[above])]
        if take_at > 0:
            got = self.rng.multivariate_hypergeometric(c[at], take_at)
            lv.append(np.repeat(vb[at], got))
            rr.append(np.repeat(rb[at], got))
        return np.concatenate(lv).astype(np.int64), np.concatenate(rr).astype(np.int64)

    def _pick_pool_columns(self, a: int, pl: _Plan) -> np.ndarray | None:
        """Uniformly random never-fired neurons (pool columns) with the
        recruits' stimulus levels, aligned with ``pl.lvl``; None when the area
        keeps no pool (no stimulus fibers: never-fired neurons carry no data)."""
        c = pl.lvl.size
        if pl.fs_rows.size == 0:
            return self._pick_uniform_live(a, c)
        out = np.empty(c, dtype=np.int64)
        levels, inverse = np.unique(pl.lvl, return_inverse=True)
        if pl.fs_rows.size == 1:
            row = int(pl.fs_rows[0])
            for s, v in enumerate(levels):
                where = np.flatnonzero(inverse == s)
                out[where] = self._pick_level(a, row, int(v), where.size)
            return out
        # several stimuli fire: one pass over the pool finds the ranked columns
        counts = np.bincount(inverse)
        slot = np.full(int(levels[-1]) + 1, -1, dtype=np.int64)
        slot[levels] = np.arange(levels.size)
        offsets = np.zeros(levels.size + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(counts)
        ranks = np.empty(c, dtype=np.int64)
        for s, (v, cnt) in enumerate(zip(levels, counts)):
            ranks[offsets[s]:offsets[s + 1]] = np.sort(self.rng.choice(int(pl.hist[v]), int(cnt), replace=False))
        found = np.empty(c, dtype=np.int64)
        _pool_pick(self._pool[a], pl.fs_rows, self._dead[a], slot, ranks, offsets, found)
        order = np.argsort(inverse, kind="stable")
        out[order] = found
        return out

    def _pick_uniform_live(self, a: int, cnt: int) -> np.ndarray | None:
        """``cnt`` distinct uniformly random live pool columns (None: no pool)."""
        dead = self._dead[a]
        if dead is None:
            return None
        live = self._a_n[a] - self._a_m[a]
        return self._rejection_pick(a, cnt, None, -1, live)

    def _pick_level(self, a: int, row: int, v: int, cnt: int) -> np.ndarray:
        """``cnt`` distinct uniformly random live pool columns whose count on
        pool row ``row`` is ``v``."""
        live_v = int(self._hist[a][row][v])
        bucket = self._rare_bucket(a, row)
        if v in bucket:  # the level's own columns (dead ones included)
            return self._rejection_pick(a, cnt, None, -1, live_v, bucket[v])
        return self._rejection_pick(a, cnt, row, v, live_v)

    def _rejection_pick(self, a: int, cnt: int, row: int | None, v: int, live_v: int,
                        universe: np.ndarray | None = None) -> np.ndarray:
        """Distinct uniform live columns (at level ``v`` of ``row`` when given)
        among ``universe`` (all n columns when None), by rejection from uniform
        draws; a scan when acceptance is low or ``cnt`` is a large part of the
        live columns (repeats would dominate). Draw order is kept: a uniformly
        random subset, in random order."""
        n = self._a_n[a] if universe is None else universe.size
        dead = self._dead[a]
        P = self._pool[a]
        if live_v * 64 < n or cnt * 4 > live_v:
            ok = ~dead if universe is None else ~dead[universe]
            if row is not None:
                ok &= P[row] == v
            cols = np.flatnonzero(ok) if universe is None else universe[ok].astype(np.int64)
            return cols[np.sort(self.rng.choice(cols.size, cnt, replace=False))]
        got = _EMPTY_I64
        while got.size < cnt:
            need = cnt - got.size
            draw = self.rng.integers(0, n, size=int(need * n / live_v * 1.5) + 8)
            if universe is not None:  # a rare level's columns: O(cnt), not O(level size)
                draw = universe[draw].astype(np.int64)
            ok = ~dead[draw]
            if row is not None:
                ok &= P[row, draw] == v
            acc = draw[ok]
            _, first = np.unique(acc, return_index=True)
            acc = acc[np.sort(first)]                # draw order, first occurrence wins
            if got.size:
                acc = acc[~np.isin(acc, got)]
            got = np.concatenate([got, acc[:need]])
        return got

    def _rare_bucket(self, a: int, row: int) -> dict[int, np.ndarray]:
        """Columns of every *rare* level of a pool row (levels holding under
        1/16 of all n columns, dead ones included: they are filtered on use).
        Derived from the static values only, so rebuilding after a reload
        gives the same index."""
        b = self._bucket[a].get(row)
        if b is None:
            vals = self._pool[a][row]
            full = np.zeros(int(self._hist[a][row].size), dtype=np.int64)
            chunk = 1 << 20
            for lo in range(0, vals.size, chunk):
                full += np.bincount(vals[lo: lo + chunk], minlength=full.size)[: full.size]
            rare = np.flatnonzero((full > 0) & (full * 16 < vals.size))
            slot = np.full(full.size, -1, dtype=np.int64)
            slot[rare] = np.arange(rare.size)
            offsets = np.zeros(rare.size + 1, dtype=np.int64)
            offsets[1:] = np.cumsum(full[rare])
            cols = np.empty(int(offsets[-1]), dtype=np.int32)
            _bucket_fill(vals, slot, offsets, cols)
            b = {int(v): cols[offsets[s]:offsets[s + 1]] for s, v in enumerate(rare)}
            self._bucket[a][row] = b
        return b

    def _topk(self, vals: np.ndarray, k: int) -> np.ndarray:
        """Indices (ascending) of the k largest finite values; ties at the cut
        are broken uniformly at random."""
        L = vals.size
        if L <= k:
            return np.flatnonzero(vals > -np.inf)
        thr = np.partition(vals, L - k)[L - k]
        if thr == -np.inf:
            return np.flatnonzero(vals > -np.inf)
        gt = np.flatnonzero(vals > thr)
        eq = np.flatnonzero(vals == thr)
        need = k - gt.size
        if need < eq.size:
            eq = np.sort(eq[self.rng.permutation(eq.size)[:need]])
        out = np.concatenate([gt, eq])
        out.sort()
        return out

    def _commit_winners(self, a: int, win: np.ndarray) -> None:
        self._a_updates[a] += 1
        ever = self._ever[a].view()
        first = int(np.count_nonzero(~ever[win])) if win.size else 0
        ever[win] = True
        self._a_support[a] += first
        self._a_first[a] = first
        self._lastwin[a].view()[win] = self._a_updates[a]
        self._winners[a] = win

    # --------------------------------------------------------------- growth
    def _append_bernoulli(self, f: int, rows: np.ndarray, cols: np.ndarray) -> None:
        """Append Bernoulli(p) edges for every (row, col) pair to fiber f.

        Exact: gaps between successive present pairs (row-major) are
        Geometric(p), drawn in chunks."""
        R, C = rows.size, cols.size
        total = R * C
        p = self._f_p[f]
        if total == 0 or p <= 0.0:
            return
        if p >= 1.0:
            pos = np.arange(total, dtype=np.int64)
        else:
            mean = total * p
            chunks = []
            last = -1
            while True:
                size = int(max(mean - (last + 1) * p, 0.0) + 6.0 * math.sqrt(mean) + 16)
                g = self.rng.geometric(p, size)
                cs = last + np.cumsum(g)
                if cs[-1] >= total:
                    chunks.append(cs[cs < total])
                    break
                chunks.append(cs)
                last = int(cs[-1])
            pos = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
        pre = rows[pos // C].astype(np.int32)
        post = cols[pos % C].astype(np.int32)
        self._f_pre[f].append(pre)
        self._f_post[f].append(post)
        self._f_w[f].fill(pre.size, 1.0)

    def _grow(self, grow: dict[int, int], cols: dict[int, np.ndarray], trans: tuple | None) -> None:
        """Materialise ``grow[a]`` never-fired neurons (pool columns
        ``cols[a]``, in recruit order) in each implicit area ``a``.

        ``trans`` describes the round in progress (transmitting area fibers per
        target, area-input splits of the recruits, previous winners and masks
        of firing sources); None outside a round (winner assignment), when
        every new area synapse is a fresh Bernoulli draw.
        """
        if not grow:
            return
        m_old = list(self._a_m)
        # stimulus weights of the recruits come from their pool columns
        stim_vals: dict[int, np.ndarray] = {}
        for a, c in grow.items():
            P = self._pool[a]
            if P is not None:
                cc = cols[a]
                for row, f in enumerate(self._pool_fib[a]):
                    v = P[row, cc]
                    stim_vals[f] = v.astype(np.float32)
                    np.subtract.at(self._hist[a][row], v.astype(np.int64), 1)
                self._dead[a][cc] = True
            self._ever[a].fill(c, False)
            self._lastwin[a].fill(c, _NEVER)
            self._a_m[a] += c
        fa_of, splits, prev_winners, src_masks = trans if trans is not None else ({}, {}, {}, {})
        for f in range(len(self._f_src)):
            d = self._f_dst[f]
            s = self._f_src[f]
            c_dst = grow.get(d, 0)
            if self._f_src_kind[f] == 0:
                if c_dst:
                    self._f_w[f].append(stim_vals[f])
                continue
            fa = fa_of.get(d, ())
            col = fa.index(f) if (c_dst and f in fa) else -1
            if c_dst:
                new_cols = np.arange(m_old[d], m_old[d] + c_dst, dtype=np.int64)
                if col >= 0:
                    pool = prev_winners[s]
                    counts = splits[d][:, col]
                    tot = int(counts.sum())
                    u = self.rng.random(tot)
                    pre = np.empty(tot, dtype=np.int32)
                    post = np.empty(tot, dtype=np.int32)
                    _choose_firing(pool.astype(np.int32), counts, u, new_cols.astype(np.int32), pre, post)
                    self._f_pre[f].append(pre)
                    self._f_post[f].append(post)
                    self._f_w[f].fill(tot, 1.0)
                    rows = np.flatnonzero(~src_masks[s][: m_old[s]]).astype(np.int64)
                else:
                    rows = np.arange(m_old[s], dtype=np.int64)
                self._append_bernoulli(f, rows, new_cols)
            c_src = grow.get(s, 0)
            if c_src:
                rows = np.arange(m_old[s], m_old[s] + c_src, dtype=np.int64)
                cols_all = np.arange(self._a_m[d], dtype=np.int64)
                self._append_bernoulli(f, rows, cols_all)

    # ---------------------------------------------------------- persistence
    def state_dict(self) -> dict[str, Any]:
        """All engine state.

        Returns a flat dict: key ``"meta"`` maps to a JSON-able dict (specs,
        counters, flags, generator state with its big integers as decimal
        strings); every other key maps to a numpy array:

        * ``area/<i>/winners`` int32[<=k]; ``area/<i>/ever`` bool[m] (ever
          won); ``area/<i>/lastwin`` int64[m] (update counter of last win);
          ``area/<i>/pool`` uint8/16/32[q, n] stimulus synapse counts of the
          pool columns (implicit areas with stimulus fibers; row r belongs to
          fiber ``meta["areas"][i]["pool_fibers"][r]``) and ``area/<i>/dead``
          bool[n] (column already recruited); ``area/<i>/H`` int64[V, R] pool
          histogram (never-fired neurons by stimulus level w.r.t. fibers
          ``meta[...]["H_stim"]`` and synapse count from the source winners of
          the area's last update, ``area/<i>/H_prev/<f>`` int32 per fiber in
          ``meta[...]["H_prev_fibers"]``)
        * stimulus fiber ``fiber/<f>/w`` float32[m_dst] (summed weight)
        * area fiber ``fiber/<f>/pre``, ``fiber/<f>/post`` int32[E],
          ``fiber/<f>/w`` float32[E]

        ``<i>``/``<f>`` are indices into ``meta["areas"]``/``meta["fibers"]``.
        """
        st = self.rng.bit_generator.state
        meta = {
            "version": STATE_VERSION,
            "seed": self.seed,
            "rounds_done": self.rounds_done,
            "disable_plasticity": self.disable_plasticity,
            "rng": _ints_to_str(st),
            "areas": [
                {"name": self._a_name[i], "n": self._a_n[i], "k": self._a_k[i], "beta": self._a_beta[i],
                 "explicit": self._a_explicit[i], "refractory": self._a_refr[i], "fixed": self._a_fixed[i],
                 "m": self._a_m[i], "support": self._a_support[i], "updates": self._a_updates[i],
                 "first": self._a_first[i], "pool_fibers": list(self._pool_fib[i]),
                 "H_stim": list(self._H_stim[i]), "H_prev_fibers": list(self._H_prev[i])}
                for i in range(len(self._a_name))
            ],
            "stimuli": [{"name": self._s_name[j], "size": self._s_size[j], "active": self._s_active[j]}
                        for j in range(len(self._s_name))],
            "fibers": [{"src": self._src_name(f), "dst": self._a_name[self._f_dst[f]], "p": self._f_p[f],
                        "beta": self._f_beta[f], "inhibited": self._f_inhibited[f]}
                       for f in range(len(self._f_src))],
        }
        out: dict[str, Any] = {"meta": meta}
        for i in range(len(self._a_name)):
            out[f"area/{i}/winners"] = self._winners[i].copy()
            out[f"area/{i}/ever"] = self._ever[i].view().copy()
            out[f"area/{i}/lastwin"] = self._lastwin[i].view().copy()
            if self._pool[i] is not None:
                out[f"area/{i}/pool"] = self._pool[i].copy()
                out[f"area/{i}/dead"] = self._dead[i].copy()
            if self._H[i] is not None:
                out[f"area/{i}/H"] = self._H[i].copy()
            for f, ids in self._H_prev[i].items():
                out[f"area/{i}/H_prev/{f}"] = ids.copy()
        for f in range(len(self._f_src)):
            out[f"fiber/{f}/w"] = self._f_w[f].view().copy()
            if self._f_src_kind[f] == 1:
                out[f"fiber/{f}/pre"] = self._f_pre[f].view().copy()
                out[f"fiber/{f}/post"] = self._f_post[f].view().copy()
        return out

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Any]) -> "AssemblyEngine":
        """Rebuild an engine saved by :meth:`state_dict` (bit-for-bit resume)."""
        meta = state["meta"]
        if isinstance(meta, (str, bytes)):
            meta = json.loads(meta)
        if int(meta.get("version", 0)) != STATE_VERSION:
            raise ValueError(f"assembly engine state version {meta.get('version')} is not {STATE_VERSION}")
        eng = cls(seed=int(meta["seed"]))
        for a in meta["areas"]:
            i = len(eng._a_name)
            eng._a_name.append(a["name"])
            eng._a_index[a["name"]] = i
            eng._a_n.append(int(a["n"]))
            eng._a_k.append(int(a["k"]))
            eng._a_beta.append(float(a["beta"]))
            eng._a_explicit.append(bool(a["explicit"]))
            eng._a_refr.append(int(a["refractory"]))
            eng._a_fixed.append(bool(a["fixed"]))
            eng._a_m.append(int(a["m"]))
            eng._a_support.append(int(a["support"]))
            eng._a_updates.append(int(a["updates"]))
            eng._a_first.append(int(a["first"]))
            eng._winners.append(np.asarray(state[f"area/{i}/winners"], dtype=np.int32).copy())
            eng._ever.append(_Buf(np.bool_, state[f"area/{i}/ever"]))
            eng._lastwin.append(_Buf(np.int64, state[f"area/{i}/lastwin"]))
            key = f"area/{i}/pool"
            eng._pool_fib.append([int(x) for x in a.get("pool_fibers", [])])
            eng._bucket.append({})
            if key in state:
                P = np.array(state[key], copy=True)
                dead = np.array(state[f"area/{i}/dead"], dtype=np.bool_, copy=True)
                eng._pool.append(P)
                eng._dead.append(dead)
                eng._hist.append([])
            else:
                eng._pool.append(None)
                eng._dead.append(None)
                eng._hist.append([])
            eng._H.append(np.array(state[f"area/{i}/H"], dtype=np.int64) if f"area/{i}/H" in state else None)
            eng._H_stim.append(tuple(int(x) for x in a.get("H_stim", [])))
            eng._H_prev.append({int(f): np.asarray(state[f"area/{i}/H_prev/{f}"], dtype=np.int32).copy()
                                for f in a.get("H_prev_fibers", [])})
        for s in meta["stimuli"]:
            j = len(eng._s_name)
            eng._s_name.append(s["name"])
            eng._s_index[s["name"]] = j
            eng._s_size.append(int(s["size"]))
            eng._s_active.append(bool(s["active"]))
        for f, fb in enumerate(meta["fibers"]):
            src, dst = fb["src"], fb["dst"]
            if src in eng._s_index:
                kind, s = 0, eng._s_index[src]
            else:
                kind, s = 1, eng._a_index[src]
            eng._f_src_kind.append(kind)
            eng._f_src.append(s)
            eng._f_dst.append(eng._a_index[dst])
            eng._f_p.append(float(fb["p"]))
            eng._f_beta.append(None if fb["beta"] is None else float(fb["beta"]))
            eng._f_inhibited.append(bool(fb["inhibited"]))
            eng._f_key[(src, dst)] = f
            eng._f_w.append(_Buf(np.float32, state[f"fiber/{f}/w"]))
            if kind == 1:
                eng._f_pre.append(_Buf(np.int32, state[f"fiber/{f}/pre"]))
                eng._f_post.append(_Buf(np.int32, state[f"fiber/{f}/post"]))
            else:
                eng._f_pre.append(None)
                eng._f_post.append(None)
        for i in range(len(eng._a_name)):
            if eng._pool[i] is not None:
                eng._hist[i] = [eng._live_hist(eng._pool[i][r], eng._dead[i],
                                               eng._s_size[eng._f_src[eng._pool_fib[i][r]]])
                                for r in range(eng._pool[i].shape[0])]
        eng.rounds_done = int(meta["rounds_done"])
        eng.disable_plasticity = bool(meta["disable_plasticity"])
        eng.rng.bit_generator.state = _str_to_ints(meta["rng"])
        return eng

    def save_npz(self, path: str) -> None:
        """Write :meth:`state_dict` to an ``.npz`` file (meta as JSON text)."""
        st = self.state_dict()
        meta = json.dumps(st.pop("meta"))
        np.savez(path, __meta__=np.frombuffer(meta.encode(), dtype=np.uint8), **st)

    @classmethod
    def load_npz(cls, path: str) -> "AssemblyEngine":
        with np.load(path, allow_pickle=False) as z:
            state: dict[str, Any] = {k: z[k] for k in z.files if k != "__meta__"}
            state["meta"] = json.loads(z["__meta__"].tobytes().decode())
        return cls.from_state_dict(state)

    def nbytes(self) -> int:
        """Bytes held by the engine's arrays (capacity, not just live part)."""
        tot = 0
        for b in self._ever + self._lastwin + self._f_w:
            tot += b.a.nbytes
        for b in self._f_pre + self._f_post:
            if b is not None:
                tot += b.a.nbytes
        for P in self._pool + self._dead:
            if P is not None:
                tot += P.nbytes
        for bk in self._bucket:
            for b in bk.values():
                tot += sum(c.nbytes for c in b.values())
        return tot


def _ints_to_str(obj: Any) -> Any:
    """Generator state with integers as decimal strings: 128-bit PCG64 words
    would be mangled by JSON readers that use 64-bit integers (SQLite's)."""
    if isinstance(obj, dict):
        return {k: _ints_to_str(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_ints_to_str(v) for v in obj]
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, bool):
        return {"int": str(int(obj))}
    return obj


def _str_to_ints(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"int"}:
            return int(obj["int"])
        return {k: _str_to_ints(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_str_to_ints(v) for v in obj]
    return obj
