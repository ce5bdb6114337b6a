from __future__ import annotations

from flow_nb.testing.pytest_fixtures import fake_llm  # noqa: F401
