"""The Markdown target: the report's words and tables, for wikis and pull requests.

Pictures are not embedded (Markdown viewers differ too much); the PDF and HTML reports
carry them. User text is escaped so names never turn into formatting or links.
"""

from __future__ import annotations

from journeymap.escape import markdown as md_escape  # the one Markdown escaper
from journeymap.escape import markdown_code
from journeymap.report.model import (
    GLOSSARY_HEADING,
    NOT_SPELLED_OUT,
    Abbreviation,
    Action,
    Finding,
    JourneyReport,
    PortfolioReport,
    effects,
)
from journeymap.report.wording import singular


def _findings(findings: tuple[Finding, ...], people: str, shown: int = 0) -> list[str]:
    """Page 1's table: the first ``shown`` single points of failure (all when 0)."""
    if not findings:
        return ["No single failure stops the whole journey.", ""]
    listed = findings[:shown] if shown else findings
    lines = [f"| If this fails … | {people} stopped | who runs it |", "|---|--:|---|"]
    lines += [f"| {md_escape(f.name)}"
              + (f" (the journey's only {f.endpoint_role} step)" if f.endpoint else "")
              + f" | {f.customers} | {md_escape(f.party)} ({f.control_label}) |"
              for f in listed]
    if len(listed) < len(findings):
        lines += ["", f"… and {len(findings) - len(listed)} more in the appendix."]
    return lines + [""]


def _glossary(glossary: tuple[Abbreviation, ...]) -> list[str]:
    if not glossary:
        return []
    known = [f"**{md_escape(a.short)}**: {md_escape(a.meaning)}" for a in glossary if a.meaning]
    unknown = [f"**{md_escape(a.short)}**" for a in glossary if not a.meaning]
    if unknown:
        known.append(f"{NOT_SPELLED_OUT}: " + ", ".join(unknown))
    return [f"{GLOSSARY_HEADING}: " + " · ".join(known), ""]


def _actions(actions: tuple[Action, ...]) -> list[str]:
    if not actions:
        return ["Nothing to fix first: no single failure stops the journey.", ""]
    return [f"{a.rank}. **{md_escape(a.title)}**. {md_escape(a.claim)} {md_escape(a.detail)}"
            for a in actions] + [""]


def _summary(j: JourneyReport, level: str = "#") -> list[str]:
    # Separators outside the escaper: it trims the space before "·".
    volume = f" · {md_escape(j.volume_text)} {md_escape(j.people)} a month" if j.volume_text else ""
    volume += f" · {md_escape(j.value_text)}" if j.value_text else ""
    out = [f"{level} {md_escape(j.title)}", "",
           f"Owner: {md_escape(j.owner)} · Report date: {j.date_text}{volume}", "",
           md_escape(j.baseline_note), "",
           f"> **{md_escape(j.so_what)}**", ">", f"> {md_escape(j.verdict_sentence)}", ""]
    out += [f"- **{md_escape(f.value)}** {md_escape(f.label)} ({md_escape(f.good)})"
            if f.good else f"- **{md_escape(f.value)}** {md_escape(f.label)}"
            for f in j.figures] + [""]
    if len(j.outcomes) > 1:
        out += [f"{level}# Which outcomes break", "",
                "| Outcome | share | no one reaches it when any one of these fails |",
                "|---|--:|---|"]
        for o in j.outcomes:
            cut = ("any single point of failure" + ("; also " if o.cut_off_by else "")
                   if j.findings else "") + ", ".join(o.cut_off_by) + (
                f" and {o.more} more" if o.more else "")
            out.append(f"| {md_escape(o.name)} | {o.reaching} | {md_escape(cut)} |")
        out.append("")
    out += [f"{level}# What breaks the journey", ""]
    if j.worst and j.worst.explain and not j.findings:  # else in the appendix, with the rest
        out += [md_escape(j.worst.explain), ""]
    out += _findings(j.findings, j.people, j.shown)
    if j.tie_note:
        out += [md_escape(j.tie_note), ""]
    out += [f"{level}# The fixes to fund first", "",
            "Each fix was written into a copy of the journey and the copy analysed again.", ""]
    out += _actions(j.top_actions)
    if j.fix_order:
        out += [md_escape(j.fix_order), ""]
    if j.together:
        out += [f"**{md_escape(j.together)}**", ""]
    if j.unfixed:
        out += [md_escape(j.unfixed), ""]
    return out + _glossary(j.glossary)


