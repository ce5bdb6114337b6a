// The live run view: node-run cards (tokens stream into their own card), requests, totals.
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

// replaceChildren turns null into the text "null": drop the absent parts first
function fill(node, ...children) {
  node.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
}

function render({ model, el: root }) {
  const view = el("div", { class: "flow-nb-run-view", "data-testid": "flow-run-view" });
  const head = el("div", { class: "fnb-head" });
  const requests = el("div", { "data-testid": "flow-requests" });
  const cards = el("div", { class: "fnb-cards" });
  const foot = el("div", { class: "fnb-foot", "data-testid": "flow-run-foot" });
  view.append(head, requests, cards, foot);
  root.append(view);
  const streams = new Map(); // node run id -> <div> its tokens stream into
  const cardOf = new Map();

  function drawHead() {
    const s = model.get("summary") || {};
    fill(head,
      el("b", {}, `run of ${s.workflow || "?"} `),
      el("span", { class: `fnb-status fnb-${s.status}`, "data-testid": "flow-run-status" }, s.status || "PENDING"),
      s.model ? el("span", { class: "fnb-muted" }, `  model: ${s.model}`) : null,
    );
  }

  function drawCards() {
    for (const n of model.get("nodes") || []) {
      let card = cardOf.get(n.id);
      if (!card) {
        card = el("div", { class: `fnb-card fnb-${n.family}`, "data-testid": `flow-node-${n.key}` });
        cardOf.set(n.id, card);
        cards.append(card);
      }
      const stream = streams.get(n.id) || el("div", { class: "fnb-tokens", "data-testid": `flow-tokens-${n.key}` });
      streams.set(n.id, stream);
      if (n.tokens && n.tokens.length >= stream.textContent.length) stream.textContent = n.tokens;
      fill(card,
        el("div", { class: "fnb-title" },
          el("span", {}, `${n.name}${n.index ? `[${n.index}]` : ""} `, el("span", { class: "fnb-muted" }, n.type)),
          el("span", { class: `fnb-status fnb-${n.status}`, "data-testid": `flow-node-status-${n.key}` }, n.status)),
        el("div", { class: "fnb-muted" }, `in: ${n.input}`),
        stream.textContent ? stream : null,
        n.result !== null ? el("div", { "data-testid": `flow-result-${n.key}` }, `→ ${n.result}`) : null,
        n.conditions.length ? el("div", { class: "fnb-cond" }, n.conditions.join(", ")) : null,
        n.elapsed !== null ? el("div", { class: "fnb-muted" }, `${n.elapsed.toFixed(2)} s${n.usage ? ` · ${n.usage} tokens` : ""}`) : null,
        n.message && n.message !== "OK" ? el("div", { class: "fnb-muted" }, n.message) : null,
      );
    }
  }

  function respond(request_id, action, value) {
    model.send({ kind: "respond", request_id, action, value });
  }

  function drawRequests() {
    requests.replaceChildren();
    for (const r of model.get("requests") || []) {
      const box = el("div", { class: "fnb-request", "data-testid": `flow-request-${r.node}` });
      if (r.kind === "text") {
        const input = el("input", { type: "text", placeholder: r.placeholder || "", "data-testid": "flow-input" });
        const send = () => respond(r.request_id, "input", input.value);
        input.addEventListener("keydown", (e) => { if (e.key === "Enter") send(); });
        box.append(el("div", {}, `${r.node} asks: ${r.prompt || "your input"}`), input,
          el("button", { onclick: send, "data-testid": "flow-send" }, "Send"));
      } else {
        const edit = el("textarea", { rows: "3", "data-testid": "flow-edit" });
        edit.value = r.result || "";
        box.append(el("div", {}, `${r.node} waits for approval:`), edit, el("br"),
          el("button", { onclick: () => respond(r.request_id, "approve", null), "data-testid": "flow-approve" }, "Approve"),
          el("button", { onclick: () => respond(r.request_id, "edit", edit.value), "data-testid": "flow-edit-send" }, "Save edit"),
          el("button", { onclick: () => respond(r.request_id, "reject", null), "data-testid": "flow-reject" }, "Reject"));
      }
      requests.append(box);
    }
  }

  function drawFoot() {
    const s = model.get("summary") || {};
    const parts = [];
    if (s.total_time !== undefined) {
      parts.push(el("div", { "data-testid": "flow-totals" },
        `${s.total_time.toFixed(2)} s · ${s.total_steps} node runs · ${s.total_tokens} tokens · ${s.credits} credits`));
      if (s.path && s.path.length) parts.push(el("div", { class: "fnb-cond" }, `path: ${s.path.join(" → ")}`));
      for (const r of s.results || []) parts.push(el("div", { "data-testid": "flow-run-result" }, `result: ${r}`));
    }
    if (s.error) parts.push(el("div", { class: "fnb-error" }, `error: ${s.error}`));
    fill(foot, ...parts);
  }

  model.on("msg:custom", (msg) => {
    if (msg.kind === "tokens") {
      for (const [id, text] of Object.entries(msg.chunks)) {
        const stream = streams.get(id) || el("div", { class: "fnb-tokens" });
        streams.set(id, stream);
        stream.textContent += text;
        const card = cardOf.get(id);
        if (card && !stream.isConnected) card.insertBefore(stream, card.children[2] || null);
        stream.scrollTop = stream.scrollHeight;
      }
    } else if (msg.kind === "error") {
      requests.prepend(el("div", { class: "fnb-error" }, msg.message));
    }
  });
  model.on("change:summary", () => { drawHead(); drawFoot(); });
  model.on("change:nodes", drawCards);
  model.on("change:requests", drawRequests);
  drawHead(); drawCards(); drawRequests(); drawFoot();
}

export default { render };
