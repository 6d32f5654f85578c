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
    from journeymap.analysis.cascade import CascadeEngine
    from journeymap.analysis.risk import RiskOptions


def analyze(spec: Spec, *, samples: int | None = None, seed: int = 0,
            engine: CascadeEngine | None = None, risk: RiskOptions | None = None
            ) -> JourneyAnalysis:
    """Analyse one journey. ``samples`` (Monte Carlo orders for the robustness curve)
    defaults to a number chosen from the journey's size; ``engine`` replaces the fast
    engine's per-element cascades (the tests pass their slow oracle's). ``risk`` also
    computes the risk numbers (:mod:`.risk`: probability, cut sets, importance, fixes)
    into ``.risk``."""
    from journeymap.analysis.build import build_analysis
    from journeymap.analysis.engine import analyze_facts
    from journeymap.analysis.index import gc_paused

    with gc_paused():  # no reference cycles are made: see gc_paused
        facts = analyze_facts(spec, samples=samples, seed=seed, engine=engine)
        result = build_analysis(spec, facts)
        if risk is not None:
            from journeymap.analysis.risk import assess_risk

            spofs = frozenset(v for v, c in enumerate(facts.cascades) if c.collapses)
            result = dataclasses.replace(result, risk=assess_risk(
                spec, risk, facts.ix, spofs=spofs, comp0=facts.baseline_completion,
                cascades=facts.cascades))
        return result


def simulate(spec: Spec, failed: Iterable[str]) -> Cascade:
    """What-if: the cascade when the elements ``failed`` (ids) fail together, computed
    as :func:`analyze` computes one element's (:mod:`.whatif`).

    Raises ``KeyError`` naming the first unknown id (the CLI checks ids first).
    """
    from journeymap.analysis.whatif import what_if

    return what_if(spec, failed)


__all__ = ["analyze", "simulate"]
