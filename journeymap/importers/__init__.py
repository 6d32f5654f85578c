"""Bootstrapping specs from what already exists: a Backstage software catalog
(:mod:`.backstage`) and a spreadsheet of touch-points (:mod:`.touchpoints_csv`).

Each importer turns input text into spec text (pure: no files, no click); the command
(``journeymap import``) reads the inputs, validates the result with the ordinary loader
and writes it atomically. Every element carries a comment saying where it came from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from journeymap.spec.diagnostics import Location


@dataclass(frozen=True)
class ImportProblem:
    """Input an importer cannot use, at its position (``path:line:column: error: …``)."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: error: {self.message}"


class ImportError_(Exception):  # noqa: N801 - not the builtin ImportError
    """The inputs cannot be imported; carries every problem found."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = sorted(problems, key=lambda p: (p.location, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def slug(text: str) -> str:
    """A journeymap id from any name: lowercase, letters/digits/'-'/'_' only.

    >>> slug("Payments.API v2")
    'payments-api-v2'
    """
    s = re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-_")
    return s[:128] or "x"


# Plain words YAML 1.1 reads as booleans or null: always quoted.
_YAML_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
_STR_TAG = "tag:yaml.org,2002:str"


def q(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text`` (JSON strings are valid YAML).

    Left plain only when YAML reads it back as text: not ``1``, ``0x1f``, ``1_000`` or
    ``2027-01-31`` (numbers and dates to YAML 1.1), nor ``yes``/``no``.

    >>> [q("crm"), q("1"), q("0x1f"), q("2027-01-31"), q("no")]
    ['crm', '"1"', '"0x1f"', '"2027-01-31"', '"no"']
    """
    if (re.fullmatch(r"[a-z0-9][a-z0-9_-]*", text) and text not in _YAML_WORDS
            and yaml.SafeLoader.resolve(yaml.SafeLoader, yaml.ScalarNode, text, (True, False))
            == _STR_TAG):
        return text
    # JSON escapes C0 controls only; YAML also refuses DEL, C1 controls and a few more.
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                            json.dumps(text, ensure_ascii=False))


# Characters YAML refuses unescaped (DEL, C1 controls, U+FFFE/FFFF) or reads as line
# breaks inside a quoted scalar (NEL, U+2028, U+2029).
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


MAX_NAME = 300
"""Characters in a name (the spec schema's limit)."""


def plain(text: str) -> str:
    """A name as journeymap accepts it: control characters become spaces (a name is one
    line of text; the validator refuses control characters in names), and at most
    :data:`MAX_NAME` characters (a longer one would make the written spec invalid)."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", text).split())[:MAX_NAME].rstrip()


def comment(text: str) -> str:
    """A one-line YAML comment (newlines and control characters removed)."""
    return "# " + re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


__all__ = ["MAX_NAME", "ImportError_", "ImportProblem", "comment", "plain", "q", "slug"]
