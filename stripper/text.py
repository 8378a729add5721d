"""Plain-text input: pages a browser or a scraper already turned into text.

Such a page is one block per line: chrome lines above the headline, the
article, then walls and promotion below it. The rule packs decide what a line
says (the same phrase and wall rules as for HTML); the layout decides the rest:

    lines (hard-wrapped ones joined) -> "Key: value" preamble -> site profile
    -> phrase rules on each line -> repeats, wordless lines -> wall cut
    -> the article: the stretch of lines scoring most -> headline, author and
       publication above it -> everything below it -> Article

Every dropped line goes through the trace with the rule that dropped it. A
document already laid out like stripper's output (a line standing alone at the
top, paragraphs, no chrome around them) only loses the lines rules name, and
keeps its own layout, so stripping stripper's output again changes nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from .clean import is_chrome
from .trace import BuiltinRule
from .model import Article
from .options import Options
from .rules import Site, builtin_packs, host_of, site_for_host
from .rules.resolve import sites_in_text
from .rules.ruleset import RuleSet, fold
from .textlines import (BYLINE, LIST_ITEM, STATEMENT_END, Line, group_kinds, is_dateline, is_headline, is_label,
                        is_name, is_org, is_person, is_sentence, mark_prose, reads_like_text, source_lines,
                        split_lines)
from .trace import Trace

# Call syntax, assignment, braces, statement ends, shell and REPL prompts.
CODE = re.compile(r"\w\(|[={};]|^(?:>>>|\.\.\.|\$|#include)\s")
LETTER = re.compile(r"[^\W\d_]")
ALNUM = re.compile(r"[^\W_]|\s")
WORDLESS_CHARS = 12
BRAND_LINES = 15
# "Key: value" lines some scrapers put before the page text.
PREAMBLE = re.compile(r"(?i)^(title|url|url source|source|author|byline|published|published time|date"
                      r"|markdown content|content)\s*:\s*(.*)$")
PREAMBLE_FIELDS = {"title": "title", "url": "url", "url source": "url", "source": "url", "author": "author",
                   "byline": "author", "published": "published", "published time": "published",
                   "date": "published"}

# Headline choice (find_headline): words count up to this many; the first headline-like line
# after chrome gets a bonus; a person's name a penalty.
HEADLINE_WORDS = 8
FIRST_AFTER_CHROME = 3
NAME_PENALTY = 5
STANDS_ALONE = 2
ABOVE_BYLINE, BELOW_BYLINE, OVER_BYLINE = 2, 3, 3
# A line of this many words or fewer between the headline and the article is a label, not a dek.
HEADER_LABEL_WORDS = 3

PREAMBLE_RULE = BuiltinRule("text-preamble", "scraper's key: value header before the page text (kept as metadata)")
NO_WORDS = BuiltinRule("text-no-words", "short line without a word: a separator, an icon or a bare count")
REPEAT = BuiltinRule("text-repeat", "the same line again, right after itself (a repeated publisher or label line)")
ABOVE = BuiltinRule("text-above-headline", "page chrome above the headline")
HEADER = BuiltinRule("text-byline", "byline, date or label between the headline and the article")
SOURCE = BuiltinRule("text-source-line", "the publication's or the author's name in the header (kept as metadata)")
NO_HEADLINE = BuiltinRule("text-above-article", "short lines above the article when no headline was found")
BELOW = BuiltinRule("text-below-article",
                    "lines after the article's last paragraph (related stories, footer, promotion)")


# -- finding the site --------------------------------------------------------

def find_sites(text: str, lines: list[Line], url: str | None, opts: Options) -> tuple[Site, ...]:
    """The URL's site profile, else those whose text fingerprints or logo the page carries, aggregator first."""
    if not opts.use_builtin_rules:
        return ()
    site = site_for_host(host_of(url), builtin_packs().sites)
    if site is not None:
        return (site,)
    found = sites_in_text(text)
    found = list({s.id: s for s in found + brand_lines(lines)}.values())
    aggregator = next((s for s in found if s.kind == "aggregator"), None)
    other = next((s for s in found if s.kind != "aggregator"), None)
    return tuple(s for s in (aggregator, other) if s is not None)


@lru_cache(maxsize=1)
def brands() -> dict[str, Site]:
    """Aggregators and platforms by the name in their domain: msn.com -> "msn"."""
    return {d.split(".")[0]: s for s in builtin_packs().sites if s.kind != "publisher" for d in s.domains}


