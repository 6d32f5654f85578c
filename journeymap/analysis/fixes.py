"""Fixes ranked by what they buy, each one verified by re-running the analysis.

A candidate fix is a concrete change to a *copy* of the journey:

* ``fallback``: a line that carries a collapse (``o`` needs single point of failure
  ``s``) gets an alternative: a new support "fallback for s", independent of
  everything (it needs nothing) and as available as ``s``; the need becomes
  ``any: [s, fallback]`` (an ``at_least k`` group gains a member).
* ``second-provider``: a single point of failure ``s`` (a support) gets a second
  provider on every line that needs it: a copy of ``s`` with the same needs, owner and
  availability, as an alternative wherever ``s`` is needed.
* ``availability``: an element that can fail gets one more nine
  (``1 - (1 - a) / 10``), for the elements that matter most (criticality).

Each copy is analysed again from scratch (single points of failure, pairs, Q and
expected completion, with the same method, trials and seed; Monte Carlo draws are
keyed by element id, so the unchanged elements fail in the same trials and the
difference is the fix's, not the sampler's). The effect reported is what that re-run
showed, nothing else; fixes with no verified improvement are dropped. Ranked by the
drop in Q, then single points of failure removed, then pairs removed.

Use (also what the leadership report uses)::

    from journeymap.analysis.fixes import rank_fixes
    fixes = rank_fixes(spec, RiskOptions())          # best first
    fixes[0].title, fixes[0].effect.collapse_change  # "give … a fallback for …", -0.0071
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeymap.analysis.index import Index
from journeymap.analysis.probability import MONTE_CARLO
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Element, ElementType, Need, Spec

if TYPE_CHECKING:
    from journeymap.analysis.risk import Risk, RiskOptions

FALLBACK, SECOND_PROVIDER, AVAILABILITY = "fallback", "second-provider", "availability"
MAX_CANDIDATES = 5  # candidates re-analysed (each re-run costs one analysis)
MAX_PER_KIND = 3


@dataclass(frozen=True)
class FixEffect:
    """What the re-run showed, before -> after."""

    spofs_removed: tuple[str, ...]
    spofs_added: tuple[str, ...]
    pairs_removed: int
    pairs_added: int
    collapse_before: float | None  # None: probability off
    collapse_after: float | None
    completion_before: float | None
    completion_after: float | None

    @property
    def collapse_change(self) -> float | None:
        if self.collapse_before is None or self.collapse_after is None:
            return None
        return round(self.collapse_after - self.collapse_before, 12)

    @property
    def completion_change(self) -> float | None:
        if self.completion_before is None or self.completion_after is None:
            return None
        return round(self.completion_after - self.completion_before, 12)

    @property
    def hours_per_year_saved(self) -> float | None:
        c = self.collapse_change
        return None if c is None else round(-c * 8766.0, 6)


@dataclass(frozen=True)
class Fix:
    kind: str  # FALLBACK | SECOND_PROVIDER | AVAILABILITY
    element: str  # the element the fix is about
    line: tuple[str, str] | None  # (source, target): the line a fallback is for
    title: str  # what to do, in plain words
    assumption: str  # what the re-run assumed about the fix
    effect: FixEffect


@dataclass(frozen=True)
class _Candidate:
    kind: str
    element: str
    line: tuple[str, str] | None
    title: str
    assumption: str
    spec: Spec
    score: float  # only picks which candidates are re-run; never reported


def _fresh_id(spec: Spec, base: str) -> str:
    i, cand = 1, base
    while cand in spec.by_id:
        i += 1
        cand = f"{base}-{i}"
    return cand


def _with_member(need: Need, extra: str) -> Need:
    """The need with ``extra`` as one more alternative."""
    form = "any" if need.form == "id" else need.form
    return dataclasses.replace(need, targets=need.targets + (extra,), form=form)


def _replace_elements(spec: Spec, changed: dict[str, Element], added: list[Element]) -> Spec:
    elements = [changed.get(e.id, e) for e in spec.elements]
    # New supports go last: touch-points first then supports stays true, and the
    # existing elements keep their positions (and their Monte Carlo streams).
    return dataclasses.replace(spec, elements=tuple(elements + added))


def _fallback(spec: Spec, owner: Element, need_index: int, target: str) -> _Candidate:
    t = spec.by_id[target]
    a = spec.availability_of(target)[0]
    fid = _fresh_id(spec, f"{target}-fallback")
    fb = Element(id=fid, name=f"Fallback for {t.name}", type=ElementType.SUPPORT,
                 location=Location(spec.source, 0, 0), owner=owner.owner,
                 stage=t.stage if not t.is_touchpoint else owner.stage,
                 kind=t.kind if not t.is_touchpoint else "process", availability=a)
    needs = list(owner.needs)
    needs[need_index] = _with_member(needs[need_index], fid)
    new_owner = dataclasses.replace(owner, needs=tuple(needs))
    return _Candidate(
        FALLBACK, target, (owner.id, target),
        f"give {owner.id} a fallback for {target}",
        f"a new independent alternative to {target} (needs nothing, availability {a:g}, "
        f"run by {owner.owner or 'the same owner'}); {owner.id} works with either",
        _replace_elements(spec, {owner.id: new_owner}, [fb]), 0.0)


def _second_provider(spec: Spec, target: str) -> _Candidate | None:
    t = spec.by_id[target]
    if t.is_touchpoint:
        return None
    sid = _fresh_id(spec, f"{target}-second")
    a = spec.availability_of(target)[0]
    second = dataclasses.replace(t, id=sid, name=f"Second provider for {t.name}",
                                 location=Location(spec.source, 0, 0), availability=a)
    changed: dict[str, Element] = {}
    for e in spec.elements:
        needs = tuple(_with_member(n, sid) if n.hard and target in n.targets else n
                      for n in e.needs)
        if needs != e.needs:
            changed[e.id] = dataclasses.replace(e, needs=needs)
    if not changed:
        return None
    return _Candidate(
        SECOND_PROVIDER, target, None, f"add a second provider for {target}",
        f"a copy of {target} with the same needs, owner and availability ({a:g}), "
        f"accepted wherever {target} is needed",
        _replace_elements(spec, changed, [second]), 0.0)


def _more_available(spec: Spec, target: str) -> _Candidate | None:
    a = spec.availability_of(target)[0]
    if a >= 1:
        return None
    b = round(1 - (1 - a) / 10, 12)
    e = dataclasses.replace(spec.by_id[target], availability=b)
    return _Candidate(AVAILABILITY, target, None,
                      f"raise the availability of {target} from {a:g} to {b:g}",
                      f"{target} works {b:g} of the time instead of {a:g} (one more nine)",
                      _replace_elements(spec, {target: e}, []), 0.0)


def candidates(spec: Spec, base: Risk, spofs: set[str]) -> list[_Candidate]:
    """Candidate fixes, most promising first (by what the baseline numbers suggest)."""
    imp = base.importance or {}

    def weight(i: str) -> float:
        x = imp.get(i)
        crit = x.criticality if x is not None and x.criticality is not None else 0.0
        return crit + (1.0 - base.availability.get(i, 1.0))

    ix = Index(spec)
    sole = {ix.ids[ix.entries[0]]} if len(ix.entries) == 1 else set()
    if len(ix.goals) == 1:
        sole.add(ix.ids[ix.goals[0]])
    out: list[_Candidate] = []
    # Fallbacks for the lines a single point of failure takes its dependents down along.
    lines: list[tuple[float, str, int, str]] = []
    for e in spec.elements:
        for ni, need in enumerate(e.needs):
            if not need.hard or need.redundant:
                continue
            for tid in need.targets:
                if tid in spofs and tid not in sole:
                    lines.append((-weight(tid), e.id, ni, tid))
    lines.sort()
    fb = [_fallback(spec, spec.by_id[o], ni, t) for _, o, ni, t in lines[:MAX_PER_KIND]]
    sp = [c for c in (_second_provider(spec, t) for t in sorted(
        (s for s in spofs if s not in sole), key=lambda i: (-weight(i), i))) if c]
    av = [c for c in (_more_available(spec, i) for i in sorted(
        (i for i, a in base.availability.items() if a < 1), key=lambda i: (-weight(i), i)))
          if c]
    # Interleave the kinds so that each gets a chance within the budget.
    kinds = [fb, sp[:MAX_PER_KIND], av[:MAX_PER_KIND]]
    for k in range(MAX_PER_KIND):
        for kind in kinds:
            if k < len(kind) and len(out) < MAX_CANDIDATES:
                out.append(kind[k])
    return out


def rank_fixes(spec: Spec, options: RiskOptions, base: Risk | None = None,
               spofs: set[str] | None = None) -> list[Fix]:
    """Candidate fixes for ``spec``, each verified by a re-run, best first.

    ``base`` is the journey's own :class:`~.risk.Risk` (computed when not given) and
    ``spofs`` its single points of failure (ids). Only fixes whose re-run shows an
    improvement (fewer single points of failure or pairs, a lower Q or a higher
    expected completion) are returned.
    """
    from journeymap.analysis.cutsets import CutFinder
    from journeymap.analysis.risk import assess_risk

    opts = dataclasses.replace(options, max_order=min(options.max_order, 2), fixes=False)
    if base is None or spofs is None:
        ix = Index(spec)
        base = assess_risk(spec, opts, ix, with_fixes=False)
        spofs = {ix.ids[v] for v in CutFinder(ix).spofs}
    pairs0 = {c.ids for c in base.pairs}
    p0 = base.probability
    if p0 is not None and p0.method == MONTE_CARLO:
        # Exact was not affordable for the journey: it will not be for a fix either.
        opts = dataclasses.replace(opts, probability=MONTE_CARLO)
    out: list[tuple[tuple[float, int, int, str], Fix]] = []
    for cand in candidates(spec, base, spofs):
        ix = Index(cand.spec)
        finder = CutFinder(ix)
        after_spofs = {ix.ids[v] for v in finder.spofs}
        after = assess_risk(cand.spec, opts, ix, with_fixes=False)
        pairs1 = {c.ids for c in after.pairs}
        p1 = after.probability
        effect = FixEffect(
            spofs_removed=tuple(sorted(spofs - after_spofs)),
            spofs_added=tuple(sorted(after_spofs - spofs)),
            pairs_removed=len(pairs0 - pairs1), pairs_added=len(pairs1 - pairs0),
            collapse_before=p0.collapse if p0 else None,
            collapse_after=p1.collapse if p1 else None,
            completion_before=p0.completion if p0 else None,
            completion_after=p1.completion if p1 else None)
        dq = effect.collapse_change or 0.0
        dc = effect.completion_change or 0.0
        better = (effect.spofs_removed and not effect.spofs_added) or dq < 0 or dc > 0 or (
            effect.pairs_removed > effect.pairs_added)
        if not better:
            continue
        fix = Fix(cand.kind, cand.element, cand.line, cand.title, cand.assumption, effect)
        out.append(((dq, -len(effect.spofs_removed), -effect.pairs_removed, cand.title), fix))
    out.sort(key=lambda x: x[0])
    return [f for _, f in out]


__all__ = [
    "AVAILABILITY",
    "FALLBACK",
    "SECOND_PROVIDER",
    "Fix",
    "FixEffect",
    "candidates",
    "rank_fixes",
]
