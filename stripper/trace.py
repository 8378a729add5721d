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
    # The retry ladder's flags (Options fields) that changed something in this attempt: relaxing
    # one that did not would give the same result again (see pipeline.retry_needed).
    relaxable: set[str] = field(default_factory=set)

    def record(self, stage: str, rule_id: str, reason: str, text: str, *,
               selector: str | None = None, action: str = "remove", chars: int | None = None) -> None:
        """Note a removal. `text` may be just the start of the removed text when `chars` gives its size."""
        size = len(text) if chars is None else chars
        self.events.append(Event(stage, rule_id, reason, selector, size, preview(text), action))

    def refuses(self, stage: str, total: int, doomed: int, planned: int, opts: Any, *,
                share: float | None = None, unit: str = "characters") -> bool:
        """The safety valve: True (and noted) when a stage's plan would remove more than `share` of
        the article's `total` and leave less than an article; the caller then applies nothing."""
        share = opts.safety_valve_share if share is None else share
        if not (total and doomed / total > share and total - doomed < opts.min_article_chars):
            return False
        self.record(stage, "safety-valve", f"stage would have removed {doomed} of {total} {unit}", "",
                    action="revert")
        self.events[-1].preview = f"{planned} removals not applied"
        return True

    def rule_ids(self) -> set[str]:
        return {e.rule_id for e in self.events}
