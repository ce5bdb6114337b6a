"""The server's workflow JSON format: the model serialised with stable ids, versioned by ``format``.

``load(export(w)) == w`` (for a workflow whose secrets are already environment references). Older format
versions are migrated on load, one step at a time; a newer one is refused with a message that says to
upgrade flow_nb.

Format history (a fixture of each lives in ``tests/fixtures/workflow-format-<n>.json``):

1. The model serialised, ``format`` and ``flow_nb_version`` stamped on top.
2. Secrets are environment references: every secret field (an HTTP Output header named in
   ``secret_headers``, a config ``api_key``) holds ``"${env:NAME}"`` instead of its value, and the
   top-level ``secrets`` list says which variables a run needs (``{"node", "field", "env"}``). A format-1
   document may hold values there; the 1 → 2 migration keeps them (so an old file still runs) and lists
   the variables the next export will refer to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from .. import __version__
from ..errors import DefinitionError, FormatError
from ..model import Workflow, key_of
from ..model.explain import explain
from .secrets import protect, secret_fields

__all__ = ["FORMAT_VERSION", "dump", "export", "load", "read"]

FORMAT_VERSION = 2
"""The format version this flow_nb writes; bump it with a migration and a fixture of the old one."""

W = TypeVar("W", bound=Workflow)


def export(workflow: Workflow) -> dict[str, Any]:
    """The workflow as a JSON-ready dict in the server's format; secrets as environment references."""
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "flow_nb_version": __version__,
        **workflow.model_dump(mode="json"),
    }
    secrets: list[dict[str, str]] = []
    for node in data["nodes"]:
        key, type_key = workflow.find(node["id"]).key, node["type"]["system_name"]
        for secret in protect(key, type_key, node["config"]):
            secrets.append({"node": node["id"], "field": secret.field, "env": secret.env})
    data["secrets"] = secrets
    return data


def dump(workflow: Workflow) -> str:
    """The export as JSON text."""
    return json.dumps(export(workflow), indent=2, ensure_ascii=False) + "\n"


def read(source: dict[str, Any] | str | Path) -> dict[str, Any]:
    """A document from a dict, JSON text or a file path, migrated to the current format version."""
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise FormatError(f"cannot read the workflow file {str(path)!r}: {error.strerror}") from None
        return read(_parse(text, f"the workflow file {str(path)!r}"))
    if isinstance(source, str):
        return read(_parse(source, "the workflow JSON"))
    if not isinstance(source, dict):
        raise FormatError(f"a workflow export is a JSON object, not {type(source).__name__}")
    return _migrate(dict(source))


def load(source: dict[str, Any] | str | Path, cls: type[W]) -> W:
    """Read, migrate and validate a workflow; errors name the node and field that are wrong."""
    data = read(source)
    data.pop("format", None)
    data.pop("flow_nb_version", None)
    secrets = data.pop("secrets", [])
    if not isinstance(secrets, list):
        raise FormatError("'secrets' must be a list of {node, field, env} entries", field="secrets")
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        raise explain(error, f"workflow {data.get('name')!r}", document=data, kind=FormatError) from None
    except DefinitionError as error:
        raise FormatError(
            f"the workflow {data.get('name')!r} is not valid: {error}",
            node=error.node,
            relation=error.relation,
            field=error.field,
        ) from None


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"{where} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    if not isinstance(value, dict):
        raise FormatError(f"{where} holds a JSON {type(value).__name__}, not a workflow object")
    return value


def _format_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Format 2 lists the environment variables its secret fields refer to; a format-1 document held
    the values themselves, which stay (the workflow still runs as before) until the next export."""
    secrets = []
    for node in data.get("nodes") or []:
        if not isinstance(node, dict) or not isinstance(node.get("config"), dict):
            continue  # validation names the broken node later
        ref = node.get("type")
        type_key = ref.get("system_name") if isinstance(ref, dict) else ref
        key = key_of(str(node.get("name", "")))
        for secret in secret_fields(key, str(type_key), node["config"]):
            secrets.append({"node": node.get("id"), "field": secret.field, "env": secret.env})
    return {**data, "secrets": secrets}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _format_1_to_2}
"""``MIGRATIONS[n]`` turns a format-``n`` document into a format-``n+1`` one."""


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("format", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(
            f"'format' must be a positive integer format version, not {version!r}", field="format"
        )
    if version > FORMAT_VERSION:
        writer = data.get("flow_nb_version", "a newer flow_nb")
        raise FormatError(
            f"this workflow was written in format {version} (by flow_nb {writer}); this flow_nb reads "
            f"formats up to {FORMAT_VERSION}: upgrade flow_nb (pip install -U flow_nb)",
            field="format",
        )
    while version < FORMAT_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["format"] = version
    return data
