"""AI - Assistant: an LLM applies a command to the input."""

from __future__ import annotations

from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig, RequiredText


class AssistantConfig(AIConfig):
    """Assistant node config (seed: command required)."""

    command: RequiredText


COMPLETED = Condition(
    id=1300, system_name="command_completed", display_name="Completed command", aliases=("completed",)
)
FAILED = Condition(
    id=1301,
    system_name="command_failed",
    display_name="Could not complete command",
    aliases=("failed", "not_completed"),
)


@register
class Assistant(NodeType):
    key = "assistant"
    type_id = 8
    display_name = "AI - Assistant"
    family = "ai"
    config_model = AssistantConfig
    main_field = "command"
    conditions = (COMPLETED, FAILED)
    default_condition = "command_completed"
    description = "Apply a command (instructions) to the input and return the text."
