"""The one event vocabulary of a run.

Small models tagged by a literal ``type`` and joined in one discriminated union, :data:`Event`. The run
record, the notebook's run view, the server's SSE formats and the CLI are all functions of this stream.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "ConditionRef",
    "ErrorEvent",
    "Event",
    "InputGiven",
    "InputRequested",
    "NodeFinished",
    "NodeStarted",
    "RunFinished",
    "RunStarted",
    "RunStatus",
    "Source",
    "Token",
    "Usage",
    "event_adapter",
    "now",
]

RunStatus = Literal["PENDING", "RUNNING", "WAITING", "FINISHED", "FAILED", "STOPPED"]
NodeStatus = Literal["RUNNING", "WAITING", "FINISHED", "FAILED", "STOPPED"]


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_id: str
    at: datetime = Field(default_factory=now)


class Usage(BaseModel):
    """Tokens an LLM call (or a node run, or a run) used."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class ConditionRef(BaseModel):
    """A condition as the seed's progress JSON lists it."""

    model_config = ConfigDict(frozen=True)

    id: int | str
    system_name: str
    display_name: str


class Source(BaseModel):
    """A data item an answer used (the seed's ``sources`` entry)."""

    model_config = ConfigDict(frozen=True)

    data_source: dict[str, str]
    data_item: dict[str, str]


class RunStarted(_Event):
    """The run began."""

    type: Literal["run_started"] = "run_started"
    workflow_id: str
    workflow_name: str
    input: dict[str, Any]
    variables: dict[str, Any] = Field(default_factory=dict)
    start_nodes: list[str] = Field(default_factory=list)
    """Keys of the nodes the run starts at."""


class NodeStarted(_Event):
    """A node run began (a node reached twice starts twice, with ``index`` 0, 1, …)."""

    type: Literal["node_started"] = "node_started"
    node_run_id: str
    node_id: str
    node_key: str
    node_name: str
    node_type: str
    index: int
    """This node's run number in the run, from 0."""
    step: int
    """This node run's number among all node runs of the run, from 0."""
    input: Any = None
    start_node: bool = False
    source_run_id: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)


class Token(_Event):
    """A piece of an LLM reply, streamed under the node run producing it."""

    type: Literal["token"] = "token"
    node_run_id: str
    node_key: str
    content: str = ""
    reasoning: str | None = None


class InputRequested(_Event):
    """The run waits for a person: a ``text_input`` reached mid-run (``kind="text"``), or a result to
    approve, edit or reject (``kind="approval"``, for ``auto_continue: false``)."""

    type: Literal["input_requested"] = "input_requested"
    request_id: str
    kind: Literal["text", "approval"]
    node_run_id: str
    node_key: str
    node_name: str
    prompt: str | None = None
    placeholder: str | None = None
    result: Any = None
    """For an approval: the result that waits to be approved."""


class InputGiven(_Event):
    """A person answered a request; the run goes on."""

    type: Literal["input_given"] = "input_given"
    request_id: str
    node_run_id: str
    node_key: str
    action: Literal["input", "approve", "edit", "reject"]
    value: Any = None


class NodeFinished(_Event):
    """A node run ended: its result, the conditions it met, what it cost."""

    type: Literal["node_finished"] = "node_finished"
    node_run_id: str
    node_id: str
    node_key: str
    node_name: str
    node_type: str
    index: int
    status: NodeStatus
    result: Any = None
    message: str = "OK"
    met: list[ConditionRef] = Field(default_factory=list)
    fired: list[str] = Field(default_factory=list)
    """Ids of the relations that fired from this node run."""
    elapsed: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    credits: int = 1
    sources: list[Source] = Field(default_factory=list)
    displayed: bool = False
    """Whether the result is one of the run's results (``display_result``)."""


class ErrorEvent(_Event):
    """Something went wrong; ``node_key`` says where when a node is to blame."""

    type: Literal["error"] = "error"
    message: str
    kind: str = "RunError"
    node_key: str | None = None
    node_run_id: str | None = None


class RunFinished(_Event):
    """The run ended: FINISHED, FAILED or STOPPED, with its results and totals."""

    type: Literal["run_finished"] = "run_finished"
    status: RunStatus
    results: list[Any] = Field(default_factory=list)
    output: Any = None
    total_time: float = 0.0
    total_tokens: int = 0
    total_steps: int = 0
    credits: int = 0
    error: str | None = None


Event = Annotated[
    Union[RunStarted, NodeStarted, Token, InputRequested, InputGiven, NodeFinished, ErrorEvent, RunFinished],  # noqa: UP007
    Field(discriminator="type"),
]
"""Any event of a run."""

event_adapter: TypeAdapter[Event] = TypeAdapter(Event)
"""Validates and serialises :data:`Event` values (``event_adapter.validate_json(line)``)."""
