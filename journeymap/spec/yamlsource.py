"""Read YAML safely, keeping where every key and value stood in the file.

The one reader for every YAML journeymap reads (specs, policies, catalogs):
:func:`read_source` (and :func:`read_text` for the bytes). PyYAML's ``safe_load``
forgets positions, silently keeps the last of two duplicate keys, expands aliases
without limit and follows recursive ones; libyaml's composer recurses in C and crashes
on deep nesting. We build the node tree (for positions) and the plain data ourselves
in one pass over the parser's events, with every limit checked as it goes; no object
is ever constructed from a tag.
"""

from __future__ import annotations

import math
import os
import stat
import sys
from functools import lru_cache
from typing import Any

import yaml

from journeymap.spec.diagnostics import Diagnostic, Location, SpecError

try:  # libyaml is ~4x faster; its positions are the same, its messages differ.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader


MAX_FILE_BYTES = 32 * 1024 * 1024
"""Files larger than this are refused (a hand-written journey is a few kB)."""

MAX_VALUES = 2_000_000
"""Values after alias expansion; more means an alias bomb, not a journey."""

MAX_DEPTH = 64
"""Nesting of lists and mappings; a spec needs about 6. Deeper documents are refused
before anything recursive sees them (libyaml's own composer would crash the process)."""

MAX_EXACT_INT = 2 ** 53
"""Whole numbers beyond this (either sign) are refused: they cannot be exact as floats."""

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"

Path = tuple[Any, ...]

Pos = int
"""A position in the file: ``line << 32 | column`` (both 0-based), one small int per
value instead of libyaml's two mark objects (a 100k-element spec has 2.6M values)."""


class _Seq:
    """A list as written: where it starts and its items (a :data:`Pos` for a plain
    value, or a nested :class:`_Seq` / :class:`_Map`)."""

    __slots__ = ("pos", "items")

    def __init__(self, pos: Pos) -> None:
        self.pos = pos
        self.items: list[Any] = []


class _Map:
    """A mapping as written: where it starts and, per key text (the first of equal
    ones), where the key stands and what its value is (as in :class:`_Seq`)."""

    __slots__ = ("pos", "keys")

    def __init__(self, pos: Pos) -> None:
        self.pos = pos
        self.keys: dict[str, tuple[Pos, Any]] = {}


def _start(node: Any) -> Pos:
    return node if node.__class__ is int else node.pos


