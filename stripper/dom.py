"""The lxml side: parsing a page and small helpers for its tree."""
from __future__ import annotations

import re

from lxml import etree

# huge_tree: without it libxml2 silently drops text nested deeper than 256 elements (and
# everything after it). no_network: entities and DTDs are never fetched; the HTML parser
# never resolves external entities either (tests/test_hostile.py checks both). collect_ids:
# nothing looks elements up by id (no XPath id()), so libxml2 need not index them (5% of a parse).
PARSER_SETTINGS = dict(huge_tree=True, remove_comments=True, remove_pis=True, no_network=True,
                       default_doctype=False, collect_ids=False)
PARSER = etree.HTMLParser(encoding="utf-8", compact=True, **PARSER_SETTINGS)
XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*>", re.I)
# The parser lets C0 controls through in text, but lxml refuses them when text is assigned.
UNSETTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
WS = re.compile(r"\s+")
# Characters that show nothing: soft hyphens (Mit&shy;tel&shy;al&shy;ter), zero-width spaces, word
# joiners, stray byte-order marks. Left in, they split words for whoever reads or searches the text.
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
# Text that shows nothing: spacing, those, and the joiners and direction marks that stay inside
# text (a zero-width joiner holds emoji and Indic letters together) but alone show nothing.
BLANK = re.compile("[\\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]*")
# React's streamed sections close their fallback with the comment <!--/$-->, which the parser
# drops: it is kept as this element, for `streamed.reveal`.
STREAM_PLACEHOLDER = '<template id="B:'
STREAM_END = "<template data-stream-end></template>"


def parse(text: str) -> etree._Element | None:
    """Parse page text into an lxml tree; None when there is nothing to parse."""
    text = XML_PROLOGUE.sub("", text, count=1)
    data = text.encode("utf-8", "replace")  # lone surrogates become '?', never an exception
    # NULs are looked for in the bytes (a memchr), not replaced in the str: most pages have none.
    # (No UTF-8 sequence but NUL's own holds a 0 byte.)
    if b"\0" in data:
        text = text.replace("\x00", "")
        data = data.replace(b"\0", b"")
    if not text or text.isspace():
        return None
    if STREAM_PLACEHOLDER in text:
        data = data.replace(b"<!--/$-->", STREAM_END.encode())
    try:
        root = etree.fromstring(data, PARSER)
        if _too_deep(PARSER.error_log):
            root = _parse_deep(data)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def _too_deep(log) -> bool:
    """libxml2 stops building the tree past 2048 levels even with huge_tree, losing the rest."""
    return any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in log.filter_from_fatals())


def _parse_deep(data: bytes) -> etree._Element | None:
    """Parse through a TreeBuilder target, which has no depth limit; slower, so only when needed.

    The pipeline flattens what lies too deep right after (prune.flatten_deep).
    """
    parser = etree.HTMLParser(encoding="utf-8", target=etree.TreeBuilder(), **PARSER_SETTINGS)
    return etree.fromstring(data, parser)


def visible(text: str) -> str:
    """`text` without the characters that show nothing (INVISIBLE; none of them is ASCII)."""
    return text if text.isascii() else INVISIBLE.sub("", text)


def shows(text: str) -> bool:
    """Does `text` show anything? A paragraph holding only a zero-width joiner (a spacer that
    site builders put between paragraphs) does not."""
    return BLANK.fullmatch(text) is None


def settable(text: str | None) -> str | None:
    """`text` as lxml accepts it for .text / .tail (form feeds become spaces, other controls go)."""
    if text and UNSETTABLE.search(text):
        return UNSETTABLE.sub(lambda m: " " if m.group() == "\x0c" else "", text)
    return text


def text_of(el: etree._Element) -> str:
    return WS.sub(" ", "".join(el.itertext())).strip()


_READ_TEXT = etree.XPath(".//text()[not(ancestor::rt or ancestor::rp)]", smart_strings=False)


def read_text(el: etree._Element) -> str:
    """text_of without the readings of ruby text (<rt>, <rp>), which are printed above the words:
    the words as read (町の図書館, not 町まちの図書館としょかん)."""
    if el.find(".//rt") is None and el.find(".//rp") is None:
        return text_of(el)
    return WS.sub(" ", "".join(_READ_TEXT(el))).strip()


def text_size(el: etree._Element, preview_chars: int = 120) -> tuple[int, str]:
    """(characters of text, the first words): cheaper than text_of on big elements.

    Each piece of text counts trimmed, plus one space between pieces."""
    pieces = list(filter(None, map(str.strip, el.itertext())))  # (C loops: removed boxes can be large)
    head: list[str] = []
    head_len = 0
    for piece in pieces:
        if head_len >= preview_chars:
            break
        head.append(piece)
        head_len += len(piece) + 1
    return _joined_size(list(map(len, pieces))), WS.sub(" ", " ".join(head))[:preview_chars]


def text_chars(el: etree._Element) -> int:
    """`text_size(el)[0]` without the preview."""
    if not len(el):  # a childless element (most paragraphs): its text is its own
        return len(el.text.strip()) if el.text else 0
    return _joined_size(list(map(len, map(str.strip, el.itertext()))))


def _joined_size(sizes: list[int]) -> int:
    """Characters of the non-empty pieces of these sizes joined by single spaces."""
    return max(sum(sizes) + len(sizes) - sizes.count(0) - 1, 0)


def drop(el: etree._Element) -> None:
    """Remove `el` but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        before = (prev.tail if prev is not None else parent.text) or ""
        if not tail.strip():
            # Spacing alone still parts the words around it ("word<script>…</script>\n<b>next</b>"
            # is not "wordnext"): one character of it, unless the text before ends in one.
            if before[-1:].isspace():
                tail = ""
            else:
                tail = "\n" if "\n" in tail else " "
        if tail:
            if prev is not None:
                prev.tail = settable(before + tail)
            else:
                parent.text = settable(before + tail)
    parent.remove(el)


def class_and_id(el) -> str:
    """Its class and id, one string: of an lxml element, or of any mapping of attributes (a
    soup element's `attrs`, whose class the soup keeps whole)."""
    get = el.get
    c, i = get("class"), get("id")
    if c and i:
        return c + " " + i
    return c or i or ""


def unwrap(el: etree._Element) -> None:
    """Replace `el` by its children and text (keep the content, lose the tag)."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    text, tail = el.text or "", el.tail or ""
    prev = el.getprevious()
    if text:
        if prev is not None:
            prev.tail = (prev.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    children = list(el)
    for i, child in enumerate(children):
        parent.insert(index + i, child)
    last = children[-1] if children else el.getprevious()
    parent.remove(el)
    if tail:
        if last is not None and last is not el:
            last.tail = (last.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# Characters of all the text under an element, and the number of its text nodes.
_TEXT_BOUND = etree.XPath("string-length(.) + count(descendant::text()) - 1")


def text_chars_at_most(el: etree._Element) -> int:
    """An upper bound of `text_chars(el)`, worked out in C: each text piece counts untrimmed,
    with a space after it. 0 means there is no text."""
    return max(int(_TEXT_BOUND(el)), 0)
