"""Customers moving through the flow layer: reachability and completion (contract §2, §5).

The customer model (the engine and the oracle share it):

* Customers start at the entry touch-points, split by the entries' ``share`` (relative
  weights). Customers whose entry is down are lost.
* Reaching any goal touch-point that is up is success; the customer stops there.
* At any other touch-point a customer takes one of the outgoing flow lines whose next
  touch-point is up, in proportion to ``share`` (lines to a down touch-point drop out and
  the others are re-weighted: rerouting). With no up next step the customer is lost.
* **Flow cycles** ("back to the pricing page") are treated as what they are: a Markov
  chain whose goals are absorbing. The completion chance of a touch-point is the exact
  absorption probability into the goals — the least solution of
  ``p(v) = sum_w share(v, w) / total_up_share(v) * p(w)``. Customers caught forever in
  a loop with no way to a goal count as lost. The engine solves each strongly connected
  component of the flow layer by state reduction (:mod:`.loops`: no cancellation, so
  accurate for any shares, a self-loop of 1e9 next to an exit of 1e-9 included; exact
  rational arithmetic where floats would underflow), acyclic parts by one pass in
  reverse topological order. The test oracle solves the same equations in fractions.
  Results are rounded to 12 decimals when reported.

``customers_lost = max(0, baseline_completion - completion_after_failure)``, a fraction
of all customers entering the journey.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable
from typing import NamedTuple

from journeymap.analysis.index import Index, sccs, upstream
from journeymap.analysis.loops import TINY, LoopSystem, Underflow, Weight, loop_chances

DENSE_LEVELS = 8  # down touch-points spread over more levels than this: one array pass
SMALL_FAILURE = 3  # at most this many down touch-points: first look for the cheap case
BACK_FIRST = 256  # lines local_loss's backward search looks at before the forward one
# A touch-point whose shares left add up to less than this has its chance computed share
# by share (a share over the total first): share × chance could underflow otherwise.
SMALL_TOTAL = 1e-250
# The local update multiplies each rerouting touch-point's change of chance (accurate to
# ~1e-16) by its expected visits; above this many visits it recomputes exactly instead.
MAX_VISITS = 1000.0
# A touch-point with more lines out than this (a gateway leading to a whole stage) is a
# *hub*: sums over its lines to touch-points still up are taken as its exact total less
# the lines to the down ones, so a failure next to it costs its down touch-points, not
# its lines (see :func:`exact_parts`).
HUB_LINES = 32
# The loop systems kept for rerouting members (_rerouting_loop) hold at most this many
# members and lines per touch-point (plus a few thousand).
KEPT_PER_TOUCHPOINT = 8


def exact_parts(xs: Iterable[float]) -> list[float]:
    """Non-overlapping floats whose sum is exactly the sum of ``xs`` (Shewchuk's
    partials, as :func:`math.fsum` keeps them). ``math.fsum(parts + [-x, ...])`` is then
    the correctly rounded sum with some terms taken out again: no digits lost to
    cancellation, however large the terms taken out."""
    parts: list[float] = []
    for x in xs:
        i = 0
        for y in parts:
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo:
                parts[i] = lo
                i += 1
            x = hi
        parts[i:] = [x]
    return parts


def hub_pays(changed: int, lines: int) -> bool:
    """Whether a hub's sum is cheaper as its exact total corrected for ``changed``
    lines than line by line over its ``lines`` (both give the sum to the last place
    or better; the tests force the corrected way on small journeys)."""
    return changed < lines


def reachable(ix: Index, down: Collection[int]) -> set[int]:
    """Touch-points reachable from an up entry through up touch-points (themselves up)."""
    seen = {e for e in ix.entries if e not in down}
    queue = deque(seen)
    fsucc = ix.fsucc
    while queue:
        v = queue.popleft()
        for t, _ in fsucc[v]:
            if t not in seen and t not in down:
                seen.add(t)
                queue.append(t)
    return seen


def goal_reachable(ix: Index, down: Collection[int]) -> bool:
    """False when the journey collapses: no up goal is reachable from an up entry."""
    return any(ix.is_goal[v] for v in reachable(ix, down))


def _step(ix: Index, v: int, down: Collection[int], p: list[float]) -> float:
    """One application of the customer rule at ``v`` given next steps' chances ``p``."""
    if v in down:
        return 0.0
    if ix.is_goal[v]:
        return 1.0
    tot = acc = 0.0
    for t, s in ix.fsucc[v]:
        if t not in down:
            tot += s
            acc += s * p[t]
    if tot < SMALL_TOTAL:
        return _tiny_step(ix.fsucc[v], down, p, tot)
    return acc / tot


def _tiny_step(lines: list[tuple[int, float]], down: Collection[int], p: list[float],
               tot: float) -> float:
    """:func:`_step` where the shares left are so small that share × chance could
    underflow (5e-324 × 0.5 is 0): each share divided by their total first."""
    if tot <= 0:
        return 0.0
    return sum(s / tot * p[t] for t, s in lines if t not in down)


class _Hub(NamedTuple):
    """What :class:`FlowSolver` keeps of a touch-point with many lines (HUB_LINES)."""

    share: dict[int, float]  # next step -> share of the line there
    total: list[float]  # exact parts of the total share
    chance: list[float]  # exact parts of sum of share x baseline chance there
    inside: list[tuple[int, float]]  # lines to its own flow loop's touch-points
    leaving: list[float]  # exact parts of the shares of lines leaving its loop


class _InHub(NamedTuple):
    """What :class:`FlowSolver` keeps of a touch-point with many lines in (HUB_LINES)."""

    outside: dict[int, tuple[float, float]]  # from outside its loop: share, baseline weight
    arrivals: list[float]  # exact parts of the baseline customers arriving from outside
    inside: list[tuple[int, float]]  # lines in from its own loop (not from goals): share


