"""Users' rules files: TOML packs, or uBlock Origin / AdGuard cosmetic filter lists.

A filter line `example.com,other.org##.paywall` hides `.paywall` on those
sites (and their subdomains); `##.promo` hides it everywhere. Lines that are
not element-hiding filters (network filters, `#@#` exceptions, scriptlets,
procedural operators) cannot be honoured by a text extractor: they are
skipped and reported as notes, never silently.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..errors import RulesError
from . import Rule, parse_pack, read_rules_text
from .selectors import compile_selector

# separator: ## hide, #@# exception, #?# / #$# / #%# / #@?# ... extended, CSS-injection and JS variants
COSMETIC = re.compile(r"^(?P<domains>[^#]*?)(?P<sep>#@?[?$%]?@?#|##\+js|#\+js)(?P<body>.*)$")
PROCEDURAL = re.compile(r":(has-text|-abp-contains|-abp-has|contains|matches-css|matches-css-before|matches-css-after|"
                        r"matches-attr|matches-path|matches-media|min-text-length|others|remove|remove-attr|"
                        r"remove-class|style|upward|watch-attr|xpath|if|if-not|nth-ancestor|-abp-properties)\(")


def looks_like_filters(path: str, source: str) -> bool:
    """Not TOML but element-hiding filter lines: by extension first, then by content."""
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        return False
    if suffix in (".txt", ".filters", ".filter", ".list", ".abp", ".ubo"):
        return True
    return any("##" in line and not line.lstrip().startswith("#") for line in source.splitlines()[:400]) or \
        any(line.startswith(("! ", "[Adblock")) for line in source.splitlines()[:5])


def parse_filters(source: str, path: str) -> tuple[list[Rule], list[str]]:
    """Rules for the element-hiding lines of a filter list, plus notes on lines skipped."""
    rules: list[Rule] = []
    notes: list[str] = []
    for n, raw in enumerate(source.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("!") or (line.startswith("[") and line.endswith("]")):
            continue
        m = COSMETIC.match(line)
        if not m:
            notes.append(f"{path}:{n}: skipped (not an element-hiding filter): {line[:80]}")
            continue
        sep, body = m.group("sep"), m.group("body").strip()
        if sep != "##":
            kind = "exception" if "@" in sep else "scriptlet, CSS-injection or extended filter"
            notes.append(f"{path}:{n}: skipped ({kind}; only ## filters apply): {line[:80]}")
            continue
        if PROCEDURAL.search(body) or body.startswith("+js") or body.startswith("^"):
            notes.append(f"{path}:{n}: skipped (procedural or HTML filter): {line[:80]}")
            continue
        if not body:
            raise RulesError(f"{path}:{n}: filter has no selector after ##")
        try:
            compile_selector(body)
        except ValueError as exc:
            raise RulesError(f"{path}:{n}: {exc}") from None
        domains = tuple(d.strip().lower() for d in m.group("domains").split(",") if d.strip())
        bad = [d for d in domains if not re.fullmatch(r"~?[\w.*-]+", d)]
        if bad:
            raise RulesError(f"{path}:{n}: bad domain {bad[0]!r} before ##")
        rules.append(Rule(id=f"{Path(path).name}:{n}", reason=f"filter {line[:120]}", origin=f"{path}:{n}",
                          selectors=(body,), domains=domains))
    return rules, notes


def load_rules_file(path: str) -> tuple[list[Rule], list[str]]:
    """A user's rules file as rules plus notes about lines that were skipped."""
    source = read_rules_text(path)
    if looks_like_filters(path, source):
        return parse_filters(source, path)
    rules, site, _ = parse_pack(source, path, path)
    if site is not None:
        # A user's profile applies on its domains; its rules inherit them.
        rules = [r if r.domains else replace(r, domains=site.domains) for r in rules]
    return rules, []


@lru_cache(maxsize=64)
def user_rules(paths: tuple[str, ...]) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Rules and notes from `--rules` files, loaded once per process."""
    rules: list[Rule] = []
    notes: list[str] = []
    for path in paths:
        loaded, more = load_rules_file(path)
        rules.extend(loaded)
        notes.extend(more)
    return tuple(rules), tuple(notes)
