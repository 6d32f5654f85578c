"""Rules about what a change did to a journey (they need a baseline; default: error).

A journey new in the change has nothing to compare with, so these rules stay quiet on
it (its existing risks are reported by the state rules); a deleted journey is noted.
"""

from __future__ import annotations

from collections.abc import Iterator

from journeymap.analysis.probability import EXACT
from journeymap.analysis.result import Line
from journeymap.diff import DELETED, JourneyDiff
from journeymap.rules.base import (
    CHANGE,
    ERROR,
    NOTE,
    WARNING,
    Hit,
    JourneyState,
    Thresholds,
    control_words,
    rule,
    spof_words,
)
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Control
from journeymap.words import chance, percent


def _line_words(line: Line) -> str:
    if line.members > 1:
        return (f"'{line.source}' needs {line.required} of {line.members} including "
                f"'{line.target}'")
    return f"'{line.source}' needs '{line.target}'"


def _cause_line(state: JourneyState, element: str) -> Line | None:
    """The first new needs line that carries ``element``'s failure further than before.

    A new line ``s needs t`` matters when ``t`` is the failed element or something it
    takes down, and ``s`` goes down with it: that line is where the cascade grew.
    """
    assert state.analysis is not None and state.diff is not None
    cascade = state.analysis.cascades.get(element)
    if cascade is None:
        return None
    down = set(cascade.down)
    for line in state.diff.lines_added:
        if line.source in down and (line.target == element or line.target in down):
            return line
    return None


@rule("JM101", "new-spof", ERROR, CHANGE,
      "The change created a new single point of failure.",
      """Add a fallback so the element is not alone: list an alternative with
      `{any: [this, alternative]}`, make the need `strength: soft` if the journey can
      go on without it, or give customers another path in `flow`. If the risk is
      accepted, waive it in the policy with a reason and an expiry date.""")
