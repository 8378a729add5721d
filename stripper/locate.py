"""Find the article region in the lxml tree by scoring text blocks.

Readability's idea, computed in one bottom-up pass: every block of prose
votes for its ancestors (by length and commas); a container's score is
discounted by how much of its text is link text; the best container and
those of its siblings that also look like article text form the region.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from .options import Options
from .rules import host_of
from .rules.wordsearch import WordSearch

# Inline elements do not break a paragraph; anything else does.
INLINE = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "picture",
})
TAG_BASE = {
    "div": 5, "article": 8, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5, "nav": -10, "aside": -10,
    "footer": -10, "header": -5,
}
# Class and id names of furniture: these words anywhere, or "hid" as a whole name.
NEGATIVE = re.compile(
    r"-ad-|hidden|banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|"
    r"outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|"
    r"newsletter|subscribe|signup|teaser|recirc|byline|credit", re.I)
NEGATIVE_HID = re.compile(r"(?:^| )hid(?: |$)", re.I)
# Layout utility classes (Tailwind and the like) say how a box scrolls or clips, not what it
# holds: "overflow-hidden", "overflow-x-scroll", "md:overflow-auto", "scroll-mt-4".
LAYOUT_UTILITY = re.compile(r"(?:^|\s)(?:[\w-]+:)*(?:overflow(?:-[xy])?-\w+|scroll-[\w.-]+|scrollbar-[\w-]+)(?=\s|$)")
POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story|prose|"
    r"artikel|texto|testo|tekst|inhalt|contenu", re.I)
# The same searches, five times faster (see rules/wordsearch.py).
NEGATIVE_WORDS = WordSearch(NEGATIVE)
POSITIVE_WORDS = WordSearch(POSITIVE)
# Two names in three hold neither kind of word: one search for both tells them apart.
ANY_WORDS = WordSearch(re.compile(f"{NEGATIVE.pattern}|{POSITIVE.pattern}", re.I))
SENTENCE_END = re.compile(r"[.!?。…\"”]\s*$|[.!?]\s")
NO_SCORE_TAGS = frozenset({"html", "body", "head"})
# Readability's look at the runners-up: this many top candidates are compared...
TOP_CANDIDATES = 5
# ...and when this many score within 75% of the best under one ancestor, the ancestor wins.
MIN_CLOSE_CANDIDATES = 3
# A paragraph counts as prose when less than this share of it is link text.
PROSE_MAX_LINK_DENSITY = 0.3
# Climbing to an ancestor needs this much more prose, and more prose than other text.
PROSE_GAIN_CHARS = 500
PROSE_GAIN_RATIO = 1.0
# A teaser card is at most this big and this far above its linked headline.
CARD_MAX_CHARS = 400
CARD_MAX_LEVELS = 4
# A paragraph this long is a sentence or more of prose, not a teaser line or a label.
LONG_PARAGRAPH_CHARS = 80
# Cards are a round-up's entries when at least this many of their siblings of the same kind
# are longer than a card and hold a long paragraph, and at least one in this many of them
# does (see _round_up_entries).
ROUND_UP_MIN_LONG_ENTRIES = 4
ROUND_UP_LONG_SHARE = 3
# Teaser lists often mark their headlines by class rather than by <h2>: <div class="title"><a>,
# <a class="card__title">. A word of the class ending in one of these names a headline.
TITLE_CLASS = re.compile(r"(?:title|headline)(?:\s|$)", re.I)
# Such a headline has a few words: shorter links are menus and buttons.
CLASSED_HEADLINE_MIN_CHARS = 20


def class_weight(el) -> int:
    weight = 0
    for name in (el.get("class"), el.get("id")):
        if name:
            if not isinstance(name, str):  # BeautifulSoup keeps class as a list
                name = " ".join(name)
            weight += name_weight(name)
    return weight


@lru_cache(maxsize=4096)  # scoring and the conditional cleaner weigh the same elements
def name_weight(name: str) -> int:
    """-25 for a furniture class or id name, +25 for an article one, 0 for both or neither."""
    if "overflow" in name or "scroll" in name:
        name = LAYOUT_UTILITY.sub(" ", name)
    negative = positive = False
    if ANY_WORDS.search(name):
        negative = NEGATIVE_WORDS.search(name)
        positive = POSITIVE_WORDS.search(name)
    if not negative:
        negative = is_hid(name)
    return (-25 if negative else 0) + (25 if positive else 0)


def is_hid(name: str) -> bool:
    """NEGATIVE_HID.search(name), without `re` for ASCII names."""
    if name.isascii():
        return " hid " in f" {name.lower()} "
    return NEGATIVE_HID.search(name) is not None


@dataclass
class Stats:
    """Per-element figures computed bottom-up in one pass. Elements whose figure is 0 (or
    all 0) are left out of link_chars, commas and counts."""

    chars: dict  # element -> characters of text (whitespace trimmed, roughly)
    link_chars: dict  # element -> characters inside <a>
    blocks: set  # elements with a block-level element below them
    commas: dict  # element -> commas in its text
    counts: dict  # element -> (paragraphs, images, list items, heading chars) below it
    holders: list  # non-inline elements with text of their own, beside any blocks, in document order
    headings: list  # h1-h6 elements, in document order
    scores: dict = None  # element -> content score, once scored
    cards: set = None  # teaser cards: a linked headline and a short excerpt of another page
    # The retry ladder's flags that made a difference here (see Trace.relaxable): a class
    # weight that was not 0, a container judged fishy.
    relaxable: set = field(default_factory=set)

    def link_density(self, el) -> float:
        total = self.chars.get(el, 0)
        return self.link_chars.get(el, 0) / total if total else 0.0


HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
COUNTED_TAGS = HEADING_TAGS | {"p", "img", "li"}
NO_COUNTS = (0, 0, 0, 0)


def count_commas(text: str) -> int:
    """Commas (Latin, CJK, Arabic) and semicolons in `text`; str.count is several times faster
    than a regex, and ASCII text holds only the first two."""
    n = text.count(",") + text.count(";")
    if not text.isascii():
        n += text.count("，") + text.count("、") + text.count("،")
    return n


def measure(root) -> tuple[list, Stats]:
    elements = list(root.iter(etree.Element))
    # Each element's figures start as what its children added, then it adds its own text
    # and passes the sums (with its tail) on to its parent; figures that stay 0 are never stored.
    chars: dict = {}
    links: dict = {}
    blocks: set = set()
    commas: dict = {}
    counts: dict = {}
    nested: dict = {}  # element -> characters of its block-level children
    holders: list = []
    headings: list = []  # listed here, find_cards needs no walk of its own
    for el in reversed(elements):  # children before parents
        tag = el.tag
        if tag in HEADING_TAGS:
            headings.append(el)
        own = chars.get(el, 0)
        n_commas = commas.get(el, 0)
        text = el.text
        if text:
            text = text.strip()
            if text:
                own += len(text)
                n_commas += count_commas(text)
        chars[el] = own
        if n_commas:
            commas[el] = n_commas
        link = own if tag == "a" else links.get(el, 0)
        if link:
            links[el] = link
        inline = tag in INLINE
        if not inline and own > nested.get(el, 0):
            holders.append(el)
        parent = el.getparent()
        if parent is None:
            continue
        if not inline:
            blocks.add(parent)
            if own:
                nested[parent] = nested.get(parent, 0) + own
        elif el in blocks:
            blocks.add(parent)
        below = counts.get(el)
        if below is not None or tag in COUNTED_TAGS:
            _count(counts, parent, tag, below or NO_COUNTS, own)
        tail = el.tail
        if tail:
            tail = tail.strip()
            if tail:
                own += len(tail)
                n_commas += count_commas(tail)
        if own:
            chars[parent] = chars.get(parent, 0) + own
            if link:
                links[parent] = links.get(parent, 0) + link
            if n_commas:
                commas[parent] = commas.get(parent, 0) + n_commas
    holders.reverse()
    headings.reverse()
    return elements, Stats(chars, links, blocks, commas, counts, holders, headings)


def _count(counts: dict, parent, tag: str, below: tuple, chars: int) -> None:
    """Add a child's counts, and the child itself, to its parent's: the chars of a heading
    replace those of the headings inside it."""
    p, img, li, heads = below
    if tag == "p":
        p += 1
    elif tag == "img":
        img += 1
    elif tag == "li":
        li += 1
    elif tag in HEADING_TAGS:
        heads = chars
    above = counts.get(parent)
    counts[parent] = (p, img, li, heads) if above is None else (
        above[0] + p, above[1] + img, above[2] + li, above[3] + heads)


def direct_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in INLINE:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def find_cards(stats: Stats, host: str | None = None) -> set:
    """Teaser cards: the largest small container around a headline that links elsewhere.

    A heading that is a link announces another page; its excerpt is not this
    article's prose, however well written. A heading linking only to other sites
    (a round-up's "DIY Plant Stand", linked to its maker's blog) is not a teaser
    for this site's pages: its item is the article.
    """
    linked = []
    wrapping = set()  # links wrapping a heading
    for heading in stats.headings:
        link_chars = stats.link_chars.get(heading)
        if link_chars and link_chars >= stats.chars[heading] * 0.5 and not links_out(heading.iter("a"), host):
            linked.append(heading)
        if stats.chars[heading]:
            wrapping.update(a for a in heading.iterancestors("a") if not links_out((a,), host))
    linked += wrapping
    linked += classed_headlines(stats, host, set(linked))
    headings_below: dict = {}
    chains = []
    for h in linked:
        chain = list(h.iterancestors())[:CARD_MAX_LEVELS]
        chains.append((h, chain))
        for a in chain:
            headings_below[a] = headings_below.get(a, 0) + 1
    cards = set()
    for h, chain in chains:
        card = None
        for a in chain:
            if a.tag in NO_SCORE_TAGS or headings_below[a] > 1 or stats.chars[a] > CARD_MAX_CHARS:
                break
            card = a
        if card is not None:
            cards.add(card)
    return cards - _round_up_entries(cards, stats)


def _round_up_entries(cards: set, stats: Stats) -> set:
    """Cards that are entries of a round-up, not teasers ("the 20 best restaurants": a linked
    name, a paragraph): many of their siblings of the same tag and class are the same kind of
    entry with more text than a teaser has, and a paragraph of prose (a product grid's long
    items are names, prices and ratings). A teaser list has an overlong item now and then."""
    entries: set = set()
    families: dict = {}
    for card in cards:
        parent = card.getparent()
        if parent is None:
            continue
        key = (parent, card.tag, card.get("class"))
        if key not in families:
            family = [sib for sib in parent if sib.tag == card.tag and sib.get("class") == card.get("class")]
            longer = sum(1 for sib in family if sib not in cards and stats.chars.get(sib, 0) > CARD_MAX_CHARS
                         and any(stats.chars.get(p, 0) >= LONG_PARAGRAPH_CHARS for p in sib.iter("p")))
            families[key] = longer >= ROUND_UP_MIN_LONG_ENTRIES and longer * ROUND_UP_LONG_SHARE >= len(family)
        if families[key]:
            entries.add(card)
    return entries


def classed_headlines(stats: Stats, host: str | None, known: set) -> list:
    """Linked headlines named by their class (`title`, `entry-title`, `card__headline`), outside
    and around no heading or headline already known: one card holds one headline."""
    found = []
    chars = stats.chars
    # Only elements mostly made of link text can be one (the figures list those with links).
    for el, link in stats.link_chars.items():
        size = chars[el]
        if size > CARD_MAX_CHARS or size < CLASSED_HEADLINE_MIN_CHARS or link * 2 < size or el.tag in HEADING_TAGS:
            continue
        names = el.get("class")
        if not names or not TITLE_CLASS.search(names):
            continue
        links = [el] if el.tag == "a" else list(el.iter("a"))
        if not all(leads_away(a) for a in links) or links_out(links, host):
            continue
        if any(a in known for a in el.iterancestors()) or any(d in known for d in el.iter()):
            continue
        found.append(el)
        known.add(el)
    return found


def leads_away(a) -> bool:
    """Does this link open another page? (Not "#faq-2" or a script: those toggle this one.)"""
    href = (a.get("href") or "").strip()
    return bool(href) and not href.startswith("#") and not href[:11].lower().startswith("javascript:")


def links_out(links, host: str | None) -> bool:
    """Do these links all lead to other sites than `host`'s? (False when `host` is unknown.)"""
    if not host:
        return False
    found = False
    for a in links:
        other = host_of(a.get("href"))
        if other is None or site_key(other) == site_key(host):
            return False
        found = True
    return found


