"""The stages, in order. Read `extract` top to bottom to see what stripper does."""
from __future__ import annotations

from functools import lru_cache

from . import clean, dom, load, locate, metadata, prune, render
from .errors import RulesError
from .model import Article
from .options import Options
from .rules import Rule, Site, builtin_packs, host_of, load_pack, site_for_host
from .rules.ruleset import RuleSet
from .rules.selectors import SelectorIndex, parse_chain, select_lxml
from .trace import Trace

# Readability's retry ladder: each attempt relaxes one more flag when the
# previous one found too little text; the longest result wins.
ATTEMPTS = (
    {},
    {"strip_unlikely": False},
    {"strip_unlikely": False, "weight_classes": False},
    {"strip_unlikely": False, "weight_classes": False, "clean_conditionally": False},
)


@lru_cache(maxsize=64)
def user_rules(paths: tuple[str, ...]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for path in paths:
        loaded, _ = load_pack(path, origin=path)
        rules.extend(loaded)
    return tuple(rules)


@lru_cache(maxsize=256)
def ruleset_for(site: Site | None, opts_key: tuple) -> RuleSet:
    rule_files, drop, keep, builtin = opts_key
    rules: list[Rule] = list(builtin_packs().generic) if builtin else []
    if site is not None and builtin:
        rules.extend(site.rules)
    rules.extend(user_rules(rule_files))
    if drop:
        rules.append(Rule(id="--drop", reason="selector given with --drop", origin="command line",
                          selectors=tuple(drop)))
    return RuleSet.build(rules, site, keep)


@lru_cache(maxsize=1)
def fingerprint_index() -> SelectorIndex:
    index = SelectorIndex()
    for site in builtin_packs().sites:
        for sel in site.fingerprints:
            index.add(sel, site)
    return index


def find_site(root, url: str | None, opts: Options) -> Site | None:
    """Hostname, then the page's canonical / og:url, then markup fingerprints."""
    if not opts.use_builtin_rules:
        return None
    sites = builtin_packs().sites
    site = site_for_host(host_of(url), sites)
    if site:
        return site
    for el in root.iter("link", "meta"):
        if el.tag == "link" and "canonical" in (el.get("rel") or "").lower():
            site = site_for_host(host_of(el.get("href")), sites)
        elif el.tag == "meta" and (el.get("property") or el.get("name")) in ("og:url", "twitter:url"):
            site = site_for_host(host_of(el.get("content")), sites)
        if site:
            return site
    index = fingerprint_index()
    if index.buckets:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for _, site in index.match(el.tag, el.get, el.get("class")):
                return site
    return None


def content_region(root, site: Site | None) -> list | None:
    """A site profile's content selectors, tried in order; the first that matches once wins."""
    if site is None:
        return None
    for selector in site.content:
        chain = parse_chain(selector)
        found = select_lxml(root, chain) if chain else []
        if len(found) == 1 and dom.text_of(found[0]):
            return found
    return None


def attempt(text: str, opts: Options, url: str | None) -> tuple[Article, Trace] | None:
    trace = Trace()
    root = dom.parse(text)
    if root is None:
        return None
    prune.flatten_deep(root, opts.max_depth, trace)
    root = prune.simplify_huge(root, opts.max_elements, trace)
    article = Article(url=url, title=metadata.title(root))
    site = find_site(root, url, opts)
    rules = ruleset_for(site, (opts.rule_files, opts.drop, opts.keep, opts.use_builtin_rules))
    if site is not None:
        article.aggregator = site.name if site.kind == "aggregator" else None

    prune.drop_non_content(root, trace)
    protected = prune.protected_elements(root, rules)
    prune.drop_hidden(root, trace, protected)
    prune.drop_by_selectors(root, rules, trace, protected)
    region_els = content_region(root, site)
    if region_els is None:
        if opts.strip_unlikely:
            prune.drop_unlikely(root, rules, trace, protected)
        region_els = locate.locate(root, opts)
    region_els = prune.simplify_region(region_els, opts.max_region_elements, trace)
    prune.wrap_loose_text(region_els)

    from lxml import etree

    html = "".join(etree.tostring(el, encoding="unicode", method="html", with_tail=False) for el in region_els)
    region = clean.to_soup(f"<div>{html}</div>").find("div")

    clean.apply(clean.select_rules(region, rules), region, "chrome", trace, opts)
    clean.apply(clean.title_repeat(region, article.title), region, "chrome", trace, opts)
    clean.apply(clean.fishy_blocks(region, opts), region, "clean", trace, opts)
    removals, cut, walls = clean.phrase_blocks(region, rules, opts)
    clean.apply(removals, region, "phrases", trace, opts)
    clean.apply(cut, region, "wall", trace, opts, valve_share=0.9)
    if walls:
        article.paywall.detected = True
        article.paywall.signals.extend(sorted({f"rule:{r.id}" for r in walls}))
        article.paywall.truncated = bool(cut)

    article.text = render.to_text(region)
    article.removed = [e.to_dict() for e in trace.events]
    return article, trace


def extract(page: str | bytes, opts: Options) -> tuple[Article, Trace]:
    text = load.read_page(page, max_bytes=opts.max_bytes)
    best: tuple[Article, Trace] | None = None
    for relax in ATTEMPTS:
        result = attempt(text, opts.but(**relax), opts.url)
        if result is None:
            break
        if best is None or len(result[0].text) > len(best[0].text):
            best = result
        if len(best[0].text) >= opts.min_article_chars:
            break
        if prune.SIMPLIFY_RULE.id in result[1].rule_ids() or prune.MERGE_RULE.id in result[1].rule_ids():
            break  # a page of more than max_elements elements gets one attempt: retries cost seconds
    if best is None:
        return Article(url=opts.url), Trace()
    return best
