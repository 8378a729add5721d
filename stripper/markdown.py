"""Article tree (BeautifulSoup) to Markdown: headings, lists, quotes, emphasis, code;
links and images only when asked for.

The walk is iterative (pages can nest far deeper than Python's recursion limit).
Containers that hold blocks (the article, list items, quotes) each get a frame;
a frame collects finished blocks, and the inline text of the block being built.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from . import dom
from .clean import BLOCKS
from .render import pre_text

SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
SKIP_STRINGS = (Comment, Doctype, ProcessingInstruction)
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
                       "button", "input", "select", "textarea", "head", "title", "meta", "link"})
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
EMPHASIS = {"em": "*", "i": "*", "cite": "*", "strong": "**", "b": "**", "del": "~~", "s": "~~", "strike": "~~"}
# Characters that are Markdown syntax anywhere in a line; `<` so raw HTML never passes through.
INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
# ...and constructs that are syntax only at the start of a line.
LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)", re.M)
SAFE_SCHEMES = ("http:", "https:", "mailto:", "ftp:")
HARD_BREAK = "\\\n"


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """The address if it is one a reader may follow (no javascript:, data:, vbscript:)."""
    if not url:
        return None
    url = "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")  # browsers ignore these
    if not url:
        return None
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    if scheme and f"{scheme.group(1).lower()}:" not in SAFE_SCHEMES:
        return None
    if base and not scheme:
        url = urljoin(base, url)
    return url


def escape(text: str) -> str:
    return INLINE_SPECIAL.sub(r"\\\1", text)


def _destination(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


@dataclass
class Frame:
    kind: str  # root | item | quote | list
    blocks: list[str] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    ordered: bool = False
    number: int = 1
    stray: bool = False  # a list opened for an <li> found outside any list


@dataclass
class Mark:
    """An open inline element, closed when the walk leaves it."""

    tag: str
    start: int  # where its text begins in the frame's inline buffer
    href: str | None = None


def render(region: Tag, *, links: bool = False, images: bool = False, base: str | None = None) -> str:
    root = Frame("root")
    frames = [root]
    stack: list = [(region, None)]
    while stack:
        node, closing = stack.pop()
        frame = frames[-1]
        if closing is not None:
            _close(closing, frames, links)
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, SKIP_STRINGS):
                frame.inline.append(escape(SPACES.sub(" ", str(node))))
            continue
        name = node.name
        if name in SKIP_TAGS:
            continue
        if name == "br":
            frame.inline.append(HARD_BREAK)
            continue
        if name == "img":
            if images:
                src = safe_url(node.get("src") or node.get("data-src"), base)
                if src:
                    alt = SPACES.sub(" ", node.get("alt") or "").strip()
                    frame.inline.append(f"![{escape(alt)}]({_destination(src)})")
            continue
        if name == "hr":
            _flush(frame)
            frame.blocks.append("---")
            continue
        if name == "pre":
            _flush(frame)
            frame.blocks.append(_code_block(node))
            continue
        if name == "code":
            frame.inline.append(_code_span(node.get_text()))
            continue
        if name == "table":
            _flush(frame)
            table = _table(node)
            if table:
                frame.blocks.append(table)
            continue
        if name in ("ul", "ol"):
            _flush(frame)
            start = node.get("start")
            frames.append(Frame("list", ordered=name == "ol",
                                number=int(start) if name == "ol" and str(start or "").isdigit() else 1))
        elif name == "li":
            if frame.kind != "list":  # a stray <li>: treat it as a one-item list
                _flush(frame)
                frames.append(Frame("list", stray=True))
            _flush(frames[-1])
            frames.append(Frame("item"))
        elif name == "blockquote":
            _flush(frame)
            frames.append(Frame("quote"))
        elif name in HEADINGS or name in BLOCKS or name == "dt":
            _flush(frame)
        elif name in EMPHASIS or name == "a":
            href = safe_url(node.get("href"), base) if name == "a" and links else None
            stack.append((None, Mark(name, len(frame.inline), href)))
            stack.extend((child, None) for child in reversed(node.contents))
            continue
        stack.append((node, Mark(name, len(frames[-1].inline))))
        stack.extend((child, None) for child in reversed(node.contents))
    while len(frames) > 1:  # unbalanced only if the walk was cut short; be safe
        _close(Mark(frames[-1].kind, 0), frames, links)
    _flush(root)
    return "\n\n".join(b for b in root.blocks if b)


def _close(mark: Mark, frames: list[Frame], links: bool) -> None:
    frame = frames[-1]
    tag = mark.tag
    if tag in EMPHASIS or tag == "a":
        inner = "".join(frame.inline[mark.start:])
        del frame.inline[mark.start:]
        core = inner.strip()
        if not core:
            frame.inline.append(inner)
            return
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
        if tag == "a":
            text = f"[{core}]({_destination(mark.href)})" if links and mark.href else core
        else:
            marker = EMPHASIS[tag]
            text = f"{marker}{core}{marker}"
        frame.inline.append(lead + text + trail)
    elif tag in HEADINGS:
        text = _inline_text(frame)
        if text:
            frame.blocks.append("#" * HEADINGS[tag] + " " + text)
    elif tag == "li" and frame.kind == "item":
        _flush(frame)
        frames.pop()
        parent = frames[-1]
        marker = f"{parent.number}." if parent.ordered else "-"
        parent.number += 1
        body = _join_item(frame.blocks)
        pad = " " * (len(marker) + 1)
        lines = body.split("\n")
        item = f"{marker} {lines[0]}" + "".join("\n" + (pad + ln if ln else "") for ln in lines[1:])
        parent.blocks.append(item)
        if parent.stray:
            _close(Mark("list", 0), frames, False)
    elif tag in ("ul", "ol", "list") and frame.kind == "list":
        _flush(frame)
        frames.pop()
        if frame.blocks:
            # Items with several paragraphs make a loose list (blank lines between items).
            loose = any("\n\n" in b for b in frame.blocks)
            frames[-1].blocks.append(("\n\n" if loose else "\n").join(frame.blocks))
    elif tag == "blockquote" and frame.kind == "quote":
        _flush(frame)
        frames.pop()
        body = "\n\n".join(frame.blocks)
        if body:
            frames[-1].blocks.append("\n".join(f"> {ln}" if ln else ">" for ln in body.split("\n")))
    elif tag in BLOCKS or tag in ("dt", "dd"):
        _flush(frame)


LIST_START = re.compile(r"^(?:-|\d+\.) ")


def _join_item(blocks: list[str]) -> str:
    """A list item's blocks: a nested list follows its line directly (a tight list)."""
    out = ""
    for i, block in enumerate(blocks):
        if i:
            out += "\n" if LIST_START.match(block) and "\n\n" not in blocks[i - 1] else "\n\n"
        out += block
    return out


