"""The built-in node types, one module each; importing this package registers them."""

from __future__ import annotations

from . import (
    answer,
    assistant,
    boolean,
    classification,
    code,
    data_search,
    feedback,
    generate,
    http_output,
    text_input,
    text_output,
    vision,
)

__all__ = [
    "answer",
    "assistant",
    "boolean",
    "classification",
    "code",
    "data_search",
    "feedback",
    "generate",
    "http_output",
    "text_input",
    "text_output",
    "vision",
]
