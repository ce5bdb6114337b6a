"""AI - Boolean: an LLM decides whether the input meets the criteria."""

from __future__ import annotations

from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig, RequiredText


class BooleanConfig(AIConfig):
    """Boolean node config (seed: criteria required; undecided true)."""

    criteria: RequiredText
    undecided: bool = True


FALSE = Condition(id=1100, system_name="boolean_false", display_name="Boolean is false", aliases=("false",))
TRUE = Condition(id=1101, system_name="boolean_true", display_name="Boolean is true", aliases=("true",))
UNDECIDED = Condition(
    id=1102, system_name="boolean_undecided", display_name="Boolean undecided", aliases=("undecided",)
)


@register
class Boolean(NodeType):
    key = "boolean"
    type_id = 5
    display_name = "AI - Boolean"
    family = "ai"
    config_model = BooleanConfig
    main_field = "criteria"
    conditions = (FALSE, TRUE, UNDECIDED)
    pass_input_as_result = True
    description = "Decide if the input is true or false against the criteria."
