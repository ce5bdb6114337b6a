"""Workflow management (``002_…``): list, get, create, update, delete, versions, publish, execute,
execution status and history, templates.

The body of ``POST /api/v1/workflows`` and ``PUT /api/v1/workflows/{id}`` is the notebook's export
(``wf.export()``), unchanged; it is checked with :meth:`flow_nb.Workflow.load` and stored as sent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ..workflow import Workflow
from .auth import Caller, caller
from .bodies import json_object, parse
from .catalog import (
    WorkflowInfo,
    create_workflow,
    delete_workflow,
    document,
    get_workflow,
    list_versions,
    list_workflows,
    publish,
    update_workflow,
)
from .errors import BadRequest, NotFound
from .history import list_runs
from .launch import finish_or_wait, readable_run, start_run
from .state import state_of
from .templates import TEMPLATES, build
from .views import base_url, execution, input_names, iso, workflow_detail, workflow_item

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["workflow management (002)"])

Key = Annotated[Caller, Depends(caller)]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0)]


def _detail(session: Session, info: WorkflowInfo, base: str) -> dict[str, Any]:
    return workflow_detail(info, document(session, info.id, info.current_version), base)


@router.get("/workflows")
async def list_(
    request: Request,
    key: Key,
    limit: Limit = 20,
    offset: Offset = 0,
    category: str | None = None,
    public: bool = False,
) -> dict[str, Any]:
    """Your workflows (and everyone's public ones with ``public=true``), newest first."""
    items, total = await state_of(request).db.call(
        lambda s: list_workflows(
            s,
            owner=key.name,
            only=key.workflow_id,
            include_public=public,
            category=category,
            limit=limit,
            offset=offset,
        )
    )
    return {
        "workflows": [workflow_item(i) for i in items],
        "total": total,
        "has_more": offset + len(items) < total,
    }


@router.post("/workflows", status_code=201)
async def create(request: Request, key: Key, public: bool = False) -> dict[str, Any]:
    """Store a new workflow from its export (version 1)."""
    key.check_write()
    body = await json_object(request)
    workflow = Workflow.load(body)
    base = base_url(request)

    def store(session: Session) -> dict[str, Any]:
        info = create_workflow(session, body, workflow, created_by=key.name, public=public)
        return workflow_detail(info, body, base)

    return await state_of(request).db.call(store)


class FromTemplate(BaseModel):
    """The body of ``POST /api/v1/workflows/from-template``."""

    model_config = ConfigDict(extra="forbid")

    template_id: str
    name: str | None = None
    description: str | None = None
    category: str | None = None
    public: bool = False


@router.post("/workflows/from-template", status_code=201)
async def from_template(request: Request, key: Key) -> dict[str, Any]:
    """Create a workflow from a built-in template."""
    key.check_write()
    body = await parse(request, FromTemplate)
    workflow = build(body.template_id)
    if workflow is None:
        known = ", ".join(TEMPLATES)
        raise BadRequest(
            f"there is no template {body.template_id!r}; templates: {known}", field="template_id"
        )
    for name in ("name", "description", "category"):
        if getattr(body, name) is not None:
            setattr(workflow, name, getattr(body, name))
    doc = workflow.export()
    base = base_url(request)

    def store(session: Session) -> dict[str, Any]:
        info = create_workflow(session, doc, workflow, created_by=key.name, public=body.public)
        return workflow_detail(info, doc, base)

    return await state_of(request).db.call(store)


@router.get("/workflows/{workflow_id}")
async def get(request: Request, key: Key, workflow_id: str) -> dict[str, Any]:
    """A workflow: its listing fields, versions, run URLs, and its export (``workflow``)."""
    base = base_url(request)

    def read(session: Session) -> dict[str, Any]:
        return _detail(session, key.check_read(get_workflow(session, workflow_id)), base)

    return await state_of(request).db.call(read)


@router.put("/workflows/{workflow_id}")
async def update(request: Request, key: Key, workflow_id: str, public: bool | None = None) -> dict[str, Any]:
    """Store the export as the workflow's next version."""
    key.check_write()
    body = await json_object(request)
    body.setdefault("id", workflow_id)
    if body["id"] != workflow_id:
        raise BadRequest(
            f"the export's id {body['id']!r} is not the workflow {workflow_id!r} of the URL", field="id"
        )
    workflow = Workflow.load(body)
    base = base_url(request)

    def store(session: Session) -> dict[str, Any]:
        key.check_write(get_workflow(session, workflow_id))
        info = update_workflow(session, workflow_id, body, workflow, updated_by=key.name, public=public)
        return workflow_detail(info, body, base)

    return await state_of(request).db.call(store)


@router.delete("/workflows/{workflow_id}")
async def delete(request: Request, key: Key, workflow_id: str) -> dict[str, Any]:
    """Delete a workflow, its versions and its execution history (its app keys are revoked)."""
    key.check_write()
    state = state_of(request)

    def remove(session: Session) -> None:
        key.check_write(get_workflow(session, workflow_id))
        delete_workflow(session, workflow_id)

    await state.db.call(remove)
    state.forget(workflow_id)
    return {"id": workflow_id, "deleted": True}


@router.post("/workflows/{workflow_id}/publish")
async def publish_(request: Request, key: Key, workflow_id: str) -> dict[str, Any]:
    """Publish the current workflow as the latest version: runs use it from now on."""
    key.check_write()
    base = base_url(request)

    def store(session: Session) -> dict[str, Any]:
        key.check_write(get_workflow(session, workflow_id))
        return _detail(session, publish(session, workflow_id), base)

    return await state_of(request).db.call(store)


@router.get("/workflows/{workflow_id}/versions")
async def versions(request: Request, key: Key, workflow_id: str) -> dict[str, Any]:
    """A workflow's versions, newest first, and which one runs use."""

    def read(session: Session) -> dict[str, Any]:
        key.check_read(get_workflow(session, workflow_id))
        info, items = list_versions(session, workflow_id)
        for item in items:
            item["created_at"], item["published_at"] = iso(item["created_at"]), iso(item["published_at"])
        return {
            "workflow_id": workflow_id,
            "current_version": info.current_version,
            "published_version": info.published_version,
            "run_version": info.run_version,
            "versions": items,
            "total": len(items),
        }

    return await state_of(request).db.call(read)


class Execute(BaseModel):
    """The body of ``POST /api/v1/workflows/{id}/execute``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    inputs: dict[str, Any] | str | None = None
    """The run's input: named values, or one text (``input`` is a synonym)."""
    input: Any = None
    variables: dict[str, Any] = Field(default_factory=dict)
    """Run variables (``{{workflow.run.<name>}}``)."""
    node_start_id: str | None = None
    async_: bool = Field(default=False, alias="async")
    """Answer at once (202) with the execution's id; poll ``GET /api/v1/executions/{id}``."""


@router.post("/workflows/{workflow_id}/execute", response_model=None)
async def execute(request: Request, key: Key, workflow_id: str) -> JSONResponse:
    """Run a workflow: synchronously (the finished execution) or with ``"async": true`` (202 at once)."""
    body = await parse(request, Execute, required=False)
    state = state_of(request)
    inputs = body.inputs if body.inputs is not None else body.input
    live = await start_run(
        state,
        key,
        workflow_id,
        inputs=inputs,
        api="manage",
        variables=body.variables,
        node_start_id=body.node_start_id,
    )
    base = base_url(request)
    if body.async_:
        answer = execution(live.info(), base)
        answer["status_url"] = f"{base}/api/v1/executions/{live.meta.id}"
        return JSONResponse(answer, status_code=202)
    return JSONResponse(execution(await finish_or_wait(live), base))


@router.get("/workflows/{workflow_id}/executions")
async def executions(
    request: Request,
    key: Key,
    workflow_id: str,
    limit: Limit = 20,
    offset: Offset = 0,
    status: str | None = None,
) -> dict[str, Any]:
    """A workflow's execution history, newest first (``status``: FINISHED, FAILED, … comma-separated)."""
    statuses = tuple(s.strip().upper() for s in status.split(",")) if status else None
    base = base_url(request)

    def read(session: Session) -> dict[str, Any]:
        key.check_read(get_workflow(session, workflow_id))
        runs, total = list_runs(session, workflow_id, statuses=statuses, limit=limit, offset=offset)
        return {
            "executions": [execution(r, base) for r in runs],
            "total": total,
            "has_more": offset + len(runs) < total,
        }

    return await state_of(request).db.call(read)


@router.get("/executions/{execution_id}")
async def execution_status(request: Request, key: Key, execution_id: str) -> dict[str, Any]:
    """An execution's status, output, totals, and open requests if it waits for a person."""
    run = await readable_run(state_of(request), key, execution_id)
    return execution(run, base_url(request))


@router.get("/templates")
async def templates() -> dict[str, Any]:
    """The built-in templates (no key needed)."""
    items = []
    for template_id, factory in TEMPLATES.items():
        workflow = factory()
        items.append(
            {
                "id": template_id,
                "name": workflow.name,
                "description": workflow.description,
                "category": workflow.category,
                "nodes": [{"name": n.name, "type": n.type} for n in workflow.nodes],
                "inputs": ["input", *input_names(workflow.export())],
            }
        )
    return {"templates": items, "total": len(items)}


@router.get("/templates/{template_id}")
async def template(template_id: str) -> dict[str, Any]:
    """One template, with its export (``workflow``)."""
    workflow = build(template_id)
    if workflow is None:
        raise NotFound(f"there is no template {template_id!r}; templates: {', '.join(TEMPLATES)}")
    return {"id": template_id, "name": workflow.name, "workflow": workflow.export()}
