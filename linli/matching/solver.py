"""The assignment solver (MATCH-3): globally optimal over all open needs of a window, with
fairness. Pure: numbers in, pairs out.

Every need is a row. Every volunteer j contributes `cap_j` columns ("slots"); putting a need
in j's k-th slot is worth score − step·(used_j + k), so each extra assignment of the same
volunteer costs more and no one gets more than the cap. Every need also has its own "left
unmatched" column worth 0. The minimum-cost full matching of this sparse bipartite graph
(scipy's LAPJVsp) maximises the total worth; since slot costs increase, a volunteer's
assignments fill their slots in order, so the worth is Σ score − step·Σ_j (used_j + … ).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching


@dataclass(frozen=True)
class Pair:
    need: int  # row index
    volunteer: int  # volunteer index
    score: float  # > 0 for a pair worth making


@dataclass(frozen=True)
class Assigned:
    need: int
    volunteer: int
    slot: int  # 0-based: the volunteer's (used + slot + 1)-th assignment in the window
    penalty: float  # step · (used + slot)


def slot_penalty(step: float, used: int, slot: int) -> float:
    return step * (used + slot)


def solve(
    n_needs: int,
    pairs: Sequence[Pair],
    caps: Sequence[int],
    used: Sequence[int],
    step: float,
    forbidden: frozenset[tuple[int, int]] = frozenset(),
) -> list[Assigned]:
    """The assignment of greatest total worth; needs left out are unmatched."""
    kept = [p for p in pairs if (p.need, p.volunteer) not in forbidden]
    return solve_arrays(
        n_needs,
        np.array([p.need for p in kept], dtype=np.int64),
        np.array([p.volunteer for p in kept], dtype=np.int64),
        np.array([p.score for p in kept], dtype=np.float64),
        np.asarray(caps, dtype=np.int64),
        np.asarray(used, dtype=np.int64),
        step,
    )


def solve_arrays(
    n_needs: int,
    need: np.ndarray,
    vol: np.ndarray,
    score: np.ndarray,
    caps: np.ndarray,
    used: np.ndarray,
    step: float,
) -> list[Assigned]:
    """`solve` on parallel arrays of pairs (what the matching service builds)."""
    room = np.maximum(0, caps - used)
    first = np.concatenate([[0], np.cumsum(room)]).astype(np.int64)
    n_slots = int(first[-1])
    if len(need) == 0 or n_slots == 0:
        return []
    rows, cols, worth = [], [], []
    for k in range(int(room.max())):
        w = score - step * (used[vol] + k)
        ok = (room[vol] > k) & (w > 0)  # later slots are worth even less
        rows.append(need[ok])
        cols.append(first[vol[ok]] + k)
        worth.append(w[ok])
    r_pairs, c_pairs, w_pairs = np.concatenate(rows), np.concatenate(cols), np.concatenate(worth)
    if len(w_pairs) == 0:
        return []
    big = float(w_pairs.max()) + 1.0  # costs positive: a stored zero would not be an edge
    dummy = np.arange(n_needs, dtype=np.int64)
    graph = csr_matrix(
        (
            np.concatenate([big - w_pairs, np.full(n_needs, big)]),
            (np.concatenate([r_pairs, dummy]), np.concatenate([c_pairs, n_slots + dummy])),
        ),
        shape=(n_needs, n_slots + n_needs),
    )
    _rows, chosen = min_weight_full_bipartite_matching(graph)
    owner = np.searchsorted(first, np.arange(n_slots), side="right") - 1
    out = []
    for i, col in enumerate(chosen):
        if col >= n_slots:
            continue
        j = int(owner[col])
        k = int(col - first[j])
        out.append(Assigned(i, j, k, slot_penalty(step, int(used[j]), k)))
    return out


def solve_dense(
    n_needs: int, pairs: Sequence[Pair], caps: Sequence[int], used: Sequence[int], step: float
) -> list[Assigned]:
    """The same optimum through the dense Hungarian solver: a cross-check for tests."""
    room = [max(0, c - u) for c, u in zip(caps, used, strict=True)]
    first = np.concatenate([[0], np.cumsum(room)]).astype(np.int64)
    n_slots = int(first[-1])
    cost = np.zeros((n_needs, n_slots + n_needs))
    cost[:, :n_slots] = 1e9
    for p in pairs:
        for k in range(room[p.volunteer]):
            w = p.score - slot_penalty(step, used[p.volunteer], k)
            cost[p.need, first[p.volunteer] + k] = -w if w > 0 else 1e9
    rows, chosen = linear_sum_assignment(cost)
    owner = np.searchsorted(first, np.arange(n_slots), side="right") - 1
    out = []
    for i, col in zip(rows, chosen, strict=True):
        if col >= n_slots or cost[i, col] >= 1e9:
            continue
        j = int(owner[col])
        out.append(
            Assigned(int(i), j, int(col - first[j]), slot_penalty(step, used[j], col - first[j]))
        )
    return out


def total_worth(assigned: Sequence[Assigned], pairs: Sequence[Pair]) -> float:
    score = {(p.need, p.volunteer): p.score for p in pairs}
    return sum(score[(a.need, a.volunteer)] - a.penalty for a in assigned)
