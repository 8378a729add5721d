"""Author names: from byline-ish strings (metadata values, printed bylines) to clean names,
and the printed byline of a page when its metadata names no author."""
from __future__ import annotations

import re
from itertools import islice
from typing import Iterable, Iterator

from lxml import etree


class Words:
    """Words looked for in class and id names, case aside: a `re.I` search, made quick for ASCII
    names (nearly all of them), where searching the lower-cased names says the same."""

    def __init__(self, *words: str) -> None:  # lower-case ASCII words
        self.words = words
        self.folded = re.compile("|".join(words), re.I)
        self.lower = re.compile("|".join(words))

    def search(self, names: str) -> bool:
        if names.isascii():
            return self.lower.search(names.lower()) is not None
        return self.folded.search(names) is not None


# Visible bylines, readability's way: rel=author, or class/id naming a byline or author.
BYLINE_CLASS = Words("byline", "author", "writtenby", "dateline")
# A printed date is looked for in elements whose class or id says date or time.
DATE_CLASS = Words("date", "time", "publish", "posted", "dateline", "byline", "meta")
# Most class names say neither: one search tells them apart.
MARK_CLASS = Words(*dict.fromkeys(BYLINE_CLASS.words + DATE_CLASS.words))
NOT_BYLINE_CLASS = re.compile(r"comment|avatar|\bbio\b|-bio|_bio|description|about", re.I)
# A line opening with one of these (then a space) may be a byline: "By Jane Doe".
BY_STARTS = ("By ", "BY ", "by ", "Par ", "PAR ", "Von ", "VON ", "Por ", "POR ", "Door ")
BY_WORDS = frozenset(p.strip() for p in BY_STARTS)
BY_FIRST = frozenset(p[0] for p in BY_STARTS)
# Parts of a byline box that are not names.
BYLINE_EXTRAS = re.compile(r"title|role|job|position|date|time|bio|twitter|follow|avatar|photo|image|social|email", re.I)
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})

# Text in an author field that names no person.
NOT_NAME = re.compile(
    r"^(?:\d+\s*(?:s|m|h|d|w|mo|y|min|mins|hr|hrs|hours?|days?|minutes?)\b.*|\d+\s+min(?:ute)?s?\s+read.*"
    r"|(?:updated|published|posted|last updated|aktualisiert|mis à jour)\b.*|\W*|.*\d{4}.*|.*\d{1,2}:\d{2}.*"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b.*"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b.*"
    r"|comments?\b.*|\(?\d+\)?|follow|share|view (?:all|profile).*|more from .*|see all .*|contact .*)$", re.I)
BY_PREFIX = re.compile(
    r"^(?:(?:written|story|words|text|reporting|posted|published|an article|a column|photos?|edited)\s+by"
    r"|(?:veröffentlicht|eingestellt|geschrieben|verfasst|erstellt)\s+von|(?:publié|écrit|rédigé)\s+par"
    r"|(?:escrito|publicado)\s+por|(?:scritto|pubblicato)\s+da"
    r"|by|von|par|por|door|av|af|przez|tekst|texto|text|(?-i:di|de|da))\b\s*:?\s*", re.I)  # "De Vries" is a name
# A word a byline puts after the name, before the date it lost: "Jane Doe am", "Jane Doe le".
TRAILING_WORD = re.compile(r"\s+(?:am|um|on|at|le|el|il|op|den|the)$", re.I)
# A "name" that is a web address: the site, not an author ("example.de").
DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.I)
# Where one byline names several people.
NAME_SPLIT = re.compile(r"\s*(?:,|;|\s&\s|\sand\s|\sund\s|\set\s|\sy\s|\se\s|\sen\s|\soch\s|\sog\s)\s*", re.I)
NAME_TRIM = " \t-–—:|,;"
PARENS = re.compile(r"\([^)]*\)")
EMPTY_PARENS = re.compile(r"\(\s*\)|\(\s*$")
# Words in a byline-ish string that show it is not a name (a headline, a prompt, a role).
NOT_NAME_WORDS = re.compile(r"[:!?\"<>=]|\b(?:sign in|sign up|log in|subscribe|newsletter|editor|reporter|correspondent"
                            r"|contributor|staff writer|read more|click|cookie|reply|powered|wordpress|theme"
                            r"|unterstützt|terms of|privacy)\b", re.I)
PART_SPLIT = re.compile(r"\s+[|·•—–]\s+|\s*[|·•]\s*|\n")
EMAIL_OR_URL = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+")
LETTER = re.compile(r"[^\W\d_]")
NOT_WORD = re.compile(r"[\W_]+")
# A byline longer than this is a bio or a sentence, not names.
MAX_BYLINE_CHARS = 100
MAX_NAME_WORDS = 6


