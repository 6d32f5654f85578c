"""The fast paths of loading, each checked against the slow, obviously right reading:

- the hardened reader's compact position tree (spec/yamlsource.py) against libyaml's own
  composer: every value and every key stands where libyaml's node says it does;
- the compiled yes/no schema check (fastjsonschema, on the schema with its ``$ref``s
  inlined) against jsonschema on the shipped schema: the same specs pass.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from budget import budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.spec.load import _fast_validator, _validator, inline_refs, yes_no_check
from journeymap.spec.yamlsource import Source, _Composer, _LeanComposer, read_source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs").rglob("*.yaml"))


def libyaml_positions(text: str) -> list[tuple[tuple[Any, ...], str, tuple[int, int]]]:
    """(path, "value" or "key", (line, column)) of every value and key, from libyaml's
    composer: the reading the reader's position tree must agree with."""
    out: list[tuple[tuple[Any, ...], str, tuple[int, int]]] = []
    todo: list[tuple[tuple[Any, ...], yaml.Node]] = [((), yaml.compose(text,
                                                                       Loader=yaml.CSafeLoader))]
    while todo:
        path, node = todo.pop()
        if node is None:
            continue
        out.append((path, "value", (node.start_mark.line + 1, node.start_mark.column + 1)))
        if isinstance(node, yaml.SequenceNode):
            todo += [(path + (i,), item) for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value not in seen:
                    seen.add(key.value)
                    out.append((path + (key.value,), "key",
                                (key.start_mark.line + 1, key.start_mark.column + 1)))
                    todo.append((path + (key.value,), value))
    return out


def assert_positions_agree(text: str) -> None:
    src = read_source("x.yaml", text)
    for path, what, want in libyaml_positions(text):
        at = src.where_key(path) if what == "key" else src.where(path)
        assert (at.line, at.column) == want, (path, what)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_positions_agree_with_libyaml_on_the_examples(path: Path) -> None:
    assert_positions_agree(path.read_text(encoding="utf-8"))


def test_positions_agree_with_libyaml_on_a_generated_journey() -> None:
    from benchmarks.generate import synthetic_yaml

    text = synthetic_yaml(300, seed=3)
    assert_positions_agree(text)
    src = read_source("x.yaml", text)
    # item_locations is the build's one walk per list: the same as asking item by item
    items = src.data["supports"]
    assert src.item_locations(("supports",), len(items)) == [
        src.where(("supports", i)) for i in range(len(items))]


PLAIN = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6),
                  st.floats(allow_nan=False, allow_infinity=False),
                  st.text(max_size=8), st.sampled_from(["yes", "~", "0x1F", "2026-01-01",
                                                         "<<", "a -> b", "'q'", "- x"]))
DOCS = st.recursive(PLAIN, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=5)),
    max_leaves=30)


