"""The pieces of a Dify DSL document: node and edge dicts, canvas places, environment variables, and the
YAML writer that keeps every text intact."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import yaml  # type: ignore[import-untyped]

from ...model import Workflow
from .common import META, stable_uuid

__all__ = ["COLUMN", "FEATURES", "ROW", "Dumper", "cycle", "dify_edge", "dify_node", "env_var", "layout"]

COLUMN, ROW = 320.0, 160.0


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML with texts that survive: multi-line texts (prompts, code) as ``|`` blocks where YAML
    allows, and texts with the line separators PyYAML mangles in single quotes double-quoted."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in value for c in "\x85\u2028\u2029") else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _text)


FEATURES: dict[str, Any] = {
    "file_upload": {"enabled": False},
    "opening_statement": "",
    "retriever_resource": {"enabled": False},
    "sensitive_word_avoidance": {"enabled": False},
    "speech_to_text": {"enabled": False},
    "suggested_questions": [],
    "suggested_questions_after_answer": {"enabled": False},
    "text_to_speech": {"enabled": False, "language": "", "voice": ""},
}


def env_var(workflow_id: str, name: str, value: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """A workflow variable as a Dify environment variable (Dify: string, number, object or arrays)."""
    value_type, exported = "string", value
    if isinstance(value, bool) or value is None:
        exported = "" if value is None else str(value).lower()
        note(f"workflow variable {name!r} ({value!r}) becomes the Dify string {exported!r}")
    elif isinstance(value, (int, float)):
        value_type = "number"
    elif isinstance(value, dict):
        value_type = "object"
    elif isinstance(value, list):
        kinds = {type(item) for item in value}
        if kinds <= {str}:
            value_type = "array[string]"
        elif kinds <= {int, float} and bool not in kinds:
            value_type = "array[number]"
        elif kinds <= {dict}:
            value_type = "array[object]"
        else:
            value_type, exported = "string", yaml.safe_dump(value, default_flow_style=True).strip()
            note(f"workflow variable {name!r} is a mixed list; Dify gets it as text")
    if not name.isidentifier() or not name.isascii():
        note(f"workflow variable {name!r} is not a name Dify accepts for a variable")
    return {
        "id": stable_uuid(workflow_id, "env", name),
        "name": name,
        "value": exported,
        "value_type": value_type,
        "description": "flow_nb workflow variable",
        "selector": ["env", name],
    }


def dify_edge(
    source: str, handle: str, target: str, source_type: str, target_type: str, meta: dict[str, Any] | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "isInIteration": False,
        "isInLoop": False,
        "sourceType": source_type,
        "targetType": target_type,
    }
    if meta is not None:
        data[META] = meta
    return {
        "data": data,
        "id": f"{source}-{handle}-{target}-target",
        "source": source,
        "sourceHandle": handle,
        "target": target,
        "targetHandle": "target",
        "type": "custom",
        "zIndex": 0,
    }


def dify_node(node_id: str, data: dict[str, Any], x: float, y: float) -> dict[str, Any]:
    height = 90 + 30 * len(data.get("classes") or [])
    return {
        "data": data,
        "height": height,
        "id": node_id,
        "position": {"x": x, "y": y},
        "positionAbsolute": {"x": x, "y": y},
        "selected": False,
        "sourcePosition": "right",
        "targetPosition": "left",
        "type": "custom",
        "width": 244,
    }


def layout(workflow: Workflow) -> dict[str, tuple[float, float]]:
    """Canvas places: a node's own position, else columns by distance from the start (Start is column 0)."""
    depth: dict[str, int] = {}
    queue = deque(n.id for n in workflow.nodes if n.start_node)
    for node_id in queue:
        depth[node_id] = 1
    while queue:
        current = queue.popleft()
        for relation in workflow.relations_from(workflow.find(current)):
            if relation.target not in depth:
                depth[relation.target] = depth[current] + 1
                queue.append(relation.target)
    last = max(depth.values(), default=0)
    rows: dict[int, int] = {}
    places: dict[str, tuple[float, float]] = {}
    for node in workflow.nodes:
        column = depth.get(node.id, last + 1)
        row = rows[column] = rows.get(column, -1) + 1
        if node.position is not None:
            places[node.id] = (node.position.x, node.position.y)
        else:
            places[node.id] = (30.0 + column * COLUMN, 80.0 + row * ROW)
    return places


def cycle(workflow: Workflow) -> list[str]:
    """One cycle of relations (node ids, first repeated at the end), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node_id: str) -> list[str]:
        state[node_id] = 1
        stack.append(node_id)
        for relation in workflow.relations_from(workflow.find(node_id)):
            if state.get(relation.target) == 1:
                return [*stack[stack.index(relation.target) :], relation.target]
            if relation.target not in state:
                found = visit(relation.target)
                if found:
                    return found
        stack.pop()
        state[node_id] = 2
        return []

    for node in workflow.nodes:
        if node.id not in state:
            found = visit(node.id)
            if found:
                return found
    return []
