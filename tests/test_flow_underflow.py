"""Customers lost next to flow loops whose visits are unknown (inf) on every path.

A loop customers leave only by lines of 5e-324 (a self-loop of 3 next to them) has
visits beyond the largest float: ``FlowSolver`` holds them as inf, "unknown", and must
never turn inf × 0 (a line whose share of its total underflows) into NaN read as
"nobody comes here", nor drop such a line as if nobody took it. Journeys made of such
loops, chained and fed into each other by underflowing lines, with supports taking out
several touch-points at once, are checked against the oracle on the default update, the
gateway segments, the dense array pass and the hub sums (forced on small journeys).
"""

from __future__ import annotations

import math

import pytest
from budget import budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import naive_cascades

from journeymap.analysis.fast import fast_cascades
from journeymap.analysis.index import Index
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Element, ElementType, FlowLine, Journey, Need, Spec

L = Location("underflow.journey.yaml", 1, 1)
SHARES = st.sampled_from([5e-324, 5e-324, 1e-300, 1.0, 3.0, 1e9])


@st.composite
def underflow_journeys(draw) -> Spec:
    """A chain of touch-points, some with a heavy self-loop, lines between them (back
    and forth: loops) with shares down to 5e-324, a goal at the end and dead ends."""
    k = draw(st.integers(2, 8))
    ids = [f"t{i}" for i in range(k)]
    lines: dict[tuple[int, int], float] = {}
    for i in range(k - 1):
        lines[i, i + 1] = draw(SHARES)
    for i in range(k):
        if draw(st.integers(0, 2)) == 0:
            lines[i, i] = draw(st.sampled_from([3.0, 1e9]))
    for _ in range(draw(st.integers(0, k))):
        a, b = draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1))
        lines[a, b] = draw(SHARES)
    goals = {k - 1} | draw(st.sets(st.integers(1, k - 1), max_size=1))
    entries = {0} | draw(st.sets(st.integers(0, k - 1), max_size=1))
    sup_ids = [f"s{j}" for j in range(draw(st.integers(0, 3)))]
    needs: dict[int, list[Need]] = {}
    for s in sup_ids:
        for v in draw(st.sets(st.integers(0, k - 1), min_size=1, max_size=3)):
            needs.setdefault(v, []).append(Need((s,), 1, "id", "technology", "hard", location=L))
    elements = tuple(
        Element(id=i, name=i, type=ElementType.TOUCHPOINT, location=L, entry=v in entries,
                goal=v in goals, needs=tuple(needs.get(v, ())))
        for v, i in enumerate(ids)) + tuple(
        Element(id=s, name=s, type=ElementType.SUPPORT, location=L) for s in sup_ids)
    return Spec("underflow.journey.yaml", Journey("uf", "Underflow", L), (), (), elements,
                tuple(FlowLine(ids[a], ids[b], L, share=s) for (a, b), s in lines.items()))


def check_every_path(monkeypatch, spec: Spec, path: str) -> None:
    import journeymap.analysis.flow as flow
    import journeymap.analysis.gateways as gw

    with monkeypatch.context() as m:
        if "cover" in path:
            m.setattr(gw, "MAX_COVER", 1e9)
        if "dense" in path:
            m.setattr(flow, "DENSE_LEVELS", -1)
        if "hub" in path:
            m.setattr(flow, "HUB_LINES", 0)
            m.setattr(flow, "hub_pays", lambda changed, lines: True)
        ix = Index(spec)
        fast = fast_cascades(ix)[2]
    for f, s in zip(fast, naive_cascades(ix)):
        assert math.isclose(f.customers_lost, s.customers_lost, abs_tol=1e-9), \
            (path, ix.ids[min(f.failed)], f.customers_lost, s.customers_lost)


PATHS = ["default", "cover", "dense", "cover+dense", "hub", "hub+dense", "hub+cover"]