# A byline is printed near the headline: on a page of more elements than this (a million
# teaser cards), the search stops rather than walk them all.
BYLINE_SEARCH_ELEMENTS = 50_000

def clean_names(raw: Iterable[str], site: str | None = None, *, visible: bool = False) -> list[str]:
    """Person names from byline-ish strings: 'By A and B · 3 min read' -> ['A', 'B'].

    `site` drops a part that is the publisher's name ("New Scientist · Helena Ruiz · 1d");
    `visible` (text printed in the page, not metadata) also wants a capital letter in each name.
    """
    names: list[str] = []
    for value in raw:
        value = " ".join(EMAIL_OR_URL.sub(" ", value or "").split())
        value = EMPTY_PARENS.sub("", value).strip()
        if not value or len(value) > MAX_BYLINE_CHARS * 2:
            continue
        for part in PART_SPLIT.split(value):
            part = _strip_name(part)
            if not part or NOT_NAME.match(part) or part.startswith("@") or (site and key(part) == key(site)):
                continue
            for name in _split_people(part):
                name = _strip_name(name)
                if _looks_like_name(name, visible):
                    names.append(name)
    seen: set[str] = set()
    out = []
    for n in names:
        if key(n) not in seen:
            seen.add(key(n))
            out.append(n)
    return out


def _strip_name(text: str) -> str:
    name = BY_PREFIX.sub("", text.strip(NAME_TRIM)).strip(NAME_TRIM + ".")
    return TRAILING_WORD.sub("", name)


def _split_people(part: str) -> list[str]:
    """'A, B and C' -> three names; 'Doe, Jane' (surname first) and '(with A and B)' stay whole."""
    outside = PARENS.sub("", part)
    pieces = NAME_SPLIT.split(outside)
    if len(pieces) == 1:
        return [part]
    if "," in outside and all(len(p.split()) == 1 for p in outside.split(",")):
        return [part]  # "Kooman, F." is one person written surname first
    if outside != part:
        return [part]
    return pieces


def _looks_like_name(name: str, visible: bool) -> bool:
    if not name or NOT_NAME.match(name) or len(PARENS.sub("", name).split()) > MAX_NAME_WORDS:
        return False
    if not LETTER.search(name) or NOT_NAME_WORDS.search(name) or DOMAIN.match(name):
        return False
    # Printed bylines: "by changesets" in a table head is no name; names have capitals.
    return not (visible and name == name.lower() and name != name.upper())


def key(text: str) -> str:
    """Text folded for comparing names and titles: case, punctuation and spacing aside."""
    return " ".join(NOT_WORD.sub(" ", text.casefold()).split())


def dom_bylines(lines: Iterable, site: str | None = None) -> list[str]:
    """The first byline printed in the page, from its byline lines (`printed_lines`)."""
    for line in lines:
        text = byline_text(line)
        if 0 < len(text) <= MAX_BYLINE_CHARS:
            found = clean_names([text], site, visible=True)
            if found:
                return found
    return []


class Printed:
    """Elements of a page that may print what its metadata left out, in document order.

    `bylines` (may hold the byline) and `dated` (class or id says date or time) are found as
    they are read: one walk of the page serves both and goes only as far as its readers do,
    so a byline printed near the headline spares the walk of the rest of the page.
    """

    def __init__(self, top) -> None:
        self._bylines: list = []
        self._dated: list = []
        self._elements = top.iter(etree.Element)
        self._walk = _lines_and_dates(self._elements, self._bylines, self._dated)

    @property
    def bylines(self) -> Iterator:
        return self._read(self._bylines)

    @property
    def dated(self) -> Iterator:
        return self._read(self._dated)

    def bylines_done(self) -> None:
        """No more bylines will be read: the rest of the walk looks for dates only, which
        reads the class names alone."""
        self._walk = _dates(self._elements, self._dated)

    def _read(self, found: list) -> Iterator:
        i = 0
        while i < len(found) or next(self._walk, False):
            if i < len(found):
                yield found[i]
                i += 1


def byline_lines(top) -> list:
    """Elements under `top` that may hold a byline, in document order (see `printed_lines`)."""
    return list(printed_lines(top).bylines)


def printed_lines(top) -> Printed:
    """The elements under `top` that may print a byline or a date, found as they are read.

    Byline lines, among the first BYLINE_SEARCH_ELEMENTS elements: one whose class or id says
    byline (and not comment, bio...), one with rel=author, one whose text opens with "By", or
    the parent of an element whose tail does. Dated: one whose class or id says date or time
    (DATE_CLASS). Elements in SKIP_TAGS are passed over.
    """
    return Printed(top)


