"""The workflow: nodes, conditional relations, variables, and the builder that edits them.

Every edit is checked as a whole before it is kept: a refused edit raises a ``DefinitionError`` that names
the node, relation or field, and leaves the workflow exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, PrivateAttr, ValidationError, model_validator

from ..errors import ConditionError, DefinitionError, NotRunnableError, UnknownNodeError
from .catalog import get_type
from .condition import Condition
from .explain import explain
from .ids import key_of, new_id
from .node import GENERAL_ATTRIBUTES, Node, Position, Relation

__all__ = ["Settings", "Workflow"]

Observer = Callable[["Workflow"], None]
T = TypeVar("T")


class Settings(BaseModel):
    """Run settings of a workflow."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    """Model name for the AI nodes that set none; unset: ``FLOW_NB_MODEL`` from the environment."""
    max_node_runs: int = Field(default=100, ge=1)
    """A run stops with an error past this many node runs (cycles are allowed)."""


class Workflow(BaseModel):
    """A workflow of nodes linked by conditional relations."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_id)
    name: str
    description: str = ""
    version: int = Field(default=1, ge=1)
    category: str | None = None
    variables: dict[str, JsonValue] = Field(default_factory=dict)
    """Workflow variables, used as ``{{workflow.<name>}}``."""
    settings: Settings = Field(default_factory=Settings)
    nodes: list[Node] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)

    _observers: list[Observer] = PrivateAttr(default_factory=list)
    _index: dict[str, Node] = PrivateAttr(default_factory=dict)
    _index_stamp: tuple[list[Node], int] | None = PrivateAttr(default=None)
    _outgoing: dict[str, list[Relation]] = PrivateAttr(default_factory=dict)
    _outgoing_stamp: tuple[list[Relation], int] | None = PrivateAttr(default=None)

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        super().__init__(**data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Workflow):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_graph(self) -> Workflow:
        self.relations = check_graph(self.nodes, self.relations)
        return self

    # ----------------------------------------------------------------------------------- lookups
    def find(self, ref: str) -> Node:
        """The node named by key, name or id."""
        node = self._lookup(ref)
        if node is None:
            known = ", ".join(n.key for n in self.nodes) or "none yet"
            raise UnknownNodeError(
                f"workflow {self.name!r} has no node {ref!r}; its nodes are: {known}", node=ref
            )
        return node

    def __getitem__(self, ref: str) -> Node:
        return self.find(ref)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self._lookup(ref) is not None

    def _lookup(self, ref: str) -> Node | None:
        index = self._indexed()
        return index.get(ref) or index.get(key_of(ref))

    def _indexed(self) -> dict[str, Node]:
        # The builder replaces the node list on every change (never edits it in place), so the list itself
        # (kept, so its identity cannot be reused) and its length tell whether the index is still good.
        # The private dict is read directly: pydantic's attribute hook costs more than the lookup.
        private = self.__pydantic_private__
        assert private is not None
        nodes = self.nodes
        stamp = private["_index_stamp"]
        if stamp is None or stamp[0] is not nodes or stamp[1] != len(nodes):
            index: dict[str, Node] = {node.key: node for node in nodes}
            index.update((node.id, node) for node in nodes)
            private["_index"], private["_index_stamp"] = index, (nodes, len(nodes))
        return private["_index"]  # type: ignore[no-any-return]

    def start_nodes(self, node_start_id: str | None = None) -> list[Node]:
        """The nodes a run starts at, or a ``NotRunnableError`` that says how to mark one."""
        if node_start_id:
            try:
                return [self.find(node_start_id)]
            except UnknownNodeError as error:
                raise NotRunnableError(str(error), node=node_start_id, field="node_start_id") from None
        starts = [node for node in self.nodes if node.start_node]
        if not starts:
            raise NotRunnableError(
                f"workflow {self.name!r} has no start node; mark one with start=True "
                f"(wf.node(..., start=True) or --start in a %%flow cell), or pass node_start_id"
            )
        return starts

    def relations_from(self, node: Node) -> list[Relation]:
        """The relations whose source is ``node``, in the order they were made."""
        private = self.__pydantic_private__
        assert private is not None
        relations = self.relations
        stamp = private["_outgoing_stamp"]
        if stamp is None or stamp[0] is not relations or stamp[1] != len(relations):
            outgoing: dict[str, list[Relation]] = {}
            for relation in relations:
                outgoing.setdefault(relation.source, []).append(relation)
            private["_outgoing"], private["_outgoing_stamp"] = outgoing, (relations, len(relations))
        found: list[Relation] = private["_outgoing"].get(node.id, [])
        return found

    # ----------------------------------------------------------------------------------- builder
    def node(
        self,
        name: str,
        type: str | None = None,
        text: str | None = None,
        *,
        start: bool | None = None,
        after: str | Iterable[str] | None = None,
        description: str | None = None,
        position: Position | dict[str, float] | tuple[float, float] | None = None,
        auto_continue: bool | None = None,
        display_result: bool | None = None,
        pass_input_as_result: bool | None = None,
        replace: bool = False,
        **config: Any,
    ) -> Node:
        """Add a node, or update the node of that name in place (its id and relations are kept).

        ``text`` is the type's main text (criteria, labels, template…); other config goes in as keyword
        arguments. ``after="money:true"`` (or a list) adds relations into this node. With ``replace``, the
        call defines the node whole (config and general attributes not given take their defaults) instead
        of changing only what it names; the id, relations and position are still kept.
        """
        existing = self._lookup(name)
        if existing is None and type is None:
            raise DefinitionError(f"node {name!r} does not exist yet; give its type", node=name, field="type")
        node_type = get_type(type if type is not None else existing.type)  # type: ignore[union-attr]
        same_type = existing is not None and existing.type == node_type.key and not replace
        merged: dict[str, Any] = existing.config.model_dump(exclude_unset=True) if same_type else {}  # type: ignore[union-attr]
        merged.update(config)
        if text is not None:
            if node_type.main_field is None:
                raise DefinitionError(
                    f"node {name!r}: a {node_type.key} node has no main text", node=name, field="text"
                )
            merged[node_type.main_field] = text
        general = {"auto_continue": auto_continue, "display_result": display_result}
        general["pass_input_as_result"] = pass_input_as_result
        if same_type:
            for attribute in GENERAL_ATTRIBUTES:
                if general[attribute] is None:
                    general[attribute] = getattr(existing, attribute)
        data: dict[str, Any] = {
            "id": existing.id if existing else new_id(),
            "name": name,
            "type": node_type.key,
            "description": description
            if description is not None
            else (existing.description if existing else ""),
            "start_node": start if start is not None else (existing.start_node if existing else False),
            "config": merged,
            "position": _position(position)
            if position is not None
            else (existing.position if existing else None),
            **general,
        }
        try:
            new = Node.model_validate(data)
        except ValidationError as error:
            raise explain(error, f"node {name!r} ({node_type.key})", node=name) from None
        nodes = [new if n is existing else n for n in self.nodes] if existing else [*self.nodes, new]
        relations = list(self.relations)
        for spec in _as_list(after):
            source_ref, _, condition = spec.partition(":")
            relations.append(self._relation(nodes, source_ref.strip(), condition.strip() or None, new.id))
        self._commit(nodes, relations)
        return self.find(new.id)

    def put(self, node: Node) -> Node:
        """Add ``node``, or replace the node of the same key wholesale (keeping its id and relations)."""
        existing = self._lookup(node.name)
        if existing is not None:
            node = node.model_copy(update={"id": existing.id})
            nodes = [node if n is existing else n for n in self.nodes]
        else:
            nodes = [*self.nodes, node]
        self._commit(nodes, list(self.relations))
        return node

    def connect(self, source: str, condition: str | int | Condition | None, target: str) -> Relation:
        """Add the relation ``source --condition--> target`` (nodes by key, name or id).

        The condition may be a system name (``boolean_true``), a short form (``true``, ``label:refund``)
        or the seed's id (``1101``). An existing identical relation is returned, not duplicated.
        """
        target_node = self.find(target)
        relation = self._relation(self.nodes, source, condition, target_node.id)
        for existing in self.relations:
            same = (existing.source, existing.condition, existing.target)
            if same == (relation.source, relation.condition, relation.target):
                return existing
        self._commit(self.nodes, [*self.relations, relation])
        return relation

    def disconnect(
        self, source: str, condition: str | int | Condition | None = None, target: str | None = None
    ) -> int:
        """Remove relations by id, or from ``source`` (optionally only on ``condition`` / to ``target``).

        Returns how many were removed; naming a relation that does not exist is an error.
        """
        by_id = [r for r in self.relations if r.id == source]
        if by_id:
            doomed = by_id
        else:
            src = self.find(source)
            wanted = src.resolve_condition(condition) if condition is not None else None
            tgt = self.find(target) if target is not None else None
            doomed = [
                r
                for r in self.relations
                if r.source == src.id
                and (wanted is None or r.condition == wanted)
                and (tgt is None or r.target == tgt.id)
            ]
        if not doomed:
            raise DefinitionError(f"no relation matches {source!r} {condition or ''} {target or ''}".rstrip())
        self._commit(self.nodes, [r for r in self.relations if r not in doomed])
        return len(doomed)

    def remove(self, ref: str) -> Node:
        """Remove a node and every relation into or out of it."""
        node = self.find(ref)
        nodes = [n for n in self.nodes if n is not node]
        relations = [r for r in self.relations if node.id not in (r.source, r.target)]
        self._commit(nodes, relations)
        return node

    def move(self, ref: str, x: float, y: float) -> Node:
        """Set a node's canvas position."""
        node = self.find(ref)
        moved = node.model_copy(update={"position": Position(x=x, y=y)})
        self._commit([moved if n is node else n for n in self.nodes], list(self.relations))
        return moved

    def apply(self, change: Callable[[Workflow], T]) -> T:
        """Make several edits as one: ``change`` edits a scratch copy, and only if it succeeds do the
        nodes, relations and variables of this workflow become the copy's (observers are told once)."""
        scratch = Workflow.model_construct(**{name: getattr(self, name) for name in type(self).model_fields})
        scratch.nodes, scratch.relations = list(self.nodes), list(self.relations)
        scratch.variables, scratch.settings = dict(self.variables), self.settings.model_copy()
        result = change(scratch)
        self.variables, self.settings = scratch.variables, scratch.settings
        self._commit(scratch.nodes, scratch.relations)
        return result

    # ------------------------------------------------------------------------------- observers
    def observe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(workflow)`` after every change; returns a function that stops it."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback) if callback in self._observers else None

    def _commit(self, nodes: list[Node], relations: list[Relation]) -> None:
        relations = check_graph(nodes, relations)
        self.nodes, self.relations = nodes, relations
        for callback in list(self._observers):
            callback(self)

    def _relation(
        self, nodes: list[Node], source: str, condition: str | int | Condition | None, target_id: str
    ) -> Relation:
        src = _find_in(nodes, source, self.name)
        if condition is None:
            default = src.node_type.default_condition
            if default is None:
                options = ", ".join(
                    f"{src.key}:{c.aliases[0] if c.aliases else c.system_name}" for c in src.conditions()
                )
                raise ConditionError(
                    f"say which condition of {src.key!r} ({src.type}) the relation fires on, e.g. {options}",
                    node=src.name,
                    field="condition",
                )
            condition = default
        return Relation(source=src.id, condition=src.resolve_condition(condition), target=target_id)


