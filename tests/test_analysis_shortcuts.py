"""The analysis' shortcuts against the plain algorithms they replace, on random graphs:
collapse paths found from the target's side against the breadth-first search from the
failed element, and dependency cycles after peeling against Tarjan over everything."""

from __future__ import annotations

import random
from collections import deque
from types import SimpleNamespace

from oracle import dependents

from journeymap.analysis.build import collapse_paths, controls, handoffs
from journeymap.analysis.engine import dependency_cycles
from journeymap.analysis.fast import (
    _kill_sets_with_cycles,
    _kill_sets_without_cycles,
    flow_order,
    kill_sets,
    reach_kill_sets,
)
from journeymap.analysis.index import Group, sccs
from journeymap.analysis.result import Handoff
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import (
    Control,
    Element,
    ElementType,
    FlowLine,
    Journey,
    Need,
    Party,
    Spec,
)


def _random_index(r: random.Random, n: int, hard_share: float = 1.0) -> SimpleNamespace:
    ix = SimpleNamespace(n=n, groups=[], hard_groups=[[] for _ in range(n)],
                         soft_groups=[[] for _ in range(n)],
                         is_tp=[r.random() < 0.4 for _ in range(n)],
                         ids=[f"e{r.randrange(1000):03d}-{i}" for i in range(n)])
    for _ in range(r.randint(0, 3 * n)):
        owner = r.randrange(n)
        members = tuple(r.sample(range(n), r.randint(1, min(3, n))))
        hard = r.random() < hard_share
        ix.groups.append(Group(owner, members, 1, hard))
        (ix.hard_groups if hard else ix.soft_groups)[owner].append(len(ix.groups) - 1)
    order = sorted(range(n), key=ix.ids.__getitem__)
    ix.by_id = lambda: order
    rank = [0] * n
    for r, v in enumerate(order):
        rank[v] = r
    ix.rank = lambda: rank
    ix.group_owner = [g.owner for g in ix.groups]
    ix.group_members = [g.members for g in ix.groups]
    ix.hard_member_of = [[] for _ in range(n)]
    for gi, g in enumerate(ix.groups):
        if g.hard:
            for m in g.members:
                ix.hard_member_of[m].append(gi)
    return ix


def _bfs_path(ix: SimpleNamespace, failed: int, down: frozenset[int], reach0: set[int],
              structural: set[int], dist: list[int], deps: list[list[int]],
              w: list[float]) -> tuple[int, ...]:
    """The collapse path as it was first written: breadth first from the failed element."""
    if ix.is_tp[failed] and failed in reach0:
        return (failed,)
    targets = [v for v in down if ix.is_tp[v] and v in reach0]
    if not targets:
        return ()
    target = min(targets, key=lambda v: (v not in structural, -w[v], dist[v], ix.ids[v]))
    allowed = down | {failed}
    parent = {failed: -1}
    queue = deque([failed])
    while queue:
        v = queue.popleft()
        if v == target:
            break
        for u in deps[v]:
            if u in allowed and u not in parent:
                parent[u] = v
                queue.append(u)
    if target not in parent:
        return (failed, target)
    path = []
    v = target
    while v != -1:
        path.append(v)
        v = parent[v]
    return tuple(reversed(path))


def test_collapse_paths_are_the_breadth_first_chain() -> None:
    """The touch-point order sorted once for every cascade picks what a min over
    (structural, weight, distance, id) per cascade picks, and the chain found from the
    target's side is the breadth-first one from the failed element: ties on every key
    but the id are frequent here (few distinct weights and distances)."""
    long_chains = 0
    for seed in range(1500):
        r = random.Random(seed)
        n = r.randint(2, 25)
        ix = _random_index(r, n)
        deps = dependents(ix)  # type: ignore[arg-type]
        reach0 = {v for v in range(n) if ix.is_tp[v] and r.random() < 0.8}
        structural = {v for v in range(n) if r.random() < 0.2}
        dist = [r.randrange(r.choice((3, 5))) for _ in range(n)]
        w = [r.choice([0.0, 0.5, 1.0]) for _ in range(n)]
        find = collapse_paths(ix, reach0, structural, dist, w)  # type: ignore[arg-type]
        for failed in range(n):
            down = frozenset(v for v in range(n)
                             if v != failed and r.random() < r.choice((0.5, 0.6)))
            want = _bfs_path(ix, failed, down, reach0, structural, dist, deps, w)
            assert find(failed, down) == want, (seed, failed)
            long_chains += len(want) > 2
    assert long_chains > 100  # the cases exercise chains, not only the shortcuts


