"""Server-Sent Events: the response (sse-starlette), compact JSON data, and an event feed with pings.

Each API turns the engine's events into its own SSE vocabulary (``routes_flowai``, ``routes_dify``);
this module holds what they share. A client that disconnects ends its stream, not the run: the run goes
on and is stored, and its progress stays readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

from sse_starlette import EventSourceResponse, ServerSentEvent

__all__ = ["dumps", "event", "response", "with_pings"]

T = TypeVar("T")

_END = object()


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept, anything else as its text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def event(data: Any, name: str | None = None) -> ServerSentEvent:
    """One SSE event: ``event: <name>`` (when given) and ``data: <json>``."""
    return ServerSentEvent(dumps(data), event=name, sep="\n")


def response(
    content: AsyncIterator[ServerSentEvent], *, headers: Mapping[str, str] | None = None, ping: float = 15
) -> EventSourceResponse:
    """The streaming response; ``ping`` seconds between SSE comment lines that keep proxies open
    (0: none, when the API sends pings of its own)."""
    return EventSourceResponse(content, headers=dict(headers or {}), sep="\n", ping=ping)


async def with_pings(events: AsyncIterator[T], interval: float) -> AsyncIterator[T | None]:
    """``events`` as they come, and None whenever ``interval`` seconds pass without one.

    A task copies the events into a queue, so waiting on the queue with a timeout never cancels the
    source iterator halfway through an item."""
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for item in events:
                queue.put_nowait(item)
        finally:
            queue.put_nowait(_END)

    task = asyncio.get_running_loop().create_task(pump())
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), interval) if interval > 0 else await queue.get()
            except asyncio.TimeoutError:
                yield None
                continue
            if item is _END:
                break
            yield item
        await task  # re-raises what the source raised
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
