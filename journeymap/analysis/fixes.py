"""Fixes: one ranked list of changes, each written into a copy of the journey and
re-analysed, used by ``journeymap analyze`` (every format) and the leadership report.

A fix is only worth money if it does what it says, so every effect reported is the
difference between the journey and a *copy* of it with the fix written in, analysed
again from scratch: its single points of failure, the customers the fixed part's
failure still stops and the outcomes it still cuts off, and (when the journey has risk
numbers) the collapse probability Q and expected completion by the same method, trials
and seed (Monte Carlo draws are keyed by element id, so the unchanged parts fail in the
same trials and the difference is the fix's, not the sampler's). Nothing else is
claimed; a candidate whose re-analysis shows no improvement is dropped. Pure: no I/O.

**What is tried, per part worth fixing** (every single point of failure, then the
failures that stop many customers or cut off an outcome, then people and teams that
are often away), each naming the real alternative:

* a support: ``second-provider``, a second one that relies on what the first relies on
  and that everything needing it may use instead; its words follow what the part is
  and who runs it (a second vendor; a standby in a second region; a backup team; a
  named deputy; a maintained copy);
* a support that parts use as a step (``workflow`` lines) or read (``data`` lines):
  ``fallback``, a way to carry on without it that needs nothing else the journey has
  (a manual step, a read-only copy of its data), on those lines only;
* a support that two "redundant" options both rely on (false redundancy):
  ``move-off``, one option moved to its own copy of it, so the pair becomes real;
* the journey's only start or finish: ``second-entry`` / ``second-goal``, a second one
  reached the same way;
* a touch-point every customer passes: ``second-channel``, the same step offered a
  second way (reached from the same steps, leading to the same next steps; when
  another party runs the step, on a platform of its own), and ``bypass`` (a direct
  route from the steps before it to the step after it) **only for relay steps**
  (:func:`is_relay`);
* a person or team that is often away: ``availability``, cover that makes it away a
  tenth as often (one more nine).

**Why bypasses are only for relay steps.** A relay is a hop through someone else's
service that adds nothing of ours: run by a partner or an outside party, needing only
systems and data that party runs (no people), sending every customer on to one and the
same next step (a short link, a redirect, a tracking link). Linking straight to where
it leads is the cheapest real fix. Any other step is there for what it gives the
customer, or *is* the content (the launch video a newsletter exists to show, a triage
nurse, an engineer's visit): skipping it would "save" the journey by removing what it
is for, so there the fix is to make the step itself redundant (a second channel) or
what it runs on (the supports' own fixes).

**Ranking** (the same for the command line and the report; :data:`ORDER` names each
rule, :func:`order_reason` says which one separates two fixes): fixes that remove a
single point of failure first (a failure that stops every customer is a fact of the
design, whatever the service levels, which are estimates, say); then most expected time
stopped saved (hours a year as the claims print them: minutes below an hour, tenths
below 10 hours, whole hours above); then most single points of failure removed (net of
any it adds); then the gain in expected completion (in whole customers a month, counted
a year to the two figures the claims print, when the journey gives its volume, else
tenths of a percentage point: smaller differences are ties); then most outcomes no
longer cut off by the fixed part; then most customers its failure no longer stops; then
the kind of fix (:data:`KIND_ORDER`: a move, skipping a relay, a second way, a fallback,
a copy, cover); then ours first, then a partner's, then an outside party's (among true
ties the one easiest to fix: ours needs no one else to agree); then name. Of the
candidates for one part only the best is kept (chosen by what the copies' structure
shows, the same ranking without the likelihood; only the chosen one's Q and completion
are computed), and a fix whose removals a better fix already makes is left out, so no
two fixes repeat each other.

**Cost.** Every candidate is one more analysis of the copy's structure (single points
of failure, one cascade); the one kept per part adds Q and completion, and pairs when
the journey's pairs were computed. At most :func:`rerun_budget` candidates are
re-analysed (48, fewer for large journeys: 5 at 1,000 elements); over
:data:`~journeymap.analysis.risk.AUTO_FIXES_MAX` elements none are (``fixes`` is
``null``, the text says so, the report says why no fix is shown).

>>> from journeymap.spec import load_spec                        # doctest: +SKIP
>>> from journeymap.analysis.risk import RiskOptions             # doctest: +SKIP
>>> fixes = rank_fixes(load_spec("specs/newsletter-video.journey.yaml"),
...                    RiskOptions())                            # doctest: +SKIP
>>> fixes[0].kind, fixes[0].effect.spofs_removed                 # doctest: +SKIP
('bypass', ('bitly-service', 'short-link'))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journeymap.analysis.cascade import Baseline, RawCascade
from journeymap.analysis.index import Index
from journeymap.analysis.probability import AUTO, HOURS_PER_YEAR, MONTE_CARLO
from journeymap.spec.model import Control, Element, ElementType, FlowLine, Need, Spec
from journeymap.words import agree, the

if TYPE_CHECKING:
    from journeymap.analysis.cutsets import CutFinder
    from journeymap.analysis.risk import Risk, RiskOptions

SECOND_PROVIDER, FALLBACK, MOVE_OFF = "second-provider", "fallback", "move-off"
SECOND_CHANNEL, BYPASS = "second-channel", "bypass"
SECOND_ENTRY, SECOND_GOAL, AVAILABILITY = "second-entry", "second-goal", "availability"
# Among fixes equal on every number: a targeted move first, then skipping a relay (only
# ever offered for relays, where it is the cheapest real fix), then fixes that add a
# second way or a fallback, then a second copy, then cover (see the module docs).
KIND_ORDER = {MOVE_OFF: 0, BYPASS: 1, SECOND_ENTRY: 2, SECOND_GOAL: 2, SECOND_CHANNEL: 3,
              FALLBACK: 4, SECOND_PROVIDER: 5, AVAILABILITY: 6}
# The ranking rules, in order (:func:`order_reason` returns one of these names).
ORDER = ("removes", "hours", "spofs", "completion", "outcomes", "customers", "kind",
         "control", "name")
# Among true ties, ours first: the report calls ours the easiest to fix, and a partner's
# or an outside party's fix needs them to agree (an executive read "ours are the easiest
# to fix" beside our own fix ranked behind a partner's on a tenth of a customer).
CONTROL_ORDER = {Control.INTERNAL: 0, Control.PARTNER: 1, Control.EXTERNAL: 2,
                 Control.UNKNOWN: 3}
SUFFIX = "~"  # ids the copies add end in "~second", "~fallback", …: never a spec id
PARTIAL_SHARE = 0.2  # a failure stopping at least this share is worth a fix too
PARTIAL_LIMIT = 6  # … at most this many of them (largest first)
COVER_LIMIT = 3  # people and teams given cover (most critical first)
COVER_KINDS = ("person", "team")
# The second way through one of our own steps, by its channel.
CHANNEL_WORDS = {"web": "web page", "app": "app screen", "email": "email", "sms": "text message",
                 "phone": "phone line", "chat": "chat", "self-service": "self-service route",
                 "post": "postal route", "letter": "letter", "social": "social channel"}
MAX_RERUNS = 48  # candidates re-analysed on a small journey
RERUN_ELEMENTS = 5_000  # … and at most this many elements re-analysed in all


@dataclass(frozen=True)
class FixEffect:
    """What the re-analysis of the fixed copy showed, before -> after."""

    spofs_removed: tuple[str, ...]  # single points of failure (ids) no longer
    spofs_added: tuple[str, ...]  # new ones (never expected; reported if so)
    spofs_before: int  # single points of failure of the journey (endpoints included)
    spofs_after: int  # … of the fixed copy
    lost_before: float  # share of customers the fixed part's failure stops, before
    lost_after: float  # … and after
    cut_off_before: tuple[str, ...]  # goal ids the fixed part's failure cuts off, before
    cut_off_after: tuple[str, ...]  # … and after
    collapse_before: float | None  # Q; None: probability off
    collapse_after: float | None
    completion_before: float | None  # expected completion
    completion_after: float | None
    pairs_removed: int | None = None  # cut sets of two; None: pairs not computed
    pairs_added: int | None = None

    @property
    def collapse_change(self) -> float | None:
        if self.collapse_before is None or self.collapse_after is None:
            return None
        return round(self.collapse_after - self.collapse_before, 12)

    @property
    def completion_change(self) -> float | None:
        if self.completion_before is None or self.completion_after is None:
            return None
        return round(self.completion_after - self.completion_before, 12)

    @property
    def hours_per_year_saved(self) -> float | None:
        c = self.collapse_change
        return None if c is None else round(-c * HOURS_PER_YEAR, 6) + 0.0  # no -0.0

    @property
    def outcomes_protected(self) -> tuple[str, ...]:
        """Goal ids the fixed part's failure cut off before and no longer does."""
        return tuple(g for g in self.cut_off_before if g not in self.cut_off_after)

    @property
    def customers_protected(self) -> float:
        return round(max(0.0, self.lost_before - self.lost_after), 12)


