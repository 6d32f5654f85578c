"""The rule framework: small rules with stable ids, a default severity and plain help.

A rule is a function from what we know about one journey (:class:`JourneyState`: its
analysis now, its analysis at the baseline, and their diff) to :class:`Hit` values.
The runner (:mod:`journeymap.check`) turns hits into findings, applying the policy's
severities and waivers. Rule ids (``JM101``) and names (``new-spof``) are stable: users
put them in policy files and waivers, and SARIF consumers key on them.

Two kinds of rule:

* ``change`` rules judge what a change did (they need a baseline) and by default fail
  the build: a change should not make a journey more fragile unnoticed.
* ``state`` rules report the risks a journey carries as it is; by default they are
  warnings, so adopting journeymap does not turn every build red on day one.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from journeymap.analysis.result import JourneyAnalysis
from journeymap.diff import JourneyDiff
from journeymap.spec.diagnostics import Location
from journeymap.words import control_words, percent


class Severity(str, Enum):
    """How loud a finding is; ``off`` (policy only) turns a rule off."""

    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"
    OFF = "off"

    def __str__(self) -> str:
        return self.value


class Scope(str, Enum):
    """What a rule judges: a change (needs a baseline), a journey as it is, or the policy."""

    CHANGE = "change"
    STATE = "state"
    POLICY = "policy"

    def __str__(self) -> str:
        return self.value


NOTE, WARNING, ERROR, OFF = Severity.NOTE, Severity.WARNING, Severity.ERROR, Severity.OFF
SEVERITIES = (NOTE, WARNING, ERROR)  # ascending
CHANGE, STATE, POLICY = Scope.CHANGE, Scope.STATE, Scope.POLICY


def severity_rank(severity: str) -> int:
    """``note`` < ``warning`` < ``error``; ``off`` ranks below everything.

    >>> severity_rank("error") > severity_rank("warning") > severity_rank("note")
    True
    """
    return SEVERITIES.index(severity) + 1 if severity in SEVERITIES else 0


@dataclass(frozen=True)
class Thresholds:
    """Numbers a policy may tune; the defaults are the shipped policy."""

    blast_radius: float = 0.5
    """JM104: a single failure that now takes out at least this share of the journey's
    other elements (and took out fewer before)."""
    customers_lost_jump: float = 0.25
    """JM105: a single failure now loses at least this much more of the customers
    (0.25 = 25 percentage points)."""
    collapse_probability: float = 0.001
    """JM114: the chance that the journey collapses (no way through for anyone, from the
    availabilities), which a change may not raise past (0.001 = 0.1%, about 8.8 hours a
    year)."""


@dataclass(frozen=True)
class JourneyState:
    """What a rule may read about one journey.

    ``analysis`` is ``None`` when the change deleted the journey; ``baseline`` is
    ``None`` for a journey new in the change or when no baseline was asked for;
    ``diff`` is ``None`` only when no baseline was asked for.
    """

    path: str
    journey_id: str
    analysis: JourneyAnalysis | None
    baseline: JourneyAnalysis | None = None
    diff: JourneyDiff | None = None
    today: dt.date | None = None  # the day review dates are judged against (set by the runner)

    @property
    def compared(self) -> bool:
        """Both sides exist: the change can be judged."""
        return self.analysis is not None and self.baseline is not None and self.diff is not None


@dataclass(frozen=True)
class Hit:
    """One thing a rule found: a plain message and the YAML position that did it."""

    message: str
    location: Location
    element: str | None = None


Check = Callable[[JourneyState, Thresholds], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A rule's identity, help text and check.

    ``explanation`` is one plain paragraph (why this matters); ``what_to_do`` says how
    to fix it. Both end up in ``--format sarif`` help and in ``journeymap rules``.
    """

    id: str
    name: str
    severity: Severity
    scope: Scope
    summary: str
    explanation: str
    what_to_do: str
    check: Check = field(compare=False, repr=False, default=lambda state, t: ())

    def run(self, state: JourneyState, thresholds: Thresholds) -> Iterator[Hit]:
        if self.scope == CHANGE and state.diff is None:
            return iter(())
        if self.scope == STATE and state.analysis is None:
            return iter(())
        return iter(self.check(state, thresholds))

    @property
    def help_text(self) -> str:
        return f"{self.explanation}\n\nWhat to do: {self.what_to_do}"


REGISTRY: dict[str, Rule] = {}


def rule(id: str, name: str, severity: Severity, scope: Scope, summary: str,
         what_to_do: str) -> Callable[[Check], Check]:
    """Register a check function as a rule; its docstring is the plain explanation."""

    def register(func: Check) -> Check:
        if id in REGISTRY or any(r.name == name for r in REGISTRY.values()):
            raise ValueError(f"rule {id} {name} is registered twice")
        explanation = " ".join(inspect.cleandoc(func.__doc__ or "").split())
        REGISTRY[id] = Rule(id, name, severity, scope, summary, explanation,
                            " ".join(what_to_do.split()), func)
        return func

    return register


def spof_words(element: str, control: str, customers_lost: float, path: tuple[str, ...],
               new: bool = False) -> str:
    """The plain sentence every SPOF finding starts with.

    >>> print(spof_words("crm", "partner", 1.0, ("crm", "signup")).replace(": ", ":\\n"))
    'crm' (run by a partner) is a single point of failure:
    if it fails alone, 100% of customers cannot finish the journey (crm -> signup).
    """
    chain = f" ({' -> '.join(path)})" if len(path) > 1 else ""
    return (f"'{element}' ({control_words(control)}) is a {'new ' if new else ''}single point "
            f"of failure: if it fails alone, {percent(customers_lost)} of customers cannot "
            f"finish the journey{chain}.")
