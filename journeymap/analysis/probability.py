"""How likely the journey is to collapse, and how many customers finish on average
(contract §8).

Every element works with its availability ``a`` (the share of time it is up),
independently of the others; an element also goes down when what it needs is down
(:mod:`.propagation`). **Collapse probability** Q = P(no goal reachable from any up
entry). **Expected completion** = E[share of customers reaching a goal] under the
customer rules of :mod:`.flow`. Two methods, one answer each:

* **exact**: the structure function as a decision diagram (:mod:`.bdd`) over one
  variable per element ("its own failure did not happen"): ``up(v) = own(v) and`` every
  hard group has enough members up (a needs cycle from "all up" down to the greatest
  fixpoint: cycles never fail by themselves), ``reach(v) = up(v) and (entry(v) or some
  flow predecessor reached)`` (flow cycles from "nothing reached" up to the least
  fixpoint), collapse = no goal reached. Q is one pass over the diagram; Birnbaum
  importance of every element is its derivative (one more pass). Expected completion
  enumerates the sets of down touch-points that have a positive chance (splitting the
  diagram touch-point by touch-point) and solves each with the exact flow solver.
  Affordable while the diagram and the number of those sets stay small.
* **monte-carlo**: ``trials`` independent draws, 64 per machine word: one bit column
  per element, propagated over the needs layer in topological order (cycles iterated
  to their fixpoint) and over the flow layer column-wise. Every element draws from its
  own PCG64 stream keyed by (seed, its id), so the same element fails in the same
  trials in every variant of the journey (a fix, a change): differences are not noise
  of the sampler. Q has a Wilson 95% interval; completion (the flow solver once per
  distinct set of down touch-points) a normal 95% interval.

``auto`` tries exact within its limits and falls back to Monte Carlo, saying why.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from journeymap.analysis.bdd import BDD, FALSE, TRUE, TooBig, deep_recursion
from journeymap.analysis.flow import FlowSolver, reachable
from journeymap.analysis.gateways import Segments
from journeymap.analysis.index import Index, sccs, upstream

HOURS_PER_YEAR = 8766.0

AUTO, EXACT, MONTE_CARLO, OFF = "auto", "exact", "monte-carlo", "off"
METHODS = (AUTO, EXACT, MONTE_CARLO, OFF)

EXACT_MAX_ELEMENTS = 1500  # beyond this the diagram is rarely small; do not try
EXACT_MAX_NODES = 250_000  # decision diagram nodes for Q
# Expected completion, exactly: distinct sets of down touch-points with a positive chance,
# and the extra diagram nodes splitting by them may make. Small under ``auto`` (a failed
# try costs time); ``--probability exact`` allows much more.
AUTO_PATTERNS, AUTO_EXTRA_NODES = 256, 40_000
AUTO_UNCERTAIN_TOUCHPOINTS = 8  # at most 2^8 sets: always within AUTO_PATTERNS
EXACT_PATTERNS, EXACT_EXTRA_NODES = 200_000, 5_000_000
SHARED = 3  # a support needed by this many touch-points is ordered first
Z95 = 1.959963984540054


class NotAffordable(Exception):
    """Exact is not affordable for this journey (the reason is the message)."""


@dataclass(frozen=True)
class ElementImportance:
    """Importance of one element over Q (contract §8); ``None`` where undefined."""

    birnbaum: float | None
    criticality: float | None
    raw: float | None
    rrw: float | None
    fussell_vesely: float | None


@dataclass(frozen=True)
class ProbabilityResult:
    method: str  # EXACT | MONTE_CARLO: how Q (and so importance) was computed
    collapse: float
    completion: float
    trials: int | None
    seed: int | None
    ci_collapse: tuple[float, float] | None
    ci_completion: tuple[float, float] | None
    note: str  # how it was computed / why this method
    q_down: list[float | None]  # per element: Q with it down (None: not estimated)
    q_up: list[float | None]  # per element: Q with it perfect
    completion_method: str = EXACT

    @property
    def hours_per_year(self) -> float:
        return self.collapse * HOURS_PER_YEAR


def availabilities(ix: Index) -> list[float]:
    """Effective availability of every element, index order (contract §8 lookup)."""
    return availabilities_and_sources(ix)[0]


def availabilities_and_sources(ix: Index) -> tuple[list[float], list[str]]:
    """Effective availability of every element and where it comes from
    (:meth:`~journeymap.spec.model.Spec.availability_of`), index order."""
    found = ix.spec.availabilities()
    return [a for a, _ in found], [src for _, src in found]


def _hard_succ(ix: Index) -> list[list[int]]:
    succ: list[list[int]] = [[] for _ in range(ix.n)]
    for g in ix.groups:
        if g.hard:
            succ[g.owner].extend(g.members)
    return succ


def _flow_components(ix: Index) -> list[tuple[list[int], bool]]:
    """Flow-layer components, sources first, with whether each is a cycle."""
    succ = [[t for t, _ in s] for s in ix.fsucc]
    _, comps = sccs(ix.n, succ, [v for v in range(ix.n) if ix.is_tp[v]])
    out = []
    for c in reversed(comps):
        out.append((c, len(c) > 1 or c[0] in succ[c[0]]))
    return out


def _needs_components(ix: Index) -> list[tuple[list[int], bool]]:
    """Needs-layer components, what is needed first, with whether each is a cycle."""
    succ = _hard_succ(ix)
    _, comps = sccs(ix.n, succ)
    return [(c, len(c) > 1 or c[0] in succ[c[0]]) for c in comps]


# --- exact -------------------------------------------------------------------------------

def variable_order(ix: Index) -> list[int]:
    """A level per element: touch-points in flow order (from the entries), each support
    just before the first touch-point that needs it (directly or through supports).
    Keeps the reachability frontier, and so the diagram, narrow."""
    n = ix.n
    rank = [n + v for v in range(n)]
    order: list[int] = []
    seen = set()
    queue = sorted(ix.entries)
    seen.update(queue)
    k = 0
    while k < len(queue):
        v = queue[k]
        k += 1
        order.append(v)
        for t, _ in ix.fsucc[v]:
            if t not in seen:
                seen.add(t)
                queue.append(t)
    for r, v in enumerate(order):
        rank[v] = 2 * r + 1
    # Supports inherit the earliest rank of what needs them; a support many touch-points
    # need (a shared platform, a team) goes to the top, most widely needed first.
    comps = _needs_components(ix)
    cone: list[set[int]] = [set() for _ in range(n)]
    for comp, _ in reversed(comps):  # needing elements before what they need
        for v in comp:
            if ix.is_tp[v]:
                cone[v].add(v)
            for gi in ix.hard_groups[v] + ix.soft_groups[v]:
                for m in ix.groups[gi].members:
                    if not ix.is_tp[m]:
                        cone[m] |= cone[v]
                        rank[m] = min(rank[m], rank[v] - 1)
    for v in range(n):
        if not ix.is_tp[v] and len(cone[v]) >= SHARED:
            rank[v] = -len(cone[v])
    by_rank = sorted(range(n), key=lambda v: (rank[v], ix.is_tp[v], v))
    level = [0] * n
    for lv, v in enumerate(by_rank):
        level[v] = lv
    return level


class ExactModel:
    """The journey's structure as decision diagrams (see module docs)."""

    def __init__(self, ix: Index, max_nodes: int = EXACT_MAX_NODES):
        self.ix = ix
        n = ix.n
        self.level = variable_order(ix)
        b = self.bdd = BDD(n, max_nodes)
        up: list[int] = [TRUE] * n
        groups = ix.groups
        with deep_recursion(4 * n + 2000):
            own = [b.var(self.level[v]) for v in range(n)]

            def needs_met(v: int) -> int:
                acc = own[v]
                for gi in ix.hard_groups[v]:
                    g = groups[gi]
                    acc = b.and_(acc, b.at_least(g.required, [up[m] for m in g.members]))
                return acc

            for comp, cyclic in _needs_components(ix):
                if not cyclic:
                    up[comp[0]] = needs_met(comp[0])
                    continue
                for v in comp:  # all up, then down to the greatest fixpoint
                    up[v] = own[v]
                changed = True
                while changed:
                    changed = False
                    for v in comp:
                        f = needs_met(v)
                        if f != up[v]:
                            up[v] = f
                            changed = True
            reach: list[int] = [FALSE] * n
            for comp, cyclic in _flow_components(ix):
                changed = True
                while changed:
                    changed = False
                    for v in comp:
                        f = TRUE if v in ix.entry_weight else FALSE
                        if f != TRUE:
                            for u in ix.fpred[v]:
                                f = b.or_(f, reach[u])
                        f = b.and_(up[v], f)
                        if f != reach[v]:
                            reach[v] = f
                            changed = changed or cyclic
            some_goal = FALSE
            for gl in ix.goals:
                some_goal = b.or_(some_goal, reach[gl])
            self.collapse = b.not_(some_goal)
        self.up = up

    def p_true(self, avail: Sequence[float]) -> list[float]:
        p = [1.0] * self.ix.n
        for v, a in enumerate(avail):
            p[self.level[v]] = a
        return p

    def collapse_and_importance(self, avail: Sequence[float]
                                ) -> tuple[float, list[float], list[float]]:
        """(Q, Q with each element down, Q with each element perfect)."""
        q, grad = self.bdd.derivatives(self.collapse, self.p_true(avail))
        q_down, q_up = [], []
        for v in range(self.ix.n):
            birnbaum = -grad[self.level[v]]  # Q(down) - Q(up) = -dQ/da
            a = avail[v]
            q_down.append(_unit(q + a * birnbaum))
            q_up.append(_unit(q - (1.0 - a) * birnbaum))
        return _unit(q), q_down, q_up

    def completion(self, avail: Sequence[float], max_patterns: int = AUTO_PATTERNS,
                   extra_nodes: int = AUTO_EXTRA_NODES) -> tuple[float, int]:
        """(expected completion, number of down-touch-point sets solved); raises
        :class:`NotAffordable` past either limit."""
        ix, b = self.ix, self.bdd
        b.max_nodes = len(b) + extra_nodes
        p = self.p_true(avail)
        reach0 = reachable(ix, ())
        tps = sorted(reach0, key=self.level.__getitem__)
        solver = FlowSolver(ix)
        total = 0.0
        solved = 0
        stack: list[tuple[int, int, tuple[int, ...]]] = [(TRUE, 0, ())]
        with deep_recursion(4 * ix.n + 2000):
            while stack:
                ctx, i, down = stack.pop()
                if down and not _goal_reachable(ix, down):
                    continue  # collapsed: nobody completes, whatever else is down
                if i == len(tps):
                    solved += 1
                    if solved > max_patterns:
                        raise NotAffordable(f"expected completion: more than {max_patterns} "
                                            "distinct sets of down touch-points")
                    pr = b.probability(ctx, p)
                    if pr > 0:
                        total += pr * solver.completion(solver.solve(down))
                    continue
                t = tps[i]
                c_up = b.and_(ctx, self.up[t])
                c_down = b.and_(ctx, b.not_(self.up[t]))
                # A branch with no chance at all (it needs an element of availability
                # 1 to fail) is dropped: it would only add zero terms.
                if c_down != FALSE and b.probability(c_down, p) > 0:
                    stack.append((c_down, i + 1, down + (t,)))
                if c_up != FALSE:
                    stack.append((c_up, i + 1, down))
        return _unit(total), solved


