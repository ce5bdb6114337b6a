"""Dify DSL → flow_nb: the structure checks, then each Dify node back to a flow_nb node, edges to relations.

A node flow_nb exported (``data.flow_nb`` present, settings unchanged) comes back exactly; any other node is
read from its Dify settings (:mod:`.readers`). Node types flow_nb has no counterpart for are refused with
a ``FormatError`` that names the node and its type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml  # type: ignore[import-untyped]
from pydantic import ValidationError

from ...errors import DefinitionError, FormatError
from ...model import Node, Position, Relation, Workflow
from ...model.explain import explain
from .common import DSL_VERSION, META, Note, digest, stable_uuid
from .graph import Graph, edge_meta
from .readers import read_node

__all__ = ["IMPORTED_TYPES", "Imported", "load", "parse"]

IMPORTED_TYPES = (
    "start",
    "end",
    "llm",
    "if-else",
    "question-classifier",
    "template-transform",
    "http-request",
    "code",
    "knowledge-retrieval",
)
"""The Dify node types flow_nb reads; any other is refused."""

W = TypeVar("W", bound=Workflow)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when PyYAML has it: same YAML, faster
_VERSION = re.compile(r"v?\d+(\.\d+)*([.-]?[A-Za-z]+\d*)?")


@dataclass(frozen=True)
class Imported(Generic[W]):
    """A workflow read from a Dify DSL file, and what could not be carried over exactly."""

    workflow: W
    warnings: tuple[Note, ...]


def parse(source: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    """The Dify document held by ``source``: a parsed mapping, YAML text, or the path of a file."""
    if isinstance(source, Mapping):
        return dict(source)
    where = "the Dify DSL text"
    if isinstance(source, Path) or ("\n" not in source and ": " not in source):
        path = Path(source)
        where = f"the Dify DSL file {str(path)!r}"
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as error:
            raise FormatError(f"cannot read {where}: {error.strerror}") from None
    try:
        document = yaml.load(source, Loader=_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FormatError(f"{where} is not valid YAML{at}: {problem}") from None
    if not isinstance(document, dict):
        raise FormatError(
            f"{where} holds a YAML {type(document).__name__}, not a mapping (a Dify DSL file starts with "
            "version, kind, app and workflow)"
        )
    return document


def load(source: Mapping[str, Any] | str | Path, cls: type[W]) -> Imported[W]:
    """Read a Dify DSL file into a workflow of class ``cls``; structural problems are ``FormatError``s."""
    document = parse(source)
    data, notes = _Importer(document).run()
    try:
        workflow = cls.model_validate(data)
    except ValidationError as error:
        raise explain(
            error, f"the Dify workflow {data.get('name')!r}", document=data, kind=FormatError
        ) from None
    except DefinitionError as error:
        raise FormatError(
            f"the Dify workflow {data.get('name')!r} is not a valid flow_nb workflow: {error}",
            node=error.node,
            relation=error.relation,
            field=error.field,
        ) from None
    return Imported(workflow, tuple(notes))


class _Importer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.notes: list[Note] = []

    def note(self, node: str | None, message: str) -> None:
        entry = Note(message, node)
        if entry not in self.notes:
            self.notes.append(entry)

    def run(self) -> tuple[dict[str, Any], list[Note]]:
        app, workflow = self._structure()
        graph = Graph.of(workflow.get("graph"), self)
        secrets, variables = self._environment(workflow)
        meta_workflow = graph.workflow_meta()
        nodes = self._nodes(graph, secrets)
        relations = self._relations(graph, nodes)
        data: dict[str, Any] = dict(meta_workflow)
        data["name"] = str(app.get("name") or meta_workflow.get("name") or "dify workflow")
        data["description"] = str(app.get("description") or meta_workflow.get("description") or "")
        data["variables"] = self._variables(meta_workflow.get("variables"), variables)
        data["nodes"] = [node.model_dump() for node in nodes.values()]
        data["relations"] = relations
        return data, self.notes

    # ------------------------------------------------------------------------------------ structure
    def _structure(self) -> tuple[dict[str, Any], dict[str, Any]]:
        version = self.doc.get("version") or "0.1.0"
        if not isinstance(version, str):
            raise FormatError(
                f"the DSL version must be a string like '{DSL_VERSION}', not the {type(version).__name__} "
                f"{version!r} (quote it in YAML: an unquoted 0.6 is a number)",
                field="version",
            )
        if not _VERSION.fullmatch(version.strip()):
            raise FormatError(f"the DSL version {version!r} is not a version number like '{DSL_VERSION}'")
        if _parts(version) > _parts(DSL_VERSION):
            self.note(
                None, f"DSL version {version} is newer than the {DSL_VERSION} flow_nb knows; read as such"
            )
        app = self.doc.get("app")
        if not isinstance(app, dict):
            raise FormatError("the file has no app section: a Dify DSL file has version, kind, app, workflow")
        mode = app.get("mode")
        if mode != "workflow":
            raise FormatError(
                f"this is a Dify app of mode {mode!r}; flow_nb imports apps of mode 'workflow' "
                "(export a Dify Workflow app, not a chatflow, chatbot, agent or completion app)",
                field="app.mode",
            )
        workflow = self.doc.get("workflow")
        if not isinstance(workflow, dict) or not isinstance(workflow.get("graph"), dict):
            raise FormatError("the file has no workflow.graph section with the workflow's nodes and edges")
        return app, workflow

    def _environment(self, workflow: dict[str, Any]) -> tuple[set[str], dict[str, Any]]:
        secrets: set[str] = set()
        variables: dict[str, Any] = {}
        for item in workflow.get("environment_variables") or []:
            if not isinstance(item, dict) or not item.get("name"):
                raise FormatError(
                    f"an environment variable needs a name: {item!r}", field="environment_variables"
                )
            if item.get("value_type") == "secret":
                secrets.add(str(item["name"]))
                if item.get("value"):
                    self.note(
                        None, f"secret {item['name']}: its value is not imported; set it in the environment"
                    )
            else:
                variables[str(item["name"])] = item.get("value")
        return secrets, variables

    def _variables(self, meta: Any, environment: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(meta, dict):
            return environment
        merged = dict(meta)
        for name, value in environment.items():
            as_exported = meta.get(name)
            if isinstance(as_exported, bool) or as_exported is None:
                as_exported = "" if as_exported is None else str(as_exported).lower()
            if name not in meta or value != as_exported:
                merged[name] = value
        return merged

    # ------------------------------------------------------------------------------------ nodes
    def _nodes(self, graph: Graph, secrets: set[str]) -> dict[str, Node]:
        built: dict[str, tuple[tuple[int, int], Node]] = {}
        for seq, dify_id in enumerate(graph.order):
            fb_id = graph.fb_id.get(dify_id)
            if fb_id is None or fb_id in built or graph.is_part(dify_id):
                continue
            item = graph.nodes[dify_id]
            data = item["data"]
            meta = data.get(META) if isinstance(data.get(META), dict) else {}
            saved = meta.get("node") if isinstance(meta.get("node"), dict) else None
            unchanged = saved is not None and meta.get("digest") == digest(data)
            title = graph.names[dify_id]
            if unchanged:
                assert saved is not None
                node_data = dict(saved)
                if title != saved.get("name"):
                    self.note(
                        title,
                        f"renamed in Dify (was {saved.get('name')!r}); texts naming the old key keep it",
                    )
                node_data["name"] = title
                node_data["description"] = str(data.get("desc") or "")
            else:
                node_data = read_node(graph, dify_id, secrets, self)
                if saved is not None:
                    for attribute in (
                        "id",
                        "start_node",
                        "auto_continue",
                        "display_result",
                        "pass_input_as_result",
                    ):
                        node_data[attribute] = saved.get(attribute, node_data.get(attribute))
                    self.note(title, "changed in Dify: read from its Dify settings")
            if fb_id in graph.started:
                node_data["start_node"] = True
            node_data["position"] = _position(item, meta, node_data.get("position"))
            try:
                node = Node.model_validate(node_data)
            except ValidationError as error:
                where = f"Dify node {data.get('title')!r} (id {dify_id}, {data.get('type')})"
                raise explain(error, where, node=title, kind=FormatError) from None
            except DefinitionError as error:
                raise FormatError(f"Dify node {title!r} (id {dify_id}): {error}", node=title) from None
            order = (0, int(meta["i"])) if unchanged and isinstance(meta.get("i"), int) else (1, seq)
            built[node.id] = (order, node)
            graph.fb_node[dify_id] = node
        for dify_id, fb_id in graph.fb_id.items():
            if dify_id not in graph.fb_node and fb_id in built:
                graph.fb_node[dify_id] = built[fb_id][1]
        return {node.id: node for _, node in sorted(built.values(), key=lambda pair: pair[0])}

    # ------------------------------------------------------------------------------------ relations
    def _relations(self, graph: Graph, nodes: dict[str, Node]) -> list[dict[str, Any]]:
        found: list[tuple[tuple[int, int], dict[str, Any]]] = []
        seen: set[tuple[str, str, str]] = set()

        def add(order: tuple[int, int], rid: str, source: Node, condition: str, target_id: str) -> None:
            try:
                resolved = source.resolve_condition(condition)
            except DefinitionError as error:
                self.note(source.name, f"a relation to {nodes[target_id].name!r} was dropped: {error}")
                return
            key = (source.id, resolved.system_name, target_id)
            if key in seen:
                return
            seen.add(key)
            relation = Relation(id=rid, source=source.id, condition=resolved, target=target_id)
            found.append((order, relation.model_dump()))

        for seq, edge in enumerate(graph.edges):
            source, target = graph.fb_node.get(edge["source"]), graph.fb_node.get(edge["target"])
            internal = source is not None and target is not None and source.id == target.id
            if target is None or source is None or (internal and graph.is_part(edge["source"])):
                continue
            carried = edge_meta(edge)
            entries = carried.get("relations")
            if carried.get("synthetic") == "start" and not entries:
                continue  # Start → node: where flow_nb's run starts, not a relation
            if entries:
                for entry in entries:
                    order = (0, int(entry["i"])) if isinstance(entry.get("i"), int) else (1, seq)
                    add(order, str(entry.get("id")), source, str(entry.get("condition")), target.id)
                continue
            for condition in graph.conditions(edge, self):
                add((1, seq), stable_uuid(str(edge.get("id")), condition), source, condition, target.id)
        for dify_id, node in graph.fb_node.items():
            meta = graph.nodes[dify_id]["data"].get(META)
            if not isinstance(meta, dict) or graph.is_part(dify_id):
                continue
            for entry in meta.get("relations") or []:
                if isinstance(entry, dict) and entry.get("target") in nodes:
                    order = (0, int(entry["i"])) if isinstance(entry.get("i"), int) else (2, 0)
                    add(order, str(entry.get("id")), node, str(entry.get("condition")), str(entry["target"]))
        return [relation for _, relation in sorted(found, key=lambda pair: pair[0])]


def _position(item: dict[str, Any], meta: dict[str, Any], saved: Any) -> Any:
    place = item.get("position")
    if not isinstance(place, dict) or not all(isinstance(place.get(k), (int, float)) for k in ("x", "y")):
        return saved if meta else None
    at = meta.get("at")
    if isinstance(at, list) and len(at) == 2 and [place["x"], place["y"]] == at:
        return saved
    return Position(x=place["x"], y=place["y"]).model_dump()


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])
