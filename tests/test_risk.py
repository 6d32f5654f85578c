"""Risk in numbers: closed forms, brute-force enumeration, Monte Carlo coverage, cut sets.

Every number here is derived independently of the code under test: by hand (series,
parallel, k-of-n, the bridge network) or by enumerating every combination of failures
and reading the contract literally (propagate, walk the flow layer, iterate the customer
rule).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import pickle
import textwrap

import pytest
from budget import budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import completion_exact
from test_engine_properties import journeys

from journeymap.analysis import analyze, simulate
from journeymap.analysis.cutsets import CutFinder
from journeymap.analysis.flow import goal_reachable
from journeymap.analysis.index import Index
from journeymap.analysis.probability import (
    EXACT,
    MONTE_CARLO,
    availabilities,
    collapse_probability,
    exact,
    importance,
    monte_carlo,
    wilson,
)
from journeymap.analysis.propagation import propagate_indices
from journeymap.analysis.risk import RiskOptions
from journeymap.spec import load_spec
from journeymap.spec.model import Spec


def spec_from(tmp_path, text: str) -> Spec:
    p = tmp_path / "x.journey.yaml"
    p.write_text(textwrap.dedent(text))
    return load_spec(str(p))


def q_exact(spec: Spec) -> float:
    ix = Index(spec)
    return exact(ix, availabilities(ix)).collapse


# --- closed forms ------------------------------------------------------------------------

def test_series_parallel_and_k_of_n(tmp_path) -> None:
    series = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: s, name: S}
        defaults: {availability: 0.9}
        touchpoints:
          - {id: a, name: A, entry: true}
          - {id: b, name: B}
          - {id: c, name: C, goal: true}
        flow: [a -> b -> c]
        """)
    assert q_exact(series) == pytest.approx(1 - 0.9 ** 3, abs=1e-12)

    parallel = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: p, name: P}
        touchpoints:
          - {id: a, name: A, entry: true}
          - {id: p1, name: P1, availability: 0.9}
          - {id: p2, name: P2, availability: 0.8}
          - {id: p3, name: P3, availability: 0.7}
          - {id: z, name: Z, goal: true}
        flow: [a -> p1 -> z, a -> p2 -> z, a -> p3 -> z]
        """)
    assert q_exact(parallel) == pytest.approx(0.1 * 0.2 * 0.3, abs=1e-12)

    k_of_n = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: k, name: K}
        parties:
          - {id: staff, name: Staff roster, control: internal, availability: 0.9}
        touchpoints:
          - {id: a, name: A, entry: true, goal: true,
             needs: [{at_least: 2, of: [n1, n2, n3], kind: people}]}
        supports:
          - {id: n1, name: N1, owner: staff}
          - {id: n2, name: N2, owner: staff}
          - {id: n3, name: N3, owner: staff}
        """)
    # Fewer than 2 of 3 up: all down, or exactly one up.
    assert q_exact(k_of_n) == pytest.approx(0.1 ** 3 + 3 * 0.9 * 0.1 ** 2, abs=1e-12)


BRIDGE = """\
    journeymap: 1
    journey: {id: bridge, name: Bridge network}
    defaults: {availability: 0.9}
    touchpoints:
      - {id: start, name: Start, entry: true, availability: 1}
      - {id: a, name: A}
      - {id: b, name: B}
      - {id: c, name: C (the bridge)}
      - {id: d, name: D}
      - {id: e, name: E}
      - {id: end, name: End, goal: true, availability: 1}
    flow:
      - start -> a -> d -> end
      - start -> b -> e -> end
      - a -> c -> e
      - b -> c -> d
    """


