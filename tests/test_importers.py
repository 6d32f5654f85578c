"""`journeymap import backstage` and `journeymap import csv` on realistic files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from journeymap.importers import ImportError_
from journeymap.importers.backstage import backstage_catalog
from journeymap.importers.touchpoints_csv import csv_journey
from journeymap.spec import load_spec
from journeymap.spec.catalog import load_catalog

DATA = Path(__file__).resolve().parent / "data" / "import"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeymap", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_backstage_entities_become_a_valid_catalog(repo):
    out = repo / "catalogs" / "backstage.catalog.yaml"
    proc = run_cli("import", "backstage", str(DATA / "catalog-info.yaml"), "-o", str(out),
                   cwd=repo)
    assert proc.returncode == 0, proc.stderr
    catalog = load_catalog(str(out))
    s = {e.id: e for e in catalog.supports}
    # Component, Resource, System, API (Group/User become parties; Domain is skipped).
    assert {"checkout", "checkout-service", "pricing-engine", "checkout-api", "payments-api",
            "orders-db"} <= set(s)
    needs = {k: sorted(t for n in e.needs for t in n.targets) for k, e in s.items()}
    assert needs["checkout-service"] == ["orders-db", "payments-api", "pricing-engine"]
    assert needs["checkout-api"] == ["checkout-service"]  # providesApis: the API needs it
    assert needs["order-history"] == ["orders-db"]  # dependencyOf, reversed
    assert needs["orders-db"] == ["aws-rds"]
    assert s["orders-db"].kind == "data" and s["checkout-service"].kind == "system"
    assert s["checkout-service"].owner == "team-checkout"
    assert {p.id: p.name for p in catalog.parties}["team-checkout"] == "Checkout squad"
    text = out.read_text(encoding="utf-8")
    # Where each element came from, and which refs no file defines.
    assert "# from " + str(DATA / "catalog-info.yaml") + ":32:1 (component:default/" \
           "checkout-service)" in text
    assert "resource:default/aws-rds: referenced at" in text
    assert "Skipped (not a Component, Resource, System or API): Domain commerce" in text


def test_a_journey_can_use_the_imported_catalog(repo):
    (repo / "catalogs").mkdir()
    cat = repo / "catalogs" / "backstage.catalog.yaml"
    cat.write_text(backstage_catalog([(str(DATA / "catalog-info.yaml"),
                                       (DATA / "catalog-info.yaml").read_text())], "backstage"),
                   encoding="utf-8")
    (repo / "shop.journey.yaml").write_text("""\
journeymap: 1
uses: [catalogs/backstage.catalog.yaml]
journey: {id: shop, name: Shop, owner: team-checkout}
touchpoints:
  - {id: pay, name: Pay, entry: true, goal: true, owner: team-checkout, needs: [checkout-api]}
""", encoding="utf-8")
    spec = load_spec("shop.journey.yaml")
    assert {"checkout-service", "orders-db", "aws-rds", "pricing-engine"} <= set(spec.by_id)


def test_backstage_id_collisions_namespaces_and_bad_documents(repo):
    text = """\
