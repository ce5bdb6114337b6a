"""Reading a Dify graph: its nodes checked and named, each edge's ``sourceHandle`` read back as the
conditions it fires on, and Dify variable selectors read as flow_nb variable paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import FormatError
from ...model import Node, key_of
from .common import INPUT_VAR, META, OUTPUT_VAR

if TYPE_CHECKING:
    from .importer import _Importer

__all__ = ["SUPPORTED", "Graph", "attr", "classifier_table", "edge_meta", "label_names"]

SUPPORTED = {
    "start",
    "end",
    "llm",
    "if-else",
    "question-classifier",
    "template-transform",
    "http-request",
    "code",
    "knowledge-retrieval",
}


class Graph:
    """The Dify graph being read: nodes by id, edges, and what each Dify node becomes in flow_nb."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.edges: list[dict[str, Any]] = []
        self.fb_id: dict[str, str] = {}
        """Dify node id → the flow_nb node it becomes (a search that feeds an answer: that answer)."""
        self.fb_node: dict[str, Node] = {}
        self.names: dict[str, str] = {}
        self.started: set[str] = set()
        self.shown: set[str] = set()
        self.handle_tables: dict[str, dict[str, list[str]]] = {}

    # ------------------------------------------------------------------------------------ reading
    @classmethod
    def of(cls, raw: Any, importer: _Importer) -> Graph:
        graph = cls()
        if not isinstance(raw.get("nodes"), list):
            raise FormatError("workflow.graph.nodes must be the list of the workflow's nodes")
        for item in raw["nodes"]:
            graph._add_node(item)
        edges = raw.get("edges") or []
        if not isinstance(edges, list):
            raise FormatError("workflow.graph.edges must be a list of edges")
        for item in edges:
            graph._add_edge(item)
        graph._roles(importer)
        return graph

    def _add_node(self, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
            raise FormatError(f"a Dify node must be a mapping with an id and data, not {str(item)[:80]!r}")
        node_id, data = item.get("id"), item["data"]
        if not isinstance(node_id, (str, int)) or isinstance(node_id, bool) or str(node_id) == "":
            raise FormatError(f"the Dify node {data.get('title')!r} has no id")
        node_id = str(node_id)
        kind = data.get("type")
        title = data.get("title") or kind
        if node_id in self.nodes:
            raise FormatError(f"two Dify nodes share the id {node_id!r}", node=str(title))
        if kind not in SUPPORTED:
            readable = ", ".join(sorted(SUPPORTED))
            raise FormatError(
                f"Dify node {title!r} (id {node_id}) is a {kind!r} node, which flow_nb cannot import; "
                f"flow_nb reads these Dify node types: {readable}",
                node=str(title),
                field="type",
            )
        self.nodes[node_id] = {**item, "id": node_id}
        self.order.append(node_id)

    def _add_edge(self, item: Any) -> None:
        if not isinstance(item, dict):
            raise FormatError(f"a Dify edge must be a mapping, not {str(item)[:80]!r}")
        edge = {**item, "source": str(item.get("source")), "target": str(item.get("target"))}
        for end in ("source", "target"):
            if edge[end] not in self.nodes:
                raise FormatError(
                    f"edge {item.get('id')!r} goes {'from' if end == 'source' else 'to'} {edge[end]!r}, "
                    "which is no node of the graph",
                    relation=str(item.get("id")),
                    field=end,
                )
        edge["sourceHandle"] = str(item.get("sourceHandle") or "source")
        self.edges.append(edge)

    def _roles(self, importer: _Importer) -> None:
        owners = {
            str(meta["node"]["id"]): node_id
            for node_id in self.order
            if isinstance(meta := self.meta(node_id), dict) and isinstance(meta.get("node"), dict)
        }
        keys: set[str] = set()
        for node_id in self.order:
            data, meta = self.nodes[node_id]["data"], self.meta(node_id)
            kind = data["type"]
            if kind == "end":
                for output in data.get("outputs") or []:
                    if isinstance(output, dict) and isinstance(output.get("value_selector"), list):
                        self.shown.add(str(output["value_selector"][0]))
                continue
            if kind == "start" and "workflow" in meta and "node" not in meta:
                continue
            if "part_of" in meta and str(meta["part_of"]) in owners:
                self.fb_id[node_id] = str(meta["part_of"])
                continue
            saved: dict[str, Any] = meta["node"] if isinstance(meta.get("node"), dict) else {}
            self.fb_id[node_id] = str(saved.get("id") or node_id)
            name = str(data.get("title") or saved.get("name") or kind).strip() or kind
            base, n = name, 2
            while key_of(name) in keys:
                name, n = f"{base} {n}", n + 1
            if name != base:
                importer.note(base, f"another node has its name; imported as {name!r}")
            keys.add(key_of(name))
            self.names[node_id] = name
        for edge in self.edges:
            marker = edge_meta(edge).get("synthetic") == "start"
            if (marker or self.is_synthetic_start(edge["source"])) and edge["target"] in self.fb_id:
                self.started.add(self.fb_id[edge["target"]])

    # ------------------------------------------------------------------------------------ questions
    def meta(self, node_id: str) -> dict[str, Any]:
        value = self.nodes[node_id]["data"].get(META)
        return value if isinstance(value, dict) else {}

    def is_part(self, node_id: str) -> bool:
        return "part_of" in self.meta(node_id) and node_id in self.fb_id and node_id not in self.names

    def is_synthetic_start(self, node_id: str) -> bool:
        return self.nodes[node_id]["data"]["type"] == "start" and node_id not in self.fb_id

    def workflow_meta(self) -> dict[str, Any]:
        for node_id in self.order:
            saved = self.meta(node_id).get("workflow")
            if self.nodes[node_id]["data"]["type"] == "start" and isinstance(saved, dict):
                return {
                    k: v
                    for k, v in saved.items()
                    if k in ("id", "version", "category", "settings", "variables")
                }
        return {}

    def kind(self, node_id: str) -> str:
        return str(self.nodes[node_id]["data"]["type"])

    def input_selector(self, node_id: str, seen: frozenset[str] = frozenset()) -> list[str] | None:
        """What the Dify node reads as flow_nb's ``{{ result }}``: the output of the node before it; after a
        classifier or IF/ELSE (which pass their input on in flow_nb), what that one read."""
        for edge in self.edges:
            if edge["target"] == node_id:
                source = edge["source"]
                kind = self.kind(source)
                if kind == "start":
                    variables = self.nodes[source]["data"].get("variables") or [{}]
                    return [source, str(variables[0].get("variable") or INPUT_VAR)]
                if kind in ("question-classifier", "if-else") and source not in seen:
                    return self.input_selector(source, seen | {node_id})
                return [source, OUTPUT_VAR.get(kind, "output")]
        return None

    def path_reader(self, reader: str, importer: _Importer) -> Callable[[list[str]], str]:
        """How the Dify node ``reader``'s variable selectors read as flow_nb variable paths."""
        mine = self.input_selector(reader)
        title = self.names.get(reader)

        def to_path(selector: list[str]) -> str:
            head, rest = str(selector[0]), [str(part) for part in selector[1:]]
            tail = "".join(attr(part) for part in rest[1:])
            if mine is not None and [head, *rest[:1]] == mine:
                return "result" + tail
            if head == "env" and rest:
                return "workflow" + attr(rest[0]) + tail
            if head in self.nodes and self.kind(head) == "start":
                variables = self.nodes[head]["data"].get("variables") or [{}]
                if head in self.names and rest[:1] == [str(variables[0].get("variable"))]:
                    return f"node{attr(key_of(self.names[head]))}.run.result" + tail
                return "inputs" + attr(rest[0] if rest else INPUT_VAR) + tail
            if head in self.names:
                kind = self.kind(head)
                base = f"node{attr(key_of(self.names[head]))}.run.result"
                if rest[:1] == [OUTPUT_VAR.get(kind)]:
                    return base + tail
                if kind == "code" and rest:
                    return base + attr(rest[0]) + tail
                importer.note(title, f"{'.'.join(selector)}: flow_nb keeps one result per node; reads it")
                return base
            importer.note(title, f"{'.'.join(selector)} has no flow_nb variable; read as an input")
            return "inputs" + attr(str(selector[-1]))

        return to_path

    def conditions(self, edge: dict[str, Any], importer: _Importer) -> list[str]:
        """The conditions of the flow_nb source node that the edge's ``sourceHandle`` stands for."""
        source_id, handle = edge["source"], edge["sourceHandle"]
        node = self.fb_node[source_id]
        table = self.handle_tables.get(source_id)
        if table is None and self.kind(source_id) == "question-classifier":
            table = classifier_table(self.nodes[source_id]["data"], node.type, node.config.model_dump())
        if table is not None:
            if handle not in table:
                importer.note(node.name, f"its edge from handle {handle!r} matches no class or case; dropped")
            return table.get(handle, [])
        if self.kind(source_id) == "start":
            return ["text_received"]
        if handle in ("source", "success-branch"):
            default = node.node_type.default_condition
            return [default] if default else []
        if handle == "fail-branch":
            if node.type == "http_output":
                return ["status_not_200", "error"]
            return list(node.node_type.failure_conditions[:1]) or ["error"]
        importer.note(node.name, f"its edge from handle {handle!r} is not one flow_nb knows; dropped")
        return []


def edge_meta(edge: dict[str, Any]) -> dict[str, Any]:
    """What flow_nb wrote in an edge's ``data.flow_nb`` (empty for an edge made in Dify)."""
    data = edge.get("data")
    meta = data.get(META) if isinstance(data, dict) else None
    return meta if isinstance(meta, dict) else {}


def attr(part: str) -> str:
    return f".{part}" if part.isidentifier() and part.isascii() else f"[{json.dumps(part)}]"


def classifier_table(data: dict[str, Any], fb_type: str, config: dict[str, Any]) -> dict[str, list[str]]:
    """Handles of a Dify question-classifier → conditions of the flow_nb node it became."""
    table: dict[str, list[str]] = {}
    labels = {item["label"] for item in config.get("labels") or []}
    for item in data.get("classes") or []:
        class_id, name = str(item.get("id")), str(item.get("name", ""))
        if fb_type == "boolean":
            table[class_id] = [f"boolean_{name.strip().lower()}"]
        elif class_id == "none" and name not in labels:
            table[class_id] = ["labeled_none"]
        else:
            table[class_id] = [f"label:{label_names(data).get(class_id, name)}"]
    return table


def label_names(data: dict[str, Any]) -> dict[str, str]:
    """Class id → the label it becomes (a repeated name gets a number, as flow_nb labels are unique)."""
    names: dict[str, str] = {}
    seen: set[str] = set()
    for item in data.get("classes") or []:
        class_id, name = str(item.get("id")), str(item.get("name", "")).strip() or "class"
        if class_id == "none":
            continue
        base, n = name, 2
        while name.lower() in seen:
            name, n = f"{base} {n}", n + 1
        seen.add(name.lower())
        names[class_id] = name
    return names
