"""Graph widget speed: display to first paint, and frame time while dragging a node, for 30/300/1,000 nodes.

Run it from the repository root (Playwright and Debian's Chromium as for the browser tests)::

    python bench/graph.py                 # the table, then one JSON line with every figure
    python bench/graph.py --sizes 300     # one size only

What runs: the widget's own front end, ``flow_nb/notebook/static/graph.js`` (and ``graph.css``), loaded as
an ES module by a minimal static HTML page served from 127.0.0.1 — **not** a full JupyterLab. The page
implements a fake anywidget model (``get``/``set``/``on``/``off``/``send``), and the ``graph`` state it
gets is exactly what the Python widget would send (``graph_state(workflow)``, as JSON text). Chromium is
Debian's, headless, with the flags of ``tests/browser/conftest.py``.

A workflow of N nodes of five types (every colour family) has 2N relations: after one start node, layers
about sqrt(N) nodes wide, one relation into every node from the layer before, the rest random between
neighbouring layers, a tenth of them going back; each on a condition its source can meet.

Figures, each the median of ``--repeat`` runs in fresh pages; "all in view" is the graph fitted to the
widget (at that scale edge labels and types are not drawn), "at 100%" is zoomed in to full size:

- ``SVG elts``: elements in the drawing (one ``<g>`` + 5 per node, one ``<g>`` + 3 per relation);
- ``state``: building the ``graph`` trait in Python (``layout`` included) and its JSON size;
- ``render``: ``JSON.parse`` of the state + the widget's ``render()`` call;
- ``first paint``: from the state's arrival to the second animation frame after it (the first frame
  that shows the graph has been presented);
- ``change``: a new ``graph`` value with one more relation (what a ``wf.connect`` sends) to the next frame;
- ``drag frame``: real mouse moves through Chromium's input pipeline while a node is dragged: the
  interval between animation frames (median and 95th percentile; 16.7 ms is 60 frames a second);
- ``drag update``: the script and style/layout work of one synthetic ``pointermove`` in the frame that
  applies it (without raster), median.

Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import itertools
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import flow_nb as fn
from flow_nb.model import Node, Relation
from flow_nb.notebook.graph_state import graph_state
from flow_nb.testing.browser import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "flow_nb" / "notebook" / "static"
TYPES = [
    ("code", {"code": "return input"}),
    ("feedback", {"text_display": "{{result}}"}),
    ("boolean", {"criteria": "Is it about money?"}),
    ("http_output", {"endpoint": "http://127.0.0.1:9/hook"}),
    ("data_search", {"data_source": "docs"}),
]

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="graph.css">
<style>body { margin: 0; font-family: sans-serif; } #host { width: 1200px; }</style></head>
<body><div id="host"></div>
<script type="module">
import widget from "./graph.js";

class FakeModel {
  constructor(state) { this.state = state; this.handlers = new Map(); this.sent = []; }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.emit(`change:${name}`); }
  on(event, handler) { this.handlers.set(event, [...(this.handlers.get(event) || []), handler]); }
  off(event, handler) { this.handlers.set(event, this.handlers.get(event).filter((h) => h !== handler)); }
  emit(event, ...args) { for (const h of this.handlers.get(event) || []) h(...args); }
  send(content) { this.sent.push(content); }
  save_changes() {}
}
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

window.display = async (text) => {
  const began = performance.now();
  const model = new FakeModel({ graph: JSON.parse(text), run_state: {}, saving: {} });
  window.model = model;
  widget.render({ model, el: document.getElementById("host") });
  const rendered = performance.now() - began;
  await frame(); await frame();
  return { render: rendered, paint: performance.now() - began };
};

window.change = async (text) => {
  const graph = JSON.parse(text);
  const began = performance.now();
  window.model.set("graph", graph);
  await frame(); await frame();
  return performance.now() - began;
};

window.recordFrames = () => {
  window.frames_ = []; window.recording = true;
  const tick = (t) => { if (!window.recording) return; window.frames_.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
};
window.stopFrames = () => { window.recording = false; return window.frames_; };

window.syntheticDrag = async (key, moves) => {
  const node = document.querySelector(`[data-testid=flow-graph-node-${key}]`);
  const svg = document.querySelector("[data-testid=flow-graph-svg]");
  const box = node.querySelector("rect").getBoundingClientRect();
  let x = box.x + box.width / 2, y = box.y + box.height / 2;
  const at = (cx, cy) => ({ bubbles: true, clientX: cx, clientY: cy, pointerId: 1, button: 0 });
  node.querySelector("rect").dispatchEvent(new PointerEvent("pointerdown", at(x, y)));
  const times = [];
  for (let i = 0; i < moves; i++) {
    x += 3; y += (i % 2 ? 2 : -2);
    await frame();
    // frame callbacks run in the order they were asked for: `before` runs just before the widget's
    // own (asked for by the pointermove), `after` just after it
    const done = new Promise((resolve) => {
      let began = 0;
      requestAnimationFrame(() => { began = performance.now(); });
      svg.dispatchEvent(new PointerEvent("pointermove", at(x, y)));
      requestAnimationFrame(() => {
        node.getBoundingClientRect();  // the style and layout the move forces
        resolve(performance.now() - began);
      });
    });
    times.push(await done);
  }
  svg.dispatchEvent(new PointerEvent("pointerup", at(x, y)));
  return times;
};
</script></body></html>
"""


