"""Secrets in exports: written as references to environment variables, never as values.

A secret field (an HTTP Output header named in ``secret_headers``, a config ``api_key``) is exported as
``"${env:NAME}"``; loading keeps the reference, and the node resolves it from the environment when it
runs (:func:`resolve`). A value that is already a reference is exported as it is, so the name a person
chose survives every round trip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PREFIX",
    "SecretField",
    "env_name",
    "protect",
    "reference",
    "referenced",
    "resolve",
    "secret_fields",
]

_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
PREFIX = "FLOW_NB_SECRET_"


@dataclass(frozen=True)
class SecretField:
    """One secret in a node's config: where it is, what it holds, the variable it is read from."""

    path: tuple[str, ...]
    """Keys into the config, e.g. ``("headers", "X-Token")``."""
    value: str
    env: str

    @property
    def field(self) -> str:
        """The path as one dotted name (``headers.X-Token``)."""
        return ".".join(self.path)


def reference(name: str) -> str:
    """The reference to environment variable ``name``: ``${env:NAME}``."""
    return "${env:" + name + "}"


def referenced(value: object) -> str | None:
    """The environment variable ``value`` refers to, if it is exactly one reference."""
    if not isinstance(value, str):
        return None
    match = _REF.fullmatch(value.strip())
    return match.group(1) if match else None


def env_name(node_key: str, *parts: str) -> str:
    """The variable a secret of node ``node_key`` is read from: ``FLOW_NB_SECRET_HOOK_X_TOKEN``."""
    words = [re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_").upper() for part in (node_key, *parts)]
    return PREFIX + "_".join(word for word in words if word)


def _first_reference(value: str) -> str | None:
    match = _REF.search(value)
    return match.group(1) if match else None


def secret_fields(node_key: str, type_key: str, config: Mapping[str, Any]) -> Iterator[SecretField]:
    """The secrets in one node's exported config (a JSON-ready dict)."""
    if isinstance(config.get("api_key"), str) and config["api_key"]:
        value = config["api_key"]
        yield SecretField(("api_key",), value, _first_reference(value) or env_name(node_key, "api_key"))
    if type_key != "http_output":
        return
    headers = config.get("headers") or {}
    marked = {str(name).lower() for name in config.get("secret_headers") or []}
    for name, value in headers.items():
        if name.lower() in marked and isinstance(value, str):
            yield SecretField(("headers", name), value, _first_reference(value) or env_name(node_key, name))


def protect(node_key: str, type_key: str, config: dict[str, Any]) -> list[SecretField]:
    """Replace every secret value in ``config`` (in place) by its reference; the secrets found. A value that
    already refers to the environment (``"Bearer ${env:TOKEN}"``) holds no secret and is kept."""
    found = list(secret_fields(node_key, type_key, config))
    for secret in found:
        if _REF.search(secret.value):
            continue
        holder = config
        for key in secret.path[:-1]:
            holder = holder[key]
        holder[secret.path[-1]] = reference(secret.env)
    return found


def resolve(value: str, environ: Mapping[str, str] | None = None) -> str:
    """``value`` with every ``${env:NAME}`` replaced by that environment variable's value.

    A reference to a variable that is not set raises ``KeyError`` naming it (the caller says what to set).
    """
    env = os.environ if environ is None else environ

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise KeyError(name)
        return env[name]

    return _REF.sub(value_of, value)
