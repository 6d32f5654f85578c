"""``--format json``: the machine output contract (design note, "Machine output").

Key order is fixed (insertion order, not alphabetical) and versioned by
``schema_version``; lists are sorted by id, one item per line; numbers are shares rounded
to 12 decimals, so the same spec gives the same bytes. One spec gives one object; several
specs give a JSON array of such objects, in the order the files were given.

Object keys, in order (the contract's keys first, then additions)::

    schema_version, journey{id, name, source}, verdict,
    spofs[]{id, type, control, cause, endpoint, path, customers_lost,
            location{line, column}, name, lines[]},
    elements[]{id, down, stranded, customers_lost, type, control, collapses,
               degraded, path},
    baseline_completion,
    complexity{spof_share, non_endpoint_spofs, mean_spread, max_spread,
               by_stage[], by_party[], critical_lines[]},
    robustness{expected_removals_to_collapse, samples, seed, completion[]},
    control[], handoffs[], dependency_cycles[],
    probability{method, collapse, completion, hours_per_year, trials, seed,
                ci95{collapse[lo, hi], completion[lo, hi]} | null,
                completion_method, note} | null,
    cut_sets[]{ids, customers_lost, control[], probability},
    fixes[]{kind, element, line{source, target} | null, title, alternative, assumption,
            verified{spofs_removed, spofs_added, spofs_before, spofs_after,
                     pairs_removed | null, pairs_added | null,
                     customers_lost_before, customers_lost_after, outcomes_protected,
                     collapse_before, collapse_after, collapse_change,
                     completion_before, completion_after, completion_change,
                     hours_per_year_saved}}

Each element also carries ``availability`` (effective: its own, its party's, the
journey's ``defaults``, else 1) and ``importance{birnbaum, criticality, raw, rrw,
fussell_vesely}`` (``null`` with ``--probability off``; a value is ``null`` where it is
undefined, never NaN). ``probability.method`` says how Q was computed ("exact" or
"monte-carlo"); ``completion_method`` how expected completion was (exact when few sets
of touch-points can be down together); ``trials``/``seed``/``ci95`` are set when some
number came from Monte Carlo (an exact number's interval is the number itself).
``cut_sets`` and ``fixes`` are ``null`` when not computed (journeys over 3,000 elements,
unless ``--max-order`` is given for cut sets). ``cut_sets`` are sorted by size, then
ids; ``control`` lists each member's control in ``ids`` order; ``probability`` is the
chance all members fail on their own at once.
``fixes`` are best first (``journeymap.analysis.fixes``: the ranking and what is tried),
each with what re-running the analysis on the fixed copy showed.

Lines are ``{source, target, kind, form, required, members, location}`` where
``source`` needs ``target``.

The text is json's (``ensure_ascii=False``) for each item, but ``elements`` and
``handoffs`` (nine items in ten, 90 MB at 100k elements) are written straight from the
results rather than through dicts, and :func:`render_pieces` gives the text in pieces
for writing as it is made.

A simulation (``journeymap simulate --format json``) is
``{schema_version, journey, failed, survives, down, stranded, degraded,
customers_lost, path, probability, baseline_collapse}``: ``probability`` is the object
above computed with the failed elements down for sure (``null`` with ``--probability
off``), ``baseline_collapse`` the collapse probability without them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from journeymap.analysis.build import controls
from journeymap.analysis.result import Cascade, Handoff, JourneyAnalysis, Line
from journeymap.analysis.risk import Probability
from journeymap.spec.diagnostics import Location
from journeymap.spec.model import Spec

SCHEMA_VERSION = 1


def _loc(loc: Location) -> dict[str, int]:
    return {"line": loc.line, "column": loc.column}


def _line(ln: Line) -> dict[str, Any]:
    return {"source": ln.source, "target": ln.target, "kind": ln.kind, "form": ln.form,
            "required": ln.required, "members": ln.members, "location": _loc(ln.location)}


def _journey(spec: Spec) -> dict[str, Any]:
    return {"id": spec.journey.id, "name": spec.journey.name, "source": spec.source}


def to_dict(a: JourneyAnalysis) -> dict[str, Any]:
    """The contract object of one journey (plain dicts and lists, fixed key order)."""
    return _document(a, list(_element_dicts(a)), [_handoff(h) for h in a.handoffs])


def _element_dicts(a: JourneyAnalysis) -> Iterator[dict[str, Any]]:
    """The items of ``elements``, sorted by id."""
    spec = a.spec
    control = controls(spec)
    types = {e.id: e.type.value for e in spec.elements}
    importance = _importances(a)
    for i, c in sorted(a.cascades.items()):
        yield {"id": i, "down": list(c.down), "stranded": list(c.stranded),
               "customers_lost": c.customers_lost, "type": types[i],
               "control": control[i], "collapses": c.collapses,
               "degraded": list(c.degraded), "path": list(c.path),
               "availability": spec.availability_of(i)[0],
               "importance": _importance(importance.get(i)) if importance is not None
               else None}


def _handoff(h: Handoff) -> dict[str, Any]:
    return {"source": h.source, "target": h.target, "layer": h.layer, "kind": h.kind,
            "from_party": h.from_party, "to_party": h.to_party, "to_control": h.to_control,
            "location": _loc(h.location)}


def _importances(a: JourneyAnalysis) -> dict[str, Any] | None:
    return a.risk.importance if a.risk is not None else None


def _document(a: JourneyAnalysis, elements: Any, handoffs: Any) -> dict[str, Any]:
    """The contract object with ``elements`` and ``handoffs`` as given: lists of dicts
    (:func:`to_dict`) or :class:`_Items` (the writer)."""
    spec = a.spec
    cx = a.complexity
    return {
        "schema_version": SCHEMA_VERSION,
        "journey": _journey(spec),
        "verdict": a.verdict,
        "spofs": [
            {"id": s.id, "type": s.type, "control": s.control, "cause": s.cause,
             "endpoint": s.endpoint, "path": list(s.path), "customers_lost": s.customers_lost,
             "location": _loc(s.location), "name": spec.by_id[s.id].name,
             "lines": [_line(ln) for ln in s.lines]}
            for s in a.spofs],
        "elements": elements,
        "baseline_completion": a.baseline_completion,
        "complexity": {
            "spof_share": cx.spof_share, "non_endpoint_spofs": cx.non_endpoint_spofs,
            "mean_spread": cx.mean_spread, "max_spread": cx.max_spread,
            "by_stage": [_area(x) for x in cx.by_stage],
            "by_party": [_area(x) for x in cx.by_party],
            "critical_lines": [{**_line(c.line), "spofs": list(c.spofs), "fix": c.fix}
                               for c in cx.critical_lines],
        },
        "robustness": {
            "expected_removals_to_collapse": a.robustness.expected_removals_to_collapse,
            "samples": a.robustness.samples, "seed": a.robustness.seed,
            "completion": list(a.robustness.completion),
        },
        "control": [{"control": r.control, "elements": r.elements, "spofs": r.spofs,
                     "customers_at_risk": r.customers_at_risk, "risk_share": r.risk_share}
                    for r in a.control_risk],
        "handoffs": handoffs,
        "dependency_cycles": [list(c) for c in a.dependency_cycles],
        **_risk(a),
    }


def _risk(a: JourneyAnalysis) -> dict[str, Any]:
    """The risk-in-numbers keys (after every v1 key): probability, cut_sets, fixes."""
    r = a.risk
    p = r.probability if r is not None else None
    return {
        "probability": _probability(p) if p is not None else None,
        "cut_sets": None if r is not None and r.cut_sets is None else [
            {"ids": list(c.ids), "customers_lost": c.customers_lost,
             "control": list(c.control), "probability": c.probability}
            for c in (r.cut_sets or () if r is not None else ())],
        "fixes": None if r is not None and r.fixes is None else [
            _fix(f) for f in (r.fixes or () if r is not None else ())],
    }


def _probability(p: Probability) -> dict[str, Any]:
    ci = None
    if p.ci95_collapse is not None or p.ci95_completion is not None:
        ci = {"collapse": list(p.ci95_collapse or (p.collapse, p.collapse)),
              "completion": list(p.ci95_completion or (p.completion, p.completion))}
    return {"method": p.method, "collapse": p.collapse, "completion": p.completion,
            "hours_per_year": p.hours_per_year, "trials": p.trials, "seed": p.seed,
            "ci95": ci, "completion_method": p.completion_method, "note": p.note}


def _importance(x: Any) -> dict[str, Any] | None:
    if x is None:
        return None
    return {"birnbaum": x.birnbaum, "criticality": x.criticality, "raw": x.raw,
            "rrw": x.rrw, "fussell_vesely": x.fussell_vesely}


def _fix(f: Any) -> dict[str, Any]:
    e = f.effect
    return {"kind": f.kind, "element": f.element,
            "line": {"source": f.line[0], "target": f.line[1]} if f.line else None,
            "title": f.title, "alternative": f.alternative, "assumption": f.assumption,
            "verified": {"spofs_removed": list(e.spofs_removed),
                         "spofs_added": list(e.spofs_added),
                         "spofs_before": e.spofs_before, "spofs_after": e.spofs_after,
                         "pairs_removed": e.pairs_removed, "pairs_added": e.pairs_added,
                         "customers_lost_before": e.lost_before,
                         "customers_lost_after": e.lost_after,
                         "outcomes_protected": list(e.outcomes_protected),
                         "collapse_before": e.collapse_before,
                         "collapse_after": e.collapse_after,
                         "collapse_change": e.collapse_change,
                         "completion_before": e.completion_before,
                         "completion_after": e.completion_after,
                         "completion_change": e.completion_change,
                         "hours_per_year_saved": e.hours_per_year_saved}}


def _area(x: Any) -> dict[str, Any]:
    return {"id": x.id, "name": x.name, "elements": x.elements, "spofs": list(x.spofs),
            "customers_at_risk": x.customers_at_risk, "mean_spread": x.mean_spread}


def _item_encoder() -> Callable[[Any], str]:
    """``json.dumps(x, ensure_ascii=False)`` for one item, made once.

    ``json.dumps`` builds a new encoder per call, and even ``JSONEncoder.encode`` builds
    a new C encoder per call: for the 36,000 items of a 10k-element result that is a
    fifth of the writing. The C encoder made once, with the settings ``encode`` passes
    it (no circular check: results are trees), gives the same text.
    """
    default = json.JSONEncoder(ensure_ascii=False)
    if c_make_encoder is None:  # pragma: no cover - a Python without the C accelerator
        return default.encode
    encoder = c_make_encoder(None, default.default, encode_basestring, None, ": ", ", ",
                             False, False, True)
    return lambda value: "".join(encoder(value, 0))


_encode = _item_encoder()
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _value(x: Any) -> str:
    """``json.dumps(x, ensure_ascii=False)``, written directly for a float, string, int,
    bool or None (what the C encoder does for them: ``float.__repr__``, its strings
    escaped by ``encode_basestring``); anything else goes through the C encoder."""
    t = type(x)
    if t is float:
        text: str = float.__repr__(x)
        return _NON_FINITE.get(text, text)
    if t is str:
        return encode_basestring(x)
    if x is None:
        return "null"
    if x is True:
        return "true"
    if x is False:
        return "false"
    if t is int:
        return int.__repr__(x)
    return _encode(x)


class _Quoted(dict[Any, str]):
    """Each string's JSON text, escaped once: ids come back in every cascade's lists
    (a 100k-element result holds millions of them)."""

    def __init__(self) -> None:
        super().__init__({None: "null"})

    def __missing__(self, key: Any) -> str:
        if not isinstance(key, str):  # numbers are not kept: 1 == 1.0 == True
            return _value(key)
        text = self[key] = encode_basestring(key)
        return text


_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _plain(ids: Iterable[Any]) -> bool:
    """Whether each of ``ids`` is a ``str`` that JSON writes as itself between quotes
    (no quote, backslash or control character for ``encode_basestring`` to escape).
    Spec ids always are (``^[a-z0-9][a-z0-9_-]*$``); checked all at once, per result."""
    ids = list(ids)
    return all(type(i) is str for i in ids) and _ESCAPED.search("".join(ids)) is None


_LQ, _RQ = '["', '"]'


def _element_texts(a: JourneyAnalysis) -> Iterator[str]:
    """Each item of ``elements`` as ``_encode`` writes :func:`_element_dicts`' dict,
    without the dict (a 100k-element result has 100k of them).

    Every id in a cascade is an element's id (the engine names its indices with the
    spec's ids), so when those are plain (:func:`_plain`) an id is written as it is
    between quotes, and a list of them by one join, without escaping each.
    """
    spec = a.spec
    if not (_plain(spec.by_id) and _plain(a.cascades)):
        yield from map(_encode, _element_dicts(a))
        return
    control = controls(spec)
    q = _Quoted().__getitem__
    # "type": …, "control": … of each element: a handful of texts, made once each.
    pairs: dict[tuple[Any, Any], str] = {}
    fixed: dict[str, str] = {}
    for e in spec.elements:
        key = (e.type, control[e.id])
        text = pairs.get(key)
        if text is None:
            text = pairs[key] = f'"type": {q(e.type.value)}, "control": {q(key[1])}'
        fixed[e.id] = text
    importance = _importances(a)
    value = _value
    available = spec.availability_of
    join = '", "'.join
    lq, rq = _LQ, _RQ
    for i, c in sorted(a.cascades.items()):
        if importance is None:
            imp = "null"
        else:
            x = importance.get(i)
            imp = "null" if x is None else (
                f'{{"birnbaum": {value(x.birnbaum)}, "criticality": {value(x.criticality)}, '
                f'"raw": {value(x.raw)}, "rrw": {value(x.rrw)}, '
                f'"fussell_vesely": {value(x.fussell_vesely)}}}')
        d, s, g, p = c.down, c.stranded, c.degraded, c.path
        yield (f'{{"id": "{i}", "down": {f"{lq}{join(d)}{rq}" if d else "[]"}, '
               f'"stranded": {f"{lq}{join(s)}{rq}" if s else "[]"}, '
               f'"customers_lost": {value(c.customers_lost)}, {fixed[i]}, '
               f'"collapses": {value(c.collapses)}, '
               f'"degraded": {f"{lq}{join(g)}{rq}" if g else "[]"}, '
               f'"path": {f"{lq}{join(p)}{rq}" if p else "[]"}, '
               f'"availability": {value(available(i)[0])}, "importance": {imp}}}')


def _handoff_texts(a: JourneyAnalysis) -> Iterator[str]:
    """Each item of ``handoffs`` as ``_encode`` writes :func:`_handoff`'s dict. Its two
    ends are element ids (a hand-off is a flow or needs line of the spec), written as
    they are when the spec's ids are plain, as in :func:`_element_texts`; a location's
    line and column are ints."""
    if not _plain(a.spec.by_id):
        yield from map(_encode, map(_handoff, a.handoffs))
        return
    q = _Quoted().__getitem__
    for h in a.handoffs:
        loc = h.location
        yield (f'{{"source": "{h.source}", "target": "{h.target}", "layer": {q(h.layer)}, '
               f'"kind": {q(h.kind)}, "from_party": {q(h.from_party)}, '
               f'"to_party": {q(h.to_party)}, "to_control": {q(h.to_control)}, '
               f'"location": {{"line": {loc.line:d}, "column": {loc.column:d}}}}}')


class _Items:
    """A list of dicts in a document to write, given as each item's JSON text (made
    while writing, so the items are never all in memory as dicts or as text)."""

    __slots__ = ("count", "texts")

    def __init__(self, count: int, texts: Iterable[str]) -> None:
        self.count = count
        self.texts = texts


_BATCH = 256  # items per piece written: pieces of some 100 kB


def _pieces(doc: dict[str, Any], depth: int = 0) -> Iterator[str]:
    """The text of :func:`dumps`, in pieces; :class:`_Items` values are written like
    the list of dicts they stand for."""
    pad = "  " * (depth + 1)
    sep = ",\n" + pad + "  "
    yield "{\n"
    head = pad
    for key, value in doc.items():
        head += f"{json.dumps(key)}: "
        if isinstance(value, dict):
            yield head
            yield from _pieces(value, depth + 1)
        elif isinstance(value, _Items):
            if not value.count:
                yield head + "[]"
                head = ",\n" + pad
                continue
            yield head + "[\n" + pad + "  "
            texts = iter(value.texts)
            batch = list(islice(texts, _BATCH))
            while batch:
                yield sep.join(batch)
                batch = list(islice(texts, _BATCH))
                if batch:
                    yield sep
            yield "\n" + pad + "]"
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            yield head + "[\n" + pad + "  "
            for start in range(0, len(value), _BATCH):
                if start:
                    yield sep
                yield sep.join([_encode(x) for x in value[start:start + _BATCH]])
            yield "\n" + pad + "]"
        else:
            yield head + _value(value)
        head = ",\n" + pad
    yield "\n" + "  " * depth + "}"


def dumps(doc: dict[str, Any], depth: int = 0) -> str:
    """JSON text with one list item (spof, element, line…) per line.

    Readable and diff-friendly like ``indent=2``, but each item is written by the C
    encoder (``indent`` forces the slow pure-Python one: 10 s on a 100 MB result).
    """
    return "".join(_pieces(doc, depth))


def render_pieces(analyses: list[JourneyAnalysis], color: bool = False) -> Iterator[str]:
    """The text of :func:`render` in pieces of at most some 100 kB, for writing as they
    come: a 100k-element result is 95 MB of text, which :func:`render` holds at once.

    ``elements`` and ``handoffs`` (nine items in ten) are written straight from the
    results by :func:`_element_texts` and :func:`_handoff_texts`, the rest from
    :func:`to_dict`'s dicts; tests/test_json_writer.py checks the text is json's.
    """
    array = len(analyses) != 1  # one spec: its object; else an array of them
    if array:
        yield "[\n"
    for n, a in enumerate(analyses):
        if n:
            yield ",\n"
        doc = _document(a, _Items(len(a.cascades), _element_texts(a)),
                        _Items(len(a.handoffs), _handoff_texts(a)))
        yield from _pieces(doc)
    yield "\n]\n" if array else "\n"


def render(analyses: list[JourneyAnalysis], color: bool = False) -> str:
    return "".join(render_pieces(analyses, color=color))


def render_simulation(spec: Spec, c: Cascade, color: bool = False,
                      probability: tuple[Probability, Probability] | None = None) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "journey": _journey(spec),
           "failed": list(c.failed), "survives": not c.collapses, "down": list(c.down),
           "stranded": list(c.stranded), "degraded": list(c.degraded),
           "customers_lost": c.customers_lost, "path": list(c.path),
           "probability": _probability(probability[0]) if probability else None,
           "baseline_collapse": probability[1].collapse if probability else None}
    return dumps(doc) + "\n"


__all__ = ["SCHEMA_VERSION", "dumps", "render", "render_pieces", "render_simulation",
           "to_dict"]
