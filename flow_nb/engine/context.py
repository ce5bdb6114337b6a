"""What a node type's ``run`` receives and returns, and the model interface the engine talks to.

The engine knows no LLM client: it calls a :class:`ChatModel` (``flow_nb.llm`` has the OpenAI one;
``flow_nb.testing`` a real server to point it at).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from ..errors import LLMError
from ..model import Condition, Node, NodeConfig, Workflow
from .events import Source, Usage

__all__ = [
    "ChatModel",
    "ChatReply",
    "ChatRequest",
    "NodeContext",
    "Outcome",
    "Retriever",
    "SearchHit",
    "TokenSink",
]

C = TypeVar("C", bound=NodeConfig)

TokenSink = Callable[[str, "str | None"], None]
"""Called with each streamed piece: ``(content, reasoning)``."""


@dataclass
class ChatRequest:
    """One chat completion to make."""

    messages: list[dict[str, Any]]
    model: str | None = None
    temperature: float | None = None
    schema: dict[str, Any] | None = None
    """A JSON Schema for structured output, used where the endpoint supports it."""
    schema_name: str = "answer"


@dataclass
class ChatReply:
    """The model's whole reply."""

    text: str
    reasoning: str = ""
    usage: Usage = field(default_factory=Usage)
    model: str | None = None


class ChatModel(Protocol):
    """Anything that can stream a chat completion."""

    async def complete(self, request: ChatRequest, on_token: TokenSink) -> ChatReply:
        """Make the completion, calling ``on_token`` for every streamed piece."""
        ...


@dataclass(frozen=True)
class SearchHit:
    """A chunk of a data item that matched a search."""

    text: str
    score: float
    item_id: str
    item_name: str
    source_id: str
    source_name: str
    position: int = 0

    def source(self) -> Source:
        """The hit as the seed's ``sources`` entry."""
        return Source(
            data_source={"id": self.source_id, "name": self.source_name},
            data_item={"id": self.item_id, "name": self.item_name},
        )


class Retriever(Protocol):
    """Anything that can search data sources (``flow_nb.data`` has the SQLite one)."""

    async def search(self, source: str, query: str, top_k: int) -> list[SearchHit]:
        """The chunks of ``source`` that best match ``query``, best first."""
        ...


@dataclass
class Outcome:
    """What a node run produced: its result, the conditions it met, and what it cost."""

    result: Any
    met: list[Condition]
    message: str = "OK"
    sources: list[Source] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    credits: int = 1


@dataclass
class NodeContext(Generic[C]):
    """Everything one node run may use. ``config`` has its texts rendered already."""

    node: Node
    workflow: Workflow
    config: C
    input: Any
    is_start: bool
    run_variables: dict[str, Any]
    model_name: str | None
    _chat: ChatModel | None
    _emit_token: TokenSink
    _ask: Callable[[str | None, str | None], Awaitable[str]]
    _data: Retriever | None = None
    usage: Usage = field(default_factory=Usage)
    searches: int = 0
    """Data searches this node run made (the seed bills 1 credit each)."""

    @property
    def text(self) -> str:
        """The input as text (lists and objects as JSON)."""
        return as_text(self.input)

    async def chat(self, request: ChatRequest, *, stream: bool = True) -> ChatReply:
        """Ask the workflow's model; tokens stream under this node run when ``stream``."""
        if self._chat is None:
            raise LLMError(
                f"node {self.node.name!r} needs an LLM and none is configured: set OPENAI_BASE_URL / "
                "OPENAI_API_KEY and FLOW_NB_MODEL, or pass llm=... to the run",
                node=self.node.name,
            )
        if request.model is None:
            request.model = self.model_name
        sink = self._emit_token if stream else _ignore
        reply = await self._chat.complete(request, sink)
        self.usage = self.usage + reply.usage
        return reply

    async def ask(self, prompt: str | None, placeholder: str | None) -> str:
        """Wait for a person's text (the run is WAITING meanwhile)."""
        return await self._ask(prompt, placeholder)

    async def search(self, source: str, query: str, top_k: int) -> list[SearchHit]:
        """Search a data source (1 credit per search, as the seed bills)."""
        if self._data is None:
            raise LLMError(
                f"node {self.node.name!r} searches data source {source!r} and no data store is configured",
                node=self.node.name,
            )
        self.searches += 1
        return await self._data.search(source, query, top_k)

    def outcome(self, result: Any, *met: Condition, message: str = "OK", **extra: Any) -> Outcome:
        """The node's outcome, with the tokens this context's chats used and its credits."""
        extra.setdefault("credits", 1 + self.searches)
        return Outcome(result=result, met=list(met), message=message, usage=self.usage, **extra)


def _ignore(content: str, reasoning: str | None) -> None:
    return None


def as_text(value: Any) -> str:
    """A value as the text an LLM or a template sees."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
