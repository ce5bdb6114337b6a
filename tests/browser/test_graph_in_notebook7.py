"""Smoke test: the graph widget renders and takes a hand-drawn relation in Jupyter Notebook 7."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import free_port
from labhelpers import TOKEN, output_dir
from playwright.sync_api import expect
from test_graph_in_lab import SUPPORT, draw_relation, notebook, relation

pytest.importorskip("notebook", reason="Jupyter Notebook 7 is installed with .[dev]")


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home, root = tmp_path_factory.mktemp("nbhome"), tmp_path_factory.mktemp("nbroot")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        env.pop(name, None)
    port = free_port()
    log = (home / "notebook.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notebook",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--allow-root",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            request = urllib.request.Request(
                f"{base}/api/status", headers={"Authorization": f"token {TOKEN}"}
            )
            urllib.request.urlopen(request, timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"Jupyter Notebook did not start; see {home / 'notebook.log'}") from None
            time.sleep(0.3)
    yield {"base": base, "root": root}
    proc.terminate()
    proc.wait(15)
    log.close()


KERNEL_IDLE = """() => { const k = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
                         return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""


def test_the_graph_widget_works_in_notebook_7(browser: Any, notebook7: dict[str, Any]) -> None:
    name = notebook(notebook7["root"], "graph-nb7.ipynb", SUPPORT)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{notebook7['base']}/notebooks/{name}?token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        graph = page.locator("[data-testid=flow-graph]").first
        expect(graph.locator("[data-testid=flow-graph-counts]")).to_have_text(
            "5 nodes · 4 relations", timeout=60_000
        )
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        graph.scroll_into_view_if_needed()
        draw_relation(page, graph, "money", "forward", "boolean_undecided")
        expect(relation(graph, "money:undecided -> forward")).to_have_count(1)
        expect(graph.locator("[data-testid=flow-graph-counts]")).to_have_text("5 nodes · 5 relations")
        page.screenshot(path=str(output_dir("graph") / "8-notebook7.png"))
    finally:
        context.close()
