"""Helpers for the tests: run a coroutine, a small real web server."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine in a fresh event loop (tests use no async plugin)."""
    return asyncio.run(coroutine)


# a 1x1 PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000105e35ba60000000049454e44ae426082"
)


class Web:
    """A real HTTP server on 127.0.0.1: images, pages, and webhooks that record what they got."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.routes: dict[str, tuple[int, str, bytes]] = {
            "/cat.png": (200, "image/png", PNG),
            "/page.html": (200, "text/html", b"<html>not an image</html>"),
            "/big.png": (200, "image/png", b"\x89PNG" + b"0" * (3 * 1024 * 1024)),
            "/missing.png": (404, "text/plain", b"no"),
            "/hook/json": (200, "application/json", b'{"ok": true, "id": 7}'),
            "/hook/text": (200, "text/plain", b"thanks"),
            "/hook/fail": (500, "text/plain", b"boom"),
            "/refunds.html": (
                200,
                "text/html; charset=utf-8",
                b"<html><head><title>Refund policy</title><script>var secret = 'no';</script>"
                b"<style>p {color: red}</style></head><body><h1>Refunds</h1>"
                b"<p>Refunds are paid within 14 days of the return.</p>"
                b"<p>Shipping costs are not refunded.</p>"
                b"</body></html>",
            ),
        }
        web = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                status, kind, body = web.routes.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                web.received.append(
                    {
                        "path": self.path,
                        "json": json.loads(self.rfile.read(length) or b"null"),
                        "headers": dict(self.headers),
                    }
                )
                self._answer()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Web:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
