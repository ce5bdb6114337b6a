"""Dify's workflow-app API (``003_…``), for keys limited to one workflow (Dify's app keys).

``POST /v1/workflows/run`` (``inputs``, ``response_mode`` blocking|streaming, ``user``), run detail,
stop a task, ``/v1/parameters`` and ``/v1/workflows/logs``. Streaming chunks are ``data: {...}`` with
``event`` workflow_started / node_started / text_chunk / node_finished / workflow_finished and a
``ping`` every 10 seconds; a run that waits for a person sends flow_nb's ``input_requested`` chunk and
goes on once answered (``POST /api/v1/workflow/runs/{id}/input``). Errors are Dify's
``{"code", "message", "status"}``.

A run's ``outputs`` are ``{"output", "results", "text"}``: the run's output (the last displayed
result), every displayed result, and the output as text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sse_starlette import ServerSentEvent

from ..engine import InputRequested, NodeFinished, NodeStarted, RunFinished, RunRecord, RunStarted, Token
from .auth import Caller, caller
from .bodies import parse
from .catalog import runnable
from .errors import BadRequest
from .history import LIVE, RunInfo, list_runs
from .launch import finish_or_wait, readable_run, start_run
from .runs import LiveRun
from .sse import event, response, with_pings
from .state import state_of
from .views import base_url, dify_status, http_date, input_names, unix

__all__ = ["dify_events", "router"]

router = APIRouter(prefix="/v1", tags=["Dify workflow app (003)"])

Key = Annotated[Caller, Depends(caller)]

_STATUSES: dict[str, tuple[str, ...]] = {
    "succeeded": ("FINISHED",),
    "failed": ("FAILED",),
    "stopped": ("STOPPED",),
    "running": LIVE,
}


def app_of(key: Caller) -> str:
    """The one workflow of an app key; Dify's endpoints name no workflow."""
    if key.workflow_id is None:
        raise BadRequest(
            "this API key is not limited to one workflow, and Dify's endpoints name none: make an app key "
            "with: flow-nb keys create --name NAME --workflow WORKFLOW_ID",
            code="app_unavailable",
        )
    return key.workflow_id


def outputs(record: RunRecord) -> dict[str, Any] | None:
    """A run's outputs once it has ended."""
    if record.status in LIVE:
        return None
    output = record.output
    text = output if isinstance(output, str) or output is None else json.dumps(output, ensure_ascii=False)
    return {"output": output, "results": record.results, "text": text}


def run_data(run: RunInfo) -> dict[str, Any]:
    """A run as Dify's blocking answer and ``workflow_finished`` show it."""
    record = run.record
    return {
        "id": run.meta.id,
        "workflow_id": run.meta.workflow_id,
        "status": dify_status(record.status),
        "outputs": outputs(record),
        "error": record.error,
        "elapsed_time": record.total_time,
        "total_tokens": record.total_tokens,
        "total_steps": record.total_steps,
        "created_at": unix(record.created),
        "finished_at": unix(run.finished_at),
    }


class RunBody(BaseModel):
    """Dify's body: ``inputs``, ``response_mode``, ``user`` (all required), ``files``."""

    inputs: dict[str, Any]
    response_mode: Literal["blocking", "streaming"]
    user: str
    files: list[Any] = []


@router.post("/workflows/run", response_model=None)
async def run(request: Request, key: Key) -> Response:
    """Execute the key's workflow, blocking or streaming."""
    body = await parse(request, RunBody)
    state = state_of(request)
    live = await start_run(state, key, app_of(key), inputs=body.inputs, api="dify", user=body.user)
    if body.response_mode == "streaming":
        return response(dify_events(live, state.ping_interval, base_url(request)), ping=0)
    info = await finish_or_wait(live)
    return JSONResponse(
        {"workflow_run_id": live.meta.id, "task_id": live.meta.task_id, "data": run_data(info)}
    )


@router.get("/workflows/run/{workflow_run_id}")
async def run_detail(request: Request, key: Key, workflow_run_id: str) -> dict[str, Any]:
    """A run's current state (the seed's example: ``inputs`` as JSON text, RFC 2822 times)."""
    app_of(key)
    run = await readable_run(state_of(request), key, workflow_run_id)
    record = run.record
    ended = run.finished_at
    return {
        "id": run.meta.id,
        "workflow_id": run.meta.workflow_id,
        "status": dify_status(record.status),
        "inputs": json.dumps(record.input, ensure_ascii=False),
        "outputs": outputs(record),
        "error": record.error,
        "total_steps": record.total_steps,
        "total_tokens": record.total_tokens,
        "created_at": http_date(record.created, gmt=False),
        "finished_at": http_date(ended, gmt=False) if ended else None,
        "elapsed_time": record.total_time,
    }


class StopBody(BaseModel):
    """Dify's stop body: the ``user`` who started the task."""

    user: str


@router.post("/workflows/tasks/{task_id}/stop")
async def stop(request: Request, key: Key, task_id: str) -> dict[str, Any]:
    """Stop a running task; it ends ``stopped``."""
    body = await parse(request, StopBody)
    app_of(key)
    state = state_of(request)
    found = await readable_run(state, key, task_id=task_id)
    if found.meta.user is not None and found.meta.user != body.user:
        raise BadRequest("user is not the user who started this task", field="user")
    live = state.registry.live(found.meta.id)
    if live is not None:
        live.run.cancel()
        await live.run.wait()
        await live.settled()
    return {"result": "success"}


