"""Smoke test: the graph widget renders and takes a hand-drawn relation in Jupyter Notebook 7."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from labhelpers import TOKEN, jupyter_server, output_dir
from playwright.sync_api import expect
from test_graph_in_lab import SUPPORT, draw_relation, notebook, relation

pytest.importorskip("notebook", reason="Jupyter Notebook 7 is installed with .[dev]")


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home, root = tmp_path_factory.mktemp("nbhome"), tmp_path_factory.mktemp("nbroot")
    with jupyter_server(
        "notebook", home, root, args=["--JupyterNotebookApp.expose_app_in_browser=True"]
    ) as base:
        yield {"base": base, "root": root}


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
