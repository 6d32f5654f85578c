"""CI rules: stable ids, default severities and plain help for every finding.

>>> from journeymap.rules import all_rules
>>> [r.id for r in all_rules()][:3]
['JM100', 'JM101', 'JM102']
"""

from __future__ import annotations

from journeymap.rules import change as _change  # noqa: F401  (registers the rules)
from journeymap.rules import state as _state  # noqa: F401
from journeymap.rules.base import (
    CHANGE,
    ERROR,
    NOTE,
    OFF,
    POLICY,
    REGISTRY,
    SEVERITIES,
    STATE,
    WARNING,
    Hit,
    JourneyState,
    Rule,
    Scope,
    Severity,
    Thresholds,
    severity_rank,
)

EXPIRED_WAIVER = Rule(
    "JM100", "expired-waiver", WARNING, POLICY,
    "A waiver in the policy has expired and no longer waives anything.",
    "Waivers carry an expiry date so accepted risks are looked at again. This waiver's "
    "date has passed: the findings it covered are reported again at their normal "
    "severity.",
    "Fix the finding, or if the risk is still accepted, renew the waiver with a new "
    "`expires` date and an up-to-date `reason`.")
REGISTRY.setdefault(EXPIRED_WAIVER.id, EXPIRED_WAIVER)

UNUSED_WAIVER = Rule(
    "JM113", "unused-waiver", WARNING, POLICY,
    "A waiver in the policy matches no finding.",
    "A waiver that matches nothing usually has a typo in its rule, journey or element "
    "(or the risk was fixed). Either way it does not do what it says, and it would "
    "silently start waiving a new finding that happens to match it later. Journey and "
    "element are ids or glob patterns (`checkout-*`, `*`).",
    "Correct the journey or element pattern (the message says how many journeys it "
    "matches), or delete the waiver if the risk it accepted is gone. Waivers of change "
    "rules are only judged when `check --baseline` runs.")
REGISTRY.setdefault(UNUSED_WAIVER.id, UNUSED_WAIVER)


def all_rules() -> list[Rule]:
    """Every rule, sorted by id."""
    return [REGISTRY[k] for k in sorted(REGISTRY)]


def find_rule(key: str) -> Rule | None:
    """A rule by id (``JM101``, any case) or name (``new-spof``)."""
    if key.upper() in REGISTRY:
        return REGISTRY[key.upper()]
    return next((r for r in REGISTRY.values() if r.name == key.lower()), None)


__all__ = ["CHANGE", "ERROR", "EXPIRED_WAIVER", "Hit", "JourneyState", "NOTE", "OFF", "POLICY",
           "REGISTRY", "Rule", "SEVERITIES", "STATE", "Scope", "Severity", "Thresholds", "WARNING",
           "UNUSED_WAIVER", "all_rules",
           "find_rule", "severity_rank"]
