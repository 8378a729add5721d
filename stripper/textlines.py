"""Lines of a page scraped to text, and what each line reads like.

A browser or a scraper writes one block per line; blank lines group them. Here
the input becomes logical lines (spaces folded, hard-wrapped paragraphs joined)
and small predicates say what a line looks like: prose, a sentence, a date, a
person's or a publication's name, a headline. `text.py` decides with them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .options import Options

SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
LIST_ITEM = re.compile(r"^(?:[-*•◦▪–]|\d{1,3}[.)])\s+\S")
SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)\]]*(?:\s*\([^()]{1,30}\))?$")
# Sentence end, maybe followed by a short parenthesis: "... voraus. (bsc)", "... on Monday. (AP)".
PROSE_END = re.compile(r"[.!?…:;。！？]['\"’”»)\]]*(?:\s*\([^()]{1,30}\))?$")
# A short line ending in a full stop is a statement; one trailing off ("…") may be a headline.
STATEMENT_END = re.compile(r"[.。]['\"’”»)\]]*(?:\s*\([^()]{1,30}\))?$")
# A headline ends without a full stop (an abbreviation aside: "in N.Y.C.", "Acme Inc."); a comma,
# colon or semicolon means a lead-in.
NOT_HEADLINE_END = re.compile(r"[.,;:]['\"’”)\]]*$")
ABBREVIATION_END = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Inc|Ltd|Co|Corp|Jr|Sr|St|Dr|Bros)\.|::)$")
# Hard-wrapped text (split_lines): a wrap width lies in this range, and a line counts as wrapped
# when the next word would have overshot the width less this slack; of the lines that go on
# from a full line, at least one in WRAP_LOWER starts in lower case.
MIN_WRAP_WIDTH, MAX_WRAP_WIDTH, WRAP_SLACK, WRAP_BAND, WRAP_LOWER = 40, 100, 2, 15, 4
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
WORD = re.compile(r"\w+")
# Lower-case words a name may hold: "Ana de la Cruz", "The Wall Street Journal", "Johnson & Johnson".
NAME_PARTICLES = frozenset("de da del der den van von la le du di bin al y e of and & the für".split())
# Words that make a capitalised name a publication's rather than a person's.
ORG_WORDS = frozenset(
    "press news times post journal herald tribune gazette standard independent guardian telegraph mail mirror "
    "express chronicle observer review magazine daily weekly sunday media radio tv broadcasting reuters "
    "bloomberg associated agency insider today wire star globe courier examiner inquirer "
    "register sentinel bulletin newsletter publishing zeitung rundschau allgemeine monde "
    "figaro país mundo corriere repubblica stampa nieuws".split())
AGENCIES = frozenset("reuters bloomberg afp dpa ap ansa efe apa anp kyodo xinhua".split())
BYLINE = re.compile(r"(?i)^(?:by|von|par|por|di|door|av|af|story by|written by|words by|reporting by"
                    r"|(?:words|text|author|autor|auteur|reporter)\s*:)\s+"
                    r"([^\W\d][\w'’.-]*(?:[ -][^\W\d][\w'’.-]*){0,3}"
                    r"(?:,? (?:and|und|et|y|e) [^\W\d][\w'’.-]*(?:[ -][^\W\d][\w'’.-]*){0,3})?)$")
DATE_TOKEN = re.compile(
    r"(?i)\b(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?|(?:19|20)\d{2}"
    r"|\d+\s*(?:min|mins|minutes?|h|hrs?|hours?|days?|weeks?|months?)\s+ago|yesterday|today"
    r"|\d+\s*(?:min|mins|minutes?)(?:\s+read)?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\b")
DATE_LINE_CHARS = 60
# "Edition: UK", "Photo: Getty": a short label and its value, not a headline.
LABELLED = re.compile(r"^[^\W\d][\w-]*(?: [\w-]+)?\s*:\s*\S")
LABELLED_WORDS = 4
DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "january february march april may june july august september october november december "
    "updated published posted last modified on at am pm gmt bst utc est edt cst cdt pst pdt cet cest ist aest "
    "et pt ct mt "
    "min mins read ago "
    # German, French, Spanish, Italian, Portuguese, Dutch
    "januar februar märz april mai juni juli august september oktober november dezember "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so uhr am um "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "lundi mardi mercredi jeudi vendredi samedi dimanche le à h publié mis jour "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "
    "lunes martes miércoles jueves viernes sábado domingo de del a las actualizado publicado "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre "
    "janeiro fevereiro março maio junho julho setembro outubro dezembro "
    "januari februari maart mei juni juli augustus oktober".split())

@dataclass
class Line:
    n: int
    text: str  # spaces folded
    raw: str  # as given, right-stripped, common indentation removed (for preformatted groups)
    group: int  # blank-line separated group this line belongs to
    srcs: tuple[int, ...]  # the input lines (blank ones counted) it was read from: several when hard-wrapped
    prose: bool = False  # long enough, and ending like a paragraph
    chrome: Any = None  # the phrase rule that makes the line chrome, if any
    wall: bool = False  # ...and that rule is a wall marker

    # Measured once the line is complete (split_lines joins wrapped lines before anything asks).
    @cached_property
    def chars(self) -> int:
        return len(self.text) + 2 * len(CJK.findall(self.text))  # CJK says in one sign what takes ~3 letters

    @cached_property
    def words(self) -> int:
        return len(WORD.findall(self.text)) + len(CJK.findall(self.text))


def source_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").split("\n")


def split_lines(source: list[str]) -> list[Line]:
    """Input lines as logical lines: spaces folded, hard-wrapped paragraphs joined, in blank-line groups."""
    groups: list[list[tuple[int, str]]] = [[]]
    for src, raw in enumerate(source):
        if raw.strip():
            groups[-1].append((src, raw.rstrip().expandtabs(4)))
        elif groups[-1]:
            groups.append([])
    groups = [g for g in groups if g]
    width = wrap_width(groups)
    lines: list[Line] = []
    for group, members in enumerate(groups):
        common = min(len(r) - len(r.lstrip()) for _, r in members)
        indented = len(members) > 1 and any(r[common:][:1].isspace() for _, r in members)
        previous = None  # the physical line before, which a wrapped line continues
        for src, raw in members:
            text = SPACES.sub(" ", raw).strip()
            if width and previous is not None and not indented and continues(previous, text, width):
                last = lines[-1]
                last.text += " " + text
                last.raw += " " + text
                last.srcs += (src,)
            else:
                lines.append(Line(len(lines), text, raw[common:], group, (src,)))
            previous = text
    return lines


def wrap_width(groups: list[list[tuple[int, str]]]) -> int | None:
    """The width the text was hard-wrapped at, if it was.

    Wrapped lines fill up to the width, short of one word: the width is where most
    lines that go on in the next line end, and most of them end where the next word
    would not have fitted.
    """
    texts = [[SPACES.sub(" ", r).strip() for _, r in g] for g in groups]
    pairs = [(a, b) for g in texts for a, b in zip(g, g[1:]) if len(a.split()) >= 3]
    ends = sorted(len(a) for a, _ in pairs if MIN_WRAP_WIDTH <= len(a) <= MAX_WRAP_WIDTH)
    if len(ends) < 3:
        return None
    # The width: the line length with most line ends within a long word below it.
    i = 0
    best, width = 0, 0
    for j, end in enumerate(ends):
        while ends[i] < end - WRAP_BAND:
            i += 1
        if j - i + 1 >= best:
            best, width = j - i + 1, end
    full = [b for a, b in pairs if continues(a, b, width)]
    # Wrapped prose goes on mid-sentence, in lower case; a list of headlines does not.
    lower = sum(1 for b in full if b[:1].islower())
    return width if len(full) >= 3 and len(full) * 2 >= len(pairs) and lower * WRAP_LOWER >= len(full) else None


def continues(line: str, following: str, width: int) -> bool:
    """`following` was wrapped off `line`: its first word would not have fitted at the end of `line`."""
    if len(line) > width or LIST_ITEM.match(following):
        return False
    first = following.split(" ", 1)[0]
    return len(line) + 1 + len(first) > width - WRAP_SLACK


def mark_prose(lines: list[Line], opts: Options) -> None:
    for line in lines:
        # A long headline is as long as a short paragraph, but does not end like one.
        line.prose = line.chars >= opts.text_min_prose_chars and (
            line.chars >= opts.text_min_unended_prose_chars or bool(PROSE_END.search(line.text)))


def reads_like_text(line: Line) -> bool:
    """Prose, a sentence, or a line of Chinese or Japanese (often written without stops)."""
    return line.chrome is None and (line.prose or is_sentence(line) or len(CJK.findall(line.text)) >= 10)


def is_sentence(line: Line) -> bool:
    return line.words >= 3 and bool(SENTENCE_END.search(line.text))


def is_dateline(line: Line) -> bool:
    """A date or time with little else: 'Updated 5 May 2025, 10:04 BST', '3 hours ago'."""
    if line.chars > DATE_LINE_CHARS or not DATE_TOKEN.search(line.text) or not any(c.isdigit() for c in line.text):
        return False  # "USA TODAY" is not a date
    rest = [w for w in WORD.findall(DATE_TOKEN.sub(" ", line.text))
            if w.casefold() not in DATE_WORDS and not w.isdigit()]
    return len(rest) <= 2


def is_label(line: Line) -> bool:
    return line.words <= LABELLED_WORDS and bool(LABELLED.match(line.text))


def is_name(line: Line, min_words: int = 2) -> bool:
    """Two to five capitalised words and nothing else: a person's or a publication's name."""
    words = line.text.split()
    if not min_words <= len(words) <= 5 or len(line.text) > 40 or any(c.isdigit() or c in ":|/" for c in line.text):
        return False
    return words[0][:1].isupper() and all(w[:1].isupper() or w.casefold() in NAME_PARTICLES for w in words)


def is_org(line: Line) -> bool:
    """A publication's name: words like "Times" or "Press" in it, or "The" and a word or two."""
    words = [w.casefold().strip(".,") for w in line.text.split()]
    if len(words) == 1:  # "News" is a section; "Reuters" a news agency
        return is_name(line, 1) and words[0] in AGENCIES
    return is_name(line) and len(words) <= 4 and (words[0] == "the" and len(words) <= 3
                                                  or any(w in ORG_WORDS for w in words))


def is_person(line: Line) -> bool:
    return is_name(line) and not is_org(line) and len(line.text.split()) <= 3


def is_headline(line: Line, opts: Options) -> bool:
    if line.chrome is not None or LIST_ITEM.match(line.text) or is_org(line):
        return False  # nor a publication's name
    if NOT_HEADLINE_END.search(line.text) and not ABBREVIATION_END.search(line.text):
        return False
    if is_label(line):
        return False
    if line.chars > opts.text_max_headline_chars or is_dateline(line) or BYLINE.match(line.text):
        return False
    return line.words >= 2


def group_kinds(lines: list[Line]) -> dict[int, str]:
    """How each group is laid out: 'pre' (indented code) or 'lines'."""
    groups: dict[int, list[Line]] = {}
    for line in lines:
        groups.setdefault(line.group, []).append(line)
    return {g: "pre" if len(members) > 1 and not any(LIST_ITEM.match(ln.text) for ln in members)
            and any(ln.raw[:1].isspace() for ln in members) else "lines"
            for g, members in groups.items()}
