"""The slow, obviously correct reading of the contract: the engine's test oracle.

For each element: propagate its failure to a fixpoint, walk the flow layer again from
the entries, and iterate the customer rule to get completion. That is O(n·(n+m)) and
takes minutes at 10k elements, so it is used only by tests and benchmarks (and by
:func:`journeymap.analysis.simulate`, where there is only one failure to compute).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from journeymap.analysis.flow import completion_iterative, reachable
from journeymap.analysis.index import Index
from journeymap.analysis.propagation import degraded_indices, propagate_indices


@dataclass(frozen=True)
class RawCascade:
    """One failure's consequences, in element indices (``down`` excludes ``failed``)."""

    failed: frozenset[int]
    down: frozenset[int]
    stranded: frozenset[int]
    degraded: frozenset[int]
    customers_lost: float
    collapses: bool


def clean(x: float) -> float:
    """Round a share for reporting: byte-stable output, no -0.0, no float dust."""
    r = round(x, 12)
    return 0.0 if r <= 0 else min(r, 1.0)


def baseline(ix: Index) -> tuple[set[int], float]:
    """Touch-points reachable with nothing failed, and the baseline completion."""
    return reachable(ix, ()), completion_iterative(ix, ())


def naive_cascade(ix: Index, failed: Iterable[int], base: tuple[set[int], float]
                  | None = None) -> RawCascade:
    """The contract applied literally to one set of failed elements."""
    failed = frozenset(failed)
    reach0, comp0 = base or baseline(ix)
    down = propagate_indices(ix, failed)
    reach = reachable(ix, down)
    stranded = frozenset(v for v in reach0 if v not in down and v not in reach)
    comp = completion_iterative(ix, down) if down & reach0 else comp0
    collapses = any(ix.is_goal[v] for v in reach0) and not any(ix.is_goal[v] for v in reach)
    return RawCascade(failed, frozenset(down - failed), stranded,
                      frozenset(degraded_indices(ix, down)), clean(comp0 - comp), collapses)


def naive_cascades(ix: Index) -> list[RawCascade]:
    """Every element's single-failure cascade, one full recomputation each."""
    base = baseline(ix)
    return [naive_cascade(ix, (v,), base) for v in range(ix.n)]


__all__ = ["RawCascade", "baseline", "clean", "naive_cascade", "naive_cascades"]
