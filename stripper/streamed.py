"""Sections a page streams in after its first paint (React's streamed Suspense boundaries).

The server first sends placeholders: `<template id="B:0"></template>` followed by a fallback
to show meanwhile ("Loading paragraph...") and the comment `<!--/$-->`, or a bare
`<template id="P:1"></template>`. Later in the same page it sends the sections themselves,
`<div hidden id="S:0">`, with scripts that swap them in: `$RC("B:0","S:0")`,
`$RS("S:1","P:1")`. Without scripts the article stays hidden and the fallbacks show: here
the swap is done in the tree. The parser drops comments, so `dom.parse` keeps each
`<!--/$-->` as a `<template data-stream-end>` element.
"""
from __future__ import annotations

import re

from lxml import etree

from . import dom
from .trace import BuiltinRule, Trace

# Pages without this text have no placeholders: the tree need not be searched.
PLACEHOLDER_TEXT = '<template id="'
SECTIONS = etree.XPath('//div[@hidden][starts-with(@id, "S:")]')
PLACEHOLDERS = etree.XPath('//template[starts-with(@id, "B:") or starts-with(@id, "P:")]')
SCRIPTS = etree.XPath('//script/text()', smart_strings=False)
# The swaps the page's scripts would make: placeholder id <- section id.
SWAPS = re.compile(r'\$RC\("(B:[^"]+)","(S:[^"]+)"\)|\$RS\("(S:[^"]+)","(P:[^"]+)"\)')
FALLBACK_RULE = BuiltinRule("streamed-fallback",
                            "placeholder shown until a streamed section arrives; the section takes its place")


def reveal(root, trace: Trace) -> None:
    """Put each streamed section where its placeholder is, and drop the placeholder's fallback."""
    sections = SECTIONS(root)
    if not sections:
        return
    holes = {hole.get("id"): hole for hole in PLACEHOLDERS(root)}
    swaps = _swaps(root)
    for section in sections:
        name = section.get("id")
        hole = next((holes[key] for key in (swaps.get(name), "B:" + name[2:], "P:" + name[2:]) if key in holes), None)
        if hole is None:
            continue
        # Without its end marker (a page saved without comments) a fallback cannot be told
        # from what follows it: it stays, for the phrase rules ("Loading...").
        fallback = _fallback(hole) if hole.get("id").startswith("B:") else []
        text = " ".join([hole.tail or "", *(dom.text_of(el) + " " + (el.tail or "") for el in fallback)]).strip()
        if text:
            trace.record("prune", FALLBACK_RULE.id, FALLBACK_RULE.reason, text)
        if fallback or _ends(hole):
            hole.tail = None
        for el in fallback:
            el.getparent().remove(el)
        dom.drop(section)  # out of its place, its tail left there
        section.tail = None
        hole.addprevious(section)
        del section.attrib["hidden"]


def _swaps(root) -> dict[str, str]:
    """Section id -> placeholder id, from the page's swap calls."""
    swaps = {}
    for script in SCRIPTS(root):
        if "$R" in script:
            for b, s, s2, p in SWAPS.findall(script):
                swaps[s or s2] = b or p
    return swaps


def _fallback(hole) -> list:
    """The elements between a placeholder and its end marker; none without an end marker."""
    between = []
    for sibling in hole.itersiblings():
        if _is_end(sibling):
            return between
        between.append(sibling)
    return []


def _ends(hole) -> bool:
    return _is_end(hole.getnext())


def _is_end(el) -> bool:
    return el is not None and el.tag == "template" and el.get("data-stream-end") is not None
