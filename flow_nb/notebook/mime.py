"""MIME bundles for JupyterLab: a workflow and a run record as JSON beside their HTML and text.

The JupyterLab extension (``labextension/``) renders ``application/vnd.flow-nb.workflow+json`` (the
workflow export) as a graph and ``application/vnd.flow-nb.run+json`` (the run record) as its trace, from
the saved notebook alone, with no kernel. JupyterLab without the extension, and every other front end,
shows the ``text/html`` or ``text/plain`` of the same bundle.

Registered with ``ipython.display_formatter.mimebundle_formatter.for_type(Workflow, workflow_bundle)``
(and ``RunRecord, run_bundle``). The extension's own knowledge of the node types (for highlighting
``%%flow`` cells and colouring the graph) is :func:`catalog`, checked in as
``labextension/src/catalog.json``; regenerate that file with ``python -m flow_nb.notebook.mime``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..engine import RunRecord
from ..formats.flowflow import export
from ..model import Workflow, all_types
from ..model.condition import ERROR
from .cells import ALIASES, node_options
from .display import record_html, record_text, workflow_html, workflow_text
from .layout import FAMILY_COLOURS

__all__ = ["RUN_MIME", "WORKFLOW_MIME", "catalog", "run_bundle", "workflow_bundle"]

WORKFLOW_MIME = "application/vnd.flow-nb.workflow+json"
"""The workflow export (:func:`flow_nb.formats.flowflow.export`)."""
RUN_MIME = "application/vnd.flow-nb.run+json"
"""The run record (``RunRecord.model_dump(mode="json")``)."""

GENERAL_FLAGS = {
    "--workflow": True,
    "-w": True,
    "--start": False,
    "--after": True,
    "-a": True,
    "--test": True,
    "--description": True,
    "--position": True,
    "--auto-continue": False,
    "--no-auto-continue": False,
    "--display-result": False,
    "--no-display-result": False,
    "--pass-input-as-result": False,
    "--no-pass-input-as-result": False,
    "--pass-input": False,
    "--no-pass-input": False,
}
"""Options every node cell takes: ``{flag: takes a value}`` (see ``cells._parser``)."""


def workflow_bundle(workflow: Workflow) -> dict[str, Any]:
    """A workflow's MIME bundle: the export as JSON, the HTML table and picture, the plain text."""
    return {
        WORKFLOW_MIME: export(workflow),
        "text/html": workflow_html(workflow),
        "text/plain": workflow_text(workflow),
    }


def run_bundle(record: RunRecord) -> dict[str, Any]:
    """A run record's MIME bundle: the record as JSON, the HTML trace, the plain text."""
    return {
        RUN_MIME: record.model_dump(mode="json"),
        "text/html": record_html(record),
        "text/plain": record_text(record),
    }


def _flags(field: str, kind: str) -> dict[str, bool]:
    names = ["--" + field.replace("_", "-"), *ALIASES.get(field, [])]
    if kind == "bool":  # argparse.BooleanOptionalAction adds a --no- twin of every name
        return {flag: False for name in names for flag in (name, "--no-" + name[2:])}
    return dict.fromkeys(names, True)


def catalog() -> dict[str, Any]:
    """What the JupyterLab extension knows without a kernel: every node type with its family, main
    text, conditions (and the short names a cell may use) and options, and the family colours."""
    types = []
    for node_type in all_types():
        options: dict[str, bool] = {}
        for field, kind in node_options(node_type).items():
            options.update(_flags(field, kind))
        types.append(
            {
                "key": node_type.key,
                "id": node_type.type_id,
                "display_name": node_type.display_name,
                "family": node_type.family,
                "main_field": node_type.main_field,
                "templated": node_type.main_field not in node_type.raw_fields,
                "default_condition": node_type.default_condition,
                "conditions": [
                    {
                        "id": condition.id,
                        "system_name": condition.system_name,
                        "display_name": condition.display_name,
                        "aliases": list(condition.aliases),
                    }
                    for condition in node_type.conditions
                ],
                "options": options,
            }
        )
    return {
        "types": sorted(types, key=lambda t: str(t["key"])),
        "error": {"id": ERROR.id, "system_name": ERROR.system_name, "display_name": ERROR.display_name},
        "general_options": GENERAL_FLAGS,
        "family_colours": FAMILY_COLOURS,
    }


def main() -> None:
    """Print :func:`catalog` as the JSON that ``labextension/src/catalog.json`` holds."""
    sys.stdout.write(json.dumps(catalog(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
