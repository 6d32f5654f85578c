"""Specs and real temporary git repositories for the CI-gate tests (check, diff, policy)."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

# A complicated shop: every support has a fallback, so only the sole entry (product)
# and the sole goal (checkout) collapse it alone. ${EXTRA} is where a change adds a line.
SHOP = textwrap.dedent("""\
    journeymap: 1
    journey: {id: shop, name: Shopper buys a thing, owner: web-team}
    stages:
      - {id: buy, name: Buy}
    parties:
      - {id: web-team, name: Web team, control: internal}
      - {id: stripe, name: Stripe, control: external}
    touchpoints:
      - id: product
        name: Product page
        stage: buy
        channel: web
        owner: web-team
        entry: true
        needs:
          - {any: [cms-a, cms-b]}
      - id: checkout
        name: Checkout
        stage: buy
        channel: web
        owner: web-team
        goal: true
        needs:
          - {any: [payments-a, payments-b]}
    ${EXTRA}
    supports:
      - {id: cms-a, name: CMS A, kind: system, owner: web-team}
      - {id: cms-b, name: CMS B, kind: system, owner: web-team}
      - {id: payments-a, name: Payments A, kind: system, owner: web-team}
      - {id: payments-b, name: Payments B, kind: system, owner: web-team}
      - {id: stripe-api, name: Stripe fraud API, kind: vendor, owner: stripe}
    flow:
      - product -> checkout
    """)

EXTERNAL_LINE = "      - {id: stripe-api, kind: technology, note: fraud check}"


def shop(extra: str = "") -> str:
    """The shop spec; ``extra`` is inserted as more needs of checkout."""
    text = SHOP.replace("${EXTRA}\n", extra + "\n" if extra else "")
    return text


def shop_with_vendor() -> str:
    """The pull request of the issue: checkout now needs an external vendor."""
    return shop(EXTERNAL_LINE)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


# Two entries (web, app) reach one goal; a failure on the web side loses half of the
# customers. WIDE adds a shared library that four elements of the web side now need:
# its failure spreads to half of the journey without collapsing it.
TWO_DOORS = textwrap.dedent("""\
    journeymap: 1
    journey: {id: doors, name: Two doors, owner: us}
    parties:
      - {id: us, name: Us, control: internal}
    touchpoints:
      - {id: web, name: Web, channel: web, owner: us, entry: true, needs: [web-srv]}
      - {id: app, name: App, channel: app, owner: us, entry: true, needs: [app-srv]}
      - id: done
        name: Done
        channel: web
        owner: us
        goal: true
        needs:
          - {any: [pay-a, pay-b]}
    supports:
      - {id: web-srv, name: Web server, owner: us${WEB}}
      - {id: app-srv, name: App server, owner: us}
      - {id: pay-a, name: Pay A, owner: us}
      - {id: pay-b, name: Pay B, owner: us}
      - {id: report-1, name: Report 1, owner: us${REP}}
      - {id: report-2, name: Report 2, owner: us${REP}}
      - {id: report-3, name: Report 3, owner: us${REP}}
      - {id: shared-lib, name: Shared library, owner: us}
    flow:
      - web -> done
      - app -> done
    """)


def two_doors(wide: bool = False) -> str:
    needs = ", needs: [shared-lib]" if wide else ""
    return TWO_DOORS.replace("${WEB}", needs).replace("${REP}", needs)


# --- real git repositories ----------------------------------------------------------------

_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV, "HOME": str(repo)}  # no user config leaks in
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
                          capture_output=True, text=True, check=True)
    return proc.stdout


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A git repository at ``root`` whose first commit (branch main) holds ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
