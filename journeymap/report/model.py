"""The leadership report as data: a pure function from analyses to what the reader sees.

Targets (PDF through Typst, HTML, Markdown) only lay this out; every sentence, number
and ranking is decided here, once. All fields are plain strings, numbers, tuples and
nested dataclasses, so :func:`dataclasses.asdict` gives JSON the Typst template reads.

One count of single points of failure is used everywhere: the ones that are not the
journey's only start or finish ("9"), with those endpoints named beside it ("plus the
sign-up form itself"). One ranking is used everywhere: the findings table, the page-1
sentence and fix 1 all start from the same item (most people stopped, then the fix that
removes the most single points of failure, then least control, then name).

>>> from journeymap.spec import load_spec                      # doctest: +SKIP
>>> from journeymap.analysis import analyze                    # doctest: +SKIP
>>> report = journey_report(analyze(load_spec("specs/newsletter-video.journey.yaml")),
...                         date=datetime.date(2025, 1, 31))   # doctest: +SKIP
>>> report.actions[0].claim                                    # doctest: +SKIP
'Removes 3 of 9 single points of failure; 6 remain.'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from journeymap.analysis import fixes as fx
from journeymap.analysis.outcomes import cut_off_goals, goal_shares
from journeymap.analysis.probability import HOURS_PER_YEAR
from journeymap.analysis.result import Cause, JourneyAnalysis, Verdict
from journeymap.analysis.risk import AUTO_FIXES_MAX
from journeymap.report import wording as w
from journeymap.spec.model import Control, Spec
from journeymap.words import agree, glossary

TOP_ACTIONS = 3
PAGE_ONE_FINDINGS = 3  # single points of failure listed on page 1; the rest in the appendix
PORTFOLIO_ACTIONS = 5  # fixes on the portfolio's first page
BEHIND = "Behind the scenes (no stage)"
SHOWN_CUTTERS = 2


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation printed on page 1 (it comes from the user's names, never from our
    own sentences) and what the journey's own text says it stands for."""

    short: str  # "KYC"
    meaning: str  # "know your customer"; "" when the journey never spells it out


# The glossary's words for abbreviations the journey never spells out (every target).
NOT_SPELLED_OUT = "not spelled out in the journey description"
GLOSSARY_HEADING = "Abbreviations in the journey's names"


@dataclass(frozen=True)
class Legend:
    """What page 1 draws in colour, so its legend lists only that."""

    stops: bool  # shares stopped by single points of failure, in vermillion
    controls: tuple[Control, ...]  # the "who runs it" tags printed, most worrying first
    checked: bool = False  # fixes printed, each with its re-analysed claim in green


@dataclass(frozen=True)
class KeyFigure:
    value: str
    label: str
    good: str = ""  # which way is good: "fewer is better"


@dataclass(frozen=True)
class OutcomeRow:
    """One named goal: the share of people who end there, and what cuts it off."""

    name: str
    share: float
    reaching: str  # "54%"
    cut_off_by: tuple[str, ...]  # names besides the single points of failure (a few)
    more: int  # how many more cut it off than are named


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
    explain: str  # why: the chain of needs in one sentence
    chain: str  # "Bitly redirect service → Bitly short link"
    endpoint: bool
    endpoint_role: str  # "start" | "finish" for the journey's only start/finish step, else ""
    every_path: bool  # a touch-point every customer passes through
    cuts_off: tuple[str, ...]  # outcome names no one can reach after it fails
    fix: int  # rank of the fix that removes it (0: none)


@dataclass(frozen=True)
class FindingGroup:
    control: Control
    heading: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Action:
    """A recommended fix, verified by re-analysing a copy of the journey with it."""

    rank: int
    title: str
    detail: str
    claim: str  # "Removes 1 of 9 single points of failure; 8 remain."
    removes: int  # single points of failure it removes (counted like the page)
    customers_protected: float  # people its target no longer stops
    addresses: tuple[str, ...]  # names of the single points of failure it removes
    control: Control
    target: str  # name of the part the fix is about


@dataclass(frozen=True)
class Worst:
    """The top finding (the cascade picture): the same item as fix 1 and the table."""

    id: str
    name: str
    sentence: str
    explain: str
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
    title: str  # the section's heading: "complex" only where the verdict says so


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
    cuts_off: tuple[str, ...]  # outcomes no one reaches any more, even when others are
    also_down: tuple[str, ...] = ()  # taken_down without the outcomes already named


@dataclass(frozen=True)
class JourneyReport:
    id: str
    title: str
    description: str
    owner: str
    date: str  # ISO date
    date_text: str  # "31 January 2025"
    source: str
    people: str  # "customers", "patients"
    verdict: Verdict
    severity: str  # danger | warning | calm: the colour of the verdict
    verdict_sentence: str
    so_what: str  # the one sentence a leader must read
    spof_count: int  # THE count (not counting the only start/finish)
    endpoints: tuple[str, ...]  # names of the only start/finish, when they are single points
    count_text: str  # "9 single points of failure, plus the sign-up form itself"
    tie_note: str  # how ties in the top item were broken ("" when there is no tie)
    figures: tuple[KeyFigure, ...]
    outcomes: tuple[OutcomeRow, ...]
    findings: tuple[Finding, ...]
    groups: tuple[FindingGroup, ...]
    actions: tuple[Action, ...]  # all, ranked; the summary shows the first TOP_ACTIONS
    unfixed: str  # why some single points of failure have no fix ("" when all do)
    fix_order: str  # why page 1's fixes stand in that order where their claims read alike
    together: str  # page 1's fixes applied to one copy and re-analysed ("" without risk)
    worst: Worst | None
    heat: Heat
    curve: Curve
    cascades: tuple[CascadeRow, ...]  # failures that affect people (or other parts)
    quiet: tuple[str, ...]  # names of parts whose failure alone changes nothing
    baseline: str  # share completing with nothing failed
    baseline_note: str  # what that share means, and what "stopped" means (said once)
    volume: float | None  # people per month, when the spec says
    volume_text: str  # "12,000" ("" without a volume)
    value: float | None  # value per completed journey, when the spec says
    value_text: str  # "value per completed journey: 180 (no currency given)"
    shown: int = 0  # single points of failure in page 1's table (the rest: the appendix)
    legend: Legend = Legend(False, ())
    glossary: tuple[Abbreviation, ...] = ()

    @property
    def top_actions(self) -> tuple[Action, ...]:
        return self.actions[:TOP_ACTIONS]


# --------------------------------------------------------------------------- journey


def journey_report(analysis: JourneyAnalysis, date: datetime.date) -> JourneyReport:
    """Everything a leader reads about one journey, decided from its analysis."""
    spec = analysis.spec
    goal_names = {g.id: g.name for g in spec.goals}
    cut = {eid: tuple(goal_names[g] for g in cut_off_goals(spec, c))
           for eid, c in analysis.cascades.items()}
    fixes, tried = report_fixes(analysis)
    actions, fix_of = _actions(analysis, fixes or ())
    findings = _findings(analysis, cut, fix_of, fixes or ())
    endpoints = tuple(f.name for f in findings if f.endpoint)
    count = sum(1 for f in findings if not f.endpoint)
    count_text = _count_text(spec, count, findings)
    worst_share = max((c.customers_lost for c in analysis.cascades.values()), default=0.0)
    severity = ("danger" if analysis.verdict == Verdict.COMPLEX else
                "warning" if findings or worst_share >= 0.5 else "calm")
    party = spec.parties_by_id.get(spec.journey.owner or "")
    owner = party.name if party is not None else ""
    rows, quiet = _cascade_rows(analysis, cut)
    worst = _worst(analysis, findings, rows)
    volume = getattr(spec.journey, "volume", None)
    value = getattr(spec.journey, "value", None)
    report = JourneyReport(
        id=spec.journey.id,
        title=spec.journey.name,
        description=spec.journey.description.strip(),
        owner=owner,
        date=date.isoformat(),
        date_text=date_text(date),
        source=spec.source,
        people=w.people(spec),
        verdict=analysis.verdict,
        severity=severity,
        verdict_sentence=w.verdict_sentence(spec, analysis.verdict, count_text, worst_share,
                                            endpoint_only=bool(endpoints) and not count,
                                            count=count),
        so_what=_so_what(analysis, findings, worst, volume, value),
        spof_count=count,
        endpoints=endpoints,
        count_text=count_text,
        tie_note=_tie_note(spec, findings),
        figures=_figures(analysis, findings, count, endpoints, worst_share),
        outcomes=_outcomes(analysis, cut),
        findings=findings,
        groups=_groups(findings),
        actions=actions,
        unfixed=_unfixed(findings, fixes is None, tried),
        fix_order=_fix_order(analysis, fixes or ()),
        together=_together(analysis, fixes or ()),
        worst=worst,
        heat=_heat(analysis),
        curve=_curve(analysis),
        cascades=rows,
        quiet=quiet,
        baseline=w.percent(analysis.baseline_completion),
        baseline_note=_baseline_note(analysis),
        volume=float(volume) if volume else None,
        volume_text=about(float(volume)) if volume else "",
        value=float(value) if value else None,
        value_text=value_text(float(value) if value else None),
    )
    shown = min(PAGE_ONE_FINDINGS, len(findings))
    report = replace(report, shown=shown, actions=_owner_once(
        spec, actions, fixes or (), {f.id for f in findings[:shown]}), legend=Legend(
        stops=bool(shown), controls=_controls_shown(f.control for f in findings[:shown]),
        checked=bool(actions)))
    return replace(report, glossary=_glossary(spec, _page_one_texts(report)))


