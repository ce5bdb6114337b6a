// The graph widget: a workflow drawn in SVG, wired by hand, lit up by a run.
//
// Python owns the workflow: every hand edit is a message ("connect", "disconnect", "move"), and what is
// drawn always comes back from the `graph` trait. The drawing is kept lean for large graphs: one <g> per
// node, one <g> (hit path, path, label) per relation, updated in place by id; while a node is dragged
// only that node and its incident relations change, once per animation frame.
const SVG = "http://www.w3.org/2000/svg";
const STATUSES = ["RUNNING", "WAITING", "FINISHED", "FAILED", "STOPPED"];
let widgets = 0;

function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function cut(text, n) {
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

function render({ model, el: root }) {
  const uid = `fnbg${++widgets}-${Math.random().toString(36).slice(2, 8)}`;
  let W = 170, H = 54;
  const nodes = new Map(); // node id -> {data, g, x, y}
  const edges = new Map(); // relation id -> {data, g, hit, path, text}
  const incident = new Map(); // node id -> Set of relation ids
  const view = { x: 20, y: 20, k: 1, touched: false };
  let selectedEdge = null, selectedNode = null, gesture = null, frame = 0;

  // ------------------------------------------------------------------------------------------ DOM
  const title = el("b", { "data-testid": "flow-graph-title" });
  const counts = el("span", { class: "fnbg-muted", "data-testid": "flow-graph-counts" });
  const runStatus = el("span", { class: "fnbg-run", "data-testid": "flow-graph-run-status" });
  const saved = el("span", { class: "fnbg-muted fnbg-saved", "data-testid": "flow-graph-saved" });
  const delButton = el("button", { "data-testid": "flow-graph-delete", title: "Delete the selected relation (Delete key)", disabled: "" }, "Delete relation");
  const fitButton = el("button", { "data-testid": "flow-graph-fit", title: "Fit the whole graph in view" }, "Fit");
  const layoutButton = el("button", { "data-testid": "flow-graph-relayout", title: "Forget the hand-made positions and lay the graph out in layers again" }, "Re-layout");
  const cellButton = el("button", { "data-testid": "flow-graph-cell", title: "The wiring as a %%flow relations cell" }, "As cell");
  const toolbar = el("div", { class: "fnbg-toolbar" }, title, counts, runStatus, el("span", { class: "fnbg-grow" }),
    saved, cellButton, layoutButton, delButton, fitButton);
  const errorText = el("span", { "data-testid": "flow-graph-error-text" });
  const errorBar = el("div", { class: "fnbg-error", role: "alert", "data-testid": "flow-graph-error", hidden: "" },
    errorText, el("button", { class: "fnbg-x", title: "Dismiss", onclick: () => showError(null) }, "×"));
  const svg = svgEl("svg", { class: "fnbg-svg", "data-testid": "flow-graph-svg" });
  const defs = svgEl("defs");
  for (const [name, colour] of [["arrow", "#555"], ["fired", "#198754"], ["selected", "#d63384"]]) {
    const marker = svgEl("marker", { id: `${uid}-${name}`, viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerUnits: "userSpaceOnUse", markerWidth: "10", markerHeight: "10", orient: "auto-start-reverse" });
    marker.append(svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
    defs.append(marker);
  }
  const viewport = svgEl("g", { class: "fnbg-viewport" });
  const edgeLayer = svgEl("g", { class: "fnbg-edges" });
  const nodeLayer = svgEl("g", { class: "fnbg-nodes" });
  const overlay = svgEl("g", { class: "fnbg-overlay" });
  const linkLine = svgEl("path", { class: "fnbg-link", visibility: "hidden" });
  overlay.append(linkLine);
  viewport.append(edgeLayer, nodeLayer, overlay);
  svg.append(defs, viewport);
  const picker = el("div", { class: "fnbg-picker", "data-testid": "flow-graph-picker", hidden: "" });
  const details = el("div", { class: "fnbg-details", "data-testid": "flow-graph-details", hidden: "" });
  const cellBox = el("div", { class: "fnbg-cellbox", hidden: "" });
  const stage = el("div", { class: "fnbg-stage" }, svg, picker, details, cellBox);
  const root_ = el("div", { class: "flow-nb-graph", "data-testid": "flow-graph", tabindex: "0" }, toolbar, errorBar, stage);
  root.append(root_);

  // ------------------------------------------------------------------------------------- geometry
  function applyView() {
    viewport.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
    // level of detail: text too small to read is not drawn (a large graph fitted in view paints fast)
    svg.classList.toggle("fnbg-far", view.k < 0.45);
    svg.classList.toggle("fnbg-tiny", view.k < 0.2);
  }

  function toGraph(event) {
    const box = svg.getBoundingClientRect();
    return { x: (event.clientX - box.left - view.x) / view.k, y: (event.clientY - box.top - view.y) / view.k };
  }

  function fit() {
    const width = svg.clientWidth, height = svg.clientHeight;
    if (!width || !height) return false;
    if (!nodes.size) { view.x = 20; view.y = 20; view.k = 1; applyView(); return true; }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of nodes.values()) {
      x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y);
      x1 = Math.max(x1, n.x + W); y1 = Math.max(y1, n.y + H);
    }
    const pad = 30;
    view.k = Math.min(1.5, (width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0 + 50));
    view.x = (width - (x1 - x0) * view.k) / 2 - x0 * view.k;
    view.y = (height - (y1 - y0) * view.k) / 2 - y0 * view.k + 20 * view.k;
    applyView();
    return true;
  }

  function geometry(edge) {
    const s = nodes.get(edge.data.source), t = nodes.get(edge.data.target);
    const bend = edge.bend || 0;
    if (s === t) {
      const cx = s.x + W / 2, cy = s.y;
      const lift = 50 + Math.abs(bend) * 2;
      return { d: `M${cx - 20},${cy} C${cx - 40},${cy - lift} ${cx + 40},${cy - lift} ${cx + 20},${cy}`,
        lx: cx, ly: cy - lift + 8 };
    }
    let sx = s.x + W, sy = s.y + H / 2 + bend;
    let tx = t.x, ty = t.y + H / 2 + bend;
    if (tx < sx - 10) { // back to an earlier column: go round below both nodes
      sx = s.x + W / 2 + bend; tx = t.x + W / 2 + bend; sy = s.y + H; ty = t.y + H;
      const low = Math.max(sy, ty) + 40 + Math.abs(bend);
      return { d: `M${sx},${sy} C${sx},${low} ${tx},${low} ${tx},${ty}`, lx: (sx + tx) / 2, ly: low - 8 };
    }
    const mid = (sx + tx) / 2;
    return { d: `M${sx},${sy} C${mid},${sy} ${mid},${ty} ${tx},${ty}`, lx: mid, ly: (sy + ty) / 2 - 4 };
  }

  // Attributes are only written when they change: a redraw after one edit touches what the edit moved.
  function placeEdge(edge) {
    const { d, lx, ly } = geometry(edge);
    if (d === edge.d) return;
    edge.d = d;
    edge.path.setAttribute("d", d);
    edge.hit.setAttribute("d", d);
    edge.text.setAttribute("x", lx);
    edge.text.setAttribute("y", ly);
  }

  function placeNode(item) {
    const transform = `translate(${item.x},${item.y})`;
    if (transform === item.transform) return;
    item.transform = transform;
    item.g.setAttribute("transform", transform);
  }

  function edgeMarker(edge) {
    const kind = edge.id === selectedEdge ? "selected" : edge.fired ? "fired" : "arrow";
    if (kind === edge.marker) return;
    edge.marker = kind;
    edge.path.setAttribute("marker-end", `url(#${uid}-${kind})`);
  }

  // ----------------------------------------------------------------------------------- the graph
  function drawNode(item) {
    const n = item.data;
    item.g.replaceChildren();
    item.g.setAttribute("class", `fnbg-node fnbg-${n.family}${n.start ? " fnbg-start" : ""}`);
    item.g.setAttribute("data-testid", `flow-graph-node-${n.key}`);
    item.g.setAttribute("data-key", n.key);
    const colours = (model.get("graph") || {}).colours || {};
    const tip = svgEl("title");
    tip.textContent = `${n.name} (${n.type_name})${n.start ? " · start node" : ""}`;
    const body = svgEl("rect", { class: "fnbg-body", width: W, height: H, rx: 8, fill: colours[n.family] || "#666" });
    const name = svgEl("text", { class: "fnbg-name", x: 10, y: 22 });
    name.textContent = `${n.start ? "▶ " : ""}${cut(n.name, 20)}`;
    const type = svgEl("text", { class: "fnbg-type", x: 10, y: 40 });
    type.textContent = cut(n.type, 24);
    const handle = svgEl("circle", { class: "fnbg-handle", cx: W, cy: H / 2, r: 7,
      "data-testid": `flow-graph-handle-${n.key}` });
    const handleTip = svgEl("title");
    handleTip.textContent = "drag to another node to add a relation";
    handle.append(handleTip);
    item.g.append(tip, body, name, type, handle);
    if (n.start) item.g.append(svgEl("path", { class: "fnbg-start-mark", d: `M-11,${H / 2 - 7} L-2,${H / 2} L-11,${H / 2 + 7} z` }));
  }

  function sameNode(a, b) {
    return a.key === b.key && a.name === b.name && a.type === b.type && a.family === b.family && a.start === b.start;
  }

  function sync() {
    const graph = model.get("graph") || { nodes: [], relations: [] };
    W = graph.node_w || W; H = graph.node_h || H;
    title.textContent = `graph of ${graph.workflow || "?"}`;
    const seenNodes = new Set();
    for (const n of graph.nodes) {
      seenNodes.add(n.id);
      let item = nodes.get(n.id);
      if (!item) {
        item = { data: n, g: svgEl("g", { "data-id": n.id }), x: n.x, y: n.y };
        nodes.set(n.id, item);
        drawNode(item);
        nodeLayer.append(item.g);
      } else if (!sameNode(item.data, n)) {
        item.data = n;
        drawNode(item);
      }
      item.data = n;
      if (!(gesture && gesture.mode === "drag" && gesture.node === item)) { item.x = n.x; item.y = n.y; }
      placeNode(item);
    }
    for (const [id, item] of nodes) if (!seenNodes.has(id)) { item.g.remove(); nodes.delete(id); }
    const seenEdges = new Set();
    incident.clear();
    const pairs = new Map();
    for (const r of graph.relations) {
      seenEdges.add(r.id);
      let edge = edges.get(r.id);
      if (!edge) {
        const g = svgEl("g", { class: "fnbg-edge", "data-id": r.id, "data-testid": "flow-graph-relation" });
        const hit = svgEl("path", { class: "fnbg-hit" });
        const path = svgEl("path", { class: "fnbg-path" });
        const text = svgEl("text", { class: "fnbg-label", "text-anchor": "middle" });
        g.append(hit, path, text);
        edge = { id: r.id, data: null, g, hit, path, text, d: null, marker: null, fired: false };
        edges.set(r.id, edge);
        edgeLayer.append(g);
      }
      if (edge.data !== r && (edge.text.textContent !== r.label || edge.g.getAttribute("data-text") !== r.text)) {
        edge.g.setAttribute("data-text", r.text);
        edge.text.textContent = r.label;
      }
      edge.data = r;
      const pair = `${r.source}>${r.target}`;
      const index = pairs.get(pair) || 0;
      pairs.set(pair, index + 1);
      edge.bend = index ? (index % 2 ? 1 : -1) * Math.ceil(index / 2) * 12 : 0;
      for (const end of [r.source, r.target]) {
        if (!incident.has(end)) incident.set(end, new Set());
        incident.get(end).add(r.id);
      }
      placeEdge(edge);
    }
    for (const [id, edge] of edges) if (!seenEdges.has(id)) { edge.g.remove(); edges.delete(id); }
    if (selectedEdge && !edges.has(selectedEdge)) selectEdge(null);
    if (selectedNode && !nodes.has(selectedNode)) showDetails(null);
    counts.textContent = `${graph.nodes.length} nodes · ${graph.relations.length} relations`;
    paintRun();
    if (cellBox.hidden === false) showCell(true);
  }

  // ------------------------------------------------------------------------------------ the run
  function paintRun() {
    const run = model.get("run_state") || {};
    const states = run.nodes || {};
    for (const [id, item] of nodes) {
      const status = (states[id] || {}).status;
      if (status === item.status) continue;
      item.status = status;
      for (const s of STATUSES) item.g.classList.toggle(`st-${s}`, s === status);
      if (status) item.g.setAttribute("data-status", status);
      else item.g.removeAttribute("data-status");
    }
    const fired = new Set(run.fired || []);
    for (const edge of edges.values()) {
      const now = fired.has(edge.id);
      if (now !== edge.fired) { edge.fired = now; edge.g.classList.toggle("fnbg-fired", now); }
      edgeMarker(edge);
    }
    runStatus.textContent = run.status ? `run: ${run.status}` : "";
    runStatus.className = `fnbg-run ${run.status ? `fnbg-st-${run.status}` : ""}`;
    if (selectedNode) showDetails(selectedNode);
  }

  function showDetails(id) {
    selectedNode = id;
    for (const [nid, item] of nodes) item.g.classList.toggle("fnbg-chosen", nid === id);
    if (!id) { details.hidden = true; return; }
    const n = nodes.get(id).data;
    const last = ((model.get("run_state") || {}).nodes || {})[id];
    const rows = [
      el("div", { class: "fnbg-details-head" }, el("b", {}, n.name),
        el("button", { class: "fnbg-x", title: "Close", onclick: () => showDetails(null) }, "×")),
      el("div", { class: "fnbg-muted" }, `${n.type_name} · key ${n.key}${n.start ? " · start" : ""}`),
      el("div", { class: "fnbg-muted" }, `can meet: ${n.conditions.map((c) => c.label).join(", ")}`),
    ];
    if (last) {
      rows.push(
        el("div", { class: "fnbg-sub" }, `last run${last.runs > 1 ? ` (of ${last.runs})` : ""}: `,
          el("span", { class: `fnbg-pill fnbg-st-${last.status}`, "data-testid": "flow-graph-detail-status" }, last.status)),
        el("div", {}, el("span", { class: "fnbg-muted" }, "input "), el("span", { "data-testid": "flow-graph-detail-input" }, last.input)),
        el("div", {}, el("span", { class: "fnbg-muted" }, "result "), el("span", { "data-testid": "flow-graph-detail-result" }, last.result ?? "…")),
        el("div", {}, el("span", { class: "fnbg-muted" }, "condition "), el("span", { class: "fnbg-cond", "data-testid": "flow-graph-detail-condition" }, last.conditions.join(", ") || "—")),
        el("div", {}, el("span", { class: "fnbg-muted" }, "time "), el("span", { "data-testid": "flow-graph-detail-time" }, last.elapsed === null ? "…" : `${last.elapsed.toFixed(3)} s`)),
      );
      if (last.message && last.message !== "OK") rows.push(el("div", { class: "fnbg-muted" }, last.message));
    } else {
      rows.push(el("div", { class: "fnbg-muted", "data-testid": "flow-graph-detail-none" }, "not run yet"));
    }
    details.replaceChildren(...rows);
    details.hidden = false;
  }

  // ------------------------------------------------------------------------------ hand editing
  function selectEdge(id) {
    const before = selectedEdge;
    selectedEdge = id;
    for (const eid of [before, id]) {
      const edge = eid && edges.get(eid);
      if (edge) { edge.g.classList.toggle("fnbg-selected", eid === id); edgeMarker(edge); }
    }
    if (id) delButton.removeAttribute("disabled");
    else delButton.setAttribute("disabled", "");
  }

  function deleteSelected() {
    if (!selectedEdge) return;
    showError(null);
    model.send({ kind: "disconnect", relation: selectedEdge });
  }

  function showError(message) {
    errorText.textContent = message || "";
    errorBar.hidden = !message;
  }

  function closePicker() {
    picker.hidden = true;
    picker.replaceChildren();
  }

  function openPicker(source, target, event) {
    const taken = new Set([...edges.values()]
      .filter((e) => e.data.source === source.data.id && e.data.target === target.data.id)
      .map((e) => e.data.condition));
    const choose = (condition) => {
      closePicker();
      showError(null);
      model.send({ kind: "connect", source: source.data.id, condition, target: target.data.id });
    };
    picker.replaceChildren(
      el("div", { class: "fnbg-muted" }, `${source.data.key} → ${target.data.key}, when ${source.data.key}…`),
      ...source.data.conditions.map((c) => el("button", {
        "data-testid": `flow-graph-pick-${c.system_name}`, title: c.system_name,
        ...(taken.has(c.system_name) ? { disabled: "" } : {}),
        onclick: () => choose(c.system_name),
      }, taken.has(c.system_name) ? `${c.label} ✓` : c.label)),
      el("button", { class: "fnbg-cancel", "data-testid": "flow-graph-pick-cancel", onclick: closePicker }, "cancel"),
    );
    const box = stage.getBoundingClientRect();
    picker.style.left = `${Math.max(0, Math.min(event.clientX - box.left + 8, box.width - 200))}px`;
    picker.style.top = `${Math.max(0, Math.min(event.clientY - box.top + 8, box.height - 40))}px`;
    picker.hidden = false;
  }

  function showCell(open) {
    if (!open) { cellBox.hidden = true; return; }
    const graph = model.get("graph") || { relations: [] };
    const text = [`%%flow relations --workflow ${graph.workflow}`, ...graph.relations.map((r) => r.text)].join("\n");
    const area = el("textarea", { readonly: "", rows: String(Math.min(12, graph.relations.length + 2)), "data-testid": "flow-graph-cell-text" });
    area.value = text;
    const copy = el("button", { onclick: () => { area.select(); navigator.clipboard?.writeText(text).catch(() => {}); } }, "Copy");
    cellBox.replaceChildren(
      el("div", { class: "fnbg-details-head" }, el("span", { class: "fnbg-muted" }, "paste into a cell: running it sets this wiring"),
        el("button", { class: "fnbg-x", title: "Close", onclick: () => showCell(false) }, "×")),
      area, copy);
    cellBox.hidden = false;
  }

  // ---------------------------------------------------------------------------------- pointer
  function schedule() {
    if (!frame) frame = requestAnimationFrame(step);
  }

  function step() {
    frame = 0;
    const g = gesture;
    if (!g || !g.last) return;
    if (g.mode === "pan") {
      view.x = g.viewX + (g.last.clientX - g.clientX);
      view.y = g.viewY + (g.last.clientY - g.clientY);
      applyView();
    } else if (g.mode === "drag") {
      const p = toGraph(g.last);
      g.node.x = Math.round(g.nodeX + p.x - g.start.x);
      g.node.y = Math.round(g.nodeY + p.y - g.start.y);
      placeNode(g.node);
      for (const id of incident.get(g.node.data.id) || []) placeEdge(edges.get(id));
    } else if (g.mode === "link") {
      const p = toGraph(g.last);
      const s = g.node;
      linkLine.setAttribute("d", `M${s.x + W},${s.y + H / 2} L${p.x},${p.y}`);
    }
  }

  function nodeAt(event) {
    const hit = document.elementFromPoint(event.clientX, event.clientY);
    const g = hit && hit.closest && hit.closest(".fnbg-node");
    return g && svg.contains(g) ? nodes.get(g.getAttribute("data-id")) : null;
  }

  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault(); // no text selection, and the notebook keeps its hands off
    root_.focus({ preventScroll: true });
    closePicker();
    const target = event.target;
    const nodeG = target.closest(".fnbg-node");
    const edgeG = target.closest(".fnbg-edge");
    const base = { clientX: event.clientX, clientY: event.clientY, moved: false, last: null };
    if (nodeG && target.classList.contains("fnbg-handle")) {
      gesture = { ...base, mode: "link", node: nodes.get(nodeG.getAttribute("data-id")) };
    } else if (nodeG) {
      const node = nodes.get(nodeG.getAttribute("data-id"));
      gesture = { ...base, mode: "drag", node, nodeX: node.x, nodeY: node.y, start: toGraph(event) };
      nodeLayer.append(nodeG); // on top while dragged
    } else if (edgeG) {
      selectEdge(edgeG.getAttribute("data-id"));
      gesture = null;
      return;
    } else {
      gesture = { ...base, mode: "pan", viewX: view.x, viewY: view.y };
    }
    svg.setPointerCapture(event.pointerId);
  });

  svg.addEventListener("pointermove", (event) => {
    if (!gesture) return;
    if (!gesture.moved && Math.hypot(event.clientX - gesture.clientX, event.clientY - gesture.clientY) < 3) return;
    gesture.moved = true;
    gesture.last = { clientX: event.clientX, clientY: event.clientY };
    if (gesture.mode === "link") linkLine.setAttribute("visibility", "visible");
    if (gesture.mode === "pan") view.touched = true;
    schedule();
  });

  function endGesture(event) {
    const g = gesture;
    gesture = null;
    if (!g) return;
    if (frame) { cancelAnimationFrame(frame); frame = 0; gesture = g; step(); gesture = null; }
    linkLine.setAttribute("visibility", "hidden");
    if (svg.hasPointerCapture(event.pointerId)) svg.releasePointerCapture(event.pointerId);
    if (event.type === "pointercancel") { sync(); return; }
    if (g.mode === "drag") {
      if (g.moved) {
        showError(null);
        model.send({ kind: "move", node: g.node.data.id, x: g.node.x, y: g.node.y });
      } else {
        showDetails(selectedNode === g.node.data.id ? null : g.node.data.id);
      }
    } else if (g.mode === "link" && g.moved) {
      const target = nodeAt(event);
      if (target && target !== g.node) openPicker(g.node, target, event);
    } else if (g.mode === "pan" && !g.moved) {
      selectEdge(null);
    }
  }
  svg.addEventListener("pointerup", endGesture);
  svg.addEventListener("pointercancel", endGesture);

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    const px = event.clientX - box.left, py = event.clientY - box.top;
    const k = Math.min(4, Math.max(0.05, view.k * Math.exp(-event.deltaY * 0.0015)));
    view.x = px - ((px - view.x) * k) / view.k;
    view.y = py - ((py - view.y) * k) / view.k;
    view.k = k;
    view.touched = true;
    applyView();
  }, { passive: false });

  root_.addEventListener("keydown", (event) => {
    if (event.target.tagName === "TEXTAREA") return;
    if ((event.key === "Delete" || event.key === "Backspace") && selectedEdge) {
      deleteSelected();
    } else if (event.key === "Escape") {
      closePicker(); selectEdge(null); showDetails(null);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation(); // not the notebook's shortcut
  });

  delButton.addEventListener("click", deleteSelected);
  fitButton.addEventListener("click", () => { view.touched = true; fit(); });
  cellButton.addEventListener("click", () => showCell(cellBox.hidden));
  layoutButton.addEventListener("click", () => { showError(null); model.send({ kind: "relayout" }); });

  // ------------------------------------------------------------------------------ from Python
  function drawSaved() {
    const s = model.get("saving") || {};
    if (s.error) saved.textContent = `not saved: ${s.error}`;
    else if (s.file) saved.textContent = `kept in ${s.file}${s.at ? ` · ${s.at}` : ""}`;
    else saved.textContent = "not kept across restarts (--file)";
    saved.title = s.file ? `every change is written to ${s.file}; --file loads it back after a restart` :
      "%flow graph NAME --file FILE.flow.json keeps hand-made relations and positions";
    saved.classList.toggle("fnbg-bad", Boolean(s.error));
    if (s.notes && s.notes.length) showError(s.notes.join("\n"));
  }

  const onCustom = (msg) => {
    if (msg.kind === "error") { showError(msg.message); sync(); }
  };
  model.on("msg:custom", onCustom);
  model.on("change:graph", sync);
  model.on("change:run_state", paintRun);
  model.on("change:saving", drawSaved);
  sync();
  drawSaved();
  applyView();

  const resize = new ResizeObserver(() => { if (!view.touched && fit()) view.touched = nodes.size > 0; });
  resize.observe(svg);
  return () => {
    resize.disconnect();
    model.off("msg:custom", onCustom);
    model.off("change:graph", sync);
    model.off("change:run_state", paintRun);
    model.off("change:saving", drawSaved);
  };
}

export default { render };
