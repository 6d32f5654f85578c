"""Read YAML safely, keeping where every key and value stood in the file.

PyYAML's ``safe_load`` forgets positions, silently keeps the last of two duplicate
keys and expands aliases without limit. We compose the node tree instead (no object
is ever constructed from a tag), walk it ourselves and build plain Python data plus a
map from each value's path (``("touchpoints", 3, "needs", 0)``) to its position.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from journeymap.spec.diagnostics import Diagnostic, Location, SpecError

try:  # libyaml is ~4x faster; its positions are the same, its messages differ.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader


class _Loader(_BaseLoader):
    """The safe loader with a memo on implicit tag resolution.

    Resolving a plain scalar's tag runs regular expressions in Python for every value;
    specs repeat the same keys and ids many times, so the memo halves composing time.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            key = (value, implicit)
            tag = self._tags.get(key)
            if tag is None:
                tag = self._tags[key] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Specs larger than this are refused (a hand-written journey is a few kB)."""

MAX_VALUES = 2_000_000
"""Values after alias expansion; more means an alias bomb, not a journey."""

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_STR_TAG = "tag:yaml.org,2002:str"
# A plain date (`review_by: 2027-01-31`) is kept as its text; the schema checks its form.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"

Path = tuple[Any, ...]


@dataclass
class Source:
    """A parsed YAML document that can tell where any value or mapping key stood.

    Positions are looked up on demand by walking the composed node tree along the
    value's path, so loading pays nothing for positions nobody asks about.
    """

    path: str
    data: Any
    root: yaml.Node | None = None
    lines: list[str] = field(default_factory=list)
    _keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(
        default_factory=dict, repr=False)

    def _pairs(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key text -> (key node, value node) of a mapping; built once per mapping."""
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    index.setdefault(k.value, (k, v))
            self._keys[id(node)] = index
        return index

    def _nodes(self, path: Path) -> tuple[yaml.Node | None, yaml.Node | None]:
        """(key node, value node) at ``path``; the deepest found if the path breaks off."""
        key_node, node = None, self.root
        for step in path:
            if isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and 0 <= step < len(node.value):
                key_node, node = None, node.value[step]
            elif isinstance(node, yaml.MappingNode):
                pair = self._pairs(node).get(str(step))
                if pair is None:
                    return None, node
                key_node, node = pair
            else:
                return None, node
        return key_node, node

    def where(self, path: Path) -> Location:
        """Position of the value at ``path``, or of its nearest enclosing value."""
        node = self._nodes(tuple(path))[1]
        return _loc(self.path, node.start_mark) if node is not None else Location(self.path, 1, 1)

    def item_locations(self, path: Path, count: int) -> list[Location]:
        """Positions of the ``count`` items of the list at ``path``, in one walk.

        Falls back to :meth:`where` per item when the list is not written there as is
        (e.g. it came in through a merge key).
        """
        key_node, node = self._nodes(tuple(path))
        if key_node is None and path or not isinstance(node, yaml.SequenceNode) \
                or len(node.value) != count:
            return [self.where(tuple(path) + (i,)) for i in range(count)]
        return [_loc(self.path, item.start_mark) for item in node.value]

    def within_scalar(self, start: Location, offset: int) -> Location:
        """Position ``offset`` characters into a one-line text value starting at ``start``
        (a quoted value's text starts one column after its quote)."""
        row = self.lines[start.line - 1] if 0 < start.line <= len(self.lines) else ""
        quote = 1 if row[start.column - 1: start.column] in ("'", '"') else 0
        return Location(start.path, start.line, start.column + quote + offset)

    def where_key(self, path: Path) -> Location:
        """Position of the key that holds ``path`` (falls back to the value)."""
        key_node, node = self._nodes(tuple(path))
        node = key_node or node
        return _loc(self.path, node.start_mark) if node is not None else Location(self.path, 1, 1)


