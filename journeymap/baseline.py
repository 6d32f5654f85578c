"""Read journey specs as they were at a git ref, by running real git.

``journeymap check --baseline origin/main specs/`` compares every spec under ``specs/``
with the same spec at ``origin/main``. Renames are followed (``git diff -M``), a spec
that did not exist at the ref is *new* (no baseline), and a spec that existed there but
is gone now (deleted or renamed away) is *deleted*. The working tree is compared, so
uncommitted edits count, as they do in a pre-commit hook.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from journeymap.spec.catalog import CatalogReader
from journeymap.spec.diagnostics import Diagnostic, Location, SpecError

SPEC_SUFFIXES = (".yaml", ".yml")
CATALOG_SUFFIXES = (".catalog.yaml", ".catalog.yml")


class GitError(Exception):
    """git could not answer (not a repository, unknown ref, git missing…)."""


@dataclass(frozen=True)
class BaselineFile:
    """One current spec and its text at the ref (``None``: new in this change).

    ``same``: git reports no change to the file since the ref (its text at the ref is
    the current text, read from disk without asking git).
    """

    path: str  # as the user's paths name it
    old_path: str | None  # repository-relative path at the ref
    text: str | None
    same: bool = False


@dataclass(frozen=True)
class DeletedFile:
    path: str  # the old file, relative to the current folder like the others
    old_path: str  # repository-relative
    text: str


@dataclass(frozen=True)
class Baseline:
    ref: str
    commit: str
    root: str  # absolute path of the repository's top folder
    files: dict[str, BaselineFile]  # current path -> its baseline
    deleted: tuple[DeletedFile, ...]


def _git(args: list[str], cwd: str, *, binary: bool = False) -> str | bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (needed for --baseline)") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


def repo_root(cwd: str = ".") -> str:
    """The repository's top folder, or :class:`GitError` outside a repository."""
    try:
        return str(_git(["rev-parse", "--show-toplevel"], cwd)).strip()
    except GitError:
        raise GitError(f"{os.path.abspath(cwd)} is not inside a git repository "
                       "(--baseline compares with a git ref)") from None


def resolve_ref(ref: str, root: str) -> str:
    """The commit id ``ref`` names, or a :class:`GitError` that says what to do."""
    if not ref or ref.startswith("-"):
        raise GitError(f"invalid git ref {ref!r}")
    try:
        return str(_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)).strip()
    except GitError:
        hint = ""
        if "/" in ref:
            remote, _, branch = ref.partition("/")
            hint = (f" (in CI, fetch it first: git fetch {remote} {branch}; with "
                    "actions/checkout use fetch-depth: 0)")
        raise GitError(f"unknown git ref '{ref}'{hint}") from None


def _is_spec(path: str) -> bool:
    # Catalogs (*.catalog.yaml) are not journeys: they are compared through their users.
    return path.endswith(SPEC_SUFFIXES) and not path.endswith(CATALOG_SUFFIXES)


