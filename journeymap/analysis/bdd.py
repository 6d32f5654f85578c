"""A small reduced ordered binary decision diagram (BDD), enough for exact risk numbers.

Node 0 is FALSE, node 1 is TRUE; every other node tests one variable (a level, 0 at
the top) and has a ``lo`` (variable false) and a ``hi`` (variable true) child. Nodes
are hash-consed, so equal functions are the same node and a fixpoint is reached when
a node number stops changing. Children are always created before their parents, so
node numbers grow bottom-up: one pass in increasing order visits children first.

Why not the ``dd`` package: the analysis needs three things only (if-then-else, the
probability of a function, and its derivative per variable) and a node limit that
fails fast so that the caller can fall back to Monte Carlo; 150 lines do that
without a dependency.

>>> b = BDD(2)
>>> x, y = b.var(0), b.var(1)
>>> f = b.or_(x, y)
>>> round(b.probability(f, [0.5, 0.5]), 6)
0.75
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

FALSE = 0
TRUE = 1


class TooBig(Exception):
    """The diagram passed its node limit: exact is not affordable here."""


class BDD:
    def __init__(self, nvars: int, max_nodes: int = 1 << 62):
        self.nvars = nvars
        self.level: list[int] = [nvars, nvars]  # terminals sit below every variable
        self.lo: list[int] = [0, 1]
        self.hi: list[int] = [0, 1]
        self._unique: dict[tuple[int, int, int], int] = {}
        self._ite: dict[tuple[int, int, int], int] = {}
        self.max_nodes = max_nodes

    def __len__(self) -> int:
        return len(self.level)

    def _mk(self, v: int, lo: int, hi: int) -> int:
        if lo == hi:
            return lo
        key = (v, lo, hi)
        r = self._unique.get(key)
        if r is None:
            r = len(self.level)
            if r >= self.max_nodes:
                raise TooBig(r)
            self.level.append(v)
            self.lo.append(lo)
            self.hi.append(hi)
            self._unique[key] = r
        return r

    def var(self, v: int) -> int:
        """The function "variable ``v`` is true"."""
        return self._mk(v, FALSE, TRUE)

    def ite(self, f: int, g: int, h: int) -> int:
        """If ``f`` then ``g`` else ``h``."""
        if f == TRUE:
            return g
        if f == FALSE:
            return h
        if g == h:
            return g
        if g == TRUE and h == FALSE:
            return f
        key = (f, g, h)
        r = self._ite.get(key)
        if r is not None:
            return r
        level, lo, hi = self.level, self.lo, self.hi
        v = min(level[f], level[g], level[h])
        f0, f1 = (lo[f], hi[f]) if level[f] == v else (f, f)
        g0, g1 = (lo[g], hi[g]) if level[g] == v else (g, g)
        h0, h1 = (lo[h], hi[h]) if level[h] == v else (h, h)
        r = self._mk(v, self.ite(f0, g0, h0), self.ite(f1, g1, h1))
        self._ite[key] = r
        return r

    def and_(self, f: int, g: int) -> int:
        if f == FALSE or g == FALSE:
            return FALSE
        if f in (TRUE, g):
            return g
        if g == TRUE:
            return f
        return self.ite(f, g, FALSE) if f < g else self.ite(g, f, FALSE)

    def or_(self, f: int, g: int) -> int:
        if f == TRUE or g == TRUE:
            return TRUE
        if f in (FALSE, g):
            return g
        if g == FALSE:
            return f
        return self.ite(f, TRUE, g) if f < g else self.ite(g, TRUE, f)

    def not_(self, f: int) -> int:
        return self.ite(f, FALSE, TRUE)

    def at_least(self, k: int, fs: Sequence[int]) -> int:
        """True when at least ``k`` of the functions ``fs`` are true."""
        if k <= 0:
            return TRUE
        if k > len(fs):
            return FALSE
        if k == len(fs):
            acc = TRUE
            for f in fs:
                acc = self.and_(acc, f)
            return acc
        if k == 1:
            acc = FALSE
            for f in fs:
                acc = self.or_(acc, f)
            return acc
        # t[c]: at least c of the functions seen so far (c = 0..k).
        t = [TRUE] + [FALSE] * k
        for f in fs:
            for c in range(k, 0, -1):
                t[c] = self.ite(f, t[c - 1], t[c])
        return t[k]

    def _nodes(self, root: int) -> list[int]:
        """Non-terminal nodes reachable from ``root``, children first."""
        seen = {root}
        stack = [root]
        lo, hi = self.lo, self.hi
        while stack:
            u = stack.pop()
            if u > TRUE:
                for c in (lo[u], hi[u]):
                    if c not in seen:
                        seen.add(c)
                        stack.append(c)
        return sorted(u for u in seen if u > TRUE)

    def probability(self, root: int, p_true: Sequence[float]) -> float:
        """P(function is true) when variable ``v`` is true with chance ``p_true[v]``,
        independently. One pass over the nodes."""
        if root <= TRUE:
            return float(root)
        prob: dict[int, float] = {FALSE: 0.0, TRUE: 1.0}
        level, lo, hi = self.level, self.lo, self.hi
        for u in self._nodes(root):
            a = p_true[level[u]]
            prob[u] = (1.0 - a) * prob[lo[u]] + a * prob[hi[u]]
        return prob[root]

    def derivatives(self, root: int, p_true: Sequence[float]) -> tuple[float, list[float]]:
        """(P(true), dP/dp_v for every variable v).

        P is multilinear in the p's, so dP/dp_v = sum over the nodes testing v of
        (chance to reach the node) x (P(hi) - P(lo)); variables a path skips do not
        change P along it.
        """
        grad = [0.0] * self.nvars
        if root <= TRUE:
            return float(root), grad
        nodes = self._nodes(root)
        level, lo, hi = self.level, self.lo, self.hi
        prob: dict[int, float] = {FALSE: 0.0, TRUE: 1.0}
        for u in nodes:
            a = p_true[level[u]]
            prob[u] = (1.0 - a) * prob[lo[u]] + a * prob[hi[u]]
        reach: dict[int, float] = {root: 1.0}
        for u in reversed(nodes):  # parents before children
            r = reach.get(u, 0.0)
            if not r:
                continue
            v = level[u]
            a = p_true[v]
            grad[v] += r * (prob[hi[u]] - prob[lo[u]])
            reach[lo[u]] = reach.get(lo[u], 0.0) + r * (1.0 - a)
            reach[hi[u]] = reach.get(hi[u], 0.0) + r * a
        return prob[root], grad


@contextmanager
def deep_recursion(depth: int) -> Iterator[None]:
    """ite() recurses once per variable level: allow that much recursion meanwhile."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, depth))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


__all__ = ["BDD", "FALSE", "TRUE", "TooBig", "deep_recursion"]
