"""Turn per-element cascades into the :class:`JourneyAnalysis` users read.

The engine (or the oracle) answers "what happens when x fails" for every x; this module
names those answers: SPOFs with cause, endpoint, collapse path and lines; the verdict;
complexity by stage and party; the lines that made the journey complex; handoffs and
control. Decisions (also in the README):

* **Cause.** *structural* when the SPOF is a touch-point whose removal from the flow
  layer alone leaves no path from the entries to a goal (it dominates every goal), and
  for the journey's endpoints; *dependency* otherwise (the collapse travels along
  ``needs`` lines).
* **Endpoint.** The sole entry touch-point or the sole goal touch-point.
* **Verdict.** ``complex`` iff some SPOF is not an endpoint.
* **Collapse path.** Ordered ids from the failed element along needs lines (from what is
  needed to what needs it) to one down touch-point customers used: preferably a
  structural SPOF, else the one nearest the entries; ties broken by id. The shortest such
  chain through down elements, ties by id.
* **Critical lines.** For every dependency SPOF, the hard needs lines on its collapse
  path: giving the needing element an alternative for that line (an ``any`` group) cuts
  that chain. Lines are listed once with every SPOF that travels along them.
* **Stages.** Supports without a stage count in the stage of every touch-point that
  needs them, directly or through other supports; a support no touch-point needs goes
  to the ``backstage`` bucket.
* **Spread.** ``Cascade.spread`` (down + stranded) over the other ``n - 1`` elements.
* **Control risk.** ``customers_at_risk`` is the largest ``customers_lost`` of any
  element at that control level; ``risk_share`` the level's part of the sum of all
  elements' ``customers_lost`` (how much of the journey's risk sits there).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from journeymap.analysis.cascade import RawCascade
from journeymap.analysis.index import Index, sccs
from journeymap.analysis.result import (
    COMPLEX,
    COMPLICATED,
    DEPENDENCY,
    STRUCTURAL,
    AreaRisk,
    Cascade,
    Complexity,
    ControlRisk,
    CriticalLine,
    Handoff,
    JourneyAnalysis,
    Line,
    Robustness,
    Spof,
)
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import LINE_KINDS, Control, Spec

BACKSTAGE = "backstage"


@dataclass
class Facts:
    """What the engine computed, in indices, for :func:`build_analysis`."""

    ix: Index
    cascades: list[RawCascade]  # one per element, index order
    baseline_reach: set[int]
    baseline_completion: float
    structural: set[int]  # touch-points that dominate every goal in the flow layer
    robustness: Robustness
    cycles: list[list[int]]  # mutual-dependency groups (SCCs of size > 1 in needs)


def flow_distance(ix: Index) -> list[int]:
    dist = [1 << 30] * ix.n
    queue = deque(sorted(ix.entries))
    for e in queue:
        dist[e] = 0
    while queue:
        v = queue.popleft()
        for t, _ in ix.fsucc[v]:
            if dist[t] > dist[v] + 1:
                dist[t] = dist[v] + 1
                queue.append(t)
    return dist


def collapse_paths(ix: Index, reach0: set[int], structural: set[int], dist: list[int],
                   weight: list[float]) -> Callable[[int, frozenset[int]], tuple[int, ...]]:
    """The readable chain from a failed element to the touch-point where customers stop,
    for every cascade of one journey: ``find(failed, down)``.

    The touch-point is a structural SPOF if one went down, else the one whose own
    failure loses most customers (``weight``), else the one nearest the entries
    (``dist``); ties by id. A failed touch-point customers use is its own chain; a
    failure that takes none down has none (nor one whose down touch-points customers
    never used). The choice of touch-point is made once: every touch-point customers
    used, in the order of preference (stable sorts on one key each, the last key
    first), and each cascade's is its down one that comes first, found by a minimum
    over small ints.
    """
    is_tp = ix.is_tp
    preferred = [v for v in ix.by_id() if is_tp[v] and v in reach0]
    preferred.sort(key=dist.__getitem__)
    preferred.sort(key=weight.__getitem__, reverse=True)  # reverse keeps ties in order
    preferred.sort(key=structural.__contains__, reverse=True)
    unused = len(preferred)  # the place of everything else
    place = [unused] * ix.n
    for r, v in enumerate(preferred):
        place[v] = r

    def find(failed: int, down: frozenset[int]) -> tuple[int, ...]:
        if is_tp[failed] and failed in reach0:
            return (failed,)
        r = min(map(place.__getitem__, down), default=unused)
        if r == unused:
            return ()
        return _needs_chain(ix, failed, preferred[r], down)

    return find


def _needs_chain(ix: Index, failed: int, target: int, down: frozenset[int]
                 ) -> tuple[int, ...]:
    """:func:`collapse_paths`' chain from ``failed`` to the down touch-point ``target``."""
    # The chain is the one a breadth-first search from failed through the down
    # elements, each list of dependents in id order, first reaches the target by: the
    # shortest chain, and among those the first in that order at every step. Found
    # from the target's side, which is small (what the target needs that went down)
    # where the failed element's side is everything that went down: distances back to
    # the target along needs lines, each element reached noting the first by id of the
    # elements one step nearer that need it (its next step on the chain), then the
    # chain read from failed.
    if target == failed:
        return (failed,)
    hard_groups, members = ix.hard_groups, ix.group_members
    for gi in hard_groups[target]:  # the usual case: the target needs failed itself
        if failed in members[gi]:
            return (failed, target)
    rank = ix.rank()
    near = {target: 0}
    nearer = {target: target}  # the next step towards the target
    frontier = [target]
    d = 0
    while frontier and failed not in near:
        d += 1
        nxt = []
        for y in frontier:  # every element one step nearer, so each x sees all of them
            for gi in hard_groups[y]:
                for x in members[gi]:
                    if x in down or x == failed:
                        dx = near.get(x)
                        if dx is None:
                            near[x] = d
                            nearer[x] = y
                            nxt.append(x)
                        elif dx == d and rank[y] < rank[nearer[x]]:
                            nearer[x] = y
        frontier = nxt
    if failed not in near:  # cannot happen: every down element traces back to failed
        return (failed, target)
    path = [failed]
    v = failed
    while v != target:
        v = nearer[v]
        path.append(v)
    return tuple(path)


