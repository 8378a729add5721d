"""The result of stripping one page."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Paywall:
    detected: bool = False
    truncated: bool = False
    signals: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"detected": self.detected, "truncated": self.truncated, "signals": list(self.signals)}


@dataclass
class Article:
    """Clean article text plus what is known about the page.

    `text` is the body without the headline: paragraphs separated by one blank line.
    """

    text: str = ""
    title: str | None = None
    url: str | None = None
    author: str | None = None
    site: str | None = None
    aggregator: str | None = None
    published: str | None = None
    language: str | None = None
    description: str | None = None
    paywall: Paywall = field(default_factory=Paywall)
    removed: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None  # cleaned article HTML, when rendered
    markdown: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "site": self.site,
            "aggregator": self.aggregator,
            "published": self.published,
            "language": self.language,
            "description": self.description,
            "text": self.text,
            "word_count": self.word_count,
            "paywall": self.paywall.to_dict(),
            "removed": list(self.removed),
        }
