"""``--format json``: the machine output contract (design note, "Machine output").

Key order is fixed (insertion order, not alphabetical) and versioned by
``schema_version``; lists are sorted by id, one item per line; numbers are shares rounded
to 12 decimals, so the same spec gives the same bytes. One spec gives one object; several
specs give a JSON array of such objects, in the order the files were given.

Object keys, in order (the contract's keys first, then additions)::

    schema_version, journey{id, name, source}, verdict,
    spofs[]{id, type, control, cause, endpoint, path, customers_lost,
            location{line, column}, name, lines[]},
    elements[]{id, down, stranded, customers_lost, type, control, collapses,
               degraded, path},
    baseline_completion,
    complexity{spof_share, non_endpoint_spofs, mean_spread, max_spread,
               by_stage[], by_party[], critical_lines[]},
    robustness{expected_removals_to_collapse, samples, seed, completion[]},
    control[], handoffs[], dependency_cycles[],
    probability{method, collapse, completion, hours_per_year, trials, seed,
                ci95{collapse[lo, hi], completion[lo, hi]} | null,
                completion_method, note} | null,
    cut_sets[]{ids, customers_lost, control[], probability},
    fixes[]{kind, element, line{source, target} | null, title, alternative, assumption,
            verified{spofs_removed, spofs_added, spofs_before, spofs_after,
                     pairs_removed | null, pairs_added | null,
                     customers_lost_before, customers_lost_after, outcomes_protected,
                     collapse_before, collapse_after, collapse_change,
                     completion_before, completion_after, completion_change,
                     hours_per_year_saved}}

Each element also carries ``availability`` (effective: its own, its party's, the
journey's ``defaults``, else 1) and ``importance{birnbaum, criticality, raw, rrw,
fussell_vesely}`` (``null`` with ``--probability off``; a value is ``null`` where it is
undefined, never NaN). ``probability.method`` says how Q was computed ("exact" or
"monte-carlo"); ``completion_method`` how expected completion was (exact when few sets
of touch-points can be down together); ``trials``/``seed``/``ci95`` are set when some
number came from Monte Carlo (an exact number's interval is the number itself).
``cut_sets`` and ``fixes`` are ``null`` when not computed (journeys over 3,000 elements,
unless ``--max-order`` is given for cut sets). ``cut_sets`` are sorted by size, then
ids; ``control`` lists each member's control in ``ids`` order; ``probability`` is the
chance all members fail on their own at once.
``fixes`` are best first (``journeymap.analysis.fixes``: the ranking and what is tried),
each with what re-running the analysis on the fixed copy showed.

Lines are ``{source, target, kind, form, required, members, location}`` where
``source`` needs ``target``.

A simulation (``journeymap simulate --format json``) is
``{schema_version, journey, failed, survives, down, stranded, degraded,
customers_lost, path, probability, baseline_collapse}``: ``probability`` is the object
above computed with the failed elements down for sure (``null`` with ``--probability
off``), ``baseline_collapse`` the collapse probability without them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from journeymap.analysis.build import controls
from journeymap.analysis.result import Cascade, JourneyAnalysis, Line
from journeymap.analysis.risk import Probability
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Spec

SCHEMA_VERSION = 1


def _loc(loc: Location) -> dict[str, int]:
    return {"line": loc.line, "column": loc.column}


def _line(ln: Line) -> dict[str, Any]:
    return {"source": ln.source, "target": ln.target, "kind": ln.kind, "form": ln.form,
            "required": ln.required, "members": ln.members, "location": _loc(ln.location)}


def _journey(spec: Spec) -> dict[str, Any]:
    return {"id": spec.journey.id, "name": spec.journey.name, "source": spec.source}


def to_dict(a: JourneyAnalysis) -> dict[str, Any]:
    """The contract object of one journey (plain dicts and lists, fixed key order)."""
    spec = a.spec
    cx = a.complexity
    control = controls(spec)
    types = {e.id: e.type.value for e in spec.elements}
    return {
        "schema_version": SCHEMA_VERSION,
        "journey": _journey(spec),
        "verdict": a.verdict,
        "spofs": [
            {"id": s.id, "type": s.type, "control": s.control, "cause": s.cause,
             "endpoint": s.endpoint, "path": list(s.path), "customers_lost": s.customers_lost,
             "location": _loc(s.location), "name": spec.by_id[s.id].name,
             "lines": [_line(ln) for ln in s.lines]}
            for s in a.spofs],
        "elements": [
            {"id": i, "down": list(c.down), "stranded": list(c.stranded),
             "customers_lost": c.customers_lost, "type": types[i],
             "control": control[i], "collapses": c.collapses,
             "degraded": list(c.degraded), "path": list(c.path),
             "availability": spec.availability_of(i)[0],
             "importance": _importance(a.risk.importance.get(i))
             if a.risk is not None and a.risk.importance is not None else None}
            for i, c in sorted(a.cascades.items())],
        "baseline_completion": a.baseline_completion,
        "complexity": {
            "spof_share": cx.spof_share, "non_endpoint_spofs": cx.non_endpoint_spofs,
            "mean_spread": cx.mean_spread, "max_spread": cx.max_spread,
            "by_stage": [_area(x) for x in cx.by_stage],
            "by_party": [_area(x) for x in cx.by_party],
            "critical_lines": [{**_line(c.line), "spofs": list(c.spofs), "fix": c.fix}
                               for c in cx.critical_lines],
        },
        "robustness": {
            "expected_removals_to_collapse": a.robustness.expected_removals_to_collapse,
            "samples": a.robustness.samples, "seed": a.robustness.seed,
            "completion": list(a.robustness.completion),
        },
        "control": [{"control": r.control, "elements": r.elements, "spofs": r.spofs,
                     "customers_at_risk": r.customers_at_risk, "risk_share": r.risk_share}
                    for r in a.control_risk],
        "handoffs": [{"source": h.source, "target": h.target, "layer": h.layer,
                      "kind": h.kind, "from_party": h.from_party, "to_party": h.to_party,
                      "to_control": h.to_control, "location": _loc(h.location)}
                     for h in a.handoffs],
        "dependency_cycles": [list(c) for c in a.dependency_cycles],
        **_risk(a),
    }


def _risk(a: JourneyAnalysis) -> dict[str, Any]:
    """The risk-in-numbers keys (after every v1 key): probability, cut_sets, fixes."""
    r = a.risk
    p = r.probability if r is not None else None
    return {
        "probability": _probability(p) if p is not None else None,
        "cut_sets": None if r is not None and r.cut_sets is None else [
            {"ids": list(c.ids), "customers_lost": c.customers_lost,
             "control": list(c.control), "probability": c.probability}
            for c in (r.cut_sets or () if r is not None else ())],
        "fixes": None if r is not None and r.fixes is None else [
            _fix(f) for f in (r.fixes or () if r is not None else ())],
    }


def _probability(p: Probability) -> dict[str, Any]:
    ci = None
    if p.ci95_collapse is not None or p.ci95_completion is not None:
        ci = {"collapse": list(p.ci95_collapse or (p.collapse, p.collapse)),
              "completion": list(p.ci95_completion or (p.completion, p.completion))}
    return {"method": p.method, "collapse": p.collapse, "completion": p.completion,
            "hours_per_year": p.hours_per_year, "trials": p.trials, "seed": p.seed,
            "ci95": ci, "completion_method": p.completion_method, "note": p.note}


def _importance(x: Any) -> dict[str, Any] | None:
    if x is None:
        return None
    return {"birnbaum": x.birnbaum, "criticality": x.criticality, "raw": x.raw,
            "rrw": x.rrw, "fussell_vesely": x.fussell_vesely}


def _fix(f: Any) -> dict[str, Any]:
    e = f.effect
    return {"kind": f.kind, "element": f.element,
            "line": {"source": f.line[0], "target": f.line[1]} if f.line else None,
            "title": f.title, "alternative": f.alternative, "assumption": f.assumption,
            "verified": {"spofs_removed": list(e.spofs_removed),
                         "spofs_added": list(e.spofs_added),
                         "spofs_before": e.spofs_before, "spofs_after": e.spofs_after,
                         "pairs_removed": e.pairs_removed, "pairs_added": e.pairs_added,
                         "customers_lost_before": e.lost_before,
                         "customers_lost_after": e.lost_after,
                         "outcomes_protected": list(e.outcomes_protected),
                         "collapse_before": e.collapse_before,
                         "collapse_after": e.collapse_after,
                         "collapse_change": e.collapse_change,
                         "completion_before": e.completion_before,
                         "completion_after": e.completion_after,
                         "completion_change": e.completion_change,
                         "hours_per_year_saved": e.hours_per_year_saved}}


def _area(x: Any) -> dict[str, Any]:
    return {"id": x.id, "name": x.name, "elements": x.elements, "spofs": list(x.spofs),
            "customers_at_risk": x.customers_at_risk, "mean_spread": x.mean_spread}


def _item_encoder() -> Callable[[Any], str]:
    """``json.dumps(x, ensure_ascii=False)`` for one item, made once.

    ``json.dumps`` builds a new encoder per call, and even ``JSONEncoder.encode`` builds
    a new C encoder per call: for the 36,000 items of a 10k-element result that is a
    fifth of the writing. The C encoder made once, with the settings ``encode`` passes
    it (no circular check: results are trees), gives the same text.
    """
    default = json.JSONEncoder(ensure_ascii=False)
    if c_make_encoder is None:  # pragma: no cover - a Python without the C accelerator
        return default.encode
    encoder = c_make_encoder(None, default.default, encode_basestring, None, ": ", ", ",
                             False, False, True)
    return lambda value: "".join(encoder(value, 0))


_encode = _item_encoder()


def dumps(doc: dict[str, Any], depth: int = 0) -> str:
    """JSON text with one list item (spof, element, line…) per line.

    Readable and diff-friendly like ``indent=2``, but each item is written by the C
    encoder (``indent`` forces the slow pure-Python one: 10 s on a 100 MB result).
    """
    pad = "  " * (depth + 1)
    lines = []
    for key, value in doc.items():
        if isinstance(value, dict):
            text = dumps(value, depth + 1)
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            items = ",\n".join(f"{pad}  {_encode(x)}" for x in value)
            text = f"[\n{items}\n{pad}]"
        else:
            text = _encode(value)
        lines.append(f"{pad}{json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n" + "  " * depth + "}"


def render(analyses: list[JourneyAnalysis], color: bool = False) -> str:
    docs = [to_dict(a) for a in analyses]
    if len(docs) == 1:
        return dumps(docs[0]) + "\n"
    return "[\n" + ",\n".join(dumps(d) for d in docs) + "\n]\n"


def render_simulation(spec: Spec, c: Cascade, color: bool = False,
                      probability: tuple[Probability, Probability] | None = None) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "journey": _journey(spec),
           "failed": list(c.failed), "survives": not c.collapses, "down": list(c.down),
           "stranded": list(c.stranded), "degraded": list(c.degraded),
           "customers_lost": c.customers_lost, "path": list(c.path),
           "probability": _probability(probability[0]) if probability else None,
           "baseline_collapse": probability[1].collapse if probability else None}
    return dumps(doc) + "\n"


__all__ = ["SCHEMA_VERSION", "dumps", "render", "render_simulation", "to_dict"]