def workflow(n: int, seed: int = 7, back: float = 0.1) -> fn.Workflow:
    """N nodes of five types in layers about sqrt(N) wide after one start node; 2N relations: one into
    every node from the layer before, the rest random between neighbouring layers, a tenth going back."""
    rng = random.Random(seed)
    width = max(3, round(math.sqrt(n)))
    nodes, layers = [], [[0]]
    for i in range(n):
        kind, config = TYPES[i % len(TYPES)]
        nodes.append(
            Node.model_validate({"name": f"n{i}", "type": kind, "config": config, "start_node": i == 0})
        )
        if i:
            if len(layers[-1]) == width or len(layers) == 1:
                layers.append([])
            layers[-1].append(i)
    relations: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()

    def add(source: Node, target: Node) -> None:
        condition = rng.choice(source.conditions())
        key = (source.id, condition.system_name, target.id)
        if key not in seen:
            seen.add(key)
            relations.append(Relation(source=source.id, condition=condition, target=target.id))

    for depth in range(1, len(layers)):
        for i in layers[depth]:
            add(nodes[rng.choice(layers[depth - 1])], nodes[i])
    while len(relations) < 2 * n and len(layers) > 1:
        depth = rng.randrange(len(layers) - 1)
        a, b = rng.choice(layers[depth]), rng.choice(layers[depth + 1])
        if rng.random() < back:
            add(nodes[b], nodes[rng.choice(layers[rng.randrange(depth + 1)])])
        else:
            add(nodes[a], nodes[b])
    return fn.Workflow(f"bench{n}", nodes=nodes, relations=relations)


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _note(errors: list[str], error: Any) -> None:
    errors.append(str(error))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def measure(browser: Any, base: str, n: int, repeat: int, shots: Path | None = None) -> dict[str, Any]:
    wf = workflow(n)
    builds = []
    for _ in range(repeat):
        began = time.perf_counter()
        state = graph_state(wf)
        builds.append(time.perf_counter() - began)
    text = json.dumps(state)
    wf.connect(wf.nodes[-1].key, "error", wf.nodes[0].key)
    changed = json.dumps(graph_state(wf))
    renders, paints, changes = [], [], []
    fit_drag: tuple[list[float], list[float]] = ([], [])
    full_drag: tuple[list[float], list[float]] = ([], [])
    elements = 0
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", functools.partial(_note, errors))
        page.goto(f"{base}/index.html")
        page.wait_for_function("typeof window.display === 'function'")
        shown = page.evaluate("(text) => window.display(text)", text)
        if errors:
            raise RuntimeError(f"the widget failed in the page: {errors}")
        elements = page.evaluate("document.querySelectorAll('[data-testid=flow-graph-svg] *').length")
        renders.append(shown["render"])
        paints.append(shown["paint"])
        changes.append(page.evaluate("(text) => window.change(text)", changed))
        key = state["nodes"][len(state["nodes"]) // 2]["key"]
        for zoom, (frames, updates) in (("fit", fit_drag), ("100%", full_drag)):
            if zoom == "100%":
                key = zoom_to_one(page)
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / f"graph-{n}-{zoom.rstrip('%')}.png"))
            frame_times, update_times = drag(page, key)
            frames.extend(frame_times)
            updates.extend(update_times)
        context.close()
    row: dict[str, Any] = {
        "nodes": n,
        "relations": len(wf.relations) - 1,
        "state_ms": statistics.median(builds) * 1000,
        "state_kb": len(text) / 1024,
        "render_ms": statistics.median(renders),
        "first_paint_ms": statistics.median(paints),
        "change_ms": statistics.median(changes),
        "svg_elements": elements,
    }
    for zoom, (frames, updates) in (("fit", fit_drag), ("100", full_drag)):
        frames.sort()
        row[f"drag_{zoom}_frame_p50_ms"] = statistics.median(frames)
        row[f"drag_{zoom}_frame_p95_ms"] = frames[int(0.95 * (len(frames) - 1))]
        row[f"drag_{zoom}_update_ms"] = statistics.median(updates)
    return row


