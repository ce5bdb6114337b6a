"""Server speed: blocking runs per second of a 3-node workflow beside a bare FastAPI endpoint, and 100
concurrent streaming clients with every event counted.

Run it from the repository root::

    python bench/server.py                       # SQLite in a temporary directory
    python bench/server.py --db postgresql://…   # or a PostgreSQL database

Everything runs on this machine, in this run: the fake model (``python -m flow_nb.testing``, zero
latency), ``flow-nb serve`` and a bare FastAPI app on uvicorn each in their own process, so the load
generator here does not share a GIL with them. The bare app answers the same JSON a blocking run answers
without doing anything, so the ratio is what flow_nb's server costs on top of FastAPI + uvicorn: key
check, storing the run, the engine, three node runs, one streamed LLM call. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

import flow_nb as fn
from flow_nb.client import aiter_events

REPLY = "Yes, I'm here."
"""The model's reply: several streamed tokens, as in FlowAI's streaming example."""


def bare_app() -> Any:
    """The baseline: FastAPI answering a run's JSON, nothing else."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/v1/api/workflow/run/{workflow_id}")
    async def run(workflow_id: str) -> dict[str, Any]:
        return {"output": "Yes, I'm here.", "total_time": 0.0}

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_up(url: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


def three_nodes() -> fn.Workflow:
    """An input, an LLM (assistant), an output: FlowAI's own example shape."""
    wf = fn.Workflow(name="bench")
    wf.node("myinput", "text_input", None, start=True)
    wf.node("llm", "assistant", "Answer briefly.", after="myinput")
    wf.node("out", "text_output", "{{result}}", after="llm", display_result=True)
    return wf


async def blocking_rate(url: str, path: str, key: str, seconds: float, concurrency: int) -> tuple[float, int]:
    """Completed blocking calls per second with ``concurrency`` clients for ``seconds``; and errors."""
    done, errors = 0, 0
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers={"X-API-KEY": key}, limits=limits, timeout=60) as http:

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < stop_at:
                response = await http.post(path, json={"input": {"input": "Are you there?"}})
                if response.status_code == 200 and response.json().get("output") == "Yes, I'm here.":
                    done += 1
                else:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - began), errors


async def streaming(url: str, path: str, key: str, clients: int) -> dict[str, Any]:
    """``clients`` concurrent streaming runs; every event counted, per client and in all."""
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers={"X-API-KEY": key}, limits=limits, timeout=120
    ) as http:

        async def one() -> Counter[str]:
            seen: Counter[str] = Counter()
            body = {"input": {"input": "Are you there?"}, "stream": True}
            async with http.stream("POST", path, json=body) as response:
                async for event in aiter_events(response.aiter_lines()):
                    kind = event.data.get("Type") if event.event == "msg" else None
                    seen[f"{event.event}:{kind}" if kind else event.event] += 1
            return seen

        began = time.perf_counter()
        counts = await asyncio.gather(*(one() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    totals: Counter[str] = sum(counts, Counter())
    per_client = [sum(c.values()) for c in counts]
    complete = sum(
        1 for c in counts if c["output"] == 1 and c["msg:finish_node"] == 3 and c["msg:start"] == 1
    )
    return {
        "clients": clients,
        "complete": complete,
        "events": sum(per_client),
        "events_per_client": [min(per_client), max(per_client)],
        "by_kind": dict(sorted(totals.items())),
        "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="clients for the blocking measurement")
    parser.add_argument("--clients", type=int, default=100, help="concurrent streaming clients")
    parser.add_argument("--bare-app-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_app_port:  # the baseline's own process
        import uvicorn

        uvicorn.run(
            bare_app(), host="127.0.0.1", port=args.bare_app_port, log_level="warning", access_log=False
        )
        return

    folder = Path(tempfile.mkdtemp(prefix="flow_nb-bench-"))
    db = args.db or f"sqlite:///{folder / 'bench.sqlite'}"
    processes: list[subprocess.Popen[Any]] = []
    try:
        model = subprocess.Popen(
            [sys.executable, "-m", "flow_nb.testing", "--latency", "0", "--default-reply", REPLY],
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(model)
        assert model.stdout is not None
        base_url = model.stdout.readline().strip()
        made = subprocess.run(
            [sys.executable, "-m", "flow_nb.cli", "keys", "create", "--name", "bench", "--db", db],
            capture_output=True,
            text=True,
            check=True,
        )
        key = made.stdout.strip().splitlines()[-1]
        port, bare_port = free_port(), free_port()
        env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "k", "FLOW_NB_MODEL": "fake"}
        serve = [sys.executable, "-m", "flow_nb.cli", "serve", "--db", db, "--port", str(port)]
        server = subprocess.Popen(
            [*serve, "--rate-limit", "0", "--log-level", "warning"], env=env, stderr=subprocess.DEVNULL
        )
        bare = subprocess.Popen([sys.executable, __file__, "--bare-app-port", str(bare_port)])
        processes += [server, bare]
        url, bare_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        wait_up(url, server)
        wait_up(bare_url, bare)

        wf = three_nodes()
        with httpx.Client(base_url=url, headers={"X-API-KEY": key}) as http:
            http.post("/api/v1/workflows", json=wf.export()).raise_for_status()
            http.post(f"/api/v1/workflows/{wf.id}/publish").raise_for_status()
        path = f"/v1/api/workflow/run/{wf.id}"

        async def measure() -> dict[str, Any]:
            await blocking_rate(url, path, key, 1.0, args.concurrency)  # warm up both
            await blocking_rate(bare_url, path, key, 1.0, args.concurrency)
            flow_rate, flow_errors = await blocking_rate(url, path, key, args.seconds, args.concurrency)
            bare_rate, _ = await blocking_rate(bare_url, path, key, args.seconds, args.concurrency)
            streams = await streaming(url, path, key, args.clients)
            return {
                "database": db.split(":", 1)[0],
                "blocking_runs_per_s": round(flow_rate, 1),
                "blocking_errors": flow_errors,
                "bare_fastapi_per_s": round(bare_rate, 1),
                "ratio_bare_over_flow_nb": round(bare_rate / flow_rate, 2) if flow_rate else None,
                "streaming": streams,
            }

        figures = asyncio.run(measure())
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if processes and processes[0].stdout is not None:
            processes[0].stdout.close()

    s = figures["streaming"]
    where = f"flow_nb server, {figures['database']}"
    print(f"blocking runs/s, 3-node workflow ({where}): {figures['blocking_runs_per_s']}")
    print(f"bare FastAPI endpoint, same machine, runs/s:  {figures['bare_fastapi_per_s']}")
    print(f"ratio (bare / flow_nb):                       {figures['ratio_bare_over_flow_nb']}")
    print(
        f"{s['clients']} concurrent streaming clients: {s['complete']} complete, {s['events']} events "
        f"({s['events_per_client'][0]}–{s['events_per_client'][1]} per client) in {s['seconds']:.2f} s"
    )
    print(f"events by kind: {s['by_kind']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
