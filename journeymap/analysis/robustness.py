"""The robustness curve: how completion chance falls as random elements fail.

Seeded Monte Carlo (``random.Random(seed)``, deterministic). Each sample is a random
order in which every element fails, one after another. Failures only ever take more
down, so one order gives the whole curve: the sample "survives k removals" while some
goal is still reachable after the first k failures. For one order we

1. propagate the failures incrementally with counters, recording the step ``t(v)`` at
   which each element goes down (O(n + m) for the whole order), then
2. find the last step the journey survives as a widest-path ("bottleneck") problem over
   the flow layer: the journey survives k removals iff some entry-to-goal path has
   ``t(v) > k`` at every touch-point, so the collapse step is
   ``max over paths of min t(v)`` (a Dijkstra-like pass with a max-heap).

``completion[k]`` is the share of samples that survive k removals, ``k = 0 .. K`` where
the last entry is the first k at which every sample has collapsed.
``expected_removals_to_collapse`` (the block-tower count) is the mean collapse step:
how many random removals it takes, on average, until no customer can finish.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from itertools import islice

from journeymap.analysis.index import Index
from journeymap.analysis.result import Robustness


def collapse_step(ix: Index, order: list[int],
                  collapser: Sequence[bool] | None = None) -> int:
    """Number of removals (in ``order``) after which no goal is reachable.

    ``collapser[v]``: ``v`` failing alone collapses the journey. The journey cannot
    survive past the first such element in ``order``, so only the failures up to it are
    propagated (the answer is the same: every path's weakest step is at or before it).
    With single points of failure about, that is a short prefix of the order.
    """
    n = ix.n
    never = n + 1
    t = [never] * n
    lost = [0] * len(ix.groups)
    member_of, owner, breaks_at = ix.hard_member_of, ix.group_owner, ix.group_breaks_at
    limit = len(order)
    if collapser is not None:
        for step, f in enumerate(order, start=1):
            if collapser[f]:
                limit = step
                break
    for step, f in enumerate(islice(order, limit), start=1):
        if t[f] != never:
            continue
        t[f] = step
        stack = [f]
        while stack:
            v = stack.pop()
            for gi in member_of[v]:
                c = lost[gi] = lost[gi] + 1
                if c == breaks_at[gi]:
                    o = owner[gi]
                    if t[o] == never:
                        t[o] = step
                        stack.append(o)
    # Widest path: best[v] = max over entry paths of the min failure step on the path.
    best = [0] * n
    heap = []
    for e in ix.entries:
        best[e] = t[e]
        heap.append((-t[e], e))
    heapq.heapify(heap)
    result = 0
    is_goal, fsucc = ix.is_goal, ix.fsucc
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        negb, v = pop(heap)
        b = -negb
        if b < best[v] or b <= result:
            continue  # stale, or cannot beat a goal already reached
        if is_goal[v]:
            result = b
            continue  # customers stop at a goal
        for w, _ in fsucc[v]:
            c = t[w]
            if b < c:
                c = b
            if c > best[w]:
                best[w] = c
                push(heap, (-c, w))
    # Survives k removals iff k < result: the collapse happens at removal ``result``.
    return min(result, n)


def robustness(ix: Index, *, samples: int, seed: int, baseline_ok: bool = True,
               collapser: Sequence[bool] | None = None) -> Robustness:
    """The seeded Monte Carlo curve (see module docs). ``collapser`` (optional, from the
    single-failure cascades) only saves work: see :func:`collapse_step`."""
    if not baseline_ok or ix.n == 0 or samples <= 0:
        return Robustness((0,), (0.0 if not baseline_ok else 1.0,), 0.0, samples, seed)
    rng = random.Random(seed)
    steps = []
    order = list(range(ix.n))
    for _ in range(samples):
        rng.shuffle(order)
        steps.append(collapse_step(ix, order, collapser))
    kmax = max(steps)
    counts = [0] * (kmax + 1)
    for s in steps:
        counts[s] += 1  # collapses at removal s: survives k for k < s
    completion = []
    alive = samples
    for k in range(kmax + 1):
        alive -= counts[k]
        completion.append(round(alive / samples, 12))
    return Robustness(tuple(range(kmax + 1)), tuple(completion),
                      round(sum(steps) / samples, 12), samples, seed)


MAX_SAMPLES = 100_000
"""The most samples `analyze --samples` takes: each sample fails every element of the
journey in turn, so a bound keeps one option from running for days."""


def default_samples(n: int, m: int) -> int:
    """Samples chosen from the journey's size only (so output stays deterministic):
    200 for journeys up to ~2,000 elements and lines, fewer above (at least 10)."""
    return max(10, min(200, 400_000 // max(1, n + m)))


__all__ = ["MAX_SAMPLES", "collapse_step", "default_samples", "robustness"]
