"""Plain business language for findings: the words a leader reads, never graph words.

Everything here turns ids and fractions into sentences about customers, owners and
fixes. It is pure (no I/O) and used by every report target, so the PDF, HTML and
Markdown reports say exactly the same thing.

>>> percent(0.753)
'75%'
>>> control_words("external")
'outside our control'
"""

from __future__ import annotations

from journeymap import words
from journeymap.analysis.result import Verdict
from journeymap.spec.model import Control, Element, Spec
from journeymap.words import (  # noqa: F401  (the report's words come from journeymap.words)
    CONTROL_HEADINGS,
    CONTROL_ORDER,
    LEADER,
    control_label,
)

# What a support *is*, in the reader's words (spec kinds are already plain).
KIND_WORDS = {
    "system": "system", "team": "team", "person": "person", "vendor": "vendor",
    "data": "data", "process": "process",
}

# Words that must never reach a leader (tests scan every report for them).
JARGON = ("dominator", "articulation", "in-degree", "out-degree", "node", "edge",
          "vertex", "vertices", "graph", "digraph", "spof", "fixpoint", "topolog")


def percent(share: float) -> str:
    """A share of customers in the leader's style (:func:`journeymap.words.percent`):
    never a misleading 0% or 100%.

    >>> percent(1.0), percent(0.004), percent(0.996), percent(0.0)
    ('100%', 'under 1%', 'over 99%', '0%')
    """
    return words.percent(share, LEADER)


def control_words(control: str) -> str:
    """``internal`` -> ``ours``, ``partner`` -> ``a partner's``,
    ``external`` -> ``outside our control`` (:func:`journeymap.words.control_words`)."""
    return words.control_words(control, LEADER)


def kind_word(element: Element) -> str:
    """What an element is: ``touch-point`` for frontstage, else its support kind."""
    if element.is_touchpoint:
        return "touch-point"
    return KIND_WORDS.get(element.kind or "", "support")


def owner_phrase(spec: Spec, element_id: str) -> str:
    """Who runs an element and how much say we have.

    ``ours (Marketing)``, ``Salesforce runs it, a partner``, ``Bitly runs it, outside
    our control``, or ``no owner named``.
    """
    control = spec.control_of(element_id)
    if control == Control.UNKNOWN:
        return control_words(control)
    party = spec.party_name(element_id)
    if control == Control.INTERNAL:
        return f"ours ({party})"
    if control == Control.PARTNER:
        return f"{party} runs it, a partner"
    return f"{party} runs it, {control_words(control)}"


def join_names(names: list[str] | tuple[str, ...], word: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


def goal_phrase(spec: Spec) -> str:
    """What customers are trying to reach: ``the Trial sign-up form``; with several
    goals, ``the end of the journey`` (listing them all makes sentences unreadable)."""
    goals = [g.name for g in spec.goals]
    if len(goals) == 1:
        return f"the {goals[0]}"
    return "the end of the journey"


def outcome(spec: Spec) -> str:
    """What a stopped customer fails to do: reach the goal (or any of the goals)."""
    return f"cannot reach {goal_phrase(spec)}"


def failure_sentence(spec: Spec, element_id: str, customers_lost: float,
                     collapses: bool) -> str:
    """One finding as a leader reads it.

    ``If the Bitly redirect service fails, no customer can reach the Trial sign-up
    form — Bitly runs it, outside our control.``
    """
    element = spec.by_id[element_id]
    head = f"If the {element.name} fails, "
    tail = f" — {owner_phrase(spec, element_id)}."
    if customers_lost <= 0:
        if collapses:  # nobody completes even now, yet this still closes the way
            return head + "no customer can complete the journey" + tail
        return head + "customers can still complete the journey" + tail
    if customers_lost >= 1:
        return head + f"no customer can reach {goal_phrase(spec)}" + tail
    return head + f"{percent(customers_lost)} of customers {outcome(spec)}" + tail


def chain_words(spec: Spec, path: tuple[str, ...] | list[str]) -> str:
    """A collapse path as a readable chain of names:
    ``Bitly redirect service → Bitly short link``."""
    return " → ".join(spec.by_id[i].name if i in spec.by_id else i for i in path)


def verdict_sentence(spec: Spec, verdict: str, spof_count: int, non_endpoint: int,
                     worst_share: float) -> str:
    """The cover's one-sentence verdict: complicated or complex, and what that means here."""
    goal = "reaching " + goal_phrase(spec)
    if verdict == Verdict.COMPLEX:
        places = "one place" if non_endpoint == 1 else f"any of {non_endpoint} places"
        return (f"Complex: a single failure in {places} stops every customer from "
                f"{goal}, like a block tower late in the game.")
    if spof_count:
        return (f"Complicated, not complex: nothing behind the scenes stops the journey on "
                f"its own, but the journey's own start or finish is a single way through; "
                f"the worst single failure stops {percent(worst_share)} of customers.")
    return (f"Complicated, not complex: no single failure stops the journey; the worst one "
            f"stops {percent(worst_share)} of customers and the rest carry on.")
