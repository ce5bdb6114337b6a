"""Reading data items: plain text, .txt/.md files, PDFs, web pages (fetched and reduced to text)."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

import httpx

from ..errors import DefinitionError

__all__ = ["decode", "html_to_text", "read_file", "read_pdf", "read_url"]

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".text", ".csv", ".json", ".html", ".htm"}


def decode(data: bytes, name: str) -> str:
    """Bytes as text: UTF-8 (with or without BOM), else UTF-16 with a BOM, else Windows-1252 — a
    clean result for the legacy files people have, never a crash; binary data is refused."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DefinitionError(f"{name} looks binary (it holds NUL bytes), not text; add PDFs as .pdf files")
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("cp1252", errors="replace")


class _Text(HTMLParser):
    SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "noscript", "template", "svg", "head"})
    BLOCK: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "br", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "pre"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """The visible text of a page (no scripts or styles), and its title."""
    parser = _Text()
    parser.feed(html)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line), " ".join(parser.title.split())


def read_pdf(data: bytes, name: str) -> str:
    """The text of a PDF's pages."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise DefinitionError(f"{name} is not a readable PDF: {error}") from None


def read_file(path: Path) -> str:
    """The text of a .txt/.md (or other text) file, or a PDF."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DefinitionError(f"cannot read {str(path)!r}: {error.strerror}") from None
    if path.suffix.lower() == ".pdf" or data.startswith(b"%PDF-"):
        return read_pdf(data, path.name)
    text = decode(data, path.name)
    if path.suffix.lower() in (".html", ".htm"):
        return html_to_text(text)[0]
    return text


def read_url(url: str, *, timeout: float = 30) -> tuple[str, str]:
    """A web page (or a PDF or text file on the web) as text, and a title when the page has one."""
    if urlparse(url).scheme not in ("http", "https"):
        raise DefinitionError(f"{url!r} is not an http(s) URL")
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as error:
        raise DefinitionError(f"cannot fetch {url}: {error}") from None
    if response.status_code != 200:
        raise DefinitionError(f"{url} answered HTTP {response.status_code}")
    kind = response.headers.get("content-type", "")
    if "pdf" in kind or response.content.startswith(b"%PDF-"):
        return read_pdf(response.content, url), ""
    text = decode(response.content, url)
    if "html" in kind or text.lstrip().lower().startswith(("<!doctype html", "<html")):
        return html_to_text(text)
    return text, ""
