"""A real kernel (jupyter_client): %flow run inline, and a kernel interrupt that stops a run cleanly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

SETUP = """
%load_ext flow_nb
import flow_nb as fn
from flow_nb.testing import FakeLLM, Rule
slow = FakeLLM([Rule(match=None, reply=" ".join(f"word{i}" for i in range(400)))], token_delay=0.05).start()
fn.llm.configure(base_url=slow.base_url, api_key="k", model="slow")
"""


@pytest.fixture
def kernel() -> Iterator[Any]:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client: Any, code: str, timeout: float = 60) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = []
    client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: outputs.append(msg))
    return outputs


def texts(outputs: list[dict[str, Any]]) -> str:
    parts = []
    for msg in outputs:
        content = msg["content"]
        parts.append(
            content.get("text") or content.get("data", {}).get("text/plain", "") or content.get("evalue", "")
        )
    return "\n".join(parts)


def test_cells_and_an_inline_run_in_a_kernel(kernel: Any) -> None:
    _, client = kernel
    execute(client, SETUP)
    out = texts(execute(client, "%%flow echo code --workflow k --start\nreturn input[::-1]"))
    assert "✓ k.echo (code)" in out
    out = execute(client, '%flow run k "abc"')
    assert any(
        m["msg_type"] == "display_data" and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]
        for m in out
    ), "the live run view is a widget"
    assert "FINISHED" in texts(out) and "echo[0] FINISHED code_ok" in texts(out) and "cba" in texts(out)
    bad = texts(execute(client, "%%flow broken bool\nx"))
    assert "UsageError: %%flow line 1: unknown node type 'bool'" in bad and "Traceback" not in bad


def test_a_kernel_interrupt_stops_the_run_and_keeps_finished_nodes(kernel: Any) -> None:
    manager, client = kernel
    execute(client, SETUP)
    execute(client, "%%flow first code --workflow s --start\nreturn input")
    execute(client, "%%flow write assistant --after first\nWrite at length")
    outputs: list[dict[str, Any]] = []
    msg_id = client.execute('%flow run s "go"')
    started = time.monotonic()
    time.sleep(2.0)  # the model streams 400 tokens at 20 a second: the run is mid-token now
    manager.interrupt_kernel()
    while True:
        msg = client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        outputs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert time.monotonic() - started < 15  # it did not wait for the 20 s the model needs
    out = texts(outputs)
    assert "STOPPED" in out
    assert "first[0] FINISHED code_ok" in out and "write[0] STOPPED" in out
    check = texts(
        execute(client, "r = fn.registry.runs()[-1]; print(r.status, r.nodes['write'].runs[0].tokens[:11])")
    )
    assert "STOPPED word0 word1" in check
