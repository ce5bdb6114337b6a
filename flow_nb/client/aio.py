"""The asynchronous client: the same methods as :class:`~flow_nb.client.Client`, awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from ..model import Workflow as WorkflowModel
from ._common import ServerError, check, document, headers, respond_body, run_body, start_body
from .sse import ServerEvent, aiter_events

__all__ = ["AsyncClient"]

ENDED = ("FINISHED", "FAILED", "STOPPED")


class AsyncClient:
    """Talks to a flow_nb server: publish workflows, run them (blocking or streaming), start them and
    follow their progress, answer runs that wait for a person.

    >>> async with AsyncClient("http://127.0.0.1:8000", key="fnb_...") as client:  # doctest: +SKIP
    ...     async for event in client.stream(workflow_id, "Can I get a refund?"):
    ...         print(event.event, event.data)
    """

    def __init__(self, server: str = "http://127.0.0.1:8000", key: str | None = None, *, timeout: float = 60):
        self.server = server.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.server, headers=headers(key), timeout=timeout)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any endpoint; the JSON answer, or a :class:`ServerError`."""
        return check(await self._http.request(method, path, **kwargs))

    # ----------------------------------------------------------------------------- workflows
    async def publish(
        self, workflow: WorkflowModel | dict[str, Any] | str | Path, *, public: bool | None = None
    ) -> str:
        """Store the workflow (new, or as a new version of the same id) and publish it; its id."""
        doc = document(workflow)
        params = {"public": str(public).lower()} if public is not None else {}
        try:
            stored = await self.request("POST", "/api/v1/workflows", json=doc, params=params)
        except ServerError as error:
            if error.status != 409:
                raise
            stored = await self.request("PUT", f"/api/v1/workflows/{doc['id']}", json=doc, params=params)
        workflow_id = str(stored["id"])
        await self.request("POST", f"/api/v1/workflows/{workflow_id}/publish")
        return workflow_id

    async def workflows(self, **query: Any) -> dict[str, Any]:
        """The workflows list (``limit``, ``offset``, ``category``, ``public``)."""
        result: dict[str, Any] = await self.request("GET", "/api/v1/workflows", params=query)
        return result

    async def workflow(self, workflow_id: str) -> dict[str, Any]:
        """A stored workflow; its export is under ``"workflow"``."""
        result: dict[str, Any] = await self.request("GET", f"/api/v1/workflows/{workflow_id}")
        return result

    async def delete(self, workflow_id: str) -> None:
        """Delete a workflow and its history."""
        await self.request("DELETE", f"/api/v1/workflows/{workflow_id}")

    # ---------------------------------------------------------------------------------- runs
    async def run(self, workflow_id: str, inputs: Any = None) -> dict[str, Any]:
        """Run the published workflow to its end (FlowAI's API): ``{"output", "total_time", ...}``;
        :meth:`stream` streams it."""
        result: dict[str, Any] = await self.request(
            "POST", f"/v1/api/workflow/run/{workflow_id}", json=run_body(inputs, False)
        )
        return result

    async def stream(self, workflow_id: str, inputs: Any = None) -> AsyncIterator[ServerEvent]:
        """Run it streaming: FlowAI's ``msg``, ``stream``, ``output`` and ``error`` events as they come."""
        body = run_body(inputs, True)
        path = f"/v1/api/workflow/run/{workflow_id}"
        async with self._http.stream("POST", path, json=body, timeout=None) as r:
            if not r.is_success:
                await r.aread()
                check(r)
            async for item in aiter_events(r.aiter_lines()):
                yield item

    async def start(
        self,
        workflow_id: str,
        inputs: Any = None,
        *,
        node_start_id: str | None = None,
        variables: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start a run in the background (FlowFlow's API); the answer has ``workflow.run.id``."""
        body = start_body(inputs, node_start_id, variables)
        result: dict[str, Any] = await self.request(
            "POST", f"/api/v1/workflow/start/{workflow_id}", json=body
        )
        return result

    async def progress(self, run_id: str) -> dict[str, Any]:
        """The run's progress JSON."""
        result: dict[str, Any] = await self.request("GET", f"/api/v1/workflow/progress/{run_id}")
        return result

    async def wait(self, run_id: str, *, timeout: float = 60, poll: float = 0.1) -> dict[str, Any]:
        """Poll the progress until the run ends or waits for a person; that progress."""
        deadline = time.monotonic() + timeout
        while True:
            found = await self.progress(run_id)
            if found["workflow"]["run"]["status"] in (*ENDED, "WAITING") or time.monotonic() > deadline:
                return found
            await asyncio.sleep(poll)

    async def respond(
        self, run_id: str, value: Any = None, *, request: str | None = None, action: str | None = None
    ) -> dict[str, Any]:
        """Answer a waiting run: the text for a text_input, or approve / edit / reject a result.
        ``request``: the request id or node key (none: the only open request)."""
        body = respond_body(value, request, action)
        result: dict[str, Any] = await self.request(
            "POST", f"/api/v1/workflow/runs/{run_id}/input", json=body
        )
        return result

    async def stop(self, run_id: str) -> dict[str, Any]:
        """Stop a run (it ends STOPPED)."""
        result: dict[str, Any] = await self.request("POST", f"/api/v1/workflow/runs/{run_id}/stop")
        return result
