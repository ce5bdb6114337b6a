"""Data Item - Search: finds the data items that match the input."""

from __future__ import annotations

from pydantic import Field

from ..engine.context import NodeContext, Outcome
from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import Condition
from ..model.fields import RequiredText


class DataSearchConfig(NodeConfig):
    """Data search config: the data source to search and how many items to return."""

    data_source: RequiredText
    top_k: int = Field(default=3, ge=1, le=100)


ITEMS_FOUND = Condition(id=31000, system_name="items_found", display_name="Items found", aliases=("found",))
NO_ITEMS = Condition(id=31001, system_name="no_items", display_name="No items found", aliases=("none",))


@register
class DataSearch(NodeType):
    key = "data_search"
    type_id = 12
    display_name = "Data Item - Search"
    family = "data"
    config_model = DataSearchConfig
    main_field = "data_source"
    conditions = (ITEMS_FOUND, NO_ITEMS)
    default_condition = "items_found"
    description = "Search a data source for the items that match the input."

    async def run(self, ctx: NodeContext[DataSearchConfig]) -> Outcome:
        hits = await ctx.search(ctx.config.data_source, ctx.text, ctx.config.top_k)
        items = [
            {
                "data_source": {"id": h.source_id, "name": h.source_name},
                "data_item": {"id": h.item_id, "name": h.item_name},
                "text": h.text,
                "score": h.score,
            }
            for h in hits
        ]
        sources = list({(h.item_id, h.source_id): h.source() for h in hits}.values())
        return ctx.outcome(items, ITEMS_FOUND if items else NO_ITEMS, sources=sources)
