"""The synchronous client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, overload

import httpx

from ..model import Workflow as WorkflowModel
from ._common import ServerError, check, document, headers, respond_body, run_body, start_body
from .sse import ServerEvent, iter_events

__all__ = ["Client"]

ENDED = ("FINISHED", "FAILED", "STOPPED")


class Client:
    """Talks to a flow_nb server: publish workflows, run them (blocking or streaming), start them and
    follow their progress, answer runs that wait for a person.

    >>> with Client("http://127.0.0.1:8000", key="fnb_...") as client:  # doctest: +SKIP
    ...     workflow_id = client.publish(wf)
    ...     client.run(workflow_id, "Can I get a refund?")["output"]
    """

    def __init__(self, server: str = "http://127.0.0.1:8000", key: str | None = None, *, timeout: float = 60):
        self.server = server.rstrip("/")
        self._http = httpx.Client(base_url=self.server, headers=headers(key), timeout=timeout)

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any endpoint; the JSON answer, or a :class:`ServerError`."""
        return check(self._http.request(method, path, **kwargs))

    # ----------------------------------------------------------------------------- workflows
    def publish(
        self, workflow: WorkflowModel | dict[str, Any] | str | Path, *, public: bool | None = None
    ) -> str:
        """Store the workflow (new, or as a new version of the same id) and publish it; its id."""
        doc = document(workflow)
        params = {"public": str(public).lower()} if public is not None else {}
        try:
            stored = self.request("POST", "/api/v1/workflows", json=doc, params=params)
        except ServerError as error:
            if error.status != 409:
                raise
            stored = self.request("PUT", f"/api/v1/workflows/{doc['id']}", json=doc, params=params)
        workflow_id = str(stored["id"])
        self.request("POST", f"/api/v1/workflows/{workflow_id}/publish")
        return workflow_id

    def workflows(self, **query: Any) -> dict[str, Any]:
        """The workflows list (``limit``, ``offset``, ``category``, ``public``)."""
        result: dict[str, Any] = self.request("GET", "/api/v1/workflows", params=query)
        return result

    def workflow(self, workflow_id: str) -> dict[str, Any]:
        """A stored workflow; its export is under ``"workflow"``."""
        result: dict[str, Any] = self.request("GET", f"/api/v1/workflows/{workflow_id}")
        return result

    def delete(self, workflow_id: str) -> None:
        """Delete a workflow and its history."""
        self.request("DELETE", f"/api/v1/workflows/{workflow_id}")

    # ---------------------------------------------------------------------------------- runs
    @overload
    def run(
        self, workflow_id: str, inputs: Any = None, *, stream: Literal[False] = False
    ) -> dict[str, Any]: ...
    @overload
    def run(
        self, workflow_id: str, inputs: Any = None, *, stream: Literal[True]
    ) -> Iterator[ServerEvent]: ...
    def run(self, workflow_id: str, inputs: Any = None, *, stream: bool = False) -> Any:
        """Run the published workflow (FlowAI's API): to its end, ``{"output", "total_time", ...}``; or
        with ``stream=True`` its events as they come (see :meth:`stream`)."""
        if stream:
            return self.stream(workflow_id, inputs)
        result: dict[str, Any] = self.request(
            "POST", f"/v1/api/workflow/run/{workflow_id}", json=run_body(inputs, False)
        )
        return result

    def stream(self, workflow_id: str, inputs: Any = None) -> Iterator[ServerEvent]:
        """Run it streaming: FlowAI's ``msg``, ``stream``, ``output`` and ``error`` events as they come."""
        body = run_body(inputs, True)
        with self._http.stream("POST", f"/v1/api/workflow/run/{workflow_id}", json=body, timeout=None) as r:
            if not r.is_success:
                r.read()
                check(r)
            yield from iter_events(r.iter_lines())

    def start(
        self,
        workflow_id: str,
        inputs: Any = None,
        *,
        node_start_id: str | None = None,
        variables: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start a run in the background (FlowFlow's API); the answer has ``workflow.run.id``."""
        body = start_body(inputs, node_start_id, variables)
        result: dict[str, Any] = self.request("POST", f"/api/v1/workflow/start/{workflow_id}", json=body)
        return result

    def progress(self, run_id: str) -> dict[str, Any]:
        """The run's progress JSON."""
        result: dict[str, Any] = self.request("GET", f"/api/v1/workflow/progress/{run_id}")
        return result

    def wait(self, run_id: str, *, timeout: float = 60, poll: float = 0.1) -> dict[str, Any]:
        """Poll the progress until the run ends or waits for a person; that progress."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.progress(run_id)
            if found["workflow"]["run"]["status"] in (*ENDED, "WAITING") or time.monotonic() > deadline:
                return found
            time.sleep(poll)

    def respond(
        self, run_id: str, value: Any = None, *, request: str | None = None, action: str | None = None
    ) -> dict[str, Any]:
        """Answer a waiting run: the text for a text_input, or approve / edit / reject a result.
        ``request``: the request id or node key (none: the only open request)."""
        body = respond_body(value, request, action)
        result: dict[str, Any] = self.request("POST", f"/api/v1/workflow/runs/{run_id}/input", json=body)
        return result

    def stop(self, run_id: str) -> dict[str, Any]:
        """Stop a run (it ends STOPPED)."""
        result: dict[str, Any] = self.request("POST", f"/api/v1/workflow/runs/{run_id}/stop")
        return result

    # --------------------------------------------------------------------------- data sources
    def data_sources(self) -> list[dict[str, Any]]:
        """The server's data sources."""
        found: list[dict[str, Any]] = self.request("GET", "/api/v1/data_sources")["data_sources"]
        return found

    def create_data_source(self, name: str) -> dict[str, Any]:
        """Create a data source on the server (it is fine if it exists already)."""
        try:
            created: dict[str, Any] = self.request("POST", "/api/v1/data_sources", json={"name": name})
        except ServerError as error:
            if error.status != 409:
                raise
            return {"name": name, "existed": True}
        return created

    def add_data_item(
        self, source: str, name: str, *, text: str | None = None, url: str | None = None
    ) -> dict[str, Any]:
        """Add (or replace, by name) an item of a server data source, from text or a URL."""
        body = {"name": name, "text": text} if text is not None else {"name": name, "url": url}
        added: dict[str, Any] = self.request("POST", f"/api/v1/data_sources/{source}/items", json=body)
        return added
