"""The fake server's Starlette app: OpenAI routes that answer from a `Script`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request as HTTPRequest
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from flow_nb.testing import wire
from flow_nb.testing.embeddings import embeddings_response
from flow_nb.testing.rules import Fault, Request
from flow_nb.testing.script import Outcome, Script

__all__ = ["Settings", "build_app"]

logger = logging.getLogger(__name__)


class Settings(Protocol):
    """Knobs read per request, so a test can change them while the server runs."""

    @property
    def latency(self) -> float:
        """Seconds to wait before every response starts."""

    @property
    def token_delay(self) -> float:
        """Seconds between stream chunks."""

    @property
    def model(self) -> str:
        """The model name served by ``/v1/models`` and used when a request names none."""


def _error(status: int, message: str, type: str, code: str | None = None, **headers: str) -> JSONResponse:
    return JSONResponse(wire.error_body(message, type, code), status_code=status, headers=headers or None)


async def _pause(seconds: float, stopping: asyncio.Event) -> bool:
    """Sleep without blocking the loop; False when the server began stopping meanwhile."""
    if stopping.is_set():
        return False
    if seconds <= 0:
        return True
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except asyncio.TimeoutError:
        return True
    return False


async def _until_disconnect(request: HTTPRequest) -> None:
    # Once the body is read, the server's next receive() only returns when the client goes away.
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _hang(request: HTTPRequest, stopping: asyncio.Event) -> None:
    waiters = {asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(_until_disconnect(request))}
    _, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    # Reap the cancelled waiter so no "task was destroyed but it is pending" warning escapes.
    await asyncio.gather(*pending, return_exceptions=True)


async def _read_json(request: HTTPRequest) -> Request | Response:
    try:
        body: Any = json.loads(await request.body())
    except ValueError:
        return _error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
    if not isinstance(body, dict):
        return _error(400, "The request body must be a JSON object.", "invalid_request_error")
    return body


def build_app(script: Script, settings: Settings, stopping: asyncio.Event) -> Starlette:
    """An ASGI app serving ``/v1/chat/completions``, ``/v1/embeddings`` and ``/v1/models``.

    `stopping` is set (on the server's loop) when the server shuts down; waits and hangs end early then.
    """

    async def chat_completions(request: HTTPRequest) -> Response:
        body = await _read_json(request)
        if isinstance(body, Response):
            return body
        script.record(body)
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return _error(400, "'messages' must be a non-empty list.", "invalid_request_error")
        try:
            outcome = script.decide(body)
        except Exception as exc:
            # A broken rule is a bug in the test; say so to the client instead of a bare 500 page.
            logger.exception("FakeLLM rule failed")
            return _error(500, f"FakeLLM rule failed: {exc!r}", "server_error")
        if not await _pause(settings.latency + outcome.latency, stopping):
            return _error(503, "The fake server is stopping.", "server_error")
        if outcome.fault is Fault.RATE_LIMIT:
            # The openai client treats Retry-After: 0 as "no advice" and backs off ~0.5 s; the
            # millisecond header makes its retry near-immediate, which keeps tests fast.
            headers = {"retry-after": "0", "retry-after-ms": "1"}
            return _error(429, "Rate limit reached (scripted).", "requests", "rate_limit_exceeded", **headers)
        if outcome.fault is Fault.SERVER_ERROR:
            return _error(500, "The server had an error (scripted).", "server_error")
        if outcome.fault is Fault.HANG:
            await _hang(request, stopping)
            return _error(503, "The fake server is stopping.", "server_error")
        requested = body.get("model")
        model = requested if isinstance(requested, str) and requested else settings.model
        if body.get("stream") is True:
            events = _stream(body, outcome, model, settings.token_delay, stopping)
            return StreamingResponse(
                events, media_type="text/event-stream", headers={"cache-control": "no-cache"}
            )
        if outcome.fault is Fault.MALFORMED:
            return Response(b"{not json", media_type="application/json")
        usage = wire.usage(wire.prompt_tokens(body), outcome.reply, outcome.reasoning)
        return JSONResponse(
            wire.completion(
                id=wire.new_id(), model=model, reply=outcome.reply, reasoning=outcome.reasoning, usage=usage
            )
        )

    async def embeddings(request: HTTPRequest) -> Response:
        body = await _read_json(request)
        if isinstance(body, Response):
            return body
        script.record(body)
        try:
            response = embeddings_response(body, settings.model)
        except ValueError as exc:
            return _error(400, str(exc), "invalid_request_error")
        if not await _pause(settings.latency, stopping):
            return _error(503, "The fake server is stopping.", "server_error")
        return JSONResponse(response)

    async def models(request: HTTPRequest) -> Response:
        entry = {"id": settings.model, "object": "model", "created": 0, "owned_by": "flow_nb"}
        if "model" in request.path_params:
            if request.path_params["model"] != settings.model:
                return _error(
                    404,
                    f"The model '{request.path_params['model']}' does not exist.",
                    "invalid_request_error",
                )
            return JSONResponse(entry)
        return JSONResponse({"object": "list", "data": [entry]})

    async def http_error(request: HTTPRequest, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(
            exc.status_code, f"{request.method} {request.url.path}: {exc.detail}", "invalid_request_error"
        )

    routes = [
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/models/{model:path}", models, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


async def _stream(
    body: Request, outcome: Outcome, model: str, token_delay: float, stopping: asyncio.Event
) -> AsyncIterator[bytes]:
    """The SSE events of a streamed reply: role, reasoning tokens, content tokens, stop, usage, [DONE]."""
    id = wire.new_id()
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and options.get("include_usage") is True
    # With include_usage OpenAI sends "usage": null on every chunk but the last; clients may rely on the key.
    extra: dict[str, Any] = {"usage": None} if include_usage else {}
    tokens = wire.split_tokens(outcome.reply)
    if outcome.fault is Fault.MALFORMED:
        first = tokens[0] if tokens else ""
        yield wire.sse(wire.chunk(id=id, model=model, delta={"role": "assistant", "content": first}) | extra)
        yield b"data: {not json\n\n"
        return
    yield wire.sse(wire.chunk(id=id, model=model, delta={"role": "assistant", "content": ""}) | extra)
    deltas = [{"reasoning_content": t} for t in wire.split_tokens(outcome.reasoning or "")]
    deltas += [{"content": t} for t in tokens]
    for delta in deltas:
        if not await _pause(token_delay, stopping):
            return
        yield wire.sse(wire.chunk(id=id, model=model, delta=delta) | extra)
    yield wire.sse(wire.chunk(id=id, model=model, delta={}, finish_reason="stop") | extra)
    if include_usage:
        usage = wire.usage(wire.prompt_tokens(body), outcome.reply, outcome.reasoning)
        yield wire.sse(wire.chunk(id=id, model=model, usage=usage))
    yield wire.sse("[DONE]")
