"""The leadership report as data: a pure function from analyses to what the reader sees.

Targets (PDF through Typst, HTML, Markdown) only lay this out; every sentence, number
and ranking is decided here, once. All fields are plain strings, numbers, tuples and
nested dataclasses, so :func:`dataclasses.asdict` gives JSON the Typst template reads.

>>> from journeymap.spec import load_spec                      # doctest: +SKIP
>>> from journeymap.analysis import analyze                    # doctest: +SKIP
>>> report = journey_report(analyze(load_spec("specs/newsletter-video.journey.yaml")),
...                         date=datetime.date(2025, 1, 31))   # doctest: +SKIP
>>> report.actions[0].title                                    # doctest: +SKIP
'Add an alternative route around the Bitly short link (bit.ly/…)'
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from journeymap.analysis.result import Cause, JourneyAnalysis, Spof, Verdict
from journeymap.report import wording as w
from journeymap.spec.model import Control

TOP_ACTIONS = 3
# Failures that are not single points of failure still earn a recommended fix when they
# stop at least this share of customers (a complicated journey still has weak spots).
PARTIAL_ACTION_SHARE = 0.2
NO_STAGE = "No stage"


@dataclass(frozen=True)
class KeyFigure:
    value: str
    label: str


@dataclass(frozen=True)
class Finding:
    """One single point of failure in plain words."""

    id: str
    name: str
    kind: str  # touch-point, system, team, vendor, …
    party: str
    control: Control
    control_words: str  # ours | a partner's | outside our control
    control_label: str  # ours | partner | outside our control
    customers_lost: float
    customers: str  # "100%"
    sentence: str
    chain: str  # "Bitly redirect service → Bitly short link"
    endpoint: bool
    every_path: bool  # a touch-point every customer passes through


@dataclass(frozen=True)
class FindingGroup:
    control: Control
    heading: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Action:
    """A recommended fix, ranked by the share of customers it protects."""

    rank: int
    title: str
    detail: str
    customers_protected: float
    protects: str  # "100% of customers"
    addresses: tuple[str, ...]  # names of the single points of failure it removes
    control: Control


@dataclass(frozen=True)
class Worst:
    """The single failure that stops the most customers (the cascade picture)."""

    id: str
    name: str
    sentence: str
    taken_down: tuple[str, ...]  # names
    cut_off: tuple[str, ...]  # touch-points still up but no longer reachable
    spread: int  # how many other parts go down or are cut off


@dataclass(frozen=True)
class HeatCell:
    elements: int
    spofs: int
    customers_at_risk: float
    names: tuple[str, ...]  # names of the single points of failure in the cell


@dataclass(frozen=True)
class Heat:
    """Where the journey became complex: stages (columns) × parties (rows)."""

    stages: tuple[str, ...]
    parties: tuple[str, ...]
    controls: tuple[str, ...]  # control words per party row
    cells: tuple[tuple[HeatCell, ...], ...]  # [party][stage]
    sentence: str


@dataclass(frozen=True)
class Curve:
    """The robustness curve: chance of completing after k random failures."""

    removed: tuple[int, ...]
    completion: tuple[float, ...]
    expected: float
    samples: int
    sentence: str


@dataclass(frozen=True)
class CascadeRow:
    name: str
    kind: str
    owner: str  # "Bitly runs it, outside our control"
    party: str
    control: Control
    control_label: str
    customers_lost: float
    customers: str
    stops_journey: bool
    taken_down: tuple[str, ...]
    cut_off: tuple[str, ...]


@dataclass(frozen=True)
class JourneyReport:
    id: str
    title: str
    description: str
    owner: str
    date: str  # ISO date
    date_text: str  # "31 January 2025"
    source: str
    verdict: Verdict
    verdict_sentence: str
    figures: tuple[KeyFigure, ...]
    findings: tuple[Finding, ...]
    groups: tuple[FindingGroup, ...]
    actions: tuple[Action, ...]  # all, ranked; the summary shows the first TOP_ACTIONS
    worst: Worst | None
    heat: Heat
    curve: Curve
    cascades: tuple[CascadeRow, ...]
    baseline: str  # share completing with nothing failed

    @property
    def top_actions(self) -> tuple[Action, ...]:
        return self.actions[:TOP_ACTIONS]


@dataclass(frozen=True)
class SharedImpact:
    journey: str
    customers_lost: float
    customers: str
    stops_journey: bool


@dataclass(frozen=True)
class SharedRisk:
    """A vendor or team whose failure (everything it runs, at once) hits several journeys."""

    party: str
    aliases: tuple[str, ...]  # other names the same party id has in other specs
    control: Control
    control_words: str
    control_label: str
    impacts: tuple[SharedImpact, ...]  # most customers first
    stopped: int  # journeys it stops completely
    elements: tuple[str, ...]  # what it runs in those journeys (names, a few)
    sentence: str


@dataclass(frozen=True)
class PortfolioRow:
    journey: str
    verdict: Verdict
    spofs: int
    outside: int  # single points of failure outside our control
    partner: int
    worst: str
    top_action: str


@dataclass(frozen=True)
class PortfolioReport:
    title: str
    date: str
    date_text: str
    verdict: Verdict  # complex when any journey is
    sentence: str
    figures: tuple[KeyFigure, ...]
    rows: tuple[PortfolioRow, ...]
    shared: tuple[SharedRisk, ...]
    actions: tuple[Action, ...]  # the portfolio's top actions, across journeys
    journeys: tuple[JourneyReport, ...]


# --------------------------------------------------------------------------- journey


def journey_report(analysis: JourneyAnalysis, date: datetime.date) -> JourneyReport:
    """Everything a leader reads about one journey, decided from its analysis."""
    spec = analysis.spec
    findings = _findings(analysis)
    actions = _actions(analysis)
    worst_share = max((c.customers_lost for c in analysis.cascades.values()), default=0.0)
    complexity = analysis.complexity
    verdict = w.verdict_sentence(spec, analysis.verdict, len(analysis.spofs),
                                 complexity.non_endpoint_spofs, worst_share)
    party = spec.parties_by_id.get(spec.journey.owner or "")
    owner = party.name if party is not None else ""
    return JourneyReport(
        id=spec.journey.id,
        title=spec.journey.name,
        description=spec.journey.description.strip(),
        owner=owner,
        date=date.isoformat(),
        date_text=date_text(date),
        source=spec.source,
        verdict=analysis.verdict,
        verdict_sentence=verdict,
        figures=_figures(analysis, findings, worst_share),
        findings=findings,
        groups=_groups(findings),
        actions=actions,
        worst=_worst(analysis),
        heat=_heat(analysis),
        curve=_curve(analysis),
        cascades=_cascade_rows(analysis),
        baseline=w.percent(analysis.baseline_completion),
    )


def date_text(date: datetime.date) -> str:
    """``31 January 2025`` (no locale: the same bytes on every machine)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{date.day} {months[date.month - 1]} {date.year}"


