"""Everything :func:`journeymap.analysis.analyze` computes before naming it: every
element's cascade (:mod:`.fast`), the structural SPOFs (:mod:`.dominators`), the
robustness curve and the mutual-dependency groups.

The fast engine is checked against a slow, literal oracle (tests/oracle.py) with
hypothesis on thousands of small random journeys (tests/test_engine_properties.py).
"""

from __future__ import annotations

from journeymap.analysis.build import Facts
from journeymap.analysis.cascade import CascadeEngine
from journeymap.analysis.index import Index, sccs
from journeymap.analysis.robustness import default_samples, robustness
from journeymap.spec.model import Spec


def structural_touchpoints(ix: Index) -> set[int]:
    """Touch-points on every entry-to-goal path of the flow layer (dominators of T)."""
    return set(ix.gateway_chain())


def dependency_cycles(ix: Index) -> list[list[int]]:
    """Mutual-dependency groups: SCCs of size > 1 of the needs layer (hard or soft), in
    reverse topological order among themselves.

    Only what a cycle leads to can be on one: elements are first peeled off from the
    top (Kahn's order from the elements nothing needs), and the components are computed
    over what is left, usually a small part of the journey. The peeling keeps no order
    (:func:`.index.peel` keeps one for the kill sets): first in, first out, so the
    elements nothing needs are read in index order, as their needs are stored.
    """
    n = ix.n
    succ: list[list[int]] = [[] for _ in range(n)]
    for owner, members in zip(ix.group_owner, ix.group_members):
        succ[owner].extend(members)
    lines_in = [0] * n
    for row in succ:
        for m in row:
            lines_in[m] += 1
    peeled = [v for v in range(n) if not lines_in[v]]
    for v in peeled:
        for m in succ[v]:
            lines_in[m] -= 1
            if not lines_in[m]:
                peeled.append(m)
    if len(peeled) == n:
        return []
    # A line into a peeled element comes from another peeled one: nothing left leads
    # there, so the components of the rest are the journey's.
    _, comps = sccs(n, succ, [v for v in range(n) if lines_in[v]])
    return [c for c in comps if len(c) > 1]


def analyze_facts(spec: Spec, *, samples: int | None, seed: int,
                  engine: CascadeEngine | None = None) -> Facts:
    ix = Index(spec)
    if engine is None:
        from journeymap.analysis.fast import fast_cascades

        engine = fast_cascades
    reach0, comp0, cascades = engine(ix)
    m = len(spec.flows) + sum(len(g.members) for g in ix.groups)
    k = default_samples(ix.n, m) if samples is None else samples
    ok = any(ix.is_goal[v] for v in reach0)
    return Facts(ix=ix, cascades=cascades, baseline_reach=reach0, baseline_completion=comp0,
                 structural=structural_touchpoints(ix),
                 robustness=robustness(ix, samples=k, seed=seed, baseline_ok=ok,
                                       collapser=[c.collapses for c in cascades],
                                       down=[c.down for c in cascades]),
                 cycles=dependency_cycles(ix))


__all__ = ["analyze_facts", "dependency_cycles", "structural_touchpoints"]
