"""Workflows whose Python layout the TypeScript layout must reproduce.

``labextension/tests/fixtures/layout.json`` holds, for each case, the workflow export and what
``flow_nb/notebook/layout.py`` makes of it (node corners, arrow paths and labels). The TypeScript unit
tests check their layout against it; ``test_labextension_unit.py`` checks it still is what Python makes.
Regenerate with ``python tests/labextension/layout_cases.py`` (new ids each time; the tests don't mind).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import flow_nb as fn
from flow_nb.model import Workflow
from flow_nb.notebook.layout import layout, svg

FIXTURE = Path(__file__).parent.parent.parent / "labextension" / "tests" / "fixtures" / "layout.json"


def cases() -> dict[str, fn.Workflow]:
    """The workflows: a branch, a diamond, a cycle, a self-loop, a stray node, a moved node, parallel
    relations between one pair, a classification with labels."""
    support = fn.Workflow("support")
    support.node("ask", "text_input", "How can I help you today?", start=True)
    support.node("money", "boolean", "Is the input related to money?", after="ask")
    support.node("refuse", "feedback", "Sorry, we do not answer money questions.", after="money:true")
    support.node("forward", "feedback", "I will forward your message.", after="money:false")

    diamond = fn.Workflow("diamond")
    diamond.node("start", "text_input", "Hi", start=True)
    diamond.node("left", "generate", "ideas", after="start")
    diamond.node("right", "assistant", "rewrite", after="start")
    diamond.node("join", "text_output", "{{result}}", after=["left", "right"])
    diamond.node("hook", "http_output", "http://127.0.0.1:9/hook", after="join")
    diamond.node("count", "code", "return 1", after="hook")

    cycle = fn.Workflow("cycle")
    cycle.node("ask", "text_input", "Question?", start=True)
    cycle.node("check", "boolean", "Is it clear?", after="ask")
    cycle.node("clarify", "assistant", "Ask a clarifying question", after="check:false")
    cycle.connect("clarify", None, "check")
    cycle.node("done", "feedback", "Thanks", after="check:true")
    cycle.connect("check", "undecided", "check")
    cycle.node("stray", "data_search", "policies")

    parallel = fn.Workflow("parallel")
    parallel.node("in", "text_input", "Say something", start=True)
    parallel.node("judge", "boolean", "Is it rude?", after="in")
    parallel.node("out", "feedback", "{{result}}", after=["judge:true", "judge:false"])
    parallel.node("topic", "classification", "billing: money\nshipping: parcels", after="judge:undecided")
    parallel.connect("topic", "label:billing", "out")
    parallel.move("out", 700, 300)
    parallel.node("look", "vision", "what is it?", after="topic:none")
    return {"support": support, "diamond": diamond, "cycle": cycle, "parallel": parallel}


def expected(workflow: Workflow) -> dict[str, Any]:
    """What the Python layout makes of ``workflow``: corners by node id, arrows as numbers and labels."""
    picture = svg(workflow)
    arrows = [
        {"numbers": [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path)], "label": label}
        for path, label in re.findall(
            r'<path d="([^"]+)" fill="none"[^>]*/><text [^>]*>([^<]*)</text>', picture
        )
    ]
    view_box = re.search(r'viewBox="([^"]+)"', picture)
    assert view_box is not None
    return {
        "positions": {node_id: list(corner) for node_id, corner in layout(workflow).items()},
        "arrows": arrows,
        "view_box": [float(v) for v in view_box.group(1).split()],
    }


def main() -> None:
    """Write the fixture file."""
    out = {name: {"export": wf.export(), **expected(wf)} for name, wf in cases().items()}
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
