"""``analyze --format json`` is written without the json module for its two long lists
(``elements``, ``handoffs``) and in pieces (formats/analyze/json_report.py): its text
must stay what ``json`` writes for the contract object, byte for byte.

The reference is the writer as it was: :func:`to_dict`, then one
``JSONEncoder(ensure_ascii=False).encode`` per list item (``json_reference.py``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT, SPECS
from hypothesis import example, given
from hypothesis import strategies as st
from json_reference import reference_dumps

from journeymap.analysis import analyze
from journeymap.analysis.result import JourneyAnalysis
from journeymap.analysis.risk import RiskOptions
from journeymap.cli import cli
from journeymap.files import write_atomic
from journeymap.formats.analyze import json_report as J
from journeymap.formats.analyze import render, render_pieces
from journeymap.spec import load_spec
from journeymap.spec.model import Spec

STARTER = ROOT / "journeymap" / "spec" / "starter.journey.yaml"


def reference(analyses: list[JourneyAnalysis]) -> str:
    docs = [J.to_dict(a) for a in analyses]
    if len(docs) == 1:
        return reference_dumps(docs[0]) + "\n"
    return "[\n" + ",\n".join(reference_dumps(d) for d in docs) + "\n]\n"


def synthetic(n: int) -> str:
    from benchmarks.generate import synthetic_yaml

    return str(synthetic_yaml(n, support_stages=False))


def analysed(spec: Spec, probability: str = "auto") -> JourneyAnalysis:
    return analyze(spec, risk=RiskOptions(probability=probability))


EXAMPLES = sorted(SPECS.glob("*.journey.yaml"))


@pytest.fixture(scope="module")
def examples() -> list[JourneyAnalysis]:
    return [analysed(load_spec(str(p))) for p in [STARTER, *EXAMPLES]]


def test_every_example_writes_what_json_writes(examples) -> None:
    for a in examples:
        assert render([a], "json") == reference([a]), a.spec.source


def test_several_specs_one_array(examples) -> None:
    assert render(examples, "json") == reference(examples)
    assert "".join(render_pieces(examples, "json")) == reference(examples)


def test_without_probability_and_at_a_few_hundred_elements(tmp_path: Path) -> None:
    path = tmp_path / "s.journey.yaml"
    path.write_text(synthetic(400), encoding="utf-8")
    spec = load_spec(str(path))
    for probability in ("auto", "off"):
        a = analysed(spec, probability)
        assert render([a], "json") == reference([a])


def test_the_escaping_path_when_ids_are_not_plain(examples, monkeypatch) -> None:
    # Spec ids are always plain (the schema); the other path is what json would write.
    monkeypatch.setattr(J, "_plain", lambda ids: False)
    assert render(examples, "json") == reference(examples)


def test_text_the_json_module_escapes(tmp_path: Path) -> None:
    # Names, the journey's name and the file name are free text: quotes, backslashes,
    # non-ASCII, line separators.
    text = STARTER.read_text(encoding="utf-8")
    text = text.replace("name: Newsletter reader watches the product video",
                        'name: "Le \\"lecteur\\" \\\\ regarde la vidéo \u2028 ✓ 😀"')
    text = text.replace("name: Monthly newsletter", "name: 'It''s “monthly” \u00a0 ß'")
    path = tmp_path / 'we"ird \\ é.journey.yaml'
    path.write_text(text, encoding="utf-8")
    a = analysed(load_spec(str(path)))
    out = render([a], "json")
    assert out == reference([a])
    assert json.loads(out)["journey"]["name"].startswith('Le "lecteur" \\ regarde')


def test_stdout_and_output_file_are_the_same_bytes(tmp_path: Path) -> None:
    specs = [str(STARTER), str(SPECS / "insurance-claim.journey.yaml")]
    runner = CliRunner()
    for args in ([specs[0]], specs):
        out = tmp_path / "a.json"
        to_stdout = runner.invoke(cli, ["analyze", "--format", "json", *args])
        to_file = runner.invoke(cli, ["analyze", "--format", "json", "-o", str(out), *args])
        assert to_stdout.exit_code == 0 and to_file.exit_code == 0
        assert to_stdout.stdout_bytes == out.read_bytes()
        analyses = [analysed(load_spec(p)) for p in args]
        assert out.read_text(encoding="utf-8") == reference(analyses)


def test_output_in_pieces_is_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    write_atomic(out, iter(["{", '"é": 1', "}\n"]))
    assert out.read_bytes() == '{"é": 1}\n'.encode()

    def broken():
        yield "half of it"
        raise RuntimeError("a bug while rendering")

    with pytest.raises(RuntimeError):
        write_atomic(out, broken())
    assert out.read_bytes() == '{"é": 1}\n'.encode()  # the old file, untouched
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary left


NUMBERS = [0.0, -0.0, 1.0, 1e-13, 0.1 + 0.2, 1e308, -1e308, 5e-324, 1e16, 1e22, 123456789.0,
           math.nan, math.inf, -math.inf, 0, 1, -1, 2**70, True, False, None]


@given(st.one_of(st.floats(), st.integers(), st.booleans(), st.none(),
                 st.text(st.characters(blacklist_categories=()))))
@example("\x00\x1f\x7f\"\\\n\t\u2028\ud800\udfff é😀")
def test_one_value_as_json_writes_it(x: Any) -> None:
    assert J._value(x) == json.dumps(x, ensure_ascii=False)
    for n in NUMBERS:
        assert J._value(n) == json.dumps(n, ensure_ascii=False)


@given(st.text(st.characters(blacklist_categories=())))
@example('a"b')
@example("tab\there")
@example("\ud800")
def test_plain_means_written_as_it_is(s: str) -> None:
    written = json.dumps(s, ensure_ascii=False)
    assert J._plain([s]) == (written == f'"{s}"')
    quoted = J._Quoted()
    assert quoted[s] == written and quoted[s] == written  # made, then kept
    for n in NUMBERS:  # numbers are never kept: 1 == 1.0 == True, 0.0 == -0.0
        assert quoted[n] == json.dumps(n, ensure_ascii=False)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(),
              st.text(st.characters(blacklist_categories=()), max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=20)


@given(st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=6))
@example({"a": {}, "b": [], "c": [{}], "d": ({"x": 1},), "e": [1, {"y": 2}], "é": "ü"})
def test_the_document_layout_is_the_writer_as_it_was(doc: dict[str, Any]) -> None:
    # dicts nest with one key a line, lists of dicts one item a line, the rest inline
    assert J.dumps(doc) == reference_dumps(doc)
