"""Text - Feedback: a Text - Output whose result is shown to the person."""

from __future__ import annotations

from ..model.catalog import register
from .text_output import TextOutput


@register
class Feedback(TextOutput):
    key = "feedback"
    type_id = 3
    display_name = "Text - Feedback"
    display_result = True
    description = "Format a reply with a Jinja2 template and show it to the person."
