"""HTTP Output: POSTs the result as JSON to an endpoint."""

from __future__ import annotations

import httpx
from pydantic import Field

from ..engine.context import NodeContext, Outcome
from ..errors import NodeRunError
from ..formats.secrets import resolve
from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import Condition
from ..model.fields import RequiredText


class HttpOutputConfig(NodeConfig):
    """HTTP Output config (seed: endpoint required)."""

    endpoint: RequiredText
    headers: dict[str, str] = Field(default_factory=dict)
    secret_headers: list[str] = Field(default_factory=list)
    """Header names whose values are secrets: exported as environment references, never as values."""
    timeout: float = Field(default=30.0, gt=0)


JSON_RETURNED = Condition(
    id=20200, system_name="json_returned", display_name="JSON data returned by the webhook", aliases=("json",)
)
STATUS_200 = Condition(
    id=20201, system_name="status_200", display_name="HTTP Response status code is 200", aliases=("200", "ok")
)
STATUS_NOT_200 = Condition(
    id=20202,
    system_name="status_not_200",
    display_name="HTTP Response status code is NOT 200",
    aliases=("not_200",),
)


@register
class HttpOutput(NodeType):
    key = "http_output"
    type_id = 4
    display_name = "HTTP Output"
    family = "http"
    config_model = HttpOutputConfig
    main_field = "endpoint"
    conditions = (JSON_RETURNED, STATUS_200, STATUS_NOT_200)
    default_condition = "status_200"
    description = 'POST {"result": ...} as JSON to the endpoint.'

    async def run(self, ctx: NodeContext[HttpOutputConfig]) -> Outcome:
        config = ctx.config
        try:  # exports hold secrets as ${env:NAME}: read them from the environment of this run
            headers = {name: resolve(value) for name, value in config.headers.items()}
        except KeyError as missing:
            raise NodeRunError(
                f"a header refers to the environment variable {missing.args[0]}, which is not set; "
                "set it where the workflow runs (the export keeps secrets out of the file)"
            ) from None
        async with httpx.AsyncClient(timeout=config.timeout, follow_redirects=True) as client:
            response = await client.post(config.endpoint, json={"result": ctx.input}, headers=headers)
        met = [STATUS_200 if response.status_code == 200 else STATUS_NOT_200]
        result: object = response.text
        if "json" in response.headers.get("content-type", "") or response.text.lstrip().startswith(
            ("{", "[")
        ):
            try:
                result = response.json()
                met.insert(0, JSON_RETURNED)
            except ValueError:
                pass
        message = (
            "OK" if response.status_code == 200 else f"the endpoint answered HTTP {response.status_code}"
        )
        return ctx.outcome(result, *met, message=message)
