"""Data sources: answer from your own documents, with sources.

    from flow_nb.data import DataSources
    data = DataSources.open()                      # FLOW_NB_DATA (default .flow_nb/data.sqlite3)
    data.create("policies")
    data.add("policies", "refunds.md")             # a file, a URL, or text=...
    data.search_now("policies", "how long do refunds take?")

Full-text search works with nothing configured; with an embedding model (``FLOW_NB_EMBEDDINGS_MODEL``,
or ``embedder=...``) search is hybrid. Runs of a workflow use the same store: an ``answer`` node with a
``data_source`` answers from the top chunks and lists them as ``sources``; ``data_search`` returns them.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path

from ..engine.context import SearchHit
from .embed import OpenAIEmbedder, embedder_from_env
from .loaders import read_file, read_url
from .store import AddResult, DataStore, Embed, ItemInfo, SourceInfo

__all__ = [
    "AddResult",
    "DataSources",
    "DataStore",
    "DefaultData",
    "ItemInfo",
    "OpenAIEmbedder",
    "SourceInfo",
    "default_data",
    "use",
]

DEFAULT_PATH = ".flow_nb/data.sqlite3"


class DataSources:
    """The data store with its embedding model: what workflows search, and what people fill."""

    def __init__(self, store: DataStore, embedder: Embed | None = None, model: str | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.model = model or getattr(embedder, "model", None)
        if embedder is not None and self.model is None:
            raise ValueError("name the embedding model (model=...) so its vectors are kept apart")

    @classmethod
    def open(cls, path: str | Path | None = None, *, embedder: Embed | None = None) -> DataSources:
        """The store at ``path`` (default ``FLOW_NB_DATA`` or ``.flow_nb/data.sqlite3``)."""
        return cls(
            DataStore(path or os.environ.get("FLOW_NB_DATA") or DEFAULT_PATH), embedder or embedder_from_env()
        )

    def create(self, name: str) -> SourceInfo:
        """A new data source."""
        return self.store.create_source(name)

    def sources(self) -> list[SourceInfo]:
        """Every data source."""
        return self.store.sources()

    def items(self, source: str) -> list[ItemInfo]:
        """The items of a data source."""
        return self.store.items(source)

    def add(
        self,
        source: str,
        what: str | Path | None = None,
        *,
        text: str | None = None,
        name: str | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> AddResult:
        """Add an item: a file (.txt, .md, .pdf…), a URL (fetched, reduced to text), or ``text=``.
        The item's name is the file name, the URL, or ``name``; adding a name again replaces it."""
        if text is not None:
            content, item_name, kind = text, name or "text", "text"
        elif isinstance(what, Path) or (
            what is not None and not str(what).startswith(("http://", "https://"))
        ):
            path = Path(what)
            content, item_name = read_file(path), name or path.name
            kind = "pdf" if path.suffix.lower() == ".pdf" else "file"
        elif what is not None:
            content, title = read_url(str(what))
            item_name, kind = name or str(what), "web"
            if title and not content.startswith(title):
                content = f"{title}\n\n{content}"
        else:
            raise ValueError("add a file, a URL, or text=...")
        return self.store.add_item(
            source,
            item_name,
            content,
            kind=kind,
            embed=self.embedder,
            model=self.model,
            on_progress=on_progress,
        )

    def remove(self, source: str, item: str | None = None) -> None:
        """Remove an item, or (with no item) the whole data source."""
        if item is None:
            self.store.remove_source(source)
        else:
            self.store.remove_item(source, item)

    def search_now(self, source: str, query: str, top_k: int = 3) -> list[SearchHit]:
        """Search from synchronous code."""
        vector = None
        if (
            self.embedder is not None
            and self.model is not None
            and self.store.has_vectors(source, self.model)
        ):
            vector = self.embedder([query])[0]
        return self.store.search(source, query, top_k=top_k, query_vector=vector, model=self.model)

    async def search(self, source: str, query: str, top_k: int) -> list[SearchHit]:
        """Search from a run (the engine's ``Retriever``): the store and the model work in a thread."""
        return await asyncio.to_thread(self.search_now, source, query, top_k)


_lock = threading.Lock()
_default: DataSources | None = None


def default_data() -> DataSources:
    """The process's data store (opened on first use)."""
    global _default
    with _lock:
        if _default is None:
            _default = DataSources.open()
        return _default


class DefaultData:
    """A retriever that opens the process's data store only when a run first searches."""

    async def search(self, source: str, query: str, top_k: int) -> list[SearchHit]:
        return await default_data().search(source, query, top_k)


def use(data: DataSources | None) -> None:
    """Make ``data`` the process's data store (None: open the default again on next use)."""
    global _default
    with _lock:
        _default = data
