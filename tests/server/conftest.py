"""The real server on 127.0.0.1 (uvicorn), once on SQLite and once on PostgreSQL, with a scripted model."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pg_cluster import Cluster, PostgresUnavailable, postgres
from server_support import RULES, Served

from flow_nb.data import DataSources, DataStore
from flow_nb.llm import OpenAIChat
from flow_nb.server import BackgroundServer, create_app
from flow_nb.testing import FakeLLM


@pytest.fixture(scope="session")
def model() -> Iterator[FakeLLM]:
    """The scripted OpenAI-compatible model of every server test."""
    with FakeLLM(list(RULES)) as fake:
        yield fake


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A real PostgreSQL (see pg_cluster), or a skip that says how to get one."""
    try:
        found = postgres()
    except PostgresUnavailable as problem:
        if os.environ.get("FLOW_NB_REQUIRE_POSTGRES"):
            pytest.fail(f"FLOW_NB_REQUIRE_POSTGRES is set but: {problem}")
        pytest.skip(f"no PostgreSQL: {problem}")
    yield found
    found.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], str]:
    """Makes new, empty databases of one kind: SQLite files, or databases in the PostgreSQL cluster."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        counter = iter(range(1_000_000))
        return lambda: f"sqlite:///{folder / f'db{next(counter)}.sqlite'}"
    found: Cluster = request.getfixturevalue("cluster")
    return found.database


@pytest.fixture(scope="session")
def server(
    database: Callable[[], str], model: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The session's server: its own database and data store, the scripted model, a generous rate limit."""
    db_url = database()
    chat = OpenAIChat(base_url=model.base_url, api_key="test", model="fake-model", timeout=10)
    data = DataSources(DataStore(tmp_path_factory.mktemp("server-data") / "data.sqlite3"))
    app = create_app(db_url, llm=chat, rate_limit=10_000, ping_interval=0.3, data=data)
    kind = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    with BackgroundServer(app) as running:
        served = Served(running.url, db_url, kind)
        served.admin = served.make_key("ada")
        served.other = served.make_key("bob")
        yield served
        served.close()
    chat.close()


@pytest.fixture
def tmp_db(tmp_path: Path) -> str:
    """A fresh SQLite database for a test's own server."""
    return f"sqlite:///{tmp_path / 'own.sqlite'}"
