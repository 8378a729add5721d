"""The stages, in order. Read `attempt` top to bottom to see what stripper does."""
from __future__ import annotations

import copy
import gc
import re
import unicodedata
from contextlib import contextmanager
from functools import lru_cache

from . import clean, conditional, dom, load, locate, markdown, metadata, paywall, prune, render, repeats, safe_html
from . import streamed
from . import text as textinput
from .model import Article
from .options import Options
from .rules import Site
from .rules.resolve import find_profiles, ruleset_for
from .rules.fingerprints import selector_words
from .rules.selectors import parse_chain, select_lxml
from .trace import Trace

# Readability's retry ladder: each attempt relaxes one more flag when the
# previous one found too little text; the one with the most sentence text wins
# (see ladder_rank), the earlier one on a tie.
ATTEMPTS = (
    {},
    {"strip_unlikely": False},
    {"strip_unlikely": False, "weight_classes": False},
    {"strip_unlikely": False, "weight_classes": False, "clean_conditionally": False},
)


def content_region(root, sites: tuple[Site, ...], opts: Options, words: frozenset[str] | None = None
                   ) -> list | None:
    """The profiles' content selectors, tried in order; the first that matches once, with text, wins.

    A platform's selectors (WordPress, Ghost, ...) meet many themes: there the match must hold
    an article's worth of text, or the generic locator decides ("post-content" can be a standfirst).
    `words`: the words of content selectors the page's attribute values have, when known
    (find_profiles): a selector needing another is not looked for in the tree.
    """
    for site in sites:
        least = opts.min_article_chars if site.kind == "platform" else opts.min_paragraph_chars
        for selector in site.content:
            if words is not None and not (selector_words(selector) or frozenset()) <= words:
                continue
            chain = content_chain(selector)
            found = select_lxml(root, chain) if chain else []
            if len(found) == 1 and len(dom.text_of(found[0])) >= least:
                return found
    return None


@lru_cache(maxsize=256)
def content_chain(selector: str) -> tuple | None:
    """A profile's content selector, parsed once (every attempt on every page tries it)."""
    chain = parse_chain(selector)
    return tuple(chain) if chain else None


def _attached(el, root) -> bool:
    """Still in the tree (not inside something a rule removed)?"""
    node = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def attempt(text: str, opts: Options, url: str | None, known: dict | None = None,
            root=None) -> tuple[Article, Trace] | None:
    """One pass over the page. `known` carries what an earlier attempt on the same page read
    (see `read_page_facts`); it is filled on the first. `root`: the page already parsed, for
    this attempt to change at will."""
    trace = Trace()
    if root is None:
        root = dom.parse(text)
    if root is None:
        return None
    if streamed.PLACEHOLDER_TEXT in text:
        streamed.reveal(root, trace)
    prune.flatten_deep(root, opts.max_depth, trace)
    root = prune.simplify_huge(root, opts.max_elements, trace)
    # What the page says about itself, read before anything is removed.
    if known is None:
        known = {}
    if not known:
        known.update(read_page_facts(root, url, opts))
    host, sites, head = known["host"], known["sites"], known["head"]
    article = Article(url=url, **known["metadata"])
    rules = ruleset_for(sites, host, opts.rule_files, opts.drop, opts.keep, opts.use_builtin_rules)
    article.aggregator = next((s.id for s in sites if s.kind == "aggregator"), None)
    declared = paywall.declared(head, root)

    # Coarse pass in lxml: what can never be article text, then the article region.
    prune.drop_non_content(root, trace)
    protected = prune.protected_elements(root, rules)
    region_els = content_region(root, sites, opts, known["words"])
    profiled = region_els is not None  # a site profile named the content: a list of links there is the post
    walls_seen = prune.drop_chrome(root, rules, trace, protected,
                                   unlikely=opts.strip_unlikely and region_els is None)
    if region_els is None:
        region_els, stats = locate.locate(root, opts, host)
        conditional.clean(region_els, stats, opts, trace)
        repeats.drop_repeats(region_els, stats, trace)
        trace.relaxable |= stats.relaxable
    else:
        region_els = [el for el in region_els if _attached(el, root)]
    region_els = prune.simplify_region(region_els, opts.max_region_elements, trace)
    prune.wrap_loose_text(region_els)

    # Fine pass in BeautifulSoup on the region only.
    # The stages read the region's texts and elements as its building read them, kept up to date
    # by every removal.
    region, texts = clean.soup_and_texts(region_els)
    clean.mark_kept(region, rules)
    cut = clean.confirm_cut(clean.wall_markup(region, rules, texts), trace, opts)
    clean.apply(cut, region, "wall", trace, opts, valve_share=0.9, texts=texts)
    clean.apply(clean.select_rules(region, rules, texts), region, "chrome", trace, opts, texts=texts)
    clean.apply(clean.title_repeat(region, article.title, texts), region, "chrome", trace, opts, texts=texts)
    clean.apply(clean.link_lines(region, opts, texts), region, "chrome", trace, opts, texts=texts)
    removals, phrase_cut, walls = clean.phrase_blocks(region, rules, opts, texts)
    clean.apply(removals, region, "phrases", trace, opts, texts=texts)
    clean.apply(clean.confirm_cut(phrase_cut, trace, opts), region, "wall", trace, opts, valve_share=0.9,
                texts=texts)

    text_out = render.to_text(region)
    if not profiled and not_an_article(region, text_out, opts, texts):
        trace.record("render", "no-article", "what is left is navigation or a fragment, not an article", text_out)
        text_out = ""
    article.text = text_out
    if text_out:  # other formats only when asked for: each costs a walk of the article
        if opts.output_format == "markdown":
            article.markdown = markdown.render(region, links=opts.links, images=opts.images, base=url)
        elif opts.output_format == "html":
            article.html = safe_html.render(region, base=url)
    article.paywall = paywall.judge(declared, trace.events, rules, walls_seen | {r.id for r in walls},
                                    len(text_out), opts)
    article.removed = [e.to_dict() for e in trace.events]
    clean.release(region)
    return article, trace