def check_graph(nodes: list[Node], relations: list[Relation]) -> list[Relation]:
    """Refuse shared keys, relations to unknown nodes, impossible conditions; canonical conditions back."""
    by_key: dict[str, Node] = {}
    by_id: dict[str, Node] = {}
    for node in nodes:
        if node.key in by_key:
            other = by_key[node.key]
            raise DefinitionError(
                f"nodes {other.name!r} and {node.name!r} share the key {node.key!r}; give one another name",
                node=node.name,
                field="name",
            )
        if node.id in by_id:
            raise DefinitionError(
                f"nodes {by_id[node.id].name!r} and {node.name!r} share the id {node.id!r}",
                node=node.name,
                field="id",
            )
        by_key[node.key] = node
        by_id[node.id] = node
    checked: list[Relation] = []
    seen: set[str] = set()
    for relation in relations:
        if relation.id in seen:
            raise DefinitionError(
                f"two relations share the id {relation.id!r}", relation=relation.id, field="id"
            )
        seen.add(relation.id)
        for end in ("source", "target"):
            if getattr(relation, end) not in by_id:
                raise UnknownNodeError(
                    f"relation {relation.id!r} names an unknown {end} node {getattr(relation, end)!r}",
                    relation=relation.id,
                    field=end,
                )
        source = by_id[relation.source]
        try:
            condition = source.resolve_condition(relation.condition)
        except ConditionError as error:
            raise ConditionError(
                f"relation {source.key} → {by_id[relation.target].key}: {error}",
                relation=relation.id,
                node=source.name,
                field="condition",
            ) from None
        checked.append(
            relation
            if condition is relation.condition
            else relation.model_copy(update={"condition": condition})
        )
    return checked


def _find_in(nodes: list[Node], ref: str, workflow: str) -> Node:
    key = key_of(ref)
    for node in nodes:
        if node.key == key or node.id == ref:
            return node
    known = ", ".join(n.key for n in nodes) or "none yet"
    raise UnknownNodeError(f"workflow {workflow!r} has no node {ref!r}; its nodes are: {known}", node=ref)


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _position(value: Position | dict[str, float] | tuple[float, float]) -> Position:
    if isinstance(value, Position):
        return value
    if isinstance(value, dict):
        return Position.model_validate(value)
    return Position(x=value[0], y=value[1])
