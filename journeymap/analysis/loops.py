"""Customers inside one flow loop, solved without losing digits: state reduction.

A flow loop (a strongly connected component of the flow layer) is a small absorbing
Markov chain: customers move between its touch-points until they leave it (to a
touch-point outside, or to a goal) or are caught in it for ever. Two questions are
asked of it, both linear systems in ``M = D - N``:

* **chances** ``M p = x`` — the chance to reach a goal from each touch-point, given the
  chances just outside the loop (``x[i]`` = Σ weight × chance over ``i``'s lines out);
* **visits** ``Mᵀ y = b`` — how often customers arriving at rate ``b`` pass each
  touch-point (``visits[i] = y[i] · total[i]``; the local update of :mod:`.flow` needs them).

Here ``N[i][j]`` is the share of the line ``i -> j`` between two different touch-points of
the loop and ``D[i] = exit[i] + Σ_j N[i][j]``: everything ``i`` sends elsewhere, self-loop
left out (a customer who takes a self-loop is back where she was). Shares are relative
weights; they are never turned into probabilities up front.

**Why not plain Gaussian elimination.** With extreme shares (a self-loop of 1e12 next to
an exit of 1, a two-step loop of 1e6 each way and exits of 1e-6) the rows of ``I - W``
almost cancel: ``1 - 0.999999999999`` keeps four significant digits in floating point, and
pivoting cannot help because the matrix is nearly singular by construction. Instead the
touch-points are eliminated one by one (state reduction, the Grassmann–Taksar–Heyman
algorithm): removing ``k`` reroutes each customer who would have gone to ``k`` along
``k``'s own lines, ``N[i][j] += N[i][k] · N[k][j] / D[k]``, and every pivot ``D[k]`` is
the *sum* of what ``k`` still sends elsewhere — never a difference. Every number stays a
sum, product or quotient of positive numbers, so each result carries a relative error
of a few units in the last place times the loop's size, whatever the shares (the
classic result for this algorithm on M-matrices: Grassmann, Taksar & Heyman 1985;
O'Cinneide 1993).

**Where floats still fail: underflow.** Shares from 1e-300 to 1e9 are valid input; a
product of several tiny ratios can fall below the smallest normal float, and an exit
that rounds to zero would turn "leaves eventually" into "caught for ever". Any weight
that falls below :data:`TINY` raises :class:`Underflow`, and the caller solves the loop
again in exact rational arithmetic (:class:`fractions.Fraction`, the same algorithm;
every float is a rational number, so that answer is exact).

**Closed loops.** A pivot of exactly zero means customers at ``k`` (and at touch-points
already eliminated that lead only to ``k``) never leave: their chance is zero (the least
solution, as in :mod:`.flow`), lines into them count as customers lost, and their
visits are infinite (``visits`` returns None).

**New exits, same lines.** When only some members' own exit shares change (they
reroute around a touch-point outside the loop that went down), a system built with
those members eliminated last (``last``) is replayed instead of built again
(:meth:`LoopSystem.with_exits`): eliminating the others never reads the last ones'
exits, so only the last block is eliminated again, each exit's gains added back in the
same order. The numbers are those of a new system with that order, to the bit; the
order differs from :func:`elimination_order`'s own only in where those members go, so
the results are exact in the same sense (every pivot still a sum).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction

Weight = float | Fraction

# Below this a float is subnormal (fewer than 53 bits): results built from it are no
# longer accurate to the last few places, so the loop is solved exactly instead.
TINY = sys.float_info.min


_NONE: set[int] = set()  # LoopSystem.with_exits: no lines in (never changed)


class Underflow(ArithmeticError):
    """A weight fell below the normal float range: solve the loop exactly instead."""


class LoopSystem:
    """``M = D - N`` of one flow loop, factored once; solve for chances or visits.

    ``out[i]`` maps member ``j != i`` to the share of line ``i -> j`` (self-loops left
    out); ``exit[i]`` is the share of ``i``'s lines that leave the members. Members are
    numbered ``0 .. k-1`` and eliminated in the order of :func:`elimination_order`
    (hubs last: see there). With ``exact`` the numbers are
    :class:`~fractions.Fraction` and nothing is checked; otherwise floats, and
    :class:`Underflow` is raised as soon as one falls below :data:`TINY`.
    """

    def __init__(self, out: Sequence[Mapping[int, float]], exit: Sequence[float], *,
                 exact: bool = False, last: Sequence[int] = ()):
        k = self.k = len(out)
        # Internally member ``seq[m]`` is number ``m``: eliminated m-th.
        seq = self.seq = elimination_order(out, last)
        at = [0] * k
        for m, i in enumerate(seq):
            at[i] = m
        if exact:
            rows: list[dict[int, Weight]] = [
                {at[j]: Fraction(w) for j, w in out[i].items()} for i in seq]
            ex: list[Weight] = [Fraction(exit[i]) for i in seq]
        else:
            rows = [{at[j]: w for j, w in out[i].items()} for i in seq]
            ex = [float(exit[i]) for i in seq]
            if any(0 < e < TINY for e in ex) or any(
                    w < TINY for r in rows for w in r.values()):
                raise Underflow
        self.exact = exact
        self._sensitivity: list[Weight] | None = None  # sensitivity(), once
        into: list[set[int]] = [set() for _ in range(k)]
        for i, r in enumerate(rows):
            for j in r:
                into[j].add(i)
        self.pivot: list[Weight] = [0.0] * k
        self.upper: list[dict[int, Weight]] = rows  # row k as it stood when k went
        self.lower: list[list[tuple[int, Weight]]] = [[] for _ in range(k)]
        self.closed: list[bool] = [False] * k
        # The block eliminated last (``last``, or the last member alone): what each of
        # its members gains in exit share as the others go, in order, and its rows and
        # lines in once the others are gone. with_exits() replays the block for other
        # exits of its own.
        split = self.split = k - min(k, max(1, len(last)))
        self.gains: list[list[Weight]] = [[] for _ in range(split, k)]
        self._eliminate(rows, ex, into, 0, split, True)
        self._block = ([dict(r) for r in rows[split:]], [set(f) for f in into[split:]])
        self._prefix_closed = any(self.closed)
        self._eliminate(rows, ex, into, split, k, False)

    def _eliminate(self, rows: list[dict[int, Weight]], ex: list[Weight],
                   into: list[set[int]], start: int, stop: int, record: bool) -> None:
        """Eliminate members ``start .. stop-1`` in turn (every pivot a sum)."""
        check = not self.exact
        split, gains = self.split, self.gains
        pivot, lower, closed = self.pivot, self.lower, self.closed
        for m in range(start, stop):
            row = rows[m]
            for j in row:
                into[j].discard(m)
            piv = ex[m] + sum(row.values())
            pivot[m] = piv
            feeders = into[m]
            into[m] = set()
            if not piv:  # nothing leaves m: a closed loop, its customers are lost
                closed[m] = True
                for i in sorted(feeders):
                    w = rows[i].pop(m)
                    lower[m].append((i, w))
                    ex[i] += w
                    if record and i >= split:
                        gains[i - split].append(w)
                continue
            exit_m = ex[m] / piv
            if check and 0 < exit_m < TINY:
                raise Underflow
            ratios = [(j, w / piv) for j, w in row.items()]
            if check and any(rj < TINY for _, rj in ratios):
                raise Underflow
            for i in sorted(feeders):
                ri = rows[i]
                w_ik = ri.pop(m)
                lower[m].append((i, w_ik))
                if exit_m:
                    e = w_ik * exit_m
                    if check and e < TINY:
                        raise Underflow
                    ex[i] += e
                    if record and i >= split:
                        gains[i - split].append(e)
                for j, rj in ratios:
                    if j == i:  # back to i: a self-loop of i, which changes nothing
                        continue
                    v = w_ik * rj
                    if check and v < TINY:
                        raise Underflow
                    if j in ri:
                        ri[j] += v
                    else:
                        ri[j] = v
                        into[j].add(i)

    def sensitivity(self) -> list[Weight]:
        """How much each member's visits per unit of total share (``y``) change per unit
        change of the last member's, every line and exit of the others as they are:
        ``visits`` with only that member's pivot changed moves ``y[i]`` by
        ``sensitivity()[i] × (change of y[last])``. Its back substitution with a unit at
        the last member, once (every term a product of positive numbers over a pivot);
        1 for the last member itself.

        >>> s = LoopSystem([{1: 1.0}, {0: 1.0}], [1.0, 1.0])
        >>> s.sensitivity()[s.seq[-1]], s.sensitivity()[s.seq[0]]
        (1.0, 0.5)
        """
        if self._sensitivity is None:
            k, lower, pivot = self.k, self.lower, self.pivot
            g: list[Weight] = [0.0] * k
            g[k - 1] = 1.0
            for m in range(k - 2, -1, -1):
                s: Weight = 0.0
                for i, w in lower[m]:
                    s += w * g[i]
                if s:
                    g[m] = s / pivot[m]
            out: list[Weight] = [0.0] * k
            for m, i in enumerate(self.seq):
                out[i] = g[m]
            self._sensitivity = out
        return self._sensitivity

    @property
    def block(self) -> list[int]:
        """The members eliminated last, in order: those :meth:`with_exits` changes."""
        return self.seq[self.split:]

    def with_exits(self, exits: Sequence[float]) -> LoopSystem | None:
        """This system with the own exit shares of :attr:`block` changed to ``exits``
        (in that order), every line between members as it was: what rerouting members
        make of a loop that keeps all its members. Eliminating the others never reads
        the block's exits (they are eliminated last), so only the block is eliminated
        again, from the same rows, with each exit's gains added back in the same order:
        the numbers a new system with the same ``last`` would have, to the bit. None
        where a new system would not be a float one without closed members (then
        build it)."""
        if self.exact or self._prefix_closed:
            return None
        split, k = self.split, self.k
        ex: list[Weight] = [0.0] * k
        for m, e, gains in zip(range(split, k), exits, self.gains):
            if 0 < e < TINY:
                return None
            x: Weight = float(e)
            for g in gains:
                x += g
            ex[m] = x
        block_rows, block_into = self._block
        rows = self.upper[:split] + [dict(r) for r in block_rows]
        # (only the block's own lines in are read or changed)
        into: list[set[int]] = [_NONE] * split + [set(f) for f in block_into]
        out = LoopSystem.__new__(LoopSystem)
        out.__dict__.update(self.__dict__)
        out.pivot = self.pivot.copy()
        out.upper = rows
        out.lower = self.lower[:split] + [[] for _ in range(split, k)]
        out.closed = self.closed[:split] + [False] * (k - split)
        if split != k - 1:  # a block of several: its own rows are new
            out._sensitivity = None
        try:
            out._eliminate(rows, ex, into, split, k, False)
        except Underflow:
            return None
        if any(out.closed[split:]):
            return None
        return out

    def chances(self, x: Sequence[Weight]) -> list[Weight]:
        """Solve ``M p = x``: each member's chance to reach a goal (closed ones: 0)."""
        k, seq = self.k, self.seq
        z = [x[i] for i in seq]
        pivot, lower, closed = self.pivot, self.lower, self.closed
        for m in range(k):  # forward: carry what is known along the eliminated lines
            zm = z[m]
            if zm and not closed[m]:
                f = zm / pivot[m]
                for i, w in lower[m]:
                    z[i] += w * f
        p: list[Weight] = [0] * k
        upper = self.upper
        for m in range(k - 1, -1, -1):
            if closed[m]:
                p[m] = 0
                continue
            acc = z[m]
            for j, w in upper[m].items():
                acc += w * p[j]
            v = acc / pivot[m]
            p[m] = min(v, 1)  # rounding could push a certain goal past 1
        out: list[Weight] = [0] * k
        for m, i in enumerate(seq):
            out[i] = p[m]
        return out

    def visits(self, b: Sequence[Weight], total: Sequence[Weight]) -> list[Weight] | None:
        """Solve ``Mᵀ y = b`` and return ``y[i] · total[i]``: how often customers
        arriving at rate ``b`` pass each member (``total[i]``: all of ``i``'s shares,
        self-loop included). None when some member is in a closed loop (infinite)."""
        if any(self.closed):
            return None
        k, seq = self.k, self.seq
        pivot, upper, lower = self.pivot, self.upper, self.lower
        acc = [b[i] for i in seq]
        w: list[Weight] = [0] * k
        for m in range(k):
            wm = w[m] = acc[m] / pivot[m]
            if wm:
                for j, u in upper[m].items():
                    acc[j] += u * wm
        y = w
        for m in range(k - 1, -1, -1):
            s: Weight = 0
            for i, u in lower[m]:
                s += u * y[i]
            if s:
                y[m] += s / pivot[m]
        out: list[Weight] = [0] * k
        for m, i in enumerate(seq):
            out[i] = y[m] * total[i]
        return out


