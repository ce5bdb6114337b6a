"""The embedded data store: data sources, their items and chunks, in one SQLite file.

Full-text search (FTS5, BM25 ranking, Porter stemming) works with nothing configured. When chunks have
embeddings, search is hybrid: the full-text and the vector rankings are merged by reciprocal rank fusion.
Embeddings are kept by (model, text hash), so a chunk's text is embedded once per model, whatever item
it comes back in; re-adding an unchanged item does nothing, and a changed one replaces the old.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..engine.context import SearchHit
from ..errors import DefinitionError
from ..model import new_id
from .chunks import chunk_text

__all__ = ["AddResult", "DataStore", "Embed", "ItemInfo", "SourceInfo"]

Embed = Callable[[list[str]], list[list[float]]]
"""Turns texts into vectors (one per text)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS data_sources (
    id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, created TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS data_items (
    id TEXT PRIMARY KEY, source_id TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    name TEXT NOT NULL, kind TEXT NOT NULL, content_hash TEXT NOT NULL, characters INTEGER NOT NULL,
    created TEXT NOT NULL, content TEXT NOT NULL DEFAULT '', UNIQUE (source_id, name));
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, item_id TEXT NOT NULL REFERENCES data_items(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, start INTEGER NOT NULL, text TEXT NOT NULL, text_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_item ON chunks (item_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS chunks_added AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text); END;
CREATE TRIGGER IF NOT EXISTS chunks_removed AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text_hash));
"""

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "the",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    }
)


@dataclass(frozen=True)
class SourceInfo:
    """A data source (the seed: a "managed vector database" of data items)."""

    id: str
    name: str
    items: int
    chunks: int


@dataclass(frozen=True)
class ItemInfo:
    """A data item: a text, a file or a web page, with its id and name."""

    id: str
    name: str
    kind: str
    characters: int
    chunks: int


@dataclass(frozen=True)
class AddResult:
    """What adding an item did: ``status`` added / replaced / unchanged; ``embedded`` is how many chunk
    texts were newly embedded (the seed bills 1 credit per embedded chunk)."""

    item: ItemInfo
    status: str
    embedded: int

    @property
    def credits(self) -> int:
        """Credits as the seed bills them: 1 per text chunk embedded."""
        return self.embedded


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DataStore:
    """Data sources in a SQLite file (``":memory:"`` for a throwaway one). Safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._vectors: dict[tuple[str, str], tuple[int, np.ndarray, list[int]]] = {}

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -------------------------------------------------------------------------------- sources
    def create_source(self, name: str) -> SourceInfo:
        """A new, empty data source; its name must be new."""
        name = name.strip()
        if not name:
            raise DefinitionError("a data source needs a name")
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM data_sources WHERE name = ?", (name,)).fetchone():
                raise DefinitionError(f"a data source named {name!r} exists already")
            db.execute(
                "INSERT INTO data_sources (id, name, created) VALUES (?, ?, ?)", (new_id(), name, _now())
            )
        return self.source(name)

    def source(self, ref: str) -> SourceInfo:
        """A data source by name or id."""
        with self._lock:
            row = self._db.execute(
                "SELECT s.id, s.name, (SELECT COUNT(*) FROM data_items i WHERE i.source_id = s.id), "
                "(SELECT COUNT(*) FROM chunks c JOIN data_items i ON c.item_id = i.id "
                "WHERE i.source_id = s.id) "
                "FROM data_sources s WHERE s.name = ? OR s.id = ?",
                (ref, ref),
            ).fetchone()
        if row is None:
            known = ", ".join(s.name for s in self.sources()) or "none yet"
            raise DefinitionError(
                f"there is no data source {ref!r}; the data sources are: {known}", field="data_source"
            )
        return SourceInfo(id=row[0], name=row[1], items=row[2], chunks=row[3])

    def sources(self) -> list[SourceInfo]:
        """Every data source."""
        with self._lock:
            names = [row[0] for row in self._db.execute("SELECT name FROM data_sources ORDER BY rowid")]
        return [self.source(name) for name in names]

    def remove_source(self, ref: str) -> SourceInfo:
        """Remove a data source with its items and chunks."""
        source = self.source(ref)
        with self._transaction() as db:
            db.execute(
                "DELETE FROM chunks WHERE item_id IN (SELECT id FROM data_items WHERE source_id = ?)",
                (source.id,),
            )
            db.execute("DELETE FROM data_items WHERE source_id = ?", (source.id,))
            db.execute("DELETE FROM data_sources WHERE id = ?", (source.id,))
        return source

    # ---------------------------------------------------------------------------------- items
    def items(self, ref: str) -> list[ItemInfo]:
        """The items of a data source, oldest first."""
        source = self.source(ref)
        with self._lock:
            rows = self._db.execute(
                "SELECT i.id, i.name, i.kind, i.characters, "
                "(SELECT COUNT(*) FROM chunks c WHERE c.item_id = i.id) "
                "FROM data_items i WHERE i.source_id = ? ORDER BY i.rowid",
                (source.id,),
            ).fetchall()
        return [ItemInfo(*row) for row in rows]

    def add_item(
        self,
        ref: str,
        name: str,
        text: str,
        *,
        kind: str = "text",
        embed: Embed | None = None,
        model: str | None = None,
        batch: int = 64,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> AddResult:
        """Add (or replace, by name) an item: chunk it, store it, embed the chunks not embedded yet.

        ``embed`` + ``model`` turn on vectors; ``on_progress(done, total)`` is called as chunks embed.
        Embedding happens before anything is written, so a failing model leaves the store unchanged."""
        source = self.source(ref)
        name = name.strip() or "untitled"
        content_hash = _hash(text)
        with self._lock:
            old = self._db.execute(
                "SELECT id, content_hash FROM data_items WHERE source_id = ? AND name = ?", (source.id, name)
            ).fetchone()
        chunks = chunk_text(text)
        hashes = [_hash(c.text) for c in chunks]
        missing: list[tuple[str, str]] = []
        if embed is not None and model is not None:
            with self._lock:
                have = (
                    {
                        row[0]
                        for row in self._db.execute(
                            "SELECT text_hash FROM embeddings WHERE model = ? AND text_hash IN "
                            f"({','.join('?' * len(hashes))})",
                            (model, *hashes),
                        )
                    }
                    if hashes
                    else set()
                )
            seen: set[str] = set()
            for chunk, digest in zip(chunks, hashes, strict=True):
                if digest not in have and digest not in seen:
                    missing.append((digest, chunk.text))
                    seen.add(digest)
        if old is not None and old[1] == content_hash and not missing:
            return AddResult(item=self._item(old[0]), status="unchanged", embedded=0)
        vectors: list[tuple[str, bytes]] = []
        if embed is not None and model is not None:
            for offset in range(0, len(missing), batch):
                group = missing[offset : offset + batch]
                found = embed([text for _, text in group])
                if len(found) != len(group):
                    raise DefinitionError(
                        f"the embedding model gave {len(found)} vectors for {len(group)} texts"
                    )
                vectors.extend(
                    (digest, np.asarray(vector, dtype=np.float32).tobytes())
                    for (digest, _), vector in zip(group, found, strict=True)
                )
                if on_progress is not None:
                    on_progress(min(offset + batch, len(missing)), len(missing))
        item_id = old[0] if old is not None else new_id()
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
                [(model, digest, blob) for digest, blob in vectors],
            )
            if old is not None:
                db.execute("DELETE FROM chunks WHERE item_id = ?", (item_id,))
                db.execute(
                    "UPDATE data_items SET content_hash = ?, characters = ?, kind = ?, content = ? "
                    "WHERE id = ?",
                    (content_hash, len(text), kind, text, item_id),
                )
            else:
                db.execute(
                    "INSERT INTO data_items "
                    "(id, source_id, name, kind, content_hash, characters, created, content) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (item_id, source.id, name, kind, content_hash, len(text), _now(), text),
                )
            db.executemany(
                "INSERT INTO chunks (item_id, position, start, text, text_hash) VALUES (?, ?, ?, ?, ?)",
                [(item_id, c.position, c.start, c.text, h) for c, h in zip(chunks, hashes, strict=True)],
            )
            db.execute("UPDATE data_sources SET revision = revision + 1 WHERE id = ?", (source.id,))
        status = "replaced" if old is not None else "added"
        return AddResult(item=self._item(item_id), status=status, embedded=len(vectors))

    def _item(self, item_id: str) -> ItemInfo:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, kind, characters, (SELECT COUNT(*) FROM chunks c WHERE c.item_id = i.id) "
                "FROM data_items i WHERE id = ?",
                (item_id,),
            ).fetchone()
        return ItemInfo(*row)

    def item_text(self, ref: str, item: str) -> str:
        """The whole text of an item (by id or name), as it was added."""
        source = self.source(ref)
        with self._lock:
            row = self._db.execute(
                "SELECT content FROM data_items WHERE source_id = ? AND (id = ? OR name = ?)",
                (source.id, item, item),
            ).fetchone()
        if row is None:
            raise DefinitionError(f"data source {source.name!r} has no item {item!r}")
        text: str = row[0]
        return text

    def remove_item(self, ref: str, item: str) -> ItemInfo:
        """Remove an item (by id or name) from a data source."""
        source = self.source(ref)
        match = [i for i in self.items(source.id) if item in (i.id, i.name)]
        if not match:
            names = ", ".join(i.name for i in self.items(source.id)) or "none"
            raise DefinitionError(f"data source {source.name!r} has no item {item!r}; its items are: {names}")
        with self._transaction() as db:
            db.execute("DELETE FROM chunks WHERE item_id = ?", (match[0].id,))
            db.execute("DELETE FROM data_items WHERE id = ?", (match[0].id,))
            db.execute("UPDATE data_sources SET revision = revision + 1 WHERE id = ?", (source.id,))
        return match[0]

    # --------------------------------------------------------------------------------- search
    def has_vectors(self, ref: str, model: str) -> bool:
        """Whether the source's chunks were embedded with ``model``."""
        source = self.source(ref)
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM chunks c JOIN data_items i ON c.item_id = i.id JOIN embeddings e "
                "ON e.text_hash = c.text_hash AND e.model = ? WHERE i.source_id = ? LIMIT 1",
                (model, source.id),
            ).fetchone()
        return row is not None

    def search(
        self,
        ref: str,
        query: str,
        *,
        top_k: int = 3,
        query_vector: Sequence[float] | None = None,
        model: str | None = None,
        min_similarity: float = 0.2,
        depth: int = 50,
    ) -> list[SearchHit]:
        """The ``top_k`` chunks that best match ``query``: BM25 full text, fused with vector similarity
        when ``query_vector`` (from ``model``) is given. No match at all gives an empty list."""
        source = self.source(ref)
        ranked: dict[int, float] = {}
        for rank, chunk_id in enumerate(self._full_text(source.id, query, depth)):
            ranked[chunk_id] = ranked.get(chunk_id, 0.0) + 1.0 / (60 + rank)
        if query_vector is not None and model is not None:
            for rank, chunk_id in enumerate(
                self._nearest(source.id, model, query_vector, depth, min_similarity)
            ):
                ranked[chunk_id] = ranked.get(chunk_id, 0.0) + 1.0 / (60 + rank)
        best = sorted(ranked.items(), key=lambda pair: -pair[1])[:top_k]
        hits = []
        with self._lock:
            for chunk_id, score in best:
                row = self._db.execute(
                    "SELECT c.text, c.position, i.id, i.name FROM chunks c "
                    "JOIN data_items i ON c.item_id = i.id "
                    "WHERE c.id = ?",
                    (chunk_id,),
                ).fetchone()
                hits.append(
                    SearchHit(
                        text=row[0],
                        position=row[1],
                        item_id=row[2],
                        item_name=row[3],
                        source_id=source.id,
                        source_name=source.name,
                        score=round(score, 6),
                    )
                )
        return hits

    def _full_text(self, source_id: str, query: str, depth: int) -> list[int]:
        words = [w for w in re.findall(r"\w+", query.lower()) if w not in STOPWORDS]
        if not words:
            return []
        expression = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        with self._lock:
            rows = self._db.execute(
                "SELECT c.id FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                "JOIN data_items i ON c.item_id = i.id "
                "WHERE chunks_fts MATCH ? AND i.source_id = ? ORDER BY bm25(chunks_fts) LIMIT ?",
                (expression, source_id, depth),
            ).fetchall()
        return [row[0] for row in rows]

    def _nearest(
        self, source_id: str, model: str, vector: Sequence[float], depth: int, min_similarity: float
    ) -> list[int]:
        with self._lock:
            revision = self._db.execute(
                "SELECT revision FROM data_sources WHERE id = ?", (source_id,)
            ).fetchone()[0]
            cached = self._vectors.get((source_id, model))
            if cached is None or cached[0] != revision:
                rows = self._db.execute(
                    "SELECT c.id, e.vector FROM chunks c JOIN data_items i ON c.item_id = i.id "
                    "JOIN embeddings e "
                    "ON e.text_hash = c.text_hash AND e.model = ? WHERE i.source_id = ?",
                    (model, source_id),
                ).fetchall()
                ids = [row[0] for row in rows]
                matrix = (
                    np.stack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
                    if rows
                    else np.zeros((0, 1))
                )
                norms = np.linalg.norm(matrix, axis=1, keepdims=True) if rows else np.ones((0, 1))
                matrix = matrix / np.where(norms == 0, 1, norms)
                cached = (revision, matrix, ids)
                self._vectors[(source_id, model)] = cached
        _, matrix, ids = cached
        if not ids:
            return []
        query = np.asarray(vector, dtype=np.float32)
        if query.shape[0] != matrix.shape[1]:
            raise DefinitionError(
                f"the query vector has {query.shape[0]} dimensions, the stored ones {matrix.shape[1]}: "
                "the embedding model changed; add the items again"
            )
        query = query / (np.linalg.norm(query) or 1.0)
        similarity = matrix @ query
        order = np.argsort(-similarity)[:depth]
        return [ids[i] for i in order if similarity[i] >= min_similarity]