@dataclass(frozen=True)
class Fix:
    """One verified fix: what to do (in plain words) and what the re-analysis showed."""

    kind: str  # one of KIND_ORDER
    element: str  # the part the fix is about (id)
    line: tuple[str, str] | None  # (source, target): the one needs line it changes
    title: str  # what to do, naming the real alternative
    alternative: str  # the alternative alone: "a second vendor", "a manual fallback step"
    assumption: str  # what the re-analysis assumed about the fix
    effect: FixEffect
    users: tuple[str, ...] = ()  # parts that switch to the alternative (ids)
    moved: str = ""  # move-off: the option moved to its own copy
    partners: tuple[str, ...] = ()  # move-off: the options that looked redundant
    before: tuple[str, ...] = ()  # bypass: the steps customers come from
    after: tuple[str, ...] = ()  # bypass: the step they go on to
    spec: Spec | None = field(default=None, repr=False, compare=False)  # the fixed copy


@dataclass(frozen=True)
class FixSearch:
    """The ranked fixes and the parts whose candidates were re-analysed."""

    fixes: tuple[Fix, ...]
    tried: tuple[str, ...]  # ids, in the order tried
    budget: int  # candidates that could be re-analysed


@dataclass(frozen=True)
class _Candidate:
    kind: str
    element: str
    spec: Spec
    title: str
    alternative: str
    assumption: str
    line: tuple[str, str] | None = None
    users: tuple[str, ...] = ()
    moved: str = ""
    partners: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


