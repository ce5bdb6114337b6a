"""The node catalogue: node types are plug-ins registered here.

A node type is one small module under ``flow_nb/nodes`` that subclasses :class:`NodeType`: its config
model, its conditions, its general-attribute defaults, and (for the engine) one ``async run(ctx)``. The
model only reads the data half; adding a type touches no module but its own and this registry.
Third-party types register through the ``flow_nb.nodes`` entry-point group.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from ..errors import DefinitionError
from .condition import ERROR, Condition

__all__ = ["Family", "NodeConfig", "NodeType", "all_types", "get_type", "register"]

Family = Literal["ai", "text", "http", "code", "data"]


class NodeConfig(BaseModel):
    """Base of every node type's own config. Unknown attributes are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class NodeType:
    """One node type: what the model needs to know about it, and (in subclasses) how it runs."""

    key: ClassVar[str]
    """The name used in cells and the builder (``"boolean"``)."""
    type_id: ClassVar[int]
    """Stable numeric id in the export (the seed's where it gives one: answer 9, feedback 3)."""
    display_name: ClassVar[str]
    """The seed's name (``"AI - Boolean"``)."""
    family: ClassVar[Family]
    config_model: ClassVar[type[NodeConfig]]
    main_field: ClassVar[str | None] = None
    """The config attribute that the builder's third argument and a cell body fill."""
    conditions: ClassVar[tuple[Condition, ...]] = ()
    auto_continue: ClassVar[bool] = True
    display_result: ClassVar[bool] = False
    pass_input_as_result: ClassVar[bool] = False
    default_credits: ClassVar[int] = 1
    shows_input: ClassVar[bool] = False
    """True for types whose shown result is a person's own input (Text - Input): not a run result."""
    failure_conditions: ClassVar[tuple[str, ...]] = ()
    """Conditions met, besides ``error``, when a node run of this type fails."""
    raw_fields: ClassVar[tuple[str, ...]] = ()
    """Config attributes that are not templates (code is Python, not Jinja2)."""
    default_condition: ClassVar[str | None] = None
    """The condition ``after="source"`` means when it names none; None: it must be named."""
    description: ClassVar[str] = ""

    def conditions_for(self, config: NodeConfig) -> tuple[Condition, ...]:
        """The conditions a node of this type with ``config`` can meet, ``error`` last."""
        return (*self.conditions, ERROR)

    def type_ref(self) -> dict[str, Any]:
        """The type as the export writes it."""
        return {"id": self.type_id, "system_name": self.key, "display_name": self.display_name}

    async def run(self, ctx: Any) -> Any:
        """Run one node; implemented by each type for the engine."""
        raise NotImplementedError(f"node type {self.key!r} cannot run yet")


_REGISTRY: dict[str, NodeType] = {}
_loaded = False


def register(node_type: type[NodeType]) -> type[NodeType]:
    """Register a node type (usable as a class decorator). A key may be registered once."""
    key = node_type.key
    if key in _REGISTRY and type(_REGISTRY[key]) is not node_type:
        raise DefinitionError(f"node type {key!r} is registered twice; give the new type another key")
    _REGISTRY[key] = node_type()
    return node_type


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    importlib.import_module("flow_nb.nodes")
    for ep in entry_points(group="flow_nb.nodes"):
        ep.load()


def all_types() -> Iterator[NodeType]:
    """Every registered node type, built-in ones first."""
    _load()
    return iter(list(_REGISTRY.values()))


def get_type(name: str | int) -> NodeType:
    """The node type named by its key, system name, display name or numeric id."""
    _load()
    if isinstance(name, str) and name in _REGISTRY:
        return _REGISTRY[name]
    wanted = str(name).strip().lower()
    for node_type in _REGISTRY.values():
        names = (node_type.key, node_type.display_name.lower(), str(node_type.type_id))
        if wanted in names:
            return node_type
    known = ", ".join(sorted(_REGISTRY))
    raise DefinitionError(f"unknown node type {name!r}; the node types are: {known}")