def new_spof(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """A single point of failure is an element whose failure alone stops every customer
    from finishing the journey. This change made one more element such a point: before
    it, the journey survived that element failing; now it does not. New single points
    of failure usually arrive with a new dependency (a `needs` line) or with the removal
    of a fallback."""
    if not state.compared:
        return
    assert state.diff is not None
    for s in state.diff.spofs_added:
        if s.endpoint:
            continue  # a sole entry or goal touch-point is the journey's shape, not a dependency
        via = f" It came in with the line {_line_words(s.line)}." if s.line else ""
        yield Hit(spof_words(s.id, s.control, s.customers_lost, s.path, new=True) + via,
                  s.where, s.id)


@rule("JM103", "became-complex", ERROR, CHANGE,
      "The change turned a complicated journey into a complex one.",
      """Find the line this finding points at and give the element it depends on a
      fallback (an `any` group, a soft need, or another customer path), until no single
      element other than the journey's entry and goal can take it down.""")
def became_complex(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """A complicated journey loses a little when one element fails and keeps working; a
    complex one dies when one element is removed, like a block tower late in the game.
    Before this change no single element other than the journey's entry and goal could
    collapse the journey; after it, at least one can. This is the headline a reviewer
    should read first."""
    if not state.compared:
        return
    d = state.diff
    assert d is not None and state.analysis is not None
    if not d.became_complex:
        return
    culprits = [s for s in d.spofs_added if not s.endpoint]
    names = ", ".join(f"'{s.id}' ({s.control})" for s in culprits[:5]) or "some element"
    with_line = [s for s in culprits if s.line is not None]
    where = (with_line or culprits)[0].where if culprits else state.analysis.spec.journey.location
    verb = "takes" if len(culprits) == 1 else "take"
    yield Hit(f"'{d.journey_id}' went from complicated to complex: {names} now {verb} the "
              "whole journey down alone; before this change no single element did.",
              where, culprits[0].id if culprits else None)


@rule("JM104", "blast-radius", ERROR, CHANGE,
      "A single failure now takes out a large share of the journey.",
      """Look at the new dependency on the element this finding points at. Decouple it
      (queue the work, cache the data, make the need soft) or add an alternative, so one
      failure stops spreading. Raise `thresholds.blast_radius` in the policy if your
      journeys are meant to be tightly coupled.""")
def blast_radius(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """The blast radius of an element is how many other elements its failure takes down
    or strands. This change made one element's blast radius cross the policy's
    threshold (by default half of the journey's other elements): the journey may still
    survive, but one failure now hurts much more of it."""
    if not state.compared:
        return
    d = state.diff
    assert d is not None and state.analysis is not None
    new_spofs = {s.id for s in d.spofs_added}
    others = max(len(state.analysis.spec.elements) - 1, 1)
    for c in d.cascades:
        if c.id in new_spofs or not c.grew or c.new_share < t.blast_radius:
            continue
        line = _cause_line(state, c.id)
        via = f" The failure now travels along the new line {_line_words(line)}." if line else ""
        yield Hit(f"a failure of '{c.id}' ({control_words(c.control)}) now takes out "
                  f"{c.new_spread} of the journey's {others} other elements "
                  f"({percent(c.new_share)}); before this change it took out {c.old_spread}.{via}",
                  line.location if line else c.location, c.id)


@rule("JM105", "customers-lost", ERROR, CHANGE,
      "A single failure now loses many more customers.",
      """Give customers another way past the element (a second flow line, an
      alternative touch-point) or a fallback for what it needs. Tune
      `thresholds.customers_lost_jump` in the policy to change how big a jump fails.""")
def customers_lost(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """Customers lost is the share of customers who could finish the journey before the
    failure and cannot after it. This change raised that share, for the failure of one
    element, by at least the policy's threshold (by default 25 percentage points)."""
    if not state.compared:
        return
    d = state.diff
    assert d is not None
    new_spofs = {s.id for s in d.spofs_added}
    for c in d.cascades:
        if c.id in new_spofs or c.lost_delta < t.customers_lost_jump - 1e-9:
            continue
        line = _cause_line(state, c.id)
        via = f" It comes with the new line {_line_words(line)}." if line else ""
        yield Hit(f"a failure of '{c.id}' ({control_words(c.control)}) now stops "
                  f"{percent(c.new_lost)} of customers, up from {percent(c.old_lost)}.{via}",
                  line.location if line else c.location, c.id)


@rule("JM107", "new-external-handoff", WARNING, CHANGE,
      "The change hands the journey over to a party outside your control.",
      """Check that the external party's failure is survivable: a contract or SLA, a
      fallback, or a way for customers around it. Mark the party `partner` if you have
      a contract with it.""")
def new_external_handoff(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """A hand-off is a line that crosses from one party to another: the customer moves
    to a touch-point another party runs, or an element starts needing something another
    party runs. This change added a hand-off to an external party, whose outages,
    price changes and policy changes the organisation cannot fix by itself."""
    if not state.compared:
        return
    assert state.diff is not None
    for h in state.diff.handoffs_added:
        if h.to_control != Control.EXTERNAL:
            continue
        verb = "sends customers to" if h.layer == "flow" else "now needs"
        party = f" ({h.to_party})" if h.to_party else ""
        yield Hit(f"new hand-off outside your control: '{h.source}' {verb} '{h.target}'"
                  f"{party}, an external party.", h.location, h.target)


@rule("JM110", "deleted-journey", NOTE, CHANGE,
      "A journey spec was deleted in this change.",
      """Nothing, if the journey is gone. If it moved, keep the file name close (git
      detects renames) so its history and checks follow it.""")
def deleted_journey(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """The change deletes a journey spec that existed at the baseline, so its single
    points of failure are no longer checked. Reported so a deletion is a decision
    somebody saw, not an accident."""
    d: JourneyDiff | None = state.diff
    if d is None or d.status != DELETED:
        return
    yield Hit(f"journey '{d.journey_id}' ({d.name}) was deleted in this change; "
              "it is no longer checked.", Location(d.old_path or d.path, 1, 1))


# --- risk in numbers (the analysis computes them when one of these rules is on) -----------

RISK_RULES = ("JM114", "JM115")


@rule("JM114", "collapse-probability", ERROR, CHANGE,
      "The change makes the journey collapse more often than the policy allows.",
      """Look at what the change made the journey depend on (`journeymap analyze` lists the
      single points of failure, the pairs and the fixes that buy the most), add a fallback
      or a second provider, or raise the availability it relies on. Tune
      `thresholds.collapse_probability` in the policy if the journey may be down more
      often.""")
def collapse_probability(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """The collapse probability is the chance that no customer can finish the journey at
    all, from the availability of every element (its own, its party's or the journey's
    default). Before this change it was at most the policy's threshold (by default 0.1%,
    about 8.8 hours a year); after it, it is above: outages that stop everyone are now
    expected more often than the team agreed to."""
    if not state.compared:
        return
    assert state.analysis is not None and state.baseline is not None
    new, old = state.analysis.risk, state.baseline.risk
    if new is None or old is None or new.probability is None or old.probability is None:
        return
    q1, q0 = new.probability.collapse, old.probability.collapse
    if not (q0 <= t.collapse_probability < q1):
        return
    spec = state.analysis.spec
    how = "" if new.probability.method == EXACT else (
        f" (Monte Carlo, 95% interval {chance(new.probability.ci95_collapse[0])} to "
        f"{chance(new.probability.ci95_collapse[1])})" if new.probability.ci95_collapse else "")
    yield Hit(f"'{spec.journey.id}' now collapses {chance(q1)} of the time{how}, about "
              f"{new.probability.hours_per_year:.1f} hours a year with no way through; before "
              f"this change {chance(q0)}. The policy allows {chance(t.collapse_probability)}.",
              spec.journey.location)


@rule("JM115", "new-external-pair", WARNING, CHANGE,
      "Two failures together now collapse the journey, and one of them is outside your control.",
      """Give the journey a way around one of the two (an `any` alternative, a second
      provider, another customer path) so that both failing no longer stops everyone; or
      agree a service level with the external party and mark it `partner`.""")
def new_external_pair(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """A pair is two elements, neither a single point of failure on its own, whose
    failing together stops every customer. This change made a new such pair, and at least
    one of the two is run by an external party: an outage the organisation cannot fix,
    on a day when the other one is also down, now takes the whole journey down."""
    if not state.compared:
        return
    assert state.analysis is not None and state.baseline is not None
    new, old = state.analysis.risk, state.baseline.risk
    if new is None or old is None:
        return
    before = {c.ids for c in old.pairs}
    spec = state.analysis.spec
    for c in new.pairs:
        if c.ids in before or Control.EXTERNAL not in c.control:
            continue
        ext = next(i for i, ctrl in zip(c.ids, c.control) if ctrl == Control.EXTERNAL)
        a, b = c.ids
        ca, cb = c.control
        odds = f" (chance both fail: {chance(c.probability)})" if c.probability > 0 else ""
        yield Hit(f"'{a}' ({control_words(ca)}) and '{b}' ({control_words(cb)}) now "
                  f"collapse the journey together{odds}: a new pair of failures with a "
                  f"member outside your control.", spec.by_id[ext].location, ext)
