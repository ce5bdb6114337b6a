"""AI - Answer question: an LLM answers the input, optionally from a data source."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig


class AnswerConfig(AIConfig):
    """Answer node config (seed: cannot_answer true; context, data_source, agent optional)."""

    context: str | None = None
    cannot_answer: bool = Field(
        default=True, validation_alias=AliasChoices("cannot_answer", "cannot_answer_allowed")
    )
    data_source: str | None = None
    agent: str | None = None
    tools: list[str] = Field(default_factory=list)


KNOWN = Condition(id=1200, system_name="answer_known", display_name="Answer is known", aliases=("known",))
UNKNOWN = Condition(
    id=1201, system_name="answer_unknown", display_name="Answer is unknown", aliases=("unknown",)
)


@register
class Answer(NodeType):
    key = "answer"
    type_id = 9
    display_name = "AI - Answer question"
    family = "ai"
    config_model = AnswerConfig
    main_field = "context"
    conditions = (KNOWN, UNKNOWN)
    default_condition = "answer_known"
    description = "Answer the input question, from the model's knowledge or a data source."
