"""``--format json``: the whole check as data, keys in a fixed documented order.

Top level: ``schema_version`` (1), ``tool``, ``baseline``, ``fail_on``, ``failed``,
``headline``, ``summary`` (counts per severity, ``waived``), ``journeys`` (each with
its ``diff`` or ``null`` and its findings) and ``findings`` (all, by file position,
including policy findings such as expired waivers). Locations are 1-based.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from journeymap import __version__
from journeymap.diff import JourneyDiff

if TYPE_CHECKING:
    from journeymap.check import CheckReport, Finding

SCHEMA_VERSION = 1


def _loc(loc: Any) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def diff_dict(d: JourneyDiff) -> dict[str, Any]:
    """A :class:`JourneyDiff` as plain JSON-ready data (also ``journeymap diff --format json``)."""
    return {
        "journey": d.journey_id,
        "name": d.name,
        "path": d.path,
        "old_path": d.old_path,
        "status": d.status,
        "headline": d.headline,
        "verdict": {"old": d.old_verdict, "new": d.new_verdict,
                    "became_complex": d.became_complex},
        "completion": {"old": _r(d.old_completion), "new": _r(d.new_completion)},
        "spofs_added": [{"id": s.id, "type": s.type, "control": s.control, "cause": s.cause,
                         "endpoint": s.endpoint, "customers_lost": _r(s.customers_lost),
                         "path": list(s.path), "location": _loc(s.where),
                         "line": ({"source": s.line.source, "target": s.line.target,
                                   "kind": s.line.kind} if s.line else None)}
                        for s in d.spofs_added],
        "spofs_removed": [{"id": s.id, "type": s.type, "control": s.control}
                          for s in d.spofs_removed],
        "cascades": [{"id": c.id, "control": c.control,
                      "spread": {"old": c.old_spread, "new": c.new_spread},
                      "customers_lost": {"old": _r(c.old_lost), "new": _r(c.new_lost)}}
                     for c in d.cascades],
        "handoffs_added": [{"source": h.source, "target": h.target, "layer": h.layer,
                            "kind": h.kind, "to_party": h.to_party, "to_control": h.to_control,
                            "location": _loc(h.location)} for h in d.handoffs_added],
        "handoffs_removed": [{"source": h.source, "target": h.target, "layer": h.layer}
                             for h in d.handoffs_removed],
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "location": _loc(f.location),
        "journey": f.journey,
        "element": f.element,
        "waived": ({"reason": f.waiver.reason, "expires": f.waiver.expires.isoformat()}
                   if f.waiver else None),
        "expired_waiver": (f.expired_waiver.expires.isoformat() if f.expired_waiver else None),
    }


def render(report: CheckReport) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "journeymap", "version": __version__},
        "baseline": report.baseline,
        "policy": report.policy.source,
        "fail_on": report.fail_on,
        "failed": report.failed,
        "headline": report.headline,
        "summary": {"error": report.count("error"), "warning": report.count("warning"),
                    "note": report.count("note"), "waived": len(report.waived),
                    "failing": len(report.failing)},
        "notes": list(report.notes),
        "journeys": [{"path": j.path, "id": j.journey_id, "name": j.name, "verdict": j.verdict,
                      "spofs": j.spofs,
                      "diff": diff_dict(j.diff) if j.diff else None,
                      "findings": [finding_dict(f) for f in j.findings]}
                     for j in report.journeys],
        "findings": [finding_dict(f) for f in report.findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