def read_page_facts(root, url: str | None, opts: Options) -> dict:
    """The page's profiles and metadata, from the tree before anything is removed. The retry
    ladder relaxes flags that none of this reads, so later attempts reuse it (a page parses
    to the same tree every time; `head` is only read, never changed)."""
    host, sites, words = find_profiles(root, url, opts.use_builtin_rules)
    head = metadata.gather(root)
    return {"host": host, "sites": sites, "head": head, "words": words,
            "metadata": metadata.read(root, head, sites, url, full=opts.metadata)}


SENTENCE_END = re.compile("[.!?…:;)。！？」』\"'”“’»«›‹]$")


def retry_needed(relax: dict, ran: dict, mattered: set[str]) -> bool:
    """Can the attempt relaxing `relax` differ from the last one run, which relaxed `ran`? Only
    if a flag it relaxes besides those made a difference there (Trace.relaxable): relaxing a
    flag that changed nothing runs the same stages on the same tree to the same result."""
    return any(flag in mattered for flag in relax if flag not in ran)


def ladder_rank(text: str) -> tuple[int, int]:
    """How an attempt of the retry ladder ranks: by the characters of its paragraphs that end
    as sentences do, which is what a retry must add to be better (not menus, site names and
    link lists a relaxed attempt lets through); between attempts with no such paragraph,
    by length, so some text still beats none."""
    prose = sum(len(p) for p in text.split("\n\n") if SENTENCE_END.search(p))
    return (prose, 0) if prose else (0, len(text))


def not_an_article(region, text_out: str, opts: Options, texts: clean.Texts | None = None) -> bool:
    """Text that is mostly links: a menu or an index page, not an article.

    `texts`, if given, is the region's as it is now."""
    size = len(text_out)
    if not size:
        return False
    # A link holding paragraphs is an unclosed <a> swallowing the page, not a link.
    if texts is None:
        texts = clean.Texts(region)
    linked = sum(texts.length(a) for a in texts.tags(region, ("a",)) if not texts.tags(a, clean.BLOCKS))
    return linked > size * opts.max_article_link_density


@contextmanager
def collector_paused():
    """Python's cycle collector off while one page is extracted.

    A page makes some hundred thousand short-lived objects; the collector would sweep the
    young ones every 700 allocations (4% of the time), yet nothing here is left in a cycle
    (`clean.release` unlinks the region's tree). Whatever survives is looked at once
    collection resumes. A caller that turned the collector off itself keeps it off.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def extract(page: str | bytes, opts: Options) -> tuple[Article, Trace]:
    with collector_paused():
        article, trace = _extract(page, opts)
    compose(article)
    return article, trace


# What a reader reads of the result (not the trace, which quotes the page as it is).
COMPOSED_FIELDS = ("text", "title", "author", "site", "description", "markdown", "html")


def compose(article: Article) -> None:
    """The article's text in Unicode NFC, so the same words compare and search alike however the
    page wrote them: a precomposed "é" or "e" and a combining accent; a Bengali "ড়" as one
    character or two."""
    for name in COMPOSED_FIELDS:
        value = getattr(article, name)
        if value and not value.isascii() and not unicodedata.is_normalized("NFC", value):
            setattr(article, name, unicodedata.normalize("NFC", value))


def _extract(page: str | bytes, opts: Options) -> tuple[Article, Trace]:
    text = load.read_page(page, max_bytes=opts.max_bytes)
    fmt = opts.input_format
    if fmt == "auto":
        fmt = load.sniff_format(text, min_tags_per_kb=opts.min_html_tags_per_kb)
    if fmt == "text":
        return textinput.extract(text, opts, lambda sites, host: ruleset_for(
            sites, host, opts.rule_files, opts.drop, opts.keep, opts.use_builtin_rules))
    best: tuple[Article, Trace] | None = None
    known: dict = {}
    parsed = None  # the page as parsed, kept once a retry is needed: a copy costs half a parse
    last: tuple[dict, set[str]] = ({}, set())  # what the last attempt run relaxed, and what mattered in it
    for number, relax in enumerate(ATTEMPTS):
        if number and not retry_needed(relax, *last):
            continue
        root = None
        if parsed is None and number:
            parsed = dom.parse(text)
        if parsed is not None:
            root = parsed if number == len(ATTEMPTS) - 1 else copy.deepcopy(parsed)
        result = attempt(text, opts.but(**relax), opts.url, known, root)
        if result is None:
            break
        last = (relax, result[1].relaxable)
        if best is None or ladder_rank(result[0].text) > ladder_rank(best[0].text):
            best = result
        if len(best[0].text) >= opts.min_article_chars:
            break
        if prune.SIMPLIFY_RULE.id in result[1].rule_ids() or prune.MERGE_RULE.id in result[1].rule_ids():
            break  # a page of more than max_elements elements gets one attempt: retries cost seconds
    if best is None:
        return Article(url=opts.url), Trace()
    return best
