"""A spreadsheet of touch-points (CSV) -> a starter journey spec.

Columns (header row, any order, case-insensitive; only ``id`` or ``name`` is required):
``id``, ``name``, ``stage``, ``channel``, ``owner``, ``next`` (the touch-points customers
move on to), ``needs`` (what it needs). Optional: ``entry``, ``goal`` (yes/no),
``description``. Lists in a cell are separated by ``;``, ``,`` or ``|``.

* Stages are taken in the order they first appear; owners become ``internal`` parties
  (mark vendors by hand).
* An id in ``needs`` that is no row's id becomes a support to describe (a stub).
* Without ``entry``/``goal`` columns: touch-points nothing leads to are entries, those
  that lead nowhere are goals.
"""

from __future__ import annotations

import csv
import io
import re

from journeymap.importers import ImportError_, ImportProblem, comment, plain, q, slug
from journeymap.spec.diagnostics import Location

COLUMNS = ("id", "name", "stage", "channel", "owner", "next", "needs", "entry", "goal",
           "description")
_SPLIT = re.compile(r"\s*[;,|]\s*")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def _cells(value: str) -> list[str]:
    return [v for v in _SPLIT.split(value.strip()) if v]


def _field_starts(raw: str, delimiter: str) -> list[int]:
    """Offsets where each field of one CSV line starts (quotes respected)."""
    starts, quoted = [0], False
    for i, ch in enumerate(raw):
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            starts.append(i + 1)
    return starts


