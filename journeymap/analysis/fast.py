"""Every element's single-failure cascade without re-running the journey per element.

The naive reading (propagate each failure, walk the flow layer again) is O(n·(n+m)).
Here the same answers come from a few passes whose cost is proportional to the size of
the answers themselves:

1. **KILL sets over the dependency layer.** ``KILL(v)`` = the elements whose failure
   alone takes ``v`` down. On the condensation of the hard needs layer, in topological
   order (what is needed first): ``KILL(v) = {v} ∪ killers(g)`` over ``v``'s hard
   groups, where an element kills a ``k of n`` group iff it is in the KILL sets of more
   than ``n - k`` members — union for a plain need (k = n = 1), intersection for ``any``
   (k = 1), counting for ``at_least``. Intersection is what finds common-cause failure:
   two "redundant" CDNs that both need one origin share it in both KILL sets.
   Mutual dependencies (a cycle's members) are solved by iterating the same rule from
   ``KILL(v) = {v}`` upwards to the least fixpoint — the same least fixpoint the
   propagation computes, so cycles never fail by themselves.
2. **Reach-kill sets over the flow layer.** ``R(v)`` = the elements whose failure
   alone leaves touch-point ``v`` down or unreachable:
   ``R(v) = KILL(v) ∪ ⋂ R(u)`` over ``v``'s flow predecessors (an entry also has the
   virtual source, whose set is empty). This is the dominator data-flow equation with
   element failures in place of nodes; flow cycles are handled by iterating from "all"
   down to the greatest fixpoint in reverse postorder (one pass, then only what a line
   back changes).
   Collapse = in ``R`` of every reachable goal; stranded = in ``R(v)`` but not
   ``KILL(v)``.
3. **Customers lost** only for failures that take out a reachable touch-point without
   collapsing the journey; once per set of down touch-points, these sets taken in the
   order of the arrays the updates read (fewer cache misses: see
   :meth:`.gateways.Segments.loss`). Where the journey has gateways (touch-points
   every successful customer passes), completion is the product of the segments'
   chances between them (:mod:`.gateways`, which also says why that is exact, flow
   loops included) and a failure recomputes only the segments holding its down
   touch-points (memoised per segment). Each (segment, or the whole
   journey without gateways) by an exact local update from the baseline chances and
   visits (:meth:`FlowSolver.local_loss`: when no path leads from a changed row into
   a rerouting one — the usual single touch-point failure — a few multiplications;
   else cost ~ the touch-points between the down ones and those that reroute around
   them; one pass over the band of levels between them when they are spread over the
   segment); where a closed flow loop is in the way, recomputed upstream of them
   (:meth:`FlowSolver.resolve`). A *hub* (a touch-point with more than
   :data:`~journeymap.analysis.flow.HUB_LINES` lines in or out: a gateway leading to a
   whole stage) is summed as its exact total less the changed lines, so a failure next
   to a hub costs its own touch-points, not the hub's lines. A flow loop that keeps all
   its members while some of them reroute (next to a gateway in a loop: the usual case
   there) is not built again per failure: a system that eliminates those members last
   is kept per loop and set of rerouting members, and only its last block is replayed
   for their new exits (:meth:`~journeymap.analysis.loops.LoopSystem.with_exits`, the
   very numbers of a new system with that order); when every rerouting touch-point is
   in such a loop and no down one leads back into it, that loop is all the update
   solves (no search), and with one member rerouting not even that: its visits scale
   by its old pivot over its new one and the others' by the loop's fixed sensitivity to
   it (:meth:`FlowSolver._one_rerouting_visits`). This step is the one part that is not
   near-linear: a failure whose touch-points are spread over one segment costs a pass
   over the band between them, and the loops next to a gateway grow with the stages
   (see the README's BENCHMARKS).

The cyclic garbage collector is paused while this runs (:func:`.index.gc_paused`).

Sets are Python ``set``/``frozenset`` of element indices; the inverted answers (down
and stranded per failed element) are built once at the end.
"""

