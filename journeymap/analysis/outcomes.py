"""Named outcomes: which goal each customer reaches, and which failures cut a goal off.

A journey with several goals ("account open", "first card payment", "first login") can
lose an outcome while the share of customers who finish *somewhere* stays the same:
customers reroute to another goal. ``customers_lost`` hides that, so the report names
the outcomes. Pure functions over a spec and its analysis; no I/O.

* :func:`goal_shares`: the share of customers who end at each goal with nothing failed
  (the customer rule of :mod:`.flow`, with every other goal absorbing as "not this one").
* :func:`cut_off_goals`: for one single failure, the goals no customer can reach any
  more (down, or up but no longer reachable from an up entry), even when other goals
  are still reached.

>>> from journeymap.spec import load_spec                   # doctest: +SKIP
>>> from journeymap.analysis import analyze                 # doctest: +SKIP
>>> a = analyze(load_spec("specs/bank-account-opening.journey.yaml"))  # doctest: +SKIP
>>> outcomes(a)[0].goal                                     # doctest: +SKIP
'open'
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from journeymap.analysis.cascade import clean
from journeymap.analysis.flow import FlowSolver
from journeymap.analysis.index import Index
from journeymap.analysis.result import Cascade, JourneyAnalysis
from journeymap.spec.model import Spec


@dataclass(frozen=True)
class Outcome:
    """One goal of the journey: who reaches it, and which single failures cut it off.

    ``share``: fraction of all entering customers who end at this goal with nothing
    failed. ``cut_off_by``: element ids whose failure alone leaves no way to this goal,
    ordered by customers lost (most first), then id.
    """

    goal: str
    share: float
    cut_off_by: tuple[str, ...]


def goal_shares(spec: Spec, ix: Index | None = None) -> dict[str, float]:
    """Share of customers ending at each goal (ids) when nothing has failed.

    The shares add up to the baseline completion: a customer stops at the first goal
    reached, so the goals split the finishing customers between them.
    """
    ix = ix or Index(spec)
    out: dict[str, float] = {}
    for g in ix.goals:
        # The same chain with only ``g`` counted as success: other goals still absorb
        # (customers stop there), so their onward lines are dropped.
        one = copy.copy(ix)
        one.is_goal = [v == g for v in range(ix.n)]
        one.fsucc = [[] if ix.is_goal[v] and v != g else ix.fsucc[v] for v in range(ix.n)]
        solver = FlowSolver(one)
        out[ix.ids[g]] = clean(solver.completion(solver.solve(())))
    return out


def cut_off_goals(spec: Spec, cascade: Cascade) -> tuple[str, ...]:
    """Goal ids that no customer can reach after this cascade (failed, down or cut off)."""
    gone = set(cascade.failed) | set(cascade.down) | set(cascade.stranded)
    return tuple(g.id for g in spec.goals if g.id in gone)


def outcomes(analysis: JourneyAnalysis) -> tuple[Outcome, ...]:
    """Every goal with its share and what cuts it off, most customers first."""
    spec = analysis.spec
    shares = goal_shares(spec)
    cutters: dict[str, list[str]] = {g.id: [] for g in spec.goals}
    for eid, cascade in analysis.cascades.items():
        for g in cut_off_goals(spec, cascade):
            cutters[g].append(eid)
    lost = {eid: c.customers_lost for eid, c in analysis.cascades.items()}
    result = [Outcome(g.id, shares.get(g.id, 0.0),
                      tuple(sorted(cutters[g.id], key=lambda i: (-lost[i], i))))
              for g in spec.goals]
    result.sort(key=lambda o: (-o.share, o.goal))
    return tuple(result)


__all__ = ["Outcome", "cut_off_goals", "goal_shares", "outcomes"]
