"""Is the page behind a paywall, and did the wall cut the article short?

Two kinds of evidence. What the page declares about itself (schema.org
`isAccessibleForFree`, `article:content_tier`), read before scripts and
<head> are pruned. And what the pipeline removed: a wall prompt where the
readable text ends (a cut), a site profile's wall marker, or paywall markup
that holds a wall prompt. A "Subscribe" button or an empty paywall container
(pages ship them, filled by JavaScript only for walled readers) is no evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import dom, jsonld
from .model import Paywall

# JSON-LD that would not parse: `"isAccessibleForFree": false` (also written "False" or as a string).
NOT_FREE = re.compile(r'"isAccessibleForFree"\s*:\s*"?(?:https?://schema\.org/)?(false|no)"?', re.I)
LOCKED_TIERS = ("locked", "metered")


@dataclass
class Declared:
    signals: list[str] = field(default_factory=list)
    locked_selectors: list[str] = field(default_factory=list)  # hasPart cssSelector of the locked part
    locked_chars: int = 0  # text the page holds under those selectors


def declared(head, root) -> Declared:
    """Signals like `jsonld:isAccessibleForFree=false`, `meta:content_tier=locked`.

    Needs the whole tree (before pruning): a `hasPart` cssSelector names the locked
    part, and whether the page still holds its text tells a full copy from a teaser.
    """
    out = Declared()
    signals = out.signals
    if any(jsonld.is_false(n.get("isAccessibleForFree")) for n in head.nodes if "isAccessibleForFree" in n):
        signals.append("jsonld:isAccessibleForFree=false")
    elif any(NOT_FREE.search(text) for text in head.unparsed):
        signals.append("jsonld:isAccessibleForFree=false")
    for el in head.items.get("isaccessibleforfree", []):
        if jsonld.is_false(el.get("content")):
            signals.append("microdata:isAccessibleForFree=false")
    for tier in head.meta.get("article:content_tier", []):
        if tier.lower() in LOCKED_TIERS:
            signals.append(f"meta:content_tier={tier.lower()}")
    for node in head.nodes:
        selector = node.get("cssSelector")
        if isinstance(selector, str) and selector.strip() and jsonld.is_false(node.get("isAccessibleForFree")):
            out.locked_selectors.append(selector.strip())
    if out.locked_selectors:
        out.locked_chars = _text_under(root, out.locked_selectors)
        signals.extend(f"jsonld:hasPart={sel}" for sel in out.locked_selectors)
    out.signals = sorted(set(signals))
    return out


def _text_under(root, selectors: list[str]) -> int:
    from .rules.selectors import parse_chain, select_lxml

    total = 0
    for raw in selectors:
        for selector in raw.split(","):
            chain = parse_chain(selector.strip())
            for el in select_lxml(root, chain) if chain else ():
                total += len(dom.text_of(el))
    return total


def judge(found: Declared, events, rules, walls_seen: set[str], text_chars: int, opts) -> Paywall:
    """The verdict from declared signals and the trace of what was removed.

    A paywall rule counts when it comes from a site profile (markup specific
    to the site), when what it removed reads as a wall prompt of at least
    `opts.min_wall_prompt_chars` characters, or when it marked a cut that
    removed what followed (the readable part ends there): a lone "Subscribe
    now" closing a free article is neither.
    """
    paywall_rules = {r.id: r for r in rules.rules if r.paywall}
    hits: set[str] = set()
    cut = False
    markers: set[str] = set()  # rules whose cut marker has been seen: later cut events are what followed it
    for e in events:
        rule = paywall_rules.get(e.rule_id)
        if rule is None or e.action == "revert":
            continue
        site_rule = rule.origin.startswith("site:")
        if e.action == "cut" and rule.id in markers:
            wall = e.chars > 0  # the marker was followed by content, and the cut took it
        else:
            wall = site_rule or is_prompt(e.preview, rules, opts)
            if e.action == "cut":
                markers.add(rule.id)
        if wall:
            hits.add(rule.id)
            cut = cut or e.action == "cut"
    hits.update(rid for rid in walls_seen if rid in paywall_rules and paywall_rules[rid].origin.startswith("site:"))
    signals = found.signals + [f"rule:{rid}" for rid in sorted(hits)]
    if not signals:
        return Paywall()
    teaser = bool(found.signals) and text_chars < opts.min_article_chars
    locked_gone = bool(found.locked_selectors) and found.locked_chars < opts.min_article_chars
    return Paywall(detected=True, truncated=cut or teaser or locked_gone, signals=signals)


def is_prompt(text: str, rules, opts) -> bool:
    """A sentence-long wall prompt ("Subscribe to continue reading"), not a button ("Subscribe now")."""
    text = text.rstrip("…")
    if len(text) < opts.min_wall_prompt_chars:
        return False
    m = rules.match_phrases(text, max(len(text), opts.max_phrase_block_chars))
    return m is not None and m.rule.cut and m.rule.paywall
