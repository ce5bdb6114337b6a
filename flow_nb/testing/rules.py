"""Scripted replies for the fake OpenAI server: `Rule`, `Fault` and the message-text helpers they match on."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = [
    "Fault",
    "Matcher",
    "Reply",
    "Request",
    "Rule",
    "Target",
    "last_user_text",
    "message_text",
    "request_text",
]

Request: TypeAlias = dict[str, Any]
"""A parsed JSON request body, exactly as the client sent it."""

Matcher: TypeAlias = str | re.Pattern[str] | Callable[[Request], bool] | None
"""What a rule matches: a case-insensitive substring, a regex, a predicate on the body, or None (all)."""

Reply: TypeAlias = str | Sequence[str] | Callable[[Request], str] | None
"""A rule's reply: fixed text, texts cycled per call, a function of the body, or None (the default reply)."""

Target: TypeAlias = Literal["user", "system", "any"]
"""Which text a rule matches against."""

_TARGETS: tuple[Target, ...] = ("user", "system", "any")
# Newer OpenAI models call the system prompt a "developer" message; rules on "system" should see both.
_SYSTEM_ROLES = frozenset({"system", "developer"})


class Fault(str, enum.Enum):
    """A failure the server plays instead of (or before) a normal reply."""

    RATE_LIMIT = "rate_limit"
    """HTTP 429 with ``Retry-After: 0``."""
    SERVER_ERROR = "server_error"
    """HTTP 500 with an OpenAI-style error body."""
    HANG = "hang"
    """Accept the request and never answer, until the client disconnects or the server stops."""
    MALFORMED = "malformed"
    """Streaming: one valid chunk, then a line that is not JSON. Otherwise: a 200 whose body is not JSON."""


def message_text(message: Mapping[str, Any]) -> str:
    """The text of one chat message, whether its content is a string, a list of parts, or absent."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"
        ]
        return "\n".join(t for t in texts if isinstance(t, str))
    return ""


def _messages(request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    messages = request.get("messages")
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, dict)]


def last_user_text(request: Mapping[str, Any]) -> str:
    """The text of the last ``user`` message of a chat request, or "" when there is none."""
    for message in reversed(_messages(request)):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def request_text(request: Mapping[str, Any], on: Target) -> str:
    """The text a rule looks at: the last user message, the system/developer messages, or all messages."""
    if on == "user":
        return last_user_text(request)
    messages = _messages(request)
    if on == "system":
        messages = [m for m in messages if m.get("role") in _SYSTEM_ROLES]
    return "\n".join(message_text(m) for m in messages)


@dataclass(eq=False)
class Rule:
    """One scripted behaviour: when `match` fits a chat request, answer with `reply` (or play `fault`).

    Rules compare by identity so a server can keep per-rule call counts for them.
    """

    match: Matcher
    reply: Reply = None
    on: Target = "user"
    reasoning: str | None = None
    latency: float = 0.0
    fault: Fault | None = None
    times: int | None = None
    """With a fault: only the first `times` matching calls fail, later ones get the reply."""

    def __post_init__(self) -> None:
        if self.on not in _TARGETS:
            raise ValueError(f"Rule.on must be one of {', '.join(_TARGETS)}, not {self.on!r}.")
        if self.times is not None and self.fault is None:
            raise ValueError("Rule.times limits a fault; give the rule a `fault` or drop `times`.")
        if self.times is not None and self.times < 0:
            raise ValueError(f"Rule.times must be >= 0, not {self.times}.")
        if isinstance(self.reply, Sequence) and not isinstance(self.reply, str) and not self.reply:
            raise ValueError("Rule.reply is an empty list; give at least one reply to cycle through.")
        if self.fault is not None:
            self.fault = Fault(self.fault)

    def matches(self, request: Request) -> bool:
        """Whether this rule applies to the chat request `request`."""
        if self.match is None:
            return True
        if callable(self.match) and not isinstance(self.match, re.Pattern):
            return bool(self.match(request))
        text = request_text(request, self.on)
        if isinstance(self.match, re.Pattern):
            return self.match.search(text) is not None
        return self.match.lower() in text.lower()

    def reply_text(self, request: Request, index: int) -> str | None:
        """The reply for the `index`-th answered call (lists cycle), or None to use the server default."""
        reply = self.reply
        if reply is None or isinstance(reply, str):
            return reply
        if callable(reply):
            return reply(request)
        return reply[index % len(reply)]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """Build a rule from its JSON form, as in a ``--script`` file.

        Keys: ``match`` (str or null), ``regex`` (treat match as a case-insensitive regex), ``on``,
        ``reply`` (str or list of str), ``reasoning``, ``latency``, ``fault`` (a `Fault` value or null),
        ``times``.
        """
        known = {"match", "regex", "on", "reply", "reasoning", "latency", "fault", "times"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown rule keys {unknown}; expected some of {sorted(known)}.")
        match = data.get("match")
        if match is not None and not isinstance(match, str):
            raise ValueError(f"Rule 'match' must be a string or null, not {match!r}.")
        matcher: Matcher = (
            re.compile(match, re.IGNORECASE) if match is not None and data.get("regex") else match
        )
        reply = data.get("reply")
        is_texts = isinstance(reply, list) and all(isinstance(r, str) for r in reply)
        if reply is not None and not isinstance(reply, str) and not is_texts:
            raise ValueError(f"Rule 'reply' must be a string, a list of strings or null, not {reply!r}.")
        fault = data.get("fault")
        times = data.get("times")
        return cls(
            match=matcher,
            reply=reply,
            on=data.get("on", "user"),
            reasoning=data.get("reasoning"),
            latency=float(data.get("latency") or 0.0),
            fault=Fault(fault) if fault is not None else None,
            times=int(times) if times is not None else None,
        )
