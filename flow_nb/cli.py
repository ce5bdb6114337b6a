"""The ``flow-nb`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import FlowError

__all__ = ["main"]


def _schema(args: argparse.Namespace) -> int:
    from .formats.schema import workflow_schema

    text = json.dumps(workflow_schema(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote the workflow JSON Schema to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from .console import ConsoleView, ask_in_terminal
    from .llm import OpenAIChat, is_configured
    from .workflow import Workflow

    workflow = Workflow.load(args.workflow)
    inputs: dict[str, object] | str | None = args.input
    if args.input_json is not None:
        try:
            inputs = json.loads(args.input_json)
        except json.JSONDecodeError as error:
            print(f"flow-nb: error: --input-json is not valid JSON: {error.msg}", file=sys.stderr)
            return 2
    variables = dict(_pair(item) for item in args.var)
    llm = None
    if args.base_url or args.model or is_configured():
        llm = OpenAIChat(base_url=args.base_url, model=args.model)
    view = ConsoleView(as_json=args.json)

    async def go() -> str:
        status = "FINISHED"
        async for event in workflow.stream(
            inputs, variables=variables, node_start_id=args.start_at, llm=llm, on_request=ask_in_terminal
        ):
            view.show(event)
            status = getattr(event, "status", status) if event.type == "run_finished" else status
        return status

    try:
        status = asyncio.run(go())
    except EOFError:
        print("flow-nb: the run waited for input and standard input ended; run stopped", file=sys.stderr)
        return 1
    return 0 if status == "FINISHED" else 1


def _convert(args: argparse.Namespace) -> int:
    from .formats import format_of
    from .formats.convert import convert

    for path in (args.input, args.output):
        format_of(path)  # an unknown extension is refused before anything is read or written
    notes = convert(args.input, args.output)
    for note in notes:
        print(f"flow-nb: warning: {note}", file=sys.stderr)
    print(f"wrote {args.output} ({format_of(args.output)})", file=sys.stderr)
    return 0


def _pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise SystemExit(f"flow-nb: error: --var takes NAME=VALUE, not {item!r}")
    return key.strip(), value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flow-nb", description="Design, run and ship LLM workflows.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    schema = commands.add_parser("schema", help="print the JSON Schema of the workflow export format")
    schema.add_argument("-o", "--output", help="write it to this file instead of standard output")
    schema.set_defaults(func=_schema)
    run = commands.add_parser("run", help="run a workflow file, streaming it to the terminal")
    run.add_argument("workflow", help="the workflow file (the server's JSON format)")
    run.add_argument("--input", "-i", help="the run's input text")
    run.add_argument("--input-json", help="the run's input as a JSON object of named values")
    run.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a run variable")
    run.add_argument("--start-at", help="start at this node instead of the start node(s)")
    run.add_argument("--json", action="store_true", help="print one JSON event per line")
    run.add_argument("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    run.add_argument("--model", help="model name (default: FLOW_NB_MODEL)")
    run.set_defaults(func=_run)
    convert = commands.add_parser(
        "convert",
        help="convert a workflow file: .json (flowflow) and .yml/.yaml (Dify DSL) both ways, "
        "to .mmd/.md (Mermaid)",
    )
    convert.add_argument("input", help="the workflow file to read (.json or .yml/.yaml)")
    convert.add_argument("output", help="the file to write (.json, .yml/.yaml, .mmd or .md)")
    convert.set_defaults(func=_convert)
    from .server.commands import add_commands

    add_commands(commands)  # serve, keys, publish
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``flow-nb`` command; a flow_nb error is printed as one line, exit status 2."""
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except FlowError as error:
        print(f"flow-nb: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