def _paragraphs(frame: Frame) -> list[str]:
    """The inline text built in `frame`, taken out of it; two line breaks in a row (<br><br>)
    end a paragraph, as on pages without <p>."""
    text = "".join(frame.inline)
    frame.inline.clear()
    out: list[str] = []
    lines: list[str] = []
    for line in text.split(HARD_BREAK) + [""]:
        line = SPACES.sub(" ", line).strip()
        if line:
            if dom.shows(line):  # (a zero-width joiner alone: a spacer)
                lines.append(line)
        elif lines:
            out.append(HARD_BREAK.join(lines))
            lines = []
    return out


def _inline_text(frame: Frame) -> str:
    """The inline text as one line (for headings)."""
    return " ".join(p.replace(HARD_BREAK, " ") for p in _paragraphs(frame))


def _flush(frame: Frame) -> None:
    """End the paragraph(s) being built in `frame`."""
    for text in _paragraphs(frame):
        frame.blocks.append(LINE_START.sub(r"\1\\\2", text))


def _code_span(code: str) -> str:
    code = SPACES.sub(" ", code)
    if not code.strip():
        return ""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _code_block(pre: Tag) -> str:
    code = pre_text(pre).strip("\n")
    if not code.strip():
        return ""
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    fence = "`" * (longest + 1)
    language = ""
    for el in [pre, pre.find("code")]:
        # The region's class attributes are whole strings (see clean.soup_of).
        for cls in (el.get("class") or "").split() if isinstance(el, Tag) else []:
            if cls.startswith(("language-", "lang-")):
                language = re.sub(r"[^\w+#.-]", "", cls.split("-", 1)[1])
                break
    return f"{fence}{language}\n{code}\n{fence}"


def _table(table: Tag) -> str:
    """A simple table as a GitHub-style table; cells are flattened to one line each."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a row of a nested table
        cells = [escape(SPACES.sub(" ", c.get_text(" ")).strip()) for c in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)
