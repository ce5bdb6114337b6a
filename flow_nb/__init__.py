"""flow_nb: design, run and ship LLM workflows from a notebook.

import flow_nb as fn
wf = fn.Workflow("support")
wf.node("ask", "text_input", "How can I help you today?", start=True)
wf.node("money", "boolean", "Is the input related to money?", after="ask")
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import llm, registry
from .errors import (
    ConditionError,
    DefinitionError,
    FlowError,
    FormatError,
    LLMError,
    NodeRunError,
    NotRunnableError,
    RunCancelled,
    RunError,
    RunLimitError,
    UnknownNodeError,
)
from .model import Condition, Node, NodeType, Relation, all_types, get_type
from .registry import workflow
from .workflow import Answer, Workflow


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext flow_nb``: the ``%%flow`` / ``%flow`` magics and rich displays."""
    from .notebook import load_ipython_extension as load

    load(ipython)


__all__ = [
    "Answer",
    "Condition",
    "ConditionError",
    "DefinitionError",
    "FlowError",
    "FormatError",
    "LLMError",
    "Node",
    "NodeRunError",
    "NodeType",
    "NotRunnableError",
    "Relation",
    "RunCancelled",
    "RunError",
    "RunLimitError",
    "UnknownNodeError",
    "Workflow",
    "__version__",
    "all_types",
    "get_type",
    "llm",
    "load_ipython_extension",
    "registry",
    "workflow",
]
