"""What a journey diagram shows: which elements, in which stage column, in which state.

The DOT and Mermaid writers both draw a :class:`View`; building one is where the
``--focus``, ``--stage`` and ``--highlight`` options are decided, once, for every format.
Pure functions over the spec and the analysis result: no I/O, no Graphviz.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from journeymap.analysis.result import Cascade, JourneyAnalysis, Spof
from journeymap.spec.diagnostics import did_you_mean
from journeymap.spec.model import Need, Spec
from journeymap.words import count

# States of an element under a highlighted failure.
FAILED = "failed"
DOWN = "down"
STRANDED = "stranded"
DEGRADED = "degraded"
UNAFFECTED = "unaffected"

UNSTAGED = ""  # column id of elements with no stage (and of every element when there are no stages)


class RenderError(ValueError):
    """A diagram option names something the spec does not have (the CLI exits 2)."""


@dataclass(frozen=True)
class Column:
    """One stage swimlane, left to right in stage order."""

    id: str
    name: str
    index: int  # 1-based position among the stages; 0 for the "no stage" column
    touchpoints: tuple[str, ...]
    supports: tuple[str, ...]


@dataclass(frozen=True)
class Gate:
    """A redundancy group (``any`` / ``at_least``) drawn as a small junction node."""

    id: str  # node id in the diagram, unique
    source: str
    need: Need
    column: str

    @property
    def label(self) -> str:
        if self.need.form == "any":
            return "any"
        return f"{self.need.required} of {len(self.need.targets)}"


@dataclass(frozen=True)
class View:
    """Everything a writer needs to draw one diagram."""

    spec: Spec
    columns: tuple[Column, ...]
    column_of: Mapping[str, str]  # element id -> column id
    shown: frozenset[str]  # drawn in full
    context: frozenset[str]  # neighbours of a partial view, drawn faded so lines lead somewhere
    gates: tuple[Gate, ...]
    spofs: Mapping[str, Spof]
    verdict: str | None
    cascade: Cascade | None = None
    state: Mapping[str, str] = field(default_factory=dict)
    path_steps: tuple[tuple[str, str], ...] = ()  # ordered (from, to) pairs of the collapse path
    scope: str = ""  # e.g. "stage Verify" / "within 2 lines of crm"; "" for the whole journey

    @property
    def visible(self) -> frozenset[str]:
        return self.shown | self.context

    def draws(self, a: str, b: str) -> bool:
        """Whether a line between ``a`` and ``b`` is drawn: both visible, one shown."""
        vis = self.visible
        return a in vis and b in vis and (a in self.shown or b in self.shown)


def element_columns(spec: Spec) -> dict[str, str]:
    """The stage column each element is drawn in.

    A touch-point, or a support that names a stage, stands in that stage. A support with
    no stage stands under the earliest stage of the elements that need it (directly or
    through other supports), so it sits below the touch-points it serves; otherwise, and
    when the spec has no stages, in the "no stage" column.
    """
    needed_by: dict[str, list[str]] = {e.id: [] for e in spec.elements}
    for e in spec.elements:
        for need in e.needs:
            for t in need.targets:
                needed_by[t].append(e.id)
    index = {s.id: s.index for s in spec.stages}
    column: dict[str, str] = {}
    for e in spec.elements:
        if e.stage:
            column[e.id] = e.stage
            continue
        # Breadth-first up the "needed by" lines; the earliest stage met wins.
        best: str | None = None
        seen = {e.id}
        queue = deque(needed_by[e.id])
        while queue:
            user = queue.popleft()
            if user in seen:
                continue
            seen.add(user)
            stage = spec.by_id[user].stage
            if stage:
                if best is None or index[stage] < index[best]:
                    best = stage
            else:
                queue.extend(needed_by[user])
        column[e.id] = best or UNSTAGED
    return column


def neighbours(spec: Spec) -> dict[str, set[str]]:
    """Elements one line away (flow or needs, either direction; group members count)."""
    adj: dict[str, set[str]] = {e.id: set() for e in spec.elements}
    for f in spec.flows:
        adj[f.source].add(f.target)
        adj[f.target].add(f.source)
    for e in spec.elements:
        for need in e.needs:
            for t in need.targets:
                adj[e.id].add(t)
                adj[t].add(e.id)
    return adj


def within(adj: Mapping[str, set[str]], start: str, depth: int) -> set[str]:
    """Ids at most ``depth`` lines from ``start`` (``start`` included)."""
    found = {start}
    frontier = [start]
    for _ in range(depth):
        frontier = sorted({n for x in frontier for n in adj[x]} - found)
        found.update(frontier)
    return found


def _check_id(spec: Spec, element_id: str, option: str) -> None:
    if element_id not in spec.by_id:
        raise RenderError(f"{option} {element_id!r}: no element with this id in "
                          f"{spec.source}{did_you_mean(element_id, spec.by_id)}")


def resolve_cascade(spec: Spec, analysis: JourneyAnalysis | None,
                    highlight: str | Cascade) -> Cascade:
    """The cascade ``--highlight`` asks for: an element id's (from the analysis, or
    simulated), or a given :class:`Cascade`. Raises :class:`RenderError` for unknown ids."""
    if isinstance(highlight, Cascade):
        for i in highlight.failed:
            _check_id(spec, i, "--highlight")
        return highlight
    _check_id(spec, highlight, "--highlight")
    if analysis is not None and highlight in analysis.cascades:
        return analysis.cascades[highlight]
    from journeymap.analysis import simulate  # only needed without a full analysis

    return simulate(spec, [highlight])


def build_view(spec: Spec, analysis: JourneyAnalysis | None = None, *,
               highlight: str | Cascade | None = None, focus: str | None = None,
               depth: int = 2, stage: str | None = None) -> View:
    """Decide what to draw.

    ``focus`` keeps the elements within ``depth`` lines of that element; ``stage`` keeps
    one stage's column; both together keep their intersection. Neighbours of what is kept
    are drawn faded (``context``) so cut lines still show where they lead. ``highlight``
    (an element id, or a :class:`Cascade` of several failures) marks what fails, what goes
    down, what is stranded, and the collapse path.

    Raises :class:`RenderError` for an unknown id (with a did-you-mean hint) or a
    negative depth.
    """
    column_of = element_columns(spec)
    all_ids = [e.id for e in spec.elements]
    shown = set(all_ids)
    scope: list[str] = []
    if depth < 0:
        raise RenderError(f"--depth must be 0 or more, not {depth}")
    adj = neighbours(spec)
    if stage is not None:
        if stage not in spec.stages_by_id:
            raise RenderError(f"--stage {stage!r}: no stage with this id in {spec.source}"
                              f"{did_you_mean(stage, spec.stages_by_id)}")
        shown &= {i for i in all_ids if column_of[i] == stage}
        scope.append(f"stage {spec.stages_by_id[stage].name}")
    if focus is not None:
        _check_id(spec, focus, "--focus")
        shown &= within(adj, focus, depth)
        shown.add(focus)
        scope.append(f"within {count(depth, 'line')} of {focus}")
    context: set[str] = set()
    if shown != set(all_ids):
        context = {n for i in shown for n in adj[i]} - shown

    cascade = None
    state: dict[str, str] = {}
    steps: tuple[tuple[str, str], ...] = ()
    if highlight is not None:
        cascade = resolve_cascade(spec, analysis, highlight)
        state = {i: UNAFFECTED for i in all_ids}
        state.update({i: DEGRADED for i in cascade.degraded})
        state.update({i: STRANDED for i in cascade.stranded})
        state.update({i: DOWN for i in cascade.down})
        state.update({i: FAILED for i in cascade.failed})
        steps = tuple(zip(cascade.path, cascade.path[1:]))

    visible = shown | context
    gates = []
    for e in spec.elements:
        for n, need in enumerate(e.needs):
            if need.form != "id" and e.id in visible:
                gates.append(Gate(id=f"{e.id}~{n + 1}", source=e.id, need=need,
                                  column=column_of[e.id]))

    used = {column_of[i] for i in visible}
    columns: list[Column] = []
    stage_list = [(s.id, s.name, s.index + 1) for s in spec.stages]
    if UNSTAGED in used or not stage_list:
        stage_list.append((UNSTAGED, "No stage" if stage_list else "", 0))
    order = {i: n for n, i in enumerate(all_ids)}
    for sid, name, idx in stage_list:
        if sid not in used:
            continue
        members = sorted((i for i in visible if column_of[i] == sid), key=order.__getitem__)
        columns.append(Column(
            id=sid, name=name, index=idx,
            touchpoints=tuple(i for i in members if spec.by_id[i].is_touchpoint),
            supports=tuple(i for i in members if not spec.by_id[i].is_touchpoint)))

    return View(
        spec=spec, columns=tuple(columns), column_of=column_of,
        shown=frozenset(shown), context=frozenset(context), gates=tuple(gates),
        spofs={s.id: s for s in analysis.spofs} if analysis else {},
        verdict=analysis.verdict if analysis else None,
        cascade=cascade, state=state, path_steps=steps, scope="; ".join(scope))


def flow_percentages(spec: Spec) -> dict[tuple[str, str], float]:
    """Share of a touch-point's onward customers taking each flow line (0–1).

    Only for touch-points whose outgoing lines have unequal shares; an even split needs
    no label.
    """
    out: dict[str, list[tuple[str, float]]] = {}
    for f in spec.flows:
        out.setdefault(f.source, []).append((f.target, f.share))
    pct: dict[tuple[str, str], float] = {}
    for src, lines in out.items():
        shares = {s for _, s in lines}
        if len(lines) > 1 and len(shares) > 1:
            total = sum(s for _, s in lines)
            for tgt, s in lines:
                pct[(src, tgt)] = s / total
    return pct

