"""Field types shared by node configs."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .catalog import NodeConfig

__all__ = ["AIConfig", "RequiredText"]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


RequiredText = Annotated[str, AfterValidator(_not_blank)]
"""A text a node cannot do without (Boolean criteria, an HTTP endpoint): missing or blank is refused."""


class AIConfig(NodeConfig):
    """Config shared by the AI node types: which model answers."""

    model: str | None = None
    """The model name for this node; unset: the workflow's, then ``FLOW_NB_MODEL``."""
    temperature: float | None = Field(default=None, ge=0, le=2)
