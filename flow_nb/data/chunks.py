"""Cutting text into overlapping chunks that keep their place in the item."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Chunk", "chunk_text"]

_BREAKS = ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " ")


@dataclass(frozen=True)
class Chunk:
    """A piece of an item's text: ``position`` is its order in the item, ``start`` its offset."""

    position: int
    start: int
    text: str


def chunk_text(text: str, *, size: int = 800, overlap: int = 150) -> list[Chunk]:
    """Chunks of about ``size`` characters, each overlapping the previous one by about ``overlap``.

    A chunk ends at the last paragraph, line, sentence or word break before ``size`` when there is one in
    its second half, so chunks rarely cut words; a text with no breaks at all (one huge line of one
    word) is cut every ``size`` characters. Whitespace-only text gives no chunks."""
    if overlap >= size:
        raise ValueError("overlap must be smaller than size")
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\r\n", "\n")).strip()
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = text[start:end]
            for mark in _BREAKS:
                cut = window.rfind(mark)
                if cut >= size // 2:
                    end = start + cut + len(mark)
                    break
        piece = text[start:end].strip()
        if piece:
            chunks.append(Chunk(position=len(chunks), start=start, text=piece))
        if end >= len(text):
            break
        next_start = max(end - overlap, start + 1)
        space = text.find(" ", next_start, end)  # begin the overlap on a word
        start = space + 1 if 0 <= space < end - 1 else next_start
    return chunks
