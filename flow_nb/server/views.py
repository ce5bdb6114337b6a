"""JSON shapes shared by the APIs: timestamps, workflow items, executions, progress, Dify statuses."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

from fastapi import Request

from .catalog import WorkflowInfo
from .history import RunInfo, RunMeta, RunSummary

__all__ = [
    "base_url",
    "dify_status",
    "execution",
    "http_date",
    "input_names",
    "iso",
    "progress",
    "unix",
    "workflow_detail",
    "workflow_item",
]

_DIFY_STATUS = {"FINISHED": "succeeded", "FAILED": "failed", "STOPPED": "stopped"}


def iso(moment: datetime | None) -> str | None:
    """``2024-01-15T10:30:00Z`` (002's timestamps)."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def unix(moment: datetime | None) -> int | None:
    """Seconds since the epoch (Dify's timestamps)."""
    return None if moment is None else int(moment.timestamp())


def http_date(moment: datetime, *, gmt: bool = True) -> str:
    """``Thu, 27 Jul 2023 11:24:39 GMT`` (FlowFlow's start); ``... -0000`` without ``gmt`` (Dify's)."""
    moment = moment.astimezone(timezone.utc)
    return format_datetime(moment, usegmt=True) if gmt else format_datetime(moment.replace(tzinfo=None))


def dify_status(status: str) -> str:
    """The engine's status in Dify's words: running, succeeded, failed or stopped."""
    return _DIFY_STATUS.get(status, "running")


def base_url(request: Request) -> str:
    """The server's URL as the client reached it, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def workflow_item(info: WorkflowInfo) -> dict[str, Any]:
    """A workflow as 002's list shows it."""
    return {
        "id": info.id,
        "name": info.name,
        "description": info.description,
        "category": info.category,
        "public": info.public,
        "created_by": info.created_by,
        "created_at": iso(info.created_at),
        "updated_at": iso(info.updated_at),
        "usage_count": info.usage_count,
        "rating": info.rating,
    }


def workflow_detail(info: WorkflowInfo, document: dict[str, Any], base: str) -> dict[str, Any]:
    """A workflow's item fields, versions, the URLs that run it, and its export (``workflow``)."""
    return {
        **workflow_item(info),
        "version": info.current_version,
        "published_version": info.published_version,
        "run_version": info.run_version,
        "urls": {
            "run": f"{base}/v1/api/workflow/run/{info.id}",
            "start": f"{base}/api/v1/workflow/start/{info.id}",
            "execute": f"{base}/api/v1/workflows/{info.id}/execute",
        },
        "workflow": document,
    }


def _execution(meta: RunMeta, base: str, **values: Any) -> dict[str, Any]:
    return {
        "id": meta.id,
        "workflow_id": meta.workflow_id,
        "version": meta.version,
        "sequence_number": meta.sequence_number,
        "api": meta.api,
        **values,
        "progress_api_url": f"{base}/api/v1/workflow/progress/{meta.id}",
    }


def execution(run: RunInfo | RunSummary, base: str) -> dict[str, Any]:
    """A run as 002's execution status and history show it (a live or stored run, or a summary)."""
    if isinstance(run, RunSummary):
        return _execution(
            run.meta,
            base,
            status=run.status,
            inputs=run.inputs,
            output=run.output,
            error=run.error,
            created_at=iso(run.created_at),
            finished_at=iso(run.finished_at),
            elapsed_time=run.elapsed,
            total_tokens=run.total_tokens,
            total_steps=run.total_steps,
            credits=run.credits,
        )
    record = run.record
    return _execution(
        run.meta,
        base,
        status=record.status,
        inputs=record.input,
        output=record.output,
        results=record.results,
        error=record.error,
        created_at=iso(record.created),
        finished_at=iso(run.finished_at),
        elapsed_time=record.total_time,
        total_tokens=record.total_tokens,
        total_steps=record.total_steps,
        credits=record.credits,
        waiting=_waiting(run, base),
    )


def _waiting(run: RunInfo, base: str) -> list[dict[str, Any]]:
    answer = f"{base}/api/v1/workflow/runs/{run.meta.id}/input"
    return [
        {
            "request_id": request.request_id,
            "kind": request.kind,
            "node": request.node_key,
            "node_name": request.node_name,
            "prompt": request.prompt,
            "placeholder": request.placeholder,
            "result": request.result,
            "actions": ["input"] if request.kind == "text" else ["approve", "edit", "reject"],
            "respond_url": answer,
        }
        for request in run.record.waiting
    ]


def progress(run: RunInfo, base: str) -> dict[str, Any]:
    """The seed's ``workflow/progress`` JSON, plus the open requests of a WAITING run
    (``workflow.run.waiting``) with the URL that answers them."""
    body = run.record.progress()
    body["workflow"]["run"]["waiting"] = _waiting(run, base)
    return body


_INPUT_VARIABLE = re.compile(r"\{\{-?\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)")


def input_names(document: dict[str, Any]) -> list[str]:
    """Named inputs the workflow's templates use (``{{inputs.<name>}}``), in order of appearance."""
    names: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for name in _INPUT_VARIABLE.findall(value):
                if name not in names and name != "input":
                    names.append(name)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document.get("nodes", []))
    return names
