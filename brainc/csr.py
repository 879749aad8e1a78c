"""CSR helpers: group synapses by presynaptic unit in O(n) (counting sort).

``lexsort`` of 100M synapses takes tens of seconds; a stable counting sort by
pre index takes about one. Order within a row is kept as given (stable)."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _counting_order(pre, n_pre):
    counts = np.zeros(n_pre + 1, np.int64)
    for i in range(pre.shape[0]):
        counts[pre[i] + 1] += 1
    for k in range(n_pre):
        counts[k + 1] += counts[k]
    order = np.empty(pre.shape[0], np.int64)
    for i in range(pre.shape[0]):
        p = pre[i]
        order[counts[p]] = i
        counts[p] += 1
    return order


@njit(cache=True)
def _is_sorted(x):
    for i in range(1, x.shape[0]):
        if x[i] < x[i - 1]:
            return False
    return True


def order_by_pre(pre: np.ndarray, n_pre: int) -> np.ndarray | None:
    """Permutation grouping synapses by ``pre`` (stable), or None if already grouped."""
    if pre.size == 0 or _is_sorted(pre):
        return None
    return _counting_order(pre, int(n_pre))


def indptr(pre_sorted: np.ndarray, n_pre: int) -> np.ndarray:
    """int64[n_pre + 1] row pointers of synapses grouped by pre."""
    counts = np.bincount(pre_sorted, minlength=n_pre) if pre_sorted.size else np.zeros(n_pre, np.int64)
    out = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out
