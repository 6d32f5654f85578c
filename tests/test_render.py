"""Journey diagrams: DOT goldens, layout promises, escaping, views, the render command.

Regenerate the DOT goldens after an intended change with
``JOURNEYMAP_UPDATE_GOLDEN=1 pytest tests/test_render.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.analysis import analyze, simulate
from journeymap.cli import cli
from journeymap.render import (
    GraphvizMissing,
    RenderError,
    diagram_dot,
    diagram_mermaid,
    render,
    render_svg,
)
from journeymap.render import style as S
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
GOLDEN = Path(__file__).resolve().parent / "golden"
NEWSLETTER = SPECS / "newsletter-video.journey.yaml"
BANK = SPECS / "bank-account-opening.journey.yaml"
STARTER = ROOT / "journeymap" / "spec" / "starter.journey.yaml"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")


@pytest.fixture(scope="module")
def newsletter():
    spec = load_spec(str(NEWSLETTER))
    return spec, analyze(spec, samples=0)


@pytest.fixture(scope="module")
def bank():
    spec = load_spec(str(BANK))
    return spec, analyze(spec, samples=0)


def positions(dot: str) -> dict[str, tuple[float, float]]:
    """Pinned node positions (points, y up) from our DOT text."""
    return {m[1]: (float(m[2]), float(m[3]))
            for m in re.finditer(r'^\s*"([^"]+)" \[.*?pos="([-\d.]+),([-\d.]+)!"', dot, re.M)}


def marked(dot: str, mark: str) -> set[str]:
    """Ids of element nodes whose label carries ``mark`` (the legend is not a node id)."""
    return {m[1] for m in re.finditer(r'^\s*"([^"~]+)" \[(.*)\]$', dot, re.M)
            if mark in m[2] and m[1] != "legend"}


def lov_y(dot: str) -> float:
    """y of the line of visibility, from the background drawing."""
    bg = re.search(r'_background="([^"]*)"', dot)[1]
    dashed = bg.split("-dashed", 1)[1]
    return float(re.search(r"L 2 [-\d.]+ ([-\d.]+)", dashed)[1])


# ---- goldens -----------------------------------------------------------------------

def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("JOURNEYMAP_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with JOURNEYMAP_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), \
        f"{name} changed; if intended, regenerate with JOURNEYMAP_UPDATE_GOLDEN=1 and review"


def test_golden_newsletter_with_analysis(newsletter):
    _golden("newsletter-video.dot", diagram_dot(*newsletter))


def test_golden_newsletter_highlight_crm(newsletter):
    _golden("newsletter-video.highlight-crm.dot", diagram_dot(*newsletter, highlight="crm"))


def test_golden_starter_structure_only():
    _golden("starter.dot", diagram_dot(load_spec(str(STARTER))))


def test_golden_mermaid_newsletter(newsletter):
    _golden("newsletter-video.mmd", diagram_mermaid(*newsletter))


def test_same_input_same_bytes(bank):
    assert diagram_dot(*bank) == diagram_dot(*bank)
    assert (diagram_dot(*bank, highlight="core-banking")
            == diagram_dot(*bank, highlight="core-banking"))
    assert diagram_mermaid(*bank) == diagram_mermaid(*bank)


# ---- the blueprint layout ----------------------------------------------------------

@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_blueprint_layout(path):
    spec = load_spec(str(path))
    dot = diagram_dot(spec)
    pos = positions(dot)
    line = lov_y(dot)
    # Frontstage above the line of visibility, backstage below it.
    for e in spec.elements:
        if e.is_touchpoint:
            assert pos[e.id][1] > line, f"{e.id} should be above the line of visibility"
        else:
            assert pos[e.id][1] < line, f"{e.id} should be below the line of visibility"
    # Stage columns left to right in stage order; elements inside their stage's column.
    xs = [pos[f"stage~{s.id}"][0] for s in spec.stages]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    order = {s.id: s.index for s in spec.stages}
    for e in spec.touchpoints:
        left = [x for s, x in zip(spec.stages, xs) if s.index == order[e.stage]][0]
        nxt = [x for s, x in zip(spec.stages, xs) if s.index == order[e.stage] + 1]
        assert pos[e.id][0] > left - 400 and (not nxt or pos[e.id][0] < nxt[0])
    # No two nodes on the same spot.
    assert len(set(pos.values())) == len(pos)


def test_support_without_stage_stands_under_its_first_user():
    spec = load_spec(str(STARTER))  # its supports name no stage
    pos = positions(diagram_dot(spec))
    # subscriber-list serves email-platform, which serves the newsletter (Discover).
    assert abs(pos["subscriber-list"][0] - pos["stage~discover"][0]) < \
        abs(pos["subscriber-list"][0] - pos["stage~engage"][0])
    assert abs(pos["cdn-a"][0] - pos["stage~engage"][0]) < \
        abs(pos["cdn-a"][0] - pos["stage~discover"][0])


def test_spofs_marked_and_explained(newsletter):
    spec, analysis = newsletter
    dot = diagram_dot(spec, analysis)
    for spof in analysis.spofs:
        node = re.search(rf'^\s*"{re.escape(spof.id)}" \[(.*)\]$', dot, re.M)[1]
        assert f'color="{S.ALERT}"' in node and "penwidth=4" in node and "⚠ SPOF" in node
    non_spof = re.search(r'^\s*"web-analytics" \[(.*)\]$', dot, re.M)[1]
    assert "⚠ SPOF" not in non_spof
    assert "⚠ SPOF: failing alone collapses the journey" in dot  # the legend says so
    assert f"Verdict: {analysis.verdict.upper()}" in dot
    assert spec.journey.name in dot


def test_line_styles(newsletter):
    spec, analysis = newsletter
    dot = diagram_dot(spec, analysis)
    flow = re.search(r'^\s*"newsletter" -> "short-link" \[(.*)\]$', dot, re.M)[1]
    assert f'color="{S.FLOW}"' in flow and "penwidth=2.4" in flow
    data = re.search(r'^\s*"subscriber-list" -> "crm" \[(.*)\]$', dot, re.M)[1]
    assert "arrowhead=box" in data and S.NEEDS_STYLE["data"].colour in data
    soft = re.search(r'^\s*"product-page" -> "web-analytics" \[(.*)\]$', dot, re.M)[1]
    assert "style=dashed" in soft
    hard = re.search(r'^\s*"product-page" -> "web-cms" \[(.*)\]$', dot, re.M)[1]
    assert "dashed" not in hard
    # Groups: a junction node labelled "any" / "2 of 3" between owner and members.
    assert re.search(r'"web-cms~2" \[shape=ellipse.*<B>any</B>', dot)
    assert re.search(r'"newsletter~3" \[shape=ellipse.*<B>2 of 3</B>', dot)
    for member in ("newsletter-editor", "product-marketing-manager", "brand-reviewer"):
        assert f'"newsletter~3" -> "{member}"' in dot
    # Channel and control are written in the node, not carried by colour alone.
    node = re.search(r'^\s*"video-watch" \[(.*)\]$', dot, re.M)[1]
    assert "VIDEO" in node and "YouTube (external)" in node


# ---- escaping ----------------------------------------------------------------------

NASTY = textwrap.dedent("""\
    journeymap: 1
    journey: {id: nasty, name: "Quotes \\" & <tags> \\\\ back slash — Łódź 東京 مرحبا"}
    stages: [{id: s1, name: "R&D <1>"}]
    parties: [{id: p, name: 'O"Brien & <Sons>', control: external}]
    touchpoints:
      - {id: a, name: "Say \\"hi\\" & <b>bye</b>", stage: s1, entry: true, owner: p,
         channel: "web & \\"app\\"", description: "line one\\nline \\"two\\" \\\\ end"}
      - {id: b, name: "Доступ 🚀 ok", stage: s1, goal: true, needs: [c]}
    supports:
      - {id: c, name: "Ünïcode & more", kind: system}  # names hold no line breaks (JM016)
    flow: [a -> b]
    """)


@pytest.fixture
def nasty(tmp_path):
    path = tmp_path / "nasty.journey.yaml"
    path.write_text(NASTY, encoding="utf-8")
    return load_spec(str(path))


def test_escaping_in_dot(nasty):
    dot = diagram_dot(nasty)
    assert '"Say \\"hi\\"' not in dot  # names go into HTML labels, entity-escaped
    assert "Say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;" in dot
    assert "O&quot;Brien &amp; &lt;Sons&gt;" in dot
    assert "R&amp;D &lt;1&gt;" in dot
    assert "Łódź 東京 مرحبا" in dot and "Доступ 🚀 ok" in dot
    assert 'tooltip="line one\\nline \\"two\\" \\\\ end"' in dot  # plain attribute quoting
    # No raw newline or unescaped markup inside any label.
    for m in re.finditer(r"label=<(.*?)>,? ", dot):
        assert "\n" not in m[1]


@needs_dot
def test_escaped_dot_draws_and_keeps_the_text(nasty):
    svg = render_svg(nasty).decode("utf-8")
    assert "Łódź 東京" in svg and "Доступ 🚀 ok" in svg
    assert "Say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;" in svg or \
        'Say "hi" &amp; &lt;b&gt;bye&lt;/b&gt;' in svg


def test_escaping_in_mermaid(nasty):
    mmd = diagram_mermaid(nasty)
    assert "Say #quot;hi#quot; #amp; #lt;b#gt;bye#lt;/b#gt;" in mmd
    assert "Ünïcode #amp; more" in mmd
    body = mmd.split("---", 2)[2]
    # Every label is one quoted string: no stray double quote or raw newline inside.
    for m in re.finditer(r'\["(.*?)"\]|\("(.*?)"\)', body):
        assert '"' not in (m[1] or m[2])


# ---- highlight, focus, stage -------------------------------------------------------

def test_highlight_draws_the_cascade(newsletter):
    spec, analysis = newsletter
    cascade = analysis.cascades["crm"]
    assert cascade.collapses and cascade.path  # the picture below depends on it
    dot = diagram_dot(spec, analysis, highlight="crm")
    node = lambda i: re.search(rf'^\s*"{re.escape(i)}" \[(.*)\]$', dot, re.M)[1]  # noqa: E731
    assert "✖ FAILS" in node("crm") and f'fillcolor="{S.ALERT}"' in node("crm")
    for i in cascade.down:
        assert "✖ DOWN" in node(i)
    for i in cascade.stranded:
        assert "⊘ STRANDED" in node(i)
    untouched = set(spec.by_id) - set(cascade.down) - set(cascade.stranded) - {"crm"} \
        - set(cascade.degraded)
    for i in untouched:
        assert f'color="{S.FADED}"' in node(i), f"{i} should be faded"
    # The collapse path: each step drawn bold red, numbered in order.
    for n, (a, b) in enumerate(zip(cascade.path, cascade.path[1:]), 1):
        edge = re.search(rf'^\s*"{re.escape(b)}" -> "{re.escape(a)}" \[(.*)\]$', dot, re.M)
        assert edge, f"step {a} -> {b} not drawn"
        assert f'color="{S.ALERT}"' in edge[1] and "penwidth=4" in edge[1]
        assert f'label=" {n} "' in edge[1]
    assert "If Salesforce CRM (crm, partner) fails" in dot and "the journey collapses" in dot


def test_highlight_accepts_a_multi_failure_cascade(newsletter):
    spec, analysis = newsletter
    both = simulate(spec, ["cloudflare-cdn", "cloudfront-cdn"])
    dot = diagram_dot(spec, analysis, highlight=both)
    assert marked(dot, "✖ FAILS") == {"cloudflare-cdn", "cloudfront-cdn"}
    assert "If Cloudflare CDN" in dot


def test_highlight_without_analysis_simulates(newsletter):
    spec, analysis = newsletter
    down = marked(diagram_dot(spec, highlight="crm"), "✖ DOWN")
    assert down == set(analysis.cascades["crm"].down)


def test_focus_draws_the_neighbourhood(bank):
    spec, analysis = bank
    dot = diagram_dot(spec, analysis, focus="kyc-rules", depth=1)
    pos = positions(dot)
    one_away = {t for n in spec.by_id["kyc-rules"].needs for t in n.targets} | \
        {e.id for e in spec.elements for n in e.needs if "kyc-rules" in n.targets}
    shown = {i for i in pos if i in spec.by_id}
    assert "kyc-rules" in shown and one_away <= shown
    assert len(shown) < len(spec.elements) / 2
    # Elements two lines away are context (faded, dashed); three away are not drawn.
    for i in shown - one_away - {"kyc-rules"}:
        assert re.search(rf'^\s*"{re.escape(i)}" \[.*dashed.*color="{S.FADED}"', dot, re.M)
    assert "showing within 1 line of kyc-rules" in dot
    assert len(positions(diagram_dot(spec, analysis, focus="kyc-rules", depth=3))) > len(pos)


def test_stage_draws_one_column(bank):
    spec, analysis = bank
    dot = diagram_dot(spec, analysis, stage="decide")
    pos = positions(dot)
    assert "stage~decide" in pos
    for e in spec.touchpoints:
        assert (e.id in pos) == (e.stage == "decide") or e.id in pos and "dashed" in \
            re.search(rf'^\s*"{re.escape(e.id)}" \[(.*)\]$', dot, re.M)[1]
    assert "showing stage Decide" in dot


@pytest.mark.parametrize("option", ["highlight", "focus", "stage"])
def test_unknown_ids_say_did_you_mean(newsletter, option):
    spec, analysis = newsletter
    wrong = {"highlight": "crmm", "focus": "esp-", "stage": "discovr"}[option]
    with pytest.raises(RenderError, match=r"did you mean '(crm|esp|discover)'"):
        diagram_dot(spec, analysis, **{option: wrong})


# ---- the render command ------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, ["render", *args])


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_renders_without_graphviz_formats(path, tmp_path):
    for suffix in (".dot", ".mmd"):
        out = tmp_path / f"x{suffix}"
        result = run(str(path), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").startswith(
            "digraph" if suffix == ".dot" else "---")


@needs_dot
@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_renders_svg(path, tmp_path):
    out = tmp_path / "x.svg"
    result = run(str(path), "-o", str(out))
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert 'font-family="DejaVu Sans' in svg


@needs_dot
@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_png_and_pdf(tmp_path, fmt, magic):
    out = tmp_path / f"x.{fmt}"
    result = run(str(STARTER), "-o", str(out), "--highlight", "email-platform")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_format_overrides_suffix_and_stdout(tmp_path):
    out = tmp_path / "diagram.txt"
    assert run(str(STARTER), "-o", str(out), "--format", "mermaid").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("---")
    result = run(str(STARTER), "--format", "dot")
    assert result.exit_code == 0 and result.output.startswith('digraph "newsletter-video"')


def test_unknown_suffix_exits_2(tmp_path):
    result = run(str(STARTER), "-o", str(tmp_path / "x.jpeg"))
    assert result.exit_code == 2
    assert "cannot tell the format" in result.output and "--format" in result.output
    assert not (tmp_path / "x.jpeg").exists()


def test_unknown_id_exits_2_with_hint(tmp_path):
    result = run(str(STARTER), "-o", str(tmp_path / "x.dot"), "--focus", "newsleter")
    assert result.exit_code == 2
    assert "did you mean 'newsletter'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.dot").exists()


def test_bad_spec_exits_2(tmp_path):
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeymap: 1\njourney: {id: x}\n", encoding="utf-8")
    result = run(str(bad), "-o", str(tmp_path / "x.dot"))
    assert result.exit_code == 2 and "error[" in result.output


def test_without_graphviz(tmp_path, monkeypatch):
    # No `dot` anywhere on PATH: the graphviz package cannot find the executable.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizMissing):
        render(load_spec(str(STARTER)), None, "svg")
    for suffix in (".svg", ".png", ".pdf"):
        out = tmp_path / f"x{suffix}"
        result = run(str(STARTER), "-o", str(out))
        assert result.exit_code == 2, result.output
        assert "apt-get install graphviz" in result.output
        assert "brew install graphviz" in result.output
        assert "Traceback" not in result.output and not out.exists()
    for suffix in (".dot", ".mmd"):
        assert run(str(STARTER), "-o", str(tmp_path / f"x{suffix}")).exit_code == 0


@needs_dot
def test_pdf_and_svg_are_byte_identical_across_runs():
    spec = load_spec(str(STARTER))
    assert render(spec, None, "pdf") == render(spec, None, "pdf")  # cairo's timestamp pinned
    assert render_svg(spec) == render_svg(spec)
