"""Custom code: Python run in-process ("coming soon" in the seed; flow_nb's conditions).

The code runs as the body of a function with ``input``, ``result`` (the same value) and ``variables`` in
scope; what it ``return``s is the node's result, else the final value of ``result``. It runs in a worker
thread, so a slow loop does not stall other branches; the result must be a JSON value.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import textwrap
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator

from ..engine.context import NodeContext, Outcome
from ..errors import NodeRunError
from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import Condition
from ..model.fields import RequiredText

_FUNCTION = "__flow_nb_code__"


class CodeConfig(NodeConfig):
    """Code node config: Python source with ``input``, ``result`` and ``variables`` in scope."""

    code: RequiredText
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("code")
    @classmethod
    def _compiles(cls, code: str) -> str:
        try:
            _compile(code)
        except SyntaxError as error:
            line = (error.lineno or 2) - 1
            raise ValueError(f"Python syntax error at line {line}: {error.msg}") from None
        return code


@lru_cache(maxsize=512)
def _compile(code: str) -> Any:
    source = (
        f"def {_FUNCTION}(input, result, variables):\n{textwrap.indent(code, '    ')}\n    return result\n"
    )
    return compile(source, "<flow_nb code node>", "exec")


CODE_OK = Condition(id=30000, system_name="code_ok", display_name="Code ran OK", aliases=("ok",))
CODE_ERROR = Condition(
    id=30001, system_name="code_error", display_name="Code raised an error", aliases=("raised",)
)


@register
class Code(NodeType):
    key = "code"
    type_id = 11
    display_name = "Custom code"
    family = "code"
    config_model = CodeConfig
    main_field = "code"
    conditions = (CODE_OK, CODE_ERROR)
    default_condition = "code_ok"
    failure_conditions = ("code_error",)
    raw_fields = ("code",)
    description = "Run Python; what it returns (or its `result`) is the node's result."

    async def run(self, ctx: NodeContext[CodeConfig]) -> Outcome:
        namespace: dict[str, Any] = {"__builtins__": builtins, "json": json}
        exec(_compile(ctx.config.code), namespace)
        function = namespace[_FUNCTION]
        variables = {
            "workflow": dict(ctx.workflow.variables),
            "run": dict(ctx.run_variables),
            "node": ctx.node.key,
        }
        try:
            value = await asyncio.wait_for(
                asyncio.to_thread(function, ctx.input, ctx.input, variables), timeout=ctx.config.timeout
            )
        except asyncio.TimeoutError:
            raise NodeRunError(f"the code ran longer than its timeout ({ctx.config.timeout:g} s)") from None
        except Exception as error:
            raise NodeRunError(f"the code raised {type(error).__name__}: {error}") from None
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise NodeRunError(
                f"the code returned a {type(value).__name__}, which is not a JSON value; "
                f"return text, numbers, "
                f"lists or dicts"
            ) from None
        return ctx.outcome(value, CODE_OK)
