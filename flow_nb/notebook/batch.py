"""``%flow batch``: many inputs from a CSV or JSON-lines file, a progress bar, a table of outcomes."""

from __future__ import annotations

import argparse
import csv
import json
import typing
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets
from IPython.core.error import UsageError
from IPython.display import display

from .. import registry
from ..engine.batch import run_batch
from ..engine.loop import submit
from ..engine.record import RunRecord
from ..errors import FormatError
from .display import short
from .session import chat_model

__all__ = ["BatchTable", "batch_command", "read_inputs", "rows_of"]


class _Args(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"%flow batch: {message}")


def read_inputs(path: Path) -> list[Any]:
    """Inputs from a CSV file (a dict per row, by header) or a JSON-lines file (a value per line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FormatError(f"cannot read {str(path)!r}: {error}") from None
    if path.suffix.lower() == ".csv":
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        inputs = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    inputs.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise FormatError(f"{path.name} line {number} is not JSON: {error.msg}") from None
        return inputs
    raise FormatError(f"{path.name}: batch inputs are a .csv or a .jsonl file")


def rows_of(inputs: list[Any], records: list[RunRecord]) -> list[dict[str, Any]]:
    """One table row per run: its input, status, output, results, conditions, time, tokens."""
    rows = []
    for value, record in zip(inputs, records, strict=True):
        rows.append(
            {
                "input": value
                if not isinstance(value, dict) or len(value) != 1
                else next(iter(value.values())),
                "status": record.status,
                "output": record.output,
                "results": record.results,
                "path": " → ".join(record.path),
                "time": round(record.total_time, 3),
                "tokens": record.total_tokens,
                "error": record.error,
            }
        )
    return rows


class BatchTable(list[dict[str, Any]]):
    """The batch's rows, shown as a table (a list of dicts, for when pandas is not installed)."""

    def _repr_html_(self) -> str:
        if not self:
            return "<i>no runs</i>"
        head = "".join(f"<th>{escape(k)}</th>" for k in self[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(short(v, 80))}</td>" for v in row.values()) + "</tr>"
            for row in self
        )
        return f"<table><tr>{head}</tr>{body}</table>"


def batch_command(args: list[str]) -> Any:
    """Run ``%flow batch [WORKFLOW] --inputs FILE [--concurrency N]``."""
    parser = _Args(prog="batch", add_help=False)
    parser.add_argument("workflow", nargs="?")
    parser.add_argument("--inputs", "-i", required=True)
    parser.add_argument("--concurrency", "-c", type=int, default=4)
    parser.add_argument("--var", action="append", default=[])
    parsed = parser.parse_args(args)
    wf = registry.use(parsed.workflow) if parsed.workflow else registry.workflow()
    inputs = read_inputs(Path(parsed.inputs))
    variables = dict(item.split("=", 1) for item in parsed.var if "=" in item)
    bar = ipywidgets.IntProgress(min=0, max=max(1, len(inputs)), description="runs")
    label = ipywidgets.Label(f"0 / {len(inputs)}")
    display(ipywidgets.HBox([bar, label]))
    done: list[int] = []

    def progress(index: int, record: RunRecord) -> None:
        done.append(index)
        bar.value = len(done)
        label.value = f"{len(done)} / {len(inputs)}"

    records = submit(
        run_batch(
            wf,
            inputs,
            concurrency=parsed.concurrency,
            llm=chat_model(),
            variables=variables,
            on_done=progress,
        )
    ).result()
    for record in records:
        registry.record_run(record)
    rows = rows_of(inputs, records)
    try:
        import pandas
    except ImportError:
        return BatchTable(rows)
    return pandas.DataFrame(rows)
