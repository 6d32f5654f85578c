"""The Python API, for notebooks and scripts: load a journey, analyse it, ask what-ifs.

Everything the command line prints comes from these objects.

>>> import journeymap
>>> spec = journeymap.load("specs/newsletter-video.journey.yaml")
>>> result = journeymap.analyze(spec)
>>> str(result.verdict), len(result.spofs)
('complex', 10)
>>> result.spofs[0].id, result.spofs[0].customers_lost
('bitly-service', 1.0)
>>> crash = journeymap.simulate(spec, ["crm"])
>>> crash.collapses, crash.customers_lost
(True, 1.0)

The journey's two layers are NetworkX graphs; a cascade is a subgraph of the needs layer:

>>> flow = result.flow_graph()            # touch-points, "customers move on" lines
>>> needs = result.needs_graph()          # every element, "a needs b" lines
>>> sorted(flow.successors("short-link"))
['video-watch']
>>> needs.edges["esp", "subscriber-list"]["strength"]
'hard'
>>> down = result.cascade_graph("crm")    # what fails and what it takes down
>>> down.nodes["crm"]["state"], down.nodes["trial-signup"]["state"]
('failed', 'down')

``to_json()`` gives the same document as ``journeymap analyze --format json``
(``journeymap simulate --format json`` for a what-if):

>>> import json
>>> json.loads(result.to_json())["verdict"]
'complex'
>>> json.loads(crash.to_json())["survives"]
False
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from journeymap.analysis.result import Cascade, JourneyAnalysis
from journeymap.spec.model import Spec

if TYPE_CHECKING:
    import networkx as nx


def load(path: str | os.PathLike[str], text: str | None = None) -> Spec:
    """Read and validate one journey spec file (``text``: its contents, if already read).

    Raises :class:`journeymap.spec.SpecError`, whose ``diagnostics`` list every problem
    with its ``path:line:column``.
    """
    from journeymap.spec import load_spec

    return load_spec(os.fspath(path), text)


@dataclasses.dataclass(frozen=True)
class Analysis(JourneyAnalysis):
    """A :class:`~journeymap.analysis.result.JourneyAnalysis` with graphs and JSON."""

    def to_json(self) -> str:
        """The JSON document of ``journeymap analyze --format json``."""
        from journeymap.formats.analyze.json_report import render

        return render([self])

    def flow_graph(self) -> nx.DiGraph:
        """The flow layer: touch-points and the lines customers move along."""
        from journeymap.graph import flow_graph

        return flow_graph(self.spec)

    def needs_graph(self) -> nx.DiGraph:
        """The needs layer: every element; an edge ``a -> b`` means "a needs b"."""
        from journeymap.graph import needs_graph

        return needs_graph(self.spec)

    def cascade_graph(self, element: str) -> nx.DiGraph:
        """What the failure of ``element`` takes down, as a subgraph of the needs layer
        (see :func:`journeymap.graph.cascade_graph`)."""
        from journeymap.graph import cascade_graph

        return cascade_graph(self.spec, self.cascades[element])


@dataclasses.dataclass(frozen=True)
class WhatIf(Cascade):
    """A :class:`~journeymap.analysis.result.Cascade` of chosen failures, with its journey."""

    spec: Spec | None = None

    def to_json(self) -> str:
        """The JSON document of ``journeymap simulate --format json``."""
        from journeymap.formats.analyze.json_report import render_simulation

        assert self.spec is not None
        return render_simulation(self.spec, self)

    def graph(self) -> nx.DiGraph:
        """This cascade as a subgraph of the needs layer."""
        from journeymap.graph import cascade_graph

        assert self.spec is not None
        return cascade_graph(self.spec, self)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def analyze(spec: Spec | str | os.PathLike[str], **options: Any) -> Analysis:
    """Analyse one journey (a :class:`Spec` or the path of a spec file).

    ``options`` are those of :func:`journeymap.analysis.analyze`: ``samples`` and
    ``seed`` of the robustness curve, ``risk`` (:class:`journeymap.analysis.risk.RiskOptions`).
    """
    from journeymap.analysis import analyze as run

    if not isinstance(spec, Spec):
        spec = load(spec)
    return Analysis(**_fields(run(spec, **options)))


def simulate(spec: Spec | str | os.PathLike[str], failed: Iterable[str]) -> WhatIf:
    """What happens when the elements ``failed`` (ids) fail together.

    Raises ``KeyError`` naming the first id the journey does not have.
    """
    from journeymap.analysis import simulate as run

    if not isinstance(spec, Spec):
        spec = load(spec)
    return WhatIf(**_fields(run(spec, failed)), spec=spec)


__all__ = ["Analysis", "WhatIf", "analyze", "load", "simulate"]
