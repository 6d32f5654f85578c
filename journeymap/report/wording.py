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
    capital,
    control_label,
    people,
    singular,
    the,
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
    our control``, or ``no owner named`` (``runs them`` for a plural name).
    """
    control = spec.control_of(element_id)
    if control == Control.UNKNOWN:
        return control_words(control)
    party = spec.party_name(element_id)
    if control == Control.INTERNAL:
        return f"ours ({party})"
    it = words.agree(spec.by_id[element_id].name, "it", "them")
    if control == Control.PARTNER:
        return f"{party} runs {it}, a partner"
    return f"{party} runs {it}, {control_words(control)}"


def join_names(names: list[str] | tuple[str, ...], word: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


def goal_phrase(spec: Spec) -> str:
    """What the people are trying to reach: ``the Trial sign-up form``; with several
    goals, ``any of its 3 outcomes``."""
    goals = [g.name for g in spec.goals]
    if len(goals) == 1:
        return the(goals[0])
    return f"any of its {len(goals)} outcomes"


def failure_sentence(spec: Spec, element_id: str, customers_lost: float,
                     collapses: bool) -> str:
    """One finding as a leader reads it.

    ``If the Bitly redirect service fails, no customer can reach the Trial sign-up
    form — Bitly runs it, outside our control.``
    """
    element = spec.by_id[element_id]
    who = people(spec)
    one = singular(who)
    head = f"If {the(element.name)} {words.agree(element.name, 'fails', 'fail')}, "
    tail = f" — {owner_phrase(spec, element_id)}."
    if customers_lost <= 0:
        if collapses:  # nobody completes even now, yet this still closes the way
            return head + f"no {one} can complete the journey" + tail
        return head + f"{who} can still complete the journey" + tail
    if customers_lost >= 1 or collapses:
        if element.goal and len(spec.goals) == 1:  # not "can reach the Discharge letter"
            return head + f"no {one} can finish the journey" + tail
        return head + f"no {one} can reach {goal_phrase(spec)}" + tail
    return head + f"{percent(customers_lost)} of {who} no longer finish" + tail


def chain_words(spec: Spec, path: tuple[str, ...] | list[str]) -> str:
    """A collapse path as a readable chain of names:
    ``Bitly redirect service → Bitly short link``."""
    return " → ".join(spec.by_id[i].name if i in spec.by_id else i for i in path)


def explain_chain(spec: Spec, path: tuple[str, ...], structural: bool, endpoint: bool,
                  goal_cut: bool) -> str:
    """Why one failure stops people, in a sentence: the needs from the step where people
    are stopped back to the failed part, and why there is no way round that step.

    ``The Claims phone line needs the Fraud scoring, which needs the Scoring vendor; so
    when the Scoring vendor is down the Claims phone line stops, and every customer has
    to pass through it.``
    """
    who = people(spec)
    if not path:
        return ""
    failed = spec.by_id[path[0]]
    stop = spec.by_id[path[-1]]
    is_ = words.agree(failed.name, "is", "are")
    if endpoint:
        where = "start" if failed.entry else "finish"
        return (f"{capital(the(failed.name))} {is_} the journey's only place to {where}: "
                f"when {words.agree(failed.name, 'it is', 'they are')} down there is no "
                f"other way through.")
    if len(path) == 1:
        return (f"Every {singular(who)} passes through {the(failed.name)}: there is no "
                f"other route, so when {words.agree(failed.name, 'it is', 'they are')} down "
                f"nobody gets further.")
    names = [spec.by_id[i].name for i in reversed(path)]  # stop first, failed last
    chain = f"{capital(the(names[0]))} {words.agree(names[0], 'needs', 'need')} {the(names[1])}"
    for before, n in zip(names[1:], names[2:]):  # "..., which need(s) the n": agrees with before
        chain += f", which {words.agree(before, 'needs', 'need')} {the(n)}"
    why = ("every " + singular(who) + " has to pass through "
           + words.agree(stop.name, "it", "them") if structural else
           "no other route leads to " + goal_phrase(spec) if goal_cut else
           words.agree(failed.name, "the steps it leaves standing cannot make up for it",
                       "the steps they leave standing cannot make up for them"))
    return (f"{chain}; so when {the(failed.name)} {is_} down {the(stop.name)} "
            f"{words.agree(stop.name, 'stops', 'stop')}, and {why}.")


def verdict_sentence(spec: Spec, verdict: str, count_text: str, worst_share: float,
                     endpoint_only: bool, count: int = 0) -> str:
    """The cover's verdict in plain words, with the idea behind the words said once.
    ``count_text`` is the page's one count ("9 single points of failure, plus ...")."""
    who = people(spec)
    if verdict == Verdict.COMPLEX:
        return (f"Complex: its parts depend on each other so that one failure stops every "
                f"{singular(who)}. There {'is' if count == 1 else 'are'} {count_text}; each "
                f"can do that alone.")
    if endpoint_only:
        return (f"Complicated, not complex: nothing behind the scenes stops the journey on "
                f"its own; {count_text}. Every other single failure leaves {who} a way "
                f"through, a little worse.")
    return (f"Complicated, not complex: no single failure stops the journey; the worst "
            f"one stops {percent(worst_share)} of {who} and the rest carry on.")
