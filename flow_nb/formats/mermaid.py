"""Mermaid: a workflow as a ``flowchart LR`` for a README, a GitHub page or JupyterLab's Markdown.

Nodes show their name and type, start nodes are stadium-shaped and marked ``▶``, families are coloured
by ``classDef``; relations are arrows labelled with their condition in the short form a ``%%flow`` cell
uses (``true``, ``label:billing``, ``none``); a type's ordinary success condition goes unlabelled, and
``error`` arrows are dotted. Every name and label is escaped with Mermaid's entity codes, so no text
can break the diagram.
"""

from __future__ import annotations

import json

from ..model import Condition, Node, Workflow

__all__ = ["FAMILY_STYLES", "escape", "export", "fenced"]

FAMILY_STYLES = {
    "ai": "fill:#efe7fb,stroke:#6f42c1,color:#2d1a4f",
    "text": "fill:#e7f0ff,stroke:#0d6efd,color:#05306b",
    "http": "fill:#fff0e3,stroke:#fd7e14,color:#6b3200",
    "code": "fill:#e6f4ec,stroke:#198754,color:#0a3d24",
    "data": "fill:#fbe7f1,stroke:#d63384,color:#5c1237",
}
"""Mermaid styles per node family (the colours of ``%flow show``'s picture)."""

# Mermaid decodes "#<code>;" inside quoted text; everything that could end a label, start markup or be
# read as an entity is written that way.
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    ";": "#59;",
}


def escape(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: one line, entity-coded specials."""
    out = []
    for char in " ".join(text.split()):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif ord(char) < 32 or ord(char) == 127:
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _short(condition: Condition) -> str:
    return condition.aliases[0] if condition.aliases else condition.system_name


def _label(node: Node) -> str:
    mark = "▶ " if node.start_node else ""
    return f'"{mark}{escape(node.name)}<br/><i>{escape(node.type)}</i>"'


def export(workflow: Workflow, *, direction: str = "LR") -> str:
    """The workflow as Mermaid flowchart text (no code fence; see :func:`fenced`)."""
    ids = {node.id: f"n{i}" for i, node in enumerate(workflow.nodes)}
    title = json.dumps(" ".join(workflow.name.split()), ensure_ascii=False)  # a YAML double-quoted string
    lines = ["---", f"title: {title}", "---", f"flowchart {direction}"]
    for node in workflow.nodes:
        shape = ("([", "])") if node.start_node else ("[", "]")
        lines.append(f"    {ids[node.id]}{shape[0]}{_label(node)}{shape[1]}")
    for relation in workflow.relations:
        source = workflow.find(relation.source)
        arrow = "-.->" if relation.condition.system_name == "error" else "-->"
        if relation.condition.system_name == source.node_type.default_condition:
            label = ""
        else:
            label = f'|"{escape(_short(relation.condition))}"|'
        lines.append(f"    {ids[relation.source]} {arrow}{label} {ids[relation.target]}")
    families: dict[str, list[str]] = {}
    for node in workflow.nodes:
        families.setdefault(node.node_type.family, []).append(ids[node.id])
    for family, members in families.items():
        lines.append(f"    classDef {family} {FAMILY_STYLES.get(family, 'fill:#f4f4f4,stroke:#666')}")
        lines.append(f"    class {','.join(members)} {family}")
    return "\n".join(lines) + "\n"


def fenced(workflow: Workflow) -> str:
    """The Mermaid text in a ```` ```mermaid ```` fence, for Markdown (GitHub, JupyterLab)."""
    return f"```mermaid\n{export(workflow)}```\n"
