"""Dify's workflow DSL (the YAML of Dify's "Import DSL" / "Export DSL" for apps of mode ``workflow``).

``export(workflow)`` gives the YAML and the notes about what Dify cannot say; ``load(source, cls)`` reads a
Dify file (one flow_nb wrote, or one made in Dify) into a workflow and its notes. A workflow exported by
flow_nb carries its own settings in each Dify node's ``data.flow_nb``, so flow_nb → Dify → flow_nb gives
back the same workflow; a node changed in Dify is read from its Dify settings instead.
"""

from __future__ import annotations

from .common import DSL_VERSION, ConversionWarning, Note
from .export import ExportResult, export
from .importer import IMPORTED_TYPES, Imported, load, parse

__all__ = [
    "DSL_VERSION",
    "IMPORTED_TYPES",
    "ConversionWarning",
    "ExportResult",
    "Imported",
    "Note",
    "export",
    "load",
    "parse",
]
