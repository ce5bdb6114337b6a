"""The FastAPI app: :func:`create_app` puts the database, live runs, model, keys and the four APIs together.

On start it creates the schema if needed and marks FAILED every run a previous server left unfinished;
on stop it stores its live runs FAILED the same way (a run lives in this process's memory only, so run
one server process per database).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from .. import __version__
from ..data import DataSources
from ..engine import ChatModel
from . import errors, routes_data, routes_dify, routes_flowai, routes_flowflow, routes_manage
from .auth import RateLimiter
from .db import Database
from .history import recover
from .runs import Registry
from .state import ServerState

__all__ = ["DEFAULT_RATE_LIMIT", "create_app"]

log = logging.getLogger("flow_nb.server")

DEFAULT_RATE_LIMIT = 20.0
"""Requests per second per key (000: "no more than 20 requests per second"); bursts of as many."""

_USE_ENVIRONMENT: Any = object()


def create_app(
    db_url: str | None = None,
    *,
    llm: ChatModel | None = _USE_ENVIRONMENT,
    rate_limit: float | None = DEFAULT_RATE_LIMIT,
    ping_interval: float = 10.0,
    data: DataSources | None = None,
) -> FastAPI:
    """The workflow server as an ASGI app.

    ``db_url``: a SQLAlchemy URL or a SQLite file path (default ``./flow_nb.db``). ``llm``: the model
    AI nodes call (default: from the environment, ``flow_nb.llm.default_chat()``; None: no model).
    ``rate_limit``: requests per second per key (None or 0: no limit). ``ping_interval``: seconds
    between Dify's ``ping`` chunks. ``data``: the data sources runs search (default: the SQLite file
    ``FLOW_NB_DATA``, or ``flow_nb_data.sqlite3`` beside a SQLite database, or in the working folder).
    """
    if llm is _USE_ENVIRONMENT:
        from ..llm import default_chat

        llm = default_chat()
    db = Database(db_url)
    if data is None:
        data = DataSources.open(default_data_path(db_url))
    state = ServerState(
        db=db,
        registry=Registry(db, llm, data),
        data=data,
        limiter=RateLimiter(rate_limit),
        llm=llm,
        ping_interval=ping_interval,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..llm import keep_clients_on

        # the model client's connection pool lives as long as the server's loop
        keep_clients_on(asyncio.get_running_loop())
        await asyncio.get_running_loop().run_in_executor(None, db.create_schema)
        stale = await db.call(recover)
        if stale:
            log.warning("marked %d run(s) FAILED: the server had stopped while they ran", stale)
        try:
            yield
        finally:
            await state.registry.shutdown()
            close = getattr(llm, "aclose", None)
            if close is not None:
                await close()
            await asyncio.get_running_loop().run_in_executor(None, db.close)

    app = FastAPI(
        title="flow_nb workflow server",
        version=__version__,
        description="FlowAI run, FlowFlow start/progress, workflow management and Dify workflow-app APIs.",
        lifespan=lifespan,
    )
    app.state.flow_nb = state
    errors.install(app)
    for module in (routes_manage, routes_flowai, routes_flowflow, routes_dify, routes_data):
        app.include_router(module.router)

    @app.get("/", tags=["server"])
    async def root() -> dict[str, Any]:
        """What this server is, and whether it is up (no key needed)."""
        return {"name": "flow_nb", "version": __version__, "status": "ok", "docs": "/docs"}

    return app


def default_data_path(db_url: str | None) -> str:
    """Where a server keeps its data sources: ``FLOW_NB_DATA``, else beside a SQLite database file, else
    ``flow_nb_data.sqlite3`` in the working folder."""
    configured = os.environ.get("FLOW_NB_DATA")
    if configured:
        return configured
    url = db_url or "flow_nb.db"
    if "://" not in url or url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[-1]) if "://" in url else Path(url)
        return str(path.with_name(path.stem + "_data.sqlite3"))
    return "flow_nb_data.sqlite3"