@settings(max_examples=budget(60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(DOCS, st.sampled_from([None, True, False]), st.sampled_from([None, '"', "'"]))
def test_positions_agree_with_libyaml_on_random_documents(doc: Any, flow: bool | None,
                                                          style: str | None) -> None:
    text = yaml.safe_dump(doc, default_flow_style=flow, default_style=style,
                          allow_unicode=True, width=30)
    try:
        read_source("x.yaml", text)
    except Exception:  # a value the reader refuses (e.g. a huge float) has no positions
        return
    assert_positions_agree(text)


def test_an_alias_and_a_merged_key_stand_where_they_were_written() -> None:
    src = read_source("x.yaml", "base: &b {kind: system}\nx: {<<: *b, name: CRM}\n"
                                "y: [*b]\n")
    assert str(src.where(("y", 0))) == "x.yaml:1:7"  # the anchored mapping
    assert str(src.where(("x", "name"))) == "x.yaml:2:19"
    assert str(src.where_key(("x", "name"))) == "x.yaml:2:13"
    assert str(src.where(("x", "kind"))) == "x.yaml:2:4"  # merged: the mapping it is in
    assert src.item_locations(("x", "kind"), 1) == [src.where(("x", "kind", 0))]


# --- the lean pass against the full reader ----------------------------------------------

def full_source(text: str) -> Source:
    """The document read by the full reader only (position tree built as it goes)."""
    root, data = _Composer("x.yaml", text).compose()
    return Source("x.yaml", data, text, root=root)


def same_data(a: Any, b: Any) -> bool:
    """Equal, and of the very same types all the way down (1 is not 1.0 nor True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return [(type(k), k) for k in a] == [(type(k), k) for k in b] and all(
            same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same_data, a, b))
    return bool(a == b)


def assert_lean_agrees(text: str) -> bool:
    """If the lean pass takes ``text``: the same data as the full reader, and every
    position it answers is the full reader's. Returns whether it took it."""
    lean = _LeanComposer("x.yaml", text).compose()
    if lean is None:
        return False
    full = full_source(text)
    assert same_data(lean[0], full.data)
    src = Source("x.yaml", lean[0], text, lean=lean[1])
    paths = [()] + places(full.data)
    for path in paths + [("nope",), ("nope", 0), (0,), (True,), ("1",)]:
        pos = lean[1].where(src.data, path)
        if pos is not None:
            assert src._loc(pos) == full.where(path), path
    for path in paths:
        node = full.data
        for step in path:
            node = node[step]
        if isinstance(node, list):
            for count in {0, len(node), len(node) + 1}:
                assert src.item_locations(path, count) == full.item_locations(path, count)
            assert src.item_locations(path, len(node), node) == full.item_locations(
                path, len(node))
    for path in paths[:100]:  # through the public API (the full tree comes in on demand)
        assert src.where(path) == full.where(path)
        assert src.where_key(path) == full.where_key(path)
    return True


def test_the_lean_pass_reads_the_examples_and_large_journeys() -> None:
    from benchmarks.generate import synthetic_yaml

    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    texts += [synthetic_yaml(300, seed=3), synthetic_yaml(200, seed=1, support_stages=False)]
    for text in texts:
        assert assert_lean_agrees(text)  # taken, not handed to the full reader


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "a: {<<: {b: 1}}\n", "a: !!str 1\n", "a: ! 1\n", "a: 1\na: 2\n",
    "? [a]\n: 1\n", "a: .nan\n", "a: =\n", "a: 99999999999999999999\n", "--- a\n--- b\n",
    "a: [", "[" * 65 + "]" * 65, "a: &x [1]\n", "'a': 1\na: 2\n",
])
def test_the_lean_pass_leaves_anything_unusual_to_the_full_reader(text: str) -> None:
    assert _LeanComposer("x.yaml", text).compose() is None


@pytest.mark.parametrize("text", [
    "", "---\n", "a", "[1, 2]", "- a\n- b: [c]\n", "1: a\n'1': b\n", "true: x\n'true': y\n",
    "x: 2001-01-01\n", "'': 1\n~: 2\n", "a: {b: [1, {c: [2, 3]}], d: []}\n",
    "a: [R&D, '!x', \"*y\"]\n", "a: 'x\\ty'\n", "a: |\n  two\n  lines\n",
])
def test_the_lean_pass_agrees_with_the_full_reader(text: str) -> None:
    assert assert_lean_agrees(text)


def test_printable_is_known_only_when_every_text_is() -> None:
    assert read_source("x.yaml", "a: [b, 'c d']\n").printable
    assert not read_source("x.yaml", "a: \"b\\x1b\"\n").printable
    assert not read_source("x.yaml", "a: |\n  b\n").printable  # a line break
    assert not read_source("x.yaml", "a: &x b\n").printable  # the full reader: unknown


