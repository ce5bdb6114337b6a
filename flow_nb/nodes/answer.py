"""AI - Answer question: an LLM answers the input, optionally from a data source."""

from __future__ import annotations

import re

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
    top_k: int = Field(default=3, ge=1, le=50)
    """How many chunks of the data source the answer is drawn from."""


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
        if config.agent:
            raise DefinitionError(
                f"node {ctx.node.name!r}: answering with agents is not available in this version of flow_nb; "
                "remove agent=, or use a data_source",
                node=ctx.node.name,
            )
        if config.data_source:
            return await _answer_from(ctx, config.data_source)
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


CITATION = re.compile(r"\[(\d+)\]")


def _is_unknown(answer: str) -> bool:
    return answer.strip().strip(".!\"' ").lower() in ("unknown", "i don't know", "i do not know", "") or (
        answer.lower().startswith("unknown") and len(answer) < 40
    )


async def _answer_from(ctx: NodeContext[AnswerConfig], source: str) -> Outcome:
    hits = await ctx.search(source, ctx.text, ctx.config.top_k)
    if not hits:
        return ctx.outcome(
            "Unknown", UNKNOWN, message=f"nothing in data source {source!r} matches the question"
        )
    excerpts = "\n\n".join(f"[{i}] ({hit.item_name}) {hit.text}" for i, hit in enumerate(hits, start=1))
    system = (
        "Answer the user's question using only the numbered excerpts below, and cite the excerpts you used "
        "like [1]. If they do not contain the answer, reply with exactly: Unknown"
    )
    if ctx.config.context:
        system += f"\n\nContext:\n{ctx.config.context}"
    system += f"\n\nExcerpts:\n{excerpts}"
    reply = await ctx.chat(
        ChatRequest(
            [{"role": "system", "content": system}, {"role": "user", "content": ctx.text}],
            temperature=ctx.config.temperature,
        )
    )
    answer = reply.text.strip()
    if _is_unknown(answer):
        return ctx.outcome("Unknown", UNKNOWN, message="the excerpts found do not answer the question")
    cited = [hits[int(n) - 1] for n in CITATION.findall(answer) if 0 < int(n) <= len(hits)]
    used = cited or hits
    sources = list({(h.item_id, h.source_id): h.source() for h in used}.values())
    return ctx.outcome(answer, KNOWN, sources=sources)
