"""Conditions: what a node run can meet, and what a relation fires on.

The ids and system names are the seed's (``001_…``: 1000 … 20202); flow_nb adds its own for the types the
seed leaves "coming soon" (code, data search), one ``label:<name>`` condition per classification label,
and the universal ``error`` condition that every node can meet.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ERROR", "LABEL_PREFIX", "Condition", "label_condition"]

LABEL_PREFIX = "label:"


class Condition(BaseModel):
    """A condition as it appears in the export: ``{"id", "system_name", "display_name"}``.

    ``aliases`` are the short names a person may type (``true`` for ``boolean_true``); they are not
    exported.
    """

    model_config = ConfigDict(frozen=True)

    id: int | str
    system_name: str
    display_name: str
    aliases: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

    def names(self) -> tuple[str, ...]:
        """Every name this condition answers to, lower-cased: system name, aliases and id."""
        names = (self.system_name.lower(), *(a.lower() for a in self.aliases), str(self.id).lower())
        return tuple(dict.fromkeys(names))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Condition):
            return NotImplemented
        return self.id == other.id and self.system_name == other.system_name

    def __hash__(self) -> int:
        return hash((self.id, self.system_name))


ERROR = Condition(id=90000, system_name="error", display_name="Node run failed")
"""The universal condition: met when a node run fails. A failure no relation handles fails the run."""


def label_condition(label: str) -> Condition:
    """The condition a classification meets when it chose ``label``."""
    name = f"{LABEL_PREFIX}{label}"
    return Condition(id=name, system_name=name, display_name=f"Labeled {label}")
