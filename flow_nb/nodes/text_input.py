"""Text - Input: receives text from a person (or the run's input when it is the start node)."""

from __future__ import annotations

from ..engine.context import NodeContext, Outcome
from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import Condition


class TextInputConfig(NodeConfig):
    """Text - Input config (seed: text_display, input_placeholder, both optional)."""

    text_display: str | None = None
    input_placeholder: str | None = None


TEXT_RECEIVED = Condition(
    id=20100, system_name="text_received", display_name="Text received", aliases=("received", "ok")
)


@register
class TextInput(NodeType):
    key = "text_input"
    type_id = 1
    display_name = "Text - Input"
    family = "text"
    config_model = TextInputConfig
    main_field = "text_display"
    conditions = (TEXT_RECEIVED,)
    default_condition = "text_received"
    auto_continue = False
    display_result = True
    shows_input = True
    description = "Show a text and wait for a person's input."

    async def run(self, ctx: NodeContext[TextInputConfig]) -> Outcome:
        if ctx.is_start and ctx.input is not None:
            return ctx.outcome(ctx.input, TEXT_RECEIVED)
        text = await ctx.ask(ctx.config.text_display, ctx.config.input_placeholder)
        return ctx.outcome(text, TEXT_RECEIVED)
