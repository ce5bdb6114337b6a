"""A background event loop thread, so blocking calls work inside a running loop (a Jupyter kernel).

A Jupyter kernel already runs an asyncio loop in its main thread, so ``asyncio.run`` cannot be called
there and patching the loop to re-enter (nest-asyncio) changes asyncio for every library in the
kernel. flow_nb instead runs its coroutines on one daemon thread with its own loop and waits for them with
``run_coroutine_threadsafe`` (the pattern IPython's own ``%%script`` magics use).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["background_loop", "on_new_loop", "submit"]

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_hooks: list[Callable[[asyncio.AbstractEventLoop], None]] = []


def on_new_loop(hook: Callable[[asyncio.AbstractEventLoop], None]) -> None:
    """Call ``hook(loop)`` for the background loop (now, if it runs already, and whenever it starts)."""
    _hooks.append(hook)
    if _loop is not None and not _loop.is_closed():
        hook(_loop)


def background_loop() -> asyncio.AbstractEventLoop:
    """flow_nb's loop thread, started on first use."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="flow_nb-loop", daemon=True)
            thread.start()
            _loop = loop
            for hook in _hooks:
                hook(loop)
        return _loop


def submit(coroutine: Coroutine[Any, Any, T]) -> Future[T]:
    """Run ``coroutine`` on the background loop; returns a concurrent future."""
    return asyncio.run_coroutine_threadsafe(coroutine, background_loop())