# --------------------------------------------------------------------------- copies


def _copy(spec: Spec, elements: Sequence[Element], flows: Sequence[FlowLine] | None = None
          ) -> Spec:
    """A new journey with these elements (touch-points first, as the model keeps them;
    the existing ones keep their order and so their Monte Carlo streams)."""
    touch = [e for e in elements if e.is_touchpoint]
    rest = [e for e in elements if not e.is_touchpoint]
    return dataclasses.replace(spec, elements=tuple(touch + rest),
                               flows=tuple(spec.flows if flows is None else flows))


def _with_alternative(need: Need, old: str, new: str) -> Need:
    """``old`` -> ``any: [old, new]``; a group holding ``old`` gains ``new``."""
    if old not in need.targets or new in need.targets:
        return need
    form = "any" if need.form == "id" else need.form
    return dataclasses.replace(need, targets=need.targets + (new,), form=form)


def _twin(e: Element, suffix: str, name: str) -> Element:
    # Same owner, needs, stage and availability (the effective one: a twin of a part
    # with its own value or its party's fails as often).
    return dataclasses.replace(e, id=e.id + SUFFIX + suffix, name=name, entry=False,
                               goal=False)


def _users(spec: Spec, sid: str, kinds: tuple[str, ...] | None = None) -> tuple[str, ...]:
    return tuple(e.id for e in spec.elements for n in e.needs
                 if sid in n.targets and (kinds is None or n.kind in kinds))


def _second_words(spec: Spec, e: Element) -> tuple[str, str]:
    """(alternative, title) of a second one of a support, by what it is and who runs it."""
    control = spec.control_of(e.id)
    party = spec.party_name(e.id)
    kind = e.kind or ""
    standby = f"{agree(e.name, 'a standby', 'standby')} {e.name}"
    if kind == "vendor":
        return "a second vendor", f"Add a second vendor for {the(e.name)}"
    if kind == "system" and control in (Control.EXTERNAL, Control.PARTNER):
        return (f"a standby in a second region from {party}",
                f"Have {party} run {standby} in a second region")
    if kind == "system":
        return ("a standby copy in a second region or data centre",
                f"Run {standby} in a second region")
    return {
        "team": ("a backup team", f"Train a backup team for {the(e.name)}"),
        "person": ("a named deputy", f"Name a deputy for {e.name}"),
        "data": ("a maintained copy", f"Keep a maintained copy of {the(e.name)}"),
        "process": ("a second, independent process",
                    f"Set up a second, independent {e.name}"),
    }.get(kind, ("a second one", f"Add a second {e.name}"))


def second_provider(spec: Spec, sid: str) -> _Candidate | None:
    e = spec.by_id[sid]
    users = _users(spec, sid)
    if e.is_touchpoint or not users:
        return None
    alt, title = _second_words(spec, e)
    twin = _twin(e, "second", f"{alt} for {e.name}")
    elements = [dataclasses.replace(x, needs=tuple(_with_alternative(n, sid, twin.id)
                                                   for n in x.needs))
                for x in spec.elements] + [twin]
    return _Candidate(SECOND_PROVIDER, sid, _copy(spec, elements), title, alt,
                      f"{alt} for {sid}: the same needs, owner and availability as {sid}, "
                      f"accepted wherever {sid} is needed", users=users)


def fallback(spec: Spec, sid: str) -> _Candidate | None:
    """A way to carry on without ``sid`` on the lines that use it as a step or read it."""
    e = spec.by_id[sid]
    users = _users(spec, sid, ("workflow", "data"))
    if e.is_touchpoint or not users:
        return None
    kinds = {n.kind for x in spec.elements for n in x.needs
             if sid in n.targets and n.kind in ("workflow", "data")}
    if kinds == {"data"}:
        alt = "a read-only copy of its data"
        title = f"Keep a read-only copy of {the(e.name)}"
    elif kinds == {"workflow"}:
        alt = "a manual fallback step"
        title = f"Write a manual fallback for {the(e.name)}"
    else:
        alt = "a manual fallback step and a read-only copy of its data"
        title = f"Prepare a manual fallback and a data copy for {the(e.name)}"
    a = spec.availability_of(sid)[0]
    # Run by whoever owns the journey (a fallback is ours to write), else by the first
    # part that uses it.
    owner = spec.journey.owner if spec.journey.owner in spec.parties_by_id else (
        spec.by_id[users[0]].owner)
    fb = Element(id=sid + SUFFIX + "fallback", name=f"{alt} for {e.name}",
                 type=ElementType.SUPPORT, location=e.location, owner=owner,
                 stage=e.stage, kind="process", availability=a)
    elements = []
    for x in spec.elements:
        needs = tuple(_with_alternative(n, sid, fb.id) if n.kind in ("workflow", "data")
                      else n for n in x.needs)
        elements.append(dataclasses.replace(x, needs=needs) if needs != x.needs else x)
    line = (users[0], sid) if len(users) == 1 else None
    return _Candidate(FALLBACK, sid, _copy(spec, elements + [fb]), title, alt,
                      f"{alt} for {sid} that needs nothing else in the journey (availability "
                      f"{a:g}, run by {owner or 'the same owner'}); "
                      f"{', '.join(sorted(set(users)))} carry on with either",
                      line=line, users=users)


