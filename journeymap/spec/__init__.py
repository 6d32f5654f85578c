"""Journey specs: loading with positions, validation, and the model."""

from journeymap.spec.diagnostics import CODES, Diagnostic, Location, SpecError
from journeymap.spec.load import load_spec, schema_text
from journeymap.spec.model import Control, Element, ElementType, FlowLine, Need, Spec

__all__ = ["CODES", "Control", "Diagnostic", "Element", "ElementType", "FlowLine",
           "Location", "Need", "Spec", "SpecError", "load_spec", "schema_text"]
