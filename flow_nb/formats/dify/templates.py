"""Variables in texts, both ways: flow_nb's Jinja2 (``{{ result }}``, ``{{ workflow.x }}``,
``{{ node.k.run.result }}``) and Dify's references (``{{#node_id.var#}}`` in plain text, declared names in
Jinja2 templates).

Only the variable paths are rewritten; every other character of a text is kept. Paths are found inside
Jinja2's ``{{ }}`` / ``{% %}`` regions, outside string literals, raw blocks and comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "Resolved",
    "basic_from_dify",
    "basic_to_dify",
    "has_jinja",
    "jinja_from_dify",
    "jinja_to_dify",
    "selector_ref",
]

Selector = list[str]

_REGION = re.compile(
    r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}|\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}",
    re.S,
)
_TOKEN = re.compile(
    r"""(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"|(?P<path>(?<![\w.])[A-Za-z_]\w*(?:\s*\.\s*(?:[A-Za-z_]\w*|\d+))*)"
)
_SIMPLE = re.compile(r"\{\{-?\s*([A-Za-z_]\w*(?:\s*\.\s*(?:[A-Za-z_]\w*|\d+))*)\s*-?\}\}")
_DIFY_REF = re.compile(r"\{\{#([A-Za-z0-9_]+(?:\.[^#{}\s]+)+)#\}\}")
_MARKERS = ("{{", "{%", "{#")


@dataclass(frozen=True)
class Resolved:
    """What a flow_nb variable path stands for in Dify: a variable (``selector``) or a fixed text."""

    consumed: int
    """How many parts of the path this covers (``workflow.x`` is 2; the rest stays attribute access)."""
    selector: tuple[str, ...] | None = None
    literal: str | None = None


Resolver = Callable[[list[str]], Resolved | None]


def has_jinja(text: str) -> bool:
    """Whether ``text`` has any Jinja2 syntax."""
    return any(marker in text for marker in _MARKERS)


def selector_ref(selector: Sequence[str]) -> str:
    """Dify's reference to a variable in plain text: ``{{#node_id.var#}}``."""
    return "{{#" + ".".join(selector) + "#}}"


def _parts(path: str) -> list[str]:
    return [part.strip() for part in path.split(".")]


def _rewrite_regions(text: str, rewrite: Callable[[list[str]], str | None]) -> str:
    """``text`` with each variable path inside a Jinja2 region replaced by ``rewrite(parts)`` (None: kept)."""

    def in_region(region: re.Match[str]) -> str:
        body = region.group(0)
        if body.startswith("{#") or re.match(r"\{%-?\s*raw", body):
            return body

        def token(match: re.Match[str]) -> str:
            if match.group("path") is None:
                return match.group(0)
            new = rewrite(_parts(match.group("path")))
            return match.group(0) if new is None else new

        return _TOKEN.sub(token, body)

    return _REGION.sub(in_region, text)


def _variable_name(selector: Sequence[str], taken: dict[str, tuple[str, ...]]) -> str:
    base = re.sub(r"\W+", "_", "_".join(selector[-2:])).strip("_") or "value"
    if base[0].isdigit():
        base = "v_" + base
    name, n = base, 2
    while name in taken and taken[name] != tuple(selector):
        name, n = f"{base}_{n}", n + 1
    return name


def jinja_to_dify(text: str, resolve: Resolver) -> tuple[str, dict[str, list[str]]]:
    """A flow_nb Jinja2 text as a Dify Jinja2 template and its declared variables (name → selector).

    ``{{ result.ticket }}`` becomes ``{{ result.ticket }}`` with ``result`` declared; ``{{ workflow.x }}``
    becomes ``{{ x }}`` declared as ``["env", "x"]``; a path ``resolve`` turns into a fixed text becomes
    a string literal.
    """
    declared: dict[str, tuple[str, ...]] = {}

    def rewrite(parts: list[str]) -> str | None:
        found = resolve(parts)
        if found is None:
            return None
        rest = "".join("." + part for part in parts[found.consumed :])
        if found.literal is not None:
            return _string_literal(found.literal) + rest
        assert found.selector is not None
        name = "result" if parts[0] == "result" else _variable_name(found.selector, declared)
        declared[name] = found.selector
        return name + rest

    new = _rewrite_regions(text, rewrite)
    return new, {name: list(selector) for name, selector in declared.items()}


def _string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def basic_to_dify(text: str, resolve: Resolver) -> str | None:
    """A flow_nb text in Dify's plain-text form (``{{#node.var#}}``), or None when it has Jinja2 that plain
    text cannot say (filters, blocks, paths ``resolve`` does not know)."""
    if not has_jinja(text):
        return text
    out: list[str] = []
    last = 0
    for match in _SIMPLE.finditer(text):
        literal = text[last : match.start()]
        if has_jinja(literal):
            return None
        out.append(literal)
        parts = _parts(match.group(1))
        found = resolve(parts)
        if found is None:
            return None
        if found.literal is not None:
            if found.consumed < len(parts):
                return None
            out.append(found.literal)
        else:
            assert found.selector is not None
            out.append(selector_ref([*found.selector, *parts[found.consumed :]]))
        last = match.end()
    tail = text[last:]
    if has_jinja(tail):
        return None
    out.append(tail)
    return "".join(out)


def basic_from_dify(text: str, to_path: Callable[[list[str]], str]) -> str:
    """A Dify plain text as a flow_nb Jinja2 text: references become ``{{ path }}``; any other ``{{``,
    ``{%`` or ``{#`` is kept literally inside ``{% raw %}``."""
    out: list[str] = []
    last = 0
    for match in _DIFY_REF.finditer(text):
        out.append(_literal(text[last : match.start()]))
        out.append("{{ " + to_path(match.group(1).split(".")) + " }}")
        last = match.end()
    out.append(_literal(text[last:]))
    return "".join(out)


def _literal(text: str) -> str:
    if not has_jinja(text) and not text.endswith("{"):
        return text
    return (
        "{% raw %}"
        + text.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}")
        + "{% endraw %}"
    )


def jinja_from_dify(
    template: str, variables: dict[str, Selector], to_path: Callable[[list[str]], str]
) -> str:
    """A Dify Jinja2 template over declared variables as a flow_nb template over flow_nb paths."""

    def rewrite(parts: list[str]) -> str | None:
        if parts[0] not in variables:
            return None
        return to_path(list(variables[parts[0]])) + "".join("." + part for part in parts[1:])

    return _rewrite_regions(template, rewrite)
