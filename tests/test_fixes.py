"""The one ranked list of verified fixes (journeymap/analysis/fixes.py).

Every effect a fix claims is checked against the fixed copy analysed afresh by the slow,
obviously-correct oracles: the naive engine (single points of failure, the fixed part's
cascade) and brute-force enumeration of every combination of failures (Q and expected
completion), on many small random journeys. Then the rules a leader relies on: a
bypass only round a relay step, never round the step the journey is for; the ranking
and the reason for each order; one fix per part, no two alike.
"""

from __future__ import annotations

import textwrap

import pytest
from budget import budget
from hypothesis import HealthCheck, given, settings
from oracle import naive_engine
from test_risk import brute_force, uncertain_journeys

from journeymap.analysis import analyze
from journeymap.analysis import fixes as fx
from journeymap.analysis.flow import goal_reachable
from journeymap.analysis.index import Index
from journeymap.analysis.probability import availabilities
from journeymap.analysis.risk import RiskOptions
from journeymap.spec import load_spec
from journeymap.spec.model import Spec


def spec_from(tmp_path, text: str) -> Spec:
    path = tmp_path / "j.journey.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_spec(str(path))


@settings(max_examples=budget(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uncertain_journeys(max_tp=4, max_sup=3))
def test_every_effect_is_what_a_fresh_slow_analysis_of_the_copy_shows(spec: Spec) -> None:
    ix = Index(spec)
    if not goal_reachable(ix, set()):
        return  # the loader rejects such journeys
    a = analyze(spec, risk=RiskOptions(probability="exact"))
    assert a.risk is not None and a.risk.fixes is not None
    q0, c0, _, _ = brute_force(ix, availabilities(ix))
    seen = set()
    for fix in a.risk.fixes:
        assert fix.element not in seen  # one fix per part
        seen.add(fix.element)
        assert fix.spec is not None
        after = analyze(fix.spec, engine=naive_engine, samples=10)
        e = fix.effect
        assert set(e.spofs_removed) == a.spof_ids - after.spof_ids
        assert set(e.spofs_added) == after.spof_ids - a.spof_ids
        assert e.spofs_after == len(after.spof_ids)
        assert e.lost_before == a.cascades[fix.element].customers_lost
        assert e.lost_after == after.cascades[fix.element].customers_lost
        fixed_ix = Index(fix.spec)
        q1, c1, _, _ = brute_force(fixed_ix, availabilities(fixed_ix))
        assert e.collapse_before == pytest.approx(q0, abs=1e-9)
        assert e.collapse_after == pytest.approx(q1, abs=1e-9)
        assert e.completion_after == pytest.approx(c1, abs=1e-9)
        assert e.completion_before == pytest.approx(c0, abs=1e-9)
        # Only improvements are reported; a fix for a single point of failure removes it.
        if fix.element in a.spof_ids:
            assert fix.element in e.spofs_removed
        else:
            assert (e.lost_after < e.lost_before or e.outcomes_protected
                    or (e.collapse_change or 0) < 0 or (e.completion_change or 0) > 0)
        # The copy keeps every part of the journey (a fix adds; only a move re-points).
        assert set(spec.by_id) <= set(fix.spec.by_id)
    keys = [fx.rank_key(spec, f) for f in a.risk.fixes]
    assert keys == sorted(keys)


NEWSLETTER = """\
    journeymap: 1
    journey: {id: n, name: Newsletter to trial, owner: us}
    parties:
      - {id: us, name: Marketing, control: internal, availability: 0.999}
      - {id: bitly, name: Bitly, control: external, availability: 0.999}
      - {id: yt, name: YouTube, control: external, availability: 0.999}
    touchpoints:
      - {id: mail, name: Newsletter, entry: true, owner: us}
      - {id: link, name: Short link, owner: bitly, needs: [redirects]}
      - {id: video, name: Launch video, owner: yt, needs: [hosting, {id: asset, kind: data}]}
      - {id: product, name: Product page, owner: us}
      - {id: pricing, name: Pricing page, owner: us}
      - {id: signup, name: Sign-up, goal: true, owner: us}
    supports:
      - {id: redirects, name: Redirect service, kind: vendor, owner: bitly}
      - {id: hosting, name: Video hosting, kind: vendor, owner: yt}
      - {id: asset, name: Video file, kind: data, owner: us}
    flow:
      - mail -> link -> video
      - {from: video, to: product, share: 0.7}
      - {from: video, to: pricing, share: 0.3}
      - product -> signup
      - pricing -> signup
    """


def test_a_bypass_only_skips_a_relay_never_the_step_the_journey_is_for(tmp_path) -> None:
    spec = spec_from(tmp_path, NEWSLETTER)
    assert fx.is_relay(spec, "link") and not fx.is_relay(spec, "video")
    a = analyze(spec, risk=RiskOptions())
    fixes = {f.element: f for f in a.risk.fixes}
    # The short link only passes readers on: linking straight to the video is the fix.
    assert fixes["link"].kind == fx.BYPASS
    assert set(fixes["link"].effect.spofs_removed) == {"link", "redirects"}
    assert "skipping the Short link" in fixes["link"].title
    # The video is what the newsletter is for: offered a second way, never skipped.
    assert fixes["video"].kind == fx.SECOND_CHANNEL
    assert set(fixes["video"].effect.spofs_removed) == {"video", "hosting"}
    assert "second platform" in fixes["video"].title
    for f in a.risk.fixes:
        copy = f.spec
        assert copy is not None
        # No fix adds a line that skips the video.
        assert not any(line.source in ("mail", "link") and line.target in ("product", "pricing")
                       for line in copy.flows)


def test_a_step_people_deliver_is_not_a_relay(tmp_path) -> None:
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: t, name: Fault repair}
        parties:
          - {id: us, name: Care, control: internal}
          - {id: field, name: Field contractor, control: partner, availability: 0.98}
        touchpoints:
          - {id: report, name: Report a fault, entry: true, owner: us}
          - {id: visit, name: Engineer visit, owner: field, needs: [{id: engineers, kind: people}]}
          - {id: fixed, name: Fault fixed, goal: true, owner: us}
        supports:
          - {id: engineers, name: Field engineers, kind: team, owner: field}
        flow: [report -> visit -> fixed]
        """)
    assert not fx.is_relay(spec, "visit")
    a = analyze(spec, risk=RiskOptions())
    kinds = {f.element: f.kind for f in a.risk.fixes}
    assert kinds["visit"] == fx.SECOND_CHANNEL and "second firm" in next(
        f.title for f in a.risk.fixes if f.element == "visit")
    assert fx.BYPASS not in kinds.values()


def test_fixes_for_our_single_points_of_failure_name_the_real_alternative(tmp_path) -> None:
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: c, name: Claims}
        parties:
          - {id: us, name: IT, control: internal, availability: 0.999}
          - {id: gw, name: Guidewire, control: partner, availability: 0.999}
          - {id: friss, name: FRISS, control: partner, availability: 0.999}
        touchpoints:
          - {id: call, name: Claims line, entry: true, owner: us, needs: [platform]}
          - {id: paid, name: Paid, goal: true, owner: us, needs: [platform]}
        supports:
          - id: platform
            name: Claims platform
            kind: system
            owner: gw
            needs: [{id: policy, kind: data}, {id: fraud, kind: workflow}]
          - {id: policy, name: Policy system, kind: system, owner: us}
          - {id: fraud, name: Fraud scoring, kind: vendor, owner: friss}
        flow: [call -> paid]
        """)
    a = analyze(spec, risk=RiskOptions())
    fixes = {f.element: f for f in a.risk.fixes}
    assert {"platform", "policy", "fraud"} <= set(fixes)  # ours too
    assert fixes["platform"].kind == fx.SECOND_PROVIDER
    assert "second region" in fixes["platform"].title and "Guidewire" in fixes["platform"].title
    assert fixes["policy"].kind == fx.FALLBACK and "read-only copy" in fixes["policy"].title
    assert fixes["fraud"].kind == fx.FALLBACK and "manual fallback" in fixes["fraud"].title
    titles = [f.title for f in a.risk.fixes]
    assert len(set(titles)) == len(titles)
    assert not any("SLA" in t or "contract an" in t.lower() for t in titles)
    # Equal on time saved and parts removed: a later rule orders them, and says which.
    first, second = a.risk.fixes[0], a.risk.fixes[1]
    assert fx.order_reason(spec, first, second) in fx.ORDER
    assert fx.rank_key(spec, first) < fx.rank_key(spec, second)