def centre_of(page: Any, key: str) -> tuple[float, float]:
    box = page.locator(f"[data-testid=flow-graph-node-{key}] rect").bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


NEAREST = """() => {
  const box = document.querySelector('[data-testid=flow-graph-svg]').getBoundingClientRect();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  let best = null, far = Infinity;
  for (const rect of document.querySelectorAll('.fnbg-node rect')) {
    const r = rect.getBoundingClientRect(), d = Math.hypot(r.x + r.width / 2 - cx, r.y + r.height / 2 - cy);
    if (d < far) { far = d; best = rect.parentNode.getAttribute('data-key'); }
  }
  return best;
}"""


def zoom_to_one(page: Any) -> str:
    """Wheel-zoom around the middle of the view until the graph is at 100% (labels shown); the key of
    the node nearest the middle."""
    box = page.locator("[data-testid=flow-graph-svg]").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(20):
        transform = page.locator(".fnbg-viewport").get_attribute("transform") or ""
        scale = float(transform.rsplit("scale(", 1)[1].rstrip(")"))
        if abs(scale - 1) < 0.05:
            return str(page.evaluate(NEAREST))
        # the widget zooms by exp(-deltaY * 0.0015) a wheel event, within 0.05 .. 4
        page.mouse.wheel(0, -math.log(1 / max(scale, 0.05)) / 0.0015)
        page.wait_for_timeout(50)
    raise RuntimeError(f"could not zoom to 100% (at {scale})")


def drag(page: Any, key: str) -> tuple[list[float], list[float]]:
    """Frame intervals while the real mouse drags the node, then synthetic one-move update costs."""
    x, y = centre_of(page, key)
    page.mouse.move(x, y)
    page.mouse.down()
    page.evaluate("window.recordFrames()")
    for step in range(120):
        page.mouse.move(x + step * 2, y + (step % 10) * 3)
    stamps = page.evaluate("window.stopFrames()")
    page.mouse.up()
    frames = [b - a for a, b in itertools.pairwise(stamps)]
    updates = page.evaluate("([key, moves]) => window.syntheticDrag(key, moves)", [key, 60])
    return frames, updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shots", type=Path, help="save a screenshot of each size here (fit, and 100%%)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="flow-nb-graph-bench-"))
    xdg = folder / "xdg"
    for name in ("graph.js", "graph.css"):
        shutil.copy(STATIC / name, folder / name)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    server, base = serve(folder)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                env={**os.environ, "XDG_CONFIG_HOME": str(xdg), "XDG_CACHE_HOME": str(xdg)},
            )
            for n in args.sizes:
                rows.append(measure(browser, base, n, args.repeat, args.shots))
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    head = (
        f"{'nodes':>6} {'rels':>6} {'SVG elts':>9} {'state ms':>9} {'state KB':>9} {'render ms':>10} "
        f"{'1st paint ms':>13} {'change ms':>10}   {'drag, all in view':<24} {'drag at 100%':<24}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        fit, full = (
            f"{r[f'drag_{z}_frame_p50_ms']:>5.1f} /{r[f'drag_{z}_frame_p95_ms']:>5.1f}, "
            f"{r[f'drag_{z}_update_ms']:>4.2f}"
            for z in ("fit", "100")
        )
        print(
            f"{r['nodes']:>6} {r['relations']:>6} {r['svg_elements']:>9} {r['state_ms']:>9.1f} "
            f"{r['state_kb']:>9.0f} {r['render_ms']:>10.1f} {r['first_paint_ms']:>13.1f} "
            f"{r['change_ms']:>10.1f}   {fit:<24} {full:<24}"
        )
    print("drag: frame interval p50 / p95 ms (60 fps = 16.7), then script + layout of one move in ms")
    print(json.dumps({"bench": "graph", "page": "static page + fake anywidget model", "rows": rows}))


if __name__ == "__main__":
    main()
