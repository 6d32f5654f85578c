"""The leadership report: what a leader reads must name the real failures in plain words,
be reproducible byte for byte, and survive any name a user writes."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from journeymap.analysis import analyze
from journeymap.analysis import fixes as fx
from journeymap.cli import cli
from journeymap.report import model as report_model
from journeymap.report import report_bytes, report_date
from journeymap.report.wording import JARGON, failure_sentence, percent
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
NEWSLETTER = ROOT / "specs" / "newsletter-video.journey.yaml"
DATE = datetime.date(2025, 1, 31)
JARGON_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in JARGON) + r")", re.I)

NASTY = 'Pay <script>alert(1)</script> #1 *bold* _u_ $x$ [a](http://x) @ref \\ "q" // x'


def pages(pdf: bytes) -> list[str]:
    """Text of each page: poppler's pdftotext when installed (fast), else pypdf."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                             capture_output=True, check=True).stdout.decode("utf-8")
        return out.split("\f")[:-1]
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """PDF text with line breaks and hyphen-free wrapping joined back up."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def newsletter_pdf() -> bytes:
    return report_bytes([analyze(load_spec(str(NEWSLETTER)))], "pdf", DATE)


@pytest.fixture(scope="module")
def newsletter_analysis():
    return analyze(load_spec(str(NEWSLETTER)))


def write_spec(path: Path, video_host: str = "Video host", journey: str = "j1",
               tp_name: str = "Watch the video") -> Path:
    """A two-step journey whose only goal needs one vendor's hosting."""
    path.write_text(_yaml_spec(journey, video_host, tp_name), encoding="utf-8")
    return path


def _yaml_spec(journey: str, video_host: str, tp_name: str) -> str:
    import yaml

    return yaml.safe_dump({
        "journeymap": 1,
        "journey": {"id": journey, "name": f"Journey {journey}", "owner": "us"},
        "stages": [{"id": "s1", "name": "Start"}, {"id": "s2", "name": "Finish"}],
        "parties": [{"id": "us", "name": "Us", "control": "internal"},
                    {"id": "vh", "name": video_host, "control": "external"}],
        "touchpoints": [
            {"id": "mail", "name": "Mail", "stage": "s1", "channel": "email", "owner": "us",
             "entry": True},
            {"id": "watch", "name": tp_name, "stage": "s2", "channel": "video", "owner": "us",
             "goal": True, "needs": ["host"]}],
        "supports": [{"id": "host", "name": "Hosting", "kind": "vendor", "owner": "vh"}],
        "flow": ["mail -> watch"],
    }, allow_unicode=True, sort_keys=False)


# --------------------------------------------------------------------------- page 1


def test_page_one_names_the_top_single_points_of_failure(newsletter_pdf, newsletter_analysis):
    text = [flat(p) for p in pages(newsletter_pdf)]
    first = text[0]
    spec = newsletter_analysis.spec
    report = report_model.journey_report(newsletter_analysis, DATE)
    assert newsletter_analysis.spofs, "the example journey has single points of failure"
    assert report.shown == report_model.PAGE_ONE_FINDINGS
    for finding in report.findings[:report.shown]:
        assert finding.name in first, finding.name
    rest = len(report.findings) - report.shown
    assert f"and {rest} more in the appendix" in first
    appendix = " ".join(text[1:])
    for spof in newsletter_analysis.spofs:
        assert spec.by_id[spof.id].name in appendix, spec.by_id[spof.id].name
        assert spof.id not in first.split(), "ids are for authors, not leaders"
    # Who controls the cause, in the reader's words, and the customers stopped.
    assert "OUTSIDE OUR CONTROL" in first and "YouTube" in first and "100%" in first
    assert "Complex" in first