class FlowSolver:
    """Exact completion chances, with the flow layer's components computed once.

    ``solve(down)`` gives every touch-point's chance to reach a goal; ``resolve(down,
    base)`` recomputes only the touch-points upstream of the down ones (everything
    else cannot see the failure), which is what per-element cascades need.
    """

    def __init__(self, ix: Index):
        self.ix = ix
        comp, order = _sccs(ix)
        self.comp = comp  # node -> component id
        self.members = order  # components in reverse topological order (sinks first)
        self.cyclic = [len(m) > 1 or any(t == m[0] for t, _ in ix.fsucc[m[0]])
                       for m in order]

    def solve(self, down: Collection[int]) -> list[float]:
        p = [0.0] * self.ix.n
        self._fill(range(len(self.members)), down, p)
        return p

    def resolve(self, down: Collection[int], base: list[float]) -> tuple[list[float], set[int]]:
        """Recompute chances upstream of ``down``; returns (p, changed touch-points)."""
        ix = self.ix
        region = upstream(ix.fpred, (v for v in down if ix.is_tp[v]))
        p = base.copy()
        comps = sorted({self.comp[v] for v in region})
        self._fill(comps, down, p)
        return p, region

    def completion(self, p: list[float]) -> float:
        return sum(w * p[e] for e, w in self.ix.entry_weight.items())

    # --- the local update: customers lost without recomputing upstream -------------
    #
    # Let W be the baseline chain (rows: touch-points, goals absorbing), p its success
    # chances and q its expected visits from the entries. Taking the touch-points D
    # down changes only the rows K = D ∪ P (P: their up predecessors, which reroute).
    # From (I - W')p' = g' and (I - W)p = g:  p' - p = (I - W')^-1 r  with
    # r = (g' - g) + (W' - W) p  (baseline p everywhere), so
    #     completion' - completion = sum over k in K of q'(k) r(k)
    # where q' are the visits in the changed chain. q'(d) = entry weight for d in D
    # (nothing flows into a down touch-point any more); q'(u) for u in P differs from
    # q(u) only through paths from K into P, found by a forward pass over the region
    # between them, bounded by the condensation's levels (short in practice). When a
    # flow cycle lies in that region, :meth:`resolve` recomputes exactly instead.

    def prepare_local(self, p0: list[float]) -> None:
        """Baseline visits ``q`` and condensation levels, once, for :meth:`local_loss`."""
        ix = self.ix
        n = ix.n
        order = list(range(len(self.members)))[::-1]  # sources first
        self.level = level = [0] * n
        # Topological rank of every touch-point, each its own (by component, members
        # adjacent in the order of self.members): sorting by it puts a region in an
        # order that does not depend on how it was found.
        self.topo = topo = [0] * n
        rank = 0
        for c in order:
            for v in self.members[c]:
                topo[v] = rank
                rank += 1
        self._mark = bytearray(n)
        self._reached = bytearray(n)  # scratch of _dense_loss, all 0 between calls
        self.q = q = [0.0] * n
        self._qn: list[float] = []  # scratch: equals q between calls of local_loss
        self.p0 = p0
        tot = [sum(s for _, s in ix.fsucc[v]) for v in range(n)]
        self.tot = tot
        self.fpred_s: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for u in range(n):
            for t, sh in ix.fsucc[u]:
                self.fpred_s[t].append((u, sh))
        # The same lines without goals (a goal forwards nobody), each with its share of
        # its source's total: the hot loop of _changed_visits reads one tuple per line.
        self.fpred_ng: list[list[tuple[int, float, float]]] = [
            [(u, sh, sh / tot[u]) for u, sh in row if not ix.is_goal[u]]
            for row in self.fpred_s]
        # Adjacency for the searches of local_loss, goals cut out (customers stop at a
        # goal, so it leads nowhere): next steps, and up-to-here steps from non-goals.
        self.succ_ng: list[list[int]] = [
            [] if ix.is_goal[v] else [t for t, _ in ix.fsucc[v]] for v in range(n)]
        self.pred_ng: list[list[int]] = [
            [u for u in ix.fpred[v] if not ix.is_goal[u]] for v in range(n)]
        self.ew_list: list[float] = [ix.entry_weight.get(v, 0.0) for v in range(n)]
        self.acyclic: list[bool] = [not self.cyclic[c] for c in self.comp]
        # Flow loops without goals (strongly connected along lines customers take):
        # where every rerouting touch-point lies in one, _loop_loss solves just it.
        self.plain_loop: list[bool] = [
            cyc and not any(ix.is_goal[v] for v in nodes)
            for cyc, nodes in zip(self.cyclic, self.members)]
        # Hubs (HUB_LINES): each line's share by next step, and the exact parts of their
        # total share, of share × baseline chance, and of the shares leaving their own
        # flow loop (for _loop).
        self.hubs: dict[int, _Hub] = {}
        for v in range(n):
            lines = ix.fsucc[v]
            if len(lines) > HUB_LINES:
                c = self.comp[v]
                self.hubs[v] = _Hub(
                    dict(lines), exact_parts(s for _, s in lines),
                    exact_parts(s * p0[t] for t, s in lines),
                    [(t, s) for t, s in lines if self.comp[t] == c],
                    exact_parts(s for t, s in lines if self.comp[t] != c))
        # Each line's share times its target's baseline chance, for _finish.
        self.succ_sp: list[list[tuple[int, float, float]]] = [
            [(t, sh, sh * p0[t]) for t, sh in ix.fsucc[v]] for v in range(n)]
        comp = self.comp
        # Each flow loop's baseline visits system, factored once: a failure that does
        # not touch a loop directly only changes what flows into it.
        self.loops: dict[int, tuple[list[int], LoopSystem | None, list[float]]] = {}
        # _rerouting_loop: each loop's member numbers, and the systems it keeps, by
        # (loop, rerouting members).
        self._loop_col: dict[int, dict[int, int]] = {}
        self._loop_kept: dict[tuple[int, tuple[int, ...]], LoopSystem] = {}
        self._kept_size = 0  # members and lines of the systems kept
        self._loop_b: dict[int, list[float]] = {}  # _loop_inflows
        # _one_rerouting_visits: a member's baseline pivot, eliminated last, by (loop,
        # member number).
        self._loop_pivot0: dict[tuple[int, int], float] = {}
        self._loop_feeders: dict[int, list[int]] = {}  # _feeders
        is_goal, ew = ix.is_goal, ix.entry_weight
        # Visits in topological order; a line's share of its source's total is read
        # from the lines in (the same numbers, in the same order, as ix.fpred's).
        fpred_s = self.fpred_s
        for c in order:
            nodes = self.members[c]
            lv = 0
            for v in nodes:
                for u in ix.fpred[v]:
                    if comp[u] != c and level[u] + 1 > lv:
                        lv = level[u] + 1
            for v in nodes:
                level[v] = lv
            if not self.cyclic[c]:
                v = nodes[0]
                acc = ew.get(v, 0.0)
                for u, sh in fpred_s[v]:
                    if not is_goal[u] and q[u] > 0:
                        acc += q[u] * (sh / tot[u])
                q[v] = acc if acc == acc else float("inf")  # inf × 0 (underflow): unknown
                continue
            unknown, system, total = self.loops[c] = self._loop(nodes, {})
            inside = set(unknown)
            b = []
            for v in unknown:
                acc = ew.get(v, 0.0)
                for u, sh in fpred_s[v]:
                    if u not in inside and not is_goal[u] and q[u] > 0:
                        acc += q[u] * (sh / tot[u])
                b.append(acc if acc == acc else float("inf"))
            vis = system.visits(b, total) if system is not None else None
            if vis is None:  # a closed loop (or underflow): no local update through it
                for v in nodes:
                    q[v] = float("inf")
                continue
            for v, val in zip(unknown, vis):
                q[v] = val if val == val else float("inf")  # type: ignore[assignment]
            for v in nodes:
                if is_goal[v]:  # a goal forwards nobody: only what arrives
                    acc = ew.get(v, 0.0)
                    for u, sh in fpred_s[v]:
                        if not is_goal[u] and q[u] > 0:
                            acc += q[u] * (sh / tot[u])
                    q[v] = acc if acc == acc else float("inf")
        self._reach: bytearray | None = None  # _customers_reach
        # Next steps by level: the searches of local_loss never go above a level, so
        # they stop at the first next step beyond it (a hub's whole next stage is not
        # looked at one by one).
        self.succ_ng = [s if len(s) < 2 else sorted(s, key=level.__getitem__)
                        for s in self.succ_ng]
        # A hub's next steps as a set: local_loss looks a few up instead of going
        # through all of them.
        self.hub_next: dict[int, set[int]] = {
            v: set(s) for v, s in enumerate(self.succ_ng) if len(s) > HUB_LINES}
        # Touch-points by level (a topological order too: levels grow along lines
        # between components, a component's members share one), and where each level
        # starts: the dense pass takes one slice of levels.
        self.by_level = sorted((v for c in order for v in self.members[c]),
                               key=lambda v: (level[v], topo[v]))
        top_level = max((level[v] for v in self.by_level), default=0)
        self.level_start = [0] * (top_level + 2)
        for k, v in enumerate(self.by_level):
            self.level_start[level[v] + 1] = k + 1
        for lv in range(1, top_level + 2):  # levels no touch-point has: where the next starts
            self.level_start[lv] = max(self.level_start[lv], self.level_start[lv - 1])
        down_level = [-x for x in level]
        self.pred_ng = [s if len(s) < 2 else sorted(s, key=down_level.__getitem__)
                        for s in self.pred_ng]
        self.fpred_lv = [s if len(s) < 2 else sorted(s, key=down_level.__getitem__)
                         for s in ix.fpred]
        # Touch-points with many lines in (a stage's pages all leading to one sign-in):
        # the customers arriving from outside their own loop in the baseline, as exact
        # parts, so that a failure nearby adds only the changed arrivals (_arrivals).
        self.in_hubs: dict[int, _InHub] = {}
        for v in range(n):
            row = self.fpred_s[v]
            if len(row) <= HUB_LINES:
                continue
            c = comp[v]
            outside = [(u, sh, sh / tot[u]) for u, sh in row
                       if comp[u] != c and not is_goal[u]]
            terms = [q[u] * w for u, _, w in outside]
            if all(math.isfinite(t) for t in terms):
                self.in_hubs[v] = _InHub(
                    {u: (sh, w) for u, sh, w in outside}, exact_parts(terms),
                    [(u, sh) for u, sh in row if comp[u] == c and not is_goal[u]])

    def _loop(self, members: list[int], up_share: dict[int, float],
              down: Collection[int] = ()
              ) -> tuple[list[int], LoopSystem | None, list[float]]:
        """The visits system of one flow loop's ``members`` that are not goals (a goal
        forwards nobody): their lines as in the baseline, or for a rerouting touch-point
        (``self._mark`` 2) only its lines to touch-points still up (``down``: the down
        ones), with ``up_share`` as its total. Returns (those members, the system or
        None on underflow, each member's total share)."""
        unknown = [m for m in members if not self.ix.is_goal[m]]
        col = {v: k for k, v in enumerate(unknown)}
        out: list[dict[int, float]] = []
        exits: list[float] = []
        total: list[float] = []
        for u in unknown:
            row, e, t_u = self._loop_row(u, col, up_share, down)
            out.append(row)
            exits.append(e)
            total.append(t_u)
        try:
            return unknown, LoopSystem(out, exits), total
        except Underflow:
            return unknown, None, total

    def _loop_row(self, u: int, col: dict[int, int], up_share: dict[int, float],
                  down: Collection[int], rerouting: bool | None = None,
                  row_wanted: bool = True) -> tuple[dict[int, float], float, float]:
        """One member's row of :meth:`_loop`: (shares to the members numbered by
        ``col``, share leaving them, total share). ``rerouting``: whether ``u``
        reroutes, if not as marked (False: its baseline row). Without ``row_wanted``
        the row may be left empty where only the exit share is asked for."""
        mark, fsucc, comp = self._mark, self.ix.fsucc, self.comp
        if rerouting is None:
            rerouting = mark[u] == 2
        row: dict[int, float] = {}
        e = 0.0
        lines: list[tuple[int, float]] = fsucc[u]
        hub = self.hubs.get(u)
        if hub is not None and (not rerouting or hub_pays(len(down), len(fsucc[u]))):
            # A hub: only its lines inside its loop one by one; what leaves the
            # loop is its exact total less the lines to down touch-points.
            extra = list(hub.leaving)
            c = comp[u]
            if row_wanted or len(col) < len(self.members[c]):
                # (else every line inside leads to a member in col, or a down one:
                # none leaves, and the row is not wanted)
                for t, s in hub.inside:
                    if t == u or (rerouting and mark[t] == 1):
                        continue
                    k = col.get(t)
                    if k is None:
                        extra.append(s)
                    else:
                        row[k] = s
            if rerouting:
                share = hub.share
                extra += [-share[t] for t in down if t in share and comp[t] != c]
            e = math.fsum(extra)
            lines = []
        for t, s in lines:
            if t == u or (rerouting and mark[t] == 1):
                continue  # a self-loop changes nothing; a down step drops out
            k = col.get(t)
            if k is None:
                e += s
            else:
                row[k] = s
        t_u = up_share[u] if rerouting else self.tot[u]
        if not t_u:  # no step left: lost here, a one-way exit for the visits
            e = t_u = 1.0
        return row, e, t_u

    def _changed_loop(self, c: int, members: list[int], up_share: dict[int, float],
                      down: Collection[int]
                      ) -> tuple[list[int], LoopSystem | None, list[float]]:
        """The visits system of the flow loop ``c`` (its ``members`` still up) with its
        changed rows: kept or replayed where :meth:`_rerouting_loop` can, else new
        (:meth:`_loop`)."""
        kept = self._rerouting_loop(c, members, up_share, down)
        return kept if kept is not None else self._loop(members, up_share, down)

    def _rerouting_loop(self, c: int, members: list[int], up_share: dict[int, float],
                        down: Collection[int]
                        ) -> tuple[list[int], LoopSystem, list[float]] | None:
        """The loop ``c`` whole and up (no member down) with some members rerouting
        (``self._mark`` 2): their lines to the other members are the baseline's, only
        their own exit shares (and totals) change. A system that eliminates them last
        (:meth:`_last_system`) is then replayed for those exits
        (:meth:`LoopSystem.with_exits`) instead of built again. Exact in the same sense
        as a new system (every pivot a sum; the very numbers a new one with that order
        has). None otherwise (then build a new one)."""
        base = self.loops.get(c)
        if base is None or len(members) != len(self.members[c]):
            return None
        unknown, system, total = base
        if system is None or not unknown:
            return None
        col = self._loop_columns(c)
        mark = self._mark
        moved = sorted(col[m] for m in members if mark[m] == 2)
        exits: dict[int, float] = {}
        total = total.copy()
        for k in moved:
            u = unknown[k]
            if not up_share[u]:  # lost there: its row changes too
                return None
            _, exits[k], total[k] = self._loop_row(u, col, up_share, down)
        source, fresh = self._last_system(c, moved, up_share, down)
        if source is None:
            return None
        # (a system built just now has these exits already)
        new = source if fresh else source.with_exits([exits[k] for k in source.block])
        if new is None:
            return None
        return unknown, new, total

    def _loop_columns(self, c: int) -> dict[int, int]:
        """Each member of the flow loop ``c`` (not a goal) by its number in the loop's
        systems."""
        col = self._loop_col.get(c)
        if col is None:
            col = self._loop_col[c] = {v: k for k, v in enumerate(self.loops[c][0])}
        return col

    def _last_system(self, c: int, moved: list[int], up_share: dict[int, float],
                     down: Collection[int]) -> tuple[LoopSystem | None, bool]:
        """A system of the flow loop ``c`` that eliminates the members numbered
        ``moved`` (sorted) last, for :meth:`LoopSystem.with_exits`: the baseline system
        when the only one is the member it eliminates last (a hub, the usual case next
        to a gateway), else one built the first time these members reroute (their rows
        as ``self._mark``, ``up_share`` and ``down`` give them; only their exits differ
        from one failure to the next, and a replay replaces those) and kept. With
        whether it was built just now (for these rows); None where it underflows."""
        unknown, system, _ = self.loops[c]
        if system is None:
            return None, False
        if len(moved) == 1 and system.block == moved:
            return system, False
        key = (c, tuple(moved))
        kept = self._loop_kept.get(key)
        if kept is not None:
            return kept, False
        col = self._loop_columns(c)
        out: list[dict[int, float]] = []
        exit_list: list[float] = []
        for u in unknown:
            row, e, _ = self._loop_row(u, col, up_share, down)
            out.append(row)
            exit_list.append(e)
        try:
            new = LoopSystem(out, exit_list, last=moved)
        except Underflow:
            return None, True
        size = new.k + sum(map(len, new.upper))
        if self._kept_size + size <= KEPT_PER_TOUCHPOINT * self.ix.n + 4096:
            # (a bound on what is kept: many large loops with ever other members
            # rerouting are built each time instead, the same numbers)
            self._loop_kept[key] = new
            self._kept_size += size
        return new, True

    def _one_rerouting_visits(self, c: int, u: int, up_share: dict[int, float],
                              down: Collection[int]) -> list[float] | None:
        """The new visits of the flow loop ``c``'s members (not goals, in the order of
        its baseline system) when ``u`` is the only member that reroutes and what flows
        into the loop is the baseline's (:meth:`_loop_loss`): no system is solved again.

        In a system that eliminates ``u`` last, ``u``'s visits per unit of total share
        are what arrives at it over its pivot, and the elimination up to it never reads
        its exit: rerouting (its exit share less the lines to down touch-points) only
        changes its pivot, so they scale by old pivot / new pivot. Every other
        member's change is ``u``'s times its fixed :meth:`LoopSystem.sensitivity`.
        Every factor is a sum or product of positive numbers, so the visits are as
        accurate as a new solve's (a few units in the last place; not always the same
        bits). None where this does not apply (then the loop is solved again)."""
        base = self.loops.get(c)
        if base is None:
            return None
        unknown, system, total = base
        q = self.q
        if system is None or any(system.closed) or not up_share[u] or not q[u] < math.inf:
            return None
        col = self._loop_columns(c)
        k = col[u]
        source = self._last_system(c, [k], up_share, down)[0]
        if source is None or source.exact or any(source.closed):
            return None
        e_new = self._loop_row(u, col, up_share, down, row_wanted=False)[1]
        if 0 < e_new < TINY:
            return None  # (as LoopSystem.with_exits: a new solve decides)
        pivot_new = e_new  # the exit plus its gains, as LoopSystem.with_exits adds them
        for g in source.gains[0]:
            pivot_new += g
        pivot_old = self._loop_pivot0.get((c, k))
        if pivot_old is None:  # the same for every failure that makes u reroute
            pivot_old = self._loop_row(u, col, up_share, down, rerouting=False,
                                       row_wanted=False)[1]
            for g in source.gains[0]:
                pivot_old += g
            self._loop_pivot0[(c, k)] = pivot_old
        if not pivot_new:
            return None  # nothing leaves u any more: caught for ever
        y_old = q[u] / total[k]
        y_new = y_old * pivot_old / pivot_new
        change = y_new - y_old
        out = [v + change * s * t for v, s, t in zip(map(q.__getitem__, unknown),
                                                      source.sensitivity(), total)]
        out[k] = y_new * up_share[u]
        return out

    def _customers_reach(self) -> bytearray:
        """Touch-points customers reach (from an entry with customers, along lines
        with a share, never on from a goal), once: where their visits are 0 only
        because they underflow (a line of 5e-324), :meth:`local_loss` still takes them
        as rerouting, as their visits can grow when a neighbour reroutes (to them, its
        only way left)."""
        reach = self._reach
        if reach is None:
            ix = self.ix
            reach = self._reach = bytearray(ix.n)
            stack = [v for v, w in ix.entry_weight.items() if w > 0]
            for v in stack:
                reach[v] = 1
            while stack:
                v = stack.pop()
                if not ix.is_goal[v]:
                    for t, s in ix.fsucc[v]:
                        if s > 0 and not reach[t]:
                            reach[t] = 1
                            stack.append(t)
        return reach

    def local_loss(self, down: Collection[int]) -> float | None:
        """``completion(baseline) - completion(down)`` by the local update, or None when
        a flow cycle is in the way (then use :meth:`resolve`)."""
        ix = self.ix
        q, p, level = self.q, self.p0, self.level
        preds: set[int] = set()
        pred_ng, succ_ng = self.pred_ng, self.succ_ng
        for d in down:
            for u in pred_ng[d]:
                if u not in down and (q[u] > 0 or self._customers_reach()[u]):
                    preds.add(u)
        delta = 0.0
        for d in down:
            delta -= ix.entry_weight.get(d, 0.0) * p[d]
        if not preds:
            return -delta
        # The rows that change (K = D ∪ P) and every touch-point on a path from K to P:
        # only there can the visits q' differ from the baseline q. Such a point lies at
        # a level between the lowest of K and the highest of P (levels grow strictly
        # along lines between components).
        top = max(level[u] for u in preds)
        lo = min(min(level[u] for u in preds), min(level[d] for d in down))
        if top - lo > DENSE_LEVELS:
            # Down touch-points spread over the journey (a shared platform): the
            # region is most of the journey anyway; one array pass is cheaper.
            return self._dense_loss(down, preds, delta, lo, top)
        # Every rerouting touch-point in one flow loop that keeps all its members, or
        # one level above it, the down ones where they cannot lead back into them
        # (next to a gateway in a loop, the usual case there): the region is that loop
        # and those above it, what flows into the loop is the baseline's; no search.
        after = self._loop_and_after(down, preds)
        if after is not None:
            return self._loop_loss(down, preds, delta, after)
        # The common case (one touch-point down, its predecessors side by side): no
        # path leads from a changed row into a rerouting one, so the rerouting rows keep
        # their baseline visits (q' = q on P). One small forward search tells.
        if len(down) <= SMALL_FAILURE and self._independent(down, preds, top):
            return self._finish(down, preds, q, delta)
        # Otherwise two bounded searches run in lockstep — forwards from K and
        # backwards from P, each looking at as many lines as the other — and whichever
        # finishes first is then filtered by the other direction, so the cost is that
        # of the smaller one (a hub's hundreds of next steps count as hundreds). The
        # backward one starts BACK_FIRST lines ahead: it is the small one as a rule
        # (the forward one meets a gateway's whole next stage), and then the forward
        # one does not pay for a hub it would have had to look through.
        fwd: set[int] = set()
        fstack = [*down, *preds]
        back: set[int] = set(preds)
        bstack = list(preds)
        fpred = self.fpred_lv
        fwork, bwork = BACK_FIRST, 0  # lines looked at: the search behind goes next
        while fstack and bstack:
            if fwork <= bwork:
                v = fstack.pop()
                for t in succ_ng[v]:  # customers stop at a goal: none from there
                    fwork += 1
                    if level[t] > top:
                        break  # next steps by level: the rest are higher still
                    if t not in fwd and t not in down:
                        fwd.add(t)
                        fstack.append(t)
            else:
                v = bstack.pop()
                for u in pred_ng[v]:  # by level, highest first
                    bwork += 1
                    if level[u] < lo:
                        break
                    if u not in back and u not in down:
                        back.add(u)
                        bstack.append(u)
        region: set[int] = set()
        if not fstack:  # forward search complete: keep what reaches P, inside it
            # (everything in ``fwd`` is at least at level ``lo``)
            stack = [u for u in preds if u in fwd]
            region.update(stack)
            while stack:
                v = stack.pop()
                for u in fpred[v]:
                    if level[u] < lo:
                        break
                    if u in fwd and u not in region:
                        region.add(u)
                        stack.append(u)
        else:  # backward search complete: keep what K reaches, inside it
            # (Levels do not fall along a line, so everything in ``back`` is at most
            # at level ``top``.)
            stack = [*down, *preds]
            hub_next = self.hub_next
            while stack:
                v = stack.pop()
                nxt = hub_next.get(v)
                if nxt is not None and len(back) < len(nxt):
                    # A hub (a gateway's whole next stage): its next steps looked up
                    # among the few in ``back`` instead of gone through.
                    for t in back:
                        if t in nxt and t not in region:
                            region.add(t)
                            stack.append(t)
                    continue
                for t in succ_ng[v]:
                    if level[t] > top:
                        break
                    if t in back and t not in region:
                        region.add(t)
                        stack.append(t)
        nodes = region | preds
        up_share = self._up_shares(preds, down)

        # Changed visits in a scratch copy of q, put back afterwards (cheaper than a
        # fresh copy or a dict falling back to q for every read).
        if len(self._qn) != len(q):
            self._qn = q.copy()
        qn = self._qn
        for d in down:
            qn[d] = ix.entry_weight.get(d, 0.0)  # nothing flows into d any more
        self._mark_rows(down, preds, True)
        try:
            ok = self._changed_visits(sorted(nodes, key=self.topo.__getitem__), up_share, qn,
                                      down)
            return self._finish(down, preds, qn, delta) if ok else None
        finally:
            self._mark_rows(down, preds, False)
            for v in down:
                qn[v] = q[v]
            for v in nodes:
                qn[v] = q[v]

    def _loop_and_after(self, down: Collection[int], preds: set[int]
                        ) -> tuple[int, list[int]] | None:
        """Where :meth:`_loop_loss` applies: (the flow loop, the rerouting
        touch-points above it in topological order), else None. It does when some
        rerouting touch-points lie in one flow loop without goals (:attr:`plain_loop`)
        and the others (``after``) are not in a loop, one level above it, and no hub
        with many lines in; and the down ones lie above the loop (at its level, in
        another component, when there are none above)."""
        comp, acyclic, level = self.comp, self.acyclic, self.level
        c = -1
        after = []
        for u in preds:
            if acyclic[u]:
                after.append(u)
            elif c < 0:
                c = comp[u]
            elif comp[u] != c:
                return None
        if c < 0 or not self.plain_loop[c]:
            return None
        lv = level[self.members[c][0]]
        if not after:
            if all(level[d] >= lv and comp[d] != c for d in down):
                return c, after
            return None
        in_hubs = self.in_hubs
        if all(level[u] == lv + 1 and u not in in_hubs for u in after) and all(
                level[d] > lv for d in down):
            return c, sorted(after, key=self.topo.__getitem__)
        return None

    def _loop_loss(self, down: Collection[int], preds: set[int], delta: float,
                   where: tuple[int, list[int]]) -> float | None:
        """:meth:`local_loss` where :meth:`_loop_and_after` gives ``where``: the flow
        loop ``c`` the rerouting touch-points lie in, and those one level above it
        (``after``); no down one can lead into them (it keeps all its members; a line
        into the loop comes from a lower level, into ``after`` from its level or
        lower). Then the touch-points on a path from a changed row into a rerouting one
        are exactly the loop's members and ``after`` (its rerouting members reach all
        of them and are reached from all; nothing else at those levels is reached from
        a changed row), and the customers arriving from outside the loop are the
        baseline's: the loop is solved again for its new rows, then each of ``after``
        from its lines in, the numbers :meth:`_changed_visits` would give on the
        region the searches find."""
        c, after = where
        members = self.members[c]
        up_share = self._up_shares(preds, down)
        q = self.q
        if len(self._qn) != len(q):
            self._qn = q.copy()
        qn = self._qn
        unknown: list[int] = []
        comp = self.comp
        moved = [u for u in preds if comp[u] == c]
        self._mark_rows(down, preds, True)
        try:
            # One rerouting member (the usual case): its visits and the others' follow
            # from the baseline's without a new solve.
            vis: list[float] | list[Weight] | None = self._one_rerouting_visits(
                c, moved[0], up_share, down) if len(moved) == 1 else None
            if vis is not None:
                unknown = self.loops[c][0]
            else:
                unknown, system, total = self._changed_loop(c, members, up_share, down)
                if system is None:
                    return None
                vis = system.visits(self._loop_inflows(
                    c, unknown, len(members) + len(after) + len(down)), total)
                if vis is None:  # customers could loop for ever
                    return None
            for m, val in zip(unknown, vis):
                qn[m] = val  # type: ignore[assignment]
            # ``after``: no loop, no hub with many lines in; the loop's visits are set.
            self._changed_visits(after, up_share, qn, down)
            return self._finish(down, preds, qn, delta)
        finally:
            self._mark_rows(down, preds, False)
            for m in unknown:
                qn[m] = q[m]
            for v in after:
                qn[v] = q[v]

    def _loop_inflows(self, c: int, unknown: list[int], changed: int) -> list[float]:
        """The customers arriving at each member of the flow loop ``c`` (``unknown``,
        in that order) from outside it in the baseline, each summed as
        :meth:`_changed_visits` sums it when none of the lines in changes and
        ``changed`` touch-points did (a hub's arrivals are summed exactly when that
        pays)."""
        lines = self._loop_b.get(c)
        if lines is None:
            ix = self.ix
            comp, is_goal, tot, q = self.comp, ix.is_goal, self.tot, self.q
            lines = []
            for v in unknown:
                acc = ix.entry_weight.get(v, 0.0)
                for u, sh in self.fpred_s[v]:
                    if is_goal[u]:
                        continue
                    w = sh / tot[u]
                    if comp[u] != c and (w or not q[u] < math.inf):
                        # (a share that underflows from unknown visits: inf x 0,
                        # NaN, unknown; the member's visits too)
                        acc += q[u] * w
                lines.append(acc)
            self._loop_b[c] = lines
        in_hubs = self.in_hubs
        if not in_hubs:
            return lines
        out = lines.copy()
        for k, v in enumerate(unknown):
            hub = in_hubs.get(v)
            if hub is not None and hub_pays(changed, len(self.fpred_s[v])):
                out[k] = math.fsum([self.ix.entry_weight.get(v, 0.0), *hub.arrivals])
        return out

    def _feeders(self, c: int) -> list[int]:
        """The touch-points outside the flow loop ``c`` with lines into it (not goals:
        a goal forwards nobody)."""
        out = self._loop_feeders.get(c)
        if out is None:
            comp, is_goal, mine = self.comp, self.ix.is_goal, self.members[c]
            out = self._loop_feeders[c] = sorted(
                {u for v in mine for u, _ in self.fpred_s[v]
                 if comp[u] != c and not is_goal[u]})
        return out

    def _independent(self, down: Collection[int], preds: set[int], top: int) -> bool:
        """True when no path leads from a changed row (down or rerouting) into a
        rerouting one: a forward search, bounded by the rerouting rows' highest level,
        that stops at the first hit."""
        level, succ_ng = self.level, self.succ_ng
        seen: set[int] = set()
        stack = [*down, *preds]
        while stack:
            v = stack.pop()
            for t in succ_ng[v]:
                if level[t] > top:
                    break
                if t not in seen and t not in down:
                    if t in preds:
                        return False
                    seen.add(t)
                    stack.append(t)
        return True

    def _mark_rows(self, down: Collection[int], preds: set[int], on: bool) -> None:
        """Mark the changed rows in the scratch array (1 = down, 2 = rerouting), or
        clear them."""
        mark = self._mark
        for d in down:
            mark[d] = 1 if on else 0
        for u in preds:
            mark[u] = 2 if on else 0

    def _dense_loss(self, down: Collection[int], preds: set[int], delta: float,
                    lo: int, top: int) -> float | None:
        """:meth:`local_loss` by one pass over every touch-point whose level lies
        between the lowest changed row's (``lo``) and the highest rerouting one's
        (``top``): nothing below can be reached from a changed row, nothing above
        leads into a rerouting one. A cyclic component is solved whole (its members
        share a level): cutting it after a rerouting member would miss a loop that no
        longer leads anywhere."""
        ix = self.ix
        q, ew = self.q, ix.entry_weight
        up_share = self._up_shares(preds, down)
        qn = q.copy()
        for d in down:
            qn[d] = ew.get(d, 0.0)
        start, end = self.level_start[lo], self.level_start[top + 1]
        # Only what a changed row leads to, up to the band's top: elsewhere the visits
        # stay the baseline's (a loop's members are all reached or none).
        level, succ_ng = self.level, self.succ_ng
        reached = self._reached
        stack = [*down, *preds]
        for v in stack:
            reached[v] = 1
        touched = list(stack)
        while stack:
            v = stack.pop()
            for t in succ_ng[v]:
                if level[t] > top:
                    break
                if not reached[t]:
                    reached[t] = 1
                    touched.append(t)
                    stack.append(t)
        order = [v for v in self.by_level[start:end] if reached[v]]
        for v in touched:
            reached[v] = 0
        self._mark_rows(down, preds, True)
        try:
            ok = self._changed_visits(order, up_share, qn, down)
        finally:
            self._mark_rows(down, preds, False)
        return self._finish(down, preds, qn, delta) if ok else None

    def _changed_visits(self, order: list[int], up_share: dict[int, float],
                        qn: list[float], down: Collection[int],
                        n_changed: int | None = None) -> bool:
        """Visits ``qn`` in the changed chain for ``order`` (touch-points in topological
        order, a cyclic component's members adjacent), given ``self._mark`` (1 = down,
        2 = rerouting) and the rerouting touch-points' remaining shares. False when a
        component's system is singular (customers could loop forever). ``n_changed``:
        how many touch-points a hub's sum counts as changed (:func:`hub_pays`), if not
        those of ``order`` and ``down``."""
        ix = self.ix
        comp, mark = self.comp, self._mark
        is_goal, tot, fpred_s, ew = ix.is_goal, self.tot, self.fpred_s, ix.entry_weight
        fpred_ng, ew_list, in_hubs = self.fpred_ng, self.ew_list, self.in_hubs
        q = self.q
        changed: set[int] = set()  # touch-points whose visits or lines may have changed

        def weight(u: int, v: int, sh: float) -> float:
            """The changed weight of the line u -> v (u up)."""
            if mark[u] == 2:
                us = up_share[u]
                return sh / us if us > 0 and mark[v] != 1 else 0.0
            return sh / tot[u]

        def hub_arrivals(v: int, hub: _InHub) -> float | None:
            """Customers arriving at a hub from outside its loop: the baseline less the
            changed lines' old arrivals plus their new ones, summed exactly. None when
            going through its lines one by one is cheaper."""
            if not changed:  # (the dense pass's order holds the down ones too: a set)
                changed.update(order)
                changed.update(down)
            if not hub_pays(len(changed) if n_changed is None else n_changed,
                            len(fpred_s[v])):
                return None
            terms = [ew.get(v, 0.0), *hub.arrivals]
            outside = hub.outside
            for u in changed:
                line = outside.get(u)
                if line is not None:
                    sh, w0 = line
                    terms.append(-(q[u] * w0))
                    if mark[u] != 1:
                        terms.append(qn[u] * weight(u, v, sh))
            return math.fsum(terms)

        def inflow(v: int, own: int) -> tuple[float, list[tuple[int, float]]]:
            """Customers arriving at v from outside component ``own``, and the lines
            from inside it (with their changed weights)."""
            hub = in_hubs.get(v)
            if hub is not None:
                outside = hub_arrivals(v, hub)
                if outside is not None:
                    inside_lines = []
                    for u, sh in hub.inside:
                        if mark[u] != 1:
                            w = weight(u, v, sh)
                            if w or not qn[u] < math.inf:  # inf x 0: unknown
                                inside_lines.append((u, w))
                    return outside, inside_lines
            acc = ew.get(v, 0.0)
            inside = []
            for u, sh in fpred_s[v]:
                mu = mark[u]
                if mu == 1 or is_goal[u]:
                    continue  # a down touch-point or a goal forwards nobody
                if mu == 2:
                    us = up_share[u]
                    w = sh / us if us > 0 and mark[v] != 1 else 0.0
                else:
                    w = sh / tot[u]
                if not w and qn[u] < math.inf:
                    # nobody takes the line; but a share that underflows from unknown
                    # (inf) visits is inf x 0: NaN, unknown, and so are v's visits
                    continue
                if comp[u] == own:
                    inside.append((u, w))
                else:
                    acc += qn[u] * w
            return acc, inside

        acyclic, plain_loop = self.acyclic, self.plain_loop
        n_order = len(order)
        skip = 0  # past the cyclic component just solved
        for k0, v in enumerate(order):
            if k0 < skip:
                continue
            if acyclic[v]:  # the hot loop: inflow() inlined
                if mark[v] == 1:
                    continue
                if v in in_hubs:
                    hub_acc = hub_arrivals(v, in_hubs[v])
                    if hub_acc is not None:
                        qn[v] = hub_acc
                        continue
                acc = ew_list[v]
                for u, sh, wu in fpred_ng[v]:
                    mu = mark[u]
                    if not mu:
                        acc += qn[u] * wu
                    elif mu == 2:
                        us = up_share[u]
                        if us > 0:
                            acc += qn[u] * (sh / us)
                qn[v] = acc
                continue
            c = comp[v]
            k1 = k0
            while k1 < n_order and comp[order[k1]] == c:
                k1 += 1
            members = [m for m in order[k0:k1] if mark[m] != 1]
            skip = k1
            whole = len(members) == len(self.members[c])
            if whole and not any(mark[m] for m in members):
                # Untouched loop: the baseline system, only the inflows change.
                unknown, system, total = self.loops[c]
            else:
                unknown, system, total = self._changed_loop(c, members, up_share, down)
            if system is None:
                return False
            if not changed:
                changed.update(order)
                changed.update(down)
            if (whole and plain_loop[c] and unknown is self.loops[c][0]
                    and not any(u in changed for u in self._feeders(c))):
                # Nothing that leads into the loop changed: its inflows are the
                # baseline's, summed as inflow() sums them.
                rows = {}
                bvec = self._loop_inflows(c, unknown, len(changed) if n_changed is None
                                          else n_changed)
            else:
                rows = {m: inflow(m, c) for m in members}
                col = set(unknown)
                bvec = []
                for m in unknown:
                    b, inside = rows[m]
                    for u, w in inside:
                        if u not in col:  # a member outside the region: visits unchanged
                            b += qn[u] * w
                    bvec.append(b)
            vis = system.visits(bvec, total)
            if vis is None:  # customers could loop for ever
                return False
            for m, val in zip(unknown, vis):
                qn[m] = val  # type: ignore[assignment]
            for m in members:
                if is_goal[m]:
                    b, inside = rows[m]
                    qn[m] = b + sum(qn[u] * w for u, w in inside)
        return True

    def _finish(self, down: Collection[int], preds: set[int],
                qn: list[float], delta: float) -> float | None:
        """``-(change in completion)`` from the rerouting touch-points' new visits."""
        if not all(qn[u] <= MAX_VISITS for u in preds):
            # Visits through a closed loop (infinite), or so many (a loop customers
            # leave only rarely) that rounding in the chances would be multiplied by
            # them: recompute exactly instead.
            return None
        p, succ_sp, hubs = self.p0, self.succ_sp, self.hubs
        for u in sorted(preds):
            hub = hubs.get(u)
            if hub is not None and hub_pays(len(down), len(succ_sp[u])):
                share = hub.share
                gone = [t for t in down if t in share]
                up = math.fsum([*hub.total, *(-share[t] for t in gone)])
                acc = math.fsum([*hub.chance, *(-share[t] * p[t] for t in gone)])
            else:
                up = acc = 0.0
                for t, s, sp in succ_sp[u]:
                    if t not in down:
                        up += s
                        acc += sp
            if up < SMALL_TOTAL:
                after = _tiny_step(self.ix.fsucc[u], down, p, up)
            else:
                after = acc / up
            delta += qn[u] * (after - p[u])
        return -delta

    def _up_shares(self, preds: Iterable[int], down: Collection[int]) -> dict[int, float]:
        """Each rerouting touch-point's share of lines to touch-points still up."""
        out: dict[int, float] = {}
        fsucc, hubs = self.ix.fsucc, self.hubs
        for u in preds:
            hub = hubs.get(u)
            if hub is not None and hub_pays(len(down), len(fsucc[u])):
                share = hub.share
                out[u] = math.fsum([*hub.total, *(-share[t] for t in down if t in share)])
                continue
            us: float = 0  # as sum() would: an int start, so the floats add up the same way
            for t, s in fsucc[u]:
                if t not in down:
                    us += s
            out[u] = us
        return out

    def _fill(self, comps: Iterable[int], down: Collection[int], p: list[float]) -> None:
        ix = self.ix
        for c in comps:
            nodes = self.members[c]
            if not self.cyclic[c]:
                v = nodes[0]
                p[v] = _step(ix, v, down, p)
            else:
                _solve_component(ix, nodes, down, p)


