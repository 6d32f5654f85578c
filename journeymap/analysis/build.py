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

from collections import deque
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
from journeymap.spec.model import Control, Spec

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


def dependents(ix: Index) -> list[list[int]]:
    """For each element, the elements with a hard need on it, sorted by id."""
    # Owners taken in order of their ids: every list comes out sorted, without
    # sorting each one by its strings.
    out: list[list[int]] = [[] for _ in range(ix.n)]
    groups, hard_groups = ix.groups, ix.hard_groups
    for v in ix.by_id():
        for gi in hard_groups[v]:
            for m in groups[gi].members:
                row = out[m]
                if not row or row[-1] != v:
                    row.append(v)
    return out


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


def collapse_path(ix: Index, failed: int, down: frozenset[int], reach0: set[int],
                  structural: set[int], dist: list[int], dependents: list[list[int]],
                  weight: list[float] | None = None) -> tuple[int, ...]:
    """The readable chain from ``failed`` to the touch-point where customers stop.

    The touch-point is a structural SPOF if one went down, else the one whose own
    failure loses most customers (``weight``), else the one nearest the entries; ties
    by id.
    """
    if ix.is_tp[failed] and failed in reach0:
        return (failed,)
    targets = [v for v in down if ix.is_tp[v] and v in reach0]
    if not targets:
        return ()
    w = weight or [0.0] * ix.n
    target = min(targets, key=lambda v: (v not in structural, -w[v], dist[v], ix.ids[v]))
    allowed = down | {failed}
    parent = {failed: -1}
    queue = deque([failed])
    while queue:
        v = queue.popleft()
        if v == target:
            break
        for u in dependents[v]:
            if u in allowed and u not in parent:
                parent[u] = v
                queue.append(u)
    if target not in parent:  # cannot happen: every down element traces back to failed
        return (failed, target)
    path = []
    v = target
    while v != -1:
        path.append(v)
        v = parent[v]
    return tuple(reversed(path))


def _line(spec: Spec, ix: Index, source: int, target: int) -> Line:
    """The hard needs line ``source needs target`` (the strongest entry naming it)."""
    e = spec.by_id[ix.ids[source]]
    tid = ix.ids[target]
    needs = [n for n in e.needs if tid in n.targets]
    needs.sort(key=lambda n: (not n.hard, len(n.targets) - n.required, len(n.targets)))
    n = needs[0]
    return Line(e.id, tid, n.kind, n.form, n.required, len(n.targets), n.location)


def _stage_areas(spec: Spec, ix: Index, dependents: list[list[int]]) -> list[set[str]]:
    """Stage ids each element counts in (see module docs).

    An unstaged support counts in the stages of every staged touch-point that needs it,
    directly or through other elements. Linear: one pass over the "needed by" lines,
    elements nobody needs first, each passing the stages above it down as a bit set
    (walking up from every support separately grows as n^2 on long chains).
    """
    stages: list[set[str]] = [set() for _ in range(ix.n)]
    for v, e in enumerate(spec.elements):
        if e.stage:
            stages[v].add(e.stage)
    if all(stages[v] or ix.is_tp[v] for v in range(ix.n)):
        return stages
    bit: dict[str, int] = {}
    own = [0] * ix.n
    for v, e in enumerate(spec.elements):
        if ix.is_tp[v] and e.stage:
            own[v] = 1 << bit.setdefault(e.stage, len(bit))
    # Sinks first: an element once every element that needs it is done (Kahn's order on
    # the "needed by" lines); what is left sits on or under a dependency cycle and goes
    # through the strongly connected components (usually few elements, often none).
    n = ix.n
    above = own[:]  # own stage and the stages of everything that needs it, as bits
    pending = [len(d) for d in dependents]
    needs_of: list[list[int]] = [[] for _ in range(n)]
    for u in range(n):
        for w in dependents[u]:
            needs_of[w].append(u)
    ready = [v for v in range(n) if not pending[v]]
    done = 0
    while ready:
        w = ready.pop()
        done += 1
        mask = above[w]
        for u in needs_of[w]:
            above[u] |= mask
            pending[u] -= 1
            if not pending[u]:
                ready.append(u)
    if done < n:
        rest = [v for v in range(n) if pending[v]]
        empty: list[int] = []
        succ = [empty] * n
        for u in rest:
            succ[u] = [w for w in dependents[u] if pending[w]]
        comp, comps = sccs(n, succ, rest)
        shared = [0] * len(comps)
        for c, members in enumerate(comps):  # sinks first among the rest
            acc = 0
            for u in members:
                acc |= above[u]  # own bits and those of finished elements that need it
                for w in succ[u]:
                    if comp[w] != c:
                        acc |= shared[comp[w]]
            shared[c] = acc
        for v in rest:
            above[v] = shared[comp[v]]
    names = list(bit)
    as_set: dict[int, set[str]] = {}
    for v in range(ix.n):
        if stages[v] or ix.is_tp[v]:
            continue
        mask = above[v]
        if mask not in as_set:
            as_set[mask] = {names[k] for k in range(len(names)) if mask >> k & 1} or {BACKSTAGE}
        stages[v] = set(as_set[mask])
    return stages


