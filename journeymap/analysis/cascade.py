"""One failure's consequences: the record the engine fills for every element, and the
contract applied literally to one set of failed elements (what ``simulate`` answers).

A cascade (contract §1, §2, §4, §5): everything ``down`` with the failure
(:mod:`.propagation`), the touch-points left up but ``stranded`` (reachable before, not
after: :func:`.flow.reachable`), the up elements ``degraded`` by a failed soft need, the
share of customers lost (:class:`.flow.FlowSolver`, exact for any shares) and whether
the journey collapses (no goal reachable any more).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from journeymap.analysis.flow import FlowSolver, reachable
from journeymap.analysis.index import Index
from journeymap.analysis.propagation import degraded_indices, propagate_indices
from journeymap.analysis.slotinit import slot_init


# One per element, made in the hundreds of thousands: slots (no dict per instance) and
# an __init__ that stores through them (see slot_init).
@slot_init
@dataclass(frozen=True, slots=True)
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


# Every element's single-failure cascade at once: (touch-points reachable with nothing
# failed, baseline completion, one cascade per element in index order). The engine's is
# :func:`.fast.fast_cascades`; the tests pass the oracle's.
CascadeEngine = Callable[[Index], tuple[set[int], float, list[RawCascade]]]


class Baseline:
    """The journey with nothing failed, computed once for any number of cascades:
    reachable touch-points, every touch-point's chance to reach a goal, completion."""

    def __init__(self, ix: Index):
        self.ix = ix
        self.solver = FlowSolver(ix)
        self.reach = reachable(ix, ())
        self.chances = self.solver.solve(())
        self.completion = self.solver.completion(self.chances)

    def cascade(self, failed: Iterable[int]) -> RawCascade:
        """The contract applied literally to one set of failed elements."""
        ix, reach0 = self.ix, self.reach
        failed = frozenset(failed)
        down = propagate_indices(ix, failed)
        reach = reachable(ix, down)
        stranded = frozenset(v for v in reach0 if v not in down and v not in reach)
        if down & reach0:  # customers reroute around the down touch-points they used
            p, _ = self.solver.resolve(down, self.chances)
            comp = self.solver.completion(p)
        else:
            comp = self.completion
        collapses = any(ix.is_goal[v] for v in reach0) and not any(
            ix.is_goal[v] for v in reach)
        return RawCascade(failed, frozenset(down - failed), stranded,
                          frozenset(degraded_indices(ix, down)),
                          clean(self.completion - comp), collapses)


__all__ = ["Baseline", "CascadeEngine", "RawCascade", "clean"]
