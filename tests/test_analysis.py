"""What users rely on from the failure engine, one behaviour per test, on small specs."""

from __future__ import annotations

import math
import textwrap

import pytest

from journeymap.analysis import analyze, simulate
from journeymap.graph import flow_graph, needs_graph
from journeymap.spec import load_spec


def spec_of(body: str, flow: str, parties: str = "") -> object:
    text = textwrap.dedent("""\
        journeymap: 1
        journey: {id: j, name: Test journey}
        parties:
          - {id: us, name: Us, control: internal}
          - {id: cloud, name: Cloud Co, control: external}
        """) + textwrap.dedent(parties) + textwrap.dedent(body)
    if flow:
        text += "flow:\n" + textwrap.dedent(flow)
    return load_spec("t.journey.yaml", text)


COMMON_CAUSE = spec_of("""\
    touchpoints:
      - {id: page, name: Page, owner: us, entry: true, needs: [{any: [cdn-a, cdn-b]}]}
      - {id: done, name: Done, owner: us, goal: true}
    supports:
      - {id: cdn-a, name: CDN A, owner: cloud, needs: [origin]}
      - {id: cdn-b, name: CDN B, owner: cloud, needs: [origin]}
      - {id: origin, name: Origin, owner: cloud}
    """, "  - page -> done\n")


def test_common_cause_failure_behind_redundant_vendors_is_a_spof() -> None:
    a = analyze(COMMON_CAUSE)
    assert "origin" in a.spof_ids
    assert not {"cdn-a", "cdn-b"} & a.spof_ids  # each alone is covered by the other
    spof = next(s for s in a.spofs if s.id == "origin")
    assert (spof.cause, spof.control, spof.endpoint) == ("dependency", "external", False)
    assert spof.path[0] == "origin" and spof.path[-1] == "page"
    assert a.cascades["origin"].down == ("cdn-a", "cdn-b", "page")
    assert a.cascades["origin"].stranded == ("done",)
    assert a.verdict == "complex"


def test_at_least_and_soft_needs() -> None:
    spec = spec_of("""\
        touchpoints:
          - {id: desk, name: Desk, entry: true, goal: true,
             needs: [{at_least: 2, of: [p1, p2, p3], kind: people}, {id: wiki, strength: soft}]}
        supports:
          - {id: p1, name: P1}
          - {id: p2, name: P2}
          - {id: p3, name: P3}
          - {id: wiki, name: Wiki}
        """, "")
    a = analyze(spec)
    assert a.spof_ids == {"desk"}  # two of three is enough; a soft need never collapses
    assert a.cascades["wiki"].degraded == ("desk",) and not a.cascades["wiki"].down
    assert simulate(spec, ["p1"]).collapses is False
    assert simulate(spec, ["p1", "p3"]).down == ("desk",)


def test_mutual_dependencies_do_not_fail_by_themselves() -> None:
    spec = spec_of("""\
        touchpoints:
          - {id: a, name: A, entry: true, needs: [crm]}
          - {id: b, name: B, goal: true}
        supports:
          - {id: crm, name: CRM, needs: [esp]}
          - {id: esp, name: ESP, needs: [{id: crm}, {id: dns}]}
          - {id: dns, name: DNS}
        """, "  - a -> b\n")
    a = analyze(spec)
    assert a.baseline_completion == 1.0
    assert a.dependency_cycles == (("crm", "esp"),)
    assert {"crm", "esp", "dns"} <= a.spof_ids
    assert a.cascades["dns"].down == ("a", "crm", "esp")


def test_rerouting_and_entry_shares() -> None:
    spec = spec_of("""\
        touchpoints:
          - {id: mail, name: Mail, entry: true, share: 3}
          - {id: post, name: Post, entry: true, share: 1}
          - {id: link, name: Link}
          - {id: video, name: Video, goal: true}
          - {id: site, name: Site, goal: true}
        """,
        "  - mail -> link -> video\n  - post -> link\n  - {from: link, to: site, share: 0.3}\n")
    a = analyze(spec)
    assert a.cascades["mail"].customers_lost == 0.75
    assert a.cascades["site"].customers_lost == 0.0  # customers reroute to the video
    assert a.spof_ids == {"link"}
    assert a.verdict == "complex"  # link is neither a sole entry nor a sole goal