def _finding(analysis: JourneyAnalysis, spof: Spof) -> Finding:
    spec = analysis.spec
    element = spec.by_id[spof.id]
    cascade = analysis.cascades.get(spof.id)
    lost = spof.customers_lost
    return Finding(
        id=spof.id, name=element.name, kind=w.kind_word(element),
        party=spec.party_name(spof.id), control=spof.control,
        control_words=w.control_words(spof.control),
        control_label=w.control_label(spof.control), customers_lost=lost,
        customers=w.percent(lost),
        sentence=w.failure_sentence(spec, spof.id, lost, cascade.collapses if cascade else True),
        chain=w.chain_words(spec, spof.path or (spof.id,)),
        endpoint=spof.endpoint, every_path=spof.cause == Cause.STRUCTURAL)


def _findings(analysis: JourneyAnalysis) -> tuple[Finding, ...]:
    """Single points of failure, most customers first; ties: least control first, then name."""
    found = [_finding(analysis, s) for s in analysis.spofs]
    found.sort(key=lambda f: (-f.customers_lost, f.endpoint, w.CONTROL_ORDER.get(f.control, 9),
                              f.name.casefold(), f.id))
    return tuple(found)


def _groups(findings: tuple[Finding, ...]) -> tuple[FindingGroup, ...]:
    groups = []
    for control in sorted(w.CONTROL_ORDER, key=w.CONTROL_ORDER.__getitem__):
        members = tuple(f for f in findings if f.control == control)
        if members:
            groups.append(FindingGroup(control, w.CONTROL_HEADINGS[control], members))
    return tuple(groups)


