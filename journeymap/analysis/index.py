"""Integer-indexed arrays of one journey, built once and shared by every algorithm.

Element ids are numbered by their position in ``Spec.elements``. Every inner loop of
the engine and the oracle works on these lists instead of NetworkX graphs (graph views
and attribute dicts cost far more than the algorithms themselves at 10k+ elements).

A needs *group* is one ``needs`` entry: its owner works while ``required`` of its
``members`` are up (``id`` = 1 of 1, ``any`` = 1 of n, ``at_least`` = k of n).
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from journeymap.spec.model import Spec


def upstream(fpred: Sequence[Sequence[int]], starts: Iterable[int]) -> set[int]:
    """``starts`` and every touch-point with a flow path into one of them (``fpred``:
    flow predecessors, of an :class:`Index` or a gateway segment): the part of the
    journey whose chances a change at ``starts`` can alter.

    >>> sorted(upstream([[], [0], [1], []], [2]))
    [0, 1, 2]
    """
    region = set(starts)
    stack = list(region)
    while stack:
        for u in fpred[stack.pop()]:
            if u not in region:
                region.add(u)
                stack.append(u)
    return region


@dataclass(frozen=True)
class Group:
    owner: int
    members: tuple[int, ...]
    required: int
    hard: bool

    @property
    def slack(self) -> int:
        """How many members may fail before the group fails (n - k)."""
        return len(self.members) - self.required


class Index:
    """Arrays of one spec. ``n`` elements; touch-points are those with ``is_tp``."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.ids: list[str] = [e.id for e in spec.elements]
        self.pos: dict[str, int] = {i: k for k, i in enumerate(self.ids)}
        n = self.n = len(self.ids)
        pos = self.pos
        self.is_tp: list[bool] = [e.is_touchpoint for e in spec.elements]
        self.entries: list[int] = [pos[e.id] for e in spec.elements if e.entry]
        self.goals: list[int] = [pos[e.id] for e in spec.elements if e.goal]
        self.is_goal: list[bool] = [e.goal for e in spec.elements]
        total = sum(spec.by_id[self.ids[i]].share for i in self.entries)
        # Entry weight: the fraction of all customers who start at each entry.
        self.entry_weight: dict[int, float] = {
            i: spec.by_id[self.ids[i]].share / total for i in self.entries}
        # Flow lines, parallel lines merged (their shares add up).
        succ: list[dict[int, float]] = [{} for _ in range(n)]
        for f in spec.flows:
            s, t = pos[f.source], pos[f.target]
            succ[s][t] = succ[s].get(t, 0.0) + f.share
        self.fsucc: list[list[tuple[int, float]]] = [sorted(d.items()) for d in succ]
        fpred: list[list[int]] = [[] for _ in range(n)]
        for s in range(n):
            for t, _ in self.fsucc[s]:
                fpred[t].append(s)
        self.fpred = fpred
        # Needs groups, and for each element the groups it is a member of.
        self.groups: list[Group] = []
        self.hard_groups: list[list[int]] = [[] for _ in range(n)]
        self.soft_groups: list[list[int]] = [[] for _ in range(n)]
        self.member_of: list[list[int]] = [[] for _ in range(n)]
        for e in spec.elements:
            o = pos[e.id]
            for need in e.needs:
                g = Group(o, tuple(pos[t] for t in need.targets), need.required, need.hard)
                gi = len(self.groups)
                self.groups.append(g)
                (self.hard_groups if g.hard else self.soft_groups)[o].append(gi)
                for m in g.members:
                    self.member_of[m].append(gi)
        # Flat arrays for the hot loops (propagation, robustness): for each element the
        # hard groups it belongs to, and per group its owner and how many members must
        # fail before it fails (slack + 1).
        self.hard_member_of: list[list[int]] = [
            [gi for gi in gs if self.groups[gi].hard] for gs in self.member_of]
        self.group_owner: list[int] = [g.owner for g in self.groups]
        self.group_breaks_at: list[int] = [g.slack + 1 for g in self.groups]
        self._rank: list[int] | None = None  # see names()
        self._by_id: list[int] | None = None
        self._sorted_ids: list[str] = []

    def by_id(self) -> list[int]:
        """Element indices in order of their ids (computed once)."""
        if self._by_id is None:
            self._by_id = sorted(range(self.n), key=self.ids.__getitem__)
        return self._by_id

    def names(self, items: Collection[int]) -> tuple[str, ...]:
        """Sorted ids of a collection of indices."""
        if len(items) < 2:
            return tuple(self.ids[i] for i in items)
        # Every id's place in sorted order, once: sorting small ints is several times
        # cheaper than sorting strings, and the cascades ask for ~n such lists.
        rank = self._rank
        if rank is None:
            by_id = self.by_id()
            self._sorted_ids = [self.ids[v] for v in by_id]
            rank = self._rank = [0] * self.n
            for r, v in enumerate(by_id):
                rank[v] = r
        ids = self._sorted_ids
        return tuple(ids[r] for r in sorted(rank[i] for i in items))


def sccs(n: int, succ: list[list[int]], nodes: Iterable[int] | None = None
         ) -> tuple[list[int], list[list[int]]]:
    """Tarjan's strongly connected components, iterative (no recursion limit).

    Returns ``(comp, comps)``: the component id of every node (-1 when not visited) and
    the components (sorted members) in reverse topological order: a component comes
    before every component that has a line into it (sinks first).

    >>> sccs(3, [[1], [0], [0]])[1]
    [[0, 1], [2]]
    """
    index = [-1] * n
    low = [0] * n
    on = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in (range(n) if nodes is None else nodes):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on[root] = True
        while work:
            v, i = work[-1]
            out = succ[v]
            if i < len(out):
                work[-1] = (v, i + 1)
                t = out[i]
                if index[t] == -1:
                    index[t] = low[t] = counter
                    counter += 1
                    stack.append(t)
                    on[t] = True
                    work.append((t, 0))
                elif on[t]:
                    low[v] = min(low[v], index[t])
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == index[v]:
                    members = []
                    while True:
                        w = stack.pop()
                        on[w] = False
                        comp[w] = len(comps)
                        members.append(w)
                        if w == v:
                            break
                    comps.append(sorted(members))
    return comp, comps


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything).

    The engine allocates hundreds of thousands of small acyclic containers (sets,
    tuples, cascades) next to a loaded spec of as many objects: each automatic
    collection rescans all of them for cycles that do not exist (a third of the
    engine's time at 10k elements). Nests; restores the previous state.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["Group", "Index", "gc_paused", "sccs"]
