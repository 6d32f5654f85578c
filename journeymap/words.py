"""Plain words shared by every output: shares, control and counts, said one way.

The terminal, Markdown, CI formats, diagrams and the leadership report all take their
words from here, so the same failure reads the same everywhere. Two audiences get two
explicit styles (:class:`Style`):

* ``PLAIN`` - the engineer's outputs (terminal, JSON-adjacent text, CI findings,
  diagrams): whole percentages as computed; a share too small to round to 1% still
  shows as ``<1%``, so a real loss never reads as nothing.
* ``LEADER`` - the leadership report: never a misleading ``0%`` or ``100%``:
  ``under 1%``, ``over 99%``; control in the organisation's voice ("outside our
  control").

>>> percent(0.996), percent(0.996, LEADER)
('100%', 'over 99%')
>>> control_words("external"), control_words("external", LEADER)
('external, outside your control', 'outside our control')
>>> count(1, "journey"), count(3, "single point of failure", "single points of failure")
('1 journey', '3 single points of failure')
"""

from __future__ import annotations

from enum import Enum

from journeymap.spec.model import Control


class Style(str, Enum):
    """Who reads the words: engineers (``PLAIN``) or leaders (``LEADER``)."""

    PLAIN = "plain"
    LEADER = "leader"

    def __str__(self) -> str:
        return self.value


PLAIN, LEADER = Style.PLAIN, Style.LEADER


def percent(share: float, style: Style = PLAIN) -> str:
    """A share of customers as a whole percentage, in ``style``.

    >>> percent(1.0), percent(0.254), percent(0.001), percent(0.0)
    ('100%', '25%', '<1%', '0%')
    >>> percent(1.0, LEADER), percent(0.004, LEADER), percent(0.996, LEADER), percent(0, LEADER)
    ('100%', 'under 1%', 'over 99%', '0%')
    """
    if style == LEADER:
        if share <= 0:
            return "0%"
        if share >= 1:
            return "100%"
        if share < 0.01:
            return "under 1%"
        if share > 0.99:
            return "over 99%"
        return f"{round(share * 100):d}%"
    if 0 < share < 0.005:
        return "<1%"
    return f"{share * 100:.0f}%"


# How each audience hears a control level ("who controls the cause").
_CONTROL_WORDS: dict[Style, dict[Control, str]] = {
    PLAIN: {
        Control.EXTERNAL: "external, outside your control",
        Control.PARTNER: "run by a partner",
        Control.INTERNAL: "internal",
        Control.UNKNOWN: "no owner named",
    },
    LEADER: {
        Control.INTERNAL: "ours",
        Control.PARTNER: "a partner's",
        Control.EXTERNAL: "outside our control",
        Control.UNKNOWN: "no owner named",
    },
}
# Short labels for table cells and chart rows (leader style).
CONTROL_LABELS: dict[Control, str] = {
    Control.INTERNAL: "ours",
    Control.PARTNER: "partner",
    Control.EXTERNAL: "outside our control",
    Control.UNKNOWN: "no owner named",
}
# Headings when findings are grouped by control (leader style).
CONTROL_HEADINGS: dict[Control, str] = {
    Control.EXTERNAL: "Outside our control",
    Control.PARTNER: "Run by partners",
    Control.INTERNAL: "Ours to fix",
    Control.UNKNOWN: "No owner named",
}
# The diagram legend's line per control level.
CONTROL_LEGEND: dict[Control, str] = {
    Control.INTERNAL: "internal: the organisation runs it",
    Control.PARTNER: "partner: under contract",
    Control.EXTERNAL: "external: outside the organisation's control",
    Control.UNKNOWN: "no owner named",
}
# Most worrying first: the order findings are grouped and ties are broken in.
CONTROL_ORDER: dict[Control, int] = {
    Control.EXTERNAL: 0, Control.PARTNER: 1, Control.INTERNAL: 2, Control.UNKNOWN: 3}


# The diagram's own labels. Architects read the engine's terms ("SPOF · dependency",
# "stranded"); leaders read plain words. Leader labels are no longer than the plain ones,
# so they fit the boxes either way.
DIAGRAM_LABELS: dict[Style, dict[str, str]] = {
    PLAIN: {
        "spof.structural": "⚠ SPOF · structural",
        "spof.dependency": "⚠ SPOF · dependency",
        "spof.endpoint": "⚠ SPOF · journey endpoint",
        "legend.spof": "⚠ SPOF: failing alone collapses the journey",
        "mark.stranded": "⊘ STRANDED",
        "legend.stranded": "⊘ STRANDED stranded: up, but customers can no longer reach it",
        "legend.path": "collapse path, in order 1, 2, …",
        "cascade": "If {who} fails: {down} down, {stranded} stranded, {lost} of customers lost",
        "cascade.collapses": " — the journey collapses",
    },
    LEADER: {
        "spof.structural": "⚠ single failure · every path",
        "spof.dependency": "⚠ single failure · needs",
        "spof.endpoint": "⚠ single failure · only start/finish",
        "legend.spof": "⚠ failing alone stops the journey",
        "mark.stranded": "⊘ CUT OFF",
        "legend.stranded": "⊘ CUT OFF: working, but customers can no longer reach it",
        "legend.path": "how it spreads, in order 1, 2, …",
        "cascade": ("If {names} fails: {down} other parts go down, {stranded} cut off, "
                    "{lost} of customers stopped"),
        "cascade.collapses": "",
    },
}


def _control(control: str) -> Control:
    try:
        return Control(control)
    except ValueError:
        return Control.UNKNOWN


def control_words(control: str, style: Style = PLAIN) -> str:
    """How much say we have over an element run at this control level, in ``style``."""
    return _CONTROL_WORDS[style][_control(control)]


def control_label(control: str) -> str:
    """Short form for tables: ``ours``, ``partner``, ``outside our control``."""
    return CONTROL_LABELS[_control(control)]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` for one, ``many`` (default ``word + "s"``) otherwise.

    >>> plural(1, "line"), plural(2, "line"), plural(0, "line")
    ('line', 'lines', 'lines')
    """
    return word if n == 1 else (many if many is not None else word + "s")


def count(n: int, word: str, many: str | None = None) -> str:
    """A number with its noun: ``1 journey``, ``2 journeys``."""
    return f"{n} {plural(n, word, many)}"


def chance(p: float) -> str:
    """A probability to three significant digits, as a percentage: small risks stay
    readable and comparable (``percent`` would round them all to ``<1%``).

    >>> chance(0.02152), chance(0.000899), chance(0.0), chance(1.0)
    ('2.15%', '0.0899%', '0%', '100%')
    """
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    return f"{p * 100:.3g}%"


__all__ = ["CONTROL_HEADINGS", "CONTROL_LABELS", "CONTROL_LEGEND", "CONTROL_ORDER", "LEADER",
           "PLAIN", "Style", "chance", "control_label", "control_words", "count", "percent",
           "plural"]
