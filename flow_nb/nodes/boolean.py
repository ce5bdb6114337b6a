"""AI - Boolean: an LLM decides whether the input meets the criteria."""

from __future__ import annotations

from typing import Any

from ..engine.context import ChatRequest, NodeContext, Outcome
from ..errors import LLMError
from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig, RequiredText
from ._reply import find_json, first_word_of


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

    async def run(self, ctx: NodeContext[BooleanConfig]) -> Outcome:
        answers = ["true", "false", *(["undecided"] if ctx.config.undecided else [])]
        system = (
            "You judge whether a text meets a criterion. Reply with JSON: "
            + ", ".join(f'{{"answer": "{a}"}}' for a in answers)
            + (" (undecided when you cannot tell)" if ctx.config.undecided else "")
            + ". No other text."
        )
        user = f"Criterion: {ctx.config.criteria}\n\nText:\n{ctx.text}"
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"answer": {"type": "string", "enum": answers}},
            "required": ["answer"],
            "additionalProperties": False,
        }
        reply = await ctx.chat(
            ChatRequest(
                [{"role": "system", "content": system}, {"role": "user", "content": user}],
                temperature=ctx.config.temperature,
                schema=schema,
            )
        )
        decision = _decision(reply.text)
        if decision is None or (decision == "undecided" and not ctx.config.undecided):
            if ctx.config.undecided:
                return ctx.outcome(
                    "undecided", UNDECIDED, message=f"could not read a decision in {reply.text!r}"
                )
            raise LLMError(f"the model answered {reply.text[:200]!r}, which is neither true nor false")
        condition = {"true": TRUE, "false": FALSE, "undecided": UNDECIDED}[decision]
        return ctx.outcome(decision, condition)


_WORDS = {
    "true": "true",
    "yes": "true",
    "false": "false",
    "no": "false",
    "undecided": "undecided",
    "unsure": "undecided",
    "uncertain": "undecided",
    "unknown": "undecided",
    "cannot tell": "undecided",
}


def _decision(text: str) -> str | None:
    value = find_json(text)
    if isinstance(value, dict):
        value = value.get("answer", value.get("result", value.get("decision")))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.strip().lower() in _WORDS:
        return _WORDS[value.strip().lower()]
    return first_word_of(text, _WORDS)
