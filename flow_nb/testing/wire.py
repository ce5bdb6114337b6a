"""OpenAI wire shapes the fake server sends: completions, stream chunks, SSE framing, errors, token counts."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flow_nb.testing.rules import message_text

__all__ = [
    "chunk",
    "completion",
    "count_tokens",
    "error_body",
    "new_id",
    "prompt_tokens",
    "split_tokens",
    "sse",
    "usage",
]

# Leading whitespace rides with the word after it; a trailing run of whitespace is its own token,
# so that "".join(split_tokens(t)) == t for every t.
_TOKEN = re.compile(r"\s*\S+|\s+")
_COUNTED = re.compile(r"\w+|[^\w\s]")
# A flat price per image part, like OpenAI's low-detail images, so image prompts cost something.
_IMAGE_TOKENS = 85

JSON = dict[str, Any]


def split_tokens(text: str) -> list[str]:
    """Split `text` into stream tokens (words with their leading spaces) that join back to `text`."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    """A deterministic token estimate: words plus punctuation marks."""
    return len(_COUNTED.findall(text))


def prompt_tokens(request: Mapping[str, Any]) -> int:
    """Estimated prompt tokens of a chat request: all message texts plus a flat cost per image; at least 1."""
    total = 0
    messages = request.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        total += count_tokens(message_text(message))
        content = message.get("content")
        if isinstance(content, list):
            total += _IMAGE_TOKENS * sum(
                1 for part in content if isinstance(part, dict) and part.get("type") == "image_url"
            )
    return max(total, 1)


def usage(prompt: int, reply: str, reasoning: str | None) -> JSON:
    """A `usage` object; reasoning tokens count as completion tokens, as OpenAI bills them."""
    reasoning_tokens = count_tokens(reasoning or "")
    completion_tokens = count_tokens(reply) + reasoning_tokens
    body: JSON = {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
    }
    if reasoning is not None:
        body["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return body


def new_id() -> str:
    """A fresh ``chatcmpl-…`` id."""
    return f"chatcmpl-fake{uuid.uuid4().hex[:20]}"


def completion(*, id: str, model: str, reply: str, reasoning: str | None, usage: JSON) -> JSON:
    """A non-streaming ``chat.completion`` body with one choice."""
    message: JSON = {"role": "assistant", "content": reply, "refusal": None}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {
        "id": id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": usage,
    }


def chunk(
    *,
    id: str,
    model: str,
    delta: JSON | None = None,
    finish_reason: str | None = None,
    usage: JSON | None = None,
) -> JSON:
    """A ``chat.completion.chunk``; with `usage` and no `delta`, the trailing usage chunk (no choices)."""
    body: JSON = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [],
    }
    if delta is not None:
        body["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
    if usage is not None:
        body["usage"] = usage
    return body


def sse(data: JSON | str) -> bytes:
    """One server-sent event carrying `data` (a JSON object, or raw text such as ``[DONE]``)."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {text}\n\n".encode()


def error_body(message: str, type: str, code: str | None = None, param: str | None = None) -> JSON:
    """An OpenAI-style ``{"error": {...}}`` body."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}
