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
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

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
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"

Path = tuple[Any, ...]


@dataclass
class Source:
    """A parsed YAML document with the position of every value and mapping key."""

    path: str
    data: Any
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def where(self, path: Path) -> Location:
        """Position of the value at ``path``, or of its nearest enclosing value."""
        path = tuple(path)
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Location(self.path, 1, 1))

    def where_key(self, path: Path) -> Location:
        """Position of the key that holds ``path`` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.where(path)


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
        raise SpecError([Diagnostic(Location(path, 1, 1), "JM001", f"invalid YAML: {exc}")]) from None
    src = Source(path=path, data=None, lines=text.splitlines())
    if node is None:
        src.data = None
        return src
    expanded = _expanded_size(node)
    if expanded > MAX_VALUES:
        raise SpecError([Diagnostic(_loc(path, node.start_mark), "JM004",
            f"document expands to more than {MAX_VALUES:,} values through aliases "
            "(an alias bomb?); refusing it")])
    walker = _Walker(src)
    src.data = walker.walk(node, ())
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
        raise SpecError([Diagnostic(where, "JM005", f"cannot read file: {exc.strerror or exc}")]) from None
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
    """Turns composed nodes into plain data, recording positions and problems."""

    def __init__(self, src: Source):
        self.src = src
        self.problems: list[Diagnostic] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def walk(self, node: yaml.Node, path: Path) -> Any:
        self.src.values.setdefault(path, _loc(self.src.path, node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                return self._bad_tag(node)
            return self.constructor.construct_object(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                return self._bad_tag(node)
            return [self.walk(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag != _MAP_TAG:
            return self._bad_tag(node)
        return self._mapping(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Location] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append(value_node)
                continue
            key = self.walk(key_node, path + ("<key>",))
            if isinstance(key, (list, dict)):
                key = str(key)
            key_loc = _loc(self.src.path, key_node.start_mark)
            if key in first_seen:
                self.problems.append(Diagnostic(key_loc, "JM002",
                    f"duplicate key '{key}' (first defined at line {first_seen[key].line}, "
                    f"column {first_seen[key].column}); YAML would silently keep only the last"))
                continue
            first_seen[key] = key_loc
            self.src.keys[path + (key,)] = key_loc
            result[key] = self.walk(value_node, path + (key,))
        # Merge keys (`<<: *base`): explicit keys win, as YAML specifies.
        for merge in merged:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src_node in sources:
                if not isinstance(src_node, yaml.MappingNode):
                    self.problems.append(Diagnostic(_loc(self.src.path, src_node.start_mark),
                        "JM014", "a merge key '<<' must refer to a mapping"))
                    continue
                for key, value in self._mapping(src_node, path).items():
                    result.setdefault(key, value)
        return result

    def _bad_tag(self, node: yaml.Node) -> None:
        self.problems.append(Diagnostic(_loc(self.src.path, node.start_mark), "JM003",
            f"YAML tag '{node.tag}' is not allowed in a journey spec (only plain values, "
            "lists and mappings; tags are never executed)"))
        return None
