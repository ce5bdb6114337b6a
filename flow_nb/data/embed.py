"""Embedding models: any OpenAI-compatible ``/v1/embeddings`` endpoint (``flow_nb.testing`` has one)."""

from __future__ import annotations

import os

import openai
from openai import OpenAI

from ..errors import LLMError

__all__ = ["OpenAIEmbedder", "embedder_from_env"]


class OpenAIEmbedder:
    """Vectors from an OpenAI-compatible endpoint, through the official (synchronous) client: ingestion
    runs in the caller's thread, searches in a worker thread."""

    def __init__(
        self, model: str, *, base_url: str | None = None, api_key: str | None = None, timeout: float = 60
    ) -> None:
        self.model = model
        self.base_url = (
            base_url or os.environ.get("FLOW_NB_EMBEDDINGS_BASE_URL") or os.environ.get("OPENAI_BASE_URL")
        )
        self._client = OpenAI(
            base_url=self.base_url,
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
            timeout=timeout,
            max_retries=2,
        )

    def __call__(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        try:
            response = self._client.embeddings.create(model=self.model, input=texts)
        except openai.OpenAIError as error:
            raise LLMError(
                f"the embedding model {self.model!r} at {self.base_url or 'api.openai.com'} failed: {error}"
            ) from None
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def embedder_from_env() -> OpenAIEmbedder | None:
    """The embedding model named by ``FLOW_NB_EMBEDDINGS_MODEL`` (at ``FLOW_NB_EMBEDDINGS_BASE_URL`` or
    ``OPENAI_BASE_URL``), or None: then search is full text only."""
    model = os.environ.get("FLOW_NB_EMBEDDINGS_MODEL")
    return OpenAIEmbedder(model) if model else None