def test_dependency_cycles_are_the_components() -> None:
    for seed in range(2000):
        r = random.Random(seed)
        n = r.randint(1, 30)
        ix = _random_index(r, n, hard_share=0.7)
        succ: list[list[int]] = [[] for _ in range(n)]
        for g in ix.groups:
            succ[g.owner].extend(g.members)
        want = sorted(c for c in sccs(n, succ)[1] if len(c) > 1)
        assert sorted(dependency_cycles(ix)) == want, seed  # type: ignore[arg-type]


def _literal_kill(ix: SimpleNamespace, e: int) -> set[int]:
    """Everything that stops working when ``e`` alone fails: the literal fixpoint over
    the hard needs groups (a group fails once more than its slack of members is down)."""
    down = {e}
    changed = True
    while changed:
        changed = False
        for g in ix.groups:
            if g.hard and g.owner not in down \
                    and sum(m in down for m in g.members) > g.slack:
                down.add(g.owner)
                changed = True
    return down


def test_kill_sets_peeled_order_is_the_literal_cascade() -> None:
    """kill_sets takes the elements on no needs-cycle from Kahn's peeling and runs the
    components pass only over the rest: every KILL set is still the literal one."""
    cyclic = 0
    for seed in range(1500):
        r = random.Random(seed)
        n = r.randint(1, 25)
        ix = _random_index(r, n, hard_share=0.8)
        # Mixed forms: id, any, at_least k of n; sparse enough to leave acyclic parts.
        ix.groups = [Group(g.owner, g.members, r.randint(1, len(g.members)), g.hard)
                     for g in ix.groups[: r.randint(0, 2 * n)]]
        ix.hard_groups = [[] for _ in range(n)]
        for gi, g in enumerate(ix.groups):
            if g.hard:
                ix.hard_groups[g.owner].append(gi)
        succ: list[list[int]] = [[] for _ in range(n)]
        for g in ix.groups:
            if g.hard:
                succ[g.owner].extend(g.members)
        cyclic += any(len(c) > 1 for c in sccs(n, succ)[1])
        kill = kill_sets(ix)  # type: ignore[arg-type]
        for v in range(n):
            want = {w for w in range(n) if v in _literal_kill(ix, w)}
            assert kill[v] == want, (seed, v)
    assert cyclic > 200  # the cases exercise cycles below and above acyclic parts


def test_kill_sets_depth_first_walk_is_the_literal_cascade() -> None:
    """kill_sets' depth-first walk gives up exactly when the hard needs have a cycle
    (self-needs included) and otherwise finds every literal KILL set; the path for
    cycles finds them all the same, with or without one."""
    walked = cyclic = 0
    for seed in range(2000):
        r = random.Random(seed)
        n = r.randint(1, 25)
        ix = _random_index(r, n, hard_share=0.8)
        # Mixed forms, sparse enough for most cases to have no cycle, deep chains.
        ix.groups = [Group(g.owner, g.members, r.randint(1, len(g.members)), g.hard)
                     for g in ix.groups[: r.randint(0, n + 2)]]
        ix.hard_groups = [[] for _ in range(n)]
        succ: list[list[int]] = [[] for _ in range(n)]
        for gi, g in enumerate(ix.groups):
            if g.hard:
                ix.hard_groups[g.owner].append(gi)
                succ[g.owner].extend(g.members)
        has_cycle = any(len(c) > 1 or c[0] in succ[c[0]] for c in sccs(n, succ)[1])
        want = [{w for w in range(n) if v in _literal_kill(ix, w)} for v in range(n)]
        got = _kill_sets_without_cycles(ix)  # type: ignore[arg-type]
        assert (got is None) == has_cycle, seed
        if got is not None:
            assert got == want, seed
            walked += 1
        assert _kill_sets_with_cycles(ix) == want, seed  # type: ignore[arg-type]
        cyclic += has_cycle
    assert walked > 700 and cyclic > 700, (walked, cyclic)


def _reach_kill_all_passes(ix: SimpleNamespace, kill: list[frozenset[int]]
                           ) -> dict[int, frozenset[int]]:
    """reach_kill_sets as it was: passes in flow order until one changes nothing."""
    order = flow_order(ix)  # type: ignore[arg-type]
    r: dict[int, frozenset[int]] = {}
    changed = True
    while changed:
        changed = False
        for v in order:
            if v in ix.entries:
                new = kill[v]
            else:
                inter = None
                for u in ix.fpred[v]:
                    ru = r.get(u)
                    if ru is None:
                        continue
                    inter = ru if inter is None else inter & ru
                    if not inter:
                        break
                new = kill[v] | inter if inter else kill[v]
            if r.get(v) != new:
                r[v] = new
                changed = True
    return r


