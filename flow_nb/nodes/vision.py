"""AI - Vision: an LLM captions an image, or answers a question about it."""

from __future__ import annotations

from ..model.catalog import NodeType, register
from ..model.condition import Condition
from ..model.fields import AIConfig


class VisionConfig(AIConfig):
    """Vision node config (seed: caption true; question optional)."""

    question: str | None = None
    caption: bool = True
    max_bytes: int = 2 * 1024 * 1024


IMAGE_OK = Condition(id=1400, system_name="image_ok", display_name="Image processed OK", aliases=("ok",))
IMAGE_ERROR = Condition(
    id=1401, system_name="image_error", display_name="Image processing error", aliases=("image_failed",)
)


@register
class Vision(NodeType):
    key = "vision"
    type_id = 10
    display_name = "AI - Vision"
    family = "ai"
    config_model = VisionConfig
    main_field = "question"
    conditions = (IMAGE_OK, IMAGE_ERROR)
    default_condition = "image_ok"
    description = "Caption the image at the input URL, or answer the question about it."
