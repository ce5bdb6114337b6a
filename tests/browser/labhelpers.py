"""Helpers for tests in real JupyterLab (see conftest.py for the fixtures)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TOKEN = "e2e-token"
OUTPUT = Path(__file__).parent.parent.parent / "test-output" / "browser"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def jupyter_server(
    app: str,
    home: Path,
    root: Path,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run ``python -m APP`` (jupyterlab, notebook) on 127.0.0.1 with its config, data, runtime and IPython
    dirs in ``home`` and its files in ``root``; yields its base URL once it answers, stops it after."""
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        **(env or {}),
    }
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        environment.pop(name, None)  # notebooks run on the scripted demo model
    port = free_port()
    log_path = home / f"{app}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                app,
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--port-retries=0",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={root}",
                "--allow-root",
                *args,
            ],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    request = urllib.request.Request(
                        f"{base}/api/status", headers={"Authorization": f"token {TOKEN}"}
                    )
                    urllib.request.urlopen(request, timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(f"{app} did not start; see {log_path}") from None
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            proc.wait(15)


def open_notebook(page: Any, lab: dict[str, Any], name: str) -> None:
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    wait_kernel_idle(page)


def wait_kernel_idle(page: Any, timeout: int = 90_000) -> None:
    page.wait_for_function(
        """() => { const k = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
                   return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }""",
        timeout=timeout,
    )
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=timeout)
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
                 .some(p => p.textContent.includes('*'))""",
        timeout=timeout,
    )


def output_dir(name: str) -> Path:
    path = OUTPUT / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_new_cell(page: Any, code: str) -> None:
    """Add a cell at the end of the notebook, put ``code`` in it and run it (through JupyterLab's
    commands, so it works wherever the keyboard focus is)."""
    page.evaluate(
        """async (code) => {
             const app = window.jupyterapp, nb = app.shell.currentWidget.content;
             nb.activeCellIndex = nb.widgets.length - 1;
             await app.commands.execute('notebook:insert-cell-below');
             nb.activeCell.model.sharedModel.setSource(code);
             await app.commands.execute('notebook:run-cell');
           }""",
        code,
    )
    wait_kernel_idle(page)