class Source:
    """A parsed YAML document that can tell where any value or mapping key stood.

    Most documents (no anchors, aliases, merge keys, tags, duplicate keys or problems)
    are read by a lean pass that keeps, beside the data, only what building a model asks
    for: where the items of each list start, and where the root and its top-level values
    start. Anything else (the positions a diagnostic needs) comes from the full position
    tree (:class:`_Seq`, :class:`_Map`, a :data:`Pos` per plain value), built on first
    use by reading the text again with the full reader; documents the lean pass does not
    take are read by the full reader straight away. Both give the same data and the same
    positions.
    """

    __slots__ = ("path", "data", "printable", "_text", "_lean", "_root", "_lines")

    def __init__(self, path: str, data: Any, text: str, lean: _Lean | None = None,
                 root: Any = None) -> None:
        self.path = path
        self.data = data
        # True when every text in the document is known to be printable (no control
        # characters, no line breaks): the lean pass looks at each distinct text once
        self.printable = lean is not None and lean.printable
        self._text = text
        self._lean = lean
        self._root = root
        self._lines: list[str] | None = None

    @property
    def root(self) -> Any:
        """The full position tree (read again from the text on first use if the lean
        pass read the document)."""
        if self._lean is not None:
            self._root = _Composer(self.path, self._text).compose()[0]
            self._lean = None
        return self._root

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self._text.splitlines()
        return self._lines

    def _nodes(self, path: Path) -> tuple[Pos | None, Any]:
        """(key position, value node) at ``path``; the deepest found if the path breaks
        off (key position ``None`` then, and for list items and the root)."""
        key, node = None, self.root
        for step in path:
            cls = node.__class__
            if cls is _Seq and step.__class__ is int and 0 <= step < len(node.items):
                key, node = None, node.items[step]
            elif cls is _Map:
                pair = node.keys.get(str(step))
                if pair is None:
                    return None, node
                key, node = pair
            else:
                return None, node
        return key, node

    def _loc(self, pos: Pos) -> Location:
        return Location(self.path, (pos >> 32) + 1, (pos & 0xFFFFFFFF) + 1)

    def where(self, path: Path) -> Location:
        """Position of the value at ``path``, or of its nearest enclosing value."""
        path = tuple(path)
        if self._lean is not None:
            pos = self._lean.where(self.data, path)
            if pos is not None:
                return self._loc(pos)
        node = self._nodes(path)[1]
        return self._loc(_start(node)) if node is not None else Location(self.path, 1, 1)

    def item_locations(self, path: Path, count: int,
                       items: list[Any] | None = None) -> list[Location]:
        """Positions of the ``count`` items of the list at ``path``, in one walk.

        ``items``, if given, is the list the data holds at ``path`` (it saves the walk).
        Falls back to :meth:`where` per item when the list is not written there as is
        (e.g. it came in through a merge key).
        """
        path = tuple(path)
        name = self.path
        if self._lean is not None:
            found = self._lean.items(self.data, path, count, items)
            if found is not None:
                return [Location(name, (p >> 32) + 1, (p & 0xFFFFFFFF) + 1) for p in found]
        key, node = self._nodes(path)
        if key is None and path or node.__class__ is not _Seq or len(node.items) != count:
            return [self.where(path + (i,)) for i in range(count)]
        return [Location(name, (p >> 32) + 1, (p & 0xFFFFFFFF) + 1)
                for p in (n if n.__class__ is int else n.pos for n in node.items)]

    def within_scalar(self, start: Location, offset: int) -> Location:
        """Position ``offset`` characters into a one-line text value starting at ``start``
        (a quoted value's text starts one column after its quote)."""
        lines = self.lines
        row = lines[start.line - 1] if 0 < start.line <= len(lines) else ""
        quote = 1 if row[start.column - 1: start.column] in ("'", '"') else 0
        return Location(start.path, start.line, start.column + quote + offset)

    def where_key(self, path: Path) -> Location:
        """Position of the key that holds ``path`` (falls back to the value)."""
        key, node = self._nodes(tuple(path))
        if key is not None:
            return self._loc(key)
        return self._loc(_start(node)) if node is not None else Location(self.path, 1, 1)


@lru_cache(maxsize=256)
def _reads_as_text(key: str) -> bool:
    """Whether ``key`` written plain is text (not a number, boolean, null…): only then is
    the value found under it by data the one the position tree finds by its text."""
    if _MAYBE_NOT_TEXT is None:
        return False
    if key[:1] not in _MAYBE_NOT_TEXT:
        return True
    return bool(_BaseLoader.resolve(_BaseLoader(""), yaml.ScalarNode, key, (True, False))
                == _STR_TAG)