def test_bridge_network_and_birnbaum_by_hand(tmp_path) -> None:
    spec = spec_from(tmp_path, BRIDGE)
    ix = Index(spec)
    p = 0.9
    reliability = 2 * p**2 + 2 * p**3 - 5 * p**4 + 2 * p**5
    r = exact(ix, availabilities(ix))
    assert r.collapse == pytest.approx(1 - reliability, abs=1e-12)
    assert round(r.collapse, 5) == 0.02152
    # C down: two parallel series pairs; C up: two parallel pairs in series.
    q_c_down = (1 - p * p) ** 2  # 0.0361
    q_c_up = 1 - (1 - (1 - p) ** 2) ** 2  # 0.0199
    # A down: B must work, then E, or C and D.  A up: D, or E with (C or B).
    q_a_down = 1 - p * (1 - (1 - p) * (1 - p * p))  # 0.1171
    q_a_up = (1 - p) * (1 - p * (1 - (1 - p) ** 2))  # 0.0109
    spof = [False] * ix.n
    imp = dict(zip(ix.ids, importance(r, availabilities(ix), spof)))
    assert imp["c"].birnbaum == pytest.approx(q_c_down - q_c_up, abs=1e-12)  # 0.0162
    for x in "abde":
        assert imp[x].birnbaum == pytest.approx(q_a_down - q_a_up, abs=1e-12)  # 0.1062
    q = r.collapse
    assert imp["c"].raw == pytest.approx(q_c_down / q)
    assert imp["c"].rrw == pytest.approx(q / q_c_up)
    assert imp["c"].fussell_vesely == pytest.approx((q - q_c_up) / q)
    assert imp["c"].criticality == pytest.approx((q_c_down - q_c_up) * 0.1 / q)
    # The entry never fails: its Birnbaum is 1 (down = collapse; up = Q... of the rest).
    assert imp["start"].birnbaum == pytest.approx(1 - q)
    assert imp["start"].criticality == 0.0


def test_importance_is_null_when_nothing_can_fail(tmp_path) -> None:
    spec = spec_from(tmp_path, BRIDGE.replace("defaults: {availability: 0.9}", ""))
    a = analyze(spec, risk=RiskOptions())
    assert a.risk is not None and a.risk.probability is not None
    assert a.risk.probability.collapse == 0.0
    imp = a.risk.importance
    assert imp is not None
    assert imp["c"].raw is None and imp["c"].rrw is None and imp["c"].fussell_vesely is None
    assert imp["c"].birnbaum == 0.0  # defined: nothing fails, so C alone changes nothing
    assert imp["start"].birnbaum == 1.0


