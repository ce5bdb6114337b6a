"""Shared fixtures: the fake OpenAI server with the real openai client, and a small real web server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.testing.globalipapp import get_ipython
from support import Web

from flow_nb import registry
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


@pytest.fixture(scope="session")
def shell() -> Any:
    """A real IPython shell with flow_nb loaded (one per test session)."""
    ip = get_ipython()
    ip.run_line_magic("load_ext", "flow_nb")
    return ip


@pytest.fixture
def ip(shell: Any) -> Iterator[Any]:
    """The shell, with a clean flow_nb session (no workflows, no runs) for every test."""
    registry.reset()
    yield shell
    registry.reset()