def site_key(host: str) -> str:
    """The part of a host that names the site: news.example.com -> example.com, and
    www.example.co.uk -> example.co.uk (a two-letter country code under a short label)."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


def in_card(el, cards: set) -> bool:
    node = el
    for _ in range(CARD_MAX_LEVELS + 1):
        if node is None:
            return False
        if node in cards:
            return True
        node = node.getparent()
    return False


# Elements that never vote: inline ones and the document's frame.
NON_VOTERS = INLINE | NO_SCORE_TAGS
# Containers whose loose text of their own (div + <br> pages) votes like a paragraph.
LOOSE_TEXT_VOTERS = frozenset({"div", "section", "article", "td", "main", "font", "center", "blockquote"})
# Blocks without blocks inside that are not paragraphs.
NON_PARAGRAPHS = frozenset({"li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "th", "figcaption", "caption",
                            "address", "nav", "footer", "aside", "label", "option"})


def _targets(start, levels: int) -> list:
    """(container, divider of the vote's points) for the containers a vote from `start`
    reaches: it and its ancestors, `levels` at most."""
    targets = []
    node = start
    while node is not None and len(targets) < levels and node.tag not in NO_SCORE_TAGS:
        level = len(targets)
        targets.append((node, 1 if level == 0 else (2 if level == 1 else level * 3)))
        node = node.getparent()
    return targets


def score(elements: list, stats: Stats, opts: Options) -> tuple[dict, dict]:
    """Content scores for candidate containers, and the prose each element holds.

    Prose is the length of the paragraphs below an element that read like text
    (few links); unlike scores it reaches every ancestor, so a container can be
    compared with the sections it holds however deep they sit.
    """
    scores: dict = {}
    prose: dict = {}  # first each paragraph's own length, then summed up the tree below
    levels = opts.score_ancestor_levels
    least = opts.min_paragraph_chars
    weigh = opts.weight_classes
    blocks, chars, links, cards = stats.blocks, stats.chars, stats.link_chars, stats.cards
    # Elements without text of their own have no paragraph to vote with (unless even empty
    # ones are asked to vote).
    voters = stats.holders if least > 0 else elements
    chains: dict = {}  # where a vote starts -> the containers it reaches (siblings share theirs)
    for el in voters:
        tag = el.tag
        if tag in NON_VOTERS:
            continue
        if el in blocks:
            if tag not in LOOSE_TEXT_VOTERS:
                continue
            text = direct_text(el)
            length = len(text.strip())
            if length < least or (cards and in_card(el, cards)):
                continue
            points = 1 + count_commas(text) + min(length // 100, 3)
            prose[el] = length
            start = el
        else:
            if tag in NON_PARAGRAPHS:
                continue
            length = chars[el]
            if length < least or (cards and in_card(el, cards)):
                continue
            # A paragraph's commas are those `measure` counted in all its text (the tree holds no
            # comments by now, whose tails only itertext would see).
            points = 1 + stats.commas.get(el, 0) + min(length // 100, 3)
            if not length or links.get(el, 0) / length < PROSE_MAX_LINK_DENSITY:
                prose[el] = length
            start = el.getparent()
        targets = chains.get(start)
        if targets is None:
            targets = chains[start] = _targets(start, levels)
        for target, divider in targets:
            total = scores.get(target)
            if total is None:
                weight = class_weight(target) if weigh else 0
                if weight:
                    stats.relaxable.add("weight_classes")
                total = TAG_BASE.get(target.tag, 0) + weight
            scores[target] = total + points / divider
    for el, total in scores.items():  # discounted by link density
        size = chars.get(el, 0)
        scores[el] = total * (1 - (links.get(el, 0) / size if size else 0.0))
    if prose:
        for el in reversed(elements):  # children before parents
            held = prose.get(el)
            if held is not None:
                parent = el.getparent()
                if parent is not None:
                    prose[parent] = prose.get(parent, 0) + held
    return scores, prose


def top_candidate(scores: dict, prose: dict, stats: Stats, body) -> tuple:
    if not scores:
        return body, 0.0
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:TOP_CANDIDATES]
    best = ranked[0]
    best_score = scores[best]
    # Several near-equal candidates under one ancestor: the article is split in sections.
    close = [c for c in ranked[1:] if scores[c] >= best_score * 0.75]
    if len(close) >= MIN_CLOSE_CANDIDATES:
        lineages = [set(c.iterancestors()) for c in close]
        for ancestor in best.iterancestors():
            if ancestor.tag in NO_SCORE_TAGS:
                break
            if sum(ancestor in lineage for lineage in lineages) >= MIN_CLOSE_CANDIDATES:
                best = ancestor
                break
    # Climb while a parent scores higher: more of the article lies beside the best block.
    threshold = best_score / 3
    last = best_score
    parent = best.getparent()
    while parent is not None and parent.tag not in NO_SCORE_TAGS:
        if parent not in scores:
            parent = parent.getparent()
            continue
        parent_score = scores[parent]
        if parent_score < threshold:
            break
        if parent_score > last:
            best = parent
            break
        last = parent_score
        parent = parent.getparent()
    # Climb to the ancestor that adds the most prose over furniture: the rest of the article.
    def net(el) -> int:
        return prose.get(el, 0) * (1 + PROSE_GAIN_RATIO) - stats.chars[el]

    start = best
    for node in start.iterancestors():
        if node.tag in NO_SCORE_TAGS:
            break
        gained = prose.get(node, 0) - prose.get(start, 0)
        if gained >= PROSE_GAIN_CHARS and net(node) > net(best) \
                and stats.link_density(node) < PROSE_MAX_LINK_DENSITY:
            best = node
    # An only child says nothing: its parent is the real container.
    parent = best.getparent()
    while parent is not None and parent.tag not in NO_SCORE_TAGS and len(parent) == 1:
        best = parent
        parent = best.getparent()
    return best, scores.get(best, best_score)


def locate(root, opts: Options, host: str | None = None) -> tuple[list, Stats]:
    """The elements that make up the article, in document order, and the figures used to pick them.
    `host`: the page's host, when known (see `find_cards`)."""
    body = root.find("body")
    if body is None:
        body = root
    elements, stats = measure(root)
    stats.cards = find_cards(stats, host)
    scores, prose = score(elements, stats, opts)
    stats.scores = scores
    best, best_score = top_candidate(scores, prose, stats, body)
    if best is body or best is root:
        return [best], stats
    parent = best.getparent()
    if parent is None:
        return [best], stats
    threshold = max(10.0, best_score * opts.sibling_score_share)
    best_class = best.get("class")
    region = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best:
            region.append(sibling)
            continue
        bonus = best_score * 0.2 if best_class and sibling.get("class") == best_class else 0
        if sibling in scores and scores[sibling] + bonus >= threshold:
            region.append(sibling)
        elif sibling.tag == "p" or (sibling.tag in ("div", "section") and sibling not in stats.blocks):
            length = stats.chars[sibling]
            density = stats.link_density(sibling)
            if length > 80 and density < 0.25:
                region.append(sibling)
            elif 0 < length <= 80 and density == 0 and SENTENCE_END.search("".join(sibling.itertext())):
                region.append(sibling)
    return region, stats
