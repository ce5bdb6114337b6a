"""The server's database: tables, the engine, and one transaction per call.

SQLite (a file, nothing to install) by default, PostgreSQL by URL, through SQLAlchemy 2. The schema is
created on first start. Every request does its database work in one :meth:`Database.call`, one
transaction: it commits whole or not at all, so nothing is half stored.

Calls run on a small thread pool of the database's own, never on the event loop, so a slow disk or a
remote PostgreSQL does not stall streaming runs. SQLite gets one thread: its writers take turns anyway,
and one connection used in turn never meets ``database is locked``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

__all__ = ["ApiKey", "Base", "Database", "RunRow", "StoredWorkflow", "Version", "database_url", "utc"]

T = TypeVar("T")

DEFAULT_DB = "sqlite:///./flow_nb.db"


def utc(moment: datetime) -> datetime:
    """A timestamp read back from the database, as an aware UTC datetime (SQLite forgets the zone)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def now() -> datetime:
    """The current time, aware, UTC."""
    return datetime.now(timezone.utc)


def database_url(value: str | None) -> str:
    """A SQLAlchemy URL from ``--db``: a URL, or a file path meaning SQLite. ``postgresql://`` URLs get
    the psycopg (v3) driver, the one flow_nb installs."""
    if not value:
        return DEFAULT_DB
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    for plain in ("postgresql://", "postgres://"):
        if value.startswith(plain):
            return "postgresql+psycopg://" + value[len(plain) :]
    return value


class Base(DeclarativeBase):
    """Base of the server's tables."""


class StoredWorkflow(Base):
    """A workflow on the server: its listing fields and which version is current and published."""

    __tablename__ = "workflows"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    public: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    usage_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    rating: Mapped[float | None] = mapped_column(sa.Float)
    current_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    published_version: Mapped[int | None] = mapped_column(sa.Integer)


class Version(Base):
    """One stored version of a workflow: the export exactly as it was sent."""

    __tablename__ = "workflow_versions"

    workflow_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    document: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ApiKey(Base):
    """An API key: only its SHA-256 is kept; the key itself is shown once, when it is made."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    digest: Mapped[str] = mapped_column(sa.String(64))
    workflow_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RunRow(Base):
    """A run (an execution): its totals for listings, and its whole record as JSON for progress."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    workflow_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    sequence_number: Mapped[int] = mapped_column(sa.Integer, default=1)
    api: Mapped[str] = mapped_column(sa.String(20))
    """Which API started it: flowai, flowflow, dify or manage."""
    user: Mapped[str | None] = mapped_column(sa.String(200))
    key_id: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    inputs: Mapped[str] = mapped_column(sa.Text, default="{}")
    output: Mapped[str] = mapped_column(sa.Text, default="null")
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    elapsed: Mapped[float] = mapped_column(sa.Float, default=0.0)
    total_tokens: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_steps: Mapped[int] = mapped_column(sa.Integer, default=0)
    credits: Mapped[int] = mapped_column(sa.Integer, default=0)
    record: Mapped[str] = mapped_column(sa.Text)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers (another process's `flow-nb keys list`) go on while the server writes
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """The server's database: ``await db.call(fn, *args)`` runs ``fn(session, *args)`` in one
    transaction on the database's own threads."""

    def __init__(self, url: str | None = None, *, threads: int = 8) -> None:
        self.url = database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = sa.create_engine(self.url, connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            threads = 1
        else:
            self.engine = sa.create_engine(self.url, pool_size=threads, max_overflow=0, pool_pre_ping=True)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="flow_nb-db")

    def create_schema(self) -> None:
        """Create the tables that do not exist yet."""
        Base.metadata.create_all(self.engine)

    def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``func(session, *args, **kwargs)`` in one transaction, here and now (CLI, startup)."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            return func(session, *args, **kwargs)

    async def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``func(session, *args, **kwargs)`` in one transaction, on the database's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(self.run, func, *args, **kwargs))

    def close(self) -> None:
        """Finish pending calls and close every connection."""
        self._pool.shutdown(wait=True)
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"
