"""Fuzz: broken and hostile inputs through every command that reads them.

Inputs (hypothesis):

* byte mutations of the example specs (``specs/``, catalogs included) and of a full
  policy file: bit flips, cuts, repeats, and splices of hostile tokens (aliases, anchors,
  merge keys, tags, NaN/inf, huge and subnormal numbers, control and escape
  characters, workflow commands, Markdown/HTML, non-UTF-8 bytes);
* generated YAML documents: trees over the spec language's own keys with any values;
* generated specs that are valid in shape, with hostile names and ids and extreme shares,
  so that they reach the analysis and every output.

Each input is written to a scratch folder (next to a copy of ``specs/``, so ``uses:``
resolves) and run in-process (click's ``CliRunner``) through ``validate``, ``analyze``
(text, json, markdown), ``simulate``, ``check`` (text, github, sarif), ``diff``,
``render -o .dot / .mmd``, ``report -o .md`` and ``portfolio``; policies through
``check --policy``.

Property: the exit code is 0, 1 or 2, no exception escapes other than ``SystemExit``,
and each command finishes within :data:`TIME_LIMIT` seconds (a SIGALRM timer; a hang
fails the example instead of the run).

CI runs a bounded number of examples (about 20 s on the 2-core machine). The long run::

    JOURNEYMAP_FUZZ_EXAMPLES=5000 python3 -m pytest -q tests/test_fuzz.py -p no:randomly

uses that many examples per test; with ``JOURNEYMAP_FUZZ_COLLECT=FILE`` failures are
appended to FILE (one JSON line each) instead of stopping at the first, so one run
lists everything it finds. What the long runs found is recorded in tests/FUZZ.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SOURCES: dict[str, bytes] = {
    str(p.relative_to(SPECS)): p.read_bytes() for p in sorted(SPECS.rglob("*.yaml"))}
JOURNEYS = sorted(k for k in SOURCES if k.endswith(".journey.yaml"))
IMPORTS = Path(__file__).resolve().parent / "data" / "import"
BACKSTAGE = (IMPORTS / "catalog-info.yaml").read_bytes()
CSV = (IMPORTS / "touchpoints.csv").read_bytes()

POLICY = b"""\
journeys: specs/
fail_on: error
thresholds:
  blast_radius: 0.5
  customers_lost_jump: 0.25
rules:
  JM102: error
  dependency-cycle: off
waivers:
  - rule: JM101
    journey: newsletter-video
    element: bitly-service
    reason: Short links stay until the vendor review (PROJ-123)
    expires: 2099-01-31
"""

PYPROJECT = b"""\
[project]
name = "shop"

[tool.journeymap]
journeys = "specs/"
fail_on = "error"

[tool.journeymap.thresholds]
blast_radius = 0.5

[tool.journeymap.rules]
JM102 = "error"
dependency-cycle = "off"

