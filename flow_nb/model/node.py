"""A node of a workflow, and a relation between two nodes."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    field_serializer,
    field_validator,
    model_validator,
)

from ..errors import ConditionError, DefinitionError
from .catalog import NodeConfig, NodeType, get_type
from .condition import Condition
from .fields import template_problem
from .ids import key_of, new_id

__all__ = ["GENERAL_ATTRIBUTES", "Node", "Position", "Relation", "config_texts"]

GENERAL_ATTRIBUTES = ("auto_continue", "display_result", "pass_input_as_result")
"""The seed's general node attributes; their defaults come from the node type."""


class Position(BaseModel):
    """Where a node sits on the graph canvas."""

    model_config = ConfigDict(extra="forbid")

    x: float
    y: float


class Node(BaseModel):
    """One node: its identity, its type, the general attributes and the type's own config."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_id)
    name: str
    description: str = ""
    type: str
    """The node type's key (``"boolean"``); exported as ``{"id", "system_name", "display_name"}``."""
    start_node: bool = False
    auto_continue: bool
    display_result: bool
    pass_input_as_result: bool
    config: SerializeAsAny[NodeConfig]
    position: Position | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_type(cls, data: Any) -> Any:
        """Resolve the type (key or exported type object), fill defaults, build the type's config."""
        if not isinstance(data, dict) or "type" not in data:
            return data
        data = dict(data)
        ref = data["type"]
        if isinstance(ref, dict):
            ref = ref.get("system_name") or ref.get("id") or ref.get("display_name")
        if not isinstance(ref, (str, int)):
            raise ValueError(f"type must be a node type name, not {ref!r}")
        try:
            node_type = get_type(ref)
        except DefinitionError as error:
            name = data.get("name")
            raise DefinitionError(f"node {name!r}: {error}", node=name, field="type") from None
        data["type"] = node_type.key
        for attribute in GENERAL_ATTRIBUTES:
            if data.get(attribute) is None:
                data[attribute] = getattr(node_type, attribute)
        config = data.get("config")
        if config is None or isinstance(config, dict):
            data["config"] = node_type.config_model.model_validate(config or {})
        elif not isinstance(config, node_type.config_model):
            data["config"] = node_type.config_model.model_validate(config.model_dump())
        return data

    @model_validator(mode="after")
    def _templates_parse(self) -> Node:
        for field, text in config_texts(self):
            problem = template_problem(text)
            if problem:
                raise ValueError(f"{field}: {problem}")
        return self

    @field_validator("name")
    @classmethod
    def _name_usable(cls, name: str) -> str:
        if not key_of(name):
            raise ValueError("a node needs a name")
        return name.strip()

    @field_serializer("type")
    def _type_ref(self, key: str) -> dict[str, Any]:
        return get_type(key).type_ref()

    @cached_property
    def key(self) -> str:
        """The lower-cased name with spaces as ``_``, used in ``{{node.<key>}}`` and in relations."""
        return key_of(self.name)

    @property
    def node_type(self) -> NodeType:
        """The registered type of this node."""
        return get_type(self.type)

    def conditions(self) -> tuple[Condition, ...]:
        """The conditions this node can meet (``error`` included)."""
        return self.node_type.conditions_for(self.config)

    def resolve_condition(self, ref: str | int | Condition) -> Condition:
        """The condition of this node named by system name, short form, seed id or object."""
        options = self.conditions()
        if isinstance(ref, Condition):
            for condition in options:
                if condition == ref:
                    return condition
            wanted = ref.system_name.lower()
        else:
            wanted = str(ref).strip().lower()
        for condition in options:
            if wanted in condition.names():
                return condition
        short = ", ".join(_short(c) for c in options)
        raise ConditionError(
            f"node {self.name!r} ({self.type}) cannot meet the condition {_named(ref)!r}; "
            f"its conditions are: {short}",
            node=self.name,
            field="condition",
        )


def config_texts(node: Node) -> list[tuple[str, str]]:
    """Every text of a node's config that is a Jinja2 template, with its field (``labels[0].context``):
    all strings but the type's raw fields (code) and the model name."""
    return _texts(node.config.model_dump(), set(node.node_type.raw_fields) | {"model"})


def _texts(data: Any, raw: set[str], field: str = "") -> list[tuple[str, str]]:
    if isinstance(data, str):
        return [(field, data)]
    if isinstance(data, dict):
        return [
            t
            for k, v in data.items()
            if field or k not in raw
            for t in _texts(v, raw, f"{field}.{k}".lstrip("."))
        ]
    if isinstance(data, list):
        return [t for i, v in enumerate(data) for t in _texts(v, raw, f"{field}[{i}]")]
    return []


def _named(ref: str | int | Condition) -> str:
    return ref.system_name if isinstance(ref, Condition) else str(ref)


def _short(condition: Condition) -> str:
    return condition.aliases[0] if condition.aliases else condition.system_name


class Relation(BaseModel):
    """A one-way link: when ``source`` meets ``condition``, ``target`` runs with its result."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_id)
    source: str
    """The source node's id."""
    condition: Condition
    target: str
    """The target node's id."""
