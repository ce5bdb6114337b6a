"""Reading what a model answered: JSON when it obeyed, plain prose when it did not.

Small local models answer in prose ("Yes, it is about money."), wrap JSON in code fences, or add a
preamble; every parser here tries the structured form first and then reads the words.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["find_json", "first_word_of", "list_items"]

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def find_json(text: str) -> Any:
    """The first JSON value in ``text`` (bare, fenced or embedded in prose), or None."""
    candidates = [text.strip(), *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except (json.JSONDecodeError, ValueError):
            pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
            return value
        except json.JSONDecodeError:
            continue
    return None


def first_word_of(text: str, words: dict[str, str]) -> str | None:
    """The meaning of the first of ``words`` (word -> meaning) that ``text`` contains, whole-word."""
    pattern = r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"
    match = re.search(pattern, text, re.I)
    return words[match.group(1).lower()] if match else None


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\(\d+\))\s+")


def list_items(text: str) -> list[str]:
    """Items of a list the model wrote as JSON, or as bulleted / numbered / plain lines."""
    value = find_json(text)
    if isinstance(value, dict):
        value = next((v for v in value.values() if isinstance(v, list)), None)
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    lines = [line for line in text.splitlines() if line.strip()]
    bulleted = [line for line in lines if _BULLET.match(line)]
    chosen = bulleted or lines
    return [_BULLET.sub("", line).strip().strip('"') for line in chosen if _BULLET.sub("", line).strip()]
