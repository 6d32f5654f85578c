"""The journey model: frozen dataclasses that remember where each part was written.

A :class:`Spec` is what every analysis, renderer and report reads. It is built only by
:func:`journeymap.spec.load.load_spec`, after validation, so its references are sound:
every id a line names exists, flow lines join touch-points, there is an entry and a goal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from journeymap.spec.diagnostics import Location


class Control(str, Enum):
    """How much say the organisation has over an element (from its owner)."""

    INTERNAL = "internal"
    PARTNER = "partner"
    EXTERNAL = "external"
    UNKNOWN = "unknown"  # the element names no owner

    def __str__(self) -> str:
        return self.value


class ElementType(str, Enum):
    TOUCHPOINT = "touchpoint"
    SUPPORT = "support"

    def __str__(self) -> str:
        return self.value


LINE_KINDS = ("workflow", "communication", "technology", "data", "people")
SUPPORT_KINDS = ("system", "team", "person", "vendor", "data", "process")


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    index: int
    location: Location
    description: str = ""


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    control: Control
    location: Location
    description: str = ""
    availability: float | None = None  # default for the elements it owns (a service level)
    catalog: str | None = None  # the catalog file it comes from (None: the journey's own)


@dataclass(frozen=True, slots=True)
class Need:
    """One ``needs`` entry: the element works while ``required`` of ``targets`` are up.

    The short form and ``{id: x}`` are 1 of 1; ``any`` is 1 of n; ``at_least: k, of``
    is k of n. ``form`` keeps which one the author wrote, for display.
    """

    targets: tuple[str, ...]
    required: int
    form: str  # "id" | "any" | "at_least"
    kind: str = "technology"
    strength: str = "hard"
    note: str = ""
    location: Location = field(default=Location("", 0, 0), compare=False)

    @property
    def hard(self) -> bool:
        return self.strength == "hard"

    @property
    def redundant(self) -> bool:
        """True when the group tolerates at least one member failing."""
        return self.required < len(self.targets)

    def describe(self) -> str:
        """The need as its author would say it: ``cdn-a``, ``any of a, b``, ``2 of a, b, c``."""
        if self.form == "id":
            return self.targets[0]
        if self.form == "any":
            return "any of " + ", ".join(self.targets)
        return f"{self.required} of " + ", ".join(self.targets)


@dataclass(frozen=True, slots=True)
class Element:
    """A touch-point (frontstage) or a support (backstage)."""

    id: str
    name: str
    type: ElementType
    location: Location
    owner: str | None = None
    stage: str | None = None
    channel: str | None = None  # touch-points
    kind: str | None = None  # supports: system, team, person, vendor, data, process
    entry: bool = False
    goal: bool = False
    share: float = 1.0
    availability: float | None = None
    needs: tuple[Need, ...] = ()
    description: str = ""
    review_by: dt.date | None = None  # when someone should check it against reality again
    catalog: str | None = None  # the catalog file it comes from (None: the journey's own)

    @property
    def is_touchpoint(self) -> bool:
        return self.type is ElementType.TOUCHPOINT


@dataclass(frozen=True, slots=True)
class FlowLine:
    """The customer moves from ``source`` to ``target`` (touch-points)."""

    source: str
    target: str
    location: Location
    share: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Journey:
    id: str
    name: str
    location: Location
    description: str = ""
    owner: str | None = None
    volume: float | None = None  # customers per month
    value: float | None = None  # value of one completed journey (no currency)
    review_by: dt.date | None = None
    people: str = "customers"  # what the report calls the people on the journey


@dataclass(frozen=True)
class Spec:
    """One journey spec file, validated."""

    source: str
    journey: Journey
    stages: tuple[Stage, ...]
    parties: tuple[Party, ...]
    elements: tuple[Element, ...]  # touch-points first, then supports, in file order
    flows: tuple[FlowLine, ...]
    default_availability: float | None = None  # ``defaults: {availability}``
    catalogs: tuple[str, ...] = ()  # every catalog file it uses, directly or through another

    @cached_property
    def by_id(self) -> dict[str, Element]:
        return {e.id: e for e in self.elements}

    @cached_property
    def parties_by_id(self) -> dict[str, Party]:
        return {p.id: p for p in self.parties}

    @cached_property
    def stages_by_id(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    @property
    def touchpoints(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.is_touchpoint)

    @property
    def supports(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if not e.is_touchpoint)

    @property
    def entries(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.entry)

    @property
    def goals(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.goal)

    def control_of(self, element_id: str) -> Control:
        """Control level of an element, from its owner party."""
        owner = self.by_id[element_id].owner
        party = self.parties_by_id.get(owner) if owner else None
        return party.control if party else Control.UNKNOWN

    def availability_of(self, element_id: str) -> tuple[float, str]:
        """Effective availability of an element and where it comes from (contract §8):
        the element's own value, else its owner party's, else the journey default,
        else 1 (never fails). The source is ``element``, ``party``, ``default`` or
        ``none``."""
        return self._availabilities[element_id]

    def availabilities(self) -> list[tuple[float, str]]:
        """:meth:`availability_of` every element, in the order of ``elements`` (no lookup
        by id: at 100k elements, looking each one up costs more than the rule)."""
        return self._availability_list

    @cached_property
    def _availabilities(self) -> dict[str, tuple[float, str]]:
        return dict(zip([e.id for e in self.elements], self._availability_list))

    @cached_property
    def _availability_list(self) -> list[tuple[float, str]]:
        # worked out once for every element: the analysis asks per element, many times
        parties = self.parties_by_id
        default = self.default_availability
        out: list[tuple[float, str]] = []
        for e in self.elements:
            party = parties.get(e.owner) if e.owner else None
            if e.availability is not None:
                out.append((float(e.availability), "element"))
            elif party is not None and party.availability is not None:
                out.append((float(party.availability), "party"))
            elif default is not None:
                out.append((float(default), "default"))
            else:
                out.append((1.0, "none"))
        return out

    def party_name(self, element_id: str) -> str:
        owner = self.by_id[element_id].owner
        party = self.parties_by_id.get(owner) if owner else None
        return party.name if party else "no owner"
