"""`flow-nb keys`, `flow-nb publish` (with the curl line it prints, run by curl) and `flow-nb serve`,
as real subprocesses; a server killed mid-run marks the run FAILED when it starts again."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from server_support import RULES, Served, ServeProcess, asks_name, chat, wait_for

from flow_nb.client import iter_events
from flow_nb.testing import FakeLLM


def flow_nb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flow_nb.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_keys_create_list_revoke(server: Served) -> None:
    made = flow_nb("keys", "create", "--name", "erin", "--db", server.db_url)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]  # the last line is the key alone
    assert key.startswith("fnb_") and " " not in key
    key_id = key.split("_")[1]
    http = server.client(key)
    assert http.get("/api/v1/workflows").status_code == 200
    listed = flow_nb("keys", "list", "--db", server.db_url)
    assert key_id in listed.stdout and "erin" in listed.stdout and key not in listed.stdout
    revoked = flow_nb("keys", "revoke", key_id, "--db", server.db_url)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert http.get("/api/v1/workflows").status_code == 401
    unknown = flow_nb("keys", "create", "--name", "x", "--workflow", "nope", "--db", server.db_url)
    assert unknown.returncode == 2 and "publish it first" in unknown.stderr


def test_keys_are_stored_hashed(tmp_path: Path) -> None:
    db = tmp_path / "keys.sqlite"
    key = flow_nb("keys", "create", "--name", "ada", "--db", str(db)).stdout.strip().splitlines()[-1]
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT * FROM api_keys").fetchall()
    dump = repr(rows)
    assert key not in dump and key.rsplit("_", 1)[1] not in dump
    assert len(rows) == 1


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (apt-get install -y curl)")
def test_publish_prints_a_curl_line_that_streams(server: Served, tmp_path: Path) -> None:
    path = chat().save(tmp_path / "chat.flow.json")
    env = {"FLOW_NB_API_KEY": server.admin}
    published = flow_nb("publish", str(path), "--server", server.url, env=env)
    assert published.returncode == 0, published.stderr
    lines = published.stdout.strip().splitlines()
    workflow_id = lines[1].removeprefix("id: ")
    curl = lines[-1]
    assert curl.startswith("curl -N -X POST") and workflow_id in curl and "$FLOW_NB_API_KEY" in curl
    curl = curl.replace('{"input":"Hello"}', '{"input":"Are you there?"}')
    done = subprocess.run(
        ["bash", "-c", curl], capture_output=True, text=True, timeout=60, env={**os.environ, **env}
    )
    assert done.returncode == 0, done.stderr
    events = list(iter_events(done.stdout.splitlines()))
    assert [e.event for e in events][:3] == ["msg", "msg", "msg"]
    assert "stream" in [e.event for e in events]
    assert events[-1].event == "output" and events[-1].data["output"] == "Yes, I'm here."
    again = flow_nb("publish", str(path), "--server", server.url, env=env)  # a new version, same id
    assert again.returncode == 0 and "version 2" in again.stdout
    bad = flow_nb("publish", str(path), "--server", server.url, "--key", "fnb_x_y")
    assert bad.returncode == 2 and "401" in bad.stderr
    assert shlex.split(curl)[0] == "curl"


def test_a_server_killed_mid_run_marks_the_run_failed_on_restart(
    database: Callable[[], str], tmp_path: Path
) -> None:
    db_url = database()
    made = flow_nb("keys", "create", "--name", "ada", "--db", db_url)
    key = made.stdout.strip().splitlines()[-1]
    with FakeLLM(list(RULES)) as model:
        env = {"OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "k", "FLOW_NB_MODEL": "fake"}
        first = ServeProcess(db_url, env, tmp_path / "serve.log")
        try:
            http = httpx.Client(base_url=first.url, headers={"X-API-KEY": key})
            wf = asks_name()
            assert http.post("/api/v1/workflows", json=wf.export()).status_code == 201
            started = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "hi"}).json()
            run_id = started["workflow"]["run"]["id"]
            progress = f"/api/v1/workflow/progress/{run_id}"
            assert wait_for(lambda: http.get(progress).json()["workflow"]["run"]["status"] == "WAITING")
            time.sleep(0.5)  # the server stores the WAITING state within milliseconds; then kill it
            http.close()
        finally:
            first.kill(signal.SIGKILL)
        second = ServeProcess(db_url, env, tmp_path / "serve.log")
        try:
            with httpx.Client(base_url=second.url, headers={"X-API-KEY": key}) as http:
                run = http.get(progress).json()["workflow"]["run"]
                assert run["status"] == "FAILED"
                assert "the server stopped while this run was WAITING" in run["error"]
                assert run["waiting"] == []
                nodes = http.get(progress).json()["workflow"]["nodes"]
                assert nodes[0]["runs"][0]["result"] == "Hello! What is your name?"  # nothing lost
                # a graceful stop stores the live run FAILED at once
                again = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "hi"}).json()
                again_url = again["progress_api_url"]
                assert wait_for(lambda: http.get(again_url).json()["workflow"]["run"]["status"] == "WAITING")
        finally:
            second.kill(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert second.process.returncode in (0, -signal.SIGTERM)
        third = ServeProcess(db_url, env, tmp_path / "serve.log")
        try:
            with httpx.Client(headers={"X-API-KEY": key}) as http:
                run = http.get(again_url.replace(second.url, third.url)).json()["workflow"]["run"]
                assert run["status"] == "FAILED" and "WAITING" in run["error"]
        finally:
            third.kill(signal.SIGTERM)
