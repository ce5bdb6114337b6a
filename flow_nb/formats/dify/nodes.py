"""What each flow_nb node type becomes in Dify: one builder per type, in a registry.

| flow_nb | Dify | handles |
|---|---|---|
| text_input (the first start one) | start (variable ``input``, paragraph) | ``source`` |
| text_input (other) | template-transform passing its input on | ``source`` |
| boolean | question-classifier, classes ``true`` / ``false`` / ``undecided`` | the class ids |
| classification | question-classifier, a class per label (+ ``none`` when unclassified) | class ids |
| answer, assistant, generate, vision | llm (with a data source: knowledge-retrieval → llm) | ``source`` |
| text_output, feedback | template-transform (Jinja2) | ``source`` |
| http_output | http-request, POST JSON ``{"result": ...}`` | ``source`` / fail-branch |
| code | code (python3, wrapped in ``def main(...) -> dict``) | ``source`` / fail-branch |
| data_search | knowledge-retrieval | ``source`` |

The boolean is a question-classifier, not an LLM followed by an IF/ELSE on its text: one node instead of
two, the model's answer is constrained to the three classes by Dify's own classifier (an IF/ELSE that
tests ``text contains "true"`` misreads "not true"), and its output ``class_name`` is exactly flow_nb's
result ("true" / "false" / "undecided").
"""

from __future__ import annotations

import ast
import math
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...model import Node
from ..secrets import env_name, referenced
from .common import META, stable_uuid
from .templates import basic_to_dify, selector_ref

if TYPE_CHECKING:
    from .export import _Exporter

__all__ = ["BUILDERS", "KIND", "NONE_CLASS", "PROVIDER", "build", "value_type"]

PROVIDER = "langgenius/openai/openai"
"""Dify's OpenAI model provider plugin: flow_nb speaks the OpenAI chat API, so its models are OpenAI's."""
DEFAULT_MODEL = "gpt-4o-mini"
NONE_CLASS = "\x00none"

KIND = {
    "text_input": "template-transform",
    "boolean": "question-classifier",
    "classification": "question-classifier",
    "answer": "llm",
    "assistant": "llm",
    "generate": "llm",
    "vision": "llm",
    "text_output": "template-transform",
    "feedback": "template-transform",
    "http_output": "http-request",
    "code": "code",
    "data_search": "knowledge-retrieval",
}
"""The Dify node type each flow_nb type becomes (a type not listed: a template-transform placeholder)."""

Built = list[tuple[str, dict[str, Any]]]
Builder = Callable[["_Exporter", Node], Built]


def _base(exp: _Exporter, node: Node, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "title": node.name, "desc": node.description, "selected": False}
    if node.id in exp.fail_branch:
        data["error_strategy"] = "fail-branch"
    return data


def _model(exp: _Exporter, node: Node) -> dict[str, Any]:
    config = node.config.model_dump()
    name = config.get("model") or exp.wf.settings.model or DEFAULT_MODEL
    exp.note(None, f"AI nodes use Dify's model provider {PROVIDER}; install it in Dify or pick other models")
    params = {"temperature": config["temperature"]} if config.get("temperature") is not None else {}
    return {"provider": PROVIDER, "name": name, "mode": "chat", "completion_params": params}


def _llm(
    exp: _Exporter, node: Node, system: str, *, context: list[str] | None = None, vision: bool = False
) -> dict[str, Any]:
    data = _base(exp, node, "llm")
    data["model"] = _model(exp, node)
    system_message: dict[str, Any] = {"id": stable_uuid(node.id, "system"), "role": "system"}
    basic = basic_to_dify(system, exp.resolver(node))
    if basic is not None:
        if context:
            basic += "\n\n{{#context#}}"
        system_message.update(text=basic, edition_type="basic")
    else:  # Jinja2 stays Jinja2: Dify renders a message in its Jinja2 edition over declared variables
        template, variables = exp.jinja(node, system)
        system_message.update(text=template, jinja2_text=template, edition_type="jinja2")
        data["prompt_config"] = {"jinja2_variables": variables}
        if context:
            exp.note(node, "its data source results reach a Jinja2 prompt; add {{#context#}} in Dify")
    user = {
        "id": stable_uuid(node.id, "user"),
        "role": "user",
        "text": selector_ref(exp.input_of(node)),
        "edition_type": "basic",
    }
    data["prompt_template"] = [system_message, user]
    data["context"] = {"enabled": bool(context), "variable_selector": context or []}
    data["vision"] = {"enabled": vision}
    if vision:
        data["vision"]["configs"] = {"variable_selector": ["sys", "files"], "detail": "high"}
    return data


def _answer(exp: _Exporter, node: Node) -> Built:
    config = node.config.model_dump()
    system = "Answer the user's question clearly and briefly."
    if config.get("context"):
        system += f"\n\nContext:\n{config['context']}"
    if config.get("cannot_answer"):
        system += (
            "\n\nIf you cannot give a clear answer, or the question is nonsense or a trick, "
            "reply with exactly: Unknown"
        )
    if config.get("agent") or config.get("tools"):
        exp.note(node, "its agent and tools have no place on a Dify LLM node (use a Dify Agent node)")
    if not config.get("data_source"):
        return [(exp.ids[node.id], _llm(exp, node, system))]
    search_id = exp.ids[node.id] + "_search"
    exp.taken.add(search_id)
    exp.entry[node.id] = search_id
    search = _retrieval(exp, node, config["data_source"], 3, exp.input_of(node))
    search[META] = {"part_of": node.id}
    llm = _llm(exp, node, system, context=[search_id, "result"])
    return [(search_id, search), (exp.ids[node.id], llm)]


