"""Analysing many journeys: optionally over several processes, always in input order.

``check`` and ``portfolio`` read dozens to thousands of journeys. Each analysis is
independent, so ``--jobs N`` spreads them over N worker processes; results come back
in the order the journeys were given, so the output is the same bytes for any N.

Neither command shows the robustness curve, so they skip its Monte Carlo sampling
(``samples=0``); risk numbers are computed only for journeys that declare an
availability somewhere (otherwise nothing ever fails at random and Q is 0).
"""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis.result import JourneyAnalysis
from journeymap.spec.model import Spec


def declares_availability(spec: Spec) -> bool:
    return (spec.default_availability is not None
            or any(p.availability is not None for p in spec.parties)
            or any(e.availability is not None for e in spec.elements))


def analyze_one(spec: Spec, risk: bool = False) -> JourneyAnalysis:
    """The analysis ``check`` and ``portfolio`` need: no robustness curve; with ``risk``,
    the collapse probability for journeys that declare availabilities (no cut sets of
    order 2+, no fix ranking: neither command shows them)."""
    from journeymap.analysis import analyze

    if risk and declares_availability(spec):
        from journeymap.analysis.risk import RiskOptions

        return analyze(spec, samples=0, risk=RiskOptions(max_order=1, fixes=False))
    return analyze(spec, samples=0)


def _risk_one(spec: Spec) -> JourneyAnalysis:
    return analyze_one(spec, risk=True)


def analyze_all(specs: Sequence[Spec], *, jobs: int = 1,
                risk: bool = True) -> list[JourneyAnalysis]:
    """Analyses of ``specs``, in order; ``jobs`` > 1 uses that many processes."""
    work = _risk_one if risk else analyze_one
    if jobs <= 1 or len(specs) < 2:
        return [work(s) for s in specs]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(specs) // (jobs * 4))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(work, specs, chunksize=chunk))


__all__ = ["analyze_all", "analyze_one", "declares_availability"]
