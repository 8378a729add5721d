"""What the page says about itself: headline (more fields come from the same sources)."""
from __future__ import annotations

import re

from lxml import etree

from . import dom

TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/|\\)\s+")


def _meta(root, *names: str) -> str | None:
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key in names:
            value = (el.get("content") or "").strip()
            if value:
                return " ".join(value.split())
    return None


def clean_title(raw: str, site: str | None = None) -> str:
    """Drop a site name appended with a separator: 'Headline | The Guardian' -> 'Headline'."""
    raw = " ".join(raw.split())
    parts = TITLE_SEPARATORS.split(raw)
    if len(parts) == 1:
        return raw
    if site:
        kept = [p for p in parts if p.casefold() != site.casefold()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    head = TITLE_SEPARATORS.split(raw)[0]
    # Keep the longest part when the first is too short to be a headline ("News | Headline").
    if len(head.split()) < 3:
        return max(parts, key=len)
    before_last = raw[: [m.start() for m in TITLE_SEPARATORS.finditer(raw)][-1]]
    return before_last if len(before_last.split()) >= 3 else head


def title(root) -> str | None:
    """The headline: the page's <h1> when it agrees with the declared titles, else og:title or <title>."""
    site = _meta(root, "og:site_name", "application-name")
    declared = _meta(root, "og:title", "twitter:title")
    title_el = root.find(".//title")
    doc_title = dom.text_of(title_el) if title_el is not None else None
    h1s = [dom.text_of(h) for h in root.iter("h1")]
    h1s = [h for h in h1s if h]
    for h in h1s:
        for candidate in (declared, doc_title):
            if candidate and h.casefold() in candidate.casefold() and len(h.split()) >= 2:
                return h
    for candidate in (declared, doc_title):
        if candidate:
            return clean_title(candidate, site)
    return h1s[0] if h1s else None
