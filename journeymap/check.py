"""The CI gate: run a policy's rules over journeys (and their change) into findings.

:func:`run_rules` is pure: journey states + policy + today -> :class:`CheckReport`.
:func:`gather` does the I/O around it (load specs, read the git baseline, analyse).
Every output format (:mod:`journeymap.formats.check`) renders a :class:`CheckReport`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass

from journeymap.analysis.result import JourneyAnalysis
from journeymap.analysis.risk import RiskOptions
from journeymap.diff import ADDED, DELETED, JourneyDiff, diff_journeys
from journeymap.policy import Policy, Waiver
from journeymap.rules import (
    EXPIRED_WAIVER,
    OFF,
    REGISTRY,
    UNUSED_WAIVER,
    JourneyState,
    Rule,
    Scope,
    Severity,
    all_rules,
    severity_rank,
)
from journeymap.spec.diagnostics import Diagnostic, Location
from journeymap.spec.model import Spec


@dataclass(frozen=True)
class Finding:
    """One rule's finding about one journey, at the YAML position that did it.

    ``waiver``: a valid waiver that covers it (the finding is shown but does not count);
    ``expired_waiver``: a waiver that covered it until it expired.
    """

    rule: str
    name: str
    severity: Severity
    message: str
    location: Location
    journey: str
    element: str | None = None
    waiver: Waiver | None = None
    expired_waiver: Waiver | None = None

    @property
    def counts(self) -> bool:
        """Does it count towards --fail-on (not waived)?"""
        return self.waiver is None

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs (line numbers move; rule/journey/element do not)."""
        return f"{self.rule}/{self.journey}/{self.element or ''}"

    def sort_key(self) -> tuple[object, ...]:
        return (self.location.path, self.location.line, self.location.column, self.rule,
                self.element or "", self.message)


@dataclass(frozen=True)
class JourneyResult:
    """One spec file's outcome."""

    path: str
    journey_id: str
    name: str
    verdict: str | None  # None: deleted
    diff: JourneyDiff | None  # None: no baseline asked for
    findings: tuple[Finding, ...]
    spofs: int = 0


@dataclass(frozen=True)
class CheckReport:
    journeys: tuple[JourneyResult, ...]
    findings: tuple[Finding, ...]  # every finding, sorted by file position
    rules: tuple[Rule, ...]  # the rules that ran, with the policy's severities
    policy: Policy
    fail_on: str
    today: dt.date
    baseline: str | None = None  # the git ref compared with
    root: str = "."  # folder repository-relative paths are computed from
    notes: tuple[str, ...] = ()  # things a reader should know (unreadable baselines…)

    @property
    def counted(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.counts)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.counted if f.severity == severity)

    @property
    def failing(self) -> tuple[Finding, ...]:
        """Findings at or above --fail-on that no valid waiver covers."""
        bar = severity_rank(self.fail_on)
        return tuple(f for f in self.counted if severity_rank(f.severity) >= bar)

    @property
    def failed(self) -> bool:
        return bool(self.failing)

    @property
    def policy_findings(self) -> tuple[Finding, ...]:
        """Findings about the policy file itself (expired or unused waivers)."""
        scope = {r.id: r.scope for r in self.rules}
        return tuple(f for f in self.findings if scope.get(f.rule) == Scope.POLICY)

    @property
    def waived(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.waiver is not None)

    def uri(self, path: str) -> str:
        """``path`` relative to the repository root, with forward slashes (SARIF, GitHub)."""
        full = os.path.realpath(path)
        rel = os.path.relpath(full, os.path.realpath(self.root))
        return (full if rel.startswith("..") else rel).replace(os.sep, "/")

    @property
    def headline(self) -> str:
        """The one sentence to read first."""
        diffs = [j.diff for j in self.journeys if j.diff is not None]
        for d in diffs:
            if d.became_complex:
                return d.headline
        for d in diffs:
            if d.spofs_added and d.status != ADDED:
                return d.headline
        n = len(self.failing)
        if n:
            worst = self.failing[0]
            return f"{n} finding(s) fail the check; first: {worst.message}"
        if self.baseline is not None:
            return f"No journey became more fragile compared with {self.baseline}."
        return f"{len(self.journeys)} journey(s) checked; nothing at or above '{self.fail_on}'."