def _figures(analysis: JourneyAnalysis, findings: tuple[Finding, ...],
             worst: float) -> tuple[KeyFigure, ...]:
    n = len(findings)
    outside = sum(1 for f in findings if f.control == Control.EXTERNAL)
    partner = sum(1 for f in findings if f.control == Control.PARTNER)
    figures = [
        KeyFigure(str(n), "single point of failure" if n == 1 else "single points of failure"),
        KeyFigure(str(outside), "of them outside our control"
                  + (f", {partner} with partners" if partner else "")),
        KeyFigure(w.percent(worst), "of customers stopped by the worst single failure"),
    ]
    expected = analysis.robustness.expected_removals_to_collapse
    if expected > 0:
        figures.append(KeyFigure(f"{expected:.1f}",
                                 "random failures, on average, before the journey stops"))
    return tuple(figures)


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class _Risk:
    """An element worth fixing: a single point of failure, or a failure that still stops
    a large share of customers (complicated journeys need fixes too)."""

    id: str
    control: Control
    endpoint: bool
    every_path: bool  # a touch-point every customer passes through
    path: tuple[str, ...]
    customers_lost: float
    spof: bool


def _risks(analysis: JourneyAnalysis) -> list[_Risk]:
    spec = analysis.spec
    risks = [_Risk(s.id, s.control, s.endpoint, s.cause == Cause.STRUCTURAL, s.path,
                   s.customers_lost, True) for s in analysis.spofs]
    for eid, c in sorted(analysis.cascades.items()):
        if eid in analysis.spof_ids or c.customers_lost < PARTIAL_ACTION_SHARE:
            continue
        risks.append(_Risk(eid, spec.control_of(eid), False, False,
                           c.path or (eid,), c.customers_lost, False))
    return risks


def _actions(analysis: JourneyAnalysis) -> tuple[Action, ...]:
    """Recommended fixes, ranked by customers protected (the share the failure stops).

    One per single point of failure, then one per other failure that stops at least
    ``PARTIAL_ACTION_SHARE`` of customers. A touch-point every customer passes through
    absorbs the failures behind it run by the same party (an alternative route around a
    vendor's step also avoids that vendor's systems). Ties: more failures removed, then
    least control, then the widest spread, then name.
    """
    spec = analysis.spec
    risks = _risks(analysis)
    by_id = {r.id: r for r in risks}
    absorbed: dict[str, list[str]] = {}
    for r in risks:
        if spec.by_id[r.id].is_touchpoint or not r.path:
            continue
        blocked = r.path[-1]
        owner = spec.by_id[r.id].owner
        target = by_id.get(blocked)
        if (target is not None and blocked != r.id and target.every_path
                and not target.endpoint and spec.by_id[blocked].owner == owner
                and owner is not None and _only_touchpoint(analysis, r.id) == blocked
                and target.customers_lost >= r.customers_lost):
            absorbed.setdefault(blocked, []).append(r.id)
    taken = {i for ids in absorbed.values() for i in ids}

    drafts = []
    for r in risks:
        if r.id in taken:
            continue
        covered = [r.id] + sorted(absorbed.get(r.id, []))
        title, detail = _fix(analysis, r, covered)
        spread = analysis.cascades[r.id].spread if r.id in analysis.cascades else 0
        drafts.append((r.customers_lost, len(covered), r.endpoint, r.control, spread, title,
                       detail, tuple(spec.by_id[i].name for i in covered)))
    drafts.sort(key=lambda d: (-d[0], -d[1], d[2], w.CONTROL_ORDER.get(d[3], 9), -d[4],
                               d[5].casefold()))
    return tuple(
        Action(rank=i + 1, title=d[5], detail=d[6], customers_protected=d[0],
               protects=f"{w.percent(d[0])} of customers", addresses=d[7], control=d[3])
        for i, d in enumerate(drafts))


