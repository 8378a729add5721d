"""Fine pass with BeautifulSoup on the article region.

Each stage plans its removals first, so the safety valve can refuse a plan
that would remove most of the article before anything is touched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, chain, islice
from typing import Any, Callable, Collection, Iterator

from lxml import etree
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.builder import builder_registry

from . import dom
from .options import Options
from .rules.ruleset import PhraseMatch, RuleSet, fold, fold_lines
from .rules.selectors import Simple, parse_simple
from .trace import BuiltinRule, Trace

BLOCKS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "nav", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption", "table", "tr", "td", "th",
    "form", "fieldset", "address", "details", "summary", "main", "center", "pre", "hr",
})


TITLE_REPEAT = BuiltinRule("title-repeat", "the headline, printed again in the body")
KICKER = BuiltinRule("kicker", "section label linked above the headline")
KICKER_CHARS = 40  # a section label is a word or two, never a sentence
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


class Texts:
    """Every element's text (as `text` gives it), read in one walk of the region.

    An element's text is the words of the strings inside it joined by single spaces, so it
    is a run of the region's strings: an element is kept as where its run begins and ends,
    and its text is joined only when asked. (BeautifulSoup would read the strings afresh
    for every enclosing element.) The walk also lists the elements in document order, so
    the stages find elements by name without walking the region again.

    Removals are told to `drop` before the nodes go: their strings become holes and their
    elements leave the list, so the rest of the region keeps its places and need not be read again.
    """

    def __init__(self, root: Tag, read: Reading | None = None):
        """`read`: what `read_region(root)` gives, when the building of the region read it already."""
        # pieces: the non-empty strings, each one's words joined by single spaces.
        # elements: the root and every element under it, in document order (None once dropped).
        # at: id(element) -> its index in `elements`. By that index, starts and ends: its run of
        # pieces (first index, index past the last); past: the index past its last descendant.
        self.pieces, self.elements, self.at, self.starts, self.ends, self.past = read or read_region(root)
        self.holes = False
        self._add_up()

    def _add_up(self) -> None:
        """Running totals over the pieces, so any run's size is a subtraction."""
        self.chars = [0, *accumulate(map(len, self.pieces))]
        self.live = [0, *accumulate(map(bool, self.pieces))] if self.holes else None
        self.folded_pieces: list[str] | None = None  # fold() of every piece, when first asked

    def run(self, node: Tag) -> tuple[int, int]:
        """The node's run of pieces: the same run, the same text."""
        i = self.at[id(node)]
        return self.starts[i], self.ends[i]

    def length(self, node: Tag) -> int:
        if node.interesting_string_types is not MAIN_TYPES and node.interesting_string_types != STRING_TYPES:
            return len(text(node))  # a <script>: its strings are its own kind
        i = self.at[id(node)]
        a, b = self.starts[i], self.ends[i]
        joins = (self.live[b] - self.live[a] if self.live else b - a) - 1
        return self.chars[b] - self.chars[a] + joins if joins >= 0 else 0

    def text(self, node: Tag) -> str:
        if node.interesting_string_types != STRING_TYPES:
            return text(node)
        return self._joined(self.pieces, node)

    def short(self, node: Tag, limit: int) -> str | None:
        """short_text(node, limit)."""
        return self.text(node) if self.length(node) <= limit else None

    def folded(self, node: Tag) -> str:
        """fold(text(node)), from the region's pieces folded once.

        fold works word by word (case, quotes, spacing), so folding the pieces folds every text made of them.
        """
        if node.interesting_string_types != STRING_TYPES:
            return fold(text(node))
        return self._joined(self.all_folded(), node)

    def all_folded(self) -> list[str]:
        """fold() of every piece (folded once)."""
        if self.folded_pieces is None:
            self.folded_pieces = fold_lines(self.pieces)
        return self.folded_pieces

    def _joined(self, pieces: list[str], node: Tag) -> str:
        a, b = self.run(node)
        run = pieces[a:b]
        if self.live is not None and self.live[b] - self.live[a] < b - a:  # holes in the run
            return " ".join(filter(None, run))
        return " ".join(run)

    def tags(self, node: Tag, names: Collection[str] | None = None) -> list[Tag]:
        """The elements under `node`, in document order; with `names`, those with one of them."""
        i = self.at[id(node)]
        inside = self.elements[i + 1:self.past[i]]
        if names is None:
            return [el for el in inside if el is not None]
        return [el for el in inside if el is not None and el.name in names]

    def drop(self, nodes: list[Tag]) -> None:
        """These nodes are about to be removed: their strings no longer count, their elements are gone."""
        for node in nodes:
            i = self.at[id(node)]
            a, b = self.starts[i], self.ends[i]
            self.pieces[a:b] = [""] * (b - a)
            end = self.past[i]
            self.elements[i:end] = [None] * (end - i)
        self.holes = True
        self._add_up()


