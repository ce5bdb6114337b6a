"""The engine's :class:`~flow_nb.engine.context.ChatModel` over the official ``openai`` async client.

Streaming always (tokens reach the run view as they come), usage counted, structured output where the
endpoint supports it. 429, 5xx, timeouts and dropped connections are retried by the client itself with
exponential backoff (``max_retries=2``: three tries); what still fails becomes an ``LLMError`` that says
what happened and what to check.
"""

from __future__ import annotations

import asyncio
import json
import os
import weakref
from dataclasses import dataclass
from typing import Any

import openai
from openai import AsyncOpenAI

from ..engine.context import ChatReply, ChatRequest, TokenSink
from ..engine.events import Usage
from ..errors import LLMError

__all__ = ["DEFAULT_MODEL", "OpenAIChat", "keep_clients_on"]

DEFAULT_MODEL = "gpt-4o-mini"


_LONG_LIVED: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def keep_clients_on(loop: asyncio.AbstractEventLoop) -> None:
    """Keep HTTP clients (and their connection pools) between calls on this long-lived loop."""
    _LONG_LIVED.add(loop)


@dataclass
class _LoopClient:
    client: AsyncOpenAI
    in_flight: int = 0


class OpenAIChat:
    """Chat completions from any OpenAI-compatible endpoint (OpenAI, llama.cpp, vLLM, Ollama…)."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
        max_retries: int = 2,
        structured: bool | None = None,
    ) -> None:
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.api_key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self.model = model or os.environ.get("FLOW_NB_MODEL") or DEFAULT_MODEL
        self.timeout = timeout if timeout is not None else float(os.environ.get("FLOW_NB_LLM_TIMEOUT", "60"))
        self.max_retries = max_retries
        self.structured = structured
        """None: try structured output and fall back to plain text if the endpoint refuses it."""
        # An async HTTP client belongs to the event loop it was made in. On loops that live long (flow_nb's
        # background loop, a server's loop) it is kept for its connection pool; on short-lived loops
        # (asyncio.run in a script or test) it is closed as soon as no call is in flight, so no socket
        # outlives its loop.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClient] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"OpenAIChat(base_url={self.base_url!r}, model={self.model!r})"

    def _acquire(self) -> _LoopClient:
        loop = asyncio.get_running_loop()
        entry = self._clients.get(loop)
        if entry is None:
            client = AsyncOpenAI(
                base_url=self.base_url,
                api_key=self.api_key,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
            entry = self._clients[loop] = _LoopClient(client)
        entry.in_flight += 1
        return entry

    async def _release(self, entry: _LoopClient) -> None:
        entry.in_flight -= 1
        loop = asyncio.get_running_loop()
        if entry.in_flight == 0 and loop not in _LONG_LIVED:
            self._clients.pop(loop, None)
            await entry.client.close()

    def close(self) -> None:
        """Close the HTTP clients kept on other threads' loops (call it from outside those loops)."""
        for loop, entry in list(self._clients.items()):
            self._clients.pop(loop, None)
            if loop.is_running() and not loop.is_closed():
                asyncio.run_coroutine_threadsafe(entry.client.close(), loop).result(timeout=10)

    async def aclose(self) -> None:
        """Close the HTTP client of the running loop."""
        entry = self._clients.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry.client.close()

    async def complete(self, request: ChatRequest, on_token: TokenSink) -> ChatReply:
        """Stream one completion, calling ``on_token(content, reasoning)`` for every piece."""
        model = request.model or self.model
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.schema is not None and self.structured is not False:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.schema},
            }
        entry = self._acquire()
        try:
            return await self._complete(entry.client, kwargs, on_token, model)
        finally:
            await self._release(entry)

    async def _complete(
        self, client: AsyncOpenAI, kwargs: dict[str, Any], on_token: TokenSink, model: str
    ) -> ChatReply:
        try:
            stream = await client.chat.completions.create(**kwargs)
        except openai.BadRequestError as error:
            if "response_format" not in kwargs or self.structured:
                raise self._error(error, model) from None
            self.structured = False  # this endpoint does not do structured output; parse plain replies
            kwargs.pop("response_format")
            try:
                stream = await client.chat.completions.create(**kwargs)
            except openai.OpenAIError as again:
                raise self._error(again, model) from None
        except openai.OpenAIError as error:
            raise self._error(error, model) from None
        return await self._read(stream, on_token, model)

    async def _read(self, stream: Any, on_token: TokenSink, model: str) -> ChatReply:
        text: list[str] = []
        reasoning: list[str] = []
        usage = Usage()
        try:
            async with stream:
                async for chunk in stream:
                    if chunk.usage is not None:
                        usage = Usage(
                            prompt_tokens=chunk.usage.prompt_tokens or 0,
                            completion_tokens=chunk.usage.completion_tokens or 0,
                            total_tokens=chunk.usage.total_tokens or 0,
                        )
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    extra = delta.model_extra or {}
                    thought = extra.get("reasoning_content") or extra.get("reasoning")
                    content = delta.content or ""
                    if content or thought:
                        text.append(content)
                        if thought:
                            reasoning.append(str(thought))
                        on_token(content, str(thought) if thought else None)
        except json.JSONDecodeError as error:
            raise LLMError(
                f"the model endpoint {self._where()} sent a malformed stream chunk ({error.msg}); "
                f"check that it speaks the OpenAI chat-completions API"
            ) from None
        except openai.OpenAIError as error:
            raise self._error(error, model) from None
        return ChatReply(text="".join(text), reasoning="".join(reasoning), usage=usage, model=model)

    def _where(self) -> str:
        return self.base_url or "api.openai.com"

    def _error(self, error: Exception, model: str) -> LLMError:
        tries = self.max_retries + 1
        where = self._where()
        if isinstance(error, openai.APITimeoutError):
            return LLMError(
                f"the model endpoint {where} did not answer within {self.timeout:g} s ({tries} tries)"
            )
        if isinstance(error, openai.APIConnectionError):
            return LLMError(
                f"cannot reach the model endpoint {where} ({tries} tries): is it running? (OPENAI_BASE_URL)"
            )
        if isinstance(error, openai.RateLimitError):
            return LLMError(
                f"the model endpoint {where} kept answering 429 Too Many Requests ({tries} tries)"
            )
        if isinstance(error, openai.AuthenticationError):
            return LLMError(f"the model endpoint {where} refused the API key (401): check OPENAI_API_KEY")
        if isinstance(error, openai.NotFoundError):
            return LLMError(
                f"the model endpoint {where} does not know the model {model!r} (404): set FLOW_NB_MODEL"
            )
        if isinstance(error, openai.APIStatusError):
            detail = _detail(error)
            retried = f" ({tries} tries)" if error.status_code >= 500 else ""
            return LLMError(
                f"the model endpoint {where} answered HTTP {error.status_code}{retried}: {detail}"
            )
        return LLMError(f"the model call failed: {error}")


def _detail(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return str(message)
    return str(error.message)
