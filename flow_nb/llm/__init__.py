"""LLM access: the OpenAI-compatible chat model the engine uses, configured once per process.

Configuration, first found wins: ``flow_nb.llm.configure(...)``, then the environment
(``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``FLOW_NB_MODEL``, ``FLOW_NB_LLM_TIMEOUT``). A workflow's
``settings.model`` or a node's ``model`` overrides the model name.
"""

from __future__ import annotations

import os

from ..engine.loop import on_new_loop
from .openai_chat import DEFAULT_MODEL, OpenAIChat, keep_clients_on

on_new_loop(keep_clients_on)  # flow_nb's background loop lives as long as the process

__all__ = [
    "DEFAULT_MODEL",
    "OpenAIChat",
    "configure",
    "default_chat",
    "is_configured",
    "keep_clients_on",
    "reset",
]

_default: OpenAIChat | None = None


def configure(
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    *,
    timeout: float | None = None,
    max_retries: int = 2,
) -> OpenAIChat:
    """Set the process-wide model endpoint; returns it."""
    global _default
    _default = OpenAIChat(
        base_url=base_url, api_key=api_key, model=model, timeout=timeout, max_retries=max_retries
    )
    return _default


def reset() -> None:
    """Forget the endpoint set by :func:`configure` (the environment still counts)."""
    global _default
    if _default is not None:
        _default.close()
    _default = None


def is_configured() -> bool:
    """Whether an endpoint was configured, here or in the environment."""
    return _default is not None or bool(os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY"))


def default_chat() -> OpenAIChat | None:
    """The configured chat model, or None when nothing is configured."""
    global _default
    if _default is None and is_configured():
        _default = OpenAIChat()
    return _default