def test_fixes_removing_a_single_point_of_failure_come_first_then_by_time_saved(tmp_path):
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: r, name: Ranking}
        parties:
          - {id: us, name: Us, control: internal}
        touchpoints:
          - {id: a, name: A, entry: true, owner: us, needs: [api, {any: [p1, p2], kind: people}]}
          - {id: b, name: B, goal: true, owner: us}
        supports:
          - {id: api, name: API, kind: system, owner: us, availability: 0.999}
          - {id: p1, name: Ana, kind: person, owner: us, availability: 0.5}
          - {id: p2, name: Bo, kind: person, owner: us, availability: 0.5}
        flow: [a -> b]
        """)
    a = analyze(spec, risk=RiskOptions())
    fixes = a.risk.fixes
    # Cover for Ana saves far more time (Q 0.25 -> 0.025 from the pair) than the API's
    # standby (0.001), yet the fix that removes a single point of failure comes first.
    assert fixes[0].element == "api" and fixes[0].effect.spofs_removed == ("api",)
    structural = [f for f in fixes if f.effect.spofs_removed]
    rest = [f for f in fixes if not f.effect.spofs_removed]
    assert list(fixes) == structural + rest
    assert {f.element for f in rest} == {"p1", "p2"}
    assert all(f.kind == fx.AVAILABILITY for f in rest)
    assert rest[0].title == "Name a deputy for Ana"
    assert rest[0].effect.hours_per_year_saved > 100 * fixes[0].effect.hours_per_year_saved
    assert fx.order_reason(spec, structural[-1], rest[0]) == "removes"


def test_the_rerun_budget_shrinks_with_size_and_fixes_stop_at_the_size_limit(
        tmp_path, monkeypatch) -> None:
    assert fx.rerun_budget(50) == fx.MAX_RERUNS
    assert 4 <= fx.rerun_budget(1000) < fx.MAX_RERUNS
    spec = spec_from(tmp_path, NEWSLETTER)
    a = analyze(spec, risk=RiskOptions())
    assert a.risk.fixes and len(a.risk.fixes_tried) >= len(a.risk.fixes)
    # Over the size limit no fix is re-analysed: null, not an empty list.
    from journeymap.analysis import risk

    monkeypatch.setattr(risk, "AUTO_FIXES_MAX", len(spec.elements) - 1)
    big = analyze(spec, risk=RiskOptions())
    assert big.risk.fixes is None
    from journeymap.formats.analyze.json_report import to_dict

    assert to_dict(big)["fixes"] is None
    # A budget of one part: only the most promising part is tried, and it is said.
    monkeypatch.setattr(risk, "AUTO_FIXES_MAX", 10_000)
    monkeypatch.setattr(fx, "rerun_budget", lambda n: 2)
    small = analyze(spec, risk=RiskOptions())
    assert len(small.risk.fixes_tried) == 1 and len(small.risk.fixes) <= 1


def test_false_redundancy_is_fixed_by_moving_one_option_off_what_both_rely_on(tmp_path):
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: w, name: Website}
        parties:
          - {id: us, name: Web team, control: internal, availability: 0.999}
          - {id: aws, name: AWS, control: partner, availability: 0.999}
        touchpoints:
          - {id: page, name: Product page, entry: true, owner: us,
             needs: [{any: [cdn-a, cdn-b]}]}
          - {id: buy, name: Checkout, goal: true, owner: us}
        supports:
          - {id: cdn-a, name: Cloudflare CDN, kind: vendor, owner: us, needs: [origin]}
          - {id: cdn-b, name: CloudFront CDN, kind: vendor, owner: us, needs: [origin]}
          - {id: origin, name: Origin servers, kind: system, owner: aws}
        flow: [page -> buy]
        """)
    a = analyze(spec, risk=RiskOptions())
    fix = next(f for f in a.risk.fixes if f.element == "origin")
    assert fix.kind == fx.MOVE_OFF and fix.moved == "cdn-b"
    assert set(fix.partners) == {"cdn-a", "cdn-b"}
    assert fix.effect.spofs_removed == ("origin",)
    assert fix.title.startswith("Move the CloudFront CDN off the Origin servers onto")
    assert "second region" in fix.title and "SLA" not in fix.title


def test_hours_rank_as_the_report_prints_them() -> None:
    """The ranking's hours are the report's printed hours, so fixes whose claims read
    the same time rank as equal and the stated next rule decides."""
    import random

    from journeymap.report.model import hours

    rng = random.Random(7)
    for q in [rng.random() ** 6 for _ in range(2000)] + [1e-7, 0.0005, 0.00114]:
        printed = hours(q)
        number, unit = printed.replace(",", "").split()[:2]
        value = float(number) / 60 if unit.startswith("minute") else float(number)
        assert fx.hours_shown(q) == pytest.approx(value, abs=1e-6), (q, printed)