def _only_touchpoint(analysis: JourneyAnalysis, element_id: str) -> str | None:
    """The one touch-point this failure takes down, if it takes down exactly one."""
    spec = analysis.spec
    cascade = analysis.cascades.get(element_id)
    if cascade is None:
        return None
    tps = [i for i in cascade.down if spec.by_id[i].is_touchpoint]
    return tps[0] if len(tps) == 1 else None


def _fix(analysis: JourneyAnalysis, risk: _Risk, covered: list[str]) -> tuple[str, str]:
    """Title and one-paragraph detail of the fix for one risky element."""
    spec = analysis.spec
    e = spec.by_id[risk.id]
    party = spec.party_name(risk.id)
    control = risk.control
    also = [spec.by_id[i].name for i in covered[1:]]
    also_text = (f" It also removes the risk from the {w.join_names(also)}, which "
                 f"stops customers only at this step." if also else "")
    if e.is_touchpoint:
        if risk.endpoint and e.entry:
            return (f"Open a second way in besides the {e.name}",
                    f"Every customer starts at the {e.name}. A second entry channel keeps "
                    f"the journey open when it fails.")
        if risk.endpoint and e.goal:
            return (f"Offer a second way to finish besides the {e.name}",
                    f"Every customer must finish at the {e.name}. An alternative (for "
                    f"example by phone, chat or in person) keeps customers from being "
                    f"turned away when it fails.")
        who = {Control.EXTERNAL: f" It is run by {party}, outside our control.",
               Control.PARTNER: f" It is run by {party}, a partner."}.get(control, "")
        if e.entry:
            return (f"Add another way in besides the {e.name}",
                    f"{w.percent(risk.customers_lost).capitalize()} of customers start at "
                    f"the {e.name}.{who} When it fails they have no other way in; a second "
                    f"channel (or a way to switch to an existing one) keeps them.{also_text}")
        passes = ("Every customer passes through" if risk.every_path else
                  f"{w.percent(risk.customers_lost).capitalize()} of customers depend on")
        return (f"Add an alternative route around the {e.name}",
                f"{passes} the {e.name} today.{who} A second route (a direct link or "
                f"another channel) lets customers continue when it fails.{also_text}")
    steps = _steps_stopped(analysis, risk)
    needs_it = (f"the {w.join_names(steps)} stop{'s' if len(steps) == 1 else ''} without it"
                if steps else "customers are stopped without it")
    shared = _false_redundancy(analysis, risk.id)
    shared_text = (f" The backups that look redundant ({w.join_names(shared)}) both depend on "
                   f"it, so that redundancy is not real." if shared else "")
    if control == Control.EXTERNAL:
        return (f"Bring the {e.name} in-house or contract an SLA",
                f"It is run by {party}, outside our control, and {needs_it}. Move it to a "
                f"provider under contract with a service level agreement, or run it "
                f"ourselves.{shared_text}")
    if control == Control.PARTNER:
        return (f"Agree an SLA for the {e.name} and add a fallback",
                f"{party} is a partner and {needs_it}. Agree a service level with them "
                f"and add a fallback so customers can carry on while it is down."
                f"{shared_text}")
    second = {"person": "a second person who can step in", "team": "a second team or a "
              "trained backup who can step in", "data": "a maintained copy"}.get(
        e.kind or "", "a second one that can take over")
    return (f"Add a fallback for the {e.name}",
            f"Today {needs_it}. Add {second}, or let those steps carry on without it."
            f"{shared_text}")


