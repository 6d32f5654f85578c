"""One-shot structural steps: our array code side by side with networkx (skipped by
default; run with ``pytest tests/benchmarks/test_bench_structure.py -o addopts="" -s``).

Measured (CPU seconds, 2-core VM under load, generated journeys without support stages):
SCCs of the needs layer 0.012 s ours vs 0.059 s networkx at 10k (5.0x), 0.27 s vs 1.08 s
at 100k (3.9x); flow-layer dominators 0.004 s vs 0.017 s at 10k (4.0x), 0.085 s vs
0.24 s at 100k (2.8x). networkx is slower for both, so the engine keeps its array code;
networkx is the model users get (:mod:`journeymap.graph`).

The issue asks to use networkx for the strongly connected components / condensation and
for dominators wherever it is no slower. Each test prints one ``BENCH`` line with both
times and the ratio (networkx / ours, graph building included: the engine starts from
the spec's integer arrays either way), and checks that both give the same answer.
"""

from __future__ import annotations

import time

import networkx as nx
import pytest
from generate import synthetic_yaml

from journeymap.analysis.dominators import flow_dominator_chain
from journeymap.analysis.index import Index, sccs
from journeymap.spec import load_spec

_IX: dict[int, Index] = {}


def index_of(n: int) -> Index:
    if n not in _IX:
        _IX[n] = Index(load_spec(f"s{n}.journey.yaml",
                                 synthetic_yaml(n, seed=1, support_stages=False)))
    return _IX[n]


def best_of(fn, rounds: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(rounds):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def needs_succ(ix: Index) -> list[list[int]]:
    succ: list[list[int]] = [[] for _ in range(ix.n)]
    for g in ix.groups:
        succ[g.owner].extend(g.members)
    return succ


@pytest.mark.parametrize("n", [10000, 100000])
def test_sccs_ours_vs_networkx(benchmark, n: int) -> None:  # type: ignore[no-untyped-def]
    ix = index_of(n)
    succ = needs_succ(ix)
    ours_t, ours = best_of(lambda: sccs(ix.n, succ)[1])

    def with_networkx() -> list[list[int]]:
        g = nx.DiGraph()
        g.add_nodes_from(range(ix.n))
        g.add_edges_from((u, w) for u in range(ix.n) for w in succ[u])
        return list(nx.strongly_connected_components(g))

    nx_t, theirs = best_of(with_networkx)
    assert sorted(sorted(c) for c in ours) == sorted(sorted(c) for c in theirs)  # type: ignore[union-attr]
    benchmark.extra_info.update(ours_s=ours_t, networkx_s=nx_t)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)  # the times are above
    print(f"\nBENCH {n} needs-layer SCCs: ours={ours_t:.3f}s networkx={nx_t:.3f}s "
          f"ratio={nx_t / ours_t:.1f}x")


@pytest.mark.parametrize("n", [10000, 100000])
def test_flow_dominators_ours_vs_networkx(benchmark, n: int) -> None:  # type: ignore[no-untyped-def]
    ix = index_of(n)
    ours_t, ours = best_of(lambda: flow_dominator_chain(ix.fsucc, ix.entries, ix.is_goal))

    def with_networkx() -> list[int]:
        g = nx.DiGraph()
        src, sink = ix.n, ix.n + 1
        g.add_edges_from((v, t) for v in range(ix.n) for t, _ in ix.fsucc[v])
        g.add_edges_from((src, e) for e in ix.entries)
        g.add_edges_from((v, sink) for v in range(ix.n) if ix.is_goal[v])
        idom = nx.immediate_dominators(g, src)
        chain, v = [], idom[sink]
        while v != src:
            chain.append(v)
            v = idom[v]
        return sorted(chain)

    nx_t, theirs = best_of(with_networkx)
    assert sorted(ours) == theirs  # type: ignore[arg-type]
    benchmark.extra_info.update(ours_s=ours_t, networkx_s=nx_t)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    print(f"\nBENCH {n} flow-layer dominators: ours={ours_t:.3f}s networkx={nx_t:.3f}s "
          f"ratio={nx_t / ours_t:.1f}x")
