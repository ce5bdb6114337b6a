"""Request bodies: JSON whatever the ``Content-Type`` says, checked by a pydantic model.

The seeds' own curl lines send JSON with ``curl -d`` and no ``Content-Type`` (so curl says
``application/x-www-form-urlencoded``); the server reads the body as JSON regardless, as theirs do.
Every problem is a 400 naming the field.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from .errors import BadRequest, validation_message

__all__ = ["json_object", "parse"]

M = TypeVar("M", bound=BaseModel)


async def json_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object ({} when empty and not ``required``)."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise BadRequest("a JSON request body is required", field="body")
        return {}
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = (
            f" ({error.msg} at line {error.lineno} column {error.colno})"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise BadRequest(f"the request body is not valid JSON{where}", field="body") from None
    if not isinstance(value, dict):
        raise BadRequest(
            f"the request body must be a JSON object, not a {type(value).__name__}", field="body"
        )
    return value


async def parse(request: Request, model: type[M], *, required: bool = True) -> M:
    """The body checked by ``model``; the first problem becomes a 400 naming its field."""
    data = await json_object(request, required=required)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        message, field = validation_message(dict(error.errors()[0]))
        raise BadRequest(message, field=field) from None