def _steps_stopped(analysis: JourneyAnalysis, risk: _Risk, limit: int = 3) -> list[str]:
    """The customer-facing steps (touch-points) this failure takes down, nearest first."""
    spec = analysis.spec
    cascade = analysis.cascades.get(risk.id)
    down = set(cascade.down) if cascade else set()
    order = [i for i in risk.path if i in down] + sorted(down)
    names: list[str] = []
    for i in order:
        if spec.by_id[i].is_touchpoint and spec.by_id[i].name not in names:
            names.append(spec.by_id[i].name)
    if len(names) > limit:
        return names[:limit - 1] + [f"{len(names) - limit + 1} other steps"]
    return names


def _false_redundancy(analysis: JourneyAnalysis, element_id: str) -> list[str]:
    """Members of an ``any``/``at_least`` group that all go down with this element."""
    spec = analysis.spec
    cascade = analysis.cascades.get(element_id)
    if cascade is None:
        return []
    down = set(cascade.down) | {element_id}
    for e in spec.elements:
        for need in e.needs:
            if need.redundant and sum(t not in down for t in need.targets) < need.required:
                return [spec.by_id[t].name for t in need.targets if t in down and t != element_id]
    return []


# --------------------------------------------------------------------------- pictures


def _worst(analysis: JourneyAnalysis) -> Worst | None:
    spec = analysis.spec
    cascades = [(c.customers_lost, c.spread, i) for i, c in analysis.cascades.items()
                if c.customers_lost > 0]
    if not cascades:
        return None
    # Most customers, then widest spread, then a non-endpoint (more instructive).
    _, _, wid = min(cascades, key=lambda t: (-t[0], -t[1], t[2]))
    c = analysis.cascades[wid]
    return Worst(
        id=wid, name=spec.by_id[wid].name,
        sentence=w.failure_sentence(spec, wid, c.customers_lost, c.collapses),
        taken_down=tuple(sorted(spec.by_id[i].name for i in c.down)),
        cut_off=tuple(sorted(spec.by_id[i].name for i in c.stranded)), spread=c.spread)


def _heat(analysis: JourneyAnalysis) -> Heat:
    spec = analysis.spec
    stage_ids = [s.id for s in spec.stages]
    if any(e.stage is None for e in spec.elements):
        stage_ids.append("")
    stage_names = tuple(spec.stages_by_id[s].name if s else NO_STAGE for s in stage_ids)
    party_ids = [p.id for p in spec.parties if any(e.owner == p.id for e in spec.elements)]
    if any(e.owner not in spec.parties_by_id for e in spec.elements):
        party_ids.append("")
    party_ids.sort(key=lambda p: (w.CONTROL_ORDER[spec.parties_by_id[p].control] if p else 9,
                                  spec.parties_by_id[p].name.casefold() if p else ""))
    spof_ids = analysis.spof_ids
    cells = []
    for p in party_ids:
        row = []
        for s in stage_ids:
            members = [e for e in spec.elements
                       if (e.owner if e.owner in spec.parties_by_id else "") == p
                       and (e.stage or "") == s]
            risk = max((analysis.cascades[e.id].customers_lost for e in members
                        if e.id in analysis.cascades), default=0.0)
            names = tuple(sorted(e.name for e in members if e.id in spof_ids))
            row.append(HeatCell(len(members), len(names), risk, names))
        cells.append(tuple(row))
    parties = tuple(spec.parties_by_id[p].name if p else "No owner named" for p in party_ids)
    controls = tuple(w.control_label(spec.parties_by_id[p].control) if p else
                     w.control_label(Control.UNKNOWN) for p in party_ids)
    return Heat(stage_names, parties, controls, tuple(cells),
                _heat_sentence(stage_names, parties, cells))


