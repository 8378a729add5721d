"""Adapters: each tool as a function (html: str, url: str | None) -> text.

`load(name)` imports the tool and returns its adapter, or raises
Unavailable with a message saying why it cannot run.  Imports happen here,
inside the worker process, so each tool's memory is measured on its own.
"""
from __future__ import annotations

from typing import Callable

Adapter = Callable[[str, "str | None"], str]
TOOLS = ("stripper", "trafilatura", "readability")


class Unavailable(Exception):
    pass


def _stripper() -> Adapter:
    try:
        import stripper
    except ImportError as e:
        raise Unavailable(f"cannot import stripper: {e}") from e
    strip = getattr(stripper, "strip", None)
    if strip is None:
        where = getattr(stripper, "__file__", None) or list(getattr(stripper, "__path__", []))
        raise Unavailable(f"stripper.strip is missing (stripper imported from {where})")
    # Set-up a batch does once, untimed like the peers' imports: rules loaded and compiled, then
    # frozen for the cycle collector, as `strip DIR` does (batch.run): they live as long as the
    # process, and a full collection would walk their 170,000 objects again for nothing.
    import gc

    from stripper.batch import prepare
    from stripper.options import Options
    prepare(Options())
    gc.freeze()

    # The text only, as the CLI's text output and trafilatura's extract() without metadata:
    # no byline or date search.
    def run(html: str, url: str | None) -> str:
        return strip(html, url=url, metadata=False).text or ""
    return run


def _trafilatura() -> Adapter:
    try:
        import trafilatura
    except ImportError as e:
        raise Unavailable(f"cannot import trafilatura: {e}") from e

    # Library defaults except comments, which are not article body.
    def run(html: str, url: str | None) -> str:
        return trafilatura.extract(html, url=url, include_comments=False) or ""
    return run


# Elements whose content starts a new line, so words of adjacent blocks do not
# fuse into one token when text_content() concatenates them.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "td", "th", "tr", "ul",
}
_BREAK = "\u2029"  # Unicode paragraph separator: allowed in XML text, unlike NUL


def _readability() -> Adapter:
    try:
        import lxml.html
        from readability import Document
    except ImportError as e:
        raise Unavailable(f"cannot import readability-lxml: {e}") from e

    def run(html: str, url: str | None) -> str:
        summary = Document(html).summary()
        root = lxml.html.fromstring(summary)
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag in _BLOCKS:
                el.text = _BREAK + (el.text or "")
                el.tail = _BREAK + (el.tail or "")
        # Source line wrapping inside a block is just a space; blocks become paragraphs.
        blocks = (" ".join(b.split()) for b in root.text_content().split(_BREAK))
        return "\n\n".join(b for b in blocks if b)
    return run


_LOADERS = {"stripper": _stripper, "trafilatura": _trafilatura, "readability": _readability}


def load(name: str) -> Adapter:
    if name not in _LOADERS:
        raise Unavailable(f"unknown tool {name!r} (known: {', '.join(TOOLS)})")
    return _LOADERS[name]()