def elimination_order(out: Sequence[Mapping[int, float]], last: Sequence[int] = ()
                      ) -> list[int]:
    """The order members are eliminated in: fewest (lines in) × (lines out) first, the
    members ``last`` after all the others (among themselves in the same order).

    Eliminating ``k`` joins each of its feeders to each of its next steps, so a hub (a
    sign-in page every stage-page leads back to, or a gateway that leads to the whole
    next stage) eliminated first would fill the system with (lines in) × (lines out)
    new lines, and every later step would pay for them: k² work on a star-shaped loop
    of k touch-points. Eliminated last it costs nothing extra. Any order is exact in the
    same sense (every pivot is still a sum of positive numbers), so this changes the
    cost only. Ties by number: deterministic.
    """
    k = len(out)
    into = [0] * k
    for r in out:
        for j in r:
            into[j] += 1
    order = sorted(range(k), key=lambda i: (into[i] * len(out[i]), i))
    if last:
        end = set(last)
        order = [i for i in order if i not in end] + [i for i in order if i in end]
    return order


def loop_chances(out: Sequence[Mapping[int, float]], exit: Sequence[float],
                 leaving: Sequence[Sequence[tuple[float, float]]]) -> list[float]:
    """Chances ``M p = x`` in floats, exactly when floats would underflow.

    ``leaving[i]`` lists ``(share, chance there)`` for each of ``i``'s lines out of the
    loop, so that ``x`` is formed exactly too (share × chance can underflow on its own).
    """
    try:
        x = [sum(s * c for s, c in row) for row in leaving]
        return LoopSystem(out, exit).chances(x)  # type: ignore[return-value]
    except Underflow:
        exact = LoopSystem(out, exit, exact=True)
        xf = [sum((Fraction(s) * Fraction(c) for s, c in row), Fraction(0)) for row in leaving]
        return [float(v) for v in exact.chances(xf)]


__all__ = ["TINY", "LoopSystem", "Underflow", "elimination_order", "loop_chances"]
