"""%flow commands in a real IPython shell: run, runs, show, export/import, list/use/rm, vars, batch, chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import flow_nb as fn
from flow_nb import llm as flow_llm
from flow_nb import registry
from flow_nb.notebook import session
from flow_nb.notebook.complete import completions
from flow_nb.testing import FakeLLM, Rule


def flow(ip: Any, line: str) -> Any:
    return ip.run_line_magic("flow", line)


def cell(ip: Any, line: str, body: str = "") -> Any:
    return ip.run_cell_magic("flow", line, body)


@pytest.fixture
def model() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        flow_llm.configure(base_url=server.base_url, api_key="k", model="fake")
        yield server
        flow_llm.reset()


def echo(ip: Any) -> fn.Workflow:
    cell(ip, "start code --workflow echo --start", "return input")
    cell(ip, "out feedback --after start", "{{inputs.city | default('-')}} {{workflow.run.tone}} {{result}}")
    return registry.get("echo")


def test_run_inputs_vars_and_start_at(ip: Any) -> None:
    echo(ip)
    assert flow(ip, 'run echo "hello there"').results[-1].endswith("hello there")
    record = flow(ip, "run echo city=Oslo day=Mon --var tone=warm")
    assert record.input == {"city": "Oslo", "day": "Mon"}
    assert record.results == ['Oslo warm {"city": "Oslo", "day": "Mon"}']
    assert flow(ip, 'run "direct" --start-at out').results == [
        "- *ERROR: Variable *workflow.run.tone* is empty or not existing* direct"
    ]
    history = flow(ip, "runs")
    assert [r.status for r in history] == ["FINISHED"] * 3


def test_run_view_streams_tokens_throttled_and_keeps_the_record(ip: Any, model: FakeLLM) -> None:
    words = " ".join(f"w{i}" for i in range(20_000))
    model.add_rule(Rule(match=None, reply=words))
    cell(ip, "write assistant --workflow long --start", "Write a lot")
    record = flow(ip, 'run long "go"')
    assert record.status == "FINISHED" and record.nodes["write"].runs[0].result == words
    view = session.last_view
    assert view is not None
    assert view.summary["status"] == "FINISHED" and view.summary["total_steps"] == 1
    assert view.nodes[0]["tokens"] == words and view.nodes[0]["conditions"] == ["command_completed"]
    # 20,000 tokens reached the front end in a few hundred messages at most, not 20,000
    assert view.messages_sent < 500, view.messages_sent


def test_a_waiting_run_takes_the_answer_from_the_view(ip: Any) -> None:
    cell(ip, "hello feedback --workflow chat --start", "Hi! Your name?")
    cell(ip, "name text_input --after hello", "Your name, please")
    cell(ip, "greet feedback --after name", "Nice to meet you, {{result}}")
    assert flow(ip, 'run chat "hi"') is None  # it waits: the live view, not a stale record
    record = registry.runs()[-1]
    assert record.status == "WAITING"
    view = session.last_view
    assert view is not None
    _wait_for(lambda: view.requests and view.requests[0]["kind"] == "text")
    view.respond(view.requests[0]["request_id"], "Ada")  # what the input box sends
    _wait_for(lambda: record.status == "FINISHED")
    assert record.results[-1] == "Nice to meet you, Ada"
    _wait_for(lambda: view.summary.get("status") == "FINISHED")


def test_approve_edit_reject_from_the_view(ip: Any) -> None:
    cell(ip, "draft code --workflow mail --start --no-auto-continue", "return 'Dear ' + input")
    cell(ip, "send feedback --after draft", "SENT {{result}}")
    assert flow(ip, 'run mail "Ada"') is None
    record = registry.runs()[-1]
    view = session.last_view
    _wait_for(lambda: view.requests)
    assert view.requests[0]["kind"] == "approval" and view.requests[0]["result"] == "Dear Ada"
    view.respond(view.requests[0]["request_id"], "Dear Ada Lovelace", "edit")
    _wait_for(lambda: record.status == "FINISHED")
    assert record.results == ["SENT Dear Ada Lovelace"]


def _wait_for(condition: Any, timeout: float = 10) -> None:
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


def test_show_export_import_list_use_rm_vars(ip: Any, tmp_path: Path) -> None:
    wf = echo(ip)
    shown = flow(ip, "show echo")
    assert shown is wf
    html_formatter = ip.display_formatter.formatters["text/html"]
    html = html_formatter.lookup(shown)(shown)  # the terminal shell disables HTML; a notebook shows it
    assert "<svg" in html and "start" in html
    path = tmp_path / "echo.flow.json"
    flow(ip, f"export echo -o {path}")
    assert fn.Workflow.load(path) == wf
    assert flow(ip, "export echo").data["name"] == "echo"
    imported = flow(ip, f"import {path} --as copy")
    assert imported.name == "copy" and registry.current() == "copy"
    assert sorted(registry.names()) == ["copy", "echo"]
    flow(ip, "use echo")
    assert registry.current() == "echo"
    shown_vars = flow(ip, 'vars echo company=ACME limit=3 "tone=very warm"')
    assert shown_vars.data == {"company": "ACME", "limit": 3, "tone": "very warm"}
    flow(ip, "vars --rm limit")
    assert wf.variables == {"company": "ACME", "tone": "very warm"}
    flow(ip, "rm out")
    assert [n.key for n in wf.nodes] == ["start"]
    flow(ip, "rm --workflow copy")
    assert registry.names() == ["echo"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("frobnicate", "%flow: unknown command 'frobnicate'; the commands are: batch, call, chat,"),
        ("use nowhere", "no workflow 'nowhere' in this session; the workflows are: echo"),
        ("run echo --var novalue", "%flow: --var takes NAME=VALUE, not 'novalue'"),
        ("rm ghost", "workflow 'echo' has no node 'ghost'"),
        ("vars --rm nothing", "%flow vars: 'echo' has no variable 'nothing'"),
        ("import /no/such/file.json", "cannot read the workflow file '/no/such/file.json'"),
        ("batch echo", "%flow batch: the following arguments are required: --inputs"),
        ('run "unclosed', "%flow: cannot read the line: No closing quotation"),
    ],
)
def test_bad_commands_are_one_line_usage_errors(ip: Any, line: str, message: str) -> None:
    wf = echo(ip)
    before = wf.export()
    with pytest.raises(UsageError) as info:
        flow(ip, line)
    assert str(info.value).startswith(message), str(info.value)
    assert wf.export() == before


def test_batch_from_csv_and_jsonl(ip: Any, tmp_path: Path) -> None:
    echo(ip)
    csv_file = tmp_path / "in.csv"
    csv_file.write_text("input,city\nfirst,Oslo\nsecond,Rome\nthird,Lima\n", encoding="utf-8")
    table = flow(ip, f"batch echo --inputs {csv_file} --concurrency 2 --var tone=calm")
    rows = table.to_dict("records") if hasattr(table, "to_dict") else list(table)
    assert [r["status"] for r in rows] == ["FINISHED"] * 3
    assert [r["output"] for r in rows] == ["Oslo calm first", "Rome calm second", "Lima calm third"]
    assert rows[0]["path"] == "start:code_ok → out:human_feedback_text_ok"
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('"a"\n{"input": "b", "city": "Kyiv"}\n', encoding="utf-8")
    rows2 = flow(ip, f"batch --inputs {jsonl} --var tone=")
    rows2 = rows2.to_dict("records") if hasattr(rows2, "to_dict") else list(rows2)
    missing = "*ERROR: Variable *workflow.run.tone* is empty or not existing*"
    assert [r["output"] for r in rows2] == [f"- {missing} a", f"Kyiv {missing} b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('"a"\n{oops\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"bad\.jsonl line 2 is not JSON"):
        flow(ip, f"batch --inputs {bad}")


def test_batch_stops_runs_that_wait_for_a_person(ip: Any, tmp_path: Path) -> None:
    cell(ip, "a feedback --workflow w --start", "hi")
    cell(ip, "b text_input --after a", "name?")
    (tmp_path / "in.jsonl").write_text('"x"\n', encoding="utf-8")
    rows = flow(ip, f"batch w --inputs {tmp_path / 'in.jsonl'}")
    rows = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    assert rows[0]["status"] == "STOPPED" and "b waited for a person" in rows[0]["error"]


def test_chat_keeps_a_conversation(ip: Any) -> None:
    from flow_nb.notebook.chat import ChatView

    cell(
        ip,
        "hello feedback --workflow bot --start",
        "You said {{result}} ({{workflow.run.history | length}} turns)",
    )
    cell(ip, "name text_input --after hello", "And your name?")
    cell(ip, "bye feedback --after name", "Bye {{result}}")
    view = ChatView(registry.get("bot"), llm=session.chat_model())
    view.say("hi")
    _wait_for(lambda: any("And your name?" in t["content"] for t in view.history))
    view.say("Ada")  # answers the waiting text_input of the same run
    _wait_for(lambda: any(t["content"] == "Bye Ada" for t in view.history))
    view.say("again")  # a new run, with the history so far
    _wait_for(lambda: any("You said again (6 turns)" in str(t["content"]) for t in view.history))
    assert [t["content"] for t in view.history][:5] == [
        "hi",
        "You said hi (1 turns)",
        "And your name?",
        "Ada",
        "Bye Ada",
    ]


def test_completion_of_names_types_conditions_and_options(ip: Any) -> None:
    cell(ip, "ask text_input --workflow support --start", "How can I help?")
    cell(ip, "money boolean --after ask", "About money?")
    assert completions("%%flow refuse fe", 0, "%%flow refuse fe") == ["feedback"]
    assert completions("%%flow refuse feedback --after mo", 0, "%%flow refuse feedback --after mo") == [
        "money"
    ]
    assert completions("%%flow r feedback --after money:", 0, "%%flow r feedback --after money:") == [
        "money:false",
        "money:true",
        "money:undecided",
        "money:error",
    ]
    assert "--no-undecided" in completions("%%flow m boolean --no", 0, "%%flow m boolean --no")
    assert "--multiple" in completions("%%flow t classification --mu", 0, "%%flow t classification --mu")
    assert completions("%%flow relations\nmoney:t", 1, "money:t") == ["money:true"]
    assert completions("%flow ru", 0, "%flow ru") == ["run", "runs"]
    assert completions("%flow run su", 0, "%flow run su") == ["support"]
    from IPython.core.completer import provisionalcompleter

    with provisionalcompleter():
        matches = list(ip.Completer.completions("%%flow refuse feedback --after mo", 33))
    assert "money" in [m.text for m in matches]


def test_help_lists_every_type(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    flow(ip, "help")
    out = capsys.readouterr().out
    for node_type in fn.all_types():
        assert f"  {node_type.key} " in out
    assert "%%flow relations" in out and "%flow publish" in out and "%flow data" in out
