"""Custom code: Python run in-process ("coming soon" in the seed; flow_nb's conditions)."""

from __future__ import annotations

from pydantic import Field

from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import Condition
from ..model.fields import RequiredText


class CodeConfig(NodeConfig):
    """Code node config: Python source with ``input``, ``result`` and ``variables`` in scope."""

    code: RequiredText
    timeout: float = Field(default=30.0, gt=0)


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
    description = "Run Python; its `result` (or returned value) is the node's result."
