"""Stable ids and node keys."""

from __future__ import annotations

import uuid

__all__ = ["key_of", "new_id"]


def new_id() -> str:
    """A new stable id (a UUID4 string, as the seed's API uses)."""
    return str(uuid.uuid4())


def key_of(name: str) -> str:
    """A node's key: its name lower-cased with spaces as ``_`` (the seed's rule for ``{{node.<key>}}``)."""
    return "_".join(name.strip().lower().split())
