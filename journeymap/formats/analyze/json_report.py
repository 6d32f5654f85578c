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
    control[], handoffs[], dependency_cycles[]

Lines are ``{source, target, kind, form, required, members, location}`` where
``source`` needs ``target``.

A simulation (``journeymap simulate --format json``) is
``{schema_version, journey, failed, survives, down, stranded, degraded,
customers_lost, path}``.
"""

from __future__ import annotations

import json
from typing import Any

from journeymap.analysis.build import controls
from journeymap.analysis.result import Cascade, JourneyAnalysis, Line
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
             "degraded": list(c.degraded), "path": list(c.path)}
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
    }


def _area(x: Any) -> dict[str, Any]:
    return {"id": x.id, "name": x.name, "elements": x.elements, "spofs": list(x.spofs),
            "customers_at_risk": x.customers_at_risk, "mean_spread": x.mean_spread}


# One encoder for every item: json.dumps(x, ensure_ascii=False) would build a new
# JSONEncoder per call (a third of the rendering time for 10k elements). Same output.
_encode = json.JSONEncoder(ensure_ascii=False).encode


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


def render_simulation(spec: Spec, c: Cascade, color: bool = False) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "journey": _journey(spec),
           "failed": list(c.failed), "survives": not c.collapses, "down": list(c.down),
           "stranded": list(c.stranded), "degraded": list(c.degraded),
           "customers_lost": c.customers_lost, "path": list(c.path)}
    return dumps(doc) + "\n"


__all__ = ["SCHEMA_VERSION", "dumps", "render", "render_simulation", "to_dict"]