def _controls_shown(controls: Iterable[Control]) -> tuple[Control, ...]:
    return tuple(sorted(set(controls), key=lambda c: w.CONTROL_ORDER.get(c, 9)))


def _spec_texts(spec: Spec) -> list[str]:
    """Everything the journey's author wrote in words: where abbreviations are spelled out."""
    texts = [spec.journey.name, spec.journey.description]
    texts += [t for s in spec.stages for t in (s.name, s.description)]
    texts += [t for p in spec.parties for t in (p.name, p.description)]
    for e in spec.elements:
        texts += [e.name, e.description] + [n.note for n in e.needs]
    texts += [f.note for f in spec.flows]
    return [t for t in texts if t]


def _described(spec: Spec) -> dict[str, str]:
    """Descriptions of the parts and parties, by name: a vendor named "DPD" is explained
    by its own description."""
    described = {p.name.strip(): p.description for p in spec.parties if p.description}
    described.update((e.name.strip(), e.description) for e in spec.elements if e.description)
    return described


def _glossary(spec: Spec, shown: list[str]) -> tuple[Abbreviation, ...]:
    return tuple(Abbreviation(k, v)
                 for k, v in glossary(shown, _spec_texts(spec), _described(spec)))


def _page_one_texts(j: JourneyReport) -> list[str]:
    """Every string page 1 prints for a journey (in every target)."""
    texts = [j.title, j.owner, j.so_what, j.verdict_sentence, j.tie_note, j.unfixed]
    texts += [t for f in j.figures for t in (f.value, f.label)]
    texts += [t for o in j.outcomes for t in (o.name, *o.cut_off_by)]
    texts += [t for f in j.findings[:j.shown] for t in (f.name, f.party)]
    texts += [t for a in j.top_actions for t in (a.title, a.claim, a.detail)]
    if j.worst is not None and not j.findings:  # the Markdown summary explains it
        texts.append(j.worst.explain)
    return texts


