"""AI - Classification: an LLM labels the input with one or more predefined labels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..model.catalog import NodeConfig, NodeType, register
from ..model.condition import ERROR, Condition, label_condition
from ..model.fields import AIConfig, RequiredText


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
