"""Integer-indexed arrays of one journey, built once and shared by every algorithm.

Element ids are numbered by their position in ``Spec.elements``. Every inner loop of
the engine and the oracle works on these lists instead of NetworkX graphs (graph views
and attribute dicts cost far more than the algorithms themselves at 10k+ elements).

A needs *group* is one ``needs`` entry: its owner works while ``required`` of its
``members`` are up (``id`` = 1 of 1, ``any`` = 1 of n, ``at_least`` = k of n).
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, compress, count, repeat
from operator import and_, attrgetter, gt
from typing import TypeVar

from journeymap.analysis.slotinit import slot_init
from journeymap.spec.model import ElementType, Need, Spec

T = TypeVar("T")


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


@slot_init
@dataclass(frozen=True, slots=True)
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
        # Each pass over the spec's objects costs a cache miss per object at 100k
        # elements: every field is read once, into flat lists, by C-level loops where
        # possible (map, zip), and the groups' lists are filled in the same loop.
        self.spec = spec
        els = spec.elements
        ids = self.ids = [e.id for e in els]
        pos = self.pos = dict(zip(ids, range(len(ids))))
        n = self.n = len(ids)
        touchpoint = ElementType.TOUCHPOINT
        self.is_tp = [e.type is touchpoint for e in els]
        self.is_goal = [e.goal for e in els]
        self.entries = [v for v, e in enumerate(els) if e.entry]  # ids are unique
        self.goals = [v for v, g in enumerate(self.is_goal) if g]
        total = sum(els[i].share for i in self.entries)
        # Entry weight: the fraction of all customers who start at each entry.
        self.entry_weight = {i: els[i].share / total for i in self.entries}
        # Flow lines, parallel lines merged (their shares add up); each line's ends.
        get = pos.__getitem__
        self.flow_src = list(map(get, [f.source for f in spec.flows]))
        self.flow_tgt = list(map(get, [f.target for f in spec.flows]))
        # A table only for the elements with flow lines out (touch-points, a fifth):
        # one for every element cost as much again as the lines.
        succ: dict[int, dict[int, float]] = {}
        for s, t, share in zip(self.flow_src, self.flow_tgt, [f.share for f in spec.flows]):
            d = succ.get(s)
            if d is None:
                d = succ[s] = {}
            d[t] = d.get(t, 0.0) + share
        lines_out = succ.get
        self.fsucc = [sorted(d.items()) if (d := lines_out(v)) else [] for v in range(n)]
        fpred: list[list[int]] = [[] for _ in range(n)]
        for s in range(n):
            for t, _ in self.fsucc[s]:
                fpred[t].append(s)
        self.fpred = fpred
        # Needs groups, and for each element the groups it is a member of; the hot loops
        # (propagation, robustness) read flat arrays: for each element the hard groups it
        # belongs to, and per group its owner and how many members must fail before it
        # fails (slack + 1). Field by field, each by one C-level pass (map, chain) over
        # the needs entries in the order written (the order the loader allocated them):
        # one Python loop reading every field cost a quarter more at 100k elements.
        needs_of = [e.needs for e in els]
        group_need: list[Need] = list(chain.from_iterable(needs_of))
        self.group_need = group_need  # the needs entry each group was made from
        owner: list[int] = list(chain.from_iterable(map(repeat, range(n), map(len, needs_of))))
        self.group_owner = owner
        members = [(get(t[0]),) if len(t) == 1 else tuple(map(get, t))
                   for t in map(attrgetter("targets"), group_need)]
        self.group_members: list[tuple[int, ...]] = members  # Group.members, flat
        required = list(map(attrgetter("required"), group_need))
        hard = [s == "hard" for s in map(attrgetter("strength"), group_need)]  # Need.hard
        self.groups = list(map(Group, owner, members, required, hard))
        self.group_hard = hard  # Group.hard, flat
        self.group_breaks_at = [len(ms) - k + 1 for ms, k in zip(members, required)]
        hard_groups: list[list[int]] = [[] for _ in range(n)]
        soft_groups: list[list[int]] = [[] for _ in range(n)]
        hard_member_of: list[list[int]] = [[] for _ in range(n)]
        for gi, o, ms, h in zip(count(), owner, members, hard):
            if h:
                hard_groups[o].append(gi)
                for m in ms:
                    hard_member_of[m].append(gi)
            else:
                soft_groups[o].append(gi)
        self.hard_groups = hard_groups
        self.soft_groups = soft_groups
        self.hard_member_of = hard_member_of
        self._rank: list[int] | None = None  # see rank()
        self._by_id: list[int] | None = None
        self._sorted_ids: list[str] = []
        self._gateways: list[int] | None = None

    @cached_property
    def member_of(self) -> list[list[int]]:
        """For each element, the groups (hard or soft) it is a member of."""
        out: list[list[int]] = [[] for _ in range(self.n)]
        for gi, g in enumerate(self.groups):
            for m in g.members:
                out[m].append(gi)
        return out

    @cached_property
    def spare_member_of(self) -> list[list[int]]:
        """For each element, the hard groups it is a member of that can spare a member
        (``any``, ``at_least`` k of more than k): the groups whose failure takes more
        than one down member. Its other hard groups fail with it alone. Elements in
        none share one empty list (never added to)."""
        none: list[int] = []
        out = [none] * self.n
        members = self.group_members
        can_spare = map(gt, self.group_breaks_at, repeat(1))
        for gi in compress(count(), map(and_, self.group_hard, can_spare)):
            for m in members[gi]:
                found = out[m]
                if found is none:
                    out[m] = [gi]
                else:
                    found.append(gi)
        return out

    def gateway_chain(self) -> list[int]:
        """The touch-points every customer who reaches a goal passes, in the order they
        meet them (:func:`.dominators.gateway_chain`), computed once: the fast engine's
        segments and the structural single points of failure both start from it."""
        if self._gateways is None:
            from journeymap.analysis.dominators import gateway_chain

            self._gateways = gateway_chain(self.fsucc, self.entries, self.is_goal)
        return self._gateways

    def by_id(self) -> list[int]:
        """Element indices in order of their ids (computed once)."""
        if self._by_id is None:
            self._by_id = sorted(range(self.n), key=self.ids.__getitem__)
        return self._by_id

    def rank(self) -> list[int]:
        """Every element's place in the order of ids (computed once): comparing ranks
        compares ids, and sorting small ints is several times cheaper than strings."""
        rank = self._rank
        if rank is None:
            by_id = self.by_id()
            self._sorted_ids = list(map(self.ids.__getitem__, by_id))
            rank = self._rank = [0] * self.n
            for r, v in enumerate(by_id):
                rank[v] = r
        return rank

    def sorted_ids(self) -> list[str]:
        """The ids in sorted order: ``sorted_ids()[rank()[v]] == ids[v]``."""
        self.rank()
        return self._sorted_ids

    def names(self, items: Collection[int]) -> tuple[str, ...]:
        """Sorted ids of a collection of indices."""
        # The cascades ask for ~n such lists. The ids themselves are sorted: each is read
        # anyway (the tuple holds it), where sorting ranks also read the ranks and the
        # sorted ids all over memory (every cascade's sets at 100k: 91 -> 74 ms).
        if len(items) < 2:
            return tuple(map(self.ids.__getitem__, items))
        return tuple(sorted(map(self.ids.__getitem__, items)))


class ById(Mapping[str, T]):
    """Every element's value by id (``values`` in index order), read through the index's
    positions: made without a table of its own. A dict of 100k ids costs some 14 ms at
    that size (each id's hash is read all over memory); a result read by id only now and
    then (a report's rows) need not make one. Iterates in index order, as a dict made
    from ``zip(ids, values)`` would."""

    __slots__ = ("_pos", "_values")

    def __init__(self, pos: dict[str, int], values: Sequence[T]):
        self._pos = pos
        self._values = values

    def __getitem__(self, element_id: str) -> T:
        return self._values[self._pos[element_id]]

    def __contains__(self, element_id: object) -> bool:
        return element_id in self._pos

    def __iter__(self) -> Iterator[str]:
        return iter(self._pos)

    def __len__(self) -> int:
        return len(self._pos)

    def __repr__(self) -> str:
        return f"ById({dict(self)!r})"


def peel(n: int, succ: list[list[int]]) -> tuple[list[int], list[int]]:
    """Kahn's peeling: ``(order, rest)``. ``order`` holds the nodes no cycle leads to,
    each before every node it has a line into; ``rest`` (increasing) is everything a
    cycle leads to, cycles included: the only nodes a components pass still needs.

    >>> peel(4, [[1], [2], [1], [2]])
    ([3, 0], [1, 2])
    """
    indeg = [0] * n
    for row in succ:
        for m in row:
            indeg[m] += 1
    ready = [v for v in range(n) if not indeg[v]]
    order: list[int] = []
    while ready:
        v = ready.pop()
        order.append(v)
        for m in succ[v]:
            indeg[m] -= 1
            if not indeg[m]:
                ready.append(m)
    if len(order) == n:
        return order, []
    return order, [v for v in range(n) if indeg[v]]


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


__all__ = ["ById", "Group", "Index", "gc_paused", "peel", "sccs"]
