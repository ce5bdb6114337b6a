"""The flow-nb command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def flow_nb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flow_nb.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_schema_command_writes_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "workflow.schema.json"
    done = flow_nb("schema", "-o", str(out))
    assert done.returncode == 0, done.stderr
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["title"] == "flow_nb workflow, format 2"
    assert "BooleanNode" in schema["$defs"]
    printed = flow_nb("schema")
    assert json.loads(printed.stdout) == schema
