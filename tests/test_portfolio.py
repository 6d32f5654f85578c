"""`journeymap portfolio`: journeys side by side, shared elements and parties, what-ifs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SPECS

from journeymap.analysis import analyze, simulate
from journeymap.analysis.portfolio import JOURNEYS, VOLUME, build_portfolio
from journeymap.batch import analyze_all
from journeymap.cli.common import load_specs
from journeymap.formats.portfolio import portfolio_dict, render_markdown, render_text


@pytest.fixture(scope="module")
def examples():
    return analyze_all(load_specs([str(SPECS)]))


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeymap", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def test_every_shared_impact_agrees_with_single_journey_simulate(examples):
    p = build_portfolio(examples)
    by_id = {a.spec.journey.id: a.spec for a in examples}
    assert p.shared, "the example specs share platforms through their catalog"
    checked = 0
    for s in p.shared:
        for j in s.journeys:
            spec = by_id[j.id]
            failed = ([e.id for e in spec.elements if e.owner == s.id] if s.type == "party"
                      else [s.id])
            c = simulate(spec, failed)
            assert j.customers_lost == pytest.approx(c.customers_lost, abs=1e-12), (s.id, j.id)
            assert j.collapses == c.collapses
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("kind, ident", [("element", "aws-cloud"), ("element", "crm"),
                                         ("party", "aws"), ("party", "salesforce"),
                                         ("element", "web-origin")])
def test_what_if_equals_simulate_in_every_journey(examples, kind, ident):
    p = build_portfolio(examples, **({"fail": ident} if kind == "element" else
                                     {"fail_party": ident}))
    w = p.what_if
    assert w is not None and not w.unknown
    expected = {}
    for a in examples:
        spec = a.spec
        failed = ([e.id for e in spec.elements if e.owner == ident] if kind == "party"
                  else [ident] if ident in spec.by_id else [])
        if failed:
            expected[spec.journey.id] = simulate(spec, failed)
    assert {j.id for j in w.journeys} == set(expected)
    for j in w.journeys:
        assert j.customers_lost == pytest.approx(expected[j.id].customers_lost, abs=1e-12)
        assert j.collapses == expected[j.id].collapses
    assert w.stopped == sum(c.collapses for c in expected.values())
    volumes = {a.spec.journey.id: a.spec.journey.volume for a in examples}
    assert p.weighted_by == VOLUME
    assert w.weight == pytest.approx(sum(c.customers_lost * volumes[j]
                                         for j, c in expected.items()))


def test_ranking_and_json_contract(examples):
    p = build_portfolio(examples)
    weights = [s.weight for s in p.shared]
    assert weights == sorted(weights, reverse=True)
    d = portfolio_dict(p)
    assert list(d)[:3] == ["schema_version", "weighted_by", "journeys"]
    assert {j["id"] for j in d["journeys"]} == {a.spec.journey.id for a in examples}
    for s in d["shared"]:
        assert {"id", "name", "control", "journeys"} <= set(s)
        assert all({"id", "customers_lost"} <= set(j) for j in s["journeys"])
    ids = {s["id"] for s in d["shared"]}
    assert {"aws-cloud", "crm", "aws"} <= ids
    # Journeys' own elements that merely share an id are different things.
    assert "product-page" not in ids and "notification-service" not in ids


JOURNEY = """\
journeymap: 1
uses: [platform.catalog.yaml]
journey: {{id: {id}, name: J {id}{volume}}}
touchpoints:
  - {{id: a, name: A, entry: true, needs: [{need}]}}
  - {{id: b, name: B, entry: true}}
  - {{id: done, name: Done, goal: true}}
flow: [a -> done, b -> done]
"""

CATALOG = """\
journeymap: 1
catalog: {id: platform, name: Platform}
parties:
  - {id: vendor, name: Vendor, control: external}
supports:
  - {id: cloud, name: Cloud, owner: vendor}
"""


def test_weighting_falls_back_to_journeys_without_volumes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "platform.catalog.yaml").write_text(CATALOG, encoding="utf-8")
    for jid, vol in (("x", ", volume: 1000"), ("y", "")):
        (tmp_path / f"{jid}.journey.yaml").write_text(
            JOURNEY.format(id=jid, volume=vol, need="cloud"), encoding="utf-8")
    analyses = analyze_all(load_specs(["."]))
    p = build_portfolio(analyses, fail="cloud")
    assert p.weighted_by == JOURNEYS
    (cloud,) = [s for s in p.shared if s.id == "cloud"]
    # Each journey loses the half of its customers entering at 'a'.
    assert [j.customers_lost for j in cloud.journeys] == [0.5, 0.5]
    assert cloud.weight == pytest.approx(1.0)
    assert cloud.journeys[0].customers_per_month == pytest.approx(500)
    assert "give every journey a `volume`" in render_text(p)
    assert "| Platform" not in render_markdown(p)


def test_cli_formats_jobs_and_usage_errors(tmp_path):
    one = run_cli("portfolio", "specs", "--format", "json")
    assert one.returncode == 0, one.stderr
    two = run_cli("portfolio", "specs", "--format", "json", "--jobs", "2")
    assert two.stdout == one.stdout
    data = json.loads(one.stdout)
    assert data["what_if"] is None
    text = run_cli("portfolio", "specs", "--fail-party", "aws")
    assert text.returncode == 0
    assert "What if Amazon Web Services [aws] (partner) fails (everything it runs)" in text.stdout
    bad = run_cli("portfolio", "specs", "--fail", "no-such-thing")
    assert bad.returncode == 2 and "no journey under specs has an element 'no-such-thing'" \
        in bad.stderr
    both = run_cli("portfolio", "specs", "--fail", "crm", "--fail-party", "aws")
    assert both.returncode == 2
    out = tmp_path / "p.md"
    assert run_cli("portfolio", "specs", "--format", "markdown", "-o", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").startswith("## Portfolio: 6 journey(s)")


def test_robustness_sampling_is_skipped(examples):
    # portfolio (and check) never show the robustness curve: no samples are drawn.
    assert all(a.robustness.samples == 0 for a in examples)
    full = analyze(examples[0].spec)
    assert full.spofs == examples[0].spofs and full.verdict == examples[0].verdict