def _line(spec: Spec, ix: Index, source: int, target: int) -> Line:
    """The hard needs line ``source needs target`` (the strongest entry naming it)."""
    e = spec.by_id[ix.ids[source]]
    tid = ix.ids[target]
    needs = [n for n in e.needs if tid in n.targets]
    needs.sort(key=lambda n: (not n.hard, len(n.targets) - n.required, len(n.targets)))
    n = needs[0]
    return Line(e.id, tid, n.kind, n.form, n.required, len(n.targets), n.location)


def _stage_tuples(spec: Spec, ix: Index) -> list[tuple[str, ...]]:
    """Stage ids each element counts in, as tuples shared by every element with the
    same ones (order within a tuple: none promised).

    An unstaged support counts in the stages of every staged touch-point that needs it,
    directly or through other elements. Linear: one pass over the "needed by" lines,
    elements nobody needs first, each passing the stages above it down as a bit set
    (walking up from every support separately grows as n^2 on long chains).
    """
    n = ix.n
    is_tp = ix.is_tp
    own_stage = [e.stage for e in spec.elements]
    single: dict[str, tuple[str, ...]] = {}
    out: list[tuple[str, ...]] = [()] * n
    unstaged = False
    for v, sid in enumerate(own_stage):
        if sid:
            t = single.get(sid)
            out[v] = t if t is not None else single.setdefault(sid, (sid,))
        elif not is_tp[v]:
            unstaged = True
    if not unstaged:
        return out
    bit: dict[str, int] = {}
    own = [0] * n
    for v, sid in enumerate(own_stage):
        if sid and is_tp[v]:
            own[v] = 1 << bit.setdefault(sid, len(bit))
    # Sinks first: an element once every element that needs it is done (Kahn's order on
    # the "needed by" lines); what is left sits on or under a dependency cycle and goes
    # through the strongly connected components (usually few elements, often none).
    # The lines are the hard groups' memberships as the index holds them, one per group
    # and member (an element needing another twice counts twice, in both directions):
    # the bits that reach an element are the same, without a deduplicated copy.
    above = own  # own stage and the stages of everything that needs it, as bits
    hard_groups, members, owner = ix.hard_groups, ix.group_members, ix.group_owner
    pending = list(map(len, ix.hard_member_of))
    ready = [v for v in range(n) if not pending[v]]
    for w in ready:  # first in, first out: those nobody needs in index order, as stored
        mask = above[w]
        for gi in hard_groups[w]:
            for u in members[gi]:
                above[u] |= mask
                pending[u] -= 1
                if not pending[u]:
                    ready.append(u)
    if len(ready) < n:
        rest = [v for v in range(n) if pending[v]]
        empty: list[int] = []
        succ = [empty] * n
        member_of = ix.hard_member_of
        for u in rest:  # the "needed by" lines among the rest
            succ[u] = [owner[gi] for gi in member_of[u] if pending[owner[gi]]]
        comp, comps = sccs(n, succ, rest)
        shared = [0] * len(comps)
        for c, group in enumerate(comps):  # sinks first among the rest
            acc = 0
            for u in group:
                acc |= above[u]  # own bits and those of finished elements that need it
                for w in succ[u]:
                    if comp[w] != c:
                        acc |= shared[comp[w]]
            shared[c] = acc
        for v in rest:
            above[v] = shared[comp[v]]
    names = list(bit)
    as_tuple: dict[int, tuple[str, ...]] = {}
    for v, sid in enumerate(own_stage):
        if sid or is_tp[v]:
            continue
        mask = above[v]
        t = as_tuple.get(mask)
        if t is None:
            found = []
            bits = mask
            while bits:  # one step per stage in the mask
                low = bits & -bits
                found.append(names[low.bit_length() - 1])
                bits ^= low
            t = as_tuple[mask] = tuple(found) or (BACKSTAGE,)
        out[v] = t
    return out


