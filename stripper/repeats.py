"""A second copy of the article's paragraphs, dropped.

Some pages print the article twice, once for each screen size, and hide one copy with
styles stripper cannot see; a listing can repeat a story's opening paragraphs under it.
A paragraph goes when it repeats an earlier one *and* a neighbour of it repeats another:
a run of paragraphs printed again. A paragraph said twice on its own (a pull quote, a
refrain, a test page's filler) is not a run and stays.
"""
from __future__ import annotations

from . import dom
from .locate import Stats
from .trace import BuiltinRule, Trace

REPEATED = BuiltinRule("repeated-run", "paragraphs printed a second time (a copy of the article for other screens)")
# Paragraphs shorter than this repeat for good reasons ("Read more.", a date line).
REPEAT_MIN_CHARS = 60


def drop_repeats(region: list, stats: Stats, trace: Trace) -> None:
    chars = stats.chars
    paragraphs = [p for top in region for p in top.iter("p") if chars.get(p, 0) >= REPEAT_MIN_CHARS]
    # Equal paragraphs have equal sizes: only those sharing a size are read.
    sizes: dict[int, int] = {}
    for p in paragraphs:
        sizes[chars[p]] = sizes.get(chars[p], 0) + 1
    if len(sizes) == len(paragraphs):
        return
    keys = [dom.text_of(p) if sizes[chars[p]] > 1 else None for p in paragraphs]
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            first.setdefault(key, i)
    again = [key is not None and first[key] != i for i, key in enumerate(keys)]
    for i, p in enumerate(paragraphs):
        if again[i] and any(0 <= n < len(keys) and again[n] and keys[n] != keys[i] for n in (i - 1, i + 1)):
            size, head = dom.text_size(p)
            trace.record("clean", REPEATED.id, REPEATED.reason, head, chars=size, selector="p")
            dom.drop(p)
