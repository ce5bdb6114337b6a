"""The ``%%flow`` cell syntax, parsed without IPython.

A node cell::

    %%flow NAME TYPE [--workflow W] [--start] [--after SOURCE[:CONDITION]]... [options] [--test "sample"]
    ---                        (optional front matter: any config attribute, one `key: value` a line)
    timeout: 10
    ---
    the node's main text (criteria, labels one `label: context` a line, template, endpoint, code…)

A relations cell (the whole wiring of a workflow in one place; it replaces the workflow's relations)::

    %%flow relations [--workflow W]
    ask -> money
    money:true -> refuse
    money:false, money:undecided -> forward, log

Every config attribute of a type is also an option (``--n-items 3``, ``--no-undecided``,
``--header X-Token=abc``). Errors are ``CellError``s that carry the cell line they are about.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shlex
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic.fields import FieldInfo

from ..errors import DefinitionError
from ..model import NodeType, get_type

__all__ = [
    "CellError",
    "NodeCell",
    "RelationsCell",
    "node_options",
    "parse_node_cell",
    "parse_relations_cell",
]

ALIASES = {
    "multiple_answers": ["--multiple"],
    "input_placeholder": ["--placeholder"],
    "headers": ["--header"],
    "secret_headers": ["--secret-header"],
    "tools": ["--tool"],
}
"""Shorter option names for some config attributes (the long ``--multiple-answers`` works too)."""

ARROW = re.compile(r"\s*(?:->|→|=>)\s*")


class CellError(DefinitionError):
    """A cell that cannot be used; ``line`` is its line number (1 is the ``%%flow`` line)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        raise CellError(message, line=1)


@dataclass
class NodeCell:
    """A parsed node cell: everything needed to define (or update) one node."""

    name: str
    type: str
    workflow: str | None = None
    start: bool = False
    after: list[str] = field(default_factory=list)
    test: str | None = None
    description: str = ""
    position: tuple[float, float] | None = None
    general: dict[str, bool] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    """Cell line of each config attribute set in the body or front matter."""

    def line_of(self, error: DefinitionError) -> int:
        """The cell line an error about this cell is most likely about."""
        name = (error.field or "").split(".")[0].split("[")[0]
        if name in self.lines:
            line = self.lines[name]
            within = re.search(r"at line (\d+)", error.message)  # a template or Python syntax error
            if within:
                return line + int(within.group(1)) - 1
            quoted = re.findall(r"'([^']+)'", error.message)
            body = self.config.get(name)
            if quoted and isinstance(body, str):  # e.g. a repeated label: point at its second line
                hits = [i for i, text in enumerate(body.splitlines()) if quoted[-1] in text]
                if hits:
                    return line + hits[-1]
            return line
        return 1


@dataclass
class RelationsCell:
    """A parsed relations cell: ``(source, condition or None, target, line)`` for every arrow."""

    workflow: str | None
    relations: list[tuple[str, str | None, str, int]]


def _split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as error:
        raise CellError(f"cannot read the %%flow line: {error}", line=1) from None


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")


def _annotation_kind(info: FieldInfo) -> str:
    annotation = info.annotation
    text = str(annotation)
    if annotation is bool or text in ("bool", "bool | None"):
        return "bool"
    if annotation is int or "int" in text.split("|")[0]:
        return "int" if "float" not in text else "float"
    if annotation is float or text.startswith("float"):
        return "float"
    if "dict[str, str]" in text:
        return "dict"
    if "list[str]" in text:
        return "list"
    if "list[" in text:
        return "json"
    return "str"


def node_options(node_type: NodeType) -> dict[str, str]:
    """The type's config options: ``{option: kind}`` (kind is bool, int, float, str, list or dict)."""
    options: dict[str, str] = {}
    for name, info in node_type.config_model.model_fields.items():
        if name == node_type.main_field:
            continue
        options[name] = _annotation_kind(info)
    return options


def _parser(node_type: NodeType) -> _Parser:
    parser = _Parser(prog=f"%%flow NAME {node_type.key}", add_help=False)
    parser.add_argument("--workflow", "-w")
    parser.add_argument("--start", action="store_true")
    parser.add_argument("--after", "-a", action="append", default=[])
    parser.add_argument("--test")
    parser.add_argument("--description")
    parser.add_argument("--position")
    for general, extra in (
        ("auto_continue", []),
        ("display_result", []),
        ("pass_input_as_result", ["--pass-input"]),
    ):
        parser.add_argument(_option(general), *extra, dest=general, action=argparse.BooleanOptionalAction)
    for name, kind in node_options(node_type).items():
        flags = [_option(name), *ALIASES.get(name, [])]
        if kind == "bool":
            parser.add_argument(*flags, dest=name, action=argparse.BooleanOptionalAction)
        elif kind in ("int", "float"):
            parser.add_argument(*flags, dest=name, type=int if kind == "int" else float)
        elif kind in ("list", "dict"):
            parser.add_argument(*flags, dest=name, action="append")
        else:
            parser.add_argument(*flags, dest=name)
    return parser


