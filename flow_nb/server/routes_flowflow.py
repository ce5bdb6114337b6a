"""FlowFlow's start/progress API (``001_…``), and answering or stopping a run.

``POST /api/v1/workflow/start/{id}`` starts a run in the background and answers with the seed's start
JSON (``progress_api_url``, ``status: "OK"``, ``workflow.run.status: "PENDING"``, ``chat_url``,
``message``); ``GET /api/v1/workflow/progress/{run_id}`` is the seed's progress JSON, nodes, runs and
conditions included, plus ``workflow.run.waiting``: the open requests of a WAITING run.
``POST /api/v1/workflow/runs/{run_id}/input`` answers one (DESIGN.md §5) and the run goes on;
``POST /api/v1/workflow/runs/{run_id}/stop`` ends it STOPPED. The ``chat_url`` is a read-only page of
the run's results (its unguessable run id is what opens it).
"""

from __future__ import annotations

import html
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from ..errors import DefinitionError
from .auth import Caller, caller
from .bodies import parse
from .errors import BadRequest, Conflict, NotFound
from .history import RunInfo
from .launch import readable_run, start_run
from .state import state_of
from .views import base_url, http_date, progress

__all__ = ["router"]

router = APIRouter(tags=["FlowFlow start/progress (001)"])

Key = Annotated[Caller, Depends(caller)]

STARTED = (
    "Workflow execution started. Poll the 'progress_api_url' for updates or view the workflow run results "
    "in the app using the 'chat_url'"
)


class StartBody(BaseModel):
    """The seed's start body: ``input`` (required), ``node_start_id``, ``workflow_run_variables``."""

    input: str | dict[str, Any]
    node_start_id: str | None = None
    workflow_run_variables: dict[str, Any] = Field(default_factory=dict)


@router.post("/api/v1/workflow/start/{workflow_id}")
async def start(request: Request, key: Key, workflow_id: str) -> dict[str, Any]:
    """Start a run in the background; poll ``progress_api_url``."""
    body = await parse(request, StartBody)
    live = await start_run(
        state_of(request),
        key,
        workflow_id,
        inputs=body.input,
        api="flowflow",
        variables=body.workflow_run_variables,
        node_start_id=body.node_start_id,
    )
    base, record = base_url(request), live.run.record
    return {
        "progress_api_url": f"{base}/api/v1/workflow/progress/{live.meta.id}",
        "status": "OK",
        "workflow": {
            "id": live.workflow.id,
            "name": live.workflow.name,
            "run": {"created": http_date(record.created), "id": live.meta.id, "status": record.status},
        },
        "chat_url": f"{base}/api/v1/internal/workflow/chat/{live.workflow.id}?workflow_run_id={live.meta.id}",
        "message": STARTED,
    }


@router.get("/api/v1/workflow/progress/{run_id}")
async def progress_(request: Request, key: Key, run_id: str) -> dict[str, Any]:
    """The run's progress: status, results, and every node run with its conditions."""
    return progress(await readable_run(state_of(request), key, run_id), base_url(request))


class AnswerBody(BaseModel):
    """An answer to a waiting run: which request (its id, or the node's key; none: the only one),
    the text or edited result (``value``), and for an approval the ``action``."""

    model_config = ConfigDict(extra="forbid")

    request_id: str | None = None
    node: str | None = None
    value: Any = None
    action: Literal["input", "approve", "edit", "reject"] | None = None


def _state_line(run: RunInfo, base: str) -> dict[str, Any]:
    return {
        "status": "OK",
        "run": {"id": run.meta.id, "status": run.status},
        "progress_api_url": f"{base}/api/v1/workflow/progress/{run.meta.id}",
    }


@router.post("/api/v1/workflow/runs/{run_id}/input")
async def answer(request: Request, key: Key, run_id: str) -> dict[str, Any]:
    """Answer an open request of a WAITING run: text for a text_input; approve, edit or reject."""
    body = await parse(request, AnswerBody)
    state = state_of(request)
    run = await readable_run(state, key, run_id)
    live = state.registry.live(run_id)
    if live is None or live.run.done:
        raise Conflict(f"run {run_id} has ended ({run.status}); nothing waits for an answer", field="run_id")
    try:
        live.run.respond(body.request_id or body.node, body.value, action=body.action)
    except DefinitionError as error:
        raise BadRequest(str(error), field=error.field or "request_id") from None
    return _state_line(live.info(), base_url(request))


@router.post("/api/v1/workflow/runs/{run_id}/stop")
async def stop(request: Request, key: Key, run_id: str) -> dict[str, Any]:
    """Stop a run: it ends STOPPED, keeping its finished node runs. A run that has ended stays as it is."""
    state = state_of(request)
    run = await readable_run(state, key, run_id)
    live = state.registry.live(run_id)
    if live is not None:
        live.run.cancel()
        await live.run.wait()
        await live.settled()
        run = live.info()
    return _state_line(run, base_url(request))


@router.get("/api/v1/internal/workflow/chat/{workflow_id}", response_class=HTMLResponse)
async def chat(request: Request, workflow_id: str, workflow_run_id: str) -> HTMLResponse:
    """A read-only page of a run's results; it reloads itself while the run goes on."""
    run = await state_of(request).registry.find(workflow_run_id)
    if run is None or run.meta.workflow_id != workflow_id:
        raise NotFound(f"there is no run {workflow_run_id!r} of workflow {workflow_id!r}")
    record = run.record
    items = "".join(f"<li><pre>{html.escape(str(r))}</pre></li>" for r in record.results)
    asks = "".join(
        f"<p><b>{html.escape(w.node_name)}</b> waits: {html.escape(w.prompt or w.kind)}</p>"
        for w in record.waiting
    )
    refresh = "" if run.ended else '<meta http-equiv="refresh" content="2">'
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'>{refresh}"
        f"<title>{html.escape(record.workflow['name'])}</title></head><body>"
        f"<h1>{html.escape(record.workflow['name'])}</h1><p>Run {html.escape(run.meta.id)}: "
        f"<b>{record.status}</b></p>{asks}<ol>{items}</ol>"
        f"{'<p>' + html.escape(record.error) + '</p>' if record.error else ''}</body></html>"
    )
    return HTMLResponse(page)
