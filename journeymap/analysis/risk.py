"""Risk in numbers for one journey (contract §8): effective availabilities, the
collapse probability and expected completion, minimal cut sets, importance per
element and fixes ranked by their verified effect.

:func:`assess_risk` is what :func:`journeymap.analysis.analyze` calls with
``risk=RiskOptions(...)``; the pieces live in :mod:`.probability` (Q, completion,
importance), :mod:`.cutsets` (pairs and beyond) and :mod:`.fixes` (the one ranked list
of fixes, each re-analysed on a copy of the journey).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from journeymap.analysis.cascade import RawCascade, clean
from journeymap.analysis.cutsets import CutFinder
from journeymap.analysis.flow import FlowSolver
from journeymap.analysis.index import ById, Index
from journeymap.analysis.probability import (
    AUTO,
    HOURS_PER_YEAR,
    METHODS,
    OFF,
    ElementImportance,
    ProbabilityResult,
    availabilities,
    availabilities_and_sources,
    collapse_probability,
    importance,
)
from journeymap.spec.model import Spec

AUTO_CUTS_MAX = 3000
AUTO_FIXES_MAX = 3000


@dataclass(frozen=True)
class RiskOptions:
    """``journeymap analyze --probability --trials --seed --max-order``."""

    probability: str = AUTO  # auto | exact | monte-carlo | off
    trials: int = 100_000
    seed: int = 0
    max_order: int = 2
    fixes: bool = True  # rank candidate fixes (each one re-analyses the journey)
    # Size limits of the defaults: cut sets only up to AUTO_CUTS_MAX elements (they cost
    # about n single-failure analyses), fixes up to AUTO_FIXES_MAX (each candidate is one
    # more analysis). False (``--max-order`` given): cut sets at any size.
    limits: bool = True

    def __post_init__(self) -> None:
        if self.probability not in METHODS:
            raise ValueError(f"probability must be one of {', '.join(METHODS)}")
        if self.trials < 1 or self.max_order < 1:
            raise ValueError("trials and max_order must be at least 1")


@dataclass(frozen=True)
class Probability:
    """The ``probability`` object of the JSON output."""

    method: str  # "exact" | "monte-carlo": how Q (and importance) was computed
    collapse: float  # Q
    completion: float  # expected share of customers reaching a goal
    hours_per_year: float  # Q x 8766
    trials: int | None
    seed: int | None
    ci95_collapse: tuple[float, float] | None
    ci95_completion: tuple[float, float] | None
    completion_method: str  # "exact" | "monte-carlo"
    note: str  # how it was computed, and why that method


@dataclass(frozen=True)
class CutSet:
    """A minimal cut set: these elements failing together collapse the journey."""

    ids: tuple[str, ...]  # sorted
    customers_lost: float
    control: tuple[str, ...]  # control level of each member, in ``ids`` order
    probability: float  # chance that all members fail on their own at once (product)


@dataclass(frozen=True)
class Risk:
    # Effective availability of every element and where it comes from ("element" |
    # "party" | "default" | "none"), by id; read now and then, so no dicts (see ById).
    availability: Mapping[str, float]
    availability_source: Mapping[str, str]
    probability: Probability | None  # None with --probability off
    importance: dict[str, ElementImportance] | None
    cut_sets: tuple[CutSet, ...] | None  # None: not computed (over the size limit)
    max_order: int
    # :class:`.fixes.Fix`, best first; None: not computed (over the size limit)
    fixes: tuple[object, ...] | None = field(default=())
    # ids of the parts whose candidate fixes were re-analysed (the rest were over the
    # re-analysis budget, :func:`.fixes.rerun_budget`)
    fixes_tried: tuple[str, ...] = ()

    @property
    def pairs(self) -> tuple[CutSet, ...]:
        return tuple(c for c in self.cut_sets or () if len(c.ids) == 2)


def probability_object(r: ProbabilityResult) -> Probability:
    return Probability(
        method=r.method, collapse=_p(r.collapse), completion=_p(r.completion),
        hours_per_year=round(r.collapse * HOURS_PER_YEAR, 6), trials=r.trials, seed=r.seed,
        ci95_collapse=_pair(r.ci_collapse), ci95_completion=_pair(r.ci_completion),
        completion_method=r.completion_method, note=r.note)


def _p(x: float) -> float:
    r = round(x, 12)
    return 0.0 if r <= 0 else min(r, 1.0)


def _pair(x: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if x is None else (_p(x[0]), _p(x[1]))


def cut_set_objects(spec: Spec, ix: Index, raw: list[tuple[int, ...]], avail: list[float],
                    customers_lost: float) -> tuple[CutSet, ...]:
    from journeymap.analysis.build import controls

    ctrl = controls(spec)
    out = []
    for members in raw:
        ids = tuple(sorted(ix.ids[v] for v in members))
        prob = 1.0
        for v in members:
            prob *= 1.0 - avail[v]
        out.append(CutSet(ids, customers_lost, tuple(ctrl[i] for i in ids), _p(prob)))
    out.sort(key=lambda c: (len(c.ids), c.ids))
    return tuple(out)


def probability_given(spec: Spec, failed: list[str], method: str = AUTO, *,
                      trials: int = 100_000, seed: int = 0
                      ) -> tuple[Probability, Probability]:
    """(Q and completion with ``failed`` down for sure, the same without them):
    what ``journeymap simulate`` reports next to the cascade."""
    ix = Index(spec)
    avail = availabilities(ix)
    before = collapse_probability(ix, method, trials=trials, seed=seed, avail=avail)
    forced = list(avail)
    for i in failed:
        forced[ix.pos[i]] = 0.0  # down in every state (or every trial)
    after = collapse_probability(ix, method, trials=trials, seed=seed, avail=forced)
    return probability_object(after), probability_object(before)


def assess_risk(spec: Spec, options: RiskOptions, ix: Index | None = None,
                with_fixes: bool | None = None, spofs: frozenset[int] | None = None,
                comp0: float | None = None, cascades: Sequence[RawCascade] | None = None
                ) -> Risk:
    """Everything in :class:`Risk` for one journey. ``spofs`` (indices), ``comp0``
    (baseline completion) and ``cascades`` (every element's, in index order), when the
    engine has them, save computing them again."""
    ix = ix or Index(spec)
    avail, source_list = availabilities_and_sources(ix)
    want_cuts = not (options.limits and ix.n > AUTO_CUTS_MAX)
    finder = CutFinder(ix) if want_cuts or spofs is None else None
    if spofs is None:
        spofs = finder.spofs  # type: ignore[union-attr]
    if comp0 is None:
        solver = FlowSolver(ix)
        comp0 = solver.completion(solver.solve(()))
    cuts: tuple[CutSet, ...] | None = None
    if finder is not None and want_cuts:
        raw_cuts = finder.cut_sets(options.max_order) if options.max_order >= 2 else []
        cuts = cut_set_objects(spec, ix, raw_cuts, avail, clean(comp0))
    prob = imp = None
    if options.probability != OFF:
        result = collapse_probability(ix, options.probability, trials=options.trials,
                                      seed=options.seed, avail=avail, spofs=spofs,
                                      comp0=comp0)
        prob = probability_object(result)
        spof = [False] * ix.n
        for v in spofs:
            spof[v] = True
        imp = dict(zip(ix.ids, importance(result, avail, spof)))
    risk = Risk(availability=ById(ix.pos, avail), availability_source=ById(ix.pos, source_list),
                probability=prob, importance=imp, cut_sets=cuts, max_order=options.max_order)
    if options.fixes if with_fixes is None else with_fixes:
        from journeymap.analysis.fixes import search_fixes

        if ix.n > AUTO_FIXES_MAX:
            return dataclasses.replace(risk, fixes=None)
        found = search_fixes(spec, options, base=risk, spofs={ix.ids[v] for v in spofs},
                             cascades=cascades, ix=ix)
        risk = dataclasses.replace(risk, fixes=found.fixes, fixes_tried=found.tried)
    return risk


__all__ = ["AUTO_CUTS_MAX", "AUTO_FIXES_MAX", "CutSet", "Probability", "Risk", "RiskOptions",
           "assess_risk", "cut_set_objects", "probability_given", "probability_object"]
