"""Article tree to text: paragraphs separated by one blank line."""
from __future__ import annotations

import re

from bs4 import NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from .clean import BLOCKS

SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
SKIP = (Comment, Doctype, ProcessingInstruction)
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")


def _clean_lines(parts: list[str]) -> str:
    lines = []
    for line in "".join(parts).split("\n"):
        line = SPACES.sub(" ", line).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def blocks(region: Tag) -> list[str]:
    """The region's text as a list of blocks (paragraphs, list blocks, pre blocks)."""
    out: list[str] = []
    buf: list[str] = []
    items: list[str] = []  # the list being built, one line per item
    depth = {"li": 0}  # how many list items enclose the walk's position

    def flush() -> None:
        pending = "".join(buf)
        buf.clear()
        if pending.isspace() or not pending:  # most calls: only the spacing between two blocks
            return
        # Two line breaks in a row (<br><br>) end a paragraph, as on pages without <p>.
        for part in PARAGRAPH_BREAK.split(pending):
            block = _clean_lines([part])
            if block:
                out.append(block)

    def flush_list() -> None:
        if items:
            out.append("\n".join(items))
            items.clear()

    # Iterative walk: pages can nest far deeper than Python's recursion limit.
    stack: list = [(region, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, SKIP):
                buf.append(str(node).replace("\n", " "))
            continue
        name = node.name
        if leaving:
            if name == "li":
                depth["li"] -= 1
                line = " ".join(_clean_lines(buf).split("\n"))
                buf.clear()
                if line:
                    parent = node.parent
                    if parent is not None and parent.name == "ol":
                        number = sum(1 for s in node.previous_siblings if isinstance(s, Tag) and s.name == "li") + 1
                        items.append(f"{number}. {line}")
                    else:
                        items.append(f"- {line}")
            elif name in ("ul", "ol"):
                flush()
                if not depth["li"]:
                    flush_list()
            elif name in BLOCKS:
                flush()
            elif name in ("td", "th"):
                buf.append(" ")
            continue
        if name == "br":
            buf.append("\n")
            continue
        if name == "pre":
            flush()
            flush_list()
            raw = node.get_text().strip("\n")
            if raw.strip():
                out.append(raw)
            continue
        if name == "img":
            continue
        if name in BLOCKS and name != "li":
            flush()
            if name not in ("ul", "ol") and not depth["li"]:
                flush_list()
        elif name == "li":
            depth["li"] += 1
            line = _clean_lines(buf)
            buf.clear()
            if line:  # text of an enclosing item before its nested list
                items.append(f"- {' '.join(line.split(chr(10)))}")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    flush_list()
    return out


def to_text(region: Tag) -> str:
    return "\n\n".join(blocks(region))
