"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Each rule carries its plain explanation and what to do (``help``); each result its
``ruleId``, a repository-relative ``uri`` and the 1-based line and column of the YAML
that did it. Waived findings are kept as results with an accepted ``suppressions``
entry (code scanning shows them as dismissed). ``partialFingerprints`` key on rule,
journey and element, not on the line, so alerts survive edits above them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from journeymap import __version__

if TYPE_CHECKING:
    from journeymap.check import CheckReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/journeymap/"


def render(report: CheckReport) -> str:
    rules = list(report.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": "journeymap",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [{
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.explanation},
            "help": {"text": r.help_text,
                     "markdown": f"{r.explanation}\n\n**What to do:** {r.what_to_do}"},
            "defaultConfiguration": {"level": r.severity},
            "properties": {"tags": ["journeymap", "resilience", r.scope]},
        } for r in rules],
    }
    results = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": f.severity,
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": report.uri(f.location.path), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(f.location.line, 1),
                           "startColumn": max(f.location.column, 1)},
            }}],
            "partialFingerprints": {"journeymapFinding/v1": f.fingerprint},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.waiver is not None:
            result["suppressions"] = [{
                "kind": "external", "status": "accepted",
                "justification": f"{f.waiver.reason} (waived until {f.waiver.expires.isoformat()})",
            }]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": "journeymap/check/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if report.baseline:
        run["properties"] = {"baseline": report.baseline}
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
