"""flow_nb → Dify DSL: the graph (nodes, edges, positions), the start and end nodes, variables and secrets.

What each flow_nb node type becomes is in :mod:`.nodes`; this module wires them: which Dify node a
relation's condition leaves from (its ``sourceHandle``), what a node reads as its input (its variable
selector), which nodes feed the End node, and the notes about what Dify cannot say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml  # type: ignore[import-untyped]

from ...model import Condition, Node, Workflow
from ..secrets import protect
from . import nodes as builders
from .canvas import COLUMN, FEATURES, Dumper, dify_edge, dify_node, env_var, layout
from .canvas import cycle as find_cycle
from .common import (
    DSL_VERSION,
    END_ID,
    FAIL,
    INPUT_VAR,
    META,
    OUTPUT_VAR,
    START_ID,
    SUCCESS,
    Note,
    digest,
    legal_id,
    stable_uuid,
)
from .nodes import NONE_CLASS
from .templates import Resolved, Resolver, basic_to_dify, jinja_to_dify

__all__ = ["ExportResult", "export"]

FAILABLE = {"llm", "http-request", "code"}
"""The Dify node types with an error strategy (Dify's ``hasErrorHandleNode``): LLM, HTTP, code (tool)."""


@dataclass(frozen=True)
class ExportResult:
    """A Dify DSL export: the YAML text, the document it holds, and what Dify cannot say."""

    text: str
    warnings: tuple[Note, ...]
    document: dict[str, Any] = field(repr=False)


def export(workflow: Workflow) -> ExportResult:
    """``workflow`` as the YAML Dify's "Import DSL" takes for an app of mode ``workflow``."""
    document, notes = _Exporter(workflow).run()
    text = yaml.dump(document, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)
    return ExportResult(text, tuple(notes), document)


class _Exporter:
    def __init__(self, workflow: Workflow) -> None:
        self.wf = workflow
        self.notes: list[Note] = []
        taken = {START_ID, END_ID}
        self.merged: Node | None = next(
            (n for n in workflow.nodes if n.start_node and n.type == "text_input"), None
        )
        self.ids: dict[str, str] = {}
        self.kind: dict[str, str] = {}
        for node in workflow.nodes:
            if node is self.merged:
                self.ids[node.id], self.kind[node.id] = START_ID, "start"
            else:
                self.ids[node.id] = legal_id(node.id, taken)
                self.kind[node.id] = builders.KIND.get(node.type, "template-transform")
        self.entry = dict(self.ids)  # where relations into a node arrive (answer + data source: the search)
        self.taken = taken
        self.start_vars: dict[str, dict[str, Any]] = {}
        self.env_secrets: dict[str, dict[str, Any]] = {}
        self._inputs: dict[str, tuple[str, ...]] = {}
        self._resolving: set[str] = set()
        self.fail_branch = {n.id for n in workflow.nodes if self._needs_fail_branch(n)}
        self.class_ids: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------------------------ notes
    def note(self, node: Node | None, message: str) -> None:
        entry = Note(message, node.name if node else None)
        if entry not in self.notes:
            self.notes.append(entry)

    # ------------------------------------------------------------------------------------ handles
    def _needs_fail_branch(self, node: Node) -> bool:
        if self.kind[node.id] not in FAILABLE:
            return False
        names = {r.condition.system_name for r in self.wf.relations_from(node)}
        failing = {"error", *node.node_type.failure_conditions}
        if node.type == "http_output":  # with an error strategy Dify's HTTP node fails on a non-2xx status
            failing |= {"status_200", "status_not_200"}
        return bool(names & failing)

    def success(self, node: Node) -> str:
        return SUCCESS if node.id in self.fail_branch else "source"

    def handles(self, node: Node, condition: Condition) -> list[str] | None:
        """The Dify handles a relation on ``condition`` leaves ``node`` from; None: Dify has none."""
        name = condition.system_name
        kind = self.kind[node.id]
        if kind == "question-classifier":
            classes = self.class_ids.get(node.id, {})
            wanted: str | None = None
            if node.type == "boolean" and name.startswith("boolean_"):
                wanted = name.removeprefix("boolean_")
            elif node.type == "classification" and name.startswith("label:"):
                wanted = name.removeprefix("label:")
            elif node.type == "classification" and name == "labeled_none":
                wanted = NONE_CLASS
            elif node.type == "classification" and name == "labeled_one":
                return [cid for label, cid in classes.items() if label != NONE_CLASS] or None
            return [classes[wanted]] if wanted in classes else None
        if name == node.node_type.default_condition or (kind == "start" and name == "text_received"):
            return [self.success(node)]
        if kind in FAILABLE and (name == "error" or name in node.node_type.failure_conditions):
            return [FAIL]
        if node.type == "http_output" and name == "status_not_200":
            return [FAIL]
        return None

    # ------------------------------------------------------------------------------------ variables
    def output_of(self, node: Node) -> tuple[str, ...]:
        """The selector of ``node``'s own result."""
        return (self.ids[node.id], OUTPUT_VAR[self.kind[node.id]])

    def passes_on(self, node: Node) -> tuple[str, ...]:
        """What the targets of ``node``'s relations receive: its result, or its input."""
        if node is self.merged:
            return (START_ID, INPUT_VAR)
        if node.pass_input_as_result and node.id not in self._resolving:
            return self.input_of(node)
        return self.output_of(node)

    def input_of(self, node: Node) -> tuple[str, ...]:
        """The selector of what ``node`` runs on (flow_nb's ``{{ result }}``)."""
        if node.id in self._inputs:
            return self._inputs[node.id]
        self._resolving.add(node.id)
        candidates: list[tuple[str, ...]] = [(START_ID, INPUT_VAR)] if node.start_node else []
        for relation in self.wf.relations:
            if relation.target == node.id:
                source = self.wf.find(relation.source)
                if source.id != node.id:
                    candidates.append(self.passes_on(source))
        self._resolving.discard(node.id)
        distinct = list(dict.fromkeys(candidates)) or [(START_ID, INPUT_VAR)]
        if len(distinct) > 1:
            self.note(
                node,
                f"it is reached from {len(distinct)} places; a Dify node reads one variable, so it reads "
                f"{'.'.join(distinct[0])} (join the branches with a Variable Aggregator in Dify)",
            )
        self._inputs[node.id] = distinct[0]
        return distinct[0]

    def start_var(self, name: str) -> tuple[str, ...]:
        if name != INPUT_VAR and name not in self.start_vars:
            self.start_vars[name] = {
                "variable": name,
                "label": name,
                "type": "text-input",
                "required": False,
                "max_length": None,
                "options": [],
            }
        return (START_ID, name)

    def resolver(self, node: Node) -> Resolver:
        """How the paths in ``node``'s texts read in Dify."""

        def resolve(parts: list[str]) -> Resolved | None:
            root, n = parts[0], len(parts)
            if root == "result":
                return Resolved(1, self.input_of(node))
            if root == "workflow" and n >= 3 and parts[1] == "run":
                return Resolved(3, self.start_var(parts[2]))
            if root == "workflow" and n >= 2:
                if parts[1] not in self.wf.variables:
                    self.note(
                        node,
                        f"{{{{ workflow.{parts[1]} }}}} is no workflow variable; Dify lacks env.{parts[1]}",
                    )
                return Resolved(2, ("env", parts[1]))
            if root == "inputs" and n >= 2:
                return Resolved(2, self.start_var(parts[1]))
            if root == "node" and n >= 3:
                return self._node_path(node, parts)
            return None

        return resolve

    def _node_path(self, node: Node, parts: list[str]) -> Resolved | None:
        if parts[1] not in self.wf:
            self.note(node, f"{{{{ {'.'.join(parts)} }}}} names no node of the workflow; left as written")
            return None
        other = self.wf.find(parts[1])
        attr = parts[2]
        if attr in ("name", "description"):
            return Resolved(3, literal=str(getattr(other, attr)))
        index = 3 if attr == "run" else 4 if attr == "runs" else None
        if index is not None and len(parts) > index and parts[index] in ("result", "input"):
            if attr == "runs":
                self.note(node, f"{'.'.join(parts[:4])}: a Dify node runs once per run; read as its run")
            found = self.output_of(other) if parts[index] == "result" else self.input_of(other)
            return Resolved(index + 1, found)
        self.note(node, f"{{{{ {'.'.join(parts)} }}}} has no Dify variable; left as written")
        return None

    def text(self, node: Node, text: str, where: str) -> str:
        """A flow_nb text for a Dify plain-text field (``{{#node.var#}}`` references)."""
        converted = basic_to_dify(text, self.resolver(node))
        if converted is None:
            self.note(node, f"{where} has Jinja2 that Dify reads only in templates; kept as written")
            return text
        return converted

    def jinja(self, node: Node, text: str) -> tuple[str, list[dict[str, Any]]]:
        """A flow_nb text as a Dify Jinja2 template and its declared variables."""
        template, declared = jinja_to_dify(text, self.resolver(node))
        return template, [{"variable": k, "value_selector": v} for k, v in declared.items()]

    def secret(self, node: Node, header: str, env: str) -> str:
        self.env_secrets[env] = {
            "id": stable_uuid(self.wf.id, "env", env),
            "name": env,
            "value": "",
            "value_type": "secret",
            "description": f"header {header} of node {node.name} (flow_nb secret)",
            "selector": ["env", env],
        }
        return "{{#env." + env + "#}}"

    # ------------------------------------------------------------------------------------ document
    def run(self) -> tuple[dict[str, Any], list[Note]]:
        self._check_graph()
        positions = layout(self.wf)
        graph_nodes: list[dict[str, Any]] = []
        for index, node in enumerate(self.wf.nodes):
            if node is self.merged:
                continue
            built = builders.build(self, node)
            x, y = positions[node.id]
            for offset, (dify_id, data) in enumerate(built):
                main = dify_id == self.ids[node.id]
                if main:
                    data[META] = self._meta(node, index, data, (x, y))
                graph_nodes.append(dify_node(dify_id, data, x - 150 * (len(built) - 1 - offset), y))
        start = self._start(positions)
        graph_nodes.insert(0, start)
        edges = self._edges()
        graph_nodes.append(self._end(positions, edges))
        return self._document(graph_nodes, edges), self.notes

    def _meta(self, node: Node, index: int, data: dict[str, Any], at: tuple[float, float]) -> dict[str, Any]:
        dumped = node.model_dump(mode="json")
        dumped["type"] = node.type
        protect(node.key, node.type, dumped["config"])
        unmapped = [
            {"i": i, "id": r.id, "condition": r.condition.system_name, "target": r.target}
            for i, r in enumerate(self.wf.relations)
            if r.source == node.id and self.handles(node, r.condition) is None
        ]
        return {"i": index, "node": dumped, "at": list(at), "digest": digest(data), "relations": unmapped}

    def _start(self, positions: dict[str, tuple[float, float]]) -> dict[str, Any]:
        merged = self.merged
        label = (merged.config.model_dump().get("text_display") if merged else None) or INPUT_VAR
        variables = [
            {
                "variable": INPUT_VAR,
                "label": label,
                "type": "paragraph",
                "required": True,
                "max_length": None,
                "options": [],
            },
            *self.start_vars.values(),
        ]
        data: dict[str, Any] = {
            "type": "start",
            "title": merged.name if merged else "Start",
            "desc": merged.description if merged else "",
            "selected": False,
            "variables": variables,
        }
        meta: dict[str, Any] = {"workflow": self.wf.model_dump(mode="json", exclude={"nodes", "relations"})}
        x, y = min((p for p in positions.values()), default=(COLUMN, 80.0))
        if merged is not None:
            index = self.wf.nodes.index(merged)
            meta.update(self._meta(merged, index, data, positions[merged.id]))
            x, y = positions[merged.id][0] + COLUMN, positions[merged.id][1]
        data[META] = meta
        return dify_node(START_ID, data, x - COLUMN, y)

    def _end(self, positions: dict[str, tuple[float, float]], edges: list[dict[str, Any]]) -> dict[str, Any]:
        outputs: list[dict[str, Any]] = []
        names: set[str] = set()
        for node in self.wf.nodes:
            terminal = not self.wf.relations_from(node)
            shown = node.display_result and not node.node_type.shows_input
            if not (terminal or shown):
                continue
            name = legal_id(node.key, names)
            selector = self.output_of(node)
            value_type = builders.value_type(self, node)
            outputs.append({"variable": name, "value_selector": list(selector), "value_type": value_type})
            for handle in self._end_handles(node):
                edges.append(dify_edge(self.ids[node.id], handle, END_ID, self.kind[node.id], "end", None))
        if not outputs:
            edges.append(dify_edge(START_ID, "source", END_ID, "start", "end", None))
        right = max((p[0] for p in positions.values()), default=0.0) + COLUMN
        data = {"type": "end", "title": "End", "desc": "", "selected": False, "outputs": outputs}
        data[META] = {"synthetic": "end"}
        return dify_node(END_ID, data, right, 80.0)

    def _end_handles(self, node: Node) -> list[str]:
        if self.kind[node.id] == "question-classifier":
            return list(self.class_ids.get(node.id, {}).values())
        return [self.success(node)]

    def _edges(self) -> list[dict[str, Any]]:
        edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        for node in self.wf.nodes:
            if node.start_node and node is not self.merged:
                key = (START_ID, "source", self.entry[node.id])
                edges[key] = dify_edge(*key, "start", self._entry_kind(node), {"synthetic": "start"})
        for index, relation in enumerate(self.wf.relations):
            source, target = self.wf.find(relation.source), self.wf.find(relation.target)
            handles = self.handles(source, relation.condition)
            if handles is None:
                self._unmapped(source, relation.condition)
                continue
            for handle in handles:
                key = (self.ids[source.id], handle, self.entry[target.id])
                if key not in edges:
                    kinds = (self.kind[source.id], self._entry_kind(target))
                    edges[key] = dify_edge(*key, *kinds, {"relations": []})
                carried = edges[key]["data"][META].setdefault("relations", [])
                if carried and all(c["id"] != relation.id for c in carried):
                    self.note(
                        source,
                        f"relations on {relation.condition.system_name} and {carried[0]['condition']} "
                        f"to {target.name!r} share one Dify edge: Dify runs the target once, "
                        "flow_nb may twice",
                    )
                if all(c["id"] != relation.id for c in carried):
                    carried.append(
                        {"i": index, "id": relation.id, "condition": relation.condition.system_name}
                    )
        return list(edges.values())

    def _entry_kind(self, node: Node) -> str:
        return "knowledge-retrieval" if self.entry[node.id] != self.ids[node.id] else self.kind[node.id]

    def _unmapped(self, node: Node, condition: Condition) -> None:
        name = condition.system_name
        if name == "error":
            what = f"Dify's {self.kind[node.id]} node has no error branch"
        else:
            what = f"Dify's {self.kind[node.id]} node cannot tell {name} apart"
        self.note(
            node, f"its relations on {name} have no Dify edge ({what}); kept for flow_nb in data.flow_nb"
        )

    def _check_graph(self) -> None:
        for node in self.wf.nodes:
            if not node.auto_continue and node.type != "text_input":
                self.note(node, "auto_continue is false: Dify does not pause for a person's approval")
        cycle = find_cycle(self.wf)
        if cycle:
            path = " → ".join(self.wf.find(i).key for i in cycle)
            self.note(
                None, f"the relations {path} form a cycle; a Dify workflow cannot loop back (use a Loop)"
            )
        if not any(n.start_node for n in self.wf.nodes) and self.wf.nodes:
            self.note(None, "the workflow has no start node; Dify's Start leads nowhere")

    def _document(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
        environment = [
            env_var(self.wf.id, name, value, lambda text: self.note(None, text))
            for name, value in self.wf.variables.items()
        ]
        return {
            "version": DSL_VERSION,
            "kind": "app",
            "app": {
                "name": self.wf.name,
                "mode": "workflow",
                "icon": "🤖",
                "icon_type": "emoji",
                "icon_background": "#FFEAD5",
                "description": self.wf.description,
                "use_icon_as_answer_icon": False,
            },
            "dependencies": [],
            "workflow": {
                "conversation_variables": [],
                "environment_variables": [*environment, *self.env_secrets.values()],
                "features": FEATURES,
                "graph": {"edges": edges, "nodes": nodes, "viewport": {"x": 0, "y": 0, "zoom": 0.7}},
            },
        }
