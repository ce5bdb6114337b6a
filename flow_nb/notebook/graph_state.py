"""What the graph widget shows, as plain data: the workflow drawn (``graph``), a run passing through it
(``run_state``), and the two ways its hand-made wiring is kept (a workflow file, a relations cell).

No widget code here: these are functions of the workflow, the run's events and a saved export, so they
are tested without a front end and reused by ``bench/graph.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import (
    Event,
    InputGiven,
    InputRequested,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
)
from ..errors import DefinitionError
from ..formats import flowflow
from ..model import Condition, Relation, Workflow, new_id
from .display import short
from .layout import FAMILY_COLOURS, GAP_Y, NODE_H, NODE_W, layout

__all__ = ["RunState", "graph_state", "label_of", "relations_cell", "restore"]


def label_of(condition: Condition) -> str:
    """A condition's short name, as a person types it (``true`` for ``boolean_true``)."""
    return condition.aliases[0] if condition.aliases else condition.system_name


def graph_state(workflow: Workflow) -> dict[str, Any]:
    """The ``graph`` trait: every node where it goes (its own position wins over the layered layout),
    with the conditions its type can meet, and every relation with its condition's short name."""
    places = layout(workflow)
    placed = [places[n.id] for n in workflow.nodes if n.position is not None]
    loose = [places[n.id] for n in workflow.nodes if n.position is None]
    if placed and loose:  # nodes added after a hand layout go in their layers, below the placed ones
        shift = max(y for _, y in placed) + NODE_H + GAP_Y - min(y for _, y in loose)
        places = {
            node.id: places[node.id]
            if node.position is not None
            else (places[node.id][0], places[node.id][1] + shift)
            for node in workflow.nodes
        }
    by_id = {node.id: node for node in workflow.nodes}
    nodes = []
    for node in workflow.nodes:
        x, y = places[node.id]
        nodes.append(
            {
                "id": node.id,
                "key": node.key,
                "name": node.name,
                "type": node.type,
                "type_name": node.node_type.display_name,
                "family": node.node_type.family,
                "start": node.start_node,
                "x": round(x, 1),
                "y": round(y, 1),
                "placed": node.position is not None,
                "conditions": [
                    {"system_name": c.system_name, "label": label_of(c)} for c in node.conditions()
                ],
            }
        )
    relations = [
        {
            "id": r.id,
            "source": r.source,
            "target": r.target,
            "condition": r.condition.system_name,
            "label": label_of(r.condition),
            "text": f"{by_id[r.source].key}:{label_of(r.condition)} -> {by_id[r.target].key}",
        }
        for r in workflow.relations
    ]
    return {
        "workflow": workflow.name,
        "nodes": nodes,
        "relations": relations,
        "node_w": NODE_W,
        "node_h": NODE_H,
        "colours": FAMILY_COLOURS,
    }


class RunState:
    """The ``run_state`` trait as a function of one run's events: each node's status and its last run
    (input, result, conditions met, time), and the relations that fired."""

    def __init__(self, run_id: str, workflow: str) -> None:
        self.run_id = run_id
        self.workflow = workflow
        self.status = "PENDING"
        self.nodes: dict[str, dict[str, Any]] = {}
        self.fired: list[str] = []
        self._fired: set[str] = set()
        self._node_of_run: dict[str, str] = {}
        self.error: str | None = None

    def apply(self, event: Event) -> None:
        """Take one event of the run into account."""
        if isinstance(event, RunStarted):
            self.status = "RUNNING"
        elif isinstance(event, NodeStarted):
            self._node_of_run[event.node_run_id] = event.node_id
            previous = self.nodes.get(event.node_id, {})
            self.nodes[event.node_id] = {
                "key": event.node_key,
                "status": "RUNNING",
                "runs": previous.get("runs", 0) + 1,
                "input": short(event.input, 400),
                "result": None,
                "conditions": [],
                "elapsed": None,
                "message": "",
            }
        elif isinstance(event, NodeFinished):
            node = self.nodes.get(event.node_id)
            if node is not None:
                node.update(
                    status=event.status,
                    result=short(event.result, 800),
                    conditions=[c.system_name for c in event.met],
                    elapsed=round(event.elapsed, 3),
                    message=event.message,
                )
            for relation_id in event.fired:
                if relation_id not in self._fired:
                    self._fired.add(relation_id)
                    self.fired.append(relation_id)
        elif isinstance(event, (InputRequested, InputGiven)):
            node_id = self._node_of_run.get(event.node_run_id)
            if node_id in self.nodes:
                waiting = isinstance(event, InputRequested)
                self.nodes[node_id]["status"] = "WAITING" if waiting else "RUNNING"
            self.status = "WAITING" if isinstance(event, InputRequested) else "RUNNING"
        elif isinstance(event, RunFinished):
            self.status = event.status
            self.error = event.error

    def as_dict(self) -> dict[str, Any]:
        """The trait's value (fresh containers, so traitlets sees a change)."""
        return {
            "run_id": self.run_id,
            "workflow": self.workflow,
            "status": self.status,
            "error": self.error,
            "nodes": {node_id: dict(node) for node_id, node in self.nodes.items()},
            "fired": list(self.fired),
        }


def relations_cell(workflow: Workflow) -> str:
    """The workflow's whole wiring as a ``%%flow relations`` cell (which sets it again when run)."""
    by_id = {node.id: node for node in workflow.nodes}
    lines = [f"%%flow relations --workflow {workflow.name}"]
    for r in workflow.relations:
        lines.append(f"{by_id[r.source].key}:{label_of(r.condition)} -> {by_id[r.target].key}")
    return "\n".join(lines)


def restore(workflow: Workflow, path: str | Path) -> list[str]:
    """Take the wiring and node positions of the workflow saved at ``path`` into ``workflow`` (one
    atomic change), matching nodes by key. The file decides the relations among the nodes it knows;
    relations that touch a node it does not know are kept. Node configs stay as they are.

    Returns notes about what could not be taken (a relation whose condition the node can no longer meet).
    """
    saved = flowflow.load(Path(path), Workflow)
    saved_keys = {node.id: node.key for node in saved.nodes}
    known = set(saved_keys.values())
    notes: list[str] = []

    def change(scratch: Workflow) -> None:
        places = {node.key: node.position for node in saved.nodes if node.position is not None}
        scratch.nodes = [
            node.model_copy(update={"position": places[node.key]}) if node.key in places else node
            for node in scratch.nodes
        ]
        keys = {node.id: node.key for node in scratch.nodes}
        relations = [
            r for r in scratch.relations if keys[r.source] not in known or keys[r.target] not in known
        ]
        seen = {(r.source, r.condition, r.target) for r in relations}
        ids = {r.id for r in relations}
        for r in saved.relations:
            source, target = saved_keys[r.source], saved_keys[r.target]
            if source not in scratch or target not in scratch:
                continue
            try:
                condition = scratch[source].resolve_condition(r.condition)
            except DefinitionError as error:
                notes.append(f"left out {source}:{label_of(r.condition)} -> {target}: {error}")
                continue
            ends = (scratch[source].id, condition, scratch[target].id)
            if ends in seen:
                continue
            seen.add(ends)
            # the file's relation ids are kept, so a relation has the same id before and after a restart
            relation_id = r.id if r.id not in ids else new_id()
            ids.add(relation_id)
            relations.append(Relation(id=relation_id, source=ends[0], condition=condition, target=ends[2]))
        scratch.relations = relations

    workflow.apply(change)
    return notes
