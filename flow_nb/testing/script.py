"""The fake server's script: its rules, the calls each rule has seen, and the requests received so far."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from flow_nb.testing.rules import Fault, Request, Rule

__all__ = ["DefaultReply", "Outcome", "Script"]

DefaultReply: TypeAlias = str | Callable[[Request], str]
"""The reply when no rule matches: fixed text or a function of the request body."""


@dataclass(frozen=True)
class Outcome:
    """What the server should do with one chat request, decided before any waiting."""

    reply: str
    reasoning: str | None = None
    latency: float = 0.0
    fault: Fault | None = None


@dataclass
class _Counts:
    matched: int = 0
    answered: int = 0


class Script:
    """Rules in priority order (first match wins) plus the bookkeeping that makes them stateful.

    The server's event-loop thread calls `record` and `decide`; the test thread edits `rules` and calls
    `reset`, so shared state sits behind one lock.
    """

    def __init__(self, rules: list[Rule] | None = None, default_reply: DefaultReply = "OK") -> None:
        self.rules: list[Rule] = list(rules or [])
        self.default_reply: DefaultReply = default_reply
        self.requests: list[Request] = []
        self._counts: dict[Rule, _Counts] = {}
        self._lock = threading.Lock()

    def record(self, request: Request) -> None:
        """Append a received request body to `requests`."""
        with self._lock:
            self.requests.append(request)

    def reset(self) -> None:
        """Forget received requests and per-rule call counts (rules themselves stay)."""
        with self._lock:
            self.requests.clear()
            self._counts.clear()

    def decide(self, request: Request) -> Outcome:
        """Pick the first matching rule and turn it into an `Outcome`, counting the call against it."""
        rule = next((r for r in list(self.rules) if r.matches(request)), None)
        if rule is None:
            return Outcome(reply=self._default(request))
        with self._lock:
            counts = self._counts.setdefault(rule, _Counts())
            faulty = rule.fault is not None and (rule.times is None or counts.matched < rule.times)
            counts.matched += 1
            # MALFORMED still sends the start of a reply, so it consumes a reply slot like a normal answer.
            index = counts.answered
            if not faulty or rule.fault is Fault.MALFORMED:
                counts.answered += 1
        text = rule.reply_text(request, index)
        return Outcome(
            reply=self._default(request) if text is None else text,
            reasoning=rule.reasoning,
            latency=rule.latency,
            fault=rule.fault if faulty else None,
        )

    def _default(self, request: Request) -> str:
        reply = self.default_reply
        return reply if isinstance(reply, str) else reply(request)
