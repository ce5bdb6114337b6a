"""flow_nb's JupyterLab extension in real JupyterLab: a saved notebook shows its workflow graph and run
trace with no kernel, and a typed ``%%flow`` cell gets its tokens highlighted.

This module starts its own JupyterLab whose data dir holds the extension as
``labextensions/@flow-nb/labextension`` -> ``labextension/build`` (a symlink: what ``pip install``
puts in ``share/jupyter/labextensions``, without touching the environment's own install). The build is
made by the package's build hook (``pip install -e .``); when it is missing here it is built first.
The lab has no kernel specs at all, so nothing can run: what shows comes from the saved notebook alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from labhelpers import TOKEN, jupyter_server, output_dir
from nbclient import NotebookClient
from playwright.sync_api import expect

from flow_nb.notebook.mime import RUN_MIME, WORKFLOW_MIME

ROOT = Path(__file__).parent.parent.parent
EXTENSION = ROOT / "labextension"
BUILD = EXTENSION / "build"

CELLS = [
    "%load_ext flow_nb",
    "%%flow ask text_input --workflow support --start\nHow can I help you today?",
    "%%flow money boolean --after ask\nIs the input related to money?",
    "%%flow refuse feedback --after money:true\nSorry, we do not answer money related questions.",
    "%%flow forward feedback --after money:false\nI will forward your message, {{ result | trim }}.",
]


def _stale() -> bool:
    built = BUILD / "package.json"
    if not built.exists():
        return True
    sources = [*EXTENSION.glob("src/*"), *EXTENSION.glob("style/*"), EXTENSION / "package.json"]
    return max(p.stat().st_mtime for p in sources) > built.stat().st_mtime


@pytest.fixture(scope="module")
def extension() -> Path:
    """The built extension (``labextension/build``), built now if missing or older than its sources."""
    if _stale():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI"):
                raise RuntimeError("npm is missing: the labextension cannot be built")
            pytest.skip("npm is not installed: the labextension cannot be built")
        if not (EXTENSION / "node_modules").exists():
            subprocess.run([npm, "ci"], cwd=EXTENSION, check=True, capture_output=True, timeout=600)
        subprocess.run([npm, "run", "build"], cwd=EXTENSION, check=True, capture_output=True, timeout=600)
    return BUILD


def _api(base: str, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(
        f"{base}{path}", method=method, headers={"Authorization": f"token {TOKEN}"}
    )
    body = urllib.request.urlopen(request, timeout=5).read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def ext_lab(tmp_path_factory: pytest.TempPathFactory, extension: Path) -> Iterator[dict[str, Any]]:
    """JupyterLab with the extension in its own data dir and no kernel specs."""
    home, root = tmp_path_factory.mktemp("ext-jhome"), tmp_path_factory.mktemp("ext-root")
    target = home / "data" / "labextensions" / "@flow-nb" / "labextension"
    target.parent.mkdir(parents=True)
    target.symlink_to(extension, target_is_directory=True)
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    extra_env = {"JUPYTERLAB_SETTINGS_DIR": str(home / "config" / "lab" / "user-settings")}
    args = [
        "--LabApp.expose_app_in_browser=True",
        # no kernel can start: the notebook shows only what was saved in it
        "--KernelSpecManager.allowed_kernelspecs=flow-nb-no-kernel",
    ]
    with jupyter_server("jupyterlab", home, root, args=args, env=extra_env) as base:
        yield {"base": base, "root": root, "log": home / "jupyterlab.log"}


@pytest.fixture
def ext_page(browser: Any, ext_lab: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not [e for e in errors if "flow" in e.lower()], errors


def _saved_notebook(root: Path) -> str:
    """A notebook run top to bottom in a real kernel and saved: the cells, ``%flow show``'s workflow, and
    ``%flow run``'s record as the cell's value (the demo model answers). The kernel starts in the
    repository, so it imports the flow_nb under test."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.cells += [
        nbformat.v4.new_code_cell("%flow show support"),
        nbformat.v4.new_code_cell('%flow run support "Can I get a refund?"'),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute(env=env)
    shown, ran = nb.cells[-2].outputs, nb.cells[-1].outputs
    assert any(WORKFLOW_MIME in o.get("data", {}) for o in shown), shown
    assert any(RUN_MIME in o.get("data", {}) for o in ran), ran
    nbformat.write(nb, root / "saved.ipynb")
    return "saved.ipynb"


