"""The flow_nb exception tree.

Every error flow_nb raises on purpose is a ``FlowError``. Definition errors (something a person wrote is
wrong) are kept apart from run errors (a run could not go on)::

    FlowError
    ├── DefinitionError          a workflow, node, relation, cell or file is wrong; nothing was changed
    │   ├── UnknownNodeError     a name or id that is not a node of the workflow
    │   ├── ConditionError       a condition the source node's type cannot meet
    │   └── FormatError          a workflow file or export that cannot be read
    └── RunError                 a run could not go on
        ├── NotRunnableError     the workflow is valid but cannot start (no start node, bad input)
        ├── NodeRunError         a node failed and no relation handles its ``error`` condition
        ├── RunLimitError        more node runs than ``max_node_runs`` (a cycle that never ends)
        ├── LLMError             the model endpoint failed after its retries, or answered garbage
        └── RunCancelled         the run was stopped (kernel interrupt, stop endpoint)

Each error carries what it is about (``node``, ``relation``, ``field``, ``line``) so that a view can point
at it, and its message says what to do.
"""

from __future__ import annotations

__all__ = [
    "ConditionError",
    "DefinitionError",
    "FlowError",
    "FormatError",
    "LLMError",
    "NodeRunError",
    "NotRunnableError",
    "RunCancelled",
    "RunError",
    "RunLimitError",
    "UnknownNodeError",
]


class FlowError(Exception):
    """Base of every error flow_nb raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        node: str | None = None,
        relation: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.relation = relation
        self.field = field
        self.line = line

    def __str__(self) -> str:
        return self.message


class DefinitionError(FlowError):
    """Something a person wrote (workflow, node, relation, cell, file) is wrong; nothing was changed."""


class UnknownNodeError(DefinitionError):
    """A node name, key or id that the workflow does not have."""


class ConditionError(DefinitionError):
    """A condition that the source node's type cannot meet, or that is not known at all."""


class FormatError(DefinitionError):
    """A workflow export or file that cannot be read."""


class RunError(FlowError):
    """A run could not go on."""


class NotRunnableError(RunError):
    """The workflow cannot start: no start node, an unknown ``node_start_id``, bad input."""


class NodeRunError(RunError):
    """A node failed and no relation handles its ``error`` condition."""


class RunLimitError(RunError):
    """The run made more node runs than ``max_node_runs`` allows."""


class LLMError(RunError):
    """The model endpoint failed after its retries, or its reply could not be used."""


class RunCancelled(RunError):
    """The run was stopped before it finished."""