def _front_matter(body: str, first_line: int) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Config from a ``---`` block at the top of the body; returns (config, lines, rest, rest's line)."""
    lines = body.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, {}, body, first_line
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise CellError("the front matter that starts with --- has no closing --- line", line=first_line)
    config: dict[str, Any] = {}
    where: dict[str, int] = {}
    for offset, text in enumerate(lines[1:end], start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        key, sep, value = text.partition(":")
        if not sep or not key.strip():
            raise CellError(
                f"front matter lines are `key: value`, not {text.strip()!r}", line=first_line + offset
            )
        key = key.strip().replace("-", "_")
        try:
            config[key] = json.loads(value.strip())
        except json.JSONDecodeError:
            config[key] = value.strip()
        where[key] = first_line + offset
    return config, where, "\n".join(lines[end + 1 :]), first_line + end + 1


def parse_node_cell(line: str, body: str) -> NodeCell:
    """Parse a node cell's ``%%flow`` line and body."""
    words = _split(line)
    positional = [w for w in words[:2] if not w.startswith("-")]
    if len(positional) < 2:
        raise CellError(
            "a node cell starts `%%flow NAME TYPE` (e.g. `%%flow money boolean --after ask`); "
            "`%flow help` lists the types and options",
            line=1,
        )
    name, type_name = positional
    try:
        node_type = get_type(type_name)
    except DefinitionError as error:
        raise CellError(str(error), line=1, field="type") from None
    args = _parser(node_type).parse_args(words[2:])
    cell = NodeCell(name=name, type=node_type.key, workflow=args.workflow, start=args.start, after=args.after)
    cell.test, cell.description = args.test, args.description or ""
    if args.position:
        try:
            x, y = (float(v) for v in args.position.split(","))
        except ValueError:
            raise CellError(f"--position takes X,Y (e.g. 120,40), not {args.position!r}", line=1) from None
        cell.position = (x, y)
    cell.general = {k: getattr(args, k) for k in ("auto_continue", "display_result", "pass_input_as_result")}
    cell.general = {k: v for k, v in cell.general.items() if v is not None}
    for option, kind in node_options(node_type).items():
        value = getattr(args, option, None)
        if value is None:
            continue
        if kind == "dict":
            value = _pairs(value, _option(option))
        elif kind == "json":
            value = _json(value, _option(option))
        cell.config[option] = value
    front, where, rest, rest_line = _front_matter(body.rstrip("\n"), 2)
    cell.config.update(front)
    cell.lines.update(where)
    text = rest.strip("\n").rstrip()
    text_line = rest_line + len(rest) - len(rest.lstrip("\n"))
    if text.strip() and node_type.main_field is not None:
        cell.config[node_type.main_field] = text
        cell.lines[node_type.main_field] = text_line
    elif text.strip():
        raise CellError(f"a {node_type.key} node has no main text; remove the cell body", line=text_line)
    return cell


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=") if "=" in item else item.partition(":")
        if not sep or not key.strip():
            raise CellError(f"{option} takes NAME=VALUE, not {item!r}", line=1, field=option)
        pairs[key.strip()] = value.strip()
    return pairs


def _json(value: str, option: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise CellError(f"{option} takes JSON here: {error.msg}", line=1, field=option) from None


def parse_relations_cell(line: str, body: str) -> RelationsCell:
    """Parse a ``%%flow relations`` cell: one or more arrows a line, ``#`` comments allowed."""
    words = _split(line)[1:]
    parser = _Parser(prog="%%flow relations", add_help=False)
    parser.add_argument("--workflow", "-w")
    parser.add_argument("workflow_name", nargs="?")
    args = parser.parse_args(words)
    relations: list[tuple[str, str | None, str, int]] = []
    for number, text in enumerate(body.split("\n"), start=2):
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        parts = ARROW.split(text)
        if len(parts) < 2 or any(not p.strip() for p in parts):
            raise CellError(f"a relation reads `source[:condition] -> target`, not {text!r}", line=number)
        for left, right in itertools.pairwise(parts):
            for source in (s.strip() for s in left.split(",")):
                src, _, condition = source.partition(":")
                for target in (t.strip() for t in right.split(",")):
                    target = target.split(":", 1)[0]  # in a chain a -> b:true -> c, b's condition is for b
                    relations.append((src.strip(), condition.strip() or None, target, number))
    return RelationsCell(workflow=args.workflow or args.workflow_name, relations=relations)
