"""Customers lost, one stretch of the journey at a time: the gateway factorisation.

A *gateway* is a touch-point every customer who completes the journey passes (sign-in,
payment): a dominator of the virtual sink behind every goal, from the virtual source
before every entry. :func:`~journeymap.analysis.dominators.gateway_chain` gives them in
the order customers meet them, ``g1, g2, …, gk``.

**Why completion factors.** Under the customer model of :mod:`.flow` (a Markov chain
whose goals absorb) every walk from the entries to a goal passes ``g1``, and every walk
from ``gi`` to a goal passes ``g(i+1)``: ``gi`` strictly dominates ``g(i+1)``, so some
path from the entries reaches ``gi`` without ``g(i+1)``, and a walk from ``gi`` to a goal
avoiding ``g(i+1)`` would complete it to an entry-to-goal path avoiding a dominator. By
the strong Markov property at the first visit to ``g(i+1)``::

    completion = a0 · a1 · … · ak
    a0 = Σ_e w(e) · P_e(reach g1)    ai = P_gi(reach g(i+1))    ak = P_gk(reach a goal)

This holds with flow cycles anywhere, also a loop that leads back past a gateway: a
customer who goes back from beyond ``gi`` to before it has to pass ``gi`` again to
finish, and "reach ``g(i+1)``" counts every way there, loops included. Customers lost
before a gateway simply never reach it (a smaller ``ai``). It still holds after any
failure that leaves the gateways up, since taking touch-points down only removes paths
(a down gateway collapses the journey: the engine never asks for that case here).

**Segments.** Segment ``i`` is the chain of touch-points a customer can visit from its
start (``gi``; the entries, by share, for ``i = 0``) before first reaching its end
(``g(i+1)``; the goals for ``i = k``), with the end absorbing. A loop back past ``gi``
puts touch-points before ``gi`` into segment ``i`` as well, so segments may overlap;
each is solved over its whole extent, so overlap costs time, never exactness. A failure
changes ``ai`` only if one of its down touch-points lies in segment ``i``: a touch-point
that reroutes around a down one is in every segment the down one is in (a segment holds
every next step of its touch-points, up to its end, and the end is a gateway). So each
failure recomputes only the segments it touches — each by the exact local update of
:class:`~journeymap.analysis.flow.FlowSolver` on that segment alone, or its exact
recomputation when a closed loop is in the way — memoised per segment, and multiplies
in the others' baseline chances. A shared platform whose touch-points are spread over
the journey costs a few small updates instead of one pass over everything between them.

:meth:`Segments.build` returns None where this does not pay or cannot be trusted — no
gateway, segments covering the journey more than :data:`MAX_COVER` times over, or a
product of segment chances that does not reproduce the whole-journey completion — and
the engine keeps the whole-journey update.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from journeymap.analysis.flow import FlowSolver
from journeymap.analysis.index import Index

MAX_COVER = 1.5  # segments overlapping more than this (loops back past gateways): skip


class _Segment:
    """The arrays :class:`FlowSolver` reads, for one segment, numbered compactly."""

    def __init__(self, ix: Index, starts: dict[int, float], end: int | None):
        is_goal = ix.is_goal
        # Touch-points reachable from the start without passing the end; customers stop
        # at the end (or at a goal, for the last segment).
        loc: dict[int, int] = {}
        nodes: list[int] = []
        stack = sorted(starts)
        for v in stack:
            loc[v] = len(nodes)
            nodes.append(v)
        while stack:
            v = stack.pop()
            if v == end or is_goal[v]:
                continue
            for t, _ in ix.fsucc[v]:
                if t not in loc:
                    loc[t] = len(nodes)
                    nodes.append(t)
                    stack.append(t)
        self.nodes = nodes
        # A goal before the end would contradict the end being a gateway.
        self.valid = end is None or not any(is_goal[v] and v != end for v in nodes)
        n = self.n = len(nodes)
        self.is_tp = [True] * n
        self.is_goal = [(v == end) if end is not None else is_goal[v] for v in nodes]
        self.entries = [loc[s] for s in sorted(starts)]
        self.entry_weight = {loc[s]: w for s, w in sorted(starts.items())}
        self.fsucc: list[list[tuple[int, float]]] = [
            [] if g else [(loc[t], s) for t, s in ix.fsucc[v]]
            for v, g in zip(nodes, self.is_goal)]
        self.fpred: list[list[int]] = [[] for _ in range(n)]
        for u in range(n):
            for t, _ in self.fsucc[u]:
                self.fpred[t].append(u)
        self.end = end


class Segments:
    """Completion as a product over the segments between gateways (see module docs)."""

    def __init__(self, parts: list[tuple[_Segment, FlowSolver, list[float], float]],
                 at: list[tuple[tuple[int, int], ...]], gateways: set[int],
                 place: list[int]):
        self.parts = parts
        # By element: (segment, its number there) for every segment it is in, in one
        # flat list (no dict by touch-point, no dict by segment to look up per call).
        self.at = at
        self.gateways = gateways
        # Every touch-point's place in the segments' own numbering, segment after
        # segment (the last one's where they overlap): see :meth:`loss`.
        self.place = place
        self.chances = [a for *_, a in parts]
        self.baseline = math.prod(self.chances)
        self.memo: dict[tuple[int, frozenset[int]], float] = {}

    @classmethod
    def build(cls, ix: Index, reach0: Collection[int], comp0: float) -> Segments | None:
        chain = ix.gateway_chain()
        if not chain:
            return None
        starts: list[dict[int, float]] = [dict(ix.entry_weight)]
        starts += [{g: 1.0} for g in chain]
        ends: list[int | None] = [*chain, None]
        segs = []
        cover = 0
        for s, e in zip(starts, ends):
            seg = _Segment(ix, s, e)
            if not seg.valid:
                return None
            cover += seg.n
            if cover > MAX_COVER * max(1, len(reach0)) + len(chain):
                return None
            segs.append(seg)
        parts = []
        at: list[tuple[tuple[int, int], ...]] = [()] * ix.n
        place = [0] * ix.n
        k = 0
        for i, seg in enumerate(segs):
            solver = FlowSolver(seg)  # type: ignore[arg-type]
            p = solver.solve(())
            solver.prepare_local(p)
            parts.append((seg, solver, p, solver.completion(p)))
            for local, v in enumerate(seg.nodes):
                if v != seg.end:
                    at[v] = (*at[v], (i, local))
                    place[v] = k
                    k += 1
        out = cls(parts, at, set(chain), place)
        if not math.isclose(out.baseline, comp0, rel_tol=1e-9, abs_tol=1e-12):
            return None  # cannot happen (module docs); the whole-journey update decides
        return out

    def loss(self, down: Collection[int]) -> float | None:
        """``completion(baseline) - completion(down)`` for down touch-points ``down``,
        or None when a gateway is among them (the journey collapses).

        Many calls cost less in the order of :attr:`place` (the least of each ``down``):
        each reads the rows of its segment's arrays near its down touch-points, and
        those arrays are laid out in that order, so each call finds much of what it
        reads still in the cache from the one before (0.5 s of 2.6 at 100k elements,
        where the arrays far outgrow the cache; the answers do not depend on it)."""
        touched: dict[int, list[int]] = {}
        at, gateways = self.at, self.gateways
        for v in down:
            if v in gateways:
                return None
            for i, num in at[v]:
                touched.setdefault(i, []).append(num)
        chances = self.chances.copy()
        memo, parts = self.memo, self.parts
        for i, local in touched.items():
            key = (i, frozenset(local))
            a = memo.get(key)
            if a is None:
                _, solver, p, a0 = parts[i]
                d = key[1]
                delta = solver.local_loss(d)
                if delta is None:  # a closed loop in the way: recompute the segment
                    a = solver.completion(solver.resolve(d, p)[0])
                else:
                    a = a0 - delta
                memo[key] = a
            chances[i] = a
        return self.baseline - math.prod(chances)


__all__ = ["MAX_COVER", "Segments"]
