"""What a running server holds: its database, its live runs, its model, its limits and settings."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..data import DataSources
from ..engine import ChatModel
from ..workflow import Workflow
from .db import Database

if TYPE_CHECKING:
    from .auth import RateLimiter
    from .runs import Registry

__all__ = ["ServerState", "state_of"]


@dataclass
class ServerState:
    """The server's parts, kept on ``app.state.flow_nb``."""

    db: Database
    registry: Registry
    limiter: RateLimiter
    llm: ChatModel | None
    data: DataSources
    """The data sources runs search (answer nodes with a data_source, data_search nodes)."""
    ping_interval: float = 10.0
    """Seconds between Dify ``ping`` chunks (the seed: every 10 seconds)."""
    _parsed: OrderedDict[tuple[str, int], Workflow] = field(default_factory=OrderedDict)

    def workflow(self, workflow_id: str, version: int, document: dict[str, Any]) -> Workflow:
        """The stored export as a :class:`Workflow`; a version never changes, so each is parsed once."""
        key = (workflow_id, version)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = Workflow.load(document)
            self._parsed[key] = parsed
            if len(self._parsed) > 256:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(key)
        return parsed

    def forget(self, workflow_id: str) -> None:
        """Drop the parsed versions of a deleted workflow (its id may come back with new versions)."""
        for key in [k for k in self._parsed if k[0] == workflow_id]:
            del self._parsed[key]


def state_of(request: Request) -> ServerState:
    """The state of the app serving ``request``."""
    state: ServerState = request.app.state.flow_nb
    return state
