"""Resilience diff: what a change did to one journey, as plain data.

:func:`diff_journeys` compares two :class:`~journeymap.analysis.result.JourneyAnalysis`
of the same journey (before and after a change) and answers the questions a reviewer
asks on a pull request: which single points of failure (SPOFs) appeared or went away,
whose cascades grew or shrank, how many more customers a failure loses, whether the
journey went from *complicated* to *complex*, and which new lines hand the customer
or a dependency over to another party. Pure: no I/O, no git, no click.

``old`` is ``None`` for a journey new in the change, ``new`` is ``None`` for one the
change deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from journeymap.analysis.result import (
    COMPLEX,
    COMPLICATED,
    Handoff,
    JourneyAnalysis,
    Line,
    Spof,
    Verdict,
)
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Spec
from journeymap.words import count


class Status(str, Enum):
    """What a change did to one journey file."""

    ADDED = "added"
    DELETED = "deleted"
    CHANGED = "changed"
    UNCHANGED = "unchanged"

    def __str__(self) -> str:
        return self.value


ADDED, DELETED, CHANGED, UNCHANGED = Status.ADDED, Status.DELETED, Status.CHANGED, Status.UNCHANGED

# A float change smaller than this is rounding noise, not a change users should read.
_EPS = 1e-9


@dataclass(frozen=True)
class SpofChange:
    """A SPOF that appeared (or went away), with the needs line that brought it.

    ``line`` is the newly written needs line the collapse travels along (the line a
    reviewer should look at), or ``None`` when no new line explains it (the element
    itself is new, a flow line was removed, a fallback was deleted…).
    """

    id: str
    type: str
    control: str
    cause: str
    endpoint: bool
    customers_lost: float
    location: Location
    path: tuple[str, ...] = ()
    line: Line | None = None

    @property
    def where(self) -> Location:
        """The YAML position that did it: the new line if any, else the element."""
        return self.line.location if self.line else self.location


@dataclass(frozen=True)
class CascadeChange:
    """How far one element's single failure spreads, before and after.

    ``spread`` counts the other elements taken down or stranded; ``share`` is that
    count over the journey's other elements; ``lost`` is the share of customers lost.
    An element new in the change has ``old_*`` of 0 (it could not fail before).
    """

    id: str
    control: str
    location: Location
    old_spread: int
    new_spread: int
    old_share: float
    new_share: float
    old_lost: float
    new_lost: float

    @property
    def grew(self) -> bool:
        return self.new_spread > self.old_spread

    @property
    def shrank(self) -> bool:
        return self.new_spread < self.old_spread

    @property
    def lost_delta(self) -> float:
        return self.new_lost - self.old_lost


@dataclass(frozen=True)
class JourneyDiff:
    """The resilience change of one journey between a baseline and now."""

    journey_id: str
    name: str
    path: str  # current file (the deleted file for a deleted journey)
    old_path: str | None  # baseline file; differs from ``path`` on a rename
    status: Status
    old_verdict: Verdict | None
    new_verdict: Verdict | None
    old_completion: float | None
    new_completion: float | None
    spofs_added: tuple[SpofChange, ...] = ()
    spofs_removed: tuple[SpofChange, ...] = ()
    cascades: tuple[CascadeChange, ...] = ()  # elements whose spread or loss changed
    handoffs_added: tuple[Handoff, ...] = ()
    handoffs_removed: tuple[Handoff, ...] = ()
    lines_added: tuple[Line, ...] = ()
    lines_removed: tuple[Line, ...] = ()

    @property
    def became_complex(self) -> bool:
        return self.old_verdict == COMPLICATED and self.new_verdict == COMPLEX

    @property
    def became_complicated(self) -> bool:
        return self.old_verdict == COMPLEX and self.new_verdict == COMPLICATED

    @property
    def cascades_grew(self) -> tuple[CascadeChange, ...]:
        return tuple(c for c in self.cascades if c.grew)

    @property
    def worse(self) -> bool:
        """True when the change made the journey more fragile in any way we measure."""
        return bool(self.became_complex or self.spofs_added or self.cascades_grew
                    or any(c.lost_delta > _EPS for c in self.cascades))

    @property
    def headline(self) -> str:
        """One plain sentence: the most important thing the change did."""
        label = f"'{self.journey_id}'"
        if self.status == ADDED:
            return (f"{label} is a new journey ({self.new_verdict}); "
                    "there is no baseline to compare with.")
        if self.status == DELETED:
            return f"{label} was deleted in this change."
        if self.became_complex:
            culprits = [s for s in self.spofs_added if not s.endpoint] or list(self.spofs_added)
            why = ""
            if culprits:
                why = ": " + _and(f"'{s.id}' ({s.control})" for s in culprits[:3]) + \
                      (" now takes" if len(culprits) == 1 else " now take") + \
                      " the whole journey down alone"
            return f"{label} went from complicated to complex{why}."
        if self.spofs_added:
            n = len(self.spofs_added)
            points = count(n, "new single point of failure", "new single points of failure")
            return (f"{label} has {points}: "
                    + _and(f"'{s.id}' ({s.control})" for s in self.spofs_added[:3])
                    + (f" and {n - 3} more" if n > 3 else "") + ".")
        if self.became_complicated:
            return (f"{label} went from complex back to complicated: "
                    "no element takes it down alone any more.")
        if self.spofs_removed:
            n = len(self.spofs_removed)
            points = count(n, "single point of failure", "single points of failure")
            return (f"{label} lost {points}: "
                    + _and(f"'{s.id}'" for s in self.spofs_removed[:3]) + ".")
        grew = self.cascades_grew
        if grew:
            top = max(grew, key=lambda c: (c.new_spread - c.old_spread, c.id))
            return (f"{label}: failures spread further; '{top.id}' now takes out "
                    f"{top.new_spread} other element(s), was {top.old_spread}.")
        if self.status == UNCHANGED:
            return f"{label}: no change in resilience."
        return f"{label} changed, but its single points of failure and cascades did not get worse."


def _and(items: object) -> str:
    words = list(items)  # type: ignore[call-overload]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- the needs lines of a spec -----------------------------------------------------------

def needs_lines(spec: Spec, hard_only: bool = False) -> tuple[Line, ...]:
    """Every ``needs`` line of ``spec`` as :class:`Line` (one per target), in file order.

    >>> from journeymap.spec import load_spec
    >>> spec = load_spec("x.yaml", text=_EXAMPLE)
    >>> [(l.source, l.target, l.required, l.members) for l in needs_lines(spec)]
    [('web', 'db', 1, 1)]
    """
    out = []
    for element in spec.elements:
        for need in element.needs:
            if hard_only and not need.hard:
                continue
            for target in need.targets:
                out.append(Line(element.id, target, need.kind, need.form, need.required,
                                len(need.targets), need.location))
    return tuple(out)


_EXAMPLE = """journeymap: 1
journey: {id: j, name: J}
touchpoints:
  - {id: web, name: Web, entry: true, goal: true, needs: [db]}
