"""The rules that apply to one page, compiled for fast matching."""
from __future__ import annotations

import re
import re._constants  # noqa: F401  (used by first_chars)
import re._parser  # noqa: F401
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from . import Rule, Site
from .selectors import SelectorIndex

QUOTES = str.maketrans({"’": "'", "‘": "'", "‚": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                        "«": '"', "»": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " "})
WORD = re.compile(r"\w")
TOKEN = re.compile(r"\w+")
# A phrase this many words long is specific enough to count inside a block with other words;
# a shorter one ("Share", "Newsletter") only removes a block made of nothing but such words.
STRONG_TOKENS = 3
SENTENCE_END = re.compile(r"\W*?(?:[.?!:|]|$)")


# Parsing the patterns was most of the cost of building a RuleSet, which happens once per
# combination of site profiles: the answers are remembered per pattern.
@lru_cache(maxsize=4096)
def first_chars(pattern: str) -> frozenset[str] | None:
    """The lower-case characters a regex can start with, or None when it could start with any."""
    try:
        parsed = re._parser.parse(pattern, re.I)
    except re.error:
        return None
    chars = _first(list(parsed.data), 0)
    return None if chars is None else frozenset(chars)


DIGITS = set("0123456789")


@lru_cache(maxsize=4096)
def required_literal(pattern: str) -> str | None:
    """The longest run of fixed characters every match must contain (lower-cased), if 4 or more."""
    try:
        items = list(re._parser.parse(pattern, re.I).data)
    except re.error:
        return None
    best, run = "", ""
    for op, av in items:
        if op is re._constants.LITERAL:
            run += chr(av).lower()
        else:
            best, run = max(best, run, key=len), ""
    best = max(best, run, key=len)
    return best if len(best) >= 4 else None


def _first(items: list, i: int) -> set[str] | None:
    consts = re._constants
    if i >= len(items):
        return None
    op, av = items[i]
    if op is consts.AT:
        return _first(items, i + 1)
    if op is consts.LITERAL:
        return {chr(av).lower()}
    if op is consts.IN:
        out: set[str] = set()
        for kind, arg in av:
            if kind is consts.LITERAL:
                out.add(chr(arg).lower())
            elif kind is consts.CATEGORY and arg is consts.CATEGORY_DIGIT:
                out |= DIGITS
            else:
                return None
        return out
    if op is consts.BRANCH:
        out = set()
        for branch in av[1]:
            chars = _first(list(branch.data), 0)
            if chars is None:
                return None
            out |= chars
        return out
    if op is consts.SUBPATTERN:
        return _first(list(av[-1].data), 0)
    if op in (consts.MAX_REPEAT, consts.MIN_REPEAT):
        low, _, sub = av
        head = _first(list(sub.data), 0)
        if low > 0 or head is None:
            return head
        rest = _first(items, i + 1)
        return None if rest is None else head | rest
    return None


def fold(text: str) -> str:
    """Case, quotes and spacing folded, so phrases match however a page typesets them."""
    return " ".join(text.translate(QUOTES).casefold().split())


def _key(token: str) -> str:
    # Numbers vary ("100's of titles", "7-day trial"): any number matches any number.
    return "#" if token.isdigit() else token


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(_key(t) for t in TOKEN.findall(fold(phrase)))


@dataclass
class PhraseMatch:
    rule: Rule  # the rule covering most of the block (a wall rule when one matched)
    covered: float  # share of the block's word characters covered by any rule
    strong: float  # ...covered by multi-word phrases and patterns only
    residue: int  # words (not numbers) left uncovered
    at_start: bool  # a match starts at the block's first word
    lead: bool  # the block opens with a whole chrome sentence (a specific phrase, then . ? ! : or the end)
    rules: list[Rule] = field(default_factory=list)  # every rule that matched, most coverage first


