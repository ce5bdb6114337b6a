"""Live runs: the engine's :class:`~flow_nb.engine.Run`s this server process holds, and their persistence.

Every API starts runs here, so there is one execution path: the engine's. A live run's record is written
to the database when it starts, at every node_finished, when it waits for a person or gets an answer,
and when it ends; writes that pile up while one is in flight are merged into the next. A run leaves
the registry once its final state is stored, so a read finds it either here or in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from ..engine import (
    ChatModel,
    InputGiven,
    InputRequested,
    NodeFinished,
    Retriever,
    Run,
    RunFinished,
    RunStarted,
)
from ..model import Workflow as WorkflowModel
from ..model import new_id
from ..workflow import Workflow
from .db import Database
from .history import STOPPED_MID_RUN, RunInfo, RunMeta, find_run, insert_run, save_run, snapshot

__all__ = ["LiveRun", "Registry"]

log = logging.getLogger("flow_nb.server")

_WORTH_STORING = (RunStarted, NodeFinished, InputRequested, InputGiven, RunFinished)


class LiveRun:
    """An engine run held by the server, with what the server knows of it."""

    def __init__(self, run: Run, meta: RunMeta) -> None:
        self.run = run
        self.meta = meta
        self._dirty = asyncio.Event()
        self._ended = False
        self._settled = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def workflow(self) -> WorkflowModel:
        """The workflow version this run runs."""
        return self.run.workflow

    def info(self) -> RunInfo:
        """The run as the APIs show it (its live record)."""
        return RunInfo(self.meta, record=self.run.record)

    async def settled(self) -> None:
        """Wait until the run's final state is stored."""
        await self._settled.wait()

    async def _follow(self) -> None:
        try:
            async for event in self.run.events():
                if isinstance(event, _WORTH_STORING):
                    self._dirty.set()
        finally:
            self._ended = True
            self._dirty.set()

    async def _store(self, db: Database) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            # snapshot here, on the loop that changes the record; the database thread gets plain text
            record_json, values = snapshot(self.run.record)
            try:
                await db.call(save_run, self.meta.id, record_json, values)
            except Exception:  # a failed write must not kill the run; the next change writes it again
                log.exception("could not store the state of run %s", self.meta.id)
            if self._ended and not self._dirty.is_set():
                self._settled.set()
                return


class Registry:
    """The server's live runs, by run id and by task id."""

    def __init__(self, db: Database, llm: ChatModel | None, data: Retriever | None = None) -> None:
        self.db = db
        self.llm = llm
        self.data = data
        self._runs: dict[str, LiveRun] = {}
        self._tasks: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._runs)

    async def start(
        self,
        workflow: Workflow,
        *,
        version: int,
        inputs: Any,
        api: str,
        variables: Mapping[str, Any] | None = None,
        node_start_id: str | None = None,
        user: str | None = None,
        key_id: str | None = None,
    ) -> LiveRun:
        """Store a new run, then start it. A workflow that cannot start raises before anything is stored."""
        run = Run(
            workflow, inputs, variables=variables, node_start_id=node_start_id, llm=self.llm, data=self.data
        )
        meta = RunMeta(run.id, new_id(), workflow.id, version, 0, api, user, key_id)
        meta = await self.db.call(insert_run, meta, run.record)
        live = LiveRun(run, meta)
        self._runs[meta.id] = live
        self._tasks[meta.task_id] = meta.id
        run.start()
        loop = asyncio.get_running_loop()
        live._tasks = [loop.create_task(live._follow()), loop.create_task(self._store(live))]
        return live

    async def _store(self, live: LiveRun) -> None:
        try:
            await live._store(self.db)
        finally:
            self._runs.pop(live.meta.id, None)
            self._tasks.pop(live.meta.task_id, None)

    def live(self, run_id: str) -> LiveRun | None:
        """A live run by id."""
        return self._runs.get(run_id)

    def live_task(self, task_id: str) -> LiveRun | None:
        """A live run by task id."""
        run_id = self._tasks.get(task_id)
        return self._runs.get(run_id) if run_id is not None else None

    async def find(self, run_id: str | None = None, *, task_id: str | None = None) -> RunInfo | None:
        """A run, live or stored, by id or task id."""
        live = self.live(run_id) if run_id is not None else self.live_task(task_id or "")
        if live is not None:
            return live.info()
        return await self.db.call(find_run, run_id, task_id=task_id)

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Stop every live run and store it FAILED (the server stopped mid-run), with what it had."""
        lives = list(self._runs.values())
        before = {live.meta.id: live.run.status for live in lives}
        for live in lives:
            for task in live._tasks:
                task.cancel()
            live.run.cancel()
        for live in lives:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(live.run.wait(), timeout)
            await asyncio.gather(*live._tasks, return_exceptions=True)
            record = live.run.record.model_copy(deep=True)
            record.error = STOPPED_MID_RUN.format(status=before[live.meta.id])
            record.status, record.waiting = "FAILED", []
            record_json, values = snapshot(record)
            try:
                await self.db.call(save_run, live.meta.id, record_json, values)
            except Exception:
                log.exception("could not store run %s as the server stopped", live.meta.id)
        self._runs.clear()
        self._tasks.clear()
