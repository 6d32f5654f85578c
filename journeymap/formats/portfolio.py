"""``journeymap portfolio`` output: text, JSON and Markdown of a
:class:`~journeymap.analysis.portfolio.Portfolio`.

JSON (stable key order, ``schema_version`` 1)::

    {"schema_version": 1, "weighted_by": "volume" | "journeys",
     "journeys": [{id, name, source, verdict, elements, spofs, external_spofs,
                   worst: {id, customers_lost} | null, completion, collapse_probability,
                   volume, value, catalogs[]}],
     "shared": [{id, name, type, control, catalog, weight, journeys_stopped,
                 journeys: [{id, customers_lost, collapses, customers_per_month,
                             value_lost}]}],
     "what_if": null | {kind, id, name, control, known, weight, journeys_stopped,
                        journeys: [...as above]}}

``weight`` is customers per month (``weighted_by: volume``, every journey gave a volume)
or journeys' worth of customers (the sum of the shares lost).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from journeymap.analysis.portfolio import VOLUME, JourneyImpact, Portfolio, Shared, WhatIf
from journeymap.analysis.result import Verdict
from journeymap.escape import markdown, terminal_lines
from journeymap.formats.analyze.text import MAX_NAME, table
from journeymap.words import percent

MAX_SHARED = 25  # rows in text and Markdown; JSON has them all


def _impact_dict(i: JourneyImpact) -> dict[str, Any]:
    return {"id": i.id, "customers_lost": i.customers_lost, "collapses": i.collapses,
            "customers_per_month": i.customers_per_month, "value_lost": i.value_lost}


def _shared_dict(s: Shared) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "type": s.type, "control": s.control,
            "catalog": s.catalog, "weight": s.weight, "journeys_stopped": s.stopped,
            "journeys": [_impact_dict(i) for i in s.journeys]}


def _what_if_dict(w: WhatIf) -> dict[str, Any]:
    return {"kind": w.kind, "id": w.id, "name": w.name, "control": w.control,
            "known": not w.unknown, "weight": w.weight, "journeys_stopped": w.stopped,
            "journeys": [_impact_dict(i) for i in w.journeys]}


def portfolio_dict(p: Portfolio) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "weighted_by": p.weighted_by,
        "journeys": [{
            "id": r.id, "name": r.name, "source": r.source, "verdict": r.verdict,
            "elements": r.elements, "spofs": r.spofs, "external_spofs": r.outside,
            "worst": ({"id": r.worst, "customers_lost": r.worst_customers_lost}
                      if r.worst else None),
            "completion": r.completion, "collapse_probability": r.collapse_probability,
            "volume": r.volume, "value": r.value, "catalogs": list(r.catalogs)}
            for r in p.journeys],
        "shared": [_shared_dict(s) for s in p.shared],
        "what_if": _what_if_dict(p.what_if) if p.what_if else None,
    }


def render_json(p: Portfolio) -> str:
    return json.dumps(portfolio_dict(p), indent=2, ensure_ascii=False) + "\n"


# --- words shared by text and Markdown -------------------------------------------------------

def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:,.1f}".rstrip("0").rstrip(".")


def _weight_words(p: Portfolio, weight: float) -> str:
    if p.weighted_by == VOLUME:
        return f"{_number(weight)}/month"
    return f"{weight:.2f} journeys' worth"


def _weighting_sentence(p: Portfolio) -> str:
    if p.weighted_by == VOLUME:
        return "Ranked by customers stopped per month (each journey's volume)."
    return ("Ranked by journeys' worth of customers stopped (the sum of the shares lost); "
            "give every journey a `volume` (customers per month) to rank by customers.")


def _impacts(impacts: Sequence[JourneyImpact], limit: int = 4) -> str:
    shown = [f"{i.id} {percent(i.customers_lost)}{' (stops)' if i.collapses else ''}"
             for i in impacts[:limit] if i.customers_lost > 0]
    rest = sum(1 for i in impacts if i.customers_lost > 0) - len(shown)
    untouched = sum(1 for i in impacts if i.customers_lost <= 0)
    if rest > 0:
        shown.append(f"{rest} more")
    if untouched:
        shown.append(f"{untouched} unharmed")
    return ", ".join(shown) or "no customers lost"


def _chance(q: float) -> str:
    """A small probability readably: 0%, <0.001%, 0.0042%, 1.3%."""
    if q <= 0:
        return "0%"
    if q < 1e-5:
        return "<0.001%"
    return f"{q * 100:.2g}%"


def _name(s: Shared) -> str:
    name = s.name if len(s.name) <= MAX_NAME else s.name[: MAX_NAME - 1] + "…"
    return f"{name} [{s.id}]"


def _journey_rows(p: Portfolio) -> list[list[str]]:
    rows = []
    for r in p.journeys:
        worst = f"{r.worst} {percent(r.worst_customers_lost)}" if r.worst else "none"
        prob = _chance(r.collapse_probability) if r.collapse_probability is not None else "—"
        rows.append([r.id, r.verdict, str(r.spofs), str(r.outside), worst, prob,
                     _number(r.volume) if r.volume else "—"])
    return rows


_JOURNEY_HEADERS = ["Journey", "Verdict", "SPOFs", "Outside", "Worst single failure",
                    "Collapse chance", "Customers/month"]
_SHARED_HEADERS = ["What fails", "Type", "Control", "Journeys", "Stops", "Customers stopped",
                   "Where"]


def _shared_rows(p: Portfolio) -> list[list[str]]:
    return [[_name(s), s.type, s.control, str(len(s.journeys)), str(s.stopped),
             _weight_words(p, s.weight), _impacts(s.journeys)] for s in p.shared[:MAX_SHARED]]


def _what_if_lines(p: Portfolio) -> list[str]:
    w = p.what_if
    assert w is not None
    what = ("fails (everything it runs) in every journey at once" if w.kind == "party"
            else "fails in every journey that has it")
    if w.unknown:
        return [f"What if {w.id} fails everywhere: no journey names "
                f"{'a party' if w.kind == 'party' else 'an element'} '{w.id}'."]
    out = [f"What if {w.name} [{w.id}] ({w.control}) {what}: {w.stopped} of "
           f"{len(w.journeys)} journey(s) stop, {_weight_words(p, w.weight)} of customers "
           "stopped."]
    for i in w.journeys:
        extra = f", {_number(i.customers_per_month)}/month" if i.customers_per_month else ""
        value = f", {_number(i.value_lost)} value/month" if i.value_lost else ""
        out.append(f"  {i.id}: {percent(i.customers_lost)} of customers lost{extra}{value}"
                   f"{' — the journey collapses' if i.collapses else ''}")
    return out


def render_text(p: Portfolio) -> str:
    n_complex = sum(1 for r in p.journeys if r.verdict == Verdict.COMPLEX)
    out = [f"Portfolio: {len(p.journeys)} journey(s), {n_complex} complex", ""]
    out += table(_JOURNEY_HEADERS, _journey_rows(p), indent="")
    out += ["", "Shared elements and parties (in two or more journeys)",
            _weighting_sentence(p)]
    if p.shared:
        out += table(_SHARED_HEADERS, _shared_rows(p), indent="  ")
        if len(p.shared) > MAX_SHARED:
            out.append(f"  … and {len(p.shared) - MAX_SHARED} more (see --format json)")
    else:
        out.append("  none: no element or party stands in two journeys")
    if p.what_if is not None:
        out += [""] + _what_if_lines(p)
    return terminal_lines("\n".join(out) + "\n")  # spec text: no controls, no "::" lines


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return out + ["| " + " | ".join(markdown(c) for c in r) + " |" for r in rows]


def render_markdown(p: Portfolio) -> str:
    n_complex = sum(1 for r in p.journeys if r.verdict == Verdict.COMPLEX)
    out = [f"## Portfolio: {len(p.journeys)} journey(s), {n_complex} complex", ""]
    out += _md_table(_JOURNEY_HEADERS, _journey_rows(p))
    out += ["", "### Shared elements and parties", "", _weighting_sentence(p), ""]
    if p.shared:
        out += _md_table(_SHARED_HEADERS, _shared_rows(p))
        if len(p.shared) > MAX_SHARED:
            out.append(f"\n_… and {len(p.shared) - MAX_SHARED} more (see `--format json`)._")
    else:
        out.append("None: no element or party stands in two journeys.")
    if p.what_if is not None:
        lines = _what_if_lines(p)
        out += ["", "### " + markdown(lines[0].split(":")[0]), "", markdown(lines[0])]
        out += ["- " + markdown(line.strip()) for line in lines[1:]]
    return "\n".join(out) + "\n"


FORMATS = {"text": render_text, "json": render_json, "markdown": render_markdown}

__all__ = ["FORMATS", "portfolio_dict", "render_json", "render_markdown", "render_text"]
