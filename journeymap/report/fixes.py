"""Fixes the report recommends, each applied to a copy of the journey and re-analysed.

A fix is only worth a leader's money if it does what it says, so every claim on the
page ("removes 2 of 9 single points of failure; 7 remain") is the difference between
the journey's analysis and the analysis of a copy with the fix written in:

* a support: a second one (same needs, same owner) that everything needing it may use
  instead (``any`` of the two);
* a support two "redundant" options both rely on (false redundancy): one of the options
  moved to its own copy of it, so the pair becomes real;
* a touch-point customers must pass: a route from the steps before it to the steps
  after it that skips it;
* the journey's only start or finish: a second one, reached the same way.

The copy never loses anything the original had, so nothing here can overclaim: a
second support still needs what the first needed (fixing what *that* needs is its own
fix). Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from journeymap.analysis.result import JourneyAnalysis
from journeymap.spec.model import Element, FlowLine, Need, Spec

SECOND = "~second"  # suffix of ids the copy adds; never a valid spec id ("~")


@dataclass(frozen=True)
class Plan:
    """One fix written into a copy of the journey."""

    target: str  # the element the fix is about
    kind: str  # second-support | move-off | bypass | second-entry | second-goal
    spec: Spec  # the journey with the fix applied
    moved: str = ""  # move-off: the option moved to its own copy
    partners: tuple[str, ...] = ()  # move-off: the options that looked redundant
    before: tuple[str, ...] = ()  # bypass: steps customers come from
    after: tuple[str, ...] = ()  # bypass: steps customers go on to


@dataclass(frozen=True)
class Effect:
    """What a fix does, measured by re-analysing the copy."""

    removed: tuple[str, ...]  # single points of failure (ids) the fix removes
    remaining: int  # single points of failure left after the fix
    lost_before: float  # customers stopped by the target's failure, before
    lost_after: float  # … and after the fix
    collapse_before: float | None = None  # chance the journey is stopped (Q), when the
    collapse_after: float | None = None  # analysis has risk numbers: before and after


def _twin(e: Element) -> Element:
    return dataclasses.replace(e, id=e.id + SECOND, name=f"second {e.name}",
                               entry=e.entry, goal=e.goal)


def _with(spec: Spec, elements: list[Element], flows: list[FlowLine]) -> Spec:
    # A new Spec with every other field kept (its cached lookups are rebuilt).
    # The copy is another journey: its id says so (analysis counts and caches tell it
    # from the original).
    journey = dataclasses.replace(spec.journey, id=spec.journey.id + SECOND)
    return dataclasses.replace(spec, journey=journey, elements=tuple(elements),
                               flows=tuple(flows))


def _add_alternative(need: Need, old: str, new: str) -> Need:
    """``old`` -> ``any: [old, new]``; a group gains ``new`` as one more member."""
    if old not in need.targets:
        return need
    if need.form == "id":
        return dataclasses.replace(need, targets=(old, new), form="any")
    return dataclasses.replace(need, targets=need.targets + (new,))


def second_support(spec: Spec, sid: str) -> Spec:
    """A second ``sid`` that everything needing ``sid`` may use instead."""
    twin = _twin(spec.by_id[sid])
    elements = [dataclasses.replace(e, needs=tuple(_add_alternative(n, sid, twin.id)
                                                   for n in e.needs))
                for e in spec.elements]
    touch = [e for e in elements if e.is_touchpoint]
    supports = [e for e in elements if not e.is_touchpoint]
    return _with(spec, touch + supports + [twin], list(spec.flows))


def move_off(spec: Spec, sid: str, member: str) -> Spec:
    """``member`` stops relying on ``sid`` and gets its own copy of it instead."""
    twin = _twin(spec.by_id[sid])
    elements = []
    for e in spec.elements:
        if e.id == member:
            e = dataclasses.replace(e, needs=tuple(
                dataclasses.replace(n, targets=tuple(twin.id if t == sid else t
                                                     for t in n.targets))
                for n in e.needs))
        elements.append(e)
    return _with(spec, elements + [twin], list(spec.flows))


def bypass(spec: Spec, tid: str) -> tuple[Spec, tuple[str, ...], tuple[str, ...]]:
    """Flow lines from every step before ``tid`` to every step after it."""
    before = sorted({f.source for f in spec.flows if f.target == tid and f.source != tid})
    outs = [f for f in spec.flows if f.source == tid and f.target != tid]
    after = sorted({f.target for f in outs})
    have = {(f.source, f.target) for f in spec.flows}
    extra = [FlowLine(b, f.target, f.location, f.share, "fix: skips " + tid)
             for b in before for f in outs if b != f.target and (b, f.target) not in have]
    return _with(spec, list(spec.elements), list(spec.flows) + extra), tuple(before), tuple(after)


def second_endpoint(spec: Spec, tid: str) -> Spec:
    """A second start (same next steps) or finish (same steps before it) beside ``tid``."""
    e = spec.by_id[tid]
    twin = _twin(e)
    flows = list(spec.flows)
    if e.entry:
        flows += [dataclasses.replace(f, source=twin.id) for f in spec.flows if f.source == tid]
    if e.goal:
        flows += [dataclasses.replace(f, target=twin.id) for f in spec.flows if f.target == tid]
    touch = [x for x in spec.elements if x.is_touchpoint] + [twin]
    return _with(spec, touch + [x for x in spec.elements if not x.is_touchpoint], flows)


def false_redundancy(analysis: JourneyAnalysis, sid: str) -> tuple[str, tuple[str, ...]] | None:
    """An ``any``/``at_least`` group that ``sid`` takes down whole, and the option in it
    that needs ``sid`` directly (the one to move): ``(option, options)`` or None."""
    spec = analysis.spec
    cascade = analysis.cascades.get(sid)
    if cascade is None:
        return None
    down = set(cascade.down) | {sid}
    for e in spec.elements:
        for need in e.needs:
            if not need.redundant or sum(t not in down for t in need.targets) >= need.required:
                continue
            direct = [t for t in need.targets
                      if any(sid in n.targets for n in spec.by_id[t].needs)]
            if direct:
                return direct[-1], tuple(t for t in need.targets if t in down)
    return None


def plans(analysis: JourneyAnalysis, eid: str) -> list[Plan]:
    """Ways to fix one element's failure, most targeted first, each written into a copy.

    For a support two options both rely on, moving one option off it comes first (the
    real fix for false redundancy); a second one of it is the general fallback. The
    caller keeps the first plan that, re-analysed, actually removes the failure.
    """
    spec = analysis.spec
    e = spec.by_id[eid]
    if e.is_touchpoint:
        sole_entry = e.entry and len(spec.entries) == 1
        sole_goal = e.goal and len(spec.goals) == 1
        has_before = any(f.target == eid for f in spec.flows)
        has_after = any(f.source == eid for f in spec.flows)
        out = []
        if not (sole_entry or sole_goal) and has_before and has_after:
            copy, before, after = bypass(spec, eid)
            out.append(Plan(eid, "bypass", copy, before=before, after=after))
        kind = "second-entry" if (e.entry and not e.goal) else "second-goal"
        if e.entry or e.goal or not out:
            out.append(Plan(eid, kind if (e.entry or e.goal) else "second-goal",
                            second_endpoint(spec, eid)))
        return out
    out = []
    shared = false_redundancy(analysis, eid)
    if shared is not None:
        member, partners = shared
        out.append(Plan(eid, "move-off", move_off(spec, eid, member), moved=member,
                        partners=partners))
    out.append(Plan(eid, "second-support", second_support(spec, eid)))
    return out


Analyse = Callable[[Spec], JourneyAnalysis]


def _quick(spec: Spec) -> JourneyAnalysis:
    from journeymap.analysis import analyze

    return analyze(spec, samples=10)  # the curve is not used: fewest trials allowed


def with_likelihood(analysis: JourneyAnalysis, p: Plan, effect: Effect) -> Effect:
    """``effect`` with the chance of being stopped before and after the fix."""
    q_before, q_after = _likelihood(analysis, p.spec)
    return dataclasses.replace(effect, collapse_before=q_before, collapse_after=q_after)


def best(analysis: JourneyAnalysis, eid: str, analyse: Analyse = _quick,
         likelihood: bool = True) -> tuple[Plan, Effect]:
    """The first plan whose re-analysis removes ``eid``'s risk (else the last tried)."""
    tried = plans(analysis, eid)
    for p in tried:
        effect = verify(analysis, p, analyse, likelihood)
        if eid in effect.removed or (eid not in analysis.spof_ids
                                     and effect.lost_after < effect.lost_before):
            return p, effect
    return tried[-1], effect


