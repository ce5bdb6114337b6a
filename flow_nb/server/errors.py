"""Errors as the seeds give them, in the shape of the API a path belongs to.

::

    ApiError                 an answer that is not a success; ``field`` names the bad input
    ├── BadRequest           400 (Dify code ``invalid_param``)
    ├── Unauthorized         401
    ├── Forbidden            403 (a key limited to another workflow)
    ├── NotFound             404
    ├── Conflict             409 (a run that has ended, a workflow id that exists)
    └── TooManyRequests      429, with ``Retry-After``

FlowAI, FlowFlow and the management API answer ``{"error": message, "field": name}``; Dify's paths
answer ``{"code", "message", "status"}`` as Dify does. Anything unexpected is a 500 with a generic
message and an id to find the traceback in the server's log; a traceback never reaches a client.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import FlowError

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "TooManyRequests",
    "Unauthorized",
    "install",
    "is_dify_path",
]

log = logging.getLogger("flow_nb.server")


class ApiError(Exception):
    """An error answer: HTTP status, a message that says what to do, the field it is about."""

    status = 400
    code = "invalid_param"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status or type(self).status
        self.code = code or type(self).code
        self.headers = headers or {}


class BadRequest(ApiError):
    """400: the request is wrong; ``field`` says where."""


class Unauthorized(ApiError):
    """401: no API key, or not a valid one."""

    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    """403: a valid key that may not do this."""

    status, code = 403, "forbidden"


class NotFound(ApiError):
    """404: no such workflow, run or task (for this key)."""

    status, code = 404, "not_found"


class Conflict(ApiError):
    """409: the thing exists already, or is no longer in a state that allows this."""

    status, code = 409, "conflict"


class TooManyRequests(ApiError):
    """429: the key's rate limit; ``Retry-After`` says when to come back."""

    status, code = 429, "too_many_requests"


def is_dify_path(path: str) -> bool:
    """Whether a path is one of Dify's workflow-app endpoints (they answer errors Dify's way)."""
    return path.startswith("/v1/workflows") or path.startswith("/v1/parameters")


def error_body(request: Request, status: int, message: str, field: str | None, code: str) -> dict[str, Any]:
    """The JSON of an error in the style of the API the request went to."""
    if is_dify_path(request.url.path):
        return {"code": code, "message": message, "status": status}
    return {"error": message, "field": field}


def _answer(request: Request, error: ApiError) -> JSONResponse:
    body = error_body(request, error.status, error.message, error.field, error.code)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def validation_message(error: dict[str, Any]) -> tuple[str, str | None]:
    """One pydantic/FastAPI validation problem as a sentence and the field it names."""
    field = _field_of(tuple(error.get("loc", ())))
    kind = error.get("type", "")
    if kind == "json_invalid":
        return "the request body is not valid JSON", "body"
    if kind == "missing":
        return (f"{field} is required", field) if field else ("a JSON request body is required", "body")
    if kind in ("model_attributes_type", "dict_type") and field is None:
        return "the request body must be a JSON object", "body"
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return (f"{field}: {message}" if field else message), field


def install(app: FastAPI) -> None:
    """Answer every error as JSON in its API's shape, with the right status."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return _answer(request, error)

    @app.exception_handler(FlowError)
    async def flow_error(request: Request, error: FlowError) -> JSONResponse:
        # a workflow that cannot run as asked (no start node, unknown node_start_id, a bad answer)
        return _answer(request, BadRequest(str(error), field=error.field))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = list(error.errors())
        message, field = validation_message(problems[0]) if problems else ("invalid request", None)
        return _answer(request, BadRequest(message, field=field))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        message = "no such endpoint" if error.status_code == 404 else str(error.detail)
        return _answer(request, ApiError(message, status=error.status_code, code=code))

    app.add_middleware(CatchAll)


class CatchAll:
    """Answer an unexpected exception with a generic JSON 500 and log its traceback with an incident id.

    Starlette's own handler for ``Exception`` re-raises after answering, and uvicorn then drops the
    connection (a keep-alive client's next request fails); this middleware ends the request cleanly."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            incident = secrets.token_hex(4)
            request = Request(scope)
            log.error(
                "internal error %s on %s %s", incident, request.method, request.url.path, exc_info=error
            )
            if started:  # a stream broke midway: nothing more can be said to this client
                return
            message = f"internal server error; try again in a few minutes (incident {incident})"
            body = error_body(request, 500, message, None, "internal_server_error")
            await JSONResponse(body, status_code=500)(scope, receive, send)
