"""`check` at organisation scale: baseline caching by content, catalog changes re-check
their users (judged against the catalog as it was at the ref), --jobs, no sampling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from check_fixtures import make_repo, write
from conftest import ROOT

from journeymap.baseline import read_baseline
from journeymap.check import gather

CATALOG = """\
journeymap: 1
catalog: {id: platform, name: Platform}
parties:
  - {id: cloud-co, name: Cloud Co, control: partner}
supports:
  - {id: cloud, name: Cloud, owner: cloud-co}
  - {id: crm, name: CRM, owner: cloud-co, needs: [{any: [cloud, cloud-b]}]}
  - {id: cloud-b, name: Second cloud, owner: cloud-co}
"""

USER = """\
journeymap: 1
uses: [catalogs/platform.catalog.yaml]
journey: {{id: {id}, name: Journey {id}}}
parties:
  - {{id: web, name: Web, control: internal}}
touchpoints:
  - {{id: a, name: A, entry: true, owner: web, needs: [crm]}}
  - {{id: b, name: B, entry: true, owner: web}}
  - {{id: done, name: Done, goal: true, owner: web}}
flow: [a -> done, b -> done]
"""

LONER = USER.replace("uses: [catalogs/platform.catalog.yaml]\n", "").replace(
    "needs: [crm]", "needs: []").format(id="loner")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {
        "specs/catalogs/platform.catalog.yaml": CATALOG,
        "specs/one.journey.yaml": USER.format(id="one"),
        "specs/two.journey.yaml": USER.format(id="two"),
        "specs/loner.journey.yaml": LONER,
    })
    monkeypatch.chdir(root)
    return root


def by_path(states):
    return {s.path: s for s in states}


def test_unchanged_journeys_reuse_their_analysis(repo):
    write(repo, {"specs/one.journey.yaml": USER.format(id="one") + "# edited\n"})
    states = by_path(gather(["specs"], "HEAD")[0])
    assert set(states) == {"specs/one.journey.yaml", "specs/two.journey.yaml",
                           "specs/loner.journey.yaml"}  # the catalog is not a journey
    # Content unchanged (spec and catalog): the baseline analysis is the current one.
    assert states["specs/two.journey.yaml"].baseline is states["specs/two.journey.yaml"].analysis
    assert states["specs/loner.journey.yaml"].baseline is \
        states["specs/loner.journey.yaml"].analysis
    # The edited one was analysed again from its text at the ref.
    one = states["specs/one.journey.yaml"]
    assert one.baseline is not one.analysis and one.diff is not None
    assert not one.diff.spofs_added


def test_a_changed_catalog_re_checks_every_journey_using_it(repo):
    # The CRM loses its second cloud: 'cloud' becomes a single point of failure... for
    # the customers entering at 'a' only; make it stop everyone by removing entry 'b'.
    write(repo, {"specs/catalogs/platform.catalog.yaml":
                 CATALOG.replace("needs: [{any: [cloud, cloud-b]}]", "needs: [cloud]")})
    states = by_path(gather(["specs"], "HEAD")[0])
    for name in ("one", "two"):
        s = states[f"specs/{name}.journey.yaml"]
        assert s.baseline is not s.analysis
        assert s.diff is not None
        # Judged against the catalog at the ref: the change is visible.
        assert s.baseline.cascades["cloud"].customers_lost == 0.0
        assert s.analysis.cascades["cloud"].customers_lost == pytest.approx(0.5)
    loner = states["specs/loner.journey.yaml"]
    assert loner.baseline is loner.analysis


def test_catalog_missing_at_the_ref_is_a_note_not_a_crash(repo):
    write(repo, {"specs/three.journey.yaml": USER.format(id="three").replace(
        "platform.catalog.yaml", "new.catalog.yaml"),
        "specs/catalogs/new.catalog.yaml": CATALOG.replace("id: platform", "id: new")})
    states = by_path(gather(["specs"], "HEAD")[0])
    assert states["specs/three.journey.yaml"].baseline is None  # new in the change


def test_journey_changed_to_use_a_catalog_reads_the_old_catalog_from_git(repo):
    # The old side of a changed spec resolves 'uses' against the ref, not the disk.
    write(repo, {"specs/catalogs/platform.catalog.yaml":
                 CATALOG.replace("name: CRM", "name: CRM (renamed)"),
                 "specs/one.journey.yaml": USER.format(id="one") + "# edited\n"})
    states = by_path(gather(["specs"], "HEAD")[0])
    one = states["specs/one.journey.yaml"]
    assert one.baseline.spec.by_id["crm"].name == "CRM"
    assert one.analysis.spec.by_id["crm"].name == "CRM (renamed)"


def test_read_baseline_asks_git_only_for_changed_files(repo, monkeypatch):
    import journeymap.baseline as baseline

    asked: list[list[str]] = []
    real = baseline.show_many

    def spy(commit, paths, root):
        asked.append(list(paths))
        return real(commit, paths, root)

    monkeypatch.setattr(baseline, "show_many", spy)
    write(repo, {"specs/one.journey.yaml": USER.format(id="one") + "# edited\n"})
    base = read_baseline("HEAD", ["specs"], ["specs/one.journey.yaml", "specs/two.journey.yaml",
                                             "specs/loner.journey.yaml"])
    assert asked == [["specs/one.journey.yaml"]]
    assert base.files["specs/two.journey.yaml"].same
    assert base.files["specs/one.journey.yaml"].text == USER.format(id="one")


def run_check(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeymap", "check", *args], cwd=repo,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1",
                               "HOME": str(repo)})


def test_jobs_give_the_same_bytes(repo):
    write(repo, {"specs/catalogs/platform.catalog.yaml":
                 CATALOG.replace("needs: [{any: [cloud, cloud-b]}]", "needs: [cloud]")})
    for fmt in ("text", "json", "sarif"):
        one = run_check(repo, "specs", "--baseline", "HEAD", "--format", fmt,
                        "--today", "2026-01-01")
        two = run_check(repo, "specs", "--baseline", "HEAD", "--format", fmt,
                        "--today", "2026-01-01", "--jobs", "2")
        assert one.returncode == two.returncode
        assert one.stdout == two.stdout, fmt
    assert "cloud" in one.stdout


def test_check_draws_no_robustness_samples(repo):
    states = gather(["specs"])[0]
    assert all(s.analysis.robustness.samples == 0 for s in states)
