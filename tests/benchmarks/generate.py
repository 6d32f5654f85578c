"""A seeded generator of realistic synthetic journeys, for benchmarks.

Shape (about 20% touch-points, 80% supports), as a large organisation's journey looks:

* **Stages** in order; each stage offers several touch-points (channels). Every few
  stages there is a **gateway**: one or two touch-points every customer passes (sign-in,
  payment) — the structural single points of failure. Customers move from each
  touch-point to two or three touch-points of the next stage (shares 1–3), sometimes
  sideways within a stage, and a few go **back** a stage (flow cycles).
* **Supports** in three tiers: services per stage (needed by touch-points, hard, some
  soft, some ``any`` pairs), domain platforms shared by the services of neighbouring
  stages (one service in twenty also uses a platform from anywhere in the journey;
  ``any`` redundancy groups and ``at_least 2 of 3`` people groups), and a handful of
  **shared infrastructure** elements (clouds, identity, DNS) that many platforms need —
  common-cause failures. A few platforms need each other (mutual dependencies).
* **Parties** own elements; a fifth of them are partners, a tenth external.

``python tests/benchmarks/generate.py 10000 out.journey.yaml [--seed 1]`` writes a spec;
:func:`synthetic_spec` builds the same journey as a model object without YAML.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field


@dataclass
class _El:
    id: str
    tp: bool
    stage: int
    owner: str
    needs: list[dict] = field(default_factory=list)
    entry: bool = False
    goal: bool = False


def synthetic(n: int, seed: int = 1) -> tuple[list[_El], list[tuple[str, str, float]], int, int]:
    """Elements, flow lines, number of stages and of parties for a journey of ~``n``."""
    rng = random.Random(seed)
    n_tp = max(4, n // 5)
    n_sup = max(3, n - n_tp)
    n_stages = max(3, int(round((n_tp ** 0.5) / 2)))
    n_parties = max(3, n // 60)
    owners = [f"party-{i}" for i in range(n_parties)]
    els: list[_El] = []
    # Touch-points per stage; every 6th stage (not the first) is a gateway.
    stages: list[list[str]] = [[] for _ in range(n_stages)]
    for i in range(n_tp):
        stages[i % n_stages].append(f"tp-{i}")
    for s in range(6, n_stages, 6):
        extra = stages[s][2:]
        stages[s] = stages[s][:2] if rng.random() < 0.5 else stages[s][:1]
        for t in extra:  # keep the touch-point count: move them to the next stage
            stages[s + 1 if s + 1 < n_stages else s - 1].append(t)
    stage_of = {t: s for s, ts in enumerate(stages) for t in ts}
    flows: list[tuple[str, str, float]] = []
    for s in range(n_stages - 1):
        nxt = stages[s + 1]
        has_pred = set()
        for t in stages[s]:
            for u in rng.sample(nxt, min(len(nxt), rng.choice((2, 2, 3)))):
                flows.append((t, u, float(rng.choice((1, 1, 2, 3)))))
                has_pred.add(u)
            if rng.random() < 0.05 and len(stages[s]) > 1:  # sideways
                u = rng.choice(stages[s])
                if u != t:
                    flows.append((t, u, 0.5))
            if s > 0 and rng.random() < 0.03:  # back a stage: a flow cycle
                flows.append((t, rng.choice(stages[s - 1]), 0.2))
        for u in nxt:
            if u not in has_pred:
                flows.append((rng.choice(stages[s]), u, 1.0))
    # Supports: tiers.
    n_infra = max(2, min(12, n_sup // 500 + 2))
    n_platform = max(2, n_sup // 8)
    n_service = n_sup - n_infra - n_platform
    infra = [f"infra-{i}" for i in range(n_infra)]
    platforms = [f"platform-{i}" for i in range(n_platform)]
    services = [f"service-{i}" for i in range(n_service)]
    svc_stage = {s: i % n_stages for i, s in enumerate(services)}
    svc_by_stage: list[list[str]] = [[] for _ in range(n_stages)]
    for s, st in svc_stage.items():
        svc_by_stage[st].append(s)
    for t in (t for ts in stages for t in ts):
        st = stage_of[t]
        pool = svc_by_stage[st] or services
        needs: list[dict] = []
        for sv in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
            needs.append({"id": sv})
        if rng.random() < 0.3 and len(pool) > 2:
            pair = rng.sample(pool, 2)
            needs.append({"any": pair})
        if rng.random() < 0.2:
            needs.append({"id": rng.choice(services), "strength": "soft"})
        els.append(_El(t, True, st, rng.choice(owners), _dedupe(needs),
                       entry=st == 0, goal=st == n_stages - 1))
    # Platforms serve a domain: the services of a band of neighbouring stages; one
    # service in twenty also uses a platform from elsewhere in the journey.
    plat_stage = {p: rng.randrange(n_stages) for p in platforms}
    plat_by_stage: list[list[str]] = [[] for _ in range(n_stages)]
    for p, st in plat_stage.items():
        plat_by_stage[st].append(p)

    def platform_pool(st: int) -> list[str]:
        if rng.random() < 0.05:
            return platforms
        pool = [p for s2 in range(st - 1, st + 2) if 0 <= s2 < n_stages
                for p in plat_by_stage[s2]]
        return pool if len(pool) >= 2 else platforms

    for sv in services:
        pool = platform_pool(svc_stage[sv])
        needs = [{"id": p} for p in rng.sample(pool, rng.choice((1, 1, 2)))]
        r = rng.random()
        if r < 0.25:
            needs.append({"any": rng.sample(platform_pool(svc_stage[sv]), 2)})
        elif r < 0.35 and n_service > 3:
            needs.append({"at_least": 2, "of": rng.sample(services, 3), "kind": "people"})
        if rng.random() < 0.1:
            needs.append({"id": rng.choice(platforms), "strength": "soft"})
        els.append(_El(sv, False, svc_stage[sv], rng.choice(owners),
                       _dedupe([x for x in needs if sv not in _targets(x)])))
    for k, p in enumerate(platforms):
        needs = []
        if rng.random() < 0.6:
            needs.append({"id": rng.choice(infra)})
        else:
            needs.append({"any": rng.sample(infra, 2)})
        if rng.random() < 0.02:  # mutual dependency with a neighbour platform
            needs.append({"id": platforms[(k + 1) % n_platform]})
        if rng.random() < 0.05:
            needs.append({"id": platforms[(k + 1) % n_platform]})
        els.append(_El(p, False, plat_stage[p], rng.choice(owners),
                       _dedupe([x for x in needs if p not in _targets(x)])))
    for i in infra:
        els.append(_El(i, False, rng.randrange(n_stages), rng.choice(owners)))
    return els, flows, n_stages, n_parties


def _targets(need: dict) -> list[str]:
    return [need["id"]] if "id" in need else list(need.get("any") or need["of"])


def _dedupe(needs: list[dict]) -> list[dict]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for nd in needs:
        key = tuple(sorted(_targets(nd)))
        if key not in seen:
            seen.add(key)
            out.append(nd)
    return out


def _control(i: int) -> str:
    return "external" if i % 10 == 9 else "partner" if i % 5 == 4 else "internal"


# Parties' service levels when asked for (risk benchmarks): by party number, so the
# journey's shape (and its random stream) is the same with or without them.
SERVICE_LEVELS = (0.999, 0.9995, 0.9999, 0.995, 0.999, 0.9999, 0.99, 0.9995)


def synthetic_yaml(n: int, seed: int = 1, support_stages: bool = True,
                   availability: bool = False) -> str:
    """The journey as spec text (flow style, one element per line). With
    ``support_stages=False`` supports name no stage (the diagram and the stage areas
    place them under the touch-points that need them); ``availability`` gives every
    party a service level (the default for what it runs)."""
    els, flows, n_stages, n_parties = synthetic(n, seed)
    out = ["journeymap: 1",
           f"journey: {{id: synthetic-{n}, name: Synthetic journey of {n} elements}}",
           "stages:"]
    out += [f"  - {{id: stage-{s}, name: Stage {s}}}" for s in range(n_stages)]
    out.append("parties:")
    sla = [f", availability: {SERVICE_LEVELS[i % len(SERVICE_LEVELS)]}" if availability else ""
           for i in range(n_parties)]
    out += [f"  - {{id: party-{i}, name: Party {i}, control: {_control(i)}{sla[i]}}}"
            for i in range(n_parties)]
    for section, tp in (("touchpoints", True), ("supports", False)):
        out.append(f"{section}:")
        for e in els:
            if e.tp != tp:
                continue
            extra = ""
            if tp:
                extra = ", channel: web" + (", entry: true" if e.entry else "") + \
                        (", goal: true" if e.goal else "")
            else:
                extra = ", kind: system"
            needs = ", ".join(_need_yaml(x) for x in e.needs)
            stage = f"stage: stage-{e.stage}, " if tp or support_stages else ""
            out.append(f"  - {{id: {e.id}, name: {e.id}, {stage}"
                       f"owner: {e.owner}{extra}, needs: [{needs}]}}")
    out.append("flow:")
    out += [f"  - {{from: {a}, to: {b}, share: {s}}}" for a, b, s in flows]
    return "\n".join(out) + "\n"


def _need_yaml(nd: dict) -> str:
    parts = []
    for k, v in nd.items():
        parts.append(f"{k}: [{', '.join(v)}]" if isinstance(v, list) else f"{k}: {v}")
    return "{" + ", ".join(parts) + "}"


def synthetic_spec(n: int, seed: int = 1, availability: bool = False):  # type: ignore[no-untyped-def]
    """The same journey as a validated model object (through the real loader)."""
    from journeymap.spec import load_spec

    return load_spec(f"synthetic-{n}.journey.yaml",
                     synthetic_yaml(n, seed, availability=availability))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = 1
    for a in sys.argv[1:]:
        if a.startswith("--seed="):
            seed = int(a.split("=", 1)[1])
    size, path = int(args[0]), args[1]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(synthetic_yaml(size, seed, availability="--availability" in sys.argv))
