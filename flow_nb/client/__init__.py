"""A Python client of the flow_nb server, sync (:class:`Client`) and async (:class:`AsyncClient`).

from flow_nb.client import Client
with Client("http://127.0.0.1:8000", key="fnb_...") as client:   # or FLOW_NB_API_KEY
    workflow_id = client.publish(wf)                              # store + publish; its id
    print(client.run(workflow_id, "Can I get a refund?")["output"])
    for event in client.run(workflow_id, "Can I get a refund?", stream=True):
        print(event.event, event.data)                            # msg / stream / output / error
"""

from __future__ import annotations

from ._common import KEY_VARIABLE, ServerError, curl_line
from .aio import AsyncClient
from .sse import ServerEvent, aiter_events, iter_events
from .sync import Client

__all__ = [
    "KEY_VARIABLE",
    "AsyncClient",
    "Client",
    "ServerError",
    "ServerEvent",
    "aiter_events",
    "curl_line",
    "iter_events",
]
