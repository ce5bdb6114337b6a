"""The JSON Schema of the server's workflow format, generated from the models and the node catalogue.

``flow-nb schema`` prints it; ``flow-nb schema -o FILE`` writes it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from .. import __version__
from ..model import Node, Workflow, all_types
from .flowflow import FORMAT_VERSION

__all__ = ["workflow_schema"]


class _Secret(BaseModel):
    """One secret field of an export and the environment variable it is read from."""

    model_config = ConfigDict(extra="forbid")
    node: str
    field: str
    env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class _TypeRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    system_name: str
    display_name: str


def _node_doc(key: str, config: type[BaseModel]) -> type[BaseModel]:
    ref = create_model(
        f"{_camel(key)}TypeRef",
        __base__=_TypeRef,
        system_name=(Literal[key], ...),
    )
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in Node.model_fields.items()
        if name not in ("type", "config")
    }
    fields["type"] = (ref, ...)
    fields["config"] = (config, ...)
    return create_model(f"{_camel(key)}Node", __config__=ConfigDict(extra="forbid"), **fields)


def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def workflow_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every export validates against."""
    nodes = tuple(_node_doc(t.key, t.config_model) for t in all_types())
    node_union = Annotated[Union[nodes], Field(union_mode="left_to_right")]  # type: ignore[valid-type]  # noqa: UP007
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in Workflow.model_fields.items() if name != "nodes"
    }
    fields["nodes"] = (list[node_union], Field(default_factory=list))
    fields["format"] = (Literal[FORMAT_VERSION], FORMAT_VERSION)
    fields["flow_nb_version"] = (str, __version__)
    fields["secrets"] = (list[_Secret], Field(default_factory=list))
    document = create_model("FlowNbWorkflow", __config__=ConfigDict(extra="forbid"), **fields)
    schema = document.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"flow_nb workflow, format {FORMAT_VERSION}"
    return schema
