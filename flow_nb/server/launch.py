"""Starting a run for a caller, and finding one: the steps every API shares.

A run uses its workflow's latest published version (the current one if it was never published).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .auth import Caller
from .catalog import get_workflow, runnable
from .errors import NotFound
from .history import RunInfo
from .runs import LiveRun
from .state import ServerState

__all__ = ["finish_or_wait", "readable_run", "start_run"]


async def start_run(
    state: ServerState,
    caller: Caller,
    workflow_id: str,
    *,
    inputs: Any,
    api: str,
    variables: Mapping[str, Any] | None = None,
    node_start_id: str | None = None,
    user: str | None = None,
) -> LiveRun:
    """Start a run of ``workflow_id`` for ``caller`` (stored before it starts)."""
    info, document = await state.db.call(runnable, workflow_id)
    caller.check_read(info)
    workflow = state.workflow(info.id, info.run_version, document)
    return await state.registry.start(
        workflow,
        version=info.run_version,
        inputs=inputs,
        api=api,
        variables=variables,
        node_start_id=node_start_id,
        user=user,
        key_id=caller.key.id,
    )


async def finish_or_wait(live: LiveRun) -> RunInfo:
    """Wait until the run ends (and its end is stored) or waits for a person; the run then."""
    await live.run.wait(until_waiting=True)
    if live.run.done:
        await live.settled()
    return live.info()


async def readable_run(
    state: ServerState, caller: Caller, run_id: str | None = None, *, task_id: str | None = None
) -> RunInfo:
    """A run (live or stored) whose workflow ``caller`` may read; else a 404."""
    run = await state.registry.find(run_id, task_id=task_id)
    what = f"run {run_id!r}" if run_id is not None else f"task {task_id!r}"
    if run is None:
        raise NotFound(f"there is no {what} on this server", field="task_id" if task_id else "run_id")
    if caller.workflow_id is not None and caller.workflow_id != run.meta.workflow_id:
        raise NotFound(f"there is no {what} for this API key", field="task_id" if task_id else "run_id")
    if caller.workflow_id is None:
        try:
            info = await state.db.call(get_workflow, run.meta.workflow_id)
        except NotFound:
            raise NotFound(f"there is no {what} on this server") from None
        if not caller.may_read(info):
            raise NotFound(f"there is no {what} on this server")
    return run
