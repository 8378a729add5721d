"""Markup and text fingerprints, tested so that a page carrying none costs little.

Matching every fingerprint selector on every element was slow: a Python loop over lxml
elements pays for an object per element. Instead each selector first gets a necessary
test (a Probe) against facts gathered once per page: the words of the page's attribute
values (class names, ids, exact values), read in the one walk that also reads the
visible text (see `scan`), and the elements of the few tags whose attributes a selector
tests in other ways. Only the selectors that pass are matched for real, on the elements
an XPath built from them picks, in document order, so the sites found and their order
are those of matching every element.

Text fingerprints are phrases looked for in the page's folded visible text. A phrase of
three words or more can only be there if its inner words are whole words of that text,
which one set answers, instead of scanning the text once per phrase.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from . import Site, builtin_packs
from .ruleset import fold, fold_words
from .selectors import SelectorIndex, Simple, parse_chain

# Text fingerprints are looked for in this much of the page's text, start and end:
# aggregators put their slogans in headers and footers.
FINGERPRINT_TEXT_CHARS = 20000
# Elements whose own text is never shown (and can be megabytes).
HIDDEN = frozenset(("script", "style", "noscript", "template"))
# What the text walk skips the text of: those, and comments and processing instructions
# (whose tag is a function).
SKIPPED = HIDDEN | {etree.Comment, etree.ProcessingInstruction, etree.Entity}
XPATH_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
SUBSTRING_OPS = ("*=", "^=", "$=", "|=")


@lru_cache(maxsize=1)
def fingerprint_index() -> SelectorIndex:
    index = SelectorIndex()
    for site in builtin_packs().sites:
        for sel in site.fingerprints:
            index.add(sel, site)
    return index


# -- markup ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    """What a page must contain for one simple selector to possibly match an element of it."""

    words: frozenset[str] = frozenset()  # words of attribute values: its classes, id, [name=value] values
    tag: str | None = None  # a tag the page must have elements of...
    needles: tuple[tuple[str, str], ...] = ()  # ...with these (attribute, substring) in their values
    names: tuple[str, ...] = ()  # ...with these attributes (anywhere on the page when there is no tag)

    @classmethod
    def of(cls, simple: Simple) -> Probe:
        exact = [value for _, op, value, icase in simple.attrs if op == "=" and not icase]
        words = frozenset(" ".join([*simple.classes, simple.id or "", *exact]).split())
        needles = tuple((name, value) for name, op, value, icase in simple.attrs
                        if op in SUBSTRING_OPS and value and not icase)
        names = tuple(name for name, *_ in simple.attrs)
        # The tag's elements are looked at when no word narrows the selector down, or for
        # the attribute tests words cannot answer (og:site_name is on most pages).
        tag = simple.tag if simple.tag and (names or not words) else None
        return cls(words, tag, needles if tag else (), names)

    def may_match(self, page: Page) -> bool:
        if not self.words <= page.words:
            return False
        if self.tag is None:
            return all(page.has_attribute(name) for name in self.names)
        elements = page.elements(self.tag)
        return (bool(elements) and all(needle in page.joined(self.tag, name) for name, needle in self.needles)
                and all(any(el.get(name) is not None for el in elements) for name in self.names))


@lru_cache(maxsize=1)
def probes() -> tuple[tuple[Simple, Probe], ...]:
    """Every simple fingerprint selector with its probe. (Fingerprints that are not simple
    selectors are never matched, as before.)"""
    return tuple((simple, Probe.of(simple)) for entries in fingerprint_index().buckets.values()
                 for simple, _ in entries)


@lru_cache(maxsize=1)
def probes_by_word() -> tuple[dict[str, list], list]:
    """Probes under one of their words (a page lacking it rules them all out), and those
    without a word, which every page has to test."""
    by_word: dict[str, list] = {}
    wordless = []
    for simple, probe in probes():
        if probe.words:
            by_word.setdefault(min(probe.words), []).append((simple, probe))
        else:
            wordless.append((simple, probe))
    return by_word, wordless


@lru_cache(maxsize=1)
def probe_tags() -> tuple[str, ...]:
    return tuple(sorted({probe.tag for _, probe in probes() if probe.tag}))


@lru_cache(maxsize=1)
def probe_words() -> frozenset[str]:
    return frozenset(word for _, probe in probes() for word in probe.words)


@lru_cache(maxsize=1024)
def selector_words(selector: str) -> frozenset[str] | None:
    """Words that some attribute value of a page must have for `selector` (a descendant chain)
    to match one of its elements: its classes, its id, the values it asks for whole (a value's
    words); None when it is not a chain `parse_chain` reads."""
    chain = parse_chain(selector)
    if not chain:
        return None
    return frozenset(word for simple in chain for word in Probe.of(simple).words)


@lru_cache(maxsize=1)
def content_words() -> frozenset[str]:
    """The words of the profiles' content selectors (see `selector_words`)."""
    return frozenset(word for site in builtin_packs().sites for selector in site.content
                     for word in selector_words(selector) or ())


