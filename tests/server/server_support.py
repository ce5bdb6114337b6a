"""Helpers of the server tests: the workflows they run, the served server, an SSE reader."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

import flow_nb as fn
from flow_nb.client import ServerEvent, iter_events
from flow_nb.server import Database
from flow_nb.server.keys import create_key
from flow_nb.testing import Rule

RULES = [
    Rule(match="refund", reply="true"),
    Rule(match="Are you there", reply="Yes, I'm here."),
    Rule(match=None, reply="false"),
]
"""The scripted model of the session's server (boolean nodes answer "true" only about refunds)."""


def support() -> fn.Workflow:
    """The seed's money example (001)."""
    wf = fn.Workflow(name="support", category="support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, we do not answer money related questions.", after="money:true")
    wf.node(
        "forward",
        "feedback",
        "I will forward your message to a customer service agent.",
        after=["money:false", "money:undecided"],
    )
    return wf


def chat() -> fn.Workflow:
    """FlowAI's streaming example (000): an input, an LLM, an output."""
    wf = fn.Workflow(name="chat", category="demo")
    wf.node("myinput", "text_input", None, start=True)
    wf.node("LLM1", "assistant", "Answer the user briefly.", after="myinput")
    wf.node("Output 1", "text_output", "{{result}}", after="LLM1", display_result=True)
    return wf


def asks_name() -> fn.Workflow:
    """A run that waits mid-way for a person's text."""
    wf = fn.Workflow(name="asks name")
    wf.node("hello", "feedback", "Hello! What is your name?", start=True)
    wf.node("name", "text_input", "Your name, please", after="hello", input_placeholder="Ada")
    wf.node("greet", "feedback", "Nice to meet you, {{result}}", after="name")
    return wf


def approval() -> fn.Workflow:
    """A run that waits for a person to approve, edit or reject a result."""
    wf = fn.Workflow(name="approval")
    wf.node("draft", "code", "return 'Dear customer, ' + input", start=True, auto_continue=False)
    wf.node("send", "feedback", "SENT: {{result}}", after="draft")
    return wf


def failing() -> fn.Workflow:
    """A run that fails: a code node raises and no relation handles it."""
    wf = fn.Workflow(name="failing")
    wf.node("boom", "code", "raise ValueError('no way')", start=True)
    return wf


def named_inputs() -> fn.Workflow:
    """A workflow whose templates use named inputs."""
    wf = fn.Workflow(name="trip")
    wf.node("start", "code", "return input", start=True)
    wf.node("plan", "feedback", "{{inputs.city}} on {{inputs.day}}", after="start")
    return wf


@dataclass
class Served:
    """A running server and the keys the tests use."""

    url: str
    db_url: str
    kind: str
    admin: str = ""
    other: str = ""
    _clients: list[httpx.Client] = field(default_factory=list)

    def make_key(self, name: str, workflow_id: str | None = None) -> str:
        """A new key, made straight in the database (as ``flow-nb keys create`` does)."""
        db = Database(self.db_url)
        try:
            return db.run(create_key, name, workflow_id)[1]
        finally:
            db.close()

    def client(self, key: str | None = None, *, bearer: bool = False) -> httpx.Client:
        """An httpx client with ``key`` (default: the admin key), closed at the end of the session."""
        key = self.admin if key is None else key
        header = {"Authorization": f"Bearer {key}"} if bearer else {"X-API-KEY": key}
        client = httpx.Client(base_url=self.url, headers=header if key else {}, timeout=30)
        self._clients.append(client)
        return client

    def publish(self, workflow: fn.Workflow, key: str | None = None) -> str:
        """Store and publish a workflow; its id."""
        http = self.client(key)
        assert http.post("/api/v1/workflows", json=workflow.export()).status_code == 201
        assert http.post(f"/api/v1/workflows/{workflow.id}/publish").status_code == 200
        return workflow.id

    def close(self) -> None:
        for client in self._clients:
            client.close()


def sse(response: httpx.Response) -> list[ServerEvent]:
    """Every event of a streaming response, read with a real SSE parser."""
    return list(iter_events(response.iter_lines()))


def stream(http: httpx.Client, path: str, body: dict[str, Any]) -> tuple[httpx.Response, list[ServerEvent]]:
    """POST and read the whole event stream."""
    with http.stream("POST", path, json=body) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return response, sse(response)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServeProcess:
    """``flow-nb serve`` as a real subprocess."""

    def __init__(self, db_url: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flow_nb.cli", "serve", "--db", db_url, "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"flow-nb serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """End the server with ``sig`` and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait(30)
        self._log.close()


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    """Poll ``check()`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def names(events: list[ServerEvent]) -> Iterator[str]:
    """The event names of a stream."""
    return (e.name for e in events)
