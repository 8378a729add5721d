"""Plain-text descriptions of the rules, for `--list-rules` and `--explain`."""
from __future__ import annotations

from typing import Any, Iterable

from . import Rule, builtin_packs


def _what(rule: Rule) -> str:
    parts = []
    if rule.selectors:
        parts.append(f"{len(rule.selectors)} selector{'s' * (len(rule.selectors) > 1)}")
    if rule.phrases or rule.patterns:
        n = len(rule.phrases) + len(rule.patterns)
        parts.append(f"{n} phrase{'s' * (n > 1)}")
    if rule.class_pattern:
        parts.append("class pattern")
    if rule.cut:
        parts.append("cuts the rest")
    return ", ".join(parts)


def describe_packs() -> list[str]:
    """Every built-in pack and site profile: ids, reasons and domains."""
    packs = builtin_packs()
    lines = []
    for name, description in packs.names:
        lines.append(f"pack {name}: {description}".rstrip(": "))
        for rule in (r for r in packs.generic if r.origin == name):
            lines.append(f"  {rule.id}: {rule.reason} [{_what(rule)}]")
    lines.append("")
    lines.append(f"site profiles ({len(packs.sites)}):")
    for site in sorted(packs.sites, key=lambda s: (s.kind, s.id)):
        lines.append(f"  {site.id} ({site.kind}) {site.name}: {', '.join(site.domains) or '(no domains)'}")
        for rule in site.rules:
            lines.append(f"    {rule.id}: {rule.reason} [{_what(rule)}]")
    return lines


def explain_lines(removed: Iterable[dict[str, Any]]) -> list[str]:
    """One line per trace event: what went, by which rule or selector, why, and a preview."""
    lines = []
    for e in removed:
        verb = {"cut": "cut", "revert": "kept"}.get(e["action"], "removed")
        rule = e["rule"]
        if e.get("selector"):
            rule += f" ({e['selector']})"
        preview = f' "{e["preview"]}"' if e.get("preview") else ""
        lines.append(f"{verb} [{e['stage']}] {rule}: {e['reason']}{preview}")
    return lines
