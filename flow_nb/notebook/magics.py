"""The ``%%flow`` cell magic and the ``%flow`` line magic.

Parsing lives in :mod:`.cells`, what a cell changes in :mod:`.define`, the run view in :mod:`.run_view`;
this module only reads the line, dispatches, and turns flow_nb errors into one-line ``UsageError``s.
"""

from __future__ import annotations

import argparse
import json
import shlex
import typing
from pathlib import Path
from typing import Any

from IPython.core.display import HTML, JSON
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import display

from .. import registry
from ..errors import DefinitionError, FlowError
from ..model import workflow as model
from ..workflow import Workflow
from . import session
from .cells import CellError, parse_node_cell, parse_relations_cell
from .define import define_node, define_relations, target_workflow
from .help import HELP

__all__ = ["FlowMagics"]


class _Args(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"%flow {self.prog}: {message}")


def _parser(command: str) -> _Args:
    return _Args(prog=command, add_help=False)


@magics_class
class FlowMagics(Magics):
    """``%%flow NAME TYPE`` declares a node; ``%flow COMMAND`` runs, shows, exports… (``%flow help``)."""

    @line_cell_magic
    def flow(self, line: str, cell: str | None = None) -> Any:
        """Declare workflow nodes and relations, and run workflows. ``%flow help`` tells all."""
        try:
            if cell is not None:
                return self._cell(line, cell)
            return self._line(line)
        except CellError as error:
            raise UsageError(f"%%flow line {error.line or 1}: {error}") from None
        except FlowError as error:
            raise UsageError(str(error)) from None

    # --------------------------------------------------------------------------------- cells
    def _cell(self, line: str, body: str) -> Any:
        first = line.split(maxsplit=1)[0] if line.strip() else ""
        if first == "relations":
            wf = define_relations(parse_relations_cell(line, body))
            session.note(f"{wf.name}: {len(wf.relations)} relations")
            return None
        spec = parse_node_cell(line, body)
        wf, node = define_node(spec)
        incoming = sum(1 for r in wf.relations if r.target == node.id)
        outgoing = sum(1 for r in wf.relations if r.source == node.id)
        session.note(f"{wf.name}.{node.key} ({node.type}) · {incoming} in, {outgoing} out")
        if spec.test is not None:
            return session.test_node(wf, node, spec.test)
        return None

    # ---------------------------------------------------------------------------------- lines
    def _line(self, line: str) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as error:
            raise UsageError(f"%flow: cannot read the line: {error}") from None
        if not words:
            words = ["help"]
        command, args = words[0], words[1:]
        handler = getattr(self, f"_cmd_{command}", None)
        if handler is None:
            commands = ", ".join(sorted(name[5:] for name in dir(self) if name.startswith("_cmd_")))
            raise UsageError(f"%flow: unknown command {command!r}; the commands are: {commands} (%flow help)")
        return handler(args)

    def _cmd_help(self, args: list[str]) -> None:
        print(HELP)

    def _cmd_run(self, args: list[str]) -> Any:
        parser = _parser("run")
        parser.add_argument("words", nargs="*")
        parser.add_argument("--var", action="append", default=[])
        parser.add_argument("--start-at")
        parser.add_argument("--no-view", action="store_true")
        parsed = parser.parse_args(args)
        wf, inputs = _workflow_and_inputs(parsed.words)
        variables = dict(_pair(item, "--var") for item in parsed.var)
        return session.run_inline(
            wf, inputs, variables=variables, start_at=parsed.start_at, view=not parsed.no_view
        )

    def _cmd_runs(self, args: list[str]) -> Any:
        records = registry.runs()
        if not records:
            print('no runs in this session yet (%flow run WORKFLOW "input")')
            return None
        rows = "".join(
            f"<tr><td>{i}</td><td>{r.workflow.get('name')}</td><td>{r.status}</td><td>{r.total_time:.2f}s</td>"
            f"<td>{r.total_steps}</td><td>{r.total_tokens}</td><td>{json.dumps(r.input)[:60]}</td>"
            f"<td>{(json.dumps(r.results[-1]) if r.results else '')[:80]}</td></tr>"
            for i, r in enumerate(records)
        )
        display(
            HTML(
                "<table><tr><th>#</th><th>workflow</th><th>status</th><th>time</th><th>node runs</th>"
                f"<th>tokens</th><th>input</th><th>last result</th></tr>{rows}</table>"
            )
        )
        return records

    def _cmd_show(self, args: list[str]) -> Workflow | None:
        parser = _parser("show")
        parser.add_argument("workflow", nargs="?")
        parser.add_argument("--mermaid", action="store_true")
        parsed = parser.parse_args(args)
        wf = _get(parsed.workflow) if parsed.workflow else _current()
        if not parsed.mermaid:
            return wf
        from ..formats import mermaid

        # JupyterLab (4.1+) draws a ```mermaid fence in Markdown output itself, offline
        display({"text/markdown": mermaid.fenced(wf), "text/plain": mermaid.export(wf)}, raw=True)
        return None

    def _cmd_graph(self, args: list[str]) -> None:
        from .graph import open_graph

        parser = _parser("graph")
        parser.add_argument("workflow", nargs="?")
        parser.add_argument("--file", "-f")
        parsed = parser.parse_args(args)
        display(open_graph(parsed.workflow, parsed.file))

    def _cmd_list(self, args: list[str]) -> None:
        names = registry.names()
        if not names:
            print("no workflows yet: declare a node with %%flow NAME TYPE --workflow WORKFLOW")
        for name in names:
            wf = registry.get(name)
            mark = "*" if name == registry.current() else " "
            print(f"{mark} {name}: {len(wf.nodes)} nodes, {len(wf.relations)} relations")

    def _cmd_use(self, args: list[str]) -> None:
        if len(args) != 1:
            raise UsageError("%flow use WORKFLOW")
        registry.use(args[0])
        print(f"now using {args[0]!r}")

    def _cmd_rm(self, args: list[str]) -> None:
        parser = _parser("rm")
        parser.add_argument("nodes", nargs="*")
        parser.add_argument("--workflow", "-w")
        parsed = parser.parse_args(args)
        if not parsed.nodes:
            if parsed.workflow is None:
                raise UsageError(
                    "%flow rm NODE... [--workflow W] removes nodes; %flow rm --workflow W removes W"
                )
            registry.forget(parsed.workflow)
            print(f"removed workflow {parsed.workflow!r}")
            return
        wf = target_workflow(parsed.workflow)
        wf.apply(lambda scratch: [scratch.remove(n) for n in parsed.nodes])
        print(f"removed {', '.join(parsed.nodes)} from {wf.name!r}")

    def _cmd_vars(self, args: list[str]) -> Any:
        parser = _parser("vars")
        parser.add_argument("words", nargs="*")
        parser.add_argument("--rm", action="append", default=[])
        parsed = parser.parse_args(args)
        words = list(parsed.words)
        wf = _get(words.pop(0)) if words and "=" not in words[0] else _current()
        for name in parsed.rm:
            if name not in wf.variables:
                raise UsageError(f"%flow vars: {wf.name!r} has no variable {name!r}")
        updates = dict(_pair(item, "vars") for item in words)

        def change(scratch: model.Workflow) -> None:
            for name in parsed.rm:
                del scratch.variables[name]
            scratch.variables.update({k: _value(v) for k, v in updates.items()})

        wf.apply(change)
        return JSON(dict(wf.variables))

    def _cmd_export(self, args: list[str]) -> Any:
        from ..formats import EXPORT_FORMATS, convert

        parser = _parser("export")
        parser.add_argument("workflow", nargs="?")
        parser.add_argument("--format", "-f", choices=EXPORT_FORMATS)
        parser.add_argument("--output", "-o")
        parsed = parser.parse_args(args)
        wf = _get(parsed.workflow) if parsed.workflow else _current()
        if parsed.output:
            path, notes = convert.write(wf, parsed.output, parsed.format)
            print(f"wrote {wf.name!r} ({len(wf.nodes)} nodes, {len(wf.relations)} relations) to {path}")
            for note in notes:
                print(f"warning: {note}")
            return None
        chosen = parsed.format or "flowflow"
        if chosen in ("flowflow", "json"):
            return JSON(wf.export())
        text, notes = convert.export_text(wf, chosen)
        for note in notes:
            print(f"warning: {note}")
        bundle = {"text/plain": text}
        if chosen == "mermaid":  # JupyterLab draws a ```mermaid fence in Markdown output itself, offline
            bundle["text/markdown"] = convert.export_text(wf, chosen, fenced=True)[0]
        display(bundle, raw=True)
        return None

    def _cmd_import(self, args: list[str]) -> Workflow:
        from ..formats import LOAD_FORMATS, convert

        parser = _parser("import")
        parser.add_argument("file")
        parser.add_argument("--as", dest="name")
        parser.add_argument("--format", "-f", choices=LOAD_FORMATS)
        parsed = parser.parse_args(args)
        wf, notes = convert.read(Path(parsed.file), Workflow, parsed.format)
        if parsed.name:
            wf.name = parsed.name
        registry.add(wf)
        print(f"imported {wf.name!r}: {len(wf.nodes)} nodes, {len(wf.relations)} relations; now using it")
        for note in notes:
            print(f"warning: {note}")
        return wf

    def _cmd_batch(self, args: list[str]) -> Any:
        from .batch import batch_command

        return batch_command(args)

    def _cmd_publish(self, args: list[str]) -> str:
        from .remote import publish_command

        return publish_command(args)

    def _cmd_call(self, args: list[str]) -> Any:
        from .remote import call_command

        return call_command(args)

    def _cmd_data(self, args: list[str]) -> Any:
        from .data_commands import data_command

        return data_command(args)

    def _cmd_chat(self, args: list[str]) -> Any:
        from .chat import ChatView

        wf = _get(args[0]) if args else _current()
        view = ChatView(wf, llm=session.chat_model())
        display(view)
        return None


def _get(name: str) -> Workflow:
    try:
        wf = registry.use(name)
    except DefinitionError as error:
        raise UsageError(str(error)) from None
    assert isinstance(wf, Workflow)
    return wf


def _current() -> Workflow:
    wf = target_workflow(None)
    assert isinstance(wf, Workflow)
    return wf


def _pair(item: str, option: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"%flow: {option} takes NAME=VALUE, not {item!r}")
    return key.strip(), value


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _workflow_and_inputs(words: list[str]) -> tuple[Workflow, Any]:
    words = list(words)
    wf = _get(words.pop(0)) if words and words[0] in registry.names() else _current()
    if words and all("=" in w and w.split("=", 1)[0].isidentifier() for w in words):
        return wf, {k: v for k, v in (_pair(w, "input") for w in words)}
    return wf, " ".join(words) if words else None
