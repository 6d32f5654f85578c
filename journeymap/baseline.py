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

SPEC_SUFFIXES = (".yaml", ".yml")


class GitError(Exception):
    """git could not answer (not a repository, unknown ref, git missing…)."""


@dataclass(frozen=True)
class BaselineFile:
    """One current spec and its text at the ref (``None``: new in this change)."""

    path: str  # as the user's paths name it
    old_path: str | None  # repository-relative path at the ref
    text: str | None


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
    return path.endswith(SPEC_SUFFIXES)


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
    diff = str(_git(["diff", "--name-status", "-z", "-M", commit, *pathspecs], root))
    fields = diff.split("\0")
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status.startswith(("R", "C")):
            old, new = fields[i + 1], fields[i + 2]
            if status.startswith("R"):
                renamed_from[new] = old
            i += 3
        else:
            i += 2

    files: dict[str, BaselineFile] = {}
    used: set[str] = set()
    for path in current:
        r = rel(path)
        old = renamed_from.get(r, r)
        if old in at_ref:
            files[path] = BaselineFile(path, old, _show(commit, old, root))
            used.add(old)
        else:
            files[path] = BaselineFile(path, None, None)
    deleted = tuple(DeletedFile(shown(old), old, _show(commit, old, root) or "")
                    for old in sorted(at_ref - used)
                    if old not in {rel(p) for p in current})
    return Baseline(ref, commit, root, files, deleted)


def _show(commit: str, repo_path: str, root: str) -> str | None:
    """``git show REF:path`` as text (``None`` if it is not UTF-8)."""
    raw = _git(["show", f"{commit}:{repo_path}"], root, binary=True)
    try:
        assert isinstance(raw, bytes)
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