@router.get("/parameters")
async def parameters(request: Request, key: Key, user: str | None = None) -> dict[str, Any]:
    """The input form of the key's workflow: a paragraph ``input``, and a text input per
    ``{{inputs.<name>}}`` its templates use."""
    _, document = await state_of(request).db.call(runnable, app_of(key))
    form: list[dict[str, Any]] = [
        {"paragraph": {"label": "Input", "variable": "input", "required": True, "default": ""}}
    ]
    for name in input_names(document):
        label = name.replace("_", " ").capitalize()
        form.append({"text-input": {"label": label, "variable": name, "required": False, "default": ""}})
    return {
        "user_input_form": form,
        "file_upload": {
            "image": {
                "enabled": False,
                "number_limits": 3,
                "detail": "high",
                "transfer_methods": ["remote_url", "local_file"],
            }
        },
        "system_parameters": {"image_file_size_limit": "10"},
    }


@router.get("/workflows/logs")
async def logs(
    request: Request,
    key: Key,
    keyword: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The key's workflow's runs, newest first."""
    workflow_id = app_of(key)
    if status is not None and status not in _STATUSES:
        raise BadRequest(f"status must be one of {', '.join(_STATUSES)}, not {status!r}", field="status")
    statuses = _STATUSES[status] if status else None
    runs, total = await state_of(request).db.call(
        lambda s: list_runs(
            s, workflow_id, statuses=statuses, keyword=keyword, limit=limit, offset=(page - 1) * limit
        )
    )
    data = []
    for item in runs:
        user = item.meta.user
        end_user = None
        if user is not None:
            end_user = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"flow_nb:{workflow_id}:{user}")),
                "type": "service_api",
                "is_anonymous": False,
                "session_id": user,
            }
        data.append(
            {
                "id": item.meta.task_id,
                "workflow_run": {
                    "id": item.meta.id,
                    "version": str(item.meta.version),
                    "status": dify_status(item.status),
                    "error": item.error,
                    "elapsed_time": item.elapsed,
                    "total_tokens": item.total_tokens,
                    "total_steps": item.total_steps,
                    "created_at": unix(item.created_at),
                    "finished_at": unix(item.finished_at),
                },
                "created_from": "service-api",
                "created_by_role": "end_user",
                "created_by_account": None,
                "created_by_end_user": end_user,
                "created_at": unix(item.created_at),
            }
        )
    return {"page": page, "limit": limit, "total": total, "has_more": page * limit < total, "data": data}


async def dify_events(live: LiveRun, ping_interval: float, base: str) -> AsyncIterator[ServerSentEvent]:
    """The run's events as Dify's streaming chunks, with a ``ping`` whenever the run is quiet."""
    meta = live.meta
    nodes: dict[str, dict[str, Any]] = {}  # node run id -> its node_started data

    def chunk(name: str, data: Any = None) -> ServerSentEvent:
        body: dict[str, Any] = {"event": name, "task_id": meta.task_id, "workflow_run_id": meta.id}
        if data is not None:
            body["data"] = data
        return event(body)

    async for item in with_pings(live.run.events(), ping_interval):
        if item is None:
            yield chunk("ping")
        elif isinstance(item, RunStarted):
            created = unix(item.at)
            data = {"id": meta.id, "workflow_id": meta.workflow_id, "sequence_number": meta.sequence_number}
            yield chunk("workflow_started", {**data, "created_at": created})
        elif isinstance(item, NodeStarted):
            source = nodes.get(item.source_run_id or "")
            started = {
                "id": item.node_run_id,
                "node_id": item.node_id,
                "node_type": item.node_type,
                "title": item.node_name,
                "index": item.step,
                "predecessor_node_id": source["node_id"] if source else None,
                "inputs": {"input": item.input},
                "created_at": unix(item.at),
            }
            nodes[item.node_run_id] = started
            yield chunk("node_started", started)
        elif isinstance(item, Token) and item.content:
            node_id = nodes.get(item.node_run_id, {}).get("node_id")
            yield chunk("text_chunk", {"text": item.content, "from_variable_selector": [node_id, "text"]})
        elif isinstance(item, InputRequested):
            started = nodes.get(item.node_run_id, {})
            yield chunk(
                "input_requested",
                {
                    "request_id": item.request_id,
                    "kind": item.kind,
                    "node_id": started.get("node_id"),
                    "title": item.node_name,
                    "prompt": item.prompt,
                    "placeholder": item.placeholder,
                    "result": item.result,
                    "respond_url": f"{base}/api/v1/workflow/runs/{meta.id}/input",
                },
            )
        elif isinstance(item, NodeFinished):
            started = nodes.get(item.node_run_id, {})
            failed = item.status == "FAILED"
            finished = {
                **started,
                "process_data": {
                    "conditions_met": [c.system_name for c in item.met],
                    "message": item.message,
                },
                "outputs": {"result": item.result},
                "status": dify_status(item.status),
                "error": item.message if failed else None,
                "elapsed_time": item.elapsed,
                "execution_metadata": {
                    "total_tokens": item.usage.total_tokens,
                    "total_price": 0,
                    "currency": "USD",
                },
            }
            yield chunk("node_finished", finished)
        elif isinstance(item, RunFinished):
            yield chunk("workflow_finished", run_data(live.info()))