def brand_lines(lines: list[Line]) -> list[Site]:
    """Sites whose logo reads as a short line at the top or bottom of the page ("MSN", "Yahoo News")."""
    index = brands()
    edges = lines[:BRAND_LINES] + lines[-BRAND_LINES:]
    return [index[w] for ln in edges if len(ln.text.split()) <= 2
            and (w := ln.text.split()[0].casefold()) in index]


# -- removing lines ------------------------------------------------------------

class Doc:
    """The lines, which are still kept, and the trace of those that are not."""

    def __init__(self, lines: list[Line], trace: Trace, opts: Options) -> None:
        self.lines, self.trace, self.opts = lines, trace, opts
        self.kept = [True] * len(lines)

    def live(self, start: int = 0, stop: int | None = None) -> list[Line]:
        return [ln for ln in self.lines[start:stop] if self.kept[ln.n]]

    def apply(self, plan: list[tuple[Line, Any]], stage: str, *, action: str = "remove",
              valve_share: float | None = None) -> bool:
        """Drop the planned lines unless that would take most of the article with them."""
        plan = [(ln, rule) for ln, rule in plan if self.kept[ln.n]]
        if not plan:
            return True
        # What the valve guards is what reads like article text: chrome may be most of a short page.
        total = sum(ln.chars for ln in self.live() if reads_like_text(ln))
        doomed = sum(ln.chars for ln, _ in plan if reads_like_text(ln))
        if self.trace.refuses(stage, total, doomed, len(plan), self.opts, share=valve_share,
                              unit="characters of prose"):
            return False
        for ln, rule in plan:
            self.trace.record(stage, rule.id, rule.reason, ln.text, selector=getattr(rule, "selector", None),
                              action=action)
            self.kept[ln.n] = False
        return True


def classify(lines: list[Line], rules: RuleSet, kinds: dict[int, str], opts: Options) -> None:
    """Mark the lines the phrase rules call chrome (by the HTML blocks' test), and the wall prompts among them.

    Code is never chrome (`print(x)` is not a print button), nor is a line mostly of signs.
    """
    longest = rules.longest_block(opts.max_phrase_block_chars)
    for line in lines:
        if len(line.text) > longest or kinds.get(line.group) == "pre" or CODE.search(line.text):
            continue
        if len(ALNUM.findall(line.text)) * 2 < len(line.text):  # a grid, a formula, ASCII art
            continue
        m = rules.match_phrases(line.text, opts.max_phrase_block_chars)
        if m is not None and is_chrome(m, opts):
            line.chrome, line.wall = m.rule, m.rule.cut


def read_preamble(doc: Doc) -> dict[str, str]:
    """`Title: ...`, `URL Source: ...` lines at the very top, as some scrapers write them."""
    found: dict[str, str] = {}
    plan = []
    for line in doc.lines[:12]:
        m = PREAMBLE.match(line.text)
        if not m:
            break
        key = PREAMBLE_FIELDS.get(m.group(1).lower())
        if key and m.group(2).strip():
            found.setdefault(key, m.group(2).strip())
        plan.append((line, PREAMBLE_RULE))
    if found:
        doc.apply(plan, "text-preamble")
        return found
    return {}


def drop_wordless(doc: Doc, kinds: dict[int, str]) -> None:
    """Separators, icons and bare counts ("·", "--", "482"); a price or a date ("$9.60", "12/3") stays."""
    plan = [(ln, NO_WORDS) for ln in doc.live()
            if len(ln.text) <= WORDLESS_CHARS and kinds.get(ln.group) != "pre" and not LETTER.search(ln.text)
            and (ln.text.isdigit() or not any(c.isdigit() for c in ln.text))]
    doc.apply(plan, "text-furniture")


def drop_repeats(doc: Doc) -> None:
    plan = []
    previous = None
    for line in doc.live():
        key = fold(line.text)
        if key == previous:
            plan.append((line, REPEAT))
        previous = key
    doc.apply(plan, "repeat")


# -- the article ----------------------------------------------------------------

