"""Serve an app with uvicorn on a background thread: for tests, benchmarks and notebooks.

with BackgroundServer(create_app("sqlite:///w.db")) as server:
    httpx.get(server.url)
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

__all__ = ["BackgroundServer"]


class BackgroundServer:
    """A real uvicorn server on ``host`` (127.0.0.1) and a free port, in a daemon thread."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, start_timeout: float = 30.0):
        self.app = app
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        """Bind, serve, and return once the server accepts connections (its startup has run)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="on",
            ws="none",
            backlog=2048,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=self._run, args=(server, sock), name="flow_nb-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start on {self.url}") from self._failure
            time.sleep(0.005)
        return self

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as error:  # start() reports it; a thread must not die with a traceback
            self._failure = error
        finally:
            sock.close()

    def stop(self) -> None:
        """Stop serving (live runs are stored as the server stopped them); idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(15)
        if thread.is_alive():
            server.force_exit = True
            thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
