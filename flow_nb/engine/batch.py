"""Many runs of one workflow, a few at a time: what ``%flow batch`` and ``Workflow.batch`` use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from ..model import Workflow
from .context import ChatModel
from .record import RunRecord
from .runner import Run

__all__ = ["BatchRow", "run_batch"]

BatchRow = dict[str, Any]


async def run_batch(
    workflow: Workflow,
    inputs: Iterable[Any],
    *,
    concurrency: int = 4,
    llm: ChatModel | None = None,
    variables: dict[str, Any] | None = None,
    on_done: Callable[[int, RunRecord], None] | None = None,
) -> list[RunRecord]:
    """Run ``workflow`` once per input, at most ``concurrency`` at a time; records in input order.

    Nobody answers in a batch: a run that waits for a person is stopped, and its record says so."""
    items = list(inputs)
    gate = asyncio.Semaphore(max(1, concurrency))
    records: list[RunRecord | None] = [None] * len(items)

    async def one(index: int, value: Any) -> None:
        async with gate:
            run = Run(workflow, value, variables=variables, llm=llm).start()
            record = await run.wait(until_waiting=True)
            if record.status == "WAITING":
                nodes = ", ".join(r.node_key for r in record.waiting)
                run.cancel()
                record = await run.wait()
                record.error = f"stopped: {nodes} waited for a person, and batch runs have nobody to answer"
            records[index] = record
            if on_done is not None:
                on_done(index, record)

    await asyncio.gather(*(one(i, value) for i, value in enumerate(items)))
    return [r for r in records if r is not None]
