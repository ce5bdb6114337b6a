"""AI - Answer question: an LLM answers the input, optionally from a data source."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from ..engine.context import ChatRequest, NodeContext, Outcome
from ..errors import DefinitionError
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

    async def run(self, ctx: NodeContext[AnswerConfig]) -> Outcome:
        config = ctx.config
        if config.data_source or config.agent:
            what = "data sources" if config.data_source else "agents"
            raise DefinitionError(
                f"node {ctx.node.name!r}: answering from {what} is not available in this version of flow_nb",
                node=ctx.node.name,
            )
        system = "Answer the user's question clearly and briefly."
        if config.context:
            system += f"\n\nContext:\n{config.context}"
        if config.cannot_answer:
            system += (
                "\n\nIf you cannot give a clear answer, or the question is nonsense or a trick, "
                "reply with exactly: Unknown"
            )
        reply = await ctx.chat(
            ChatRequest(
                [{"role": "system", "content": system}, {"role": "user", "content": ctx.text}],
                temperature=config.temperature,
            )
        )
        answer = reply.text.strip()
        if config.cannot_answer and _is_unknown(answer):
            return ctx.outcome("Unknown", UNKNOWN)
        return ctx.outcome(answer, KNOWN)


def _is_unknown(answer: str) -> bool:
    return answer.strip().strip(".!\"' ").lower() in ("unknown", "i don't know", "i do not know", "") or (
        answer.lower().startswith("unknown") and len(answer) < 40
    )
