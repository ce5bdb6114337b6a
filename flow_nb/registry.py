"""The workflows of this Python session, by name: what ``%%flow`` cells and ``flow_nb.workflow()`` share.

``flow_nb.workflow("support")`` is the Python twin of the magics: it returns the session's workflow of that
name (creating it), and makes it the current one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .engine import RunRecord
from .errors import DefinitionError
from .workflow import Workflow

__all__ = [
    "add",
    "current",
    "forget",
    "get",
    "names",
    "on_added",
    "record_run",
    "reset",
    "runs",
    "use",
    "workflow",
]

_lock = threading.RLock()
_workflows: dict[str, Workflow] = {}
_current: str | None = None
_runs: list[RunRecord] = []
_added: list[Callable[[Workflow], None]] = []


def workflow(name: str | None = None, *, create: bool = True) -> Workflow:
    """The session's workflow ``name`` (created if new), now the current one; no name: the current one."""
    global _current
    with _lock:
        if name is None:
            if _current is None:
                raise DefinitionError(
                    "no workflow yet: name one (%%flow NAME TYPE --workflow support, "
                    "or flow_nb.workflow('support'))"
                )
            return _workflows[_current]
        name = name.strip()
        if not name:
            raise DefinitionError("a workflow needs a name")
        wf = _workflows.get(name)
        if wf is None:
            if not create:
                known = ", ".join(sorted(_workflows)) or "none yet"
                raise DefinitionError(f"no workflow {name!r} in this session; the workflows are: {known}")
            wf = _workflows[name] = Workflow(name=name)
            for hook in list(_added):
                hook(wf)
        _current = name
        return wf


def add(wf: Workflow) -> Workflow:
    """Put ``wf`` in the session under its name (replacing one of that name) and make it current."""
    global _current
    with _lock:
        _workflows[wf.name] = wf
        _current = wf.name
        for hook in list(_added):
            hook(wf)
        return wf


def get(name: str) -> Workflow:
    """The session's workflow ``name`` (without making it current)."""
    with _lock:
        if name not in _workflows:
            known = ", ".join(sorted(_workflows)) or "none yet"
            raise DefinitionError(f"no workflow {name!r} in this session; the workflows are: {known}")
        return _workflows[name]


def use(name: str) -> Workflow:
    """Make an existing workflow the current one."""
    return workflow(name, create=False)


def current() -> str | None:
    """The current workflow's name, if any."""
    return _current


def names() -> list[str]:
    """The session's workflow names, in the order they were made."""
    return list(_workflows)


def forget(name: str) -> Workflow:
    """Remove a workflow from the session."""
    global _current
    with _lock:
        wf = use(name)
        del _workflows[name]
        _current = next(reversed(_workflows), None) if _workflows else None
        return wf


def reset() -> None:
    """Forget every workflow and run of this session."""
    global _current
    with _lock:
        _workflows.clear()
        _runs.clear()
        _current = None


def on_added(hook: Callable[[Workflow], None]) -> None:
    """Call ``hook(workflow)`` whenever a workflow joins the session."""
    _added.append(hook)


def record_run(record: RunRecord) -> None:
    """Remember a run of this session (``%flow runs``)."""
    with _lock:
        _runs.append(record)


def runs() -> list[RunRecord]:
    """This session's runs, oldest first."""
    return list(_runs)
