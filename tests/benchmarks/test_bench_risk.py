"""Benchmarks of risk in numbers (skipped by the default test run).

    pytest tests/benchmarks/test_bench_risk.py -o addopts="" -s

Side by side in one run: minimal pairs by residual single points of failure against the
brute-force reading (propagate and walk the flow layer for every pair of elements, timed
on a seeded sample of pairs and scaled to all of them: the full run takes hours at 10k);
Monte Carlo trials per second at 10k elements; the exact method against Monte Carlo on
the examples; a 1k-element journey's whole ``journeymap analyze``. Each test prints one
``BENCH`` line and asserts the target from journeymap issue 10.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from generate import synthetic_yaml

from journeymap.analysis.cutsets import CutFinder
from journeymap.analysis.flow import goal_reachable
from journeymap.analysis.index import Index
from journeymap.analysis.probability import availabilities, exact, monte_carlo
from journeymap.analysis.propagation import propagate_indices
from journeymap.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
_SPECS: dict[int, object] = {}


def report(what: str, **numbers: object) -> None:
    print(f"\nBENCH {what}: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))


def spec_of(n: int):  # type: ignore[no-untyped-def]
    if n not in _SPECS:
        _SPECS[n] = load_spec(f"synthetic-{n}.journey.yaml",
                              synthetic_yaml(n, seed=1, availability=True))
    return _SPECS[n]


@pytest.mark.parametrize("n", [1000, 10000], ids=["1k", "10k"])
def test_pairs_vs_brute_force(benchmark, n: int) -> None:
    ix = Index(spec_of(n))
    t0 = time.process_time()
    finder = CutFinder(ix)
    pairs = finder.cut_sets(2)
    ours = time.process_time() - t0
    cand = finder.candidates
    total = len(cand) * (len(cand) - 1) // 2
    rng = random.Random(1)
    sample = [tuple(rng.sample(cand, 2)) for _ in range(2000)]
    t0 = time.process_time()
    for x, y in sample:
        goal_reachable(ix, propagate_indices(ix, (x, y)))
    per_pair = (time.process_time() - t0) / len(sample)
    brute = per_pair * total
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(ours_s=ours, brute_s_estimated=brute, pairs=len(pairs))
    report(f"minimal pairs, {n} elements", pairs=len(pairs), candidates=len(cand),
           ours_s=f"{ours:.1f}", brute_force_s_estimated=f"{brute:.0f}",
           ratio=f"{brute / ours:.0f}x")
    assert brute / ours >= 10


def test_monte_carlo_trials_per_second_at_10k(benchmark) -> None:
    ix = Index(spec_of(10000))
    avail = availabilities(ix)
    t0 = time.process_time()
    r = monte_carlo(ix, avail, 100_000, 0)
    took = time.process_time() - t0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(seconds=took)
    report("Monte Carlo, 10k elements, 100k trials", seconds=f"{took:.1f}",
           trials_per_s=f"{100_000 / took:.0f}", collapse=f"{r.collapse:.5f}",
           completion=f"{r.completion:.5f}")
    assert took < 30


@pytest.mark.parametrize("path", sorted((ROOT / "specs").glob("*.journey.yaml")),
                         ids=lambda p: p.name.split(".")[0])
def test_exact_on_the_examples(benchmark, path: Path) -> None:
    ix = Index(load_spec(str(path)))
    avail = availabilities(ix)
    t0 = time.process_time()
    from journeymap.analysis.probability import ExactModel

    model = ExactModel(ix)
    q, _, _ = model.collapse_and_importance(avail)
    t_exact = time.process_time() - t0
    t0 = time.process_time()
    mc = monte_carlo(ix, avail, 100_000, 0)
    t_mc = time.process_time() - t0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    report(f"exact Q and importance, {path.name}", elements=ix.n, nodes=len(model.bdd),
           exact_s=f"{t_exact:.3f}", monte_carlo_100k_s=f"{t_mc:.3f}", q=f"{q:.6f}",
           mc_q=f"{mc.collapse:.6f}")
    # Five standard errors: a check that both read the same journey, not a test of the
    # interval (tests/test_risk.py tests its coverage).
    assert abs(mc.collapse - q) <= 5 * (q * (1 - q) / 100_000) ** 0.5 + 1e-9
    if path.name.startswith("newsletter"):
        assert exact(ix, avail).method == "exact"


def test_whole_process_analyze_1k(benchmark, tmp_path) -> None:
    path = tmp_path / "synthetic-1000.journey.yaml"
    path.write_text(synthetic_yaml(1000, seed=1, availability=True), encoding="utf-8")
    cmd = [sys.executable, "-m", "journeymap", "analyze", "--format", "json", "-o",
           str(tmp_path / "out.json"), str(path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr[-2000:]
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    report("whole process: analyze (probability, pairs, fixes), 1k elements",
           wall_s=f"{wall:.1f}")
    assert wall < 10


def _fix_spec(name: str):  # type: ignore[no-untyped-def]
    if name.startswith("synthetic-"):
        return spec_of(int(name.split("-")[1]))
    return load_spec(str(ROOT / "specs" / f"{name}.journey.yaml"))


@pytest.mark.parametrize("name", ["bank-account-opening", "insurance-claim", "synthetic-300"])
def test_fix_search_vs_analysing_every_copy_whole(benchmark, name: str) -> None:
    """The fix search (each candidate's structure, then the likelihood of the one kept
    per part) against the obvious way: every candidate copy analysed whole, as
    ``journeymap analyze`` would (engine, robustness, risk numbers), the same candidates."""
    import dataclasses

    from journeymap.analysis import analyze
    from journeymap.analysis import fixes as fx
    from journeymap.analysis.risk import RiskOptions

    spec = _fix_spec(name)
    options = RiskOptions(max_order=1)
    a = analyze(spec, risk=dataclasses.replace(options, fixes=False))
    fx.search_fixes(spec, options, base=a.risk, spofs=set(a.spof_ids))  # warm caches
    t0 = time.process_time()
    found = fx.search_fixes(spec, options, base=a.risk, spofs=set(a.spof_ids))
    ours = time.process_time() - t0
    copies = fx.candidate_copies(spec, options, base=a.risk)
    t0 = time.process_time()
    for _, _, copy in copies:
        analyze(copy, risk=dataclasses.replace(options, fixes=False))
    naive = time.process_time() - t0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(ours_s=ours, naive_s=naive, candidates=len(copies))
    report(f"fix search, {name}", elements=len(spec.elements), candidates=len(copies),
           fixes=len(found.fixes), ours_s=f"{ours:.2f}", every_copy_whole_s=f"{naive:.2f}",
           ratio=f"{naive / ours:.1f}x")
    assert naive > ours
