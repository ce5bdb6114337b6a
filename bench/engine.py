"""Engine speed: flow_nb's per-node overhead against LangGraph, and a 200-way LLM fan-out's wall time.

Run it from the repository root (LangGraph comes with the dev extra, ``pip install -e ".[dev]"``)::

    python bench/engine.py              # the table, then one JSON line with every figure
    python bench/engine.py --profile    # also: where a text_output chain run spends its time (cProfile)

Every figure is measured in this run on this machine, baselines included, so the ratios compare like with
like. Each measurement is warmed up once and repeated; the median is reported. Nodes that call no model
(``text_output``, ``code``) show the engine's own cost per node: total run time / number of nodes, graph
built beforehand. LangGraph runs the same shapes with equally trivial node functions, compiled once
(compile time reported apart). The LLM part runs 200 ``assistant`` nodes in parallel against
``flow_nb.testing``'s fake OpenAI server with 50 ms latency, in this process and in a separate one, next
to 200 concurrent raw ``AsyncOpenAI`` streaming calls against the same server (the gap between the two is
what flow_nb adds on top of the openai client and the server) and raw calls made one at a time (what one
request really costs here). Nothing here asserts a timing. ``--help`` lists the knobs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import operator
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypedDict

from openai import AsyncOpenAI

import flow_nb as fn
from flow_nb.llm import OpenAIChat
from flow_nb.testing import FakeLLM, Rule

Timed = Callable[[], Awaitable[Any]]

TRIVIAL_CODE = "return input"
COMMAND = "Say done"


# ------------------------------------------------------------------------------------------- timing
async def measure(call: Timed, repeat: int, *, collect: bool = True) -> float:
    """Median wall time of ``call`` in seconds, after one warm-up call. With ``collect``, a full GC before
    each call so one run's garbage is not collected on the next one's clock; without, calls follow each
    other back to back."""
    await call()
    times = []
    for _ in range(repeat):
        if collect:
            gc.collect()
        began = time.perf_counter()
        await call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def timed_build(build: Callable[[], Any]) -> tuple[Any, float]:
    """What ``build`` returns, and how long it took."""
    began = time.perf_counter()
    built = build()
    return built, time.perf_counter() - began


# ------------------------------------------------------------------------------------------ flow_nb
def trivial_node(wf: fn.Workflow, name: str, kind: str, **where: Any) -> None:
    """A node that calls no model: a pass-through ``text_output`` or a ``code`` node returning its input."""
    if kind == "code":
        wf.node(name, "code", TRIVIAL_CODE, **where)
    else:
        wf.node(name, "text_output", None, **where)


def flow_chain(kind: str, n: int) -> fn.Workflow:
    """``n`` trivial nodes in a line."""
    wf = fn.Workflow(f"chain-{kind}")
    wf.settings.max_node_runs = 10_000
    trivial_node(wf, "n0", kind, start=True)
    for i in range(1, n):
        trivial_node(wf, f"n{i}", kind, after=f"n{i - 1}")
    return wf


def flow_fanout(kind: str, n: int) -> fn.Workflow:
    """One trivial root whose default condition leads to ``n`` trivial nodes (all of type ``kind``)."""
    wf = fn.Workflow(f"fanout-{kind}")
    wf.settings.max_node_runs = 10_000
    trivial_node(wf, "root", kind, start=True)
    for i in range(n):
        trivial_node(wf, f"n{i}", kind, after="root")
    return wf


def assistant_fanout(n: int) -> fn.Workflow:
    """A pass-through root leading to ``n`` ``assistant`` nodes: one LLM call each, all in parallel."""
    wf = fn.Workflow("fanout-assistant")
    wf.settings.max_node_runs = 10_000
    wf.node("root", "text_output", None, start=True)
    for i in range(n):
        wf.node(f"a{i}", "assistant", COMMAND, after="root")
    return wf


def flow_call(wf: fn.Workflow, steps: int, llm: OpenAIChat | None = None) -> Timed:
    """One run of ``wf`` that must finish after ``steps`` node runs (a broken run is not a fast one)."""

    async def call() -> None:
        record = await wf.arun("x", llm=llm)
        if record.status != "FINISHED" or record.total_steps != steps:
            raise RuntimeError(
                f"{wf.name}: run ended {record.status} after {record.total_steps} of {steps} steps"
            )

    return call


# ---------------------------------------------------------------------------------------- LangGraph
class ChainState(TypedDict):
    """The chain's state: one value handed on."""

    x: str