def effective_rules(policy: Policy) -> list[Rule]:
    """Every rule with the policy's severity; rules turned off are left out."""
    out = []
    for r in all_rules():
        sev = policy.severity(r.id, r.severity)
        if sev != OFF:
            out.append(dataclasses.replace(r, severity=Severity(sev)))
    return out


def run_rules(states: list[JourneyState], policy: Policy, *, fail_on: str = "error",
              today: dt.date | None = None, baseline: str | None = None, root: str = ".",
              notes: tuple[str, ...] = ()) -> CheckReport:
    """Run every enabled rule over ``states`` and apply the policy's waivers.

    ``today`` decides which waivers have expired (default: the real today; tests pass
    a fixed date).
    """
    today = today or dt.date.today()
    rules = effective_rules(policy)
    active = [w for w in policy.waivers if not w.expired(today)]
    expired = [w for w in policy.waivers if w.expired(today)]
    results = []
    every: list[Finding] = []
    used: set[int] = set()  # ids of the waivers that covered something
    # A finding in a shared catalog (a stale review date of a catalog support) is the
    # same finding for every journey that uses it: reported once.
    elsewhere: set[tuple[str, Location, str | None, str]] = set()
    for state in sorted(states, key=lambda s: (s.path, s.journey_id)):
        state = dataclasses.replace(state, today=today)
        found: list[Finding] = []
        for r in rules:
            if r.scope not in (Scope.CHANGE, Scope.STATE):
                continue
            for hit in r.run(state, policy.thresholds):
                if r.id in _DEFINITION_RULES and hit.location.path != state.path:
                    key = (r.id, hit.location, hit.element, hit.message)
                    if key in elsewhere:
                        continue
                    elsewhere.add(key)
                jid = state.journey_id
                covering = [w for w in active if w.covers(r.id, jid, hit.element)]
                used.update(id(w) for w in covering)
                waiver = covering[0] if covering else None
                old = next((w for w in expired if w.covers(r.id, jid, hit.element)), None)
                message = hit.message
                if old is not None and waiver is None:
                    message += (f" (The waiver for this expired on {old.expires.isoformat()}: "
                                f"{old.reason})")
                found.append(Finding(r.id, r.name, r.severity, message, hit.location,
                                     state.journey_id, hit.element, waiver,
                                     old if waiver is None else None))
        found.sort(key=Finding.sort_key)
        every.extend(found)
        a = state.analysis
        d = state.diff
        name = a.spec.journey.name if a else (d.name if d else state.journey_id)
        results.append(JourneyResult(state.path, state.journey_id, name,
                                     a.verdict if a else None, d, tuple(found),
                                     len(a.spofs) if a else 0))
    expired_rule = next((r for r in rules if r.id == EXPIRED_WAIVER.id), None)
    if expired_rule is not None:
        for w in expired:
            every.append(Finding(
                expired_rule.id, expired_rule.name, expired_rule.severity,
                f"the waiver for {w.describe()} expired on {w.expires.isoformat()} and no "
                f"longer waives anything (reason given: {w.reason}). Renew it or fix the finding.",
                w.location, w.journey or "", w.element))
    every.extend(_unused_waivers(rules, active, used, states, baseline))
    every.sort(key=Finding.sort_key)
    return CheckReport(tuple(results), tuple(every), tuple(rules), policy, fail_on, today,
                       baseline, root, notes)


# Rules about how an element is written down (not about what it does to this journey):
# for a catalog element they say the same thing in every journey that uses it.
_DEFINITION_RULES = frozenset({"JM106", "JM112"})