# What one class or id name says (`name_marks`).
SAYS_BYLINE, SAYS_DATE = 1, 2
# Names already judged. Pages repeat their class names, and sites share many ("post-meta",
# "entry-date"): kept across pages, up to MARKS_KEPT names (plain strings and ints).
MARKS_KEPT = 20_000
_marks: dict[str | None, int] = {None: 0}


def name_marks(name: str) -> int:
    """SAYS_BYLINE and SAYS_DATE for one class or id value. An element's class and id say what
    either says: no word spans the space that joins them."""
    if len(_marks) > MARKS_KEPT:
        _marks.clear()
        _marks[None] = 0
    marks = 0
    if MARK_CLASS.search(name):
        marks = (SAYS_BYLINE if BYLINE_CLASS.search(name) else 0) | (SAYS_DATE if DATE_CLASS.search(name) else 0)
    _marks[name] = marks
    return marks


def _marks_of(cls: str | None, ident: str | None) -> int:
    """What an element's class and id say (name_marks of each, remembered)."""
    marks = _marks.get(cls)
    if marks is None:
        marks = name_marks(cls)
    if ident is not None:
        more = _marks.get(ident)
        marks |= name_marks(ident) if more is None else more
    return marks


def _lines_and_dates(elements, lines: list, dated: list) -> Iterator[bool]:
    """Walk `elements`, filling `lines` and `dated` in document order; True after each find."""
    for el in islice(elements, BYLINE_SEARCH_ELEMENTS):
        cls, ident = el.get("class"), el.get("id")
        marks = _marks_of(cls, ident)
        if marks:
            if marks & SAYS_DATE and el.tag not in SKIP_TAGS:
                dated.append(el)
                yield True
            if marks & SAYS_BYLINE and not NOT_BYLINE_CLASS.search(f"{cls or ''} {ident or ''}"):
                if el.tag not in SKIP_TAGS:
                    lines.append(el)
                    yield True
                continue
        if el.get("rel") == "author":
            if el.tag not in SKIP_TAGS:
                lines.append(el)
                yield True
            continue
        # The tag is read only for the few lines that open with a By word: most elements have none.
        # The first visible letter is tested inline: a call per text would cost more than the test.
        text = el.text
        if text and text.lstrip()[:1] in BY_FIRST and _opens_byline(text):
            if el.tag not in SKIP_TAGS:
                lines.append(el)
                yield True
            continue
        tail = el.tail
        if tail and tail.lstrip()[:1] in BY_FIRST and _opens_byline(tail) and el.tag not in SKIP_TAGS:
            owner = el.getparent()
            if owner is not None:
                lines.append(owner)
                yield True
    yield from _dates(elements, dated)  # past the byline search's reach: dates only


def _dates(elements, dated: list) -> Iterator[bool]:
    """Walk the rest of `elements` for dated ones only."""
    for el in elements:
        cls, ident = el.get("class"), el.get("id")
        marks = _marks_of(cls, ident)
        if marks & SAYS_DATE and el.tag not in SKIP_TAGS:
            dated.append(el)
            yield True


def _opens_byline(text: str) -> bool:
    """Does `text` open with a By word and a space ("By Jane Doe"), or is it the word alone?"""
    lead = text.lstrip()
    if lead[:1] not in BY_FIRST:  # the quick answer for nearly every text
        return False
    return lead.startswith(BY_STARTS) or lead.rstrip() in BY_WORDS


def byline_text(el) -> str:
    """The element's text without the parts a byline box adds to names: roles, dates, bios."""
    parts: list[str] = []
    stack = [el]
    while stack:
        node = stack.pop()
        if node is not el and (node.tag in ("time", "img", "script", "style", "button")
                               or BYLINE_EXTRAS.search(f"{node.get('class') or ''} {node.get('id') or ''}")):
            if node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        children = [c for c in node if isinstance(c.tag, str)]
        if node is not el and node.tail:
            # The tail comes after the node's children: pushed first, popped last.
            stack.append(_Tail(node.tail))
        stack.extend(reversed(children))
    return " ".join(" ".join(parts).split())


class _Tail:
    """A tail text waiting on the stack of `byline_text` (acts like an empty element)."""

    tag = "#tail"

    def __init__(self, text: str) -> None:
        self.text, self.tail = text, None

    def get(self, _name, default=None):
        return default

    def __iter__(self):
        return iter(())