class _Lean:
    """What the lean pass keeps beside the data: where the root starts, where each
    top-level value that is a list or mapping starts (by key), and where the items of
    every non-empty list start (lists by identity: a lean document has no aliases, so
    each list is written once). Answers only what it knows for sure; ``None`` sends the
    question to the full position tree."""

    __slots__ = ("root", "top", "seqs", "positions", "printable", "_by_id")

    def __init__(self, root: Pos | None, top: dict[str, Pos], seqs: list[list[Any]],
                 positions: list[list[Pos]], printable: bool) -> None:
        self.root = root
        self.top = top
        self.seqs = seqs
        self.positions = positions
        self.printable = printable
        self._by_id: dict[int, list[Pos]] | None = None

    def _list_at(self, data: Any, path: Path, node: Any = None) -> list[Pos] | None:
        """Item positions of the list the data holds at ``path`` (``node``, if the caller
        has it already), if it is one."""
        if node is None:
            node = data
            for step in path:
                cls = node.__class__
                if cls is dict:
                    if step.__class__ is not str or not _reads_as_text(step):
                        return None
                    node = node.get(step, _MISSING)
                    if node is _MISSING:
                        return None
                elif cls is list and step.__class__ is int and 0 <= step < len(node):
                    node = node[step]
                else:
                    return None
        if node.__class__ is not list:
            return None
        by_id = self._by_id
        if by_id is None:
            by_id = self._by_id = dict(zip(map(id, self.seqs), self.positions))
        return by_id.get(id(node))

    def where(self, data: Any, path: Path) -> Pos | None:
        if not path:
            return self.root
        if len(path) == 1:
            key = path[0]
            if data.__class__ is dict and key.__class__ is str and _reads_as_text(key):
                return self.top.get(key)
            return None
        last = path[-1]
        if last.__class__ is not int:
            return None
        items = self._list_at(data, path[:-1])
        return items[last] if items is not None and 0 <= last < len(items) else None

    def items(self, data: Any, path: Path, count: int,
              node: list[Any] | None = None) -> list[Pos] | None:
        if count == 0:
            return []
        items = self._list_at(data, path, node)
        return items if items is not None and len(items) == count else None


_MISSING: Any = object()


def _loc(path: str, mark: yaml.Mark) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def read_source(path: str, text: str | None = None) -> Source:
    r"""Parse the YAML file at ``path`` (or ``text``) into a :class:`Source`.

    This is the one reader for every YAML journeymap reads (specs, policies,
    catalogs). Raises :class:`SpecError` with every problem found: duplicate keys, tags,
    and the limits that keep a hostile file from hanging or crashing the process
    (alias bombs, recursive aliases, deep nesting, numbers that are not finite or too
    large to be exact).

    >>> src = read_source("x.yaml", "a: 1\nb: [2, 3]\n")
    >>> src.data, str(src.where(("b", 1)))
    ({'a': 1, 'b': [2, 3]}, 'x.yaml:2:8')
    """
    if text is None:
        text = read_text(path)
    lean = _LeanComposer(path, text).compose()
    if lean is not None:
        return Source(path, lean[0], text, lean=lean[1])
    composer = _Composer(path, text)
    try:
        root, data = composer.compose()
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
    if composer.problems:
        raise SpecError(composer.problems)
    return Source(path, data, text, root=root)


