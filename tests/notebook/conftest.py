"""A real IPython shell with flow_nb loaded, and a clean session for every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.testing.globalipapp import start_ipython

from flow_nb import registry


@pytest.fixture(scope="session")
def shell() -> Any:
    ip = start_ipython()
    ip.run_line_magic("load_ext", "flow_nb")
    return ip


@pytest.fixture
def ip(shell: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    registry.reset()
    yield shell
    registry.reset()