[[tool.journeymap.waivers]]
rule = "JM101"
journey = "newsletter-video"
element = "bitly-service"
reason = "Short links stay until the vendor review (PROJ-123)"
expires = 2099-01-31
"""

LONG = int(os.environ.get("JOURNEYMAP_FUZZ_EXAMPLES", "0") or 0)
COLLECT = os.environ.get("JOURNEYMAP_FUZZ_COLLECT")
TIME_LIMIT = float(os.environ.get("JOURNEYMAP_FUZZ_TIMEOUT", "30"))  # seconds per command


def fuzz_settings(ci_examples: int) -> settings:
    return settings(max_examples=LONG or ci_examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --- running one input through the commands --------------------------------------------


class Hang(BaseException):
    """A command ran past TIME_LIMIT (BaseException: CliRunner must not swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextmanager
def scratch() -> Iterator[Path]:
    """A folder holding a copy of specs/ (catalogs too), the working directory meanwhile
    (so nothing is found in, or written to, the repository)."""
    with tempfile.TemporaryDirectory(prefix="jm-fuzz-") as tmp:
        root = Path(tmp)
        shutil.copytree(SPECS, root / "specs")
        (root / "out").mkdir()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(cwd)


def first_id(text: bytes) -> str:
    m = re.search(rb"\bid:\s*([a-z0-9][a-z0-9_-]{0,40})", text)
    return m.group(1).decode() if m else "x"


def spec_commands(spec: str, original: str, fail_id: str) -> list[list[str]]:
    return [
        ["validate", spec],
        ["analyze", spec],
        ["analyze", "--format", "json", spec],
        ["analyze", "--format", "markdown", spec],
        ["simulate", spec, "--fail", fail_id],
        ["check", spec, "--policy", "policy.yaml"],
        ["check", spec, "--policy", "policy.yaml", "--format", "github"],
        ["check", spec, "--policy", "policy.yaml", "--format", "sarif"],
        ["diff", original, spec],
        ["render", spec, "-o", "out/d.dot"],
        ["render", spec, "-o", "out/d.mmd"],
        ["report", spec, "-o", "out/r.md"],
        ["portfolio", spec],
        ["explore", spec, "-o", "out/p.html"],
    ]


def policy_commands(policy: str) -> list[list[str]]:
    spec = "specs/newsletter-video.journey.yaml"
    return [
        ["check", spec, "--policy", policy],
        ["check", spec, "--policy", policy, "--format", "json"],
        ["check", spec, "--policy", policy, "--format", "junit"],
        ["check", spec],  # found in the working directory, as in a checked-out PR
        ["check", "--policy", policy],  # the policy's own journeys: folder
    ]


def problem(args: list[str], result: Result | None, error: BaseException | None,
            seconds: float) -> str | None:
    """What is wrong with one command's outcome, or None."""
    if error is not None:
        return f"{type(error).__name__}: {error}"
    assert result is not None
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
        return f"{type(exc).__name__}: {exc}\n{tb}"
    if result.exit_code not in (0, 1, 2):
        return f"exit code {result.exit_code}: {result.output[-500:]}"
    return None


def run(commands: list[list[str]], inputs: dict[str, bytes], kind: str,
        written_validates: dict[int, str] | None = None) -> None:
    """Run ``commands`` over ``inputs`` (paths relative to a scratch folder) and check
    the property. ``written_validates`` maps a command's position to a file it writes:
    when the command succeeds, ``validate`` must accept that file."""
    runner = CliRunner()
    found = []
    with scratch() as root:
        for rel, data in inputs.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for k, args in enumerate(commands):
            t0 = time.perf_counter()
            result: Result | None = None
            error: BaseException | None = None
            try:
                with time_limit(TIME_LIMIT):
                    result = runner.invoke(cli, args, catch_exceptions=True)
            except Hang as e:
                error = e
            what = problem(args, result, error, time.perf_counter() - t0)
            if what:
                found.append((args, what))
            elif written_validates and k in written_validates and result is not None \
                    and result.exit_code == 0:
                check = runner.invoke(cli, ["validate", written_validates[k]])
                if check.exit_code != 0:
                    found.append((args, "wrote a file that does not validate:\n"
                                  + check.output[-1500:]))
    if not found:
        return
    if COLLECT:
        with open(COLLECT, "a", encoding="utf-8") as fh:
            for args, what in found:
                fh.write(json.dumps({"kind": kind, "command": args, "problem": what,
                                     "inputs": {k: v.decode("utf-8", "backslashreplace")
                                                for k, v in inputs.items()}}) + "\n")
        return
    args, what = found[0]
    pytest.fail(f"journeymap {' '.join(args)}\n{what}", pytrace=False)


# --- inputs ----------------------------------------------------------------------------

HOSTILE = [
    b"&a [*a]", b"*a", b"&a {x: *a}", b"<<: *a", b"&b", b"!!python/object:os.system",
    b"!!binary", b"!!set", b"!!omap", b"? ", b"%YAML 1.1\n", b"---\n", b"...\n",
    b".nan", b".inf", b"-.inf", b"1e309", b"1.0e+309", b"9" * 400, b"1" * 5000,
    b"0x7fffffffffffffffffff", b"0o777", b"1_000", b"5e-324", b"1.0e-320", b"1.0e+9",
    b"1.0e+12", b"-1", b"0", b"~", b"null", b"true", b"no", b"2027-13-45", b"2099-01-01",
    b"\x1b]0;owned\x07", b"\x1b]8;;http://evil\x1b\\", b"\x1b[2J", b"\x1b", b"\x9b",
    b"\n::error ::forged\n", b"::add-mask::x", b"::stop-commands::t", b"%0A::error::",
    b"[l](http://evil)", b"<b>x</b>", b"<script>", b"|", b"`", b"*", b"_", b"\\",
    b'"', b"'", b"#", b"{", b"}", b"[", b"]", b": ", b"- ", b",", b"\n", b"\r\n", b"\t",
    b"  ", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", "\u202e".encode(),
    "\u2028".encode(), "é".encode(), b"x" * 300, b"needs: [", b"any: [a, b]",
    b"at_least: 99", b"of: []", b"share: ", b"entry: true", b"goal: true",
    b"strength: soft", b"uses: [../../etc/passwd]", b"uses: [/dev/zero]",
    b"uses: [specs/catalogs/platform.catalog.yaml]", b"availability: 0",
    b"review_by: 1999-01-01", b"volume: 1e400",
    b'"""', b"[[", b"[tool.journeymap]\n", b" = ", b"inf", b"nan", b"1979-05-27T07:32:00Z",
    b"\\u0000", b"\\x", b"= 1e999", b"= 99999999999999999999",
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["flip", "cut", "repeat", "token", "token", "line"]))
        at = draw(st.integers(0, len(out)))
        if op == "flip" and out:
            i = min(at, len(out) - 1)
            out[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del out[at:at + draw(st.integers(1, 200))]
        elif op == "repeat":
            piece = out[at:at + draw(st.integers(1, 400))]
            out[at:at] = piece * draw(st.integers(1, 4))
        elif op == "token":
            out[at:at] = draw(st.sampled_from(HOSTILE))
        else:  # replace the value after a key on one line
            lines = bytes(out).split(b"\n")
            k = min(at, len(lines) - 1)
            head = lines[k].split(b":", 1)[0]
            lines[k] = head + b": " + draw(st.sampled_from(HOSTILE))
            out = bytearray(b"\n".join(lines))
    return bytes(out)


SPEC_KEYS = [
    "journeymap", "journey", "id", "name", "description", "owner", "stages", "parties",
    "control", "touchpoints", "supports", "flow", "from", "to", "share", "note", "needs",
    "any", "at_least", "of", "kind", "strength", "stage", "channel", "entry", "goal",
    "availability", "defaults", "uses", "volume", "value", "review_by", "catalog", "type",
]
NAMES = st.sampled_from([
    "a", "b", "c", "x-1", "Host [l](http://evil) <b>x</b>", "line\n::error ::forged",
    "\x1b]0;title\x07name", "\u202eevil", "ü" * 3, "a" * 129, "n" * 301, "|pipe|", "",
    "crm", "esp", "newsletter", "internal", "partner", "external", "technology",
])
# Names a spec may carry (the outputs must escape them), as opposed to NAMES above.
VALID_NAMES = st.one_of(st.sampled_from([
    "Host [l](http://evil) <b>x</b>", "|pipe| and `tick`", "*bold* _it_ ~~s~~", "<script>",
    "\u202eevil", "ü" * 3, "n" * 300, "a & b; c", "#1 \\ back", "{{ curly }}", '"quoted"',
    "line one\u2028two", "-- dash", "$(rm -rf /)", "%0A::error::x", "Crm", "Newsletter",
]), st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)
    .filter(str.strip))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), NAMES, st.text(max_size=12),
    st.sampled_from([1e-320, 5e-324, 1e9, 1e12, 0.0, -1.0, 1.0, 2.0, 0.5]))
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(SPEC_KEYS), st.text(max_size=6)),
                        inner, max_size=6)),
    max_leaves=40)


def dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def generated_specs(draw: st.DrawFn) -> bytes:
    """Valid in shape (so it reaches the analysis and the outputs), hostile in detail."""
    n_tp = draw(st.integers(1, 5))
    n_sup = draw(st.integers(0, 5))
    ids = [f"t{i}" for i in range(n_tp)] + [f"s{i}" for i in range(n_sup)]
    share = st.sampled_from([5e-324, 1e-300, 1e-9, 0.5, 1, 3, 1e6, 1e9])
    name = VALID_NAMES
    parties = [{"id": "us", "name": draw(name), "control": "internal"},
               {"id": "them", "name": draw(name), "control": "external"}]

    def needs(own: str) -> list[Any]:
        out: list[Any] = []
        others = [i for i in ids if i != own]
        for _ in range(draw(st.integers(0, 2)) if others else 0):
            members = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3,
                                    unique=True))
            form = draw(st.sampled_from(["id", "any", "at_least"]))
            if form == "id" or len(members) == 1:
                out.append(members[0])
            elif form == "any":
                out.append({"any": members, "strength": draw(st.sampled_from(["hard", "soft"]))})
            else:
                out.append({"at_least": draw(st.integers(1, len(members))), "of": members})
        return out

    tps = [{"id": i, "name": draw(name), "owner": draw(st.sampled_from(["us", "them"])),
            "entry": k == 0 or draw(st.booleans()), "goal": k == n_tp - 1 or draw(st.booleans()),
            "share": draw(share), "needs": needs(i)} for k, i in enumerate(ids[:n_tp])]
    sups = [{"id": i, "name": draw(name), "owner": draw(st.sampled_from(["us", "them"])),
             "needs": needs(i)} for i in ids[n_tp:]]
    flow = [{"from": draw(st.sampled_from(ids[:n_tp])), "to": draw(st.sampled_from(ids[:n_tp])),
             "share": draw(share)} for _ in range(draw(st.integers(0, 3 * n_tp)))]
    doc: dict[str, Any] = {
        "journeymap": 1, "journey": {"id": "fuzz", "name": draw(name)},
        "parties": parties, "touchpoints": tps, "supports": sups, "flow": flow}
    if draw(st.integers(0, 3)) == 0:  # one value anywhere replaced by anything
        section = draw(st.sampled_from(["touchpoints", "supports", "flow", "parties"]))
        if doc[section]:
            item = draw(st.sampled_from(doc[section]))
            item[draw(st.sampled_from(sorted(item)))] = draw(TREES)
    return dump(doc)


