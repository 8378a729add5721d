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
WORDS = re.compile(r"\w+")


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
    # (phrase regex, pattern regex, rule); a rule's phrase regex only runs on text holding
    # the longest word of one of its phrases ("" collects phrases without a word).
    phrase_rules: list[tuple[re.Pattern | None, re.Pattern | None, Rule]] = field(default_factory=list)
    key_words: dict[str, set[int]] = field(default_factory=dict)
    # Any rule's pattern: when neither finds anything, no rule's patterns need to run. Patterns
    # anchored at the start are tried there only (a search would try every position).
    any_anchored: re.Pattern | None = None
    any_floating: re.Pattern | None = None

    @classmethod
    def build(cls, rules: Iterable[Rule], site: Site | None = None, keep: Iterable[str] = ()) -> "RuleSet":
        rs = cls(rules=list(rules), site=site, keep=tuple(keep))
        for rule in rs.rules:
            for sel in rule.selectors:
                rs.index.add(sel, rule)
            if rule.class_pattern:
                unless = re.compile(rule.unless_pattern) if rule.unless_pattern else None
                rs.class_rules.append((re.compile(rule.class_pattern), unless, rule))
            # Phrases and block text are both folded, so phrases need no re.I; kept apart from the
            # patterns, an alternation of literals is scanned many times faster.
            phrases = [_phrase_regex(p) for p in sorted(rule.phrases, key=len, reverse=True)]
            # Block text is case-folded before matching, so patterns match case-insensitively.
            patterns = [p.removeprefix("(?i)") for p in rule.patterns]
            if phrases or patterns:
                n = len(rs.phrase_rules)
                rs.phrase_rules.append((_alternation(phrases, 0), _alternation(patterns, re.I), rule))
                for phrase in rule.phrases:
                    # Every word of a phrase is a whole word of the text it matches; the longest is the rarest.
                    key = max(WORDS.findall(fold(phrase)), key=len, default="")
                    rs.key_words.setdefault(key, set()).add(n)
        patterns = [p.removeprefix("(?i)") for r in rs.rules for p in r.patterns]
        rs.any_anchored = _alternation([p for p in patterns if p.startswith("^")], re.I)
        rs.any_floating = _alternation([p for p in patterns if not p.startswith("^")], re.I)
        for sel in rs.keep:
            rs.keep_index.add(sel, None)
        return rs

    @property
    def paywall_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.paywall]

    def match_phrases(self, text: str) -> PhraseMatch | None:
        """The rule whose phrases make up most of `text`, if any matches at all."""
        folded = fold(text)
        words = WORDS.findall(folded)
        total = sum(map(len, words))
        if not total:
            return None
        worded: set[int] = set(self.key_words.get("", ()))
        for w in set(words):
            worded.update(self.key_words.get(w, ()))
        patterned = ((self.any_anchored is not None and self.any_anchored.match(folded) is not None)
                     or (self.any_floating is not None and self.any_floating.search(folded) is not None))
        best: PhraseMatch | None = None
        for n in range(len(self.phrase_rules)) if patterned else sorted(worded):
            phrases, patterns, rule = self.phrase_rules[n]
            spans = []
            if phrases is not None and n in worded:
                spans += [m.span() for m in phrases.finditer(folded) if m.end() > m.start()]
            if patterns is not None and patterned:
                spans += [m.span() for m in patterns.finditer(folded) if m.end() > m.start()]
            if not spans:
                continue
            covered = sum(len(WORD.findall(folded[a:b])) for a, b in _merge(spans)) / total
            match = PhraseMatch(rule, covered, min(spans)[0] == 0)
            if best is None or match.covered > best.covered:
                best = match
        return best


def _alternation(alternatives: list[str], flags: int) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), flags) if alternatives else None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