def test_flow_cycles_are_an_absorbing_chain() -> None:
    # a -> b (goal) or c; c -> back to a, or d (a dead end). p(a) = 1/2 + p(a)/4 = 2/3.
    spec = spec_of("""\
        touchpoints:
          - {id: a, name: A, entry: true}
          - {id: b, name: B, goal: true}
          - {id: c, name: C}
          - {id: d, name: D}
        """, "  - a -> b\n  - a -> c -> a\n  - c -> d\n")
    a = analyze(spec)
    assert math.isclose(a.baseline_completion, 2 / 3, abs_tol=1e-12)
    assert a.cascades["d"].customers_lost == 0.0  # losing the dead end helps, never negative
    assert math.isclose(a.cascades["b"].customers_lost, 2 / 3, abs_tol=1e-12)
    assert a.cascades["b"].collapses


def test_a_redundant_journey_is_complicated() -> None:
    spec = spec_of("""\
        touchpoints:
          - {id: start, name: Start, entry: true}
          - {id: web, name: Web, needs: [web-app]}
          - {id: phone, name: Phone, needs: [agents]}
          - {id: done, name: Done, goal: true}
        supports:
          - {id: web-app, name: Web app}
          - {id: agents, name: Agents}
        """, "  - start -> web -> done\n  - start -> phone -> done\n")
    a = analyze(spec)
    assert a.verdict == "complicated"
    assert {s.id: (s.cause, s.endpoint) for s in a.spofs} == {
        "start": ("structural", True), "done": ("structural", True)}
    assert a.cascades["web-app"].customers_lost == 0.0


def test_structural_spof_and_critical_lines_on_the_starter_spec(starter) -> None:
    a = analyze(starter)
    by = {s.id: s for s in a.spofs}
    assert by["short-link"].cause == "structural" and not by["short-link"].endpoint
    assert by["newsletter"].endpoint
    assert by["subscriber-list"].path == ("subscriber-list", "email-platform", "newsletter")
    assert [(ln.source, ln.target) for ln in by["subscriber-list"].lines] == [
        ("email-platform", "subscriber-list"), ("newsletter", "email-platform")]
    crit = {(c.line.source, c.line.target): c.spofs for c in a.complexity.critical_lines}
    assert crit[("newsletter", "email-platform")] == ("email-platform", "subscriber-list")
    assert a.complexity.non_endpoint_spofs == 3
    assert math.isclose(a.complexity.spof_share, 4 / 9)


def test_handoffs_control_and_stages(starter) -> None:
    a = analyze(starter)
    pairs = {(h.layer, h.source, h.target) for h in a.handoffs}
    assert ("flow", "newsletter", "short-link") in pairs
    assert ("needs", "newsletter", "email-platform") in pairs
    assert ("needs", "email-platform", "subscriber-list") in pairs  # partner -> internal
    ext = next(r for r in a.control_risk if r.control == "external")
    assert ext.spofs == 1 and 0 < ext.risk_share < 1
    assert math.isclose(sum(r.risk_share for r in a.control_risk), 1.0)
    stages = {x.id: x for x in a.complexity.by_stage}
    # Unstaged supports count where the touch-points that need them are.
    assert "email-platform" in stages["discover"].spofs
    assert stages["backstage"].elements == 1  # cdn-a/cdn-b are needed by website-video…
    assert stages["engage"].elements == 4


def test_robustness_is_seeded_and_monotone(starter) -> None:
    r1 = analyze(starter, samples=50, seed=7).robustness
    assert r1 == analyze(starter, samples=50, seed=7).robustness
    assert r1.completion[0] == 1.0 and r1.completion[-1] == 0.0
    assert all(x >= y for x, y in zip(r1.completion, r1.completion[1:]))
    assert 1.0 <= r1.expected_removals_to_collapse <= 9
    assert r1.samples == 50 and r1.seed == 7


def test_simulate_rejects_unknown_ids(starter) -> None:
    with pytest.raises(KeyError):
        simulate(starter, ["nope"])


def test_graph_builders(starter) -> None:
    f = flow_graph(starter)
    assert f.edges["short-link", "website-video"]["share"] == 0.3
    n = needs_graph(starter)
    assert n.edges["website-video", "cdn-a"]["form"] == "any"
    assert n.edges["email-platform", "content-team"]["strength"] == "soft"


@pytest.fixture
def starter():
    from importlib import resources

    path = resources.files("journeymap.spec").joinpath("starter.journey.yaml")
    return load_spec(str(path))
