"""The engine: runs workflows and streams their events. Knows nothing of IPython, HTTP or LLM clients."""

from __future__ import annotations

from .context import ChatModel, ChatReply, ChatRequest, NodeContext, Outcome, Retriever, SearchHit
from .events import (
    ErrorEvent,
    Event,
    InputGiven,
    InputRequested,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
    Token,
    Usage,
    event_adapter,
)
from .record import NodeRecord, NodeRun, RunRecord
from .runner import Run, normalize_inputs

__all__ = [
    "ChatModel",
    "ChatReply",
    "ChatRequest",
    "ErrorEvent",
    "Event",
    "InputGiven",
    "InputRequested",
    "NodeContext",
    "NodeFinished",
    "NodeRecord",
    "NodeRun",
    "NodeStarted",
    "Outcome",
    "Retriever",
    "Run",
    "RunFinished",
    "RunRecord",
    "RunStarted",
    "SearchHit",
    "Token",
    "Usage",
    "event_adapter",
    "normalize_inputs",
]
