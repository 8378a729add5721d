"""Small pages and trees for the batch tests."""
from __future__ import annotations

import gzip
import os

LEAD = "The council met on {day} and, after a long debate, voted to approve the bridge over the river."
MORE = "Construction of the {title} project will begin in the spring, officials said, and end within three years."
WALL = "Subscribe to continue reading"
EMPTY = "<html><head><title>Nothing</title></head><body></body></html>"


def page(title: str, day: str = "Tuesday", wall: bool = False) -> str:
    paragraphs = [LEAD.format(day=day), MORE.format(title=title)] * 2
    if wall:
        paragraphs.append(WALL)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Copyright Example</footer></body></html>")


def write(path, text: str | bytes) -> str:
    path = os.fspath(path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.endswith(".gz"):
        data = gzip.compress(data)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def tree(root) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), to compare two output trees."""
    root = os.fspath(root)
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def make_site(root) -> str:
    """A small scraped site: nested pages, a .gz page, a paywalled page, an empty page, non-pages."""
    root = os.fspath(root)
    write(os.path.join(root, "a.html"), page("Alpha"))
    write(os.path.join(root, "b.htm"), page("Beta", day="Monday"))
    write(os.path.join(root, "news", "c.html.gz"), page("Gamma"))
    write(os.path.join(root, "news", "deep", "d.xhtml"), page("Delta", wall=True))
    write(os.path.join(root, "news", "empty.html"), EMPTY)
    write(os.path.join(root, "style.css"), "body { color: red }")
    write(os.path.join(root, "notes.txt"), "not a page")
    return root
