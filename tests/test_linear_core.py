"""The linear rewrites of one-shot steps agree with the obvious walks they replaced."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from journeymap.analysis.build import BACKSTAGE, _stage_tuples
from journeymap.analysis.index import Index
from journeymap.spec import load_spec
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Element, ElementType, Journey, Need, Spec, Stage

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))
from generate import synthetic_yaml  # noqa: E402
from oracle import dependents  # noqa: E402


def _stage_areas(spec, ix: Index, deps: list[list[int]]) -> list[set[str]]:  # type: ignore[no-untyped-def]
    return [set(t) for t in _stage_tuples(spec, ix)]


def walked_stage_areas(spec, ix: Index, deps: list[list[int]]) -> list[set[str]]:  # type: ignore[no-untyped-def]
    """The obvious reading: walk up the "needed by" lines from every unstaged support."""
    stages: list[set[str]] = [{e.stage} if e.stage else set() for e in spec.elements]
    for v in range(ix.n):
        if stages[v] or ix.is_tp[v]:
            continue
        seen, stack, found = {v}, [v], set()
        while stack:
            for w in deps[stack.pop()]:
                if w not in seen:
                    seen.add(w)
                    s = spec.elements[w].stage
                    if ix.is_tp[w] and s:
                        found.add(s)
                    stack.append(w)
        stages[v] = found or {BACKSTAGE}
    return stages


def chain_yaml(n: int, loop: bool) -> str:
    """Supports in a long chain (the walk's worst case), optionally closed into a cycle."""
    out = ["journeymap: 1", "journey: {id: chain, name: Chain}", "stages:",
           "  - {id: s1, name: S1}", "  - {id: s2, name: S2}", "touchpoints:",
           "  - {id: a, name: A, stage: s1, entry: true, needs: [c0]}",
           f"  - {{id: b, name: B, stage: s2, goal: true, needs: [c{n // 2}]}}", "supports:"]
    for i in range(n):
        nxt = i + 1 if i + 1 < n else (0 if loop else None)
        out.append(f"  - {{id: c{i}, name: C{i}" + (f", needs: [c{nxt}]}}" if nxt is not None
                                                     else "}"))
    out += ["  - {id: lonely, name: Nobody needs me}", "flow:", "  - a -> b"]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("support_stages", [False, True])
def test_stage_areas_match_the_walk_on_generated_journeys(seed: int,
                                                          support_stages: bool) -> None:
    spec = load_spec("g.journey.yaml", synthetic_yaml(300, seed=seed,
                                                      support_stages=support_stages))
    ix = Index(spec)
    deps = dependents(ix)
    assert _stage_areas(spec, ix, deps) == walked_stage_areas(spec, ix, deps)


@pytest.mark.parametrize("loop", [False, True])
def test_stage_areas_match_the_walk_on_chains_and_cycles(loop: bool) -> None:
    spec = load_spec("c.journey.yaml", chain_yaml(60, loop))
    ix = Index(spec)
    deps = dependents(ix)
    areas = _stage_areas(spec, ix, deps)
    assert areas == walked_stage_areas(spec, ix, deps)
    assert areas[ix.pos["lonely"]] == {BACKSTAGE}
    assert areas[ix.pos["c0"]] == ({"s1", "s2"} if loop else {"s1"})


def random_staged_spec(r: random.Random) -> Spec:
    """Touch-points in random stages (or none), supports without one, and hard and soft
    needs at random: cycles, an element needing the same one twice, ``any`` groups."""
    loc = Location("r.journey.yaml", 1, 1)
    n_tp, n_sup = r.randint(1, 6), r.randint(0, 12)
    ids = [f"t{i}" for i in range(n_tp)] + [f"s{i}" for i in range(n_sup)]
    stages = tuple(Stage(f"g{i}", f"G{i}", i, loc) for i in range(r.randint(1, 4)))
    elements = []
    for v, i in enumerate(ids):
        needs = []
        for _ in range(r.randint(0, 3)):
            targets = tuple(r.sample(ids, r.randint(1, min(3, len(ids)))))
            needs.append(Need(targets, 1, "id" if len(targets) == 1 else "any",
                              strength=r.choice(["hard", "hard", "soft"]), location=loc))
        tp = v < n_tp
        stage = r.choice([None, *(g.id for g in stages)]) if tp else None
        elements.append(Element(id=i, name=i, location=loc, stage=stage, entry=v == 0,
                                goal=v == n_tp - 1, needs=tuple(needs),
                                type=ElementType.TOUCHPOINT if tp else ElementType.SUPPORT))
    return Spec("r.journey.yaml", Journey("r", "R", loc), stages, (), tuple(elements), ())


def test_stage_areas_match_the_walk_on_random_needs() -> None:
    for seed in range(1500):
        spec = random_staged_spec(random.Random(seed))
        ix = Index(spec)
        deps = dependents(ix)
        assert _stage_areas(spec, ix, deps) == walked_stage_areas(spec, ix, deps), seed


EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.journey.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_collapse_step_stops_at_the_first_collapser_with_the_same_answer(path: Path) -> None:
    from journeymap.analysis.fast import fast_cascades
    from journeymap.analysis.robustness import collapse_step, robustness

    ix = Index(load_spec(str(path)))
    cascades = fast_cascades(ix)[2]
    collapser = [c.collapses for c in cascades]
    down = [c.down for c in cascades]
    assert any(collapser)
    rng = random.Random(7)
    order = list(range(ix.n))
    for _ in range(200):
        rng.shuffle(order)
        k = collapse_step(ix, order)
        assert collapse_step(ix, order, collapser) == k
        assert collapse_step(ix, order, collapser, down) == k
    # The curve is the same whether robustness takes the down sets or leaves them (too
    # large: every set holding every element) to the counters.
    curve = robustness(ix, samples=30, seed=3)
    assert robustness(ix, samples=30, seed=3, collapser=collapser, down=down) == curve
    everything = [range(ix.n)] * ix.n
    assert sum(map(len, everything)) > 2 * len(ix.groups)  # left to the counters
    assert robustness(ix, samples=30, seed=3, collapser=collapser, down=everything) == curve