def test_page_one_leads_with_one_item_everywhere(newsletter_pdf, newsletter_analysis):
    """The sentence, the first table row, fix 1 and the cascade page name the same item."""
    report = report_model.journey_report(newsletter_analysis, DATE)
    top = report.findings[0]
    assert report.worst is not None and report.worst.id == top.id
    assert report.so_what.startswith(f"If the {top.name} fails")
    assert top.name in report.actions[0].addresses and top.fix == 1
    assert report.actions[0].target == top.name
    first = flat(pages(newsletter_pdf)[0])
    for action in report.top_actions:
        assert action.title in first and action.claim in first
    # Ties at the top are broken by a rule the page states.
    assert report.tie_note and report.tie_note in first
    # The fixes stand in the analysis's one ranking (journeymap.analysis.fixes.rank_key).
    fixes, _ = report_model.report_fixes(newsletter_analysis)
    assert fixes and [a.title for a in report.actions] == [f.title for f in fixes]
    keys = [fx.rank_key(newsletter_analysis.spec, f) for f in fixes]
    assert keys == sorted(keys)


def test_report_has_every_part_the_issue_asks_for(newsletter_pdf):
    text = [flat(p) for p in pages(newsletter_pdf)]
    whole = " ".join(text)
    assert len(text) >= 5
    assert "The journey at a glance" in text[1]
    # Sections flow on after the spine (a page each left pages nearly empty).
    assert whole.index("The journey at a glance") < whole.index("How the top failures spread")
    for heading in ("Where the journey became complex", "How fast it falls apart",
                    "Every single point of failure", "What each part takes down",
                    "More fixes, each checked by re-analysis", "Fixes 1 to 3 are on page 1"):
        assert heading in whole, heading
    assert str(NEWSLETTER) in whole.replace(" ", "")  # the appendix names the source
    assert all(f"page {i + 1} of {len(text)}" in t for i, t in enumerate(text))


def test_pypdf_and_pdftotext_agree_on_page_count(newsletter_pdf):
    assert len(PdfReader(io.BytesIO(newsletter_pdf)).pages) == len(pages(newsletter_pdf))


def test_no_graph_jargon_in_any_example_report(example_specs):
    for path in example_specs:
        text = flat(" ".join(pages(report_bytes([analyze(load_spec(str(path)))], "pdf", DATE))))
        assert not JARGON_RE.findall(text), (path.name, sorted(set(JARGON_RE.findall(text))))


# --------------------------------------------------------------------------- reproducible


def test_identical_input_gives_identical_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    runner = CliRunner()
    for suffix in ("pdf", "html", "md"):
        outs = []
        for n in (1, 2):
            out = tmp_path / f"r{n}.{suffix}"
            result = runner.invoke(cli, ["report", str(NEWSLETTER), "-o", str(out)])
            assert result.exit_code == 0, result.output
            outs.append(out.read_bytes())
        assert outs[0] == outs[1], suffix


