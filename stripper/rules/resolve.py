"""Which site profiles and which rules apply to one page.

A profile is found from the page's address (`--url`), then its
`<link rel=canonical>` / `og:url`, then its markup and text fingerprints, so a
page saved without its address is still recognised. An aggregator's chrome is
what a syndicated page carries even when its canonical link names the
original publisher, so a fingerprinted aggregator joins a publisher found by
canonical link, ahead of it.
"""
from __future__ import annotations

from functools import lru_cache

from . import Rule, Site, builtin_packs, host_of, site_for_host
from .filters import user_rules
from .fingerprints import fingerprint_phrases, markup_sites_and_words, scan, sites_in_text
from .ruleset import RuleSet
from .selectors import compile_selector
from ..errors import RulesError

KIND_RANK = {"aggregator": 0, "publisher": 1, "platform": 2}
URL_META = ("og:url", "twitter:url")


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


def fingerprinted(root) -> tuple[list[Site], frozenset[str]]:
    """Sites whose markup or text fingerprints the page carries, aggregators first; and the
    words of the profiles' content selectors that its attribute values have (see
    fingerprints.markup_sites_and_words)."""
    page = scan(root)
    sites, words = markup_sites_and_words(root, page)
    found = {site.id: site for site in sites}
    if fingerprint_phrases():
        for site in sites_in_text(page.text):
            found.setdefault(site.id, site)
    return sorted(found.values(), key=lambda s: KIND_RANK.get(s.kind, 3)), words


def find_sites(root, url: str | None, use_builtin: bool = True) -> tuple[str | None, tuple[Site, ...]]:
    """The page's host (from --url or its canonical link) and the profiles that apply, main one first."""
    return find_profiles(root, url, use_builtin)[:2]


def find_profiles(root, url: str | None, use_builtin: bool = True
                  ) -> tuple[str | None, tuple[Site, ...], frozenset[str] | None]:
    """find_sites(root, url, use_builtin), and, when the page's markup was looked at for
    fingerprints, the words of content selectors it has (else None): a profile's content
    selector needing a word the page lacks matches nothing there."""
    host = host_of(url)
    if not use_builtin:
        return host or canonical_host(root), (), None
    sites = builtin_packs().sites
    site = site_for_host(host, sites)
    if site is not None:
        return host, (site,), None
    host = host or canonical_host(root)
    site = site_for_host(host, sites)
    if site is not None and site.kind == "aggregator":
        return host, (site,), None
    found, words = fingerprinted(root)
    aggregator = next((s for s in found if s.kind == "aggregator"), None)
    if site is not None:
        return host, tuple(s for s in (aggregator, site) if s is not None), words
    if not found:
        return host, (), words
    other = next((s for s in found if s.kind != "aggregator"), None)
    return host, tuple(s for s in (aggregator or other, other if aggregator else None) if s is not None), words


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


def check_drop_keep(drop: tuple[str, ...], keep: tuple[str, ...]) -> None:
    """Raise RulesError, naming the option ("drop: ..."), for a selector soupsieve cannot compile."""
    for name, selectors in (("drop", drop), ("keep", keep)):
        for sel in selectors:
            try:
                compile_selector(sel)
            except ValueError as exc:
                raise RulesError(f"{name}: {exc}") from None


@lru_cache(maxsize=256)
def _ruleset(sites: tuple[Site, ...], scoped: tuple[Rule, ...], drop: tuple[str, ...], keep: tuple[str, ...],
             builtin: bool) -> RuleSet:
    check_drop_keep(drop, keep)
    rules: list[Rule] = list(builtin_packs().generic) if builtin else []
    shared = len(rules)
    for site in sites:
        rules.extend(site.rules)
    rules.extend(scoped)
    if drop:
        rules.append(Rule(id="--drop", reason="selector given with --drop", origin="command line",
                          selectors=drop))
    return RuleSet.build(rules, sites[0] if sites else None, keep, shared)
