"""The rules that apply to one page, compiled for fast matching."""
from __future__ import annotations

import bisect
import re
import re._constants  # noqa: F401  (used by first_chars)
import re._parser  # noqa: F401
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable

from . import Rule, Site
from .selectors import SelectorIndex

QUOTES = str.maketrans({"’": "'", "‘": "'", "‚": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                        "«": '"', "»": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " "})
TOKEN = re.compile(r"\w+")
# The ASCII characters TOKEN does not match, each made a space (see tokens).
ASCII_NON_WORD = bytes.maketrans(bytes(c for c in range(128) if not TOKEN.match(chr(c))),
                                 b" " * sum(1 for c in range(128) if not TOKEN.match(chr(c))))
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
def first_pairs(pattern: str) -> frozenset[str] | None:
    """The (lower-case, ASCII) pairs of characters a regex's every match starts with, or None
    when they are not a few fixed ones."""
    try:
        parsed = re._parser.parse(pattern, re.I)
    except re.error:
        return None
    starts = _starts(list(parsed.data), 2)
    return None if starts is None or not all(map(str.isascii, starts)) else frozenset(starts)


def _starts(items: list, need: int) -> set[str] | None:
    """The `need` first characters every match of `items` starts with, as a set of at most
    64 strings; None when there are more, or a match could be shorter."""
    consts = re._constants
    if need == 0:
        return {""}
    if not items:
        return None
    (op, av), rest = items[0], items[1:]
    if op is consts.AT:
        return _starts(rest, need)
    if op is consts.SUBPATTERN:
        return _starts(list(av[-1].data) + rest, need)
    out: set[str] = set()
    if op is consts.BRANCH:
        for branch in av[1]:
            heads = _starts(list(branch.data) + rest, need)
            if heads is None:
                return None
            out |= heads
    elif op is consts.LITERAL or (op is consts.IN and all(kind is consts.LITERAL for kind, _ in av)):
        tails = _starts(rest, need - 1)
        if tails is None:
            return None
        out = {chr(c).lower() + tail for c in ([av] if op is consts.LITERAL else [c for _, c in av])
               for tail in tails}
    else:
        return None
    return out if len(out) <= 64 else None


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


# A pattern's needle: pieces of fixed text every match contains, each piece given as its
# alternatives ("agree" or "consent"); a block must contain one alternative of every piece.
Needle = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Needles:
    """What a block must contain to match one of a rule's patterns (see needles_of)."""
    needles: tuple[Needle, ...]
    # Every alternative of every needle's first piece, less those containing another: the quick
    # test, as one block in many has none of them.
    first: tuple[str, ...]
    # (text, needles): when `text` is missing, so is every alternative of one of the pieces of
    # these needles (by index). A page's text is searched for a few of them first: one missing
    # "cookie" rules out nine of the cookie notice's fourteen needles.
    gates: tuple[tuple[str, frozenset[int]], ...] = ()

    def in_text(self, folded: str, dotless: bool) -> bool:
        """allow(folded) without its quick test, for a page's text rather than a block's:
        `dotless` says whether "ı" is in it (looked for once for all the rules). The gates
        are tried first."""
        if dotless:
            return True
        out: set[int] = set()
        for text, needles in self.gates:
            if text not in folded:
                out |= needles
        return any(all(any(alt in folded for alt in piece) for piece in needle)
                   for i, needle in enumerate(self.needles) if i not in out)

    def allow(self, folded: str) -> bool:
        """Might `folded` (case-folded text) match one of the patterns?"""
        for alt in self.first:  # (a loop, not any(): this runs several times for every block)
            if alt in folded:
                break
        else:
            return "ı" in folded  # re.I lets an i in a pattern match a dotless ı
        return self.in_text(folded, "ı" in folded)


def needles_of(patterns: list[str]) -> Needles | None:
    """A needle for each pattern; None if one of them has none (see _needles_of)."""
    return _needles_of(tuple(patterns))


