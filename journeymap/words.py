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

import re
from enum import Enum

from journeymap.spec.model import Control, Spec


class Style(str, Enum):
    """Who reads the words: engineers (``PLAIN``) or leaders (``LEADER``)."""

    PLAIN = "plain"
    LEADER = "leader"

    def __str__(self) -> str:
        return self.value


PLAIN, LEADER = Style.PLAIN, Style.LEADER


def people(spec: Spec) -> str:
    """What a journey calls the people on it: ``customers`` unless the spec says
    (``journey.people: patients``). Every output that names them asks here."""
    return getattr(spec.journey, "people", "") or "customers"


def singular(word: str) -> str:
    """``customers`` -> ``customer``, ``patients`` -> ``patient`` (plain English plurals)."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


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
        "cascade": "If {who} {fails}: {down} down, {stranded} stranded, {lost} of customers lost",
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
        "cascade": ("If {names} {fails}: {down} other parts go down, {stranded} cut off, "
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


# --------------------------------------------------------------------------- names in sentences
# Names are the user's: "Our AWS accounts", "KYC / customer due diligence rules",
# "Sanctions & PEP data (Refinitiv World-Check)". A sentence built round a name must
# agree with it ("the rules fail", not "fails"); the report glues no "'s" to a user's
# name (it may end in a bracket: "(Refinitiv World-Check)'s").

# Words that already make a name definite: "the Our AWS accounts" must not happen.
_DETERMINERS = frozenset({"the", "a", "an", "our", "your", "their", "its", "his", "her",
                          "my", "this", "these", "those", "every", "each", "any", "all"})
# Nouns ending in -s that are singular (uncountable): "the news is", "analytics is".
_SINGULAR_S = frozenset({"news", "series", "species", "means", "analytics", "logistics",
                         "physics", "economics", "headquarters", "status", "gas", "bus",
                         "canvas", "atlas", "lens", "chassis", "diagnosis", "analysis"})


def head_word(name: str) -> str:
    """The word a name's grammar follows: the last word before any bracket, dash or
    colon (``Bitly short link (bit.ly/...)`` -> ``link``, ``Minors — see and treat`` ->
    ``Minors``).

    >>> head_word("Sanctions & PEP data (Refinitiv World-Check)"), head_word("KYC rules")
    ('data', 'rules')
    """
    core = re.split(r"\s[—–-]\s|\s?\(|:\s", name, maxsplit=1)[0]
    words = re.findall(r"[\w'’.-]+", core)
    return words[-1].strip(".'’-") if words else ""


def is_plural(name: str) -> bool:
    """Whether a name is grammatically plural, by its head word: ``KYC rules``,
    ``Our AWS accounts``, ``Claims payments`` are; ``Claims platform``, ``SMS``,
    ``Sanctions & PEP screening``, ``Status`` are not.

    >>> [is_plural(n) for n in ("KYC / customer due diligence rules", "Claims platform",
    ...  "Network monitoring & alarms (NOC)", "SMS", "Fraud screening APIs", "Analytics")]
    [True, False, True, False, True, False]
    """
    word = head_word(name)
    low = word.casefold()
    if len(word) < 3 or not low.endswith("s") or word.isupper():
        return False  # "SMS", "AWS": one thing
    if word[:-1].isupper() and len(word) > 2:
        return True  # "APIs", "ATMs"
    return not (low in _SINGULAR_S or low.endswith(("ss", "us", "is", "ics")))


def agree(name: str, one: str, many: str) -> str:
    """``one`` after a singular name, ``many`` after a plural one: ``agree(n, "fails",
    "fail")``, ``agree(n, "it", "they")``."""
    return many if is_plural(name) else one


def fails(names: list[str] | tuple[str, ...]) -> str:
    """The verb after one name or a list of them: "the API fails", "the rules fail",
    "the API and the database fail"."""
    return "fail" if len(names) != 1 else agree(names[0], "fails", "fail")


def the(name: str) -> str:
    """A name with "the" in front, unless it brings its own determiner.

    >>> the("Bitly short link"), the("Our AWS accounts"), the("The Post")
    ('the Bitly short link', 'Our AWS accounts', 'The Post')
    """
    first = name.split(maxsplit=1)[0].casefold() if name.strip() else ""
    return name if first in _DETERMINERS else f"the {name}"


def capital(text: str) -> str:
    """First letter upper-case, the rest as written (``str.capitalize`` lowers the rest)."""
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- abbreviations
# The report's own sentences use no abbreviation; names are the user's and may ("KYC
# rules", "Sanctions & PEP screening"). The report lists the ones it prints, each with
# what the journey's own text says it stands for, found the way Schwartz & Hearst (2003)
# find definitions in text: "long form (SHORT)" or "SHORT (long form)", the short form's
# letters in order in the long form, its first letter starting a word; or, for three
# letters and more, consecutive words whose initials spell it ("know your customer").

# Not a code such as "TR-069" or "ISO-9001" (a standard's number, not a word to spell out).
_ABBREVIATION = re.compile(r"(?<![\w&-])([A-Z][A-Z0-9&]*[A-Z0-9])s?(?![\w&]|-\d)")
_SMALL_WORDS = frozenset({"of", "and", "&", "the", "for", "to", "in", "on", "a", "an", "or"})
# An all-capital word of five letters or more with no definition anywhere is taken for a
# name written in capitals (a brand such as "IDEMIA"), not an abbreviation.
_LONGEST_UNDEFINED = 4


def abbreviations(text: str) -> list[str]:
    """The abbreviations in a text, in order of first appearance, plural "s" dropped.

    >>> abbreviations("KYC / customer due diligence rules, Fraud screening APIs, A&E, IT")
    ['KYC', 'API', 'A&E', 'IT']
    """
    found: list[str] = []
    for m in _ABBREVIATION.finditer(text):
        short = m.group(1)
        if sum(c.isupper() for c in short) >= 2 and short not in found:
            found.append(short)
    return found


def _long_form(short: str, candidate: str) -> str:
    """The shortest end of ``candidate`` that spells ``short`` (Schwartz & Hearst's
    best long form), or ""."""
    letters = [c.casefold() for c in short if c.isalnum()]
    text = candidate.rstrip()
    i = len(text) - 1
    for n in range(len(letters) - 1, -1, -1):
        while i >= 0 and (text[i].casefold() != letters[n]
                          or (n == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return ""
        i -= 1
    start = i + 1
    long = text[start:].strip(" ,;:-—–")
    if len([w for w in re.split(r"[\s-]+", long) if w]) < max(2, len(letters)):
        # Fewer words than letters is no spelling-out: "Product information (PIM)" names
        # the thing, it does not say what the M stands for.
        return ""
    return long


def _initials(short: str, text: str) -> str:
    """Consecutive words of ``text`` whose first letters spell ``short`` (small words
    such as "of" and "and" may stand between them)."""
    want = [c.casefold() for c in short if c.isalpha()]
    if len(want) < 3:
        return ""  # two letters match too much by chance ("in the" for IT)
    tokens = re.findall(r"[\w'’]+|&", text)
    for start in range(len(tokens)):
        if tokens[start].casefold() in _SMALL_WORDS or tokens[start][0].casefold() != want[0]:
            continue
        k, j = 0, start
        while j < len(tokens) and k < len(want):
            word = tokens[j].casefold()
            if word[0] == want[k]:
                k += 1
            elif word not in _SMALL_WORDS:
                break
            j += 1
        if k == len(want):
            return " ".join(tokens[start:j])
    return ""


def spelled_out(short: str, texts: list[str]) -> str:
    """What ``short`` stands for according to ``texts`` (the journey's own names,
    descriptions and notes), or "" when they never say.

    >>> spelled_out("PEP", ["Checks applicants against politically exposed persons (PEP)"])
    'politically exposed persons'
    >>> spelled_out("KYC", ["KYC (know your customer) rules"]), spelled_out("GP", ["GP letter"])
    ('know your customer', '')
    >>> spelled_out("CMS", ["pages come from the content management system"])
    'content management system'
    """
    word = re.escape(short)
    for text in texts:
        for m in re.finditer(rf"([^()]*?)\(\s*{word}s?\s*\)", text):  # long form (SHORT)
            words = m.group(1).split()
            window = " ".join(words[-min(len(short) + 5, len(short) * 2):])
            long = _long_form(short, window)
            if long:
                return long
        for m in re.finditer(rf"(?<![\w&]){word}s?\s*\(([^()]+)\)", text):  # SHORT (long form)
            long = _long_form(short, m.group(1))
            if long and len(long) >= len(m.group(1).strip()) // 2:
                return m.group(1).strip()
    for text in texts:
        long = _initials(short, text)
        if long:
            return long
    return ""


def _sentence_case(text: str) -> str:
    """"Know your customer" -> "know your customer" (a phrase that only starts a sentence
    with its capital); "Amazon Web Services" keeps its capitals (a name)."""
    words = text.split()
    if len(words) > 1 and words[0][:1].isupper() and words[0][1:].islower() and all(
            not w[:1].isupper() for w in words[1:]):
        return text[:1].lower() + text[1:]
    return text


def glossary(shown: list[str], texts: list[str],
             described: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(abbreviation, what it stands for or "") for every abbreviation in the ``shown``
    texts, alphabetically; spelled out from ``texts`` where they say, else by the
    description of a part or party named by the abbreviation alone (``described``: name ->
    description; a vendor called "DPD" described as "parcel courier"). An all-capital
    word longer than four letters that nothing explains is taken for a name, not listed.

    >>> glossary(["DPD delivery, KYC rules"], ["know your customer"], {"DPD": "Parcel courier."})
    [('DPD', 'parcel courier'), ('KYC', 'know your customer')]
    """
    found: dict[str, str] = {}
    for text in shown:
        for short in abbreviations(text):
            if short not in found:
                meaning = spelled_out(short, texts)
                if not meaning and (described or {}).get(short):
                    first = re.split(r"(?<=[.;])\s", (described or {})[short].strip())[0]
                    meaning = first.rstrip(".;")
                found[short] = _sentence_case(meaning)
    return sorted(((k, v) for k, v in found.items()
                   if v or len(k) <= _LONGEST_UNDEFINED), key=lambda kv: kv[0].casefold())


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
           "PLAIN", "Style", "abbreviations", "agree", "capital", "chance", "control_label",
           "control_words", "count", "fails", "glossary", "head_word", "is_plural", "people",
           "percent", "plural", "singular", "spelled_out", "the"]