# What a walk of a region reads for Texts: its pieces, elements, at, starts, ends and past (see Texts).
Reading = tuple[list[str], list, dict[int, int], list[int], list[int], list[int]]


def read_region(root: Tag) -> Reading:
    """Texts' reading of the region under `root`, in one walk of it."""
    pieces: list[str] = []
    elements: list = [root]
    at = {id(root): 0}
    starts, ends, past = [0], [0], [0]  # (ends and past are set as each element closes)
    # The elements the walk is in, each with its children not yet seen. (A stack, not
    # recursion: regions can be hundreds of elements deep.)
    stack = [(iter(root.contents), 0)]
    while stack:
        children, i = stack[-1]
        for node in children:
            if type(node) in STRING_TYPES:  # what node.strings yields: no comments, scripts
                words = node.split()
                if words:
                    pieces.append(" ".join(words))
            elif isinstance(node, Tag):
                stack.append((iter(node.contents), len(elements)))
                at[id(node)] = len(elements)
                elements.append(node)
                starts.append(len(pieces))
                ends.append(0)
                past.append(0)
                break
        else:
            ends[i] = len(pieces)
            past[i] = len(elements)
            stack.pop()
    return pieces, elements, at, starts, ends, past


# The strings an element's text is made of: those Tag.strings yields for every element but
# <script>, <style>, <template> and ruby annotations, which yield only their own kind of string.
STRING_TYPES = frozenset(Tag.MAIN_CONTENT_STRING_TYPES)
SPACES = BeautifulSoup.ASCII_SPACES  # what BeautifulSoup takes for spacing between tags
MAIN_TYPES = Tag.MAIN_CONTENT_STRING_TYPES  # what most elements have: the same set, a quicker test


def tags(root: Tag, names: Collection[str] | None) -> Iterator[Tag]:
    """The elements under `root` with one of these names (None: every element), in document order.

    What root.find_all(names) finds, but several times faster: BeautifulSoup's find_all
    runs a general matcher on every element.
    """
    if names is None:
        return (node for node in root.descendants if isinstance(node, Tag))
    return (node for node in root.descendants if isinstance(node, Tag) and node.name in names)


def to_soup(html: str) -> Tag:
    """Parse HTML the way `soup_of` builds a region: `class` stays one string."""
    soup = BeautifulSoup(html, "lxml", multi_valued_attributes=None)
    return soup.body or soup


# bs4's lxml HTML tree builder, found through its public registry.
LXML_HTML_BUILDER = builder_registry.lookup("lxml", "html")


class _GrownTreeBuilder(LXML_HTML_BUILDER):
    """lxml's tree builder for a soup whose tree `soup_of` grows from lxml's elements: it parses
    nothing. (Parsing even "" leaves an lxml parser and its target, the builder, holding each
    other: the garbage collector had to free them for every region.)"""

    def feed(self, markup: Any) -> None:
        pass


def _empty_soup() -> BeautifulSoup:
    """An empty soup, as BeautifulSoup("", "lxml", multi_valued_attributes=None) makes it."""
    return BeautifulSoup("", builder=_GrownTreeBuilder, multi_valued_attributes=None)


def soup_of(elements: list) -> Tag:
    """The lxml elements (without their tails) as one BeautifulSoup <div>.

    lxml's nodes go straight into a BeautifulSoup tree, with no serialising and parsing
    again (which also unescaped text twice in raw-text elements). `class` stays one
    string, as in lxml, which spares splitting every class attribute.
    """
    return soup_and_texts(elements)[0]


