"""The README's notebook examples run as written, in a real IPython shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import flow_nb as fn
from flow_nb import registry

README = (Path(__file__).parent.parent.parent / "README.md").read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    """The contents of the README's top-level fenced code blocks."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


BLOCKS = [b for b in fenced_blocks(README) if "%%flow" in b]


def cells(block: str) -> list[tuple[str, str]]:
    """(magic line, body) for every %%flow / %flow line of a block."""
    found: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith(("%%flow", "%flow", "%load_ext")):
            found.append((line, []))
        elif found:
            found[-1][1].append(line)
    return [(line, "\n".join(body).strip("\n")) for line, body in found]


def run_block(ip: Any, block: str) -> None:
    for line, body in cells(block):
        if line.startswith("%load_ext"):
            continue
        if line.startswith("%%flow"):
            ip.run_cell_magic("flow", line[len("%%flow ") :], body)
        else:
            ip.run_line_magic("flow", line[len("%flow ") :])


@pytest.mark.parametrize("marker", ["--workflow support --start", "--workflow demo --start"])
def test_readme_notebook_examples_run(
    ip: Any, marker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    [block] = [b for b in BLOCKS if marker in b]
    run_block(ip, block)
    name = "support" if "support" in marker else "demo"
    wf = registry.get(name)
    declared = [line.split()[1] for line, _ in cells(block) if line.startswith("%%flow")]
    assert [n.key for n in wf.nodes] == declared
    if name == "support":
        assert (tmp_path / "support.flow.json").exists()
        assert registry.runs()[-1].results == ["Sorry, we do not answer money related questions."]
    else:
        assert {n.type for n in wf.nodes} == {t.key for t in fn.all_types()}