def _details(j: JourneyReport, level: str = "#") -> list[str]:
    out = [f"{level}# How fast it falls apart", "", md_escape(j.curve.sentence), "",
            "| parts failed at random | " + " | ".join(str(k) for k in j.curve.removed) + " |",
            "|---|" + "--:|" * len(j.curve.removed),
            f"| chance a {md_escape(singular(j.people))} can finish | "
            + " | ".join(f"{round(p * 100)}%" for p in j.curve.completion) + " |", ""]
    out += [f"{level}# {md_escape(j.heat.title)}", "", md_escape(j.heat.sentence), ""]
    if j.findings:
        out += [f"{level}# Appendix: why each single point of failure stops "
                f"{md_escape(j.people)}", ""]
        out += [f"- **{md_escape(f.name)}** ({md_escape(f.control_label)}): {md_escape(f.explain)}"
                for f in j.findings] + [""]
    out += [f"{level}# Appendix: what each part takes down if it fails alone", "",
            f"| If this fails … | who runs it | {md_escape(j.people)} stopped | "
            "what no one reaches any more, and what goes down with it |",
            "|---|---|--:|---|"]
    out += [f"| {md_escape(c.name)} ({c.kind}) | {md_escape(c.owner)} | {c.customers}"
            f"{' (stops the journey)' if c.stops_journey else ''} | "
            + (". ".join(f"**{label}:** {md_escape(', '.join(names))}"
                         for label, names in effects(c))
               or f"only the {md_escape(j.people)} at this step") + " |"
            for c in j.cascades]
    if j.quiet:
        out += ["", f"No effect on its own ({len(j.quiet)} parts): "
                f"{md_escape(', '.join(j.quiet))}."]
    out += ["", f"{level}# All recommended fixes", ""] + _actions(j.actions)
    out += [f"Source: {markdown_code(j.source)}. Diagrams and charts are in the PDF and HTML "
            "reports.", ""]
    return out


def journey_md(report: JourneyReport) -> str:
    return "\n".join(_summary(report) + _details(report))


def portfolio_md(report: PortfolioReport) -> str:
    from journeymap.report.model import NUMERIC_COLUMNS, PORTFOLIO_ACTIONS

    out = [f"# {md_escape(report.title)}", "", f"{report.date_text} · {len(report.rows)} journeys",
           "", f"> **{md_escape(report.sentence)}**", ">", f"> {md_escape(report.rank_rule)}", ""]
    out += [f"- **{md_escape(f.value)}** {md_escape(f.label)}" for f in report.figures] + [""]
    out += ["## The journeys, most at risk first", "",
            "| " + " | ".join(["journey", *report.column_labels]) + " |",
            "|---|" + "".join("--:|" if c in NUMERIC_COLUMNS else "---|" for c in report.columns)]
    out += ["| " + " | ".join([md_escape(r.journey)]
                              + [md_escape(getattr(r, c)) for c in report.columns]) + " |"
            for r in report.rows] + [""]
    if report.same_for_all:
        out += [md_escape(report.same_for_all), ""]
    out += ["## Vendors and teams whose outage hits several journeys at once", ""]
    if report.shared:
        out += [f"- **{md_escape(s.party)}** ({s.control_label})"
                + (f", about {s.at_risk_text} people a month" if s.at_risk_text else "") + ": "
                + "; ".join(f"{md_escape(h.journey)} {h.customers}"
                            f"{' (stops it)' if h.stops_journey else ''}" for h in s.impacts)
                + (f". {md_escape(s.mismatch)}" if s.mismatch else "")
                for s in report.shared] + [""]
    else:
        out += ["None: no vendor or team stops people in more than one journey.", ""]
    out += [f"**{md_escape(m)}**\n" for m in report.name_checks]
    out += ["## The most valuable fixes across the portfolio", ""]
    out += _actions(report.actions[:PORTFOLIO_ACTIONS]) + _glossary(report.glossary)
    for j in report.journeys:
        out += _summary(j, "##") + _details(j, "##")
    return "\n".join(out)
