"""Deterministic bag-of-words embeddings, so texts sharing words get nearby vectors without a model."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from collections.abc import Mapping
from typing import Any

from flow_nb.testing.wire import count_tokens

__all__ = ["DIMENSIONS", "embed", "embeddings_response", "parse_inputs"]

DIMENSIONS = 64
"""Vector length when the request does not ask for ``dimensions``."""

_WORD = re.compile(r"\w+")


def embed(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """Hash each lower-cased word of `text` into a signed bucket and L2-normalise (all zeros for no words)."""
    vector = [0.0] * dimensions
    for word in _WORD.findall(text.lower()):
        # blake2b, not hash(): Python's str hash is salted per process and the vectors must be stable.
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        # A hashed sign keeps unrelated texts near cosine 0 instead of sharing a positive bias.
        vector[value % dimensions] += 1.0 if (value >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


def parse_inputs(body: Mapping[str, Any]) -> list[str]:
    """The texts of an embeddings request: a string, a list of strings, or token-id list(s) as text.

    Raises ValueError with a client-facing message when ``input`` has another shape.
    """
    raw = body.get("input")
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw:
        if all(isinstance(item, int) for item in raw):
            return [" ".join(map(str, raw))]
        texts: list[str] = []
        for item in raw:
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, list) and all(isinstance(t, int) for t in item):
                texts.append(" ".join(map(str, item)))
            else:
                raise ValueError(f"'input' items must be strings or token lists, not {item!r}.")
        return texts
    raise ValueError("'input' must be a non-empty string or list of strings.")


def _encode(vector: list[float]) -> str:
    # The openai client asks for base64 by default and decodes it as little-endian float32.
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embeddings_response(body: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The ``/v1/embeddings`` response body for a request body; raises ValueError for bad input."""
    texts = parse_inputs(body)
    dimensions = body.get("dimensions") or DIMENSIONS
    if not isinstance(dimensions, int) or dimensions < 1:
        raise ValueError(f"'dimensions' must be a positive integer, not {dimensions!r}.")
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(texts):
        vector = embed(text, dimensions)
        data.append(
            {"object": "embedding", "index": index, "embedding": _encode(vector) if as_base64 else vector}
        )
    tokens = sum(max(count_tokens(text), 1) for text in texts)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model") or model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
