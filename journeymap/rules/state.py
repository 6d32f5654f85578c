"""Rules about the risks a journey carries as it is (no baseline needed; default:
warning or note, so existing risks are visible without failing every build)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from journeymap.analysis.result import COMPLEX
from journeymap.rules.base import (
    NOTE,
    STATE,
    WARNING,
    Hit,
    JourneyState,
    Thresholds,
    control_words,
    rule,
    spof_words,
)
from journeymap.spec.model import Control, Spec
from journeymap.words import percent


@rule("JM102", "external-spof", WARNING, STATE,
      "A single point of failure is outside your control.",
      """Agree an SLA or contract with the party (then mark it `partner`), add a second
      provider in an `any` group, or give customers a path that does not need it.""")
def external_spof(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """An element run by an external party (a link shortener, a video host, a free
    API) takes the whole journey down when it fails. The organisation cannot fix,
    speed up or even see that failure: it can only wait. This is the risk the
    organisation cannot remove by itself."""
    assert state.analysis is not None
    spec = state.analysis.spec
    for s in state.analysis.spofs:
        if s.control != Control.EXTERNAL:
            continue
        party = spec.party_name(s.id) if s.id in spec.by_id else "an external party"
        yield Hit(f"'{s.id}' is a single point of failure run by {party} "
                  f"({control_words('external')}): if it fails, "
                  f"{percent(s.customers_lost)} of customers cannot finish the journey.",
                  s.location, s.id)


@rule("JM106", "missing-owner", WARNING, STATE,
      "An element names no owner.",
      """Add `owner: <party id>` to the element and declare the party under `parties:`
      with its `control` (internal, partner or external).""")
def missing_owner(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """An element without an owner has nobody on the hook when it fails, and journeymap
    cannot tell whether it is inside or outside the organisation's control, so its risk
    may be under-reported."""
    assert state.analysis is not None
    for e in state.analysis.spec.elements:
        if not e.owner:
            what = "touch-point" if e.is_touchpoint else "support"
            yield Hit(f"{what} '{e.id}' names no owner: nobody is on the hook when it fails.",
                      e.location, e.id)


@rule("JM108", "spof", WARNING, STATE,
      "An element inside the organisation is a single point of failure.",
      """Add redundancy (an `any` or `at_least` group), make the need soft, or add a
      second customer path around it; then the journey survives the failure.""")
def spof(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """The element's failure alone stops every customer from finishing the journey. The
    organisation (or a partner under contract) runs it, so this risk can be fixed from
    inside. The journey's sole entry and goal touch-points are not reported here: they
    are the journey's shape. External single points of failure are reported by JM102."""
    assert state.analysis is not None
    for s in state.analysis.spofs:
        if s.endpoint or s.control == Control.EXTERNAL:
            continue
        yield Hit(spof_words(s.id, s.control, s.customers_lost, s.path), s.location, s.id)


@rule("JM109", "complex-journey", NOTE, STATE,
      "The journey is complex: one element can take it down.",
      """Work through the single points of failure reported for this journey (JM101,
      JM102, JM108), starting with the lines the analysis names as critical.""")
def complex_journey(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """In a complicated journey, losing one element makes things a little worse; in a
    complex one, some single element other than the entry and goal collapses it. This
    note summarises the journey's verdict; the single points of failure are reported
    one by one by other rules."""
    a = state.analysis
    assert a is not None
    if a.verdict != COMPLEX:
        return
    ids = [s.id for s in a.spofs if not s.endpoint]
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    shown = ", ".join(f"'{i}'" for i in ids[:5]) + more
    yield Hit(f"'{a.spec.journey.id}' is complex: {len(ids)} element(s) other than its entry "
              f"and goal take it down alone ({shown}).", a.spec.journey.location)


@rule("JM111", "dependency-cycle", NOTE, STATE,
      "Elements need each other in a cycle.",
      """Check that the elements can start without each other (a cold start): break the
      cycle with a soft need, or document the start order.""")
def dependency_cycle(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """Mutual dependencies (A needs B, B needs A) do not fail by themselves, but once
    one of them is down the others cannot bring it back: recovering needs a manual cold
    start."""
    a = state.analysis
    assert a is not None
    for cycle in a.dependency_cycles:
        if not cycle:
            continue
        first = a.spec.by_id.get(cycle[0])
        where = first.location if first else a.spec.journey.location
        yield Hit("mutual dependency: " + " -> ".join(cycle + (cycle[0],)) +
                  "; once one is down the others cannot bring it back.", where, cycle[0])


@rule("JM112", "review-overdue", WARNING, STATE,
      "A journey or element is past its review date.",
      """Ask the owner named in the finding to check the journey or element against how
      it works today (who runs it, what it needs, what fails over to what), correct the
      spec, and set a new `review_by` date.""")
def review_overdue(state: JourneyState, t: Thresholds) -> Iterator[Hit]:
    """A spec describes how a journey worked when someone last looked. `review_by` says
    when it must be checked against reality again; once that date has passed, the
    analysis may be answering questions about a journey that no longer exists."""
    a = state.analysis
    assert a is not None
    today = state.today or dt.date.today()
    spec = a.spec
    j = spec.journey
    if j.review_by is not None and j.review_by < today:
        yield Hit(f"journey '{j.id}' was due for review on {j.review_by.isoformat()} "
                  f"({_ago(j.review_by, today)}); owner: {_owner(spec, j.owner)}.",
                  j.location)
    for e in spec.elements:
        if e.review_by is not None and e.review_by < today:
            what = "touch-point" if e.is_touchpoint else "support"
            yield Hit(f"{what} '{e.id}' ({e.name}) was due for review on "
                      f"{e.review_by.isoformat()} ({_ago(e.review_by, today)}); owner: "
                      f"{_owner(spec, e.owner or j.owner)}"
                      f"{'' if e.owner else ' (the journey owner: the element names none)'}.",
                      e.location, e.id)


def _ago(day: dt.date, today: dt.date) -> str:
    n = (today - day).days
    return f"{n} day{'s' if n != 1 else ''} ago"


def _owner(spec: Spec, party_id: str | None) -> str:
    party = spec.parties_by_id.get(party_id) if party_id else None
    if party is None:
        return "nobody named"
    return f"{party.name} ('{party.id}', {party.control})"
