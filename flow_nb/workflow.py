"""The front-door ``Workflow``: the model's workflow plus export, load and (with the engine) running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .formats import flowflow
from .model import workflow as model

__all__ = ["Workflow"]


class Workflow(model.Workflow):
    """A workflow of nodes linked by conditional relations; build it, export it, load it, run it.

    >>> wf = Workflow("support", variables={"company": "ACME"})
    """

    def export(self, format: str = "flowflow") -> dict[str, Any]:
        """The workflow in the server's workflow JSON format (a JSON-ready dict)."""
        if format not in ("flowflow", "json"):
            raise ValueError(f"unknown export format {format!r}; use 'flowflow'")
        return flowflow.export(self)

    def to_json(self) -> str:
        """The export as JSON text."""
        return flowflow.dump(self)

    def save(self, path: str | Path) -> Path:
        """Write the export to ``path`` (written whole to a temporary file first, then renamed)."""
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(flowflow.dump(self), encoding="utf-8")
        partial.replace(target)
        return target

    @classmethod
    def load(cls, source: dict[str, Any] | str | Path) -> Workflow:
        """A workflow from an export: a dict, JSON text, or the path of a file holding it."""
        return flowflow.load(source, cls)
