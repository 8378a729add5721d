"""Coarse pass on the whole lxml tree: drop what can never be article text.

Runs before the article is located, so furniture cannot win the vote and the
later BeautifulSoup pass only sees a small region.
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from . import dom
from .locate import INLINE
from .rules.ruleset import RuleSet
from .trace import Trace

# Elements that hold no readable article text.
NON_CONTENT = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "video", "audio", "source", "track", "map", "button", "input", "select", "option", "textarea",
    "link", "meta", "head", "dialog", "base", "param", "frame", "frameset", "applet",
})
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Containers that the furniture class pattern must never remove: they hold the whole page.
NEVER_UNLIKELY = frozenset({"html", "body", "article", "main", "a", "table", "tbody", "tr", "td", "th", "p", "pre"})


class _Rule:
    """Built-in reasons for structural removals, shaped like a pack rule for the trace."""

    def __init__(self, id: str, reason: str, selector: str | None = None) -> None:
        self.id, self.reason, self.selector = id, reason, selector


NON_CONTENT_RULE = _Rule("non-content", "scripts, styles, forms, media and other elements without article text")
FLATTEN_RULE = _Rule("flatten-deep", "nested deeper than max_depth: flattened to lines of text, text kept")
HIDDEN_RULE = _Rule("hidden", "hidden from readers (hidden attribute, aria-hidden or display:none)")


@lru_cache(maxsize=8)
def _deep_xpath(depth: int) -> etree.XPath:
    # Elements at exactly `depth` that have children: evaluated in C, linear in the tree.
    return etree.XPath("/*" * depth + "[*]")


def flatten_deep(root, max_depth: int, trace: Trace) -> None:
    """Replace what lies below `max_depth` by its text, one line per block, so no text is lost.

    Later passes (BeautifulSoup, scoring, cleaning) then never meet absurd depths.
    """
    for el in _deep_xpath(max_depth)(root):
        lines = [line for line in _flat_text(el).split("\n") if line.strip()]
        for child in list(el):
            el.remove(child)
        el.text = lines[0] if lines else None
        for line in lines[1:]:
            etree.SubElement(el, "br").tail = line
        trace.record("prune", FLATTEN_RULE.id, FLATTEN_RULE.reason, " ".join(lines), action="flatten")


def _flat_text(el) -> str:
    """Text under `el` in document order, a newline at each block; no scripts, no hidden parts."""
    out = [el.text or ""]
    stack = [(child, False) for child in reversed(el)]
    while stack:  # iterative: the subtree can be 100,000 levels deep
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            if tag not in INLINE:
                out.append("\n")
            out.append(node.tail or "")
            continue
        if not isinstance(tag, str) or tag in NON_CONTENT or is_hidden(node):
            out.append(node.tail or "")
            continue
        if tag not in INLINE or tag == "br":
            out.append("\n")
        out.append(node.text or "")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return "".join(out)


def drop_outermost(hits, trace: Trace) -> None:
    """Remove each hit `(element, rule, selector, stage)` unless an ancestor already went."""
    removed: set = set()
    for el, rule, selector, stage in hits:
        if any(a in removed for a in el.iterancestors()):
            continue
        removed.add(el)
        trace.record(stage, rule.id, rule.reason, dom.text_of(el), selector=selector)
        dom.drop(el)


def protected_elements(root, rules: RuleSet) -> set:
    """Elements matching --keep, with their ancestors and descendants: never removed."""
    if not rules.keep_index:
        return set()
    out: set = set()
    for el in root.iter(etree.Element):
        if any(True for _ in rules.keep_index.match(el.tag, el.get, el.get("class"))):
            out.update(el.iter(etree.Element))
            out.update(el.iterancestors())
    return out


def drop_non_content(root, trace: Trace) -> None:
    """Scripts, styles, form controls, media: one trace event, not one per script."""
    doomed = [el for el in root.iter(etree.Element) if el.tag in NON_CONTENT and el is not root]
    doomed += list(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity))
    for el in doomed:
        dom.drop(el)
    if doomed:
        trace.record("prune", NON_CONTENT_RULE.id, NON_CONTENT_RULE.reason, "")
        trace.events[-1].preview = f"{len(doomed)} elements"


def is_hidden(el) -> bool:
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    return bool(style and HIDDEN_STYLE.search(style))


def outermost(root, test):
    """Yield `(element, test(element))` for elements where the test is truthy, in document order,
    without looking inside them: their subtrees go anyway, and on huge pages most of the
    tree can sit inside one doomed block."""
    it = root.iter(etree.Element)
    el = next(it, None)
    while el is not None:
        found = test(el)
        if not found:
            el = next(it, None)
            continue
        yield el, found
        stop = _following(el)
        if stop is None:
            return
        for el in it:  # skip the subtree at C speed
            if el is stop:
                break
        else:
            return


def _following(el):
    """The first element after `el`'s subtree in document order."""
    while el is not None:
        nxt = el.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is not None:
            return nxt
        el = el.getparent()
    return None


def drop_hidden(root, trace: Trace, protected: set) -> None:
    def test(el):
        return is_hidden(el) and el not in protected and el.tag not in ("html", "body")

    drop_outermost([(el, HIDDEN_RULE, None, "prune") for el, _ in outermost(root, test)], trace)


def drop_by_selectors(root, rules: RuleSet, trace: Trace, protected: set) -> None:
    """Simple selector rules (pack, site and --drop) on the whole tree."""
    if not rules.index.buckets:
        return
    match = rules.index.match

    def test(el):
        if el.tag in ("html", "body") or el in protected:
            return None
        return next(iter(match(el.tag, el.get, el.get("class"))), None)

    hits = []
    for el, (simple, rule) in outermost(root, test):
        stage = "site-rules" if rule.origin.startswith("site:") else "chrome"
        hits.append((el, rule, simple.text, stage))
    drop_outermost(hits, trace)


def drop_unlikely(root, rules: RuleSet, trace: Trace, protected: set) -> None:
    """Class/id furniture patterns (readability's 'unlikely candidates')."""
    def test(el):
        if el.tag in NEVER_UNLIKELY or el in protected:
            return None
        names = dom.class_and_id(el)
        if not names:
            return None
        for pattern, unless, rule in rules.class_rules:
            if pattern.search(names) and not (unless and unless.search(names)):
                return rule, names
        return None

    hits = [(el, rule, f"[class/id: {names[:60]}]", "chrome") for el, (rule, names) in outermost(root, test)]
    drop_outermost(hits, trace)
