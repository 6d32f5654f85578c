"""The leadership report as a leader reads it on paper: every word big enough to read,
one count everywhere, every fix claim true, every outcome named, their words not ours.

The PDF checks read the printed pages back (poppler's ``pdftotext -bbox``: each word's
box; its height is the font size in points)."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from oracle import naive_engine  # the slow, obviously-correct engine (tests/oracle.py)

from journeymap.analysis import analyze
from journeymap.analysis import fixes as fx
from journeymap.analysis.build import BACKSTAGE, element_stages
from journeymap.analysis.outcomes import goal_shares
from journeymap.analysis.risk import RiskOptions
from journeymap.report import analyse_for_report, build_reports, report_bytes
from journeymap.report import model as report_model
from journeymap.report.charts import heatmap_svg
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.journey.yaml"))
DATE = datetime.date(2025, 1, 31)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"([^<]*)</word>")

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext) not installed")


def word_boxes(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Per page, (font size in points, word) for every word printed."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode("utf-8")
    return [[(float(m[4]) - float(m[2]), m[5]) for m in WORD.finditer(page)]
            for page in out.split("<page ")[1:]]


def page_texts(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode("utf-8")
    return [" ".join(p.split()) for p in out.split("\f")[:-1]]


_PORTFOLIO: list[bytes] = []  # the examples' portfolio PDF, made with them


@pytest.fixture(scope="module")
def examples():
    """(spec path, analysis, report model, PDF bytes) for every example journey."""
    analyses = [analyse_for_report(load_spec(str(p))) for p in SPECS]
    portfolio, pdfs = build_reports(analyses, "pdf", DATE, portfolio=True, each=True)
    _PORTFOLIO[:] = [portfolio]
    return [(path, a, report_model.journey_report(a, DATE), pdf)
            for path, a, pdf in zip(SPECS, analyses, pdfs)]


@pytest.fixture(scope="module")
def portfolio_pdf(examples) -> bytes:
    return _PORTFOLIO[0]


# --------------------------------------------------------------------------- paper


@needs_poppler
def test_no_word_is_too_small_to_read_on_paper(examples):
    for path, _, _, pdf in examples:
        for n, words in enumerate(word_boxes(pdf), 1):
            assert words, (path.name, n)
            tiny = [w for size, w in words if size < 5.0]
            small = sum(1 for size, _ in words if size < 6.0)
            assert not tiny, (path.name, f"page {n}", tiny[:10])
            assert small <= 0.05 * len(words), (path.name, f"page {n}", small, len(words))


@needs_poppler
def test_page_one_counts_agree(examples):
    for path, _, r, pdf in examples:
        first = page_texts(pdf)[0]
        n = r.spof_count
        assert r.figures[0].value == str(n)
        assert r.figures[0].label in first and f"{n} " in first, path.name
        if r.verdict == "complex":
            assert r.count_text[0].upper() + r.count_text[1:] in r.verdict_sentence
        for a in r.actions:
            m = re.match(r"Removes (\d+) of (\d+) single points of failure; (\d+) remain", a.claim)
            if m:
                assert int(m[2]) == n and int(m[1]) + int(m[3]) == n, (path.name, a.claim)
        for e in r.endpoints:
            assert e in r.count_text


def test_every_fix_claim_is_what_a_fresh_analysis_shows(examples):
    """Each fix's copy of the journey analysed afresh, by the slow, obviously-correct
    engine (single points of failure, the fixed part's cascade) and by the risk analysis
    (the chance of being stopped): what the page claims is what that shows."""
    for path, a, r, _ in examples:
        fixes = a.risk.fixes
        assert [x.title for x in fixes] == [act.title for act in r.actions], path.name
        endpoints = {s.id for s in a.spofs if s.endpoint}
        names = {e.id: e.name for e in a.spec.elements}
        for action, fix in zip(r.actions, fixes):
            eid = fix.element
            assert action.target == names[eid]
            after = analyze(fix.spec, engine=naive_engine, samples=10,
                            risk=RiskOptions(fixes=False, max_order=1))
            still = after.spof_ids
            removed = a.spof_ids - still
            assert set(fix.effect.spofs_removed) == removed, action.title
            if eid in a.spof_ids:
                assert eid in removed, (path.name, action.title)
                assert set(action.addresses) == {names[i] for i in removed}, action.title
                if eid not in endpoints:
                    left = len(still - endpoints)
                    assert action.claim.startswith(
                        f"Removes {len(removed - endpoints)} of {r.spof_count} single points "
                        f"of failure; {left} remain{'s' if left == 1 else ''}."), action.claim
            else:
                before, now = a.cascades[eid].customers_lost, after.cascades[eid].customers_lost
                assert (fix.effect.lost_before, fix.effect.lost_after) == (before, now)
                if now < before:
                    assert report_model.w.percent(now) in action.claim
                else:  # cover for people often away: fewer absences, the same cascade
                    assert fix.kind == fx.AVAILABILITY or fix.effect.outcomes_protected
            # More finishing on average: the fixed copy's expected completion.
            assert fix.effect.completion_after == pytest.approx(
                after.risk.probability.completion, abs=1e-9)
            # The likelihood claim: the fixed journey's chance of being stopped, computed
            # afresh by the risk analysis, as time a year.
            was = report_model.hours(a.risk.probability.collapse)
            now_q = report_model.hours(after.risk.probability.collapse)
            assert (f"Expected time stopped: {was} → {now_q} a year." in action.claim
                    or (was == now_q and f"about {was} a year either way" in action.claim)
                    ), action.claim


def test_fixes_that_read_alike_say_why_they_stand_in_that_order(examples):
    """Where two of page 1's fixes claim the same time saved and the same count removed,
    the page says which rule put one first; fixes never tie silently."""
    for path, a, r, pdf in examples:
        fixes = a.risk.fixes[:report_model.TOP_ACTIONS]
        for i in range(len(fixes) - 1):
            rule = fx.order_reason(a.spec, fixes[i], fixes[i + 1])
            assert rule, (path.name, i)  # never an exact tie
            if rule not in ("removes", "hours", "spofs") and fixes[i].effect.spofs_removed:
                assert f"Fixes {i + 1} and {i + 2}" in r.fix_order, (path.name, rule)
        if r.fix_order:
            assert " ".join(r.fix_order.split()) in page_texts(pdf)[0], path.name


def test_no_two_fixes_say_the_same(examples):
    for path, _, r, _ in examples:
        titles = [a.title for a in r.actions]
        details = [a.detail for a in r.actions]
        assert len(set(titles)) == len(titles), (path.name, titles)
        assert len(set(details)) == len(details), path.name


def test_every_single_point_of_failure_gets_a_fix_or_a_reason(examples):
    for path, _, r, _ in examples:
        for f in r.findings:
            assert f.fix or f.name in r.unfixed, (path.name, f.name)


# --------------------------------------------------------------------------- outcomes


@needs_poppler
def test_outcomes_are_named_with_their_share(examples):
    for path, a, r, pdf in examples:
        goals = [g.name for g in a.spec.goals]
        assert sorted(o.name for o in r.outcomes) == sorted(goals)
        if len(goals) > 1:
            first = page_texts(pdf)[0]
            for o in r.outcomes:
                assert o.name in first and o.reaching in first, (path.name, o.name)


def test_a_failure_that_loses_no_one_still_names_the_outcome_it_cuts_off(examples):
    """Customers reroute to another goal, so "0% stopped" would hide a lost outcome."""
    by_name = {p.name: r for p, _, r, _ in examples}
    insurance = by_name["insurance-claim.journey.yaml"]
    row = next(c for c in insurance.cascades if c.name == "Car dropped at an approved repairer")
    assert row.customers_lost == 0 and row.cuts_off == ("Repaired car collected",)


def test_goal_shares_split_the_finishing_customers(examples):
    for path, a, _, _ in examples:
        shares = goal_shares(a.spec)
        assert sum(shares.values()) == pytest.approx(a.baseline_completion, abs=1e-9), path.name


def test_goal_shares_follow_the_flow_shares(tmp_path):
    spec = tmp_path / "two.journey.yaml"
    spec.write_text("""journeymap: 1
journey: {id: two, name: Two finishes}
touchpoints:
  - {id: start, name: Start, entry: true}
  - {id: left, name: Left, goal: true}
  - {id: right, name: Right}
  - {id: end, name: End, goal: true}
flow:
  - {from: start, to: left, share: 1}
  - {from: start, to: right, share: 3}
  - right -> end
  - left -> end
""", encoding="utf-8")
    shares = goal_shares(load_spec(str(spec)))
    # Customers stop at the first goal they reach: "left" keeps its quarter.
    assert shares == {"left": pytest.approx(0.25), "end": pytest.approx(0.75)}


# --------------------------------------------------------------------------- words


@needs_poppler
def test_the_journey_word_for_its_people_is_used(examples):
    by_name = {p.name: (r, pdf) for p, _, r, pdf in examples}
    r, pdf = by_name["hospital-emergency.journey.yaml"]
    assert r.people == "patients"
    text = " ".join(page_texts(pdf))
    assert "patients" in text and "patient" in r.so_what
    assert "customer" not in text.lower()


@needs_poppler
def test_no_unexplained_abbreviation_in_our_own_sentences(tmp_path):
    """A journey whose names have no capitals: every upper-case word left is ours."""
    from tests.test_report import write_spec

    spec = load_spec(str(write_spec(tmp_path / "a.journey.yaml", video_host="video host",
                                    tp_name="watch the video")))
    pdf = report_bytes([analyze(spec)], "pdf", DATE)
    texts = page_texts(pdf)
    whole = " ".join(texts)
    for abbreviation in ("SLA", "CDN", "CRM", "API", "HTML", "SPOF", "PDF", "SVG", "KPI"):
        assert not re.search(rf"\b{abbreviation}s?\b", whole), abbreviation
    # Outside the blueprint drawing (its lane titles are upper case), capitals are ours.
    ours = " ".join(t for t in texts if "service blueprint" not in t)
    words = set(re.findall(r"\b[A-Z]{2,}\b", ours))
    allowed = {"JOURNEY", "RESILIENCE", "REPORT", "OURS", "PARTNER", "OUTSIDE", "OUR",
               "CONTROL", "NO", "OWNER", "NAMED"}
    assert words <= allowed, sorted(words - allowed)


@needs_poppler
def test_every_figure_says_which_way_is_good(examples):
    for path, _, r, pdf in examples:
        first = page_texts(pdf)[0]
        for f in r.figures:
            assert f.good and f.good in first, (path.name, f.label)


def test_each_single_point_of_failure_is_explained_in_a_sentence(examples):
    for path, _, r, _ in examples:
        for f in r.findings:
            assert f.explain.endswith(".") and f.name in f.explain, (path.name, f.name)


# --------------------------------------------------------------------------- heat map


def test_heat_map_wraps_names_and_tells_harmless_from_empty(examples):
    for path, _, r, _ in examples:
        svg = heatmap_svg(r.heat)
        assert "…" not in svg, path.name
        assert "nothing of theirs here" in svg and "there, stops no one" in svg
    from journeymap.report.charts import HARMLESS, NOTHING

    assert HARMLESS != NOTHING


def test_supports_without_a_stage_count_where_they_are_needed(tmp_path):
    spec = tmp_path / "s.journey.yaml"
    spec.write_text("""journeymap: 1
journey: {id: s, name: Stages}
stages: [{id: a, name: A}, {id: b, name: B}]
touchpoints:
  - {id: one, name: One, stage: a, entry: true, needs: [api]}
  - {id: two, name: Two, stage: b, goal: true}
supports:
  - {id: api, name: API, needs: [db]}
  - {id: db, name: Database}
  - {id: spare, name: Spare}
flow: [one -> two]
""", encoding="utf-8")
    placed = element_stages(load_spec(str(spec)))
    assert placed["api"] == {"a"} and placed["db"] == {"a"} and placed["spare"] == {BACKSTAGE}
    heat = report_model.journey_report(analyze(load_spec(str(spec))), DATE).heat
    assert heat.stages[-1] == report_model.BEHIND


# --------------------------------------------------------------------------- every page
# Found by looking at every page of every example and of 300- and 1,000-part reports.

BOXES = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">|' + WORD.pattern)


def page_words(pdf: bytes) -> list[tuple[float, list[tuple[float, float, float, float, str]]]]:
    """Per page: (height, [(x0, y0, x1, y1, word)]) in points, top-down."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode("utf-8")
    pages: list[tuple[float, list]] = []
    for m in BOXES.finditer(out):
        if m[2]:
            pages.append((float(m[2]), []))
        else:
            pages[-1][1].append((float(m[3]), float(m[4]), float(m[5]), float(m[6]), m[7]))
    return pages


def overlapping_words(pdf: bytes) -> list[tuple[int, str, str]]:
    """Pairs of words printed over each other (a header running into the next column,
    a two-digit fix number into its title, axis labels into each other)."""
    found = []
    for n, (_, words) in enumerate(page_words(pdf), 1):
        words = sorted(words, key=lambda w: w[1])  # top-down: compare only what is level
        for i, (x0, y0, x1, y1, a) in enumerate(words):
            for u0, v0, u1, v1, b in words[i + 1:]:
                if v0 >= y1:
                    break
                wide = min(x1, u1) - max(x0, u0)
                tall = min(y1, v1) - max(y0, v0)
                if wide > 0.8 and tall > 0.3 * min(y1 - y0, v1 - v0):
                    found.append((n, a, b))
    return found


def appendix_share(pdf: bytes) -> float:
    """How much of the printed document (in page heights, down to its last line) comes
    after the Appendix heading."""
    start, end = None, 0.0
    for n, (height, words) in enumerate(page_words(pdf)):
        body = [w for w in words if w[3] < height - 50]  # above the footer
        if body:
            end = n + max(w[3] for w in body) / height
        for _, y0, _, y1, word in words:
            if start is None and word == "Appendix" and y1 - y0 > 12:
                start = n + y0 / height
    assert start is not None, "the report has an appendix"
    return (end - start) / end


@needs_poppler
def test_no_two_words_are_printed_over_each_other(examples):
    for path, _, _, pdf in examples:
        assert not overlapping_words(pdf), (path.name, overlapping_words(pdf)[:5])


def _synthetic(n: int, **options: object):  # type: ignore[no-untyped-def]
    import importlib.util
    import sys

    spec_file = importlib.util.spec_from_file_location(
        "jm_generate_quality", ROOT / "tests/benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec_file)  # type: ignore[arg-type]
    sys.modules["jm_generate_quality"] = generate
    spec_file.loader.exec_module(generate)  # type: ignore[union-attr]
    return load_spec(f"synthetic-{n}.journey.yaml", generate.synthetic_yaml(n, **options))


@pytest.fixture(scope="module")
def large_pdf() -> bytes:
    """A 300-part journey whose supports name no stage (the appendix's worst case)."""
    return report_bytes([analyse_for_report(_synthetic(300, support_stages=False))], "pdf",
                        DATE)


@needs_poppler
def test_a_300_part_report_is_not_mostly_appendix(large_pdf):
    """Issue: at 300 parts the appendix was 15 of 19 pages (every part's whole cascade
    listed by name, and one row per part)."""
    assert appendix_share(large_pdf) < 0.5
    text = " ".join(page_texts(large_pdf))
    assert "more (the web-page version lists them all)" in text
    assert not overlapping_words(large_pdf), overlapping_words(large_pdf)[:5]


@needs_poppler
def test_a_complicated_journey_is_not_called_complex_on_its_heat_map_page(examples):
    for path, _, r, pdf in examples:
        text = " ".join(page_texts(pdf))
        complex_ = r.verdict.value == "complex"
        assert ("Where the journey became complex" in text) == complex_, path.name
        assert ("Where the weak spots are" in text) == (not complex_), path.name


@needs_poppler
def test_no_section_is_left_alone_on_a_nearly_empty_page(examples):
    """The hospital's only single point of failure is its only finish: the 'worst single
    failure' section was two lines on a page of its own. Sections now flow on."""
    by_name = {p.name: pdf for p, _, _, pdf in examples}
    texts = page_texts(by_name["hospital-emergency.journey.yaml"])
    glance = next(t for t in texts if "The journey at a glance" in t)
    assert "The worst single failure" in glance


def test_chain_and_spine_use_the_journey_word_for_its_people(examples):
    from journeymap.render import chain_dot, spine_dot

    spec = load_spec(str(ROOT / "specs/newsletter-video.journey.yaml"))
    spec = type(spec)(**{**spec.__dict__,
                         "journey": type(spec.journey)(**{**spec.journey.__dict__,
                                                          "people": "patients"})})
    analysis = analyze(spec)
    def words(dot: str) -> str:  # the drawn text, line breaks as spaces
        return " ".join(re.sub(r"<[^>]+>", " ", dot).split())

    chains = words(" ".join(chain_dot(spec, c) for c in analysis.cascades.values() if c.spread))
    spine = words(spine_dot(spec, analysis))
    assert "patients are stopped here" in chains and "of patients cannot finish" in chains
    assert "stops patients here" in spine
    assert "customer" not in chains + spine


def test_curve_axis_labels_never_run_into_each_other():
    from journeymap.report.charts import robustness_svg

    for kmax in (5, 13, 60, 335, 2000):
        svg = robustness_svg(tuple(range(kmax + 1)),
                             tuple(1 - k / kmax for k in range(kmax + 1)))
        ticks = re.findall(r'<text x="([\d.]+)" y="[\d.]+"[^>]*text-anchor="middle"[^>]*>'
                           r"(\d+)<", svg)
        xs = [float(x) for x, _ in ticks]
        widest = max(len(label) for _, label in ticks) * 10 * 0.62  # 10-pt digits
        assert 2 <= len(ticks) <= 12, kmax
        assert min(b - a for a, b in zip(xs, xs[1:])) > widest + 4, kmax


def test_heat_map_legend_swatches_look_like_the_cells(examples):
    r = examples[0][2]
    svg = heatmap_svg(r.heat)
    strokes = set(re.findall(r'<rect [^>]*stroke="([^"]+)"', svg))
    assert len(strokes) == 1 and "dasharray" not in svg


def test_heat_map_sentence_counts_a_party_by_its_parts(examples):
    """The bank's one Azure tenancy serves six stages; the sentence said 'Microsoft Azure
    (6 single points of failure)' by adding up the cells."""
    for path, _, r, _ in examples:
        m = re.search(r"and with (.+?) \((\d+) single points? of failure\)", r.heat.sentence)
        if m is None:
            continue
        owned = sum(1 for f in r.findings if f.party == m[1])
        assert int(m[2]) == owned, (path.name, r.heat.sentence)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_the_reports_blueprint_shows_names_not_ids_or_file_names():
    """The web page's whole-journey drawing printed every element's id under its name
    and the journey's id and file name in its title ('bank-account-opening ·
    bank-account-opening.journey.yaml')."""
    from journeymap.report.figures import diagram_svg

    spec = load_spec(str(ROOT / "specs/bank-account-opening.journey.yaml"))
    svg = diagram_svg(analyze(spec))
    texts = {" ".join(t.split()) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    ids = {e.id for e in spec.elements if e.id != e.name} | {spec.journey.id}
    assert not texts & ids, sorted(texts & ids)[:5]
    assert not any(".yaml" in t or "Verdict" in t or "internal" in t for t in texts)
    assert {"ours", "partner", "outside our control"} <= texts  # the legend, as every page
    assert any("of customers stopped" in t for t in texts)
    # The report's one count: the hospital's only finish is not "1 single point of failure"
    # where page 1 says "0 single points of failure, plus the only finish"; its people
    # are patients.
    spec = load_spec(str(ROOT / "specs/hospital-emergency.journey.yaml"))
    svg = diagram_svg(analyze(spec))
    texts = {" ".join(t.split()) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    assert any("0 single points of failure, plus the journey" in t for t in texts)
    assert "the patient sees" in texts and not any("customer" in t for t in texts)


@needs_poppler
def test_the_portfolio_points_only_at_pages_it_has(portfolio_pdf):
    """Each journey's page 1 in the portfolio said '… and 7 more in the appendix'; the
    portfolio has no appendix (the journey's own report does)."""
    text = " ".join(page_texts(portfolio_pdf))
    assert "Appendix" not in text and "in the appendix" not in text
    assert "more in this journey's own report" in text
    assert not overlapping_words(portfolio_pdf), overlapping_words(portfolio_pdf)[:5]


def test_the_worst_failure_sentence_does_not_say_its_name_twice(examples):
    """'If the Discharge letter … fails, no patient can reach the Discharge letter …'
    where the letter is the journey's only finish."""
    for path, _, r, _ in examples:
        if r.worst is not None:
            assert r.worst.sentence.count(r.worst.name) == 1, (path.name, r.worst.sentence)


def test_appendix_b_labels_what_goes_down_and_names_an_outcome_once(examples):
    """At 300 parts a cell read 'No one reaches: tp-3. tp-3': the lost outcome again in an
    unlabelled list of what goes down. Every format now says 'Also down:' without it."""
    from journeymap.report.model import effects

    seen_also = False
    for path, _, r, _ in examples:
        for c in r.cascades:
            assert not set(c.also_down) & set(c.cuts_off), (path.name, c.name)
            assert set(c.also_down) | set(c.cuts_off) >= set(c.taken_down), (path.name, c.name)
            seen_also |= any(label == "Also down" for label, _ in effects(c))
    assert seen_also
    md = report_bytes([examples[0][1]], "md", DATE).decode("utf-8")
    assert "**Also down:**" in md and "**No one reaches:**" in md


@needs_poppler
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_blueprint_that_prints_readably_gets_its_a3_page(tmp_path):
    """No example's blueprint prints at 6 pt even on A3 (the smallest is 2,673 pt wide), so
    the A3 page was never looked at: a two-step journey's is, landscape, every word
    readable, in the report's words."""
    from tests.test_report import write_spec

    spec = load_spec(str(write_spec(tmp_path / "a.journey.yaml")))
    pdf = report_bytes([analyze(spec)], "pdf", DATE)
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(pdf)).pages[-1].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)  # A3 landscape
    _, words = page_words(pdf)[-1]
    assert any("blueprint" in w[4] for w in words)
    assert min(y1 - y0 for _, y0, _, y1, _ in words) >= 6.0
    text = page_texts(pdf)[-1]
    assert "ours" in text and "internal" not in text and "a.journey" not in text
    assert not overlapping_words(pdf)