supports:
  - {id: db, name: DB}
"""


def _line_key(line: Line) -> tuple[str, str, int, int]:
    # Kind and written form do not change what fails; redundancy does.
    return (line.source, line.target, line.required, line.members)


def _handoff_key(h: Handoff) -> tuple[str, str, str]:
    return (h.layer, h.source, h.target)


# --- the diff -----------------------------------------------------------------------------

def diff_journeys(old: JourneyAnalysis | None, new: JourneyAnalysis | None,
                  path: str | None = None, old_path: str | None = None) -> JourneyDiff:
    """Compare a journey before (``old``) and after (``new``) a change.

    ``path``/``old_path`` default to the specs' sources. Lists are sorted by id.
    """
    if old is None and new is None:
        raise ValueError("diff_journeys needs at least one analysis")
    path = path or (new.spec.source if new else old.spec.source)  # type: ignore[union-attr]
    if old_path is None and old is not None:
        old_path = old.spec.source
    if new is None:
        assert old is not None
        return JourneyDiff(old.spec.journey.id, old.spec.journey.name, path, old_path, DELETED,
                           old.verdict, None, old.baseline_completion, None,
                           spofs_removed=tuple(_spof_change(s) for s in old.spofs))
    if old is None:
        return JourneyDiff(new.spec.journey.id, new.spec.journey.name, path, None, ADDED,
                           None, new.verdict, None, new.baseline_completion,
                           spofs_added=tuple(_spof_change(s) for s in new.spofs),
                           lines_added=needs_lines(new.spec, hard_only=True),
                           handoffs_added=tuple(sorted(new.handoffs, key=_handoff_key)))

    # Hard lines only: a soft need never takes anything down, so adding one is no risk.
    old_hard = needs_lines(old.spec, hard_only=True)
    new_hard = needs_lines(new.spec, hard_only=True)
    old_lines = {_line_key(ln) for ln in old_hard}
    new_lines = {_line_key(ln) for ln in new_hard}
    lines_added = tuple(ln for ln in new_hard if _line_key(ln) not in old_lines)
    lines_removed = tuple(ln for ln in old_hard if _line_key(ln) not in new_lines)

    old_spofs = {s.id: s for s in old.spofs}
    new_spofs = {s.id: s for s in new.spofs}
    finder = _NewLines(new_hard, lines_added)
    added = tuple(_spof_change(s, finder.line_of(s)) for s in sorted(new.spofs, key=lambda s: s.id)
                  if s.id not in old_spofs)
    removed = tuple(_spof_change(s) for s in sorted(old.spofs, key=lambda s: s.id)
                    if s.id not in new_spofs)

    cascades = []
    old_n = max(len(old.spec.elements) - 1, 1)
    new_n = max(len(new.spec.elements) - 1, 1)
    for eid in sorted(new.cascades):
        c_new = new.cascades[eid]
        c_old = old.cascades.get(eid)
        o_spread = c_old.spread if c_old else 0
        o_lost = c_old.customers_lost if c_old else 0.0
        if (c_old is not None and o_spread == c_new.spread
                and abs(o_lost - c_new.customers_lost) <= _EPS):
            continue
        if c_old is None and c_new.spread == 0 and c_new.customers_lost <= _EPS:
            continue  # a new element whose failure harms nobody is not news
        element = new.spec.by_id.get(eid)
        cascades.append(CascadeChange(
            eid, str(new.spec.control_of(eid)) if element else "unknown",
            element.location if element else new.spec.journey.location,
            o_spread, c_new.spread, o_spread / old_n, c_new.spread / new_n,
            o_lost, c_new.customers_lost))

    old_h = {_handoff_key(h) for h in old.handoffs}
    new_h = {_handoff_key(h) for h in new.handoffs}
    h_added = tuple(sorted((h for h in new.handoffs if _handoff_key(h) not in old_h),
                           key=_handoff_key))
    h_removed = tuple(sorted((h for h in old.handoffs if _handoff_key(h) not in new_h),
                             key=_handoff_key))

    changed = bool(added or removed or cascades or h_added or h_removed or lines_added
                   or lines_removed or old.verdict != new.verdict
                   or abs(old.baseline_completion - new.baseline_completion) > _EPS)
    return JourneyDiff(new.spec.journey.id, new.spec.journey.name, path, old_path,
                       CHANGED if changed else UNCHANGED, old.verdict, new.verdict,
                       old.baseline_completion, new.baseline_completion,
                       spofs_added=added, spofs_removed=removed, cascades=tuple(cascades),
                       handoffs_added=h_added, handoffs_removed=h_removed,
                       lines_added=lines_added, lines_removed=lines_removed)


def _spof_change(spof: Spof, line: Line | None = None) -> SpofChange:
    return SpofChange(spof.id, spof.type, spof.control, spof.cause, spof.endpoint,
                      spof.customers_lost, spof.location, tuple(spof.path), line)


class _NewLines:
    """Finds the newly written needs line that made an element a SPOF.

    The engine lists the lines a collapse follows (``Spof.lines``); when it does not,
    the ordered path (failed element -> … -> blocked touch-point) gives them: each step
    ``a -> b`` is the line ``b needs a``. Failing that, a new line that names the SPOF
    directly. Indexes are built once per diff (a journey may have thousands of SPOFs).
    """

    def __init__(self, hard_lines: tuple[Line, ...], added: tuple[Line, ...]):
        self.by_pair = {(ln.source, ln.target): ln for ln in hard_lines}
        self.added = {_line_key(ln) for ln in added}
        self.added_by_target: dict[str, Line] = {}
        for ln in added:
            self.added_by_target.setdefault(ln.target, ln)

    def line_of(self, spof: Spof) -> Line | None:
        candidates = list(spof.lines)
        path = tuple(spof.path)
        for a, b in zip(path, path[1:]):
            line = self.by_pair.get((b, a))
            if line is not None:
                candidates.append(line)
        for line in candidates:
            if _line_key(line) in self.added:
                return line
        return self.added_by_target.get(spof.id)
