"""Who is calling: the API key (``X-API-KEY`` or ``Authorization: Bearer``), and its rate limit.

Keys are the server's accounts: a key's name is the ``created_by`` of what it stores, so several keys of
one name (rotating keys) share their workflows. A key sees its own workflows and everyone's public
ones; a key limited to one workflow (an app key) sees only that one and may only run it.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from .catalog import WorkflowInfo
from .errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from .keys import KeyInfo, verify_key
from .state import state_of

__all__ = ["Caller", "RateLimiter", "caller", "presented_key"]


@dataclass(frozen=True)
class Caller:
    """The key a request came with."""

    key: KeyInfo

    @property
    def name(self) -> str:
        """The key's name: the account it acts for."""
        return self.key.name

    @property
    def workflow_id(self) -> str | None:
        """The one workflow an app key is limited to."""
        return self.key.workflow_id

    def may_read(self, info: WorkflowInfo) -> bool:
        """Whether this key may see and run ``info``."""
        if self.workflow_id is not None:
            return info.id == self.workflow_id
        return info.created_by == self.name or info.public

    def check_read(self, info: WorkflowInfo) -> WorkflowInfo:
        """``info`` if this key may see it; else a 403 for an app key of another one, or a 404."""
        if self.may_read(info):
            return info
        if self.workflow_id is not None:
            raise Forbidden(
                f"this API key is limited to workflow {self.workflow_id!r}; use a key of your account "
                f"for {info.id!r}",
                field="id",
            )
        raise NotFound(f"there is no workflow {info.id!r} on this server", field="id")

    def check_write(self, info: WorkflowInfo | None = None) -> None:
        """Refuse changes by app keys, and changes to another account's workflow."""
        if self.workflow_id is not None:
            raise Forbidden(
                f"this API key is limited to running workflow {self.workflow_id!r}; changing workflows "
                f"needs a key that is not (flow-nb keys create --name NAME)"
            )
        if info is not None:
            self.check_read(info)
            if info.created_by != self.name:
                raise Forbidden(
                    f"workflow {info.id!r} belongs to {info.created_by!r}; it is public, not yours"
                )


class RateLimiter:
    """A token bucket per key: ``rate`` requests a second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float | None, burst: float | None = None) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.burst = burst or max(1.0, self.rate or 1.0)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: str) -> float:
        """Take one request's token; returns 0, or the seconds until one will be there (refused)."""
        if self.rate is None:
            return 0.0
        moment = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (self.burst, moment))
            tokens = min(self.burst, tokens + (moment - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key_id] = (tokens - 1.0, moment)
                return 0.0
            self._buckets[key_id] = (tokens, moment)
            return (1.0 - tokens) / self.rate


def presented_key(request: Request) -> str | None:
    """The key from ``X-API-KEY``, or from ``Authorization: Bearer <key>``."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def caller(request: Request) -> Caller:
    """The FastAPI dependency that authenticates a request and applies its key's rate limit."""
    state = state_of(request)
    key = presented_key(request)
    if key is None:
        raise Unauthorized(
            "no API key: send it as 'X-API-KEY: <key>' or 'Authorization: Bearer <key>' "
            "(make one with: flow-nb keys create --name NAME)"
        )
    info = await state.db.call(verify_key, key)
    if info is None:
        raise Unauthorized("the API key is not valid (revoked, or not copied whole); check it")
    wait = state.limiter.take(info.id)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"rate limit of {state.limiter.rate:g} requests per second for this key; retry after {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    return Caller(info)