@lru_cache(maxsize=1)
def _page_words() -> frozenset[str]:
    """The words a Page looks for in the page's attribute values."""
    return probe_words() | content_words()


class Page:
    """Facts about one page's markup that probes test: its attribute words (from `scan`) and
    the elements of the probed tags (gathered in C)."""

    def __init__(self, root, tags: tuple[str, ...], words: frozenset[str], values: list[str],
                 elements: dict[str, list] | None = None) -> None:
        """`values`: every attribute value of the page; `elements`: its elements of `tags`, by
        tag, in any order (see `scan`), gathered here when not given."""
        self.root = root
        # Of `words`, those the page's attribute values have (keeping only these is cheaper
        # than a set of every word).
        self.words = words.intersection(" ".join(set(values)).split())
        if elements is None:
            elements = {}
            for top in top_level(root) if tags else ():
                for el in top.iter(*tags):
                    elements.setdefault(el.tag, []).append(el)
        self._elements = elements
        self._joined: dict[tuple[str, str], str] = {}
        self._attributes: dict[str, bool] = {}

    def elements(self, tag: str) -> list:
        return self._elements.get(tag, [])

    def joined(self, tag: str, name: str) -> str:
        """Every value of attribute `name` on `tag` elements, one string to search."""
        key = (tag, name)
        if key not in self._joined:
            self._joined[key] = "\n".join(v for el in self.elements(tag) if (v := el.get(name)) is not None)
        return self._joined[key]

    def has_attribute(self, name: str) -> bool:
        if name not in self._attributes:
            self._attributes[name] = not XPATH_NAME.match(name) or bool(_attribute_xpath(name)(self.root))
        return self._attributes[name]


def top_level(root) -> list:
    """The root and the elements libxml2 leaves beside it (markup after </html> can make a
    second <html>): XPath's // sees those too, and so must every other test."""
    return [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]


@lru_cache(maxsize=64)
def _attribute_xpath(name: str) -> etree.XPath:
    return etree.XPath(f"boolean(//@{name})")


def markup_sites(root, scanned: Scan | None = None) -> list[Site]:
    """Sites whose markup fingerprints the page carries, in the order their first element comes.
    `scanned`: what `scan` read of the page, when it has."""
    return markup_sites_and_words(root, scanned)[0]


def markup_sites_and_words(root, scanned: Scan | None = None) -> tuple[list[Site], frozenset[str]]:
    """markup_sites(root, scanned), and which of the words of probes and of the profiles'
    content selectors the page's attribute values have (see `selector_words`)."""
    if scanned is None:
        scanned = scan(root)
    page = Page(root, probe_tags(), _page_words(), scanned.values, scanned.elements)
    by_word, wordless = probes_by_word()
    maybe = [entry for word in by_word.keys() & page.words for entry in by_word[word]] + wordless
    passing = tuple(sorted({simple.text for simple, probe in maybe if probe.may_match(page)}))
    if not passing:
        return [], page.words
    found: dict[str, Site] = {}
    index = fingerprint_index()
    for el in candidates(passing)(root):
        for _, site in index.match(el.tag, el.get, el.get("class"), el.keys()):
            found.setdefault(site.id, site)
    return list(found.values()), page.words


@lru_cache(maxsize=256)
def candidates(selectors: tuple[str, ...]) -> etree.XPath:
    """An XPath picking every element these selectors match (and perhaps a few more), in
    document order, so only those meet the exact matcher in Python."""
    by_text = {simple.text: simple for simple, _ in probes()}
    return etree.XPath(" | ".join(xpath_of(by_text[s]) for s in selectors))


