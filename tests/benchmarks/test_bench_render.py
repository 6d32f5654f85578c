"""Benchmarks of drawing at scale (skipped by the default test run).

    pytest tests/benchmarks/test_bench_render.py -o addopts="" -s

Whole process (``python -m journeymap render``, analysis included) on generated journeys
of 300 / 1,000 / 3,000 / 10,000 elements, side by side:

* **now**: ``render`` as shipped (routing by size; the summary beyond 1,500 elements);
* **full**: ``render --full`` (every element, straight lines beyond the curved budget);
* **before**: the routing this replaced (``--full --routing curved``: curved lines at
  every size), stopped by ``--graphviz-timeout`` after :data:`CAP` seconds -- reported
  as "did not finish in N s".

Each test prints one ``BENCH`` line and asserts the targets of journeymap issue 12
(300 < 10 s, 1,000 < 30 s, 3,000 < 90 s, a 10,000-element summary < 60 s).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from generate import synthetic_yaml

ROOT = Path(__file__).resolve().parents[2]
TARGET = {300: 10.0, 1000: 30.0, 3000: 90.0, 10000: 60.0}
CAP = {300: 180, 1000: 60, 3000: 60, 10000: 60}  # seconds allowed to the old routing


def report(name: str, **values: object) -> None:
    print(f"\nBENCH {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


def run(args: list[str]) -> tuple[float, int, str]:
    """Wall time, exit code and stderr of one whole journeymap process."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "journeymap", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return time.perf_counter() - t0, proc.returncode, proc.stderr


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("render-bench")
    out = {}
    for n in TARGET:
        out[n] = folder / f"synthetic-{n}.journey.yaml"
        out[n].write_text(synthetic_yaml(n, seed=1), encoding="utf-8")
    return out


@pytest.mark.parametrize("n", list(TARGET))
def test_render_now_vs_before(benchmark, specs, tmp_path, n: int) -> None:
    spec = str(specs[n])
    out = str(tmp_path / "x.svg")
    now, code, _ = run(["render", spec, "-o", out, "--quiet"])
    assert code == 0
    summary = "Summary of" in Path(out).read_text(encoding="utf-8")
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)  # the timing is the wall time
    full = None
    if n <= 3000:
        full, code, _ = run(["render", spec, "-o", out, "--quiet", "--full"])
        assert code == 0
    before, code, err = run(["render", spec, "-o", out, "--quiet", "--full", "--routing",
                             "curved", "--graphviz-timeout", str(CAP[n])])
    finished = code == 0
    assert finished or "time" in err.lower(), err
    before_text = f"{before:.1f}s" if finished else f"did not finish in {CAP[n]} s"
    ratio = f"{before / now:.0f}x" if finished else f">{CAP[n] / now:.0f}x"
    benchmark.extra_info.update(now_s=now, full_s=full, before_s=before if finished else None,
                                summary=summary)
    report(f"render {n:,} elements", now=f"{now:.1f}s" + (" (summary)" if summary else ""),
           full="-" if full is None else f"{full:.1f}s", before=before_text, ratio=ratio,
           target=f"<{TARGET[n]:.0f}s")
    assert now < TARGET[n]
    if full is not None:
        assert full < TARGET[n]


@pytest.mark.parametrize("n", [300, 1000, 3000])
def test_explore_page(benchmark, specs, tmp_path, n: int) -> None:
    out = tmp_path / "page.html"
    wall, code, _ = run(["explore", str(specs[n]), "-o", str(out), "--quiet"])
    assert code == 0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(wall_s=wall, bytes=out.stat().st_size)
    report(f"explore {n:,} elements", wall=f"{wall:.1f}s",
           page=f"{out.stat().st_size / 1e6:.1f} MB")
    assert wall < TARGET[n]
