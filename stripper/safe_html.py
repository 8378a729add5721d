"""Article tree (BeautifulSoup) to minimal, safe HTML.

A whitelist, not a blacklist: only the tags and attributes below are written;
scripts, styles, frames, forms and embeds go with their content; event
handlers, style and class attributes never pass; links and images keep only
http(s)/mailto/relative addresses. Layout containers (div, section, ...) become
<div>; other unknown tags are dropped and their text kept. Iterative walk.
"""
from __future__ import annotations

import re
from html import escape

from bs4 import NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from .markdown import safe_url

# Elements dropped with everything inside them.
DROP = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "canvas", "form", "input", "button", "select", "option", "textarea", "dialog", "head",
    "title", "meta", "link", "base", "audio", "video", "source", "track", "map", "area", "param", "portal",
})
ALLOWED = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code",
    "em", "strong", "i", "b", "u", "s", "del", "ins", "sub", "sup", "mark", "small", "abbr", "cite", "q",
    "kbd", "samp", "var", "time", "br", "hr", "a", "img", "figure", "figcaption", "table", "caption",
    "thead", "tbody", "tfoot", "tr", "th", "td", "div",
})
# Layout containers written as <div>, so the article keeps its block structure.
AS_DIV = frozenset({"section", "article", "main", "header", "footer", "aside", "nav", "center", "address",
                    "details", "summary", "fieldset", "hgroup"})
VOID = frozenset({"br", "hr", "img"})
ATTRIBUTES = {
    "a": ("href", "title"), "img": ("src", "alt", "title", "width", "height"), "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan", "scope"), "ol": ("start",), "time": ("datetime",), "abbr": ("title",),
    "q": ("cite",), "blockquote": ("cite",),
}
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
NUMBER = re.compile(r"^\d{1,4}$")
# Block elements get a line break after them, so the output reads line by line.
BREAK_AFTER = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
                         "pre", "figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr", "div",
                         "hr", "br"})
SKIP_STRINGS = (Comment, Doctype, ProcessingInstruction)


def _attributes(name: str, node: Tag, base: str | None) -> str | None:
    """The element's allowed attributes as text; None when a link or image has no safe address."""
    out = []
    for attr in ATTRIBUTES.get(name, ()):
        value = node.get(attr)
        if name == "img" and attr == "src" and not value:
            value = node.get("data-src")  # lazy-loaded images
        if value is None:
            continue
        if isinstance(value, list):
            value = " ".join(value)
        if attr in URL_ATTRIBUTES:
            value = safe_url(value, base)
            if value is None:
                continue
        elif attr in ("width", "height", "colspan", "rowspan", "start") and not NUMBER.match(value.strip()):
            continue
        out.append(f' {attr}="{escape(value, quote=True)}"')
    if name == "img" and not any(a.startswith(" src=") for a in out):
        return None
    return "".join(out)


def render(region: Tag, *, base: str | None = None) -> str:
    """The region's content (not the region element itself) as safe HTML.

    An element left empty (its content was chrome) is not written at all.
    """
    out: list[str] = []
    written = 0  # text characters and images written so far
    stack: list = [(child, None) for child in reversed(region.contents)]
    while stack:
        node, opened = stack.pop()
        if opened is not None:
            start, before = opened
            if written == before:
                del out[start:]
            else:
                out.append(node)
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, SKIP_STRINGS):
                text = str(node)
                out.append(escape(text, quote=False))
                written += len(text.strip())
            continue
        name = node.name
        if name in DROP:
            continue
        if name in AS_DIV:
            name = "div"
        if name not in ALLOWED:
            stack.extend((child, None) for child in reversed(node.contents))
            continue
        attrs = _attributes(name, node, base)
        if attrs is None:  # an image without a safe address
            continue
        if name in VOID:
            out.append(f"<{name}{attrs}>" + ("\n" if name in BREAK_AFTER else ""))
            written += name == "img"
            continue
        stack.append((f"</{name}>" + ("\n" if name in BREAK_AFTER else ""), (len(out), written)))
        out.append(f"<{name}{attrs}>")
        stack.extend((child, None) for child in reversed(node.contents))
    return BLANK_LINES.sub("\n", "".join(out)).strip()


BLANK_LINES = re.compile(r"\n\s*\n+")
