"""What-if: the cascade when chosen elements fail together (``journeymap simulate``).

The same exact computation as :func:`journeymap.analysis.analyze` makes for one element
(:class:`.cascade.Baseline`: propagation, reachability, the exact flow solver), for
any set of failed elements, and the same readable collapse path.
"""

from __future__ import annotations

from collections.abc import Iterable

from journeymap.analysis.build import collapse_paths, flow_distance
from journeymap.analysis.cascade import Baseline
from journeymap.analysis.engine import structural_touchpoints
from journeymap.analysis.index import Index
from journeymap.analysis.result import Cascade
from journeymap.spec.model import Spec


def what_if(spec: Spec, failed: Iterable[str]) -> Cascade:
    """What-if: the cascade when the elements ``failed`` (ids) fail together.

    Raises ``KeyError`` naming the first unknown id (the CLI checks ids first).
    """
    ix = Index(spec)
    ids = sorted(set(failed))
    for f in ids:
        if f not in ix.pos:
            raise KeyError(f)
    idx = [ix.pos[f] for f in ids]
    base = Baseline(ix)
    raw = base.cascade(idx)
    structural = structural_touchpoints(ix)
    dist = flow_distance(ix)
    # Touch-points that lose customers on their own make the most telling path ends
    # (the weight analyze gives them: their own single-failure cascade).
    weight = [base.cascade((v,)).customers_lost if ix.is_tp[v] and v in raw.down
              else 0.0 for v in range(ix.n)]
    # The readable chain: from the failed element whose path reaches customers first.
    best: tuple[int, ...] = ()
    find = collapse_paths(ix, base.reach, structural, dist, weight)
    for fi in idx:
        p = find(fi, raw.down)
        if p and (not best or (p[-1] not in structural, -weight[p[-1]], dist[p[-1]], len(p))
                  < (best[-1] not in structural, -weight[best[-1]], dist[best[-1]], len(best))):
            best = p
    return Cascade(failed=tuple(ids), down=ix.names(raw.down), stranded=ix.names(raw.stranded),
                   degraded=ix.names(raw.degraded), customers_lost=raw.customers_lost,
                   collapses=raw.collapses, path=tuple(ix.ids[v] for v in best))


__all__ = ["what_if"]
