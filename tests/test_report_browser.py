"""The HTML report in a real browser (headless Chromium, Debian's ``chromium`` and
``chromium-driver``): at phone and desktop widths the page never scrolls sideways, the
diagrams keep readable text and scroll inside their own frame, and every picture has an
accessible name. Screenshots are written next to the page for a person to look at."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from journeymap.report import analyse_for_report, report_bytes
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "specs" / "bank-account-opening.journey.yaml"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


@pytest.fixture(scope="module")
def bank_page(tmp_path_factory) -> Path:
    html = report_bytes([analyse_for_report(load_spec(str(BANK)))], "html",
                        datetime.date(2025, 1, 31))
    path = tmp_path_factory.mktemp("report-html") / "bank.html"
    path.write_bytes(html)
    return path


@needs_dot
@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_report_reads_at_phone_and_desktop_width(browser, bank_page, size):
    width, height = WIDTHS[size]
    browser.set_window_size(width, height)
    browser.get(bank_page.as_uri())
    browser.save_screenshot(str(bank_page.with_name(f"bank-{size}.png")))
    page = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth,"
        "        parseFloat(getComputedStyle(document.body).fontSize)];")
    scroll_w, inner_w, font = page
    assert scroll_w <= inner_w, "the page itself never scrolls sideways"
    assert font >= 14
    frames = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure.diagram')).map(function (f) {"
        "  var texts = Array.from(f.querySelectorAll('text')).map(function (t) {"
        "    return t.getBoundingClientRect().height; }).filter(function (h) { return h > 0; });"
        "  return [f.getAttribute('aria-label'), getComputedStyle(f).overflowX,"
        "          f.scrollWidth, f.clientWidth, Math.min.apply(null, texts)];"
        "});")
    assert frames, "the report shows diagrams"
    for label, overflow, _inner, _outer, smallest in frames:
        assert label, "every diagram has an accessible name"
        assert overflow == "auto"  # a drawing wider than the screen scrolls in its frame
        assert smallest >= 8, (label, smallest)  # CSS pixels: names stay readable
    wide = [f for f in frames if f[2] > f[3]]
    if size == "phone":
        assert wide, "on a phone the wide drawings scroll instead of shrinking"


@needs_dot
def test_every_chart_has_an_accessible_name(browser, bank_page):
    browser.set_window_size(*WIDTHS["desktop"])
    browser.get(bank_page.as_uri())
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure.chart svg')).map(function (s) {"
        "  var t = s.querySelector('title'); return [s.getAttribute('role'),"
        "  t ? t.textContent : '']; });")
    assert len(names) == 2  # the heat map and the robustness curve
    for role, title in names:
        assert role == "img" and len(title) > 10


@needs_dot
def test_charts_keep_readable_text_on_a_phone_and_page_pictures_show_whole(browser, bank_page):
    """Looked at on a 390 px phone: the heat map shrank to the column (party names about
    5 px high); the spine's frame cut off its second row of stages at 80% of the screen."""
    browser.set_window_size(*WIDTHS["phone"])
    browser.get(bank_page.as_uri())
    charts = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure.chart')).map(function (f) {"
        "  var hs = Array.from(f.querySelectorAll('text')).map(function (t) {"
        "    return t.getBoundingClientRect().height; }).filter(function (h) { return h > 0; });"
        "  return [Math.min.apply(null, hs), getComputedStyle(f).overflowX]; });")
    assert len(charts) == 2
    for smallest, overflow in charts:
        assert smallest >= 8, smallest
        assert overflow == "auto"
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")
    pictures = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure.diagram.page')).map(function (f) {"
        "  return [f.getAttribute('aria-label'), f.scrollHeight, f.clientHeight]; });")
    assert pictures and any("glance" in label for label, _, _ in pictures)
    for label, inner, outer in pictures:
        assert inner <= outer + 20, (label, inner, outer)  # 20: a sideways scroll bar