def date_text(date: datetime.date) -> str:
    """``31 January 2025`` (no locale: the same bytes on every machine)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{date.day} {months[date.month - 1]} {date.year}"


def about(n: float) -> str:
    """A count of people as a leader says it: two significant figures, thousands commas.

    >>> about(12345), about(987), about(0.4), about(1_234_567)
    ('12,000', '990', 'fewer than 1', '1,200,000')
    """
    if n < 1:
        return "fewer than 1"
    digits = len(str(int(n)))
    rounded = int(round(n, -max(digits - 2, 0)))
    return f"{rounded:,}"


def _count_text(spec: object, count: int, findings: tuple[Finding, ...]) -> str:
    """The page's one count in words. The journey's only start or finish step is a single
    point of failure too, but of another kind (there is nothing behind it to fix): it is
    named beside the count and said plainly what it is (an executive could not read
    "plus the only finish")."""
    ends = [f for f in findings if f.endpoint]
    head = ("1 single point of failure" if count == 1 else
            f"{count} single points of failure")
    if not ends:
        return head if count else "no single point of failure"
    roles = sorted({f.endpoint_role for f in ends}, reverse=True)  # start, finish
    step = (f"the journey's only {' and only '.join(roles)} "
            f"{'step' if len(ends) == 1 else 'steps'}")
    what = w.join_names([w.the(f.name) for f in ends])
    if not count:
        verb = ("start" if roles == ["start"] else "finish" if roles == ["finish"] else
                "get through")
        if len(ends) == 1:
            failing = agree(ends[0].name, "it fails", "they fail")
            return (f"the only single point of failure is {what}: {step}, so if {failing} "
                    f"no one can {verb}")
        return (f"the only single points of failure are {what}: {step}, so if either fails "
                f"no one can {verb}")
    too = "a single point of failure too" if len(ends) == 1 else "single points of failure too"
    return f"{head}, plus {what} ({step}, so {too})"


def hours_scale(q: float) -> str:
    """How big a yearly time stopped is, in terms a leader plans with: the days it adds up
    to (from a day up) and "1 hour in every N". Always said this way beside :func:`hours`.

    >>> hours_scale(0.0081), hours_scale(0.0005)
    ('about 3 days; 1 hour in every 120', '1 hour in every 2,000')
    >>> hours_scale(0.6)
    'about 220 days; 60% of the time'
    """
    from journeymap.analysis.probability import HOURS_PER_YEAR

    h = q * HOURS_PER_YEAR
    if h <= 0:
        return "never"
    parts = []
    if h >= 24:
        days = h / 24
        shown = f"{days:.1f}".removesuffix(".0") if days < 9.95 else about(days)
        parts.append(f"about {shown} {'day' if shown == '1' else 'days'}")
    # "1 hour in every N" while N has two figures; above 1 in 10, a share of the time.
    parts.append(f"{w.percent(q)} of the time" if q > 0.1 else
                 f"1 hour in every {about(1 / q)}")
    return "; ".join(parts)


def _so_what(analysis: JourneyAnalysis, findings: tuple[Finding, ...], worst: Worst | None,
             volume: object, value: object) -> str:
    """The one sentence for a leader: which outcome breaks, for how many, who controls it,
    how likely."""
    spec = analysis.spec
    who = w.people(spec)
    if not findings and worst is None:
        return (f"No single failure stops any of the {who}: every part has a way round it.")
    top = findings[0] if findings else None
    eid = top.id if top else worst.id  # type: ignore[union-attr]
    c = analysis.cascades[eid]
    name = spec.by_id[eid].name
    goals = [g.name for g in spec.goals]
    fails = agree(name, "fails", "fail")
    if top is not None and top.endpoint:
        where = top.endpoint_role
        lead = (f"Every {w.singular(who)} must {where} at {w.the(name)}, so if "
                f"{agree(name, 'it fails', 'they fail')} none "
                f"{'can start' if where == 'start' else 'finish'}")
        return (lead + _volume_words(who, name, c.customers_lost, volume) + ". "
                + _owner_words(spec, eid) + "." + _how_likely(analysis, eid)
                + _expected_loss_words(analysis))
    cut = [spec.by_id[g].name for g in cut_off_goals(spec, c)]
    if c.collapses or c.customers_lost >= 1:
        # Several outcomes are named by the outcomes table right below the sentence.
        what = (f"no one reaches {w.the(goals[0])}" if len(goals) == 1 else
                f"no one reaches any of its {len(goals)} outcomes")
    elif cut:
        what = (f"{w.percent(c.customers_lost)} of {who} stop short and no one reaches "
                f"{w.join_names([w.the(n) for n in cut], 'or')}")
    else:
        what = f"{w.percent(c.customers_lost)} of {who} stop short"
    sentence = (f"If {w.the(name)} {fails}, {what}"
                + _volume_words(who, name, c.customers_lost, volume))
    return (sentence + ". " + _owner_words(spec, eid) + "." + _how_likely(analysis, eid)
            + _expected_loss_words(analysis))


def _how_likely(analysis: JourneyAnalysis, eid: str) -> str:
    """How often the top item is expected to be down, from its availability, with the
    scale a leader needs to judge it (:func:`hours_scale`)."""
    risk = getattr(analysis, "risk", None)
    if risk is None or getattr(risk, "probability", None) is None:
        return ""
    spec = analysis.spec
    name = spec.by_id[eid].name
    it = agree(name, "it", "they")
    a = risk.availability.get(eid, 1.0)
    if a >= 1.0:
        return (f" No failure rate is written for {agree(name, 'it', 'them')}, so "
                f"how often is unknown.")
    # The owner is named in the sentence before: "its owner's", never "<name>'s" (a name
    # may end in a bracket: "World-Check)'s service level").
    its = agree(name, "its", "their")
    source = {"element": f"{its} own service level",
              "party": f"{its} owner's service level",
              "default": "the journey's default service level",
              }.get(risk.availability_source.get(eid, ""), f"{its} service level")
    return (f" {w.capital(it)} {agree(name, 'is', 'are')} expected to be down about "
            f"{hours(1 - a)} a year ({hours_scale(1 - a).split('; ')[-1]}), from {source}.")


def _volume_words(who: str, name: str, lost: float, volume: object) -> str:
    """`` while it is down: about 41 customers an hour``. Per hour down, not per month: a
    leader read "no one reaches it: 30,000 customers a month" as the loss, for a part down
    a few hours a year (the expected loss a year follows, :func:`expected_loss`)."""
    if not volume or lost <= 0:
        return ""
    per_hour = float(volume) * 12 / HOURS_PER_YEAR * lost  # type: ignore[arg-type]
    return (f" while {agree(name, 'it is', 'they are')} down: about {about(per_hour)} "
            f"{who} an hour")


def expected_loss(analysis: JourneyAnalysis) -> tuple[float, float | None] | None:
    """``(people a year, their value or None)`` expected not to finish because parts fail:
    (completion with nothing failed - expected completion from the risk results) x
    ``volume`` x 12. ``None`` without a volume or without availability data (nothing is
    invented)."""
    prob = getattr(getattr(analysis, "risk", None), "probability", None)
    volume = getattr(analysis.spec.journey, "volume", None)
    if prob is None or not volume:
        return None
    n = max(0.0, analysis.baseline_completion - prob.completion) * float(volume) * 12
    value = getattr(analysis.spec.journey, "value", None)
    return n, (n * float(value) if value else None)


def _expected_loss_words(analysis: JourneyAnalysis) -> str:
    """`` Over a year, failures anywhere in the journey are expected to stop about 880 of
    its 360,000 customers (worth about 3,500 in the journey's value units), from its
    parts' service levels.``"""
    loss = expected_loss(analysis)
    if loss is None:
        return ""
    n, worth = loss
    volume = float(analysis.spec.journey.volume or 0)
    value = f" (worth about {about(worth)} {VALUE_UNITS})" if worth is not None else ""
    who = w.people(analysis.spec)
    # Two executives multiplied the hours stopped by the people an hour and got a third
    # of this figure: the rest is lost while single parts are down (a person away, a
    # step with no way round) and the whole journey still runs. The split is exact: with
    # the journey stopped nobody finishes, so those hours cost Q x (completion with
    # nothing failed) of everyone.
    prob = analysis.risk.probability if analysis.risk else None
    whole = prob.collapse * analysis.baseline_completion * volume * 12 if prob else n
    split = ""
    if n - whole >= 1:
        split = (f": {about(whole)} while the whole journey is stopped, "
                 f"{about(n - whole)} while single parts are down")
    return (f" Expected a year: about {about(n)} of "
            f"{round(volume * 12):,} {who} stopped{value}{split}.")


def _baseline_note(analysis: JourneyAnalysis) -> str:
    """What "100% finish when everything works" means (a bank declines applicants: a
    reader disbelieved it), and what "stopped" means, said once for the page."""
    who = w.people(analysis.spec)
    return (f"With every part working, the journey as designed gets "
            f"{w.percent(analysis.baseline_completion)} of {who} who start to a finish "
            f"(declines are not modelled). Stopped: cannot finish while the part is down.")


# The journey's value has no currency (the spec language says so): the report repeats the
# number and says whose unit it is, never guesses one.
VALUE_UNITS = "in the journey's value units"


def value_text(value: float | None) -> str:
    """The header's note on value: ``value per completed journey: 180 (no currency
    given)``, "" without a value."""
    if not value:
        return ""
    shown = f"{value:,.2f}".removesuffix(".00") if value < 100 else about(value)
    return f"value per completed journey: {shown} (no currency given)"


def _owner_words(spec: object, eid: str) -> str:
    control = spec.control_of(eid)  # type: ignore[attr-defined]
    party = spec.party_name(eid)  # type: ignore[attr-defined]
    name = spec.by_id[eid].name  # type: ignore[attr-defined]
    it = agree(name, "it", "them")
    owner = {Control.INTERNAL: f"we run {it} ({party})",
             Control.PARTNER: f"{party}, a partner, runs {it}",
             Control.EXTERNAL: f"{party} runs {it}, outside our control",
             }.get(control, f"no owner is named for {it}")
    return w.capital(owner)


def _tie_note(spec: object, findings: tuple[Finding, ...]) -> str:
    if len(findings) < 2 or findings[0].customers_lost != findings[1].customers_lost:
        return ""
    tied = sum(1 for f in findings if f.customers_lost == findings[0].customers_lost)
    every = "all" if tied == len(findings) else f"{tied} of these"
    # Say the order the fixes really have (see _actions' order): an executive reading
    # page 1 found "least under our control first" contradicted by partner, ours, partner.
    return (f"{every[0].upper()}{every[1:]} stop the same share: listed in the order of the fixes "
            f"that remove them.")


def _finding(analysis: JourneyAnalysis, spof_id: str, cut: dict[str, tuple[str, ...]],
             fix_of: dict[str, int]) -> Finding:
    spec = analysis.spec
    spof = next(s for s in analysis.spofs if s.id == spof_id)
    element = spec.by_id[spof.id]
    cascade = analysis.cascades.get(spof.id)
    lost = spof.customers_lost
    path = spof.path or (spof.id,)
    structural = spec.by_id[path[-1]].id in {s.id for s in analysis.spofs
                                             if s.cause == Cause.STRUCTURAL}
    return Finding(
        id=spof.id, name=element.name, kind=w.kind_word(element),
        party=spec.party_name(spof.id), control=spof.control,
        control_words=w.control_words(spof.control),
        control_label=w.control_label(spof.control), customers_lost=lost,
        customers=w.percent(lost),
        sentence=w.failure_sentence(spec, spof.id, lost, cascade.collapses if cascade else True),
        explain=w.explain_chain(spec, path, structural, spof.endpoint, True),
        chain=w.chain_words(spec, path),
        endpoint=spof.endpoint,
        endpoint_role=("start" if element.entry else "finish") if spof.endpoint else "",
        every_path=spof.cause == Cause.STRUCTURAL,
        cuts_off=cut.get(spof.id, ()), fix=fix_of.get(spof.id, 0))


def _findings(analysis: JourneyAnalysis, cut: dict[str, tuple[str, ...]],
              fix_of: dict[str, int], fixes: tuple[fx.Fix, ...]) -> tuple[Finding, ...]:
    """Single points of failure in the one ranking: most people first; the only
    start/finish last; then by the fix that removes them; least control; name."""
    found = [_finding(analysis, s.id, cut, fix_of) for s in analysis.spofs]
    targets = {f.element for f in fixes}  # the part a fix is about leads it
    found.sort(key=lambda f: (-f.customers_lost, f.endpoint, f.fix or 10**6,
                              f.id not in targets, w.CONTROL_ORDER.get(f.control, 9),
                              f.name.casefold(), f.id))
    return tuple(found)


def _groups(findings: tuple[Finding, ...]) -> tuple[FindingGroup, ...]:
    groups = []
    for control in sorted(w.CONTROL_ORDER, key=w.CONTROL_ORDER.__getitem__):
        members = tuple(f for f in findings if f.control == control)
        if members:
            groups.append(FindingGroup(control, w.CONTROL_HEADINGS[control], members))
    return tuple(groups)


def _figures(analysis: JourneyAnalysis, findings: tuple[Finding, ...], count: int,
             endpoints: tuple[str, ...], worst: float) -> tuple[KeyFigure, ...]:
    who = w.people(analysis.spec)
    outside = sum(1 for f in findings if f.control == Control.EXTERNAL and not f.endpoint)
    partner = sum(1 for f in findings if f.control == Control.PARTNER and not f.endpoint)
    ours = count - outside - partner
    label = "single point of failure" if count == 1 else "single points of failure"
    roles = sorted({f.endpoint_role for f in findings if f.endpoint}, reverse=True)
    steps = (f"the journey's only {' and only '.join(roles)} "
             f"{'step' if len(endpoints) == 1 else 'steps'}")
    if endpoints and count:
        label += f", plus {len(endpoints)} more: {steps}"
    elif endpoints:
        only = "the only one is" if len(endpoints) == 1 else "the only ones are"
        label += f" behind the scenes; {only} {steps}"
    if count:
        control = KeyFigure(f"{ours} of {count}", f"run by us; {partner} by partners, "
                            f"{outside} outside our control",
                            "ours are the easiest to fix")
    else:
        ends = [f for f in findings if f.endpoint]
        control = KeyFigure(str(len(ends)), f"{steps}: " + (
            "run by us" if all(f.control == Control.INTERNAL for f in ends) else
            "; ".join(f"{f.name}: {f.control_words}" for f in ends)),
            "ours are the easiest to fix")
    expected = analysis.robustness.expected_removals_to_collapse
    prob = getattr(getattr(analysis, "risk", None), "probability", None)
    loss = expected_loss(analysis)
    if loss is not None:
        # What failures cost in a year, not the worst failure's share (100% on every
        # page of a complex journey: it told a reader nothing).
        n, worth = loss
        value = f"worth {about(worth)}; " if worth is not None else ""
        third = KeyFigure(about(n), f"{who} stopped a year on average",
                          f"{value}fewer is better")
    elif prob is not None:
        third = KeyFigure(f"{max(0.0, analysis.baseline_completion - prob.completion):.2%}",
                          f"of {who} expected to be stopped by failures, from its parts' "
                          f"service levels", "lower is better")
    else:
        third = KeyFigure(w.percent(worst), f"of {who} stopped by the worst single failure",
                          "lower is better")
    figures = [KeyFigure(str(count), label, "fewer is better"), control, third]
    if prob is not None:
        scale = hours_scale(prob.collapse)
        figures.append(KeyFigure(hours(prob.collapse), f"a year stopped ({scale})",
                                 "fewer hours is better"))
    elif expected > 0:
        figures.append(KeyFigure(f"{expected:.1f}", "parts failing at random, on average, "
                                 "before it stops", "higher is better"))
    return tuple(figures)


def _outcomes(analysis: JourneyAnalysis, cut: dict[str, tuple[str, ...]]
              ) -> tuple[OutcomeRow, ...]:
    spec = analysis.spec
    shares = goal_shares(spec)
    lost = {eid: c.customers_lost for eid, c in analysis.cascades.items()}
    rows = []
    spofs = analysis.spof_ids
    for g in spec.goals:
        # Single points of failure cut off every outcome; the table names the others.
        cutters = sorted((eid for eid, names in cut.items()
                          if g.name in names and eid != g.id and eid not in spofs),
                         key=lambda i: (-lost[i], spec.by_id[i].name.casefold()))
        shown = tuple(spec.by_id[i].name for i in cutters[:SHOWN_CUTTERS])
        rows.append(OutcomeRow(g.name, shares.get(g.id, 0.0), w.percent(shares.get(g.id, 0.0)),
                               shown, len(cutters) - len(shown)))
    rows.sort(key=lambda r: (-r.share, r.name.casefold()))
    return tuple(rows)


# --------------------------------------------------------------------------- actions


def _actions(analysis: JourneyAnalysis, fixes: tuple[fx.Fix, ...]
             ) -> tuple[tuple[Action, ...], dict[str, int]]:
    """The analysis's one ranked list of verified fixes (:mod:`journeymap.analysis.fixes`:
    what is tried, the ranking and why bypasses are only for relay steps) in a leader's
    words; ``fix_of`` maps each single point of failure removed to the first fix that
    removes it."""
    spec = analysis.spec
    endpoints = {s.id for s in analysis.spofs if s.endpoint}
    count = len(analysis.spofs) - len(endpoints)
    actions: list[Action] = []
    fix_of: dict[str, int] = {}
    for rank, fix in enumerate(fixes, 1):
        eid = fix.element
        for i in fix.effect.spofs_removed:
            fix_of.setdefault(i, rank)
        removed = tuple(i for i in fix.effect.spofs_removed if i not in endpoints)
        title, detail = _fix_words(analysis, fix)
        actions.append(Action(
            rank=rank, title=title, detail=detail,
            claim=_claim(analysis, fix, removed, count, endpoints),
            removes=len(removed), customers_protected=fix.effect.customers_protected,
            addresses=tuple(spec.by_id[i].name for i in
                            sorted(fix.effect.spofs_removed, key=lambda i: (i != eid, i))),
            control=spec.control_of(eid), target=spec.by_id[eid].name))
    return tuple(actions), fix_of


def report_fixes(analysis: JourneyAnalysis) -> tuple[tuple[fx.Fix, ...] | None,
                                                   tuple[str, ...]]:
    """The analysis's verified fixes and the parts tried (``None``: over the size limit).
    An analysis made without them (no risk options, or ``fixes`` off) gets them here, by
    the same search."""
    risk = getattr(analysis, "risk", None)
    if risk is not None and (risk.fixes is None or risk.fixes or risk.fixes_tried):
        return risk.fixes, risk.fixes_tried
    from journeymap.analysis.risk import AUTO_FIXES_MAX as limit
    from journeymap.analysis.risk import RiskOptions

    if len(analysis.spec.elements) > limit:
        return None, ()
    options = RiskOptions(probability="off" if risk is None else "auto", max_order=1)
    found = fx.search_fixes(analysis.spec, options, base=risk, spofs=set(analysis.spof_ids))
    return found.fixes, found.tried


def _claim(analysis: JourneyAnalysis, fix: fx.Fix, removed: tuple[str, ...], count: int,
           endpoints: set[str]) -> str:
    """What the re-analysis showed, in the page's one count."""
    spec = analysis.spec
    who = w.people(spec)
    e = fix.effect
    eid = fix.element
    kept = _kept_words(analysis, fix)
    if eid in endpoints:
        rest = ("no other single point of failure remains" if not count else
                f"{count} other single point{'s' if count != 1 else ''} of failure "
                f"remain{'s' if count == 1 else ''}")
        role = "start" if spec.by_id[eid].entry else "finish"
        return (f"Removes the risk of the journey's only {role} step; {rest}."
                f"{_hours_change(e)}{kept}")
    if eid in analysis.spof_ids:
        left = count - len(removed)
        return (f"Removes {len(removed)} of {count} single points of failure; {left} "
                f"remain{'s' if left == 1 else ''}.{_hours_change(e)}{kept}")
    more = _finishing_words(analysis, fix)
    if e.lost_after < e.lost_before:
        return (f"Its failure then stops {w.percent(e.lost_after)} of {who} instead of "
                f"{w.percent(e.lost_before)}.{more}{_hours_change(e)}")
    if e.outcomes_protected:
        names = w.join_names([spec.by_id[g].name for g in e.outcomes_protected])
        return f"Its failure no longer cuts off the {names}.{more}{_hours_change(e)}"
    return (more + _hours_change(e)).strip()


def _kept_words(analysis: JourneyAnalysis, fix: fx.Fix) -> str:
    """`` Keeps about 790 customers a year (worth about 140,000).``: the verified gain in
    expected completion x volume x 12 (journeys with a volume and risk numbers only)."""
    # Printed at the precision the ranking uses (fx.completion_shown), so two fixes the
    # ranking calls tied never read "50" against "52".
    if fx.customers_kept_a_year(analysis.spec, fix.effect) is None:
        return ""
    n = fx.completion_shown(analysis.spec, fix.effect)
    if n < 1:
        return ""
    value = getattr(analysis.spec.journey, "value", None)
    worth = f" (worth {about(n * float(value))})" if value else ""
    return f" Keeps about {about(n)} {w.people(analysis.spec)} a year{worth}."


def _finishing_words(analysis: JourneyAnalysis, fix: fx.Fix) -> str:
    """`` On average about 467 more customers a month finish.`` (risk numbers only): what
    a fix that removes no single point of failure buys most."""
    if not fix.effect.completion_change or fix.effect.completion_change <= 0:
        return ""
    who = w.people(analysis.spec)
    if getattr(analysis.spec.journey, "volume", None):
        return _kept_words(analysis, fix)
    return f" On average {_more_finishing(analysis, fix)} more of all {who} finish."


def _hours_change(effect: fx.FixEffect) -> str:
    """`` Expected time stopped: 135 -> 126 hours a year.`` (risk numbers only)."""
    if effect.collapse_before is None or effect.collapse_after is None:
        return ""
    was, now = hours(effect.collapse_before), hours(effect.collapse_after)
    if was == now:
        return f" Expected time stopped: about {was} a year either way."
    return f" Expected time stopped: {was} → {now} a year."


def _more_finishing(analysis: JourneyAnalysis, fix: fx.Fix) -> str:
    """The gain in expected completion as a leader counts it: people a month when the
    journey gives its volume, else points of the share finishing."""
    gain = fix.effect.completion_change or 0.0
    volume = getattr(analysis.spec.journey, "volume", None)
    if volume:
        n = gain * float(volume)
        return "under 0.1" if n < 0.05 else f"{n:.1f}" if n < 10 else f"{round(n):,d}"
    return f"{gain * 100:.2g}%"


def _fix_order(analysis: JourneyAnalysis, fixes: tuple[fx.Fix, ...]) -> str:
    """Why the fixes on page 1 stand in that order where their claims read the same (the
    rule of :data:`journeymap.analysis.fixes.ORDER` that separates them)."""
    spec = analysis.spec
    fixes = fixes[:TOP_ACTIONS]
    who = w.people(spec)
    volume = getattr(spec.journey, "volume", None)
    out = []
    for i in range(len(fixes) - 1):
        a, b = fixes[i], fixes[i + 1]
        rule = fx.order_reason(spec, a, b)
        if rule in ("removes", "hours", "spofs", "") or (
                rule == "completion" and not a.effect.spofs_removed
                and not b.effect.spofs_removed):
            continue  # the claims already show it
        same = f"Fixes {i + 1} and {i + 2} save the same time"
        if rule == "completion":
            unit = " a month" if volume else ""
            why = (f"{i + 1} comes first as it keeps more {who} on average "
                   f"({_more_finishing(analysis, a)} against {_more_finishing(analysis, b)}"
                   f"{unit})")
        elif rule == "outcomes":
            why = f"{i + 1} comes first as its part's failure then cuts off fewer outcomes"
        elif rule == "customers":
            why = f"{i + 1} comes first as its part's failure then stops fewer {who}"
        elif rule == "kind":
            why = (f"they tie on every number the re-analysis gives; {i + 1} keeps more of "
                   f"the journey as it is")
        elif rule == "control":
            first = ("ours comes first, as the easiest to fix"
                     if spec.control_of(a.element) == Control.INTERNAL else
                     "the partner's comes first, as a partner is easier to bring along "
                     "than an outside party")
            why = (f"they tie on what the page shows, so {first}" if volume else
                   f"they tie on every number the re-analysis gives, so {first}")
        else:
            why = ("they tie on every number the re-analysis gives and on who runs "
                   "them, so they are listed by name")
        out.append(f"{same}: {why}.")
    return " ".join(out)


def _together(analysis: JourneyAnalysis, fixes: tuple[fx.Fix, ...]) -> str:
    """What funding all of page 1's fixes buys, from one copy with all of them written in
    and analysed again (their effects overlap: the claims do not add up)."""
    risk = getattr(analysis, "risk", None)
    shown = fixes[:TOP_ACTIONS]
    t = fx.together(analysis.spec, shown, risk) if risk is not None else None
    if t is None:
        return ""
    n = {2: "Both", 3: "All three"}.get(t.fixes, f"All {t.fixes}")
    text = (f"{n} together, checked on one copy: {hours(t.collapse_before)} → "
            f"{hours(t.collapse_after)} a year stopped.")
    volume = getattr(analysis.spec.journey, "volume", None)
    kept = (t.completion_after - t.completion_before) * float(volume) * 12 if volume else 0.0
    if kept >= 1:
        value = getattr(analysis.spec.journey, "value", None)
        worth = f" (worth {about(kept * float(value))})" if value else ""
        text = text[:-1] + f", about {about(kept)} {w.people(analysis.spec)} a year kept{worth}."
    return text


def _unfixed(findings: tuple[Finding, ...], too_large: bool, tried: tuple[str, ...]) -> str:
    """Why a single point of failure has no fix on the page ("" when all have one)."""
    missing = [f for f in findings if not f.fix]
    if not missing:
        return ""
    if too_large:
        return ("This journey is too large for fixes to be checked (over "
                f"{AUTO_FIXES_MAX:,} parts: each fix is one more analysis of the whole "
                "journey), so none are recommended here.")
    failed = [f.name for f in missing if f.id in tried]
    skipped = [f.name for f in missing if f.id not in tried]
    out = []
    if failed:
        out.append(f"No single change tried here removes the {w.join_names(failed)} on its "
                   f"own (a second one, a fallback, or a route round it still leaves it able "
                   f"to stop everyone): it needs a redesign of what depends on it.")
    if skipped:
        out.append(f"The {w.join_names(skipped)} {'were' if len(skipped) > 1 else 'was'} not "
                   f"checked for a fix: at this size only the parts that add most to the "
                   f"time stopped are re-analysed (each fix is one more analysis).")
    return " ".join(out)


def hours(q: float) -> str:
    """A chance of being stopped as time in a year, the way a leader plans for it.

    Whole hours, not the two figures of :func:`about`: a fix's claim compares two of these
    ("140 -> 131 hours"), and rounding both to tens made a part down 8.8 hours a year
    look as if removing it saved 10.

    >>> hours(0.0154), hours(0.00004), hours(0.0), hours(0.2)
    ('135 hours', '21 minutes', 'no time', '1,753 hours')
    """
    from journeymap.analysis.probability import HOURS_PER_YEAR

    h = q * HOURS_PER_YEAR
    if h <= 0:
        return "no time"
    if h < 1:
        return f"{max(1, round(h * 60))} minutes"
    return f"{round(h):,d} hours" if h >= 10 else f"{h:.1f} hours"


def _fix_words(analysis: JourneyAnalysis, fix: fx.Fix) -> tuple[str, str]:
    """Title and one-paragraph detail of a verified fix: the real alternative, named."""
    spec = analysis.spec
    eid = fix.element
    e = spec.by_id[eid]
    name = w.the(e.name)
    it = agree(e.name, "it", "them")  # "without it", "runs them"
    is_down = agree(e.name, "it is down", "they are down")
    party = spec.party_name(eid)
    who = w.people(spec)
    run_by = _run_by(spec, eid)
    also = [w.the(spec.by_id[i].name) for i in fix.effect.spofs_removed if i != eid]
    also_text = (f" This also removes {w.join_names(also)} as "
                 f"{'a single point' if len(also) == 1 else 'single points'} of failure."
                 if also else "")
    alt = w.capital(fix.alternative)
    if fix.kind in (fx.SECOND_ENTRY, fx.SECOND_GOAL):
        start = fix.kind == fx.SECOND_ENTRY
        sole = len(spec.entries if start else spec.goals) == 1
        head = (f"Every {w.singular(who)} {'starts' if start else 'must finish'} at "
                f"{name}." if sole else
                f"{w.capital(w.percent(fix.effect.lost_before))} of {who} are stopped "
                f"when {name} {agree(e.name, 'is', 'are')} down.")
        if start:
            return (fix.title, f"{head}{run_by} A second way in (another channel leading to "
                    f"the same next steps) keeps them on the journey when {is_down}."
                    f"{also_text}")
        return (fix.title, f"{head}{run_by} A second way to finish (for example by phone or "
                f"in person), reached from the same steps, keeps them from being turned away "
                f"when {is_down}.{also_text}")
    if fix.kind == fx.BYPASS:
        before = w.join_names([w.the(spec.by_id[i].name) for i in fix.before], "or")
        after = w.join_names([w.the(spec.by_id[i].name) for i in fix.after], "or")
        return (fix.title, f"Today every {w.singular(who)} passes through {name}, "
                f"which only passes them on to {after}.{run_by} A direct link from "
                f"{before} to {after} skips {it}, and no step they came for is lost."
                f"{also_text}")
    if fix.kind == fx.SECOND_CHANNEL:
        if fix.alternative.startswith("the same step on a platform"):
            # "The same step on a platform YouTube does not run, reached from …" read as a
            # riddle: name the thing and the platform plainly.
            noun = PLATFORM_NOUNS.get(e.channel or "", "step")
            way = (f"The same {noun} on a second platform, one {party} does not run, keeps "
                   f"them going.")
        else:
            way = (f"{alt}, reached from the same steps and leading to the same next "
                   f"steps, keeps them going.")
        return (fix.title, f"Today {w.percent(fix.effect.lost_before)} of {who} are stopped "
                f"when {name} {agree(e.name, 'is', 'are')} down.{run_by} {way}{also_text}")
    if fix.kind == fx.AVAILABILITY:
        a = spec.availability_of(eid)[0]
        who_away = e.name if e.kind == "person" else name
        return (fix.title, f"Absences of {who_away} today: {w.percent(1 - a)} of the "
                f"time.{run_by} {alt} makes them a tenth as common.")
    # Which steps it stops, unless it stops every one (the table above says so, and the
    # same words under every fix told a reader nothing: an executive read found three
    # fixes all saying "the 24/7 claims line and 9 other steps stop").
    steps = _steps_stopped(analysis, eid) if fix.effect.lost_before < 1 else []
    # The parts that switch, unless they are the steps just named.
    named = bool(steps) and set(fix.users) <= {i for i in spec.by_id
                                               if spec.by_id[i].name in steps}
    user_names = [] if named else _names_of(spec, fix.users, 1)
    users = _listed(user_names) if user_names else "they"
    carry = (agree(user_names[0], "carries on", "carry on") if len(user_names) == 1
             else "carry on")
    stops = (f"Without {it} {_listed(steps)} "
             f"{agree(steps[0], 'stops', 'stop') if len(steps) == 1 else 'stop'}."
             if steps else "")
    if fix.kind == fx.MOVE_OFF:
        moved = w.the(spec.by_id[fix.moved].name)
        pair = w.join_names([w.the(spec.by_id[i].name) for i in fix.partners])
        return (fix.title, f"{w.capital(pair)} look like alternatives, but both rely on "
                f"{name}, so one outage stops both.{run_by} Putting {moved} on "
                f"{fix.alternative} makes the alternative real.{also_text}")
    if fix.kind == fx.FALLBACK:
        return (fix.title, f"{stops}{run_by} {_fallback_words(spec, fix, is_down, also)}"
                .strip())
    return (fix.title, f"{stops}{run_by} Add {fix.alternative} that takes over when "
            f"{is_down}, so {users} {carry}.{also_text}".strip())


# What a step is, for "the same video on a second platform" (by its channel).
PLATFORM_NOUNS = {"video": "video", "web": "page", "app": "app screen", "social": "post",
                  "chat": "chat", "email": "email"}


def _fallback_words(spec: Spec, fix: fx.Fix, is_down: str, also: list[str]) -> str:
    """Who carries on how while the part is down: the parts that use it as a step with a
    manual fallback that does its job by hand, the parts that read it with a read-only
    copy of its data (said apart: "with a manual fallback step and a read-only copy of its
    data the list and 2 other parts carry on" left unclear what is copied and what carries
    on)."""
    eid = fix.element
    own = spec.by_id[eid].name
    # Why it removes more: the assumption the claim rests on, said (a fallback for a check
    # that skipped the screening it relies on would open accounts unscreened).
    job = (f"{agree(own, 'its', 'their')} whole job by hand, {w.join_names(also)} included"
           if also else f"{agree(own, 'its', 'their')} job by hand")
    data = f"a read-only copy of {agree(own, 'its', 'their')} data"

    def using(kind: str) -> list[str]:
        return sorted({u for u in fix.users for n in spec.by_id[u].needs
                       if n.kind == kind and eid in n.targets})

    one = len(also) == 1
    more = (f", which then {'stops' if one else 'stop'} being "
            f"{'a single point' if one else 'single points'} of failure too" if also else "")
    out = []
    for kind, how in (("workflow", f"a manual fallback that does {job}{more}"),
                      ("data", data)):
        ids = using(kind)
        if ids:
            names = _names_of(spec, tuple(ids), 1)
            verb = (agree(names[0], "carries on", "carry on") if len(names) == 1
                    else "carry on")
            out.append(f"{_listed(names)} {verb} with {how}")
    if not out:
        return f"With {fix.alternative} they carry on."
    if not using("workflow"):
        out[-1] += more
    return f"While {is_down}, {'; '.join(out)}."


def _run_by(spec: Spec, eid: str) -> str:
    """`` We run it (IT).`` / `` FRISS, a partner, runs it.``: a fix's part's owner."""
    name = spec.by_id[eid].name
    it = agree(name, "it", "them")
    party = spec.party_name(eid)
    return {Control.EXTERNAL: f" {party} runs {it}, outside our control.",
            Control.PARTNER: f" {party}, a partner, runs {it}.",
            Control.INTERNAL: f" We run {it} ({party}).",
            }.get(spec.control_of(eid), f" No owner is named for {it}.")


def _owner_once(spec: Spec, actions: tuple[Action, ...], fixes: tuple[fx.Fix, ...],
                shown: set[str]) -> tuple[Action, ...]:
    """The fixes' details without who runs the part when page 1's table right above says
    so (the same sentence twice cost the page its last lines)."""
    out = []
    for a, fix in zip(actions, fixes):
        if fix.element in shown:
            a = replace(a, detail=a.detail.replace(_run_by(spec, fix.element).strip(), "", 1)
                        .replace("  ", " ").strip())
        out.append(a)
    return tuple(out) + actions[len(out):]


def _listed(names: list[str]) -> str:
    """``the A and B`` / ``the A and 3 other parts``: "the" only before names."""
    return w.join_names([n if re.fullmatch(r"\d+ other (parts?|steps?)", n) else w.the(n)
                         for n in names])


def _names_of(spec: object, ids: tuple[str, ...], limit: int = 2) -> list[str]:
    names = sorted({spec.by_id[i].name for i in ids})  # type: ignore[attr-defined]
    if len(names) > limit:
        more = len(names) - limit
        return names[:limit] + [f"{more} other part{'s' if more > 1 else ''}"]
    return names


def _steps_stopped(analysis: JourneyAnalysis, eid: str, limit: int = 2) -> list[str]:
    """The customer-facing steps (touch-points) this failure takes down, nearest first."""
    spec = analysis.spec
    cascade = analysis.cascades.get(eid)
    down = set(cascade.down) if cascade else set()
    path = cascade.path if cascade else ()
    order = [i for i in path if i in down] + sorted(down)
    names: list[str] = []
    for i in order:
        if spec.by_id[i].is_touchpoint and spec.by_id[i].name not in names:
            names.append(spec.by_id[i].name)
    if len(names) > limit:
        return names[:limit - 1] + [f"{len(names) - limit + 1} other steps"]
    return names


# --------------------------------------------------------------------------- pictures


def _worst(analysis: JourneyAnalysis, findings: tuple[Finding, ...],
           rows: tuple[CascadeRow, ...]) -> Worst | None:
    """The item page 1 leads with: the top finding, else the failure stopping most."""
    spec = analysis.spec
    if findings:
        wid = findings[0].id
        explain = findings[0].explain
    else:
        cascades = [(c.customers_lost, c.spread, i) for i, c in analysis.cascades.items()
                    if c.customers_lost > 0]
        if not cascades:
            return None
        _, _, wid = min(cascades, key=lambda t: (-t[0], -t[1], t[2]))
        c = analysis.cascades[wid]
        explain = w.explain_chain(spec, c.path or (wid,), False, False, False) if c.path else ""
    c = analysis.cascades[wid]
    return Worst(
        id=wid, name=spec.by_id[wid].name,
        sentence=w.failure_sentence(spec, wid, c.customers_lost, c.collapses),
        explain=explain,
        taken_down=tuple(sorted(spec.by_id[i].name for i in c.down)),
        cut_off=tuple(sorted(spec.by_id[i].name for i in c.stranded)), spread=c.spread)


def _heat(analysis: JourneyAnalysis) -> Heat:
    """Stages × parties. A support without a stage counts in the stages of the
    touch-points that need it (else behind the scenes), as the README says."""
    from journeymap.analysis.build import BACKSTAGE, element_stages

    spec = analysis.spec
    placed = element_stages(spec)
    stage_ids = [s.id for s in spec.stages]
    if any(BACKSTAGE in v for v in placed.values()):
        stage_ids.append(BACKSTAGE)
    stage_names = tuple(spec.stages_by_id[s].name if s in spec.stages_by_id else BEHIND
                        for s in stage_ids)
    party_ids = [p.id for p in spec.parties if any(e.owner == p.id for e in spec.elements)]
    if any(e.owner not in spec.parties_by_id for e in spec.elements):
        party_ids.append("")
    party_ids.sort(key=lambda p: (w.CONTROL_ORDER[spec.parties_by_id[p].control] if p else 9,
                                  spec.parties_by_id[p].name.casefold() if p else ""))
    spof_ids = analysis.spof_ids
    members: dict[tuple[str, str], list[str]] = {}
    for e in spec.elements:
        p = e.owner if e.owner in spec.parties_by_id else ""
        for s in placed[e.id]:
            members.setdefault((p or "", s), []).append(e.id)
    cells = []
    for p in party_ids:
        row = []
        for s in stage_ids:
            ids = members.get((p, s), [])
            risk = max((analysis.cascades[i].customers_lost for i in ids
                        if i in analysis.cascades), default=0.0)
            names = tuple(sorted(spec.by_id[i].name for i in ids if i in spof_ids))
            row.append(HeatCell(len(ids), len(names), risk, names))
        cells.append(tuple(row))
    parties = tuple(spec.parties_by_id[p].name if p else "No owner named" for p in party_ids)
    controls = tuple(w.control_label(spec.parties_by_id[p].control) if p else
                     w.control_label(Control.UNKNOWN) for p in party_ids)
    title = ("Where the journey became complex" if analysis.verdict == Verdict.COMPLEX
             else "Where the weak spots are")
    return Heat(stage_names, parties, controls, tuple(cells),
                _heat_sentence(stage_names, parties, cells), title)


def _heat_sentence(stages: tuple[str, ...], parties: tuple[str, ...],
                   cells: list[tuple[HeatCell, ...]]) -> str:
    by_stage = [sum(row[j].spofs for row in cells) for j in range(len(stages))]
    # A party's count is of its parts: the bank's one Azure tenancy serves six stages and
    # was "Microsoft Azure (6 single points of failure)" when the cells were added up.
    by_party = [len({n for c in row for n in c.names}) for row in cells]
    if not any(by_stage):
        return ("No single failure stops the whole journey: the darker cells show where "
                "failures still stop some people.")
    top_stage = max(range(len(stages)), key=lambda j: (by_stage[j], -j))
    top_party = max(range(len(parties)), key=lambda i: (by_party[i], -i))
    where = (stages[top_stage].lower() if stages[top_stage] == BEHIND
             else f"the {stages[top_stage]} stage")
    tie = (" (the first of equals, left to right and top to bottom)"
           if by_stage.count(by_stage[top_stage]) > 1 or by_party.count(by_party[top_party]) > 1
           else "")
    # Placement differs from the journey at a glance, which names a part under the stage
    # where people are stopped: the telco's line-test parts sit in Fix but stop people at
    # Resolved, and the two pages seemed to disagree until this said why.
    placed = ("Each part is counted in its own stage (a part that serves several stages "
              "in each); the journey at a glance names it where people are stopped, which "
              "can be a later stage.")
    if sum(1 for n in by_stage if n) == 1 and by_stage[top_stage] == 1:
        return (f"The one part whose failure alone stops everyone is in {where}, run by "
                f"{parties[top_party]}. {placed}")
    return (f"Most parts whose failure alone stops everyone are in {where} "
            f"({_count(by_stage[top_stage])}) and with {parties[top_party]} "
            f"({_count(by_party[top_party])}){tie}. {placed}")


def _count(n: int) -> str:
    return "1 single point of failure" if n == 1 else f"{n} single points of failure"


def _curve(analysis: JourneyAnalysis) -> Curve:
    r = analysis.robustness
    who = w.people(analysis.spec)
    pairs = dict(zip(r.removed, r.completion))
    parts = [f"with {k} random failure{'s' if k != 1 else ''} {who} can still finish "
             f"{w.percent(pairs[k])} of the time" for k in (1, 3) if k in pairs]
    sentence = ("If parts of the journey fail at random, " + " and ".join(parts) + "."
                if parts else "")
    if r.expected_removals_to_collapse > 0:
        sentence += (f" On average it stops after {r.expected_removals_to_collapse:.1f} "
                     f"parts have failed. Higher and flatter is better.")
    return Curve(tuple(r.removed), tuple(r.completion), r.expected_removals_to_collapse,
                 r.samples, sentence.strip())


def effects(c: CascadeRow) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What one failure does beyond its own share, as (label, names) in reading order —
    the words every format prints in appendix B (empty: only the people at that step)."""
    return tuple((label, names) for label, names in
                 (("No one reaches", c.cuts_off), ("Also down", c.also_down),
                  ("Cut off", c.cut_off)) if names)


def _cascade_rows(analysis: JourneyAnalysis, cut: dict[str, tuple[str, ...]]
                  ) -> tuple[tuple[CascadeRow, ...], tuple[str, ...]]:
    """Failures that change something for people or other parts, worst first; the
    names of the rest (their failure alone changes nothing) on one line."""
    spec = analysis.spec
    rows = []
    quiet = []
    for e in spec.elements:
        c = analysis.cascades.get(e.id)
        if c is None:
            continue
        outcomes_cut = tuple(n for n in cut.get(e.id, ()) if n != e.name)
        if c.customers_lost <= 0 and not c.collapses and not c.spread and not outcomes_cut:
            quiet.append(e.name)
            continue
        rows.append(CascadeRow(
            name=e.name, kind=w.kind_word(e), owner=w.owner_phrase(spec, e.id),
            party=spec.party_name(e.id), control=spec.control_of(e.id),
            control_label=w.control_label(spec.control_of(e.id)),
            customers_lost=c.customers_lost, customers=w.percent(c.customers_lost),
            stops_journey=c.collapses,
            taken_down=tuple(sorted(spec.by_id[i].name for i in c.down)),
            cut_off=tuple(sorted(spec.by_id[i].name for i in c.stranded)),
            cuts_off=outcomes_cut,
            also_down=tuple(sorted(spec.by_id[i].name for i in c.down
                                   if spec.by_id[i].name not in outcomes_cut))))
    rows.sort(key=lambda r: (-r.customers_lost, not r.stops_journey, -len(r.cuts_off),
                             -(len(r.taken_down) + len(r.cut_off)), r.name.casefold()))
    return tuple(rows), tuple(sorted(quiet, key=str.casefold))


# --------------------------------------------------------------------------- portfolio


@dataclass(frozen=True)
class SharedImpact:
    journey: str
    customers_lost: float
    customers: str
    stops_journey: bool
    at_risk: float | None  # people per month, when the journey gives its volume


@dataclass(frozen=True)
class SharedRisk:
    """A vendor or team whose failure (everything it runs, at once) hits several journeys."""

    party: str
    aliases: tuple[str, ...]  # other names the same party id has in other specs
    mismatch: str  # "Called 'X' in A and 'Y' in B: counted as one; check ..." (_names_differ)
    control: Control
    control_words: str
    control_label: str
    impacts: tuple[SharedImpact, ...]  # most people first
    stopped: int  # journeys it stops completely
    at_risk: float | None  # people per month across journeys (volumes given)
    at_risk_text: str
    elements: tuple[str, ...]  # what it runs in those journeys (names, a few)
    sentence: str


@dataclass(frozen=True)
class PortfolioRow:
    journey: str
    verdict: Verdict
    spofs: int  # the journey's one count (not counting its only start/finish)
    count_text: str
    outside: int  # single points of failure outside our control
    partner: int
    worst: str  # share the top item stops
    worst_name: str  # the top item
    volume: str  # people per month, "" when not given
    at_risk: float | None  # people per month the top item stops
    at_risk_text: str
    top_action: str


@dataclass(frozen=True)
class PortfolioReport:
    title: str
    date: str
    date_text: str
    verdict: Verdict  # complex when any journey is
    sentence: str
    figures: tuple[KeyFigure, ...]
    rows: tuple[PortfolioRow, ...]  # ranked: most people at risk first
    columns: tuple[str, ...]  # the row fields worth a column (none says the same for all)
    rank_rule: str
    shared: tuple[SharedRisk, ...]
    actions: tuple[Action, ...]  # the portfolio's top actions, across journeys
    journeys: tuple[JourneyReport, ...]
    order: tuple[int, ...]  # journeys[k] is the analysis at position order[k] of the input
    legend: Legend = Legend(False, ())
    complex_shown: bool = False  # the verdict column prints "complex" (in vermillion)
    same_for_all: str = ""  # what the columns left out (the same in every row) say, once
    name_checks: tuple[str, ...] = ()  # parties under several names, not in ``shared``
    glossary: tuple[Abbreviation, ...] = ()
    column_labels: tuple[str, ...] = ()  # headings of ``columns``, the same in every target


ALL_COLUMNS = ("verdict", "count_text", "outside", "worst_name", "worst", "at_risk_text",
               "top_action")
# Column headings of the portfolio table, for every target.
COLUMN_LABELS = {"verdict": "verdict", "count_text": "single points of failure",
                 "outside": "outside our control", "worst_name": "worst single failure",
                 "worst": "it stops", "volume": "people a month",
                 "at_risk_text": "people a month it stops", "top_action": "fix first"}
# A column left out (the same in every row) said once in a sentence: a heading such as
# "it stops" reads only beside its neighbour ("worst single failure").
SAME_WORDS = {"verdict": "verdict {}", "count_text": "single points of failure: {}",
              "outside": "outside our control: {}", "worst_name": "worst single failure: {}",
              "worst": "the worst single failure stops {}", "volume": "people a month: {}",
              "at_risk_text": "people a month the worst single failure stops: {}",
              "top_action": "fix first: {}"}
NUMERIC_COLUMNS = frozenset({"outside", "worst", "volume", "at_risk_text"})


def portfolio_report(analyses: list[JourneyAnalysis], date: datetime.date,
                     journeys: tuple[JourneyReport, ...] | None = None) -> PortfolioReport:
    """The same summary across journeys, ranked by people at risk, plus the vendors and
    teams that break several at once. ``journeys``: the journey reports of ``analyses``
    when the caller has made them."""
    made = journeys if journeys is not None else tuple(journey_report(a, date) for a in analyses)
    journeys = made
    rows = []
    for j in journeys:
        lost = j.findings[0].customers_lost if j.findings else (
            max((c.customers_lost for c in j.cascades), default=0.0))
        at_risk = j.volume * lost if j.volume else None
        rows.append(PortfolioRow(
            journey=j.title, verdict=j.verdict, spofs=j.spof_count, count_text=_short_count(j),
            outside=sum(f.control == Control.EXTERNAL and not f.endpoint for f in j.findings),
            partner=sum(f.control == Control.PARTNER and not f.endpoint for f in j.findings),
            worst=w.percent(lost), worst_name=j.worst.name if j.worst else "none",
            volume=about(j.volume) if j.volume else "",
            at_risk=at_risk, at_risk_text=about(at_risk) if at_risk is not None else "",
            top_action=j.actions[0].title if j.actions else "none needed"))
    # Most people at risk first; journeys without a volume after, by share and count.
    order = sorted(range(len(rows)), key=lambda i: (
        rows[i].at_risk is None, -(rows[i].at_risk or 0.0),
        -(made[i].findings[0].customers_lost if made[i].findings else 0.0),
        -rows[i].spofs, rows[i].journey.casefold()))
    rows = [rows[i] for i in order]
    journeys = tuple(made[i] for i in order)
    analyses = [analyses[i] for i in order]
    columns = tuple(c for c in ALL_COLUMNS
                    if len({str(getattr(r, c)) for r in rows}) > 1 or len(rows) == 1)
    with_volume = sum(r.at_risk is not None for r in rows)
    rank_rule = ("Ranked by people a month the worst single failure would stop."
                 if with_volume == len(rows) else
                 "Ranked by people a month at risk where the journey gives its volume, "
                 "then by the share the worst single failure stops."
                 if with_volume else
                 "Ranked by the share the worst single failure stops, then by single points "
                 "of failure (no journey gives its volume of people a month).")
    shared = _shared(analyses)
    n_complex = sum(j.verdict == Verdict.COMPLEX for j in journeys)
    sentence = (f"{n_complex} of {len(journeys)} journeys are complex: one failure behind the "
                f"scenes stops them." if n_complex else
                f"None of the {len(journeys)} journeys is complex: no single failure behind "
                f"the scenes stops any of them.")
    top_row = rows[0]
    if top_row.at_risk:
        sentence += (f" The most people are at risk in {top_row.journey}: about "
                     f"{top_row.at_risk_text} a month if {w.the(top_row.worst_name)} "
                     f"{agree(top_row.worst_name, 'fails', 'fail')}.")
    if shared and shared[0].stopped > 1:
        top = shared[0]
        sentence += (f" One outage at {top.party} ({top.control_words}) would stop "
                     f"{top.stopped} journeys at once.")
    total_at_risk = sum(r.at_risk or 0.0 for r in rows)
    figures = [
        KeyFigure(f"{n_complex} of {len(journeys)}", "journeys are complex",
                  "fewer is better"),
        KeyFigure(str(sum(r.spofs for r in rows)), "single points of failure in all",
                  "fewer is better"),
        KeyFigure(str(sum(r.outside for r in rows)), "of them outside our control",
                  "fewer is better"),
        KeyFigure(str(len(shared)), "vendors or teams whose outage hits several journeys",
                  "fewer is better"),
    ]
    if with_volume:
        figures.insert(0, KeyFigure(about(total_at_risk), "people a month at risk from each "
                                    "journey's worst single failure, added up",
                                    "lower is better"))
    actions = []
    for j, r in zip(journeys, rows):
        for a in j.top_actions:
            actions.append((a, j.title, r.at_risk or 0.0))
    actions.sort(key=lambda t: (-t[2] * (t[0].removes + 1), -t[0].removes,
                                w.CONTROL_ORDER.get(t[0].control, 9), t[1].casefold(),
                                t[0].rank))
    ranked = tuple(Action(rank=i + 1, title=a.title, detail=a.detail,
                          claim=f"{title}: {a.claim[0].lower()}{a.claim[1:]}",
                          removes=a.removes, customers_protected=a.customers_protected,
                          addresses=a.addresses, control=a.control, target=a.target)
                   for i, (a, title, _) in enumerate(actions))
    folio = PortfolioReport(title="Customer journey resilience: portfolio", date=date.isoformat(),
                           date_text=date_text(date),
                           verdict=Verdict.COMPLEX if n_complex else Verdict.COMPLICATED,
                           sentence=sentence,
                           figures=tuple(figures[:4]), rows=tuple(rows), columns=columns,
                           rank_rule=rank_rule, shared=shared, actions=ranked,
                           journeys=journeys, order=tuple(order))
    texts = [folio.sentence, folio.rank_rule]
    texts += [t for f in folio.figures for t in (f.value, f.label)]
    texts += [str(getattr(r, c)) for r in folio.rows for c in ("journey", *columns)]
    flagged = {sh.mismatch for sh in shared}
    checks = tuple(m for m in _name_checks(analyses).values() if m not in flagged)
    same = _dropped_columns(rows, columns)
    texts += [same, *checks]
    texts += [t for sh in shared for t in (sh.party, sh.mismatch, *sh.elements,
                                             *(i.journey for i in sh.impacts))]
    texts += [t for a in folio.actions[:PORTFOLIO_ACTIONS] for t in (a.title, a.claim, a.detail)]
    spec_texts = [t for a in analyses for t in _spec_texts(a.spec)]
    return replace(
        folio, legend=Legend(False, _controls_shown(sh.control for sh in shared),
                             checked=bool(ranked)),
        complex_shown="verdict" in columns and n_complex > 0,
        same_for_all=same, name_checks=checks,
        glossary=tuple(Abbreviation(k, v) for k, v in glossary(
            texts, spec_texts, {k: v for a in analyses for k, v in _described(a.spec).items()})),
        column_labels=tuple(COLUMN_LABELS[c] for c in columns))


def _names_differ(named: list[tuple[str, str]]) -> str:
    """One party (one id) under several names across the journeys, said to a leader:
    ``Called 'StreamCo' in Journey A and 'StreamCo Ltd' in Journey B: counted as one;
    check it is one and use one name.`` ``named``: (name, journey) wherever it stands."""
    journeys: dict[str, list[str]] = {}
    for name, journey in named:
        journeys.setdefault(name, [])
        if journey not in journeys[name]:
            journeys[name].append(journey)
    where = "; ".join(f"'{n}' in {w.join_names(js)}" for n, js in
                      sorted(journeys.items(), key=lambda kv: kv[0].casefold()))
    return f"Called {where}: counted as one; check it is one and use one name."


def _name_checks(analyses: list[JourneyAnalysis]) -> dict[str, str]:
    """Every party (matched by id across the journeys) that goes by more than one name."""
    named: dict[str, list[tuple[str, str]]] = {}
    for a in analyses:
        for p in a.spec.parties:
            named.setdefault(p.id, []).append((p.name, a.spec.journey.name))
    return {pid: _names_differ(names) for pid, names in sorted(named.items())
            if len({n for n, _ in names}) > 1}


def _dropped_columns(rows: list[PortfolioRow], columns: tuple[str, ...]) -> str:
    """What a column left out says for every journey, said once under the table."""
    if len(rows) < 2:
        return ""
    same = [SAME_WORDS[c].format(getattr(rows[0], c)) for c in ALL_COLUMNS
            if c not in columns and str(getattr(rows[0], c)) != ""]
    return ("The same for every journey: " + "; ".join(same) + ".") if same else ""


def _short_count(j: JourneyReport) -> str:
    if not j.endpoints:
        return str(j.spof_count)
    roles = sorted({f.endpoint_role for f in j.findings if f.endpoint}, reverse=True)
    return (f"{j.spof_count}, plus the only {' and only '.join(roles)} "
            f"{'step' if len(j.endpoints) == 1 else 'steps'}")


def _shared(analyses: list[JourneyAnalysis]) -> tuple[SharedRisk, ...]:
    """Vendors and teams (parties, matched by id) and shared catalog parts whose failure
    stops people in two or more journeys: "one video host, three journeys". Computed by
    the portfolio model (:func:`journeymap.analysis.portfolio.build_portfolio`), ranked
    by people a month when every journey gives its volume. The same id under different
    names is flagged, never silently merged or split."""
    from journeymap.analysis.portfolio import VOLUME, build_portfolio

    folio = build_portfolio(analyses)
    out = []
    for sh in folio.shared:
        hits = [j for j in sh.journeys if j.customers_lost > 0 or j.collapses]
        if len(hits) < 2:
            continue
        named: list[tuple[str, str]] = []  # (name, journey) wherever the id stands
        runs: list[str] = []
        for a in analyses:
            spec = a.spec
            if sh.type == "party":
                party = spec.parties_by_id.get(sh.id)
                if party is None:
                    continue
                named.append((party.name, spec.journey.name))
                runs.extend(e.name for e in spec.elements
                            if e.owner == sh.id and e.name not in runs)
            elif sh.id in spec.by_id:
                named.append((spec.by_id[sh.id].name, spec.journey.name))
        aliases = tuple(sorted({n for n, _ in named} - {sh.name}, key=str.casefold))
        mismatch = _names_differ(named) if aliases else ""
        impacts = tuple(SharedImpact(j.name, j.customers_lost, w.percent(j.customers_lost),
                                     j.collapses, j.customers_per_month) for j in hits)
        stopped = [j.name for j in hits if j.collapses]
        if stopped:
            sentence = (f"If {sh.name} fails, {w.join_names(stopped)} stop completely"
                        if len(stopped) > 1 else f"If {sh.name} fails, {stopped[0]} stops "
                        f"completely")
            rest = len(hits) - len(stopped)
            sentence += f", and {rest} more lose people." if rest else "."
        else:
            sentence = f"If {sh.name} fails, {len(hits)} journeys lose people at once."
        at_risk = sh.weight if folio.weighted_by == VOLUME else None
        shown = runs[:4] + ([f"{len(runs) - 4} more"] if len(runs) > 4 else [])
        control = Control(sh.control) if sh.control in set(Control) else Control.UNKNOWN
        out.append(SharedRisk(
            party=sh.name if sh.type == "party" else f"{sh.name} (shared part)",
            aliases=aliases, mismatch=mismatch, control=control,
            control_words=w.control_words(control), control_label=w.control_label(control),
            impacts=impacts, stopped=len(stopped), at_risk=at_risk,
            at_risk_text=about(at_risk) if at_risk is not None else "",
            elements=tuple(shown), sentence=sentence))
    # The portfolio model's ranking (people a month, then journeys stopped); unweighted,
    # journeys stopped first.
    out.sort(key=lambda r: (r.at_risk is None, -(r.at_risk or 0.0), -r.stopped,
                            -len(r.impacts), w.CONTROL_ORDER.get(r.control, 9),
                            r.party.casefold()))
    return tuple(out)
