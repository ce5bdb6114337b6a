"""AI - Generate: an LLM generates a list of items from the input."""

from __future__ import annotations

from pydantic import Field

from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig


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
