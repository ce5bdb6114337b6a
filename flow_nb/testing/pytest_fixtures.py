"""Pytest fixtures for the fake OpenAI server; import them into a conftest.py.

from flow_nb.testing.pytest_fixtures import fake_llm  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flow_nb.testing.server import FakeLLM

__all__ = ["fake_llm"]


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    """A started `FakeLLM` with no rules (every call gets "OK"), stopped after the test."""
    with FakeLLM() as llm:
        yield llm
