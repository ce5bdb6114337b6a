"""`flow-nb run` streams a run to the terminal, as text or one JSON event per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import flow_nb as fn
from flow_nb.testing import FakeLLM, Rule


def support_file(tmp_path: Path) -> Path:
    wf = fn.Workflow("support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, we do not answer money related questions.", after="money:true")
    wf.node(
        "forward", "feedback", "I will forward your message to a customer service agent.", after="money:false"
    )
    wf.node("name", "text_input", "Your name?", after="money:false")
    wf.node("thanks", "feedback", "Thanks {{result}}", after="name")
    return wf.save(tmp_path / "support.flow.json")


def flow_nb(*args: str, stdin: str = "", base_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "k", "FLOW_NB_MODEL": "fake"}
    return subprocess.run(
        [sys.executable, "-m", "flow_nb.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_run_streams_nodes_tokens_and_results(tmp_path: Path) -> None:
    path = support_file(tmp_path)
    with FakeLLM([Rule(match="refund", reply="true")]) as llm:
        done = flow_nb("run", str(path), "--input", "Can I get a refund?", base_url=llm.base_url)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "▶ money (boolean)" in out
    assert "money ┊" in out  # the model's tokens streamed under the node
    assert "✓ money boolean_true" in out
    assert "FINISHED in" in out and "3 node runs" in out
    assert out.rstrip().endswith("result: Sorry, we do not answer money related questions.")


def test_run_asks_on_stdin_and_prints_json_events(tmp_path: Path) -> None:
    path = support_file(tmp_path)
    with FakeLLM([Rule(match=None, reply="false")]) as llm:
        done = flow_nb("run", str(path), "--input", "Hello", "--json", stdin="Ada\n", base_url=llm.base_url)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert "token" in kinds and "input_requested" in kinds and "input_given" in kinds
    assert events[-1]["status"] == "FINISHED"
    assert "Thanks Ada" in events[-1]["results"]


def test_run_reports_bad_files_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    done = flow_nb("run", str(bad), "--input", "x", base_url="http://127.0.0.1:9/v1")
    assert done.returncode == 2
    assert done.stderr.startswith("flow-nb: error: the workflow file") and "Traceback" not in done.stderr
