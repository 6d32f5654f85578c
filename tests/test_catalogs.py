"""Catalogs: shared parties and supports named by many journeys through `uses:`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SPECS

from journeymap.analysis import analyze
from journeymap.spec import SpecError, load_spec
from journeymap.spec.catalog import load_catalog

PLATFORM = """\
journeymap: 1
catalog: {id: platform, name: Shared platforms}
parties:
  - {id: cloud-co, name: Cloud Co, control: partner}
  - {id: it, name: IT, control: internal}
supports:
  - id: cloud
    name: Cloud
    kind: vendor
    owner: cloud-co
  - id: crm
    name: CRM
    owner: it
    needs: [cloud]
  - id: unrelated
    name: Something no journey here needs
    owner: it
"""

JOURNEY = """\
journeymap: 1
uses: [{uses}]
journey: {{id: {id}, name: Journey {id}, owner: it}}
parties:
  - {{id: web-team, name: Web team, control: internal}}
touchpoints:
  - {{id: web, name: Web, entry: true, owner: web-team, needs: [crm]}}
  - {{id: done, name: Done, goal: true, owner: web-team}}
flow: [web -> done]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A folder that is a repository root (holds .git), as the working folder."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "catalogs/platform.catalog.yaml", PLATFORM)
    return tmp_path


