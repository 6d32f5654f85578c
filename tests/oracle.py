"""The slow, obviously correct reading of the contract: the engine's test oracle.

For each element: propagate its failure to a fixpoint (checked against a literal sweep
in tests/test_engine_properties.py), walk the flow layer again from the entries, and
solve the customer chain for completion in exact rational arithmetic
(:func:`completion_exact`). That is O(n·(n+m)) per element and more, so it lives with the
tests: the engine (journeymap/analysis/fast.py) is compared with it on many random
journeys, and the benchmarks time it side by side with the engine
(``completion=completion_float``: the same reading with the engine's float solver, so
the ratio measures the algorithm, not fractions against floats).

``analyze(spec, engine=naive_engine)`` runs the whole analysis on the oracle's cascades.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from fractions import Fraction

from journeymap.analysis.cascade import RawCascade, clean
from journeymap.analysis.flow import FlowSolver, reachable
from journeymap.analysis.index import Index
from journeymap.analysis.propagation import degraded_indices, propagate_indices


def completion_exact(ix: Index, down: Collection[int]) -> float:
    """Completion by the textbook formula for an absorbing Markov chain, in fractions.

    Touch-points from which no up goal can be reached (through up touch-points) have
    chance 0; on the others the chances are the unique solution of
    ``p(v) = sum over up next steps t of share(v, t) / up_share(v) * p(t)`` with
    ``p(goal) = 1``, solved by Gaussian elimination over :class:`~fractions.Fraction`
    (every float share is a rational number, so the answer is exact before the one
    final rounding).
    """
    up = [v for v in range(ix.n) if ix.is_tp[v] and v not in down]
    upset = set(up)
    # Touch-points that can reach an up goal: backwards from the goals.
    live = {v for v in up if ix.is_goal[v]}
    stack = list(live)
    while stack:
        t = stack.pop()
        for u in ix.fpred[t]:
            if u in upset and u not in live and not ix.is_goal[u]:
                live.add(u)
                stack.append(u)
    var = sorted(v for v in live if not ix.is_goal[v])
    col = {v: k for k, v in enumerate(var)}
    k = len(var)
    a = [[Fraction(0)] * (k + 1) for _ in range(k)]
    for r, v in enumerate(var):
        steps = [(t, Fraction(s)) for t, s in ix.fsucc[v] if t in upset]
        total = sum(s for _, s in steps)
        a[r][r] += 1
        for t, s in steps:
            if ix.is_goal[t]:
                a[r][k] += s / total
            elif t in col:
                a[r][col[t]] -= s / total
    for c in range(k):
        piv = next(r for r in range(c, k) if a[r][c] != 0)
        a[c], a[piv] = a[piv], a[c]
        for r in range(k):
            if r != c and a[r][c] != 0:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    p = {v: a[r][k] / a[r][r] for r, v in enumerate(var)}
    total = Fraction(0)
    for e, w in ix.entry_weight.items():
        if e in upset:
            total += Fraction(w) * (1 if ix.is_goal[e] else p.get(e, 0))
    return float(total)


Completion = Callable[[Index, Collection[int]], float]


def completion_float(ix: Index, down: Collection[int]) -> float:
    """Completion from scratch with the engine's float solver (for the benchmarks)."""
    solver = FlowSolver(ix)
    return solver.completion(solver.solve(down))


def baseline(ix: Index, completion: Completion = completion_exact) -> tuple[set[int], float]:
    """Touch-points reachable with nothing failed, and the baseline completion."""
    return reachable(ix, ()), completion(ix, ())


def naive_cascade(ix: Index, failed: Iterable[int], base: tuple[set[int], float]
                  | None = None, completion: Completion = completion_exact) -> RawCascade:
    """The contract applied literally to one set of failed elements."""
    failed = frozenset(failed)
    reach0, comp0 = base or baseline(ix, completion)
    down = propagate_indices(ix, failed)
    reach = reachable(ix, down)
    stranded = frozenset(v for v in reach0 if v not in down and v not in reach)
    comp = completion(ix, down) if down & reach0 else comp0
    collapses = any(ix.is_goal[v] for v in reach0) and not any(ix.is_goal[v] for v in reach)
    return RawCascade(failed, frozenset(down - failed), stranded,
                      frozenset(degraded_indices(ix, down)), clean(comp0 - comp), collapses)


def naive_cascades(ix: Index, completion: Completion = completion_exact) -> list[RawCascade]:
    """Every element's single-failure cascade, one full recomputation each."""
    base = baseline(ix, completion)
    return [naive_cascade(ix, (v,), base, completion) for v in range(ix.n)]


def naive_engine(ix: Index) -> tuple[set[int], float, list[RawCascade]]:
    """The oracle in the engine's shape, for ``analyze(spec, engine=naive_engine)``."""
    reach0, comp0 = baseline(ix)
    return reach0, comp0, naive_cascades(ix)



def dependents(ix: Index) -> list[list[int]]:
    """For each element, the elements with a hard need on it, sorted by id (the
    references of the stage-area and collapse-path tests walk these lists)."""
    # Owners taken in order of their ids: every list comes out sorted.
    out: list[list[int]] = [[] for _ in range(ix.n)]
    groups, hard_groups = ix.groups, ix.hard_groups
    for v in ix.by_id():
        for gi in hard_groups[v]:
            for m in groups[gi].members:
                row = out[m]
                if not row or row[-1] != v:  # v's groups come together: m once per v
                    row.append(v)
    return out


__all__ = ["baseline", "completion_exact", "completion_float", "dependents", "naive_cascade",
           "naive_cascades", "naive_engine"]
