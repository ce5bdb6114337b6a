"""What a ``%%flow`` cell does to the session's workflows: one atomic change, or none at all."""

from __future__ import annotations

import contextlib

from .. import registry
from ..errors import DefinitionError
from ..model import Node
from ..model import workflow as model
from ..workflow import Workflow
from .cells import CellError, NodeCell, RelationsCell

__all__ = ["define_node", "define_relations", "target_workflow"]

_after_of_cell: dict[tuple[str, str], list[str]] = {}
"""The ``--after`` relations each node cell made last time (by workflow id and node), so a re-run can take
back the ones it no longer names."""


def target_workflow(name: str | None) -> Workflow:
    """The workflow a cell is about: ``name`` if given (created if new), else the current one (or a new
    ``"default"`` one in a fresh session)."""
    if name is None and registry.current() is None:
        name = "default"
    wf = registry.workflow(name)
    assert isinstance(wf, Workflow)
    return wf


def define_node(cell: NodeCell) -> tuple[Workflow, Node]:
    """Define (or redefine in place) the cell's node; on any error nothing changes."""
    existed = cell.workflow is None or cell.workflow in registry.names()
    previous = registry.current()
    wf = target_workflow(cell.workflow)
    memory = (wf.id, cell.name.strip().lower())
    before = _after_of_cell.get(memory, [])

    def change(scratch: model.Workflow) -> Node:
        node = scratch.node(
            cell.name,
            cell.type,
            None,
            start=cell.start,
            description=cell.description,
            position=cell.position,
            replace=True,
            auto_continue=cell.general.get("auto_continue"),
            display_result=cell.general.get("display_result"),
            pass_input_as_result=cell.general.get("pass_input_as_result"),
            **cell.config,
        )
        for spec in before:
            if spec not in cell.after:
                _drop(scratch, spec, node)
        for spec in cell.after:
            source, _, condition = spec.partition(":")
            try:
                scratch.connect(source.strip(), condition.strip() or None, node.id)
            except DefinitionError as error:
                raise CellError(f"--after {spec}: {error}", line=1, field="after") from None
        return node

    try:
        node = wf.apply(change)
    except CellError:
        _undo_new_workflow(wf, existed, previous)
        raise
    except DefinitionError as error:
        _undo_new_workflow(wf, existed, previous)
        raise CellError(str(error), line=cell.line_of(error), field=error.field, node=error.node) from None
    _after_of_cell[memory] = list(cell.after)
    return wf, wf[node.id]


def _drop(scratch: model.Workflow, spec: str, node: Node) -> None:
    source, _, condition = spec.partition(":")
    if source.strip() not in scratch:
        return
    with contextlib.suppress(DefinitionError):  # already gone (removed in the widget, say)
        scratch.disconnect(source.strip(), condition.strip() or None, node.id)


def _undo_new_workflow(wf: Workflow, existed: bool, previous: str | None) -> None:
    if not existed and wf.name in registry.names():
        registry.forget(wf.name)
    if previous is not None and previous in registry.names():
        registry.use(previous)


def define_relations(cell: RelationsCell) -> Workflow:
    """Replace the workflow's relations with the cell's arrows; on any error nothing changes."""
    if cell.workflow is not None and cell.workflow not in registry.names():
        raise CellError(f"no workflow {cell.workflow!r} yet: define its nodes first", line=1)
    wf = target_workflow(cell.workflow)

    def change(scratch: model.Workflow) -> None:
        scratch.relations = []
        for source, condition, target, line in cell.relations:
            try:
                scratch.connect(source, condition, target)
            except DefinitionError as error:
                raise CellError(str(error), line=line, field="relation") from None

    wf.apply(change)
    for key in [k for k in _after_of_cell if k[0] == wf.id]:
        del _after_of_cell[key]  # the relations cell now owns the wiring
    return wf
