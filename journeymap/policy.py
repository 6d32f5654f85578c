"""The team's CI policy: thresholds, per-rule severities, waivers, where journeys live.

A policy lives in ``journeymap.yaml`` or in ``[tool.journeymap]`` of ``pyproject.toml``
(found in the current folder or the nearest parent up to the repository root), or is
named with ``--policy``. Without one, :data:`DEFAULT_POLICY` applies: what a change makes
worse fails the build, existing risks are warnings.

``journeymap.yaml``::

    journeys: specs/                 # default PATHS of `journeymap check`
    fail_on: error                   # default of --fail-on
    thresholds:
      blast_radius: 0.5              # JM104: share of the other elements one failure takes out
      customers_lost_jump: 0.25      # JM105: rise in the share of customers one failure loses
      collapse_probability: 0.001    # JM114: chance of collapse a change may not raise past
    rules:
      JM106: error                   # by id or name: error | warning | note | off
      dependency-cycle: off
    waivers:
      - rule: JM102
        journey: newsletter-video    # optional: only this journey (an id or a glob: news-*)
        element: bitly-service       # optional: only this element (an id or a glob: bitly-*)
        reason: Bitly is replaced by our own short links in Q3 (PROJ-123)
        expires: 2027-01-31          # the waiver works through this day, then stops

Every problem is reported with ``file:line:column`` and exits 2 (see
:class:`PolicyError`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources
from typing import Any

from journeymap.rules import OFF, Thresholds, find_rule
from journeymap.spec.diagnostics import (
    Diagnostic,
    Location,
    SpecError,
    character_name,
    control_character,
    did_you_mean,
)
from journeymap.spec.yamlsource import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    number_problem,
    read_source,
    read_text,
    whole_number_too_large,
)

POLICY_FILES = ("journeymap.yaml", "journeymap.yml", ".journeymap.yaml")
POLICY_SCHEMA_FILE = "policy.schema.json"
_KEYS = ("journeys", "fail_on", "thresholds", "rules", "waivers")
_WAIVER_KEYS = ("rule", "journey", "element", "reason", "expires")
_THRESHOLDS = {"blast_radius": "share of the other elements (0-1)",
               "customers_lost_jump": "share of customers (0-1)",
               "collapse_probability": "chance the journey collapses (0-1)"}

Path = tuple[Any, ...]


class PolicyError(Exception):
    """The policy file cannot be used; carries every problem found (each a
    :class:`~journeymap.spec.Diagnostic` with a code and a position, like a spec's)."""

    def __init__(self, problems: Iterable[Diagnostic]):
        self.problems: list[Diagnostic] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: findings of ``rule`` (for ``journey``/``element`` if given) are
    not counted until ``expires`` has passed."""

    rule: str  # rule id
    reason: str
    expires: dt.date
    location: Location
    journey: str | None = None
    element: str | None = None

    def covers(self, rule: str, journey: str, element: str | None) -> bool:
        """Does it cover this finding? ``journey`` and ``element`` are ids or glob
        patterns (``checkout-*``, ``aws-?``, ``*``); ``*`` also matches a finding about the
        journey as a whole (no element)."""
        return (self.rule == rule
                and (self.journey is None or fnmatchcase(journey, self.journey))
                and (self.element is None or fnmatchcase(element or "", self.element)))

    def matches_journey(self, journey: str) -> bool:
        return self.journey is None or fnmatchcase(journey, self.journey)

    def expired(self, today: dt.date) -> bool:
        """A waiver works through its expiry day and stops the day after."""
        return today > self.expires

    def describe(self) -> str:
        scope = "/".join(x for x in (self.journey, self.element) if x)
        return f"{self.rule}{' ' + scope if scope else ''}"


@dataclass(frozen=True)
class Policy:
    source: str | None = None  # the file it came from; None: the built-in default
    thresholds: Thresholds = field(default_factory=Thresholds)
    severities: dict[str, str] = field(default_factory=dict)  # rule id -> severity or "off"
    waivers: tuple[Waiver, ...] = ()
    journeys: tuple[str, ...] = ()  # paths, relative to the current folder
    fail_on: str | None = None

    def severity(self, rule_id: str, default: str) -> str:
        return self.severities.get(rule_id, default)


DEFAULT_POLICY = Policy()


# --- finding and reading ---------------------------------------------------------------------

def find_policy(start: str = ".") -> str | None:
    """The policy file for ``start``: the nearest folder (up to the repository root)
    holding ``journeymap.yaml`` or a ``pyproject.toml`` with ``[tool.journeymap]``."""
    folder = os.path.abspath(start)
    while True:
        for name in POLICY_FILES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return _shown(candidate)
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return _shown(pyproject)
        parent = os.path.dirname(folder)
        if parent == folder or os.path.exists(os.path.join(folder, ".git")):
            return None
        folder = parent


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _has_tool_table(path: str) -> bool:
    try:
        # Undecodable bytes must not stop the search: the table is found and the
        # loader then reports the file's encoding with its position. Too large: the
        # loader says so (the gate must not skip a policy it cannot read).
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return True
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(MAX_FILE_BYTES)
    except OSError:
        return False
    return re.search(r"^\s*\[\[?\s*tool\.journeymap\b", text, re.MULTILINE) is not None


def load_policy(path: str | None) -> Policy:
    """Read and check the policy at ``path`` (``None``: the built-in default).

    YAML goes through the same hardened reader as specs; both forms are checked
    against the shipped ``policy.schema.json``. Raises :class:`PolicyError` with every
    problem (position included).
    """
    if path is None:
        return DEFAULT_POLICY
    try:
        if path.endswith(".toml"):
            data, where = _read_toml(path, read_text(path))
        else:
            src = read_source(path)
            data, where = src.data, _Where(src.where, src.where_key)
    except SpecError as exc:
        raise PolicyError(exc.diagnostics) from None
    return _build(path, data, where)


def policy_schema_text() -> str:
    """The JSON Schema (draft-07) of the policy, as shipped."""
    return resources.files("journeymap.spec").joinpath(POLICY_SCHEMA_FILE).read_text("utf-8")


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(json.loads(policy_schema_text()))


class _Where:
    """Position of a value (or of the key holding it) in the policy file, by path."""

    def __init__(self, value: Callable[[Path], Location],
                 key: Callable[[Path], Location] | None = None):
        self.value = value
        self.key = key or value

    def __call__(self, at: Path, on_key: bool = False) -> Location:
        return (self.key if on_key else self.value)(tuple(at))


def _read_toml(path: str, text: str) -> tuple[Any, _Where]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    where = Location(path, 1, 1)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        loc = Location(path, int(m.group(1)), int(m.group(2))) if m else where
        raise PolicyError([Diagnostic(loc, "JM001", f"invalid TOML: {exc}")]) from None
    except ValueError:  # Python's limit on the digits of an integer
        m = re.search(r"[0-9_]{4000,}", text)
        loc = _offset_location(path, text, m.start()) if m else where
        raise PolicyError([Diagnostic(loc, "JM009", whole_number_too_large(
            m.group() if m else "9" * 4300))]) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise PolicyError([Diagnostic(where, "JM008", (
            f"arrays and tables nest too deeply; journeymap reads documents up to "
            f"{MAX_DEPTH} deep"))]) from None
    data = doc.get("tool", {}).get("journeymap")
    if data is None:
        raise PolicyError([Diagnostic(where, "JM011", "no [tool.journeymap] table in this file")])
    finder = _TomlFinder(path, text.splitlines())
    return _plain(data, _Where(finder)), _Where(finder)


def _offset_location(path: str, text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    return Location(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _plain(data: Any, where: _Where) -> Any:
    """TOML values as the YAML reader gives them: dates as text, every number usable,
    nesting bounded. Walks without recursion."""
    problems: list[Diagnostic] = []
    root: list[Any] = [data]
    stack: list[tuple[Any, Any, Path]] = [(root, 0, ())]
    while stack:
        parent, key, at = stack.pop()
        value = parent[key]
        if isinstance(value, (dt.date, dt.time)):
            parent[key] = value.isoformat()
        elif len(at) > MAX_DEPTH:
            problems.append(Diagnostic(where(at), "JM008", (
                f"arrays and tables nest more than {MAX_DEPTH} deep; journeymap reads "
                "documents up to that depth")))
        elif isinstance(value, dict):
            stack.extend((value, k, at + (k,)) for k in value)
        elif isinstance(value, list):
            stack.extend((value, i, at + (i,)) for i in range(len(value)))
        else:
            problem = number_problem(value)
            if problem:
                problems.append(Diagnostic(where(at), "JM009", problem))
    if problems:
        raise PolicyError(problems)
    return root[0]


class _TomlFinder:
    """tomllib keeps no positions: find a key's line by reading the text.

    Good enough for error messages: the table header of the value's section, then the
    first ``key =`` line inside that section.
    """

    def __init__(self, path: str, lines: list[str]):
        self.path = path
        self.lines = lines

    def _header(self, pattern: str, nth: int = 0) -> int | None:
        seen = 0
        for i, line in enumerate(self.lines):
            if re.match(pattern, line):
                if seen == nth:
                    return i
                seen += 1
        return None

    def __call__(self, key: Path) -> Location:
        key = tuple(key)
        start = self._header(r"^\s*\[\s*tool\.journeymap\s*\]")
        search_key = key[0] if key else None
        if len(key) >= 1 and key[0] in ("thresholds", "rules"):
            sub = self._header(rf"^\s*\[\s*tool\.journeymap\.{key[0]}\s*\]")
            if sub is not None:
                start, search_key = sub, (key[1] if len(key) > 1 else None)
        if len(key) >= 2 and key[0] == "waivers" and isinstance(key[1], int):
            sub = self._header(r"^\s*\[\[\s*tool\.journeymap\.waivers\s*\]\]", key[1])
            if sub is not None:
                start, search_key = sub, (key[2] if len(key) > 2 else None)
        if start is None:
            return Location(self.path, 1, 1)
        if search_key is not None:
            for i in range(start + 1, len(self.lines)):
                line = self.lines[i]
                if re.match(r"^\s*\[", line):
                    break
                m = re.match(rf"^(\s*)\"?{re.escape(str(search_key))}\"?\s*=", line)
                if m:
                    return Location(self.path, i + 1, len(m.group(1)) + 1)
        return Location(self.path, start + 1, 1)


# --- checking ------------------------------------------------------------------------------

def _build(path: str, data: Any, where: _Where) -> Policy:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError([Diagnostic(where(()), "JM012", "a policy is a mapping of "
                                      + ", ".join(_KEYS))])
    problems = [Diagnostic(where(at, on_key), code, message)
                for err in _validator().iter_errors(data)
                for at, on_key, code, message in _explain(err)]
    # Meaning, on the values the schema let through: rules exist, dates are dates.
    severities: dict[str, str] = {}
    raw_r = data.get("rules")
    for key, value in (raw_r.items() if isinstance(raw_r, dict) else ()):
        found = find_rule(str(key))
        if found is None:
            problems.append(Diagnostic(where(("rules", key), True), "JM014",
                                       f"unknown rule '{key}'{_rule_hint(str(key))}"))
        elif value is False or value == OFF:  # YAML reads a bare `off` as false
            severities[found.id] = OFF
        elif isinstance(value, str):
            severities[found.id] = value
    waivers = []
    raw_w = data.get("waivers")
    for i, w in enumerate(raw_w if isinstance(raw_w, list) else ()):
        if not isinstance(w, dict) or not isinstance(w.get("rule"), str):
            continue
        at = ("waivers", i)
        found = find_rule(w["rule"])
        if found is None:
            problems.append(Diagnostic(where(at + ("rule",)), "JM014",
                                       f"unknown rule '{w['rule']}'{_rule_hint(w['rule'])}"))
        for key in ("rule", "journey", "element"):  # the reason is free text, escaped on output
            found_char = control_character(w.get(key))
            if found_char is not None:
                problems.append(Diagnostic(where(at + (key,)), "JM016", (
                    f"'{key}' of waiver #{i + 1} holds the control character "
                    f"{character_name(found_char)}; ids are one line of plain text")))
        expires = _date(w.get("expires"))
        if expires is None and isinstance(w.get("expires"), str) \
                and re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", w["expires"]):
            problems.append(Diagnostic(where(at + ("expires",)), "JM014", (
                f"'expires' must be a date like 2027-01-31, not {w['expires']!r}")))
        reason = w.get("reason")
        if found is not None and expires is not None and isinstance(reason, str):
            waivers.append(Waiver(found.id, reason.strip(), expires, where(at),
                                  w.get("journey"), w.get("element")))
    if problems:
        raise PolicyError(problems)
    raw = data.get("journeys")
    base = os.path.dirname(path)
    journeys = tuple(_shown(os.path.join(base, p)) if not os.path.isabs(p) else p
                     for p in ([raw] if isinstance(raw, str) else raw or []))
    thresholds = Thresholds(**{k: float(v) for k, v in (data.get("thresholds") or {}).items()})
    return Policy(path, thresholds, severities, tuple(waivers), journeys, data.get("fail_on"))


_WHAT = {"thresholds": "'thresholds' must be a mapping, e.g. {blast_radius: 0.5}",
         "rules": "'rules' must be a mapping of rule id or name to a severity",
         "waivers": "'waivers' must be a list of {rule, reason, expires, journey?, element?}",
         "journeys": "'journeys' must be a path or a list of paths"}


def _explain(err: Any) -> Iterator[tuple[Path, bool, str, str]]:
    """(path, on the key?, code, message) for one schema error, in the policy's words."""
    at = tuple(err.absolute_path)
    inst, v = err.instance, err.validator
    field_name = next((str(p) for p in reversed(at) if isinstance(p, str)), "policy")
    if v == "additionalProperties":
        known = err.schema.get("properties", {})
        where_words = {(): ("policy key", _KEYS), ("thresholds",): ("threshold", _THRESHOLDS)}
        label, listed = where_words.get(at, ("waiver key", _WAIVER_KEYS))
        for key in sorted(set(inst) - set(known), key=str):
            yield (at + (key,), True, "JM010",
                   f"unknown {label} '{key}'{did_you_mean(str(key), known)}; "
                   f"known: {', '.join(listed)}")
    elif v == "required":
        missing = [k for k in err.validator_value if k not in inst]
        yield (at, False, "JM011", "waiver is missing " + ", ".join(f"'{k}'" for k in missing)
               + " (every waiver needs a rule, a reason and an expiry date)")
    elif at[:1] == ("rules",) and len(at) == 2:
        found = find_rule(str(at[1]))
        yield (at, False, "JM014", (f"severity of {found.id if found else at[1]} must be one "
                                    f"of error, warning, note, off; not {inst!r}"))
    elif at[:1] == ("thresholds",) and len(at) == 2:
        yield (at, False, "JM013" if v != "type" else "JM012",
               (f"threshold '{at[1]}' must be a number above 0 and at most 1 "
                f"({_THRESHOLDS.get(str(at[1]), '')}), not {inst!r}"))
    elif v == "enum":
        yield (at, False, "JM014", (f"'{field_name}' must be one of "
                                    f"{', '.join(map(str, err.validator_value))}, not {inst!r}"))
    elif field_name == "expires":
        yield (at, False, "JM014", f"'expires' must be a date like 2027-01-31, not {inst!r}")
    elif field_name == "reason":
        yield (at, False, "JM014", "a waiver's 'reason' must say why the risk is accepted")
    elif len(at) == 1 and at[0] in _WHAT:
        yield (at, False, "JM012", _WHAT[at[0]])
    elif len(at) == 2 and at[0] == "waivers":
        yield (at, False, "JM012", "a waiver must be a mapping with rule, reason and expires")
    elif v == "type":
        yield (at, False, "JM012", f"'{field_name}' must be text, not {inst!r}")
    else:  # minLength, maxLength and the like
        yield (at, False, "JM014", f"'{field_name}': {err.message}")


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _rule_hint(key: str) -> str:
    from journeymap.rules import all_rules

    names = [r.id for r in all_rules()] + [r.name for r in all_rules()]
    return did_you_mean(key, names) or " (see `journeymap rules`)"
