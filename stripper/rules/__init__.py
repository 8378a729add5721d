"""Rule packs: loading, validating and choosing the rules for one page.

A pack is a TOML file. Generic packs apply to every page; a site profile
(`packs/sites/*.toml`) applies when the page is recognised as that site: by
URL hostname, then base domain, then markup fingerprints.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..errors import RulesError
from .selectors import SelectorIndex, compile_selector

PACKS_DIR = Path(__file__).parent / "packs"

RULE_KEYS = {"id", "reason", "selectors", "phrases", "patterns", "class_pattern", "unless_pattern",
             "cut", "paywall", "max_chars", "container"}
PACK_KEYS = {"pack", "site", "rule"}
PACK_META_KEYS = {"name", "description"}
SITE_KEYS = {"id", "name", "kind", "domains", "fingerprints", "content", "description"}


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    origin: str  # "pack-name" or "file:line", for --explain and errors
    selectors: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()  # literal chrome phrases (case, quotes and spacing are folded)
    patterns: tuple[str, ...] = ()  # regexes for chrome phrases with variable parts
    class_pattern: str | None = None  # regex over class and id names
    unless_pattern: str | None = None  # ...unless this one matches too
    cut: bool = False  # a wall marker: the block and everything after it go
    paywall: bool = False  # matching is a sign of a paywall
    max_chars: int | None = None  # phrase rules: largest block they may remove
    container: bool = False  # a block that is this phrase labels its enclosing box: both go

    @property
    def selector(self) -> str | None:
        return ", ".join(self.selectors) if self.selectors else None


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    kind: str  # aggregator | publisher | platform
    domains: tuple[str, ...] = ()
    fingerprints: tuple[str, ...] = ()  # selectors whose presence identifies the site
    content: tuple[str, ...] = ()  # ordered content selectors
    rules: tuple[Rule, ...] = ()


@dataclass
class Packs:
    generic: list[Rule] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)


def _fail(path: str, line: int | None, msg: str) -> RulesError:
    where = f"{path}:{line}" if line else path
    return RulesError(f"{where}: {msg}")


def _line_of(source: str, needle: str) -> int | None:
    for n, text in enumerate(source.splitlines(), 1):
        if needle in text:
            return n
    return None


def _as_tuple(value: Any, key: str, path: str, line: int | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, line, f"{key!r} must be a string or a list of strings")
    return tuple(value)


def _rule(raw: dict, path: str, source: str, origin: str) -> Rule:
    rid = raw.get("id")
    line = _line_of(source, f'"{rid}"') if isinstance(rid, str) else None
    if not isinstance(rid, str) or not rid:
        raise _fail(path, line, "every [[rule]] needs an id")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise _fail(path, line, f"rule {rid!r}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("reason"), str):
        raise _fail(path, line, f"rule {rid!r}: needs a reason")
    selectors = _as_tuple(raw.get("selectors", []), "selectors", path, line)
    for sel in selectors:
        try:
            compile_selector(sel)
        except ValueError as exc:
            raise _fail(path, _line_of(source, sel) or line, f"rule {rid!r}: {exc}") from None
    patterns = _as_tuple(raw.get("patterns", []), "patterns", path, line)
    for pat in patterns + tuple(p for p in (raw.get("class_pattern"), raw.get("unless_pattern")) if p):
        try:
            re.compile(pat)
        except re.error as exc:
            raise _fail(path, line, f"rule {rid!r}: bad regex {pat!r}: {exc}") from None
    phrases = _as_tuple(raw.get("phrases", []), "phrases", path, line)
    if not (selectors or phrases or patterns or raw.get("class_pattern")):
        raise _fail(path, line, f"rule {rid!r}: needs selectors, phrases, patterns or class_pattern")
    return Rule(id=rid, reason=raw["reason"], origin=origin, selectors=selectors, phrases=phrases,
                patterns=patterns, class_pattern=raw.get("class_pattern"),
                unless_pattern=raw.get("unless_pattern"), cut=bool(raw.get("cut", False)),
                paywall=bool(raw.get("paywall", False)), max_chars=raw.get("max_chars"),
                container=bool(raw.get("container", False)))


def load_pack(path: Path | str, *, origin: str | None = None) -> tuple[list[Rule], Site | None]:
    """Read one TOML pack; raise RulesError naming file and line when it is broken."""
    path = str(path)
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc}") from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: {exc}") from None
    unknown = set(data) - PACK_KEYS
    if unknown:
        raise _fail(path, _line_of(source, sorted(unknown)[0]), f"unknown table(s) {', '.join(sorted(unknown))}")
    origin = origin or Path(path).stem
    rules = [_rule(raw, path, source, origin) for raw in data.get("rule", [])]
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            raise _fail(path, _line_of(source, f'"{r.id}"'), f"duplicate rule id {r.id!r}")
        seen.add(r.id)
    site = None
    if "site" in data:
        raw = data["site"]
        unknown = set(raw) - SITE_KEYS
        if unknown:
            raise _fail(path, None, f"[site]: unknown key(s) {', '.join(sorted(unknown))}")
        for sel in list(raw.get("fingerprints", [])) + list(raw.get("content", [])):
            try:
                compile_selector(sel)
            except ValueError as exc:
                raise _fail(path, _line_of(source, sel), f"[site]: {exc}") from None
        site = Site(id=raw["id"], name=raw.get("name", raw["id"]), kind=raw.get("kind", "publisher"),
                    domains=tuple(raw.get("domains", [])), fingerprints=tuple(raw.get("fingerprints", [])),
                    content=tuple(raw.get("content", [])), rules=tuple(rules))
    return rules, site


@lru_cache(maxsize=1)
def builtin_packs() -> Packs:
    packs = Packs()
    for path in sorted(PACKS_DIR.glob("*.toml")):
        rules, _ = load_pack(path)
        packs.generic.extend(rules)
    ids = [r.id for r in packs.generic]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RulesError(f"duplicate rule ids across built-in packs: {', '.join(sorted(dupes))}")
    for path in sorted((PACKS_DIR / "sites").glob("*.toml")):
        _, site = load_pack(path, origin=f"site:{path.stem}")
        if site is not None:
            packs.sites.append(site)
    return packs


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    m = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#:@]+@)?([^/?#:]+)", url.strip(), re.I)
    return m.group(2).lower().rstrip(".") if m else None


def site_for_host(host: str | None, sites: Iterable[Site]) -> Site | None:
    """Hostname first, then each shorter parent domain (news.example.co.uk -> example.co.uk)."""
    if not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    by_domain = {d: s for s in sites for d in s.domains}
    parts = host.split(".")
    for i in range(len(parts) - 1):
        site = by_domain.get(".".join(parts[i:]))
        if site:
            return site
    return None