def soup_and_texts(elements: list) -> tuple[Tag, Texts]:
    """`soup_of(elements)` and its Texts, read while the tree is built (no second walk of it)."""
    soup = _empty_soup()
    region = soup.handle_starttag("div", None, None, {})
    read = _grow(soup, region, elements)
    if read is None:  # never in the pipeline: prune.drop_non_content took comments out
        release(region)
        soup = _empty_soup()
        region = soup.handle_starttag("div", None, None, {})
        _feed(soup, elements)
    soup.handle_endtag("div")
    soup.endData()
    return region, Texts(region, read)


def _feed(soup: BeautifulSoup, elements: list) -> None:
    """Build the elements into `soup` through BeautifulSoup's tree-building calls, as a parser would.

    Comments, processing instructions and entities are left out; the text around one joins.
    A stack rather than recursion: regions can be hundreds of elements deep.
    """
    todo: list[tuple[bool, Any, bool]] = [(False, el, False) for el in reversed(elements)]
    while todo:
        closing, el, with_tail = todo.pop()
        if closing:
            soup.handle_endtag(el.tag)
        elif isinstance(el.tag, str):
            soup.handle_starttag(el.tag, None, None, dict(el.attrib))
            if el.text:
                soup.handle_data(el.text)
            todo.append((True, el, with_tail))
            todo.extend((False, child, True) for child in reversed(el))
            continue
        if with_tail and el.tail:
            soup.handle_data(el.tail)


def _grow(soup: BeautifulSoup, region: Tag, elements: list) -> Reading | None:
    """Build the elements under `region`, as `_feed` would, several times faster, and read the
    new region for Texts on the way (what `read_region` would read); None, leaving the building
    unfinished, if they hold a comment, processing instruction or entity.

    BeautifulSoup's tree-building calls cost most of the fine pass: they keep stacks and
    counters to repair unbalanced markup. lxml's tree is balanced, so each node is made in
    place, linked to its parent, its previous sibling and the node made before it. The usual
    tag and string are made here, not in a function of their own: this loop runs for every node.
    """
    builder = soup.builder
    containers, keeps_spacing = builder.string_containers, builder.preserve_whitespace_tags
    attribute_dict = builder.attribute_dict_class
    quick_strings = _strings_made_alike()
    # What Texts reads (see read_region): `made` lists the elements; `index` is the index of `into` in it.
    pieces: list[str] = []
    made: list = [region]
    at = {id(region): 0}
    starts, ends, past = [0], [0], [0]
    index = 0
    last: PageElement = region  # the node made most recently: the next node follows it
    data: str | None = None  # text read since then (lxml's tree has no two texts in a row)
    # Where nodes go, of which class strings are (Script in <script>, ...), and whether their whitespace is kept (<pre>).
    into, kind, keep = region, NavigableString, False
    outer: list[tuple] = []  # the same (and index), for the enclosing elements
    for top in elements:
        for event, el in etree.iterwalk(top, events=("start", "end", "comment", "pi")):
            if data:
                words = None  # the string's words, when they are text (see read_region)
                if not keep and not data.strip(SPACES):
                    data = "\n" if "\n" in data else " "  # whitespace between tags: one space or newline
                elif kind is NavigableString:
                    words = data.split()
                if kind is NavigableString and quick_strings:
                    siblings = into.contents
                    sibling = siblings[-1] if siblings else None
                    string = _string_as_made(data, into, last, sibling)
                    last.next_element = string
                    if sibling is not None:
                        sibling.next_sibling = string
                    siblings.append(string)
                    last = string
                else:
                    last = _add_string(data, into, last, kind)
                if words:
                    pieces.append(" ".join(words))
            if event == "end":
                ends[index] = len(pieces)
                past[index] = len(made)
                into, kind, keep, index = outer.pop()
                data = el.tail if el is not top else None
                continue
            name = el.tag
            if event != "start" or not isinstance(name, str):
                return None
            fields = _tag_fields(name)
            if fields is not None:
                siblings = into.contents
                sibling = siblings[-1] if siblings else None
                tag = _tag_as_made(fields, attribute_dict(el.items()), into, last, sibling)
                last.next_element = tag
                if sibling is not None:
                    sibling.next_sibling = tag
                siblings.append(tag)
                last = tag
            else:
                last = _new_tag(soup, name, el, into, last)
            outer.append((into, kind, keep, index))
            into = last
            index = len(made)
            at[id(last)] = index
            made.append(last)
            starts.append(len(pieces))
            ends.append(0)
            past.append(0)
            kind = containers.get(name, kind)
            keep = keep or name in keeps_spacing
            data = el.text
    ends[0] = len(pieces)
    past[0] = len(made)
    return pieces, made, at, starts, ends, past


