"""API keys: made at random, shown once, stored as a SHA-256 digest, compared in constant time.

A key reads ``fnb_<id>_<secret>``: the id finds the stored digest, then the digest of the whole key is
compared with :func:`hmac.compare_digest`, so the time a comparison takes says nothing about the key.
SHA-256 (not a slow password hash) is enough because the secret is 32 random bytes, not a password.
A key may be limited to one workflow (Dify-style app keys: Dify's endpoints name no workflow).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .db import ApiKey, StoredWorkflow, now, utc

__all__ = ["KeyInfo", "KeyProblem", "create_key", "digest", "list_keys", "revoke_key", "verify_key"]

PREFIX = "fnb"


@dataclass(frozen=True)
class KeyInfo:
    """What the server knows of a key (never the key itself)."""

    id: str
    name: str
    workflow_id: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, row: ApiKey) -> KeyInfo:
        """The info of a stored key."""
        revoked = utc(row.revoked_at) if row.revoked_at else None
        return cls(row.id, row.name, row.workflow_id, utc(row.created_at), revoked)


class KeyProblem(ValueError):
    """A key operation that cannot be done; the message says why."""


def digest(key: str) -> str:
    """The SHA-256 of a key, as stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, workflow_id: str | None = None) -> tuple[KeyInfo, str]:
    """Make and store a key; returns its info and the key itself (the only time it is known)."""
    name = name.strip()
    if not name:
        raise KeyProblem("a key needs a name (--name), e.g. the person or app that uses it")
    if workflow_id is not None and session.get(StoredWorkflow, workflow_id) is None:
        raise KeyProblem(
            f"there is no workflow {workflow_id!r} on this server: publish it first "
            f"(flow-nb publish FILE --server URL), then make its key"
        )
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKey(id=key_id, name=name, digest=digest(key), workflow_id=workflow_id, created_at=now())
    session.add(row)
    session.flush()
    return KeyInfo.of(row), key


def verify_key(session: Session, presented: str) -> KeyInfo | None:
    """The info of a valid, unrevoked key; None for anything else."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    row = session.get(ApiKey, parts[1])
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.digest, digest(presented)):
        return None
    return KeyInfo.of(row)


def list_keys(session: Session) -> list[KeyInfo]:
    """Every key, oldest first, revoked ones included."""
    rows = session.scalars(sa.select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
    return [KeyInfo.of(row) for row in rows]


def revoke_key(session: Session, key_id: str) -> KeyInfo:
    """Revoke a key by its id (the part after ``fnb_``; a whole key works too)."""
    parts = key_id.split("_", 2)
    if len(parts) == 3 and parts[0] == PREFIX:
        key_id = parts[1]
    row = session.get(ApiKey, key_id)
    if row is None:
        raise KeyProblem(f"there is no key {key_id!r}; `flow-nb keys list` shows the ids")
    if row.revoked_at is None:
        row.revoked_at = now()
    return KeyInfo.of(row)
