"""The graph widget in real JupyterLab: wire by dragging, delete, move, watch a run, survive a restart.

Every hand edit is read back from the kernel in a new cell, which proves the round trip.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
from labhelpers import open_notebook, output_dir, run_new_cell, wait_kernel_idle
from playwright.sync_api import expect

SUPPORT = [
    "%load_ext flow_nb\nimport flow_nb as fn",
    "%%flow ask text_input --workflow support --start\nHow can I help you today?",
    "%%flow money boolean --after ask\nIs the input related to money?",
    "%%flow refuse feedback --after money:true\nSorry, we do not answer money related questions.",
    "%%flow forward feedback --after money:false\nI will forward your message to a customer service agent.",
    "%%flow name text_input --after forward\nMay I have your name?",
    "%flow graph support --file support.flow.json",
]

WIRING = (
    "wf = fn.registry.get('support')\n"
    "print(sorted(f'{wf[r.source].key}:{r.condition.system_name}->{wf[r.target].key}' for r in wf.relations))"
)

# Notes every status a graph node shows, in order, as the run changes it.
WATCH_STATUSES = """() => {
  window.__flowStatuses = {};
  new MutationObserver((changes) => {
    for (const change of changes) {
      const key = change.target.getAttribute('data-key');
      const status = change.target.getAttribute('data-status');
      if (!key || !status) continue;
      const seen = (window.__flowStatuses[key] ||= []);
      if (seen[seen.length - 1] !== status) seen.push(status);
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-status']});
}"""


def notebook(root: Path, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / name)
    return name


def run_all(page: Any) -> None:
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_kernel_idle(page)


def last_output(page: Any) -> Any:
    return page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-OutputArea-output")


def kernel_wiring(page: Any) -> list[str]:
    run_new_cell(page, WIRING)
    out = last_output(page)
    expect(out).to_contain_text("[")
    return list(json.loads(out.inner_text().strip().replace("'", '"')))


def centre(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()


def draw_relation(page: Any, graph: Any, source: str, target: str, condition: str) -> None:
    handle = graph.locator(f"[data-testid=flow-graph-handle-{source}]")
    drag(page, centre(handle), centre(graph.locator(f"[data-testid=flow-graph-node-{target}] rect")))
    picker = graph.locator("[data-testid=flow-graph-picker]")
    expect(picker).to_be_visible()
    picker.locator(f"[data-testid=flow-graph-pick-{condition}]").click()


def relation(graph: Any, text: str) -> Any:
    return graph.locator(f'[data-testid=flow-graph-relation][data-text="{text}"]')


def translate(node: Any) -> tuple[float, float]:
    found = re.match(r"translate\(([-\d.]+),([-\d.]+)\)", node.get_attribute("transform") or "")
    assert found, node.get_attribute("transform")
    return float(found.group(1)), float(found.group(2))


def view_of(graph: Any) -> str:
    return str(graph.locator(".fnbg-viewport").get_attribute("transform"))


def open_support(page: Any, lab: dict[str, Any], name: str) -> Any:
    (lab["root"] / "support.flow.json").unlink(missing_ok=True)
    open_notebook(page, lab, notebook(lab["root"], name, SUPPORT))
    run_all(page)
    graph = page.locator("[data-testid=flow-graph]").first
    expect(graph.locator("[data-testid=flow-graph-counts]")).to_have_text(
        "5 nodes · 4 relations", timeout=30_000
    )
    graph.scroll_into_view_if_needed()
    return graph


def test_wire_delete_and_move_by_hand(page: Any, lab: dict[str, Any]) -> None:
    shots = output_dir("graph")
    graph = open_support(page, lab, "graph-wiring.ipynb")
    expect(graph.locator("[data-testid=flow-graph-title]")).to_have_text("graph of support")
    expect(graph.locator("[data-testid=flow-graph-node-ask]")).to_contain_text("▶ ask")
    expect(graph.locator("[data-testid=flow-graph-saved]")).to_contain_text("kept in support.flow.json")
    page.screenshot(path=str(shots / "1-drawn.png"))

    # draw money --undecided--> forward by dragging from money's handle, and pick the condition
    draw_relation(page, graph, "money", "forward", "boolean_undecided")
    expect(relation(graph, "money:undecided -> forward")).to_have_count(1)
    expect(graph.locator("[data-testid=flow-graph-counts]")).to_have_text("5 nodes · 5 relations")
    page.screenshot(path=str(shots / "2-drawn-relation.png"))
    assert "money:boolean_undecided->forward" in kernel_wiring(page)

    # select money --true--> refuse and delete it with the Delete key
    graph.scroll_into_view_if_needed()
    relation(graph, "money:true -> refuse").locator("text").click()
    expect(graph.locator("[data-testid=flow-graph-delete]")).to_be_enabled()
    page.keyboard.press("Delete")
    expect(relation(graph, "money:true -> refuse")).to_have_count(0)
    assert "money:boolean_true->refuse" not in kernel_wiring(page)

    # and one with the button
    graph.scroll_into_view_if_needed()
    relation(graph, "forward:ok -> name").locator("text").click()
    graph.locator("[data-testid=flow-graph-delete]").click()
    expect(relation(graph, "forward:ok -> name")).to_have_count(0)

    # drag the refuse node; its new position is in the export
    node = graph.locator("[data-testid=flow-graph-node-refuse]")
    x0, y0 = translate(node)
    cx, cy = centre(node.locator("rect"))
    drag(page, (cx, cy), (cx + 150, cy + 90))
    page.wait_for_function(
        """([x, y]) => document.querySelector('[data-testid=flow-graph-node-refuse]')
                          .getAttribute('transform') !== `translate(${x},${y})`""",
        arg=[x0, y0],
    )
    x1, y1 = translate(node)
    assert (x1, y1) != (x0, y0)
    page.screenshot(path=str(shots / "3-moved.png"))
    run_new_cell(
        page,
        "import json\n"
        "print(json.dumps([n.get('position') for n in fn.registry.get('support').export()['nodes']"
        " if n['name'] == 'refuse'][0]))",
    )
    expect(last_output(page)).to_contain_text("x")
    assert json.loads(last_output(page).inner_text()) == {"x": x1, "y": y1}
    saved = json.loads((lab["root"] / "support.flow.json").read_text())
    assert next(n for n in saved["nodes"] if n["name"] == "refuse")["position"] == {"x": x1, "y": y1}

    # a refused change is shown in the widget, and nothing changes
    run_new_cell(
        page,
        "from flow_nb.notebook.graph import widgets_of\n"
        "widgets_of(fn.registry.get('support'))[0].handle("
        "{'kind': 'connect', 'source': 'money', 'condition': 'maybe', 'target': 'forward'})",
    )
    error = graph.locator("[data-testid=flow-graph-error]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("cannot meet the condition 'maybe'")
    graph.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "4-refused.png"))
    expect(graph.locator("[data-testid=flow-graph-counts]")).to_have_text("5 nodes · 3 relations")

    # pan by dragging the background, zoom with the wheel, fit it all back in view
    graph.locator("[data-testid=flow-graph-fit]").click()
    fitted = view_of(graph)
    box = graph.locator("[data-testid=flow-graph-svg]").bounding_box()
    assert box is not None
    corner = (box["x"] + 30, box["y"] + box["height"] - 30)
    drag(page, corner, (corner[0] + 80, corner[1] - 40))
    panned = view_of(graph)
    assert panned != fitted and panned.endswith(fitted.rsplit(" ", 1)[1])  # moved, same scale
    page.mouse.move(*centre(graph.locator("[data-testid=flow-graph-svg]")))
    page.mouse.wheel(0, -300)
    page.wait_for_function(
        "(before) => document.querySelector('.fnbg-viewport').getAttribute('transform') !== before",
        arg=panned,
    )
    assert float(view_of(graph).rsplit("scale(", 1)[1][:-1]) > float(panned.rsplit("scale(", 1)[1][:-1])
    graph.locator("[data-testid=flow-graph-fit]").click()
    expect(graph.locator(".fnbg-viewport")).to_have_attribute("transform", fitted)


def test_watch_a_run(page: Any, lab: dict[str, Any]) -> None:
    shots = output_dir("graph")
    graph = open_support(page, lab, "graph-run.ipynb")
    page.evaluate(WATCH_STATUSES)
    run_new_cell(page, '%flow run support "Where is my parcel?"')  # money: false, then name waits
    expect(graph.locator("[data-testid=flow-graph-run-status]")).to_have_text("run: WAITING", timeout=30_000)
    for key, status in [
        ("ask", "FINISHED"),
        ("money", "FINISHED"),
        ("forward", "FINISHED"),
        ("name", "WAITING"),
    ]:
        expect(graph.locator(f"[data-testid=flow-graph-node-{key}]")).to_have_attribute("data-status", status)
    expect(graph.locator("[data-testid=flow-graph-node-refuse]")).not_to_have_attribute(
        "data-status", re.compile(".*")
    )
    expect(relation(graph, "money:false -> forward")).to_have_class(re.compile("fnbg-fired"))
    expect(relation(graph, "money:true -> refuse")).not_to_have_class(re.compile("fnbg-fired"))
    graph.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "5-run-waiting.png"))

    view = page.locator("[data-testid=flow-run-view]").last
    view.locator("[data-testid=flow-input]").fill("Ada")
    view.locator("[data-testid=flow-send]").click()
    expect(graph.locator("[data-testid=flow-graph-run-status]")).to_have_text("run: FINISHED", timeout=30_000)
    expect(graph.locator("[data-testid=flow-graph-node-name]")).to_have_attribute("data-status", "FINISHED")
    statuses = page.evaluate("window.__flowStatuses")  # seen in this order (RUNNING may be too brief)
    assert "WAITING" in statuses["name"] and statuses["name"][-1] == "FINISHED", statuses
    assert statuses["name"].index("WAITING") < len(statuses["name"]) - 1
    assert statuses["money"][-1] == "FINISHED" and "WAITING" not in statuses["money"], statuses

    # click a node: its last run's input, result, condition and time
    graph.scroll_into_view_if_needed()
    graph.locator("[data-testid=flow-graph-node-money] rect").click()
    details = graph.locator("[data-testid=flow-graph-details]")
    expect(details).to_be_visible()
    expect(details.locator("[data-testid=flow-graph-detail-input]")).to_have_text("Where is my parcel?")
    expect(details.locator("[data-testid=flow-graph-detail-result]")).to_have_text("Where is my parcel?")
    expect(details.locator("[data-testid=flow-graph-detail-condition]")).to_have_text("boolean_false")
    expect(details.locator("[data-testid=flow-graph-detail-time]")).to_have_text(
        re.compile(r"^\d+\.\d{3} s$")
    )
    page.screenshot(path=str(shots / "6-run-finished-details.png"))


def test_hand_edits_survive_a_kernel_restart(page: Any, lab: dict[str, Any]) -> None:
    shots = output_dir("graph")
    graph = open_support(page, lab, "graph-restart.ipynb")
    draw_relation(page, graph, "name", "ask", "text_received")  # a loop back to the start
    expect(relation(graph, "name:received -> ask")).to_have_count(1)
    relation(graph, "money:true -> refuse").locator("text").click()
    page.keyboard.press("Delete")
    expect(relation(graph, "money:true -> refuse")).to_have_count(0)
    node = graph.locator("[data-testid=flow-graph-node-forward]")
    cx, cy = centre(node.locator("rect"))
    drag(page, (cx, cy), (cx + 40, cy + 120))
    before = kernel_wiring(page)
    assert "name:text_received->ask" in before and "money:boolean_true->refuse" not in before
    run_new_cell(page, "print(fn.registry.get('support')['forward'].position)")
    moved = last_output(page).inner_text().strip()
    assert moved.startswith("x=")

    # restart the kernel and run every cell again: the cells make the nodes anew (new ids, only
    # their --after relations), and %flow graph ... --file takes the hand-made wiring back
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    wait_kernel_idle(page)
    run_new_cell(page, "print('restarted', 'fn' in dir())")
    expect(last_output(page)).to_have_text("restarted False")
    run_all(page)
    graph = page.locator("[data-testid=flow-graph]").first
    expect(relation(graph, "name:received -> ask")).to_have_count(1, timeout=30_000)
    expect(relation(graph, "money:true -> refuse")).to_have_count(0)
    assert sorted(kernel_wiring(page)) == sorted(before)
    run_new_cell(page, "print(fn.registry.get('support')['forward'].position)")
    assert last_output(page).inner_text().strip() == moved
    graph.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "7-after-restart.png"))