def element_stages(spec: Spec) -> dict[str, frozenset[str]]:
    """Stage ids each element counts in: its own stage, else (a support without one) the
    stages of the touch-points that need it, directly or through other supports, else
    ``BACKSTAGE``. The one placement rule for every by-stage view (README: complexity)."""
    ix = Index(spec)
    areas = _stage_tuples(spec, ix)
    return {ix.ids[v]: frozenset(areas[v]) for v in range(ix.n)}


def _area(id_: str, name: str, members: list[int], ix: Index, lost: list[float],
          spread: list[int], collapses: list[bool], denom: int) -> AreaRisk:
    """Risk gathered in one stage or party (``lost``, ``spread``, ``collapses``: every
    element's cascade's, in index order)."""
    ids = ix.ids
    return AreaRisk(
        id_, name, len(members),
        tuple(sorted(ids[v] for v in members if collapses[v])),
        max(map(lost.__getitem__, members), default=0.0),
        round(sum(map(spread.__getitem__, members)) / (len(members) * denom), 12)
        if members else 0.0,
    )


def controls(spec: Spec) -> dict[str, Control]:
    """Control level of every element, looked up once."""
    els = spec.elements
    return dict(zip([e.id for e in els], _controls_by_index(spec, [e.owner for e in els])))


def _controls_by_index(spec: Spec, owners: list[str | None]) -> list[Control]:
    """Control level of every element (``owners``: each one's owner), index order."""
    level = {p.id: p.control for p in spec.parties}
    unknown = Control.UNKNOWN
    return [level.get(o, unknown) if o else unknown for o in owners]


_LAYERS = ("flow", "needs")


def handoffs(spec: Spec, ix: Index | None = None, owners: list[str | None] | None = None,
             ctrl: list[Control] | None = None) -> tuple[Handoff, ...]:
    """Flow and needs lines whose two ends have different owners (or one has none),
    sorted by (layer, source, target, kind). ``ix``, ``owners`` (each element's owner)
    and ``ctrl`` (each one's control level), when the caller has them, save making them.
    """
    ix = ix or Index(spec)
    els = spec.elements
    owners = [e.owner for e in els] if owners is None else owners
    ctrl = _controls_by_index(spec, owners) if ctrl is None else ctrl
    # One hand-off per (layer, source, target, kind): the first place it is written.
    # Its parties and control follow from the key, so only the place is compared, and
    # a Handoff is made once per key (there are as many lines as elements, or more).
    # The key is one int ordered as the strings are: ids by their rank, kinds by theirs.
    kinds = sorted({"flow", *LINE_KINDS})
    try:
        keys, places = _cross_lines(spec, ix, owners, kinds)
    except KeyError:  # a kind outside LINE_KINDS: rank every kind written
        kinds = sorted({"flow", *LINE_KINDS, *(need.kind for need in ix.group_need)})
        keys, places = _cross_lines(spec, ix, owners, kinds)
    nb, kb = _widths(ix.n, len(kinds))
    mask, kmask = (1 << nb) - 1, (1 << kb) - 1
    at_s = nb + kb
    # What a hand-off says about each end, by the end's rank.
    by_id = ix.by_id()
    info = list(zip(ix.sorted_ids(), map(owners.__getitem__, by_id),
                    map(ctrl.__getitem__, by_id)))
    out: list[Handoff] = []
    last = -1  # the previous key
    head = -1  # layer and source of the previous key: a source's lines come together
    # The lines in order of their keys; one written twice comes twice in a row, in the
    # order written (the sort is stable).
    for i in sorted(range(len(keys)), key=keys.__getitem__):
        key, loc = keys[i], places[i]
        if key == last:  # the same hand-off again: keep the first place it is written
            old = out[-1].location
            if (loc.line, loc.column) < (old.line, old.column):
                out[-1] = dataclasses.replace(out[-1], location=loc)
            continue
        last = key
        if key >> at_s != head:
            head = key >> at_s
            layer = _LAYERS[head >> nb]
            src, src_owner, _ = info[head & mask]
        tgt, tgt_owner, tgt_control = info[key >> kb & mask]
        out.append(Handoff(src, tgt, layer, kinds[key & kmask], src_owner, tgt_owner,
                           tgt_control, loc))
    return tuple(out)