def test_reach_kill_sets_recomputes_only_what_lines_back_change() -> None:
    """reach_kill_sets recomputes after its first pass only what a line back can
    change: the same sets as running until a pass changes nothing, loops included."""
    looped = 0
    for seed in range(3000):
        r = random.Random(seed)
        n = r.randint(1, 14)
        ix = SimpleNamespace(n=n, entries=r.sample(range(n), r.randint(1, min(3, n))),
                             fsucc=[[] for _ in range(n)], fpred=[[] for _ in range(n)])
        lines = {(r.randrange(n), r.randrange(n)) for _ in range(r.randint(0, 3 * n))}
        for s, t in sorted(lines):
            ix.fsucc[s].append((t, 1.0))
            ix.fpred[t].append(s)
        kill = [frozenset({v, *r.sample(range(n), r.randint(0, min(3, n)))})
                for v in range(n)]
        looped += any(s >= t for s, t in lines)
        got = reach_kill_sets(ix, kill, set())  # type: ignore[arg-type]
        assert got == _reach_kill_all_passes(ix, kill), seed
    assert looped > 1000


def _random_owned_spec(r: random.Random) -> Spec:
    """Owners at random (or none), lines written twice or more at random places, needs
    of every kind (one the model does not list), entries naming a member twice."""
    def at() -> Location:
        return Location("h.journey.yaml", r.randint(1, 9), r.randint(1, 3))

    parties = tuple(Party(f"p{i}", f"P{i}", r.choice(list(Control)[:3]), at())
                    for i in range(3))
    n_tp, n_sup = r.randint(1, 6), r.randint(0, 8)
    ids = [f"t{i}" for i in range(n_tp)] + [f"s{i}" for i in range(n_sup)]
    elements = []
    for v, i in enumerate(ids):
        needs = tuple(
            Need(tuple(r.choice(ids) for _ in range(r.randint(1, 3))), 1, "any",
                 r.choice(["technology", "data", "people", "zz-custom", "aa-custom"]),
                 r.choice(["hard", "soft"]), location=at())
            for _ in range(r.randint(0, 3)))
        elements.append(Element(
            id=i, name=i, location=at(), owner=r.choice([None, "p0", "p1", "p2"]),
            type=ElementType.TOUCHPOINT if v < n_tp else ElementType.SUPPORT,
            entry=v == 0, goal=v == n_tp - 1, needs=needs))
    flows = tuple(FlowLine(f"t{r.randrange(n_tp)}", f"t{r.randrange(n_tp)}", at())
                  for _ in range(r.randint(0, 3 * n_tp)))
    return Spec("h.journey.yaml", Journey("h", "H", at()), (), parties, tuple(elements), flows)


def _literal_handoffs(spec: Spec) -> tuple[Handoff, ...]:
    """Every cross-party line, each (layer, source, target, kind) once at the first
    place it is written, sorted by those strings."""
    owner = {e.id: e.owner for e in spec.elements}
    control = controls(spec)
    lines = [("flow", f.source, f.target, "flow", f.location) for f in spec.flows]
    lines += [("needs", e.id, t, need.kind, need.location)
              for e in spec.elements for need in e.needs for t in need.targets]
    first: dict[tuple[str, str, str, str], Location] = {}
    for layer, s, t, kind, loc in lines:
        old = first.get((layer, s, t, kind))
        if owner[s] != owner[t] and (old is None or (loc.line, loc.column) < (old.line,
                                                                             old.column)):
            first[layer, s, t, kind] = loc
    return tuple(Handoff(s, t, layer, kind, owner[s], owner[t], control[t], first[
        layer, s, t, kind]) for layer, s, t, kind in sorted(first))


def test_handoffs_are_the_literal_first_places() -> None:
    written_twice = 0
    for seed in range(1500):
        spec = _random_owned_spec(random.Random(seed))
        got = handoffs(spec)
        assert got == _literal_handoffs(spec), seed  # locations compared too
        flows = [(f.source, f.target) for f in spec.flows]
        written_twice += len(set(flows)) < len(flows)
    assert written_twice > 100
