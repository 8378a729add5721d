"""Coarse pass on the whole lxml tree: drop what can never be article text.

Runs before the article is located, so furniture cannot win the vote and the
later BeautifulSoup pass only sees a small region.
"""
from __future__ import annotations

import re

from lxml import etree

from . import dom
from .options import Options
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
HIDDEN_RULE = _Rule("hidden", "hidden from readers (hidden attribute, aria-hidden or display:none)")


def _prose(el) -> int:
    """Characters of paragraph text under `el`: what the article is made of."""
    return sum(len(dom.text_of(p)) for p in el.iter("p"))


def drop_outermost(hits, root, stage: str, trace: Trace, opts: Options) -> None:
    """Remove each hit `(element, rule, selector, stage)` unless an ancestor already goes.

    Plan first, then apply, with two safety valves: a rule that would take an element
    holding most of the page's paragraph text (an article wrapper whose class happens to
    say "paywall" or "promo") is skipped, and a stage that would leave less than an
    article's worth of text is reverted whole. Both are recorded in the trace.
    """
    prose = _prose(root)
    if prose >= opts.min_article_chars:
        kept = []
        for hit in hits:
            if _prose(hit[0]) > opts.safety_valve_share * prose:
                trace.record(hit[3], "safety-valve", f"rule {hit[1].id} would remove most of the page's paragraphs",
                             dom.text_of(hit[0]), selector=hit[2], action="revert")
            else:
                kept.append(hit)
        hits = kept
    chosen: set = set()
    plan = []
    for hit in hits:
        el = hit[0]
        if el in chosen or any(a in chosen for a in el.iterancestors()):
            continue
        chosen.add(el)
        plan.append(hit)
    if not plan:
        return
    total = len(dom.text_of(root))
    doomed = sum(len(dom.text_of(hit[0])) for hit in plan)
    if total and doomed / total > opts.safety_valve_share and total - doomed < opts.min_article_chars:
        trace.record(stage, "safety-valve", f"stage would have removed {doomed} of {total} characters",
                     "", action="revert")
        trace.events[-1].preview = f"{len(plan)} removals not applied"
        return
    for el, rule, selector, hit_stage in plan:
        trace.record(hit_stage, rule.id, rule.reason, dom.text_of(el), selector=selector)
        dom.drop(el)


def protected_elements(root, rules: RuleSet) -> set:
    """Elements matching --keep, with their ancestors and descendants: never removed."""
    if not rules.keep_index:
        return set()
    out: set = set()
    for el in root.iter(etree.Element):
        if any(True for _ in rules.keep_index.match(el.tag, el.get, el.get("class"), el.keys())):
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


def drop_hidden(root, trace: Trace, protected: set, opts: Options) -> None:
    drop_outermost([(el, HIDDEN_RULE, None, "prune") for el in root.iter(etree.Element)
                    if is_hidden(el) and el not in protected and el.tag not in ("html", "body")],
                   root, "prune", trace, opts)


def drop_by_selectors(root, rules: RuleSet, trace: Trace, protected: set, opts: Options) -> set[str]:
    """Simple selector rules (pack, site and --drop) on the whole tree.

    Returns the ids of paywall rules whose selectors matched anywhere, removed or not: wall
    markers (cut rules) are only noted here and cut later, inside the article.
    """
    walls: set[str] = set()
    hits = []
    for el in root.iter(etree.Element):
        if el.tag in ("html", "body") or el in protected:
            continue
        get, cls, names = el.get, el.get("class"), el.keys()
        if rules.cut_index.buckets:
            walls.update(r.id for _, r in rules.cut_index.match(el.tag, get, cls, names) if r.paywall)
        chosen = None
        for simple, rule in rules.index.match(el.tag, get, cls, names):
            if rule.max_chars and len(dom.text_of(el)) > rule.max_chars:
                continue  # too big to be what the rule means (an article wrapper named "paywall-...")
            if rule.paywall:
                walls.add(rule.id)
            if chosen is None:
                chosen = (simple, rule)
        if chosen is not None:
            simple, rule = chosen
            stage = "site-rules" if rule.origin.startswith("site:") else "chrome"
            hits.append((el, rule, simple.text, stage))
    drop_outermost(hits, root, "rules", trace, opts)
    return walls


def drop_unlikely(root, rules: RuleSet, trace: Trace, protected: set, opts: Options) -> None:
    """Class/id furniture patterns (readability's 'unlikely candidates')."""
    hits = []
    for el in root.iter(etree.Element):
        if el.tag in NEVER_UNLIKELY or el in protected:
            continue
        names = dom.class_and_id(el)
        if not names:
            continue
        for pattern, unless, rule in rules.class_rules:
            if pattern.search(names) and not (unless and unless.search(names)):
                hits.append((el, rule, f"[class/id: {names[:60]}]", "chrome"))
                break
    drop_outermost(hits, root, "chrome", trace, opts)
