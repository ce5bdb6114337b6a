"""The kernel side of the notebook: which model answers, running inline with the live view, notes.

With no model endpoint configured (``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` unset and no
``flow_nb.llm.configure``), AI nodes run on ``flow_nb.testing``'s scripted demo model, started on
127.0.0.1 the first time it is needed, and every view says so.
"""

from __future__ import annotations

import threading
from typing import Any

from IPython.display import display

from .. import registry
from ..engine import RunRecord
from ..engine.loop import submit
from ..llm import OpenAIChat, default_chat
from ..model import Node
from ..testing.demo import DEMO_LABEL, demo_reply
from ..testing.server import FakeLLM
from ..workflow import Workflow
from .run_view import RunView

__all__ = ["chat_model", "model_label", "note", "run_inline", "test_node"]

_lock = threading.Lock()
_demo: FakeLLM | None = None
_demo_chat: OpenAIChat | None = None
last_view: RunView | None = None
"""The run view of the latest ``%flow run`` (to inspect it, or answer its requests from code)."""


def chat_model() -> OpenAIChat:
    """The configured model, or the scripted demo model when none is configured."""
    global _demo, _demo_chat
    configured = default_chat()
    if configured is not None:
        return configured
    with _lock:
        if _demo_chat is None:
            # a little token pacing, so streaming shows the way it does with a real model
            _demo = FakeLLM(default_reply=demo_reply, model="scripted-demo", token_delay=0.03).start()
            _demo_chat = OpenAIChat(base_url=_demo.base_url, api_key="demo", model="scripted-demo")
        return _demo_chat


def model_label() -> str:
    """What answers the AI nodes, as a person should read it."""
    configured = default_chat()
    if configured is None:
        return DEMO_LABEL
    return f"{configured.model} at {configured.base_url or 'api.openai.com'}"


def note(text: str) -> None:
    """A one-line confirmation under a cell."""
    print(f"✓ {text}")


def run_inline(
    wf: Workflow,
    inputs: Any,
    *,
    variables: dict[str, Any] | None = None,
    start_at: str | None = None,
    view: bool = True,
) -> RunRecord | None:
    """Run with the live view; return the record when the run ends. When it waits for a person, return
    None at once (the view takes the answer and the run goes on in the background; its record is
    ``registry.runs()[-1]``, live). A kernel interrupt stops the run."""
    run = wf.new_run(inputs, variables=variables, node_start_id=start_at, llm=chat_model())

    async def begin() -> None:
        run.start()

    submit(begin()).result()
    global last_view
    if view:
        widget = last_view = RunView(run, model_label=model_label())
        widget.follow()
        display(widget)
    try:
        record = run.join(until_waiting=True)
    except KeyboardInterrupt:
        run.cancel()
        record = run.join()
    registry.record_run(record)
    if record.status == "WAITING":
        nodes = ", ".join(sorted({r.node_key for r in record.waiting}))
        print(f"the run waits for {nodes}: answer in the run view; fn.registry.runs()[-1] is its record")
        return None
    return record


def test_node(wf: Workflow, node: Node, sample: str) -> RunRecord:
    """Run just ``node`` on ``sample`` (no relations, no pauses) and say what it produced."""
    alone = Workflow(name=f"{wf.name}:{node.key}", variables=dict(wf.variables), settings=wf.settings)
    alone.nodes = [node.model_copy(update={"start_node": True, "auto_continue": True})]
    record = alone.run(sample, llm=chat_model(), check=False)
    run = record.nodes[node.key].runs[0]
    met = ", ".join(c.system_name for c in run.conditions.met) or "no condition"
    print(f"test {node.key}: {met} → {run.result!r}" + ("" if run.message == "OK" else f"  ({run.message})"))
    return record