def element_stages(spec: Spec) -> dict[str, frozenset[str]]:
    """Stage ids each element counts in: its own stage, else (a support without one) the
    stages of the touch-points that need it, directly or through other supports, else
    ``BACKSTAGE``. The one placement rule for every by-stage view (README: complexity)."""
    ix = Index(spec)
    areas = _stage_areas(spec, ix, dependents(ix))
    return {ix.ids[v]: frozenset(areas[v]) for v in range(ix.n)}


def _area(id_: str, name: str, members: list[int], ix: Index, cascades: list[Cascade],
          spof_ids: set[str], denom: int) -> AreaRisk:
    cs = [cascades[v] for v in members]
    return AreaRisk(
        id=id_, name=name, elements=len(members),
        spofs=tuple(sorted(ix.ids[v] for v in members if ix.ids[v] in spof_ids)),
        customers_at_risk=max((c.customers_lost for c in cs), default=0.0),
        mean_spread=round(sum(c.spread for c in cs) / (len(cs) * denom), 12) if cs else 0.0,
    )


def controls(spec: Spec) -> dict[str, Control]:
    """Control level of every element, looked up once."""
    level = {p.id: p.control for p in spec.parties}
    return {e.id: level.get(e.owner, Control.UNKNOWN) if e.owner else Control.UNKNOWN
            for e in spec.elements}


def handoffs(spec: Spec) -> tuple[Handoff, ...]:
    """Flow and needs lines whose two ends have different owners (or one has none)."""
    owner = {e.id: e.owner for e in spec.elements}
    # One hand-off per (layer, source, target, kind): the first place it is written.
    # Its parties and control follow from the key, so only the place is compared, and
    # a Handoff is made once per key (there are as many lines as elements, or more).
    first: dict[tuple[str, str, str, str], Location] = {}
    for f in spec.flows:
        if owner[f.source] != owner[f.target]:
            key = ("flow", f.source, f.target, "flow")
            old = first.get(key)
            loc = f.location
            if old is None or (loc.line, loc.column) < (old.line, old.column):
                first[key] = loc
    for e in spec.elements:
        a = e.owner
        for n in e.needs:
            for t in n.targets:
                if a != owner[t]:
                    key = ("needs", e.id, t, n.kind)
                    old = first.get(key)
                    loc = n.location
                    if old is None or (loc.line, loc.column) < (old.line, old.column):
                        first[key] = loc
    ctrl = controls(spec)
    return tuple(Handoff(src, tgt, layer, kind, owner[src], owner[tgt], ctrl[tgt], first[k])
                 for k in sorted(first) for layer, src, tgt, kind in (k,))


