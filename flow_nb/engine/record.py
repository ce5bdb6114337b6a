"""The run record: what a run did, node by node, shaped like the seed's progress JSON.

It is built only from the event stream (:meth:`RunRecord.apply`), so every view of a run agrees with it.
``run.nodes["money"].runs[0].result`` reads it from Python; :meth:`RunRecord.progress` gives the seed's
``workflow/progress`` JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from ..model import Workflow
from .events import (
    ConditionRef,
    ErrorEvent,
    Event,
    InputGiven,
    InputRequested,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
    RunStatus,
    Source,
    Token,
    Usage,
    now,
)

__all__ = ["Conditions", "DefinedCondition", "NodeRecord", "NodeRun", "RunRecord"]


class NodeTarget(BaseModel):
    """A node a defined condition leads to (the seed's ``node_targets`` entry)."""

    id: str
    name: str
    relation: dict[str, str]
    type: dict[str, Any]


class DefinedCondition(ConditionRef):
    """A condition that has relations from this node, and where they lead."""

    node_targets: list[NodeTarget] = Field(default_factory=list)


class Conditions(BaseModel):
    """The seed's ``conditions``: ``defined`` (has relations), ``met``, and ``met_and_defined``."""

    defined: list[DefinedCondition] = Field(default_factory=list)
    met: list[ConditionRef] = Field(default_factory=list)
    met_and_defined: list[ConditionRef] = Field(default_factory=list)


class NodeRun(BaseModel):
    """One run of one node."""

    id: str
    index: int
    step: int
    status: str = "RUNNING"
    input: Any = None
    result: Any = None
    message: str = "OK"
    conditions: Conditions = Field(default_factory=Conditions)
    config: dict[str, Any] = Field(default_factory=dict)
    created: datetime
    updated: datetime
    start_node: bool = False
    end_node: bool = False
    source_run_id: str | None = None
    sources: list[Source] = Field(default_factory=list)
    fired: list[str] = Field(default_factory=list)
    elapsed: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    credits: int = 0
    tokens: str = ""
    """The LLM reply as it streamed."""
    reasoning: str = ""

    @property
    def condition(self) -> str | None:
        """The system name of the first condition met, if any."""
        return self.conditions.met[0].system_name if self.conditions.met else None


class NodeRecord(BaseModel):
    """A node of the workflow and its runs in this run."""

    id: str
    key: str
    name: str
    type: dict[str, Any]
    runs: list[NodeRun] = Field(default_factory=list)


class RunRecord(BaseModel):
    """A run of a workflow: status, results, totals, and every node run."""

    id: str
    workflow: dict[str, str]
    status: RunStatus = "PENDING"
    input: dict[str, Any] = Field(default_factory=dict)
    variables: dict[str, Any] = Field(default_factory=dict)
    results: list[Any] = Field(default_factory=list)
    output: Any = None
    error: str | None = None
    created: datetime = Field(default_factory=now)
    updated: datetime = Field(default_factory=now)
    total_time: float = 0.0
    total_tokens: int = 0
    total_steps: int = 0
    credits: int = 0
    nodes: dict[str, NodeRecord] = Field(default_factory=dict)
    """Node records by node key, in the order the nodes first ran."""
    waiting: list[InputRequested] = Field(default_factory=list)
    """Requests for a person that are still open."""
    path: list[str] = Field(default_factory=list)
    """The conditions met, in order, as ``node:condition``."""

    _workflow: Workflow | None = PrivateAttr(default=None)
    _runs: dict[str, NodeRun] = PrivateAttr(default_factory=dict)

    @classmethod
    def for_workflow(cls, workflow: Workflow, run_id: str) -> RunRecord:
        """An empty record of a run of ``workflow``."""
        record = cls(id=run_id, workflow={"id": workflow.id, "name": workflow.name})
        record._workflow = workflow
        return record

    def node_run(self, node_run_id: str) -> NodeRun | None:
        """A node run of this record by its id."""
        return self._runs.get(node_run_id)

    def apply(self, event: Event) -> None:
        """Bring the record up to date with one event."""
        self.updated = event.at
        if isinstance(event, RunStarted):
            self.status, self.created = "RUNNING", event.at
            self.input, self.variables = event.input, event.variables
        elif isinstance(event, NodeStarted):
            self._started(event)
        elif isinstance(event, Token):
            run = self._runs.get(event.node_run_id)
            if run is not None:
                run.tokens += event.content
                run.reasoning += event.reasoning or ""
        elif isinstance(event, InputRequested):
            self.waiting.append(event)
            self.status = "WAITING"
            run = self._runs.get(event.node_run_id)
            if run is not None:
                run.status = "WAITING"
        elif isinstance(event, InputGiven):
            self.waiting = [w for w in self.waiting if w.request_id != event.request_id]
            if not self.waiting and self.status == "WAITING":
                self.status = "RUNNING"
            run = self._runs.get(event.node_run_id)
            if run is not None:
                run.status = "RUNNING"
        elif isinstance(event, NodeFinished):
            self._finished(event)
        elif isinstance(event, ErrorEvent):
            self.error = event.message
        elif isinstance(event, RunFinished):
            self.status, self.results, self.output = event.status, event.results, event.output
            self.total_time, self.total_steps, self.credits = (
                event.total_time,
                event.total_steps,
                event.credits,
            )
            self.total_tokens = event.total_tokens
            self.error = event.error or self.error
            self.waiting = []

    def _started(self, event: NodeStarted) -> None:
        node = self.nodes.get(event.node_key)
        if node is None:
            type_ref = {"id": event.node_type, "display_name": event.node_type}
            if self._workflow is not None and event.node_key in self._workflow:
                ref = self._workflow[event.node_key].node_type.type_ref()
                type_ref = {"id": ref["id"], "display_name": ref["display_name"]}
            node = NodeRecord(id=event.node_id, key=event.node_key, name=event.node_name, type=type_ref)
            self.nodes[event.node_key] = node
        run = NodeRun(
            id=event.node_run_id,
            index=event.index,
            step=event.step,
            input=event.input,
            config=event.config,
            created=event.at,
            updated=event.at,
            start_node=event.start_node,
            source_run_id=event.source_run_id,
        )
        node.runs.append(run)
        self._runs[run.id] = run

    def _finished(self, event: NodeFinished) -> None:
        run = self._runs.get(event.node_run_id)
        if run is None:
            return
        run.status, run.result, run.message, run.updated = event.status, event.result, event.message, event.at
        run.elapsed, run.usage, run.credits, run.sources = (
            event.elapsed,
            event.usage,
            event.credits,
            event.sources,
        )
        run.fired = event.fired
        run.end_node = not event.fired
        run.conditions = self._conditions(event)
        self.total_steps += 1
        self.credits += event.credits
        self.total_tokens += event.usage.total_tokens
        self.path.extend(f"{event.node_key}:{c.system_name}" for c in event.met)
        if event.displayed:
            self.results.append(event.result)

    def _conditions(self, event: NodeFinished) -> Conditions:
        defined: dict[str, DefinedCondition] = {}
        workflow = self._workflow
        if workflow is not None and event.node_key in workflow:
            node = workflow[event.node_key]
            for relation in workflow.relations_from(node):
                target = workflow[relation.target]
                condition = relation.condition
                entry = defined.setdefault(
                    condition.system_name,
                    DefinedCondition(
                        id=condition.id,
                        system_name=condition.system_name,
                        display_name=condition.display_name,
                    ),
                )
                ref = target.node_type.type_ref()
                entry.node_targets.append(
                    NodeTarget(
                        id=target.id,
                        name=target.name,
                        relation={"id": relation.id},
                        type={"id": str(ref["id"]), "display_name": ref["display_name"]},
                    )
                )
        met_and_defined = [c for c in event.met if c.system_name in defined]
        return Conditions(
            defined=list(defined.values()), met=list(event.met), met_and_defined=met_and_defined
        )

    def progress(self) -> dict[str, Any]:
        """The seed's ``workflow/progress`` JSON for this run."""
        nodes = []
        for node in self.nodes.values():
            runs = []
            for run in node.runs:
                runs.append(
                    {
                        "conditions": run.conditions.model_dump(mode="json"),
                        "config": run.config,
                        "created": _iso(run.created),
                        "end_node": run.end_node,
                        "id": run.id,
                        "index": run.index,
                        "input": run.input,
                        "message": run.message,
                        "result": run.result,
                        "source_run_id": run.source_run_id,
                        "sources": [s.model_dump(mode="json") for s in run.sources],
                        "start_node": run.start_node,
                        "status": run.status,
                        "time_spend": run.elapsed,
                        "total_tokens": run.usage.total_tokens,
                        "updated": _iso(run.updated),
                    }
                )
            nodes.append({"id": node.id, "name": node.name, "runs": runs, "type": node.type})
        return {
            "status": "OK",
            "workflow": {
                "id": self.workflow["id"],
                "name": self.workflow["name"],
                "run": {
                    "created": _iso(self.created),
                    "id": self.id,
                    "results": self.results,
                    "status": self.status,
                    "updated": _iso(self.updated),
                    "total_time": self.total_time,
                    "total_tokens": self.total_tokens,
                    "total_steps": self.total_steps,
                    "credits": self.credits,
                    "error": self.error,
                },
                "nodes": nodes,
            },
        }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
