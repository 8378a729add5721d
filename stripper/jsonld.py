"""JSON-LD blocks (schema.org) read leniently: pages ship broken JSON often enough.

`nodes(texts)` flattens every block (arrays, `@graph`, nested objects) into a
list of typed nodes, so callers just look for the first node of a type.
"""
from __future__ import annotations

import html

import json
import re
from typing import Any, Iterable

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "discussionforumposting", "techarticle", "scholarlyarticle", "report", "review",
    "medicalscholarlyarticle", "satiricalarticle", "advertisercontentarticle",
})
COMMENTS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")
# How a block that COMMENTS can match starts or ends, once stripped: most blocks do neither,
# and the cheap test spares them a regex scan of the whole block.
COMMENT_STARTS = ("<!--", "<![CDATA[", "//")
COMMENT_ENDS = ("-->", "]]>")
TRAILING_COMMA = re.compile(r",(\s*[}\]])")
# A block holds at most this many nodes worth reading; a megabyte of product data is not metadata.
MAX_NODES = 500


def parse(text: str) -> Any:
    """The block's JSON value, or None. Tolerates comments, control characters,
    trailing commas and several objects written one after another."""
    try:
        return _parse(text)
    except RecursionError:  # json recurses once per nesting level; a hostile page nests deeper
        return None


def _parse(text: str) -> Any:
    text = text.strip()
    if text.startswith(COMMENT_STARTS) or text.endswith(COMMENT_ENDS):
        text = COMMENTS.sub("", text).strip()
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    fixed = TRAILING_COMMA.sub(r"\1", text)
    try:
        return json.loads(fixed, strict=False)
    except ValueError:
        pass
    # Objects one after another (`{...}{...}` or `{...}\n{...}`): read each in turn.
    decoder = json.JSONDecoder(strict=False)
    values, pos = [], 0
    while pos < len(fixed):
        while pos < len(fixed) and fixed[pos] in " \t\r\n,;":
            pos += 1
        if pos >= len(fixed):
            break
        try:
            value, pos = decoder.raw_decode(fixed, pos)
        except ValueError:
            break
        values.append(value)
    return values or None


def types_of(node: dict) -> set[str]:
    """The node's @type(s), lower-cased and without a schema.org prefix."""
    raw = node.get("@type")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return set()
    return {t.rsplit("/", 1)[-1].lower() for t in raw if isinstance(t, str)}


def nodes(blocks: Iterable[Any]) -> list[dict]:
    """Every object with an @type or @id, outermost first, found without recursion."""
    out: list[dict] = []
    stack = list(reversed([b for b in blocks if b is not None]))
    while stack and len(out) < MAX_NODES:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            if "@type" in value or "@id" in value:
                out.append(value)
            stack.extend(reversed([v for k, v in value.items() if isinstance(v, (dict, list)) and k != "@context"]))
    return out


def by_id(all_nodes: list[dict]) -> dict[str, dict]:
    """Nodes that carry more than a reference, by @id, so `{"@id": ...}` links can be followed."""
    table: dict[str, dict] = {}
    for node in all_nodes:
        ref = node.get("@id")
        if isinstance(ref, str) and len(node) > 1:
            table.setdefault(ref, node)
    return table


def resolve(value: Any, table: dict[str, dict]) -> Any:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("@id"), str):
        return table.get(value["@id"], value)
    return value


def names(value: Any, table: dict[str, dict]) -> list[str]:
    """Names in an author/publisher value: a string, an object with `name`, or a list of them."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        item = resolve(item, table)
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if isinstance(name, dict):  # {"@value": ...}
                name = name.get("@value")
            if isinstance(name, str):
                out.append(name)
            elif isinstance(item.get("givenName"), str):
                out.append(" ".join(p for p in (item.get("givenName"), item.get("familyName")) if isinstance(p, str)))
    return [" ".join(n.split()) for n in out if n and n.strip()]


def text(value: Any) -> str | None:
    """A plain string value (first of a list, `@value` of an object)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, (str, dict))), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        if "&" in value:  # sites write HTML entities into JSON-LD ("&#8216;Sobering&#8217;")
            value = html.unescape(value)
        return " ".join(value.split())
    return None


def is_false(value: Any) -> bool:
    """schema.org booleans come as false, "False", "false" or "http://schema.org/False"."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, str):
        return value.strip().rsplit("/", 1)[-1].lower() in ("false", "no", "0")
    return False
