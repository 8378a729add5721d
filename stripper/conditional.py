"""Readability's conditional cleaning, on the located region in lxml.

Containers inside the article that do not read like prose (mostly links,
mostly images, more list items than paragraphs, furniture class names) are
dropped. Figures come from `locate.measure`, so this costs no extra walk.
"""
from __future__ import annotations

import re

from . import dom
from .locate import NO_COUNTS, PROSE_MAX_LINK_DENSITY, Stats, class_weight
from .options import Options
from .trace import BuiltinRule, Trace

CONDITIONAL = frozenset({"form", "fieldset", "table", "ul", "ol", "dl", "div", "section", "aside", "header",
                         "footer", "nav"})
LISTS = frozenset({"ul", "ol", "dl"})
# Prose has commas; a container with this many is kept whatever else it looks like.
PROSE_COMMAS = 10
# A class name is weak evidence against a container holding most of the article's prose
# ("section-hero newsletter" on a newsletter's own page, "elementor-widget-container"):
# such a container is looked into instead. Not so for furniture that can outgrow the article
# itself: reader comments, caption carousels.
NEGATIVE_CLASS_MAX_SHARE = 0.5
MAX_SPARING_ROUNDS = 4
# Prose has a comma every few sentences; a list of links or labels has next to none.
PROSE_CHARS_PER_COMMA = 400
PROSE_FURNITURE = re.compile(r"comment|scroll|gallery|carousel|slide", re.I)
# A wrapper named for how it scrolls or responds ("table-scroll", "scrollable-table") is
# judged by its table: a data table (rows of cells, not a list of links) is article.
DATA_TABLE_SHARE = 0.9
DATA_TABLE_MIN_ROWS = 3


FISHY = BuiltinRule("fishy-block", "container that looks like furniture: link-heavy, image-heavy or list-heavy")
NEGATIVE_CLASS = BuiltinRule("negative-class", "container whose class or id names page furniture")
LINK_LIST = BuiltinRule("link-list", "list made of links (navigation, related stories)")
TEASER = BuiltinRule("teaser-card", "teaser for another page: a linked headline with a short excerpt")


def verdict(el, stats: Stats, opts: Options):
    """The rule that condemns `el`, or None."""
    if stats.cards and el in stats.cards:
        return TEASER
    weight = class_weight(el) if opts.weight_classes else 0
    if weight:
        stats.relaxable.add("weight_classes")
    is_list = el.tag in LISTS
    # A list's score starts below zero (its tag's base): without a furniture name it is
    # judged by its links, like any list.
    if (weight + (stats.scores or {}).get(el, 0) < 0 and not (is_list and weight >= 0)
            and not _wraps_data_table(el, stats)):
        return NEGATIVE_CLASS
    length = stats.chars.get(el, 0)
    density = stats.link_density(el)
    if is_list:
        return LINK_LIST if length and density > opts.max_link_density else None
    if not opts.clean_conditionally or stats.commas.get(el, 0) >= PROSE_COMMAS:
        return None
    p, img, li, heads = stats.counts.get(el, NO_COUNTS)
    heading_share = heads / length if length else 0
    if ((img > 1 and p / img < 0.5)
            or (li - 100 > p)
            or (heading_share < 0.9 and length < 25 and (img == 0 or img > 2) and density > 0)
            or (weight < 25 and density > 0.2)
            or (weight >= 25 and density > 0.5)):
        stats.relaxable.add("clean_conditionally")
        return FISHY
    return None


def _wraps_data_table(el, stats: Stats) -> bool:
    """Does `el` hold one table, of rows of several cells, with nearly all of its text?"""
    tables = list(el.iter("table"))
    if len(tables) != 1 or stats.chars.get(tables[0], 0) < DATA_TABLE_SHARE * stats.chars.get(el, 0):
        return False
    rows = tables[0].findall(".//tr")
    return (len(rows) >= DATA_TABLE_MIN_ROWS and any(len(row) >= 2 for row in rows)
            and stats.link_density(tables[0]) <= PROSE_MAX_LINK_DENSITY)


def _plan(region: list, stats: Stats, opts: Options, spared: set) -> list:
    """(element, rule) for each condemned container; `spared` ones are looked into instead."""
    cards = stats.cards or set()
    # lxml finds the candidates in C; the rest of the tree needs no verdict.
    tags = CONDITIONAL.union(card.tag for card in cards) if cards else CONDITIONAL
    plan = []
    for top in region:
        condemned = []
        inside = set()  # candidates below a condemned container: gone with it, no verdict needed
        for el in top.iter(*tags):
            if el is top or el in inside or (el.tag not in CONDITIONAL and el not in cards):
                continue
            rule = verdict(el, stats, opts)
            if rule is not None and not (rule is NEGATIVE_CLASS and el in spared):
                condemned.append((el, rule))
                inside.update(el.iter(*tags))
        # The trace lists a region's removals from its end backwards.
        plan.extend(reversed(condemned))
    return plan


def _prose_holders(plan: list, stats: Stats, total: int, commas: int) -> set:
    """The furniture-named containers of the plan that read like prose, when together they hold
    the article: most of the region's text, and at least twice the commas of the rest of it."""
    held = {el for el, rule in plan if rule is NEGATIVE_CLASS
            and stats.commas.get(el, 0) * PROSE_CHARS_PER_COMMA >= stats.chars.get(el, 0)
            and not PROSE_FURNITURE.search(f"{el.get('class', '')} {el.get('id', '')}")}
    mine = sum(stats.commas.get(el, 0) for el in held)
    chars = sum(stats.chars.get(el, 0) for el in held)
    if mine >= PROSE_COMMAS and mine >= 2 * (commas - mine) and chars > NEGATIVE_CLASS_MAX_SHARE * total:
        return held
    return set()


def clean(region: list, stats: Stats, opts: Options, trace: Trace) -> None:
    total = sum(stats.chars.get(el, 0) for el in region)
    commas = sum(stats.commas.get(el, 0) for el in region)
    plan, spared = _plan(region, stats, opts, set()), set()
    # Spared containers are looked into, where furniture names may again hold the prose
    # (a widget of widgets) or not (a real sidebar inside a "sidebar-layout").
    for _ in range(MAX_SPARING_ROUNDS):
        holders = _prose_holders(plan, stats, total, commas)
        if not holders:
            break
        spared |= holders
        plan = _plan(region, stats, opts, spared)
    if spared:
        trace.record("clean", NEGATIVE_CLASS.id, "furniture-named containers that hold the article's prose",
                     f"{len(spared)} containers kept", action="revert")
    doomed = sum(stats.chars.get(el, 0) for el, _ in plan)
    if trace.refuses("clean", total, doomed, len(plan), opts):
        return
    for el, rule in plan:
        chars, head = dom.text_size(el)
        trace.record("clean", rule.id, rule.reason, head, chars=chars,
                     selector=f"{el.tag}.{el.get('class', '')}".rstrip("."))
        dom.drop(el)
