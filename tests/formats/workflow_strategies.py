"""Hypothesis strategies for whole workflows: every node type, its config, general attributes, secrets,
templates with flow_nb variables, and relations on every condition a node can meet."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import flow_nb as fn

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).filter(
    lambda t: "{" not in t and "}" not in t
)
names = st.from_regex(r"[A-Za-z][A-Za-z0-9 _]{0,15}", fullmatch=True)
variable_names = st.from_regex(r"[a-z_]{1,8}", fullmatch=True)
templates = st.sampled_from(
    [
        "{{ result }}",
        "Dear {{ workflow.company }}, {{ result | upper }}",
        "{% for item in result %}- {{ item }}\n{% endfor %}",
        "{{ result.ticket }} is {{ result.status }}",
        "Ticket {{ inputs.ticket }} / {{ workflow.run.tone }}",
        "{{ '{{' }} literal braces {{ '}}' }}",
    ]
)
MAIN: dict[str, Any] = {
    "answer": st.one_of(texts, templates),
    "assistant": st.one_of(texts.filter(str.strip), templates),
    "boolean": texts.filter(str.strip),
    "generate": texts,
    "vision": texts,
    "text_input": texts,
    "text_output": st.one_of(texts, templates),
    "feedback": st.one_of(texts, templates),
    "http_output": st.sampled_from(["http://127.0.0.1:9/hook", "https://example.com/{{ workflow.company }}"]),
    "code": st.sampled_from(
        ["result = input", "return {'n': len(input)}", "return [1, 2]", "return 'ok: ' + str(input)"]
    ),
    "data_search": st.just("docs"),
}


@st.composite
def configs(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """Config beyond the main text, drawn for ``kind``."""
    extra: dict[str, Any] = {}
    if kind in ("answer", "assistant", "boolean", "classification", "generate", "vision"):
        extra["temperature"] = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.2, 1.5])))
        extra["model"] = draw(st.one_of(st.none(), st.just("gpt-4o")))
    if kind == "answer":
        extra["cannot_answer"] = draw(st.booleans())
        extra["data_source"] = draw(st.one_of(st.none(), st.just("policies")))
    if kind == "boolean":
        extra["undecided"] = draw(st.booleans())
    if kind == "classification":
        labels = draw(
            st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), min_size=1, max_size=4, unique=True)
        )
        contexts = draw(
            st.lists(
                st.one_of(st.none(), texts.filter(str.strip)), min_size=len(labels), max_size=len(labels)
            )
        )
        extra["labels"] = [
            {"label": label, "context": c and c.replace(":", " ").strip()}
            for label, c in zip(labels, contexts, strict=True)
        ]
        extra["multiple_answers"] = draw(st.booleans())
        extra["unclassified"] = draw(st.booleans())
    if kind == "generate":
        extra["n_items"] = draw(st.integers(1, 9))
    if kind == "http_output":
        secret = draw(st.booleans())
        extra["headers"] = {"X-Trace": "flow", **({"X-Token": "${env:HOOK_TOKEN}"} if secret else {})}
        extra["secret_headers"] = ["X-Token"] if secret else []
        extra["timeout"] = draw(st.sampled_from([5.0, 30.0, 2.5]))
    if kind == "data_search":
        extra["top_k"] = draw(st.integers(1, 10))
    if kind == "text_input":
        extra["input_placeholder"] = draw(st.one_of(st.none(), texts))
    return extra


@st.composite
def workflows(draw: st.DrawFn, *, kinds: tuple[str, ...] = (*MAIN, "classification")) -> fn.Workflow:
    """A workflow of 1–8 nodes of ``kinds`` with 0–10 relations."""
    wf = fn.Workflow(
        draw(names),
        description=draw(texts),
        variables={
            "company": "ACME",
            **draw(
                st.dictionaries(
                    variable_names, st.one_of(texts, st.integers(), st.booleans(), st.none()), max_size=3
                )
            ),
        },
    )
    for name in draw(st.lists(names, min_size=1, max_size=8, unique_by=fn.model.key_of)):
        kind = draw(st.sampled_from(kinds))
        text = None if kind == "classification" else draw(MAIN[kind])
        position = draw(st.one_of(st.none(), st.tuples(st.integers(-500, 500), st.integers(-500, 500))))
        wf.node(
            name,
            kind,
            text,
            start=draw(st.booleans()),
            position=position,
            description=draw(st.one_of(st.just(""), texts)),
            auto_continue=draw(st.one_of(st.none(), st.booleans())),
            display_result=draw(st.one_of(st.none(), st.booleans())),
            pass_input_as_result=draw(st.one_of(st.none(), st.booleans())),
            **draw(configs(kind)),
        )
    for _ in range(draw(st.integers(0, 10))):
        source, target = draw(st.sampled_from(wf.nodes)), draw(st.sampled_from(wf.nodes))
        condition = draw(st.sampled_from(source.conditions()))
        wf.connect(source.id, condition, target.id)
    return wf


# The first template with a filter imports a module that reseeds `random`; do it now, not inside a
# strategy (Hypothesis refuses strategies that touch the global random state).
fn.Workflow("warm-up").node("warm", "feedback", "{{ result | upper }}")
