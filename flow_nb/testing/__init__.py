"""A fake OpenAI server for tests, notebooks and benchmarks: real HTTP on 127.0.0.1, scripted replies.

    with FakeLLM([Rule(match="refund", reply="true")]) as llm:
        client = OpenAI(base_url=llm.base_url, api_key="x")

Run it on its own with ``python -m flow_nb.testing --help``.
"""

from __future__ import annotations

from flow_nb.testing.rules import Fault, Rule, last_user_text, message_text
from flow_nb.testing.server import FakeLLM

__all__ = ["FakeLLM", "Fault", "Rule", "last_user_text", "message_text"]
