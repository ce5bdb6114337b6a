"""The fake OpenAI server driven by the real openai client: replies, streaming, faults, concurrency."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from flow_nb.testing import FakeLLM, Fault, Rule


def user(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


@pytest.fixture
def client(fake_llm: FakeLLM) -> Iterator[OpenAI]:
    with OpenAI(base_url=fake_llm.base_url, api_key="test", max_retries=0) as c:
        yield c


def test_non_streaming_reply_and_usage(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="refund", reply="Yes, refunds take 5 days."))
    response = client.chat.completions.create(model="gpt-x", messages=user("Can I get a REFUND?"))
    assert response.object == "chat.completion"
    assert response.model == "gpt-x"
    choice = response.choices[0]
    assert (choice.message.role, choice.message.content, choice.finish_reason) == (
        "assistant",
        "Yes, refunds take 5 days.",
        "stop",
    )
    assert response.usage is not None
    assert response.usage.prompt_tokens == 6  # Can I get a REFUND ?
    assert response.usage.completion_tokens == 7  # Yes , refunds take 5 days .
    assert response.usage.total_tokens == 13
    assert fake_llm.requests[0]["messages"] == user("Can I get a REFUND?")


def test_streaming_tokens_join_to_reply_and_usage_chunk_comes_last(fake_llm: FakeLLM, client: OpenAI) -> None:
    reply = "  Hello,  streaming\tworld!\n "
    fake_llm.add_rule(Rule(match=None, reply=reply))
    fake_llm.token_delay = 0.001
    stream = client.chat.completions.create(
        model="m", messages=user("hi"), stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    contents = [c.choices[0].delta.content for c in chunks[1:] if c.choices and c.choices[0].delta.content]
    assert "".join(contents) == reply
    assert contents == ["  Hello,", "  streaming", "\tworld!", "\n "]
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert (
        chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5
    )  # Hello , streaming world !
    assert all(c.usage is None for c in chunks[:-1])


def test_streaming_without_include_usage_sends_no_usage(client: OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="m", messages=user("hi"), stream=True))
    assert all(c.choices for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "OK"


def test_reasoning_streams_before_content_async(fake_llm: FakeLLM) -> None:
    fake_llm.add_rule(Rule(match="think", reply="42", reasoning="Let me think hard"))

    async def run() -> list[tuple[str, str]]:
        async with AsyncOpenAI(base_url=fake_llm.base_url, api_key="x", max_retries=0) as c:
            stream = await c.chat.completions.create(model="m", messages=user("think!"), stream=True)
            parts: list[tuple[str, str]] = []
            async for chunk in stream:
                delta = chunk.choices[0].delta
                reasoning = getattr(delta, "reasoning_content", None)
                if reasoning:
                    parts.append(("reasoning", reasoning))
                if delta.content:
                    parts.append(("content", delta.content))
            return parts

    parts = asyncio.run(run())
    reasoning = [("reasoning", token) for token in ("Let", " me", " think", " hard")]
    assert parts == [*reasoning, ("content", "42")]


def test_reasoning_in_non_streaming_message(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="think", reply="42", reasoning="Let me think"))
    response = client.chat.completions.create(model="m", messages=user("think"))
    message = response.choices[0].message
    assert message.content == "42"
    assert getattr(message, "reasoning_content", None) == "Let me think"
    assert response.usage is not None and response.usage.completion_tokens_details is not None
    assert response.usage.completion_tokens_details.reasoning_tokens == 3


def test_latency_server_wide_plus_rule(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="slow", reply="ok", latency=0.15))
    fake_llm.latency = 0.1
    start = time.monotonic()
    assert client.chat.completions.create(model="m", messages=user("slow")).choices[0].message.content == "ok"
    assert time.monotonic() - start >= 0.25


def test_rate_limit_then_success_with_client_retries(fake_llm: FakeLLM) -> None:
    fake_llm.add_rule(Rule(match="flaky", reply="fine", fault=Fault.RATE_LIMIT, times=2))
    with OpenAI(base_url=fake_llm.base_url, api_key="x", max_retries=2) as c:
        response = c.chat.completions.create(model="m", messages=user("flaky"))
    assert response.choices[0].message.content == "fine"
    assert len(fake_llm.requests) == 3


def test_rate_limit_response_shape(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="flaky", fault=Fault.RATE_LIMIT, times=1))
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="m", messages=user("flaky"))
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "0"
    assert info.value.code == "rate_limit_exceeded"
    # times=1 is used up: the next call gets the default reply.
    assert (
        client.chat.completions.create(model="m", messages=user("flaky")).choices[0].message.content == "OK"
    )


def test_persistent_server_error(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="broken", fault=Fault.SERVER_ERROR))
    for _ in range(2):
        with pytest.raises(openai.InternalServerError) as info:
            client.chat.completions.create(model="m", messages=user("broken"))
        assert info.value.status_code == 500
        assert info.value.type == "server_error"


def test_hang_times_out_and_server_still_stops_promptly() -> None:
    llm = FakeLLM([Rule(match="hang", fault=Fault.HANG)]).start()
    try:
        with OpenAI(base_url=llm.base_url, api_key="x", max_retries=0, timeout=0.5) as c:
            start = time.monotonic()
            with pytest.raises(openai.APITimeoutError):
                c.chat.completions.create(model="m", messages=user("hang"))
            assert time.monotonic() - start < 2.0
    finally:
        start = time.monotonic()
        llm.stop()
    assert time.monotonic() - start < 1.5


def test_stop_releases_a_request_that_is_still_hanging() -> None:
    llm = FakeLLM([Rule(match="hang", fault=Fault.HANG)]).start()
    errors: list[BaseException] = []

    def call() -> None:
        with OpenAI(base_url=llm.base_url, api_key="x", max_retries=0, timeout=30) as c:
            try:
                c.chat.completions.create(model="m", messages=user("hang"))
            except openai.APIError as exc:
                errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 5
    while not llm.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.monotonic()
    llm.stop()
    caller.join(5)
    assert time.monotonic() - start < 1.5
    assert not caller.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], (openai.InternalServerError, openai.APIConnectionError))


def test_malformed_stream_raises_json_decode_error(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="garbage", reply="abc def", fault=Fault.MALFORMED))
    seen: list[str] = []
    stream = client.chat.completions.create(model="m", messages=user("garbage"), stream=True)
    # The openai client lets the decoder's error through unwrapped, not as an openai.APIError.
    with pytest.raises(json.JSONDecodeError):
        for chunk in stream:
            seen.append(chunk.choices[0].delta.content or "")
    stream.close()
    assert seen == ["abc"]


def test_malformed_non_streaming_body(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="garbage", reply="abc", fault=Fault.MALFORMED))
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="m", messages=user("garbage"))


def test_bad_requests_get_openai_style_errors(fake_llm: FakeLLM, client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="m", messages=[])
    assert info.value.type == "invalid_request_error"
    with httpx.Client(base_url=fake_llm.base_url) as http:
        not_json = http.post(
            "/chat/completions", content=b"{nope", headers={"content-type": "application/json"}
        )
        assert not_json.status_code == 400
        assert not_json.json()["error"]["type"] == "invalid_request_error"
        missing = http.get("/nowhere")
        assert missing.status_code == 404
        assert "error" in missing.json()
    assert fake_llm.requests == [{"model": "m", "messages": []}]


def test_models_lists_the_model(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["fake-model"]
    assert client.models.retrieve("fake-model").id == "fake-model"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("other")


def test_fifty_concurrent_streams_finish_in_one_batch() -> None:
    n, latency = 50, 0.2

    async def one(c: AsyncOpenAI, i: int) -> str:
        stream = await c.chat.completions.create(model="m", messages=user(f"echo {i}"), stream=True)
        return "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])

    async def run(base_url: str) -> list[str]:
        async with AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=10) as c:
            return await asyncio.gather(*(one(c, i) for i in range(n)))

    with FakeLLM(latency=latency, default_reply=lambda req: req["messages"][-1]["content"]) as llm:
        start = time.monotonic()
        replies = asyncio.run(run(llm.base_url))
        elapsed = time.monotonic() - start
    assert replies == [f"echo {i}" for i in range(n)]
    assert elapsed < 3.0


def test_async_context_manager() -> None:
    async def run() -> str | None:
        async with (
            FakeLLM([Rule(match="x", reply="async ok")]) as llm,
            AsyncOpenAI(base_url=llm.base_url, api_key="x", max_retries=0) as c,
        ):
            response = await c.chat.completions.create(model="m", messages=user("x"))
            return response.choices[0].message.content

    assert asyncio.run(run()) == "async ok"


def test_lifecycle_errors_and_restart() -> None:
    llm = FakeLLM()
    with pytest.raises(RuntimeError, match="not running"):
        _ = llm.base_url
    with llm:
        with pytest.raises(RuntimeError, match="already running"):
            llm.start()
        first_url = llm.base_url
    llm.stop()  # idempotent
    with llm, OpenAI(base_url=llm.base_url, api_key="x", max_retries=0) as c:
        assert c.chat.completions.create(model="m", messages=user("again")).choices[0].message.content == "OK"
    assert first_url.startswith("http://127.0.0.1:") and first_url.endswith("/v1")
