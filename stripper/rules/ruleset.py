"""The rules that apply to one page, compiled for fast matching."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from . import Rule, Site
from .selectors import SelectorIndex

QUOTES = str.maketrans({"’": "'", "‘": "'", "‚": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                        "«": '"', "»": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " "})


def fold(text: str) -> str:
    """Case, quotes and spacing folded, so phrases match however a page typesets them."""
    return " ".join(text.translate(QUOTES).casefold().split())


TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(fold(text))


@dataclass
class PhraseMatch:
    rule: Rule
    covered: float  # share of the block's word characters the rule's phrases cover
    at_start: bool


@dataclass
class RuleSet:
    rules: list[Rule]
    site: Site | None = None
    keep: tuple[str, ...] = ()
    index: SelectorIndex = field(default_factory=SelectorIndex)
    keep_index: SelectorIndex = field(default_factory=SelectorIndex)
    class_rules: list[tuple[re.Pattern, re.Pattern | None, Rule]] = field(default_factory=list)
    # Literal phrases as word sequences, indexed by first word: a block is scanned once,
    # word by word, instead of trying hundreds of alternatives at every character.
    phrase_index: dict[str, list[tuple[tuple[str, ...], Rule]]] = field(default_factory=dict)
    pattern_rules: list[tuple[re.Pattern, Rule]] = field(default_factory=list)

    @classmethod
    def build(cls, rules: Iterable[Rule], site: Site | None = None, keep: Iterable[str] = ()) -> "RuleSet":
        rs = cls(rules=list(rules), site=site, keep=tuple(keep))
        for rule in rs.rules:
            for sel in rule.selectors:
                rs.index.add(sel, rule)
            if rule.class_pattern:
                unless = re.compile(rule.unless_pattern) if rule.unless_pattern else None
                rs.class_rules.append((re.compile(rule.class_pattern), unless, rule))
            for phrase in rule.phrases:
                words = tuple(tokens(phrase))
                if words:
                    rs.phrase_index.setdefault(words[0], []).append((words, rule))
            for pattern in rule.patterns:
                # Block text is case-folded before matching, so patterns match case-insensitively.
                rs.pattern_rules.append((re.compile(pattern.removeprefix("(?i)"), re.I), rule))
        for candidates in rs.phrase_index.values():
            candidates.sort(key=lambda c: len(c[0]), reverse=True)  # longest phrase wins
        for sel in rs.keep:
            rs.keep_index.add(sel, None)
        return rs

    @property
    def paywall_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.paywall]

    def match_phrases(self, text: str) -> PhraseMatch | None:
        """The rule whose phrases make up most of `text`, if any matches at all.

        Coverage is counted in word characters, so punctuation and spacing between
        phrases ("Share | Tweet | Email") do not count against a chrome block.
        """
        if not self.phrase_index and not self.pattern_rules:
            return None
        folded = fold(text)
        spans = [(m.start(), m.end()) for m in TOKEN.finditer(folded)]
        if not spans:
            return None
        words = [folded[a:b] for a, b in spans]
        total = sum(b - a for a, b in spans)
        hits: dict[int, tuple[Rule, list[tuple[int, int]]]] = {}  # id(rule) -> (rule, char spans)
        index = self.phrase_index
        i, n = 0, len(words)
        while i < n:
            step = 1
            for phrase, rule in index.get(words[i], ()):
                k = len(phrase)
                if tuple(words[i:i + k]) == phrase:
                    hits.setdefault(id(rule), (rule, []))[1].append((spans[i][0], spans[i + k - 1][1]))
                    step = k
                    break
            i += step
        for regex, rule in self.pattern_rules:
            for m in regex.finditer(folded):
                if m.end() > m.start():
                    hits.setdefault(id(rule), (rule, []))[1].append(m.span())
        if not hits:
            return None

        def covered(char_spans: list[tuple[int, int]]) -> float:
            merged = _merge(char_spans)
            return sum(min(b, e) - max(a, s) for a, b in spans for s, e in merged if a < e and s < b) / total

        best: PhraseMatch | None = None
        for rule, char_spans in hits.values():
            match = PhraseMatch(rule, covered(char_spans), min(char_spans)[0] == spans[0][0])
            if best is None or (rule.cut and match.at_start, match.covered) > (best.rule.cut and best.at_start,
                                                                               best.covered):
                best = match
        # A block made of several kinds of chrome ("Share | Related | Sign up") is chrome too.
        if len(hits) > 1:
            best.covered = max(best.covered, covered([s for _, cs in hits.values() for s in cs]))
        return best


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
