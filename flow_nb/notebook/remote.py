"""``%flow publish`` and ``%flow call``: a workflow on a flow_nb server, from the notebook.

Publishing also sends the data sources the workflow searches (answer nodes with a ``data_source``,
data_search nodes) from this notebook's data store, so the workflow answers on the server as it did here.
"""

from __future__ import annotations

import argparse
import typing
from html import escape
from typing import Any

from IPython.core.error import UsageError
from IPython.display import display

from .. import registry
from ..client import Client, ServerError, curl_line
from ..data import default_data
from ..errors import DefinitionError
from ..model import Workflow

__all__ = ["RemoteView", "call_command", "data_sources_of", "publish_command"]


class _Args(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"%flow {self.prog}: {message}")


def data_sources_of(workflow: Workflow) -> list[str]:
    """The data sources a workflow's nodes search, in order."""
    names = [getattr(node.config, "data_source", None) for node in workflow.nodes]
    return list(dict.fromkeys(name for name in names if name))


def publish_command(args: list[str]) -> str:
    """``%flow publish [WORKFLOW] --server URL [--key KEY] [--public]``: the workflow's id."""
    parser = _Args(prog="publish", add_help=False)
    parser.add_argument("workflow", nargs="?")
    parser.add_argument("--server", "-s", default="http://127.0.0.1:8000")
    parser.add_argument("--key", "-k")
    parser.add_argument("--public", action="store_true")
    parsed = parser.parse_args(args)
    wf = registry.use(parsed.workflow) if parsed.workflow else registry.workflow()
    with Client(parsed.server, parsed.key) as client:
        try:
            sent = _send_data(client, wf)
            workflow_id = client.publish(wf, public=parsed.public or None)
            version = client.workflow(workflow_id).get("version")
        except ServerError as error:
            raise UsageError(f"%flow publish: the server refused: {error}") from None
        except OSError as error:
            raise UsageError(f"%flow publish: cannot reach {parsed.server}: {error}") from None
    print(f"published {wf.name!r} (version {version}) to {parsed.server}")
    for line in sent:
        print(line)
    print(f"id: {workflow_id}")
    print(curl_line(parsed.server, workflow_id, "Hello"))
    return workflow_id


def _send_data(client: Client, wf: Workflow) -> list[str]:
    lines = []
    for name in data_sources_of(wf):
        data = default_data()
        try:
            items = data.items(name)
        except DefinitionError:
            lines.append(
                f"warning: the workflow searches data source {name!r}, which this notebook does not have "
                f"(%flow data create {name}); on the server its runs will say it is missing"
            )
            continue
        client.create_data_source(name)
        for item in items:
            client.add_data_item(name, item.name, text=data.store.item_text(name, item.id))
        lines.append(f"sent data source {name!r}: {len(items)} items")
    return lines


def call_command(args: list[str]) -> Any:
    """``%flow call WORKFLOW_ID "input" --server URL [--key KEY]``: run a published workflow and stream
    its events into a view (FlowAI's streaming API)."""
    parser = _Args(prog="call", add_help=False)
    parser.add_argument("workflow_id")
    parser.add_argument("words", nargs="*")
    parser.add_argument("--server", "-s", default="http://127.0.0.1:8000")
    parser.add_argument("--key", "-k")
    parsed = parser.parse_args(args)
    text = " ".join(parsed.words)
    view = RemoteView(parsed.workflow_id)
    display(view)
    with Client(parsed.server, parsed.key) as client:
        try:
            for event in client.stream(parsed.workflow_id, {"input": text}):
                view.show(event.event, event.data)
        except ServerError as error:
            raise UsageError(f"%flow call: the server refused: {error}") from None
    return view.outcome


class RemoteView:
    """The events of a run on a server, as a small live text view (one line per node, tokens inline)."""

    def __init__(self, workflow_id: str) -> None:
        from ipywidgets import HTML

        self.workflow_id = workflow_id
        self.lines: list[str] = []
        self.outcome: dict[str, Any] = {}
        self._widget = HTML(value=f"<i>calling {workflow_id}…</i>")

    def _ipython_display_(self) -> None:
        display(self._widget)

    def show(self, event: str, data: Any) -> None:
        """Add one server event to the view."""
        if event == "msg" and isinstance(data, dict):
            kind = data.get("Type")
            if kind in ("start_node", "finish_node", "waiting"):
                self.lines.append(f"{data.get('Msg')}")
        elif event == "stream" and isinstance(data, dict):
            if not self.lines or not self.lines[-1].startswith("  "):
                self.lines.append("  ")
            self.lines[-1] += str(data.get("Content") or "")
        elif event == "output" and isinstance(data, dict):
            self.outcome = data
            self.lines.append(f"output: {data.get('output')} ({data.get('total_time', 0):.2f} s)")
        elif event == "error":
            self.outcome = {"error": data}
            self.lines.append(f"error: {data}")
        self._widget.value = "<pre>" + escape("\n".join(self.lines)) + "</pre>"