def test_availability_lookup_element_party_default_one(tmp_path) -> None:
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: j, name: J}
        defaults: {availability: 0.99}
        parties:
          - {id: v, name: Vendor, control: external, availability: 0.95}
          - {id: u, name: Us, control: internal}
        touchpoints:
          - {id: a, name: A, entry: true, needs: [s, t], availability: 0.9, owner: v}
          - {id: b, name: B, goal: true, owner: v}
        supports:
          - {id: s, name: S, owner: u}
          - {id: t, name: T}
        flow: [a -> b]
        """)
    assert [spec.availability_of(i) for i in "abst"] == [
        (0.9, "element"), (0.95, "party"), (0.99, "default"), (0.99, "default")]
    no_default = dataclasses.replace(spec, default_availability=None)
    assert no_default.availability_of("s") == (1.0, "none")
    assert spec.availabilities() == [spec.availability_of(i) for i in "abst"]
    # The risk numbers give them by id, in element order, as the dicts they were.
    risk = analyze(spec, risk=RiskOptions()).risk
    assert risk is not None
    assert list(risk.availability.items()) == [("a", 0.9), ("b", 0.95), ("s", 0.99),
                                               ("t", 0.99)]
    assert risk.availability == {"a": 0.9, "b": 0.95, "s": 0.99, "t": 0.99}
    assert dict(risk.availability_source) == {"a": "element", "b": "party", "s": "default",
                                              "t": "default"}
    assert "s" in risk.availability and "x" not in risk.availability
    assert risk.availability.get("x", 1.0) == 1.0 and len(risk.availability_source) == 4
    assert pickle.loads(pickle.dumps(risk)) == risk
    # Changing an availability changes the result (it used to be ignored).
    q1 = q_exact(spec)
    q2 = q_exact(dataclasses.replace(spec, default_availability=0.5))
    assert q2 > q1


# --- brute force -------------------------------------------------------------------------

AVAILS = (1.0, 0.99, 0.9, 0.6)


@st.composite
def uncertain_journeys(draw, max_tp: int = 5, max_sup: int = 5) -> Spec:
    spec = draw(journeys(max_tp=max_tp, max_sup=max_sup))
    elements = tuple(dataclasses.replace(e, availability=draw(st.sampled_from(AVAILS)))
                     for e in spec.elements)
    return dataclasses.replace(spec, elements=elements)


def brute_force(ix: Index, avail: list[float]) -> tuple[float, float, list[float], list[float]]:
    """Q, expected completion, Q(i down), Q(i up): every combination of failures."""
    n = ix.n
    q = comp = 0.0
    q_cond = [[0.0, 0.0] for _ in range(n)]  # P(collapse and i down/up by itself)
    for states in itertools.product((False, True), repeat=n):  # True = works
        pr = 1.0
        for v, up in enumerate(states):
            pr *= avail[v] if up else 1.0 - avail[v]
        failed = [v for v, up in enumerate(states) if not up]
        down = propagate_indices(ix, failed)
        collapsed = not goal_reachable(ix, down)
        if collapsed:
            q += pr
        comp += pr * completion_exact(ix, down)
        if collapsed:
            for v, up in enumerate(states):
                q_cond[v][1 if up else 0] += pr
    # Q(i down) = P(collapse | i down) is the same with i forced down (independence).
    q_down, q_up = [], []
    for v in range(n):
        a = avail[v]
        q_down.append(q_cond[v][0] / (1 - a) if a < 1 else _forced(ix, avail, v))
        q_up.append(q_cond[v][1] / a)
    return q, comp, q_down, q_up


def _forced(ix: Index, avail: list[float], v: int) -> float:
    """Q with element v forced down (for elements that never fail by themselves)."""
    a2 = list(avail)
    a2[v] = 0.5
    _, _, q_down, _ = brute_force_plain(ix, a2, v)
    return q_down


def brute_force_plain(ix: Index, avail: list[float], v: int) -> tuple[float, None, float, None]:
    n = ix.n
    qd = 0.0
    for states in itertools.product((False, True), repeat=n):
        if states[v]:
            continue
        pr = 1.0
        for u, up in enumerate(states):
            if u != v:
                pr *= avail[u] if up else 1.0 - avail[u]
        failed = [u for u, up in enumerate(states) if not up]
        if not goal_reachable(ix, propagate_indices(ix, failed)):
            qd += pr
    return 0.0, None, qd, None


@settings(max_examples=budget(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uncertain_journeys())
def test_exact_matches_brute_force_enumeration(spec: Spec) -> None:
    ix = Index(spec)
    if not goal_reachable(ix, set()):
        return  # the loader rejects such journeys
    avail = availabilities(ix)
    r = exact(ix, avail)
    q, comp, q_down, q_up = brute_force(ix, avail)
    assert r.collapse == pytest.approx(q, abs=1e-9)
    assert r.completion == pytest.approx(comp, abs=1e-9)
    for v in range(ix.n):
        assert r.q_down[v] == pytest.approx(q_down[v], abs=1e-9), ix.ids[v]
        assert r.q_up[v] == pytest.approx(q_up[v], abs=1e-9), ix.ids[v]


@settings(max_examples=budget(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uncertain_journeys(max_tp=4, max_sup=4))
def test_monte_carlo_estimates_the_same_numbers(spec: Spec) -> None:
    ix = Index(spec)
    if not goal_reachable(ix, set()):
        return
    avail = availabilities(ix)
    r = exact(ix, avail)
    mc = monte_carlo(ix, avail, 4000, 7)
    assert mc.method == MONTE_CARLO and mc.trials == 4000
    # Five standard errors: this test is about the estimator, not its interval.
    se = math.sqrt(max(r.collapse * (1 - r.collapse), 1e-4) / 4000)
    assert abs(mc.collapse - r.collapse) <= 5 * se + 1e-9
    assert abs(mc.completion - r.completion) <= 5 * math.sqrt(0.25 / 4000) + 1e-9


def test_monte_carlo_interval_covers_exact_at_the_stated_rate(tmp_path) -> None:
    spec = spec_from(tmp_path, BRIDGE.replace("availability: 0.9}", "availability: 0.7}"))
    ix = Index(spec)
    avail = availabilities(ix)
    r = exact(ix, avail)
    runs = 200
    hits_q = hits_c = 0
    for seed in range(runs):
        mc = monte_carlo(ix, avail, 1000, seed)
        lo, hi = mc.ci_collapse  # type: ignore[misc]
        hits_q += lo <= r.collapse <= hi
        clo, chi = mc.ci_completion  # type: ignore[misc]
        hits_c += clo <= r.completion <= chi
    # 95% nominal; binomial(200, 0.95) is below 180 with chance ~1e-4.
    assert hits_q >= 180, hits_q
    assert hits_c >= 180, hits_c


def test_wilson_interval() -> None:
    lo, hi = wilson(0, 100)
    assert lo == 0.0 and 0.03 < hi < 0.04
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)


def test_monte_carlo_is_seeded_and_keyed_by_element(tmp_path) -> None:
    spec = spec_from(tmp_path, BRIDGE)
    ix = Index(spec)
    avail = availabilities(ix)
    a = monte_carlo(ix, avail, 5000, 3)
    assert a == monte_carlo(ix, avail, 5000, 3)
    assert a.collapse != monte_carlo(ix, avail, 5000, 4).collapse


def test_auto_uses_exact_when_affordable_and_says_so(tmp_path) -> None:
    spec = spec_from(tmp_path, BRIDGE)
    r = collapse_probability(Index(spec))
    assert r.method == EXACT and r.completion_method == EXACT and "exact" in r.note
    mc = collapse_probability(Index(spec), MONTE_CARLO, trials=1000)
    assert mc.method == MONTE_CARLO and mc.ci_collapse is not None


def test_needs_cycles_never_fail_by_themselves(tmp_path) -> None:
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: c, name: C}
        touchpoints:
          - {id: a, name: A, entry: true, goal: true, needs: [x]}
        supports:
          - {id: x, name: X, needs: [y]}
          - {id: y, name: Y, needs: [x], availability: 0.9}
        """)
    assert q_exact(spec) == pytest.approx(0.1)
    ix = Index(spec)
    assert monte_carlo(ix, availabilities(ix), 2000, 0).collapse == pytest.approx(0.1, abs=0.03)