def _unused_waivers(rules: list[Rule], active: list[Waiver], used: set[int],
                    states: list[JourneyState], baseline: str | None) -> list[Finding]:
    """JM113 for every waiver that covered nothing this run, saying why it may not match.

    Waivers of rules that did not run (turned off, or change rules without --baseline)
    are not judged: they had no chance to match.
    """
    unused_rule = next((r for r in rules if r.id == UNUSED_WAIVER.id), None)
    if unused_rule is None:
        return []
    ran = {r.id: r for r in rules if r.scope == Scope.STATE
           or (r.scope == Scope.CHANGE and baseline is not None)}
    journeys = sorted({s.journey_id for s in states})
    out = []
    for w in active:
        if id(w) in used or w.rule not in ran:
            continue
        matched = [j for j in journeys if w.matches_journey(j)]
        if w.journey is not None and not matched:
            why = (f"journey '{w.journey}' matches none of the {len(journeys)} journey(s) "
                   "checked")
        elif w.element is not None:
            why = (f"element '{w.element}' matches no {w.rule} finding in "
                   f"{len(matched)} journey(s)")
        else:
            why = f"there is no {w.rule} finding in {len(matched)} journey(s)"
        out.append(Finding(
            unused_rule.id, unused_rule.name, unused_rule.severity,
            f"the waiver for {w.describe()} matches no finding: {why}. Correct it (journey "
            f"and element take ids or glob patterns like 'checkout-*') or delete it.",
            w.location, w.journey or "", w.element))
    return out


# --- gathering (I/O): specs, baseline, analyses ---------------------------------------------

class CheckInputError(Exception):
    """Input that cannot be checked; ``lines`` are printed, then exit 2."""

    def __init__(self, message: str, lines: tuple[str, ...] = ()):
        self.lines = lines
        super().__init__(message)


def needs_risk(policy: Policy) -> bool:
    """Does an enabled rule read the risk numbers (collapse probability, pairs)? Only
    then does the gate compute them (fixes are never needed here)."""
    from journeymap.rules.change import RISK_RULES

    return any(policy.severity(r, REGISTRY[r].severity) != OFF for r in RISK_RULES)


