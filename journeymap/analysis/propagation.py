"""Failure propagation over the dependency layer, to a fixpoint (contract §1).

An element is *down* if it failed itself, or a hard need of it is down, or every member
of a hard ``any`` group is down, or fewer than ``at_least`` members of a hard group are
up. Soft needs never take an element down: an up element whose soft need fails (by the
same group rule) is *degraded*.

Mutual dependencies (cycles in ``needs``) never fail by themselves: propagation starts
from the failed elements and only ever marks an element down because something it needs
is already down, so the result is the *least* fixpoint. A cycle goes down only when a
failure from outside (or inside) it knocks a member out.

Cost: O(n + m) per call with counters (each line is looked at once when its target goes
down) — Watts' threshold rule on a directed graph.

>>> from journeymap.spec import load_spec  # doctest: +SKIP
>>> spec = load_spec("specs/newsletter-video.journey.yaml")  # doctest: +SKIP
>>> sorted(propagate(spec, ["crm"]).down)  # doctest: +SKIP
['crm', 'esp', 'newsletter', 'sdr-team', 'signup-service', 'subscriber-list', 'trial-signup']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from journeymap.analysis.index import Index
from journeymap.spec.model import Spec


@dataclass(frozen=True)
class Propagation:
    """``down`` includes the failed elements themselves; ``degraded`` are up elements
    with a failed soft need."""

    down: frozenset[str]
    degraded: frozenset[str]


def propagate_indices(ix: Index, failed: Iterable[int]) -> set[int]:
    """Indices of every element down when ``failed`` fail (failed included)."""
    down: set[int] = set()
    lost = [0] * len(ix.groups)  # down members per group
    member_of, owner, breaks_at = ix.hard_member_of, ix.group_owner, ix.group_breaks_at
    stack = []
    for f in failed:
        if f not in down:
            down.add(f)
            stack.append(f)
    while stack:
        v = stack.pop()
        for gi in member_of[v]:
            c = lost[gi] = lost[gi] + 1
            # The group fails the moment one more member is down than it can spare.
            if c == breaks_at[gi] and owner[gi] not in down:
                down.add(owner[gi])
                stack.append(owner[gi])
    return down


def degraded_indices(ix: Index, down: set[int]) -> set[int]:
    """Up elements with a soft need that is not met while ``down`` are down."""
    out: set[int] = set()
    for g in ix.groups:
        if g.hard or g.owner in down:
            continue
        lost = sum(1 for m in g.members if m in down)
        if lost > g.slack:
            out.add(g.owner)
    return out


def propagate(spec: Spec, failed: Iterable[str], ix: Index | None = None) -> Propagation:
    """Propagate the failure of the elements ``failed`` (ids) to a fixpoint."""
    ix = ix or Index(spec)
    down = propagate_indices(ix, (ix.pos[f] for f in failed))
    deg = degraded_indices(ix, down)
    return Propagation(frozenset(ix.ids[i] for i in down),
                       frozenset(ix.ids[i] for i in deg))


__all__ = ["Propagation", "degraded_indices", "propagate", "propagate_indices"]
