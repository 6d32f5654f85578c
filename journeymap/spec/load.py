"""Load a journey spec: parse, check structure against the shipped JSON Schema, check
references and meaning, and build the :class:`~journeymap.spec.model.Spec`.

Every problem in a file is collected and raised together as one :class:`SpecError`.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from journeymap.spec.diagnostics import (
    Diagnostic,
    Location,
    SpecError,
    character_name,
    control_character,
    did_you_mean,
)
from journeymap.spec.model import (
    Control,
    Element,
    ElementType,
    FlowLine,
    Journey,
    Need,
    Party,
    Spec,
    Stage,
)
from journeymap.spec.yamlsource import Path, Source, read_source

if TYPE_CHECKING:
    from journeymap.spec.catalog import CatalogReader

SCHEMA_FILE = "journeymap.schema.json"

_NAMES = {"touchpoints": "touch-point", "supports": "support", "stages": "stage",
          "parties": "party", "flow": "flow line", "needs": "needs entry"}
_TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number",
               "boolean": "true or false", "array": "a list", "object": "a mapping"}
_ID_FIELDS = ("id", "owner", "stage", "from", "to")
_ONE_LINE = ("id", "name", "channel")  # fields with no control characters at all
_FREE_TEXT = ("description", "note")   # fields that may also hold line breaks
_TEXT_FIELDS = frozenset(_ONE_LINE + _FREE_TEXT)
_ID_RULE = "ids use lowercase letters, digits, '-' and '_', starting with a letter or digit"


def schema_text() -> str:
    """The JSON Schema (draft-07) of the v1 spec format, as shipped."""
    return resources.files("journeymap.spec").joinpath(SCHEMA_FILE).read_text("utf-8")


def yes_no_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """A yes/no check compiled from ``schema`` (fastjsonschema).

    jsonschema is the reference and gives every error with its path, but it costs
    ~0.3 ms per element and ~0.1 s to import; the compiled check is ~7x faster. Valid
    files (the common case) pay only for this; invalid ones are re-checked with
    jsonschema for the positioned report. Specs and catalogs both use it.
    """
    import fastjsonschema

    inlined = inline_refs(schema)
    try:
        check = _compile_yes_no(inlined)
    except Exception:  # pragma: no cover - a fastjsonschema whose internals moved
        check = fastjsonschema.compile(inlined)

    def valid(data: Any) -> bool:
        try:
            check(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return valid


def _compile_yes_no(schema: dict[str, Any]) -> Callable[[Any], Any]:
    """fastjsonschema's compile, with every failure raised without its message.

    The compiled check builds each error's message (the value's path formatted from the
    function's ``locals()``, the failing part of the schema as a literal) before raising,
    also inside ``anyOf`` branches that fail on valid data (a needs entry with ``any``
    fails the ``required: [id]`` branch first). A yes/no check never shows them: 0.11 ->
    0.065 s for a 10k-element spec, and 4x faster to compile. Uses fastjsonschema's code
    generator the way its own ``compile`` does; ``yes_no_check`` falls back to ``compile``
    if that ever changes.
    """
    from fastjsonschema import draft07, ref_resolver

    if "draft-07" not in str(schema.get("$schema", "")):
        raise ValueError("not a draft-07 schema")

    class YesNo(draft07.CodeGeneratorDraft07):
        def exc(self, msg: str, *args: Any, **kwargs: Any) -> None:
            self.l("raise JsonSchemaValueException('invalid')")

        # A mapping's keywords without the set fastjsonschema copies of its keys (to
        # take each known key off and see what is left): 0.52 -> 0.36 s at 100k elements.
        def _here(self) -> dict[str, Any]:
            """The schema being compiled at this point."""
            here: dict[str, Any] = self._definition or {}
            return here

        def _no_key_set(self) -> bool:
            d = self._here()
            extra = d.get("additionalProperties", True)
            return "patternProperties" not in d and (extra is True or extra is False)

        def generate_required(self) -> None:
            d = self._here()
            req = d["required"]
            if not (isinstance(req, list) and req and len(set(req)) == len(req)
                    and all(isinstance(k, str) for k in req) and "patternProperties" not in d
                    and (d.get("additionalProperties", True) is not False
                         or all(k in d.get("properties", {}) for k in req))):
                super().generate_required()  # (its checks of the schema itself, too)
                return
            self.create_variable_is_dict()
            missing = " or ".join('"{}" not in {variable}' for _ in req)
            with self.l("if {variable}_is_dict:"), self.l(f"if {missing}:", *map(self.e, req)):
                self.exc("")

        def generate_properties(self) -> None:
            if not self._no_key_set():
                super().generate_properties()
                return
            self.create_variable_is_dict()
            d = self._here()
            with self.l("if {variable}_is_dict:"):
                for key, definition in d["properties"].items():
                    name = re.sub(r"($[^a-zA-Z]|[^a-zA-Z0-9])", "", key)
                    with self.l('if "{}" in {variable}:', self.e(key)):
                        self.l('{variable}__{0} = {variable}["{1}"]', name, self.e(key))
                        self.generate_func_code_block(
                            definition, f"{self._variable}__{name}",
                            "{}.{}".format(self._variable_name,
                                           self.e(key).replace("{", "{{").replace("}", "}}")),
                            clear_variables=True)

        def generate_additional_properties(self) -> None:
            if not self._no_key_set():
                super().generate_additional_properties()
                return
            d = self._here()
            if d["additionalProperties"] is True:
                return
            known = sorted(d.get("properties", {}))
            self.create_variable_is_dict()
            literal = "{" + ", ".join(map(repr, known)) + "}" if known else "()"
            with self.l("if {variable}_is_dict:"), self.l("for {variable}_key in {variable}:"), \
                    self.l("if {variable}_key not in {}:", literal):
                self.exc("")

    resolver = ref_resolver.RefResolver.from_schema(schema, handlers={}, store={})
    generator = YesNo(schema, resolver=resolver)
    state = generator.global_state
    exec(generator.func_code, state)  # code generated from our own shipped schema
    check: Callable[[Any], Any] = state[resolver.get_scope_name()]
    return check


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each local ``$ref`` replaced by what it points at (draft-07: a
    ``$ref``'s sibling keywords are ignored), where that ends: the same checks.

    fastjsonschema compiles a ``$ref`` into a function call that formats the value's
    path on every call, valid or not; inlined, the ids and needs of a 10k-element spec
    check in 0.12 s instead of 0.3 s.
    """
    def resolve(pointer: str) -> Any:
        target: Any = schema
        for part in pointer[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def inline(value: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(value, list):
            return [inline(v, seen) for v in value]
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
            return inline(resolve(ref), seen + (ref,))
        if isinstance(ref, str):  # remote, or recursive: left for the validator
            return value
        return {k: v if k == "definitions" else inline(v, seen) for k, v in value.items()}

    inlined: dict[str, Any] = inline(schema, ())
    return inlined


@lru_cache(maxsize=1)
def _fast_validator() -> Callable[[Any], bool]:
    return yes_no_check(json.loads(schema_text()))


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # imported lazily: it is the slowest import of the loader

    return jsonschema.Draft7Validator(json.loads(schema_text()))


def load_spec(path: str, text: str | None = None, *,
              catalogs: CatalogReader | None = None) -> Spec:
    """Load and validate the spec at ``path`` (or ``text``, reported as ``path``).

    The catalogs it ``uses`` are read through ``catalogs`` (default: from the files, each
    parsed once per process); problems inside a catalog are reported at its own lines.
    Raises :class:`SpecError` carrying every problem found, sorted by position.
    """
    # Loading allocates millions of small objects and frees none of them until the end:
    # the cyclic garbage collector would rescan them again and again (superlinear).
    from journeymap.spec.catalog import (
        catalog_not_journey,
        date_problems,
        is_catalog_data,
        resolve_uses,
    )

    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        src = read_source(path, text)
        if is_catalog_data(src.data):
            raise SpecError([catalog_not_journey(src)])
        problems = list(_structure_problems(src))
        used = resolve_uses(src, catalogs)
        problems += used.problems
        problems += _Checker(src, used.party_ids, used.element_ids).run()
        problems += used.conflicts(src)
        problems += date_problems(src)
        if problems:
            raise SpecError(problems)
        return used.extend(_build(src))
    finally:
        if gc_was_enabled:
            gc.enable()


# --- structure (JSON Schema) ---------------------------------------------------------

def _structure_problems(src: Source) -> Iterator[Diagnostic]:
    if not isinstance(src.data, dict):
        yield Diagnostic(src.where(()), "JM012",
                         "a journey spec is a mapping with 'journeymap: 1', 'journey', "
                         "'touchpoints'… at the top level")
        return
    if _fast_validator()(src.data):
        return
    seen: set[tuple[Any, ...]] = set()
    for err in sorted(_validator().iter_errors(src.data), key=lambda e: e.validator == "anyOf"):
        path = tuple(err.absolute_path)
        if err.validator == "anyOf" and path in seen:
            continue  # already explained by a more precise error at the same place
        seen.add(path)
        yield from _explain(err, src)


def _what(path: Path, data: Any) -> str:
    """Human name of the thing at ``path``: "touch-point 'web'", "stage #2"…"""
    for i in range(len(path) - 1, -1, -1):
        if isinstance(path[i], int) and i > 0 and path[i - 1] in _NAMES:
            node = data
            for step in path[: i + 1]:
                node = node[step]
            label = _NAMES[path[i - 1]]
            eid = node.get("id") if isinstance(node, dict) else None
            if isinstance(eid, str) and len(eid) <= 128 and control_character(eid) is None:
                return f"{label} '{eid}'"
            return f"{label} #{path[i] + 1}"
    return "the spec" if not path else f"'{path[0]}'"


def _field(path: Path) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "document"


def _explain(err: Any, src: Source) -> Iterator[Diagnostic]:
    path = tuple(err.absolute_path)
    inst = err.instance
    v = err.validator
    where = src.where(path)
    if v == "additionalProperties":
        known = err.schema.get("properties", {})
        for key in sorted(set(inst) - set(known), key=str):
            yield Diagnostic(src.where_key(path + (key,)), "JM010",
                             f"unknown field '{key}' in {_what(path, src.data)}"
                             f"{did_you_mean(str(key), known)}")
    elif v == "required":
        for key in err.validator_value:
            if key not in inst:
                yield Diagnostic(where, "JM011",
                                 f"missing required field '{key}' in {_what(path, src.data)}")
    elif (v == "type" and len(path) >= 2 and isinstance(path[-1], int)
          and path[-2] in ("needs", "flow")):
        kind = "flow line" if path[-2] == "flow" else "needs entry"
        yield Diagnostic(where, "JM012",
                         f"a {kind} must be text or a mapping, not {_describe(inst)}")
    elif v == "type":
        want = err.validator_value
        wanted = want if isinstance(want, list) else [want]
        want = " or ".join(_TYPE_WORDS.get(t, str(t)) for t in wanted)
        yield Diagnostic(where, "JM012", f"'{_field(path)}' must be {want}, not {_describe(inst)}")
    elif v in ("anyOf", None):  # needs long form: not exactly one of id / any / at_least+of
        yield Diagnostic(src.where(path[:4]), "JM014",
                         f"{_what(path[:4], src.data)} must have exactly one of 'id', 'any', "
                         "or 'at_least' together with 'of'")
    elif v == "dependencies":
        missing = "of" if "at_least" in inst else "at_least"
        present = "at_least" if missing == "of" else "of"
        yield Diagnostic(where, "JM011",
                         f"'{present}' needs '{missing}' alongside it in {_what(path, src.data)}")
    elif v == "const":
        yield Diagnostic(where, "JM014", f"'{_field(path)}' must be {err.validator_value!r}, "
                                         f"not {_describe(inst)}")
    elif v == "enum":
        choices = [str(c) for c in err.validator_value]
        yield Diagnostic(where, "JM014",
                         f"'{_field(path)}' must be one of {', '.join(choices)}, "
                         f"not {_describe(inst)}"
                         f"{did_you_mean(str(inst), choices)}")
    elif v == "pattern" and path[:1] == ("flow",) and len(path) == 2:
        yield Diagnostic(where, "JM014", f"flow line {_describe(inst)} must be a chain of ids "
                                         "like 'a -> b -> c', or a mapping {from: a, to: b}")
    elif v == "pattern" and path[-1:] == ("review_by",):
        yield Diagnostic(where, "JM014", f"'review_by' must be a date like 2027-01-31, "
                                         f"not {_describe(inst)}")
    elif v == "pattern" and control_character(inst) is not None:
        return  # JM016 names the control character; "invalid id" would only repeat it
    elif v == "pattern":
        yield Diagnostic(where, "JM014", f"invalid id {_describe(inst)}: {_ID_RULE}")
    elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        yield Diagnostic(where, "JM013", f"'{_field(path)}' is {inst!r}, out of range: "
                                         f"{_range_words(err.schema)}")
    elif v == "minItems":
        yield Diagnostic(where, "JM013",
                         f"'{_field(path)}' needs at least {err.validator_value} item(s)")
    elif v == "minLength":
        yield Diagnostic(where, "JM014", f"'{_field(path)}' must not be empty")
    elif v == "maxLength":
        kind = "an id" if _field(path) in _ID_FIELDS else f"'{_field(path)}'"
        yield Diagnostic(where, "JM015", f"{kind} of {_what(path, src.data)} is "
                                         f"{len(inst):,} characters long; it can be at most "
                                         f"{err.validator_value}")
    else:  # pragma: no cover - every keyword the schema uses is handled above
        yield Diagnostic(where, "JM014", err.message)


def _range_words(schema: dict[str, Any]) -> str:
    parts = []
    if "exclusiveMinimum" in schema:
        parts.append(f"more than {schema['exclusiveMinimum']:,}")
    if "minimum" in schema:
        parts.append(f"at least {schema['minimum']:,}")
    if "maximum" in schema:
        parts.append(f"at most {schema['maximum']:,}")
    return "it must be " + " and ".join(parts)


def _describe(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        if len(value) > 60:  # a 100k-character value is named, not quoted whole
            return f"'{value[:40]}…' ({len(value):,} characters)"
        return f"'{value}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


# --- references and meaning ------------------------------------------------------------

_CHAIN_SPLIT = re.compile(r"\s*->\s*")


def flow_chain(text: str) -> list[tuple[str, int]]:
    """Ids of a chain ``"a -> b -> c"`` with each id's offset in the text.

    >>> flow_chain("web -> basket")
    [('web', 0), ('basket', 7)]
    """
    out, pos = [], 0
    for part in _CHAIN_SPLIT.split(text):
        start = text.index(part, pos) if part else pos
        out.append((part.strip(), start + (len(part) - len(part.lstrip()))))
        pos = start + len(part)
    return out


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _listed(ids: list[str], most: int = 5) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _sid(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class _Checker:
    """Reference and meaning checks; tolerant of structure errors already reported."""

    def __init__(self, src: Source, shared_parties: frozenset[str] = frozenset(),
                 shared_elements: dict[str, str] | None = None):
        # Parties and supports of the catalogs the file uses may be named too.
        self.shared_parties = shared_parties
        self.shared_elements = shared_elements or {}
        self.src = src
        self.data = src.data if isinstance(src.data, dict) else {}
        self.out: list[Diagnostic] = []

    def add(self, loc: Location, code: str, message: str) -> None:
        self.out.append(Diagnostic(loc, code, message))

    def run(self) -> list[Diagnostic]:
        self.stages = self._ids("stages", "stage")
        self.parties = self._ids("parties", "party")
        self.parties.update((p, ()) for p in self.shared_parties if p not in self.parties)
        elements: dict[str, tuple[str, Path]] = {}
        for section, label in (("touchpoints", "touch-point"), ("supports", "support")):
            for i, item in _items(self.data, section):
                eid = _sid(item.get("id"))
                if eid is None:
                    continue
                path = (section, i, "id")
                if eid in elements:
                    first = self.src.where(elements[eid][1])
                    self.add(self.src.where(path), "JM020",
                             f"id '{eid}' is already used by the {elements[eid][0]} at line "
                             f"{first.line}, column {first.column}")
                else:
                    elements[eid] = (label, path)
        self.elements = {**self.shared_elements, **{k: v[0] for k, v in elements.items()}}
        journey = self.data.get("journey")
        if isinstance(journey, dict):
            self._ref_party(journey.get("owner"), ("journey", "owner"))
        for section in ("touchpoints", "supports"):
            for i, item in _items(self.data, section):
                self._element(section, i, item)
        self._flows()
        touchpoints = [item for _, item in _items(self.data, "touchpoints")]
        if touchpoints:
            # A mistyped flag is reported as JM012 already; don't pile a JM024 on top.
            def flagged(tp: dict[str, Any], key: str) -> bool:
                return tp.get(key) is True or (key in tp and not isinstance(tp[key], bool))

            if not any(flagged(tp, "entry") for tp in touchpoints):
                self.add(self.src.where_key(("touchpoints",)), "JM024",
                         "the journey has no entry touch-point: mark where "
                         "customers start with 'entry: true'")
            if not any(flagged(tp, "goal") for tp in touchpoints):
                self.add(self.src.where_key(("touchpoints",)), "JM025",
                         "the journey has no goal touch-point: mark where "
                         "customers succeed with 'goal: true'")
        if not self.src.printable:  # else no text holds a control character
            self._text()
        if not self.out:  # on a sound journey only: a broken line would make it a guess
            self._goal_reachable()
        return self.out

    def _text(self) -> None:
        """No control characters: none in ids, names and channels (shown on one line in
        every output), only line breaks in descriptions and notes."""
        journey = self.data.get("journey")
        items: list[tuple[Path, dict[str, Any]]] = [(("journey",), journey)] \
            if isinstance(journey, dict) else []
        for section in ("stages", "parties", "touchpoints", "supports", "flow"):
            items += [((section, i), item) for i, item in _items(self.data, section)]
        for at, item in items:
            # every text value is looked at once (isprintable is the quick test)
            for key, value in item.items():
                if isinstance(value, str):
                    if not value.isprintable() and key in _TEXT_FIELDS:
                        self._control_in(at + (key,), value, key in _FREE_TEXT)
                elif key == "needs" and isinstance(value, list):
                    for j, need in enumerate(value):
                        note = need.get("note") if isinstance(need, dict) else None
                        if isinstance(note, str) and not note.isprintable():
                            self._control_in(at + ("needs", j, "note"), note, True)

    def _control_in(self, path: Path, value: str, free_text: bool) -> None:
        found = control_character(value.replace("\n", "") if free_text else value)
        if found is None:
            return
        offset = value.index(found)
        rule = ("descriptions and notes may hold line breaks, no other control characters"
                if free_text else "ids, names and channels are one line of plain text")
        self.add(self.src.where(path), "JM016",
                 f"'{path[-1]}' of {_what(path, self.data)} holds the control character "
                 f"{character_name(found)} at character {offset + 1}; "
                 f"{rule}")

    def _goal_reachable(self) -> None:
        """With nothing failed, customers must be able to get from an entry to a goal."""
        touchpoints = [t for _, t in _items(self.data, "touchpoints") if _sid(t.get("id"))]
        entries = [t["id"] for t in touchpoints if t.get("entry") is True]
        goals = {t["id"] for t in touchpoints if t.get("goal") is True}
        flows = self.data.get("flow")
        ahead: dict[str, list[str]] = {}
        for line in flows if isinstance(flows, list) else ():
            if isinstance(line, dict):
                start, end = line.get("from"), line.get("to")
                if isinstance(start, str) and isinstance(end, str):
                    ahead.setdefault(start, []).append(end)
                continue
            ids = [part for part, _ in flow_chain(line)] if isinstance(line, str) else []
            for a, b in zip(ids, ids[1:]):
                ahead.setdefault(a, []).append(b)
        seen, stack = set(entries), list(entries)
        while stack:
            for b in ahead.get(stack.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    stack.append(b)
        if not entries or not goals or seen & goals:
            return
        where = self.src.where_key(("flow",) if "flow" in self.data else ("touchpoints",))
        self.add(where, "JM030",
                 f"no goal can be reached from any entry, even with nothing failed: customers "
                 f"start at {_listed(entries)} and succeed at "
                 f"{_listed([t['id'] for t in touchpoints if t['id'] in goals])}, but no flow "
                 "lines lead from an entry to a goal; add the flow lines customers take")

    def _ids(self, section: str, label: str) -> dict[str, Path]:
        seen: dict[str, Path] = {}
        for i, item in _items(self.data, section):
            sid = _sid(item.get("id"))
            if sid is None:
                continue
            if sid in seen:
                first = self.src.where(seen[sid])
                self.add(self.src.where((section, i, "id")), "JM020",
                         f"{label} id '{sid}' is already used at line {first.line}, "
                         f"column {first.column}")
            else:
                seen[sid] = (section, i, "id")
        return seen

    def _ref_party(self, owner: Any, path: Path) -> None:
        if isinstance(owner, str) and owner not in self.parties:
            hint = did_you_mean(owner, self.parties) or (
                " (declare it under 'parties:')" if not self.parties else "")
            self.add(self.src.where(path), "JM027",
                     f"owner '{owner}' is not a declared party{hint}")

    def _element(self, section: str, i: int, item: dict[str, Any]) -> None:
        # once per element of a 100k-element journey: paths are made only for a problem
        get = item.get
        eid = _sid(get("id")) or f"#{i + 1}"
        owner = get("owner")
        if isinstance(owner, str) and owner not in self.parties:
            self._ref_party(owner, (section, i, "owner"))
        stage = get("stage")
        if isinstance(stage, str) and stage not in self.stages:
            hint = did_you_mean(stage, self.stages) or (
                " (declare it under 'stages:')" if not self.stages else "")
            self.add(self.src.where((section, i, "stage")), "JM026",
                     f"stage '{stage}' of '{eid}' is not a declared stage{hint}")
        needs = get("needs")
        if not isinstance(needs, list):
            return
        elements = self.elements
        for j, need in enumerate(needs):
            if isinstance(need, str):
                if need == eid or need not in elements:  # else: nothing to say
                    self._target(eid, need, (section, i, "needs", j))
            elif isinstance(need, dict):
                target = need.get("id")
                if isinstance(target, str) and (target == eid or target not in elements):
                    self._target(eid, target, (section, i, "needs", j, "id"))
                if "any" in need or "of" in need:
                    self._group(eid, need, (section, i, "needs", j))

    def _group(self, eid: str, need: dict[str, Any], path: Path) -> None:
        """The members of a needs entry's ``any`` or ``at_least``/``of`` group."""
        for group in ("any", "of"):
            members = need.get(group)
            if not isinstance(members, list):
                continue
            seen: set[str] = set()
            for k, m in enumerate(members):
                if not isinstance(m, str):
                    continue
                if m in seen:
                    self.add(self.src.where(path + (group, k)), "JM029",
                             f"'{m}' is listed twice in one group of '{eid}'")
                seen.add(m)
                self._target(eid, m, path + (group, k))
            k_req = need.get("at_least")
            if group == "of" and isinstance(k_req, int) and not isinstance(k_req, bool) \
                    and k_req > len(members):
                self.add(self.src.where(path + ("at_least",)), "JM022",
                         f"'{eid}' needs at least {k_req} of a group of {len(members)}; "
                         "it could never work")

    def _target(self, eid: str, target: str, path: Path) -> None:
        if target == eid:
            self.add(self.src.where(path), "JM028", f"'{eid}' needs itself")
        elif target not in self.elements:
            self.add(self.src.where(path), "JM021",
                     f"'{eid}' needs '{target}', which is not defined"
                     f"{did_you_mean(target, self.elements)}")

    def _flows(self) -> None:
        flows = self.data.get("flow")
        if not isinstance(flows, list):
            return
        elements = self.elements
        for i, line in enumerate(flows):
            if isinstance(line, dict):  # the quick test: both ends are touch-points
                start, end = line.get("from"), line.get("to")
                if isinstance(start, str) and isinstance(end, str) \
                        and elements.get(start) == "touch-point" == elements.get(end):
                    continue
            for target, path, offset in self._flow_ends(i, line):
                kind = elements.get(target)
                if kind == "touch-point":
                    continue
                # positions only for what is reported (a 100k-element journey has 50k lines)
                loc = self.src.where(path)
                if offset is not None:
                    loc = self.src.within_scalar(loc, offset)
                if kind is None:
                    self.add(loc, "JM021", f"flow line names '{target}', which is not defined"
                                           f"{did_you_mean(target, elements)}")
                elif kind == "support":
                    self.add(loc, "JM023", f"flow line joins support '{target}'; flow lines join "
                                           "touch-points (a support is reached through 'needs')")

    @staticmethod
    def _flow_ends(i: int, line: Any) -> list[tuple[str, Path, int | None]]:
        """(id, path, offset in a chain's text) of each end a flow line names."""
        if isinstance(line, dict):
            return [(line[k], ("flow", i, k), None) for k in ("from", "to")
                    if isinstance(line.get(k), str)]
        if isinstance(line, str) and "->" in line:
            return [(part, ("flow", i), off) for part, off in flow_chain(line) if part]
        return []


# --- model ---------------------------------------------------------------------------------

def _build(src: Source) -> Spec:
    data = src.data
    raw_stages = data.get("stages") or []
    stages = tuple(Stage(id=s["id"], name=s["name"], index=i, location=loc,
                         description=s.get("description", ""))
                   for (i, s), loc in zip(enumerate(raw_stages),
                                          src.item_locations(("stages",), len(raw_stages))))
    parties = build_parties(src)
    elements = build_elements(src, ("touchpoints", "supports"))
    flows = []
    raw_flow = data.get("flow") or []
    for line, base in zip(raw_flow, src.item_locations(("flow",), len(raw_flow))):
        if isinstance(line, dict):
            flows.append(FlowLine(line["from"], line["to"], base,
                                  float(line.get("share", 1.0)), line.get("note", "")))
        else:
            ids = flow_chain(line)
            for (a, off), (b, _) in zip(ids, ids[1:]):
                flows.append(FlowLine(a, b, src.within_scalar(base, off)))
    j = data["journey"]
    journey = Journey(id=j["id"], name=j["name"], location=src.where(("journey",)),
                      description=j.get("description", ""), owner=j.get("owner"),
                      volume=j.get("volume"), value=j.get("value"),
                      review_by=_date(j.get("review_by")),
                      people=j.get("people", "customers").strip().lower() or "customers")
    defaults = data.get("defaults") or {}
    return Spec(source=src.path, journey=journey, stages=stages, parties=parties,
                elements=tuple(elements), flows=tuple(flows),
                default_availability=_number(defaults.get("availability")))


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def build_parties(src: Source, catalog: str | None = None) -> tuple[Party, ...]:
    """The validated ``parties`` of a journey or catalog (``catalog``: its path)."""
    raw_parties = src.data.get("parties") or []
    return tuple(Party(id=p["id"], name=p["name"], control=Control(p["control"]),
                       location=loc, description=p.get("description", ""),
                       availability=_number(p.get("availability")), catalog=catalog)
                 for p, loc in zip(raw_parties,
                                   src.item_locations(("parties",), len(raw_parties))))


def build_elements(src: Source, sections: tuple[str, ...],
                   catalog: str | None = None) -> list[Element]:
    """The validated elements of ``sections`` (touchpoints, supports), in file order."""
    elements: list[Element] = []
    add = elements.append
    item_locations = src.item_locations
    for section in sections:
        etype = ElementType.TOUCHPOINT if section == "touchpoints" else ElementType.SUPPORT
        raw = src.data.get(section) or []
        for (i, e), where in zip(enumerate(raw), item_locations((section,), len(raw), raw)):
            get = e.get  # positional below: 100k elements in a large journey
            raw_needs = get("needs")
            needs = tuple(map(_need, raw_needs, item_locations(
                (section, i, "needs"), len(raw_needs), raw_needs))) if raw_needs else ()
            review_by = get("review_by")
            availability = get("availability")
            add(Element(
                e["id"], e["name"], etype, where, get("owner"), get("stage"), get("channel"),
                get("kind"), bool(get("entry", False)), bool(get("goal", False)),
                float(get("share", 1.0)), None if availability is None else float(availability),
                needs, get("description", ""),
                None if review_by is None else _date(review_by), catalog))
    return elements


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _need(raw: Any, loc: Location) -> Need:
    if isinstance(raw, str):
        return Need((raw,), 1, "id", "technology", "hard", "", loc)
    get = raw.get  # positional below: ~17k needs at 10k elements
    kind, strength, note = get("kind", "technology"), get("strength", "hard"), get("note", "")
    if "id" in raw:
        return Need((raw["id"],), 1, "id", kind, strength, note, loc)
    if "any" in raw:
        return Need(tuple(raw["any"]), 1, "any", kind, strength, note, loc)
    return Need(tuple(raw["of"]), int(raw["at_least"]), "at_least", kind, strength, note, loc)
