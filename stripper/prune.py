"""Coarse pass on the whole lxml tree: drop what can never be article text.

Runs before the article is located, so furniture cannot win the vote and the
later BeautifulSoup pass only sees a small region.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, repeat

from lxml import etree

from . import dom
from .locate import INLINE, LONG_PARAGRAPH_CHARS
from .rules import Rule
from .rules.ruleset import RuleSet
from .rules.selectors import NumberedAnswers
from .rules.wordsearch import WordSearch
from .trace import BuiltinRule, Trace

# Elements that hold no readable article text.
NON_CONTENT = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "video", "audio", "source", "track", "map", "input", "link", "meta", "base", "param", "frame",
    "frameset", "applet", "rt", "rp",  # (rt, rp: the readings of ruby text, printed above the words)
})
# Controls hold a few words; one holding more is a parser mis-nesting
# (an unclosed <button> swallowing the page), so only its own tag goes.
CONTROLS = frozenset({"button", "select", "option", "textarea", "dialog"})
CONTROL_MAX_CHARS = 200
# A hidden or furniture-named element holding more than this share of the page's text is kept,
# when it also holds as many long paragraphs (locate.LONG_PARAGRAPH_CHARS) as the rest of the page.
HOLDER_MAX_SHARE = 0.4
# A selector hit holding more than this share of the page's paragraph text is the article's
# container, not chrome.
PROSE_HOLDER_SHARE = 0.6
# A hit of a never-the-article rule holding more than this share of the page's text is a wrapper
# its selector matched by mistake (`class="has-cookie-consent"`), not the box the rule means.
WRAPPER_SHARE = 0.9
# The parts of a page beside its content that HTML names (see _beside_main).
LANDMARKS = frozenset({"footer", "header", "aside", "nav"})
LANDMARK_ROLES = frozenset({"contentinfo", "banner", "complementary", "navigation"})
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Containers that the furniture class pattern must never remove: they hold the whole page.
NEVER_UNLIKELY = frozenset({"html", "body", "article", "main", "a", "table", "tbody", "tr", "td", "th", "p", "pre"})


NON_CONTENT_RULE = BuiltinRule("non-content", "scripts, styles, forms, media and other elements without article text")
FLATTEN_RULE = BuiltinRule("flatten-deep", "nested deeper than max_depth: flattened to lines of text, text kept")
HIDDEN_RULE = BuiltinRule("hidden", "hidden from readers (hidden attribute, aria-hidden or display:none)")


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
DROP_MARK = "stripper-drop"
SIMPLIFY_RULE = BuiltinRule("simplify-huge", "page with more than max_elements elements: bare styling unwrapped, "
                      "decorative images dropped, text kept")
MERGE_RULE = BuiltinRule("merge-huge-region", "article region with more than max_region_elements elements: blocks "
                   "merged into at most that many paragraphs, text kept")
_COUNT = etree.XPath("count(descendant-or-self::*)")


def element_count(el) -> int:
    return int(_COUNT(el))


def simplify_huge(root, max_elements: int, trace: Trace):
    """Before any per-element pass: a tree of more than `max_elements` loses its bare styling
    elements (span, b, em... without attributes) and its decorative images. No rule can match
    those and no word of the text changes, but a page of a million spans shrinks to a few
    elements. Returns the root."""
    if element_count(root) <= max_elements:
        return root
    trace.record("prune", SIMPLIFY_RULE.id, SIMPLIFY_RULE.reason, "", action="simplify")
    bare = [el for el in root.iter(*STYLE_ONLY) if not len(el.attrib)]
    # Decorative images (alt="", as the HTML standard marks them) hold no word either.
    decorative = [el for el in root.iter("img") if el.get("alt") == ""]
    if not bare and not decorative:
        return root
    for el in decorative:
        el.tag = DROP_MARK
    etree.strip_elements(root, DROP_MARK, with_tail=False)
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
        # Block-ish: a block, or an inline element with a block inside (the renderer breaks there too).
        # lxml finds the blocks in C; each one marks its parent as a holder, and a holder that is
        # not a block is block-ish in turn, up to the first element already seen.
        blocks = list(top.iter(*BLOCKS))
        blockish = set(blocks)
        holders = set()  # elements with a block-ish child
        for el in blocks:
            parent = el.getparent() if el is not top else None
            while parent is not None and parent not in holders:
                holders.add(parent)
                if parent is top or parent.tag in BLOCKS:  # its own parent is marked from it
                    break
                blockish.add(parent)
                parent = parent.getparent()
        # In any order: wrapping changes a holder's children and their tails only, which no
        # other holder reads, and never moves a holder (holders are block-ish).
        for el in holders:
            if el.tag not in NO_ANONYMOUS_BLOCKS and _has_loose_text(el, blockish):
                _wrap_runs(el, list(el), blockish)


def _has_loose_text(el, blocks) -> bool:
    """Does `el` hold anything `_wrap_runs` would wrap: an inline child, or text that is not
    plain whitespace? Most block holders hold blocks only, and rebuilding them changes nothing."""
    if not _blank(el.text):
        return True
    for kid in el:
        if kid not in blocks:
            return True
        tail = kid.tail
        if tail is not None and not _blank(tail):
            return True
    return False


def _blank(text: str | None) -> bool:
    """Whitespace that `_wrap_runs` puts back unchanged (dom.settable would alter controls)."""
    return text is None or (text.isspace() and not dom.UNSETTABLE.search(text))


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
    doomed = _open_noscript_prose(root, [el for el in root.iter(*NON_CONTENT) if el is not root], trace)
    doomed += list(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity))
    for el in doomed:
        dom.drop(el)
    for el in [el for el in root.iter(*CONTROLS)]:
        # A textarea holds what a reader types or code to copy (an embed, a republishing
        # snippet with the article's HTML in it), never article text.
        if len(el) == 0 and el.tag == "textarea" or len(dom.text_of(el)) <= CONTROL_MAX_CHARS:
            dom.drop(el)
            doomed.append(el)
        else:
            dom.unwrap(el)
    if doomed:
        trace.record("prune", NON_CONTENT_RULE.id, NON_CONTENT_RULE.reason, "")
        trace.events[-1].preview = f"{len(doomed)} elements"


def _open_noscript_prose(root, doomed: list, trace: Trace) -> list:
    """Some pages ship their text only inside <noscript> (forums that render with scripts, blog
    templates that fill the post from a script): when the <noscript>s hold more long paragraphs
    than the rest of the page, their content is the page's and is kept, not dropped.
    Returns `doomed` (the non-content elements) without those."""
    holders = [el for el in doomed if el.tag == "noscript" and next(el.iter("p"), None) is not None]
    if not holders:
        return doomed
    counted: dict = {}
    inside = sum(_paragraph_chars(el, counted)[1] for el in holders)
    if not inside or inside <= _paragraph_chars(root, counted)[1] - inside:
        return doomed
    for el in holders:
        dom.unwrap(el)
    trace.record("prune", "safety-valve", f"{len(holders)} <noscript> parts hold the page's text: kept", "",
                 action="revert")
    kept = {id(el) for el in holders}
    return [el for el in doomed if id(el) not in kept]


def is_hidden(el) -> bool:
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    return bool(style and HIDDEN_STYLE.search(style))


def sweep(root, verdict, trace: Trace, judged=None) -> list:
    """Walk the tree top-down; remove each element `verdict` condemns, without looking inside it.
    Returns the rules that removed something, one entry per removal.

    `verdict(el, note)` returns None or `(rule, selector, stage, spare)`. `spare` says which
    elements holding the article are kept: "text" (a large share of the page's text,
    for hidden and furniture-named elements), "prose" (most of the page's paragraph
    text, for selector rules: an article wrapper whose class says "paywall" or "promo") or
    "wrapper" (nearly all the page's text, for rules whose boxes are never the article).
    A spared element is noted in the trace.

    `judged(elements)` yields `(element, note)` for those of the elements that `verdict` may
    condemn, with what it found out about each (by default: every element, with None).
    """
    page: dict = {}  # the page's totals, counted when first needed (see holds_article)
    hits = []
    # lxml's iterator walks the tree in C; below a condemned element it is run on,
    # unjudged, past the condemned element's descendants.
    elements = root.iter(etree.Element)
    for el, note in judged(elements) if judged is not None else zip(elements, repeat(None)):
        found = verdict(el, note)
        if found is not None:
            rule, selector, stage, spare = found
            if spare and holds_article(el, root, spare, page):
                trace.record(stage, "safety-valve", f"rule {rule.id} would remove the article's container", "",
                             selector=selector, action="revert")
                found = None
            if found is not None:
                hits.append((el, rule, selector, stage, spare))
                descendants = int(_DESCENDANTS(el))
                next(islice(elements, descendants, descendants), None)  # skipped in C
    hits = _spare_misfiring_rules(root, hits, trace, page)
    hits = _spare_hidden_prose(root, hits, trace, page)
    for el, rule, selector, stage, _ in hits:
        chars, head = dom.text_size(el)
        trace.record(stage, rule.id, rule.reason, head, selector=selector, chars=chars)
        dom.drop(el)
    return [hit[1] for hit in hits]


_DESCENDANTS = etree.XPath("count(descendant::*)")


def _spare_hidden_prose(root, hits: list, trace: Trace, page: dict) -> list:
    """Hidden parts that together hold most of the page's paragraphs are the article, shown
    part by part by scripts (accordions, tabs, "read more"): those with long paragraphs are
    kept; hidden menus and dialogs still go, and so do paragraphs hidden one by one."""
    prose = [h for h in hits if h[1] is HIDDEN_RULE and h[0].tag != "p" and _paragraph_chars(h[0], page)[1]]
    if not prose:
        return hits
    held = sum(_paragraph_chars(h[0], page)[0] for h in prose)
    if not _hold_the_prose([h[0] for h in prose], held, root, page):
        return hits
    trace.record("prune", "safety-valve", f"{len(prose)} hidden parts hold most of the page's paragraphs", "",
                 action="revert")
    kept = {id(h[0]) for h in prose}
    return [h for h in hits if id(h[0]) not in kept]


def _spare_misfiring_rules(root, hits: list, trace: Trace, page: dict) -> list:
    """A selector rule whose hits together hold most of the page's paragraphs has mistaken
    the article for chrome on this page (a class name shared with a CMS component): all
    its hits are kept, and the trace says so."""
    by_rule: dict[str, int] = {}
    for el, rule, _, _, spare in hits:
        if spare == "prose":
            by_rule[rule.id] = by_rule.get(rule.id, 0) + _paragraph_chars(el, page)[0]
    if not any(by_rule.values()):
        return hits  # no paragraphs in any hit: nothing to spare
    misfiring = {rid for rid, prose in by_rule.items()
                 if _hold_the_prose([h[0] for h in hits if h[1].id == rid], prose, root, page)}
    for rid in sorted(misfiring):
        trace.record("chrome", "safety-valve", f"rule {rid} would remove most of the page's paragraphs", "",
                     action="revert")
    return [h for h in hits if h[1].id not in misfiring]


def drop_chrome(root, rules: RuleSet, trace: Trace, protected: set, *, unlikely: bool = True) -> set[str]:
    """Hidden elements, simple selector rules (packs, site profile, --drop) and, with
    `unlikely`, furniture class names (readability's 'unlikely candidates'), in one walk.

    Hidden and furniture-named elements holding most of the page are kept: pages
    that reveal their article with JavaScript ship it hidden, and a wrapper can
    have an unlucky name ("layout-sidebar-right").

    Returns the ids of paywall rules whose selectors matched, removed or not: wall
    markers (cut rules) are only noted here and cut later, inside the article.
    """
    walls: set[str] = set()
    looks = Looks(rules, unlikely)

    def verdict(el, look: Look):
        if el.tag in ("html", "body") or (protected and el in protected):
            return None
        if look.hidden and not look.never_article:
            return HIDDEN_RULE, None, "prune", "text"
        walls.update(look.walls)
        for simple, rule in look.matches:
            if rule.max_chars and dom.text_chars(el) > rule.max_chars:
                continue  # too big to be what the rule means
            if rule.paywall:
                walls.add(rule.id)
            # A box that is never the article (a consent box, a dialog) goes even when it holds
            # most of the page's paragraphs, as it can next to a short article; only a wrapper
            # holding nearly the whole page is spared.
            spare = "wrapper" if rule.never_article else "prose"
            return rule, simple.text, "site-rules" if rule.origin.startswith("site:") else "chrome", spare
        if look.hidden:
            return HIDDEN_RULE, None, "prune", "text"
        if look.furniture is not None:
            return look.furniture, f"[class/id: {dom.class_and_id(el)[:60]}]", "chrome", "text"
        return None

    removed_by = sweep(root, verdict, trace, looks.notable)
    furniture = {id(rule) for _, _, rule in looks.class_rules}
    if any(id(rule) in furniture for rule in removed_by):
        trace.relaxable.add("strip_unlikely")
    return walls


def _never_article_first(match: tuple) -> bool:
    return not match[1].never_article


@dataclass(frozen=True)
class Look:
    """What `drop_chrome`'s rules say of an element from its tag and attributes alone,
    before the safety valves and `max_chars` weigh its text."""

    hidden: bool = False
    walls: frozenset[str] = frozenset()  # paywall cut rules whose selectors match it
    # (selector, rule) of the chrome selector rules it matches, in index order, those of rules
    # whose boxes are never the article first
    matches: tuple = ()
    furniture: Rule | None = None  # the class-name rule its class and id match

    @property
    def never_article(self) -> bool:
        """Does a rule whose boxes are never the article match it?"""
        return any(rule.never_article for _, rule in self.matches)


NOTHING = Look()
HIDDEN = Look(hidden=True)


class Looks:
    """`Look`s of one page's elements, each worked out once per signature: pages repeat the
    same tag, class and id hundreds of times."""

    def __init__(self, rules: RuleSet, unlikely: bool) -> None:
        self.index = rules.index if rules.index.buckets else None
        self.cut_index = rules.cut_index if rules.cut_index.buckets else None
        self.class_rules = [(word_search(pattern), unless and word_search(unless), rule)
                            for pattern, unless, rule in (rules.class_rules if unlikely else ())]
        memory = _known_looks(rules, unlikely)
        self.memory, self.known, self.table = memory, memory.known, memory.table
        self.verbatim, self.compared, self.pairs = memory.verbatim, memory.compared, memory.pairs

    def notable(self, elements):
        """`(element, look)` for those of `elements` whose look is something.

        An element's look is worked out once per signature: its tag and the attributes some
        rule reads, each as NUL, name, "=" and value (neither tag nor attribute holds a NUL,
        and no name an "="). A value that no rule compares with is left out (NUL and the name
        alone), so links with different hrefs share one signature, and so do their `Look`s.
        """
        known, table, verbatim, compared, pairs = self.known, self.table, self.verbatim, self.compared, self.pairs
        for el in elements:
            key = el.tag
            for name, value in el.items():
                prefix = verbatim.get(name)
                if prefix is not None:
                    key += prefix + value
                else:
                    prefix = compared.get(name)
                    if prefix is not None:
                        key += pairs.get((name, value), prefix)
            number = known.get(key)
            if number is None:
                number = self.remember(key, el)
            if number:
                yield el, table[number]

    def remember(self, key: str, el) -> int:
        """The number in `table` of the look of signature `key`, the signature of `el`, worked
        out and remembered. Signatures are strings and looks numbers, so the collector never
        walks the table of signatures, however large it grows."""
        return self.memory.remember(key, self.look(el))

    def look(self, el) -> Look:
        """The look of `el`, and of every element with its signature: what the rules read of
        it is what its signature holds (a value left out of it is one no rule compares with)."""
        tag = el.tag
        attrs = dict(el.items())
        get, class_attr, el_id = attrs.get, attrs.get("class"), attrs.get("id")
        names = dom.class_and_id(attrs)
        cut_index, index = self.cut_index, self.index
        matches = tuple(sorted((m for m in index.match(tag, get, class_attr, attrs) if not m[1].spares(names)),
                               key=_never_article_first)) \
            if index is not None and index.can_match(tag, get, class_attr, el_id, attrs) else ()
        if is_hidden(attrs):  # hidden is all it is, unless a box that is never the article is named too
            look = Look(True, frozenset(), matches)
            return look if look.never_article else HIDDEN
        walls = frozenset(rule.id for _, rule in cut_index.match(tag, get, class_attr, attrs)
                          if rule.paywall and not rule.spares(names)) \
            if cut_index is not None and cut_index.can_match(tag, get, class_attr, el_id, attrs) else frozenset()
        furniture = None
        if self.class_rules and tag not in NEVER_UNLIKELY:
            for pattern, unless, rule in self.class_rules if names else ():
                if pattern.search(names) and not (unless and unless.search(names)):
                    furniture = rule
                    break
        if not walls and not matches and furniture is None:
            return NOTHING
        return Look(False, walls, matches, furniture)


class RememberedLooks(NumberedAnswers):
    """A rule set's Looks across pages, by signature (NOTHING numbered 0); and what a
    signature is made of (see `Looks.notable`)."""

    def __init__(self, rules: RuleSet) -> None:
        super().__init__(NOTHING)
        self.rules = rules  # kept alive, so its id stays its own
        values = _merge_values(rules.index.tested_values(), rules.cut_index.tested_values(), HIDDEN_VALUES)
        # How `Looks.notable` writes each attribute some rule reads: NUL, name, "=" and
        # value; for those compared with a few values only, NUL and name for any other value.
        self.verbatim = {name: f"\0{name}=" for name, wanted in values.items() if wanted is None}
        self.compared = {name: f"\0{name}" for name, wanted in values.items() if wanted is not None}
        self.pairs = {(name, value): f"\0{name}={value}" for name, wanted in values.items() if wanted
                      for value in wanted}


# A Look depends on the signature, the rule set and `unlikely` only, so the Looks worked out
# on one page serve the next pages with the same rules (and a retry of the same page).
# By rule set and `unlikely`; bounded.
_LOOKS: dict[tuple[int, bool], RememberedLooks] = {}
LOOKS_PER_RULESET = 50_000
LOOK_RULESETS = 32


def _known_looks(rules: RuleSet, unlikely: bool) -> RememberedLooks:
    memory = _LOOKS.get((id(rules), unlikely))
    if memory is None or memory.rules is not rules:
        if len(_LOOKS) >= LOOK_RULESETS:
            _LOOKS.clear()
        memory = _LOOKS[(id(rules), unlikely)] = RememberedLooks(rules)
    if len(memory.known) > LOOKS_PER_RULESET:  # a long batch must not grow memory without bound
        memory.forget()
    return memory


# What `is_hidden` reads: the hidden attribute's presence, aria-hidden="true", and the style.
HIDDEN_VALUES = {"hidden": frozenset(), "aria-hidden": frozenset({"true"}), "style": None}


def _merge_values(*tables: dict) -> dict:
    """One attribute -> values table from several (see `SelectorIndex.tested_values`)."""
    out: dict = {}
    for table in tables:
        for name, values in table.items():
            known = out.get(name, frozenset())
            out[name] = None if known is None or values is None else known | values
    return out


@lru_cache(maxsize=64)
def word_search(pattern: re.Pattern) -> WordSearch:
    return WordSearch(pattern)


def holds_article(el, root, spare: str, page: dict) -> bool:
    """True when `el` holds the article: see `sweep`. `page` caches the page's totals."""
    if _beside_main(el, root, page):
        return False
    # The page's totals are counted only when `el` holds something to compare with them.
    if spare == "wrapper":
        return _page_text(root, page).holds_more_than(dom.text_chars(el), WRAPPER_SHARE)
    if spare == "prose":
        prose = _paragraph_chars(el, page)[0]
        if not prose:
            return False
        return _hold_the_prose([el], prose, root, page)
    if len(el) and el.find(".//article") is not None:
        return True
    # Most hidden parts and furniture hold no long paragraph while the page does: that is
    # told from paragraphs alone, before the page's text is counted.
    if not _holds_long_paragraphs([el], root, page):
        return False
    if not len(el):  # no children: its own text is all its text (an icon, a label)
        most = len(el.text.strip()) if el.text else 0
    else:  # most elements are small next to the page, as a bound worked out in C already shows
        most = dom.text_chars_at_most(el)
    if not most:
        return False
    if not _page_text(root, page).holds_more_than(most, HOLDER_MAX_SHARE):
        return False
    chars = dom.text_chars(el)
    return bool(chars) and page["text"].holds_more_than(chars, HOLDER_MAX_SHARE)


def _page_text(root, page: dict) -> PageText:
    """The body's PageText, made when first asked for (`page` caches it)."""
    if "text" not in page:
        body = root.find("body")
        page["text"] = PageText(body if body is not None else root)
    return page["text"]


def _beside_main(el, root, page: dict) -> bool:
    """Is `el` a landmark beside the page's one <main>, which holds a long paragraph (the page's
    footer, header, a sidebar <aside>, a <nav>)? The page has said where its content is, and
    such a part (a footer's long legal text) is not it. Other elements outside <main> keep the
    valve: some pages put only a standfirst in <main>."""
    if el.tag not in LANDMARKS and el.get("role") not in LANDMARK_ROLES:
        return False
    if "main" not in page:
        mains = list(root.iter("main"))
        page["main"] = mains[0] if len(mains) == 1 and PageParagraphs(mains[0]).any_long() else None
    main = page["main"]
    if main is None:
        return False
    return (not any(up is el for up in main.iterancestors())
            and not any(up is main for up in el.iterancestors()))


def _hold_the_prose(els: list, prose: int, root, page: dict) -> bool:
    """Do `els`, with `prose` characters of paragraph text between them, hold the article:
    most of the page's paragraph text, and as many long paragraphs as the rest of the page?"""
    return _page_paragraphs(root, page).prose_below(prose, PROSE_HOLDER_SHARE) and \
        _holds_long_paragraphs(els, root, page)


def _holds_long_paragraphs(els: list, root, page: dict) -> bool:
    """Much text, but is it the article? A list of teaser cards holds no long paragraphs; an
    article's container (or a rule's hits together) holds at least as many as the rest of the page."""
    inside = sum(_paragraph_chars(el, page)[1] for el in els)
    if not inside:  # then only a page without long paragraphs passes: the first long one tells
        return not _page_paragraphs(root, page).any_long()
    return _page_paragraphs(root, page).long_at_most(2 * inside)  # inside >= the rest's


def _page_paragraphs(root, page: dict) -> PageParagraphs:
    """The page's PageParagraphs, made when first asked for (`page` caches it)."""
    if "paragraphs of the page" not in page:
        page["paragraphs of the page"] = PageParagraphs(root)
    return page["paragraphs of the page"]


class PageParagraphs:
    """The paragraph text under an element (the page's, mostly) as `_paragraph_chars` counts it,
    counted only as far as the questions asked need: the page outweighs a footer's one long
    paragraph after a few of its own, and one long paragraph says a <main> has some."""

    def __init__(self, root) -> None:
        self.sizes = map(dom.text_chars, root.iter("p"))
        self.every = self.long = 0  # what is counted so far: it only grows
        self.finished = False

    def _count(self) -> bool:
        """One more paragraph counted; False when all are."""
        n = next(self.sizes, None)
        if n is None:
            self.finished = True
            return False
        self.every += n
        if n >= LONG_PARAGRAPH_CHARS:
            self.long += n
        return True

    def any_long(self) -> bool:
        while not self.long:
            if self.finished or not self._count():
                return False
        return True

    def long_at_most(self, chars: int) -> bool:
        """Is the text of the page's long paragraphs at most `chars`?"""
        while self.long <= chars:
            if self.finished or not self._count():
                return True
        return False

    def prose_below(self, prose: int, share: float) -> bool:
        """`0 < every and prose > every * share`, for the whole page's `every`."""
        while prose > self.every * share:
            if self.finished or not self._count():
                return self.every > 0
        return False


class PageText:
    """The page's text size as `dom.text_chars` counts it (at least 1), counted only as far
    as the questions asked need: most elements are shown to be small after a few lines."""

    def __init__(self, el) -> None:
        self.pieces = map(len, map(str.strip, el.itertext()))
        self.counted = -1  # one space between pieces: -1 + the sum of (length + 1)
        self.finished = False
        self.batch = 16  # pieces counted at a time, doubling: counted in C, few for small questions

    def size(self) -> int:
        """What is counted so far; the whole size once `finished`."""
        return max(self.counted, 0) or 1

    def holds_more_than(self, chars: int, share: float) -> bool:
        """`chars > size * share`, for the whole size. The size only grows as more is
        counted, so once the answer is False it stays False."""
        while chars > self.size() * share:
            if self.finished:
                return True
            sizes = list(islice(self.pieces, self.batch))
            if not sizes:
                self.finished = True
            self.counted += sum(sizes) + len(sizes) - sizes.count(0)
            self.batch = min(self.batch * 2, 1024)
        return False


def _paragraph_chars(el, page: dict) -> tuple[int, int]:
    """Characters of the paragraph text under `el`, all and that of long paragraphs (sentences,
    not teaser lines), counted once per element and sweep (`page` caches them)."""
    cache = page.setdefault("paragraphs", {})
    if el not in cache:
        every = long = 0
        for n in map(dom.text_chars, el.iter("p")):
            every += n
            if n >= LONG_PARAGRAPH_CHARS:
                long += n
        cache[el] = (every, long)
    return cache[el]