def _assistant(exp: _Exporter, node: Node) -> Built:
    return [(exp.ids[node.id], _llm(exp, node, node.config.model_dump()["command"]))]


def _generate(exp: _Exporter, node: Node) -> Built:
    config = node.config.model_dump()
    system = (config.get("instructions") or "Generate items for the user's text.") + (
        f"\nGenerate exactly {config['n_items']} items, one per line."
    )
    exp.note(
        node, "Dify's LLM returns text, not a list: the items come one per line, and no_items never fires"
    )
    return [(exp.ids[node.id], _llm(exp, node, system))]


def _vision(exp: _Exporter, node: Node) -> Built:
    question = node.config.model_dump().get("question") or "Write a short caption for this image."
    exp.note(node, "Dify's LLM sees images given as files (sys.files), not an image URL in its input text")
    return [(exp.ids[node.id], _llm(exp, node, question, vision=True))]


def _classes(exp: _Exporter, node: Node, names: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    exp.class_ids[node.id] = {key: class_id for key, class_id, _ in names}
    return [{"id": class_id, "name": name} for _, class_id, name in names]


def _classifier(
    exp: _Exporter, node: Node, classes: list[dict[str, str]], instruction: str
) -> dict[str, Any]:
    data = _base(exp, node, "question-classifier")
    data.update(
        query_variable_selector=list(exp.input_of(node)),
        model=_model(exp, node),
        classes=classes,
        instruction=exp.text(node, instruction, "its instruction"),
        vision={"enabled": False},
    )
    return data


def _boolean(exp: _Exporter, node: Node) -> Built:
    config = node.config.model_dump()
    answers = ["true", "false", *(["undecided"] if config["undecided"] else [])]
    classes = _classes(exp, node, [(a, a, a) for a in answers])
    return [(exp.ids[node.id], _classifier(exp, node, classes, config["criteria"]))]


def _classification(exp: _Exporter, node: Node) -> Built:
    config = node.config.model_dump()
    names = [(item["label"], str(i + 1), item["label"]) for i, item in enumerate(config["labels"])]
    if config["unclassified"]:
        names.append((NONE_CLASS, "none", "none of these"))
    if config["multiple_answers"]:
        exp.note(node, "multiple_answers: Dify's classifier picks one class, so one label fires at a time")
    lines = [f"{item['label']}: {item['context']}" for item in config["labels"] if item.get("context")]
    classes = _classes(exp, node, names)
    return [(exp.ids[node.id], _classifier(exp, node, classes, "\n".join(lines)))]


def _template(exp: _Exporter, node: Node) -> Built:
    text = node.config.model_dump().get("text_display")
    if node.type == "text_input":
        text = "{{ result }}"
        if not node.start_node:
            exp.note(node, "a Text - Input mid-run asks a person; Dify cannot, so it passes its input on")
        else:
            exp.note(
                node, "Dify has one Start: this Text - Input also gets the run's input, its text is not shown"
            )
    elif node.type not in KIND:
        text = "{{ result }}"
        exp.note(
            node,
            f"flow_nb type {node.type!r} has no Dify node; it passes its input on (kept in data.flow_nb)",
        )
    template, variables = exp.jinja(node, "{{ result }}" if text is None else text)
    data = _base(exp, node, "template-transform")
    data.update(template=template, variables=variables)
    return [(exp.ids[node.id], data)]


def _http(exp: _Exporter, node: Node) -> Built:
    config = node.config.model_dump()
    secret = {name.lower() for name in config["secret_headers"]}
    lines = []
    for name, value in config["headers"].items():
        if name.lower() in secret:
            value = exp.secret(node, name, referenced(value) or env_name(node.key, name))
        else:
            value = exp.text(node, value, f"header {name}")
        if "\n" in value or ":" in name:
            exp.note(node, f"header {name!r} does not fit Dify's one-header-a-line text")
        lines.append(f"{name}:{value}")
    source = exp.input_of(node)
    quoted = _result_type(exp, source[0]) == "string"
    value = ('"' + selector_ref(source) + '"') if quoted else selector_ref(source)
    if quoted:
        exp.note(node, "Dify puts the text into the JSON body as it is: a text with quotes breaks the body")
    data = _base(exp, node, "http-request")
    seconds = max(1, math.ceil(config["timeout"]))
    data.update(
        method="post",
        url=exp.text(node, config["endpoint"], "its endpoint"),
        authorization={"type": "no-auth", "config": None},
        headers="\n".join(lines),
        params="",
        body={"type": "json", "data": [{"key": "", "type": "text", "value": '{"result": ' + value + "}"}]},
        timeout={"connect": seconds, "read": seconds, "write": seconds},
    )
    return [(exp.ids[node.id], data)]


def _result_type(exp: _Exporter, dify_id: str) -> str:
    for node in exp.wf.nodes:
        if exp.ids[node.id] == dify_id:
            return value_type(exp, node)
    return "string"


def _code(exp: _Exporter, node: Node) -> Built:
    code = node.config.model_dump()["code"]
    args = {"input": list(exp.input_of(node))}
    workflow_vars = [name for name in exp.wf.variables if name.isidentifier()]
    if "variables" in code:
        args.update({f"workflow_{name}": ["env", name] for name in workflow_vars})
    variables = ", ".join(f"{name!r}: workflow_{name}" for name in workflow_vars if "variables" in code)
    source = (
        f"def main({', '.join(args)}) -> dict:\n"
        f"    variables = {{'workflow': {{{variables}}}, 'run': {{}}, 'node': {node.key!r}}}\n\n"
        f"    def flow_nb_code(input, result, variables):\n"
        f"{textwrap.indent(code, ' ' * 8)}\n"
        f"        return result\n\n"
        f"    return {{'result': flow_nb_code(input, input, variables)}}\n"
    )
    kind, sure = code_output_type(code)
    if not sure:
        exp.note(node, f"Dify needs the type of what the code returns; could not tell, so declared {kind}")
    data = _base(exp, node, "code")
    data.update(
        code_language="python3",
        code=source,
        variables=[{"variable": name, "value_selector": selector} for name, selector in args.items()],
        outputs={"result": {"type": kind, "children": None}},
    )
    return [(exp.ids[node.id], data)]


def code_output_type(code: str) -> tuple[str, bool]:
    """The Dify output type of what a flow_nb code body returns, and whether that is certain."""
    try:
        tree = ast.parse(f"def f(input, result, variables):\n{textwrap.indent(code, '    ')}\n")
    except SyntaxError:
        return "object", False
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    returned: list[ast.expr | None] = [n.value for n in _own_nodes(function) if isinstance(n, ast.Return)]
    if not returned:
        assigned: list[ast.expr | None] = [
            n.value for n in _own_nodes(function) if isinstance(n, ast.Assign) and _assigns_result(n)
        ]
        returned = assigned[-1:] if assigned else [ast.Name("input")]
    kinds = {_kind(value) for value in returned}
    if len(kinds) == 1 and None not in kinds:
        kind = kinds.pop()
        assert kind is not None
        return kind, True
    return "object", False


def _own_nodes(function: ast.FunctionDef) -> list[ast.AST]:
    found: list[ast.AST] = []
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return found


def _assigns_result(node: ast.Assign) -> bool:
    return any(isinstance(t, ast.Name) and t.id == "result" for t in node.targets)


def _kind(value: ast.expr | None) -> str | None:
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "object"
    if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return "string"
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return "boolean"
    if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)):
        return "number"
    if isinstance(value, (ast.Compare, ast.BoolOp)) or (
        isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)
    ):
        return "boolean"
    if isinstance(value, (ast.List, ast.ListComp)):
        items = {_kind(e) for e in value.elts} if isinstance(value, ast.List) else {_kind(value.elt)}
        item = items.pop() if len(items) == 1 else "object"
        return f"array[{item}]" if item in ("string", "number", "object", "boolean") else "array[object]"
    if isinstance(value, ast.Name) and value.id == "input":
        return "string"
    return None


