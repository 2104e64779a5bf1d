"""MATCH-3: the solver is globally optimal (brute force over small random instances), never
exceeds a volunteer's cap, and agrees with the dense Hungarian solver."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from linli.matching.solver import Pair, solve, solve_dense, total_worth

STEP = 5.0


@st.composite
def instances(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 3))
    caps = draw(st.lists(st.integers(1, 2), min_size=m, max_size=m))
    used = [draw(st.integers(0, c)) for c in caps]
    pairs = []
    for i in range(n):
        for j in range(m):
            if draw(st.booleans()):
                pairs.append(
                    Pair(i, j, draw(st.integers(1, 90)) + draw(st.sampled_from([0, 0.25, 0.5])))
                )
    return n, m, caps, used, pairs


def brute_force(n, m, caps, used, pairs):
    """Try every way to give each need one of its candidates or nobody."""
    score = {(p.need, p.volunteer): p.score for p in pairs}
    options = [[None] + [j for j in range(m) if (i, j) in score] for i in range(n)]
    best = 0.0
    for choice in itertools.product(*options):
        count = [0] * m
        worth = 0.0
        ok = True
        for i, j in enumerate(choice):
            if j is None:
                continue
            if used[j] + count[j] >= caps[j]:
                ok = False
                break
            worth += score[(i, j)] - STEP * (used[j] + count[j])
            count[j] += 1
        if ok:
            best = max(best, worth)
    return best


@settings(max_examples=300, deadline=None)
@given(instances())
def test_assignment_is_optimal_and_within_caps(instance):
    n, m, caps, used, pairs = instance
    chosen = solve(n, pairs, caps, used, STEP)
    assert abs(total_worth(chosen, pairs) - brute_force(n, m, caps, used, pairs)) < 1e-6
    assert (
        abs(
            total_worth(solve_dense(n, pairs, caps, used, STEP), pairs) - total_worth(chosen, pairs)
        )
        < 1e-6
    )
    per = [0] * m
    for a in chosen:
        per[a.volunteer] += 1
        assert (a.need, a.volunteer) in {(p.need, p.volunteer) for p in pairs}
    assert all(used[j] + per[j] <= caps[j] for j in range(m))
    assert len({a.need for a in chosen}) == len(chosen)  # one volunteer a need


def test_each_extra_assignment_costs_more():
    """Two equally good volunteers, two needs: one each, not both to the same person."""
    pairs = [Pair(0, 0, 50), Pair(0, 1, 49), Pair(1, 0, 50), Pair(1, 1, 49)]
    chosen = solve(2, pairs, [3, 3], [0, 0], STEP)
    assert sorted(a.volunteer for a in chosen) == [0, 1]


def test_cap_holds_even_when_one_volunteer_is_best_everywhere():
    pairs = [Pair(i, 0, 90) for i in range(5)] + [Pair(i, 1, 30) for i in range(5)]
    chosen = solve(5, pairs, [2, 2], [0, 0], STEP)
    assert sum(a.volunteer == 0 for a in chosen) == 2
    assert sum(a.volunteer == 1 for a in chosen) == 2
    assert len(chosen) == 4  # the fifth need has nobody left: unmatched, not overbooked
