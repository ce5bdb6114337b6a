"""Publish from a real notebook kernel (with the data source the workflow searches), then call the
workflow with curl, streaming, and with %flow call."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel
from server_support import Served

from flow_nb.client import iter_events

POLICY = "Refunds are paid within 14 days of the return. Shipping costs are not refunded."


@pytest.fixture
def kernel() -> Iterator[Any]:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client: Any, code: str) -> str:
    parts: list[str] = []

    def keep(msg: dict[str, Any]) -> None:
        content = msg["content"]
        parts.append(
            content.get("text") or content.get("data", {}).get("text/plain", "") or content.get("evalue", "")
        )

    client.execute_interactive(code, timeout=60, output_hook=keep)
    return "\n".join(parts)


def test_publish_from_a_kernel_then_curl_streams_it(server: Served, kernel: Any, tmp_path: Path) -> None:
    data_path = tmp_path / "notebook-data.sqlite3"
    source = f"kb-nb-{server.kind}"
    execute(kernel, "%load_ext flow_nb")
    setup = f"""
from flow_nb import data as flow_data
flow_data.use(flow_data.DataSources(flow_data.DataStore({str(data_path)!r})))
flow_data.default_data().create({source!r})
flow_data.default_data().add({source!r}, text={POLICY!r}, name="refunds.md")
"""
    assert "Error" not in execute(kernel, setup)
    execute(kernel, f"%%flow question text_input --workflow kb-{server.kind} --start\nAsk us")
    execute(kernel, f"%%flow search data_search --after question\n{source}")
    execute(
        kernel, "%%flow found feedback --after search:found\n{{result[0].data_item.name}}: {{result[0].text}}"
    )
    out = execute(kernel, f"%flow publish kb-{server.kind} --server {server.url} --key {server.admin}")
    assert f"sent data source {source!r}: 1 items" in out, out
    lines = out.strip().splitlines()
    workflow_id = next(line.removeprefix("id: ") for line in lines if line.startswith("id: "))
    curl = next(line for line in lines if line.startswith("curl -N"))
    curl = curl.replace('{"input":"Hello"}', '{"input":"when are refunds paid"}')
    done = subprocess.run(
        ["bash", "-c", curl],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "FLOW_NB_API_KEY": server.admin},
    )
    assert done.returncode == 0, done.stderr
    events = list(iter_events(done.stdout.splitlines()))
    assert events[0].event == "msg" and events[-1].event == "output"
    assert events[-1].data["output"] == f"refunds.md: {POLICY}"
    call = f"%flow call {workflow_id} when are refunds paid --server {server.url} --key {server.admin}"
    called = execute(kernel, f'r = {call}\nprint(r["output"])')
    assert f"refunds.md: {POLICY}" in called