@cache
def _reference_soups() -> tuple[BeautifulSoup, BeautifulSoup]:
    """Two soups as `soup_of` makes them: what their tags share is what every region's tags share."""
    return _empty_soup(), _empty_soup()


@lru_cache(maxsize=512)
def _tag_fields(name: str) -> tuple | None:
    """What BeautifulSoup's constructor sets on every <name> tag of a region alike, for `_tag_as_made`.

    None where that would not make the tag the constructor makes: <meta> (the constructor reads
    its attributes), names whose tags get more of their own (<script>'s string types), or a
    BeautifulSoup version whose constructor sets other fields.
    """
    if name == "meta":
        return None
    soups = _reference_soups()
    one, other = (Tag(soup, soup.builder, name) for soup in soups)
    made = one.__dict__
    fields = (made.get("parser_class"), made.get("name"), made.get("attribute_value_list_class"),
              made.get("known_xml"), made.get("can_be_empty_element"), made.get("cdata_list_attributes"),
              made.get("preserve_whitespace_tags"), made.get("interesting_string_types"))
    quick = _tag_as_made(fields, soups[1].builder.attribute_dict_class(), None, None, None)
    return fields if _made_alike(quick, one, other) else None


def _tag_as_made(fields: tuple, attrs: dict, parent: Tag | None, previous: PageElement | None,
                 sibling: PageElement | None) -> Tag:
    """A Tag with the fields Tag's constructor sets, in its order, without looking any up again.

    Set one by one, as the constructor sets them, they stay in the object (no dict of their own
    for the garbage collector to count and walk).
    """
    (parser_class, name, attribute_value_list_class, known_xml, can_be_empty_element,
     cdata_list_attributes, preserve_whitespace_tags, interesting_string_types) = fields
    tag = Tag.__new__(Tag)
    tag.parser_class = parser_class
    tag.name = name
    tag.namespace = None
    tag._namespaces = {}
    tag.prefix = None
    tag.sourceline = None
    tag.sourcepos = None
    tag.attribute_value_list_class = attribute_value_list_class
    tag.attrs = attrs
    tag.known_xml = known_xml
    tag.contents = []
    tag.parent = parent
    tag.previous_element = previous
    tag.next_element = None
    tag.next_sibling = None
    tag.previous_sibling = sibling
    tag.hidden = False
    tag.can_be_empty_element = can_be_empty_element
    tag.cdata_list_attributes = cdata_list_attributes
    tag.preserve_whitespace_tags = preserve_whitespace_tags
    tag.interesting_string_types = interesting_string_types
    return tag


def _string_as_made(data: str, parent: Tag | None, previous: PageElement | None,
                    sibling: PageElement | None) -> NavigableString:
    """A NavigableString with the fields its constructor and PageElement.setup set, in their order."""
    string = str.__new__(NavigableString, data)
    string.__dict__ = {"hidden": False, "parent": parent, "previous_element": previous, "next_element": None,
                       "next_sibling": None, "previous_sibling": sibling}
    return string


def _made_alike(quick: PageElement, one: PageElement, other: PageElement) -> bool:
    """Is `quick` to `one` what `other`, made by the constructor as `one` was, is: the same fields in
    the same order, equal, and the same object where the constructor shares one between nodes?"""
    a, b, c = one.__dict__, other.__dict__, quick.__dict__
    return list(a) == list(b) == list(c) and all(
        c[key] == b[key] and (c[key] is a[key]) == (b[key] is a[key]) for key in a)


@cache
def _strings_made_alike() -> bool:
    """Does `_string_as_made` make the string NavigableString and PageElement.setup make?"""
    one, other = NavigableString("x"), NavigableString("x")
    one.setup()
    other.setup()
    return _made_alike(_string_as_made("x", None, None, None), one, other)


