"""One source per fact: verdict, cause, severity, scope, status and control are enums,
and the package compares against their members, never against a bare string."""

from __future__ import annotations

import ast
from pathlib import Path

from journeymap.analysis.result import Cause, Verdict
from journeymap.diff import Status
from journeymap.rules import Scope, Severity
from journeymap.spec.model import Control
from journeymap.words import LEADER, control_words, percent

PACKAGE = Path(__file__).resolve().parent.parent / "journeymap"
ENUMS = (Verdict, Cause, Severity, Scope, Status, Control)
WORDS = {m.value for e in ENUMS for m in e}


def _literals(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for elt in node.elts for s in _literals(elt)]
    return []


def bare_comparisons(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                for word in _literals(side):
                    if word in WORDS:
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {word!r}")
    return found


def test_no_comparison_against_a_bare_vocabulary_string() -> None:
    bad = [hit for p in sorted(PACKAGE.rglob("*.py")) for hit in bare_comparisons(p)]
    assert not bad, "compare against the enum member instead:\n" + "\n".join(bad)


def test_the_scan_finds_a_bare_comparison(tmp_path: Path) -> None:
    # The check above must be able to fail.
    probe = PACKAGE / "_probe_vocabulary.py"
    try:
        probe.write_text("def f(v):\n    return v.verdict == 'complex' or v.c in ('partner',)\n")
        assert len(bare_comparisons(probe)) == 2
    finally:
        probe.unlink()


def test_enum_values_print_and_serialise_as_their_words() -> None:
    import json

    for enum in ENUMS:
        for m in enum:
            assert str(m) == f"{m}" == m.value
            assert json.dumps({m: [m]}) == json.dumps({m.value: [m.value]})


def test_the_two_styles_of_a_share_and_of_control() -> None:
    assert (percent(0.996), percent(0.996, LEADER)) == ("100%", "over 99%")
    assert (percent(0.003), percent(0.003, LEADER)) == ("<1%", "under 1%")
    assert control_words("external") == "external, outside your control"
    assert control_words(Control.EXTERNAL, LEADER) == "outside our control"
    assert control_words("nonsense", LEADER) == "no owner named"


def test_leader_diagram_labels_come_from_the_view_and_leave_names_alone() -> None:
    from journeymap.analysis import analyze
    from journeymap.render import diagram_dot
    from journeymap.spec import load_spec

    path = PACKAGE.parent / "specs" / "newsletter-video.journey.yaml"
    text = path.read_text(encoding="utf-8")
    # A name with the engine's words in it: the old SVG rewrite changed user text too.
    assert "name: Newsletter editor" in text
    text = text.replace("name: Newsletter editor", "name: Endpoint dependency")
    spec = load_spec(str(path), text)
    analysis = analyze(spec, samples=0)
    worst = max(analysis.cascades.values(), key=lambda c: (c.spread, c.failed)).failed[0]
    for highlight in (None, worst):
        plain = diagram_dot(spec, analysis, highlight=highlight)
        leader = diagram_dot(spec, analysis, highlight=highlight, words=LEADER)
        assert "Endpoint dependency" in leader
        assert "SPOF" not in leader and "STRANDED" not in leader
        assert "collapse path" not in leader
        assert ("SPOF" in plain) or ("STRANDED" in plain) or ("collapse path" in plain)