from __future__ import annotations

from journeymap.analysis.cascade import RawCascade, clean
from journeymap.analysis.flow import FlowSolver, reachable
from journeymap.analysis.gateways import Segments
from journeymap.analysis.index import Group, Index, gc_paused, peel, sccs

# One shared empty set for the many cascades that take nothing else down: fewer objects
# for the cyclic garbage collector to scan once the engine hands its answers back.
_EMPTY: frozenset[int] = frozenset()


def _killers(g: Group, kill: list[frozenset[int] | None]) -> frozenset[int]:
    """Elements whose single failure breaks group ``g`` (given members' KILL sets)."""
    sets = [kill[m] or frozenset((m,)) for m in g.members]
    slack = g.slack
    if slack == 0:
        if len(sets) == 1:
            return sets[0]
        return frozenset().union(*sets)
    if slack == len(sets) - 1:
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])
    counts: dict[int, int] = {}
    for s in sets:
        for e in s:
            counts[e] = counts.get(e, 0) + 1
    return frozenset(e for e, c in counts.items() if c > slack)


def _acyclic(v: int, hard_groups: list[list[int]], groups: list[Group],
             kill: list[frozenset[int] | None]) -> bool:
    """``KILL(v)`` of an element on no needs-cycle, from those of what it needs; False,
    and nothing set, while one of those is missing (never in the order of
    :func:`_kill_sets_with_cycles`)."""
    hg = hard_groups[v]
    if not hg:
        kill[v] = frozenset((v,))
        return True
    acc = {v}
    for gi in hg:
        g = groups[gi]
        mem = g.members
        if len(mem) == 1 and g.required == 1:  # a plain need: _killers inlined
            need = kill[mem[0]]
            if need is None:
                return False
            acc.update(need)
        else:
            for m in mem:
                if kill[m] is None:
                    return False
            acc.update(_killers(g, kill))
    kill[v] = frozenset(acc)
    return True


def kill_sets(ix: Index) -> list[frozenset[int]]:
    """``KILL(v)`` for every element (see module docs)."""
    kill = _kill_sets_without_cycles(ix)
    return kill if kill is not None else _kill_sets_with_cycles(ix)


def _kill_sets_without_cycles(ix: Index) -> list[frozenset[int]] | None:
    """:func:`kill_sets` by one depth-first walk over the hard needs, each element's
    set as soon as those of everything it needs are there; None at the first
    needs-cycle (a need of an element the walk is still below).

    The walk starts from the last element up: specs list the touch-points before the
    supports they need, so what an element needs mostly has its set already and the
    walk seldom goes below it. No graph to build and no peeling, and reads that stay
    near each other in memory: 0.19 s instead of :func:`_kill_sets_with_cycles`' 0.27
    at 100k elements. A spec with a needs-cycle pays for the walk up to it in vain.
    """
    hard_groups, groups = ix.hard_groups, ix.groups
    kill: list[frozenset[int] | None] = [None] * ix.n
    # The walk went below it: while it has no set, it is on the walk's path.
    below = [False] * ix.n
    for root in range(ix.n - 1, -1, -1):
        if kill[root] is not None:
            continue
        stack = [root]
        while stack:
            v = stack[-1]
            # Done meanwhile (through another element's need), or now: everything it
            # needs is, as always when the walk comes back to it.
            if kill[v] is not None or _acyclic(v, hard_groups, groups, kill):
                stack.pop()
            else:
                below[v] = True
                for gi in hard_groups[v]:
                    for m in groups[gi].members:
                        if kill[m] is None:
                            if below[m]:
                                return None
                            stack.append(m)
    return kill  # type: ignore[return-value]


