"""The JupyterLab extension's TypeScript unit suite and strict type check, run from pytest so CI runs
them; and the two files it shares with Python (the node catalogue, the layout cases) kept current.

The npm commands need Node.js and npm (on the machine; ``pip install`` of flow_nb needs them too, to build
the extension). Without npm these tests skip, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from layout_cases import FIXTURE, expected

import flow_nb as fn
from flow_nb.notebook.mime import catalog

EXTENSION = Path(__file__).parent.parent.parent / "labextension"


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        if os.environ.get("CI"):
            raise RuntimeError("npm is missing: the labextension's TypeScript tests need Node.js and npm")
        pytest.skip("npm is not installed (Node.js 20 and npm): the TypeScript tests cannot run")
    if not (EXTENSION / "node_modules").exists():
        done = subprocess.run([found, "ci"], cwd=EXTENSION, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
    return found


def test_typescript_unit_suite() -> None:
    done = subprocess.run(
        [npm(), "test", "--", "--reporter=verbose"],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " failed" not in done.stdout and " passed" in done.stdout, done.stdout


def test_typescript_is_strictly_typed() -> None:
    done = subprocess.run(
        [npm(), "run", "typecheck"], cwd=EXTENSION, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_catalog_json_is_current() -> None:
    """The extension highlights and colours with a copy of the node catalogue: it must be this one."""
    shipped = json.loads((EXTENSION / "src" / "catalog.json").read_text(encoding="utf-8"))
    regenerate = "python -m flow_nb.notebook.mime > labextension/src/catalog.json"
    assert shipped == json.loads(json.dumps(catalog())), (
        f"labextension/src/catalog.json is stale: {regenerate}"
    )


def test_layout_fixture_is_what_python_draws() -> None:
    """The TypeScript layout is tested against this fixture; it must still be what layout.py makes."""
    cases = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert cases, "no layout cases"
    for name, case in cases.items():
        model = {k: v for k, v in case["export"].items() if k not in ("format", "flow_nb_version", "secrets")}
        workflow = fn.Workflow.model_validate(model)  # the model, whatever the format version
        assert expected(workflow) == {k: case[k] for k in ("positions", "arrows", "view_box")}, (
            f"layout case {name!r} is stale: python tests/labextension/layout_cases.py"
        )
