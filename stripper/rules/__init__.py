"""Rule packs: loading, validating and choosing the rules for one page.

A pack is a TOML file. Generic packs apply to every page; a site profile
(`packs/sites/*.toml`) applies when the page is recognised as that site: by
URL hostname, then base domain, then markup fingerprints. Users' files may be
TOML packs or uBlock/AdGuard cosmetic filter lists (see `filters.py`).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..errors import RulesError
from .selectors import compile_selector, parse_chain

PACKS_DIR = Path(__file__).parent / "packs"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


RULE_KEYS = {"id", "reason", "selectors", "phrases", "patterns", "class_pattern", "unless_pattern",
             "cut", "paywall", "max_chars", "domains", "container", "never_article"}
PACK_KEYS = {"pack", "site", "rule"}
PACK_META_KEYS = {"name", "description"}
SITE_KEYS = {"id", "name", "kind", "domains", "fingerprints", "fingerprint_text", "content", "description",
             "publisher_selector", "author_selector"}
SITE_KINDS = ("aggregator", "publisher", "platform")


@dataclass(frozen=True, eq=False)  # hashed by identity: rules are cache keys
class Rule:
    id: str
    reason: str
    origin: str  # "pack-name", "site:<id>" or "file:line", for --explain and errors
    selectors: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()  # literal chrome phrases (case, quotes, punctuation and numbers are folded)
    patterns: tuple[str, ...] = ()  # regexes for chrome phrases with variable parts
    class_pattern: str | None = None  # regex over class and id names
    unless_pattern: str | None = None  # ...unless this one matches too (class_pattern's and selectors' hits)
    cut: bool = False  # a wall marker: the block and everything after it go
    paywall: bool = False  # matching is a sign of a paywall
    max_chars: int | None = None  # largest block (phrases) or element text (selectors) the rule removes
    domains: tuple[str, ...] = ()  # only on these hosts (and their subdomains); "~d" excludes; () = all
    container: bool = False  # a block that is this phrase labels its enclosing box: both go
    never_article: bool = False  # what the selectors name (a consent box, a dialog) is never the article

    def spares(self, names: str) -> bool:
        """Does `unless_pattern` spare an element with these class and id names?"""
        return bool(self.unless_pattern) and _compiled(self.unless_pattern).search(names) is not None

    @property
    def selector(self) -> str | None:
        return ", ".join(self.selectors) if self.selectors else None

    def applies_to(self, hosts: Iterable[str]) -> bool:
        if not self.domains:
            return True
        hosts = list(hosts)
        include = [d for d in self.domains if not d.startswith("~")]
        exclude = [d[1:] for d in self.domains if d.startswith("~")]
        if any(host_matches(h, d) for h in hosts for d in exclude):
            return False
        return not include or any(host_matches(h, d) for h in hosts for d in include)


@dataclass(frozen=True, eq=False)
class Site:
    id: str
    name: str
    kind: str  # aggregator | publisher | platform
    domains: tuple[str, ...] = ()
    fingerprints: tuple[str, ...] = ()  # selectors whose presence identifies the site
    fingerprint_text: tuple[str, ...] = ()  # phrases whose presence in the page text identifies it
    content: tuple[str, ...] = ()  # ordered content selectors
    rules: tuple[Rule, ...] = ()
    description: str = ""
    # Metadata: where the page prints the original publisher / the author (an aggregator's
    # own og:site_name names itself). Simple selectors, first with text wins.
    publisher_selector: tuple[str, ...] = ()
    author_selector: tuple[str, ...] = ()


@dataclass
class Packs:
    generic: list[Rule] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (pack name, description) of generic packs


def _fail(path: str, line: int | None, msg: str) -> RulesError:
    where = f"{path}:{line}" if line else path
    return RulesError(f"{where}: {msg}")


def _line_of(source: str, needle: str, after: int = 0) -> int | None:
    for n, text in enumerate(source.splitlines(), 1):
        if n > after and needle in text:
            return n
    return None


def _as_tuple(value: Any, key: str, path: str, line: int | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, line, f"{key!r} must be a string or a list of strings")
    return tuple(value)


def _check_selectors(selectors: Iterable[str], path: str, source: str, line: int | None, what: str) -> None:
    for sel in selectors:
        try:
            compile_selector(sel)
        except ValueError as exc:
            raise _fail(path, _line_of(source, sel) or line, f"{what}: {exc}") from None


def _rule(raw: dict, path: str, source: str, origin: str, line: int | None, compile_check: bool = True) -> Rule:
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise _fail(path, line, "every [[rule]] needs an id")
    line = _line_of(source, f'"{rid}"') or _line_of(source, f"'{rid}'") or line
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise _fail(path, line, f"rule {rid!r}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("reason"), str) or not raw["reason"].strip():
        raise _fail(path, line, f"rule {rid!r}: needs a reason")
    selectors = _as_tuple(raw.get("selectors", []), "selectors", path, line)
    patterns = _as_tuple(raw.get("patterns", []), "patterns", path, line)
    if compile_check:
        _check_selectors(selectors, path, source, line, f"rule {rid!r}")
        for pat in patterns + tuple(p for p in (raw.get("class_pattern"), raw.get("unless_pattern")) if p):
            try:
                re.compile(pat)
            except (re.error, TypeError) as exc:
                raise _fail(path, line, f"rule {rid!r}: bad regex {pat!r}: {exc}") from None
    phrases = _as_tuple(raw.get("phrases", []), "phrases", path, line)
    if any(not re.search(r"\w", p) for p in phrases):
        raise _fail(path, line, f"rule {rid!r}: a phrase needs at least one word")
    if not (selectors or phrases or patterns or raw.get("class_pattern")):
        raise _fail(path, line, f"rule {rid!r}: needs selectors, phrases, patterns or class_pattern")
    for key in ("cut", "paywall", "container", "never_article"):
        if not isinstance(raw.get(key, False), bool):
            raise _fail(path, line, f"rule {rid!r}: {key!r} must be true or false")
    max_chars = raw.get("max_chars")
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars <= 0):
        raise _fail(path, line, f"rule {rid!r}: 'max_chars' must be a positive integer")
    return Rule(id=rid, reason=raw["reason"], origin=origin, selectors=selectors, phrases=phrases,
                patterns=patterns, class_pattern=raw.get("class_pattern"),
                unless_pattern=raw.get("unless_pattern"), cut=raw.get("cut", False),
                paywall=raw.get("paywall", False), max_chars=max_chars,
                domains=tuple(d.lower() for d in _as_tuple(raw.get("domains", []), "domains", path, line)),
                container=bool(raw.get("container", False)), never_article=raw.get("never_article", False))


def _site(raw: Any, path: str, source: str, rules: list[Rule], compile_check: bool = True) -> Site:
    line = _line_of(source, "[site]")
    if not isinstance(raw, dict):
        raise _fail(path, line, "[site] must be a table")
    unknown = set(raw) - SITE_KEYS
    if unknown:
        raise _fail(path, line, f"[site]: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        raise _fail(path, line, "[site] needs an id")
    kind = raw.get("kind", "publisher")
    if kind not in SITE_KINDS:
        raise _fail(path, _line_of(source, "kind", line or 0), f"[site]: kind must be one of {', '.join(SITE_KINDS)}")
    values = {k: _as_tuple(raw.get(k, []), k, path, line) for k in ("domains", "fingerprints", "fingerprint_text", "content",
                                                                    "publisher_selector", "author_selector")}
    if compile_check:
        _check_selectors(values["fingerprints"] + values["content"], path, source, line, "[site]")
    for sel in values["content"] + values["publisher_selector"] + values["author_selector"]:
        if parse_chain(sel) is None:
            raise _fail(path, _line_of(source, sel) or line,
                        f"[site]: selector {sel!r} must be simple compounds joined by spaces")
    return Site(id=raw["id"], name=raw.get("name", raw["id"]), kind=kind,
                domains=tuple(d.lower() for d in values["domains"]), fingerprints=values["fingerprints"],
                fingerprint_text=values["fingerprint_text"], content=values["content"], rules=tuple(rules),
                description=raw.get("description", ""), publisher_selector=values["publisher_selector"],
                author_selector=values["author_selector"])


def parse_pack(source: str, path: str, origin: str, compile_check: bool = True) -> tuple[list[Rule], Site | None, dict]:
    """Validate one TOML pack's text; raise RulesError naming file and line when it is broken.

    `compile_check`: also compile every selector and regex, so a broken one is named here
    rather than met on some page. The built-in packs skip it (a fifth of a second at every
    start); the tests check them in full."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: {exc}") from None
    unknown = set(data) - PACK_KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise _fail(path, _line_of(source, name), f"unknown table(s) {', '.join(sorted(unknown))}")
    meta = data.get("pack", {})
    if not isinstance(meta, dict) or set(meta) - PACK_META_KEYS:
        raise _fail(path, _line_of(source, "[pack]"), f"[pack] may only have {', '.join(sorted(PACK_META_KEYS))}")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise _fail(path, _line_of(source, "rule"), "rules are written as [[rule]] tables")
    rules = []
    seen: set[str] = set()
    after = 0
    for raw in raw_rules:
        after = _line_of(source, "[[rule]]", after) or after
        rule = _rule(raw, path, source, origin, after or None, compile_check)
        if rule.id in seen:
            raise _fail(path, after or None, f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        rules.append(rule)
    site = _site(data["site"], path, source, rules, compile_check) if "site" in data else None
    return rules, site, meta


def read_rules_text(path: Path | str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rules file: {getattr(exc, 'strerror', None) or exc}") from None


@lru_cache(maxsize=1)
def builtin_packs() -> Packs:
    """Every built-in pack and site profile, validated once per process."""
    packs = Packs()
    owner: dict[str, str] = {}

    def claim(rid: str, where: str) -> None:
        if rid in owner:
            raise RulesError(f"{where}: rule id {rid!r} is already used in {owner[rid]}")
        owner[rid] = where

    for path in sorted(PACKS_DIR.glob("*.toml")):
        rules, site, meta = parse_pack(path.read_text(encoding="utf-8"), str(path), path.stem, compile_check=False)
        if site is not None:
            raise RulesError(f"{path}: a [site] profile belongs in packs/sites/")
        for r in rules:
            claim(r.id, path.name)
        packs.generic.extend(rules)
        packs.names.append((meta.get("name", path.stem), meta.get("description", "")))
    domains: dict[str, str] = {}
    for path in sorted((PACKS_DIR / "sites").glob("*.toml")):
        _, site, _ = parse_pack(path.read_text(encoding="utf-8"), str(path), f"site:{path.stem}", compile_check=False)
        if site is None:
            raise RulesError(f"{path}: a site profile needs a [site] table")
        if site.id != path.stem:
            raise RulesError(f"{path}: [site] id {site.id!r} must match the file name")
        for r in site.rules:
            claim(r.id, path.name)
        for d in site.domains:
            if d in domains:
                raise RulesError(f"{path}: domain {d!r} is already claimed by {domains[d]}")
            domains[d] = path.name
        packs.sites.append(site)
    return packs


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/?#:@]+@)?([^/?#:]+)", url.strip(), re.I)
    return m.group(2).lower().rstrip(".") if m else None


def host_matches(host: str, domain: str) -> bool:
    """`host` is `domain` or one of its subdomains; `example.*` stands for any ending."""
    if domain.endswith(".*"):
        stem = domain[:-1]  # "example."
        labels = host.split(".")
        return any(".".join(labels[i:]).startswith(stem) for i in range(len(labels)))
    return host == domain or host.endswith("." + domain)


@lru_cache(maxsize=8)
def _by_domain(sites: tuple[Site, ...]) -> dict[str, Site]:
    """Domain -> the site claiming it (the last one, as one dict of them all would say)."""
    return {d: s for s in sites for d in s.domains}


def site_for_host(host: str | None, sites: Iterable[Site]) -> Site | None:
    """Hostname first, then each shorter parent domain (news.example.co.uk -> example.co.uk)."""
    if not host:
        return None
    by_domain = _by_domain(tuple(sites))
    parts = host.split(".")
    for i in range(len(parts) - 1):
        site = by_domain.get(".".join(parts[i:]))
        if site:
            return site
    return None
