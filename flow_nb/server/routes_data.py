"""Data sources and their items (the seed's "data sources" of "data items"), managed over REST.

The server keeps one data store for all keys (like its model endpoint): answer nodes with a
``data_source`` and data_search nodes of every workflow search it. ``%flow publish`` sends the items of
the data sources a workflow uses here, so the workflow answers on the server as it did in the notebook.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import DefinitionError
from .auth import Caller, caller
from .bodies import parse
from .errors import BadRequest, Conflict, NotFound
from .state import state_of

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["data sources (001)"])

Key = Annotated[Caller, Depends(caller)]


class NewSource(BaseModel):
    """The body of ``POST /api/v1/data_sources``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)


class NewItem(BaseModel):
    """The body of ``POST /api/v1/data_sources/{name}/items``: a text, or a URL to fetch."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    text: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> NewItem:
        if (self.text is None) == (self.url is None):
            raise ValueError("give either text or url")
        return self


class Query(BaseModel):
    """The body of ``POST /api/v1/data_sources/{name}/search``."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1)
    top_k: int = Field(default=3, ge=1, le=50)


def _not_found(error: DefinitionError) -> NotFound:
    return NotFound(str(error), field="data_source")


@router.get("/data_sources")
async def list_sources(request: Request, key: Key) -> dict[str, Any]:
    """Every data source, with its item and chunk counts."""
    sources = await asyncio.to_thread(state_of(request).data.sources)
    return {"data_sources": [asdict(s) for s in sources], "total": len(sources)}


@router.post("/data_sources", status_code=201)
async def create_source(request: Request, key: Key) -> dict[str, Any]:
    """A new, empty data source (409 if the name is taken)."""
    key.check_write()
    body = await parse(request, NewSource)
    data = state_of(request).data
    try:
        source = await asyncio.to_thread(data.create, body.name)
    except DefinitionError as error:
        raise Conflict(str(error), field="name") from None
    return asdict(source)


@router.get("/data_sources/{name}/items")
async def list_items(request: Request, key: Key, name: str) -> dict[str, Any]:
    """The items of a data source."""
    try:
        items = await asyncio.to_thread(state_of(request).data.items, name)
    except DefinitionError as error:
        raise _not_found(error) from None
    return {"items": [asdict(i) for i in items], "total": len(items)}


@router.post("/data_sources/{name}/items", status_code=201)
async def add_item(request: Request, key: Key, name: str) -> dict[str, Any]:
    """Add (or replace, by name) an item from text or a URL; says what it did and what it cost."""
    key.check_write()
    body = await parse(request, NewItem)
    data = state_of(request).data
    try:
        await asyncio.to_thread(data.store.source, name)
    except DefinitionError as error:
        raise _not_found(error) from None
    try:
        if body.text is not None:
            result = await asyncio.to_thread(lambda: data.add(name, text=body.text, name=body.name or "text"))
        else:
            result = await asyncio.to_thread(lambda: data.add(name, body.url, name=body.name))
    except DefinitionError as error:
        raise BadRequest(str(error), field="url" if body.url else "text") from None
    return {
        "status": result.status,
        "item": asdict(result.item),
        "embedded": result.embedded,
        "credits": result.credits,
    }


@router.delete("/data_sources/{name}/items/{item}")
async def remove_item(request: Request, key: Key, name: str, item: str) -> dict[str, Any]:
    """Remove one item (by id or name)."""
    key.check_write()
    try:
        await asyncio.to_thread(state_of(request).data.remove, name, item)
    except DefinitionError as error:
        raise _not_found(error) from None
    return {"result": "success"}


@router.delete("/data_sources/{name}")
async def remove_source(request: Request, key: Key, name: str) -> dict[str, Any]:
    """Remove a data source and all its items."""
    key.check_write()
    try:
        await asyncio.to_thread(state_of(request).data.remove, name)
    except DefinitionError as error:
        raise _not_found(error) from None
    return {"result": "success"}


@router.post("/data_sources/{name}/search")
async def search(request: Request, key: Key, name: str) -> dict[str, Any]:
    """The chunks that best match a query, with their item and data source (1 credit, as the seed bills)."""
    body = await parse(request, Query)
    try:
        hits = await state_of(request).data.search(name, body.query, body.top_k)
    except DefinitionError as error:
        raise _not_found(error) from None
    return {"hits": [asdict(h) for h in hits], "credits": 1}