def _goal_reachable(ix: Index, down: Sequence[int]) -> bool:
    return any(ix.is_goal[v] for v in reachable(ix, set(down)))


def _unit(x: float) -> float:
    """Clip float dust to [0, 1]."""
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def exact(ix: Index, avail: Sequence[float], *, max_nodes: int = EXACT_MAX_NODES,
          max_patterns: int = EXACT_PATTERNS, extra_nodes: int = EXACT_EXTRA_NODES
          ) -> ProbabilityResult:
    """Exact Q, completion and per-element Q(down)/Q(up); raises :class:`NotAffordable`."""
    model, q, q_down, q_up = _exact_collapse(ix, avail, max_nodes)
    comp, solved = _exact_completion(model, avail, max_patterns, extra_nodes)
    note = (f"exact: decision diagram of {len(model.bdd)} nodes, {solved} distinct set(s) "
            "of down touch-points solved")
    return ProbabilityResult(EXACT, q, comp, None, None, None, None, note,
                             list(q_down), list(q_up))


def _exact_collapse(ix: Index, avail: Sequence[float], max_nodes: int
                    ) -> tuple[ExactModel, float, list[float], list[float]]:
    if ix.n > EXACT_MAX_ELEMENTS:
        raise NotAffordable(f"{ix.n} elements (exact is tried up to {EXACT_MAX_ELEMENTS})")
    try:
        model = ExactModel(ix, max_nodes)
    except TooBig:
        raise NotAffordable(f"the decision diagram passed {max_nodes} nodes") from None
    q, q_down, q_up = model.collapse_and_importance(avail)
    return model, q, q_down, q_up


