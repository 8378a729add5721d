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
        el.text = dom.settable(lines[0]) if lines else None
        for line in lines[1:]:
            etree.SubElement(el, "br").tail = dom.settable(line)
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


# Inline elements that only style text: unwrapping them changes no word of the output.
STYLE_ONLY = ("span", "font", "b", "i", "em", "strong", "u", "s", "small", "big", "mark", "sub", "sup",
              "abbr", "cite", "code", "kbd", "samp", "var", "tt", "strike", "del", "ins", "nobr", "bdi", "bdo",
              "q", "dfn", "time", "data", "label")
UNWRAP_MARK = "stripper-unwrap"
SIMPLIFY_RULE = _Rule("simplify-huge", "page with more than max_elements elements: bare styling unwrapped, "
                      "text kept")
MERGE_RULE = _Rule("merge-huge-region", "article region with more than max_region_elements elements: blocks "
                   "merged into at most that many paragraphs, text kept")
_COUNT = etree.XPath("count(descendant-or-self::*)")


def element_count(el) -> int:
    return int(_COUNT(el))


def simplify_huge(root, max_elements: int, trace: Trace):
    """Before any per-element pass: a tree of more than `max_elements` loses its bare styling
    elements (span, b, em... without attributes). No rule can match those and no word of the
    text changes, but a page of a million spans shrinks to a few elements. Returns the root."""
    if element_count(root) <= max_elements:
        return root
    trace.record("prune", SIMPLIFY_RULE.id, SIMPLIFY_RULE.reason, "", action="simplify")
    bare = [el for el in root.iter(*STYLE_ONLY) if not len(el.attrib)]
    if not bare:
        return root
    for el in bare:
        el.tag = UNWRAP_MARK
    etree.strip_tags(root, UNWRAP_MARK)
    # strip_tags leaves runs of adjacent text nodes, and reading .text over a run is quadratic
    # in lxml; a round trip through the serializer (all in C) merges them.
    return etree.fromstring(etree.tostring(root, encoding="utf-8"), dom.PARSER)


def simplify_region(region: list, max_elements: int, trace: Trace) -> list:
    """Keep the BeautifulSoup pass affordable: the blocks of a region of more than `max_elements`
    elements are merged into at most `max_elements` paragraphs. Text is kept; real articles
    have a few hundred elements and pass untouched."""
    if sum(element_count(el) for el in region) <= max_elements:
        return region
    out = []
    per_element = max(1, max_elements // len(region))
    for el in region:
        lines = [line for line in _flat_text(el).split("\n") if line.strip()]
        group = -(-len(lines) // per_element)  # ceil: at most per_element paragraphs
        new = etree.Element(el.tag if el.tag not in ("html", "body") else "div")
        for i in range(0, len(lines), group):
            etree.SubElement(new, "p").text = dom.settable(" ".join(lines[i:i + group]))
        out.append(new)
    trace.record("prune", MERGE_RULE.id, MERGE_RULE.reason, "", action="simplify")
    return out


# Where the renderer gives loose text a meaning of its own (list items, preformatted text).
NO_ANONYMOUS_BLOCKS = frozenset({"ul", "ol", "dl", "li", "dt", "dd", "pre"})


def wrap_loose_text(region: list) -> None:
    """Loose text beside blocks gets a <p> of its own (CSS's anonymous block box), so the
    cleaning stages judge the same paragraphs the renderer prints, and stripping the
    output again gives the same output."""
    from .clean import BLOCKS  # the renderer's notion of a block

    for top in region:
        elements = list(top.iter(etree.Element))
        # Block-ish: a block, or an inline element with a block inside (the renderer breaks there too).
        blockish = set()
        for el in reversed(elements):
            if el.tag in BLOCKS or any(kid in blockish for kid in el):
                blockish.add(el)
        for el in elements:
            if el.tag in NO_ANONYMOUS_BLOCKS:
                continue
            kids = list(el)
            if any(kid in blockish for kid in kids):
                _wrap_runs(el, kids, blockish)


def _wrap_runs(el, kids: list, blocks) -> None:
    items: list = [el.text]
    for kid in kids:
        items += [kid, kid.tail]
        kid.tail = None
        el.remove(kid)
    el.text = None
    run: list = []

    def flush() -> None:
        if any(not isinstance(i, str) or i.strip() for i in run):
            p = etree.SubElement(el, "p")
            for item in run:
                _append(p, item)
        else:  # whitespace only: it stays where it was, unwrapped
            for item in run:
                _append(el, item)
        run.clear()

    for item in items:
        if item is not None and not isinstance(item, str) and item in blocks:
            flush()
            el.append(item)
        elif item is not None and not (isinstance(item, str) and not item):
            run.append(item)
    flush()


def _append(parent, item) -> None:
    """Append text or an element at the end of `parent`."""
    if isinstance(item, str):
        last = parent[-1] if len(parent) else None
        if last is None:
            parent.text = dom.settable((parent.text or "") + item)
        else:
            last.tail = dom.settable((last.tail or "") + item)
    else:
        parent.append(item)


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


# Only elements with one of these attributes can be hidden: libxml2 finds them, Python checks them.
_MAYBE_HIDDEN = etree.XPath("//*[@hidden or @aria-hidden or @style]")


def drop_hidden(root, trace: Trace, protected: set) -> None:
    hits = [(el, HIDDEN_RULE, None, "prune") for el in _MAYBE_HIDDEN(root)
            if is_hidden(el) and el not in protected and el.tag not in ("html", "body")]
    drop_outermost(hits, trace)


def drop_by_selectors(root, rules: RuleSet, trace: Trace, protected: set) -> None:
    """Simple selector rules (pack, site and --drop) on the whole tree."""
    if not rules.index.buckets:
        return
    index = rules.index
    match = index.match
    # Cheap rejection before the full match: most elements have no tag, id, class or
    # attribute any rule names, and a page of a million of them should not pay for match().
    tags = {value for kind, value in index.buckets if kind == "tag"}
    ids = {value for kind, value in index.buckets if kind == "id"}
    classes = {value for kind, value in index.buckets if kind == "class"}
    attrs = list(index.attr_names)
    any_element = ("any", "") in index.buckets

    def test(el):
        tag = el.tag
        if tag in ("html", "body") or el in protected:
            return None
        get = el.get
        cls = get("class")
        if not (any_element or tag in tags or (cls and not classes.isdisjoint(cls.split()))
                or (ids and get("id") in ids) or any(get(name) is not None for name in attrs)):
            return None
        return next(iter(match(tag, get, cls)), None)

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
