"""Analysing many journeys: optionally over several processes, always in input order.

``check`` and ``portfolio`` read dozens to thousands of journeys. Each analysis is
independent, so ``--jobs N`` spreads them over N worker processes; results come back
in the order the journeys were given, so the output is the same bytes for any N.

Neither command shows the robustness curve, so they skip its Monte Carlo sampling
(``samples=0``). Risk numbers are computed only when asked: ``check`` passes the
options its enabled rules need (or ``None``); ``portfolio`` passes :data:`AUTO`, the
collapse probability for journeys that declare an availability somewhere (otherwise
nothing ever fails at random and it is 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar, Union

from journeymap.analysis.result import JourneyAnalysis
from journeymap.spec.diagnostics import Diagnostic
from journeymap.spec.model import Spec

if TYPE_CHECKING:
    from journeymap.analysis.risk import RiskOptions

AUTO: Literal["auto"] = "auto"
Risk = Union["RiskOptions", None, Literal["auto"]]
_T = TypeVar("_T")
_R = TypeVar("_R")


def declares_availability(spec: Spec) -> bool:
    return (spec.default_availability is not None
            or any(p.availability is not None for p in spec.parties)
            or any(e.availability is not None for e in spec.elements))


def analyze_one(spec: Spec, risk: Risk = None) -> JourneyAnalysis:
    """The analysis ``check`` and ``portfolio`` need: no robustness curve; risk numbers
    as ``risk`` says (:data:`AUTO`: the collapse probability where availabilities are
    declared; no cut sets of order 2+, no fix ranking)."""
    from journeymap.analysis import analyze

    if risk == AUTO:
        from journeymap.analysis.risk import RiskOptions

        risk = RiskOptions(max_order=1, fixes=False) if declares_availability(spec) else None
    return analyze(spec, samples=0, risk=risk)


def _analyze_job(job: tuple[Spec, Risk]) -> JourneyAnalysis:
    return analyze_one(*job)


def analyze_all(specs: Sequence[Spec], *, jobs: int = 1,
                risk: Risk = AUTO) -> list[JourneyAnalysis]:
    """Analyses of ``specs``, in order; ``jobs`` > 1 uses that many processes."""
    return _map(_analyze_job, [(s, risk) for s in specs], jobs)


Loaded = tuple[Spec | None, JourneyAnalysis | None, tuple[Diagnostic, ...]]


def _load_job(job: tuple[str, Risk]) -> Loaded:
    from journeymap.spec import SpecError, load_spec

    path, risk = job
    try:
        spec = load_spec(path)
    except SpecError as exc:
        return None, None, tuple(exc.diagnostics)
    return spec, analyze_one(spec, risk), ()


def load_and_analyze(paths: Sequence[str], *, jobs: int = 1, risk: Risk = AUTO) -> list[Loaded]:
    """Load and analyse every spec file, in order: ``(spec, analysis, ())`` or
    ``(None, None, problems)``. With ``jobs`` > 1 the workers load too (reading YAML is
    half the work), so each worker reads the catalogs once itself."""
    return _map(_load_job, [(p, risk) for p in paths], jobs)


def _map(job: Callable[[_T], _R], work: list[_T], jobs: int) -> list[_R]:
    """``job`` over ``work`` in order: in this process, or in ``jobs`` processes (chunks
    of about a quarter of each worker's share, so slow journeys spread out)."""
    if jobs <= 1 or len(work) < 2:
        return [job(w) for w in work]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(work) // (jobs * 4))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(job, work, chunksize=chunk))


__all__ = ["AUTO", "analyze_all", "analyze_one", "declares_availability", "load_and_analyze"]