def _new_tag(soup: BeautifulSoup, name: str, el: Any, parent: Tag, previous: PageElement) -> Tag:
    """The Tag for lxml element `el`, as the last child of `parent`, after `previous`, made by the
    constructor (see `_tag_fields` for which; `_grow` makes the others).

    The attributes go in whole: lxml's are all strings, which the constructor would keep as they are.
    """
    if name == "meta":  # the constructor sees to <meta charset>: given the attributes, as a parser does
        tag = Tag(soup, soup.builder, name, attrs=dict(el.attrib), parent=parent, previous=previous)
    else:
        tag = Tag(soup, soup.builder, name, parent=parent, previous=previous)
        attrs = el.items()
        if attrs:
            tag.attrs = soup.builder.attribute_dict_class(attrs)
    parent.contents.append(tag)
    return tag


def _add_string(data: str, into: Tag, last: PageElement, kind: type[NavigableString]) -> NavigableString:
    """The text as the last string of `into`, made as the parser makes it: for strings of their
    own kind (in <script>, <rt>, ...), rare, or a BeautifulSoup whose strings `_string_as_made`
    does not make. (`_grow` makes the usual string itself, spacing already settled.)"""
    string = kind(data)
    string.setup(into, last)
    into.contents.append(string)
    return string


def release(region: Tag) -> None:
    """Take the region's tree apart once nothing reads it any more.

    Its nodes link each other both ways (parent and children, previous and next), so only a
    garbage collection could free them, and a collection walks every node it meets. Without
    their links back (parent, previous element, previous sibling), the links left all point
    forward in document order and make no cycle: the nodes are freed at once. That halves the
    time the pipeline spends collecting garbage. (Cheaper than decompose(), which empties
    every node.)
    """
    soup = region.parent
    node = region
    while node is not None:
        node.parent = node.previous_element = node.previous_sibling = None
        node = node.next_element
    if soup is not None:
        soup.__dict__.clear()  # (the soup holds itself: it is the open tag on its own stack)


def _outermost(plan: list[Removal]) -> list[Removal]:
    chosen = {id(r.node) for r in plan}
    return [r for r in plan if not any(id(p) in chosen for p in r.node.parents)]


KEEP_ATTR = "data-stripper-keep"


def mark_kept(region: Tag, rules: RuleSet) -> None:
    """Mark elements matching --keep, their ancestors and descendants: `apply` never removes them."""
    if not rules.keep_index:
        return
    for node in region.find_all(True):
        if node.get(KEEP_ATTR) is None and any(True for _ in rules.keep_index.match(node.name, node.attrs.get, node.get("class"), node.attrs)):
            for n in [node, *node.find_all(True), *node.parents]:
                if isinstance(n, Tag) and n is not region.parent:
                    n[KEEP_ATTR] = ""


def apply(plan: list[Removal], region: Tag, stage: str, trace: Trace, opts: Options, *,
          valve_share: float | None = None, texts: Texts | None = None) -> bool:
    """Carry out a removal plan unless it would take most of the article with it.

    `texts`, if given, is the region's as it is now (it spares reading the region's text again),
    and is kept so. Returns whether anything was removed.
    """
    plan = _outermost([r for r in plan if not r.node.decomposed and r.node.get(KEEP_ATTR) is None])
    if not plan:
        return False
    size = texts.length if texts is not None else (lambda node: len(text(node)))
    total = size(region)
    doomed = sum(size(r.node) for r in plan)
    if trace.refuses(stage, total, doomed, len(plan), opts, share=valve_share):
        return False
    said = texts.text if texts is not None else text
    for r in plan:
        trace.record(stage, r.rule.id, r.rule.reason, said(r.node), selector=r.selector, action=r.action)
    if texts is not None:
        texts.drop([r.node for r in plan])
    for r in plan:
        r.node.decompose()
    return True


def select_rules(region: Tag, rules: RuleSet, texts: Texts | None = None) -> list[Removal]:
    """Rules whose selectors need soupsieve (combinators, pseudo-classes).

    `texts`, if given, is the region's as it is now.
    """
    plan = []
    present: KeysPresent | None = None
    for selector, compiled, rule in rules.index.complex:
        subject = _subject(selector)
        if subject is not None:
            # soupsieve tries the whole selector on every element; most pages have no element
            # that could even be the one selected (no .credit for "figcaption .credit").
            kind, name = subject.key()
            if kind != "any":
                if present is None:
                    present = KeysPresent(texts.tags(region) if texts is not None else list(tags(region, None)))
                if name.lower() not in present.of(kind):
                    continue
        for node in compiled.select(region):
            if rule.max_chars and len(text(node)) > rule.max_chars:
                continue
            if not rule.spares(dom.class_and_id(node.attrs)):
                plan.append(Removal(node, rule, selector))
    return plan


