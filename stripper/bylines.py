"""Author names: from byline-ish strings (metadata values, printed bylines) to clean names,
and the printed byline of a page when its metadata names no author."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable

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
NO_MARK = (False, False)
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


@dataclass
class Printed:
    """Elements of a page that may print what its metadata left out, in document order."""

    bylines: list = field(default_factory=list)  # may hold the byline
    dated: list = field(default_factory=list)  # class or id says date or time


def byline_lines(top) -> list:
    """Elements under `top` that may hold a byline, in document order (see `printed_lines`)."""
    return printed_lines(top).bylines


def printed_lines(top) -> Printed:
    """One walk of `top` for both searches of the printed page, which read the same class names.

    Byline lines, among the first BYLINE_SEARCH_ELEMENTS elements: one whose class or id says
    byline (and not comment, bio...), one with rel=author, one whose text opens with "By", or
    the parent of an element whose tail does. Dated: one whose class or id says date or time
    (DATE_CLASS). Elements in SKIP_TAGS are passed over.
    """
    found = Printed()
    lines, dated = found.bylines, found.dated
    verdicts: dict[tuple, tuple] = {}  # pages repeat the same class names many times
    walk = top.iter(etree.Element)
    for el in islice(walk, BYLINE_SEARCH_ELEMENTS):
        cls, ident = el.get("class"), el.get("id")
        if cls is not None or ident is not None:
            names = (cls, ident)
            verdict = verdicts.get(names)
            if verdict is None:
                verdict = verdicts[names] = _verdict(names)
            if verdict is not NO_MARK:
                if verdict[1] and el.tag not in SKIP_TAGS:
                    dated.append(el)
                if verdict[0]:
                    if el.tag not in SKIP_TAGS:
                        lines.append(el)
                    continue
        if el.get("rel") == "author":
            if el.tag not in SKIP_TAGS:
                lines.append(el)
            continue
        # The tag is read only for the few lines that open with a By word: most elements have none.
        # The first visible letter is tested inline: a call per text would cost more than the test.
        text = el.text
        if text and text.lstrip()[:1] in BY_FIRST and _opens_byline(text):
            if el.tag not in SKIP_TAGS:
                lines.append(el)
            continue
        tail = el.tail
        if tail and tail.lstrip()[:1] in BY_FIRST and _opens_byline(tail) and el.tag not in SKIP_TAGS:
            owner = el.getparent()
            if owner is not None:
                lines.append(owner)
    for el in walk:  # past the byline search's reach: dates only
        names = (el.get("class"), el.get("id"))
        if names != (None, None) and el.tag not in SKIP_TAGS:
            verdict = verdicts.get(names)
            if verdict is None:
                verdict = verdicts[names] = _verdict(names)
            if verdict[1]:
                dated.append(el)
    return found


def _verdict(names: tuple) -> tuple[bool, bool]:
    """(says byline, says date) for an element's (class, id)."""
    joined = f"{names[0] or ''} {names[1] or ''}"
    if not MARK_CLASS.search(joined):
        return NO_MARK
    return BYLINE_CLASS.search(joined) and not NOT_BYLINE_CLASS.search(joined), DATE_CLASS.search(joined)


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