def read_baseline(ref: str, paths: list[str], current: list[str], cwd: str = ".") -> Baseline:
    """The baseline of every file in ``current`` (spec files found under ``paths``),
    plus the specs under ``paths`` that existed at ``ref`` and are gone now.

    ``paths`` are the folders/files the user named (they limit where deletions are
    looked for); ``current`` are the spec files found there now.
    """
    root = repo_root(cwd)
    commit = resolve_ref(ref, root)
    real_root = os.path.realpath(root)

    def rel(p: str) -> str:
        real = os.path.realpath(os.path.join(cwd, p))
        return os.path.relpath(real, real_root).replace(os.sep, "/")

    def shown(repo_path: str) -> str:
        full = os.path.join(real_root, repo_path)
        r = os.path.relpath(full, os.path.realpath(cwd))
        return r.replace(os.sep, "/") if not r.startswith("..") else full

    specs = [rel(p) for p in paths] or ["."]
    for s in specs:
        if s.startswith("../"):
            raise GitError(f"{s} is outside the repository at {root}")
    pathspecs = ["--", *specs]

    # Files at the ref under the user's paths.
    listed = str(_git(["ls-tree", "-r", "-z", "--name-only", commit, *pathspecs], root))
    at_ref = {p for p in listed.split("\0") if p and _is_spec(p)}

    # Renames between the ref and the working tree (tracked files).
    renamed_from: dict[str, str] = {}  # new path -> old path
    changed: set[str] = set()  # paths (old and new) git reports as changed since the ref
    diff = str(_git(["diff", "--name-status", "-z", "-M", commit, *pathspecs], root))
    fields = diff.split("\0")
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status.startswith(("R", "C")):
            old, new = fields[i + 1], fields[i + 2]
            if status.startswith("R"):
                renamed_from[new] = old
            changed.update((old, new))
            i += 3
        else:
            changed.add(fields[i + 1])
            i += 2

    files: dict[str, BaselineFile] = {}
    used: set[str] = set()
    wanted: dict[str, str] = {}  # current path -> old repository path, text needed from git
    for path in current:
        r = rel(path)
        old = renamed_from.get(r, r)
        if old in at_ref:
            used.add(old)
            if old == r and r not in changed:
                # Unchanged since the ref: no need to ask git for the old text.
                now = read_text_now(os.path.join(cwd, path))
                files[path] = BaselineFile(path, old, now, same=True)
            else:
                wanted[path] = old
        else:
            files[path] = BaselineFile(path, None, None)
    current_rel = {rel(p) for p in current}
    gone = [old for old in sorted(at_ref - used) if old not in current_rel]
    texts = show_many(commit, [*wanted.values(), *gone], root)
    for path, old in wanted.items():
        files[path] = BaselineFile(path, old, texts.get(old))
    deleted = tuple(DeletedFile(shown(old), old, texts.get(old) or "") for old in gone)
    return Baseline(ref, commit, root, {p: files[p] for p in current}, deleted)


def read_text_now(path: str) -> str | None:
    """A file's text on disk as the loader reads it (BOM dropped), ``None`` when it
    cannot be read: compared with its text at the baseline ref."""
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def show_many(commit: str, repo_paths: list[str], root: str) -> dict[str, str | None]:
    """The text of each file at ``commit`` in one ``git cat-file --batch`` run (one
    process for all of them, not one ``git show`` per file). A file missing at the
    commit is left out; one that is not UTF-8 maps to ``None``."""
    if not repo_paths:
        return {}
    request = "".join(f"{commit}:{p}\n" for p in repo_paths).encode("utf-8")
    try:
        proc = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=request,
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (needed for --baseline)") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or "git cat-file failed")
    out, pos = proc.stdout, 0
    texts: dict[str, str | None] = {}
    for p in repo_paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            continue
        size = int(header[2])
        raw = out[pos:pos + size]
        pos += size + 1  # the content is followed by a newline
        try:
            texts[p] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            texts[p] = None
    return texts


class GitCatalogReader(CatalogReader):
    """Reads the catalogs a journey uses as they were at ``commit`` (for the baseline
    side of ``check --baseline``), fetching many at once."""

    def __init__(self, commit: str, root: str):
        super().__init__()
        self.commit = commit
        self.root = os.path.realpath(root)
        self._texts: dict[str, str | None] = {}

    def repo_path(self, path: str) -> str:
        return os.path.relpath(os.path.realpath(path), self.root).replace(os.sep, "/")

    def prefetch(self, paths: list[str]) -> None:
        todo = sorted({self.repo_path(p) for p in paths} - set(self._texts))
        found = show_many(self.commit, todo, self.root)
        for p in todo:
            self._texts[p] = found.get(p, _MISSING)

    def at_ref(self, path: str) -> str | None:
        """The text at the ref, or ``None`` when the file is missing there (or not UTF-8)."""
        self.prefetch([path])
        text = self._texts[self.repo_path(path)]
        return None if text is _MISSING else text

    def exists(self, path: str) -> bool:
        return self.at_ref(path) is not None

    def text(self, path: str) -> str:
        text = self.at_ref(path)
        if text is None:
            raise SpecError([Diagnostic(Location(path, 1, 1), "JM050",
                                        f"catalog not found at the baseline ({self.commit[:12]})")])
        return text


_MISSING = "\0missing\0"


def _show(commit: str, repo_path: str, root: str) -> str | None:
    """``git show REF:path`` as text (``None`` if it is not UTF-8)."""
    raw = _git(["show", f"{commit}:{repo_path}"], root, binary=True)
    try:
        assert isinstance(raw, bytes)
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
