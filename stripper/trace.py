"""The record of what was removed and why.

Every removal in the pipeline is noted with `Trace.record`, so `--explain`,
`--format json` and the tests all read one account of what happened.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PREVIEW_CHARS = 80


@dataclass
class Event:
    stage: str
    rule_id: str
    reason: str
    selector: str | None
    chars: int
    preview: str
    action: str = "remove"  # remove | cut | revert

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "rule": self.rule_id,
            "reason": self.reason,
            "selector": self.selector,
            "action": self.action,
            "chars": self.chars,
            "preview": self.preview,
        }


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class BuiltinRule:
    """A built-in reason for a removal that no pack rule names (hidden, teaser card, ...)."""

    id: str
    reason: str
    selector: str | None = None


@dataclass
class Trace:
    events: list[Event] = field(default_factory=list)

    def record(self, stage: str, rule_id: str, reason: str, text: str, *,
               selector: str | None = None, action: str = "remove", chars: int | None = None) -> None:
        """Note a removal. `text` may be just the start of the removed text when `chars` gives its size."""
        size = len(text) if chars is None else chars
        self.events.append(Event(stage, rule_id, reason, selector, size, preview(text), action))

    def rule_ids(self) -> set[str]:
        return {e.rule_id for e in self.events}
