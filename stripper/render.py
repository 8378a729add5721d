"""Article tree to text: paragraphs separated by one blank line."""
from __future__ import annotations

import re
from typing import Iterator

from bs4 import NavigableString, PageElement, Tag
from bs4.element import CData, Comment, Doctype, ProcessingInstruction

from .clean import BLOCKS
from .dom import shows, visible

SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
SKIP = (Comment, Doctype, ProcessingInstruction)
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
# Inside <pre>, lines can end with <br> or sit each in an element of their own (a code
# highlighter's <div class="line">): each starts a new line, as a browser shows it.
PRE_LINE_TAGS = ("div", "p", "li", "tr")
PRE_STRINGS = (NavigableString, CData)  # what get_text() reads: no comments


def _splits_as_spaces(text: str) -> bool:
    """Does str.split() split `text` only at SPACES and line breaks? It also splits at these rare
    control and separator characters (one `in` each: faster than any other test found)."""
    return ("\x1c" not in text and "\x1d" not in text and "\x1e" not in text and "\x1f" not in text
            and "\x85" not in text and "\u1680" not in text and "\u2028" not in text and "\u2029" not in text)


def _clean_lines(text: str) -> str:
    """The text's lines, each with its runs of SPACES made one space and trimmed; empty lines dropped."""
    if _splits_as_spaces(text):  # split() does it at C speed
        lines = [" ".join(line.split()) for line in text.split("\n")]
    else:
        lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def pre_text(pre: Tag) -> str:
    """The text of a <pre> as it shows: get_text(), but <br> and line elements end lines."""
    if pre.find(("br", *PRE_LINE_TAGS)) is None:  # most: text, perhaps in spans
        return pre.get_text()
    parts: list[str] = []
    for node in pre.descendants:
        if type(node) in PRE_STRINGS:
            parts.append(node)
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
            elif node.name in PRE_LINE_TAGS and parts and not parts[-1].endswith("\n"):
                parts.append("\n")
    return "".join(parts)


def _marker(item: Tag) -> str:
    """What an item's line starts with: "3. " for the third item of an <ol> (its place among the
    list's items), else "- "."""
    parent = item.parent
    if parent is None or parent.name != "ol":
        return "- "
    return f"{sum(1 for s in item.previous_siblings if isinstance(s, Tag) and s.name == 'li') + 1}. "


def blocks(region: Tag) -> list[str]:
    """The region's text as a list of blocks (paragraphs, list blocks, pre blocks)."""
    out: list[str] = []
    buf: list[str] = []
    items: list[str] = []  # the list being built, one line per item
    in_items = 0  # how many list items enclose the walk's position
    # The current item's `_marker`, for its own line when a nested list follows it
    # (<li>Fruit<ul><li>Apples</li></ul></li>).
    marker = ""

    def add(block: str) -> None:
        if not shows(block):  # a spacer: a zero-width joiner alone
            return
        if items:  # a block inside an item ends the one-line items before it, in order
            flush_list()
        out.append(block)

    def take() -> str:
        """The text gathered since the last block, without characters that show nothing."""
        pending = "".join(buf)
        buf.clear()
        return visible(pending)

    def flush() -> None:
        pending = take()
        if pending.isspace() or not pending:  # most calls: only the spacing between two blocks
            return
        if "\n" not in pending and _splits_as_spaces(pending):  # one line, the most common block
            add(" ".join(pending.split()))
            return
        # Two line breaks in a row (<br><br>) end a paragraph, as on pages without <p>.
        for part in PARAGRAPH_BREAK.split(pending):
            block = _clean_lines(part)
            if block:
                add(block)

    def flush_list() -> None:
        if items:
            out.append("\n".join(items))
            items.clear()

    def leave(node: Tag) -> None:
        """The end of a block (only blocks are left with a call: an inline end changes nothing)."""
        nonlocal in_items, marker
        name = node.name
        if name == "li":
            in_items -= 1
            line = " ".join(_clean_lines(take()).split("\n"))
            if shows(line):
                items.append(_marker(node) + line)
            marker = ""
            return
        if buf:
            flush()
        if name in ("ul", "ol") and not in_items:
            flush_list()

    # Depth first, without recursion (pages can nest far deeper than Python's limit): each
    # element being walked keeps the iterator over its children on the stack, with the element
    # itself when it is a block (to be left with a call), else None.
    stack: list[tuple[Tag | None, Iterator[PageElement]]] = [(None, iter((region,)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            kind = type(child)
            if kind is NavigableString or (kind is not Tag and isinstance(child, NavigableString)):
                if kind is NavigableString or not isinstance(child, SKIP):
                    buf.append(child.replace("\n", " "))
                continue
            name = child.name
            if name in BLOCKS:
                if name == "pre":  # nothing inside is walked
                    if buf:
                        flush()
                    flush_list()
                    raw = pre_text(child).strip("\n")
                    if shows(raw):
                        out.append(raw)
                    continue
                if name == "li":
                    in_items += 1
                    line = _clean_lines(take())
                    if shows(line):  # text of an enclosing item before its nested list
                        items.append(f"- {' '.join(line.split(chr(10)))}")
                    marker = _marker(child)
                else:
                    if buf and name in ("ul", "ol") and in_items:  # an item's own line, then its list
                        line = _clean_lines(take())
                        if shows(line):
                            items.append(marker + " ".join(line.split("\n")))
                            marker = ""
                    elif buf:
                        flush()
                    if name not in ("ul", "ol") and not in_items:
                        flush_list()
                stack.append((child, iter(child.contents)))
                break
            if name == "br":
                buf.append("\n")
                continue
            if name == "img":  # nothing inside is walked
                continue
            contents = child.contents
            if len(contents) == 1 and type(contents[0]) is NavigableString:  # <a>, <em>: a string
                buf.append(contents[0].replace("\n", " "))
            elif contents:
                stack.append((None, iter(contents)))
                break
        else:  # all its children walked
            stack.pop()
            if node is not None:
                leave(node)
    flush()
    flush_list()
    return out


def to_text(region: Tag) -> str:
    return "\n\n".join(blocks(region))