def _widths(n: int, kinds: int) -> tuple[int, int]:
    """Bits of a hand-off key's rank fields and of its kind field."""
    return max(1, n.bit_length()), max(1, (kinds - 1).bit_length())


def _cross_lines(spec: Spec, ix: Index, owners: list[str | None], kinds: list[str]
                 ) -> tuple[list[int], list[Location]]:
    """Every cross-party line's key and the place it is written (two parallel lists, in
    the order written). The key is ``layer | source rank | target rank | kind rank`` as
    bit fields (see :func:`_widths`), so keys sort as (layer, source, target, kind) do.
    Raises ``KeyError`` for a needs kind not in ``kinds``."""
    nb, kb = _widths(ix.n, len(kinds))
    at_s = nb + kb
    rank = ix.rank()
    krank = {kind: r for r, kind in enumerate(kinds)}
    party: dict[str | None, int] = {}
    own = [party.setdefault(o, len(party)) for o in owners]  # owners compared as ints
    keys: list[int] = []
    places: list[Location] = []
    key_of, place_of = keys.append, places.append
    flows = spec.flows
    flow_kind = krank["flow"]  # layer 0
    for f, (s, t) in enumerate(zip(ix.flow_src, ix.flow_tgt)):
        if own[s] != own[t]:
            key_of(rank[s] << at_s | rank[t] << kb | flow_kind)
            place_of(flows[f].location)
    needs_layer = 1 << (2 * nb + kb)
    for o, members, need in zip(ix.group_owner, ix.group_members, ix.group_need):
        a = own[o]
        base = needs_layer | rank[o] << at_s
        kind = -1
        for m in members:
            if own[m] != a:
                if kind < 0:
                    kind = krank[need.kind]
                    loc = need.location
                key_of(base | rank[m] << kb | kind)
                place_of(loc)
    return keys, places


