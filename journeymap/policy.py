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
    rules:
      JM106: error                   # by id or name: error | warning | note | off
      dependency-cycle: off
    waivers:
      - rule: JM102
        journey: newsletter-video    # optional: only this journey
        element: bitly-service       # optional: only this element
        reason: Bitly is replaced by our own short links in Q3 (PROJ-123)
        expires: 2027-01-31          # the waiver works through this day, then stops

Every problem is reported with ``file:line:column`` and exits 2 (see
:class:`PolicyError`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from journeymap.rules import OFF, SEVERITIES, Thresholds, find_rule
from journeymap.spec.diagnostics import Location, did_you_mean

POLICY_FILES = ("journeymap.yaml", "journeymap.yml", ".journeymap.yaml")
_KEYS = ("journeys", "fail_on", "thresholds", "rules", "waivers")
_WAIVER_KEYS = ("rule", "journey", "element", "reason", "expires")
_THRESHOLDS = {"blast_radius": "share of the other elements (0-1)",
               "customers_lost_jump": "share of customers (0-1)"}

Path = tuple[Any, ...]


@dataclass(frozen=True)
class PolicyProblem:
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: error: {self.message}"


class PolicyError(Exception):
    """The policy file cannot be used; carries every problem found."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = sorted(problems, key=lambda p: (p.location, p.message))
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
        return (self.rule == rule and self.journey in (None, journey)
                and self.element in (None, element))

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
        with open(path, encoding="utf-8") as fh:
            return re.search(r"^\s*\[\[?\s*tool\.journeymap\b", fh.read(), re.M) is not None
    except OSError:
        return False


def load_policy(path: str | None) -> Policy:
    """Read and check the policy at ``path`` (``None``: the built-in default).

    Raises :class:`PolicyError` with every problem (position included).
    """
    if path is None:
        return DEFAULT_POLICY
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise PolicyError([PolicyProblem(Location(path, 1, 1),
                                         f"cannot read policy file: {why}")]) from None
    if path.endswith(".toml"):
        data, where = _read_toml(path, text)
    else:
        data, where = _read_yaml(path, text)
    return _build(path, data, where)


class _Where:
    """Position of a value in the policy file, by path (nearest known ancestor)."""

    def __init__(self, path: str, positions: dict[Path, Location] | None = None,
                 finder: Any = None, keys: dict[Path, Location] | None = None):
        self.path = path
        self.positions = positions or {}
        self.keys = keys or {}
        self.finder = finder

    def __call__(self, key: Path, on_key: bool = False) -> Location:
        if self.finder is not None:
            return self.finder(key)
        key = tuple(key)
        if on_key and key in self.keys:
            return self.keys[key]
        while key not in self.positions and key:
            key = key[:-1]
        return self.positions.get(key, Location(self.path, 1, 1))


def _read_yaml(path: str, text: str) -> tuple[Any, _Where]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)
        why = getattr(exc, "problem", None) or exc
        raise PolicyError([PolicyProblem(loc, f"invalid YAML: {why}")]) from None
    positions: dict[Path, Location] = {}
    keys: dict[Path, Location] = {}
    constructor = yaml.constructor.SafeConstructor()
    problems: list[PolicyProblem] = []

    def walk(node: yaml.Node, at: Path) -> Any:
        loc = Location(path, node.start_mark.line + 1, node.start_mark.column + 1)
        positions.setdefault(at, loc)
        if isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":timestamp"):
                return node.value  # parsed (and checked) as a date below
            if node.tag.rsplit(":", 1)[-1] not in ("str", "int", "float", "bool", "null"):
                problems.append(PolicyProblem(loc, f"YAML tag '{node.tag}' is not allowed here"))
                return None
            return constructor.construct_object(node)
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, at + (i,)) for i, item in enumerate(node.value)]
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = walk(key_node, at + ("<key>",))
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(PolicyProblem(loc, "mapping keys must be plain text"))
                continue
            key = str(key)
            if key in out:
                problems.append(PolicyProblem(
                    Location(path, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    f"duplicate key '{key}'"))
                continue
            keys[at + (key,)] = Location(path, key_node.start_mark.line + 1,
                                         key_node.start_mark.column + 1)
            out[key] = walk(value_node, at + (key,))
        return out

    data = walk(root, ()) if root is not None else {}
    if problems:
        raise PolicyError(problems)
    return data, _Where(path, positions, keys=keys)


def _read_toml(path: str, text: str) -> tuple[Any, _Where]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        loc = Location(path, int(m.group(1)), int(m.group(2))) if m else Location(path, 1, 1)
        raise PolicyError([PolicyProblem(loc, f"invalid TOML: {exc}")]) from None
    data = doc.get("tool", {}).get("journeymap")
    if data is None:
        raise PolicyError([PolicyProblem(Location(path, 1, 1),
                                         "no [tool.journeymap] table in this file")])
    return data, _Where(path, finder=_TomlFinder(path, text.splitlines()))


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
    problems: list[PolicyProblem] = []

    def bad(at: Path, message: str, on_key: bool = False) -> None:
        problems.append(PolicyProblem(where(at, on_key), message))

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError([PolicyProblem(where(()), "a policy is a mapping of "
                                         + ", ".join(_KEYS))])
    for key in data:
        if key not in _KEYS:
            bad((key,), f"unknown policy key '{key}'{did_you_mean(key, _KEYS)}; "
                        f"known keys: {', '.join(_KEYS)}", on_key=True)

    journeys: tuple[str, ...] = ()
    raw = data.get("journeys")
    if raw is not None:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(x, str) and x for x in items):
            bad(("journeys",), "'journeys' must be a path or a list of paths")
        else:
            base = os.path.dirname(path)
            journeys = tuple(_shown(os.path.join(base, p)) if not os.path.isabs(p) else p
                             for p in items)

    fail_on = data.get("fail_on")
    if fail_on is not None and fail_on not in SEVERITIES:
        bad(("fail_on",), f"'fail_on' must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
        fail_on = None

    thresholds = Thresholds()
    raw_t = data.get("thresholds")
    if raw_t is not None:
        if not isinstance(raw_t, dict):
            bad(("thresholds",), "'thresholds' must be a mapping, e.g. {blast_radius: 0.5}")
        else:
            values = {}
            for key, value in raw_t.items():
                if key not in _THRESHOLDS:
                    bad(("thresholds", key), f"unknown threshold '{key}'"
                        f"{did_you_mean(key, _THRESHOLDS)}; known: {', '.join(_THRESHOLDS)}",
                        on_key=True)
                elif isinstance(value, bool) or not isinstance(value, (int, float)) \
                        or not 0 < value <= 1:
                    bad(("thresholds", key), f"threshold '{key}' must be a number above 0 and "
                                             f"at most 1 ({_THRESHOLDS[key]}), not {value!r}")
                else:
                    values[key] = float(value)
            thresholds = Thresholds(**values)

    severities: dict[str, str] = {}
    raw_r = data.get("rules")
    if raw_r is not None:
        if not isinstance(raw_r, dict):
            bad(("rules",), "'rules' must be a mapping of rule id or name to a severity")
        else:
            for key, value in raw_r.items():
                found = find_rule(key)
                if found is None:
                    bad(("rules", key), f"unknown rule '{key}'{_rule_hint(key)}", on_key=True)
                elif value is False or value not in SEVERITIES + (OFF,):
                    # YAML reads a bare `off` as false: accept it as "off".
                    if value is False:
                        severities[found.id] = OFF
                    else:
                        bad(("rules", key), f"severity of {found.id} must be one of "
                                            f"error, warning, note, off; not {value!r}")
                else:
                    severities[found.id] = value

    waivers = []
    raw_w = data.get("waivers")
    if raw_w is not None:
        if not isinstance(raw_w, list):
            bad(("waivers",),
                "'waivers' must be a list of {rule, reason, expires, journey?, element?}")
            raw_w = []
        for i, w in enumerate(raw_w):
            at = ("waivers", i)
            if not isinstance(w, dict):
                bad(at, "a waiver must be a mapping with rule, reason and expires")
                continue
            for key in w:
                if key not in _WAIVER_KEYS:
                    bad(at + (key,), f"unknown waiver key '{key}'{did_you_mean(key, _WAIVER_KEYS)}",
                        on_key=True)
            missing = [k for k in ("rule", "reason", "expires") if k not in w]
            if missing:
                bad(at, "waiver is missing " + ", ".join(f"'{k}'" for k in missing)
                        + " (every waiver needs a rule, a reason and an expiry date)")
                continue
            found = find_rule(str(w["rule"]))
            if found is None:
                bad(at + ("rule",), f"unknown rule '{w['rule']}'{_rule_hint(str(w['rule']))}")
            reason = w["reason"]
            if not isinstance(reason, str) or not reason.strip():
                bad(at + ("reason",), "a waiver's 'reason' must say why the risk is accepted")
            expires = _date(w["expires"])
            if expires is None:
                bad(at + ("expires",),
                    f"'expires' must be a date like 2027-01-31, not {w['expires']!r}")
            for key in ("journey", "element"):
                if key in w and not isinstance(w[key], str):
                    bad(at + (key,), f"a waiver's '{key}' must be an id")
            if (found is not None and expires is not None
                    and isinstance(reason, str) and reason.strip()):
                waivers.append(Waiver(found.id, reason.strip(), expires, where(at),
                                      w.get("journey"), w.get("element")))

    if problems:
        raise PolicyError(problems)
    return Policy(path, thresholds, severities, tuple(waivers), journeys, fail_on)


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
