"""flow_nb.client against the real server: sync and async, blocking and streaming, start and respond."""

from __future__ import annotations

import asyncio

import pytest
from server_support import Served, asks_name, chat, support

from flow_nb.client import AsyncClient, Client, ServerError


def test_sync_client_publishes_runs_streams_and_responds(server: Served) -> None:
    with Client(server.url, server.admin) as client:
        wf = support()
        workflow_id = client.publish(wf)
        assert workflow_id == wf.id
        assert client.publish(wf) == wf.id  # again: a new version of the same workflow
        assert client.workflow(wf.id)["published_version"] == 2
        assert client.run(workflow_id, "Can I get a refund?")["output"].startswith("Sorry")
        events = list(client.run(client.publish(chat()), "Are you there?", stream=True))
        assert events[0].event == "msg" and events[-1].event == "output"
        assert events[-1].data["output"] == "Yes, I'm here."

        waiting_id = client.publish(asks_name())
        started = client.start(waiting_id, "hi")
        run_id = started["workflow"]["run"]["id"]
        progress = client.wait(run_id)
        assert progress["workflow"]["run"]["status"] == "WAITING"
        client.respond(run_id, "Grace", request="name")
        final = client.wait(run_id)
        assert final["workflow"]["run"]["results"][-1] == "Nice to meet you, Grace"
        with pytest.raises(ServerError) as failure:
            client.run("nope", "x")
        assert failure.value.status == 404 and failure.value.field == "id"


def test_async_client_streams_and_stops(server: Served) -> None:
    async def go() -> None:
        async with AsyncClient(server.url, server.admin) as client:
            workflow_id = await client.publish(chat())
            names = [e.event async for e in client.stream(workflow_id, "Are you there?")]
            assert names[0] == "msg" and names[-1] == "output" and "stream" in names
            assert (await client.run(workflow_id, "Are you there?"))["output"] == "Yes, I'm here."
            waiting = await client.publish(asks_name())
            run_id = (await client.start(waiting, "hi"))["workflow"]["run"]["id"]
            assert (await client.wait(run_id))["workflow"]["run"]["status"] == "WAITING"
            assert (await client.stop(run_id))["run"]["status"] == "STOPPED"
            with pytest.raises(ServerError) as failure:
                await client.respond(run_id, "late")
            assert failure.value.status == 409

    asyncio.run(go())
