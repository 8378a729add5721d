"""Which site profiles and which rules apply to one page.

A profile is found from the page's address (`--url`), then its
`<link rel=canonical>` / `og:url`, then its markup and text fingerprints, so a
page saved without its address is still recognised. An aggregator's chrome is
what a syndicated page carries even when its canonical link names the
original publisher, so a fingerprinted aggregator joins a publisher found by
canonical link, ahead of it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from . import Rule, Site, builtin_packs, host_of, site_for_host
from .filters import user_rules
from .ruleset import RuleSet, fold
from .selectors import SelectorIndex

KIND_RANK = {"aggregator": 0, "publisher": 1, "platform": 2}
URL_META = ("og:url", "twitter:url")
# Text fingerprints are looked for in this much of the page's text, start and end:
# aggregators put their slogans in headers and footers.
FINGERPRINT_TEXT_CHARS = 20000


@lru_cache(maxsize=1)
def fingerprint_index() -> SelectorIndex:
    index = SelectorIndex()
    for site in builtin_packs().sites:
        for sel in site.fingerprints:
            index.add(sel, site)
    return index


@lru_cache(maxsize=1)
def fingerprint_phrases() -> dict[str, Site]:
    """Folded text fingerprint -> the site it names."""
    return {fold(phrase): site for site in builtin_packs().sites for phrase in site.fingerprint_text}


def sites_in_text(text: str) -> list[Site]:
    """Sites whose text fingerprints appear in the start or end of `text` (slogans sit in
    headers and footers), found as substrings of the folded text: faster than one big regex."""
    phrases = fingerprint_phrases()
    if not phrases:
        return []
    if len(text) > 2 * FINGERPRINT_TEXT_CHARS:
        text = text[:FINGERPRINT_TEXT_CHARS] + " " + text[-FINGERPRINT_TEXT_CHARS:]
    folded = fold(text)
    return [site for phrase, site in phrases.items() if phrase in folded]


@lru_cache(maxsize=1)
def fingerprint_candidates() -> etree.XPath:
    """An XPath picking the only elements a fingerprint could match (by tag or attribute
    name), so recognising a page skips most elements in C rather than in Python.

    (One XPath of all fingerprints, tested in libxml2, is slower: it runs every test
    on every element.)"""
    tags, attrs = set(), {"class", "id"}
    for entries in fingerprint_index().buckets.values():
        for simple, _ in entries:
            if simple.tag:
                tags.add(simple.tag)
            attrs.update(a[0] for a in simple.attrs)
    tests = [f"@{a}" for a in sorted(attrs) if re.fullmatch(r"[\w-]+", a)]
    tests += [f"self::{t}" for t in sorted(tags) if re.fullmatch(r"[\w-]+", t)]
    return etree.XPath("//*[" + " or ".join(tests) + "]")


def _visible_text(root):
    """Text of the page without scripts and styles, which can be megabytes."""
    for el in root.iter():
        if el.tag in ("script", "style", "noscript", "template") or not isinstance(el.tag, str):
            if el.tail:
                yield el.tail
            continue
        if el.text:
            yield el.text
        if el.tail:
            yield el.tail


def canonical_host(root) -> str | None:
    for el in root.iter("link", "meta"):
        if el.tag == "link" and "canonical" in (el.get("rel") or "").lower():
            host = host_of(el.get("href"))
        elif el.tag == "meta" and (el.get("property") or el.get("name")) in URL_META:
            host = host_of(el.get("content"))
        else:
            continue
        if host:
            return host
    return None


def fingerprinted(root) -> list[Site]:
    """Sites whose markup or text fingerprints the page carries, aggregators first."""
    found: dict[str, Site] = {}
    index = fingerprint_index()
    if index.buckets:
        for el in fingerprint_candidates()(root):
            for _, site in index.match(el.tag, el.get, el.get("class"), el.keys()):
                found.setdefault(site.id, site)
    if fingerprint_phrases():
        body = root.find("body")
        for site in sites_in_text(" ".join(_visible_text(body if body is not None else root))):
            found.setdefault(site.id, site)
    return sorted(found.values(), key=lambda s: KIND_RANK.get(s.kind, 3))


def find_sites(root, url: str | None, use_builtin: bool = True) -> tuple[str | None, tuple[Site, ...]]:
    """The page's host (from --url or its canonical link) and the profiles that apply, main one first."""
    host = host_of(url)
    if not use_builtin:
        return host or canonical_host(root), ()
    sites = builtin_packs().sites
    site = site_for_host(host, sites)
    if site is not None:
        return host, (site,)
    host = host or canonical_host(root)
    site = site_for_host(host, sites)
    if site is not None and site.kind == "aggregator":
        return host, (site,)
    found = fingerprinted(root)
    aggregator = next((s for s in found if s.kind == "aggregator"), None)
    if site is not None:
        return host, tuple(s for s in (aggregator, site) if s is not None)
    if not found:
        return host, ()
    other = next((s for s in found if s.kind != "aggregator"), None)
    return host, tuple(s for s in (aggregator or other, other if aggregator else None) if s is not None)


def scope_hosts(host: str | None, sites: tuple[Site, ...]) -> tuple[str, ...]:
    """Hosts that domain-scoped rules are matched against: the page's, or its profiles' domains."""
    if host:
        return (host.removeprefix("www."),)
    return tuple(d for s in sites for d in s.domains)


def ruleset_for(sites: tuple[Site, ...], host: str | None, rule_files: tuple[str, ...], drop: tuple[str, ...],
                keep: tuple[str, ...], builtin: bool) -> RuleSet:
    hosts = scope_hosts(host, sites)
    scoped = tuple(r for r in user_rules(rule_files)[0] if r.applies_to(hosts)) if rule_files else ()
    return _ruleset(sites, scoped, drop, keep, builtin)


@lru_cache(maxsize=256)
def _ruleset(sites: tuple[Site, ...], scoped: tuple[Rule, ...], drop: tuple[str, ...], keep: tuple[str, ...],
             builtin: bool) -> RuleSet:
    rules: list[Rule] = list(builtin_packs().generic) if builtin else []
    for site in sites:
        rules.extend(site.rules)
    rules.extend(scoped)
    if drop:
        rules.append(Rule(id="--drop", reason="selector given with --drop", origin="command line",
                          selectors=drop))
    return RuleSet.build(rules, sites[0] if sites else None, keep)