def false_redundancy(spec: Spec, ix: Index, sid: str) -> tuple[str, tuple[str, ...]] | None:
    """A redundant group (``any``/``at_least``) that ``sid`` takes down whole, and the
    option in it that needs ``sid`` directly (the one to move): ``(option, options)``."""
    from journeymap.analysis.propagation import propagate_indices

    down = {ix.ids[v] for v in propagate_indices(ix, {ix.pos[sid]})}
    for e in spec.elements:
        for need in e.needs:
            if not need.redundant or sum(t not in down for t in need.targets) >= need.required:
                continue
            direct = [t for t in need.targets
                      if any(sid in n.targets for n in spec.by_id[t].needs)]
            if direct:
                return direct[-1], tuple(t for t in need.targets if t in down)
    return None


def move_off(spec: Spec, ix: Index, sid: str) -> _Candidate | None:
    shared = false_redundancy(spec, ix, sid)
    e = spec.by_id[sid]
    if shared is None or e.is_touchpoint:
        return None
    member, partners = shared
    alt, _ = _second_words(spec, e)
    own = "its own " + alt.removeprefix("a ").removeprefix("an ")
    twin = _twin(e, "second", f"{alt} for {e.name}")
    m = spec.by_id[member]
    moved = dataclasses.replace(m, needs=tuple(
        dataclasses.replace(n, targets=tuple(twin.id if t == sid else t for t in n.targets))
        for n in m.needs))
    elements = [moved if x.id == member else x for x in spec.elements] + [twin]
    return _Candidate(MOVE_OFF, sid, _copy(spec, elements),
                      f"Move {the(m.name)} off {the(e.name)} onto {own}", own,
                      f"{member} stops relying on {sid} and gets {own} (same needs and "
                      f"availability as {sid}); {', '.join(partners)} then no longer fail "
                      f"together", line=(member, sid), users=(member,),
                      moved=member, partners=partners)


def second_endpoint(spec: Spec, tid: str) -> _Candidate:
    e = spec.by_id[tid]
    start = e.entry and not e.goal
    twin = dataclasses.replace(e, id=tid + SUFFIX + ("entry" if start else "goal"),
                               name=f"a second way {'in' if start else 'to finish'}")
    flows = list(spec.flows)
    if e.entry:
        flows += [dataclasses.replace(f, source=twin.id) for f in spec.flows if f.source == tid]
    if e.goal:
        flows += [dataclasses.replace(f, target=twin.id) for f in spec.flows if f.target == tid]
    what = "a second way in" if start else "a second way to finish"
    title = (f"Open a second way in besides {the(e.name)}" if start else
             f"Offer a second way to finish besides {the(e.name)}")
    return _Candidate(SECOND_ENTRY if start else SECOND_GOAL, tid,
                      _copy(spec, list(spec.elements) + [twin], flows), title,
                      what + " (another channel)",
                      f"{what} beside {tid} with the same needs and availability, "
                      + ("leading to the same next steps" if start else
                         "reached from the same steps"))


def is_relay(spec: Spec, tid: str) -> bool:
    """A hop through someone else's service that adds nothing of ours (a short link, a
    redirect, a tracking link): run by a partner or an outside party, needing only
    systems and data that party runs (no people), and sending every customer on to one
    and the same next step.
    Skipping it keeps every step customers came for (module docs)."""
    e = spec.by_id[tid]
    if not e.is_touchpoint or e.entry or e.goal or e.owner is None:
        return False
    if spec.control_of(tid) not in (Control.EXTERNAL, Control.PARTNER):
        return False
    hard = [spec.by_id[t] for n in e.needs if n.hard for t in n.targets]
    if any(x.owner != e.owner or x.kind in COVER_KINDS or x.is_touchpoint for x in hard) or any(
            n.kind == "people" for n in e.needs if n.hard):
        return False  # ours in it, or people: a visit, a call, a desk is the service
    nxt = {f.target for f in spec.flows if f.source == tid and f.target != tid}
    came = any(f.target == tid and f.source != tid for f in spec.flows)
    return came and len(nxt) == 1


def bypass(spec: Spec, tid: str) -> _Candidate | None:
    if not is_relay(spec, tid):
        return None
    e = spec.by_id[tid]
    before = tuple(sorted({f.source for f in spec.flows if f.target == tid and f.source != tid}))
    outs = [f for f in spec.flows if f.source == tid and f.target != tid]
    after = tuple(sorted({f.target for f in outs}))
    have = {(f.source, f.target) for f in spec.flows}
    extra = [FlowLine(b, f.target, f.location, f.share, "fix: skips " + tid)
             for b in before for f in outs if b != f.target and (b, f.target) not in have]
    nxt = spec.by_id[after[0]].name
    return _Candidate(BYPASS, tid, _copy(spec, spec.elements, list(spec.flows) + extra),
                      f"Link straight to {the(nxt)}, skipping {the(e.name)}",
                      f"a direct link to {the(nxt)}",
                      f"flow lines from {', '.join(before)} straight to {', '.join(after)}: "
                      f"{tid} only passes customers on, so skipping it loses no step",
                      before=before, after=after)


