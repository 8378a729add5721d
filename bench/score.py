"""Pure scoring functions for the benchmark (no I/O, no tools).

Content score: 4-word shingles compared as multisets.
  tokens   = re.findall(r"\\w+", text.casefold())  -- casefolded so that
             capitalisation differences (e.g. a tool upper-casing a heading)
             are not counted as wrong words.
  shingles = consecutive 4-tuples of tokens; fewer than 4 tokens -> none.
  tp/fp/fn = multiset (Counter) intersection / differences, so a paragraph
             repeated twice by a tool counts once as right and once as wrong.
Per page P = tp/(tp+fp) (undefined when the tool gave no shingles) and
R = tp/(tp+fn) (undefined when the truth has no shingles).  P and R are each
averaged over the pages where they are defined; F1 is computed from the means.

Snippet score: `with`/`without` snippets are matched case-sensitively as
substrings after folding whitespace runs to one space on both sides.
"""
from __future__ import annotations

import re
from collections import Counter
from statistics import fmean

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
N = 4  # shingle length


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(text: str) -> Counter:
    toks = tokens(text)
    return Counter(tuple(toks[i:i + N]) for i in range(len(toks) - N + 1))


def counts(predicted: str, true: str) -> tuple[int, int, int]:
    """(tp, fp, fn) of the shingle multisets."""
    pred, gold = shingles(predicted), shingles(true)
    tp = sum((pred & gold).values())
    return tp, sum(pred.values()) - tp, sum(gold.values()) - tp


def page_pr(tp: int, fp: int, fn: int) -> tuple[float | None, float | None]:
    """Per-page precision and recall; None where undefined (0/0)."""
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return p, r


def f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def page_f1(p: float | None, r: float | None) -> float | None:
    """F1 of one page, for ranking the worst pages.  A page whose truth has
    shingles but where the tool gave none (P undefined) scores 0."""
    if r is None:
        return None
    return f1(0.0 if p is None else p, r)


def aggregate(prs: list[tuple[float | None, float | None]]) -> tuple[float | None, float | None, float | None]:
    """Mean P (over pages with P defined), mean R (pages with R defined), F1 of the means."""
    ps = [p for p, _ in prs if p is not None]
    rs = [r for _, r in prs if r is not None]
    p = fmean(ps) if ps else None
    r = fmean(rs) if rs else None
    return p, r, f1(p, r)


def fold(s: str) -> str:
    return _SPACE.sub(" ", s).strip()


def contains(haystack: str, snippet: str) -> bool:
    """Case-sensitive substring test after folding whitespace on both sides."""
    return fold(snippet) in fold(haystack)


def snippets_found(output: str, snippets: list[str]) -> int:
    out = fold(output)
    return sum(fold(s) in out for s in snippets)


def leaks(output: str, without: list[str], chrome: list[str], true: str | None) -> list[str]:
    """Chrome the output should not contain: every `without` snippet it
    contains, plus every generic chrome phrase it contains that is not part
    of the true text (when the truth is unknown, any such phrase counts)."""
    out = fold(output)
    gold = fold(true or "")
    found = [s for s in without if fold(s) in out]
    found += [c for c in chrome if fold(c) in out and fold(c) not in gold]
    return found
