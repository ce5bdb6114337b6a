"""The workflow server: publish workflows, run them over REST with streaming.

It speaks the APIs of the four seed documents: FlowAI's run API (``000_…``), FlowFlow's start/progress
(``001_…``), workflow management (``002_…``) and Dify's workflow-app API (``003_…``). Start it with
``flow-nb serve``, or build the ASGI app with :func:`create_app`.
"""

from __future__ import annotations

from .app import DEFAULT_RATE_LIMIT, create_app
from .background import BackgroundServer
from .db import Database, database_url

__all__ = ["DEFAULT_RATE_LIMIT", "BackgroundServer", "Database", "create_app", "database_url"]