@settings(max_examples=budget(60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(underflow_journeys(), st.sampled_from(PATHS))
def test_loops_with_unknown_visits_lose_what_the_oracle_loses(monkeypatch, spec: Spec,
                                                              path: str) -> None:
    check_every_path(monkeypatch, spec, path)


def spec_of(tps: list[tuple[str, bool, bool]], lines: list[tuple[str, str, float]]) -> Spec:
    return Spec("underflow.journey.yaml", Journey("uf", "Underflow", L), (), (), tuple(
        Element(id=i, name=i, type=ElementType.TOUCHPOINT, location=L, entry=e, goal=g)
        for i, e, g in tps), tuple(FlowLine(a, b, L, share=s) for a, b, s in lines))


# t0's self-loop of 3 next to exits of 5e-324: its visits are unknown (inf), and its
# line into the plain loop m1 <-> m2 is inf × (5e-324 / 3 = 0). The loop-only update
# summed the loop's inflows without such lines (a zero weight: "nobody"), so with d
# down m2 lost nobody instead of half of t0's customers × 1/3.
INTO_A_LOOP = spec_of(
    [("t0", True, False), ("m1", False, False), ("m2", False, False), ("d", False, False),
     ("x", False, False), ("g", False, True)],
    [("t0", "t0", 3.0), ("t0", "m1", 5e-324), ("t0", "g", 5e-324), ("m1", "m2", 1.0),
     ("m2", "m1", 1.0), ("m2", "d", 1.0), ("m1", "x", 1.0), ("d", "g", 1.0)])
# The goal t2 leads back to t0: t0, t1, t2 are one component, of which the dense pass
# reaches only t1 (t2 down; a goal forwards nobody), so t0's visits come in as a
# member's outside the region, through a line of weight 0 that was skipped (found by
# hypothesis on the test above: t2 down lost nobody instead of t0's half).
PART_OF_A_LOOP = spec_of(
    [("t0", True, False), ("t1", False, False), ("t2", False, True), ("t3", True, False),
     ("t4", False, False), ("t5", False, False), ("t6", False, True)],
    [("t0", "t1", 5e-324), ("t1", "t2", 5e-324), ("t2", "t3", 5e-324),
     ("t3", "t4", 5e-324), ("t4", "t5", 5e-324), ("t5", "t6", 5e-324), ("t0", "t0", 3.0),
     ("t2", "t2", 3.0), ("t3", "t3", 3.0), ("t4", "t4", 3.0), ("t2", "t0", 5e-324)])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("spec, element, lost", [(INTO_A_LOOP, "d", 1 / 6),
                                                 (INTO_A_LOOP, "m2", 1 / 6),
                                                 (PART_OF_A_LOOP, "t2", 0.5)],
                         ids=["into-a-loop-d", "into-a-loop-m2", "part-of-a-loop"])
def test_a_line_of_weight_zero_from_unknown_visits_is_not_nobody(
        monkeypatch, spec: Spec, element: str, lost: float, path: str) -> None:
    ix = Index(spec)
    assert math.isclose(naive_cascades(ix)[ix.pos[element]].customers_lost, lost)
    check_every_path(monkeypatch, spec, path)


# t2's visits underflow to 0 (t1 sends it 5e-324 of 3), yet with t3 down t1 sends it
# half its customers, all lost there: t2 reroutes though its baseline visits are 0
# (found by hypothesis: t3 down lost nobody instead of half).
UNDERFLOWING_VISITS = spec_of(
    [("t0", True, False), ("t1", False, False), ("t2", False, False), ("t3", False, False),
     ("t4", False, False), ("t5", False, True)],
    [("t0", "t1", 5e-324), ("t1", "t2", 5e-324), ("t2", "t3", 5e-324), ("t3", "t4", 5e-324),
     ("t4", "t5", 5e-324), ("t0", "t0", 5e-324), ("t3", "t3", 3.0), ("t4", "t4", 3.0),
     ("t5", "t5", 3.0), ("t1", "t3", 3.0), ("t1", "t4", 5e-324)])


@pytest.mark.parametrize("path", PATHS)
def test_a_touch_point_whose_visits_underflow_still_reroutes(monkeypatch, path: str) -> None:
    ix = Index(UNDERFLOWING_VISITS)
    assert math.isclose(naive_cascades(ix)[ix.pos["t3"]].customers_lost, 0.5)
    check_every_path(monkeypatch, UNDERFLOWING_VISITS, path)
