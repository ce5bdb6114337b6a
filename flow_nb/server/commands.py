"""The server's commands of ``flow-nb``: ``serve``, ``keys create|list|revoke`` and ``publish``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_commands"]

SERVER_VARIABLE = "FLOW_NB_SERVER"


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from ..llm import OpenAIChat, default_chat
    from .app import create_app
    from .db import database_url

    llm = OpenAIChat(base_url=args.llm_base_url, model=args.model) if args.llm_base_url else default_chat()
    if llm is None:
        print(
            "flow-nb serve: no model endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY, or "
            "--llm-base-url); workflows with AI nodes will fail until one is",
            file=sys.stderr,
        )
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    url = database_url(args.db)
    app = create_app(url, llm=llm, rate_limit=args.rate_limit or None)
    print(f"flow-nb: serving on http://{args.host}:{args.port} (database {url})", file=sys.stderr)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        timeout_graceful_shutdown=5,
    )
    return 0


def _keys(args: argparse.Namespace) -> int:
    from .db import Database
    from .keys import KeyProblem, create_key, list_keys, revoke_key

    db = Database(args.db)
    try:
        db.create_schema()
        if args.keys_command == "create":
            info, key = db.run(create_key, args.name, args.workflow)
            limit = f", limited to workflow {info.workflow_id}" if info.workflow_id else ""
            print(f"created key {info.id} for {info.name!r}{limit}. It is shown only this once:")
            print(key)
        elif args.keys_command == "list":
            keys = db.run(list_keys)
            if not keys:
                print("no keys yet: flow-nb keys create --name NAME")
            for item in keys:
                state = f"revoked {item.revoked_at:%Y-%m-%d %H:%M}" if item.revoked_at else "active"
                workflow = f"workflow {item.workflow_id}" if item.workflow_id else "all workflows"
                print(
                    f"{item.id}  {item.name:<20}  {workflow:<45}  {item.created_at:%Y-%m-%d %H:%M}  {state}"
                )
        else:
            info = db.run(revoke_key, args.key_id)
            print(f"revoked key {info.id} ({info.name!r})")
    except KeyProblem as problem:
        print(f"flow-nb keys: error: {problem}", file=sys.stderr)
        return 2
    finally:
        db.close()
    return 0


def _publish(args: argparse.Namespace) -> int:
    from ..client import Client, ServerError, curl_line
    from ..workflow import Workflow

    workflow = Workflow.load(args.file)
    with Client(args.server, args.key) as client:
        try:
            workflow_id = client.publish(workflow, public=args.public or None)
            stored: dict[str, Any] = client.workflow(workflow_id)
        except ServerError as error:
            print(f"flow-nb publish: error: {error}", file=sys.stderr)
            return 2
    print(f"published {workflow.name!r} (version {stored['version']}) to {args.server}")
    print(f"id: {workflow_id}")
    print(curl_line(args.server, workflow_id, "Hello"))
    return 0


def add_commands(commands: Any) -> None:
    """Add ``serve``, ``keys`` and ``publish`` to the ``flow-nb`` subcommands."""
    default_db = os.environ.get("FLOW_NB_DB")
    serve = commands.add_parser("serve", help="run the workflow server (FastAPI on uvicorn)")
    serve.add_argument("--db", default=default_db, help="database URL or SQLite file (default ./flow_nb.db)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--rate-limit", type=float, default=20.0, help="requests per second per key (default 20; 0: none)"
    )
    serve.add_argument("--llm-base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    serve.add_argument("--model", help="model name (default: FLOW_NB_MODEL)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(func=_serve)

    keys = commands.add_parser("keys", help="create, list or revoke the server's API keys")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a key; its last line is the key, shown once")
    create.add_argument("--name", required=True, help="who uses it (its workflows are this name's)")
    create.add_argument("--workflow", help="limit the key to this workflow (a Dify-style app key)")
    listing = actions.add_parser("list", help="list the keys (never the keys themselves)")
    revoke = actions.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id", help="the key's id (from keys list), or the key itself")
    for action in (create, listing, revoke):
        action.add_argument(
            "--db", default=default_db, help="database URL or SQLite file (default ./flow_nb.db)"
        )
    keys.set_defaults(func=_keys)

    publish = commands.add_parser("publish", help="publish a workflow file to a server; prints a curl line")
    publish.add_argument("file", help="the workflow file (the server's JSON format)")
    publish.add_argument(
        "--server", default=os.environ.get(SERVER_VARIABLE, "http://127.0.0.1:8000"), help="the server's URL"
    )
    publish.add_argument("--key", help="API key (default: FLOW_NB_API_KEY)")
    publish.add_argument("--public", action="store_true", help="let every key of the server see and run it")
    publish.set_defaults(func=_publish)