def _kill_sets_with_cycles(ix: Index) -> list[frozenset[int]]:
    """:func:`kill_sets` where needs may form cycles."""
    n = ix.n
    succ: list[list[int]] = [[] for _ in range(n)]
    for g in ix.groups:
        if g.hard:
            succ[g.owner].extend(g.members)
    # Each element after everything it needs. Kahn's peeling from the elements nothing
    # needs leaves only what a needs-cycle leads to (usually nothing); that rest is
    # closed under "needs", so its components (sinks first) go before the peeled
    # elements, taken in reverse peeling order.
    order, rest = peel(n, succ)
    kill: list[frozenset[int] | None] = [None] * n
    hard_groups = ix.hard_groups
    groups = ix.groups
    for comp in (sccs(n, succ, rest)[1] if rest else ()):
        if len(comp) == 1 and comp[0] not in succ[comp[0]]:
            _acyclic(comp[0], hard_groups, groups, kill)
            continue
        for v in comp:  # a mutual dependency: iterate up to the least fixpoint
            kill[v] = frozenset((v,))
        changed = True
        while changed:
            changed = False
            for v in comp:
                acc = set(kill[v])  # type: ignore[arg-type]
                for gi in hard_groups[v]:
                    acc.update(_killers(groups[gi], kill))
                if len(acc) != len(kill[v]):  # type: ignore[arg-type]
                    kill[v] = frozenset(acc)
                    changed = True
    for v in reversed(order):
        _acyclic(v, hard_groups, groups, kill)
    return kill  # type: ignore[return-value]


def flow_order(ix: Index) -> list[int]:
    """Touch-points reachable from the entries, in reverse postorder (each before the
    touch-points it leads to, loops aside): the order the reach-kill equations converge in."""
    return _flow_order(ix)[0]


def _flow_order(ix: Index) -> tuple[list[int], list[bool]]:
    """:func:`flow_order`, and which touch-points have a line back: to one no later in
    that order (the DFS's back lines, self-loops included; every other line goes on)."""
    order: list[int] = []
    seen: set[int] = set()
    n = ix.n
    open_ = [False] * n  # on the DFS stack
    back = [False] * n
    for root in sorted(ix.entries):
        if root in seen:
            continue
        seen.add(root)
        open_[root] = True
        stack = [(root, 0)]
        while stack:
            v, i = stack[-1]
            out = ix.fsucc[v]
            if i < len(out):
                stack[-1] = (v, i + 1)
                w = out[i][0]
                if w not in seen:
                    seen.add(w)
                    open_[w] = True
                    stack.append((w, 0))
                elif open_[w]:
                    back[v] = True
            else:
                stack.pop()
                open_[v] = False
                order.append(v)
    order.reverse()
    return order, back


def reach_kill_sets(ix: Index, kill: list[frozenset[int]], reach0: set[int]
                    ) -> dict[int, frozenset[int]]:
    """``R(v)`` for every touch-point reachable with nothing failed.

    One pass in flow order, then only what can still change. That pass reads a set not
    computed yet (taken as "everything", the identity) only over a line back (see
    :func:`_flow_order`): the targets of those lines are recomputed, and so on for
    the successors of every set that changes, in flow order, until none does. A
    second full pass would redo every touch-point to change a handful (4 of 20,000
    at 100k elements).
    """
    order, back = _flow_order(ix)
    is_entry = [False] * ix.n
    for e in ix.entries:
        is_entry[e] = True
    r: dict[int, frozenset[int]] = {}
    fpred, fsucc = ix.fpred, ix.fsucc

    def equation(v: int) -> frozenset[int]:
        if is_entry[v]:
            return kill[v]
        inter = None
        for u in fpred[v]:
            ru = r.get(u)
            if ru is None:  # not computed yet: "everything", the identity
                continue
            inter = ru if inter is None else inter & ru
            if not inter:
                break
        return kill[v] | inter if inter else kill[v]

    for v in order:
        r[v] = equation(v)
    stale = [False] * ix.n  # a predecessor's set changed since this one was computed
    again = False
    for v in order:
        if back[v]:
            again = True
            for w, _ in fsucc[v]:
                stale[w] = True
    while again:  # a sweep reaches what a change leads to, but for lines back
        again = False
        for v in order:
            if stale[v]:
                stale[v] = False
                new = equation(v)
                if new != r[v]:
                    r[v] = new
                    for w, _ in fsucc[v]:
                        stale[w] = True
                    again = again or back[v]
    return r