def _open(page: Any, lab: dict[str, Any], name: str) -> None:
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    # the lab has no kernel specs: JupyterLab asks which kernel to use, and there is none to pick
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_role("button", name="No Kernel").click(timeout=60_000)
    expect(dialog).to_have_count(0)


def test_saved_notebook_shows_graph_and_trace_without_kernel(ext_page: Any, ext_lab: dict[str, Any]) -> None:
    page = ext_page
    _open(page, ext_lab, _saved_notebook(ext_lab["root"]))
    out = output_dir("labextension")

    graph = page.locator("[data-testid=flow-workflow]")
    expect(graph).to_have_count(1, timeout=30_000)
    expect(graph).to_contain_text("workflow support · 4 nodes · 3 relations")
    nodes = graph.locator("[data-testid=flow-graph-node]")
    expect(nodes).to_have_count(4)
    expect(graph.locator("[data-testid=flow-graph-node].fnb-start")).to_have_attribute("data-node", "ask")
    expect(graph.locator("[data-testid=flow-graph-node][data-node=ask]")).to_contain_text("▶ ask")
    labels = graph.locator("[data-testid=flow-graph-label]")
    expect(labels).to_have_text(["received", "true", "false"])
    fills = graph.locator("rect").evaluate_all("rects => rects.map(r => r.getAttribute('fill'))")
    assert fills == ["#0d6efd", "#6f42c1", "#0d6efd", "#0d6efd"], fills  # text, ai, text, text
    graph.screenshot(path=str(out / "saved-workflow-graph.png"))

    trace = page.locator("[data-testid=flow-trace]")
    expect(trace).to_have_count(1)
    expect(trace.locator("[data-testid=flow-trace-status]")).to_have_text("FINISHED")
    expect(trace.locator("[data-testid=flow-trace-totals]")).to_contain_text("3 node runs")
    rows = trace.locator("[data-testid=flow-trace-row]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-node", "ask")
    expect(rows.nth(1).locator("[data-testid=flow-trace-condition]")).to_have_text("boolean_true")
    expect(rows.nth(1).locator(".fnb-tokens")).not_to_have_text("0")
    expect(rows.nth(2)).to_contain_text("Sorry, we do not answer money related questions.")
    expect(trace.locator("[data-testid=flow-trace-path]")).to_contain_text(
        "ask:text_received → money:boolean_true → refuse:human_feedback_text_ok"
    )
    expect(trace.locator("[data-testid=flow-trace-result]")).to_have_text(
        ["Sorry, we do not answer money related questions."]
    )
    trace.screenshot(path=str(out / "saved-run-trace.png"))
    page.screenshot(path=str(out / "saved-notebook.png"), full_page=True)

    # nothing ran: the server has no kernel, and the notebook's session has none
    assert _api(ext_lab["base"], "/api/kernels") == []
    assert (
        page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel ?? null") is None
    )


TYPED = (
    "%%flow reply feedbak --after money:maybe --no-auto-continue\n"
    "Dear {{ workflow.customer }}, {% if result %}{{ result | upper }}{% endif %}\n"
)
RELATIONS = (
    "%%flow relations support\nask -> money\nmoney:true -> refuse   # refunds\nmoney:nope => forward\n"
)


def containing(text: str) -> re.Pattern[str]:
    """An attribute value that contains ``text``."""
    return re.compile(re.escape(text))


