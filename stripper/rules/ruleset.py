"""The rules that apply to one page, compiled for fast matching."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from . import Rule, Site
from .selectors import SelectorIndex

QUOTES = str.maketrans({"’": "'", "‘": "'", "‚": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                        "«": '"', "»": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " "})
WORD = re.compile(r"\w")


def fold(text: str) -> str:
    """Case, quotes and spacing folded, so phrases match however a page typesets them."""
    return " ".join(text.translate(QUOTES).casefold().split())


def _phrase_regex(phrase: str) -> str:
    words = [re.escape(w) for w in fold(phrase).split()]
    body = r"\s*".join(words) if len(words) == 1 else r"\s+".join(words)
    # Word boundaries only where the phrase starts/ends with a word character.
    start = r"\b" if WORD.match(fold(phrase)[:1] or " ") else ""
    end = r"\b" if WORD.match(fold(phrase)[-1:] or " ") else ""
    return start + body + end


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
    phrase_rules: list[tuple[re.Pattern, Rule]] = field(default_factory=list)

    @classmethod
    def build(cls, rules: Iterable[Rule], site: Site | None = None, keep: Iterable[str] = ()) -> "RuleSet":
        rs = cls(rules=list(rules), site=site, keep=tuple(keep))
        for rule in rs.rules:
            for sel in rule.selectors:
                rs.index.add(sel, rule)
            if rule.class_pattern:
                unless = re.compile(rule.unless_pattern) if rule.unless_pattern else None
                rs.class_rules.append((re.compile(rule.class_pattern), unless, rule))
            alternatives = [_phrase_regex(p) for p in sorted(rule.phrases, key=len, reverse=True)]
            # Block text is case-folded before matching, so patterns match case-insensitively.
            alternatives += [p.removeprefix("(?i)") for p in rule.patterns]
            if alternatives:
                rs.phrase_rules.append((re.compile("|".join(f"(?:{a})" for a in alternatives), re.I), rule))
        for sel in rs.keep:
            rs.keep_index.add(sel, None)
        return rs

    @property
    def paywall_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.paywall]

    def match_phrases(self, text: str) -> PhraseMatch | None:
        """The rule whose phrases make up most of `text`, if any matches at all."""
        folded = fold(text)
        total = len(WORD.findall(folded))
        if not total:
            return None
        best: PhraseMatch | None = None
        for regex, rule in self.phrase_rules:
            spans = [m.span() for m in regex.finditer(folded) if m.end() > m.start()]
            if not spans:
                continue
            covered = sum(len(WORD.findall(folded[a:b])) for a, b in _merge(spans)) / total
            match = PhraseMatch(rule, covered, spans[0][0] == 0)
            if best is None or match.covered > best.covered:
                best = match
        return best


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