def csv_journey(path: str, text: str, journey_id: str | None = None,
                journey_name: str | None = None) -> str:
    """Journey spec text from the CSV ``text``. Raises :class:`ImportError_`."""
    problems: list[ImportProblem] = []
    lines = text.splitlines()
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportError_([ImportProblem(Location(path, 1, 1), "the file is empty")]) from None
    cols = [h.strip().lower() for h in header]
    unknown = [h for h in cols if h and h not in COLUMNS]
    if unknown:
        problems.append(ImportProblem(Location(path, 1, 1), f"unknown column(s) "
                                      f"{', '.join(unknown)}; known: {', '.join(COLUMNS)}"))
    if "id" not in cols and "name" not in cols:
        problems.append(ImportProblem(Location(path, 1, 1), "needs an 'id' or a 'name' column"))
    if problems:
        raise ImportError_(problems)

    delimiter = getattr(dialect, "delimiter", ",")

    def where(line: int, value: str, col: str) -> Location:
        """The position of ``value`` inside column ``col`` of the row at ``line``."""
        raw = lines[line - 1] if 0 < line <= len(lines) else ""
        starts = _field_starts(raw, delimiter)
        i = cols.index(col)
        start = starts[i] if i < len(starts) else 0
        end = starts[i + 1] if i + 1 < len(starts) else len(raw)
        at = raw.find(value, start, end) if value else -1
        return Location(path, line, (at if at >= 0 else start) + 1)

    rows: list[dict[str, str]] = []
    row_line: list[int] = []
    while True:
        start = reader.line_num + 1
        try:
            raw_row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportError_([ImportProblem(Location(path, reader.line_num, 1),
                                              f"invalid CSV: {exc}")]) from None
        if not any(c.strip() for c in raw_row):
            continue
        rows.append({c: (raw_row[i].strip() if i < len(raw_row) else "")
                     for i, c in enumerate(cols) if c})
        row_line.append(start)
    if not rows:
        raise ImportError_([ImportProblem(Location(path, 1, 1), "no touch-point rows")])

    ids: list[str] = []
    seen: dict[str, int] = {}
    for r, line in zip(rows, row_line):
        raw_id = r.get("id") or r.get("name") or ""
        tid = slug(raw_id)
        if not raw_id:
            problems.append(ImportProblem(Location(path, line, 1), "row has no id and no name"))
        elif tid in seen:
            problems.append(ImportProblem(where(line, raw_id, "id" if "id" in cols else "name"),
                                          f"id '{tid}' is used by the row at line {seen[tid]} too"))
        seen.setdefault(tid, line)
        ids.append(tid)
    touchpoints = set(ids)

    stages: list[str] = []
    stage_names: dict[str, str] = {}
    parties: dict[str, str] = {}
    flows: list[tuple[str, str]] = []
    supports: dict[str, tuple[str, int, str]] = {}  # id -> (first needed by, line, as written)
    needs_of: dict[str, list[str]] = {}
    for r, line, tid in zip(rows, row_line, ids):
        if r.get("stage"):
            sid = slug(r["stage"])
            if sid not in stage_names:
                stages.append(sid)
                stage_names[sid] = r["stage"]
        if r.get("owner"):
            parties.setdefault(slug(r["owner"]), r["owner"])
        for nxt in _cells(r.get("next", "")):
            nid = slug(nxt)
            if nid not in touchpoints:
                problems.append(ImportProblem(where(line, nxt, "next"),
                    f"'next' of '{tid}' names '{nxt}', which is no row's id"))
            elif nid == tid:
                problems.append(ImportProblem(where(line, nxt, "next"),
                    f"'next' of '{tid}' names the row itself"))
            elif (tid, nid) not in flows:
                flows.append((tid, nid))
        needs = []
        for need in _cells(r.get("needs", "")):
            nid = slug(need)
            if nid == tid:
                problems.append(ImportProblem(where(line, need, "needs"),
                                              f"'{tid}' needs itself"))
                continue
            if nid not in touchpoints:
                supports.setdefault(nid, (tid, line, need))
            if nid not in needs:
                needs.append(nid)
        needs_of[tid] = needs
        for flag in ("entry", "goal"):
            if flag in r and r[flag].lower() not in _YES | _NO:
                problems.append(ImportProblem(where(line, r[flag], flag),
                    f"'{flag}' must be yes or no, not {r[flag]!r}"))
    if problems:
        raise ImportError_(problems)

    has_in = {b for _, b in flows}
    has_out = {a for a, _ in flows}

    def flagged(r: dict[str, str], tid: str, flag: str) -> bool:
        if flag in cols:  # the sheet says it
            return r.get(flag, "").lower() in _YES
        return tid not in (has_in if flag == "entry" else has_out)

    entry = {tid for r, tid in zip(rows, ids) if flagged(r, tid, "entry")}
    goal = {tid for r, tid in zip(rows, ids) if flagged(r, tid, "goal")}
    if not entry:
        entry = {ids[0]}  # everything is in a loop: start where the sheet starts
    if not goal:
        goal = {ids[-1]}

    jid = slug(journey_id or re.sub(r"\.csv$", "", path.rsplit("/", 1)[-1], flags=re.I))
    out = [comment(f"Imported from {path} by `journeymap import csv`: a starter journey."),
           comment("Check the flow, mark vendors 'partner'/'external', and describe the "
                   "supports that were only named in 'needs'."),
           "journeymap: 1",
           "journey:",
           f"  id: {q(jid)}",
           f"  name: {q(plain(journey_name or '') or jid.replace('-', ' ').capitalize())}"]
    if stages:
        out.append("stages:")
        out += [f"  - {{id: {q(s)}, name: {q(plain(stage_names[s]) or s)}}}" for s in stages]
    if parties:
        out.append("parties:")
        out += [f"  - {{id: {q(p)}, name: {q(plain(n) or p)}, control: internal}}"
                for p, n in parties.items()]
    out.append("touchpoints:")
    for r, line, tid in zip(rows, row_line, ids):
        out.append(f"  {comment(f'from {path} line {line}')}")
        out.append(f"  - id: {q(tid)}")
        out.append(f"    name: {q(plain(r.get('name') or r.get('id') or '') or tid)}")
        if r.get("description"):
            out.append(f"    description: {q(plain(r['description']))}")
        if r.get("stage"):
            out.append(f"    stage: {q(slug(r['stage']))}")
        if r.get("channel"):
            out.append(f"    channel: {q(plain(r['channel']).lower())}")
        if r.get("owner"):
            out.append(f"    owner: {q(slug(r['owner']))}")
        if tid in entry:
            out.append("    entry: true")
        if tid in goal:
            out.append("    goal: true")
        if needs_of[tid]:
            out.append(f"    needs: [{', '.join(q(n) for n in needs_of[tid])}]")
    if supports:
        out.append("supports:")
        for sid, (by, line, written) in supports.items():
            origin = f"named in the needs of {by} ({path} line {line}); describe it"
            out.append(f"  {comment(origin)}")
            out.append(f"  - {{id: {q(sid)}, name: {q(plain(written) or sid)}}}")
    if flows:
        out.append("flow:")
        out += [f"  - {a} -> {b}" for a, b in flows]
    return "\n".join(out) + "\n"


__all__ = ["COLUMNS", "csv_journey"]
