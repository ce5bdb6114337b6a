"""Server-Sent Events, read line by line (the WHATWG rules: ``event``, ``data``, ``id``, ``retry``,
comments, blank line ends an event), with JSON data parsed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["SSEDecoder", "ServerEvent", "aiter_events", "iter_events"]


@dataclass(frozen=True)
class ServerEvent:
    """One event of a stream: its name (``message`` when the server named none) and its data."""

    event: str
    data: Any
    """The data parsed as JSON, or the text itself when it is not JSON."""
    raw: str
    id: str | None = None

    @property
    def name(self) -> str:
        """The event's name, or for Dify's ``data:``-only chunks the ``event`` field of the data."""
        if (
            self.event == "message"
            and isinstance(self.data, dict)
            and isinstance(self.data.get("event"), str)
        ):
            return str(self.data["event"])
        return self.event


class SSEDecoder:
    """Feed it lines (without their line end); it returns an event at each blank line that ends one."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> ServerEvent | None:
        """Take one line; the event it completes, if any."""
        if not line:
            if not self._data and not self._event:
                return None
            raw = "\n".join(self._data)
            try:
                data: Any = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                data = raw
            done = ServerEvent(self._event or "message", data, raw, self._id)
            self._event, self._data = "", []
            return done
        if line.startswith(":"):
            return None  # a comment: the server's keep-alive ping
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
        elif field == "id":
            self._id = value
        return None


def iter_events(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """The events of a stream of lines."""
    decoder = SSEDecoder()
    for line in lines:
        found = decoder.feed(line.rstrip("\r\n"))
        if found is not None:
            yield found
    last = decoder.feed("")
    if last is not None:
        yield last


async def aiter_events(lines: AsyncIterable[str]) -> AsyncIterator[ServerEvent]:
    """The events of an async stream of lines."""
    decoder = SSEDecoder()
    async for line in lines:
        found = decoder.feed(line.rstrip("\r\n"))
        if found is not None:
            yield found
    last = decoder.feed("")
    if last is not None:
        yield last
