"""AI - Assistant: an LLM applies a command to the input."""

from __future__ import annotations

from ..engine.context import ChatRequest, NodeContext, Outcome
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

    async def run(self, ctx: NodeContext[AssistantConfig]) -> Outcome:
        system = (
            f"{ctx.config.command}\n\nApply these instructions to the user's text. "
            f"If you cannot, reply with exactly: {CANNOT} <the reason>"
        )
        reply = await ctx.chat(
            ChatRequest(
                [{"role": "system", "content": system}, {"role": "user", "content": ctx.text}],
                temperature=ctx.config.temperature,
            )
        )
        text = reply.text.strip()
        if not text:
            return ctx.outcome("", FAILED, message="the model gave an empty reply")
        if text.upper().startswith(CANNOT):
            reason = text[len(CANNOT) :].strip(" :") or "no reason given"
            return ctx.outcome(reason, FAILED, message=f"could not complete the command: {reason}")
        return ctx.outcome(text, COMPLETED)


CANNOT = "CANNOT COMPLETE:"
