"""The Markdown target: the report's words and tables, for wikis and pull requests.

Pictures are not embedded (Markdown viewers differ too much); the PDF and HTML reports
carry them. User text is escaped so names never turn into formatting or links.
"""

from __future__ import annotations

import re

from journeymap.report.model import Action, Finding, JourneyReport, PortfolioReport

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_escape(text: object) -> str:
    """Backslash-escape Markdown punctuation; keep text on one line (tables).

    >>> print(md_escape("a*b_c [x](y) | z &lt; 2.5"))
    a\\*b\\_c \\[x\\](y) \\| z &amp;lt; 2.5
    """
    flat = " ".join(str(text).split())
    out = _SPECIAL.sub(r"\\\1", flat)
    # "&lt;" would become "<"; a leading "1. " or "- " would start a list.
    out = _ENTITY.sub("&amp;", out)
    out = re.sub(r"^(\d+)\.(?=\s|$)", r"\1\\.", out)
    return "\\" + out if out[:1] in "-=+" else out


def _findings(findings: tuple[Finding, ...]) -> list[str]:
    if not findings:
        return ["No single failure stops the whole journey.", ""]
    lines = ["| If this fails … | customers stopped | who controls the cause |", "|---|--:|---|"]
    lines += [f"| {md_escape(f.name)} | {f.customers} | {md_escape(f.party)} ({f.control_label}) |"
              for f in findings]
    return lines + [""]


def _actions(actions: tuple[Action, ...]) -> list[str]:
    if not actions:
        return ["Nothing to fix first: no single failure stops the journey.", ""]
    return [f"{a.rank}. **{md_escape(a.title)}** (protects {md_escape(a.protects)}): "
            f"{md_escape(a.detail)}" for a in actions] + [""]


def _summary(j: JourneyReport, level: str = "#") -> list[str]:
    out = [f"{level} {md_escape(j.title)}", "",
           f"Owner: {md_escape(j.owner)} · {j.date_text} · {j.baseline} of customers complete "
           f"it when everything works", "", f"> **{md_escape(j.verdict_sentence)}**", ""]
    out += [f"- **{md_escape(f.value)}** {md_escape(f.label)}" for f in j.figures] + [""]
    out += [f"{level}# What breaks the journey", ""]
    if j.worst:
        out += [md_escape(j.worst.sentence), ""]
    out += _findings(j.findings)
    out += [f"{level}# The most valuable fixes", ""] + _actions(j.top_actions)
    return out


def _details(j: JourneyReport, level: str = "#") -> list[str]:
    out = [f"{level}# Where the journey became complex", "", md_escape(j.heat.sentence), ""]
    out += [f"{level}# How fast it falls apart", "", md_escape(j.curve.sentence), "",
            "| parts failed at random | " + " | ".join(str(k) for k in j.curve.removed) + " |",
            "|---|" + "--:|" * len(j.curve.removed),
            "| chance a customer can finish | "
            + " | ".join(f"{round(p * 100)}%" for p in j.curve.completion) + " |", ""]
    out += [f"{level}# Appendix: what each part takes down if it fails alone", "",
            "| If this fails … | who runs it | customers stopped | what goes down with it |",
            "|---|---|--:|---|"]
    out += [f"| {md_escape(c.name)} ({c.kind}) | {md_escape(c.owner)} | {c.customers}"
            f"{' (stops the journey)' if c.stops_journey else ''} | "
            f"{md_escape(', '.join(c.taken_down) or 'nothing else')}"
            f"{'; cut off: ' + md_escape(', '.join(c.cut_off)) if c.cut_off else ''} |"
            for c in j.cascades]
    out += ["", f"{level}# All recommended fixes", ""] + _actions(j.actions)
    out += [f"Source: `{j.source}`. Diagrams and charts are in the PDF and HTML reports.", ""]
    return out


def journey_md(report: JourneyReport) -> str:
    return "\n".join(_summary(report) + _details(report))


def portfolio_md(report: PortfolioReport) -> str:
    out = [f"# {md_escape(report.title)}", "", f"{report.date_text} · {len(report.rows)} journeys",
           "", f"> **{md_escape(report.sentence)}**", ""]
    out += [f"- **{md_escape(f.value)}** {md_escape(f.label)}" for f in report.figures] + [""]
    out += ["## The journeys", "", "| journey | verdict | single points of failure | outside our "
            "control | worst single failure stops |", "|---|---|--:|--:|--:|"]
    out += [f"| {md_escape(r.journey)} | {r.verdict} | {r.spofs} | {r.outside} | {r.worst} |"
            for r in report.rows] + [""]
    out += ["## Vendors and teams whose outage hits several journeys at once", ""]
    if report.shared:
        out += [f"- **{md_escape(s.party)}** ({s.control_label}): "
                + "; ".join(f"{md_escape(h.journey)} {h.customers}"
                            f"{' (stops it)' if h.stops_journey else ''}" for h in s.impacts)
                for s in report.shared] + [""]
    else:
        out += ["None: no vendor or team stops customers in more than one journey.", ""]
    out += ["## The most valuable fixes across the portfolio", ""] + _actions(report.actions[:5])
    for j in report.journeys:
        out += _summary(j, "##") + _details(j, "##")
    return "\n".join(out)
