"""``python -m flow_nb.testing``: serve the fake OpenAI API until SIGINT/SIGTERM, printing its base URL."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from flow_nb.testing.rules import Rule
from flow_nb.testing.server import FakeLLM


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m flow_nb.testing",
        description="Serve a fake OpenAI API with scripted replies; prints the base URL on one line.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every response starts")
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between streamed chunks")
    parser.add_argument(
        "--script", type=Path, help="JSON file with a list of rule objects (see Rule.from_dict)"
    )
    parser.add_argument(
        "--default-reply", default="OK", help="reply when no rule matches (default: %(default)s)"
    )
    parser.add_argument("--model", default="fake-model", help="model name to report (default: %(default)s)")
    return parser


def _load_rules(parser: argparse.ArgumentParser, path: Path | None) -> list[Rule]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError("the file must hold a JSON list of rule objects")
        return [Rule.from_dict(item) for item in data]
    except (OSError, ValueError, TypeError) as exc:
        parser.error(f"--script {path}: {exc}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server in the foreground; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    rules = _load_rules(parser, args.script)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    llm = FakeLLM(
        rules,
        latency=args.latency,
        token_delay=args.token_delay,
        default_reply=args.default_reply,
        model=args.model,
        host=args.host,
        port=args.port,
    )
    with llm:
        print(llm.base_url, flush=True)
        # wait() with a timeout so the main thread wakes up to run Python signal handlers promptly.
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
