"""Tab completion inside ``%%flow`` cells and after ``%flow``: node names, types, conditions, options."""

from __future__ import annotations

from typing import Any

from IPython.core.completer import CompletionContext, SimpleCompletion, SimpleMatcherResult, context_matcher

from .. import registry
from ..errors import FlowError
from ..model import Workflow, all_types, get_type
from .cells import ALIASES, node_options

__all__ = ["completions", "install_completion"]

GENERAL = [
    "--workflow",
    "--start",
    "--after",
    "--test",
    "--description",
    "--position",
    "--auto-continue",
    "--no-auto-continue",
    "--display-result",
    "--no-display-result",
    "--pass-input",
    "--no-pass-input",
]
COMMANDS = [
    "run",
    "runs",
    "show",
    "graph",
    "export",
    "import",
    "list",
    "use",
    "rm",
    "vars",
    "batch",
    "chat",
    "help",
]


def _workflow(header: list[str]) -> Workflow | None:
    name = None
    for flag in ("--workflow", "-w"):
        if flag in header and header.index(flag) + 1 < len(header):
            name = header[header.index(flag) + 1]
    name = name or registry.current()
    try:
        return registry.get(name) if name else None
    except FlowError:
        return None


def _node_refs(wf: Workflow | None, word: str) -> list[str]:
    """Node keys, or ``key:condition`` once a ``:`` is typed."""
    if wf is None:
        return []
    source, colon, partial = word.partition(":")
    if not colon:
        return [n.key for n in wf.nodes if n.key.startswith(word)]
    if source not in wf:
        return []
    names = [c.aliases[0] if c.aliases else c.system_name for c in wf[source].conditions()]
    return [f"{source}:{n}" for n in names if n.startswith(partial)]


def completions(text: str, cursor_line: int, line: str) -> list[str]:
    """Completions for the word before the cursor (``line`` is the cursor's line up to the cursor)."""
    words = line.split()
    word = "" if line.endswith((" ", "\t")) or not words else words[-1]
    before = words[:-1] if word else words
    first = text.split("\n", 1)[0].split()
    if text.startswith("%%flow"):
        if cursor_line > 0:
            if len(first) > 1 and first[1] == "relations":
                return _node_refs(_workflow(first), word.lstrip(",").split(",")[-1])
            return []
        if before and before[-1] in ("--after", "-a"):
            return _node_refs(_workflow(first), word)
        if before and before[-1] in ("--workflow", "-w"):
            return [n for n in registry.names() if n.startswith(word)]
        if len(before) == 1:  # the node's name
            wf = _workflow(first)
            names = [n.key for n in wf.nodes] if wf else []
            return [n for n in [*names, "relations"] if n.startswith(word)]
        if len(before) == 2:
            return [t.key for t in all_types() if t.key.startswith(word)]
        if word.startswith("-") and len(first) > 2:
            try:
                node_type = get_type(first[2])
            except FlowError:
                return []
            flags = list(GENERAL)
            for name, kind in node_options(node_type).items():
                flag = "--" + name.replace("_", "-")
                flags += [flag, *ALIASES.get(name, [])] + ([f"--no-{flag[2:]}"] if kind == "bool" else [])
            return [f for f in flags if f.startswith(word)]
        return []
    if text.startswith("%flow"):
        if len(before) == 1:
            return [c for c in COMMANDS if c.startswith(word)]
        if len(before) >= 2 and before[1] in (
            "run",
            "show",
            "export",
            "use",
            "vars",
            "batch",
            "chat",
            "graph",
        ):
            return [n for n in registry.names() if n.startswith(word)]
    return []


@context_matcher()
def _matcher(context: CompletionContext) -> SimpleMatcherResult:
    text = context.full_text
    if not text.lstrip().startswith("%flow") and not text.lstrip().startswith("%%flow"):
        return {"completions": [], "suppress": False}
    found = completions(text.lstrip(), context.cursor_line, context.line_with_cursor)
    # IPython replaces only the token it sees (it splits words on ':'), so give what follows the colon
    items = [
        SimpleCompletion(
            text=full.split(":")[-1] if ":" in full and ":" not in context.token else full, type="flow_nb"
        )
        for full in found
    ]
    return {"completions": items, "suppress": bool(items)}


def install_completion(ipython: Any) -> None:
    """Add the matcher to the shell's completer (once)."""
    matchers = ipython.Completer.custom_matchers
    if _matcher not in matchers:
        matchers.append(_matcher)