def gather(paths: list[str], baseline_ref: str | None = None, cwd: str = ".",
           risk: RiskOptions | None = None, jobs: int = 1
           ) -> tuple[list[JourneyState], str, tuple[str, ...]]:
    """Load and analyse the specs under ``paths`` and, with ``baseline_ref``, their
    versions at that git ref. Returns the states, the repository root (or ``cwd``) and
    notes for the reader. ``risk``: also compute the risk numbers (both sides alike;
    with a baseline, only for the journeys that changed).

    Only what a rule reads is computed (no robustness sampling; risk numbers only with
    ``risk``), and with a baseline only journeys whose spec or used catalogs changed are
    analysed twice: an unchanged journey's baseline analysis is its current one.
    ``jobs`` > 1 analyses in that many processes (same results, same order).

    Raises :class:`CheckInputError` for invalid current specs and
    :class:`journeymap.baseline.GitError` for git problems.
    """
    from journeymap.batch import analyze_all, load_and_analyze
    from journeymap.files import spec_paths
    from journeymap.spec import SpecError, load_spec

    files = spec_paths(paths)
    if not files:
        raise CheckInputError("no spec files found (looked for *.yaml and *.yml under "
                              + ", ".join(paths) + ")")
    specs: dict[str, Spec] = {}
    analyses: dict[str, JourneyAnalysis] = {}
    diagnostics: list[Diagnostic] = []
    # With a baseline the risk numbers are made only for the journeys compared with
    # another version of themselves (below): the rules that read them compare the two
    # sides, and an unchanged journey's would be the same on both.
    first_risk = risk if baseline_ref is None else None
    for path, (spec, analysis, found) in zip(files, load_and_analyze(files, jobs=jobs,
                                                                      risk=first_risk)):
        diagnostics.extend(found)
        if spec is not None and analysis is not None:
            specs[path], analyses[path] = spec, analysis
    # A broken catalog is reported once, not once per journey that uses it.
    problems = [str(d) for d in sorted(set(diagnostics))]
    if problems:
        raise CheckInputError(f"{len(problems)} problem(s) in the specs; fix them first "
                              "(journeymap validate shows the same)", tuple(problems))
    notes: list[str] = []
    if baseline_ref is None:
        root = _root_or(cwd)
        return ([JourneyState(p, a.spec.journey.id, a) for p, a in analyses.items()], root, ())

    from journeymap.baseline import GitCatalogReader, read_baseline, read_text_now

    base = read_baseline(baseline_ref, paths, files, cwd)
    catalogs = GitCatalogReader(base.commit, base.root)
    used = sorted({c for s in specs.values() for c in s.catalogs})
    catalogs.prefetch(used)
    same_catalog = {c: catalogs.at_ref(c) == read_text_now(c) for c in used}
    olds: dict[str, JourneyAnalysis] = {}
    old_specs: dict[str, Spec] = {}
    old_paths = {p: bf.old_path for p, bf in base.files.items()}
    for path, bf in base.files.items():
        if bf.text is None:
            continue
        if bf.same and all(same_catalog[c] for c in specs[path].catalogs):
            # Neither the spec nor a catalog it uses changed (same content): its baseline
            # analysis is the one just made.
            olds[path] = analyses[path]
            continue
        try:
            # Loaded under the current path: positions of the old text are never shown.
            old_specs[path] = load_spec(path, text=bf.text, catalogs=catalogs)
        except SpecError:
            notes.append(f"{path}: the version at {baseline_ref} is not a valid spec; "
                         "it is checked as a new journey")
    deleted_specs: dict[str, Spec] = {}
    for df in base.deleted:
        try:
            deleted_specs[df.path] = load_spec(df.path, text=df.text, catalogs=catalogs)
        except SpecError:
            notes.append(f"{df.path}: deleted in this change "
                         "(its old version was not a valid spec)")
    both = [*old_specs.values(), *deleted_specs.values()]
    done = iter(analyze_all(both, jobs=jobs, risk=risk))
    olds.update((p, next(done)) for p in old_specs)
    deleted = {p: next(done) for p in deleted_specs}
    # Git may miss a rename that also rewrote most of the file: pair a new journey with a
    # deleted one of the same journey id.
    by_id = {a.spec.journey.id: p for p, a in deleted.items()}
    for path, a in analyses.items():
        if path not in olds and a.spec.journey.id in by_id:
            old_path = by_id.pop(a.spec.journey.id)
            olds[path] = deleted.pop(old_path)
            old_paths[path] = old_path
            notes.append(f"{path}: compared with {old_path} at {baseline_ref} (same journey id)")
    if risk is not None:
        changed = [p for p, old in olds.items() if old is not analyses[p]]
        analyses.update(zip(changed, analyze_all([specs[p] for p in changed], jobs=jobs,
                                                 risk=risk)))
    states = []
    for path, a in analyses.items():
        old = olds.get(path)
        states.append(JourneyState(path, a.spec.journey.id, a, old,
                                   diff_journeys(old, a, path=path,
                                                 old_path=old_paths.get(path) if old else None)))
    for path, old in deleted.items():
        states.append(JourneyState(path, old.spec.journey.id, None, old,
                                   diff_journeys(old, None, path=path, old_path=path)))
    return states, base.root, tuple(notes)


def _root_or(cwd: str) -> str:
    from journeymap.baseline import GitError, repo_root

    try:
        return repo_root(cwd)
    except GitError:
        return os.path.abspath(cwd)


__all__ = ["CheckInputError", "CheckReport", "DELETED", "Finding", "JourneyResult", "gather",
           "run_rules", "effective_rules"]
