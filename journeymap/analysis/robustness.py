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
from collections.abc import Collection, Sequence
from itertools import islice

from journeymap.analysis.index import Index
from journeymap.analysis.result import Robustness


def collapse_step(ix: Index, order: list[int], collapser: Sequence[bool] | None = None,
                  down: Sequence[Collection[int]] | None = None) -> int:
    """Number of removals (in ``order``) after which no goal is reachable.

    ``collapser[v]``: ``v`` failing alone collapses the journey. The journey cannot
    survive past the first such element in ``order``, at removal ``L``: every path's
    weakest step is at or before it. So only the failures before it are propagated, and
    every element still up then counts as failing at ``L`` (the answer is the same:
    capping every step at ``L`` caps the answer at ``L``, which it is at most). With
    single points of failure about, that is a short prefix of the order, and the search
    stops at the first goal it reaches at step ``L``.

    ``down[v]``: what ``v`` failing alone takes down (its cascade's ``down``; failures
    only ever take more down). A failure still up then takes its whole set down at once,
    and only the hard groups that can spare a member (``any``, ``at_least``:
    :attr:`.Index.spare_member_of`) count their down members, for the failures that add
    up; without the sets every hard group counts them. A set costs one read per element
    where the counters cost several random reads into arrays of every group (a quarter
    less time for the propagation at 100k elements), but an element is read again for
    every later failure whose set holds it: see :func:`robustness` for when they are
    passed.
    """
    n = ix.n
    limit = len(order)
    never = n + 1  # "still up after the whole order"
    if collapser is not None:
        for step, f in enumerate(order, start=1):
            if collapser[f]:
                limit, never = step - 1, step
                break
    t = [never] * n
    lost = [0] * len(ix.groups)
    owner, breaks_at = ix.group_owner, ix.group_breaks_at
    # Without the sets every hard group counts its down members, and a failure takes
    # down only itself before the counts do the rest.
    spare = ix.hard_member_of if down is None else ix.spare_member_of
    alone: Sequence[Collection[int]] = [()] * n if down is None else down
    for step, f in enumerate(islice(order, limit), start=1):
        if t[f] != never:
            continue
        t[f] = step
        stack = [f]  # failed, and owners of the groups that could spare no more
        while stack:
            v = stack.pop()
            # (counted for v, then for each of its set newly down: the same block twice,
            # inlined, as a list of the two costs a tenth of the propagation at 100k)
            for gi in spare[v]:
                c = lost[gi] = lost[gi] + 1
                if c == breaks_at[gi]:
                    o = owner[gi]
                    if t[o] == never:
                        t[o] = step
                        stack.append(o)
            for u in alone[v]:
                if t[u] == never:
                    t[u] = step
                    for gi in spare[u]:  # as above: u's own set is part of v's
                        c = lost[gi] = lost[gi] + 1
                        if c == breaks_at[gi]:
                            o = owner[gi]
                            if t[o] == never:
                                t[o] = step
                                stack.append(o)
    # Widest path: best[v] = max over entry paths of the min failure step on the path.
    # Steps are small integers, so a bucket queue replaces the heap: one stack per step
    # value, the highest first (a stack, not a queue, inside a bucket: every node in it
    # has the same value, and diving deep reaches a goal sooner). Nodes leave their
    # bucket in order of decreasing value, so the first goal taken out is the answer.
    best = [0] * n
    buckets: dict[int, list[int]] = {}
    keys: list[int] = []  # a max-heap of the bucket values (negated)
    for e in ix.entries:
        c = t[e]
        best[e] = c
        if c in buckets:
            buckets[c].append(e)
        else:
            buckets[c] = [e]
            heapq.heappush(keys, -c)
    is_goal, fsucc = ix.is_goal, ix.fsucc
    push, pop = heapq.heappush, heapq.heappop
    while keys:
        b = -keys[0]
        stack = buckets[b]
        while stack:
            v = stack.pop()
            if best[v] > b:
                continue  # stale: reached later with a higher value
            if is_goal[v]:  # customers stop at a goal
                # Survives k removals iff k < b: the collapse happens at removal b.
                return min(b, n)
            for w, _ in fsucc[v]:
                c = t[w]
                if c > b:
                    c = b
                if c > best[w]:
                    best[w] = c
                    if c == b:
                        stack.append(w)
                    elif c in buckets:
                        buckets[c].append(w)
                    else:
                        buckets[c] = [w]
                        push(keys, -c)
        pop(keys)
        del buckets[b]
    return 0


def robustness(ix: Index, *, samples: int, seed: int, baseline_ok: bool = True,
               collapser: Sequence[bool] | None = None,
               down: Sequence[Collection[int]] | None = None) -> Robustness:
    """The seeded Monte Carlo curve (see module docs). ``collapser`` and ``down``
    (optional, from the single-failure cascades) only save work: see
    :func:`collapse_step`. The down sets are used while they hold at most twice as many
    elements as the journey has needs entries (groups): each set is read at most once a
    sample, so a sample reads at most about twice what the counters read at worst. Deep
    chains of needs (sets of quadratic total size) are left to the counters.
    """
    if not baseline_ok or ix.n == 0 or samples <= 0:
        return Robustness((0,), (0.0 if not baseline_ok else 1.0,), 0.0, samples, seed)
    if down is not None and sum(map(len, down)) > 2 * len(ix.groups):
        down = None
    rng = random.Random(seed)
    steps = []
    order = list(range(ix.n))
    for _ in range(samples):
        rng.shuffle(order)
        steps.append(collapse_step(ix, order, collapser, down))
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
