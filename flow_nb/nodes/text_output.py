"""Text - Output: formats text with a Jinja2 template."""

from __future__ import annotations

from ..engine.context import NodeContext, Outcome
from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import Condition


class TextOutputConfig(NodeConfig):
    """Text - Output / Text - Feedback config: the Jinja2 template (the seed calls it ``text_display``)."""

    text_display: str | None = None
    input_placeholder: str | None = None


FEEDBACK_OK = Condition(
    id=20000,
    system_name="human_feedback_text_ok",
    display_name="Feedback text OK",
    aliases=("ok", "feedback_ok"),
)
FEEDBACK_ERROR = Condition(
    id=20001,
    system_name="human_feedback_text_error",
    display_name="Error in human feedback text",
    aliases=("feedback_error",),
)


@register
class TextOutput(NodeType):
    key = "text_output"
    type_id = 2
    display_name = "Text - Output"
    family = "text"
    config_model = TextOutputConfig
    main_field = "text_display"
    conditions = (FEEDBACK_OK, FEEDBACK_ERROR)
    default_condition = "human_feedback_text_ok"
    description = "Format text with a Jinja2 template (empty: pass the input on)."

    failure_conditions = ("human_feedback_text_error",)

    async def run(self, ctx: NodeContext[TextOutputConfig]) -> Outcome:
        # the engine has rendered text_display with the variables already
        text = ctx.config.text_display
        return ctx.outcome(ctx.input if text is None else text, FEEDBACK_OK)