@settings(max_examples=budget(60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(DOCS, st.sampled_from([None, True, False]), st.sampled_from([None, '"', "'"]))
def test_the_lean_pass_agrees_on_random_documents(doc: Any, flow: bool | None,
                                                  style: str | None) -> None:
    text = yaml.safe_dump(doc, default_flow_style=flow, default_style=style,
                          allow_unicode=True, width=30)
    composer = _Composer("x.yaml", text)
    try:
        composer.compose()
    except Exception:  # the full reader refuses it: so must the lean pass
        assert _LeanComposer("x.yaml", text).compose() is None
        return
    if composer.problems:  # a problem is the full reader's to report
        assert _LeanComposer("x.yaml", text).compose() is None
        return
    assert_lean_agrees(text)


# --- the compiled yes/no schema check ----------------------------------------------------

def test_inlining_resolves_nested_refs_and_leaves_recursive_ones() -> None:
    schema = {"definitions": {"id": {"type": "string"},
                              "pair": {"type": "array", "items": {"$ref": "#/definitions/id"}},
                              "tree": {"type": "array", "items": {"$ref": "#/definitions/tree"}}},
              "properties": {"p": {"$ref": "#/definitions/pair", "description": "ignored"},
                             "t": {"$ref": "#/definitions/tree"}}}
    inlined = inline_refs(schema)
    assert inlined["properties"]["p"] == {"type": "array", "items": {"type": "string"}}
    assert inlined["properties"]["t"]["items"] == {"$ref": "#/definitions/tree"}
    assert inlined["definitions"] == schema["definitions"]
    valid = yes_no_check(schema)
    assert valid({"p": ["a"], "t": [[[]]]})
    assert not valid({"p": [1]}) and not valid({"t": [[1]]})


SPEC_DATA = yaml.safe_load((ROOT / "specs" / "ecommerce-checkout.journey.yaml").read_text())
CATALOG_DATA = yaml.safe_load((ROOT / "specs" / "catalogs" / "platform.catalog.yaml").read_text())
ODD_VALUES = [5, -1, 0, 1.5, 2e9, True, None, "", "Crm", "crm", "a -> b", "a => b", [], ["x"],
              {}, {"id": "crm"}, {"any": ["crm"]}, {"at_least": 1}, {"of": ["crm"]},
              {"at_least": 2, "of": ["a", "b"]}, "2026-13-01", "x" * 129, "system", "soft"]
KEYS = ["id", "name", "kind", "strength", "any", "of", "at_least", "share", "availability",
        "entry", "goal", "note", "colour", "from", "to", "control", "stage", "owner"]


def places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``data`` (the root excluded)."""
    out = []
    items = data.items() if isinstance(data, dict) else (
        enumerate(data) if isinstance(data, list) else ())
    for k, v in items:
        out.append(path + (k,))
        out += places(v, path + (k,))
    return out


@st.composite
def edited(draw: st.DrawFn, original: Any) -> Any:
    """``original`` with a few values replaced, keys removed or keys added."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(places(original)))
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(st.sampled_from(ODD_VALUES))
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(KEYS))] = draw(st.sampled_from(ODD_VALUES))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier edit took the path away
    return data


@settings(max_examples=budget(80), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(edited(SPEC_DATA))
def test_fast_schema_check_agrees_with_jsonschema(data: Any) -> None:
    assert _fast_validator()(data) == (not any(True for _ in _validator().iter_errors(data)))


@settings(max_examples=budget(40), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(edited(CATALOG_DATA))
def test_fast_catalog_check_agrees_with_jsonschema(data: Any) -> None:
    from journeymap.spec.catalog import _catalog_fast_check, _catalog_validator

    assert _catalog_fast_check()(data) == (
        not any(True for _ in _catalog_validator().iter_errors(data)))


def test_the_message_free_check_compiles_from_the_shipped_schemas() -> None:
    # yes_no_check falls back to fastjsonschema.compile silently; the fast one must build.
    from journeymap.spec.catalog import catalog_schema
    from journeymap.spec.load import _compile_yes_no, schema_text

    for schema in (json.loads(schema_text()), catalog_schema()):
        check = _compile_yes_no(inline_refs(schema))
        with pytest.raises(Exception, match="invalid"):
            check({"journeymap": 2})


def test_the_shipped_schema_has_no_ref_left_once_inlined() -> None:
    # Every $ref the fast check would call as a function (the slow path) is gone.
    from journeymap.spec.load import schema_text

    inlined = inline_refs(json.loads(schema_text()))
    inlined.pop("definitions")
    assert "$ref" not in json.dumps(inlined)
