"""FlowAI's run API (``000_…``): ``POST /v1/api/workflow/run/{id}`` with ``{"input": {...}}``.

Blocking: ``{"output", "total_time"}`` (plus flow_nb's ``run_id``, ``status`` and, when there is one,
``error``; a run that waits for a person answers at once with status WAITING and ``waiting``).
Streaming (``"stream": true``): SSE ``msg`` (start / start_node / finish_node with ``time_spend``),
``stream`` (``Content``, ``Node``, ``Reasoning``), ``output`` and ``error``, with the seed's field names.
A run that waits for a person sends ``msg`` with ``Type: "waiting"`` and goes on once answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sse_starlette import ServerSentEvent

from ..engine import ErrorEvent, InputRequested, NodeFinished, NodeStarted, RunFinished, RunStarted, Token
from .auth import Caller, caller
from .bodies import parse
from .launch import finish_or_wait, start_run
from .runs import LiveRun
from .sse import event, response
from .state import state_of
from .views import base_url

__all__ = ["flowai_events", "router"]

router = APIRouter(tags=["FlowAI run (000)"])

Key = Annotated[Caller, Depends(caller)]


class RunBody(BaseModel):
    """The seed's body: ``{"input": <input_parameters>}``, ``"stream": true`` to stream."""

    input: Any
    stream: bool = False


@router.post("/v1/api/workflow/run/{workflow_id}", response_model=None)
async def run(request: Request, key: Key, workflow_id: str) -> Response:
    """Run a workflow; the output at the end, or every step as Server-Sent Events."""
    body = await parse(request, RunBody)
    live = await start_run(state_of(request), key, workflow_id, inputs=body.input, api="flowai")
    base = base_url(request)
    if body.stream:
        return response(flowai_events(live, base), headers={"X-Flow-Run-Id": live.meta.id})
    record = (await finish_or_wait(live)).record
    answer: dict[str, Any] = {
        "output": record.output if record.status != "FAILED" else None,
        "total_time": record.total_time,
        "run_id": live.meta.id,
        "status": record.status,
    }
    if record.error:
        answer["error"] = record.error
    if record.waiting:
        answer["waiting"] = [_request(r, live, base) for r in record.waiting]
    return JSONResponse(answer)


def _request(request: InputRequested, live: LiveRun, base: str) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "kind": request.kind,
        "node": request.node_key,
        "prompt": request.prompt,
        "placeholder": request.placeholder,
        "result": request.result,
        "respond_url": f"{base}/api/v1/workflow/runs/{live.meta.id}/input",
    }


def _msg(node: str | None, message: str, kind: str, data: Any) -> ServerSentEvent:
    return event({"Node": node, "Msg": message, "Type": kind, "Data": data}, "msg")


async def flowai_events(live: LiveRun, base: str) -> AsyncIterator[ServerSentEvent]:
    """The run's events in FlowAI's SSE vocabulary, from its first event to its last."""
    workflow = live.workflow
    ids = {node.key: node.id for node in workflow.nodes}
    types = {node.key: node.type for node in workflow.nodes}
    failed = False
    async for item in live.run.events():
        if isinstance(item, RunStarted):
            first = ids.get(item.start_nodes[0]) if item.start_nodes else None
            yield _msg(first, "start", "start", item.input)
        elif isinstance(item, NodeStarted):
            text = f"Start node {item.node_name}, type {item.node_type}"
            yield _msg(item.node_id, text, "start_node", None)
        elif isinstance(item, Token):
            yield event(
                {"Content": item.content, "Node": ids.get(item.node_key), "Reasoning": item.reasoning},
                "stream",
            )
        elif isinstance(item, NodeFinished):
            text = f"Finish node {item.node_name}, type {item.node_type}"
            data = {"time_spend": item.elapsed, "status": item.status, "result": item.result}
            yield _msg(item.node_id, text, "finish_node", data)
        elif isinstance(item, InputRequested):
            text = f"Waiting for a person at node {item.node_name}, type {types.get(item.node_key)}"
            yield _msg(ids.get(item.node_key), text, "waiting", _request(item, live, base))
        elif isinstance(item, ErrorEvent):
            failed = True
            node = ids.get(item.node_key) if item.node_key else None
            yield event(
                {"error": item.message, "Node": node, "Msg": item.message, "Type": item.kind}, "error"
            )
        elif isinstance(item, RunFinished):
            if item.status == "FINISHED":
                yield event({"output": item.output, "total_time": item.total_time}, "output")
            elif not failed:
                message = item.error or f"the run ended {item.status}"
                yield event({"error": message, "Node": None, "Msg": message, "Type": item.status}, "error")