def _type_cell(page: Any, text: str) -> Any:
    """Add a cell at the end, type ``text`` into it, and return its editor's content element."""
    page.evaluate(
        """async () => {
             const app = window.jupyterapp, nb = app.shell.currentWidget.content;
             nb.activeCellIndex = nb.widgets.length - 1;
             await app.commands.execute('notebook:insert-cell-below');
             await app.commands.execute('notebook:enter-edit-mode');
           }"""
    )
    editor = page.locator(".jp-Notebook .jp-Cell").last.locator(".cm-content")
    editor.click()
    page.keyboard.insert_text(text)
    return editor


def test_typed_flow_cells_are_highlighted(ext_page: Any, ext_lab: dict[str, Any]) -> None:
    page = ext_page
    _open(page, ext_lab, _saved_notebook(ext_lab["root"]))
    page.locator("[data-testid=flow-workflow]").wait_for(timeout=30_000)
    out = output_dir("labextension")

    editor = _type_cell(page, TYPED)
    cell = page.locator(".jp-Notebook .jp-Cell").last
    expect(cell.locator(".cm-editor.fnb-flow-cell")).to_have_count(1)
    expect(editor.locator(".fnb-magic")).to_have_text("%%flow")
    expect(editor.locator(".fnb-name")).to_have_text("reply")
    expect(editor.locator(".fnb-type")).to_have_text("feedbak")
    expect(editor.locator(".fnb-type.fnb-invalid")).to_have_attribute(
        "title", containing("unknown node type")
    )
    expect(editor.locator(".fnb-option")).to_have_text(["--after", "--no-auto-continue"])
    expect(editor.locator(".fnb-node")).to_have_text("money")
    # money is a boolean (declared two cells up): "maybe" is not one of its conditions
    expect(editor.locator(".fnb-condition.fnb-invalid")).to_have_text("maybe")
    expect(editor.locator(".fnb-condition.fnb-invalid")).to_have_attribute(
        "title", containing("its conditions are: false, true, undecided, error")
    )
    expect(editor.locator(".fnb-jinja-delim")).to_have_count(8)
    expect(editor.locator(".fnb-jinja")).to_have_text(["workflow.customer", "result", "result"])
    expect(editor.locator(".fnb-jinja-keyword")).to_have_text(["if", "endif"])
    expect(editor.locator(".fnb-jinja-filter")).to_have_text("upper")

    # fixing the type and the condition clears the marks
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    for _ in range(len(" --no-auto-continue") + len("maybe")):
        page.keyboard.press("Backspace")
    page.keyboard.insert_text("true --no-auto-continue")
    expect(editor.locator(".fnb-condition")).to_have_text("true")
    expect(editor.locator(".fnb-condition.fnb-invalid")).to_have_count(0)
    cell.screenshot(path=str(out / "typed-node-cell.png"))

    relations = _type_cell(page, RELATIONS)
    rcell = page.locator(".jp-Notebook .jp-Cell").last
    expect(relations.locator(".fnb-keyword")).to_have_text("relations")
    expect(relations.locator(".fnb-arrow")).to_have_text(["->", "->", "=>"])
    expect(relations.locator(".fnb-node")).to_have_text(
        ["ask", "money", "money", "refuse", "money", "forward"]
    )
    expect(relations.locator(".fnb-comment")).to_have_text("# refunds")
    expect(relations.locator(".fnb-condition")).to_have_text(["true", "nope"])
    expect(relations.locator(".fnb-condition.fnb-invalid")).to_have_text("nope")
    rcell.screenshot(path=str(out / "typed-relations-cell.png"))

    # a plain Python cell is left alone
    plain = _type_cell(page, "x = {'a': 1}  # %%flow is not at the start")
    expect(page.locator(".jp-Notebook .jp-Cell").last.locator(".cm-editor.fnb-flow-cell")).to_have_count(0)
    expect(plain.locator("[class*=fnb-]")).to_have_count(0)
