"""The HTML target: one self-contained page (inline CSS, inline SVG), readable on a phone.

Every piece of user text goes through :func:`journeymap.escape.html`; SVG from Graphviz and the
charts is inlined after dropping its XML prolog (the charts escape their own text).
"""

from __future__ import annotations

import re

from journeymap.analysis.result import Verdict
from journeymap.escape import html as escape  # the one HTML escaper
from journeymap.report.figures import DIAGRAM_NOTE, why_key
from journeymap.report.model import (
    GLOSSARY_HEADING,
    NOT_SPELLED_OUT,
    Abbreviation,
    Action,
    Finding,
    JourneyReport,
    KeyFigure,
    Legend,
    PortfolioReport,
    SharedRisk,
    effects,
)
from journeymap.spec.model import Control

CSS = """
:root{--ink:#1f2933;--muted:#596270;--danger:#c2410c;--danger-bg:#fdebe1;--warning:#b57f00;
--warning-bg:#fdf3d7;--calm:#166534;--calm-bg:#ecfdf3;--rule:#d1d5db;--band:#f3f4f6;
--ours:#0072b2;--partner:#8a5f00;--outside:#a8508a}
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--ink);line-height:1.45;font-size:16px;background:#fff}
main{max-width:980px;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.2rem;margin:2rem 0 .6rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
.kicker{font-size:.75rem;font-weight:bold;letter-spacing:.08em;color:var(--muted);text-transform:uppercase}
.meta{color:var(--muted);font-size:.9rem}
.verdict{padding:.8rem 1rem;border-left:4px solid var(--danger);background:var(--danger-bg);margin:1rem 0;font-size:1.05rem}
.verdict p{font-size:.9rem;margin:.4rem 0 0}
.verdict.warning{border-color:var(--warning);background:var(--warning-bg)}
.verdict.calm{border-color:var(--calm);background:var(--calm-bg)}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.5rem}
.figure{background:var(--band);border-radius:4px;padding:.6rem .8rem}
.figure b{display:block;font-size:1.6rem}.figure span{display:block;font-size:.85rem}
.figure i{font-size:.8rem;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th{text-align:left;font-size:.75rem;color:var(--muted);border-bottom:1px solid var(--rule);padding:.3rem}
td{border-bottom:1px solid var(--rule);padding:.35rem .3rem;vertical-align:top}
td.num{text-align:right;font-weight:bold;white-space:nowrap}
td.stops{color:var(--danger)}
.ctl{font-size:.7rem;font-weight:bold;text-transform:uppercase;color:var(--muted);white-space:nowrap}
.ctl.internal{color:var(--ours)}.ctl.external{color:var(--outside)}.ctl.partner{color:var(--partner)}
.scroll{overflow-x:auto}
table.effects td:first-child{min-width:9em}table.effects td:nth-child(2){min-width:7em}
ol.actions{padding-left:1.4rem}ol.actions li{margin-bottom:.8rem}
.protects{color:var(--calm);font-weight:bold;font-size:.85rem}
.detail{font-size:.9rem}
figure{margin:1rem 0}figure.chart{overflow-x:auto}
figure.chart svg{width:100%;height:auto;max-width:640px;min-width:520px}
figure.diagram{overflow:auto;max-height:80vh;border:1px solid var(--rule);border-radius:4px}
figure.diagram.page{max-height:none}
figure.diagram svg{display:block;max-width:none;height:auto}
.warn{color:var(--danger)}
.note{background:var(--band);padding:.6rem;color:var(--muted)}
.small{font-size:.8rem;color:var(--muted)}
.sw{display:inline-block;width:.8em;height:.8em;vertical-align:middle;border:1px solid var(--muted)}
.sw.danger{background:var(--danger)}.sw.some{background:#edb89f}
.sw.none{background:#e5e7eb;border-color:#c9ced6}
code{font-size:.85rem}
section.journey{border-top:3px solid var(--rule);margin-top:2.5rem;padding-top:.5rem}
@media print{section.journey{page-break-before:always}}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def inline_svg(svg: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog, no DOCTYPE, no comments."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return svg.strip()


def _figures(figs: tuple[KeyFigure, ...]) -> str:
    return '<div class="figures">' + "".join(
        f'<div class="figure"><b>{_e(f.value)}</b><span>{_e(f.label)}</span>'
        f'<i>{_e(f.good)}</i></div>' for f in figs) + "</div>"


def _who(party: str, control: str, label: str) -> str:
    return f'{_e(party)} <span class="ctl {_e(control)}">{_e(label)}</span>'


def _findings(findings: tuple[Finding, ...], people: str = "customers", shown: int = 0) -> str:
    """Page 1's table: the first ``shown`` single points of failure (all when 0)."""
    if not findings:
        return "<p>No single failure stops the whole journey.</p>"
    listed = findings[:shown] if shown else findings
    rows = "".join(
        f"<tr><td>{_e(f.name)}"
        + (f" <span class=small>(the journey's only {_e(f.endpoint_role)} step)</span>"
           if f.endpoint else "")
        + f'</td><td class="num stops">{_e(f.customers)}</td>'
        f"<td>{_who(f.party, f.control, f.control_label)}</td></tr>"
        for f in listed)
    more = (f'<p class="small">… and {len(findings) - len(listed)} more in the appendix.</p>'
            if len(listed) < len(findings) else "")
    return ('<div class="scroll"><table><thead><tr><th>If this fails …</th>'
            f"<th>{_e(people)} stopped</th>"
            f"<th>who runs it</th></tr></thead><tbody>{rows}</tbody></table></div>"
            + more)