# --- the properties --------------------------------------------------------------------


@fuzz_settings(20)
@given(st.sampled_from(sorted(SOURCES)), st.data())
def test_mutated_example_specs(name: str, data: st.DataObject) -> None:
    text = data.draw(mutated(SOURCES[name]))
    if name in JOURNEYS:
        spec, original = f"specs/{name}", "orig.journey.yaml"
        inputs = {spec: text, original: SOURCES[name], "policy.yaml": POLICY}
    else:  # a catalog: mutate it in place, run a journey that uses it
        spec, original = "specs/newsletter-video.journey.yaml", "orig.journey.yaml"
        inputs = {f"specs/{name}": text, original: SOURCES["newsletter-video.journey.yaml"],
                  "policy.yaml": POLICY}
    run(spec_commands(spec, original, first_id(text)), inputs, "mutated spec")


@fuzz_settings(15)
@given(TREES)
def test_generated_yaml_documents(doc: Any) -> None:
    spec = "specs/fuzz.journey.yaml"
    inputs = {spec: dump(doc), "orig.journey.yaml": SOURCES[JOURNEYS[0]],
              "policy.yaml": POLICY}
    run(spec_commands(spec, "orig.journey.yaml", "t0"), inputs, "generated yaml")


@fuzz_settings(15)
@given(generated_specs())
def test_generated_specs_reach_every_output(text: bytes) -> None:
    spec = "specs/fuzz.journey.yaml"
    inputs = {spec: text, "orig.journey.yaml": SOURCES[JOURNEYS[0]], "policy.yaml": POLICY}
    run(spec_commands(spec, "orig.journey.yaml", "t0"), inputs, "generated spec")


@fuzz_settings(25)
@given(st.one_of(mutated(POLICY), TREES.map(dump)))
def test_mutated_and_generated_policies(text: bytes) -> None:
    run(policy_commands("journeymap.yaml"), {"journeymap.yaml": text}, "policy")


@fuzz_settings(10)
@given(mutated(PYPROJECT))
def test_mutated_pyproject_policies(text: bytes) -> None:
    run(policy_commands("pyproject.toml"), {"pyproject.toml": text}, "pyproject policy")


@fuzz_settings(15)
@given(st.one_of(mutated(BACKSTAGE).map(lambda b: ("backstage", b)),
                 mutated(CSV).map(lambda b: ("csv", b))))
def test_importers_write_specs_that_validate(case: tuple[str, bytes]) -> None:
    kind, text = case
    if kind == "backstage":
        commands = [["import", "backstage", "in/catalog-info.yaml", "-o",
                     "specs/catalogs/imported.catalog.yaml"]]
        inputs = {"in/catalog-info.yaml": text}
        written = {0: "specs/catalogs/imported.catalog.yaml"}
    else:
        commands = [["import", "csv", "in/touchpoints.csv", "-o",
                     "specs/imported.journey.yaml"]]
        inputs = {"in/touchpoints.csv": text}
        written = {0: "specs/imported.journey.yaml"}
    run(commands, inputs, f"import {kind}", written)


LAUGHS = b"""\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: laughs}
spec:
  owner: team
  l0: &l0 [x, x, x, x, x, x, x, x, x, x]
  l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
  l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
  l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
  l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
  l5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
  l6: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
  l7: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]
  l8: &l8 [*l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7]
  dependsOn: *l8
"""


def test_backstage_import_of_an_alias_bomb_ends() -> None:
    # Finding 6 (tests/FUZZ.md): every document goes through the hardened reader.
    with scratch() as root:
        (root / "bomb.yaml").write_bytes(LAUGHS)
        with time_limit(3):
            result = CliRunner().invoke(cli, ["import", "backstage", "bomb.yaml", "-o",
                                              "out/b.catalog.yaml"])
    assert result.exit_code == 2
