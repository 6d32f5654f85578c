"""Many journeys side by side: the portfolio model (pure; ``journeymap portfolio`` and the
PDF portfolio both read it).

* **Journeys**: each journey's verdict and risk in one row.
* **Shared**: elements and parties that stand in two or more journeys, ranked by the
  customers their failure stops across all of them. An element's failure in a journey
  is its single-failure cascade from the analysis; a party's failure is everything it
  runs in that journey failing at once (a vendor outage).
* **What-if**: one element, or a whole party, failing in every journey at once.

Elements are shared through catalogs (``uses:``): the same catalog element is the same
element in every journey. Two journeys' own elements that happen to share an id (each
journey's "product-page") are not the same thing and are not matched. Parties are
matched by id (a vendor is one vendor, whether a catalog or each journey declares it).
``--fail ID`` names an element by id in every journey that has one.

Weighting: customers per month when every journey gives its ``volume`` (the share of
customers lost times the volume); otherwise each journey counts as one (the sum of the
shares lost, "journeys' worth of customers"), and :attr:`Portfolio.weighted_by` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeymap.analysis.cascade import Baseline
from journeymap.analysis.index import Index
from journeymap.analysis.result import JourneyAnalysis
from journeymap.spec.model import Control, Spec

VOLUME = "volume"  # customers per month
JOURNEYS = "journeys"  # each journey counts as one


@dataclass(frozen=True)
class JourneyImpact:
    """What one shared element's or party's failure does to one journey."""

    id: str  # journey id
    name: str
    customers_lost: float  # share of the journey's customers (0-1)
    collapses: bool  # no goal reachable any more
    customers_per_month: float | None  # share x volume, when the journey gives a volume
    value_lost: float | None  # customers per month x value, when both are given


@dataclass(frozen=True)
class Shared:
    """An element or a party standing in two or more journeys."""

    id: str
    name: str
    type: str  # "touchpoint" | "support" | "party"
    control: str  # internal | partner | external | unknown
    catalog: str | None  # the catalog file that defines it, if any
    journeys: tuple[JourneyImpact, ...]  # every journey it stands in, most customers first
    weight: float  # customers per month (weighted_by volume) or journeys' worth of customers
    stopped: int  # journeys it collapses on its own

    @property
    def affected(self) -> int:
        """Journeys that lose customers when it fails."""
        return sum(1 for j in self.journeys if j.customers_lost > 0)


@dataclass(frozen=True)
class JourneyRow:
    """One journey's verdict and risk."""

    id: str
    name: str
    source: str
    verdict: str
    elements: int
    spofs: int  # single points of failure (endpoints included)
    outside: int  # of them external
    worst: str | None  # the element whose failure alone loses the most customers
    worst_customers_lost: float
    completion: float  # share of customers reaching a goal with nothing failed
    collapse_probability: float | None  # when the analysis computed risk numbers
    volume: float | None
    value: float | None
    catalogs: tuple[str, ...]


@dataclass(frozen=True)
class WhatIf:
    """One element, or everything one party runs, failing in every journey at once."""

    kind: str  # "element" | "party"
    id: str
    name: str
    control: str
    journeys: tuple[JourneyImpact, ...]  # journeys where it stands, most customers first
    weight: float  # as Shared.weight
    stopped: int
    unknown: bool  # no journey names it


@dataclass(frozen=True)
class Portfolio:
    journeys: tuple[JourneyRow, ...]  # in the order given
    shared: tuple[Shared, ...]  # ranked: most customers stopped first
    weighted_by: str  # VOLUME or JOURNEYS
    what_if: WhatIf | None = None


# --- building ------------------------------------------------------------------------------

def weighting(specs: Sequence[Spec]) -> str:
    """VOLUME when every journey gives its volume, else JOURNEYS."""
    return VOLUME if specs and all(s.journey.volume for s in specs) else JOURNEYS


def _impact(spec: Spec, lost: float, collapses: bool) -> JourneyImpact:
    volume, value = spec.journey.volume, spec.journey.value
    per_month = lost * volume if volume else None
    return JourneyImpact(spec.journey.id, spec.journey.name, lost, collapses, per_month,
                         per_month * value if per_month is not None and value else None)


def _weight(impacts: Sequence[JourneyImpact], by: str) -> float:
    if by == VOLUME:
        return sum(i.customers_per_month or 0.0 for i in impacts)
    return sum(i.customers_lost for i in impacts)


def _ranked(impacts: list[JourneyImpact]) -> tuple[JourneyImpact, ...]:
    return tuple(sorted(impacts, key=lambda i: (-(i.customers_per_month or 0.0),
                                                -i.customers_lost, i.id)))


def party_failure(spec: Spec, party: str) -> tuple[float, bool]:
    """Customers lost and collapse when everything ``party`` runs in ``spec`` fails
    (the numbers :func:`journeymap.analysis.simulate` gives for those elements)."""
    return _Failures(spec).party(party)