def body_span(doc: Doc, paragraphs: bool) -> tuple[int, int] | None:
    """First and last line of the article: the stretch of lines whose scores add up most.

    Prose scores its length; a short sentence half of it. Any other short line
    (heading, caption, list item, table row, link) costs a little, a line a rule
    names as chrome costs more: headings and lists inside the article are paid
    for by the paragraphs after them; "Related stories" and the headlines under
    it are not. Where the page sets paragraphs apart with blank lines, a sentence
    packed among other short lines is page furniture, not a paragraph.
    """
    opts = doc.opts
    packed = _packed_groups(doc) if paragraphs else set()
    best, best_span = 0.0, None
    total, start = 0.0, None
    for line in doc.live():
        if line.chrome is not None:
            score = -opts.text_chrome_line_penalty
        elif line.prose:
            score = float(line.chars)
        elif is_sentence(line) and line.group not in packed:
            # A short question or exclamation may be a headline: it neither starts nor ends the article.
            score = line.chars / 2 if STATEMENT_END.search(line.text) else 0.0
        elif LIST_ITEM.match(line.text):
            score = -opts.text_list_item_penalty
        else:
            score = -opts.text_short_line_penalty
        if start is None or total <= 0:
            if score <= 0:
                continue
            total, start = 0.0, line.n
        total += score
        if total > best:
            best, best_span = total, (start, line.n)
    return best_span


def _packed_groups(doc: Doc) -> set[int]:
    """Groups of several lines none of which is prose: a block of links or labels."""
    prose: dict[int, bool] = {}
    count: dict[int, int] = {}
    for line in doc.lines:
        prose[line.group] = prose.get(line.group, False) or line.prose
        count[line.group] = count.get(line.group, 0) + 1
    return {g for g, n in count.items() if n > 1 and not prose[g]}


def paragraph_layout(doc: Doc) -> bool:
    """True when the page separates paragraphs by blank lines (most prose lines stand alone)."""
    sizes: dict[int, int] = {}
    for line in doc.lines:
        sizes[line.group] = sizes.get(line.group, 0) + 1
    prose = [ln for ln in doc.live() if ln.prose]
    alone = sum(1 for ln in prose if sizes[ln.group] == 1)
    return bool(prose) and alone * 2 >= len(prose)


def find_headline(doc: Doc, start: int, declared: str | None) -> Line | None:
    """The line naming the article: a declared title, else the best headline-like line above it.

    Headlines run to several words and follow the page's chrome; a section label
    or a subheading is shorter, a dek follows the headline, and a short line of
    capitalised words is more likely a publisher or an author.
    """
    above = doc.live(0, start)
    if declared:
        want = fold(declared)
        for line in above:
            if fold(line.text) == want:
                return line
        return None
    window = above[-doc.opts.text_max_header_lines:]
    sizes: dict[int, int] = {}
    for line in doc.lines:
        sizes[line.group] = sizes.get(line.group, 0) + 1
    # The byline and date block (even lines a rule already took) sits under the headline: a
    # candidate above where it starts gains, one below loses.
    first = window[0].n if window else start
    dated = next((ln.n for ln in doc.lines[first:start] if is_dateline(ln) or BYLINE.match(ln.text)), None)
    best, best_score = None, None
    for line in window:
        if is_headline(line, doc.opts):
            # The line before it in the page (chrome a rule took included) is not another headline.
            before = doc.lines[line.n - 1] if line.n else None
            after_chrome = before is None or not is_headline(before, doc.opts) or is_name(before)
            score = min(line.words, HEADLINE_WORDS) + (FIRST_AFTER_CHROME if after_chrome else 0)
            score -= NAME_PENALTY if is_person(line) else 0
            # Set apart by blank lines while the chrome around it is packed together.
            score += STANDS_ALONE if sizes[line.group] == 1 and len(sizes) > 1 else 0
            if dated is not None:
                score += ABOVE_BYLINE if line.n < dated else -BELOW_BYLINE
            # Right over the byline (or the author's name) is where a headline sits.
            after = doc.lines[line.n + 1] if line.n + 1 < len(doc.lines) else None
            if after is not None and not is_person(line) and (BYLINE.match(after.text) or is_person(after)):
                score += OVER_BYLINE
            if best_score is None or score > best_score:
                best, best_score = line, score
    return best


