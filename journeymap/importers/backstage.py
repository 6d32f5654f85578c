"""Backstage software-catalog entities -> a journeymap catalog of supports with needs.

Read (multi-document ``catalog-info.yaml`` files, ``apiVersion: backstage.io/v1alpha1``):

* ``Component``, ``Resource``, ``System``, ``API`` become **supports** (kind ``data``
  for database-like resources, else ``system``); ``metadata.title`` or ``name`` names
  them, ``metadata.description`` describes them.
* ``spec.owner`` (a Group or User ref) becomes the support's **owner** party; a
  ``Group``/``User`` entity in the inputs gives the party its display name. Parties
  are ``internal`` (Backstage does not say otherwise): mark vendors ``partner`` or
  ``external`` by hand.
* ``spec.dependsOn`` (X needs each target), ``spec.dependencyOf`` (each target needs
  X), ``spec.consumesApis`` (X needs the API) and ``spec.providesApis`` (the API needs
  X) become hard technology **needs**. A ref (``[kind:][namespace/]name``; kind defaults
  to ``component`` for dependencies and ``api`` for APIs, namespace to ``default``) that
  no input defines becomes a stub support, so no dependency is lost.
* ``Domain`` and ``Location`` entities are skipped (said in a comment).

Ids are the entity names made into journeymap ids; a name used by two kinds gets the
kind appended (``payments`` and ``payments-api``), a non-default namespace is prefixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from journeymap.importers import ImportError_, ImportProblem, comment, plain, q, slug
from journeymap.spec.diagnostics import Location, SpecError
from journeymap.spec.yamlsource import read_source

SUPPORT_KINDS = ("component", "resource", "system", "api")
PARTY_KINDS = ("group", "user")
_DATA_TYPES = ("database", "db", "datastore", "data", "storage", "s3-bucket", "bucket",
               "cache", "queue", "topic", "table", "warehouse")
MAX_BYTES = 32 * 1024 * 1024


@dataclass
class _Entity:
    kind: str  # lowercase
    namespace: str
    name: str
    data: dict[str, Any]
    where: Location
    id: str = ""
    needs: list[str] = field(default_factory=list)  # refs, resolved later

    @property
    def ref(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)


def parse_ref(ref: str, default_kind: str, default_namespace: str = "default") \
        -> tuple[str, str, str]:
    """``[kind:][namespace/]name`` -> (kind, namespace, name), lowercase kind.

    >>> parse_ref("resource:payments/orders-db", "component")
    ('resource', 'payments', 'orders-db')
    >>> parse_ref("checkout", "component")
    ('component', 'default', 'checkout')
    """
    kind, sep, rest = ref.partition(":")
    if not sep:
        kind, rest = default_kind, ref
    namespace, sep, name = rest.partition("/")
    if not sep:
        namespace, name = default_namespace, rest
    return kind.strip().lower(), namespace.strip() or "default", name.strip()


# A line that starts with '---' or '...' (then a space or nothing) is a document marker
# wherever it stands: YAML forbids it at the start of a line inside any content.
_MARKER = re.compile(r"(---|\.\.\.)(?=[ \t\r]|$)")


def _documents(path: str, text: str) -> list[tuple[Any, Location]]:
    """Every document of a multi-document file, each read by the hardened reader (the
    one every YAML journeymap reads goes through: alias bombs, recursive aliases, deep
    nesting and huge numbers are refused, not expanded), at its position in the file."""
    out = []
    problems: list[ImportProblem] = []
    chunks: list[tuple[int, list[str]]] = [(0, [])]  # (index of its first line, lines)
    content = False  # has the current document's text started (directives come before)
    for i, line in enumerate(text.split("\n")):
        m = _MARKER.match(line)
        if m is None:
            # A directive (%YAML, %TAG) before a document is left out (a blank line).
            directive = line.startswith("%") and not content
            content = content or not (directive or line.strip() == "" or line.startswith("#"))
            chunks[-1][1].append("" if directive else line)
        elif m.group(1) == "---":
            # '--- content' starts a document with content on the marker's line; the
            # marker becomes blanks so columns stay right.
            chunks.append((i, ["   " + line[3:]]))
            content = True
        else:  # '...' only ends one
            chunks.append((i + 1, []))
            content = False
    for first, chunk in chunks:
        try:
            src = read_source(path, "\n".join(chunk))
        except SpecError as exc:
            problems += [ImportProblem(Location(path, d.location.line + first,
                                                d.location.column), d.message)
                         for d in exc.diagnostics]
            continue
        if src.root is not None:
            at = src.where(())
            out.append((src.data, Location(path, at.line + first, at.column)))
    if problems:
        raise ImportError_(problems)
    return out


def backstage_catalog(inputs: list[tuple[str, str]], catalog_id: str,
                      catalog_name: str = "Imported from Backstage") -> str:
    """Catalog spec text from ``(path, text)`` inputs. Raises :class:`ImportError_`."""
    problems: list[ImportProblem] = []
    entities: list[_Entity] = []
    skipped: list[str] = []
    for path, text in inputs:
        for doc, where in _documents(path, text):
            if doc is None:
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) \
                    or not isinstance(doc.get("metadata"), dict) \
                    or not isinstance(doc["metadata"].get("name"), str):
                problems.append(ImportProblem(where, "not a Backstage entity (needs 'kind' "
                                                     "and 'metadata.name')"))
                continue
            kind = doc["kind"].lower()
            meta = doc["metadata"]
            if kind not in SUPPORT_KINDS + PARTY_KINDS:
                skipped.append(f"{doc['kind']} {meta['name']} ({where})")
                continue
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            doc = {**doc, "spec": spec}
            entities.append(_Entity(kind, str(meta.get("namespace") or "default"),
                                    meta["name"], doc, where))
    if problems:
        raise ImportError_(problems)
    if not any(e.kind in SUPPORT_KINDS for e in entities):
        raise ImportError_([ImportProblem(Location(inputs[0][0] if inputs else "-", 1, 1),
                                          "no Component, Resource, System or API entity "
                                          "found")])

    by_ref: dict[tuple[str, str, str], _Entity] = {}
    for e in entities:
        if e.ref in by_ref:
            first = by_ref[e.ref].where
            problems.append(ImportProblem(e.where, f"{e.kind}:{e.namespace}/{e.name} is "
                                                   f"defined twice (first at {first})"))
        by_ref[e.ref] = e
    if problems:
        raise ImportError_(problems)

    supports = [e for e in entities if e.kind in SUPPORT_KINDS]
    # Stubs for refs no input defines, so no dependency is lost.
    stubs: dict[tuple[str, str, str], _Entity] = {}

    def resolve(ref: Any, default_kind: str, ctx: _Entity, what: str) -> _Entity | None:
        if not isinstance(ref, str) or not ref.strip():
            problems.append(ImportProblem(ctx.where, f"{what} of {ctx.name} must be entity "
                                                     f"refs, not {ref!r}"))
            return None
        key = parse_ref(ref, default_kind, ctx.namespace)
        if key[0] not in SUPPORT_KINDS:
            return None  # a dependency on a Group, Domain…: not a support
        found = by_ref.get(key) or stubs.get(key)
        if found is None:
            found = stubs[key] = _Entity(key[0], key[1], key[2], {"spec": {}},
                                         ctx.where)
        return found

    edges: list[tuple[_Entity, _Entity]] = []  # (needs-er, needed)
    for e in supports:
        spec = e.data["spec"]
        for field_name, default_kind, forward in (("dependsOn", "component", True),
                                                  ("consumesApis", "api", True),
                                                  ("dependencyOf", "component", False),
                                                  ("providesApis", "api", False)):
            refs = spec.get(field_name) or []
            if not isinstance(refs, list):
                refs = [refs]
            for ref in refs:
                other = resolve(ref, default_kind, e, field_name)
                if other is None or other is e:
                    continue
                edges.append((e, other) if forward else (other, e))

    everything = supports + list(stubs.values())
    _assign_ids(everything)
    for a, b in edges:
        if b.id not in a.needs:
            a.needs.append(b.id)

    parties: dict[str, tuple[str, Location | None]] = {}  # id -> (name, where defined)
    party_entities = {e.ref: e for e in entities if e.kind in PARTY_KINDS}
    owner_of: dict[int, str] = {}
    for e in supports:
        owner = e.data["spec"].get("owner")
        if not isinstance(owner, str) or not owner.strip():
            continue
        key = parse_ref(owner, "group", e.namespace)
        pid = slug(key[2] if key[1] == "default" else f"{key[1]}-{key[2]}")
        owner_of[id(e)] = pid
        if pid not in parties:
            pe = party_entities.get(key)
            parties[pid] = (_display_name(pe) if pe else key[2], pe.where if pe else None)
    if problems:
        raise ImportError_(problems)

    out = [
        comment(f"Imported from Backstage by `journeymap import backstage` "
                f"({', '.join(p for p, _ in inputs)})."),
        comment("Parties are internal: mark vendors 'partner' or 'external', and turn needs "
                "that are not hard into {id: x, strength: soft}."),
    ]
    if skipped:
        out.append(comment("Skipped (not a Component, Resource, System or API): "
                           + "; ".join(skipped)))
    out += ["journeymap: 1",
            f"catalog: {{id: {q(catalog_id)}, name: {q(plain(catalog_name) or catalog_id)}}}"]
    if parties:
        out.append("parties:")
        for pid, (name, defined_at) in sorted(parties.items()):
            src = (f"from {defined_at}" if defined_at
                   else "owner named by the entities; no Group entity")
            out.append(f"  {comment(src)}")
            out.append(f"  - {{id: {q(pid)}, name: {q(plain(name) or pid)}, control: internal}}")
    out.append("supports:")
    for e in sorted(everything, key=lambda x: x.id):
        meta = e.data.get("metadata") or {}
        ref = f"{e.kind}:{e.namespace}/{e.name}"
        origin = (f"from {e.where} ({ref})" if e.ref in by_ref
                  else f"{ref}: referenced at {e.where} but defined in no imported file")
        out.append(f"  {comment(origin)}")
        out.append(f"  - id: {q(e.id)}")
        out.append(f"    name: {q(plain(_display_name(e)) or e.id)}")
        desc = meta.get("description")
        if isinstance(desc, str) and plain(desc):
            out.append(f"    description: {q(plain(desc))}")
        out.append(f"    kind: {_support_kind(e)}")
        if id(e) in owner_of:
            out.append(f"    owner: {q(owner_of[id(e)])}")
        if e.needs:
            out.append(f"    needs: [{', '.join(q(n) for n in e.needs)}]")
    return "\n".join(out) + "\n"


def _display_name(e: _Entity) -> str:
    meta = e.data.get("metadata") or {}
    spec = e.data.get("spec") or {}
    profile = spec.get("profile")
    if not isinstance(profile, dict):
        profile = {}
    for v in (profile.get("displayName"), meta.get("title")):
        if isinstance(v, str) and v.strip():
            return " ".join(v.split())[:300]
    return e.name[:300]


def _support_kind(e: _Entity) -> str:
    t = (e.data.get("spec") or {}).get("type")
    if e.kind == "resource" and isinstance(t, str) and t.lower() in _DATA_TYPES:
        return "data"
    return "system"


def _assign_ids(entities: list[_Entity]) -> None:
    base: dict[int, str] = {}
    for e in entities:
        name = e.name if e.namespace == "default" else f"{e.namespace}-{e.name}"
        base[id(e)] = slug(name)
    counts: dict[str, int] = {}
    for e in entities:
        counts[base[id(e)]] = counts.get(base[id(e)], 0) + 1
    taken: set[str] = set()
    for e in sorted(entities, key=lambda x: (SUPPORT_KINDS.index(x.kind), x.namespace, x.name)):
        ident = base[id(e)]
        if counts[ident] > 1 and ident in taken:
            ident = f"{ident}-{e.kind}"
        n = 2
        while ident in taken:
            ident = f"{base[id(e)]}-{e.kind}-{n}"
            n += 1
        taken.add(ident)
        e.id = ident


__all__ = ["backstage_catalog", "parse_ref"]