SUBJECT_UNSURE = re.compile(r"[,:()\[\]\\\"'|]")  # selector lists, pseudo-classes, attributes, escapes


@lru_cache(maxsize=1024)
def _subject(selector: str) -> Simple | None:
    """The last compound of a selector, what it selects, if plainly written: `.credit` in `figcaption .credit`."""
    if SUBJECT_UNSURE.search(selector):
        return None
    return parse_simple(re.split(r"[\s>+~]+", selector.strip())[-1])


class KeysPresent:
    """The tag names, classes, ids and attribute names of some elements, lower-cased, by kind as
    Simple.key() names them. Each kind is read from the elements when first asked for: most
    pages are asked only about classes.

    (Lower-cased: a document in quirks mode matches classes and ids whatever their case.)
    """

    def __init__(self, nodes: list[Tag]):
        self.nodes = nodes
        self.kinds: dict[str, set[str]] = {}

    def of(self, kind: str) -> set[str]:
        """The names of this kind ("tag", "class", "id" or "attr")."""
        if kind not in self.kinds:
            # Read as they are, then lower-cased once each: most elements repeat names and classes of others.
            self.kinds[kind] = {name.lower() for name in self._read(kind)}
        return self.kinds[kind]

    def _read(self, kind: str) -> set[str]:
        if kind == "tag":
            return {node.name for node in self.nodes}
        held = [node.attrs for node in self.nodes if node.attrs]
        if kind == "attr":
            return set().union(*held)
        values = [attrs.get(kind) for attrs in held]
        if kind == "id":
            return {value for value in values if isinstance(value, str)}
        names: set[str] = set()
        strings = []  # class attributes kept whole (as soup_of keeps them): split all at once
        for value in values:
            if isinstance(value, list):
                names.update(value)
            elif value is not None:
                strings.append(value)
        names.update(" ".join(strings).split())
        return names


PROSE_END = re.compile(r"[.!?…\"”»)]\s*$")


def _prose_chars(node: Tag, opts: Options) -> int:
    """Characters of sentence paragraphs in `node`: what an article is made of, not chrome."""
    paras = [node] if node.name == "p" else node.find_all("p")
    return sum(len(t) for t in map(text, paras) if len(t) >= opts.min_paragraph_chars * 3 and PROSE_END.search(t))


def confirm_cut(cut: list[Removal], trace: Trace, opts: Options) -> list[Removal]:
    """A wall marker followed by an article's worth of prose is chrome in the middle, not a wall.

    Then only the marker goes; the cut is recorded as reverted.
    """
    if len(cut) < 2:
        return cut
    after = sum(_prose_chars(r.node, opts) for r in cut[1:])
    if after < opts.min_article_chars:
        return cut
    trace.record("wall", "safety-valve", f"{after} characters of prose follow the wall marker: not cut", "",
                 action="revert")
    trace.events[-1].preview = f"{len(cut) - 1} removals not applied"
    return [Removal(cut[0].node, cut[0].rule, cut[0].selector)]


def wall_markup(region: Tag, rules: RuleSet, texts: Texts | None = None) -> list[Removal]:
    """The first element matching a wall marker's selector, and everything after it.

    `texts`, if given, is the region's as it is now.
    """
    index = rules.cut_index
    if not index:
        return []
    # (Not find_all: its general matcher costs more than the test below.)
    for node in texts.tags(region) if texts is not None else tags(region, None):
        attrs = node.attrs
        # Simple selectors first, the complex ones only if no simple one marks it (both lazily).
        simple_marks = index.match(node.name, attrs.get, attrs.get("class"), attrs)
        if not simple_marks and not index.complex:  # most elements
            continue
        marks = chain(((simple.text, rule) for simple, rule in simple_marks),
                      ((sel, rule) for sel, compiled, rule in index.complex if compiled.match(node)))
        hit = next(((sel, rule) for sel, rule in marks if not rule.spares(dom.class_and_id(attrs))), None)
        if hit is None:
            continue
        selector, rule = hit
        if rule.max_chars and len(text(node)) > rule.max_chars:
            continue
        return [Removal(node, rule, selector, "cut")] + [Removal(n, rule, selector, "cut") for n in _following(node, region)]
    return []