class FanState(TypedDict):
    """The fan-out's state: parallel writes to ``out`` are merged by concatenation."""

    x: str
    out: Annotated[list[int], operator.add]


LANGGRAPH_CONFIG: dict[str, Any] = {"recursion_limit": 100_000}


def langgraph_chain(n: int, *, use_async: bool) -> Any:
    """An ``n``-node StateGraph chain of trivial functions (``async def`` ones with ``use_async``)."""
    from langgraph.graph import END, START, StateGraph

    async def pass_on_async(state: ChainState) -> dict[str, Any]:
        return {"x": state["x"]}

    def pass_on(state: ChainState) -> dict[str, Any]:
        return {"x": state["x"]}

    graph = StateGraph(ChainState)
    for i in range(n):
        graph.add_node(f"n{i}", pass_on_async if use_async else pass_on)
    graph.add_edge(START, "n0")
    for i in range(1, n):
        graph.add_edge(f"n{i - 1}", f"n{i}")
    graph.add_edge(f"n{n - 1}", END)
    return graph


def langgraph_fanout(n: int, *, use_async: bool) -> Any:
    """START → root → ``n`` trivial nodes, each appending its number to ``out``."""
    from langgraph.graph import END, START, StateGraph

    def writer(i: int) -> Callable[[FanState], Any]:
        async def write_async(state: FanState) -> dict[str, Any]:
            return {"out": [i]}

        def write(state: FanState) -> dict[str, Any]:
            return {"out": [i]}

        return write_async if use_async else write

    def root(state: FanState) -> dict[str, Any]:
        return {"x": state["x"]}

    graph = StateGraph(FanState)
    graph.add_node("root", root)
    graph.add_edge(START, "root")
    for i in range(n):
        graph.add_node(f"n{i}", writer(i))
        graph.add_edge("root", f"n{i}")
        graph.add_edge(f"n{i}", END)
    return graph


def langgraph_call(
    app: Any, state: dict[str, Any], check: Callable[[dict[str, Any]], bool], mode: str
) -> Timed:
    """One ``ainvoke`` of ``app`` (or, ``mode="invoke"``, one blocking ``invoke`` in a worker thread)."""

    async def call() -> None:
        if mode == "invoke":
            result = await asyncio.to_thread(app.invoke, state, LANGGRAPH_CONFIG)
        else:
            result = await app.ainvoke(state, LANGGRAPH_CONFIG)
        if not check(result):
            raise RuntimeError("the LangGraph run did not reach every node")

    return call


