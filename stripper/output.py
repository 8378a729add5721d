"""An Article as the text a user asked for: text, markdown, html, json or jsonl.

Markdown and HTML come from the article tree when the pipeline rendered them
(`Article.markdown`, `Article.html`); an article without them (made from plain
text) gets them built from its paragraphs.
"""
from __future__ import annotations

import json
from html import escape

from .markdown import escape as md_escape

FORMATS = ("text", "markdown", "html", "json", "jsonl")


def render(article, opts) -> str:
    """The whole output for one article, ending with a newline (or empty when there is nothing)."""
    fmt = opts.output_format
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return json.dumps(article.to_dict(), ensure_ascii=False) + "\n"
    title = article.title if opts.include_title else None
    if fmt == "markdown":
        body = article.markdown if article.markdown is not None else _markdown_of(article.text)
        parts = ([f"# {md_escape(title)}"] if title else []) + ([body] if body else [])
        return "\n\n".join(parts) + "\n" if parts else ""
    if fmt == "html":
        body = article.html if article.html is not None else _html_of(article.text)
        if not title and not body:
            return ""
        head = f"<h1>{escape(title, quote=False)}</h1>\n" if title else ""
        return f"<article>\n{head}{body}\n</article>\n" if body else f"<article>\n{head}</article>\n"
    parts = ([title] if title else []) + ([article.text] if article.text else [])
    return "\n\n".join(parts) + "\n" if parts else ""


def _markdown_of(text: str) -> str:
    return "\n\n".join(md_escape(p) for p in text.split("\n\n") if p.strip())


def _html_of(text: str) -> str:
    return "\n".join(f"<p>{escape(p, quote=False)}</p>".replace("\n", "<br>\n") for p in text.split("\n\n") if p.strip())
