"""Fine pass with BeautifulSoup on the article region.

Each stage plans its removals first, so the safety valve can refuse a plan
that would remove most of the article before anything is touched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from .options import Options
from .rules.ruleset import RuleSet, fold
from .trace import Trace

BLOCKS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "nav", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption", "table", "tr", "td", "th",
    "form", "fieldset", "address", "details", "summary", "main", "center", "pre", "hr",
})


class BuiltinRule:
    def __init__(self, id: str, reason: str) -> None:
        self.id, self.reason, self.selector = id, reason, None


TITLE_REPEAT = BuiltinRule("title-repeat", "the headline, printed again in the body")
LINK_LINE = BuiltinRule("link-line", "a short line that is only a link (section label, teaser, navigation)")
# The headline is looked for among the first few blocks of the body only.
TITLE_SEARCH_BLOCKS = 8
# A line this long with few links is article prose; link lines are only dropped around it.
PROSE_LINE_CHARS = 80


@dataclass
class Removal:
    node: Tag
    rule: Any
    selector: str | None = None
    action: str = "remove"


def text(node: Tag) -> str:
    return " ".join(node.get_text(" ").split())


def short_text(node: Tag, limit: int) -> str | None:
    """The node's text when it has at most `limit` characters, else None.

    Stops reading as soon as the limit is passed, so asking a large container
    costs no more than asking a small one.
    """
    parts: list[str] = []
    size = 0
    for piece in node.strings:
        words = piece.split()
        if not words:
            continue
        size += sum(len(w) + 1 for w in words)
        if size > limit + 1:
            return None
        parts.extend(words)
    return " ".join(parts)


def to_soup(html: str) -> Tag:
    soup = BeautifulSoup(html, "lxml")
    return soup.body or soup


def _attrs_get(tag: Tag):
    return tag.attrs.get


def _outermost(plan: list[Removal]) -> list[Removal]:
    chosen = {id(r.node) for r in plan}
    return [r for r in plan if not any(id(p) in chosen for p in r.node.parents)]


def apply(plan: list[Removal], region: Tag, stage: str, trace: Trace, opts: Options, *,
          valve_share: float | None = None) -> None:
    """Carry out a removal plan unless it would take most of the article with it."""
    plan = _outermost(plan)
    if not plan:
        return
    total = len(text(region))
    doomed = sum(len(text(r.node)) for r in plan)
    share = valve_share if valve_share is not None else opts.safety_valve_share
    if total and doomed / total > share and total - doomed < opts.min_article_chars:
        trace.record(stage, "safety-valve", f"stage would have removed {doomed} of {total} characters",
                     "", action="revert")
        trace.events[-1].preview = f"{len(plan)} removals not applied"
        return
    for r in plan:
        trace.record(stage, r.rule.id, r.rule.reason, text(r.node),
                     selector=r.selector or getattr(r.rule, "selector", None), action=r.action)
        r.node.decompose()


def select_rules(region: Tag, rules: RuleSet) -> list[Removal]:
    """Rules whose selectors need soupsieve (combinators, pseudo-classes)."""
    plan = []
    for selector, compiled, rule in rules.index.complex:
        for node in compiled.select(region):
            plan.append(Removal(node, rule, selector))
    return plan


def phrase_blocks(region: Tag, rules: RuleSet, opts: Options) -> tuple[list[Removal], list[Removal], list]:
    """Short blocks made of chrome phrases; wall prompts cut the rest of the article.

    Returns (removals, cuts, paywall rules seen).
    """
    plan: list[Removal] = []
    cut: list[Removal] = []
    walls = []
    stack = [c for c in reversed(region.contents) if isinstance(c, Tag)]
    while stack:
        node = stack.pop()
        if node.name not in BLOCKS:
            stack.extend(c for c in reversed(node.contents) if isinstance(c, Tag))
            continue
        limit = opts.max_phrase_block_chars
        body = short_text(node, limit)
        if body == "":
            continue
        if body is not None:
            m = rules.match_phrases(body)
            if m is not None:
                rule_limit = m.rule.max_chars or limit
                wall = m.rule.cut and m.at_start and len(body) <= rule_limit
                if len(body) <= rule_limit and (m.covered >= opts.min_phrase_share or wall):
                    if m.rule.paywall:
                        walls.append(m.rule)
                    parent = node.parent
                    if (m.rule.container and parent is not None and parent is not region
                            and _first_block(parent) is node and short_text(parent, 2 * limit) is not None):
                        node = parent  # "Sponsored" labels its whole box
                    if m.rule.cut and not cut:
                        cut = [Removal(node, m.rule, action="cut")]
                        cut += [Removal(n, m.rule, action="cut") for n in _following(node, region)]
                    else:
                        plan.append(Removal(node, m.rule))
                    continue
        stack.extend(c for c in reversed(node.contents) if isinstance(c, Tag))
    return plan, cut, walls


def _link_share(node: Tag) -> float:
    total = len(text(node))
    return sum(len(text(a)) for a in node.find_all("a")) / total if total else 0.0


def _first_block(parent: Tag) -> Tag | None:
    for child in parent.children:
        if isinstance(child, Tag):
            return child
        if isinstance(child, NavigableString) and child.strip():
            return None
    return None


def _following(node: Tag, region: Tag) -> list[Tag]:
    """Everything after `node` in document order, as the outermost whole elements."""
    out = []
    current = node
    while current is not None and current is not region:
        for sib in current.next_siblings:
            if isinstance(sib, Tag):
                out.append(sib)
            elif isinstance(sib, NavigableString) and sib.strip():
                pass  # loose text after a wall is rare; left for the renderer
        current = current.parent
    return out


def title_repeat(region: Tag, title: str | None) -> list[Removal]:
    """The headline printed again at the top of the body (any tag: old pages use <font><b>)."""
    if not title:
        return []
    want = fold(title)
    for h in region.find_all(["h1", "h2"], limit=3):
        if fold(text(h)) == want:
            return [Removal(h, TITLE_REPEAT)]
    for node in region.find_all(BLOCKS, limit=TITLE_SEARCH_BLOCKS):
        body = short_text(node, len(title) + 10)
        if body is not None and fold(body) == want:
            return [Removal(node, TITLE_REPEAT)]
    return []


def link_lines(region: Tag, opts: Options) -> list[Removal]:
    """Short lines that are nothing but a link, before the article's first paragraph
    or after its last: section kickers, "Back to top", "More stories"."""
    lines = []  # (node, is_link_line, is_prose) in document order
    for node in region.find_all(["p", "div"]):
        if any(isinstance(c, Tag) and c.name in BLOCKS for c in node.children):
            continue
        body = short_text(node, PROSE_LINE_CHARS)
        if body is None:  # long enough to be prose: count its links only if it might be a link list
            lines.append((node, False, node.a is None or _link_share(node) < 0.5))
            continue
        if not body:
            continue
        linked = _link_share(node) if node.a is not None else 0
        lines.append((node, len(body) <= opts.max_link_line_chars and linked >= 0.9, False))
    prose = [i for i, (_, _, is_prose) in enumerate(lines) if is_prose]
    if not prose:
        return []
    first, last = prose[0], prose[-1]
    return [Removal(node, LINK_LINE) for i, (node, is_link, _) in enumerate(lines)
            if is_link and (i < first or i > last)]