# ------------------------------------------------------------------------------------- LLM fan-out
def raw_openai_calls(client: AsyncOpenAI, n: int) -> Timed:
    """``n`` concurrent streaming chat completions with the bare client, read to the end like flow_nb."""
    messages = [{"role": "system", "content": COMMAND}, {"role": "user", "content": "x"}]

    async def one() -> str:
        stream = await client.chat.completions.create(
            model="fake",
            messages=messages,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
        text = []
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    text.append(chunk.choices[0].delta.content)
        return "".join(text)

    async def call() -> None:
        replies = await asyncio.gather(*(one() for _ in range(n)))
        if any(reply != "done" for reply in replies):
            raise RuntimeError("a raw call did not get the reply 'done'")

    return call


class ServerProcess:
    """``python -m flow_nb.testing`` in a child process; its base URL is the first line it prints."""

    def __init__(self, latency: float) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flow_nb.testing",
                "--port",
                "0",
                "--latency",
                str(latency),
                "--default-reply",
                "done",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            self.close()
            raise RuntimeError(f"the fake server process did not print its URL (got {self.base_url!r})")

    def close(self) -> None:
        """Stop the child: SIGTERM, then SIGKILL if it lingers."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def llm_fanout(base_url: str, n: int, repeat: int) -> dict[str, float]:
    """The assistant fan-out, the raw-client baseline, and raw calls one at a time, back to back on one
    warm client (what a single request really costs here), against one server, in seconds."""
    wf = assistant_fanout(n)
    llm = OpenAIChat(base_url=base_url, api_key="x", model="fake")
    flow = await measure(flow_call(wf, n + 1, llm), repeat)
    await llm.aclose()
    # the same client settings as flow_nb's OpenAIChat, one client for all calls as flow_nb has
    client = AsyncOpenAI(base_url=base_url, api_key="x", timeout=60.0, max_retries=2)
    try:
        raw = await measure(raw_openai_calls(client, n), repeat)
        alone = await measure(raw_openai_calls(client, 1), repeat, collect=False)
    finally:
        await client.close()
    return {"flow_nb": flow, "raw_openai": raw, "raw_openai_one_call": alone}


# ------------------------------------------------------------------------------------------ running
async def bench(n: int, repeat: int, latency: float) -> dict[str, Any]:
    """Every figure, in seconds (per-node figures in microseconds)."""
    out: dict[str, Any] = {"nodes": n, "repeat": repeat, "latency_s": latency}
    per_node: dict[str, float] = {}
    build: dict[str, float] = {}

    for kind in ("text_output", "code"):
        chain, build[f"flow_nb.chain.{kind}"] = timed_build(lambda kind=kind: flow_chain(kind, n))
        fan, build[f"flow_nb.fanout.{kind}"] = timed_build(lambda kind=kind: flow_fanout(kind, n))
        per_node[f"flow_nb.chain.{kind}"] = await measure(flow_call(chain, n), repeat) / n
        per_node[f"flow_nb.fanout.{kind}"] = await measure(flow_call(fan, n + 1), repeat) / (n + 1)

    chain_state = {"x": "x"}
    fan_state: dict[str, Any] = {"x": "x", "out": []}
    for use_async, modes in ((True, ("ainvoke",)), (False, ("ainvoke", "invoke"))):
        fns = "async" if use_async else "sync"
        chain_graph = langgraph_chain(n, use_async=use_async)
        fan_graph = langgraph_fanout(n, use_async=use_async)
        chain_app, build[f"langgraph.chain.{fns}"] = timed_build(chain_graph.compile)
        fan_app, build[f"langgraph.fanout.{fns}"] = timed_build(fan_graph.compile)
        for mode in modes:
            key = f"{mode}.{fns}"
            per_node[f"langgraph.chain.{key}"] = (
                await measure(langgraph_call(chain_app, chain_state, lambda r: r["x"] == "x", mode), repeat)
                / n
            )
            per_node[f"langgraph.fanout.{key}"] = await measure(
                langgraph_call(fan_app, fan_state, lambda r: len(r["out"]) == n, mode), repeat
            ) / (n + 1)

    out["per_node_us"] = {k: round(v * 1e6, 1) for k, v in per_node.items()}
    out["build_ms"] = {k: round(v * 1e3, 2) for k, v in build.items()}
    out["ratio"] = {
        f"{shape}.{kind}/{lg}": round(
            per_node[f"flow_nb.{shape}.{kind}"] / per_node[f"langgraph.{shape}.{lg}"], 2
        )
        for shape in ("chain", "fanout")
        for kind in ("text_output", "code")
        for lg in ("ainvoke.async", "invoke.sync")
    }

    llm_repeat = max(3, repeat // 2)
    with FakeLLM([Rule(match=None, reply="done")], latency=latency, token_delay=0.0) as server:
        in_process = await llm_fanout(server.base_url, n, llm_repeat)
    child = ServerProcess(latency)
    try:
        separate = await llm_fanout(child.base_url, n, llm_repeat)
    finally:
        child.close()
    out["llm_fanout_s"] = {
        f"{where}.{who}": round(seconds, 4)
        for where, figures in (("in_process", in_process), ("separate_process", separate))
        for who, seconds in figures.items()
    }
    out["llm_fanout_over_critical_path"] = {k: round(v / latency, 2) for k, v in out["llm_fanout_s"].items()}
    return out


def table(result: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    n, per, build, ratio = result["nodes"], result["per_node_us"], result["build_ms"], result["ratio"]
    lines = [
        f"Engine overhead per node, {n}-node chain and {n}-way fan-out (median of {result['repeat']}, "
        f"after one warm-up; fan-out time / {n + 1})",
        "",
        f"{'engine / node function':<44}{'chain µs/node':>15}{'fan-out µs/node':>17}{'build ms':>18}",
    ]
    rows = [
        ("flow_nb  text_output (pass-through)", "flow_nb", "text_output", "flow_nb", "text_output"),
        ("flow_nb  code (`return input`, thread)", "flow_nb", "code", "flow_nb", "code"),
        ("LangGraph ainvoke, async def nodes", "langgraph", "ainvoke.async", "langgraph", "async"),
        ("LangGraph ainvoke, sync def nodes", "langgraph", "ainvoke.sync", "langgraph", "sync"),
        ("LangGraph invoke, sync def nodes", "langgraph", "invoke.sync", "langgraph", "sync"),
    ]
    for label, engine, key, b_engine, b_key in rows:
        chain_build = build[f"{b_engine}.chain.{b_key}"]
        fan_build = build[f"{b_engine}.fanout.{b_key}"]
        what = "compile" if engine == "langgraph" else "build"
        lines.append(
            f"{label:<44}{per[f'{engine}.chain.{key}']:>15.1f}{per[f'{engine}.fanout.{key}']:>17.1f}"
            f"{f'{what} {chain_build:.1f} / {fan_build:.1f}':>18}"
        )
    lines += ["", "Ratio flow_nb / LangGraph, per node (above 1: flow_nb slower)", ""]
    lines.append(f"{'flow_nb node type':<44}{'vs ainvoke async':>18}{'vs invoke sync':>16}")
    for shape in ("chain", "fanout"):
        for kind in ("text_output", "code"):
            lines.append(
                f"{f'{shape:<8}{kind}':<44}{ratio[f'{shape}.{kind}/ainvoke.async']:>18.2f}"
                f"{ratio[f'{shape}.{kind}/invoke.sync']:>16.2f}"
            )
    latency_ms = result["latency_s"] * 1e3
    lines += [
        "",
        f"{n}-way fan-out of assistant nodes, fake OpenAI server at {latency_ms:.0f} ms latency, no token "
        f"delay (critical path {latency_ms:.0f} ms)",
        "",
        f"{'server / client':<58}{'wall ms':>10}{'× critical path':>17}",
    ]
    walls, over = result["llm_fanout_s"], result["llm_fanout_over_critical_path"]
    for where, label in (
        ("in_process", "server in this process"),
        ("separate_process", "server in own process"),
    ):
        for who, name in (
            ("flow_nb", f"flow_nb, root + {n} assistant"),
            ("raw_openai", f"raw AsyncOpenAI ×{n} concurrent"),
            ("raw_openai_one_call", "raw AsyncOpenAI, one call at a time"),
        ):
            key = f"{where}.{who}"
            lines.append(f"{f'{label}: {name}':<58}{walls[key] * 1e3:>10.1f}{over[key]:>17.2f}")
    lines += [
        "",
        "(one call at a time: back-to-back calls on one warm client, median per call; what it takes above",
        "the latency is what a request on a reused keep-alive connection to the fake server costs here)",
    ]
    return "\n".join(lines)


def profile_chain(n: int) -> str:
    """cProfile of three text_output chain runs: flow_nb's functions by cumulative time, then every
    function by own time."""
    wf = flow_chain("text_output", n)
    call = flow_call(wf, n)

    async def runs() -> None:
        await call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(3):
            await call()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats("flow_nb", 25)
        stats.sort_stats("tottime").print_stats(25)

    buffer = io.StringIO()
    asyncio.run(runs())
    return buffer.getvalue()


def main() -> None:
    """Parse the options, run the benchmark, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200, help="chain length and fan-out width (200)")
    parser.add_argument("--repeat", type=int, default=9, help="timed repetitions per measurement (9)")
    parser.add_argument("--latency", type=float, default=0.05, help="fake server latency in seconds (0.05)")
    parser.add_argument("--profile", action="store_true", help="also profile a text_output chain run")
    args = parser.parse_args()
    began = time.perf_counter()
    result = asyncio.run(bench(args.nodes, args.repeat, args.latency))
    result["bench_seconds"] = round(time.perf_counter() - began, 1)
    print(table(result))
    print(f"\n(total benchmark time {result['bench_seconds']} s)")
    if args.profile:
        print("\n" + profile_chain(args.nodes))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