@dataclass
class RuleSet:
    rules: list[Rule]
    site: Site | None = None
    keep: tuple[str, ...] = ()
    index: SelectorIndex = field(default_factory=SelectorIndex)
    cut_index: SelectorIndex = field(default_factory=SelectorIndex)  # wall markers: cut from here on
    keep_index: SelectorIndex = field(default_factory=SelectorIndex)
    class_rules: list[tuple[re.Pattern, re.Pattern | None, Rule]] = field(default_factory=list)
    # first token -> [(tokens, rule)], longest first
    phrase_index: dict[str, list[tuple[tuple[str, ...], Rule]]] = field(default_factory=dict)
    # (regex, anchored, rule): a rule's patterns that start with ^ are tried at the start of a
    # block only (one attempt, not one per character); the others are searched everywhere.
    pattern_rules: list[tuple[re.Pattern, bool, Rule]] = field(default_factory=list)
    anchored_regex: re.Pattern | None = None  # anchored patterns whose first character is unknown
    anchored_by_char: dict[str, re.Pattern | None] = field(default_factory=dict)
    anchored_rules: list[Rule] = field(default_factory=list)
    needle_patterns: list[tuple[str, re.Pattern, Rule]] = field(default_factory=list)

    @classmethod
    def build(cls, rules: Iterable[Rule], site: Site | None = None, keep: Iterable[str] = ()) -> "RuleSet":
        rs = cls(rules=list(rules), site=site, keep=tuple(keep))
        for rule in rs.rules:
            for sel in rule.selectors:
                (rs.cut_index if rule.cut else rs.index).add(sel, rule)
            if rule.class_pattern:
                unless = re.compile(rule.unless_pattern) if rule.unless_pattern else None
                rs.class_rules.append((re.compile(rule.class_pattern), unless, rule))
            for phrase in rule.phrases:
                toks = phrase_tokens(phrase)
                if toks:
                    rs.phrase_index.setdefault(toks[0], []).append((toks, rule))
            if rule.patterns:
                # Block text is case-folded before matching, so patterns match case-insensitively.
                patterns = [p.removeprefix("(?i)") for p in rule.patterns]
                for anchored in (True, False):
                    group = [p for p in patterns if p.startswith("^") == anchored]
                    if group:
                        body = "|".join(f"(?:{p})" for p in group)
                        rs.pattern_rules.append((re.compile(body, re.I), anchored, rule))
        for entries in rs.phrase_index.values():
            entries.sort(key=lambda e: -len(e[0]))
        # All anchored patterns in one regex, tried once at the start of a block: the
        # named group that matched says whose pattern it was.
        # Bucketed by the characters a pattern can start with, so a block only tries the
        # patterns that could match its first character (plus those that could start anyhow).
        anchored = [(p.removeprefix("(?i)"), rule) for rule in rs.rules for p in rule.patterns
                    if p.removeprefix("(?i)").startswith("^")]
        if anchored:
            rs.anchored_rules = [rule for _, rule in anchored]
            by_char: dict[str, list[int]] = {}
            anywhere: list[int] = []
            for i, (pattern, rule) in enumerate(anchored):
                chars = first_chars(pattern)
                needle = required_literal(pattern) if chars is None else None
                if needle:  # tried only on blocks that contain its fixed words
                    rs.needle_patterns.append((needle, re.compile(pattern, re.I), rule))
                elif chars is None:
                    anywhere.append(i)
                for c in chars or ():
                    by_char.setdefault(c, []).append(i)

            def combine(indexes: list[int]) -> re.Pattern | None:
                if not indexes:
                    return None
                return re.compile("|".join(f"(?P<a{i}>{anchored[i][0]})" for i in sorted(indexes)), re.I)

            rs.anchored_regex = combine(anywhere)
            rs.anchored_by_char = {c: combine(ix + anywhere) for c, ix in by_char.items()}
            rs.pattern_rules = [entry for entry in rs.pattern_rules if not entry[1]]
        for sel in rs.keep:
            rs.keep_index.add(sel, None)
        return rs

    @property
    def paywall_ids(self) -> set[str]:
        return {r.id for r in self.rules if r.paywall}

    def longest_block(self, default: int) -> int:
        """The longest block any phrase rule may remove."""
        return max([default] + [r.max_chars for r in self.rules if r.max_chars and (r.phrases or r.patterns)])

    def match_phrases(self, text: str, limit: int = 300) -> PhraseMatch | None:
        """How much of `text` is made of chrome phrases, and by which rules; None if no rule matches.

        A rule only counts when `text` is no longer than its `max_chars` (or `limit`).
        """
        folded = fold(text)
        spans = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(folded)]
        if not spans:
            return None
        keys = [_key(t) for _, _, t in spans]
        n = len(keys)
        owner: list[Rule | None] = [None] * n
        strong = [False] * n
        length = len(folded)
        lead_end = -1  # where a specific match starting at the first word ends
        i = 0
        while i < n:
            for toks, rule in self.phrase_index.get(keys[i], ()):
                k = len(toks)
                if tuple(keys[i:i + k]) == toks and length <= (rule.max_chars or limit):
                    for j in range(i, i + k):
                        owner[j], strong[j] = rule, k >= STRONG_TOKENS
                    if i == 0 and k > STRONG_TOKENS:
                        lead_end = spans[k - 1][1]
                    i += k
                    break
            else:
                i += 1
        found = []  # (rule, match)
        starter = self.anchored_by_char.get(folded[:1], self.anchored_regex)
        first = starter.match(folded) if starter is not None else None
        if first is not None:
            found.append((self.anchored_rules[int(first.lastgroup[1:])], first))
        for needle, regex, rule in self.needle_patterns:
            if needle in folded:
                m = regex.match(folded)
                if m is not None:
                    found.append((rule, m))
        for regex, _, rule in self.pattern_rules:
            found.extend((rule, m) for m in regex.finditer(folded))
        for rule, m in found:
            a, b = m.span()
            if length > (rule.max_chars or limit) or b <= a:
                continue
            if a <= spans[0][0]:
                lead_end = max(lead_end, b)
            for j, (s, e, _) in enumerate(spans):
                if s >= a and e <= b:
                    owner[j], strong[j] = rule, True
        if not any(owner):
            return None
        sizes = [e - s for s, e, _ in spans]
        total = sum(sizes)
        per_rule: dict[int, tuple[int, Rule]] = {}
        covered = strong_chars = residue = 0
        for j, rule in enumerate(owner):
            if rule is None:
                residue += not keys[j] == "#"
                continue
            covered += sizes[j]
            strong_chars += sizes[j] if strong[j] else 0
            got = per_rule.get(id(rule), (0, rule))
            per_rule[id(rule)] = (got[0] + sizes[j], rule)
        ranked = [r for _, r in sorted(per_rule.values(), key=lambda x: -x[0])]
        lead = next((r for r in ranked if r.cut), ranked[0])
        lead_sentence = lead_end >= 0 and SENTENCE_END.match(folded, lead_end) is not None
        return PhraseMatch(lead, covered / total, strong_chars / total, residue, owner[0] is not None,
                           lead_sentence, ranked)
