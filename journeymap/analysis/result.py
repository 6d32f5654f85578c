"""What the failure engine answers for one journey: plain, frozen data.

Everything users see (terminal report, JSON, diagrams, CI rules, the leadership PDF) is
rendered from a :class:`JourneyAnalysis`. Ids in tuples are sorted unless a field says
it is ordered (collapse paths are ordered from the failed element to the collapse).
Shares of customers are fractions of all customers entering the journey (0.0–1.0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from journeymap.analysis.slotinit import slot_init
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Control, ElementType, Spec

if TYPE_CHECKING:
    from journeymap.analysis.risk import Risk


class Verdict(str, Enum):
    """Complex: some element other than the journey's sole entry or goal takes the
    whole journey down alone. Complicated: none does."""

    COMPLEX = "complex"
    COMPLICATED = "complicated"

    def __str__(self) -> str:
        return self.value


class Cause(str, Enum):
    """Why an element is a single point of failure."""

    STRUCTURAL = "structural"  # a touch-point every customer path goes through
    DEPENDENCY = "dependency"  # the collapse travels along needs lines

    def __str__(self) -> str:
        return self.value


COMPLEX, COMPLICATED = Verdict.COMPLEX, Verdict.COMPLICATED
STRUCTURAL, DEPENDENCY = Cause.STRUCTURAL, Cause.DEPENDENCY


# slots: one allocation each and a third less memory (there are n cascades and as many
# hand-offs as lines); slot_init: stored through the slots, faster.
@slot_init
@dataclass(frozen=True, slots=True)
class Cascade:
    """What happens when ``failed`` elements fail (one element for per-element cascades).

    ``down``: other elements taken down by needs lines (not the failed ones).
    ``stranded``: touch-points still up but no longer reachable from any up entry
    (they were reachable before). ``degraded``: up, but a soft need is down.
    ``customers_lost``: share of customers who reached a goal before and no longer do
    (flow shares and rerouting as the contract defines). ``collapses``: no goal is
    reachable from any entry. ``path``: ordered ids from a failed element along needs
    lines to the touch-point where customers are stopped (empty when nothing customers
    use is affected); ``blocked_touchpoint`` is that last touch-point.
    """

    failed: tuple[str, ...]
    down: tuple[str, ...]
    stranded: tuple[str, ...]
    degraded: tuple[str, ...]
    customers_lost: float
    collapses: bool
    path: tuple[str, ...] = ()

    @property
    def blocked_touchpoint(self) -> str | None:
        """The touch-point where customers are stopped (last id of ``path``)."""
        return self.path[-1] if self.path else None

    @property
    def spread(self) -> int:
        """How many other elements this failure takes out (down or stranded)."""
        return len(self.down) + len(self.stranded)


@dataclass(frozen=True)
class Line:
    """A dependency line ``source needs target`` as written in the spec.

    ``group`` is the needs entry's form ("id", "any", "at_least") and ``required``/
    ``members`` its redundancy; ``location`` is where the needs entry was written.
    """

    source: str
    target: str
    kind: str
    form: str
    required: int
    members: int
    location: Location


@dataclass(frozen=True)
class Spof:
    """A single point of failure: this element failing alone collapses the journey."""

    id: str
    type: ElementType
    control: Control
    cause: Cause
    endpoint: bool  # the journey's sole entry or sole goal
    path: tuple[str, ...]  # ordered: failed element -> … -> touch-point that stops customers
    customers_lost: float
    location: Location
    lines: tuple[Line, ...] = ()  # the needs lines the collapse travels along (dependency SPOFs)


@dataclass(frozen=True)
class AreaRisk:
    """Risk gathered in one stage or one party."""

    id: str
    name: str
    elements: int
    spofs: tuple[str, ...]
    customers_at_risk: float  # max customers_lost over the area's elements
    mean_spread: float


@dataclass(frozen=True)
class CriticalLine:
    """A needs line whose removal or a redundant alternative would turn dependency SPOFs
    back into survivable failures ("which lines made it complex")."""

    line: Line
    spofs: tuple[str, ...]  # the dependency SPOFs that travel along this line
    fix: str  # plain-language suggestion, e.g. "add a fallback for ... so that ..."


@dataclass(frozen=True)
class Complexity:
    verdict: Verdict
    spof_share: float  # share of elements whose single failure collapses the journey
    non_endpoint_spofs: int
    mean_spread: float  # mean share of other elements a single failure takes out
    max_spread: float
    by_stage: tuple[AreaRisk, ...]
    by_party: tuple[AreaRisk, ...]
    critical_lines: tuple[CriticalLine, ...]


@dataclass(frozen=True)
class Robustness:
    """Seeded Monte Carlo: chance the journey still completes after k random failures."""

    removed: tuple[int, ...]  # k = 0, 1, 2, …
    completion: tuple[float, ...]  # chance that some goal is still reachable
    expected_removals_to_collapse: float  # the block-tower count
    samples: int
    seed: int


@slot_init
@dataclass(frozen=True, slots=True)
class Handoff:
    """A line that crosses from one party to another."""

    source: str
    target: str
    layer: str  # "flow" | "needs"
    kind: str  # needs kind, or "flow"
    from_party: str | None
    to_party: str | None
    to_control: Control
    location: Location


@dataclass(frozen=True)
class ControlRisk:
    """How much of the journey's risk sits with each control level."""

    control: Control
    elements: int
    spofs: int
    customers_at_risk: float  # largest customers_lost of any element at this level
    risk_share: float = 0.0  # this level's part of the sum of every element's customers_lost


@dataclass(frozen=True)
class JourneyAnalysis:
    spec: Spec
    verdict: Verdict
    baseline_completion: float  # share of customers reaching a goal with nothing failed
    spofs: tuple[Spof, ...]  # sorted by id
    cascades: dict[str, Cascade]  # every element id -> its single-failure cascade
    complexity: Complexity
    robustness: Robustness
    handoffs: tuple[Handoff, ...]
    control_risk: tuple[ControlRisk, ...]
    dependency_cycles: tuple[tuple[str, ...], ...] = field(default=())  # mutual dependencies
    risk: Risk | None = None  # risk in numbers (contract §8), when asked for

    @property
    def spof_ids(self) -> frozenset[str]:
        return frozenset(s.id for s in self.spofs)