def _retrieval(exp: _Exporter, node: Node, source: str, top_k: int, query: tuple[str, ...]) -> dict[str, Any]:
    exp.note(
        node, f"bind Dify knowledge to data source {source!r} by hand (dataset ids belong to a workspace)"
    )
    data = _base(exp, node, "knowledge-retrieval")
    data.pop("error_strategy", None)
    data.update(
        query_variable_selector=list(query),
        dataset_ids=[],
        retrieval_mode="multiple",
        multiple_retrieval_config={"top_k": top_k, "reranking_enable": False},
    )
    return data


def _data_search(exp: _Exporter, node: Node) -> Built:
    config = node.config.model_dump()
    data = _retrieval(exp, node, config["data_source"], config["top_k"], exp.input_of(node))
    return [(exp.ids[node.id], data)]


BUILDERS: dict[str, Builder] = {
    "answer": _answer,
    "assistant": _assistant,
    "generate": _generate,
    "vision": _vision,
    "boolean": _boolean,
    "classification": _classification,
    "text_input": _template,
    "text_output": _template,
    "feedback": _template,
    "http_output": _http,
    "code": _code,
    "data_search": _data_search,
}


def build(exp: _Exporter, node: Node) -> Built:
    """The Dify node(s) for ``node``: ``(id, data)`` pairs, the node's own id last."""
    return BUILDERS.get(node.type, _template)(exp, node)


def value_type(exp: _Exporter, node: Node) -> str:
    """The type of ``node``'s result variable in Dify (for the End node's outputs)."""
    kind = exp.kind[node.id]
    if kind == "code":
        return code_output_type(node.config.model_dump()["code"])[0]
    if kind == "knowledge-retrieval":
        return "array[object]"
    return "string"