def problems(path: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return [str(d) for d in info.value.diagnostics]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeymap", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def test_journey_names_catalog_elements(repo):
    write(repo, "journeys/a.journey.yaml",
          JOURNEY.format(uses="../catalogs/platform.catalog.yaml", id="a"))
    spec = load_spec("journeys/a.journey.yaml")
    ids = [e.id for e in spec.elements]
    # Only what the journey needs comes in (crm, and cloud through crm), not 'unrelated'.
    assert ids == ["web", "done", "cloud", "crm"]
    crm = spec.by_id["crm"]
    assert str(crm.location) == "catalogs/platform.catalog.yaml:11:5"
    assert crm.catalog == "catalogs/platform.catalog.yaml"
    assert {p.id for p in spec.parties} == {"web-team", "it", "cloud-co"}
    assert spec.catalogs == ("catalogs/platform.catalog.yaml",)
    a = analyze(spec, samples=0)
    assert {"crm", "cloud"} <= a.spof_ids
    assert a.cascades["cloud"].customers_lost == 1.0


def test_same_catalog_element_is_the_same_object_in_every_journey(repo):
    write(repo, "a.journey.yaml", JOURNEY.format(uses="catalogs/platform.catalog.yaml", id="a"))
    write(repo, "sub/b.journey.yaml",
          JOURNEY.format(uses="../catalogs/platform.catalog.yaml", id="b"))
    a = load_spec("a.journey.yaml")
    b = load_spec("sub/b.journey.yaml")
    assert a.by_id["crm"] is b.by_id["crm"]
    assert a.parties_by_id["it"] is b.parties_by_id["it"]


def test_redefining_a_catalog_id_is_an_error_at_both_places(repo):
    text = JOURNEY.format(uses="catalogs/platform.catalog.yaml", id="a") + (
        "supports:\n  - {id: crm, name: My own CRM}\n")
    text = text.replace("parties:\n", "parties:\n  - {id: it, name: Our IT, control: internal}\n")
    write(repo, "a.journey.yaml", text)
    found = problems("a.journey.yaml")
    assert "a.journey.yaml:12:10: error[JM053]: support id 'crm' is also defined in catalog " \
           "'platform' at catalogs/platform.catalog.yaml:11:5; name the catalog's support " \
           "instead of redefining it" in found
    assert "catalogs/platform.catalog.yaml:11:5: error[JM053]: support id 'crm' is redefined " \
           "at a.journey.yaml:12:10, in a file that uses this catalog" in found
    assert any(f.startswith("a.journey.yaml:5:10: error[JM053]: party id 'it'") for f in found)
    assert any(f.startswith("catalogs/platform.catalog.yaml:5:5: error[JM053]: party id 'it'")
               for f in found)


def test_two_catalogs_defining_one_id_is_an_error_at_both_places(repo):
    write(repo, "catalogs/other.catalog.yaml", """\
journeymap: 1
catalog: {id: other, name: Other}
supports:
  - {id: crm, name: Another CRM}
""")
    write(repo, "a.journey.yaml", JOURNEY.format(
        uses="catalogs/platform.catalog.yaml, catalogs/other.catalog.yaml", id="a"))
    found = [f for f in problems("a.journey.yaml") if "JM053" in f]
    assert sorted(f.split(": error")[0] for f in found) == [
        "catalogs/other.catalog.yaml:4:5", "catalogs/platform.catalog.yaml:11:5"]


def test_errors_inside_a_catalog_are_reported_at_its_own_lines(repo):
    write(repo, "catalogs/broken.catalog.yaml", """\
journeymap: 1
catalog: {id: broken, name: Broken}
supports:
  - id: thing
    name: Thing
    owner: nobody
    needs: [missing]
  - {id: Bad Id, name: x}
""")
    write(repo, "a.journey.yaml", JOURNEY.format(
        uses="catalogs/platform.catalog.yaml, catalogs/broken.catalog.yaml", id="a"))
    found = problems("a.journey.yaml")
    assert [f.split(":")[0:3] for f in found] == [
        ["catalogs/broken.catalog.yaml", "6", "12"], ["catalogs/broken.catalog.yaml", "7", "13"],
        ["catalogs/broken.catalog.yaml", "8", "10"]]
    assert "JM027" in found[0] and "JM021" in found[1] and "JM014" in found[2]
    with pytest.raises(SpecError) as info:
        load_catalog("catalogs/broken.catalog.yaml")
    assert [str(d) for d in info.value.diagnostics] == found


def test_catalog_fields_journeys_have_are_refused(repo):
    write(repo, "catalogs/x.catalog.yaml", """\
journeymap: 1
catalog: {id: x, name: X}
touchpoints: []
supports:
  - {id: s, name: S, stage: apply}
""")
    with pytest.raises(SpecError) as info:
        load_catalog("catalogs/x.catalog.yaml")
    codes = [(d.location.line, d.code) for d in info.value.diagnostics]
    assert codes == [(3, "JM010"), (5, "JM010")]


def test_cycles_are_errors(repo):
    write(repo, "catalogs/a.catalog.yaml",
          "journeymap: 1\ncatalog: {id: a, name: A}\nuses: [b.catalog.yaml]\n")
    write(repo, "catalogs/b.catalog.yaml",
          "journeymap: 1\ncatalog: {id: b, name: B}\nuses: [a.catalog.yaml]\n")
    write(repo, "catalogs/self.catalog.yaml",
          "journeymap: 1\ncatalog: {id: s, name: S}\nuses: [self.catalog.yaml]\n")
    write(repo, "j.journey.yaml", JOURNEY.format(
        uses="catalogs/platform.catalog.yaml, catalogs/a.catalog.yaml", id="j"))
    found = problems("j.journey.yaml")
    assert found == [("catalogs/b.catalog.yaml:3:8: error[JM052]: catalogs use each other in a "
                      "cycle: a.catalog.yaml -> b.catalog.yaml -> a.catalog.yaml")]
    with pytest.raises(SpecError) as info:
        load_catalog("catalogs/self.catalog.yaml")
    assert [d.code for d in info.value.diagnostics] == ["JM052"]


@pytest.mark.parametrize("name, code", [
    ("../outside.catalog.yaml", "JM051"),
    ("catalogs/../../outside.catalog.yaml", "JM051"),
    ("/etc/passwd", "JM051"),
    ("https://example.com/x.catalog.yaml", "JM051"),
    ("catalogs/link.catalog.yaml", "JM051"),  # a symlink pointing out of the repository
    ("catalogs/none.catalog.yaml", "JM050"),
    ("other.journey.yaml", "JM054"),
])
def test_uses_may_not_leave_the_repository(repo, name, code):
    outside = repo.parent / "outside.catalog.yaml"
    outside.write_text(PLATFORM, encoding="utf-8")
    (repo / "catalogs" / "link.catalog.yaml").symlink_to(outside)
    write(repo, "other.journey.yaml", JOURNEY.format(uses="catalogs/platform.catalog.yaml",
                                                     id="o"))
    write(repo, "j.journey.yaml", JOURNEY.format(uses=name, id="j"))
    found = problems("j.journey.yaml")
    assert found[0].startswith(f"j.journey.yaml:2:8: error[{code}]")
    # Nothing of the outside file was read: crm stays undefined.
    assert any("JM021" in f for f in found)


def test_outside_git_the_working_folder_is_the_limit(tmp_path, monkeypatch):
    work = tmp_path / "work"
    write(work, "catalogs/platform.catalog.yaml", PLATFORM)
    write(work, "j.journey.yaml", JOURNEY.format(uses="catalogs/platform.catalog.yaml", id="j"))
    write(work, "k.journey.yaml", JOURNEY.format(uses="../p.catalog.yaml", id="k"))
    write(tmp_path, "p.catalog.yaml", PLATFORM)
    monkeypatch.chdir(work)
    assert load_spec("j.journey.yaml").by_id["crm"].catalog == "catalogs/platform.catalog.yaml"
    assert problems("k.journey.yaml")[0].startswith("k.journey.yaml:2:8: error[JM051]")


def test_catalogs_using_catalogs(repo):
    write(repo, "catalogs/vendors.catalog.yaml", """\
journeymap: 1
catalog: {id: vendors, name: Vendors}
parties:
  - {id: dc, name: Data centre, control: partner}
supports:
  - {id: power, name: Power, owner: dc}
""")
    text = PLATFORM.replace("supports:\n", "uses: [vendors.catalog.yaml]\nsupports:\n")
    text = text.replace("    needs: [cloud]\n", "    needs: [cloud, power]\n")
    write(repo, "catalogs/platform.catalog.yaml", text)
    write(repo, "j.journey.yaml", JOURNEY.format(uses="catalogs/platform.catalog.yaml", id="j"))
    spec = load_spec("j.journey.yaml")
    assert spec.by_id["power"].location.path == "catalogs/vendors.catalog.yaml"
    assert "dc" in spec.parties_by_id
    assert spec.catalogs == ("catalogs/platform.catalog.yaml", "catalogs/vendors.catalog.yaml")


def test_cli_validates_catalogs_and_reports_a_broken_one_once(repo):
    write(repo, "catalogs/platform.catalog.yaml",
          PLATFORM.replace("owner: cloud-co", "owner: nope"))
    for j in ("a", "b"):
        write(repo, f"specs/{j}.journey.yaml",
              JOURNEY.format(uses="../catalogs/platform.catalog.yaml", id=j))
    proc = run_cli("validate", ".", cwd=repo)
    assert proc.returncode == 2
    assert proc.stdout.count("catalogs/platform.catalog.yaml:10:12: error[JM027]") == 1
    proc = run_cli("analyze", "specs", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.count("error[JM027]") == 1
    assert "Traceback" not in proc.stderr


def test_folder_scans_skip_catalogs_but_validate_checks_them(repo):
    write(repo, "specs/a.journey.yaml", JOURNEY.format(uses="../catalogs/platform.catalog.yaml",
                                                       id="a"))
    proc = run_cli("validate", ".", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "catalogs/platform.catalog.yaml: ok — catalog Shared platforms" in proc.stdout
    proc = run_cli("analyze", "catalogs/platform.catalog.yaml", cwd=repo)
    assert proc.returncode == 2 and "JM055" in proc.stderr


def test_plain_yaml_review_dates_are_accepted(repo):
    text = JOURNEY.format(uses="catalogs/platform.catalog.yaml", id="a").replace(
        "owner: it}", "owner: it, review_by: 2026-03-01}")
    write(repo, "a.journey.yaml", text)
    import datetime as dt

    assert load_spec("a.journey.yaml").journey.review_by == dt.date(2026, 3, 1)
    write(repo, "b.journey.yaml", text.replace("2026-03-01", "2026-02-30"))
    assert problems("b.journey.yaml") == [
        "b.journey.yaml:3:57: error[JM056]: 'review_by' 2026-02-30 is not a real date"]
    write(repo, "c.journey.yaml", text.replace("2026-03-01", "next week"))
    assert "must be a date like 2027-01-31" in problems("c.journey.yaml")[0]


def test_example_specs_share_the_platform_catalog():
    catalog = SPECS / "catalogs" / "platform.catalog.yaml"
    assert catalog.is_file()
    users = [p for p in sorted(SPECS.glob("*.journey.yaml"))
             if load_spec(str(p)).catalogs]
    assert len(users) >= 4
    specs = [load_spec(str(p)) for p in users]
    aws = [s.by_id["aws-cloud"] for s in specs if "aws-cloud" in s.by_id]
    assert len(aws) >= 3 and all(a is aws[0] for a in aws)


def test_lines_written_in_a_catalog_are_named_with_their_file(repo):
    from journeymap.formats.analyze.text import render

    write(repo, "a.journey.yaml", JOURNEY.format(uses="catalogs/platform.catalog.yaml", id="a"))
    text = render([analyze(load_spec("a.journey.yaml"), samples=0)])
    assert "CRM [crm] needs Cloud [cloud] (technology, catalogs/platform.catalog.yaml:14)" in text
    assert "Web [web] needs CRM [crm] (technology, line 7)" in text
