"""Rich displays: a workflow as a table and a picture, a run record as its node-by-node trace.

Registered as IPython formatters for the model's types, so the engine and model stay free of display code.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ..engine import RunRecord
from ..model import Node, Workflow
from .layout import FAMILY_COLOURS, svg

__all__ = ["node_summary", "record_html", "record_text", "short", "workflow_html", "workflow_text"]

STATUS_COLOURS = {
    "FINISHED": "#198754",
    "FAILED": "#dc3545",
    "STOPPED": "#6c757d",
    "WAITING": "#fd7e14",
    "RUNNING": "#0d6efd",
    "PENDING": "#6c757d",
}


def short(value: Any, width: int = 120) -> str:
    """A value on one line, cut to ``width`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def node_summary(node: Node) -> str:
    """The node's main text and the config that differs from its defaults, on one line."""
    config = node.config.model_dump(exclude_defaults=True)
    main = node.node_type.main_field
    text = config.pop(main, None) if main else None
    if main == "labels" and text:
        text = ", ".join(item["label"] for item in text)
    extras = ", ".join(f"{k}={short(v, 30)}" for k, v in config.items())
    return " · ".join(part for part in (short(text, 70) if text else "", extras) if part)


def workflow_text(workflow: Workflow) -> str:
    """The workflow as plain text: nodes, then relations."""
    lines = [f"workflow {workflow.name!r}: {len(workflow.nodes)} nodes, {len(workflow.relations)} relations"]
    for node in workflow.nodes:
        start = " (start)" if node.start_node else ""
        lines.append(f"  {node.key:<16} {node.type:<15}{start} {node_summary(node)}")
    for relation in workflow.relations:
        source, target = workflow[relation.source], workflow[relation.target]
        lines.append(f"  {source.key}:{relation.condition.system_name} -> {target.key}")
    return "\n".join(lines)


def workflow_html(workflow: Workflow) -> str:
    """The workflow as an HTML table of nodes, a list of relations and a static graph picture."""
    rows = []
    for node in workflow.nodes:
        colour = FAMILY_COLOURS[node.node_type.family]
        rows.append(
            f"<tr><td><b>{escape(node.name)}</b>{' ▶' if node.start_node else ''}</td>"
            f'<td><span style="color:{colour}">{escape(node.type)}</span></td>'
            f"<td>{escape(node_summary(node))}</td></tr>"
        )
    relations = "".join(
        f"<li><code>{escape(workflow[r.source].key)}:{escape(r.condition.system_name)} → "
        f"{escape(workflow[r.target].key)}</code></li>"
        for r in workflow.relations
    )
    return (
        f'<div class="flow-nb-workflow"><b>workflow {escape(workflow.name)}</b> · '
        f"{len(workflow.nodes)} nodes · "
        f"{len(workflow.relations)} relations"
        f"<table><tr><th>node</th><th>type</th><th>main text · config</th></tr>{''.join(rows)}</table>"
        f"<ul>{relations}</ul>{svg(workflow)}</div>"
    )


def record_text(record: RunRecord) -> str:
    """A run record as plain text: its status, every node run, the results."""
    lines = [
        f"run {record.id} of {record.workflow.get('name')!r}: {record.status} in {record.total_time:.2f}s · "
        f"{record.total_steps} node runs · {record.total_tokens} tokens · {record.credits} credits"
    ]
    for node in record.nodes.values():
        for run in node.runs:
            met = ",".join(c.system_name for c in run.conditions.met) or "-"
            lines.append(
                f"  {node.key}[{run.index}] {run.status} {met} {run.elapsed:.2f}s → {short(run.result, 70)}"
            )
    for request in record.waiting:
        lines.append(f"  waiting: {request.node_key} ({request.kind})")
    if record.path:
        lines.append("  path: " + " → ".join(record.path))
    for result in record.results:
        lines.append(f"  result: {short(result, 200)}")
    if record.error:
        lines.append(f"  error: {record.error}")
    return "\n".join(lines)


def record_html(record: RunRecord) -> str:
    """A run record as an HTML trace: a row per node run, then results and totals."""
    colour = STATUS_COLOURS.get(record.status, "#333")
    rows = []
    for run, key in _runs_in_order(record):
        met = ", ".join(c.system_name for c in run.conditions.met) or "—"
        rows.append(
            f"<tr><td>{run.step + 1}</td><td><b>{escape(key)}</b>{f'[{run.index}]' if run.index else ''}</td>"
            f'<td style="color:{STATUS_COLOURS.get(run.status, "#333")}">{run.status}</td>'
            f"<td>{escape(short(run.input, 60))}</td><td>{escape(short(run.result, 80))}</td>"
            f"<td><code>{escape(met)}</code></td><td>{run.elapsed:.2f}s</td><td>{run.usage.total_tokens}</td></tr>"
        )
    results = "".join(f"<li>{escape(short(r, 400))}</li>" for r in record.results)
    error = f'<div style="color:#dc3545">error: {escape(record.error)}</div>' if record.error else ""
    path = escape(" → ".join(record.path)) or "—"
    return (
        f'<div class="flow-nb-run"><b>run of {escape(str(record.workflow.get("name")))}</b> '
        f'<span style="color:{colour}; font-weight:bold">{record.status}</span> · {record.total_time:.2f}s · '
        f"{record.total_steps} node runs · {record.total_tokens} tokens · {record.credits} credits"
        f"<table><tr><th>#</th><th>node</th><th>status</th><th>input</th><th>result</th><th>condition</th>"
        f"<th>time</th><th>tokens</th></tr>{''.join(rows)}</table>"
        f"<div>path: <code>{path}</code></div><div>results:<ul>{results}</ul></div>{error}</div>"
    )


def _runs_in_order(record: RunRecord) -> list[tuple[Any, str]]:
    runs = [(run, node.key) for node in record.nodes.values() for run in node.runs]
    return sorted(runs, key=lambda item: item[0].step)
