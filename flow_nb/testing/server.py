"""`FakeLLM`: a real uvicorn server on 127.0.0.1, in a background thread, speaking the OpenAI API."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType

import uvicorn

from flow_nb.testing.app import build_app
from flow_nb.testing.rules import Request, Rule
from flow_nb.testing.script import DefaultReply, Script

__all__ = ["FakeLLM"]

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0


class FakeLLM:
    """An OpenAI-compatible HTTP server with scripted replies, for tests, notebooks and benchmarks.

    Point the real client at it: ``OpenAI(base_url=llm.base_url, api_key="x")``. Use it as a (sync or
    async) context manager, or call `start` and `stop`. `latency`, `token_delay`, `default_reply` and
    `rules` may be changed while it runs; changes apply to the next request.
    """

    def __init__(
        self,
        rules: Sequence[Rule] = (),
        *,
        latency: float = 0.0,
        token_delay: float = 0.0,
        default_reply: DefaultReply = "OK",
        model: str = "fake-model",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.latency = latency
        """Seconds every response waits before it starts (added to the matching rule's latency)."""
        self.token_delay = token_delay
        """Seconds between streamed chunks."""
        self.model = model
        """The model listed by ``/v1/models`` and reported when a request names none."""
        self.host = host
        self._port = port
        self._script = Script(list(rules), default_reply)
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._failure: BaseException | None = None

    @property
    def rules(self) -> list[Rule]:
        """The rules, in priority order (first match wins); a plain list you may edit."""
        return self._script.rules

    @rules.setter
    def rules(self, rules: list[Rule]) -> None:
        self._script.rules = rules

    @property
    def default_reply(self) -> DefaultReply:
        """The reply when no rule matches: text, or a function of the request body."""
        return self._script.default_reply

    @default_reply.setter
    def default_reply(self, reply: DefaultReply) -> None:
        self._script.default_reply = reply

    @property
    def requests(self) -> list[Request]:
        """Every JSON request body received (chat and embeddings), in arrival order."""
        return self._script.requests

    @property
    def port(self) -> int:
        """The bound port (the real one once started, even when constructed with port 0)."""
        return self._port

    @property
    def base_url(self) -> str:
        """The client's ``base_url``, e.g. ``http://127.0.0.1:PORT/v1``."""
        if self._thread is None:
            raise RuntimeError("FakeLLM is not running; call start() or use it as a context manager first.")
        return f"http://{self.host}:{self._port}/v1"

    def add_rule(self, rule: Rule) -> Rule:
        """Append `rule` (lowest priority); returns it so it can be removed or replaced later."""
        self._script.rules.append(rule)
        return rule

    def reset(self) -> None:
        """Forget received requests and per-rule call counts."""
        self._script.reset()

    def start(self) -> FakeLLM:
        """Bind the socket and serve in a background thread; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("FakeLLM is already running.")
        # Binding here, not in uvicorn, gives the real port at once and raises "address in use" to the caller.
        # IPPROTO_TCP, not 0: asyncio turns TCP_NODELAY on only for sockets that say they are TCP, and
        # without it every request on a kept-alive connection waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        stopping = asyncio.Event()
        config = uvicorn.Config(
            build_app(self._script, self, stopping),
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            limit_concurrency=None,
            backlog=2048,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server, self._stopping, self._failure = server, stopping, None
        self._thread = threading.Thread(target=self._run, args=(server, sock), name="FakeLLM", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"FakeLLM failed to start on {self.host}:{self._port}") from self._failure
            time.sleep(0.002)
        return self

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await server.serve(sockets=[sock])

        try:
            asyncio.run(serve())
        except BaseException as exc:  # start() reports it; a thread must not die with a traceback
            self._failure = exc
        finally:
            sock.close()

    def stop(self) -> None:
        """Stop serving: hanging and streaming requests end, the thread and socket close. Idempotent."""
        thread, server, loop, stopping = self._thread, self._server, self._loop, self._stopping
        if thread is None or server is None:
            return
        if loop is not None and stopping is not None and not loop.is_closed():
            # The loop may close between the check and the call; then there is nothing left to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        server.should_exit = True
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_STOP_TIMEOUT)
        self._thread = self._server = self._loop = self._stopping = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeLLM:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    def __repr__(self) -> str:
        state = f"{self.host}:{self._port}" if self._thread is not None else "stopped"
        return f"<FakeLLM {state} rules={len(self.rules)}>"