def cut_at_wall(doc: Doc, article: Article) -> None:
    """A wall prompt after some article text ends the article: it and everything after it go.

    Above the article (Medium's "Member-only story") a wall prompt is only a label, and
    one followed by an article's worth of prose is chrome in the middle: only it goes.
    """
    live = doc.live()
    paywalls = sorted({f"rule:{ln.chrome.id}" for ln in live if ln.wall and ln.chrome.paywall})
    if paywalls:
        article.paywall.detected = True
        article.paywall.signals.extend(paywalls)
    after = sum(ln.chars for ln in live if ln.prose and ln.chrome is None)  # prose still to come
    seen_text = False
    for i, line in enumerate(live):
        if line.wall and seen_text:
            if after < doc.opts.min_article_chars:
                if doc.apply([(ln, line.chrome) for ln in live[i:]], "wall", action="cut", valve_share=0.9) \
                        and line.chrome.paywall:
                    article.paywall.truncated = True
                return
            doc.trace.record("wall", "safety-valve", f"{after} characters of prose follow the wall marker: not cut",
                             "", action="revert")
            doc.trace.events[-1].preview = f"{len(live) - i - 1} removals not applied"
        if line.chrome is None:
            after -= line.chars if line.prose else 0
            seen_text = seen_text or line.prose or is_sentence(line)


def drop_phrases(doc: Doc, article: Article) -> None:
    plan = [(ln, ln.chrome) for ln in doc.live() if ln.chrome is not None]
    if any(rule.paywall for _, rule in plan):
        article.paywall.detected = True
        article.paywall.signals.extend(sorted({f"rule:{r.id}" for _, r in plan if r.paywall} - set(
            article.paywall.signals)))
    doc.apply(plan, "phrases")


def header(doc: Doc, article: Article, start: int, declared: str | None) -> Line | None:
    """Headline, author and site from the lines above the article, and removal of the rest of them."""
    headline = find_headline(doc, start, declared)
    named = read_header(doc, article, headline, start)
    if headline is None:
        plan = [(ln, NO_HEADLINE) for ln in doc.live(0, start) if not is_sentence(ln)]
    else:
        plan = [(ln, ABOVE) for ln in doc.live(0, headline.n)]
        # Between headline and article: bylines, dates and labels go; a dek (a sentence) stays.
        plan += [(ln, HEADER) for ln in doc.live(headline.n + 1, start)
                 if not is_sentence(ln) and (ln.words <= HEADER_LABEL_WORDS or is_dateline(ln) or is_name(ln)
                                             or BYLINE.match(ln.text) or is_label(ln))]
    names = {ln.text for ln in named}
    doc.apply([(ln, SOURCE if ln.text in names else rule) for ln, rule in plan], "text-above")
    return headline


def read_header(doc: Doc, article: Article, headline: Line | None, start: int) -> list[Line]:
    """Author and publication from the header: a byline, else the person's and the publication's
    names nearest the headline (below it first); else the masthead, the first name on the page.

    Returns the lines that named them.
    """
    top = headline.n if headline is not None else start
    near = doc.lines[top + 1:start] + doc.lines[max(0, top - doc.opts.text_max_header_lines):top][::-1]
    near = [ln for ln in near if not ln.prose and ln.chrome is None]
    named: list[Line] = []
    if not article.author:
        article.author = next((m.group(1) for ln in doc.lines[:start] if (m := BYLINE.match(ln.text))), None)
    if not article.author:
        line = next((ln for ln in near if is_person(ln)), None)
        if line is not None:
            article.author = line.text
            named.append(line)
    if article.site:  # a publisher's profile names it
        return named
    line = next((ln for ln in near if is_org(ln)), None)
    if line is None and not article.aggregator:
        line = next((ln for ln in doc.lines[:top] if ln.chrome is None and not ln.prose and is_name(ln)
                     and ln.text != article.author), None)
    if line is not None:
        article.site = line.text
        named.append(line)
    return named


def drop_below(doc: Doc, end: int) -> None:
    doc.apply([(ln, BELOW) for ln in doc.live(end + 1)], "text-below")


# -- output ------------------------------------------------------------------------

def render(lines: list[Line], kinds: dict[int, str], paragraphs: bool) -> str:
    """Paragraphs separated by one blank line.

    Lists and code stay together; so do the lines of a
    group when the page separates its paragraphs by blank lines (lines broken
    on purpose: verse, addresses).
    """
    blocks: list[list[str]] = []
    last_group = None
    last_list = False
    for line in lines:
        kind = kinds.get(line.group, "lines")
        text = line.raw if kind == "pre" else line.text
        together = line.group == last_group and (
            paragraphs or kind == "pre" or (last_list and LIST_ITEM.match(line.text)))
        if together and blocks:
            blocks[-1].append(text)
        else:
            blocks.append([text])
        last_group, last_list = line.group, bool(LIST_ITEM.match(line.text))
    return "\n\n".join("\n".join(b) for b in blocks)


