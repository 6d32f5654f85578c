"""Page 1 of the leadership report as a chief customer officer reads it, knowing nothing of
the YAML: every hour has its scale, value has no invented currency, the only finish step
is said plainly, names agree in number and never take "'s" after a bracket, the legend
lists only what the page prints, and every abbreviation printed is listed with what the
journey's own text says it stands for."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.analysis.probability import HOURS_PER_YEAR
from journeymap.report import analyse_for_report, build_reports, report_bytes
from journeymap.report import model as report_model
from journeymap.spec import load_spec
from journeymap.spec.model import Control
from journeymap.words import abbreviations, agree, is_plural, spelled_out, the

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.journey.yaml"))
DATE = datetime.date(2025, 1, 31)
# The report's own capitals on page 1: the kicker and the "who runs it" tags.
OUR_CAPITALS = {"JOURNEY", "RESILIENCE", "REPORT", "OURS", "PARTNER", "OUTSIDE", "OUR",
                "CONTROL", "NO", "OWNER", "NAMED", "PORTFOLIO"}
TAGS = {Control.EXTERNAL: "OUTSIDE OUR CONTROL", Control.PARTNER: "PARTNER",
        Control.INTERNAL: "OURS"}

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext) not installed")


def page_texts(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode("utf-8")
    return [" ".join(p.split()) for p in out.split("\f")[:-1]]


@pytest.fixture(scope="module")
def examples():
    """(spec path, report model, page texts, Markdown, HTML) for every example journey."""
    analyses = [analyse_for_report(load_spec(str(p))) for p in SPECS]
    _, pdfs = build_reports(analyses, "pdf", DATE, portfolio=True, each=True)
    _, mds = build_reports(analyses, "md", DATE, portfolio=True, each=True)
    return [(path, report_model.journey_report(a, DATE), page_texts(pdf), md.decode("utf-8"))
            for path, a, pdf, md in zip(SPECS, analyses, pdfs, mds)]


def odd_spec(tmp_path: Path, kyc: str = "KYC rules", description: str = "",
             party: str = "Sanctions data (World-Check)") -> Path:
    """Two ways in, two ways to finish, one shared part behind both checks: ``kyc``, run
    by a partner whose name ends in a bracket. It is the journey's only single point of
    failure."""
    kyc_part = {"id": "kyc", "name": kyc, "kind": "process", "owner": "ws"}
    if description:
        kyc_part["description"] = description
    path = tmp_path / "odd.journey.yaml"
    path.write_text(yaml.safe_dump({
        "journeymap": 1,
        "journey": {"id": "odd", "name": "Open an account", "owner": "us", "volume": 1000,
                    "value": 50},
        "stages": [{"id": "s1", "name": "Apply"}, {"id": "s2", "name": "Check"},
                   {"id": "s3", "name": "Done"}],
        "parties": [{"id": "us", "name": "Us", "control": "internal"},
                    {"id": "ws", "name": party, "control": "partner", "availability": 0.999}],
        "touchpoints": [
            {"id": "web", "name": "Apply online", "stage": "s1", "owner": "us", "entry": True,
             "share": 0.5},
            {"id": "desk", "name": "Apply in branch", "stage": "s1", "owner": "us",
             "entry": True, "share": 0.5},
            {"id": "web-check", "name": "Online check", "stage": "s2", "owner": "us",
             "needs": ["kyc"]},
            {"id": "desk-check", "name": "Branch check", "stage": "s2", "owner": "us",
             "needs": ["kyc"]},
            {"id": "web-done", "name": "Account opened online", "stage": "s3", "owner": "us",
             "goal": True},
            {"id": "desk-done", "name": "Account opened in branch", "stage": "s3",
             "owner": "us", "goal": True}],
        "supports": [kyc_part],
        "flow": ["web -> web-check", "desk -> desk-check", "web-check -> web-done",
                 "desk-check -> desk-done"],
    }, sort_keys=False), encoding="utf-8")
    return path


def odd_report(tmp_path: Path, **kw: str) -> tuple[report_model.JourneyReport, list[str], str]:
    a = analyse_for_report(load_spec(str(odd_spec(tmp_path, **kw))))
    pdf = report_bytes([a], "pdf", DATE)
    md = report_bytes([a], "md", DATE).decode("utf-8")
    return report_model.journey_report(a, DATE), page_texts(pdf), md


def around_fixes(r: report_model.JourneyReport, text: str) -> str:
    """Page 1 without the fixes' own texts (their wording is the fix module's), so what is
    left is the page around them."""
    for a in r.actions:
        for t in (a.title, a.claim, a.detail):
            text = text.replace(" ".join(t.split()), " ")
    return text


# --------------------------------------------------------------------------- grammar


def test_names_agree_in_number_and_take_no_possessive_after_a_bracket(tmp_path):
    r, texts, md = odd_report(tmp_path)
    assert r.findings[0].name == "KYC rules" and len(r.findings) == 1
    assert r.so_what.startswith("If the KYC rules fail, no one reaches any of its 2 outcomes")
    assert "Sanctions data (World-Check), a partner, runs them." in r.so_what
    assert "They are expected to be down about 8.8 hours a year" in r.so_what
    page_one = around_fixes(r, texts[0]) + " " + md.split("## Where the journey became")[0]
    for wrong in ("KYC rules fails", "KYC rules is ", "KYC rules needs", "KYC rules stops",
                  ")'s", ")’s"):
        assert wrong not in page_one, wrong
    for f in r.findings:  # the sentences the later pages print about it
        assert "KYC rules fail," in f.sentence and "rules need" not in f.explain


def test_a_name_with_its_own_determiner_gets_no_the(tmp_path):
    r, texts, md = odd_report(tmp_path, kyc="Our KYC checks")
    assert r.so_what.startswith("If Our KYC checks fail,")
    assert "the Our" not in around_fixes(r, texts[0]) + " ".join(
        t for f in r.findings for t in (f.sentence, f.explain))


@pytest.mark.parametrize("name, plural", [
    ("KYC / customer due diligence rules", True), ("Claims platform (ClaimCenter)", False),
    ("Our AWS accounts (eu-west-1 and eu-west-2)", True), ("SMS", False),
    ("Network monitoring & alarms (NOC)", True), ("Sanctions & PEP screening", False),
    ("Fraud screening APIs", True), ("Address lookup (GBG)", False), ("Status page", False),
    ("Claims payments", True), ("Business rules engine", False), ("Process", False)])
def test_plural_names(name, plural):
    assert is_plural(name) is plural
    assert agree(name, "fails", "fail") == ("fail" if plural else "fails")


# --------------------------------------------------------------------------- time and value


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-7, max_value=0.99))
def test_time_stopped_has_a_scale_that_matches_the_hours(q):
    """"1 hour in every N" is 1/q to two figures (a share of the time above 1 in 10);
    "about D days" is the hours over 24."""
    scale = report_model.hours_scale(q)
    every = re.search(r"1 hour in every ([\d,]+)", scale)
    assert (every is None) == (q > 0.1)
    if every:
        n = float(every[1].replace(",", ""))
        assert n >= 10 and abs(n - 1 / q) <= 0.051 * (1 / q)
    else:
        assert f"{round(q * 100)}% of the time" in scale
    days = re.search(r"about ([\d.,]+) days?", scale)
    hours = q * HOURS_PER_YEAR
    assert (days is not None) == (hours >= 24)
    if days:
        assert abs(float(days[1].replace(",", "")) - hours / 24) <= 0.051 * hours / 24


@needs_poppler
def test_every_hour_figure_on_page_one_says_how_big_it_is_and_which_way_is_good(examples):
    for path, r, texts, _md in examples:
        first = texts[0]
        hour_figures = [f for f in r.figures if f.value.endswith(("hours", "minutes"))]
        assert hour_figures, path.name  # every example gives service levels
        for f in hour_figures:
            assert "1 hour in every" in f.label and f.good == "fewer hours is better"
            assert f.label in first and f.good in first
        assert re.search(r"down about [\d.,]+ (hours|minutes) a year \([^)]*1 hour in every",
                         r.so_what), path.name


@needs_poppler
def test_value_is_in_the_journeys_own_units_never_an_invented_currency(examples):
    for path, r, texts, md in examples:
        everything = " ".join(texts) + md
        assert not re.search(r"[£$€¥]|\b(dollars?|pounds?|euros?|USD|GBP|EUR)\b",
                             everything), path.name
        if r.value:
            assert "in the journey's value units" in r.so_what
            assert "value per completed journey:" in texts[0] and "(no currency given)" in texts[0]
            assert "no currency given" in md
            assert re.search(r"Report date: [^·]+ · [\d,]+ \w+ a month · value per", md)
        else:
            assert "value units" not in everything and "currency" not in everything


@needs_poppler
def test_the_only_finish_step_is_said_in_plain_words(examples):
    by_name = {p.name: (r, texts) for p, r, texts, _ in examples}
    r, texts = by_name["newsletter-video.journey.yaml"]
    first = texts[0]
    assert r.endpoints and r.spof_count == 9
    assert "plus the only finish" not in first  # the phrase an executive could not read
    assert r.figures[0].value == "9"
    assert "single points of failure, plus 1 more: the journey's only finish step" in first
    assert (f"plus the {r.endpoints[0]} (the journey's only finish step, so a single point "
            f"of failure too)") in first
    r, texts = by_name["hospital-emergency.journey.yaml"]
    assert r.spof_count == 0 and "the journey's only finish step" in texts[0]


# --------------------------------------------------------------------------- legend


@needs_poppler
def test_the_legend_lists_only_what_page_one_prints(examples):
    for path, r, texts, _ in examples:
        first = texts[0]
        assert "stops some" not in first and "stops no one" not in first, path.name
        legend = first.split("Colours:", 1)[1].split("Abbreviations", 1)[0]
        shown = {f.control for f in r.findings[:r.shown]}
        assert ("green: what re-analysing a copy with the fix showed" in legend) == bool(
            r.top_actions), path.name
        for control, tag in TAGS.items():
            assert (tag in legend) == (control in shown), (path.name, tag)
        table = first.split("What breaks the journey", 1)[1].split("Colours:", 1)[0]
        for tag in TAGS.values():  # a tag in the legend is a tag in the table above it
            if tag in legend:
                assert tag in table.replace("OUTSIDE OUR CONTROL", "" if tag != TAGS[
                    Control.EXTERNAL] else "OUTSIDE OUR CONTROL"), (path.name, tag)


# --------------------------------------------------------------------------- abbreviations


@needs_poppler
def test_every_abbreviation_on_page_one_is_listed(examples):
    for path, r, texts, md in examples:
        first = texts[0]
        body, _, listed = first.partition(report_model.GLOSSARY_HEADING + ":")
        shorts = {a.short for a in r.glossary}
        printed = {a for a in abbreviations(body) if a not in OUR_CAPITALS
                   and not all(w in OUR_CAPITALS for w in a.split())}
        assert printed - shorts <= {a for a in printed if len(a) > 4}, path.name
        for a in r.glossary:
            assert a.short in listed and a.short in body, (path.name, a.short)
            if a.meaning:
                assert f"{a.short}: {a.meaning}" in listed, (path.name, a.short)
        if r.glossary:
            assert report_model.GLOSSARY_HEADING + ":" in md
        # The examples spell out every abbreviation they print (docs/spec-language.md).
        assert all(a.meaning for a in r.glossary), (path.name, r.glossary)


def test_an_abbreviation_is_spelled_out_from_the_journeys_own_words(tmp_path):
    r, texts, md = odd_report(tmp_path)
    assert [(a.short, a.meaning) for a in r.glossary] == [("KYC", "")]
    assert f"{report_model.NOT_SPELLED_OUT}: KYC" in texts[0]
    r, texts, md = odd_report(tmp_path, description="Know your customer (KYC) checks for "
                                                    "every applicant")
    # Said as a phrase in a sentence ("know your customer"), not as it starts one.
    assert [(a.short, a.meaning) for a in r.glossary] == [("KYC", "know your customer")]
    assert "KYC: know your customer" in texts[0] and "**KYC**: know your customer" in md


@pytest.mark.parametrize("short, text, meaning", [
    ("PEP", "screens for politically exposed persons (PEP) daily", "politically exposed persons"),
    ("SLA", "no SLA (service level agreement) is signed", "service level agreement"),
    ("CMS", "the web content management system", "content management system"),
    ("API", "Application Programming Interface (API) gateway", "Application Programming Interface"),
    ("IT", "Information technology (IT) runs it", "Information technology"),
    ("IT", "it runs in the data centre", ""),  # two letters are never guessed from initials
    ("GP", "Discharge letter to the GP (copy to the patient)", ""),  # a bracket, not a meaning
    ("NOC", "Network monitoring & alarms (NOC)", ""),  # letters out of order: no definition
    ("PIM", "Product information (PIM)", ""),  # fewer words than letters: a name, not a meaning
    ("DVLA", "The Driver and Vehicle Licensing Agency (DVLA)",
     "Driver and Vehicle Licensing Agency"),
])
def test_spelled_out(short, text, meaning):
    assert spelled_out(short, [text]) == meaning


def test_codes_and_brand_words_are_not_abbreviations_to_spell_out():
    assert abbreviations("Remote router management (TR-069), IDEMIA, A&E, APIs") == [
        "IDEMIA", "A&E", "API"]
    assert the("Our AWS accounts") == "Our AWS accounts" and the("Hosting") == "the Hosting"


# --------------------------------------------------------------------------- portfolio


def folio_spec(tmp_path: Path, journey: str, host: str, extra_step: bool = False,
               ops: str = "") -> Path:
    """A journey whose only goal needs the host vendor's hosting; ``extra_step`` puts one
    more touch-point of ours on the only way through (one more single point of failure);
    ``ops`` declares a team of that name that runs nothing on the way."""
    steps = ["mail", "watch"] if not extra_step else ["mail", "page", "watch"]
    parties = [{"id": "us", "name": "Us", "control": "internal"},
               {"id": "vh", "name": host, "control": "external"}]
    if ops:
        parties.append({"id": "ops", "name": ops, "control": "internal"})
    touchpoints = [{"id": "mail", "name": "Mail", "stage": "s1", "owner": "us", "entry": True}]
    if extra_step:
        touchpoints.append({"id": "page", "name": "Landing page", "stage": "s1", "owner": "us"})
    touchpoints.append({"id": "watch", "name": "Watch the video", "stage": "s2",
                        "owner": "us", "goal": True, "needs": ["host"]})
    path = tmp_path / f"{journey}.journey.yaml"
    path.write_text(yaml.safe_dump({
        "journeymap": 1,
        "journey": {"id": journey, "name": f"Journey {journey}", "owner": "us"},
        "stages": [{"id": "s1", "name": "Start"}, {"id": "s2", "name": "Finish"}],
        "parties": parties, "touchpoints": touchpoints,
        "supports": [{"id": "host", "name": "Hosting", "kind": "vendor", "owner": "vh"}],
        "flow": [f"{a} -> {b}" for a, b in zip(steps, steps[1:])],
    }, sort_keys=False), encoding="utf-8")
    return path


def folio(paths: list[Path]) -> tuple[report_model.PortfolioReport, str, str, str]:
    """The portfolio model and its first page as PDF text, Markdown and HTML."""
    analyses = [analyse_for_report(load_spec(str(p))) for p in paths]
    pdf = report_bytes(analyses, "pdf", DATE, portfolio=True)
    md = report_bytes(analyses, "md", DATE, portfolio=True).decode("utf-8")
    html = report_bytes(analyses, "html", DATE, portfolio=True).decode("utf-8")
    return report_model.portfolio_report(analyses, DATE), page_texts(pdf)[0], md, html


@needs_poppler
def test_one_party_under_two_names_is_one_party_and_flagged(tmp_path):
    paths = [folio_spec(tmp_path, "j1", "StreamCo"), folio_spec(tmp_path, "j2", "StreamCo Ltd"),
             folio_spec(tmp_path, "j3", "StreamCo")]
    p, first, md, html = folio(paths)
    (vendor,) = [s for s in p.shared if "StreamCo" in s.party]
    assert vendor.party == "StreamCo" and vendor.aliases == ("StreamCo Ltd",)
    assert len(vendor.impacts) == 3 and vendor.stopped == 3  # matched, not split in two
    said = ("Called 'StreamCo' in Journey j1 and Journey j3; 'StreamCo Ltd' in Journey j2: "
            "counted as one; check it is one and use one name.")
    assert vendor.mismatch == said
    assert said in first and said.replace("'", "’") not in first
    assert md.count("'StreamCo Ltd' in Journey j2") == 1 and "StreamCo Ltd" in html
    assert p.name_checks == ()  # flagged once, beside the vendor


@needs_poppler
def test_a_party_under_two_names_is_flagged_even_when_it_breaks_nothing(tmp_path):
    paths = [folio_spec(tmp_path, "j1", "StreamCo", ops="Operations"),
             folio_spec(tmp_path, "j2", "StreamCo", ops="Ops team")]
    p, first, md, html = folio(paths)
    assert all(not s.mismatch for s in p.shared)
    said = ("Called 'Operations' in Journey j1; 'Ops team' in Journey j2: counted as one; "
            "check it is one and use one name.")
    assert p.name_checks == (said,)
    assert said in first and said in md.replace("\\", "") and "Ops team" in html
    same = [folio_spec(tmp_path, "j1", "StreamCo", ops="Ops"),
            folio_spec(tmp_path, "j2", "StreamCo", ops="Ops")]
    assert folio(same)[0].name_checks == ()


@needs_poppler
def test_a_column_that_says_the_same_for_every_journey_is_said_once(tmp_path):
    paths = [folio_spec(tmp_path, "j1", "StreamCo"), folio_spec(tmp_path, "j2", "StreamCo")]
    p, first, md, html = folio(paths)
    # Two journeys alike in every column: no column but the journey's name is printed...
    assert p.columns == () and p.column_labels == ()
    table = first.split("The journeys, most at risk first", 1)[1].split("Vendors and", 1)[0]
    for label in report_model.COLUMN_LABELS.values():
        assert label not in table.split("The same for every journey")[0], label
    # ...and what the columns would have said is said once, under the table.
    r = p.rows[0]
    for c in report_model.ALL_COLUMNS:  # an empty cell (no volume given) says nothing
        said = report_model.SAME_WORDS[c].format(getattr(r, c))
        assert (said in p.same_for_all) == (getattr(r, c) != ""), c
    assert p.same_for_all in first and p.same_for_all in html.replace("&#x27;", "'")
    assert "| journey |\n|---|\n| Journey j1 |" in md

    # One journey with one more single point of failure: the columns that differ come back.
    paths = [folio_spec(tmp_path, "j1", "StreamCo"),
             folio_spec(tmp_path, "j2", "StreamCo", extra_step=True)]
    p, first, md, html = folio(paths)
    assert "count_text" in p.columns and "verdict" not in p.columns
    for c in p.columns:
        assert len({str(getattr(r, c)) for r in p.rows}) > 1, c
    for c in set(report_model.ALL_COLUMNS) - set(p.columns):
        assert len({str(getattr(r, c)) for r in p.rows}) == 1, c
        said = report_model.SAME_WORDS[c].format(getattr(p.rows[0], c))
        assert (said in p.same_for_all) == bool(getattr(p.rows[0], c)), c
    header = md.split("## The journeys, most at risk first", 1)[1].split("\n")[2]
    assert header == "| " + " | ".join(["journey", *p.column_labels]) + " |"
    assert "single points of failure" in first.split("Vendors and")[0]


def test_the_example_portfolio_calls_each_party_one_name(examples):
    """The flag above, on the examples: each party id goes by one name in every journey."""
    analyses = [analyse_for_report(load_spec(str(p))) for p in SPECS]
    p = report_model.portfolio_report(analyses, DATE)
    assert p.name_checks == () and not [s.party for s in p.shared if s.mismatch]


def test_diagram_titles_agree_with_the_names(tmp_path):
    from journeymap.analysis import analyze
    from journeymap.render.dot import diagram_dot
    from journeymap.words import fails

    assert (fails(["KYC rules"]), fails(["Fraud API"]), fails(["A", "B"])) == (
        "fail", "fails", "fail")
    spec = load_spec(str(odd_spec(tmp_path)))
    dot = diagram_dot(spec, analyze(spec), highlight="kyc")
    assert "If KYC rules (kyc, partner) fail:" in dot and "rules (kyc, partner) fails" not in dot


def test_the_web_page_colours_what_its_legend_says(tmp_path):
    """The legend's vermillion share is vermillion in the table above it (it was bold ink)."""
    a = analyse_for_report(load_spec(str(odd_spec(tmp_path))))
    html = report_bytes([a], "html", DATE).decode("utf-8")
    assert "td.stops{color:var(--danger)}" in html
    assert re.search(r'<td class="num stops">100%</td>', html)
    assert '<span class="sw danger"></span> share of customers a single point' in html
