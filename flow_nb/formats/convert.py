"""Files in any format, with the notes a conversion makes: what ``%flow export/import`` and ``flow-nb
convert`` share. Formats come from the file extension unless named (see :func:`flow_nb.formats.format_of`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from ..errors import FormatError
from ..model import Workflow
from . import detect, dify, flowflow, format_of, mermaid
from .dify import Note

__all__ = ["convert", "export_text", "read", "write"]

W = TypeVar("W", bound=Workflow)
_EXTENSIONS = {".json": "flowflow", ".yml": "dify", ".yaml": "dify", ".mmd": "mermaid", ".md": "mermaid"}


def export_text(workflow: Workflow, format: str, *, fenced: bool = False) -> tuple[str, list[Note]]:
    """The workflow as text in ``format`` (flowflow JSON, Dify YAML, Mermaid) and the conversion's notes."""
    if format in ("flowflow", "json"):
        return flowflow.dump(workflow), []
    if format == "dify":
        result = dify.export(workflow)
        return result.text, list(result.warnings)
    if format == "mermaid":
        return (mermaid.fenced(workflow) if fenced else mermaid.export(workflow)), []
    raise FormatError(f"unknown format {format!r}; the formats are flowflow, dify and mermaid")


def write(workflow: Workflow, path: str | Path, format: str | None = None) -> tuple[Path, list[Note]]:
    """Write ``workflow`` to ``path`` whole (a temporary file, then renamed); the notes it made."""
    target = Path(path)
    chosen = format or _EXTENSIONS.get(target.suffix.lower(), "flowflow")
    text, notes = export_text(workflow, chosen, fenced=target.suffix.lower() == ".md")
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target, notes


def read(path: str | Path, cls: type[W], format: str | None = None) -> tuple[W, list[Note]]:
    """The workflow in the file at ``path`` and the notes reading it made."""
    chosen = format or _EXTENSIONS.get(Path(path).suffix.lower()) or detect(Path(path))
    if chosen == "mermaid":
        raise FormatError("Mermaid is a picture of a workflow; flow_nb writes it but cannot read one back")
    if chosen == "dify":
        imported = dify.load(Path(path), cls)
        return imported.workflow, list(imported.warnings)
    return flowflow.load(Path(path), cls), []


def convert(source: str | Path, target: str | Path, cls: type[Workflow] = Workflow) -> list[Note]:
    """Convert a workflow file into another format (both told from their extensions); the notes."""
    workflow, read_notes = read(source, cls, format_of(source))
    _, write_notes = write(workflow, target, format_of(target))
    return [*read_notes, *write_notes]