def _solve_component(ix: Index, nodes: list[int], down: Collection[int],
                     p: list[float]) -> None:
    """Absorption chances inside one cyclic component (:mod:`.loops`: exact to a few
    units in the last place for any shares, or in rational arithmetic)."""
    unknown = []
    for v in nodes:
        if v in down:
            p[v] = 0.0
        elif ix.is_goal[v]:
            p[v] = 1.0
        else:
            unknown.append(v)
    if not unknown:
        return
    col = {v: k for k, v in enumerate(unknown)}
    out: list[dict[int, float]] = []
    exits: list[float] = []
    leaving: list[list[tuple[float, float]]] = []
    for v in unknown:
        row: dict[int, float] = {}
        e = 0.0
        known: list[tuple[float, float]] = []
        for t, s in ix.fsucc[v]:
            if t in down or t == v:  # rerouted around; a self-loop changes nothing
                continue
            k = col.get(t)
            if k is None:  # outside the component, or a goal inside it: known
                e += s
                known.append((s, p[t]))
            else:
                row[k] = s
        out.append(row)
        exits.append(e)
        leaving.append(known)
    for v, val in zip(unknown, loop_chances(out, exits, leaving)):
        p[v] = val


def _sccs(ix: Index) -> tuple[list[int], list[list[int]]]:
    """SCCs of the flow layer, sinks first."""
    empty: list[int] = []
    return sccs(ix.n, [[t for t, _ in s] if s else empty for s in ix.fsucc],
                [v for v in range(ix.n) if ix.is_tp[v]])


__all__ = ["HUB_LINES", "MAX_VISITS", "SMALL_TOTAL", "FlowSolver", "exact_parts",
           "goal_reachable", "reachable"]
