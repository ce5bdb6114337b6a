"""The format commands people type: ``flow-nb convert`` and ``%flow export / import / show --mermaid`` in a
real IPython shell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from IPython.core.error import UsageError

import flow_nb as fn
from flow_nb import registry
from flow_nb.cli import main
from flow_nb.formats import dify

DIFY = Path(__file__).parent.parent / "fixtures" / "dify"


def support(tmp_path: Path) -> tuple[fn.Workflow, Path]:
    wf = fn.Workflow("support", variables={"company": "ACME"})
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, {{ workflow.company }} does not answer that.", after="money:true")
    wf.node("forward", "feedback", "I will forward your message.", after="money:false")
    return wf, wf.save(tmp_path / "support.flow.json")


def test_convert_between_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wf, path = support(tmp_path)
    assert main(["convert", str(path), str(tmp_path / "support.yml")]) == 0
    err = capsys.readouterr().err
    assert "flow-nb: warning: AI nodes use Dify's model provider" in err
    assert err.endswith(f"wrote {tmp_path / 'support.yml'} (dify)\n")
    assert yaml.safe_load((tmp_path / "support.yml").read_text(encoding="utf-8"))["app"]["mode"] == "workflow"
    assert main(["convert", str(tmp_path / "support.yml"), str(tmp_path / "back.json")]) == 0
    assert fn.Workflow.load(tmp_path / "back.json") == wf
    assert main(["convert", str(path), str(tmp_path / "support.mmd")]) == 0
    assert (tmp_path / "support.mmd").read_text(encoding="utf-8").splitlines()[3] == "flowchart LR"
    assert main(["convert", str(path), str(tmp_path / "README.md")]) == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8").startswith("```mermaid\n---\n")


def test_convert_refuses_what_it_cannot_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, path = support(tmp_path)
    assert main(["convert", str(path), str(tmp_path / "out.txt")]) == 2
    assert "cannot tell the format of" in capsys.readouterr().err
    (tmp_path / "x.mmd").write_text("flowchart LR\n", encoding="utf-8")
    assert main(["convert", str(tmp_path / "x.mmd"), str(tmp_path / "x.json")]) == 2
    assert "cannot read one back" in capsys.readouterr().err
    assert main(["convert", str(DIFY / "tool_node.yml"), str(tmp_path / "x.json")]) == 2
    assert "Dify node 'Google Search' (id tool_node) is a 'tool' node" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_convert_runs_as_the_installed_command(tmp_path: Path) -> None:
    _, path = support(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "flow_nb.cli", "convert", str(path), str(tmp_path / "s.yml")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent.parent,
    )
    assert "wrote" in out.stderr and (tmp_path / "s.yml").exists()


def flow(ip: Any, line: str) -> Any:
    return ip.run_line_magic("flow", line)


def test_export_dify_and_import_it_back_in_the_notebook(
    ip: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wf, _ = support(tmp_path)
    registry.add(wf)
    target = tmp_path / "support.yml"
    assert flow(ip, f"export support --format dify -o {target}") is None
    out = capsys.readouterr().out
    assert out.startswith(f"wrote 'support' (4 nodes, 3 relations) to {target}\n")
    assert "warning: AI nodes use Dify's model provider" in out
    registry.reset()
    imported = flow(ip, f"import {target} --as again")
    assert imported.name == "again" and registry.current() == "again"
    assert [n.key for n in imported.nodes] == ["ask", "money", "refuse", "forward"]
    flow(ip, f"import {DIFY / 'if_else.yml'}")
    assert "warning: node 'IF/ELSE': Dify's IF/ELSE tests its conditions exactly" in capsys.readouterr().out
    with pytest.raises(UsageError, match="is a 'tool' node"):
        flow(ip, f"import {DIFY / 'tool_node.yml'}")


def test_export_to_screen_and_show_mermaid(
    ip: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wf, _ = support(tmp_path)
    registry.add(wf)
    assert flow(ip, "show --mermaid") is None
    assert flow(ip, "export --format mermaid") is None
    shown = capsys.readouterr().out
    assert shown.count("flowchart LR") == 2
    assert flow(ip, "show support") is wf
    data = flow(ip, "export support").data
    assert data["format"] == 2 and json.dumps(data)
    with pytest.raises(UsageError, match="invalid choice"):
        flow(ip, "export --format svg")


def test_dify_warnings_are_values_too() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "text_input", start=True)
    assert dify.export(wf).warnings == ()
