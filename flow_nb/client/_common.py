"""What the sync and async clients share: errors, headers, request bodies, the curl line."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from pathlib import Path
from typing import Any

import httpx

from ..errors import FlowError
from ..model import Workflow as WorkflowModel

__all__ = ["ServerError", "check", "curl_line", "document", "headers", "run_body"]

KEY_VARIABLE = "FLOW_NB_API_KEY"
"""The environment variable the clients (and the printed curl line) take the API key from."""


class ServerError(FlowError):
    """The server answered with an error: ``status``, its message, and the ``field`` it names."""

    def __init__(self, status: int, message: str, *, field: str | None = None, body: Any = None) -> None:
        super().__init__(f"the server answered {status}: {message}", field=field)
        self.status = status
        self.body = body
        self.retry_after: float | None = None


def check(response: httpx.Response) -> Any:
    """The JSON of a successful answer; a :class:`ServerError` for any other."""
    if response.is_success:
        return response.json()
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        message = str(body.get("error") or body.get("message") or body)
        field = body.get("field")
    else:
        message, field = str(body)[:500], None
    error = ServerError(response.status_code, message, field=field, body=body)
    retry = response.headers.get("retry-after")
    if retry is not None:
        with contextlib.suppress(ValueError):
            error.retry_after = float(retry)
    raise error


def headers(key: str | None) -> dict[str, str]:
    """The API key header (from ``key`` or ``FLOW_NB_API_KEY``)."""
    key = key or os.environ.get(KEY_VARIABLE)
    return {"X-API-KEY": key} if key else {}


def document(workflow: WorkflowModel | dict[str, Any] | str | Path) -> dict[str, Any]:
    """A workflow's export: of a Workflow, a dict as it is, or a file (or JSON text) read and checked."""
    if isinstance(workflow, WorkflowModel):
        from ..formats import flowflow

        return flowflow.export(workflow)
    if isinstance(workflow, dict):
        return workflow
    from ..workflow import Workflow

    return Workflow.load(workflow).export()


def run_body(inputs: Any, stream: bool) -> dict[str, Any]:
    """FlowAI's run body: ``{"input": {...}}`` (a bare text means ``{"input": text}``)."""
    body: dict[str, Any] = {"input": inputs if isinstance(inputs, dict) else {"input": inputs}}
    if stream:
        body["stream"] = True
    return body


def start_body(inputs: Any, node_start_id: str | None, variables: dict[str, Any] | None) -> dict[str, Any]:
    """FlowFlow's start body: ``input``, and ``node_start_id`` / ``workflow_run_variables`` when given."""
    body: dict[str, Any] = {"input": inputs if inputs is not None else ""}
    if node_start_id is not None:
        body["node_start_id"] = node_start_id
    if variables:
        body["workflow_run_variables"] = variables
    return body


def respond_body(value: Any, request: str | None, action: str | None) -> dict[str, Any]:
    """The body that answers a waiting run: the value, and which request and action when given."""
    body: dict[str, Any] = {"value": value}
    if request is not None:
        body["request_id"] = request
    if action is not None:
        body["action"] = action
    return body


def curl_line(server: str, workflow_id: str, example: Any = "Hello") -> str:
    """A ready ``curl`` line that streams a run of the workflow (key from ``$FLOW_NB_API_KEY``)."""
    url = f"{server.rstrip('/')}/v1/api/workflow/run/{workflow_id}"
    body = json.dumps(run_body(example, True), ensure_ascii=False, separators=(",", ":"))
    return (
        f'curl -N -X POST {shlex.quote(url)} -H "X-API-KEY: ${KEY_VARIABLE}" '
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}"
    )
