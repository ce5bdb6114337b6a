"""Turn pydantic's validation report into one flow_nb error a person can act on."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from ..errors import DefinitionError

__all__ = ["explain"]


def explain(
    error: ValidationError,
    where: str,
    *,
    node: str | None = None,
    document: dict[str, Any] | None = None,
    kind: type[DefinitionError] = DefinitionError,
) -> DefinitionError:
    """One error naming the place (``where``, or the node/relation of ``document`` the report points
    into) and the field, with pydantic's reason in plain words."""
    first = error.errors()[0]
    loc = list(first["loc"])
    if (
        document is not None
        and len(loc) >= 2
        and loc[0] in ("nodes", "relations")
        and isinstance(loc[1], int)
    ):
        items = document.get(str(loc[0])) or []
        item = items[loc[1]] if loc[1] < len(items) and isinstance(items[loc[1]], dict) else {}
        if loc[0] == "nodes":
            node = item.get("name")
            where = f"node {node!r} (nodes[{loc[1]}])"
        else:
            where = f"relation {item.get('id')!r} (relations[{loc[1]}])"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or None
    if field is None:  # a model-level check names its field at the start of its message: "text_display: …"
        named = re.match(r"(?:Value error, )?([a-z_]+(?:\.[a-z_\[\]0-9]+)*): ", str(first["msg"]))
        field = named.group(1) if named else None
    if first["type"] == "missing":
        problem = f"{field} is required"
    elif first["type"] == "extra_forbidden":
        problem = f"{field} is not a known attribute"
    else:
        message = str(first["msg"]).removeprefix("Value error, ")
        problem = (
            message
            if field and message.startswith(f"{field}: ")
            else (f"{field}: {message}" if field else message)
        )
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return kind(f"{where}: {problem}{suffix}", node=node, field=field)
