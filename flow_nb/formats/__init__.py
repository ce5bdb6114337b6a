"""Workflow formats beside the model: the server's JSON format (``flowflow``), Dify's DSL (``dify``) and
Mermaid (``mermaid``, export only).

``export(workflow, format)`` and ``load(source, cls, format=None)`` are the front door; ``load`` tells a
Dify file from a flowflow one by its extension (``.yml`` / ``.yaml``) or its content. ``format_of(path)``
names the format of a file by its extension (``.json``, ``.yml``/``.yaml``, ``.mmd``/``.md``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from ..errors import FormatError
from ..model import Workflow

__all__ = ["EXPORT_FORMATS", "LOAD_FORMATS", "detect", "export", "format_of", "load", "looks_like_dify"]

EXPORT_FORMATS = ("flowflow", "json", "dify", "mermaid")
LOAD_FORMATS = ("flowflow", "json", "dify")
_EXTENSIONS = {".json": "flowflow", ".yml": "dify", ".yaml": "dify", ".mmd": "mermaid", ".md": "mermaid"}

W = TypeVar("W", bound=Workflow)


def format_of(path: str | Path) -> str:
    """The format a file's extension names, or a ``FormatError`` listing the extensions flow_nb knows."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        known = ", ".join(f"{ext} ({fmt})" for ext, fmt in _EXTENSIONS.items())
        raise FormatError(f"cannot tell the format of {str(path)!r} from its extension; use one of: {known}")
    return _EXTENSIONS[suffix]


def _checked(format: str, allowed: tuple[str, ...]) -> str:
    if format not in allowed:
        raise ValueError(f"unknown format {format!r}; use one of: {', '.join(allowed)}")
    return "flowflow" if format == "json" else format


def export(workflow: Workflow, format: str = "flowflow") -> dict[str, Any] | str:
    """The workflow in ``format``: a JSON-ready dict (flowflow), or text (dify, mermaid).

    Dify's notes about what it cannot say are issued as ``ConversionWarning``s; ``flow_nb.formats.dify
    .export`` returns them with the text instead.
    """
    chosen = _checked(format, EXPORT_FORMATS)
    if chosen == "dify":
        from . import dify

        result = dify.export(workflow)
        for note in result.warnings:
            warnings.warn(str(note), dify.ConversionWarning, stacklevel=3)
        return result.text
    if chosen == "mermaid":
        from . import mermaid

        return mermaid.export(workflow)
    from . import flowflow

    return flowflow.export(workflow)


def looks_like_dify(document: Mapping[str, Any]) -> bool:
    """Whether a parsed document is a Dify DSL file (``app`` with ``workflow`` or ``kind: app``)."""
    return isinstance(document.get("app"), dict) and ("workflow" in document or document.get("kind") == "app")


def load(source: Mapping[str, Any] | str | Path, cls: type[W], format: str | None = None) -> W:
    """A workflow from ``source`` (a dict, JSON or YAML text, or a file path) in ``format`` (default: told
    from the extension or the content). Dify notes are issued as ``ConversionWarning``s."""
    chosen = _checked(format, LOAD_FORMATS) if format is not None else detect(source)
    if chosen == "dify":
        from . import dify

        imported = dify.load(source, cls)
        for note in imported.warnings:
            warnings.warn(str(note), dify.ConversionWarning, stacklevel=3)
        return imported.workflow
    from . import flowflow

    document: dict[str, Any] | str | Path = dict(source) if isinstance(source, Mapping) else source
    return flowflow.load(document, cls)


def detect(source: Mapping[str, Any] | str | Path) -> str:
    """``"dify"`` or ``"flowflow"``: what ``source`` (a dict, text or path) holds, by extension or content."""
    if isinstance(source, Mapping):
        return "dify" if looks_like_dify(source) else "flowflow"
    text = str(source)
    if isinstance(source, Path) or ("\n" not in text and not text.lstrip().startswith(("{", "["))):
        if Path(text).suffix.lower() in (".yml", ".yaml"):
            return "dify"
        try:
            head = Path(text).read_text(encoding="utf-8")[:4096]
        except OSError:
            return "flowflow"  # it says the file cannot be read
        return "flowflow" if head.lstrip().startswith(("{", "[")) or not _yaml_head(head) else "dify"
    return "flowflow" if text.lstrip().startswith(("{", "[")) else "dify"


def _yaml_head(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return any(line.startswith(("app:", "kind:", "version:", "workflow:")) for line in lines[:20])
