"""Field types shared by node configs."""

from __future__ import annotations

from typing import Annotated

from jinja2 import Environment, TemplateSyntaxError
from pydantic import AfterValidator, Field

from .catalog import NodeConfig

__all__ = ["AIConfig", "RequiredText", "template_problem"]


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


_PARSER = Environment()


def template_problem(text: str) -> str | None:
    """Why ``text`` is not a valid Jinja2 template, or None (plain text is always fine)."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return None
    try:
        _PARSER.parse(text)
    except TemplateSyntaxError as error:
        return f"template error at line {error.lineno}: {error.message}"
    return None
