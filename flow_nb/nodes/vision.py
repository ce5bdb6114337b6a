"""AI - Vision: an LLM captions an image, or answers a question about it."""

from __future__ import annotations

import base64
from urllib.parse import urlparse

import httpx

from ..engine.context import ChatRequest, NodeContext, Outcome
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

    async def run(self, ctx: NodeContext[VisionConfig]) -> Outcome:
        url = ctx.text.strip()
        if urlparse(url).scheme not in ("http", "https"):
            return ctx.outcome(
                None, IMAGE_ERROR, message=f"the input {url[:80]!r} is not an http(s) image URL"
            )
        image = await _fetch(url, ctx.config.max_bytes)
        if isinstance(image, str):
            return ctx.outcome(None, IMAGE_ERROR, message=image)
        content_type, data = image
        question = ctx.config.question or "Write a short caption for this image."
        data_url = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
        reply = await ctx.chat(
            ChatRequest(
                [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": question},
                            {"type": "image_url", "image_url": {"url": data_url}},
                        ],
                    }
                ],
                temperature=ctx.config.temperature,
            )
        )
        return ctx.outcome(reply.text.strip(), IMAGE_OK)


async def _fetch(url: str, limit: int) -> tuple[str, bytes] | str:
    """The image's content type and bytes, or why it cannot be used."""
    try:
        async with (
            httpx.AsyncClient(timeout=30, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                return f"the image URL answered HTTP {response.status_code}"
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            if not content_type.startswith("image/"):
                return f"the URL holds {content_type or 'no content type'}, not an image"
            if int(response.headers.get("content-length") or 0) > limit:
                return f"the image is larger than {limit / 1024 / 1024:g} MB"
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    return f"the image is larger than {limit / 1024 / 1024:g} MB"
            return content_type, bytes(data)
    except httpx.HTTPError as error:
        return f"cannot fetch the image: {error}"
