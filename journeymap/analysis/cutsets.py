"""Minimal cut sets of order 2..K: sets of elements, none of them a single point of
failure, whose joint failure collapses the journey while no proper subset does
(contract §8).

Not all n² pairs are tried. For each element ``x`` that is not a single point of
failure (and that can matter: a touch-point customers use or something one needs),
the single points of failure of the journey *with x already failed* are computed;
each of them, ``y``, makes the pair {x, y}. That residual computation reuses the
engine's KILL and reach-kill sets (:mod:`.fast`) and recomputes only what ``x``
touches: the elements whose dependency cone holds something ``x`` took down (their
KILL sets, with the down members of a redundant group no longer able to cover for the
others) and the touch-points downstream of those in the flow layer (their reach-kill
sets). Everything else keeps the baseline sets. So the work per ``x`` is proportional
to what its failure changes, and the total to the answer's size in the usual shapes
(two parallel chains of k steps: O(k²) work for k² pairs).

Order 3 and more repeat the step from each set of order K-1 that is not a cut yet
(``--max-order``): the number of such sets grows like n^(K-1), so order 3 is for
journeys of a few hundred elements. A set is kept only if none of its proper subsets
is a cut already found (minimality), and each set is found once (members in index
order).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from journeymap.analysis.fast import flow_order, kill_sets, reach_kill_sets
from journeymap.analysis.flow import reachable
from journeymap.analysis.index import Group, Index, sccs
from journeymap.analysis.propagation import propagate_indices


class CutFinder:
    """The engine's baseline sets, and the single points of failure once some elements
    have failed (see module docs)."""

    def __init__(self, ix: Index):
        self.ix = ix
        n = ix.n
        self.reach0 = reachable(ix, ())
        self.kill = kill_sets(ix)
        self.r = reach_kill_sets(ix, self.kill, self.reach0)
        goals = [g for g in ix.goals if g in self.reach0]
        if goals:
            sets = sorted((self.r[g] for g in goals), key=len)
            self.spofs: frozenset[int] = sets[0].intersection(*sets[1:])
        else:
            self.spofs = frozenset()
        succ: list[list[int]] = [[] for _ in range(n)]
        for g in ix.groups:
            if g.hard:
                succ[g.owner].extend(g.members)
        comp, comps = sccs(n, succ)
        self.comp = comp
        self.comps = comps
        self.cyclic = [len(c) > 1 or c[0] in succ[c[0]] for c in comps]
        # Flow order: reverse postorder from the entries over reachable touch-points
        # (the order reach_kill_sets iterates in).
        order = flow_order(ix)
        self.flow_pos = {v: k for k, v in enumerate(order)}
        # Elements that can matter: reachable touch-points and what they need, directly
        # or through other elements (hard or soft lines do not matter here: only hard
        # lines take anything down).
        relevant = set(self.reach0)
        todo = list(relevant)
        while todo:
            v = todo.pop()
            for gi in ix.hard_groups[v]:
                for m in ix.groups[gi].members:
                    if m not in relevant:
                        relevant.add(m)
                        todo.append(m)
        self.candidates = sorted(v for v in relevant if v not in self.spofs)

    def residual_spofs(self, failed: Iterable[int]) -> frozenset[int] | None:
        """Elements whose single failure collapses the journey once ``failed`` have
        failed (``None`` when ``failed`` already collapse it)."""
        ix = self.ix
        down = propagate_indices(ix, failed)
        # Elements whose KILL set may change: everything that needs, through hard
        # lines, something now down.
        aff = set(down)
        stack = list(down)
        owner, member_of = ix.group_owner, ix.hard_member_of
        while stack:
            v = stack.pop()
            for gi in member_of[v]:
                o = owner[gi]
                if o not in aff:
                    aff.add(o)
                    stack.append(o)
        kill = self.kill
        kp: dict[int, frozenset[int]] = {}

        def k_of(m: int) -> frozenset[int]:
            return kp.get(m) or kill[m]

        def killers(g: Group) -> Iterable[int]:
            ups = [m for m in g.members if m not in down]
            slack = g.slack - (len(g.members) - len(ups))  # >= 0: the owner is up
            sets = [k_of(m) for m in ups]
            if slack == 0:
                return frozenset().union(*sets)
            if slack == len(sets) - 1:
                sets.sort(key=len)
                return sets[0].intersection(*sets[1:])
            counts: dict[int, int] = {}
            for s in sets:
                for e in s:
                    counts[e] = counts.get(e, 0) + 1
            return frozenset(e for e, c in counts.items() if c > slack)

        groups = ix.groups
        by_comp: dict[int, list[int]] = {}
        for v in aff:
            if v not in down:
                by_comp.setdefault(self.comp[v], []).append(v)
        for ci in sorted(by_comp):  # sinks (what is needed) first
            members = by_comp[ci]
            if not self.cyclic[ci]:
                v = members[0]
                acc = {v}
                for gi in ix.hard_groups[v]:
                    acc.update(killers(groups[gi]))
                kp[v] = frozenset(acc)
                continue
            for v in members:
                kp[v] = frozenset((v,))
            changed = True
            while changed:
                changed = False
                for v in members:
                    acc = set(kp[v])
                    for gi in ix.hard_groups[v]:
                        acc.update(killers(groups[gi]))
                    if len(acc) != len(kp[v]):
                        kp[v] = frozenset(acc)
                        changed = True
        # Flow layer: touch-points downstream of an affected one get new reach-kill sets.
        reach = reachable(ix, down)
        goals = [g for g in ix.goals if g in reach]
        if not goals:
            return None
        region: set[int] = set()
        stack = [v for v in aff if v in self.reach0]
        region.update(stack)
        while stack:
            v = stack.pop()
            for t, _ in ix.fsucc[v]:
                if t not in region and t in self.reach0:
                    region.add(t)
                    stack.append(t)
        order = sorted((v for v in region if v in reach), key=self.flow_pos.__getitem__)
        # Greatest fixpoint from "everything" (TOP, not computed yet) downwards. Unlike
        # the baseline pass, a touch-point's first predecessor in the order may now be
        # down, so "every predecessor not computed yet" must read as TOP, not as none.
        rp: dict[int, frozenset[int] | None] = {v: None for v in order}
        r0 = self.r
        entry = ix.entry_weight
        changed = True
        while changed:
            changed = False
            for v in order:
                kv = k_of(v)
                if v in entry:
                    new: frozenset[int] | None = kv
                else:
                    inter: frozenset[int] | None = None  # TOP
                    for u in ix.fpred[v]:
                        if u not in reach:
                            continue
                        ru = rp[u] if u in region else r0[u]
                        if ru is None:
                            continue
                        inter = ru if inter is None else inter & ru
                        if not inter:
                            break
                    new = None if inter is None else kv | inter
                if rp[v] != new:
                    rp[v] = new
                    changed = True
        sets = sorted(((rp.get(g) or frozenset()) if g in region else r0[g] for g in goals),
                      key=len)
        return sets[0].intersection(*sets[1:]) - down

    def cut_sets(self, max_order: int = 2) -> list[tuple[int, ...]]:
        """Every minimal cut set of order 2..``max_order`` (indices, ascending),
        sorted by order then members."""
        found: list[set[frozenset[int]]] = [set(), {frozenset((s,)) for s in self.spofs}]
        out: list[tuple[int, ...]] = []
        frontier: list[tuple[int, ...]] = [(x,) for x in self.candidates]
        cand = set(self.candidates)
        for order in range(2, max_order + 1):
            level: set[frozenset[int]] = set()
            nxt: list[tuple[int, ...]] = []
            for base in frontier:
                coll = self.residual_spofs(base)
                if coll is None:
                    continue
                top = base[-1]
                for z in coll:
                    if z <= top or z not in cand:
                        continue
                    s = base + (z,)
                    if order > 2 and _has_cut(s, found):
                        continue
                    level.add(frozenset(s))
                if order < max_order:
                    for y in self.candidates:
                        if y > top and y not in coll:
                            nxt.append(base + (y,))
            found.append(level)
            out.extend(sorted(tuple(sorted(c)) for c in level))
            # Sets of the next order extend only sets that contain no cut.
            frontier = [f for f in nxt if not _has_cut(f, found)]
        return out


def _has_cut(s: tuple[int, ...], found: list[set[frozenset[int]]]) -> bool:
    """Does ``s`` contain a cut of lower order already found?"""
    for k in range(1, len(s)):
        if k >= len(found):
            break
        level = found[k]
        if not level:
            continue
        for sub in combinations(s, k):
            if frozenset(sub) in level:
                return True
    return False


__all__ = ["CutFinder"]