def _loc(path: str, mark: yaml.Mark) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def read_source(path: str, text: str | None = None) -> Source:
    """Parse the YAML file at ``path`` (or ``text``) into a :class:`Source`.

    Raises :class:`SpecError` with every problem found (duplicate keys, unsafe tags…).

    >>> src = read_source("x.yaml", "a: 1\\nb: [2, 3]\\n")
    >>> src.data, str(src.where(("b", 1)))
    ({'a': 1, 'b': [2, 3]}, 'x.yaml:2:8')
    """
    if text is None:
        text = _read_text(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(path, mark) if mark else Location(path, 1, 1)
        problem = exc.problem or "cannot parse"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise SpecError([Diagnostic(loc, "JM001", f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:  # e.g. reader errors on control characters
        raise SpecError([Diagnostic(Location(path, 1, 1), "JM001",
                                    f"invalid YAML: {exc}")]) from None
    src = Source(path=path, data=None, root=node, lines=text.splitlines())
    if node is None:
        return src
    # Aliases need anchors: without '&' there is nothing to expand, skip the count.
    if "&" in text:
        expanded = _expanded_size(node)
        if expanded > MAX_VALUES:
            raise SpecError([Diagnostic(_loc(path, node.start_mark), "JM004",
                f"document expands to more than {MAX_VALUES:,} values through aliases "
                "(an alias bomb?); refusing it")])
    walker = _Walker(src)
    src.data = walker.walk(node)
    if walker.problems:
        raise SpecError(walker.problems)
    return src


def _read_text(path: str) -> str:
    where = Location(path, 1, 1)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise SpecError([Diagnostic(where, "JM005",
                f"file is {size:,} bytes; journeymap reads specs up to {MAX_FILE_BYTES:,} bytes")])
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SpecError([Diagnostic(where, "JM005",
                                    f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError([Diagnostic(Location(path, line, col), "JM006",
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})")]) from None


def _expanded_size(root: yaml.Node) -> int:
    """Number of values the document has once aliases are expanded.

    Memoised per node, so an alias bomb is measured in time proportional to its
    text, not to its expansion.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = ([n for pair in node.value for n in pair]
                    if isinstance(node, yaml.MappingNode) else list(node.value))
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes.get(id(c), 1) for c in children), MAX_VALUES + 1)
        else:
            # Aliases cannot form cycles in PyYAML's composer, so this terminates.
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


class _Walker:
    """Turns composed nodes into plain data, recording problems (hot path: keep it lean)."""

    def __init__(self, src: Source):
        self.src = src
        self.problems: list[Diagnostic] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def walk(self, node: yaml.Node) -> Any:
        cls = node.__class__
        if cls is yaml.ScalarNode:
            if node.tag == _STR_TAG or node.tag == _TIMESTAMP_TAG:
                return node.value
            if node.tag not in _SCALAR_TAGS:
                return self._bad_tag(node)
            return self.constructor.construct_object(node)
        if cls is yaml.SequenceNode:
            if node.tag != _SEQ_TAG:
                return self._bad_tag(node)
            walk = self.walk
            return [walk(item) for item in node.value]
        if node.tag != _MAP_TAG:
            return self._bad_tag(node)
        return self._mapping(node)

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[yaml.Node] = []
        walk = self.walk
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append(value_node)
                continue
            if key_node.__class__ is yaml.ScalarNode and key_node.tag == _STR_TAG:
                key = key_node.value
            else:
                key = walk(key_node)
                if isinstance(key, (list, dict)):
                    key = str(key)
            if key in result:
                self._duplicate(node, key_node, key)
                continue
            result[key] = walk(value_node)
        # Merge keys (`<<: *base`): explicit keys win, as YAML specifies.
        for merge in merged:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src_node in sources:
                if not isinstance(src_node, yaml.MappingNode):
                    self.problems.append(Diagnostic(_loc(self.src.path, src_node.start_mark),
                        "JM014", "a merge key '<<' must refer to a mapping"))
                    continue
                for key, value in self._mapping(src_node).items():
                    result.setdefault(key, value)
        return result

    def _duplicate(self, node: yaml.MappingNode, key_node: yaml.Node, key: Any) -> None:
        first = next(k for k, _ in node.value
                     if isinstance(k, yaml.ScalarNode) and k.value == str(key))
        where = _loc(self.src.path, first.start_mark)
        self.problems.append(Diagnostic(_loc(self.src.path, key_node.start_mark), "JM002",
            f"duplicate key '{key}' (first defined at line {where.line}, "
            f"column {where.column}); YAML would silently keep only the last"))

    def _bad_tag(self, node: yaml.Node) -> None:
        self.problems.append(Diagnostic(_loc(self.src.path, node.start_mark), "JM003",
            f"YAML tag '{node.tag}' is not allowed in a journey spec (only plain values, "
            "lists and mappings; tags are never executed)"))
        return None