def build_analysis(spec: Spec, facts: Facts) -> JourneyAnalysis:
    ix = facts.ix
    n = ix.n
    ids = ix.ids
    denom = max(1, n - 1)
    reach0 = facts.baseline_reach
    structural = facts.structural
    dist = flow_distance(ix)

    # Every element's cascade by name, and its numbers in flat lists (read by the areas
    # and control levels below instead of the Cascade objects).
    by_index: list[Cascade] = []
    raws = facts.cascades
    weight = [raw.customers_lost for raw in raws]
    collapses = [raw.collapses for raw in raws]
    spread = [len(raw.down) + len(raw.stranded) for raw in raws]  # Cascade.spread
    names, is_tp = ix.names, ix.is_tp
    # Single points of failure strand the same touch-points as one another, often:
    # equal sets share one tuple of names.
    stranded_names: dict[frozenset[int], tuple[str, ...]] = {}
    find_path = collapse_paths(ix, reach0, structural, dist, weight)
    for v, raw in enumerate(raws):
        failed = (ids[v],)
        down = raw.down
        path: tuple[str, ...]
        if is_tp[v] and v in reach0:  # find_path's answers without the call
            path = failed
        elif not down:
            path = ()
        else:
            path = tuple(map(ids.__getitem__, find_path(v, down)))
        stranded = raw.stranded
        if len(stranded) > 1:
            sn = stranded_names.get(stranded)
            if sn is None:
                sn = stranded_names[stranded] = names(stranded)
        else:
            sn = names(stranded) if stranded else ()
        degraded = raw.degraded
        by_index.append(Cascade(failed, names(down) if down else (), sn,
                                names(degraded) if degraded else (),
                                raw.customers_lost, raw.collapses, path))

    sole_entry = ix.entries[0] if len(ix.entries) == 1 else -1
    sole_goal = ix.goals[0] if len(ix.goals) == 1 else -1
    spofs: list[Spof] = []
    for v in range(n):
        if not collapses[v]:
            continue
        c = by_index[v]
        e = spec.elements[v]
        endpoint = v in (sole_entry, sole_goal)
        cause = STRUCTURAL if (endpoint or v in structural) else DEPENDENCY
        pidx = [ix.pos[i] for i in c.path]
        lines = tuple(_line(spec, ix, pidx[k + 1], pidx[k]) for k in range(len(pidx) - 1))
        spofs.append(Spof(id=e.id, type=e.type, control=spec.control_of(e.id),
                          cause=cause, endpoint=endpoint, path=c.path,
                          customers_lost=c.customers_lost, location=e.location,
                          lines=lines if cause == DEPENDENCY else ()))
    spofs.sort(key=lambda s: s.id)
    non_endpoint = sum(1 for s in spofs if not s.endpoint)
    verdict = COMPLEX if non_endpoint else COMPLICATED

    # Which lines made it complex.
    crit: dict[tuple[str, str], tuple[Line, list[str]]] = {}
    for s in spofs:
        if s.cause != DEPENDENCY:
            continue
        for ln in s.lines:
            crit.setdefault((ln.source, ln.target), (ln, []))[1].append(s.id)
    critical = []
    for key in sorted(crit):
        ln, who = crit[key]
        src, tgt = spec.by_id[ln.source], spec.by_id[ln.target]
        others = ", ".join(sorted(who))
        fix = (f"give {src.id} a fallback for {tgt.id} (an 'any:' alternative, or make "
               f"the need soft) so that a failure of {others} no longer stops every customer")
        critical.append(CriticalLine(ln, tuple(sorted(who)), fix))

    stage_of = _stage_tuples(spec, ix)
    stage_members: dict[str, list[int]] = {}
    for v, sids in enumerate(stage_of):
        for sid in sids:
            members = stage_members.get(sid)
            if members is None:
                stage_members[sid] = [v]
            else:
                members.append(v)
    by_stage = []
    order = [s.id for s in spec.stages] + ([BACKSTAGE] if BACKSTAGE in stage_members else [])
    for sid in order:
        if sid not in stage_members and sid != BACKSTAGE:
            stage_members[sid] = []
        if sid in stage_members:
            stage = spec.stages_by_id.get(sid)
            name = stage.name if stage is not None else "Backstage (no stage)"
            by_stage.append(_area(sid, name, stage_members[sid], ix, weight, spread,
                                  collapses, denom))
    owners = [e.owner for e in spec.elements]
    party_members: dict[str, list[int]] = {}
    for v, o in enumerate(owners):
        party_members.setdefault(o or "", []).append(v)
    by_party = []
    for pid in sorted(party_members):
        name = spec.parties_by_id[pid].name if pid in spec.parties_by_id else "No owner"
        by_party.append(_area(pid, name, party_members[pid], ix, weight, spread, collapses,
                              denom))

    spreads = [s / denom for s in spread]
    complexity = Complexity(
        verdict=verdict,
        spof_share=round(len(spofs) / n, 12) if n else 0.0,
        non_endpoint_spofs=non_endpoint,
        mean_spread=round(sum(spreads) / n, 12) if n else 0.0,
        max_spread=round(max(spreads, default=0.0), 12),
        by_stage=tuple(by_stage), by_party=tuple(by_party),
        critical_lines=tuple(critical),
    )

    total_risk = sum(weight)
    control_risk = []
    ctrl = _controls_by_index(spec, owners)
    by_level: dict[Control, list[int]] = {}
    for v, level in enumerate(ctrl):
        by_level.setdefault(level, []).append(v)
    for level in Control:  # declaration order: internal, partner, external, unknown
        members = by_level.get(level, [])
        if not members and level == Control.UNKNOWN:
            continue
        risk = sum(map(weight.__getitem__, members))
        control_risk.append(ControlRisk(
            control=level, elements=len(members),
            spofs=sum(1 for v in members if collapses[v]),
            customers_at_risk=max(map(weight.__getitem__, members), default=0.0),
            risk_share=round(risk / total_risk, 12) if total_risk > 0 else 0.0))

    cycles = tuple(sorted(tuple(sorted(ids[v] for v in c)) for c in facts.cycles))
    by_id = ix.by_id()
    return JourneyAnalysis(
        spec=spec, verdict=verdict,
        baseline_completion=round(facts.baseline_completion, 12),
        spofs=tuple(spofs),
        cascades=dict(zip(ix.sorted_ids(), map(by_index.__getitem__, by_id))),  # by id
        complexity=complexity, robustness=facts.robustness,
        handoffs=handoffs(spec, ix, owners, ctrl), control_risk=tuple(control_risk),
        dependency_cycles=cycles,
    )


__all__ = ["BACKSTAGE", "Facts", "build_analysis", "collapse_paths", "controls",
           "element_stages", "flow_distance", "handoffs"]
