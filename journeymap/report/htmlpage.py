"""The HTML target: one self-contained page (inline CSS, inline SVG), readable on a phone.

Every piece of user text goes through :func:`html.escape`; SVG from Graphviz and the
charts is inlined after dropping its XML prolog (the charts escape their own text).
"""

from __future__ import annotations

import re
from html import escape

from journeymap.report.figures import DIAGRAM_NOTE, why_key
from journeymap.report.model import (
    Action,
    Finding,
    JourneyReport,
    KeyFigure,
    PortfolioReport,
    SharedRisk,
)

CSS = """
:root{--ink:#1f2933;--muted:#6b7280;--danger:#b42318;--danger-bg:#fdecea;--calm:#166534;
--calm-bg:#ecfdf3;--rule:#d1d5db;--band:#f3f4f6}
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--ink);line-height:1.45;font-size:16px;background:#fff}
main{max-width:920px;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.2rem;margin:2rem 0 .6rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
.kicker{font-size:.75rem;font-weight:bold;letter-spacing:.08em;color:var(--muted);text-transform:uppercase}
.meta{color:var(--muted);font-size:.9rem}
.verdict{padding:.8rem 1rem;border-left:4px solid var(--danger);background:var(--danger-bg);margin:1rem 0;font-size:1.05rem}
.verdict.complicated{border-color:var(--calm);background:var(--calm-bg)}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.5rem}
.figure{background:var(--band);border-radius:4px;padding:.6rem .8rem}
.figure b{display:block;font-size:1.6rem}.figure span{font-size:.8rem;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th{text-align:left;font-size:.75rem;color:var(--muted);border-bottom:1px solid var(--rule);padding:.3rem}
td{border-bottom:1px solid var(--rule);padding:.35rem .3rem;vertical-align:top}
td.num{text-align:right;font-weight:bold;white-space:nowrap}
.ctl{font-size:.7rem;font-weight:bold;text-transform:uppercase;color:var(--muted);white-space:nowrap}
.ctl.external{color:var(--danger)}.ctl.partner{color:#92400e}
.scroll{overflow-x:auto}
ol.actions{padding-left:1.4rem}ol.actions li{margin-bottom:.8rem}
.protects{color:var(--calm);font-weight:bold;font-size:.85rem}
.detail{font-size:.9rem}
figure{margin:1rem 0}figure svg{width:100%;height:auto}
.diagram{overflow-x:auto;border:1px solid var(--rule);border-radius:4px}
.diagram svg{min-width:820px}
.note{background:var(--band);padding:.6rem;color:var(--muted)}
.small{font-size:.8rem;color:var(--muted)}
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
        f'<div class="figure"><b>{_e(f.value)}</b><span>{_e(f.label)}</span></div>'
        for f in figs) + "</div>"


def _who(party: str, control: str, label: str) -> str:
    return f'{_e(party)} <span class="ctl {_e(control)}">{_e(label)}</span>'


def _findings(findings: tuple[Finding, ...]) -> str:
    if not findings:
        return "<p>No single failure stops the whole journey.</p>"
    rows = "".join(
        f"<tr><td>{_e(f.name)}{' <span class=small>(the only start or finish)</span>' if f.endpoint else ''}</td>"
        f'<td class="num">{_e(f.customers)}</td><td>{_who(f.party, f.control, f.control_label)}</td></tr>'
        for f in findings)
    return ('<div class="scroll"><table><thead><tr><th>If this fails …</th><th>customers stopped</th>'
            f"<th>who controls the cause</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _actions(actions: tuple[Action, ...]) -> str:
    if not actions:
        return "<p>Nothing to fix first: no single failure stops the journey.</p>"
    return '<ol class="actions">' + "".join(
        f'<li><b>{_e(a.title)}</b> <span class="protects">protects {_e(a.protects)}</span>'
        f'<div class="detail">{_e(a.detail)}</div></li>' for a in actions) + "</ol>"


def _picture(figures: dict[str, str], key: str, diagram: bool = True) -> str:
    svg = figures.get(key)
    if svg is None:
        return f'<p class="note">{_e(figures.get(why_key(key), DIAGRAM_NOTE))}</p>'
    cls = "diagram" if diagram else "chart"
    return f'<figure class="{cls}">{inline_svg(svg)}</figure>'


def _summary(j: JourneyReport, kicker: str, level: str = "h1") -> str:
    worst = f"<p>{_e(j.worst.sentence)}</p>" if j.worst else ""
    return (f'<p class="kicker">{_e(kicker)}</p><{level}>{_e(j.title)}</{level}>'
            f'<p class="meta">Owner: {_e(j.owner)} · {_e(j.date_text)} · {_e(j.baseline)} of '
            f"customers complete it when everything works</p>"
            f'<div class="verdict {_e(j.verdict)}">{_e(j.verdict_sentence)}</div>'
            f"{_figures(j.figures)}<h2>What breaks the journey</h2>{worst}"
            f"{_findings(j.findings)}<h2>The most valuable fixes</h2>{_actions(j.top_actions)}")


def _journey_body(j: JourneyReport, figures: dict[str, str], key: str) -> str:
    parts = ["<h2>The journey and where it breaks</h2><p>Each box is a step the customer "
             "sees (top) or something behind it that the step needs (below). Red boxes are "
             "single points of failure: one of them failing stops every customer. Scroll "
             "sideways on a small screen.</p>", _picture(figures, f"{key}:journey")]
    if j.worst:
        parts.append(f"<h2>The worst single failure: {_e(j.worst.name)}</h2><p>{_e(j.worst.sentence)}</p>")
        if j.worst.spread:
            parts.append(_picture(figures, f"{key}:worst"))
        else:
            parts.append("<p>Nothing else goes down with it: customers are stopped at this "
                         "one step.</p>")
        if j.worst.taken_down:
            parts.append(f"<p><b>Goes down with it:</b> {_e(', '.join(j.worst.taken_down))}.</p>")
        if j.worst.cut_off:
            parts.append(f"<p><b>Still working but cut off from customers:</b> "
                         f"{_e(', '.join(j.worst.cut_off))}.</p>")
    parts.append(f"<h2>Where the journey became complex</h2><p>{_e(j.heat.sentence)}</p>")
    parts.append(_picture(figures, f"{key}:heat", diagram=False))
    parts.append(f"<h2>How fast it falls apart</h2><p>{_e(j.curve.sentence)}</p>")
    parts.append(_picture(figures, f"{key}:curve", diagram=False))
    parts.append(f'<p class="small">Estimated from {j.curve.samples} random trials.</p>')
    parts.append("<h2>Appendix</h2><h3>A. Every single point of failure</h3>")
    if j.findings:
        rows = "".join(
            f"<tr><td>{_e(f.name)}</td><td>{_e(f.kind)}</td><td>{_who(f.party, f.control, f.control_label)}</td>"
            f'<td class="num">{_e(f.customers)}</td><td>{_e(f.chain)}</td></tr>' for f in j.findings)
        parts.append('<div class="scroll"><table><thead><tr><th>What fails</th><th>what it is</th>'
                     "<th>who runs it</th><th>customers stopped</th><th>how it reaches customers</th>"
                     f"</tr></thead><tbody>{rows}</tbody></table></div>")
    else:
        parts.append("<p>None: no single failure stops the whole journey.</p>")
    rows = "".join(
        f"<tr><td>{_e(c.name)} <span class=small>({_e(c.kind)})</span></td><td>{_who(c.party, c.control, c.control_label)}</td>"
        f'<td class="num">{_e(c.customers)}{" — stops the journey" if c.stops_journey else ""}</td>'
        f"<td>{_e(', '.join(c.taken_down) or 'nothing else')}"
        f"{'; cut off: ' + _e(', '.join(c.cut_off)) if c.cut_off else ''}</td></tr>"
        for c in j.cascades)
    parts.append("<h3>B. What each part takes down if it fails alone</h3>"
                 '<div class="scroll"><table><thead><tr><th>If this fails …</th><th>who runs it</th>'
                 "<th>customers stopped</th><th>what goes down with it</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table></div>")
    parts.append(f"<h3>C. All recommended fixes</h3>{_actions(j.actions)}")
    parts.append(f"<h3>D. Source</h3><p>Generated by journeymap from <code>{_e(j.source)}</code>.</p>")
    return "".join(parts)


def _shared(shared: tuple[SharedRisk, ...]) -> str:
    if not shared:
        return "<p>None: no vendor or team stops customers in more than one journey.</p>"
    rows = "".join(
        f"<tr><td>{_who(s.party, s.control, s.control_label)}"
        + (f'<div class="small">also named: {_e(", ".join(s.aliases))}</div>' if s.aliases else "")
        + "</td><td>"
        + "; ".join(f"{_e(h.journey)}: <b>{_e(h.customers)}</b>"
                    f"{' (stops it)' if h.stops_journey else ''}" for h in s.impacts)
        + f'<div class="small">It runs: {_e(", ".join(s.elements))}</div></td></tr>'
        for s in shared)
    return ('<div class="scroll"><table><thead><tr><th>if everything this party runs fails …</th>'
            f"<th>… customers stopped in each journey</th></tr></thead><tbody>{rows}</tbody></table></div>")


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
    rows = "".join(
        f"<tr><td>{_e(r.journey)}</td><td>{_e(r.verdict)}</td><td class=num>{r.spofs}</td>"
        f"<td class=num>{r.outside}</td><td class=num>{_e(r.worst)}</td></tr>" for r in report.rows)
    complex_ = str(report.verdict)
    body = [f'<p class="kicker">Journey resilience report · portfolio</p><h1>{_e(report.title)}</h1>'
            f'<p class="meta">{_e(report.date_text)} · {len(report.rows)} journeys</p>'
            f'<div class="verdict {complex_}">{_e(report.sentence)}</div>{_figures(report.figures)}'
            '<h2>The journeys</h2><div class="scroll"><table><thead><tr><th>journey</th><th>verdict</th>'
            "<th>single points of failure</th><th>outside our control</th><th>worst single failure stops</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>"
            f"<h2>Vendors and teams whose outage hits several journeys at once</h2>{_shared(report.shared)}"
            f"<h2>The most valuable fixes across the portfolio</h2>{_actions(report.actions[:5])}"]
    for i, j in enumerate(report.journeys):
        body.append(f'<section class="journey">{_summary(j, f"Journey {i + 1} of {len(report.journeys)}", "h1")}'
                    f"{_journey_body(j, figures, str(i))}</section>")
    return _page(report.title, "".join(body))