def _heat_sentence(stages: tuple[str, ...], parties: tuple[str, ...],
                   cells: list[tuple[HeatCell, ...]]) -> str:
    by_stage = [sum(row[j].spofs for row in cells) for j in range(len(stages))]
    by_party = [sum(c.spofs for c in row) for row in cells]
    if not any(by_stage):
        return ("No single failure stops the whole journey: the darker cells show where "
                "failures still stop some customers.")
    top_stage = max(range(len(stages)), key=lambda j: (by_stage[j], -j))
    top_party = max(range(len(parties)), key=lambda i: (by_party[i], -i))
    return (f"The fragile places cluster in the {stages[top_stage]} stage "
            f"({_count(by_stage[top_stage])}) and with {parties[top_party]} "
            f"({_count(by_party[top_party])}).")


def _count(n: int) -> str:
    return "1 single point of failure" if n == 1 else f"{n} single points of failure"


def _curve(analysis: JourneyAnalysis) -> Curve:
    r = analysis.robustness
    pairs = dict(zip(r.removed, r.completion))
    parts = [f"with {k} random failure{'s' if k != 1 else ''} it completes "
             f"{w.percent(pairs[k])} of the time" for k in (1, 3) if k in pairs]
    sentence = ("If parts of the journey fail at random, " + " and ".join(parts) + "."
                if parts else "")
    if r.expected_removals_to_collapse > 0:
        sentence += (f" On average it stops after {r.expected_removals_to_collapse:.1f} "
                     f"random failures.")
    return Curve(tuple(r.removed), tuple(r.completion), r.expected_removals_to_collapse,
                 r.samples, sentence.strip())


def _cascade_rows(analysis: JourneyAnalysis) -> tuple[CascadeRow, ...]:
    spec = analysis.spec
    rows = []
    for e in spec.elements:
        c = analysis.cascades.get(e.id)
        if c is None:
            continue
        rows.append(CascadeRow(
            name=e.name, kind=w.kind_word(e), owner=w.owner_phrase(spec, e.id),
            party=spec.party_name(e.id), control=spec.control_of(e.id),
            control_label=w.control_label(spec.control_of(e.id)),
            customers_lost=c.customers_lost, customers=w.percent(c.customers_lost),
            stops_journey=c.collapses,
            taken_down=tuple(sorted(spec.by_id[i].name for i in c.down)),
            cut_off=tuple(sorted(spec.by_id[i].name for i in c.stranded))))
    rows.sort(key=lambda r: (-r.customers_lost, not r.stops_journey,
                             -(len(r.taken_down) + len(r.cut_off)), r.name.casefold()))
    return tuple(rows)


# --------------------------------------------------------------------------- portfolio


def portfolio_report(analyses: list[JourneyAnalysis], date: datetime.date,
                     journeys: tuple[JourneyReport, ...] | None = None) -> PortfolioReport:
    """The same summary across journeys, plus vendors and teams that break several at once.
    ``journeys``: the journey reports of ``analyses`` when the caller has made them."""
    if journeys is None:
        journeys = tuple(journey_report(a, date) for a in analyses)
    rows = tuple(PortfolioRow(
        journey=j.title, verdict=j.verdict, spofs=len(j.findings),
        outside=sum(f.control == Control.EXTERNAL for f in j.findings),
        partner=sum(f.control == Control.PARTNER for f in j.findings),
        worst=j.figures[2].value, top_action=j.actions[0].title if j.actions else "none needed")
        for j in journeys)
    shared = _shared(analyses)
    n_complex = sum(j.verdict == Verdict.COMPLEX for j in journeys)
    sentence = (f"{n_complex} of {len(journeys)} journeys are complex: one failure behind the "
                f"scenes stops them." if n_complex else
                f"None of the {len(journeys)} journeys is complex: no single failure behind "
                f"the scenes stops any of them.")
    if shared and shared[0].stopped > 1:
        top = shared[0]
        sentence += (f" One outage at {top.party} ({top.control_words}) would stop "
                     f"{top.stopped} journeys at once.")
    figures = (
        KeyFigure(f"{n_complex} of {len(journeys)}", "journeys are complex"),
        KeyFigure(str(sum(r.spofs for r in rows)), "single points of failure in all"),
        KeyFigure(str(sum(r.outside for r in rows)), "of them outside our control"),
        KeyFigure(str(len(shared)), "vendors or teams whose outage hits several journeys"),
    )
    actions = []
    for j in journeys:
        for a in j.top_actions:
            actions.append((a, j.title))
    actions.sort(key=lambda t: (-t[0].customers_protected, w.CONTROL_ORDER.get(t[0].control, 9),
                                t[1].casefold(), t[0].rank))
    ranked = tuple(Action(rank=i + 1, title=a.title, detail=a.detail,
                          customers_protected=a.customers_protected,
                          protects=f"{a.protects} in {title}", addresses=a.addresses,
                          control=a.control)
                   for i, (a, title) in enumerate(actions))
    return PortfolioReport(title="Customer journey resilience: portfolio", date=date.isoformat(),
                           date_text=date_text(date),
                           verdict=Verdict.COMPLEX if n_complex else Verdict.COMPLICATED,
                           sentence=sentence, figures=figures,
                           rows=rows, shared=shared, actions=ranked, journeys=journeys)