def _actions(actions: tuple[Action, ...]) -> str:
    if not actions:
        return "<p>Nothing to fix first: no single failure stops the journey.</p>"
    return '<ol class="actions">' + "".join(
        f'<li><b>{_e(a.title)}</b> <span class="protects">{_e(a.claim)}</span>'
        f'<div class="detail">{_e(a.detail)}</div></li>' for a in actions) + "</ol>"


def _outcomes(j: JourneyReport) -> str:
    if len(j.outcomes) < 2:
        return ""
    rows = "".join(
        f"<tr><td>{_e(o.name)}</td><td class=num>{_e(o.reaching)}</td><td>"
        + ("any single point of failure" + ("; also " if o.cut_off_by else "")
           if j.findings else "")
        + _e(", ".join(o.cut_off_by)) + (f" and {o.more} more" if o.more else "")
        + "</td></tr>" for o in j.outcomes)
    return ('<h2>Which outcomes break</h2><div class="scroll"><table><thead><tr><th>Outcome</th>'
            '<th>share</th><th>no one reaches it when any one of these fails</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


# The "who runs it" tags, in the words every target prints them with.
_TAGS = {Control.EXTERNAL: "outside our control", Control.PARTNER: "partner",
         Control.INTERNAL: "ours", Control.UNKNOWN: "no owner named"}


def _legend(legend: Legend, people: str, complex_shown: bool = False) -> str:
    """The colours the page uses, and only those (model.Legend)."""
    parts = []
    if legend.stops:
        parts.append(f'<span class="sw danger"></span> share of {_e(people)} a single point '
                     "of failure stops")
    if complex_shown:
        parts.append('<span class="warn">complex</span>: one failure stops everyone on the '
                     "journey")
    if legend.checked:
        parts.append('<span class="protects">green</span>: what re-analysing a copy with the '
                     "fix showed")
    if legend.controls:
        parts.append("who runs it: " + " · ".join(
            f'<span class="ctl {_e(c.value)}">{_e(_TAGS[c])}</span>' for c in legend.controls))
    if not parts:
        return ""
    return '<p class="small legend"><b>Colours:</b> ' + " ".join(parts) + "</p>"


def _glossary(glossary: tuple[Abbreviation, ...]) -> str:
    if not glossary:
        return ""
    known = [f"<b>{_e(a.short)}</b>: {_e(a.meaning)}" for a in glossary if a.meaning]
    unknown = [f"<b>{_e(a.short)}</b>" for a in glossary if not a.meaning]
    if unknown:
        known.append(f"{NOT_SPELLED_OUT}: " + ", ".join(unknown))
    return (f'<p class="small glossary"><b>{_e(GLOSSARY_HEADING)}:</b> '
            + " · ".join(known) + "</p>")


def _picture(figures: dict[str, str], key: str, diagram: bool = True, label: str = "",
             page_sized: bool = False) -> str:
    """A picture inline. Diagrams keep their natural size inside a scrolling frame (a
    phone scrolls rather than shrinking names to specks); charts fit the column down to
    a readable width, then scroll too. ``page_sized`` pictures (the spine, the chains:
    drawn for a page) show their whole height; only the blueprint's frame is capped."""
    svg = figures.get(key)
    if svg is None:
        return f'<p class="note">{_e(figures.get(why_key(key), DIAGRAM_NOTE))}</p>'
    if not diagram:
        return f'<figure class="chart">{inline_svg(svg)}</figure>'
    kind = "diagram page" if page_sized else "diagram"
    return (f'<figure class="{kind}" tabindex="0" role="region" aria-label="{_e(label)}">'
            f"{inline_svg(svg)}</figure>")


def _summary(j: JourneyReport, kicker: str, level: str = "h1") -> str:
    volume = f" · {_e(j.volume_text)} {_e(j.people)} a month" if j.volume_text else ""
    volume += f" · {_e(j.value_text)}" if j.value_text else ""
    tie = f'<p class="small">{_e(j.tie_note)}</p>' if j.tie_note else ""
    unfixed = (f'<p class="small">{_e(j.fix_order)}</p>' if j.fix_order else "") + (
        f"<p><b>{_e(j.together)}</b></p>" if j.together else "") + (
        f"<p>{_e(j.unfixed)}</p>" if j.unfixed else "")
    return (f'<p class="kicker">{_e(kicker)}</p><{level}>{_e(j.title)}</{level}>'
            f'<p class="meta">Owner: {_e(j.owner)} · Report date: {_e(j.date_text)}{volume}</p>'
            f'<p class="small">{_e(j.baseline_note)}</p>'
            f'<div class="verdict {_e(j.severity)}"><b>{_e(j.so_what)}</b>'
            f'<p>{_e(j.verdict_sentence)}</p></div>'
            f"{_figures(j.figures)}{_outcomes(j)}<h2>What breaks the journey</h2>"
            f"{_findings(j.findings, j.people, j.shown)}{tie}<h2>The fixes to fund first</h2>"
            '<p class="small">Each fix was written into a copy of the journey and the copy '
            f"analysed again; the green line is what that showed.</p>{_actions(j.top_actions)}"
            f"{unfixed}{_legend(j.legend, j.people)}{_glossary(j.glossary)}")


def _journey_body(j: JourneyReport, figures: dict[str, str], key: str) -> str:
    people = _e(j.people)
    parts = []
    parts.append(f"<h2>The journey at a glance</h2><p>The steps {people} take, stage by "
                 f"stage, and the single points of failure named under the stage where they "
                 f"stop {people}.</p>")
    parts.append(_picture(figures, f"{key}:spine", label="The journey at a glance",
                          page_sized=True))
    tops = [f for f in j.findings if not f.endpoint][:3]
    if tops:
        parts.append("<h2>How the top failures spread</h2>")
        for n, f in enumerate(tops):
            parts.append(f"<h3>{n + 1}. {_e(f.name)}</h3><p>{_e(f.explain)}</p>")
            if f"{key}:chain{n}" in figures:
                parts.append(_picture(figures, f"{key}:chain{n}", page_sized=True,
                                      label=f"How the failure of {f.name} spreads"))
    elif j.worst:
        parts.append(f"<h2>The worst single failure: {_e(j.worst.name)}</h2>"
                     f"<p>{_e(j.worst.sentence)} {_e(j.worst.explain)}</p>")
        if f"{key}:chain0" in figures:
            parts.append(_picture(figures, f"{key}:chain0", page_sized=True,
                                  label=f"How the failure of {j.worst.name} spreads"))
    parts.append(f"<h2>How fast it falls apart</h2><p>{_e(j.curve.sentence)}</p>")
    parts.append(_picture(figures, f"{key}:curve", diagram=False))
    parts.append(f'<p class="small">Estimated from {j.curve.samples} random trials.</p>')
    parts.append(f"<h2>{_e(j.heat.title)}</h2><p>{_e(j.heat.sentence)}</p>")
    parts.append(_picture(figures, f"{key}:heat", diagram=False))
    parts.append("<h2>The whole journey</h2><p>Steps people see are at the top, what they "
                 "need behind the scenes below. Vermillion marks single points of failure; "
                 "box colours: blue ours, amber partner, purple outside our control. "
                 "Scroll sideways and down; the drawing keeps its size so names stay "
                 "readable.</p>")
    parts.append(_picture(figures, f"{key}:journey", label="The whole journey: "
                          "every step and what it needs"))
    parts.append(f"<h2>Appendix</h2><h3>A. Every single point of failure, and why it stops "
                 f"{people}</h3>")
    if j.findings:
        rows = "".join(
            f"<tr><td><b>{_e(f.name)}</b> <span class=small>({_e(f.kind)})</span></td>"
            f"<td>{_who(f.party, f.control, f.control_label)}</td><td>{_e(f.explain)}</td></tr>"
            for f in j.findings)
        parts.append('<div class="scroll"><table><thead><tr><th>What fails</th>'
                     f"<th>who runs it</th><th>why it stops {people}</th>"
                     f"</tr></thead><tbody>{rows}</tbody></table></div>")
    else:
        parts.append("<p>None: no single failure stops the whole journey.</p>")
    rows = "".join(
        f"<tr><td>{_e(c.name)} <span class=small>({_e(c.kind)})</span></td><td>{_who(c.party, c.control, c.control_label)}</td>"
        f'<td class="num">{_e(c.customers)}{" — stops the journey" if c.stops_journey else ""}</td>'
        "<td>" + (". ".join(f"<b>{label}:</b> {_e(', '.join(names))}"
                            for label, names in effects(c)) or f"only the {people} at this step")
        + "</td></tr>"
        for c in j.cascades)
    parts.append("<h3>B. What each part takes down if it fails alone</h3>"
                 '<div class="scroll"><table class="effects"><thead><tr><th>If this fails …</th>'
                 "<th>who runs it</th>"
                 f"<th>{people} stopped</th><th>what no one reaches any more, and what goes "
                 "down with it</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table></div>")
    if j.quiet:
        parts.append(f"<p><b>No effect on its own ({len(j.quiet)} parts):</b> "
                     f"{_e(', '.join(j.quiet))}.</p>")
    parts.append(f"<h3>C. All recommended fixes, each checked by re-analysis</h3>{_actions(j.actions)}")
    parts.append(f"<h3>D. Source</h3><p>Generated by journeymap from <code>{_e(j.source)}</code>.</p>")
    return "".join(parts)


def _shared(shared: tuple[SharedRisk, ...]) -> str:
    if not shared:
        return "<p>None: no vendor or team stops people in more than one journey.</p>"
    rows = "".join(
        f"<tr><td>{_who(s.party, s.control, s.control_label)}"
        + (f'<div class="small">about {_e(s.at_risk_text)} people a month</div>'
           if s.at_risk_text else "")
        + "</td><td>"
        + "; ".join(f"{_e(h.journey)}: <b>{_e(h.customers)}</b>"
                    f"{' (stops it)' if h.stops_journey else ''}" for h in s.impacts)
        + f'<div class="small">It runs: {_e(", ".join(s.elements))}</div>'
        + (f'<div class="small warn">{_e(s.mismatch)}</div>' if s.mismatch else "")
        + "</td></tr>" for s in shared)
    return ('<div class="scroll"><table><thead><tr><th>if everything this party runs fails …</th>'
            f"<th>… people stopped in each journey</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>{body}"
            "</main></body></html>\n")


def journey_html(report: JourneyReport, figures: dict[str, str], key: str = "0") -> str:
    """A journey report as one HTML page."""
    body = _summary(report, "Journey resilience report") + _journey_body(report, figures, key)
    return _page(report.title, body)


def portfolio_html(report: PortfolioReport, figures: dict[str, str]) -> str:
    """A portfolio report: the overview, then each journey's summary and details."""
    from journeymap.report.model import NUMERIC_COLUMNS, PORTFOLIO_ACTIONS

    head = "".join(f"<th>{_e(label)}</th>" for label in report.column_labels)
    rows = "".join(
        f"<tr><td>{_e(r.journey)}</td>" + "".join(
            f"<td{' class=num' if c in NUMERIC_COLUMNS else ''}"
            f"{' class=warn' if c == 'verdict' and r.verdict == Verdict.COMPLEX else ''}>"
            f"{_e(getattr(r, c))}</td>"
            for c in report.columns) + "</tr>" for r in report.rows)
    severity = "danger" if report.verdict == Verdict.COMPLEX else "warning"
    body = [f'<p class="kicker">Journey resilience report · portfolio</p><h1>{_e(report.title)}</h1>'
            f'<p class="meta">{_e(report.date_text)} · {len(report.rows)} journeys</p>'
            f'<div class="verdict {severity}"><b>{_e(report.sentence)}</b>'
            f"<p>{_e(report.rank_rule)}</p></div>{_figures(report.figures)}"
            '<h2>The journeys, most at risk first</h2><div class="scroll"><table><thead><tr>'
            f"<th>journey</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
            + (f'<p class="small">{_e(report.same_for_all)}</p>' if report.same_for_all else "")
            + "<h2>Vendors and teams whose outage hits several journeys at once</h2>"
            + _shared(report.shared)
            + "".join(f"<p><b>{_e(m)}</b></p>" for m in report.name_checks)
            + "<h2>The most valuable fixes across the portfolio</h2>"
            f"{_actions(report.actions[:PORTFOLIO_ACTIONS])}"
            f"{_legend(report.legend, 'people', report.complex_shown)}"
            f"{_glossary(report.glossary)}"]
    for i, j in enumerate(report.journeys):
        body.append(f'<section class="journey">{_summary(j, f"Journey {i + 1} of {len(report.journeys)}", "h1")}'
                    f"{_journey_body(j, figures, str(i))}</section>")
    return _page(report.title, "".join(body))
