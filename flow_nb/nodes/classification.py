"""AI - Classification: an LLM labels the input with one or more predefined labels."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..engine.context import ChatRequest, NodeContext, Outcome
from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import ERROR, Condition, label_condition
from ..model.fields import AIConfig, RequiredText
from ._reply import find_json


class Label(BaseModel):
    """One label, with optional context that helps the LLM understand it."""

    model_config = ConfigDict(extra="forbid")

    label: RequiredText
    context: str | None = None


class ClassificationConfig(AIConfig):
    """Classification node config (seed: labels required; multiple_answers false; unclassified true)."""

    labels: list[Label] = Field(min_length=1)
    multiple_answers: bool = False
    unclassified: bool = True

    @field_validator("labels", mode="before")
    @classmethod
    def _labels_from_text(cls, value: object) -> object:
        # "label: context" lines, a list of names, or a {label: context} mapping all mean the same.
        if isinstance(value, str):
            value = [line for line in value.splitlines() if line.strip()]
        if isinstance(value, dict):
            return [{"label": k, "context": v} for k, v in value.items()]
        if isinstance(value, list):
            return [_label_item(item) for item in value]
        return value

    @field_validator("labels")
    @classmethod
    def _labels_unique(cls, labels: list[Label]) -> list[Label]:
        seen: set[str] = set()
        for item in labels:
            folded = item.label.strip().lower()
            if folded in seen:
                raise ValueError(f"label {item.label!r} repeats; give each label once")
            seen.add(folded)
        return labels


def _label_item(item: object) -> object:
    if isinstance(item, str):
        name, sep, context = item.partition(":")
        return {"label": name.strip(), "context": context.strip() or None if sep else None}
    return item


LABELED_NONE = Condition(
    id=1000,
    system_name="labeled_none",
    display_name="Labeled 0 items (Unclassified)",
    aliases=("none", "unclassified"),
)
LABELED_ONE = Condition(id=1002, system_name="labeled_one", display_name="Labeled 1 item", aliases=("one",))
LABELED_MULTIPLE = Condition(
    id=1003, system_name="labeled_multiple", display_name="Labeled multiple items", aliases=("multiple",)
)


@register
class Classification(NodeType):
    key = "classification"
    type_id = 6
    display_name = "AI - Classification"
    family = "ai"
    config_model = ClassificationConfig
    main_field = "labels"
    conditions = (LABELED_NONE, LABELED_ONE, LABELED_MULTIPLE)
    description = "Label the input with one (or several) of the given labels."

    def conditions_for(self, config: NodeConfig) -> tuple[Condition, ...]:
        assert isinstance(config, ClassificationConfig)
        labels = tuple(label_condition(item.label) for item in config.labels)
        return (*self.conditions, *labels, ERROR)

    async def run(self, ctx: NodeContext[ClassificationConfig]) -> Outcome:
        config = ctx.config
        names = [item.label for item in config.labels]
        listed = "\n".join(
            f"- {item.label}" + (f": {item.context}" if item.context else "") for item in config.labels
        )
        how = (
            "Choose every label that applies."
            if config.multiple_answers
            else "Choose the one label that fits best."
        )
        if config.unclassified:
            how += ' If no label fits, reply {"labels": []}.'
        else:
            how += " You must choose."
        system = (
            f"You classify a text with these labels:\n{listed}\n{how} "
            'Reply with JSON {"labels": [...]}, nothing else.'
        )
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"labels": {"type": "array", "items": {"type": "string", "enum": names}}},
            "required": ["labels"],
            "additionalProperties": False,
        }
        reply = await ctx.chat(
            ChatRequest(
                [{"role": "system", "content": system}, {"role": "user", "content": ctx.text}],
                temperature=config.temperature,
                schema=schema,
            )
        )
        chosen = _labels(reply.text, names)
        if not config.multiple_answers:
            chosen = chosen[:1]
        if not chosen:
            return ctx.outcome([], LABELED_NONE)
        count = LABELED_ONE if len(chosen) == 1 else LABELED_MULTIPLE
        return ctx.outcome(chosen, count, *(label_condition(name) for name in chosen))


def _labels(text: str, names: list[str]) -> list[str]:
    canonical = {name.lower(): name for name in names}
    value = find_json(text)
    if isinstance(value, dict):
        value = value.get("labels", value.get("label", value.get("result")))
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        found = [canonical[str(v).strip().lower()] for v in value if str(v).strip().lower() in canonical]
        return list(dict.fromkeys(found))
    # prose: the labels it names, in the order it names them
    hits = []
    for name in names:
        match = re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text, re.I)
        if match:
            hits.append((match.start(), name))
    return [name for _, name in sorted(hits)]