def verify(analysis: JourneyAnalysis, p: Plan, analyse: Analyse = _quick,
           likelihood: bool = True) -> Effect:
    """Re-analyse the fixed copy: which single points of failure are gone, what is left."""
    after = analyse(p.spec)
    before_ids = analysis.spof_ids
    after_ids = {i for i in after.spof_ids if not i.endswith(SECOND)}
    removed = tuple(sorted(before_ids - after_ids))
    target_after = after.cascades.get(p.target)
    q_before, q_after = _likelihood(analysis, p.spec) if likelihood else (None, None)
    return Effect(removed=removed, remaining=len(after_ids & before_ids) + len(
                      after_ids - before_ids),
                  lost_before=analysis.cascades[p.target].customers_lost,
                  lost_after=target_after.customers_lost if target_after else 0.0,
                  collapse_before=q_before, collapse_after=q_after)


def _likelihood(analysis: JourneyAnalysis, fixed: Spec) -> tuple[float | None, float | None]:
    """The chance the journey is stopped before and after, by the method (and trials and
    seed) the analysis used; (None, None) when it has no risk numbers."""
    risk = getattr(analysis, "risk", None)
    prob = getattr(risk, "probability", None)
    if prob is None:
        return None, None
    from journeymap.analysis.index import Index
    from journeymap.analysis.probability import (
        AUTO,
        EXACT,
        MONTE_CARLO,
        collapse_probability,
    )

    # The method the analysis used (its trials and seed: the unchanged parts fail in the
    # same trials, so the difference is the fix's). A copy whose exact answer is too
    # costly falls back to the same Monte Carlo.
    ix = Index(fixed)
    trials, seed = prob.trials or 100_000, prob.seed or 0
    if prob.method == EXACT:  # as the analysis chose it: exact Q when affordable
        return prob.collapse, collapse_probability(ix, AUTO, trials=trials,
                                                   seed=seed).collapse
    return prob.collapse, collapse_probability(ix, MONTE_CARLO, trials=trials,
                                               seed=seed).collapse


__all__ = ["Effect", "Plan", "SECOND", "best", "false_redundancy", "plans", "verify"]