def second_channel(spec: Spec, tid: str) -> _Candidate | None:
    """The same step offered a second way: the same steps lead to it and it leads on to
    the same steps. When another party runs the step, the copy runs on a platform of its
    own (that party's supports are copied for it); the rest it needs is shared."""
    e = spec.by_id[tid]
    if not e.is_touchpoint or e.entry or e.goal:
        return None
    ins = [f for f in spec.flows if f.target == tid and f.source != tid]
    outs = [f for f in spec.flows if f.source == tid and f.target != tid]
    if not ins or not outs:
        return None
    theirs = spec.control_of(tid) in (Control.EXTERNAL, Control.PARTNER)
    platform = [spec.by_id[t] for n in e.needs for t in n.targets
                if theirs and not spec.by_id[t].is_touchpoint and e.owner is not None
                and spec.by_id[t].owner == e.owner]
    copies = {p.id: _twin(p, "channel", f"a second platform for {p.name}") for p in platform}
    twin = dataclasses.replace(
        e, id=tid + SUFFIX + "channel", name=f"a second way through {e.name}",
        owner=None if theirs else e.owner,
        needs=tuple(dataclasses.replace(n, targets=tuple(copies[t].id if t in copies else t
                                                         for t in n.targets))
                    for n in e.needs))
    flows = list(spec.flows) + [dataclasses.replace(f, target=twin.id) for f in ins] + [
        dataclasses.replace(f, source=twin.id) for f in outs]
    party = spec.party_name(tid)
    people = any(n.kind == "people" or spec.by_id[t].kind in COVER_KINDS
                 for n in e.needs if n.hard for t in n.targets)
    if theirs and people:
        alt = f"a second contractor for the same step, besides {party}"
        title = f"Contract a second firm for {the(e.name)}"
    elif theirs:
        alt = f"the same step on a platform {party} does not run"
        title = f"Offer {the(e.name)} on a second platform too"
    elif people:
        alt = "a second team or desk for the same step"
        title = f"Staff a second {e.name}"
    else:
        alt = f"a second {CHANNEL_WORDS.get(e.channel or '', 'channel')} for the same step"
        title = f"Offer a second way through {the(e.name)}"
    return _Candidate(SECOND_CHANNEL, tid,
                      _copy(spec, list(spec.elements) + [twin] + list(copies.values()), flows),
                      title, alt,
                      f"a copy of {tid} reached from the same steps and leading to the same "
                      f"next steps" + (f", on its own copy of {', '.join(sorted(copies))}"
                                       if copies else ", needing what it needs"))


def cover(spec: Spec, eid: str) -> _Candidate | None:
    e = spec.by_id[eid]
    a = spec.availability_of(eid)[0]
    if e.kind not in COVER_KINDS or a >= 1:
        return None
    b = round(1 - (1 - a) / 10, 12)
    if e.kind == "person":
        alt, title = "a named deputy who covers absences", f"Name a deputy for {e.name}"
    else:
        alt, title = "cover on the rota", f"Add cover for {the(e.name)}"
    return _Candidate(AVAILABILITY, eid,
                      _copy(spec, [dataclasses.replace(x, availability=b) if x.id == eid
                                   else x for x in spec.elements]),
                      title, alt,
                      f"{eid} is there {b:g} of the time instead of {a:g} (away a tenth as "
                      f"often)")


# --------------------------------------------------------------------------- verification


@dataclass
class _Base:
    """The journey as analysed, for comparing every copy with it."""

    spec: Spec
    ix: Index
    spofs: frozenset[str]
    cascades: Sequence[RawCascade]
    method: str | None  # probability method for the copies; None: probability off
    trials: int
    seed: int
    collapse: float | None
    completion: float | None
    pairs: frozenset[tuple[str, ...]] | None  # None: pairs not computed

    def cut_off(self, v: int) -> tuple[str, ...]:
        c = self.cascades[v]
        gone = c.failed | c.down | c.stranded
        return tuple(self.ix.ids[g] for g in self.ix.goals if g in gone)


def _verify(base: _Base, cand: _Candidate, likelihood: bool) -> tuple[FixEffect, CutFinder]:
    """The copy's structure re-analysed (and its likelihood, when asked)."""
    from journeymap.analysis.cutsets import CutFinder

    ix = Index(cand.spec)
    finder = CutFinder(ix)
    after = {ix.ids[v] for v in finder.spofs}
    raw = Baseline(ix).cascade((ix.pos[cand.element],))
    gone = raw.failed | raw.down | raw.stranded
    v0 = base.ix.pos[cand.element]
    effect = FixEffect(
        spofs_removed=tuple(sorted(base.spofs - after)),
        spofs_added=tuple(sorted(after - base.spofs)),
        spofs_before=len(base.spofs), spofs_after=len(after),
        lost_before=base.cascades[v0].customers_lost, lost_after=raw.customers_lost,
        cut_off_before=base.cut_off(v0),
        cut_off_after=tuple(ix.ids[g] for g in ix.goals if g in gone
                            and SUFFIX not in ix.ids[g]),
        collapse_before=None, collapse_after=None,
        completion_before=None, completion_after=None)
    return (_with_likelihood(base, ix, effect) if likelihood else effect), finder