def _shared(analyses: list[JourneyAnalysis]) -> tuple[SharedRisk, ...]:
    """Parties (matched by id across specs) whose failure stops customers in two or more
    journeys: "one video host, three journeys".

    A party's failure is everything it runs failing at once (a vendor outage), simulated
    in each journey where it appears.
    """
    from journeymap.analysis import simulate

    names: dict[str, list[str]] = {}
    control: dict[str, Control] = {}
    impacts: dict[str, list[SharedImpact]] = {}
    elements: dict[str, list[str]] = {}
    for a in analyses:
        spec = a.spec
        for party in spec.parties:
            owned = [e.id for e in spec.elements if e.owner == party.id]
            if not owned:
                continue
            cascade = simulate(spec, owned)
            if cascade.customers_lost <= 0 and not cascade.collapses:
                continue
            names.setdefault(party.id, []).append(party.name)
            control.setdefault(party.id, party.control)
            impacts.setdefault(party.id, []).append(SharedImpact(
                spec.journey.name, cascade.customers_lost, w.percent(cascade.customers_lost),
                cascade.collapses))
            known = elements.setdefault(party.id, [])
            known.extend(spec.by_id[i].name for i in owned if spec.by_id[i].name not in known)
    out = []
    for pid, hits in impacts.items():
        if len(hits) < 2:
            continue
        hits.sort(key=lambda h: (not h.stops_journey, -h.customers_lost, h.journey.casefold()))
        # The name most specs use; the others are shown as aliases.
        name = min(set(names[pid]), key=lambda n: (-names[pid].count(n), n.casefold()))
        aliases = tuple(sorted(set(names[pid]) - {name}, key=str.casefold))
        words = w.control_words(control[pid])
        stopped = [h.journey for h in hits if h.stops_journey]
        if stopped:
            sentence = (f"If {name} fails, {w.join_names(stopped)} stop completely"
                        if len(stopped) > 1 else f"If {name} fails, {stopped[0]} stops completely")
            rest = len(hits) - len(stopped)
            sentence += f", and {rest} more lose customers." if rest else "."
        else:
            sentence = f"If {name} fails, {len(hits)} journeys lose customers at once."
        shown = elements[pid][:4] + ([f"{len(elements[pid]) - 4} more"]
                                     if len(elements[pid]) > 4 else [])
        out.append(SharedRisk(
            party=name, aliases=aliases, control=control[pid], control_words=words,
            control_label=w.control_label(control[pid]), impacts=tuple(hits),
            stopped=len(stopped), elements=tuple(shown), sentence=sentence))
    out.sort(key=lambda r: (-r.stopped, -len(r.impacts), w.CONTROL_ORDER.get(r.control, 9),
                            r.party.casefold()))
    return tuple(out)