def build_analysis(spec: Spec, facts: Facts) -> JourneyAnalysis:
    ix = facts.ix
    n = ix.n
    denom = max(1, n - 1)
    reach0 = facts.baseline_reach
    deps = dependents(ix)
    dist = flow_distance(ix)

    by_index: list[Cascade] = []
    weight = [raw.customers_lost for raw in facts.cascades]
    for v, raw in enumerate(facts.cascades):
        path = collapse_path(ix, v, raw.down, reach0, facts.structural, dist, deps,
                             weight)
        c = Cascade(failed=(ix.ids[v],), down=ix.names(raw.down),
                    stranded=ix.names(raw.stranded), degraded=ix.names(raw.degraded),
                    customers_lost=raw.customers_lost, collapses=raw.collapses,
                    path=tuple(ix.ids[u] for u in path))
        by_index.append(c)

    sole_entry = ix.entries[0] if len(ix.entries) == 1 else -1
    sole_goal = ix.goals[0] if len(ix.goals) == 1 else -1
    spofs: list[Spof] = []
    path_lines: dict[str, tuple[Line, ...]] = {}
    for v in range(n):
        c = by_index[v]
        if not c.collapses:
            continue
        e = spec.elements[v]
        endpoint = v in (sole_entry, sole_goal)
        cause = STRUCTURAL if (endpoint or v in facts.structural) else DEPENDENCY
        pidx = [ix.pos[i] for i in c.path]
        lines = tuple(_line(spec, ix, pidx[k + 1], pidx[k]) for k in range(len(pidx) - 1))
        path_lines[e.id] = lines
        spofs.append(Spof(id=e.id, type=e.type, control=spec.control_of(e.id),
                          cause=cause, endpoint=endpoint, path=c.path,
                          customers_lost=c.customers_lost, location=e.location,
                          lines=lines if cause == DEPENDENCY else ()))
    spofs.sort(key=lambda s: s.id)
    spof_ids = {s.id for s in spofs}
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

    stage_of = _stage_areas(spec, ix, deps)
    stage_members: dict[str, list[int]] = {}
    for v in range(n):
        for sid in stage_of[v]:
            stage_members.setdefault(sid, []).append(v)
    by_stage = []
    order = [s.id for s in spec.stages] + ([BACKSTAGE] if BACKSTAGE in stage_members else [])
    for sid in order:
        if sid not in stage_members and sid != BACKSTAGE:
            stage_members[sid] = []
        if sid in stage_members:
            stage = spec.stages_by_id.get(sid)
            name = stage.name if stage is not None else "Backstage (no stage)"
            by_stage.append(_area(sid, name, stage_members[sid], ix, by_index, spof_ids, denom))
    party_members: dict[str, list[int]] = {}
    for v, e in enumerate(spec.elements):
        party_members.setdefault(e.owner or "", []).append(v)
    by_party = []
    for pid in sorted(party_members):
        name = spec.parties_by_id[pid].name if pid in spec.parties_by_id else "No owner"
        by_party.append(_area(pid, name, party_members[pid], ix, by_index, spof_ids, denom))

    spreads = [c.spread / denom for c in by_index]
    complexity = Complexity(
        verdict=verdict,
        spof_share=round(len(spofs) / n, 12) if n else 0.0,
        non_endpoint_spofs=non_endpoint,
        mean_spread=round(sum(spreads) / n, 12) if n else 0.0,
        max_spread=round(max(spreads, default=0.0), 12),
        by_stage=tuple(by_stage), by_party=tuple(by_party),
        critical_lines=tuple(critical),
    )

    total_risk = sum(c.customers_lost for c in by_index)
    control_risk = []
    ctrl = controls(spec)
    by_level: dict[Control, list[int]] = {}
    for v in range(n):
        by_level.setdefault(ctrl[ix.ids[v]], []).append(v)
    for level in Control:  # declaration order: internal, partner, external, unknown
        members = by_level.get(level, [])
        if not members and level == Control.UNKNOWN:
            continue
        risk = sum(by_index[v].customers_lost for v in members)
        control_risk.append(ControlRisk(
            control=level, elements=len(members),
            spofs=sum(1 for v in members if ix.ids[v] in spof_ids),
            customers_at_risk=max((by_index[v].customers_lost for v in members), default=0.0),
            risk_share=round(risk / total_risk, 12) if total_risk > 0 else 0.0))

    cycles = tuple(sorted(tuple(sorted(ix.ids[v] for v in c)) for c in facts.cycles))
    return JourneyAnalysis(
        spec=spec, verdict=verdict,
        baseline_completion=round(facts.baseline_completion, 12),
        spofs=tuple(spofs), cascades={ix.ids[v]: by_index[v] for v in ix.by_id()},  # by id
        complexity=complexity, robustness=facts.robustness,
        handoffs=handoffs(spec), control_risk=tuple(control_risk),
        dependency_cycles=cycles,
    )


__all__ = ["BACKSTAGE", "Facts", "build_analysis", "collapse_path", "controls", "dependents",
           "element_stages", "flow_distance", "handoffs"]