# --- cut sets ----------------------------------------------------------------------------

def brute_cut_sets(spec: Spec, max_order: int) -> list[tuple[str, ...]]:
    """Every minimal cut set of order 2..K, from simulate() over all sets of elements."""
    ids = [e.id for e in spec.elements]
    cuts: list[frozenset[str]] = []
    out = []
    for k in range(1, max_order + 1):
        for combo in itertools.combinations(ids, k):
            s = frozenset(combo)
            if any(c <= s for c in cuts):
                continue
            if simulate(spec, combo).collapses:
                cuts.append(s)
                if k >= 2:
                    out.append(tuple(sorted(combo)))
    return sorted(out, key=lambda c: (len(c), c))


@settings(max_examples=budget(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys(max_tp=5, max_sup=5), st.integers(2, 3))
def test_cut_sets_match_brute_force_over_simulate(spec: Spec, order: int) -> None:
    ix = Index(spec)
    if not goal_reachable(ix, set()):
        return
    finder = CutFinder(ix)
    got = [tuple(sorted(ix.ids[v] for v in c)) for c in finder.cut_sets(order)]
    assert sorted(got, key=lambda c: (len(c), c)) == brute_cut_sets(spec, order)


def test_two_parallel_chains_give_k_squared_pairs(tmp_path) -> None:
    k = 6
    tps = "\n".join(f"  - {{id: {c}{i}, name: {c}{i}}}" for c in "ab" for i in range(k))
    spec = spec_from(tmp_path, f"""\
journeymap: 1
journey: {{id: chains, name: Chains}}
touchpoints:
  - {{id: s, name: S, entry: true}}
  - {{id: t, name: T, goal: true}}
{tps}
flow:
  - s -> {' -> '.join(f'a{i}' for i in range(k))} -> t
  - s -> {' -> '.join(f'b{i}' for i in range(k))} -> t
""")
    a = analyze(spec, risk=RiskOptions(probability="off", fixes=False))
    assert a.risk is not None
    pairs = a.risk.pairs
    assert len(pairs) == k * k
    assert all(p.ids[0].startswith("a") and p.ids[1].startswith("b") for p in pairs)
    assert all(p.customers_lost == 1.0 for p in pairs)


# --- fixes -------------------------------------------------------------------------------

def test_fixes_are_verified_by_a_rerun(tmp_path) -> None:
    spec = spec_from(tmp_path, """\
        journeymap: 1
        journey: {id: f, name: F}
        parties:
          - {id: vendor, name: Vendor, control: external, availability: 0.99}
        touchpoints:
          - {id: a, name: A, entry: true, needs: [api]}
          - {id: b, name: B, goal: true}
        supports:
          - {id: api, name: API, owner: vendor}
        flow: [a -> b]
        """)
    a = analyze(spec, risk=RiskOptions())
    risk = a.risk
    assert risk is not None and risk.probability is not None
    assert risk.probability.collapse == pytest.approx(0.01)
    assert risk.fixes
    best = risk.fixes[0]
    # A fallback or a second provider as available as the API: Q = 0.01² exactly.
    assert best.kind in ("fallback", "second-provider")
    assert best.effect.spofs_removed == ("api",)
    assert best.effect.collapse_after == pytest.approx(0.0001)
    assert best.effect.collapse_change == pytest.approx(-0.0099)
    for f in risk.fixes:  # every claimed effect is an improvement the re-run showed
        e = f.effect
        assert e.spofs_removed or (e.collapse_change or 0) < 0 or e.pairs_removed


# --- command line ------------------------------------------------------------------------

def _cli(*args: str):
    from click.testing import CliRunner

    from journeymap.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_analyze_json_has_the_risk_keys_after_the_v1_keys(tmp_path) -> None:
    import json

    path = tmp_path / "b.journey.yaml"
    path.write_text(textwrap.dedent(BRIDGE))
    out = _cli("analyze", str(path), "--format", "json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    keys = list(doc)
    assert keys[-3:] == ["probability", "cut_sets", "fixes"]
    assert keys.index("dependency_cycles") < keys.index("probability")
    p = doc["probability"]
    assert list(p)[:7] == ["method", "collapse", "completion", "hours_per_year", "trials",
                           "seed", "ci95"]
    assert p["method"] == "exact" and p["trials"] is None and p["ci95"] is None
    assert p["collapse"] == pytest.approx(0.02152, abs=1e-5)
    assert p["hours_per_year"] == pytest.approx(p["collapse"] * 8766, abs=1e-5)
    el = {e["id"]: e for e in doc["elements"]}
    assert el["c"]["availability"] == 0.9 and el["start"]["availability"] == 1.0
    assert set(el["c"]["importance"]) == {"birnbaum", "criticality", "raw", "rrw",
                                          "fussell_vesely"}
    assert el["c"]["importance"]["birnbaum"] == pytest.approx(0.0162)
    # The bridge's minimal cut sets: {a, b}, {d, e}, then {a, c, e} and {b, c, d}.
    assert [c["ids"] for c in doc["cut_sets"]] == [["a", "b"], ["d", "e"]]
    three = json.loads(_cli("analyze", str(path), "--format", "json", "--max-order", "3",
                            "--probability", "off").output)
    assert [c["ids"] for c in three["cut_sets"]] == [["a", "b"], ["d", "e"], ["a", "c", "e"],
                                                      ["b", "c", "d"]]
    assert all(len(c["ids"]) == 2 and c["customers_lost"] == 1.0 for c in doc["cut_sets"])
    assert doc["cut_sets"] == sorted(doc["cut_sets"], key=lambda c: (len(c["ids"]), c["ids"]))
    # Monte Carlo: seeded, with intervals; the same seed gives the same bytes.
    mc = _cli("analyze", str(path), "--format", "json", "--probability", "monte-carlo",
              "--trials", "3000", "--seed", "5")
    again = _cli("analyze", str(path), "--format", "json", "--probability", "monte-carlo",
                 "--trials", "3000", "--seed", "5")
    assert mc.output == again.output
    pm = json.loads(mc.output)["probability"]
    assert pm["method"] == "monte-carlo" and pm["trials"] == 3000 and pm["seed"] == 5
    lo, hi = pm["ci95"]["collapse"]
    assert lo <= pm["collapse"] <= hi
    off = json.loads(_cli("analyze", str(path), "--format", "json", "--probability",
                          "off").output)
    assert off["probability"] is None
    assert all(e["importance"] is None for e in off["elements"])
    assert off["cut_sets"] == doc["cut_sets"]


def test_availability_is_no_longer_ignored(tmp_path) -> None:
    path = tmp_path / "b.journey.yaml"
    path.write_text(textwrap.dedent(BRIDGE))
    first = _cli("analyze", str(path)).output
    path.write_text(textwrap.dedent(BRIDGE).replace("availability: 0.9}", "availability: 0.5}"))
    second = _cli("analyze", str(path)).output
    assert first != second
    assert "Risk in numbers" in first and "collapses 2.15% of the time" in first
    assert "pairs of failures" in first and "Fixes ranked by what they buy" in first


def test_simulate_reports_the_collapse_probability_given_the_failures(tmp_path) -> None:
    import json

    path = tmp_path / "b.journey.yaml"
    path.write_text(textwrap.dedent(BRIDGE))
    out = _cli("simulate", str(path), "--fail", "c", "--format", "json")
    doc = json.loads(out.output)
    assert doc["probability"]["collapse"] == pytest.approx(0.0361)  # two parallel pairs
    assert doc["baseline_collapse"] == pytest.approx(0.02152, abs=1e-5)
    text = _cli("simulate", str(path), "--fail", "a", "--fail", "b").output
    assert "collapses for sure" in text


# --- CI rules ----------------------------------------------------------------------------

GATE = """\
    journeymap: 1
    journey: {id: gate, name: Gate}
    parties:
      - {id: us, name: Us, control: internal, availability: 0.9999}
      - {id: cdn-co, name: CDN Co, control: external, availability: VENDOR}
    touchpoints:
      - {id: page, name: Page, entry: true, owner: us, needs: [NEEDS]}
      - {id: done, name: Done, goal: true, owner: us}
    supports:
      - {id: cdn-a, name: CDN A, owner: us}
      - {id: cdn-ext, name: CDN ext, owner: cdn-co}
    flow: [page -> done]
    """


def _gate_findings(tmp_path, before: dict[str, str], after: dict[str, str],
                   thresholds: dict[str, float] | None = None) -> list[tuple[str, str]]:
    from journeymap.check import run_rules
    from journeymap.diff import diff_journeys
    from journeymap.policy import Policy
    from journeymap.rules import JourneyState, Thresholds

    def load(values: dict[str, str]):
        text = GATE
        for k, v in values.items():
            text = text.replace(k, v)
        return analyze(spec_from(tmp_path, text), risk=RiskOptions(fixes=False))

    old, new = load(before), load(after)
    state = JourneyState("x.journey.yaml", "gate", new, old, diff_journeys(old, new))
    policy = Policy(thresholds=Thresholds(**(thresholds or {})))
    report = run_rules([state], policy)
    return [(f.rule, f.message) for f in report.findings if f.rule in ("JM114", "JM115")]


def test_rule_collapse_probability_past_the_threshold(tmp_path) -> None:
    base = {"NEEDS": "cdn-ext", "VENDOR": "0.9999"}
    worse = {"NEEDS": "cdn-ext", "VENDOR": "0.99"}
    found = _gate_findings(tmp_path, base, worse)
    assert [r for r, _ in found] == ["JM114"]
    assert "now collapses 1.02% of the time" in found[0][1]  # 1 - 0.99 * 0.9999^2
    assert "before this change 0.03%" in found[0][1]  # 1 - 0.9999^3
    assert "The policy allows 0.1%" in found[0][1]
    # Under the threshold, or already past it before the change: no finding.
    assert _gate_findings(tmp_path, base, worse, {"collapse_probability": 0.05}) == []
    assert _gate_findings(tmp_path, worse, worse) == []


def test_rule_new_pair_with_an_external_member(tmp_path) -> None:
    single = {"NEEDS": "cdn-a", "VENDOR": "0.999"}
    pair = {"NEEDS": "{any: [cdn-a, cdn-ext]}", "VENDOR": "0.999"}
    found = _gate_findings(tmp_path, single, pair)
    assert [r for r, _ in found] == ["JM115"]
    assert "'cdn-a' (internal) and 'cdn-ext' (external, outside your control)" in found[0][1]
    assert _gate_findings(tmp_path, pair, pair) == []  # the pair was there already


def test_the_gate_computes_risk_only_when_a_rule_needs_it() -> None:
    from journeymap.check import needs_risk
    from journeymap.policy import Policy

    assert needs_risk(Policy())
    assert not needs_risk(Policy(severities={"JM114": "off", "JM115": "off"}))


@settings(max_examples=budget(25), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(uncertain_journeys(max_tp=5, max_sup=4))
def test_column_wise_completion_matches_the_exact_solver(monkeypatch, spec: Spec) -> None:
    # Large journeys compute Monte Carlo completion column-wise instead of once per set of
    # down touch-points; on the same draws both must give the same mean.
    import journeymap.analysis.probability as prob

    ix = Index(spec)
    if not goal_reachable(ix, set()):
        return
    avail = availabilities(ix)
    per_set = monte_carlo(ix, avail, 3000, 11)
    monkeypatch.setattr(prob, "VECTOR_TOUCHPOINTS", 0)
    column_wise = monte_carlo(ix, avail, 3000, 11)
    assert column_wise.collapse == per_set.collapse
    assert column_wise.completion == pytest.approx(per_set.completion, abs=1e-9)


def test_nothing_can_fail_is_exact_without_a_diagram(tmp_path) -> None:
    spec = spec_from(tmp_path, BRIDGE.replace("defaults: {availability: 0.9}", ""))
    r = collapse_probability(Index(spec), MONTE_CARLO)
    assert r.method == EXACT and r.collapse == 0.0 and r.completion == 1.0
    assert "no element can fail" in r.note