def test_source_date_epoch_sets_cover_and_pdf_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")  # 2 January 1970
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(cli, ["report", str(NEWSLETTER), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert "2 January 1970" in flat(pages(data)[0])
    assert b"D:19700102000000" in data


def test_date_never_comes_from_the_clock(tmp_path):
    spec = write_spec(tmp_path / "a.journey.yaml")
    import os

    os.utime(spec, (0, 86400 * 365))
    assert report_date([str(spec)], environ={}) == datetime.date(1971, 1, 1)
    assert report_date([str(spec)], "2024-02-29", environ={}) == datetime.date(2024, 2, 29)


# --------------------------------------------------------------------------- user text


def test_nasty_names_print_as_written_in_every_target(tmp_path):
    spec = load_spec(str(write_spec(tmp_path / "n.journey.yaml", video_host=NASTY,
                                    tp_name=NASTY + " step")))
    analysis = analyze(spec)
    pdf = flat(" ".join(pages(report_bytes([analysis], "pdf", DATE))))
    assert NASTY in pdf  # Typst got strings, never markup

    html = report_bytes([analysis], "html", DATE).decode()
    assert "<script>" not in html
    assert "Pay &lt;script&gt;alert(1)&lt;/script&gt; #1 *bold*" in html

    md = report_bytes([analysis], "md", DATE).decode()
    # journeymap.escape.markdown: HTML as entities, punctuation backslash-escaped.
    assert "&lt;script&gt;" in md and "\\*bold\\*" in md and "\\[a\\]\\(http\\:" in md
    assert "<script>" not in md


def test_html_is_self_contained_and_phone_friendly():
    html = report_bytes([analyze(load_spec(str(NEWSLETTER)))], "html", DATE).decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<style>" in html and "<svg" in html
    assert not re.search(r'<(link|script)\b|src="http|href="http', html)


# --------------------------------------------------------------------------- portfolio


def test_portfolio_names_the_vendor_that_breaks_several_journeys(tmp_path):
    for j in ("j1", "j2", "j3"):
        write_spec(tmp_path / f"{j}.journey.yaml", video_host="StreamCo", journey=j)
    out = tmp_path / "portfolio.pdf"
    result = CliRunner().invoke(cli, ["report", str(tmp_path), "-o", str(out),
                                      "--date", "2025-01-31"])
    assert result.exit_code == 0, result.output
    first = flat(pages(out.read_bytes())[0])
    assert "StreamCo" in first and "3 of 3 journeys are complex" in first
    folio = report_model.portfolio_report(
        [analyze(load_spec(str(tmp_path / f"{j}.journey.yaml"))) for j in ("j1", "j2", "j3")],
        DATE)
    # External vendors come before our own teams when they stop as many journeys.
    assert folio.shared[0].party == "StreamCo" and folio.shared[0].stopped == 3
    assert folio.shared[0].control_words == "outside our control"


def test_each_analyses_and_draws_every_journey_once(tmp_path, monkeypatch):
    import journeymap.analysis
    from journeymap.report import figures

    for j in ("j1", "j2"):
        write_spec(tmp_path / f"{j}.journey.yaml", journey=j)
    analysed: list[str] = []
    drawn: list[tuple[str, str | None]] = []
    real_analyze, real_draw = journeymap.analysis.analyze, figures.diagram_svg

    def counting_analyze(spec, *args, **kwargs):
        analysed.append(spec.journey.id)
        return real_analyze(spec, *args, **kwargs)

    def counting_draw(analysis, highlight=None, **options):
        drawn.append((analysis.spec.journey.id, highlight))
        return real_draw(analysis, highlight, **options)

    monkeypatch.setattr(journeymap.analysis, "analyze", counting_analyze)
    monkeypatch.setattr(figures, "diagram_svg", counting_draw)
    out = tmp_path / "out" / "portfolio.html"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["report", str(tmp_path), "-o", str(out), "--each",
                                      "--date", "2025-01-31"])
    assert result.exit_code == 0, result.output
    assert sorted(analysed) == ["j1", "j2"]
    assert len(drawn) == len(set(drawn)) and {j for j, _ in drawn} == {"j1", "j2"}
    # Each journey file is the same document a journey report of that spec gives.
    from journeymap.analysis.risk import RiskOptions

    alone = report_bytes([real_analyze(load_spec(str(tmp_path / "j2.journey.yaml")),
                                       risk=RiskOptions(max_order=1))],
                         "html", DATE)
    assert (out.parent / "j2.html").read_bytes() == alone


# --------------------------------------------------------------------------- CLI errors


def test_unknown_suffix_is_a_usage_error(tmp_path):
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(cli, ["report", str(NEWSLETTER), "-o", str(out)])
    assert result.exit_code == 2
    assert "use .pdf, .html or .md" in result.output
    assert not out.exists()


def test_bad_spec_writes_nothing(tmp_path):
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeymap: 1\njourney: {id: x}\n", encoding="utf-8")
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(cli, ["report", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not out.exists()


def test_bad_source_date_epoch_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(cli, ["report", str(NEWSLETTER), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.output


# --------------------------------------------------------------------------- wording


def test_wording_is_business_language(tmp_path):
    spec = load_spec(str(write_spec(tmp_path / "w.journey.yaml", video_host="Link shortener")))
    sentence = failure_sentence(spec, "host", 1.0, True)
    assert sentence == ("If the Hosting fails, no customer can reach the Watch the video — "
                        "Link shortener runs it, outside our control.")
    partial = failure_sentence(spec, "host", 0.25, False)
    assert "25% of customers no longer finish" in partial
    assert (percent(0.004), percent(0.999), percent(0.5)) == ("under 1%", "over 99%", "50%")