def _with_likelihood(base: _Base, ix: Index, effect: FixEffect) -> FixEffect:
    """``effect`` with Q and expected completion of the copy (by the journey's method,
    trials and seed), when the journey has risk numbers."""
    from journeymap.analysis.probability import collapse_probability

    if base.method is None:
        return effect
    p = collapse_probability(ix, base.method, trials=base.trials, seed=base.seed)
    return dataclasses.replace(effect, collapse_before=base.collapse,
                               collapse_after=_p(p.collapse),
                               completion_before=base.completion,
                               completion_after=_p(p.completion))


def _p(x: float) -> float:
    r = round(x, 12)
    return 0.0 if r <= 0 else min(r, 1.0)


def _better(base: _Base, kind: str, eid: str, e: FixEffect) -> bool:
    if len(e.spofs_added) > len(e.spofs_removed):
        return False
    if eid in base.spofs:
        return eid in e.spofs_removed
    if kind == AVAILABILITY:
        return (e.collapse_change or 0.0) < 0 or (e.completion_change or 0.0) > 0
    return e.lost_after < e.lost_before or bool(e.outcomes_protected)


def hours_shown(q: float | None) -> float:
    """A chance of being stopped as the hours a year the outputs print for it: minutes
    below an hour, tenths below 10 hours, whole hours above (so two fixes whose claims
    read the same rank as equal, and the next rule decides).

    >>> hours_shown(0.0154), hours_shown(0.0005), hours_shown(0.00001)
    (135.0, 4.4, 0.083333)
    """
    if q is None or q <= 0:
        return 0.0
    h = q * HOURS_PER_YEAR
    if h < 1:
        return round(max(1, round(h * 60)) / 60, 6)
    return float(round(h)) if h >= 10 else round(h, 1)


def hours_saved_shown(e: FixEffect) -> float:
    """Hours a year saved as the claim prints them (before minus after, each rounded)."""
    if e.collapse_before is None or e.collapse_after is None:
        return 0.0
    return round(hours_shown(e.collapse_before) - hours_shown(e.collapse_after), 6)


def completion_shown(spec: Spec, e: FixEffect) -> float:
    """The gain in expected completion at the precision that matters on the page: when
    the journey gives its ``volume``, whole customers a month (a tenth of a customer a
    month is no reason to fund one fix first) as a year's count to the two figures the
    claims print ("keeps about 2,900 customers a year": 2,928 and 2,856 tie); else tenths
    of a percentage point. Smaller differences are ties and the next rule decides."""
    gain = e.completion_change or 0.0
    volume = getattr(spec.journey, "volume", None)
    if volume:
        a_year = abs(round(gain * float(volume))) * 12
        figures = round(a_year, -max(len(str(a_year)) - 2, 0)) if a_year else 0
        return float(figures if gain >= 0 else -figures)
    return round(gain * 1000) / 10


def customers_kept_a_year(spec: Spec, e: FixEffect) -> float | None:
    """Customers a year a fix keeps on the journey, on average: its verified gain in
    expected completion x ``volume`` (customers a month) x 12; ``None`` without a volume
    or without risk numbers."""
    volume = getattr(spec.journey, "volume", None)
    if not volume or e.completion_change is None:
        return None
    return max(0.0, e.completion_change) * float(volume) * 12


def rank_key(spec: Spec, fix: Fix) -> tuple[object, ...]:
    """The ranking (module docs), one entry per rule of :data:`ORDER`."""
    e = fix.effect
    return (not e.spofs_removed, -hours_saved_shown(e),
            -(len(e.spofs_removed) - len(e.spofs_added)),
            -completion_shown(spec, e),
            -len(e.outcomes_protected),
            -round(e.customers_protected, 9),
            KIND_ORDER.get(fix.kind, 9),
            CONTROL_ORDER.get(spec.control_of(fix.element), 9),
            (spec.by_id[fix.element].name.casefold(), fix.element))


def order_reason(spec: Spec, first: Fix, second: Fix) -> str:
    """The rule of :data:`ORDER` that puts ``first`` before ``second`` ("" if none)."""
    for rule, a, b in zip(ORDER, rank_key(spec, first), rank_key(spec, second)):
        if a != b:
            return rule
    return ""


