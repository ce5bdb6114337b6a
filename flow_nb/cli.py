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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flow-nb", description="Design, run and ship LLM workflows.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    schema = commands.add_parser("schema", help="print the JSON Schema of the workflow export format")
    schema.add_argument("-o", "--output", help="write it to this file instead of standard output")
    schema.set_defaults(func=_schema)
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
