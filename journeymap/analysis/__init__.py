"""The failure engine: single points of failure, cascades, complexity, robustness.

Pure functions over a validated :class:`~journeymap.spec.model.Spec`: no I/O, no click.

>>> from journeymap.spec import load_spec  # doctest: +SKIP
>>> a = analyze(load_spec("specs/newsletter-video.journey.yaml"))  # doctest: +SKIP
>>> a.verdict, [s.id for s in a.spofs][:3]  # doctest: +SKIP
('complex', ['bitly-service', 'crm', 'short-link'])
>>> simulate(a.spec, ["crm"]).collapses  # doctest: +SKIP
True

Semantics are documented where they are computed: :mod:`.propagation` (down, degraded,
cycles), :mod:`.flow` (customers, rerouting, flow cycles), :mod:`.build` (cause,
endpoint, path, critical lines, stages, control), :mod:`.robustness` (the curve).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from journeymap.analysis.result import Cascade, JourneyAnalysis
from journeymap.spec.model import Spec

if TYPE_CHECKING:
    from journeymap.analysis.risk import RiskOptions


def analyze(spec: Spec, *, samples: int | None = None, seed: int = 0,
            engine: str = "fast", risk: RiskOptions | None = None) -> JourneyAnalysis:
    """Analyse one journey. ``samples`` (Monte Carlo orders for the robustness curve)
    defaults to a number chosen from the journey's size; ``engine="naive"`` uses the
    slow oracle (tests and benchmarks only). ``risk`` also computes the risk numbers
    (:mod:`.risk`: probability, cut sets, importance, fixes) into ``.risk``."""
    from journeymap.analysis.build import build_analysis
    from journeymap.analysis.engine import analyze_facts
    from journeymap.analysis.index import gc_paused

    with gc_paused():  # no reference cycles are made: see gc_paused
        facts = analyze_facts(spec, samples=samples, seed=seed, engine=engine)
        result = build_analysis(spec, facts)
        if risk is not None:
            from journeymap.analysis.risk import assess_risk

            result = dataclasses.replace(result, risk=assess_risk(spec, risk, facts.ix))
        return result


def simulate(spec: Spec, failed: Iterable[str]) -> Cascade:
    """What-if: the cascade when the elements ``failed`` (ids) fail together.

    Raises ``KeyError`` naming the first unknown id (the CLI checks ids first).
    """
    from journeymap.analysis.build import _dependents, _flow_distance, collapse_path
    from journeymap.analysis.engine import structural_touchpoints
    from journeymap.analysis.index import Index
    from journeymap.analysis.oracle import baseline, naive_cascade

    ix = Index(spec)
    ids = sorted(set(failed))
    for f in ids:
        if f not in ix.pos:
            raise KeyError(f)
    idx = [ix.pos[f] for f in ids]
    base = baseline(ix)
    raw = naive_cascade(ix, idx, base)
    structural = structural_touchpoints(ix)
    dist = _flow_distance(ix)
    deps = _dependents(ix)
    # Touch-points that lose customers on their own make the most telling path ends.
    weight = [naive_cascade(ix, (v,), base).customers_lost if ix.is_tp[v] and v in raw.down
              else 0.0 for v in range(ix.n)]
    # The readable chain: from the failed element whose path reaches customers first.
    best: tuple[int, ...] = ()
    for fi in idx:
        p = collapse_path(ix, fi, raw.down, base[0], structural, dist, deps, weight)
        if p and (not best or (p[-1] not in structural, -weight[p[-1]], dist[p[-1]], len(p))
                  < (best[-1] not in structural, -weight[best[-1]], dist[best[-1]], len(best))):
            best = p
    return Cascade(failed=tuple(ids), down=ix.names(raw.down), stranded=ix.names(raw.stranded),
                   degraded=ix.names(raw.degraded), customers_lost=raw.customers_lost,
                   collapses=raw.collapses, path=tuple(ix.ids[v] for v in best))


__all__ = ["analyze", "simulate"]