def already_clean(doc: Doc, opts: Options) -> bool:
    """Laid out like stripper's own output, with no chrome around the article.

    The first line stands alone (a headline, or the first paragraph), no line is
    a wall, and no rule names a line above the first paragraph or below the last.
    Chrome comes in company: a scraped page has some line a rule knows at its
    top or bottom. Such a document only loses the lines rules name inside it;
    the layout-based trimming is what would change a clean document.
    """
    lines = doc.lines
    if any(ln.wall for ln in lines):
        return False
    live = [ln for ln in lines if ln.chrome is None]
    if len(live) < 2 or live[1].group == live[0].group:
        return False
    # Paragraphs are judged whole here: lines broken on purpose are short one by one.
    sizes: dict[int, int] = {}
    for ln in live:
        sizes[ln.group] = sizes.get(ln.group, 0) + ln.chars
    prose = [ln.n for ln in live if sizes[ln.group] >= opts.text_min_prose_chars]
    if not prose:
        return False
    return not any(ln.chrome is not None for ln in lines[:prose[0]] + lines[prose[-1] + 1:])


def verbatim(source: list[str], drop: set[int]) -> str:
    """The input's own lines without the dropped ones (and the blank line each leaves behind)."""
    out: list[str] = []
    eat_blank = False
    for i, raw in enumerate(source):
        if i in drop:
            eat_blank = not out or not out[-1].strip()
            continue
        if eat_blank and not raw.strip():
            eat_blank = False
            continue
        eat_blank = False
        out.append(raw)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


# -- the whole thing -----------------------------------------------------------------

def extract(text: str, opts: Options,
            rules_for: Callable[[tuple[Site, ...], str | None], RuleSet]) -> tuple[Article, Trace]:
    """The article in a page scraped to text; `rules_for(sites, host)` gives the rules for its profiles."""
    trace = Trace()
    source = source_lines(text)
    doc = Doc(split_lines(source), trace, opts)
    kinds = group_kinds(doc.lines)
    mark_prose(doc.lines, opts)
    article = Article(url=opts.url)
    if not doc.lines:
        return article, trace
    meta = read_preamble(doc)
    article.url = opts.url or meta.get("url")
    article.author = meta.get("author")
    article.published = meta.get("published")
    sites = find_sites(text, doc.lines, article.url, opts)
    article.aggregator = next((s.id for s in sites if s.kind == "aggregator"), None)
    # On a platform (Medium, Substack) or an aggregator the publication is named in the header.
    site = next((s for s in sites if s.kind == "publisher"), None)
    article.site = site.name if site is not None else None
    classify(doc.lines, rules_for(sites, host_of(article.url)), kinds, opts)
    if not meta and already_clean(doc, opts):
        keep_clean(doc, article, source)
    else:
        strip_page(doc, article, kinds, meta.get("title"))
    article.removed = [e.to_dict() for e in trace.events]
    return article, trace


def keep_clean(doc: Doc, article: Article, source: list[str]) -> None:
    """A clean document loses only the lines rules name; the rest is kept as it was written."""
    drop_phrases(doc, article)
    first = doc.live()[0]
    if not first.prose:
        article.title = first.text
        doc.kept[first.n] = False
    article.text = verbatim(source, {src for ln in doc.lines if not doc.kept[ln.n] for src in ln.srcs})


def strip_page(doc: Doc, article: Article, kinds: dict[int, str], declared: str | None) -> None:
    paragraphs = paragraph_layout(doc)
    drop_repeats(doc)
    drop_wordless(doc, kinds)
    cut_at_wall(doc, article)
    span = body_span(doc, paragraphs)
    drop_phrases(doc, article)
    if span is not None:
        headline = header(doc, article, span[0], declared)
        drop_below(doc, span[1])
    else:  # no prose at all: a short note, a headline over a line or two
        live = doc.live()
        headline = live[0] if len(live) > 1 and is_headline(live[0], doc.opts) else None
    if headline is not None:
        article.title = headline.text
        doc.kept[headline.n] = False
    elif declared:
        article.title = declared
    article.text = render(doc.live(), kinds, paragraphs)
