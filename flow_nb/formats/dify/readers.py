"""Each Dify node type read back as a flow_nb node (its type key and config), one reader per type."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import FormatError
from ...model import get_type
from ..secrets import reference
from .graph import Graph, label_names
from .templates import basic_from_dify, jinja_from_dify

if TYPE_CHECKING:
    from .importer import _Importer

__all__ = ["READERS", "read_node"]

Reader = Callable[[Graph, str, set[str], "_Importer"], tuple[str, dict[str, Any]]]


def read_node(graph: Graph, node_id: str, secrets: set[str], importer: _Importer) -> dict[str, Any]:
    """The flow_nb node (as a dict for ``Node``) that a Dify node reads as."""
    data = graph.nodes[node_id]["data"]
    type_key, config = READERS[data["type"]](graph, node_id, secrets, importer)
    node: dict[str, Any] = {
        "id": graph.fb_id[node_id],
        "name": graph.names[node_id],
        "description": str(data.get("desc") or ""),
        "type": type_key,
        "config": config,
    }
    if node_id in graph.shown and not get_type(type_key).display_result:
        node["display_result"] = True
    if data["type"] in ("question-classifier", "if-else"):
        node["pass_input_as_result"] = True  # Dify's branch nodes leave the data as it was
    return node


def _start(graph: Graph, node_id: str, secrets: set[str], importer: _Importer) -> tuple[str, dict[str, Any]]:
    variables = [v for v in graph.nodes[node_id]["data"].get("variables") or [] if isinstance(v, dict)]
    graph.started.add(graph.fb_id[node_id])
    if len(variables) > 1:
        extra = ", ".join(f"inputs.{v.get('variable')}" for v in variables[1:])
        importer.note(graph.names[node_id], f"its other input variables are read as {extra}")
    first = variables[0] if variables else {}
    label = first.get("label")
    display = str(label) if label and label != first.get("variable") else None
    return "text_input", {"text_display": display}


def _message(graph: Graph, node_id: str, message: dict[str, Any], importer: _Importer) -> str:
    to_path = graph.path_reader(node_id, importer)
    data = graph.nodes[node_id]["data"]
    if message.get("edition_type") == "jinja2":
        declared = {
            str(v.get("variable")): [str(p) for p in v.get("value_selector") or []]
            for v in (data.get("prompt_config") or {}).get("jinja2_variables") or []
            if isinstance(v, dict)
        }
        return jinja_from_dify(str(message.get("jinja2_text") or ""), declared, to_path)
    text = str(message.get("text") or "")
    if "{{#context#}}" in text:
        importer.note(
            graph.names[node_id], "its {{#context#}} (knowledge results) has no flow_nb variable; left out"
        )
        text = text.replace("\n\n{{#context#}}", "").replace("{{#context#}}", "")
    return basic_from_dify(text, to_path)


def _llm(graph: Graph, node_id: str, secrets: set[str], importer: _Importer) -> tuple[str, dict[str, Any]]:
    data, name = graph.nodes[node_id]["data"], graph.names[node_id]
    messages = data.get("prompt_template") or []
    if isinstance(messages, dict):
        messages = [{"role": "user", **messages}]
    system = [_message(graph, node_id, m, importer) for m in messages if m.get("role") == "system"]
    others = [_message(graph, node_id, m, importer) for m in messages if m.get("role") != "system"]
    extra = [text for text in others if text.strip() not in ("{{ result }}", "")]
    if extra and system:
        importer.note(name, "flow_nb sends the node's input as the user message; the rest joins the command")
    command = "\n\n".join(part for part in [*system, *extra] if part.strip()) or name
    config: dict[str, Any] = _model(data)
    if (data.get("context") or {}).get("enabled"):
        importer.note(name, "its knowledge context is not kept (give the answer node a data_source)")
    if (data.get("vision") or {}).get("enabled"):
        return "vision", {**config, "question": command}
    return "assistant", {**config, "command": command}


def _model(data: dict[str, Any]) -> dict[str, Any]:
    model = data.get("model") or {}
    config: dict[str, Any] = {}
    if model.get("name"):
        config["model"] = str(model["name"])
    temperature = (model.get("completion_params") or {}).get("temperature")
    if isinstance(temperature, (int, float)) and 0 <= temperature <= 2:
        config["temperature"] = temperature
    return config


def _classifier(
    graph: Graph, node_id: str, secrets: set[str], importer: _Importer
) -> tuple[str, dict[str, Any]]:
    data, name = graph.nodes[node_id]["data"], graph.names[node_id]
    classes = [c for c in data.get("classes") or [] if isinstance(c, dict)]
    instruction = basic_from_dify(str(data.get("instruction") or ""), graph.path_reader(node_id, importer))
    if _selector(data.get("query_variable_selector")) not in (graph.input_selector(node_id), None):
        importer.note(name, "it classifies another variable than its input; flow_nb classifies its input")
    names = {str(c.get("name", "")).strip().lower() for c in classes}
    if names in ({"true", "false"}, {"true", "false", "undecided"}):
        config = {**_model(data), "criteria": instruction.strip() or name, "undecided": "undecided" in names}
        return "boolean", config
    labels = label_names(data)
    contexts: dict[str, str] = {}
    for line in instruction.splitlines():
        label, sep, context = line.partition(":")
        if sep and label.strip() in labels.values():
            contexts[label.strip()] = context.strip()
        elif line.strip():
            importer.note(name, f"instruction line {line.strip()[:60]!r} is not 'label: context'; not kept")
    config = {
        **_model(data),
        "labels": [{"label": label, "context": contexts.get(label)} for label in labels.values()],
        "unclassified": any(str(c.get("id")) == "none" for c in classes),
    }
    return "classification", config


def _if_else(
    graph: Graph, node_id: str, secrets: set[str], importer: _Importer
) -> tuple[str, dict[str, Any]]:
    data, name = graph.nodes[node_id]["data"], graph.names[node_id]
    to_path = graph.path_reader(node_id, importer)
    cases = [c for c in data.get("cases") or [] if isinstance(c, dict)]
    if not cases and data.get("conditions"):
        cases = [
            {
                "case_id": "true",
                "logical_operator": data.get("logical_operator"),
                "conditions": data["conditions"],
            }
        ]
    if not cases:
        raise FormatError(f"Dify IF/ELSE {name!r} (id {node_id}) has no cases", node=name)
    importer.note(name, "Dify's IF/ELSE tests its conditions exactly; flow_nb asks the model to judge them")
    described = [(str(case.get("case_id")), _describe(case, to_path)) for case in cases]
    if len(described) == 1:
        graph.handle_tables[node_id] = {described[0][0]: ["boolean_true"], "false": ["boolean_false"]}
        return "boolean", {"criteria": described[0][1], "undecided": False}
    labels = [f"case {i + 1}" for i in range(len(described))]
    table = {case_id: [f"label:{label}"] for (case_id, _), label in zip(described, labels, strict=True)}
    graph.handle_tables[node_id] = {**table, "false": ["labeled_none"]}
    return "classification", {
        "labels": [
            {"label": label, "context": text} for label, (_, text) in zip(labels, described, strict=True)
        ],
        "unclassified": True,
    }


def _describe(case: dict[str, Any], to_path: Callable[[list[str]], str]) -> str:
    parts = []
    for condition in case.get("conditions") or []:
        selector = _selector(condition.get("variable_selector")) or ["input"]
        value = condition.get("value")
        shown = "" if value in (None, "") else f" {json.dumps(value, ensure_ascii=False)}"
        parts.append(f"{{{{ {to_path(selector)} }}}} {condition.get('comparison_operator')}{shown}")
    return f" {case.get('logical_operator') or 'and'} ".join(parts) or "true"


def _template(
    graph: Graph, node_id: str, secrets: set[str], importer: _Importer
) -> tuple[str, dict[str, Any]]:
    data = graph.nodes[node_id]["data"]
    declared = {
        str(v.get("variable")): [str(p) for p in v.get("value_selector") or []]
        for v in data.get("variables") or []
        if isinstance(v, dict)
    }
    text = jinja_from_dify(str(data.get("template") or ""), declared, graph.path_reader(node_id, importer))
    return ("feedback" if node_id in graph.shown else "text_output"), {"text_display": text}


def _http(graph: Graph, node_id: str, secrets: set[str], importer: _Importer) -> tuple[str, dict[str, Any]]:
    data, name = graph.nodes[node_id]["data"], graph.names[node_id]
    to_path = graph.path_reader(node_id, importer)
    if str(data.get("method", "post")).lower() != "post":
        importer.note(name, f"flow_nb's HTTP Output always POSTs; Dify's {data.get('method')} becomes POST")
    body = data.get("body") or {}
    values = [str(item.get("value", "")) for item in body.get("data") or [] if isinstance(item, dict)]
    if body.get("type") != "json" or not values or not values[0].lstrip().startswith('{"result"'):
        importer.note(name, 'flow_nb POSTs {"result": <its input>}; the Dify request body is not kept')
    headers: dict[str, str] = {}
    secret_headers: list[str] = []

    def header(key: str, value: str) -> None:
        stripped = value.strip()
        env = (
            stripped[len("{{#env.") : -len("#}}")]
            if stripped.startswith("{{#env.") and stripped.endswith("#}}")
            else None
        )
        if env is not None and env in secrets:
            headers[key] = reference(env)
            secret_headers.append(key)
        else:
            headers[key] = basic_from_dify(value, to_path)

    for line in str(data.get("headers") or "").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            header(key.strip(), value.strip())
    auth = data.get("authorization") or {}
    if auth.get("type") == "api-key" and isinstance(auth.get("config"), dict):
        config = auth["config"]
        key_value = str(config.get("api_key", ""))
        kind = config.get("type")
        target = str(config.get("header") or "Authorization") if kind == "custom" else "Authorization"
        prefix = {"bearer": "Bearer ", "basic": "Basic "}.get(str(kind), "")
        header(target, key_value)
        if headers[target] and prefix:
            headers[target] = prefix + headers[target]
        if target not in secret_headers:
            secret_headers.append(target)
            importer.note(
                name, f"its API key is kept as secret header {target}; exports refer to the environment"
            )
    timeout = data.get("timeout") or {}
    seconds = next(
        (t for t in (timeout.get("read"), timeout.get("connect")) if isinstance(t, (int, float)) and t > 0),
        30,
    )
    config = {
        "endpoint": basic_from_dify(str(data.get("url") or ""), to_path),
        "headers": headers,
        "secret_headers": secret_headers,
        "timeout": float(seconds),
    }
    return "http_output", config


def _code(graph: Graph, node_id: str, secrets: set[str], importer: _Importer) -> tuple[str, dict[str, Any]]:
    data, name = graph.nodes[node_id]["data"], graph.names[node_id]
    if data.get("code_language") != "python3":
        raise FormatError(
            f"Dify code node {name!r} (id {node_id}) is {data.get('code_language')} code; "
            "flow_nb runs Python only",
            node=name,
            field="code_language",
        )
    mine = graph.input_selector(node_id)
    args = []
    for variable in data.get("variables") or []:
        selector = _selector(variable.get("value_selector"))
        if selector == mine:
            expression = "input"
        elif selector and selector[0] == "env" and len(selector) > 1:
            expression = f"variables['workflow'].get({selector[1]!r})"
        else:
            importer.note(
                name, f"its argument {variable.get('variable')} ({'.'.join(selector or [])}) gets None"
            )
            expression = "None"
        args.append(f"{variable.get('variable')}={expression}")
    code = str(data.get("code") or "").rstrip() + f"\n\nreturn main({', '.join(args)})\n"
    return "code", {"code": code}


def _retrieval(
    graph: Graph, node_id: str, secrets: set[str], importer: _Importer
) -> tuple[str, dict[str, Any]]:
    data, name = graph.nodes[node_id]["data"], graph.names[node_id]
    importer.note(name, "Dify knowledge bases are not carried; its data_source is named after the node")
    top_k = (data.get("multiple_retrieval_config") or {}).get("top_k")
    return "data_search", {
        "data_source": name,
        "top_k": top_k if isinstance(top_k, int) and 1 <= top_k <= 100 else 3,
    }


def _selector(value: Any) -> list[str] | None:
    return [str(part) for part in value] if isinstance(value, list) and value else None


READERS: dict[str, Reader] = {
    "start": _start,
    "llm": _llm,
    "question-classifier": _classifier,
    "if-else": _if_else,
    "template-transform": _template,
    "http-request": _http,
    "code": _code,
    "knowledge-retrieval": _retrieval,
}
