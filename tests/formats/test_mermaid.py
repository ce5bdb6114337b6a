"""Mermaid export: a flowchart with conditions as edge labels, safe whatever the names say."""

from __future__ import annotations

import re

import flow_nb as fn
from flow_nb.formats import mermaid


def support() -> fn.Workflow:
    wf = fn.Workflow("support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry.", after="money:true")
    wf.node("forward", "feedback", "Forwarded.", after=["money:false", "money:undecided"])
    wf.node("topic", "classification", labels=["billing", "shipping"], after="forward")
    wf.node("hook", "http_output", "http://127.0.0.1:9/hook", after="topic:label:billing")
    wf.connect("hook", "error", "refuse")
    return wf


def test_structure_nodes_start_conditions_and_families() -> None:
    text = mermaid.export(support())
    assert text.splitlines()[:4] == ["---", 'title: "support"', "---", "flowchart LR"]
    assert '    n0(["▶ ask<br/><i>text_input</i>"])' in text  # the start node: stadium shape and ▶
    assert '    n1["money<br/><i>boolean</i>"]' in text
    assert "    n0 --> n1" in text  # ask's ordinary success (text_received) needs no label
    assert '    n1 -->|"true"| n2' in text
    assert '    n1 -->|"false"| n3' in text and '    n1 -->|"undecided"| n3' in text
    assert '    n4 -->|"label:billing"| n5' in text
    assert '    n5 -.->|"error"| n2' in text  # failures are dotted
    assert "    classDef ai fill:#efe7fb,stroke:#6f42c1,color:#2d1a4f" in text
    assert "    class n1,n4 ai" in text and "    class n0,n2,n3 text" in text and "    class n5 http" in text
    assert mermaid.fenced(support()) == f"```mermaid\n{text}```\n"


def test_names_and_labels_cannot_break_the_diagram() -> None:
    wf = fn.Workflow('evil "name"\nwith: yaml')
    nasty = 'a "quote" |pipe| [b] {c} <script>#x;`tick`; &amp;'
    wf.node(nasty, "text_input", start=True)
    wf.node("topic", "classification", labels=['say "hi" | <b>'], after=nasty)
    wf.node("end", "feedback", "x", after='topic:label:say "hi" | <b>')
    text = mermaid.export(wf)
    assert text.splitlines()[1] == 'title: "evil \\"name\\" with: yaml"'
    node_line = text.splitlines()[4]
    assert node_line == (
        '    n0(["▶ a #quot;quote#quot; #124;pipe#124; #91;b#93; #123;c#125; #lt;script#gt;#35;x#59;'
        '#96;tick#96;#59; #amp;amp#59;<br/><i>text_input</i>"])'
    )
    assert '    n1 -->|"label:say #quot;hi#quot; #124; #lt;b#gt;"| n2' in text
    for line in text.splitlines()[4:]:
        for label in re.findall(r'"([^"]*)"', line):
            bare = label.replace("<br/>", "").replace("<i>", "").replace("</i>", "")
            assert not set(bare) & set("<>|[]{}`"), label  # only Mermaid's #code; entities remain
        assert line.count('"') % 2 == 0


def test_export_format_mermaid_and_every_node_type() -> None:
    wf = fn.Workflow("all")
    for i, kind in enumerate(
        ["answer", "assistant", "generate", "vision", "text_output", "feedback", "code", "data_search"]
    ):
        text = {"code": "return input", "data_search": "docs", "assistant": "do it"}.get(kind, "x")
        wf.node(f"n{i}", kind, text, start=i == 0)
    out = wf.export("mermaid")
    assert isinstance(out, str) and out.count("<br/><i>") == 8
    assert {"classDef ai", "classDef text", "classDef code", "classDef data"} <= {
        " ".join(line.split()[:2]) for line in out.splitlines()
    }
