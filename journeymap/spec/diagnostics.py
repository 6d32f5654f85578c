"""Problems found in a spec, each with a stable code and a source position.

Every problem is reported as ``path:line:column: error[CODE]: message`` (1-based line
and column), all of them at once. The codes are stable: tools and people grep for them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Stable codes. Keep the numbers: users and CI configurations refer to them.
CODES: dict[str, str] = {
    "JM001": "the file is not valid YAML",
    "JM002": "a key appears twice in one mapping",
    "JM003": "a YAML tag journeymap does not accept (never executed)",
    "JM004": "the document expands to too many values (YAML alias bomb?)",
    "JM005": "the file is too large, cannot be read, or is not a regular file",
    "JM006": "the file is not UTF-8 text",
    "JM007": "an alias is used inside the collection its anchor marks (a recursive alias)",
    "JM008": "lists and mappings nest deeper than journeymap reads (64)",
    "JM009": "a number is not finite (.nan, .inf) or a whole number is too large to be exact",
    "JM010": "a field journeymap does not know (typo?)",
    "JM011": "a required field is missing",
    "JM012": "a value has the wrong type",
    "JM013": "a value is out of range",
    "JM014": "a value is not one of the allowed values or forms",
    "JM015": "an id (over 128 characters) or a name (over 300) is too long",
    "JM016": "a control character in an id, name or channel (descriptions and notes: "
             "line breaks only)",
    "JM020": "an id is defined twice",
    "JM021": "a line names an element that does not exist",
    "JM022": "at_least asks for more members than the group has",
    "JM023": "a flow line starts or ends at a support (flow lines join touch-points)",
    "JM024": "the journey has no entry touch-point",
    "JM025": "the journey has no goal touch-point",
    "JM026": "a stage that does not exist",
    "JM027": "an owner (party) that does not exist",
    "JM028": "an element needs itself",
    "JM029": "an id is listed twice in one redundancy group",
    "JM030": "no goal can be reached from any entry, even with nothing failed",
    # Many journeys (catalogs, review dates): journeymap/spec/catalog.py
    "JM050": "a catalog named in 'uses' cannot be found",
    "JM051": "a 'uses' path is absolute or leaves the repository",
    "JM052": "catalogs use each other in a cycle",
    "JM053": "an id is defined both in a file and in a catalog it uses, or in two catalogs",
    "JM054": "a file named in 'uses' is not a catalog",
    "JM055": "a catalog was given where a journey was expected",
    "JM056": "a review date that is not a real date",
}


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """Where something stands in a spec file (1-based line and column)."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a spec."""

    location: Location
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return visible(f"{self.location}: {self.severity}[{self.code}]: {self.message}")


class SpecError(Exception):
    """A spec could not be loaded; carries every problem found, sorted by position."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: list[Diagnostic] = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``), so a problem
    quoting a hostile value (or file name) can neither drive the terminal nor start a
    line of its own in a CI log.

    >>> visible("a\\x1b]0;title\\x07 b\\nc")
    'a\\\\x1b]0;title\\\\x07 b\\\\x0ac'
    """
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_CONTROL_NAMES = {"\x1b": "ESC", "\n": "line break", "\r": "carriage return", "\t": "tab",
                  "\x00": "NUL", "\x07": "BEL", "\x7f": "DEL", "\x9b": "CSI"}


def control_character(text: object) -> str | None:
    """The first control character (C0, DEL, C1) in ``text``, if it is text and has one."""
    if not isinstance(text, str) or text.isprintable():
        return None
    m = _CONTROL.search(text)
    return m.group() if m else None


def character_name(char: str) -> str:
    """``U+001B (ESC)``: how a problem names a character nobody can see."""
    name = _CONTROL_NAMES.get(char)
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix naming the closest choice, or ``""``.

    >>> did_you_mean("need", ["needs", "name"])
    " (did you mean 'needs'?)"
    """
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
