"""A scripted demo model, for notebooks opened with no model endpoint configured.

It reads flow_nb's own prompts and answers by simple word matching (money words, label names,
numbered items), so a quickstart runs end to end and branches plausibly. It is not a language model;
every view that shows its output labels it as scripted.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .rules import last_user_text, message_text

__all__ = ["DEMO_LABEL", "demo_reply"]

DEMO_LABEL = "scripted demo model (flow_nb.testing), not a real LLM"

MONEY = {
    "refund",
    "refunds",
    "money",
    "pay",
    "paid",
    "payment",
    "payments",
    "price",
    "cost",
    "costs",
    "invoice",
    "charge",
    "charged",
    "bill",
    "billing",
    "euro",
    "euros",
    "dollar",
    "dollars",
    "credit",
    "card",
    "bank",
    "discount",
    "fee",
    "fees",
    "salary",
    "$",
    "€",
    "reimburse",
    "cash",
    "much",
    "expensive",
    "cheap",
}
_WORD = re.compile(r"[\w$€]+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 3 or w in ("$", "€")}


def _system(request: dict[str, Any]) -> str:
    return "\n".join(message_text(m) for m in request.get("messages", []) if m.get("role") == "system")


def demo_reply(request: dict[str, Any]) -> str:
    """A plausible reply to one of flow_nb's node prompts."""
    system, user = _system(request), last_user_text(request)
    if "You judge whether a text meets a criterion" in system:
        criterion, _, text = user.partition("\n\nText:\n")
        wanted = MONEY if _words(criterion) & MONEY or "money" in criterion.lower() else _words(criterion)
        return json.dumps({"answer": "true" if _words(text) & wanted else "false"})
    if "You classify a text with these labels" in system:
        labels = re.findall(r"^- ([^:\n]+)(?::(.*))?$", system, re.M)
        said = _words(user)
        scored = [(len(said & _words(f"{name} {context}")), name.strip()) for name, context in labels]
        best = max(scored, default=(0, ""))
        return json.dumps({"labels": [best[1]] if best[0] else []})
    match = re.search(r"Generate exactly (\d+) items", system)
    if match:
        count = int(match.group(1))
        topic = " ".join(user.split()[:6]) or "the topic"
        return json.dumps({"items": [f"Idea {i + 1} about {topic}" for i in range(count)]})
    if "If you cannot, reply with exactly: CANNOT COMPLETE" in system:
        return f"(scripted demo) {user.strip()[:300]}"
    if "Answer the user's question" in system:
        return (
            f"(scripted demo answer) You asked: {user.strip()[:200]}. A real model would answer from what it "
            "knows and the context the node gives it; this scripted one only shows how the answer streams "
            "in, "
            "token by token, under the node that produces it."
        )
    images = [
        part
        for message in request.get("messages", [])
        if isinstance(message.get("content"), list)
        for part in message["content"]
        if isinstance(part, dict) and part.get("type") == "image_url"
    ]
    return "(scripted demo) a caption of the image" if images else "OK"