kind: Component
metadata: {name: payments}
spec: {owner: team-a, consumesApis: [payments]}
---
kind: API
metadata: {name: payments}
spec: {owner: team-a}
---
kind: Component
metadata: {name: ledger, namespace: finance}
spec: {owner: group:finance/accounts, dependsOn: [payments]}
"""
    out = backstage_catalog([("c.yaml", text)], "x")
    path = repo / "x.catalog.yaml"
    path.write_text(out, encoding="utf-8")
    s = {e.id: e for e in load_catalog(str(path)).supports}
    assert set(s) == {"payments", "payments-api", "finance-ledger", "finance-payments"}
    assert [t for n in s["payments"].needs for t in n.targets] == ["payments-api"]
    # A ref without a namespace takes the referring entity's namespace.
    assert [t for n in s["finance-ledger"].needs for t in n.targets] == ["finance-payments"]
    with pytest.raises(ImportError_) as info:
        backstage_catalog([("bad.yaml", "kind: Component\nmetadata: {}\n---\n- a list\n")], "x")
    assert [str(p.location) for p in info.value.problems] == ["bad.yaml:1:1", "bad.yaml:4:1"]
    with pytest.raises(ImportError_) as info:
        backstage_catalog([("y.yaml", "kind: Component\nmetadata: {name: a\n")], "x")
    assert "invalid YAML" in str(info.value)


def test_csv_touchpoints_become_a_valid_starter_journey(repo):
    out = repo / "shop.journey.yaml"
    proc = run_cli("import", "csv", str(DATA / "touchpoints.csv"), "-o", str(out), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    spec = load_spec(str(out))
    assert spec.journey.id == "shop"
    assert [s.id for s in spec.stages] == ["browse", "buy", "after"]
    assert {e.id for e in spec.entries} == {"product-page", "app-product"}
    assert {e.id for e in spec.goals} == {"confirmation"}
    assert spec.by_id["checkout"].name == "Checkout, pay"
    assert {e.id for e in spec.supports} == {"catalogue-api", "cdn", "basket-service",
                                             "payment-gateway", "email-provider"}
    assert [(f.source, f.target) for f in spec.flows][:2] == [("product-page", "basket"),
                                                              ("app-product", "basket")]
    text = out.read_text(encoding="utf-8")
    assert text.count("# from " + str(DATA / "touchpoints.csv") + " line ") == 5
    assert run_cli("analyze", str(out), cwd=repo).returncode == 0


def test_csv_names_longer_than_a_spec_allows_are_cut_to_300(repo):
    # A fuzz finding: a 412-character name made `import csv` write a spec that failed its
    # own validation (exit 3, "a bug"). Names are cut to the spec's 300 characters.
    text = (DATA / "touchpoints.csv").read_text(encoding="utf-8")
    src = repo / "long.csv"
    src.write_text(text.replace(",Product page,", "," + "x" * 400 + " Product page,", 1),
                   encoding="utf-8")
    out = repo / "long.journey.yaml"
    proc = run_cli("import", "csv", str(src), "-o", str(out), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert load_spec(str(out)).by_id["product-page"].name == "x" * 300


def test_csv_explicit_flags_semicolons_and_problems_with_positions(repo):
    sheet = ("Name;Stage;Next;Needs;Entry;Goal\n"
             "Sign up;Join;Verify|Welcome;idp;yes;no\n"
             "Verify;Join;Welcome;idp;no;no\n"
             "Welcome;Use;;;no;yes\n")
    text = csv_journey("s.csv", sheet, "signup")
    spec = load_spec("signup.journey.yaml", text=text)
    assert [e.id for e in spec.entries] == ["sign-up"] and [e.id for e in spec.goals] == ["welcome"]
    with pytest.raises(ImportError_) as info:
        csv_journey("t.csv", "id,name,next,needs,colour\na,A,b,,red\n", "t")
    assert str(info.value).startswith("t.csv:1:1: error: unknown column(s) colour")
    with pytest.raises(ImportError_) as info:
        csv_journey("t.csv", "id,name,next,needs\na,A,zz,a\na,Again,,\n", "t")
    assert [str(p) for p in info.value.problems] == [
        "t.csv:2:5: error: 'next' of 'a' names 'zz', which is no row's id",
        "t.csv:2:8: error: 'a' needs itself",
        "t.csv:3:1: error: id 'a' is used by the row at line 2 too"]


def test_cli_refuses_to_overwrite_and_reports_bad_input(repo):
    (repo / "j.journey.yaml").write_text("x", encoding="utf-8")
    proc = run_cli("import", "csv", str(DATA / "touchpoints.csv"), "-o", "j.journey.yaml",
                   cwd=repo)
    assert proc.returncode == 2 and "already exists" in proc.stderr
    (repo / "bad.csv").write_text("id,next\na,nowhere\n", encoding="utf-8")
    proc = run_cli("import", "csv", "bad.csv", "-o", "k.journey.yaml", cwd=repo)
    assert proc.returncode == 2
    assert "bad.csv:2:3: error: 'next' of 'a' names 'nowhere'" in proc.stderr
    assert not (repo / "k.journey.yaml").exists()


def test_backstage_documents_go_through_the_hardened_reader():
    # Issue 9: every YAML journeymap reads is read by spec/yamlsource.py; a Backstage
    # file holds several documents, each read on its own at its place in the file.
    bomb = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = "\n".join([
        "%YAML 1.1",
        "--- {kind: Component, metadata: {name: a}, spec: {owner: t}}",
        "...",
        "kind: Component",
        "metadata: {name: b}",
        "--- # the alias bomb",
        "kind: Component",
        *bomb,
        "---",
        "x: &r [*r]",
        "---",
        "a: " + "9" * 400,
    ]) + "\n"
    with pytest.raises(ImportError_) as info:
        backstage_catalog([("c.yaml", text)], "x")
    assert [str(p) for p in info.value.problems] == [
        "c.yaml:14:10: error: document expands to more than 2,000,000 values through "
        "aliases (an alias bomb?); refusing it",
        "c.yaml:18:8: error: alias '*r' is used inside the collection its anchor '&r' "
        "marks, so the document would be infinite (a recursive alias)",
        "c.yaml:20:4: error: the whole number 999999999999…999999 (400 digits) is too "
        "large: journeymap reads whole numbers up to 9,007,199,254,740,992 (2^53) exactly",
    ]
    # Without them, the two entities before are read (a document marker may carry
    # content; '...' ends a document; a directive before one is left out).
    good = "\n".join(text.splitlines()[:5]) + "\n"
    out = backstage_catalog([("c.yaml", good)], "x")
    assert "id: a\n" in out and "id: b\n" in out
