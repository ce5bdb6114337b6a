"""Stored runs: the execution history behind progress, run detail, logs and execution lists.

A run's row keeps its totals (for listings and filters) and its whole :class:`RunRecord` as JSON (for the
progress JSON). The server writes it when the run starts and again as the run changes; a run that was
still going when the server stopped is marked FAILED on the next start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..engine import RunRecord
from .catalog import count_run
from .db import RunRow, now, utc

__all__ = [
    "LIVE",
    "RunInfo",
    "RunMeta",
    "find_run",
    "insert_run",
    "list_runs",
    "recover",
    "save_run",
]

LIVE = ("PENDING", "RUNNING", "WAITING")
"""Statuses of a run that has not ended."""

STOPPED_MID_RUN = (
    "the server stopped while this run was {status}; its finished node runs are kept. Start the run again"
)


@dataclass(frozen=True)
class RunMeta:
    """What the server adds to a run: who started it, through which API, on which version."""

    id: str
    task_id: str
    workflow_id: str
    version: int
    sequence_number: int
    api: str
    user: str | None
    key_id: str | None


class RunInfo:
    """A run as the APIs show it, from a live run's record or a stored row."""

    def __init__(self, meta: RunMeta, record: RunRecord | None = None, record_json: str | None = None):
        if record is None and record_json is None:
            raise ValueError("a RunInfo needs a record or its JSON")
        self.meta = meta
        self._record = record
        self._record_json = record_json

    @cached_property
    def record(self) -> RunRecord:
        """The run record (parsed from the row on first use)."""
        if self._record is not None:
            return self._record
        assert self._record_json is not None
        return RunRecord.model_validate_json(self._record_json)

    @property
    def status(self) -> str:
        """The engine's status: PENDING, RUNNING, WAITING, FINISHED, FAILED or STOPPED."""
        return self.record.status

    @property
    def ended(self) -> bool:
        """Whether the run has ended."""
        return self.status not in LIVE

    @property
    def finished_at(self) -> datetime | None:
        """When it ended, if it did."""
        return self.record.updated if self.ended else None


def _row_values(record: RunRecord) -> dict[str, Any]:
    return {
        "status": record.status,
        "inputs": json.dumps(record.input, ensure_ascii=False, default=str),
        "output": json.dumps(record.output, ensure_ascii=False, default=str),
        "error": record.error,
        "finished_at": record.updated if record.status not in LIVE else None,
        "elapsed": record.total_time,
        "total_tokens": record.total_tokens,
        "total_steps": record.total_steps,
        "credits": record.credits,
        "record": record.model_dump_json(),
    }


def insert_run(session: Session, meta: RunMeta, record: RunRecord) -> RunMeta:
    """Store a new run (counting it on its workflow); returns its meta with its sequence number."""
    sequence = count_run(session, meta.workflow_id)
    meta = RunMeta(**{**meta.__dict__, "sequence_number": sequence})
    session.add(
        RunRow(
            id=meta.id,
            task_id=meta.task_id,
            workflow_id=meta.workflow_id,
            version=meta.version,
            sequence_number=sequence,
            api=meta.api,
            user=meta.user,
            key_id=meta.key_id,
            created_at=record.created,
            **_row_values(record),
        )
    )
    return meta


def save_run(session: Session, run_id: str, record_json: str, values: dict[str, Any]) -> None:
    """Write a run's latest state (a row deleted meanwhile, with its workflow, stays deleted)."""
    session.execute(sa.update(RunRow).where(RunRow.id == run_id).values(record=record_json, **values))


def snapshot(record: RunRecord) -> tuple[str, dict[str, Any]]:
    """A run's state to hand to :func:`save_run`; taken on the event loop, where the record changes."""
    values = _row_values(record)
    return values.pop("record"), values


def _meta(row: RunRow) -> RunMeta:
    return RunMeta(
        row.id, row.task_id, row.workflow_id, row.version, row.sequence_number, row.api, row.user, row.key_id
    )


def find_run(session: Session, run_id: str | None = None, *, task_id: str | None = None) -> RunInfo | None:
    """A stored run by id or task id."""
    if run_id is not None:
        row = session.get(RunRow, run_id)
    else:
        row = session.scalars(sa.select(RunRow).where(RunRow.task_id == task_id)).first()
    return None if row is None else RunInfo(_meta(row), record_json=row.record)


@dataclass(frozen=True)
class RunSummary:
    """A run's listing fields (no record), for execution lists and logs."""

    meta: RunMeta
    status: str
    inputs: Any
    output: Any
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    elapsed: float
    total_tokens: int
    total_steps: int
    credits: int


def list_runs(
    session: Session,
    workflow_id: str,
    *,
    statuses: tuple[str, ...] | None = None,
    keyword: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[RunSummary], int]:
    """One page of a workflow's runs, newest first, and how many match in all."""
    where: list[sa.ColumnElement[bool]] = [RunRow.workflow_id == workflow_id]
    if statuses:
        where.append(RunRow.status.in_(statuses))
    if keyword:
        pattern = f"%{keyword.lower()}%"
        where.append(
            sa.or_(
                sa.func.lower(RunRow.inputs).like(pattern),
                sa.func.lower(RunRow.output).like(pattern),
                sa.func.lower(sa.func.coalesce(RunRow.error, "")).like(pattern),
            )
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(RunRow).where(*where)) or 0
    rows = session.execute(
        sa.select(RunRow)
        .where(*where)
        .order_by(RunRow.created_at.desc(), RunRow.id)
        .limit(limit)
        .offset(offset)
        .options(sa.orm.defer(RunRow.record))
    ).scalars()
    summaries = [
        RunSummary(
            _meta(row),
            row.status,
            json.loads(row.inputs),
            json.loads(row.output),
            row.error,
            utc(row.created_at),
            utc(row.finished_at) if row.finished_at else None,
            row.elapsed,
            row.total_tokens,
            row.total_steps,
            row.credits,
        )
        for row in rows
    ]
    return summaries, total


def recover(session: Session) -> int:
    """Mark FAILED every run stored as not ended (the server stopped mid-run); returns how many."""
    rows = session.scalars(sa.select(RunRow).where(RunRow.status.in_(LIVE))).all()
    moment = now()
    for row in rows:
        record = RunRecord.model_validate_json(row.record)
        message = STOPPED_MID_RUN.format(status=row.status)
        record.status, record.error, record.updated, record.waiting = "FAILED", message, moment, []
        row.record, row.status, row.error, row.finished_at = (
            record.model_dump_json(),
            "FAILED",
            message,
            moment,
        )
    return len(rows)
