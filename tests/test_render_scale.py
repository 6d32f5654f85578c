"""Diagrams at any size: the blueprint's layout promises checked on what Graphviz
actually draws (example specs and generated journeys of 300 and 1,000 elements), the
routing chosen by size, the summary of a journey too large for one picture, the
page-sized views for the leadership report, and progress on stderr.

Each generated journey is analysed and laid out once per module (fixtures), with
straight lines: node positions are pinned by journeymap, so the routing never moves a
box, and straight routing keeps the Graphviz run well under a second.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.analysis import analyze
from journeymap.cli import cli
from journeymap.render import chain_dot, choose_routing, diagram_dot, scale, spine_dot, summary_dot
from journeymap.render.view import RenderError, element_columns
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
BANK = SPECS / "bank-account-opening.journey.yaml"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")

_gen = importlib.util.spec_from_file_location("jm_generate", ROOT / "tests/benchmarks/generate.py")
generate = importlib.util.module_from_spec(_gen)
sys.modules["jm_generate"] = generate  # dataclasses look their module up
_gen.loader.exec_module(generate)  # type: ignore[union-attr]


def generated(n: int):  # type: ignore[no-untyped-def]
    return load_spec(f"synthetic-{n}.journey.yaml", generate.synthetic_yaml(n, seed=1))


# ---- the layout as drawn -----------------------------------------------------------

def drawn_boxes(dot: str) -> dict[str, tuple[float, float, float, float]]:
    """Node boxes (x0, y0, x1, y1 in points, y up, in the DOT's own coordinates) as
    Graphviz draws them: real label sizes, not journeymap's estimates."""
    plain = subprocess.run(["dot", "-Tplain"], input=dot.encode("utf-8"), capture_output=True,
                           check=True, timeout=120).stdout.decode("utf-8")
    raw = {}
    for line in plain.splitlines():
        m = re.match(r'node ("[^"]+"|\S+) (\S+) (\S+) (\S+) (\S+) ', line)
        if m:
            raw[m[1].strip('"')] = tuple(float(v) * 72 for v in m.groups()[1:])
    # Graphviz shifts the drawing to its bounding box; the corner anchors sit at the
    # DOT's (0, top) and (right, 0).
    dx, dy = raw["corner~0"][0], raw["corner~1"][1]
    return {k: (x - dx - w / 2, y - dy - h / 2, x - dx + w / 2, y - dy + h / 2)
            for k, (x, y, w, h) in raw.items()}


def line_of_visibility(dot: str) -> float:
    bg = re.search(r'_background="([^"]*)"', dot)[1]
    return float(re.search(r"L 2 [-\d.]+ ([-\d.]+)", bg.split("-dashed", 1)[1])[1])


def overlaps(boxes: dict[str, tuple[float, float, float, float]]) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap (sweep over x: fast at thousands of boxes)."""
    found = []
    items = sorted(boxes.items(), key=lambda kv: kv[1][0])
    active: list[tuple[str, tuple[float, float, float, float]]] = []
    for name, b in items:
        active = [(n, a) for n, a in active if a[2] > b[0]]
        for n, a in active:
            if a[1] < b[3] and b[1] < a[3] and a[0] < b[2]:
                found.append((n, name))
        active.append((name, b))
    return found


def assert_blueprint(spec, dot: str) -> None:  # type: ignore[no-untyped-def]
    """Touch-points above the line of visibility, supports and junctions below it,
    stage columns left to right with every element inside its own, no boxes overlap."""
    boxes = drawn_boxes(dot)
    lov = line_of_visibility(dot)
    for e in spec.elements:
        x0, y0, x1, y1 = boxes[e.id]
        if e.is_touchpoint:
            assert y0 > lov, f"touch-point {e.id} reaches below the line of visibility"
        else:
            assert y1 < lov, f"support {e.id} reaches above the line of visibility"
    for name, (_, _, _, y1) in boxes.items():
        if "~" in name and name.split("~")[0] in spec.by_id:  # redundancy-group junctions
            assert y1 < lov, f"junction {name} above the line of visibility"
    heads = [boxes[f"stage~{s.id}"] for s in spec.stages if f"stage~{s.id}" in boxes]
    assert [h[0] for h in heads] == sorted(h[0] for h in heads), "stages out of order"
    column_of = element_columns(spec)
    for e in spec.elements:
        head = boxes.get(f"stage~{column_of[e.id] or '_nostage'}")
        x0, _, x1, _ = boxes[e.id]
        assert head[0] - 8 <= x0 and x1 <= head[2] + 8, f"{e.id} outside its stage column"
    elements = {k: v for k, v in boxes.items()
                if k in spec.by_id or ("~" in k and k.split("~")[0] in spec.by_id)}
    assert overlaps(elements) == []


@pytest.fixture(scope="module", params=[300, 1000], ids=lambda n: f"generated-{n}")
def big(request):
    spec = generated(request.param)
    analysis = analyze(spec, samples=0)
    return spec, analysis, diagram_dot(spec, analysis)


@needs_dot
@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_blueprint_as_drawn_examples(path):
    spec = load_spec(str(path))
    assert_blueprint(spec, diagram_dot(spec, analyze(spec, samples=0), routing="straight"))


@needs_dot
def test_blueprint_as_drawn_generated(big):
    spec, _, dot = big
    assert_blueprint(spec, dot)


def test_overlap_check_finds_overlaps():
    # The checker itself: it must see a real overlap, and only that one.
    boxes = {"a": (0, 0, 10, 10), "b": (5, 5, 15, 15), "c": (20, 0, 30, 10),
             "d": (10.5, 0, 19, 4)}
    assert overlaps(boxes) == [("a", "b")]


# ---- routing by size ---------------------------------------------------------------

def test_routing_by_size(big):
    spec, analysis, dot = big
    assert "splines=false" in dot  # straight: hundreds of boxes
    small = load_spec(str(BANK))
    assert "splines=true" in diagram_dot(small)  # curved while cheap
    assert "splines=ortho" in diagram_dot(small, routing="orthogonal")
    assert "splines=true" in diagram_dot(spec, analysis, stage=spec.stages[0].id,
                                         routing="curved")
    with pytest.raises(ValueError):
        choose_routing(1, 1, "wiggly")


def test_routing_threshold_follows_nodes_times_lines():
    limit = scale.CURVED_UP_TO
    assert choose_routing(100, limit // 100) == "curved"
    assert choose_routing(100, limit // 100 + 1) == "straight"


# ---- the summary -------------------------------------------------------------------

def _text(dot: str) -> str:
    """The words of the summary table (not the title): tags dropped, lines joined."""
    import html

    dot = dot.split('"summary" [', 1)[1]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", dot.replace("<BR/>", " "))))


def test_summary_counts_everything_and_names_every_spof():
    spec = load_spec(str(BANK))
    analysis = analyze(spec, samples=0)
    dot = summary_dot(spec, analysis)
    text = _text(dot)
    assert sum(int(n) for n in re.findall(r"(\d+) touch-points?\b", text)) == len(spec.touchpoints)
    assert sum(int(n) for n in re.findall(r"(\d+) supports?\b", text)) == len(spec.supports)
    assert analysis.spofs
    for s in analysis.spofs:
        assert f"⚠ {spec.by_id[s.id].name} ·" in text, s.id
    # Stages stay left to right: header cells in stage order.
    heads = [text.index(f"{s.index + 1} · {s.name}") for s in spec.stages]
    assert heads == sorted(heads)


def test_summary_many_parties_folded(big):
    spec, analysis, _ = big
    text = _text(summary_dot(spec, analysis))
    assert sum(int(n) for n in re.findall(r"(\d+) supports?\b", text)) == len(spec.supports)
    assert sum(int(n) for n in re.findall(r"(\d+) touch-points?\b", text)) == len(spec.touchpoints)


@pytest.fixture
def spec_300(tmp_path):
    path = tmp_path / "big.journey.yaml"
    path.write_text(generate.synthetic_yaml(300, seed=1), encoding="utf-8")
    return path


def test_render_summarises_beyond_the_readable_size(spec_300, tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "SUMMARY_ABOVE", 200)
    out = tmp_path / "x.dot"
    result = CliRunner().invoke(cli, ["render", str(spec_300), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "too many to read as one picture" in result.stderr and "--full" in result.stderr
    assert "Summary of 300 elements" in out.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(spec_300), "-o", str(out), "--full"])
    assert result.exit_code == 0 and result.stderr == ""
    assert '"tp-0" [' in out.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(spec_300), "-o", str(out), "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
    # A part asked for is drawn in full.
    result = CliRunner().invoke(cli, ["render", str(spec_300), "-o", str(out),
                                      "--stage", "stage-1"])
    assert result.exit_code == 0 and "Summary of" not in out.read_text(encoding="utf-8")


# ---- views for the leadership report -------------------------------------------------

def _svg_text(svg: str) -> str:
    import html

    return re.sub(r"\s+", " ", " ".join(html.unescape(t) for t in
                                        re.findall(r"<text[^>]*>([^<]*)</text>", svg)))


def _assert_fits_a4(svg: str, width_pt: float = 453.0) -> None:
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1])
    assert width <= width_pt + 1
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 6


def _assert_no_ids(spec, text: str) -> None:  # type: ignore[no-untyped-def]
    words = set(re.findall(r"[A-Za-z0-9_-]+", text))
    for e in spec.elements:
        if e.id != e.name and e.id not in e.name and "-" in e.id:
            assert e.id not in words, f"id {e.id} shown to a leader"
    assert Path(spec.source).name not in text


@needs_dot
@pytest.mark.parametrize("path", [BANK, SPECS / "newsletter-video.journey.yaml"],
                         ids=lambda p: p.stem)
def test_spine_names_every_spof_and_fits_a4(path):
    spec = load_spec(str(path))
    analysis = analyze(spec, samples=0)
    from journeymap.render import spine_svg

    svg = spine_svg(spec, analysis).decode("utf-8")
    _assert_fits_a4(svg)
    text = _svg_text(svg)
    flat = text.replace(" ", "")
    for s in analysis.spofs:
        assert spec.by_id[s.id].name.replace(" ", "") in flat, s.id
    for t in spec.touchpoints[:8]:
        assert t.name.replace(" ", "") in flat
    _assert_no_ids(spec, text)


@needs_dot
def test_spine_of_a_large_journey_fits_a4(big):
    from journeymap.render import spine_svg

    spec, analysis, _ = big
    svg = spine_svg(spec, analysis).decode("utf-8")
    _assert_fits_a4(svg)
    assert "more" in _svg_text(svg)  # long stages are cut with "+ n more"


@needs_dot
def test_chain_shows_the_collapse_path_in_order():
    from journeymap.render import chain_svg

    spec = load_spec(str(BANK))
    analysis = analyze(spec, samples=0)
    worst = max(analysis.cascades.values(), key=lambda c: (c.customers_lost, len(c.path)))
    assert len(worst.path) >= 3
    svg = chain_svg(spec, worst).decode("utf-8")
    _assert_fits_a4(svg)
    flat = _svg_text(svg).replace(" ", "")
    at = [flat.index(spec.by_id[i].name.replace(" ", "")) for i in worst.path]
    assert at == sorted(at), "chain out of order"
    assert "ofcustomerscannotfinish" in flat
    _assert_no_ids(spec, _svg_text(svg))


def test_chain_words_agree_with_plural_names():
    # "KYC rules fails" read wrongly on the worst-failure picture of the bank report.
    spec = load_spec(str(BANK))
    analysis = analyze(spec, samples=0)
    chain = analysis.cascades["kyc-rules"]  # "KYC / customer due diligence rules"
    assert len(chain.path) >= 2
    dot = chain_dot(spec, chain)
    assert "fail · " in dot and "fails · " not in dot
    assert "stops: it needs KYC" in dot  # the next part is singular: "it needs"


def test_leader_views_are_deterministic():
    spec = load_spec(str(BANK))
    analysis = analyze(spec, samples=0)
    assert spine_dot(spec, analysis) == spine_dot(spec, analysis)
    c = analysis.cascades["core-banking"]
    assert chain_dot(spec, c) == chain_dot(spec, c)


# ---- progress ------------------------------------------------------------------------

class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal(monkeypatch):
    from journeymap.cli import progress as P

    monkeypatch.setattr(P, "SHOW_AFTER", 0.0)
    tty = _Tty()
    with P.Progress(stream=tty) as p:
        p.step("drawing 1,000 elements")
    assert "journeymap: drawing 1,000 elements" in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[K")  # the line is cleared at the end
    for quiet, stream in ((True, _Tty()), (False, io.StringIO())):
        with P.Progress(quiet=quiet, stream=stream) as p:
            p.step("drawing")
        assert stream.getvalue() == ""


def test_summary_draws_a_highlighted_cascade():
    spec = load_spec(str(BANK))
    analysis = analyze(spec, samples=0)
    cascade = analysis.cascades["core-banking"]
    assert cascade.down and cascade.collapses
    dot = summary_dot(spec, analysis, highlight="core-banking")
    text = _text(dot)
    assert sum(int(n) for n in re.findall(r"✖ (\d+) down", text)) == len(cascade.down)
    assert sum(int(n) for n in re.findall(r"⊘ (\d+) stranded", text)) == len(cascade.stranded)
    assert f"✖ FAILS: {spec.by_id['core-banking'].name}" in text
    assert f"If {spec.by_id['core-banking'].name} fails: {len(cascade.down)} down" in dot
    with pytest.raises(RenderError, match="did you mean"):
        summary_dot(spec, analysis, highlight="core-bankin")