# The same patterns are indexed again for each RuleSet that has their rule, and for its
# views (_long_rules): parsing them was most of the cost of a view.
@lru_cache(maxsize=4096)
def _needles_of(patterns: tuple[str, ...]) -> Needles | None:
    """A needle for each pattern; None if one of them has none.

    A block without any of the needles cannot match any of the patterns, so they need not be
    run (a regex search tries every position of the block; `in` is much faster). Only ASCII
    pieces: case-insensitive matching of other letters has exceptions (µ and μ, ς and σ, ...)
    that a plain `in` would miss. The one ASCII exception, i and dotless ı, is seen to in
    Needles.allow. Pieces shorter than 3 characters are left out, as nearly every block has
    them, unless they are a rare character (| or /).
    """
    needles = []
    for pattern in patterns:
        try:
            items = list(re._parser.parse(pattern, re.I).data)
        except re.error:
            return None
        pieces = [p for p in _pieces(items)
                  if all(map(str.isascii, p)) and (min(map(len, p)) >= 3 or all(map(_rare, p)))]
        if not pieces:
            return None
        pieces.sort(key=lambda p: -min(map(len, p)))  # the longest (likely rarest) tried first
        needles.append(tuple(pieces))
    firsts = {alt for needle in needles for alt in needle[0]}
    first = tuple(sorted(a for a in firsts if not any(b != a and b in a for b in firsts)))
    return Needles(tuple(needles), first, _gates(needles))


def _gates(needles: list[Needle]) -> tuple[tuple[str, frozenset[int]], ...]:
    """Needles.gates: few texts that, missing, rule out the most needles. Each is one of the
    alternatives, ruling out the needles with a piece whose every alternative contains it;
    picked greedily, most needles first."""
    texts = sorted({alt for needle in needles for piece in needle for alt in piece})
    rules_out = {text: frozenset(i for i, needle in enumerate(needles)
                                 if any(all(text in alt for alt in piece) for piece in needle)) for text in texts}
    gates = []
    left = set(range(len(needles)))
    while left:
        text = max(texts, key=lambda t: (len(rules_out[t] & left), len(t)))
        if not rules_out[text] & left:
            break  # the needles left have only pieces of several alternatives: tried whole
        gates.append((text, rules_out[text]))
        left -= rules_out[text]
    return tuple(gates)


def _rare(piece: str) -> bool:
    """A single character seldom in prose (| or /), worth looking for although it is short."""
    return len(piece) == 1 and not piece.isalnum() and not piece.isspace() and piece not in ".,;:'\"-()!?"


def _pieces(items: list) -> list[tuple[str, ...]]:
    """The fixed text a sequence of regex items always contains, as pieces of alternatives (lower-case)."""
    consts = re._constants
    out: list[tuple[str, ...]] = []
    run = ""
    for op, av in items + [(None, None)]:  # the sentinel ends the last run
        if op is consts.LITERAL:
            run += chr(av).lower()
            continue
        if run:
            out.append((run,))
            run = ""
        if op is consts.SUBPATTERN:  # a group that must match: what it contains is needed too
            out += _pieces(list(av[-1].data))
        elif op is consts.IN and all(kind is consts.LITERAL for kind, _ in av):  # [|/]
            out.append(tuple(chr(c).lower() for _, c in av))
        elif op is consts.BRANCH:  # one alternative must match: its longest piece stands for it
            best = [max((p[0] for p in _pieces(list(b.data)) if len(p) == 1), key=len, default="")
                    for b in av[1]]
            if all(best):
                out.append(tuple(best))
    return out


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


# str.translate looks up every character of a text; these few replace() calls are several
# times faster (fold runs on every block of a page), and most text has none of them anyway.
QUOTE_PAIRS = tuple((chr(quote), plain) for quote, plain in QUOTES.items())


class Sources(tuple):
    """The regexes of one bucket of anchored patterns, not compiled yet. A page asks for a few
    dozen of a rule set's hundreds of buckets: compiling each when first asked for spares every
    start of stripper a quarter of a second."""


def ready(sources: Sources) -> tuple[re.Pattern, ...]:
    return tuple(compiled(source) for source in sources)


@lru_cache(maxsize=4096)
def compiled(pattern: str) -> re.Pattern:
    """A case-insensitive regex, compiled once per process (re's own cache is too small to
    keep the combined patterns of the shared rules)."""
    return re.compile(pattern, re.I)


def fold(text: str) -> str:
    """Case, quotes and spacing folded, so phrases match however a page typesets them."""
    return " ".join(fold_words(text))


def fold_words(text: str) -> list[str]:
    """The words of fold(text)."""
    return _plain_quotes(text).casefold().split()


