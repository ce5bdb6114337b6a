"""Stored workflows and their versions (functions of a session, each one step of a transaction).

Every POST and PUT stores the export exactly as sent, as a new version. Publishing marks the current
version published; runs use the latest published version, or the current one if the workflow was never
published (so a workflow can be tried right after it is stored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..workflow import Workflow
from .db import ApiKey, RunRow, StoredWorkflow, Version, now, utc
from .errors import Conflict, NotFound

__all__ = [
    "WorkflowInfo",
    "count_run",
    "create_workflow",
    "delete_workflow",
    "get_workflow",
    "list_versions",
    "list_workflows",
    "publish",
    "runnable",
    "update_workflow",
]


@dataclass(frozen=True)
class WorkflowInfo:
    """A stored workflow's listing fields (002's list item) and its versions."""

    id: str
    name: str
    description: str
    category: str | None
    public: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    usage_count: int
    rating: float | None
    current_version: int
    published_version: int | None

    @classmethod
    def of(cls, row: StoredWorkflow) -> WorkflowInfo:
        """The info of a stored row."""
        return cls(
            row.id,
            row.name,
            row.description,
            row.category,
            row.public,
            row.created_by,
            utc(row.created_at),
            utc(row.updated_at),
            row.usage_count,
            row.rating,
            row.current_version,
            row.published_version,
        )

    @property
    def run_version(self) -> int:
        """The version runs use: the latest published one, else the current one."""
        return self.published_version or self.current_version


def _row(session: Session, workflow_id: str, *, lock: bool = False) -> StoredWorkflow:
    # FOR UPDATE (PostgreSQL; SQLite serialises writers anyway) so that two requests counting runs or
    # adding versions at once do not both read the same number
    row = session.get(StoredWorkflow, workflow_id, with_for_update=lock)
    if row is None:
        raise NotFound(f"there is no workflow {workflow_id!r} on this server", field="id")
    return row


def get_workflow(session: Session, workflow_id: str) -> WorkflowInfo:
    """A stored workflow's info, or NotFound."""
    return WorkflowInfo.of(_row(session, workflow_id))


def document(session: Session, workflow_id: str, version: int) -> dict[str, Any]:
    """The export stored as ``version``."""
    stored = session.get(Version, (workflow_id, version))
    if stored is None:
        raise NotFound(f"workflow {workflow_id!r} has no version {version}", field="version")
    value: dict[str, Any] = json.loads(stored.document)
    return value


def runnable(session: Session, workflow_id: str) -> tuple[WorkflowInfo, dict[str, Any]]:
    """A workflow's info and the export its runs use."""
    info = get_workflow(session, workflow_id)
    return info, document(session, workflow_id, info.run_version)


def create_workflow(
    session: Session, doc: dict[str, Any], workflow: Workflow, *, created_by: str, public: bool
) -> WorkflowInfo:
    """Store a new workflow (version 1) from its export; its id must be new."""
    if session.get(StoredWorkflow, workflow.id) is not None:
        raise Conflict(
            f"a workflow with id {workflow.id!r} exists already: PUT /api/v1/workflows/{workflow.id} "
            f"stores a new version of it",
            field="id",
        )
    moment = now()
    row = StoredWorkflow(
        id=workflow.id,
        name=workflow.name,
        description=workflow.description,
        category=workflow.category,
        public=public,
        created_by=created_by,
        created_at=moment,
        updated_at=moment,
        usage_count=0,
        rating=None,
        current_version=1,
        published_version=None,
    )
    session.add(row)
    session.add(
        Version(
            workflow_id=workflow.id,
            version=1,
            document=json.dumps(doc, ensure_ascii=False),
            created_by=created_by,
            created_at=moment,
        )
    )
    session.flush()
    return WorkflowInfo.of(row)


def update_workflow(
    session: Session,
    workflow_id: str,
    doc: dict[str, Any],
    workflow: Workflow,
    *,
    updated_by: str,
    public: bool | None,
) -> WorkflowInfo:
    """Store the export as the workflow's next version (the listing fields follow it)."""
    row = _row(session, workflow_id, lock=True)
    moment = now()
    row.current_version += 1
    row.name, row.description, row.category = workflow.name, workflow.description, workflow.category
    row.updated_at = moment
    if public is not None:
        row.public = public
    session.add(
        Version(
            workflow_id=workflow_id,
            version=row.current_version,
            document=json.dumps(doc, ensure_ascii=False),
            created_by=updated_by,
            created_at=moment,
        )
    )
    session.flush()
    return WorkflowInfo.of(row)


def delete_workflow(session: Session, workflow_id: str) -> None:
    """Delete a workflow, its versions and its run history; its app keys are revoked."""
    row = _row(session, workflow_id)
    session.execute(sa.delete(Version).where(Version.workflow_id == workflow_id))
    session.execute(sa.delete(RunRow).where(RunRow.workflow_id == workflow_id))
    session.execute(
        sa.update(ApiKey)
        .where(ApiKey.workflow_id == workflow_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    session.delete(row)


def publish(session: Session, workflow_id: str) -> WorkflowInfo:
    """Publish the current version as the latest version runs use."""
    row = _row(session, workflow_id)
    moment = now()
    row.published_version = row.current_version
    row.updated_at = moment
    stored = session.get(Version, (workflow_id, row.current_version))
    if stored is not None and stored.published_at is None:
        stored.published_at = moment
    session.flush()
    return WorkflowInfo.of(row)


def list_versions(session: Session, workflow_id: str) -> tuple[WorkflowInfo, list[dict[str, Any]]]:
    """A workflow's info and its versions, newest first."""
    info = get_workflow(session, workflow_id)
    rows = session.scalars(
        sa.select(Version).where(Version.workflow_id == workflow_id).order_by(Version.version.desc())
    )
    versions = [
        {
            "version": v.version,
            "created_at": utc(v.created_at),
            "created_by": v.created_by,
            "published": v.published_at is not None,
            "published_at": utc(v.published_at) if v.published_at else None,
            "current": v.version == info.current_version,
            "used_by_runs": v.version == info.run_version,
        }
        for v in rows
    ]
    return info, versions


def list_workflows(
    session: Session,
    *,
    owner: str,
    only: str | None,
    include_public: bool,
    category: str | None,
    limit: int,
    offset: int,
) -> tuple[list[WorkflowInfo], int]:
    """One page of the workflows a caller sees, newest first, and how many there are in all.

    ``owner``'s own workflows, and everyone's public ones when ``include_public``; a key limited to one
    workflow (``only``) sees that one."""
    where: list[sa.ColumnElement[bool]] = []
    if only is not None:
        where.append(StoredWorkflow.id == only)
    elif include_public:
        where.append(sa.or_(StoredWorkflow.created_by == owner, StoredWorkflow.public.is_(True)))
    else:
        where.append(StoredWorkflow.created_by == owner)
    if category is not None:
        where.append(StoredWorkflow.category == category)
    total = session.scalar(sa.select(sa.func.count()).select_from(StoredWorkflow).where(*where)) or 0
    rows = session.scalars(
        sa.select(StoredWorkflow)
        .where(*where)
        .order_by(StoredWorkflow.created_at.desc(), StoredWorkflow.id)
        .limit(limit)
        .offset(offset)
    )
    return [WorkflowInfo.of(row) for row in rows], total


def count_run(session: Session, workflow_id: str) -> int:
    """Count one more run of the workflow; returns its sequence number (1 for the first run)."""
    row = _row(session, workflow_id, lock=True)
    row.usage_count += 1
    return row.usage_count