def xpath_of(simple: Simple) -> str:
    """An XPath picking every element `simple` matches (and perhaps a few more). Without a
    tag it starts from the id, class or first attribute: libxml2 walks the attributes of
    one name much faster than it tests every element."""
    tests = [("id", "=", simple.id)] if simple.id else []
    tests += [("class", "*=", c) for c in simple.classes]  # (contains: a class is one of the words)
    tests += [(name, None if icase else op, value) for name, op, value, icase in simple.attrs]
    tests = [test for test in tests if XPATH_NAME.match(test[0])]
    tag = simple.tag if simple.tag and XPATH_NAME.match(simple.tag) else "*"
    if tests and (tag == "*" or tests[0][0] in ("id", "class")):
        (name, op, value), tests = tests[0], tests[1:]
        first = _compare(".", op, value)
        path = f"//@{name}" + (f"[{first}]" if first else "") + f"/parent::{tag}"
    else:
        path = f"//{tag}"
    rest = [_compare("@" + name, op, value) or "@" + name for name, op, value in tests]
    return path + (f"[{' and '.join(rest)}]" if rest else "")


def _compare(operand: str, op: str | None, value: str) -> str | None:
    """An XPath test that `operand` (an attribute) passes whenever `[name op value]` does;
    None when only the attribute's presence can be tested."""
    if '"' not in value:
        quoted = f'"{value}"'
    elif "'" not in value:
        quoted = f"'{value}'"
    else:
        return None  # no XPath 1.0 literal holds both quotes
    if op is None:
        return None
    if op == "=":
        return f"{operand}={quoted}"
    if op in ("^=", "|="):
        return f"starts-with({operand},{quoted})"
    return f"contains({operand},{quoted})"  # *=, ~=, and $= (XPath 1.0 has no ends-with)


# -- text ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scan:
    values: list[str]  # every attribute value of the page, in any order
    text: str  # the body's text without scripts and styles: each element's text, then its tail
    elements: dict[str, list]  # the page's elements of the tags probes look at (probe_tags), by tag


@lru_cache(maxsize=1)
def _probed_tags() -> frozenset[str]:
    return frozenset(probe_tags())


def scan(root) -> Scan:
    """What fingerprints are looked for in, read in one walk of the page (the page's elements
    in Python cost less walked once than an XPath of every attribute and a walk of the text;
    the elements of the probed tags are picked up on the way, not in a walk of their own)."""
    body = root.find("body")
    top = body if body is not None else root
    wanted = _probed_tags()
    elements: dict[str, list] = {}
    values: list[str] = []
    add_values = values.extend
    for part in top_level(root):  # what lies outside the body: attribute values only
        if part is top:
            continue
        if part is root:
            add_values(root.values())
            if root.tag in wanted:
                elements.setdefault(root.tag, []).append(root)
            parts = [child for child in root if child is not top]
        else:
            parts = [part]
        for outer in parts:
            for el in outer.iter():
                add_values(el.values())
                if el.tag in wanted:
                    elements.setdefault(el.tag, []).append(el)
    pieces: list[str] = []
    add = pieces.append
    for el in top.iter():
        add_values(el.values())
        tag = el.tag
        if tag in wanted:
            elements.setdefault(tag, []).append(el)
        if tag not in SKIPPED:
            text = el.text
            if text:
                add(text)
        tail = el.tail
        if tail:
            add(tail)
    return Scan(values, " ".join(pieces), elements)


def visible_text(root) -> str:
    """The body's text without scripts and styles: each element's text, then its tail."""
    return scan(root).text


@lru_cache(maxsize=1)
def fingerprint_phrases() -> dict[str, Site]:
    """Folded text fingerprint -> the site it names."""
    return {fold(phrase): site for site in builtin_packs().sites for phrase in site.fingerprint_text}


@lru_cache(maxsize=1)
def _phrase_tests() -> tuple[tuple[str, frozenset[str], Site], ...]:
    """(phrase, its inner words, site): inner words must be whole words of a text holding it;
    its first and last may be the ends of longer words."""
    return tuple((phrase, frozenset(phrase.split(" ")[1:-1]), site) for phrase, site in fingerprint_phrases().items())


@lru_cache(maxsize=1)
def _inner_words() -> frozenset[str]:
    return frozenset(word for _, inner, _ in _phrase_tests() for word in inner)


def sites_in_text(text: str) -> list[Site]:
    """Sites whose text fingerprints appear in the start or end of `text` (slogans sit in
    headers and footers), found as substrings of the folded text."""
    if not fingerprint_phrases():
        return []
    if len(text) > 2 * FINGERPRINT_TEXT_CHARS:
        text = text[:FINGERPRINT_TEXT_CHARS] + " " + text[-FINGERPRINT_TEXT_CHARS:]
    words = fold_words(text)
    present = _inner_words().intersection(words)
    hits = [(phrase, site) for phrase, inner, site in _phrase_tests() if inner <= present]
    if not hits:
        return []
    folded = " ".join(words)
    return [site for phrase, site in hits if phrase in folded]
