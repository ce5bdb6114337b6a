"""The workflow model: workflows, nodes, relations, conditions and the node catalogue.

Pure data and validation; it knows nothing of IPython, HTTP or any LLM client.
"""

from __future__ import annotations

from .catalog import NodeConfig, NodeType, all_types, get_type, register
from .condition import ERROR, Condition, label_condition
from .ids import key_of, new_id
from .node import Node, Position, Relation
from .workflow import Settings, Workflow

__all__ = [
    "ERROR",
    "Condition",
    "Node",
    "NodeConfig",
    "NodeType",
    "Position",
    "Relation",
    "Settings",
    "Workflow",
    "all_types",
    "get_type",
    "key_of",
    "label_condition",
    "new_id",
    "register",
]
