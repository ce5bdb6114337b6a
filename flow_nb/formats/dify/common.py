"""What the Dify export and import share: the DSL version, ids, notes, the node metadata block."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DSL_VERSION",
    "END_ID",
    "FAIL",
    "INPUT_VAR",
    "META",
    "OUTPUT_VAR",
    "START_ID",
    "SUCCESS",
    "ConversionWarning",
    "Note",
    "digest",
    "legal_id",
    "stable_uuid",
]

DSL_VERSION = "0.6.0"
"""The DSL version written: ``CURRENT_APP_DSL_VERSION`` in Dify's ``api/constants/dsl_version.py``.

Dify imports a file of its own version as "completed", an older minor version "completed with warnings",
and a newer one only after a confirmation (``api/services/dsl_version.py``): writing the version Dify's
source declares, not a newer guess, keeps imports one click.
"""

META = "flow_nb"
"""The key in a Dify node's (and edge's) ``data`` that carries what Dify has no field for. Dify keeps
unknown ``data`` keys (its node data models allow extra fields) and ignores them when it runs."""

START_ID, END_ID, INPUT_VAR = "start", "end", "input"
SUCCESS, FAIL = "success-branch", "fail-branch"
"""Dify's handles on a node whose ``error_strategy`` is ``fail-branch``; otherwise a node's only handle
is ``source``."""

OUTPUT_VAR = {
    "start": INPUT_VAR,
    "llm": "text",
    "question-classifier": "class_name",
    "if-else": "result",
    "template-transform": "output",
    "http-request": "body",
    "code": "result",
    "knowledge-retrieval": "result",
}
"""The output variable that carries a Dify node's result (what flow_nb calls the node's result)."""

_NAMESPACE = uuid.UUID("5b0c3a8e-2f59-4f7e-9d0c-6f6c6f775f6e")
_LEGAL = re.compile(r"[^A-Za-z0-9_]")
_RESERVED = {"sys", "env", "conversation", START_ID, END_ID, "context"}


class ConversionWarning(UserWarning):
    """A flow_nb feature that has no Dify equivalent (or the reverse), issued by ``Workflow.export`` /
    ``Workflow.load``; ``flow_nb.formats.dify`` returns the same notes as values."""


@dataclass(frozen=True)
class Note:
    """One thing a conversion could not carry over exactly, and the node it is about."""

    message: str
    node: str | None = None

    def __str__(self) -> str:
        return f"node {self.node!r}: {self.message}" if self.node else self.message


def legal_id(raw: str, taken: set[str], suffix: str = "") -> str:
    """A Dify node id for ``raw``: letters, digits and ``_`` only (Dify's variable references need it),
    at most 50 characters, unique in ``taken`` (which it joins). A UUID becomes its 32 hex digits."""
    base = _LEGAL.sub("", raw)[: 50 - len(suffix) - 4] or "node"
    if base.lower() in _RESERVED:
        base = "n_" + base
    candidate, n = base + suffix, 2
    while candidate in taken:
        candidate, n = f"{base}{n}{suffix}", n + 1
    taken.add(candidate)
    return candidate


def stable_uuid(*parts: str) -> str:
    """A UUID that is the same every time for the same parts (exports diff cleanly)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def digest(data: dict[str, Any]) -> str:
    """A fingerprint of a Dify node's settings, to tell on import whether someone changed them in Dify.

    Title, description, metadata and editor state are left out: renaming a node in Dify is not a change
    of its settings.
    """
    kept = {k: v for k, v in data.items() if k not in (META, "title", "desc", "selected")}
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
