"""python -m bench.meta CORPUS_DIR [CORPUS_DIR...] [--tools stripper,trafilatura] [--misses FIELD]

Scores page metadata (title, author, site name, publication date) against each
case's truth, for stripper and trafilatura (`trafilatura.extract_metadata`),
and reports how many pages stripper flags as paywalled ("by rules": flagged on
removed wall prompts or markup alone, with no paywall declared by the page).

A corpus is a folder of CASE.html + CASE.json. Truth is read from the JSON:
title `title`; author `byline`, `author` or `meta.author`; site `siteName`;
date `publish_date` or `meta.date`. Only cases whose truth has a value count
for that field. Values are compared after folding case, accents aside,
punctuation and whitespace, and dropping a leading "By"/"Par"/"Von"/"Por"
from authors; dates compare their YYYY-MM-DD part. Column "title~" also accepts
the truth without its last or first separator-delimited part: the truth often
keeps a site name ("How to Build a Terrarium | eHow") that stripper removes.

Standalone: it needs only stripper (from the current directory) and, for the
peer column, trafilatura if installed.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
import unicodedata
from pathlib import Path

FIELDS = ("title", "author", "site", "date")
# Columns: each field, plus "title~" where a site name the truth keeps after (or before) a
# separator is set aside ("How to Build a Terrarium | eHow" = "How to Build a Terrarium").
COLUMNS = ("title", "title~", "author", "site", "date")
SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»|/|\\)\s+|\s*_(?=[^_]*$)|\s+(?=\[[^\]]+\]$)")
BY = re.compile(r"^(?:written by|story by|by|par|von|por|door|di)\s+", re.I)
NON_WORD = re.compile(r"[\W_]+")


def fold(value, field: str) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if not value:
        return ""
    value = str(value)
    value = unicodedata.normalize("NFKC", value).casefold()
    if field == "date":
        m = re.search(r"\d{4}-\d{2}-\d{2}", value)
        return m.group(0) if m else value.strip()
    value = " ".join(NON_WORD.sub(" ", value).split())
    if field == "author":
        value = BY.sub("", value)
    return value


def title_variants(title: str) -> set[str]:
    """The title, and the title without its last or its first separator-delimited part."""
    out = {fold(title, "title")}
    cuts = list(SEPARATOR.finditer(title))
    if cuts:
        out.add(fold(title[: cuts[-1].start()], "title"))
        out.add(fold(title[cuts[0].end():], "title"))
    return out


def truth(case: dict) -> dict[str, str | None]:
    meta = case.get("meta") or {}
    return {
        "title": case.get("title"),
        "author": case.get("byline") or case.get("author") or meta.get("author"),
        "site": case.get("siteName"),
        "date": case.get("publish_date") or meta.get("date"),
    }


def run_stripper(html: str, url: str | None) -> tuple[dict, list[str] | None]:
    """Metadata, and the paywall signals when the page is flagged ([] when it is not)."""
    import stripper

    a = stripper.strip(html, url=url)
    signals = a.paywall.signals if a.paywall.detected else []
    return {"title": a.title, "author": a.author, "site": a.site, "date": a.published}, signals


def run_trafilatura(html: str, url: str | None) -> tuple[dict, None]:
    import trafilatura

    doc = trafilatura.extract_metadata(html, default_url=url)
    if doc is None:
        return {}, None
    return {"title": doc.title, "author": doc.author, "site": doc.sitename, "date": doc.date}, None


TOOLS = {"stripper": run_stripper, "trafilatura": run_trafilatura}


def available(tool: str) -> bool:
    if tool == "trafilatura":
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            return False
    return True


def cases(folder: Path):
    for meta_path in sorted(folder.glob("*.json")):
        page = meta_path.with_suffix(".html")
        if page.exists():
            yield json.loads(meta_path.read_text("utf-8")), page.read_bytes().decode("utf-8", "replace")


def score(folder: Path, tool: str, misses: str | None) -> dict:
    run = TOOLS[tool]
    hits = {f: 0 for f in COLUMNS}
    totals = {f: 0 for f in COLUMNS}
    flagged = by_rules = pages = errors = 0
    seconds = 0.0
    for case, html in cases(folder):
        want = truth(case)
        start = time.perf_counter()
        try:
            got, paywalled = run(html, case.get("url"))
        except Exception as exc:  # a failing page scores nothing, and is counted
            got, paywalled = {}, []
            errors += 1
            print(f"  {tool} {case.get('id')}: {type(exc).__name__}: {exc}", file=sys.stderr)
        seconds += time.perf_counter() - start
        pages += 1
        if paywalled is not None:
            flagged += bool(paywalled)
            by_rules += bool(paywalled) and all(s.startswith("rule:") for s in paywalled)
        for f in COLUMNS:
            key = f.rstrip("~")
            if not want[key]:
                continue
            totals[f] += 1
            if f == "title~":
                ok = fold(got.get(key), key) in title_variants(want[key])
            else:
                ok = fold(got.get(key), key) == fold(want[key], key)
            hits[f] += ok
            if not ok and misses == f:
                print(f"  {tool} {case.get('id')}: want {want[key]!r} got {got.get(key)!r}")
    return {"hits": hits, "totals": totals, "pages": pages, "flagged": flagged, "by_rules": by_rules,
            "errors": errors, "ms": 1000 * seconds / max(pages, 1), "paywall": tool == "stripper"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.meta", description=__doc__.split("\n\n")[1])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--tools", default="stripper,trafilatura")
    ap.add_argument("--misses", choices=COLUMNS, help="print each page where this field is wrong")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in TOOLS:
            ap.error(f"unknown tool {t!r} (choose from {', '.join(TOOLS)})")
    header = (f"{'corpus':<14} {'tool':<12} " + " ".join(f"{f:>14}" for f in COLUMNS)
              + f" {'paywalled':>14} {'by rules':>8} {'ms/page':>8}")
    print(header)
    for folder in args.corpora:
        for tool in tools:
            if not available(tool):
                print(f"{folder.name:<14} {tool:<12} NOT RUN (not installed)")
                continue
            r = score(folder, tool, args.misses)
            cells = []
            for f in COLUMNS:
                n = r["totals"][f]
                cells.append(f"{100 * r['hits'][f] / n:5.1f}% {r['hits'][f]:>3}/{n:<3}" if n else f"{'-':>14}")
            flag = f"{100 * r['flagged'] / r['pages']:5.1f}% {r['flagged']:>3}/{r['pages']:<3}" if r["paywall"] else "n/a"
            rules = f"{r['by_rules']:>8}" if r["paywall"] else f"{'n/a':>8}"
            print(f"{folder.name:<14} {tool:<12} " + " ".join(f"{c:>14}" for c in cells)
                  + f" {flag:>14} {rules} {r['ms']:8.1f}")
            if r["errors"]:
                print(f"{'':<14} {'':<12} {r['errors']} pages raised")
    return 0


if __name__ == "__main__":
    sys.exit(main())
