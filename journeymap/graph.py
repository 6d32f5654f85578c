"""The two layers of a journey as NetworkX graphs, for renderers and ad-hoc analysis.

* The **flow layer**: a ``DiGraph`` of touch-points; an edge ``a -> b`` is a flow line
  with the summed ``share`` of every flow line written from ``a`` to ``b``.
* The **dependency layer**: a ``DiGraph`` of every element; an edge ``a -> b`` means
  "a needs b", with attributes ``kind``, ``strength`` (``hard``/``soft``), ``form``
  (``id``/``any``/``at_least``), ``required`` and ``members`` (the group's k of n) and
  ``group`` (index of the needs entry in ``a``'s ``needs``). When ``a`` names ``b`` in
  several entries, the edge keeps the strongest (hard before soft, fewest members).

The failure engine does not use these graphs in its inner loops (it builds integer
arrays once, see :mod:`journeymap.analysis.index`); they are the model a user works
with (:mod:`journeymap.api`), and :func:`cascade_graph` gives one failure's cascade
as a subgraph of the needs layer.

>>> from journeymap.spec import load_spec  # doctest: +SKIP
>>> g = needs_graph(load_spec("specs/newsletter-video.journey.yaml"))  # doctest: +SKIP
>>> g.edges["esp", "subscriber-list"]["strength"]  # doctest: +SKIP
'hard'
"""

from __future__ import annotations

import networkx as nx

from journeymap.analysis.result import Cascade
from journeymap.spec.model import Spec


def flow_graph(spec: Spec) -> nx.DiGraph:
    """Touch-points and flow lines; node attributes ``name``, ``stage``, ``owner``,
    ``entry``, ``goal``, ``share`` (entry weight); edge attribute ``share``."""
    g = nx.DiGraph()
    for e in spec.touchpoints:
        g.add_node(e.id, name=e.name, stage=e.stage, owner=e.owner, entry=e.entry,
                   goal=e.goal, share=e.share, type=str(e.type))
    for f in spec.flows:
        if g.has_edge(f.source, f.target):
            g.edges[f.source, f.target]["share"] += f.share
        else:
            g.add_edge(f.source, f.target, share=f.share)
    return g


def _rank(attrs: dict) -> tuple[int, int]:
    return (0 if attrs["strength"] == "hard" else 1, attrs["members"])


def needs_graph(spec: Spec) -> nx.DiGraph:
    """Every element and every dependency line: edge ``a -> b`` means "a needs b"."""
    g = nx.DiGraph()
    for e in spec.elements:
        g.add_node(e.id, name=e.name, type=str(e.type), owner=e.owner, stage=e.stage)
    for e in spec.elements:
        for gi, need in enumerate(e.needs):
            for t in need.targets:
                attrs = {"kind": need.kind, "strength": need.strength, "form": need.form,
                         "required": need.required, "members": len(need.targets),
                         "group": gi}
                if not g.has_edge(e.id, t) or _rank(attrs) < _rank(g.edges[e.id, t]):
                    g.add_edge(e.id, t, **attrs)
    return g


def cascade_graph(spec: Spec, cascade: Cascade) -> nx.DiGraph:
    """A cascade as a subgraph of the needs layer: the failed elements, those they take
    down and those left degraded, with node attribute ``state`` (``failed``, ``down``,
    ``degraded``), plus the touch-points customers can no longer reach (``stranded``,
    no needs lines of their own in the cascade). A copy: change it freely."""
    state = {i: "failed" for i in cascade.failed}
    for key, ids in (("down", cascade.down), ("degraded", cascade.degraded),
                     ("stranded", cascade.stranded)):
        for i in ids:
            state.setdefault(i, key)
    g = needs_graph(spec).subgraph(state).copy()
    nx.set_node_attributes(g, state, "state")
    return g


__all__ = ["cascade_graph", "flow_graph", "needs_graph"]
