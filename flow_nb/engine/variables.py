"""Variables in node texts: Jinja2 in a sandbox, with the seed's missing-variable text.

``{{result}}``, ``{{workflow.<var>}}``, ``{{workflow.run.<var>}}``, ``{{node.<key>.<attr>}}``,
``{{node.<key>.run.<var>}}``, ``{{node.<key>.runs.<i>.<var>}}`` (and flow_nb's ``{{inputs.<name>}}``).
A variable that is empty or does not exist renders as the seed says:
``*ERROR: Variable *<variable name>* is empty or not existing*``. Values produced at run time are data:
they are inserted, never themselves rendered as templates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from ..errors import RunError
from ..model import Workflow
from .record import NodeRun, RunRecord

__all__ = ["MISSING", "TemplateError", "Vars", "has_template", "render", "scope"]

MISSING = "*ERROR: Variable *{name}* is empty or not existing*"
"""The seed's text for a variable that is empty or does not exist."""


class TemplateError(RunError):
    """A node text is not a valid Jinja2 template, or failed while rendering."""


class MissingVariable(Undefined):
    """An empty or unknown variable: renders as the seed's error text with its full dotted name."""

    __slots__ = ()

    def __str__(self) -> str:
        return MISSING.format(name=self._undefined_name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return MissingVariable(name=f"{self._undefined_name}.{name}")

    def __getitem__(self, name: Any) -> MissingVariable:  # type: ignore[override]
        return MissingVariable(name=f"{self._undefined_name}.{name}")


class Vars:
    """A read-only namespace that knows its dotted path, so a missing member is named in full."""

    __slots__ = ("_data", "_path")

    def __init__(self, data: Mapping[str, Any] | Sequence[Any], path: str) -> None:
        self._data = data
        self._path = path

    def member(self, name: Any) -> Any:
        """The member ``name`` (wrapped if it is a namespace), or a :class:`MissingVariable`."""
        path = f"{self._path}.{name}"
        value: Any = None
        if isinstance(self._data, Mapping):
            value = self._data.get(str(name))
        elif isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
            index = int(name)
            value = self._data[index] if -len(self._data) <= index < len(self._data) else None
        if value is None or value == "":
            return MissingVariable(name=path)
        if isinstance(value, (Mapping, list, tuple)):
            return Vars(value, path)
        return value

    def plain(self) -> Any:
        """The namespace as plain data."""
        if isinstance(self._data, Mapping):
            return {k: v.plain() if isinstance(v, Vars) else v for k, v in self._data.items()}
        return list(self._data)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __str__(self) -> str:
        return json.dumps(self.plain(), ensure_ascii=False, default=str)


class _Environment(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Vars):
            return obj.member(attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Vars):
            return obj.member(argument)
        return super().getitem(obj, argument)


def _finalize(value: Any) -> Any:
    # lists and objects render as JSON, not as Python reprs
    if isinstance(value, Vars):
        return str(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


_ENV = _Environment(
    undefined=MissingVariable, finalize=_finalize, autoescape=False, keep_trailing_newline=True
)


def has_template(text: str) -> bool:
    """Whether ``text`` holds any Jinja2 markup (plain text is used as it is, fast)."""
    return "{{" in text or "{%" in text or "{#" in text


@lru_cache(maxsize=2048)
def _compile(text: str) -> Any:
    return _ENV.from_string(text)


def render(text: str, variables: Mapping[str, Any], *, field: str = "text") -> str:
    """Render one node text with ``variables`` (see :func:`scope`)."""
    if not has_template(text):
        return text
    try:
        return str(_compile(text).render(variables))
    except TemplateSyntaxError as error:
        raise TemplateError(
            f"{field}: template error at line {error.lineno}: {error.message}", field=field
        ) from None
    except Exception as error:  # a sandbox refusal, a failing filter: the node fails, the run goes on
        raise TemplateError(f"{field}: template failed: {error}", field=field) from None


class _NodeVars(Mapping[str, Any]):
    """``node.<key>``: built only for the nodes a template names."""

    def __init__(self, workflow: Workflow, record: RunRecord) -> None:
        self._workflow, self._record = workflow, record

    def __getitem__(self, key: str) -> Any:
        if key not in self._workflow:
            raise KeyError(key)
        node = self._workflow[key]
        ref = node.node_type
        runs = (
            [_run_vars(r) for r in self._record.nodes[node.key].runs if r.status != "RUNNING"]
            if node.key in self._record.nodes
            else []
        )
        return {
            "name": node.name,
            "description": node.description,
            "type": {
                "id": ref.type_id,
                "display_name": ref.display_name,
                "default_credits": ref.default_credits,
            },
            "auto_continue": node.auto_continue,
            "display_result": node.display_result,
            "pass_input_as_result": node.pass_input_as_result,
            "run": runs[0] if runs else None,
            "runs": runs,
        }

    def __iter__(self) -> Iterator[str]:
        return (node.key for node in self._workflow.nodes)

    def __len__(self) -> int:
        return len(self._workflow.nodes)


def _run_vars(run: NodeRun) -> dict[str, Any]:
    return {
        "input": run.input,
        "result": run.result,
        "id": run.id,
        "message": run.message,
        "start_node": run.start_node,
        "end_node": run.end_node,
        "index": run.index,
        "source_run_id": run.source_run_id,
    }


def scope(
    workflow: Workflow,
    record: RunRecord,
    result: Any,
    run_variables: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> dict[str, Any]:
    """The variables a node text sees while a node runs with input ``result``."""
    variables: dict[str, Any] = {
        "workflow": Vars({**workflow.variables, "run": dict(run_variables)}, "workflow"),
        "node": Vars(_NodeVars(workflow, record), "node"),
        "inputs": Vars(dict(inputs), "inputs"),
    }
    if result is not None and result != "":
        variables["result"] = Vars(result, "result") if isinstance(result, dict) else result
    return variables