def fast_cascades(ix: Index) -> tuple[set[int], float, list[RawCascade]]:
    """(baseline reachable touch-points, baseline completion, every element's cascade)."""
    with gc_paused():
        return _fast_cascades(ix)


def _fast_cascades(ix: Index) -> tuple[set[int], float, list[RawCascade]]:
    n = ix.n
    reach0 = reachable(ix, ())
    solver = FlowSolver(ix)
    p0 = solver.solve(())
    comp0 = solver.completion(p0)
    kill = kill_sets(ix)

    down: list[list[int]] = [[] for _ in range(n)]
    for v in range(n):
        for e in kill[v]:
            if e != v:
                down[e].append(v)
    # The same for the reachable touch-points alone (in index order, as in down):
    # customers lost depend on nothing else, and most failures take none down (no set
    # to build, no loss to look up).
    down_tp: dict[int, list[int]] = {}
    for v in sorted(reach0):
        for e in kill[v]:
            if e != v:
                down_tp.setdefault(e, []).append(v)

    r = reach_kill_sets(ix, kill, reach0)
    goals = [g for g in ix.goals if g in reach0]
    if goals:
        gsets = sorted((r[g] for g in goals), key=len)
        collapse = gsets[0].intersection(*gsets[1:])
    else:
        collapse = frozenset()
    stranded: list[list[int]] = [[] for _ in range(n)]
    for v, rv in r.items():
        for e in rv - kill[v]:
            stranded[e].append(v)

    degraded: list[list[int]] = [[] for _ in range(n)]
    for g in ix.groups:
        if not g.hard:
            for e in _killers(g, kill) - kill[g.owner]:  # type: ignore[arg-type]
                degraded[e].append(g.owner)

    # Each element's down touch-points, and the distinct such sets: customers lost
    # depend on nothing else.
    lost = [0.0] * n
    failures: list[tuple[int, frozenset[int]]] = []
    losses: dict[frozenset[int], float] = {}
    for e in range(n):
        if e in collapse:
            lost[e] = clean(comp0)
            continue
        d_list = down_tp.get(e, ())
        if d_list or e in reach0:
            d = frozenset((*d_list, e) if e in reach0 else d_list)
            failures.append((e, d))
            losses[d] = 0.0
    if losses:
        segments = Segments.build(ix, reach0, comp0)
        # In the order the updates' arrays are laid out in (see Segments.loss): the
        # segments' numbering, or the element indices of the whole journey's.
        if segments is not None:
            place = segments.place.__getitem__
            todo = sorted(losses, key=lambda d: min(map(place, d)))
        else:
            todo = sorted(losses, key=min)
        local_ready = False
        for d in todo:
            delta = segments.loss(d) if segments is not None else None
            if delta is None:  # no gateways: the whole-journey update
                if not local_ready:
                    solver.prepare_local(p0)
                    local_ready = True
                delta = solver.local_loss(d)
            if delta is None:
                p, _ = solver.resolve(d, p0)
                delta = comp0 - solver.completion(p)
            losses[d] = clean(delta)
        for e, d in failures:
            lost[e] = losses[d]
    # The cascades in a pass of their own: made between the loss updates, which read the
    # segments' large arrays, they miss the cache more (0.03 s more at 100k elements).
    out = []
    for e in range(n):
        de, se, ge = down[e], stranded[e], degraded[e]
        out.append(RawCascade(frozenset((e,)), frozenset(de) if de else _EMPTY,
                              frozenset(se) if se else _EMPTY,
                              frozenset(ge) if ge else _EMPTY, lost[e], e in collapse))
    return reach0, comp0, out


__all__ = ["fast_cascades", "kill_sets", "reach_kill_sets"]
