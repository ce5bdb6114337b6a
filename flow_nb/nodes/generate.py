"""AI - Generate: an LLM generates a list of items from the input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..engine.context import ChatRequest, NodeContext, Outcome
from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig
from ._reply import list_items


class GenerateConfig(AIConfig):
    """Generate node config (seed: n_items 5)."""

    instructions: str | None = None
    n_items: int = Field(default=5, ge=1, le=100)


NO_ITEMS = Condition(
    id=1500, system_name="no_items", display_name="No items are generated", aliases=("none",)
)
ITEMS = Condition(
    id=1501,
    system_name="items_generated",
    display_name="One or more items are generated",
    aliases=("generated", "items"),
)


@register
class Generate(NodeType):
    key = "generate"
    type_id = 7
    display_name = "AI - Generate"
    family = "ai"
    config_model = GenerateConfig
    main_field = "instructions"
    conditions = (NO_ITEMS, ITEMS)
    default_condition = "items_generated"
    description = "Generate a list of n_items items from the input."

    async def run(self, ctx: NodeContext[GenerateConfig]) -> Outcome:
        n = ctx.config.n_items
        items = await self._ask(ctx, n, [])
        if 0 < len(items) < n:  # one more try for the missing ones, then take what there is
            items += await self._ask(ctx, n - len(items), items)
        items = list(dict.fromkeys(items))[:n]
        message = "OK" if len(items) == n or not items else f"the model gave {len(items)} of {n} items"
        return ctx.outcome(items, ITEMS if items else NO_ITEMS, message=message)

    async def _ask(self, ctx: NodeContext[GenerateConfig], n: int, have: list[str]) -> list[str]:
        instructions = ctx.config.instructions or "Generate items for the user's text."
        system = (
            f"{instructions}\nGenerate exactly {n} items. "
            f'Reply with JSON {{"items": [...]}} holding exactly {n} strings.'
        )
        if have:
            system += " Do not repeat these: " + "; ".join(have)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"type": "string"}, "minItems": n, "maxItems": n}
            },
            "required": ["items"],
            "additionalProperties": False,
        }
        reply = await ctx.chat(
            ChatRequest(
                [{"role": "system", "content": system}, {"role": "user", "content": ctx.text}],
                temperature=ctx.config.temperature,
                schema=schema,
            )
        )
        return list_items(reply.text)