def _exact_completion(model: ExactModel, avail: Sequence[float], max_patterns: int,
                      extra_nodes: int) -> tuple[float, int]:
    try:
        return model.completion(avail, max_patterns, extra_nodes)
    except TooBig:
        raise NotAffordable(f"expected completion: splitting the decision diagram by down "
                            f"touch-points passed {extra_nodes} more nodes") from None


# --- Monte Carlo -------------------------------------------------------------------------

# Trials per block: a block's bit columns (own draws, up, reach: ~3 per element) stay
# within about 48 MB; small journeys draw all their trials in one block.
BLOCK_WORDS = 1 << 21
SPARSE = 0.05  # failure chance under which failures are drawn by position, not per trial


def element_stream(seed: int, element_id: str) -> Any:
    """The random stream of one element: PCG64 keyed by (seed, the element's id)."""
    import numpy as np

    key = zlib.crc32(element_id.encode("utf-8"))
    entropy = seed << 1 if seed >= 0 else (-seed << 1) | 1  # any int, one to one
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        entropy=entropy, spawn_key=(key,))))


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi


class _Completion:
    """Completion for a set of down touch-points (reachable ones, the journey not
    collapsed), memoised. The engine's exact incremental update (:mod:`.fast`'s step 3):
    segment by segment between gateways, else the local update from the baseline
    visits, else the flow solver upstream of the down touch-points."""

    def __init__(self, ix: Index):
        self.ix = ix
        self.solver = FlowSolver(ix)
        self.p0 = self.solver.solve(())
        self.comp0 = self.solver.completion(self.p0)
        self.memo: dict[tuple[int, ...], float] = {}
        self._segments: Segments | None = None
        self._segments_ready = self._local_ready = False

    def __call__(self, down: tuple[int, ...]) -> float:
        if not down:
            return self.comp0
        c = self.memo.get(down)
        if c is None:
            d = frozenset(down)
            if not self._segments_ready:
                self._segments = Segments.build(self.ix, reachable(self.ix, ()), self.comp0)
                self._segments_ready = True
            delta = self._segments.loss(d) if self._segments is not None else None
            if delta is None:
                if not self._local_ready:
                    self.solver.prepare_local(self.p0)
                    self._local_ready = True
                delta = self.solver.local_loss(d)
            if delta is None:
                p, _ = self.solver.resolve(d, self.p0)
                delta = self.comp0 - self.solver.completion(p)
            c = self.memo[down] = self.comp0 - delta
        return c


