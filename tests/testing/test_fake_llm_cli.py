"""``python -m flow_nb.testing`` as a separate process, driven by the real openai client."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from openai import OpenAI


def test_cli_serves_a_script_until_terminated(tmp_path: Path) -> None:
    script = tmp_path / "rules.json"
    script.write_text(
        json.dumps([{"match": "ping", "reply": "pong"}, {"match": "^cl", "regex": True, "reply": "re"}])
    )
    command = [sys.executable, "-m", "flow_nb.testing", "--port", "0", "--script", str(script)]
    command += ["--default-reply", "fallback"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            base_url = proc.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
            with OpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=5) as client:
                replies = [
                    client.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
                    .choices[0]
                    .message.content
                    for text in ("PING?", "classify", "other")
                ]
            assert replies == ["pong", "re", "fallback"]
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=5)
    assert proc.returncode == 0, stderr


def test_cli_rejects_a_bad_script(tmp_path: Path) -> None:
    script = tmp_path / "rules.json"
    script.write_text(json.dumps([{"match": "x", "fault": "explode"}]))
    result = subprocess.run(
        [sys.executable, "-m", "flow_nb.testing", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 2
    assert "--script" in result.stderr and "explode" in result.stderr
