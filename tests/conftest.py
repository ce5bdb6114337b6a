"""Shared fixtures: the fake OpenAI server with the real openai client, and a small real web server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import Web

from flow_nb.llm import OpenAIChat
from flow_nb.testing.pytest_fixtures import fake_llm  # noqa: F401
from flow_nb.testing.server import FakeLLM


@pytest.fixture
def llm(fake_llm: FakeLLM) -> Iterator[OpenAIChat]:  # noqa: F811
    """The real openai client, pointed at the fake server, with short timeouts for fault tests."""
    chat = OpenAIChat(base_url=fake_llm.base_url, api_key="test-key", model="fake-model", timeout=5)
    yield chat
    chat.close()


@pytest.fixture
def web() -> Iterator[Web]:
    with Web() as server:
        yield server
