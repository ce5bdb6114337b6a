"""``%flow data``: create data sources, add files / URLs / text, list, search, remove."""

from __future__ import annotations

import argparse
import typing
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets
from IPython.core.display import HTML
from IPython.core.error import UsageError
from IPython.display import display

from ..data import default_data
from .display import short

__all__ = ["data_command"]

USAGE = (
    "%flow data create NAME | add NAME FILE|URL... [--name ITEM] | add NAME --text TEXT [--name ITEM] | "
    "list [NAME] | search NAME QUERY [--top-k N] | rm NAME [ITEM]"
)


class _Args(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"%flow data: {message} ({USAGE})")


def data_command(args: list[str]) -> Any:
    """Run one ``%flow data`` command."""
    parser = _Args(prog="data", add_help=False)
    parser.add_argument("action", choices=["create", "add", "list", "search", "rm"])
    parser.add_argument("source", nargs="?")
    parser.add_argument("rest", nargs="*")
    parser.add_argument("--name")
    parser.add_argument("--text")
    parser.add_argument("--top-k", type=int, default=3)
    parsed = parser.parse_args(args)
    data = default_data()
    if parsed.action != "list" and not parsed.source:
        raise UsageError(f"%flow data {parsed.action}: name the data source ({USAGE})")
    if parsed.action == "create":
        source = data.create(parsed.source)
        print(f"created data source {source.name!r} (id {source.id}) in {data.store.path}")
        return None
    if parsed.action == "add":
        return _add(data, parsed.source, parsed.rest, parsed.text, parsed.name)
    if parsed.action == "list":
        return _list(data, parsed.source)
    if parsed.action == "search":
        hits = data.search_now(parsed.source, " ".join(parsed.rest), top_k=parsed.top_k)
        if not hits:
            print("no matching items")
        rows = "".join(
            f"<tr><td>{h.score:.4f}</td><td>{escape(h.item_name)}</td>"
            f"<td>{escape(short(h.text, 200))}</td></tr>"
            for h in hits
        )
        display(HTML(f"<table><tr><th>score</th><th>item</th><th>text</th></tr>{rows}</table>"))
        return hits
    data.remove(parsed.source, parsed.rest[0] if parsed.rest else None)
    print(
        f"removed {parsed.rest[0]!r} from {parsed.source!r}" if parsed.rest else f"removed {parsed.source!r}"
    )
    return None


def _add(data: Any, source: str, things: list[str], text: str | None, name: str | None) -> None:
    if text is None and not things:
        raise UsageError(f"%flow data add: give a file, a URL or --text ({USAGE})")
    bar = ipywidgets.IntProgress(min=0, max=1, description="embedding")
    shown = False

    def progress(done: int, total: int) -> None:
        nonlocal shown
        if not shown:
            display(bar)
            shown = True
        bar.max, bar.value = max(total, 1), done

    targets: list[str | None] = [None] if text is not None else list(things)
    for target in targets:
        what = (
            None
            if target is None
            else (target if target.startswith(("http://", "https://")) else Path(target))
        )
        result = data.add(source, what, text=text, name=name, on_progress=progress)
        vectors = f", {result.embedded} chunks embedded ({result.credits} credits)" if data.embedder else ""
        print(f"{result.status} {result.item.name!r}: {result.item.chunks} chunks{vectors}")


def _list(data: Any, source: str | None) -> None:
    if source is None:
        sources = data.sources()
        if not sources:
            print("no data sources yet: %flow data create NAME")
        for info in sources:
            print(f"{info.name}: {info.items} items, {info.chunks} chunks (id {info.id})")
        return
    for item in data.items(source):
        print(f"{item.name} ({item.kind}): {item.chunks} chunks, {item.characters} characters (id {item.id})")