def phrase_blocks(region: Tag, rules: RuleSet, opts: Options,
                  texts: Texts | None = None) -> tuple[list[Removal], list[Removal], list]:
    """Short blocks made of chrome phrases; wall prompts cut the rest of the article.

    `texts`, if given, is the region's as it is now.
    Returns (removals, cuts, paywall rules seen).
    """
    plan: list[Removal] = []
    cut: list[Removal] = []
    walls = []
    longest = rules.longest_block(opts.max_phrase_block_chars)
    if texts is None:
        texts = Texts(region)
    # Only chrome matters here: a block that short phrases leave words of is none (is_chrome).
    match = _phrase_matcher(rules.within(texts.folded(region)), texts, opts.max_phrase_block_chars,
                            weak=opts.min_phrase_share <= 0)
    # The region's elements in document order; a block that is removed, or empty, is passed over
    # with everything inside it. `unphrased`: where the block ends in which no phrase may start,
    # the innermost such block around the element (none may in the blocks inside it either).
    elements, past = texts.elements, texts.past
    i = texts.at[id(region)] + 1
    end = unphrased = past[i - 1]
    while i < end:
        node = elements[i]
        i += 1
        if node is None or node.name not in BLOCKS:
            continue
        if node.name == "pre":  # code: "x = 1" is a line of it, not a share button
            i = past[i - 1]
            continue
        size = texts.length(node)
        if not size:
            i = past[i - 1]
            continue
        if size > longest:
            continue
        if i > unphrased:
            unphrased = end
        m, phrased = match(node, unphrased == end)
        if m is not None and is_chrome(m, opts):
            i = past[i - 1]
            walls.extend(r for r in m.rules if r.paywall)
            if m.rule.cut and not cut:
                # Blocks after the marker are still looked at: the cut may yet be refused.
                cut = [Removal(node, m.rule, action="cut")]
                cut += [Removal(n, m.rule, action="cut") for n in _following(node, region)]
                continue
            plan.append(Removal(node, m.rule))
            continue
        # (A box of fewer than two elements in all has fewer than two blocks: most blocks.)
        led = (_led_by_label(node, texts, match, phrased, opts)
               if size <= opts.max_phrase_block_chars and past[i - 1] - i >= 2 else None)
        if led is not None:
            i = past[i - 1]
            plan.append(Removal(node, led))
        elif not phrased and unphrased == end:
            unphrased = past[i - 1]
    return plan, cut, walls


Matcher = Callable[[Tag, bool], tuple[PhraseMatch | None, bool]]


def _phrase_matcher(rules: RuleSet, texts: Texts, limit: int, weak: bool = True) -> Matcher:
    """RuleSet.match_part for an element's text, asked once for each run of the region's
    text (nested blocks often have the same: a <div> around one <p>) and once for each text
    (table cells and list items repeat theirs: "Yes", "N/A", "Share"). `weak`: as match_part's."""
    answers: dict[tuple[int, int], tuple[PhraseMatch | None, bool]] = {}
    by_text: dict[tuple[str, bool | None], tuple[PhraseMatch | None, bool]] = {}

    def match(node: Tag, phrased: bool) -> tuple[PhraseMatch | None, bool]:
        run = texts.run(node)
        answer = answers.get(run)
        if answer is None:
            folded = texts.folded(node)
            plain = node.interesting_string_types == STRING_TYPES
            key = (folded, phrased if plain else None)
            answer = by_text.get(key)
            if answer is None:
                if plain:
                    answer = rules.match_part(folded, limit, phrased, weak)
                else:  # (its text is not its run's: no telling what it holds)
                    answer = rules.match_part(folded, limit, weak=weak)[0], True
                by_text[key] = answer
            answers[run] = answer
        return answer
    return match