def rerun_budget(n: int) -> int:
    """Candidates re-analysed for a journey of ``n`` elements (each costs an analysis)."""
    return max(4, min(MAX_RERUNS, RERUN_ELEMENTS // max(n, 1)))


def _targets(base: _Base, importance: dict[str, float]) -> list[str]:
    """Parts worth a fix, most promising first: single points of failure (by how much
    they add to Q, then how often they are down), the failures that stop many customers
    or cut off an outcome (largest first), then people and teams often away."""
    spec, ix = base.spec, base.ix
    spofs = sorted(base.spofs, key=lambda i: (-importance.get(i, 0.0),
                                              spec.availability_of(i)[0], i))
    many_goals = len(ix.goals) > 1
    partial = [ix.ids[v] for v, c in enumerate(base.cascades)
               if ix.ids[v] not in base.spofs and (
                   c.customers_lost >= PARTIAL_SHARE
                   or (many_goals and not ix.is_goal[v] and base.cut_off(v)))]
    partial.sort(key=lambda i: (-base.cascades[ix.pos[i]].customers_lost,
                                -len(base.cut_off(ix.pos[i])), i))
    people = sorted((e.id for e in spec.elements if e.kind in COVER_KINDS
                     and spec.availability_of(e.id)[0] < 1 and e.id not in base.spofs),
                    key=lambda i: (-importance.get(i, 0.0), spec.availability_of(i)[0], i))
    seen: set[str] = set()
    out = []
    for i in spofs + partial[:PARTIAL_LIMIT] + people[:COVER_LIMIT]:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def _candidates(base: _Base, eid: str) -> list[_Candidate]:
    spec = base.spec
    e = spec.by_id[eid]
    if e.is_touchpoint:
        if e.entry or e.goal:
            found: list[_Candidate | None] = [second_endpoint(spec, eid)]
        else:
            found = [bypass(spec, eid), second_channel(spec, eid)]
    elif eid not in base.spofs and base.cascades[base.ix.pos[eid]].customers_lost == 0 \
            and not base.cut_off(base.ix.pos[eid]):
        found = [cover(spec, eid)]  # harmless alone: only how often it is away matters
    else:
        found = [move_off(spec, base.ix, eid), fallback(spec, eid), second_provider(spec, eid)]
    return [c for c in found if c is not None]


def _prepare(spec: Spec, options: RiskOptions, base: Risk | None,
             spofs: set[str] | None, cascades: Sequence[RawCascade] | None,
             ix: Index | None) -> tuple[_Base, list[str]]:
    """The journey as analysed, and the parts worth a fix (most promising first)."""
    from journeymap.analysis.risk import assess_risk

    ix = ix or Index(spec)
    if base is None:
        base = assess_risk(spec, dataclasses.replace(options, fixes=False), ix,
                           with_fixes=False)
    if cascades is None:
        from journeymap.analysis.fast import fast_cascades

        cascades = fast_cascades(ix)[2]
    if spofs is None:
        spofs = {ix.ids[v] for v, c in enumerate(cascades) if c.collapses}
    p0 = base.probability
    method = None
    if p0 is not None:
        # Exact when it was exact for the journey (and affordable for the copy); Monte
        # Carlo with the same trials and seed when it was not.
        method = MONTE_CARLO if p0.method == MONTE_CARLO else AUTO
    pairs = (frozenset(c.ids for c in base.pairs)
             if base.cut_sets is not None and base.max_order >= 2 else None)
    b = _Base(spec, ix, frozenset(spofs), cascades, method, options.trials, options.seed,
              p0.collapse if p0 else None, p0.completion if p0 else None, pairs)
    importance = {i: (x.criticality or 0.0) for i, x in (base.importance or {}).items()}
    return b, _targets(b, importance)


def candidate_copies(spec: Spec, options: RiskOptions, base: Risk | None = None
                     ) -> list[tuple[str, str, Spec]]:
    """``(part, kind, fixed copy)`` for every candidate :func:`search_fixes` would
    re-analyse, in the same order and budget (the benchmarks re-analyse them the
    obvious way, each copy analysed whole, to compare)."""
    b, targets = _prepare(spec, options, base, None, None, None)
    return [(eid, c.kind, c.spec) for eid, cands in _within_budget(b, targets)
            for c in cands]


def _within_budget(b: _Base, targets: Sequence[str]
                   ) -> Iterator[tuple[str, list[_Candidate]]]:
    """``(part, its candidates)`` in order while the :func:`rerun_budget` lasts (a
    part's candidates are re-analysed all or none)."""
    left = rerun_budget(b.ix.n)
    for eid in targets:
        cands = _candidates(b, eid)
        if not cands:
            continue
        if len(cands) > left:
            break
        left -= len(cands)
        yield eid, cands


def search_fixes(spec: Spec, options: RiskOptions, base: Risk | None = None,
                 spofs: set[str] | None = None, cascades: Sequence[RawCascade] | None = None,
                 ix: Index | None = None) -> FixSearch:
    """Every candidate fix re-analysed (within :func:`rerun_budget`), ranked.

    ``base`` is the journey's own :class:`~.risk.Risk`, ``spofs`` its single points of
    failure (ids) and ``cascades`` every element's single-failure cascade in index order
    (each computed when not given)."""
    b, targets = _prepare(spec, options, base, spofs, cascades, ix)
    ix = b.ix
    budget = rerun_budget(ix.n)
    tried: list[str] = []
    best: list[tuple[Fix, CutFinder]] = []
    for eid, cands in _within_budget(b, targets):
        tried.append(eid)
        # The structure of every candidate first (cheap), then the likelihood of the best
        # one only (a probability computation each): a part's candidates differ in what
        # they remove, and where they do not the kind order decides anyway.
        verified = []
        for c in cands:
            effect, finder = _verify(b, c, likelihood=c.kind == AVAILABILITY)
            if _better(b, c.kind, eid, effect):
                verified.append((Fix(c.kind, eid, c.line, c.title, c.alternative,
                                     c.assumption, effect, c.users, c.moved, c.partners,
                                     c.before, c.after, c.spec), finder))
        if not verified:
            continue
        fix, finder = min(verified, key=lambda x: rank_key(spec, x[0]))
        if fix.kind != AVAILABILITY:
            fix = dataclasses.replace(fix, effect=_with_likelihood(b, finder.ix, fix.effect))
        best.append((fix, finder))
    best.sort(key=lambda x: rank_key(spec, x[0]))
    kept: list[Fix] = []
    covered: set[str] = set()
    for fix, finder in best:
        removed = set(fix.effect.spofs_removed)
        if fix.element in b.spofs and not removed - covered:
            continue  # a better fix already removes all it would
        covered |= removed
        if b.pairs is not None:
            after = {tuple(sorted(finder.ix.ids[v] for v in c)) for c in finder.cut_sets(2)}
            fix = dataclasses.replace(fix, effect=dataclasses.replace(
                fix.effect, pairs_removed=len(b.pairs - after), pairs_added=len(after - b.pairs)))
        kept.append(fix)
    return FixSearch(tuple(kept), tuple(tried), budget)


def _rebuild(spec: Spec, fix: Fix) -> _Candidate | None:
    """``fix`` written into ``spec`` again (a copy that may already hold other fixes)."""
    eid, kind = fix.element, fix.kind
    if eid not in spec.by_id:
        return None
    if kind == MOVE_OFF:
        return move_off(spec, Index(spec), eid)
    if kind in (SECOND_ENTRY, SECOND_GOAL):
        return second_endpoint(spec, eid)
    build = {FALLBACK: fallback, SECOND_PROVIDER: second_provider, BYPASS: bypass,
             SECOND_CHANNEL: second_channel, AVAILABILITY: cover}.get(kind)
    return build(spec, eid) if build is not None else None


def with_all(spec: Spec, fixes: Sequence[Fix]) -> Spec | None:
    """One copy of ``spec`` with every fix of ``fixes`` written in, one after the other
    (each built on the copy so far, exactly as it was built alone); ``None`` when one of
    them no longer applies to the copy."""
    copy = spec
    for fix in fixes:
        cand = _rebuild(copy, fix)
        if cand is None:
            return None
        copy = cand.spec
    return copy


@dataclass(frozen=True)
class Together:
    """The re-analysis of one copy with several fixes written in at once."""

    fixes: int  # how many
    spofs_after: int  # single points of failure of the copy (endpoints included)
    collapse_before: float
    collapse_after: float
    completion_before: float
    completion_after: float


def together(spec: Spec, fixes: Sequence[Fix], base: Risk) -> Together | None:
    """``fixes`` applied to one copy and analysed again from scratch (its single points
    of failure, Q and expected completion by the journey's method, trials and seed): what
    funding all of them buys, which is not the sum of each one's claim (their effects
    overlap). ``None`` without risk numbers or when the fixes do not combine."""
    from journeymap.analysis.cutsets import CutFinder
    from journeymap.analysis.probability import collapse_probability

    p0 = base.probability
    if p0 is None or len(fixes) < 2:
        return None
    copy = with_all(spec, fixes)
    if copy is None:
        return None
    ix = Index(copy)
    method = MONTE_CARLO if p0.method == MONTE_CARLO else AUTO
    p = collapse_probability(ix, method, trials=p0.trials or 100_000, seed=p0.seed or 0)
    return Together(len(fixes), len(CutFinder(ix).spofs), _p(p0.collapse), _p(p.collapse),
                    _p(p0.completion), _p(p.completion))


def rank_fixes(spec: Spec, options: RiskOptions, base: Risk | None = None,
               spofs: set[str] | None = None, cascades: Sequence[RawCascade] | None = None
               ) -> list[Fix]:
    """The verified fixes for ``spec``, best first (:func:`search_fixes`)."""
    return list(search_fixes(spec, options, base, spofs, cascades).fixes)


__all__ = [
    "AVAILABILITY", "BYPASS", "FALLBACK", "KIND_ORDER", "MOVE_OFF", "ORDER", "SECOND_CHANNEL",
    "SECOND_ENTRY", "SECOND_GOAL", "SECOND_PROVIDER", "Fix", "FixEffect", "FixSearch",
    "candidate_copies", "false_redundancy", "hours_saved_shown", "hours_shown", "is_relay",
    "order_reason", "together", "with_all", "Together", "completion_shown",
    "customers_kept_a_year",
    "rank_fixes", "rank_key", "rerun_budget", "search_fixes",
]
