"""Helpers for tests in real JupyterLab (see conftest.py for the fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TOKEN = "e2e-token"
OUTPUT = Path(__file__).parent.parent.parent / "test-output" / "browser"


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