_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFDIR: "a directory",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def read_text(path: str) -> str:
    """The UTF-8 text of the input file at ``path`` (``-``: standard input).

    Only regular files are read: a FIFO, device, socket or directory is refused before
    it is opened (and the file is opened non-blocking and checked again, so a swap in
    between cannot block either). Raises :class:`SpecError` (JM005, JM006).
    """
    where = Location(path, 1, 1)
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            _check_regular(path, os.stat(path).st_mode)
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as fh:
                info = os.fstat(fd)
                _check_regular(path, info.st_mode)
                _check_size(path, info.st_size, exact=True)
                raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SpecError([Diagnostic(where, "JM005",
                                    f"cannot read file: {exc.strerror or exc}")]) from None
    _check_size(path, len(raw), exact=False)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError([Diagnostic(Location(path, line, col), "JM006",
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})")]) from None


def _check_regular(path: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise SpecError([Diagnostic(Location(path, 1, 1), "JM005",
            f"cannot read file: it is {kind}, not a regular file")])


def _check_size(path: str, size: int, exact: bool) -> None:
    if size > MAX_FILE_BYTES:
        raise SpecError([Diagnostic(Location(path, 1, 1), "JM005",
            f"{'file is' if exact else 'input is more than'} {size - (not exact):,} bytes; "
            f"journeymap reads files up to {MAX_FILE_BYTES:,} bytes")])


def number_problem(value: Any, text: str | None = None) -> str | None:
    """Why ``value`` (a number read from a file, written as ``text``) cannot be used,
    or ``None``. Shared by every reader (YAML here, TOML policies), so all say it the
    same way.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return f"the number {_yaml_float(value)} is not finite; journeymap needs finite numbers"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_EXACT_INT:
        return _too_large(text or str(value))
    return None


def whole_number_too_large(text: str) -> str:
    """The message for a whole number written as ``text`` that is beyond 2^53."""
    return _too_large(text)


def _yaml_float(value: float) -> str:
    return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")


def _too_large(text: str) -> str:
    digits = text.lstrip("+-")
    count = f"{len(digits):,} digits" if digits.isdigit() else f"{len(text):,} characters"
    shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({count})"
    return (f"the whole number {shown} is too large: journeymap reads whole numbers up to "
            f"{MAX_EXACT_INT:,} (2^53) exactly")


_INT_PREFIXES = ("0x", "0b", "0o")


class _MergeKeyText(str):
    """The text ``<<`` read as YAML's merge key (elsewhere it is just text)."""


_MERGE_KEY = _MergeKeyText("<<")

# First characters of the plain texts the resolver may read as something other than
# text (numbers, booleans, null, dates, '<<'…); any other plain text is a string for
# sure, without running the resolver's regular expressions. Same answers, fewer calls.
_MAYBE_NOT_TEXT: frozenset[str] | None = (
    None if None in _BaseLoader.yaml_implicit_resolvers or _BaseLoader.yaml_path_resolvers
    else frozenset(_BaseLoader.yaml_implicit_resolvers))


class _Composer:
    """Builds the position tree and the plain data in one pass over the parser's
    events, with no recursion.

    libyaml's own composer recurses in C (a document nested 100,000 deep crashes the
    process) and follows recursive aliases. Here every limit is checked as the events
    arrive: nesting depth, values after alias expansion, an alias used inside the
    collection its anchor is on (``&a [*a]``: a cycle), tags, and numbers. An alias
    yields the anchored value itself (shared, never copied), so expansion costs nothing;
    nothing downstream mutates the data.
    """

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.problems: list[Diagnostic] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def _refuse(self, mark: yaml.Mark, code: str, message: str) -> SpecError:
        return SpecError(self.problems + [Diagnostic(_loc(self.path, mark), code, message)])

    def _at(self, pos: Pos) -> Location:
        return Location(self.path, (pos >> 32) + 1, (pos & 0xFFFFFFFF) + 1)

    def compose(self) -> tuple[Any, Any]:
        loader = _BaseLoader(self.text)
        try:
            return self._run(loader)
        finally:
            loader.dispose()

    def _run(self, loader: Any) -> tuple[Any, Any]:
        # The hot loop of every load: ~260k events for a 10k-element spec. Each event
        # leaves one int (its position) or one small _Seq/_Map behind, no event object;
        # tags of plain scalars are memoised, and only anchored collections measure
        # their expansion.
        get_event = loader.get_event
        resolve = _BaseLoader.resolve
        maybe_not_text = _MAYBE_NOT_TEXT
        tags: dict[str, str] = {}  # tag of each plain scalar text the resolver has read
        ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
        SequenceStartEvent, MappingStartEvent = yaml.SequenceStartEvent, yaml.MappingStartEvent
        SequenceEndEvent, MappingEndEvent = yaml.SequenceEndEvent, yaml.MappingEndEvent
        ScalarNode = yaml.ScalarNode
        scalar_value = self._scalar
        # anchor -> (node, value, expanded size, key text if a plain value)
        anchors: dict[str, tuple[Any, Any, int, str | None]] = {}
        open_anchors: set[str] = set()
        count = 0  # values so far, with aliases expanded
        # frame: [node, data, anchor, count at start, is a sequence, pending key
        #         (position, value, text), merges, refused tag]
        stack: list[list[Any]] = []
        top: list[Any] | None = None
        root: Any = None
        data: Any = None
        documents = 0
        while True:
            event = get_event()
            cls = event.__class__
            if cls is ScalarEvent:
                mark = event.start_mark
                node = mark.line << 32 | mark.column
                text = value = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    # plain: the resolver's regular expressions decide (when the first
                    # character leaves a doubt); quoted, or a block scalar: always text
                    if event.implicit[0] and (maybe_not_text is None
                                              or value[:1] in maybe_not_text):
                        tag = tags.get(value)
                        if tag is None:
                            tag = tags[value] = resolve(loader, ScalarNode, value, (True, False))
                        if tag != _STR_TAG:
                            value = _MERGE_KEY if tag == _MERGE_TAG else scalar_value(event, tag)
                elif tag != _STR_TAG:
                    value = _MERGE_KEY if tag == _MERGE_TAG else scalar_value(event, tag)
                count += 1
                if event.anchor is not None:
                    self._anchor(anchors, event.anchor, event)
                    anchors[event.anchor] = (node, value, 1, text)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise self._refuse(event.start_mark, "JM008",
                        f"lists and mappings nest more than {MAX_DEPTH} deep here; "
                        "journeymap reads documents up to that depth")
                anchor = event.anchor
                if anchor is not None:
                    self._anchor(anchors, anchor, event)
                    open_anchors.add(anchor)
                is_seq = cls is SequenceStartEvent
                tag = event.tag
                refused = False
                if tag is not None and tag != "!" and tag != (_SEQ_TAG if is_seq else _MAP_TAG):
                    self._bad_tag(event, tag)
                    # the value stays as a guess only where the tag names the other kind
                    refused = tag != _SEQ_TAG and tag != _MAP_TAG
                mark = event.start_mark
                pos = mark.line << 32 | mark.column
                count += 1
                top = [_Seq(pos), [], anchor, count, True, None, None, refused] if is_seq \
                    else [_Map(pos), {}, anchor, count, False, None, None, refused]
                stack.append(top)
                continue
            elif cls is SequenceEndEvent or cls is MappingEndEvent:
                frame = stack.pop()
                node, value = frame[0], frame[1]
                if frame[6]:
                    self._merge(value, frame[6])
                if frame[7]:
                    value = None
                anchor = frame[2]
                if anchor is not None:
                    open_anchors.discard(anchor)
                    anchors[anchor] = (node, value, count - frame[3] + 1, None)
                text = None
                top = stack[-1] if stack else None
            elif cls is AliasEvent:
                anchor = event.anchor
                if anchor in open_anchors:
                    raise self._refuse(event.start_mark, "JM007",
                        f"alias '*{anchor}' is used inside the collection its anchor "
                        f"'&{anchor}' marks, so the document would be infinite "
                        "(a recursive alias)")
                if anchor not in anchors:
                    raise self._refuse(event.start_mark, "JM001",
                                       f"invalid YAML: found undefined alias '*{anchor}'")
                node, value, size, text = anchors[anchor]
                count += size
                if count > MAX_VALUES:
                    raise self._refuse(event.start_mark, "JM004",
                        f"document expands to more than {MAX_VALUES:,} values through "
                        "aliases (an alias bomb?); refusing it")
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._refuse(event.start_mark, "JM001",
                        "invalid YAML: expected a single document in the stream, "
                        "but found another document")
                continue
            elif cls is yaml.StreamEndEvent:
                return root, data
            else:  # StreamStart, DocumentEnd
                continue
            # attach the finished value to the collection it is in
            if top is None:
                root, data = node, value
            elif top[4]:
                top[0].items.append(node)
                top[1].append(value)
            elif top[5] is None:
                top[5] = (node, value, text)
            else:
                key_pos, key, key_text = top[5]
                top[5] = None
                if key_text is not None:  # plain keys are found by their text, first wins
                    top[0].keys.setdefault(key_text, (key_pos, node))
                if key is _MERGE_KEY:
                    top[6] = (top[6] or []) + [(node, value)]
                    continue
                if key.__class__ is list or key.__class__ is dict:
                    key = str(key)
                mapping = top[1]
                if key in mapping:
                    self._duplicate(top[0], key_pos, key)
                else:
                    mapping[key] = value

    def _anchor(self, anchors: dict[str, Any], anchor: str, event: Any) -> None:
        if anchor in anchors:
            first = self._at(_start(anchors[anchor][0]))
            raise self._refuse(event.start_mark, "JM001",
                f"invalid YAML: found duplicate anchor '&{anchor}' (first at line "
                f"{first.line}, column {first.column})")

    def _scalar(self, event: Any, tag: str) -> Any:
        """A plain value other than text: checked, then built by PyYAML's safe rules."""
        if tag == _TIMESTAMP_TAG:
            return event.value  # a date stays text; readers that want one parse it
        if tag not in _SCALAR_TAGS:
            self._bad_tag(event, tag)
            return None
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        if tag == _INT_TAG:
            # int("9" * 5000) raises ValueError (Python's digit limit) and a long
            # sexagesimal 1:2:3:… costs quadratic time: refuse what cannot be below 2^53.
            text = event.value.replace("_", "").lstrip("+-")
            body = text[2:] if text[:2].lower() in _INT_PREFIXES else text
            if len(body.lstrip("0")) > 64 or (":" in body and len(body) > 64):
                self._number(event, _too_large(event.value))
                return None
            value = self.constructor.construct_yaml_int(node)
            if abs(value) > MAX_EXACT_INT:
                self._number(event, _too_large(event.value))
                return None
            return value
        value = self.constructor.construct_object(node)
        if tag == _FLOAT_TAG and not math.isfinite(value):
            self._number(event, number_problem(value))
            return None
        return value

    def _number(self, node: Any, message: str | None) -> None:
        self.problems.append(Diagnostic(_loc(self.path, node.start_mark), "JM009", message or ""))

    def _merge(self, result: dict[Any, Any], merged: list[tuple[Any, Any]]) -> None:
        """Merge keys (`<<: *base`): explicit keys win, as YAML specifies."""
        for node, value in merged:
            sources = (list(zip(node.items, value)) if node.__class__ is _Seq
                       and isinstance(value, list) else [(node, value)])
            for src_node, src in sources:
                if src_node.__class__ is not _Map or not isinstance(src, dict):
                    self.problems.append(Diagnostic(self._at(_start(src_node)),
                        "JM014", "a merge key '<<' must refer to a mapping"))
                    continue
                for key, item in src.items():
                    result.setdefault(key, item)

    def _duplicate(self, node: _Map, key_pos: Pos, key: Any) -> None:
        first = node.keys.get(str(key))
        where = self._at(first[0] if first is not None else key_pos)
        self.problems.append(Diagnostic(self._at(key_pos), "JM002",
            f"duplicate key '{key}' (first defined at line {where.line}, "
            f"column {where.column}); YAML would silently keep only the last"))

    def _bad_tag(self, node: Any, tag: str) -> None:
        self.problems.append(Diagnostic(_loc(self.path, node.start_mark), "JM003",
            f"YAML tag '{tag}' is not allowed (journeymap reads only plain values, "
            "lists and mappings; tags are never executed)"))


class _NotLean(Exception):
    """The document needs the full reader: an anchor, alias, tag, merge key, duplicate
    key, a list or mapping as a key, a second document, too deep, or a problem."""


class _LeanComposer:
    """The common case, fast: a document with nothing but plain values, lists and
    mappings, read into the data and a :class:`_Lean` position record.

    It takes only documents the full reader (:class:`_Composer`) reads without a single
    problem, and for those gives the very same data (a value is built by the same
    resolver and the same :meth:`_Composer._scalar`). Anything else (see
    :class:`_NotLean`), a parse error included, gives ``None``: the full reader then
    reads the document from the start and reports what it finds. Equal texts become one
    string object (keys, ids, owners… repeat thousands of times in a large journey).
    """

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text

    def compose(self) -> tuple[Any, _Lean] | None:
        if _MAYBE_NOT_TEXT is None:  # pragma: no cover - a resolver we cannot shortcut
            return None
        try:
            loader = _BaseLoader(self.text)
        except Exception:
            return None
        try:
            return self._run(loader)
        except Exception:  # _NotLean, a parse error…: the full reader decides
            return None
        finally:
            loader.dispose()

    def _run(self, loader: Any) -> tuple[Any, _Lean]:
        # ~1.7M events for a 100k-element spec: every name is local, every event leaves
        # at most one int (a list item's position) beside the data.
        get_event = loader.get_event
        resolve = _BaseLoader.resolve
        maybe_not_text: frozenset[str] = _MAYBE_NOT_TEXT or frozenset()
        ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
        SequenceStartEvent, MappingStartEvent = yaml.SequenceStartEvent, yaml.MappingStartEvent
        SequenceEndEvent, MappingEndEvent = yaml.SequenceEndEvent, yaml.MappingEndEvent
        DocumentStartEvent, StreamEndEvent = yaml.DocumentStartEvent, yaml.StreamEndEvent
        ScalarNode = yaml.ScalarNode
        checker = _Composer(self.path, self.text)
        scalar_value, problems = checker._scalar, checker.problems
        no_key = _MISSING
        plain: dict[str, Any] = {}  # plain text -> its value (text, number, true…, null)
        texts: dict[str, str] = {}  # quoted and block texts: one object per text
        seqs: list[list[Any]] = []  # every non-empty list…
        positions: list[list[Pos]] = []  # …and where its items start
        top: dict[str, Pos] = {}  # where each top-level list or mapping value starts
        stack: list[tuple[Any, list[Pos] | None, Any]] = []
        # the open collection: its data, its items' positions (None: a mapping), the key
        # waiting for its value; the document's root goes into a list of its own
        outer: list[Any] = []
        outer_positions: list[Pos] = []
        data: Any = outer
        items: list[Pos] | None = outer_positions
        key: Any = no_key
        documents = 0
        printable = True  # every distinct text so far (each is looked at once)
        # a tag starts with '!', an anchor with '&': a text with neither has none (the
        # common case), and its events need not be asked
        text = self.text
        marked = "!" in text or "&" in text
        while True:
            event = get_event()
            cls = event.__class__
            if cls is ScalarEvent:
                if marked and (event.tag is not None or event.anchor is not None):
                    raise _NotLean
                value = event.value
                if event.implicit[0]:  # plain: the resolver decides, once per text
                    found = plain.get(value, no_key)
                    if found is no_key:
                        found = value
                        if printable and not value.isprintable():
                            printable = False
                        if value[:1] in maybe_not_text:
                            tag = resolve(loader, ScalarNode, value, (True, False))
                            if tag != _STR_TAG:
                                if tag == _MERGE_TAG:
                                    raise _NotLean
                                found = scalar_value(event, tag)
                                if problems:
                                    raise _NotLean
                        plain[value] = found
                    value = found
                else:
                    found = texts.get(value)
                    if found is None:
                        found = texts[value] = value
                        if printable and not value.isprintable():
                            printable = False
                    value = found
                if items is not None:
                    mark = event.start_mark
                    items.append(mark.line << 32 | mark.column)
                    data.append(value)
                elif key is no_key:
                    key = value
                elif key in data:
                    raise _NotLean
                else:
                    data[key] = value
                    key = no_key
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH or marked and (
                        event.tag is not None or event.anchor is not None):
                    raise _NotLean
                mark = event.start_mark
                if items is not None:
                    items.append(mark.line << 32 | mark.column)
                elif key is no_key:
                    raise _NotLean  # a list or mapping as a key
                elif len(stack) == 1 and key.__class__ is str:
                    top[key] = mark.line << 32 | mark.column
                stack.append((data, items, key))
                if cls is SequenceStartEvent:
                    data, items = [], []
                else:
                    data, items = {}, None
                key = no_key
            elif cls is SequenceEndEvent or cls is MappingEndEvent:
                value = data
                if items:
                    seqs.append(value)
                    positions.append(items)
                data, items, key = stack.pop()
                if items is not None:
                    data.append(value)  # its position went in at its start
                elif key in data:
                    raise _NotLean
                else:
                    data[key] = value
                    key = no_key
            elif cls is AliasEvent:
                raise _NotLean
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _NotLean
            elif cls is StreamEndEvent:
                break
        return (outer[0] if outer else None,
                _Lean(outer_positions[0] if outer_positions else None, top, seqs, positions,
                      printable))
