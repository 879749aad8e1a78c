"""Connection rules: seeded, exact, O(synapses) where the rule allows.

Every rule returns ``(pre, post)`` int64 arrays of indices local to the selected
unit sets. Randomness comes from a xoroshiro128+ stream derived from the root
seed and the projection's name, so adding a projection never changes another's
synapses. Impossible requests raise :class:`ConnectError` with NEST's meaning
(e.g. fixed_indegree without multapses asking for more sources than exist).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from runtime.rng import new_state, uniform


class ConnectError(ValueError):
    """An impossible connection request."""


@njit(cache=True)
def _grow(pre, post):
    """Double the capacity of the (pre, post) output buffers."""
    cap = 2 * pre.shape[0]
    pre2 = np.empty(cap, np.int64)
    post2 = np.empty(cap, np.int64)
    pre2[:pre.shape[0]] = pre
    post2[:post.shape[0]] = post
    return pre2, post2


@njit(cache=True)
def _bernoulli_rows(n_pre, n_post, p, pre_ids, post_ids, no_autapse, s):
    # geometric skipping: the gap to the next success is Geometric(p), exact and O(hits)
    cap = max(16, int(n_pre * n_post * p * 1.2) + 64)
    pre = np.empty(cap, np.int64)
    post = np.empty(cap, np.int64)
    m = 0
    if p <= 0.0:
        return pre[:0], post[:0]
    logq = np.log1p(-p) if p < 1.0 else -np.inf
    for i in range(n_pre):
        j = -1
        while True:
            if p >= 1.0:
                j += 1
            else:
                u = uniform(s)
                while u <= 0.0:
                    u = uniform(s)
                j += 1 + int(np.floor(np.log(u) / logq))
            if j >= n_post:
                break
            if no_autapse and pre_ids[i] == post_ids[j]:
                continue
            if m == pre.shape[0]:
                pre, post = _grow(pre, post)
            pre[m] = i
            post[m] = j
            m += 1
    return pre[:m], post[:m]


@njit(cache=True)
def _proximity(pos_pre, pos_post, p, sigma, cutoff, pre_ids, post_ids, no_autapse, s):
    n_pre = pos_pre.shape[0]
    n_post = pos_post.shape[0]
    cap = 1024
    pre = np.empty(cap, np.int64)
    post = np.empty(cap, np.int64)
    m = 0
    c2 = cutoff * cutoff
    inv = 0.0 if sigma <= 0.0 else 1.0 / (2.0 * sigma * sigma)
    for i in range(n_pre):
        for j in range(n_post):
            if no_autapse and pre_ids[i] == post_ids[j]:
                continue
            d2 = 0.0
            for k in range(3):
                dd = pos_pre[i, k] - pos_post[j, k]
                d2 += dd * dd
            if d2 > c2:
                continue
            if uniform(s) >= p * np.exp(-d2 * inv):
                continue
            if m == pre.shape[0]:
                pre, post = _grow(pre, post)
            pre[m] = i
            post[m] = j
            m += 1
    return pre[:m], post[:m]


@njit(cache=True)
def _fixed_degree(n_fixed, n_other, degree, fixed_ids, other_ids, no_autapse, no_multapse, s):
    # for each unit on the fixed side draw `degree` partners on the other side
    out_fixed = np.empty(n_fixed * degree, np.int64)
    out_other = np.empty(n_fixed * degree, np.int64)
    chosen = np.zeros(n_other, np.uint8) if no_multapse else np.zeros(0, np.uint8)
    m = 0
    for i in range(n_fixed):
        start = m
        got = 0
        while got < degree:
            j = int(uniform(s) * n_other)
            if no_autapse and fixed_ids[i] == other_ids[j]:
                continue
            if no_multapse:
                if chosen[j]:
                    continue
                chosen[j] = 1
            out_fixed[m] = i
            out_other[m] = j
            m += 1
            got += 1
        if no_multapse:
            for q in range(start, m):
                chosen[out_other[q]] = 0
    return out_fixed, out_other


@njit(cache=True)
def _fixed_total(n_pre, n_post, total, pre_ids, post_ids, no_autapse, no_multapse, s):
    pre = np.empty(total, np.int64)
    post = np.empty(total, np.int64)
    m = 0
    seen = dict()
    seen[np.int64(-1)] = True
    while m < total:
        i = int(uniform(s) * n_pre)
        j = int(uniform(s) * n_post)
        if no_autapse and pre_ids[i] == post_ids[j]:
            continue
        if no_multapse:
            key = np.int64(i) * n_post + j
            if key in seen:
                continue
            seen[key] = True
        pre[m] = i
        post[m] = j
        m += 1
    return pre, post


def connect(rule: str, *, n_pre: int, n_post: int, seed: int, same_units: np.ndarray | None = None,
            pre_ids: np.ndarray | None = None, post_ids: np.ndarray | None = None,
            p: float | None = None, indegree: int | None = None, outdegree: int | None = None,
            N: int | None = None, cutoff: float | None = None, sigma: float | None = None,
            pos_pre: np.ndarray | None = None, pos_post: np.ndarray | None = None,
            allow_autapses: bool = True, allow_multapses: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Draw synapses between ``n_pre`` and ``n_post`` units.

    ``pre_ids``/``post_ids`` are global unit ids used only to recognise autapses
    (a unit connected to itself); pass None when pre and post are disjoint.
    """
    s = new_state(seed)
    disjoint = pre_ids is None or post_ids is None
    if disjoint:
        pre_ids = np.arange(n_pre, dtype=np.int64)
        post_ids = np.arange(n_post, dtype=np.int64) + n_pre
    no_aut = (not allow_autapses) and not disjoint
    no_mult = not allow_multapses
    if rule == "all_to_all":
        pre = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
        post = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
        if no_aut:
            keep = pre_ids[pre] != post_ids[post]
            pre, post = pre[keep], post[keep]
        return pre, post
    if rule == "one_to_one":
        if n_pre != n_post:
            raise ConnectError(f"one_to_one needs equal sizes, got {n_pre} sources and {n_post} targets")
        pre = np.arange(n_pre, dtype=np.int64)
        post = pre.copy()
        if no_aut:
            keep = pre_ids != post_ids
            pre, post = pre[keep], post[keep]
        return pre, post
    if rule in ("pairwise_bernoulli", "probability"):
        return _bernoulli_rows(n_pre, n_post, float(p), pre_ids, post_ids, no_aut, s)
    if rule == "proximity":
        if pos_pre is None or pos_post is None:
            raise ConnectError("proximity needs unit positions (layers or populations with positions)")
        return _proximity(np.ascontiguousarray(pos_pre, np.float64), np.ascontiguousarray(pos_post, np.float64),
                          float(p), float(sigma or 0.0), float(cutoff), pre_ids, post_ids, no_aut, s)
    if rule == "fixed_indegree":
        k = int(indegree)
        avail = n_pre - (1 if no_aut else 0)
        if k > 0 and (n_pre == 0 or (no_mult and k > avail)):
            raise ConnectError(f"fixed_indegree: indegree {k} exceeds the {max(avail, 0)} available sources "
                               "without multapses")
        if k > 0 and avail <= 0:
            raise ConnectError("fixed_indegree: no source available without autapses")
        post, pre = _fixed_degree(n_post, n_pre, k, post_ids, pre_ids, no_aut, no_mult, s)
        return pre, post
    if rule == "fixed_outdegree":
        k = int(outdegree)
        avail = n_post - (1 if no_aut else 0)
        if k > 0 and (n_post == 0 or (no_mult and k > avail)):
            raise ConnectError(f"fixed_outdegree: outdegree {k} exceeds the {max(avail, 0)} available targets "
                               "without multapses")
        if k > 0 and avail <= 0:
            raise ConnectError("fixed_outdegree: no target available without autapses")
        return _fixed_degree(n_pre, n_post, k, pre_ids, post_ids, no_aut, no_mult, s)
    if rule == "fixed_total_number":
        total = int(N)
        possible = n_pre * n_post - (min(n_pre, n_post) if no_aut else 0)
        if no_mult and total > possible:
            raise ConnectError(f"fixed_total_number: {total} synapses exceed the {possible} possible "
                               "pairs without multapses")
        if total > 0 and possible <= 0:
            raise ConnectError("fixed_total_number: no pair available")
        return _fixed_total(n_pre, n_post, total, pre_ids, post_ids, no_aut, no_mult, s)
    raise ConnectError(f"unknown rule {rule!r}")


def expected_count(rule: str, n_pre: int, n_post: int, p: float | None = None, indegree: int | None = None,
                   outdegree: int | None = None, N: int | None = None) -> float:
    """Synapse count a rule will produce (expected value), for memory checks."""
    return {
        "all_to_all": n_pre * n_post,
        "one_to_one": min(n_pre, n_post),
        "pairwise_bernoulli": n_pre * n_post * (p or 0.0),
        "probability": n_pre * n_post * (p or 0.0),
        "proximity": n_pre * n_post * (p or 0.0),
        "fixed_indegree": n_post * (indegree or 0),
        "fixed_outdegree": n_pre * (outdegree or 0),
        "fixed_total_number": float(N or 0),
    }[rule]
