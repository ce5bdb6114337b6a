"""The text of ``%flow help``."""

from __future__ import annotations

from ..model import all_types
from .cells import ALIASES, node_options


def _types() -> str:
    lines = []
    for node_type in all_types():
        options = []
        for name, kind in node_options(node_type).items():
            flag = ALIASES.get(name, ["--" + name.replace("_", "-")])[0]
            options.append(f"{flag}/--no-{flag[2:]}" if kind == "bool" else f"{flag} {kind.upper()}")
        main = node_type.main_field or "(no body)"
        lines.append(f"  {node_type.key:<15} body: {main:<13} {' '.join(options)}")
    return "\n".join(lines)


HELP = f"""flow_nb — workflows of LLM nodes in cells.

%%flow NAME TYPE [--workflow W] [--start] [--after SOURCE[:CONDITION]]... [options] [--test "sample"]
<the node's main text: criteria, labels (one `label: context` a line), template, endpoint, code…>
    Declares (or, run again, updates in place) a node. General options: --description TEXT, --position X,Y,
    --auto-continue/--no-auto-continue, --display-result/--no-display-result, --pass-input/--no-pass-input.
    Any config attribute also fits in a front matter block at the top of the body:
        ---
        headers: {{"X-Token": "abc"}}
        ---
%%flow relations [WORKFLOW]
ask -> money
money:true -> refuse
money:false, money:undecided -> forward
    Sets all the relations of a workflow at once (arrows: -> or →; a chain a -> b:true -> c works).

%flow run [WORKFLOW] "input" | key=value ... [--var NAME=VALUE]... [--start-at NODE]
%flow runs                      this session's runs
%flow show [WORKFLOW] [--mermaid]           the nodes, relations and a picture (--mermaid: Mermaid)
%flow export [WORKFLOW] [--format flowflow|dify|mermaid] [-o FILE]   to a file (format by extension), or shown
%flow import FILE [--as NAME] [--format flowflow|dify]               a .json export or a Dify .yml
%flow list | use WORKFLOW | rm NODE... [--workflow W] | rm --workflow W
%flow vars [WORKFLOW] [NAME=VALUE]... [--rm NAME]     workflow variables ({{{{workflow.NAME}}}})
%flow batch [WORKFLOW] --inputs FILE.csv|FILE.jsonl [--concurrency N]
%flow publish [WORKFLOW] --server URL [--key KEY] [--public]   to a flow_nb server, with its data sources
%flow call WORKFLOW_ID "input" --server URL [--key KEY]       run a published workflow, streaming
%flow data create|add|list|search|rm ...   data sources (%flow data for the forms)
%flow chat [WORKFLOW]           chat with a workflow: repeated runs, the history visible
%flow help

Node types, their main text and their options:
{_types()}
"""