class _Failures:
    """Several what-ifs on one journey: the journey with nothing failed is solved once
    (:class:`.cascade.Baseline`, what ``simulate`` runs), then each failure set costs
    one cascade. No collapse path is drawn: the portfolio shows none."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self._base: Baseline | None = None

    def party(self, party: str) -> tuple[float, bool]:
        owned = [e.id for e in self.spec.elements if e.owner == party]
        if not owned:
            return 0.0, False
        if self._base is None:
            self._base = Baseline(Index(self.spec))
        raw = self._base.cascade(self._base.ix.pos[i] for i in owned)
        return raw.customers_lost, raw.collapses


def element_failure(analysis: JourneyAnalysis, element: str) -> tuple[float, bool]:
    """Customers lost and collapse when ``element`` fails alone (from the analysis)."""
    c = analysis.cascades[element]
    return c.customers_lost, c.collapses


def _row(a: JourneyAnalysis) -> JourneyRow:
    spec = a.spec
    worst = max(a.cascades.values(), key=lambda c: (c.customers_lost, c.failed), default=None)
    risk = getattr(a, "risk", None)
    prob = getattr(risk, "probability", None) if risk is not None else None
    return JourneyRow(
        id=spec.journey.id, name=spec.journey.name, source=spec.source, verdict=a.verdict,
        elements=len(spec.elements), spofs=len(a.spofs),
        outside=sum(1 for s in a.spofs if s.control == Control.EXTERNAL),
        worst=worst.failed[0] if worst is not None and worst.customers_lost > 0 else None,
        worst_customers_lost=worst.customers_lost if worst is not None else 0.0,
        completion=a.baseline_completion,
        collapse_probability=getattr(prob, "collapse", None) if prob is not None else None,
        volume=spec.journey.volume, value=spec.journey.value, catalogs=spec.catalogs)


def build_portfolio(analyses: Sequence[JourneyAnalysis], *, fail: str | None = None,
                    fail_party: str | None = None, min_journeys: int = 2) -> Portfolio:
    """The portfolio of ``analyses`` (one per journey), with an optional what-if of one
    element (``fail``) or one party (``fail_party``) failing everywhere at once.

    Shared items are those standing in at least ``min_journeys`` journeys.
    """
    specs = [a.spec for a in analyses]
    by = weighting(specs)
    rows = tuple(_row(a) for a in analyses)

    # Where each element id and party id stands.
    element_in: dict[str, list[JourneyAnalysis]] = {}  # by id: what-ifs
    catalog_in: dict[tuple[str, str], list[JourneyAnalysis]] = {}  # shared through catalogs
    party_in: dict[str, list[JourneyAnalysis]] = {}
    for a in analyses:
        for e in a.spec.elements:
            element_in.setdefault(e.id, []).append(a)
            if e.catalog is not None:
                catalog_in.setdefault((e.catalog, e.id), []).append(a)
        for p in a.spec.parties:
            if any(e.owner == p.id for e in a.spec.elements):
                party_in.setdefault(p.id, []).append(a)

    shared: list[Shared] = []
    for (_, eid), where in catalog_in.items():
        if len(where) < min_journeys:
            continue
        impacts = [_impact(a.spec, *element_failure(a, eid)) for a in where]
        shared.append(_shared_element(eid, where, impacts, by))
    failures = {id(a): _Failures(a.spec) for a in analyses}
    for pid, where in party_in.items():
        if len(where) < min_journeys:
            continue
        impacts = [_impact(a.spec, *failures[id(a)].party(pid)) for a in where]
        shared.append(_shared_party(pid, where, impacts, by))
    shared.sort(key=lambda s: (-s.weight, -s.stopped, s.type != "party", s.id))

    what: WhatIf | None = None
    if fail is not None:
        where = element_in.get(fail, [])
        impacts = [_impact(a.spec, *element_failure(a, fail)) for a in where]
        base = _shared_element(fail, where, impacts, by) if where else None
        what = _what_if("element", fail, base, impacts, by)
    elif fail_party is not None:
        where = party_in.get(fail_party, [])
        impacts = [_impact(a.spec, *failures[id(a)].party(fail_party)) for a in where]
        base = _shared_party(fail_party, where, impacts, by) if where else None
        what = _what_if("party", fail_party, base, impacts, by)
    return Portfolio(journeys=rows, shared=tuple(shared), weighted_by=by, what_if=what)


def _most_common(values: list[str]) -> str:
    return min(set(values), key=lambda v: (-values.count(v), v.casefold(), v))


def _shared_element(eid: str, where: list[JourneyAnalysis], impacts: list[JourneyImpact],
                    by: str) -> Shared:
    elements = [a.spec.by_id[eid] for a in where]
    return Shared(
        id=eid, name=_most_common([e.name for e in elements]),
        type=_most_common([str(e.type) for e in elements]),
        control=_most_common([str(a.spec.control_of(eid)) for a in where]),
        catalog=next((e.catalog for e in elements if e.catalog), None),
        journeys=_ranked(impacts), weight=_weight(impacts, by),
        stopped=sum(1 for i in impacts if i.collapses))


def _shared_party(pid: str, where: list[JourneyAnalysis], impacts: list[JourneyImpact],
                  by: str) -> Shared:
    parties = [a.spec.parties_by_id[pid] for a in where]
    return Shared(
        id=pid, name=_most_common([p.name for p in parties]), type="party",
        control=_most_common([str(p.control) for p in parties]),
        catalog=next((p.catalog for p in parties if p.catalog), None),
        journeys=_ranked(impacts), weight=_weight(impacts, by),
        stopped=sum(1 for i in impacts if i.collapses))


def _what_if(kind: str, ident: str, base: Shared | None, impacts: list[JourneyImpact],
             by: str) -> WhatIf:
    if base is None:
        return WhatIf(kind, ident, ident, "unknown", (), 0.0, 0, unknown=True)
    return WhatIf(kind, ident, base.name, base.control, base.journeys, base.weight,
                  base.stopped, unknown=False)


__all__ = ["JOURNEYS", "VOLUME", "JourneyImpact", "JourneyRow", "Portfolio", "Shared",
           "WhatIf", "build_portfolio", "element_failure", "party_failure", "weighting"]
