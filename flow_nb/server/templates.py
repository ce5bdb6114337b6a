"""Built-in workflow templates: ``GET /api/v1/templates`` and ``POST /api/v1/workflows/from-template``.

Each is built with the same Python API a notebook uses, fresh (new ids) every time it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from ..workflow import Workflow

__all__ = ["TEMPLATES", "build"]


def support_triage() -> Workflow:
    """The seed's money example: refuse money questions, forward the rest."""
    wf = Workflow(
        name="Support triage",
        description="Refuse money related questions; forward everything else to a customer service agent.",
        category="support",
    )
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, we do not answer money related questions.", after="money:true")
    wf.node(
        "forward",
        "feedback",
        "I will forward your message to a customer service agent.",
        after=["money:false", "money:undecided"],
    )
    return wf


def summarize() -> Workflow:
    """An assistant that summarises its input, and shows the summary."""
    wf = Workflow(name="Summarize", description="Summarize a text in three sentences.", category="content")
    wf.node("text", "text_input", "Paste the text to summarize", start=True)
    wf.node("summary", "assistant", "Summarize the input in three sentences.", after="text")
    wf.node("show", "feedback", "{{result}}", after="summary")
    return wf


def ticket_router() -> Workflow:
    """A classification that routes a ticket to one of three queues."""
    wf = Workflow(
        name="Ticket router",
        description="Label a support ticket and say which queue it goes to.",
        category="support",
    )
    wf.node("ticket", "text_input", "Describe your problem", start=True)
    wf.node(
        "topic",
        "classification",
        "billing: invoices, refunds, payments\nbug: something does not work\nquestion: how do I ...",
        after="ticket",
    )
    for label in ("billing", "bug", "question"):
        wf.node(f"to {label}", "feedback", f"Routed to the {label} queue.", after=f"topic:label:{label}")
    wf.node("unsure", "feedback", "Routed to a person for triage.", after="topic:none")
    return wf


TEMPLATES: dict[str, Callable[[], Workflow]] = {
    "support-triage": support_triage,
    "summarize": summarize,
    "ticket-router": ticket_router,
}
"""Template id → a function that builds it."""


def build(template_id: str) -> Workflow | None:
    """A fresh workflow from a template, or None if there is no such template."""
    factory = TEMPLATES.get(template_id)
    return factory() if factory is not None else None
