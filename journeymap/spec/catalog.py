"""Catalogs: parties and supports declared once, named by many journeys.

A catalog file (``*.catalog.yaml`` by convention, so folder scans do not take it for a
journey)::

    journeymap: 1
    catalog: {id: platform, name: Shared platforms}
    uses: [vendors.catalog.yaml]        # optional: catalogs it builds on
    parties:  [...]                     # as in a journey
    supports: [...]                     # as in a journey (no stage: a catalog has none)

A journey lists ``uses: [catalogs/platform.catalog.yaml]`` and may then name the
catalogs' parties and supports as if it had declared them. Rules:

* paths are relative to the file that names them and may not leave the repository (the
  nearest folder holding ``.git``; outside git, the working folder);
* a catalog that uses itself, directly or through others, is an error (a cycle);
* an id defined both by a file and by a catalog it uses, or by two different catalogs,
  is an error reported at both places;
* a journey takes in only the catalog supports its elements need (directly or through
  other catalog supports) and the parties that own them: a catalog of fifty platforms
  does not add forty unrelated elements to every journey;
* every journey that uses a catalog gets the very same element objects (same ids, same
  positions in the catalog file), so findings about a shared element point at one place.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from journeymap.spec.diagnostics import Diagnostic, Location, SpecError
from journeymap.spec.model import Element, Party, Spec
from journeymap.spec.yamlsource import Source, read_source

CATALOG_SUFFIXES = (".catalog.yaml", ".catalog.yml")



# --- reading ---------------------------------------------------------------------------------

class CatalogReader:
    """Reads catalog files and keeps each one parsed once (keyed by real path and content).

    Subclass and override :meth:`text` to read catalogs from somewhere else (a git ref).
    """

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, str], Catalog | SpecError] = {}

    def text(self, path: str) -> str:
        """The catalog's text; raises :class:`SpecError` (JM050 or the reader's own)."""
        from journeymap.spec.yamlsource import read_text

        return read_text(path)

    def exists(self, path: str) -> bool:
        return os.path.isfile(path)


DEFAULT_READER = CatalogReader()


@dataclass(frozen=True)
class Catalog:
    """One catalog file, validated. ``path`` is as shown in messages; ``real`` is its
    identity (the resolved path)."""

    path: str
    real: str
    id: str
    name: str
    location: Location
    parties: tuple[Party, ...]
    supports: tuple[Element, ...]
    uses: tuple[Catalog, ...] = ()
    digest: str = ""  # sha256 of its text (baseline caching compares catalogs by content)

    def reached(self) -> list[Catalog]:
        """This catalog and every catalog it uses, directly or not (each once, in order)."""
        out: list[Catalog] = []
        seen: set[str] = set()

        def visit(c: Catalog) -> None:
            if c.real in seen:
                return
            seen.add(c.real)
            out.append(c)
            for u in c.uses:
                visit(u)

        visit(self)
        return out


def is_catalog_data(data: Any) -> bool:
    """A document with ``catalog:`` and no ``journey:`` is a catalog."""
    return isinstance(data, dict) and "catalog" in data and "journey" not in data


def is_catalog_file(path: str) -> bool:
    return path.endswith(CATALOG_SUFFIXES)


def catalog_not_journey(src: Source) -> Diagnostic:
    return Diagnostic(src.where_key(("catalog",)), "JM055",
                      "this file is a catalog, not a journey: journeys name it under 'uses:' "
                      "(`journeymap validate` checks it on its own; name it *.catalog.yaml so "
                      "folder scans skip it)")


_ROOTS: dict[str, str] = {}


def repository_root(folder: str) -> str:
    """The nearest folder at or above ``folder`` that holds ``.git``; outside git, the
    working folder. Paths in ``uses`` must stay inside it."""
    folder = os.path.realpath(folder)
    if folder in _ROOTS:
        return _ROOTS[folder]
    probe = folder
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            root = probe
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            root = os.path.realpath(os.getcwd())
            break
        probe = parent
    _ROOTS[folder] = root
    return root


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


# --- the catalog schema: the journey schema's parties and supports ----------------------------

@lru_cache(maxsize=1)
def catalog_schema() -> dict[str, Any]:
    """JSON Schema of a catalog file, made from the shipped journey schema so both stay
    the same language (same ids, limits, needs forms)."""
    from journeymap.spec.load import schema_text

    journey = json.loads(schema_text())
    props = journey["properties"]
    supports = copy.deepcopy(props["supports"])
    supports["items"]["properties"].pop("stage", None)  # stages belong to journeys
    return {
        "$schema": journey.get("$schema", "http://json-schema.org/draft-07/schema#"),
        "title": "journeymap catalog: shared parties and supports, format version 1",
        "type": "object",
        "additionalProperties": False,
        "required": ["journeymap", "catalog"],
        "properties": {
            "journeymap": props["journeymap"],
            "catalog": {
                "type": "object", "additionalProperties": False, "required": ["id", "name"],
                "properties": {"id": {"$ref": "#/definitions/id"},
                               "name": {"$ref": "#/definitions/text"},
                               "description": {"type": "string"}}},
            "uses": props["uses"],
            "parties": props["parties"],
            "supports": supports,
        },
        "definitions": journey["definitions"],
    }


def catalog_schema_text() -> str:
    return json.dumps(catalog_schema(), indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def _catalog_validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(catalog_schema())


@lru_cache(maxsize=1)
def _catalog_fast_check() -> Any:
    from journeymap.spec.load import yes_no_check

    return yes_no_check(catalog_schema())


def _structure(src: Source) -> Iterator[Diagnostic]:
    from journeymap.spec.load import _explain

    if not isinstance(src.data, dict):
        yield Diagnostic(src.where(()), "JM012", "a catalog is a mapping with 'journeymap: 1', "
                                                 "'catalog', 'parties' and 'supports'")
        return
    if _catalog_fast_check()(src.data):
        return  # valid: skip jsonschema (its import alone costs ~0.1 s per run)
    seen: set[tuple[Any, ...]] = set()
    for err in sorted(_catalog_validator().iter_errors(src.data),
                      key=lambda e: e.validator == "anyOf"):
        path = tuple(err.absolute_path)
        if err.validator == "anyOf" and path in seen:
            continue
        seen.add(path)
        yield from _explain(err, src)


# --- loading ---------------------------------------------------------------------------------

def load_catalog(path: str, reader: CatalogReader | None = None) -> Catalog:
    """Load and validate the catalog at ``path`` (and every catalog it uses).

    Raises :class:`SpecError` with every problem, each at its own file's lines.
    """
    reader = reader or DEFAULT_READER
    result = _load(path, os.path.realpath(path), reader, ())
    if isinstance(result, SpecError):
        raise result
    return result


def _load(path: str, real: str, reader: CatalogReader,
          stack: tuple[str, ...]) -> Catalog | SpecError:
    try:
        text = reader.text(path)
    except SpecError as exc:
        return exc
    key = (real, hashlib.sha256(text.encode("utf-8")).hexdigest())
    cached = reader._loaded.get(key)
    if cached is not None:
        return cached
    try:
        src = read_source(path, text)
    except SpecError as exc:
        reader._loaded[key] = exc
        return exc
    if not is_catalog_data(src.data):
        # Not a catalog at all (a journey, or something else): one problem, reported
        # where it is named, rather than every field the catalog schema does not know.
        not_catalog = SpecError([Diagnostic(
            src.where(()), "JM054", "not a catalog (catalogs have 'catalog: {id, name}' "
                                    "and no 'journey')")])
        reader._loaded[key] = not_catalog
        return not_catalog
    problems = list(_structure(src))
    used = _resolve(src, reader, stack + (real,))
    problems += used.problems
    if isinstance(src.data, dict):
        from journeymap.spec.load import _Checker

        # A catalog has no stages: a 'stage' field is already reported as unknown.
        problems += [d for d in _Checker(src, used.party_ids, used.element_ids).run()
                     if d.code != "JM026"]
        problems += used.conflicts(src)
        problems += date_problems(src)
    result: Catalog | SpecError
    if problems:
        # The ids it declares still count, so its users do not pile "not defined" on top.
        result = CatalogError(problems, _declared(src.data, "parties") | used.party_ids,
                              _declared(src.data, "supports") | set(used.element_ids))
    else:
        from journeymap.spec.load import build_elements, build_parties

        head = src.data["catalog"]
        result = Catalog(path=path, real=real, id=head["id"], name=head["name"],
                         location=src.where(("catalog",)),
                         parties=build_parties(src, catalog=path),
                         supports=tuple(build_elements(src, ("supports",), catalog=path)),
                         uses=tuple(used.direct), digest=key[1])
    # A catalog inside a cycle is reported differently depending on where the walk
    # entered the cycle; cache only results that do not depend on the walk.
    if not used.cyclic:
        reader._loaded[key] = result
    return result


class CatalogError(SpecError):
    """A catalog with problems; ``parties``/``supports``: the ids it declares anyway."""

    def __init__(self, diagnostics: list[Diagnostic], parties: set[str] | frozenset[str],
                 supports: set[str]):
        super().__init__(diagnostics)
        self.parties = set(parties)
        self.supports = supports


def _declared(data: Any, section: str) -> set[str]:
    items = data.get(section) if isinstance(data, dict) else None
    return {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)} \
        if isinstance(items, list) else set()


@dataclass
class Used:
    """What a file's ``uses`` brings in: the catalogs (direct and reached), their
    definitions by id, and the problems met on the way."""

    direct: list[Catalog] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    cyclic: bool = False
    broken_parties: set[str] = field(default_factory=set)  # declared by catalogs with problems
    broken_supports: set[str] = field(default_factory=set)

    @property
    def reached(self) -> list[Catalog]:
        out: list[Catalog] = []
        seen: set[str] = set()
        for c in self.direct:
            for r in c.reached():
                if r.real not in seen:
                    seen.add(r.real)
                    out.append(r)
        return out

    @property
    def parties(self) -> dict[str, Party]:
        out: dict[str, Party] = {}
        for c in self.reached:
            for p in c.parties:
                out.setdefault(p.id, p)
        return out

    @property
    def supports(self) -> dict[str, Element]:
        out: dict[str, Element] = {}
        for c in self.reached:
            for e in c.supports:
                out.setdefault(e.id, e)
        return out

    @property
    def party_ids(self) -> frozenset[str]:
        return frozenset(self.parties) | self.broken_parties

    @property
    def element_ids(self) -> dict[str, str]:
        return {k: "support" for k in sorted(set(self.supports) | self.broken_supports)}

    def conflicts(self, src: Source) -> list[Diagnostic]:
        """Ids defined twice: by the file and a catalog, or by two catalogs. Reported at
        both places."""
        out: list[Diagnostic] = []
        reached = self.reached
        for label, section, attr in (("party", "parties", "parties"),
                                     ("support", "supports", "supports")):
            first: dict[str, tuple[Catalog, Location]] = {}
            for c in reached:
                for item in getattr(c, attr):
                    if item.id in first and first[item.id][0].real != c.real:
                        other, where = first[item.id]
                        out.append(_twice(label, item.id, item.location, where, other))
                        out.append(_twice(label, item.id, where, item.location, c))
                    else:
                        first.setdefault(item.id, (c, item.location))
            if not first:
                continue  # no catalog defines any: nothing of the file's own to compare
            own_sections = (section,) if section == "parties" else ("touchpoints", "supports")
            data = src.data if isinstance(src.data, dict) else {}
            for sec in own_sections:
                items = data.get(sec)
                if not isinstance(items, list):
                    continue
                for i, item in enumerate(items):
                    iid = item.get("id") if isinstance(item, dict) else None
                    if not isinstance(iid, str) or iid not in first:
                        continue
                    cat, where = first[iid]
                    here = src.where((sec, i, "id"))
                    out.append(Diagnostic(here, "JM053",
                        f"{label} id '{iid}' is also defined in catalog '{cat.id}' at {where}; "
                        f"name the catalog's {label} instead of redefining it"))
                    out.append(Diagnostic(where, "JM053",
                        f"{label} id '{iid}' is redefined at {here}, in a file that uses "
                        f"this catalog"))
        return out

    def extend(self, spec: Spec) -> Spec:
        """``spec`` plus the catalog supports its elements need (directly or through
        other catalog supports) and the catalog parties that own what it names."""
        if not self.direct:
            return spec
        import dataclasses

        shared = self.supports
        own = {e.id for e in spec.elements}
        taken: list[Element] = []
        seen: set[str] = set()
        stack = [t for e in spec.elements for n in e.needs for t in n.targets]
        while stack:
            t = stack.pop()
            if t in own or t in seen or t not in shared:
                continue
            seen.add(t)
            taken.append(shared[t])
            stack.extend(x for n in shared[t].needs for x in n.targets)
        order = {e.id: i for i, e in enumerate(shared.values())}
        taken.sort(key=lambda e: order[e.id])
        elements = spec.elements + tuple(taken)
        own_parties = {p.id for p in spec.parties}
        named = {e.owner for e in elements if e.owner} | (
            {spec.journey.owner} if spec.journey.owner else set())
        shared_parties = self.parties
        parties = spec.parties + tuple(p for pid, p in shared_parties.items()
                                       if pid in named and pid not in own_parties)
        return dataclasses.replace(spec, parties=parties, elements=elements,
                                   catalogs=tuple(c.path for c in self.reached))


def _twice(label: str, iid: str, here: Location, there: Location, other: Catalog) -> Diagnostic:
    return Diagnostic(here, "JM053", f"{label} id '{iid}' is also defined in catalog "
                                     f"'{other.id}' at {there}; define it in one catalog only")


def resolve_uses(src: Source, reader: CatalogReader | None = None) -> Used:
    """Load the catalogs the file ``src`` names under ``uses``."""
    return _resolve(src, reader or DEFAULT_READER, ())


def _resolve(src: Source, reader: CatalogReader, stack: tuple[str, ...]) -> Used:
    used = Used()
    data = src.data if isinstance(src.data, dict) else {}
    names = data.get("uses")
    if not isinstance(names, list):
        return used
    folder = os.path.dirname(src.path)
    root = repository_root(folder or ".")
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name:
            continue  # the schema reports it
        where = src.where(("uses", i))
        if os.path.isabs(name) or re.match(r"^[a-z][a-z0-9+.-]*://", name, re.IGNORECASE):
            used.problems.append(Diagnostic(where, "JM051",
                f"'{name}' must be a path relative to this file's folder"))
            continue
        path = os.path.normpath(os.path.join(folder, name))
        real = os.path.realpath(path)
        if not _inside(real, root):
            used.problems.append(Diagnostic(where, "JM051",
                f"'{name}' leaves the repository ({root}); catalogs must live inside it"))
            continue
        if real in stack:
            cycle = " -> ".join(os.path.basename(s) for s in stack[stack.index(real):])
            used.problems.append(Diagnostic(where, "JM052",
                f"catalogs use each other in a cycle: {cycle} -> {os.path.basename(real)}"))
            used.cyclic = True
            continue
        if real in seen:
            continue
        seen.add(real)
        if not reader.exists(path):
            used.problems.append(Diagnostic(where, "JM050",
                f"catalog '{name}' not found (looked for {path})"))
            continue
        result = _load(path, real, reader, stack)
        if isinstance(result, SpecError):
            if [d.code for d in result.diagnostics] == ["JM054"]:
                used.problems.append(Diagnostic(where, "JM054",
                    f"'{name}' is not a catalog (a catalog has 'catalog: {{id, name}}' and "
                    "no 'journey')"))
                continue
            used.problems.extend(result.diagnostics)
            if isinstance(result, CatalogError):
                used.broken_parties |= result.parties
                used.broken_supports |= result.supports
            if any(d.code == "JM052" for d in result.diagnostics):
                used.cyclic = True
            continue
        used.direct.append(result)
    return used


# --- review dates ----------------------------------------------------------------------------

def date_problems(src: Source) -> list[Diagnostic]:
    """``review_by`` values shaped like dates that are not real dates (2027-02-30)."""
    data = src.data if isinstance(src.data, dict) else {}
    journey = data.get("journey")
    spots: list[tuple[tuple[Any, ...], Any]] = [
        (("journey", "review_by"), journey.get("review_by") if isinstance(journey, dict)
         else None)]
    for sec in ("touchpoints", "supports"):
        items = data.get(sec)
        if isinstance(items, list):
            spots.extend(((sec, i, "review_by"), item.get("review_by"))
                         for i, item in enumerate(items)
                         if isinstance(item, dict) and "review_by" in item)
    out = []
    for path, node in spots:
        if isinstance(node, str) and _DATE.fullmatch(node):
            try:
                dt.date.fromisoformat(node)
            except ValueError:
                out.append(Diagnostic(src.where(path), "JM056",
                                      f"'review_by' {node} is not a real date"))
    return out


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


__all__ = ["CATALOG_SUFFIXES", "Catalog", "CatalogReader", "Used",
           "catalog_schema", "catalog_schema_text", "date_problems", "is_catalog_data",
           "is_catalog_file", "load_catalog", "repository_root", "resolve_uses"]
