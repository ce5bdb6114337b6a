"""Data sources: items of every kind, chunking edges, replace-on-re-add, search with and without vectors,
and sources in the answer node's record."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from IPython.core.error import UsageError
from support import Web

import flow_nb as fn
from flow_nb.data import DataSources, DataStore, OpenAIEmbedder
from flow_nb.data.chunks import chunk_text
from flow_nb.data.loaders import decode
from flow_nb.llm import OpenAIChat
from flow_nb.testing import FakeLLM, Rule

POLICY = (
    "Refunds are paid within 14 days of the return. Shipping costs are not refunded.\n\n"
    "Parcels ship within 2 working days. Tracking numbers arrive by email.\n\n"
    "Our shop in Oslo opens at 9 and closes at 17 on weekdays."
)


@pytest.fixture
def data(tmp_path: Path) -> DataSources:
    sources = DataSources(DataStore(tmp_path / "data.sqlite3"))
    sources.create("policies")
    return sources


def test_chunks_overlap_and_keep_their_place() -> None:
    text = " ".join(f"word{i}" for i in range(1000))
    chunks = chunk_text(text, size=200, overlap=50)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text) <= 200 for c in chunks)
    for first, second in itertools.pairwise(chunks):
        assert second.start < first.start + len(first.text)  # they overlap
        assert not second.text.startswith("ord")  # and start on a word
    assert chunks[-1].text.endswith("word999")


def test_chunking_edges() -> None:
    assert chunk_text("") == [] and chunk_text("   \n\n  ") == []
    huge = "x" * 10_000  # one huge line, one huge word
    chunks = chunk_text(huge, size=800, overlap=150)
    assert all(len(c.text) <= 800 for c in chunks) and "".join(c.text for c in chunks).count("x") >= 10_000
    with pytest.raises(ValueError):
        chunk_text("abc", size=10, overlap=10)


def test_non_utf8_and_binary_files(tmp_path: Path, data: DataSources) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Café prices: 5 € for a coffee".encode("cp1252"))
    added = data.add("policies", legacy)
    assert added.status == "added" and added.item.name == "legacy.txt"
    assert data.search_now("policies", "coffee prices")[0].text == "Café prices: 5 € for a coffee"
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x00\x0dIHDR")
    with pytest.raises(fn.DefinitionError, match=r"photo\.txt looks binary"):
        data.add("policies", binary)
    assert decode("\ufeffhello".encode("utf-8"), "x") == "hello"
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    assert data.add("policies", empty).item.chunks == 0  # a clean result: an item with no chunks


def test_text_markdown_pdf_and_web_items(tmp_path: Path, data: DataSources, web: Web) -> None:
    (tmp_path / "shipping.md").write_text(
        "# Shipping\n\nParcels ship within 2 working days.", encoding="utf-8"
    )
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, "Warranty: every kettle has a warranty of three years.")
    pdf.output(str(tmp_path / "warranty.pdf"))
    data.add("policies", text=POLICY, name="policy")
    data.add("policies", tmp_path / "shipping.md")
    data.add("policies", tmp_path / "warranty.pdf")
    data.add("policies", f"{web.url}/refunds.html")
    items = {i.name: i for i in data.items("policies")}
    assert set(items) == {"policy", "shipping.md", "warranty.pdf", f"{web.url}/refunds.html"}
    assert {i.kind for i in items.values()} == {"text", "file", "pdf", "web"}
    assert data.search_now("policies", "kettle warranty")[0].item_name == "warranty.pdf"
    page = [h for h in data.search_now("policies", "refunds paid", top_k=5) if h.item_name.endswith(".html")]
    assert (
        page
        and "Refund policy" in page[0].text
        and "secret" not in page[0].text
        and "color" not in page[0].text
    )
    with pytest.raises(fn.DefinitionError, match="answered HTTP 404"):
        data.add("policies", f"{web.url}/nothing.html")
    data.remove("policies", "shipping.md")
    assert "shipping.md" not in {i.name for i in data.items("policies")}
    with pytest.raises(fn.DefinitionError, match="has no item 'nope'; its items are: policy, "):
        data.remove("policies", "nope")


def test_full_text_search_with_no_model(data: DataSources) -> None:
    data.add("policies", text=POLICY, name="policy")
    data.add("policies", text="The cafeteria serves soup on Mondays.", name="menu")
    hits = data.search_now("policies", "When do refunds get paid?")
    assert hits[0].item_name == "policy" and "14 days" in hits[0].text
    assert hits[0].source().model_dump() == {
        "data_source": {"id": data.store.source("policies").id, "name": "policies"},
        "data_item": {"id": hits[0].item_id, "name": "policy"},
    }
    assert data.search_now("policies", "zebra giraffe") == []
    assert data.search_now("policies", "what is the") == []  # stopwords only
    with pytest.raises(
        fn.DefinitionError, match="there is no data source 'nope'; the data sources are: policies"
    ):
        data.search_now("nope", "x")


def test_replace_on_re_add_and_nothing_embedded_twice(tmp_path: Path, fake_llm: FakeLLM) -> None:
    embedder = OpenAIEmbedder("fake-embed", base_url=fake_llm.base_url, api_key="k")
    data = DataSources(DataStore(tmp_path / "d.sqlite3"), embedder)
    data.create("docs")
    first = data.add("docs", text=POLICY, name="policy")
    assert (
        first.status == "added"
        and first.embedded == first.item.chunks > 0
        and first.credits == first.embedded
    )
    calls = len(fake_llm.requests)
    again = data.add("docs", text=POLICY, name="policy")
    assert again.status == "unchanged" and again.embedded == 0 and len(fake_llm.requests) == calls
    changed = data.add("docs", text=POLICY + "\n\nGift cards never expire.", name="policy")
    assert changed.status == "replaced" and changed.item.id == first.item.id
    assert changed.embedded == 1  # only the new chunk's text; the others were embedded before
    copy = data.add("docs", text=POLICY, name="copy of the policy")
    assert copy.embedded == 0  # same texts, other item: still not embedded again
    assert [i.name for i in data.items("docs")] == ["policy", "copy of the policy"]
    embedder.close()


def test_hybrid_search_finds_what_words_alone_miss(tmp_path: Path, fake_llm: FakeLLM) -> None:
    embedder = OpenAIEmbedder("fake-embed", base_url=fake_llm.base_url, api_key="k")
    data = DataSources(DataStore(tmp_path / "d.sqlite3"), embedder)
    data.create("docs")
    data.add("docs", text="Refunds are paid within 14 days of the return.", name="refunds")
    data.add("docs", text="Parcels ship within 2 working days.", name="shipping")
    assert data.store.has_vectors("docs", "fake-embed")
    hybrid = data.search_now("docs", "refunds paid days")
    assert hybrid[0].item_name == "refunds"
    # full text alone (no vector): the same top hit, for the same query
    full_text = data.store.search("docs", "refunds paid days")
    assert full_text[0].item_name == "refunds"
    embedder.close()


def test_answer_node_answers_from_a_data_source_with_sources(
    data: DataSources, fake_llm: FakeLLM, llm: OpenAIChat
) -> None:
    data.add("policies", text=POLICY, name="policy")
    fake_llm.add_rule(Rule(match=None, reply="Refunds are paid within 14 days of the return [1]."))
    wf = fn.Workflow("w")
    wf.node("answer", "answer", start=True, data_source="policies")
    wf.node("known", "feedback", "{{result}}", after="answer:known")
    wf.node("unknown", "feedback", "no idea", after="answer:unknown")
    record = wf.run("How long until my refund is paid?", llm=llm, data=data)
    run = record.nodes["answer"].runs[0]
    assert run.condition == "answer_known" and record.results == [
        "Refunds are paid within 14 days of the return [1]."
    ]
    source_id = data.store.source("policies").id
    [source] = record.progress()["workflow"]["nodes"][0]["runs"][0]["sources"]
    assert source == {
        "data_item": {"id": data.items("policies")[0].id, "name": "policy"},
        "data_source": {"id": source_id, "name": "policies"},
    }
    assert run.credits == 2  # the node run, and one data search (the seed's credits table)
    assert "[1] (policy)" in fake_llm.requests[-1]["messages"][0]["content"]
    nothing = wf.run("zebra giraffe", llm=llm, data=data)
    assert nothing.results == ["no idea"] and nothing.nodes["answer"].runs[0].result == "Unknown"
    assert len(fake_llm.requests) == 1  # nothing relevant found: no model call


def test_data_search_node_returns_the_matching_items(data: DataSources) -> None:
    data.add("policies", text=POLICY, name="policy")
    wf = fn.Workflow("w")
    wf.node("search", "data_search", "policies", start=True, top_k=2)
    wf.node("none", "feedback", "nothing", after="search:none")
    run = wf.run("shop opening hours Oslo", data=data).nodes["search"].runs[0]
    assert run.condition == "items_found"
    assert run.result[0]["data_item"]["name"] == "policy" and "Oslo" in run.result[0]["text"]
    assert wf.run("zebra", data=data).results == ["nothing"]
    with pytest.raises(fn.NodeRunError, match="there is no data source 'ghost'"):
        wf.node("search", data_source="ghost")
        wf.run("x", data=data)


def test_flow_data_commands_in_a_real_shell(
    ip: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flow_nb import data as flow_data

    flow_data.use(DataSources(DataStore(tmp_path / "nb.sqlite3")))
    try:
        (tmp_path / "faq.md").write_text("Gift cards never expire. Refunds take 14 days.", encoding="utf-8")
        ip.run_line_magic("flow", "data create faq")
        ip.run_line_magic("flow", f"data add faq {tmp_path / 'faq.md'}")
        ip.run_line_magic("flow", 'data add faq --text "Opening hours: 9 to 17." --name hours')
        ip.run_line_magic("flow", "data list faq")
        hits = ip.run_line_magic("flow", 'data search faq "do gift cards expire"')
        assert hits[0].item_name == "faq.md"
        ip.run_line_magic("flow", "data rm faq hours")
        out = capsys.readouterr().out
        assert "created data source 'faq'" in out and "added 'faq.md': 1 chunks" in out
        assert "hours (text): 1 chunks" in out and "removed 'hours' from 'faq'" in out
        with pytest.raises(UsageError, match="there is no data source 'nope'"):
            ip.run_line_magic("flow", 'data search nope "x"')
        with pytest.raises(UsageError, match="%flow data: argument action: invalid choice: 'frob'"):
            ip.run_line_magic("flow", "data frob")
    finally:
        flow_data.use(None)
