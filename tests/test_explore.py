"""The explorer page: self-contained, escaped, and checked in a real browser.

The browser tests drive Debian's headless Chromium through selenium (the system
``/usr/bin/chromium`` and ``/usr/bin/chromedriver``; nothing downloads a browser). They
skip with a message when either is missing locally; CI installs both (.ci/run).
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.analysis import analyze
from journeymap.cli import cli
from journeymap.formats.analyze.json_report import to_dict
from journeymap.render.explore import explore_html, script_json
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
NEWSLETTER = ROOT / "specs" / "newsletter-video.journey.yaml"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed")

NASTY = textwrap.dedent("""\
    journeymap: 1
    journey: {id: nasty, name: "</script><script>window.pwned=1</script> & <b>bold</b> \u2028 end"}
    stages: [{id: s1, name: "R&D </title><img src=x onerror=window.pwned=2>"}]
    parties: [{id: p, name: '</style><script>window.pwned=3</script>', control: external}]
    touchpoints:
      - {id: a, name: "Say \\"hi\\" '<!--' & -->", stage: s1, entry: true, owner: p}
      - {id: b, name: "\u2029 line sep \\\\ back", stage: s1, goal: true, needs: [c]}
    supports:
      - {id: c, name: "</script>", kind: system, owner: p}
      - {id: d, name: "{{svg}} {{data}}", kind: system, owner: p}
    flow: [a -> b]
    """)


@pytest.fixture(scope="module")
def newsletter():
    spec = load_spec(str(NEWSLETTER))
    return analyze(spec, samples=0)


@pytest.fixture(scope="module")
def nasty_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("nasty") / "nasty.journey.yaml"
    path.write_text(NASTY, encoding="utf-8")
    analysis = analyze(load_spec(str(path)), samples=0)
    return analysis, explore_html(analysis)


def embedded(page: str) -> dict:
    m = re.search(r'<script id="journey-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(m[1])


# ---- the page as text ----------------------------------------------------------------

def test_script_json_cannot_end_the_script():
    value = {"a": "</script><!-- \u2028\u2029 & </SCRIPT>", "b": ["<", ">"]}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value


@needs_dot
def test_page_is_self_contained(newsletter):
    page = explore_html(newsletter)
    # Nothing is fetched: no external scripts, styles, images, fonts or requests.
    assert not re.search(r"<(link|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"\bsrc\s*=", page, re.I)
    assert "url(" not in page and "@import" not in page
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    for url in re.findall(r"https?://[^\s\"'<>]+", page):
        assert url.startswith("http://www.w3.org/"), url  # XML namespaces only
    assert "default-src 'none'" in page  # and the browser is told so
    assert page.count("<svg") == 1 and page.count("<script") == 2


@needs_dot
def test_page_embeds_the_analysis_contract(newsletter):
    data = embedded(explore_html(newsletter))
    assert data["analysis"] == json.loads(json.dumps(to_dict(newsletter)))
    spec = newsletter.spec
    assert set(data["elements"]) == set(spec.by_id)
    assert data["elements"]["crm"]["party_name"] == "Salesforce"


@needs_dot
def test_spec_text_is_escaped_everywhere(nasty_page):
    analysis, page = nasty_page
    # Exactly our two scripts and one style: nothing from the spec opened another.
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert page.count("<style") == 1 and page.count("</style>") == 1
    assert "<img" not in page and "<b>" not in page
    assert "\u2028" not in page.split('<script id="journey-data"', 1)[1]
    data = embedded(page)
    assert data["elements"]["c"]["name"] == "</script>"
    assert data["elements"]["d"]["name"] == "{{svg}} {{data}}"  # slots filled once
    assert data["analysis"]["journey"]["name"] == analysis.spec.journey.name


@needs_dot
def test_explore_command_writes_the_page(tmp_path):
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["explore", str(NEWSLETTER), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_explore_command_bad_spec_exits_2(tmp_path):
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeymap: 1\njourney: {id: x}\n", encoding="utf-8")
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["explore", str(bad), "-o", str(out)])
    assert result.exit_code == 2 and "error[" in result.output and not out.exists()


# ---- in the browser ------------------------------------------------------------------

@pytest.fixture(scope="module")
def newsletter_page(newsletter, tmp_path_factory):
    path = tmp_path_factory.mktemp("explore") / "newsletter.html"
    path.write_text(explore_html(newsletter), encoding="utf-8")
    return path


def open_page(driver, path: Path, width: int = 1280, height: int = 800) -> None:
    driver.set_window_size(width, height)
    driver.get(path.as_uri())


def marked(driver, cls: str) -> set[str]:
    return set(driver.execute_script(
        "return Array.from(document.querySelectorAll('g.element.' + arguments[0]))"
        ".map(function (g) { return g.id.slice(2); });", cls))


def click(driver, element_id: str) -> None:
    from selenium.webdriver.common.by import By

    node = driver.find_element(By.ID, "n~" + element_id)
    node.click()


@needs_dot
@pytest.mark.parametrize("element_id", ["crm", "cloudflare-cdn", "web-analytics"])
def test_click_draws_the_cascade(browser, newsletter, newsletter_page, element_id):
    open_page(browser, newsletter_page)
    browser.execute_script("window.journeymapExplorer.fit()")
    click(browser, element_id)
    cascade = newsletter.cascades[element_id]
    assert marked(browser, "failed") == {element_id}
    assert marked(browser, "down") == set(cascade.down)
    assert marked(browser, "stranded") == set(cascade.stranded)
    assert marked(browser, "degraded") == set(cascade.degraded) - set(cascade.down)
    panel = browser.find_element("id", "panel").text
    assert newsletter.spec.by_id[element_id].name in panel
    assert f"{round(cascade.customers_lost * 100)}% of customers lost" in panel
    assert f"Controlled by: {newsletter.spec.party_name(element_id)}" in panel
    # The collapse path: one red line per step (two through a redundancy junction).
    on_path = browser.execute_script(
        "return document.querySelectorAll('g.edge.on-path').length")
    steps = max(0, len(cascade.path) - 1)
    assert steps <= on_path <= 2 * steps
    if cascade.path:
        items = browser.execute_script(
            "return Array.from(document.querySelectorAll('#panel ol li'))"
            ".map(function (li) { return li.textContent; });")
        assert items == [newsletter.spec.by_id[i].name for i in cascade.path]
    assert browser.get_log("browser") == []


@needs_dot
def test_search_filter_and_zoom(browser, newsletter, newsletter_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    spec = newsletter.spec
    open_page(browser, newsletter_page)
    box = browser.find_element(By.ID, "search")
    box.send_keys("salesforce")
    results = [li.get_attribute("data-id") for li in
               browser.find_elements(By.CSS_SELECTOR, "#results li[data-id]")]
    assert results == [e.id for e in spec.elements if "salesforce" in e.name.lower()
                       or "salesforce" in e.id]
    box.send_keys(Keys.ENTER)
    assert marked(browser, "failed") == {results[0]}
    box.clear()
    box.send_keys("crm")  # ids match too
    assert "crm" in [li.get_attribute("data-id") for li in
                     browser.find_elements(By.CSS_SELECTOR, "#results li[data-id]")]
    # Filters: only the chosen stage's (and party's) elements stay lit.
    stage = spec.stages[1]
    Select(browser.find_element(By.ID, "stage")).select_by_value(stage.id)
    from journeymap.render.view import element_columns

    column = element_columns(spec)
    assert marked(browser, "filtered-out") == {i for i in spec.by_id if column[i] != stage.id}
    Select(browser.find_element(By.ID, "party")).select_by_value("salesforce")
    assert marked(browser, "filtered-out") == {
        e.id for e in spec.elements if column[e.id] != stage.id or e.owner != "salesforce"}
    Select(browser.find_element(By.ID, "stage")).select_by_value("*")
    Select(browser.find_element(By.ID, "party")).select_by_value("*")
    assert marked(browser, "filtered-out") == set()
    # Zoom: the visible area shrinks, Fit brings back the whole diagram.
    browser.find_element(By.ID, "fit").click()
    before = browser.execute_script("return window.journeymapExplorer.viewBox().w")
    browser.find_element(By.ID, "zoom-in").click()
    after = browser.execute_script("return window.journeymapExplorer.viewBox().w")
    assert after < before
    browser.find_element(By.ID, "fit").click()
    assert browser.execute_script("return window.journeymapExplorer.viewBox().w") == before


@needs_dot
def test_readable_on_a_phone(browser, newsletter_page):
    open_page(browser, newsletter_page, 390, 844)
    click(browser, "crm")
    sizes = browser.execute_script(
        "var c = document.getElementById('canvas').getBoundingClientRect(),"
        "    p = document.getElementById('panel').getBoundingClientRect();"
        "return [document.documentElement.scrollWidth, window.innerWidth, c.top, p.top,"
        "        c.height, parseFloat(getComputedStyle(document.body).fontSize),"
        "        window.innerHeight];")
    scroll_w, inner_w, canvas_top, panel_top, canvas_h, font, inner_h = sizes
    assert scroll_w <= inner_w  # no sideways scrolling
    assert panel_top > canvas_top and canvas_h > inner_h / 2  # diagram first, panel under it
    assert font >= 14
    # A tap on a box too small to read zooms in on it.
    box_w = browser.execute_script(
        "return document.getElementById('n~crm').getBoundingClientRect().width")
    assert box_w >= 60


@needs_dot
def test_nasty_spec_runs_no_script(browser, nasty_page, tmp_path):
    analysis, page = nasty_page
    path = tmp_path / "nasty.html"
    path.write_text(page, encoding="utf-8")
    open_page(browser, path)
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_element("tag name", "h1").text.startswith("</script><script>")
    click(browser, "c")
    assert "</script>" in browser.find_element("id", "panel").text
    assert browser.get_log("browser") == []


@pytest.fixture(scope="module")
def generated_page(tmp_path_factory):
    import importlib.util
    import sys

    spec_file = importlib.util.spec_from_file_location(
        "jm_generate_explore", ROOT / "tests/benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec_file)
    sys.modules["jm_generate_explore"] = generate
    spec_file.loader.exec_module(generate)  # type: ignore[union-attr]
    spec = load_spec("synthetic-300.journey.yaml", generate.synthetic_yaml(300, seed=1))
    analysis = analyze(spec, samples=0)
    path = tmp_path_factory.mktemp("explore-300") / "page.html"
    path.write_text(explore_html(analysis), encoding="utf-8")
    return analysis, path


@needs_dot
def test_click_at_scale(browser, generated_page):
    """300 elements: the widest cascades (shared infrastructure, through redundancy
    junctions) highlight exactly what the analysis says."""
    analysis, path = generated_page
    open_page(browser, path)
    widest = sorted(analysis.cascades, key=lambda i: (-analysis.cascades[i].spread, i))[:2]
    for element_id in widest:
        browser.execute_script("window.journeymapExplorer.fit()")
        click(browser, element_id)
        cascade = analysis.cascades[element_id]
        assert cascade.spread > 10
        assert marked(browser, "failed") == {element_id}
        assert marked(browser, "down") == set(cascade.down)
        assert marked(browser, "stranded") == set(cascade.stranded)
        on_path = browser.execute_script(
            "return document.querySelectorAll('g.edge.on-path').length")
        steps = max(0, len(cascade.path) - 1)
        assert steps <= on_path <= 2 * steps
        # Long lists stop at 100 names and say how many more there are.
        down_items = browser.execute_script(
            "var h = Array.from(document.querySelectorAll('#panel h3'))"
            ".filter(function (x) { return x.textContent === 'Down'; })[0];"
            "return Array.from(h.nextElementSibling.children).map(function (li) {"
            " return li.textContent; });")
        if len(cascade.down) > 100:
            assert len(down_items) == 101
            assert down_items[-1].startswith(f"… and {len(cascade.down) - 100} more")
        else:
            assert len(down_items) == len(cascade.down)
    from selenium.webdriver.common.keys import Keys

    browser.find_element("tag name", "body").send_keys(Keys.ESCAPE)
    assert marked(browser, "failed") == set() and marked(browser, "down") == set()
    assert browser.get_log("browser") == []


@needs_dot
def test_part_of_a_journey(browser, newsletter, tmp_path):
    """--stage draws one stage (with faded neighbours); every element stays searchable,
    and one outside the picture still shows its cascade in the panel."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from journeymap.render.view import build_view

    spec = newsletter.spec
    page = explore_html(newsletter, stage="engage")
    import html

    drawn = {html.unescape(i) for i in re.findall(r'<g id="n~([^"]+)"', page)}
    assert drawn == set(build_view(spec, newsletter, stage="engage").visible)
    outside = sorted(set(spec.by_id) - drawn)[0]
    assert set(embedded(page)["elements"]) == set(spec.by_id)
    path = tmp_path / "part.html"
    path.write_text(page, encoding="utf-8")
    open_page(browser, path)
    box = browser.find_element(By.ID, "search")
    box.send_keys(outside)
    box.send_keys(Keys.ENTER)
    panel = browser.find_element(By.ID, "panel").text
    assert spec.by_id[outside].name in panel and "Not drawn in this picture" in panel
    assert marked(browser, "down") == set(newsletter.cascades[outside].down) & drawn
    assert browser.get_log("browser") == []


@needs_dot
def test_explore_large_journey_says_how_to_draw_part(tmp_path, monkeypatch):
    from journeymap.render import scale

    monkeypatch.setattr(scale, "SUMMARY_ABOVE", 10)
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["explore", str(NEWSLETTER), "-o", str(out)])
    assert result.exit_code == 0 and "--stage ID or --focus ID" in result.stderr
    result = CliRunner().invoke(cli, ["explore", str(NEWSLETTER), "-o", str(out),
                                      "--focus", "crm", "--depth", "1"])
    assert result.exit_code == 0 and result.stderr == ""
    result = CliRunner().invoke(cli, ["explore", str(NEWSLETTER), "-o", str(out),
                                      "--stage", "engag"])
    assert result.exit_code == 2 and "did you mean 'engage'" in result.output