_COMPLETIONS: dict[tuple[object, ...], _Completion] = {}


def _completion_for(ix: Index) -> _Completion:
    """The memoised completions of this flow layer. Completion given the down
    touch-points depends on the flow layer alone, so a fix (which changes needs and adds
    supports after every touch-point) or a re-run reuses them; a few layers are kept."""
    spec = ix.spec
    key = (tuple(e.id for e in spec.elements if e.is_touchpoint),
           tuple((e.entry, e.goal, e.share) for e in spec.elements if e.is_touchpoint),
           tuple((f.source, f.target, f.share) for f in spec.flows))
    found = _COMPLETIONS.get(key)
    if found is None:
        if len(_COMPLETIONS) >= 4:
            _COMPLETIONS.pop(next(iter(_COMPLETIONS)))
        found = _COMPLETIONS[key] = _Completion(ix)
    return found


def monte_carlo(ix: Index, avail: Sequence[float], trials: int, seed: int,
                note: str = "") -> ProbabilityResult:
    """Seeded, vectorised Monte Carlo (see module docs)."""
    import numpy as np

    n = ix.n
    reach0 = reachable(ix, ())
    needs_order = _needs_components(ix)
    flow_order = _flow_components(ix)
    goals = [g for g in ix.goals if g in reach0]
    entries = set(ix.entries)
    streams: list[Any] = [
        element_stream(seed, ix.ids[v]) if avail[v] < 1 else None for v in range(n)]
    uncertain = [v for v in range(n) if avail[v] < 1]
    completion_of = _completion_for(ix)
    comp0 = completion_of.comp0
    flow_sinks_first = list(reversed(flow_order))
    tps = sorted(reach0)

    chunk = max(4096, (BLOCK_WORDS // max(n, 1)) * 64)
    collapses = 0
    comp_sum = comp_sq = 0.0
    own_down_n = [0] * n
    own_down_c = [0] * n
    done = 0
    while done < trials:
        size = min(chunk, trials - done)
        done += size
        words = (size + 63) // 64
        full = np.full(words, np.uint64(0xFFFFFFFFFFFFFFFF), dtype=np.uint64)
        valid = full.copy()
        if size % 64:
            valid[-1] = np.uint64((1 << (size % 64)) - 1)
        own: dict[int, Any] = {}
        for v in uncertain:
            own[v] = _draw(streams[v], avail[v], size, words)
        up: list[Any] = [None] * n
        for comp, cyclic in needs_order:
            if not cyclic:
                up[comp[0]] = _needs_met(ix, comp[0], own, up, full)
                continue
            for v in comp:
                up[v] = own.get(v, full)
            changed = True
            while changed:
                changed = False
                for v in comp:
                    f = _needs_met(ix, v, own, up, full)
                    if not np.array_equal(f, up[v]):
                        up[v] = f
                        changed = True
        zero = np.zeros(words, dtype=np.uint64)
        reach: dict[int, Any] = {}
        for comp, cyclic in flow_order:
            changed = True
            while changed:
                changed = False
                for v in comp:
                    if v in entries:
                        f = up[v]
                    else:
                        f = zero
                        for u in ix.fpred[v]:
                            r = reach.get(u)
                            if r is not None:
                                f = f | r
                        f = f & up[v]
                    old = reach.get(v)
                    if old is None or not np.array_equal(f, old):
                        reach[v] = f
                        changed = changed or cyclic
        some_goal = zero
        for gl in goals:
            some_goal = some_goal | reach[gl]
        collapse = valid & ~some_goal
        collapses += _popcount(collapse)
        for v in uncertain:
            d = valid & ~own[v]
            own_down_n[v] += _popcount(d)
            own_down_c[v] += _popcount(d & collapse)
        # Completion: comp0 where no reachable touch-point is down, 0 where the journey
        # collapsed, the flow solver once per distinct set of down touch-points (large
        # journeys, where nearly every trial is its own set: the same customer rule
        # column-wise over the trials, see _vector_completion).
        alive = valid & some_goal
        downs: list[tuple[int, np.ndarray]] = []
        hit = zero
        for t in tps:
            d = alive & ~up[t]
            if d.any():
                downs.append((t, d))
                hit = hit | d
        n_hit = _popcount(hit)
        n_alive = _popcount(alive)
        comp_sum += comp0 * (n_alive - n_hit)
        comp_sq += comp0 * comp0 * (n_alive - n_hit)
        if n_hit:
            vals = None
            if len(tps) > VECTOR_TOUCHPOINTS:
                vals = _vector_completion(ix, flow_sinks_first, completion_of, hit, downs)
            if vals is not None:
                comp_sum += float(vals.sum())
                comp_sq += float((vals * vals).sum())
            else:
                for key, c in _patterns(hit, downs):
                    val = completion_of(key)
                    comp_sum += c * val
                    comp_sq += c * val * val
    q = collapses / trials
    mean = comp_sum / trials
    var = max(0.0, comp_sq / trials - mean * mean)
    half = Z95 * math.sqrt(var / trials) if trials > 1 else 1.0
    q_down: list[float | None] = []
    q_up: list[float | None] = []
    for v in range(n):
        nd, cd = own_down_n[v], own_down_c[v]
        nu, cu = trials - nd, collapses - cd
        q_down.append(cd / nd if nd else None)
        q_up.append(cu / nu if nu else None)
    text = (f"monte-carlo: {trials} seeded trials" + (f" ({note})" if note else ""))
    return ProbabilityResult(MONTE_CARLO, q, _unit(mean), trials, seed, wilson(collapses, trials),
                             (_unit(mean - half), _unit(mean + half)), text, q_down, q_up,
                             completion_method=MONTE_CARLO)


def _needs_met(ix: Index, v: int, own: dict[int, Any], up: list[Any], full: Any) -> Any:
    """Bit column of "v works": its own draw and every hard group with enough members up."""
    acc = own.get(v, full)
    for gi in ix.hard_groups[v]:
        g = ix.groups[gi]
        acc = acc & _at_least(g.required, [up[m] for m in g.members], full)
    return acc


def _draw(rng: Any, a: float, size: int, words: int) -> Any:
    """One element's own state in ``size`` trials: bit set = it works."""
    import numpy as np

    gen: np.random.Generator = rng
    q = 1.0 - a
    if q < SPARSE:
        # Rare failures: how many (binomial), then where (uniform without replacement):
        # the same distribution as one Bernoulli draw per trial, at a fraction of the cost.
        k = int(gen.binomial(size, q))
        bits = np.full(words * 64, True)
        if k:
            bits[gen.choice(size, k, replace=False)] = False
    else:
        bits = np.ones(words * 64, dtype=bool)
        bits[:size] = gen.random(size) < a
    return np.packbits(bits, bitorder="little").view("<u8")


def _at_least(k: int, cols: list, full: object) -> object:
    """Bitwise "at least k of these columns are set"."""
    if k <= 1:
        acc = cols[0]
        for c in cols[1:]:
            acc = acc | c
        return acc
    if k == len(cols):
        acc = cols[0]
        for c in cols[1:]:
            acc = acc & c
        return acc
    import numpy as np

    zero = np.zeros_like(cols[0])
    t = [full] + [zero] * k
    for c in cols:
        for j in range(k, 0, -1):
            t[j] = t[j] | (t[j - 1] & c)
    return t[k]


def _popcount(x: object) -> int:
    import numpy as np

    return int(np.bitwise_count(x).sum())  # type: ignore[call-overload]


VECTOR_TOUCHPOINTS = 500  # more reachable touch-points: completion column-wise
VECTOR_TOLERANCE = 1e-14
VECTOR_MAX_SWEEPS = 10_000


def _vector_completion(ix: Index, flow_sinks_first: list[tuple[list[int], bool]],
                       base: _Completion, hit: Any, downs: list[tuple[int, Any]]) -> Any:
    """Completion in each trial of ``hit``, all trials at once: the customer rule of
    :mod:`.flow` with one float column per touch-point (its chance to reach a goal in
    each trial), sinks first; only touch-points upstream of a down one are computed
    (the others keep their baseline chance). A flow loop is swept Gauss-Seidel from 0
    to the least solution, like the oracle, until it moves less than 1e-14; if it does
    not settle, ``None`` (the caller then solves each set exactly)."""
    import numpy as np

    trials = np.array(_set_bits(hit))
    down: dict[int, Any] = {}
    for t, d in downs:
        down[t] = np.unpackbits(d.view(np.uint8), bitorder="little")[trials].astype(bool)
    affected = upstream(ix.fpred, down)
    p0 = base.p0
    p: dict[int, Any] = {}
    zeros = np.zeros(len(trials))

    def step(v: int) -> Any:
        dv = down.get(v)
        if ix.is_goal[v]:
            return zeros + 1.0 if dv is None else (~dv).astype(float)
        num: Any = 0.0
        den: Any = 0.0
        for w, sh in ix.fsucc[v]:
            dw = down.get(w)
            den = den + (sh if dw is None else sh * ~dw)
            num = num + sh * (p[w] if w in p else p0[w])
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0) + zeros
        return out if dv is None else np.where(dv, 0.0, out)

    for comp, cyclic in flow_sinks_first:
        members = [v for v in comp if v in affected]
        if not members:
            continue
        if not cyclic:
            p[members[0]] = step(members[0])
            continue
        for v in comp:  # the whole loop: its members' chances depend on each other
            p[v] = zeros.copy()
        for _ in range(VECTOR_MAX_SWEEPS):
            moved = 0.0
            for v in comp:
                new = step(v)
                moved = max(moved, float(np.max(np.abs(new - p[v]))))
                p[v] = new
            if moved <= VECTOR_TOLERANCE:
                break
        else:
            return None
    total: Any = zeros.copy()
    for e, w in ix.entry_weight.items():
        total = total + w * (p[e] if e in p else p0[e])
    return total


def _patterns(hit: Any, downs: list[tuple[int, Any]]) -> list[tuple[tuple[int, ...], int]]:
    """(set of down touch-points, number of trials) over the trials in ``hit``: one bit
    row per touch-point, read column-wise at the hit trials, and grouped by np.unique."""
    import numpy as np

    trials = np.array(_set_bits(hit))
    rows = np.empty((len(downs), len(trials)), dtype=bool)
    for k, (_, d) in enumerate(downs):
        rows[k] = np.unpackbits(d.view(np.uint8), bitorder="little")[trials]
    # One key per trial: the packed row bits as a fixed-size byte string, so that
    # np.unique works on a flat array (unique over axis=0 is several times slower).
    packed = np.ascontiguousarray(np.packbits(rows, axis=0).T)
    flat = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    keys, counts = np.unique(flat, return_counts=True)
    names = [t for t, _ in downs]
    bits = np.unpackbits(np.frombuffer(keys.tobytes(), dtype=np.uint8).reshape(len(keys), -1),
                         axis=1)[:, : len(names)]
    rows_at, cols = np.nonzero(bits)  # row-major: each pattern's members in order
    ends = np.searchsorted(rows_at, np.arange(1, len(keys) + 1)).tolist()
    cols_list = cols.tolist()
    out = []
    start = 0
    for end, c in zip(ends, counts.tolist()):
        out.append((tuple(names[k] for k in cols_list[start:end]), c))
        start = end
    return out


def _set_bits(x: object) -> list[int]:
    """Trial numbers whose bit is set."""
    import numpy as np

    arr: np.ndarray = x  # type: ignore[assignment]
    nz = np.flatnonzero(arr)
    if not len(nz):
        return []
    bits = np.unpackbits(arr[nz].astype("<u8").view(np.uint8).reshape(len(nz), 8),
                         axis=1, bitorder="little")
    w, b = np.nonzero(bits)
    return (nz[w] * 64 + b).tolist()


# --- both --------------------------------------------------------------------------------

def collapse_probability(ix: Index, method: str = AUTO, *, trials: int = 100_000,
                         seed: int = 0, avail: Sequence[float] | None = None,
                         spofs: Collection[int] | None = None, comp0: float | None = None
                         ) -> ProbabilityResult:
    """Q, expected completion and per-element Q(down)/Q(up) by ``method``.

    :data:`AUTO`: Q exactly when its decision diagram is affordable, else everything by
    Monte Carlo; expected completion exactly when few sets of down touch-points have a
    chance, else by Monte Carlo (``completion_method`` says which; Q stays exact).
    :data:`EXACT` raises :class:`NotAffordable` instead of falling back. ``spofs`` and
    ``comp0`` (the completion with nothing failed), when the caller has them, save
    computing them when nothing can fail.
    """
    avail = availabilities(ix) if avail is None else avail
    if all(a >= 1 for a in avail):
        return _certain(ix, spofs, comp0)
    if method == MONTE_CARLO:
        return monte_carlo(ix, avail, trials, seed, "asked for")
    if method == EXACT:
        return exact(ix, avail)
    try:
        model, q, q_down, q_up = _exact_collapse(ix, avail, EXACT_MAX_NODES)
    except NotAffordable as why:
        return monte_carlo(ix, avail, trials, seed, f"exact not affordable: {why}")
    nodes = len(model.bdd)
    try:
        uncertain = sum(1 for t in reachable(ix, ()) if model.up[t] != TRUE)
        if uncertain > AUTO_UNCERTAIN_TOUCHPOINTS:
            raise NotAffordable(f"expected completion: {uncertain} touch-points may go "
                                f"down (exact is tried up to {AUTO_UNCERTAIN_TOUCHPOINTS})")
        comp, solved = _exact_completion(model, avail, AUTO_PATTERNS, AUTO_EXTRA_NODES)
    except NotAffordable as why:
        mc = monte_carlo(ix, avail, trials, seed)
        note = (f"exact collapse probability (decision diagram of {nodes} nodes); "
                f"completion by monte-carlo, {trials} seeded trials ({why})")
        return ProbabilityResult(EXACT, q, mc.completion, trials, seed, (q, q),
                                 mc.ci_completion, note, list(q_down), list(q_up),
                                 completion_method=MONTE_CARLO)
    note = (f"exact: decision diagram of {nodes} nodes, {solved} distinct set(s) of down "
            "touch-points solved")
    return ProbabilityResult(EXACT, q, comp, None, None, None, None, note,
                             list(q_down), list(q_up))


def _certain(ix: Index, spofs: Collection[int] | None, comp0: float | None = None
             ) -> ProbabilityResult:
    """Nothing can fail: Q = 0 and completion is the baseline, exactly; with one element
    down and everything else up, Q is 1 for a single point of failure, else 0."""
    if spofs is None:
        from journeymap.analysis.cutsets import CutFinder

        spofs = CutFinder(ix).spofs
    if comp0 is None:
        solver = FlowSolver(ix)
        comp0 = solver.completion(solver.solve(()))
    return ProbabilityResult(EXACT, 0.0, _unit(comp0), None, None, None, None,
                             "exact: no element can fail (every availability is 1)",
                             [1.0 if v in spofs else 0.0 for v in range(ix.n)],
                             [0.0] * ix.n)


def importance(result: ProbabilityResult, avail: Sequence[float], spof: Sequence[bool]
               ) -> list[ElementImportance]:
    """Birnbaum, criticality, RAW, RRW and Fussell-Vesely of every element (contract §8);
    ``None`` where undefined (Q = 0) or not estimated (Monte Carlo: no trial had the
    element fail, and it is not a single point of failure)."""
    q = result.collapse
    out = []
    # Elements with the same inputs share one (frozen) result: with nothing uncertain
    # there are two, one for the single points of failure and one for the rest.
    memo: dict[tuple[float, float | None, float], ElementImportance] = {}
    for a, qd, qu, is_spof in zip(avail, result.q_down, result.q_up, spof):
        if qd is None and is_spof:
            qd = 1.0  # a single point of failure down is a collapse, exactly
        if qu is None:
            qu = q
        key = (a, qd, qu)
        found = memo.get(key)
        if found is None:
            b = None if qd is None else max(0.0, qd - qu)
            found = memo[key] = ElementImportance(
                birnbaum=_r(b),
                criticality=_r(b * (1.0 - a) / q) if b is not None and q > 0 else None,
                raw=_r(qd / q) if qd is not None and q > 0 else None,
                rrw=_r(q / qu) if q > 0 and qu > 0 else None,
                fussell_vesely=_r((q - qu) / q) if q > 0 else None)
        out.append(found)
    return out


def _r(x: float | None) -> float | None:
    """Round for byte-stable output; never NaN or infinite (those are None)."""
    if x is None or not math.isfinite(x):
        return None
    r = float(f"{x:.12g}")  # 12 significant digits: RAW can be large
    return 0.0 if abs(r) < 1e-15 else r


__all__ = [
    "AUTO",
    "EXACT",
    "HOURS_PER_YEAR",
    "METHODS",
    "MONTE_CARLO",
    "OFF",
    "ElementImportance",
    "ExactModel",
    "NotAffordable",
    "ProbabilityResult",
    "availabilities",
    "collapse_probability",
    "exact",
    "importance",
    "monte_carlo",
    "variable_order",
    "wilson",
]