def fold_lines(lines: list[str]) -> list[str]:
    """fold() of each line, for lines spaced as fold spaces them (words joined by single spaces).

    Folded all at once, as one text: folding changes no spacing in such lines (a quote never
    becomes a space, nor does casefold make one), so the lines stay where they were.
    """
    return _plain_quotes("\n".join(lines)).casefold().split("\n")


def _plain_quotes(text: str) -> str:
    if text.isascii():  # (a flag of the string: no scan) the backtick is QUOTES' only ASCII character
        return text.replace("`", "'")
    for quote, plain in QUOTE_PAIRS:  # the same as text.translate(QUOTES): no plain is a quote
        if quote in text:
            text = text.replace(quote, plain)
    return text


def tokens(text: str) -> list[str]:
    """TOKEN.findall(text). The regex reads some 60 characters a microsecond; an ASCII text
    (most blocks) is split several times faster once its other characters are made spaces."""
    if text.isascii():
        return text.encode("ascii").translate(ASCII_NON_WORD).decode("ascii").split()
    return TOKEN.findall(text)


def _key(token: str) -> str:
    # Numbers vary ("100's of titles", "7-day trial"): any number matches any number.
    return "#" if token.isdigit() else token


@lru_cache(maxsize=8192)  # a rule's phrases are tokenized again for every combination of profiles
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
    # Where a phrase can start: the one-token phrases, and the first two tokens of the others.
    phrase_singles: set[str] = field(default_factory=set)
    phrase_pairs: set[tuple[str, str]] = field(default_factory=set)
    # (regex, rule, needles): each rule's patterns that do not start with ^, searched everywhere
    # in a block, but only in blocks that contain one of the needles (see needles_of). (Those
    # that start with ^ are tried at the start of a block only: see the anchored ones below.)
    pattern_rules: list[tuple[re.Pattern, Rule, Needles | None]] = field(default_factory=list)
    # The anchored patterns by the first character a block must have to match them, as regexes
    # tried in turn, the first match winning: those of the shared rules (see `shared`), then the
    # others'. (Each bucket's regexes are Sources until a block first needs them.)
    anchored_by_char: dict[str, tuple[re.Pattern, ...] | Sources] = field(default_factory=dict)
    # The same, for blocks whose first two characters are ASCII: by the pair those of them
    # that could start with it, else by the first character those whose start is not a few pairs.
    anchored_by_pair: dict[str, tuple[re.Pattern, ...] | Sources] = field(default_factory=dict)
    anchored_loose: dict[str, tuple[re.Pattern, ...] | Sources] = field(default_factory=dict)
    # Anchored patterns whose first character is unknown, each alone with its needles (or None):
    # (index in anchored_rules, regex, needles), by index.
    anchored_anywhere: list[tuple[int, re.Pattern, "Needles | None"]] = field(default_factory=list)
    anchored_rules: list[Rule] = field(default_factory=list)
    # Anchored patterns whose first character is unknown but that must contain a fixed run of
    # text: (that run, regex, rule, needles or None), tried only on blocks that contain both.
    needle_patterns: list[tuple[str, re.Pattern, Rule, "Needles | None"]] = field(default_factory=list)
    # The max_chars of phrase rules, in order, and the rules that allow each size or more, built
    # when first asked for (see _long_rules).
    phrase_sizes: list[int] = field(default_factory=list)
    long_views: dict[int, "RuleSet"] = field(default_factory=dict, repr=False)

    # The first `shared` rules are the same in every rule set of the process (the built-in packs,
    # before a site's rules): their patterns' regexes are compiled once, not once per rule set.
    shared: int = 0

    @classmethod
    def build(cls, rules: Iterable[Rule], site: Site | None = None, keep: Iterable[str] = (),
              shared: int = 0) -> "RuleSet":
        rs = cls(rules=list(rules), site=site, keep=tuple(keep), shared=shared)
        for rule in rs.rules:
            for sel in rule.selectors:
                (rs.cut_index if rule.cut else rs.index).add(sel, rule)
            if rule.class_pattern:
                unless = re.compile(rule.unless_pattern) if rule.unless_pattern else None
                rs.class_rules.append((re.compile(rule.class_pattern), unless, rule))
        rs._index_text()
        for sel in rs.keep:
            rs.keep_index.add(sel, None)
        return rs

    def _index_text(self) -> None:
        """Index the rules' phrases and patterns, for match_phrases."""
        for rule in self.rules:
            for phrase in rule.phrases:
                toks = phrase_tokens(phrase)
                if toks:
                    self.phrase_index.setdefault(toks[0], []).append((toks, rule))
                    if len(toks) == 1:
                        self.phrase_singles.add(toks[0])
                    else:
                        self.phrase_pairs.add(toks[:2])
            if rule.patterns:
                # Block text is case-folded before matching, so patterns match case-insensitively.
                patterns = [p.removeprefix("(?i)") for p in rule.patterns]
                # (The anchored ones are indexed below, by how they can start.)
                group = [p for p in patterns if not p.startswith("^")]
                if group:
                    body = "|".join(f"(?:{p})" for p in group)
                    self.pattern_rules.append((re.compile(body, re.I), rule, needles_of(group)))
        self.phrase_sizes = sorted({r.max_chars for r in self.rules if r.max_chars and (r.phrases or r.patterns)})
        for entries in self.phrase_index.values():
            entries.sort(key=lambda e: -len(e[0]))
        # All anchored patterns in one regex, tried once at the start of a block: the
        # named group that matched says whose pattern it was.
        # Bucketed by the characters a pattern can start with, so a block only tries the
        # patterns that could match its first character; those that could start anyhow are
        # tried one by one (below).
        anchored: list[tuple[str, Rule]] = []
        shared_count = 0  # of them, those of the shared rules: the first ones
        for position, rule in enumerate(self.rules):
            for pattern in (p.removeprefix("(?i)") for p in rule.patterns):
                if pattern.startswith("^"):
                    anchored.append((pattern, rule))
                    shared_count += position < self.shared
        if anchored:
            self.anchored_rules = [rule for _, rule in anchored]
            by_char: dict[str, list[int]] = {}
            anywhere: list[int] = []
            for i, (pattern, rule) in enumerate(anchored):
                chars = first_chars(pattern)
                needle = required_literal(pattern) if chars is None else None
                if needle:  # tried only on blocks that contain its fixed words
                    self.needle_patterns.append((needle, re.compile(pattern, re.I), rule, needles_of([pattern])))
                elif chars is None:
                    anywhere.append(i)
                for c in chars or ():
                    by_char.setdefault(c, []).append(i)

            def combine(indexes: list[int]) -> Sources:
                # The shared patterns come first (lower indexes), so trying their regex first and
                # the others' after finds the match one regex of them all would.
                tiers = ([i for i in sorted(indexes) if i < shared_count],
                         [i for i in sorted(indexes) if i >= shared_count])
                return Sources("|".join(f"(?P<a{i}>{anchored[i][0]})" for i in tier) for tier in tiers if tier)

            # Those that could start anyhow are tried alone, and only on blocks with their
            # needles; whichever pattern comes first of all that match still wins.
            self.anchored_by_char = {c: combine(ix) for c, ix in by_char.items()}
            # Most patterns start with one of a few fixed pairs of characters: a block whose
            # first two are ASCII tries only those starting with its pair, and the others of
            # its first character. (Not other blocks: with re.I an ASCII letter matches a few
            # others, such as "ı".)
            pairs = {i: first_pairs(anchored[i][0]) for i in sorted(set().union(*by_char.values()))}
            by_pair: dict[str, list[int]] = {}
            loose: dict[str, list[int]] = {}
            for c, ix in by_char.items():
                loose[c] = [i for i in ix if pairs[i] is None]
            for i, starts in pairs.items():
                for pair in starts or ():
                    by_pair.setdefault(pair, []).append(i)
            self.anchored_loose = {c: combine(ix) for c, ix in loose.items()}
            self.anchored_by_pair = {pair: combine(ix + loose.get(pair[0], [])) for pair, ix in by_pair.items()}
            self.anchored_anywhere = [(i, re.compile(anchored[i][0], re.I), needles_of([anchored[i][0]]))
                                      for i in sorted(anywhere)]

    @property
    def paywall_ids(self) -> set[str]:
        return {r.id for r in self.rules if r.paywall}

    def compile_all(self, limit: int = 300) -> None:
        """Compile every bucket now rather than when a block first needs it: before a batch forks
        its workers (each would compile its own), or before pages are timed. `limit`: the
        max_phrase_block_chars blocks will be matched with."""
        for buckets in (self.anchored_by_char, self.anchored_by_pair, self.anchored_loose):
            for key, value in buckets.items():
                if type(value) is Sources:
                    buckets[key] = ready(value)
        for size in self.phrase_sizes:  # the views that blocks longer than `limit` ask for
            if size > limit:  # (the largest size as its limit: a view's own views are never asked for)
                self._long_rules(size).compile_all(self.phrase_sizes[-1])
        self.index.compile_all()
        self.cut_index.compile_all()

    def longest_block(self, default: int) -> int:
        """The longest block any phrase rule may remove."""
        return max(default, self.phrase_sizes[-1]) if self.phrase_sizes else default

    def match_phrases(self, text: str, limit: int = 300) -> PhraseMatch | None:
        """How much of `text` is made of chrome phrases, and by which rules; None if no rule matches.

        A rule only counts when `text` is no longer than its `max_chars` (or `limit`).
        """
        return self.match_folded(fold(text), limit)

    def match_folded(self, folded: str, limit: int = 300) -> PhraseMatch | None:
        """match_phrases(text) for folded = fold(text)."""
        return self.match_part(folded, limit)[0]

    def match_part(self, folded: str, limit: int = 300, phrased: bool = True,
                   weak: bool = True) -> tuple[PhraseMatch | None, bool]:
        """match_folded(folded, limit), and whether a phrase may start in `folded` (see _may_start).

        A block inside one where no phrase may start has none either (its words are some of
        the other's, in the same order): `phrased` False says so, and spares reading its words
        unless a pattern matches.

        `weak` False: None also for a block that only short phrases (fewer than STRONG_TOKENS
        words) match and that has a word they leave uncovered, for a caller to whom such a
        block is not chrome (clean.is_chrome, unless min_phrase_share is 0): "like" is a
        phrase ("Like" buttons), and prose is full of it.
        """
        keys = self._keys(folded) if phrased else None
        if keys is not None and not keys:
            return None, False
        phrased = phrased and self._may_start(keys)
        length = len(folded)
        if length > limit:
            # Only the few rules with a larger max_chars can match a block this long: if none of
            # them finds anything, no rule counts, and all the others need not be tried.
            view = self._long_rules(length)
            if view is None or not ((phrased and view._phrases_in(keys, length, limit))
                                    or view._patterns_in(folded, length, limit)):
                return None, phrased
        phrases = self._phrase_hits(keys, length, limit) if phrased else []
        found = self._patterns_in(folded, length, limit)
        if not phrases and not found:
            return None, phrased  # most blocks: prose, with no chrome phrase in it
        keys = self._keys(folded) if keys is None else keys
        if not keys:
            return None, False
        if not weak and not found and all(k < STRONG_TOKENS for _, k, _ in phrases) \
                and sum(k for _, k, _ in phrases) + keys.count("#") < len(keys):
            return None, phrased
        return self._measure(folded, keys, phrases, found), phrased

    @staticmethod
    def _keys(folded: str) -> list[str]:
        """The block's words as phrase_index knows them."""
        words = tokens(folded)
        # Most blocks have no number in them: then the words are their own keys.
        return ["#" if w.isdigit() else w for w in words] if any(map(str.isdigit, words)) else words  # (_key)

    def within(self, folded: str) -> "RuleSet":
        """These rules, for matching blocks of `folded` (fold() of a page's text) only.

        A block's text is a part of the page's, so a pattern whose needles are nowhere in
        the page can match none of its blocks: those are left out.
        """
        dotless = "ı" in folded
        return replace(self,
                       anchored_anywhere=[e for e in self.anchored_anywhere
                                          if e[2] is None or e[2].in_text(folded, dotless)],
                       needle_patterns=[e for e in self.needle_patterns
                                        if e[0] in folded and (e[3] is None or e[3].in_text(folded, dotless))],
                       pattern_rules=[e for e in self.pattern_rules if e[2] is None or e[2].in_text(folded, dotless)])

    def _long_rules(self, length: int) -> "RuleSet | None":
        """The phrase rules whose max_chars allows a block of `length` characters, as a RuleSet (cached)."""
        at = bisect.bisect_left(self.phrase_sizes, length)
        if at == len(self.phrase_sizes):
            return None
        size = self.phrase_sizes[at]  # the same rules allow every length from the next smaller size up to this
        if size not in self.long_views:
            allowed = [bool(r.max_chars and r.max_chars >= size and (r.phrases or r.patterns)) for r in self.rules]
            view = RuleSet(rules=[r for r, ok in zip(self.rules, allowed) if ok], shared=sum(allowed[:self.shared]))
            view._index_text()
            self.long_views[size] = view
        return self.long_views[size]

    def _phrases_in(self, keys: list[str], length: int, limit: int) -> list[tuple[int, int, Rule]]:
        """The phrases in a block, left to right, each the longest one at its place: (start, tokens, rule)."""
        return self._phrase_hits(keys, length, limit) if self._may_start(keys) else []

    def _may_start(self, keys: list[str]) -> bool:
        """May a phrase start in a block with these keys: has it a one-word phrase, or a phrase's first two words?"""
        # Most blocks have a phrase's first word ("to", "you"), far fewer its first two.
        return not (self.phrase_singles.isdisjoint(keys) and self.phrase_pairs.isdisjoint(zip(keys, keys[1:])))

    def _phrase_hits(self, keys: list[str], length: int, limit: int) -> list[tuple[int, int, Rule]]:
        """_phrases_in, for a block where a phrase may start."""
        index = self.phrase_index
        hits = []
        free = 0  # the first token not in a phrase found already
        for i in [i for i, key in enumerate(keys) if key in index]:
            if i < free:
                continue
            for toks, rule in index[keys[i]]:
                k = len(toks)
                if length <= (rule.max_chars or limit) and (k == 1 or tuple(keys[i:i + k]) == toks):
                    hits.append((i, k, rule))
                    free = i + k
                    break
        return hits

    def _patterns_in(self, folded: str, length: int, limit: int) -> list[tuple[Rule, re.Match]]:
        """Pattern matches in a block that count (not too long a block, not empty), in the order they apply."""
        found = []
        # The anchored patterns: the first (by index) that matches, as one regex of them all would.
        first = None
        starters = self.anchored_by_pair.get(folded[:2])
        if starters is None:
            by_char = self.anchored_loose if folded[1:2].isascii() else self.anchored_by_char
            starters = by_char.get(folded[:1], ())
            if type(starters) is Sources:
                starters = by_char[folded[:1]] = ready(starters)
        elif type(starters) is Sources:
            starters = self.anchored_by_pair[folded[:2]] = ready(starters)
        for starter in starters:
            first = starter.match(folded)
            if first is not None:
                break
        index = int(first.lastgroup[1:]) if first is not None else len(self.anchored_rules)
        for i, regex, needles in self.anchored_anywhere:
            if i > index:
                break
            if needles is None or needles.allow(folded):
                m = regex.match(folded)
                if m is not None:
                    first, index = m, i
                    break
        if first is not None:
            found.append((self.anchored_rules[index], first))
        for needle, regex, rule, needles in self.needle_patterns:
            # (The run alone is a weak test: " on " for "follow us on ...".)
            if needle in folded and (needles is None or needles.allow(folded)):
                m = regex.match(folded)
                if m is not None:
                    found.append((rule, m))
        for regex, rule, needles in self.pattern_rules:
            if needles is None or needles.allow(folded):
                found.extend((rule, m) for m in regex.finditer(folded))
        if not found:  # most blocks
            return found
        return [(rule, m) for rule, m in found if length <= (rule.max_chars or limit) and m.end() > m.start()]

    def _measure(self, folded: str, keys: list[str], phrases: list[tuple[int, int, Rule]],
                 found: list[tuple[Rule, re.Match]]) -> PhraseMatch | None:
        """Which words of the block the phrases and patterns found cover, and how much of it that is."""
        spans = [m.span() for m in TOKEN.finditer(folded)]
        n = len(spans)
        owner: list[Rule | None] = [None] * n
        strong = [False] * n
        lead_end = -1  # where a specific match starting at the first word ends
        for i, k, rule in phrases:
            for j in range(i, i + k):
                owner[j], strong[j] = rule, k >= STRONG_TOKENS
            if i == 0 and k > STRONG_TOKENS:
                lead_end = spans[k - 1][1]
        for rule, m in found:  # patterns win over phrases
            a, b = m.span()
            if a <= spans[0][0]:
                lead_end = max(lead_end, b)
            for j, (s, e) in enumerate(spans):
                if s >= a and e <= b:
                    owner[j], strong[j] = rule, True
        if not any(owner):
            return None
        sizes = [e - s for s, e in spans]
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
