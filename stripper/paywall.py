"""Machine-readable paywall signals a page declares about itself (schema.org and Open Graph)."""
from __future__ import annotations

import re

# JSON-LD `"isAccessibleForFree": false` (also written "False" or as a string).
NOT_FREE = re.compile(r'"isAccessibleForFree"\s*:\s*"?(false|no)"?', re.I)
LOCKED_TIERS = ("locked", "metered")


def declared(root) -> list[str]:
    """Signals like `jsonld:isAccessibleForFree=false`, `meta:content_tier=locked`; read before scripts go."""
    signals = []
    for el in root.iter("script", "meta"):
        if el.tag == "script":
            if (el.get("type") or "").lower() == "application/ld+json" and NOT_FREE.search(el.text or ""):
                signals.append("jsonld:isAccessibleForFree=false")
        elif el.get("property") == "article:content_tier":
            tier = (el.get("content") or "").strip().lower()
            if tier in LOCKED_TIERS:
                signals.append(f"meta:content_tier={tier}")
    return sorted(set(signals))