def _led_by_label(box: Tag, texts: Texts, match: Matcher, phrased: bool, opts: Options):
    """A short box that opens with a chrome label ("Sponsored", "Related stories", "Newsletter") is that chrome.

    Only boxes of several blocks, as short as a phrase block, so an article never goes this way.
    `match` is a _phrase_matcher, `phrased` what it said of the box.
    """
    # The first two child elements with text; the first a block. (Read in order and left as
    # soon as told: in most boxes, a paragraph, the first is an inline <a> or <em>.)
    label = None
    for child in box.contents:
        if isinstance(child, Tag) and texts.length(child):
            if label is not None:
                break
            if child.name not in BLOCKS:
                return None
            label = child
    else:
        return None
    m, _ = match(label, phrased)
    if m is None or m.rule.cut or not is_chrome(m, opts) or m.covered < 1:
        return None
    return m.rule


def is_chrome(m: PhraseMatch, opts: Options) -> bool:
    """A block is chrome when phrases make it up, never for a phrase inside a real sentence.

    Either every word is a chrome phrase, or specific (multi-word) phrases and patterns cover
    most of it, or it opens with a whole chrome sentence ("Subscribe to continue reading.").
    """
    return m.residue == 0 or m.strong >= opts.min_phrase_share or (m.lead and m.strong >= opts.min_lead_share)


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


def title_repeat(region: Tag, title: str | None, texts: Texts | None = None) -> list[Removal]:
    """The headline printed again in the body. `texts`, if given, is the region's as it is now."""
    if not title:
        return []
    # Compared without spaces: a headline split by inline tags (<ruby>町</ruby>の, <b>Bre</b>xit)
    # reads with a space at each tag, where the page and the output have none.
    want = _unspaced(title)
    find = texts.tags if texts is not None else tags
    for h in islice(find(region, ("h1", "h2")), 3):
        if _unspaced(text(h)) == want:
            return [Removal(h, TITLE_REPEAT)] + [Removal(k, KICKER) for k in _kickers(h)]
    # Any tag will do on old pages (<font><b>headline</b></font>).
    short = texts.short if texts is not None else short_text
    for node in islice(find(region, BLOCKS), TITLE_SEARCH_BLOCKS):
        body = short(node, len(title) + 10)
        if body is not None and _unspaced(body) == want:
            return [Removal(node, TITLE_REPEAT)]
    return []


def _unspaced(text: str) -> str:
    return fold(text).replace(" ", "")


def _kickers(heading: Tag) -> list[Tag]:
    """Section labels printed just above the headline: a few words, all of them a link."""
    out = []
    for sib in heading.find_previous_siblings(limit=2):
        if not isinstance(sib, Tag) or sib.name not in BLOCKS:
            continue
        label = text(sib)
        if label and len(label) <= KICKER_CHARS and len(text_of_links(sib)) == len(label):
            out.append(sib)
    return out


def text_of_links(node: Tag) -> str:
    return " ".join(text(a) for a in node.find_all("a"))


def link_lines(region: Tag, opts: Options, texts: Texts | None = None) -> list[Removal]:
    """Short lines that are nothing but a link, before the article's first paragraph
    or after its last: section kickers, "Back to top", "More stories".

    `texts`, if given, is the region's as it is now.
    """
    if texts is None:
        texts = Texts(region)
    lines = []  # (node, is_link_line, is_prose) in document order
    for node in texts.tags(region, ("p", "div")):
        if not BLOCKS.isdisjoint([c.name for c in node.contents]):  # (a string's name is None)
            continue
        size = texts.length(node)
        if not size:
            continue
        if size > opts.max_link_line_chars and size <= PROSE_LINE_CHARS:  # neither: its links do not matter
            lines.append((node, False, False))
            continue
        links = texts.tags(node, ("a",))  # (not node.a: a find costs as much as a walk of the region)
        if size > PROSE_LINE_CHARS:  # long enough to be prose, unless it is a link list
            lines.append((node, False, not links or _link_share(node, links, texts) < 0.5))
            continue
        linked = _link_share(node, links, texts) if links else 0
        lines.append((node, linked >= 0.9, False))
    prose = [i for i, (_, _, is_prose) in enumerate(lines) if is_prose]
    if not prose:
        return []
    first, last = prose[0], prose[-1]
    return [Removal(node, LINK_LINE) for i, (node, is_link, _) in enumerate(lines)
            if is_link and (i < first or i > last)]


def _link_share(node: Tag, links: list[Tag], texts: Texts) -> float:
    """How much of the node's text is in its links (all the <a> inside it)."""
    total = texts.length(node)
    return sum(texts.length(a) for a in links) / total if total else 0.0
