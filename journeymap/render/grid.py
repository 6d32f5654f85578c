"""Where each element sits in the blueprint: a grid of rows inside each stage column.

Graphviz's ``dot`` does not keep clusters in a given left-to-right order once lines
cross between them (tried: ``newrank`` + ``rank=same`` chains, ``ordering``, invisible
root nodes — the stage columns came out shuffled). It does keep the order of nodes
chained inside one rank. So the diagram decides the rows itself and hands ``dot`` one
ordered chain per row: stage columns can never swap, frontstage rows are always above
the line of visibility and backstage rows below it. ``dot`` still chooses the exact
positions and routes every line.

Inside a stage column:

* touch-points: the column (sub-column) is how many flow lines within the stage lead to
  it (longest path), so a stage reads left to right; touch-points at the same step stack;
* supports (and redundancy-group junctions): the row below the line is how deep they sit
  in the stage's needs lines (longest path from the touch-points), so needs lines point
  down; a row holds at most ``width`` items, then wraps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from journeymap.render.view import View

MAX_STACK = 6  # touch-points stacked at one step before a second sub-column starts


@dataclass(frozen=True)
class StageGrid:
    """Rows (top to bottom) of node ids (left to right) of one stage column."""

    front: tuple[tuple[str | None, ...], ...]  # None: an empty slot keeps steps aligned
    back: tuple[tuple[str, ...], ...]


def _longest_depth(nodes: list[str], succ: dict[str, list[str]],
                   base: dict[str, int]) -> dict[str, int]:
    """Longest-path depth over ``succ`` restricted to ``nodes``, cycles broken.

    Back edges of a depth-first search in ``nodes`` order are ignored, so the result is
    deterministic for a given order. ``base`` gives starting depths.
    """
    inside = set(nodes)
    order: list[str] = []  # reverse post-order = a topological order of the DAG part
    state: dict[str, int] = {}
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(succ.get(root, ())))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt in inside and nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ.get(nxt, ()))))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    order.reverse()
    rank = {n: i for i, n in enumerate(order)}
    depth = {n: base.get(n, 0) for n in nodes}
    for n in order:
        for nxt in succ.get(n, ()):
            if nxt in inside and rank[nxt] > rank[n]:  # forward edge only
                depth[nxt] = max(depth[nxt], depth[n] + 1)
    return depth


def stage_grids(view: View, max_width: int = 4) -> dict[str, StageGrid]:
    """The grid of every column of ``view`` (keyed by column id)."""
    spec = view.spec
    visible = view.visible
    flow_succ: dict[str, list[str]] = {}
    for f in spec.flows:
        if f.source in visible and f.target in visible:
            flow_succ.setdefault(f.source, []).append(f.target)
    # Needs graph with junctions: element -> target, or element -> gate -> members.
    gate_of = {(g.source, g.need): g.id for g in view.gates}
    needs_succ: dict[str, list[str]] = {}
    for e in spec.elements:
        if e.id not in visible:
            continue
        for need in e.needs:
            gate = gate_of.get((e.id, need))
            members = [t for t in need.targets if t in visible]
            if gate is None:
                needs_succ.setdefault(e.id, []).extend(members)
            else:
                needs_succ.setdefault(e.id, []).append(gate)
                needs_succ.setdefault(gate, []).extend(members)

    grids: dict[str, StageGrid] = {}
    for col in view.columns:
        tps = list(col.touchpoints)
        step = _longest_depth(tps, flow_succ, {})
        stacks: dict[int, list[str]] = {}
        for t in tps:
            stacks.setdefault(step[t], []).append(t)
        steps = sorted(stacks)
        # A tall stack of touch-points at one step wraps into side-by-side sub-columns
        # (still in step order), so a stage of 50 channels does not make the frontstage
        # taller than everything else in the picture.
        limit = max(MAX_STACK, math.ceil(math.sqrt(2 * len(tps))))
        subcols = [stacks[d][k:k + limit] for d in steps
                   for k in range(0, len(stacks[d]), limit)]
        height = max((len(c) for c in subcols), default=0)
        front = tuple(
            tuple(c[i] if i < len(c) else None for c in subcols)
            for i in range(height))
        front = tuple(_trim(row) for row in front)

        gates = [g.id for g in view.gates if g.column == col.id]
        back_items = list(col.supports) + gates
        level = _longest_depth(tps + back_items, needs_succ, {})
        # Without a parent in this stage, a support starts right below the line.
        level = {i: max(1, level[i]) for i in back_items}
        slot = {t: n for n, c in enumerate(subcols) for t in c}
        for i in sorted(back_items, key=lambda x: level[x]):
            parents = [p for p in tps + back_items if i in needs_succ.get(p, ())]
            slot[i] = min((slot[p] for p in parents if p in slot), default=len(subcols))
        file_order = {x: n for n, x in enumerate(back_items)}
        items = sorted(back_items, key=lambda x: (level[x], slot[x], file_order[x]))
        width = min(max_width, max(len(subcols), 2, math.ceil(math.sqrt(len(items)))))
        rows: list[list[str]] = []
        for i in items:
            if not rows or len(rows[-1]) >= width or level[rows[-1][-1]] != level[i]:
                rows.append([])
            rows[-1].append(i)
        grids[col.id] = StageGrid(front=front, back=tuple(tuple(r) for r in rows))
    return grids


def _trim(row: tuple[str | None, ...]) -> tuple[str | None, ...]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]
