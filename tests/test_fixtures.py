"""Every folder under fixtures/ with a source page is a test case, found automatically.

A case is `source.html` (or `source.txt`), `expected.txt` (the exact default
output) and `expect.toml` (must_contain, must_not_contain, dropped_by, url,
[metadata]). Each check is its own test so a failure names what broke.
Regenerate an expected.txt deliberately: `python -m tests.regen fixtures/<group>/<slug>`.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import stripper
from stripper.cli import render
from stripper.options import Options

ROOT = Path(__file__).resolve().parent.parent / "fixtures"


def cases() -> list[Path]:
    return sorted(p.parent for p in ROOT.glob("*/*/expect.toml"))


def load(case: Path):
    expect = tomllib.loads((case / "expect.toml").read_text(encoding="utf-8"))
    source = next(case.glob("source.*"))
    opts = Options(url=expect.get("url"))
    article = stripper.strip(source.read_bytes(), options=opts)
    return expect, article, render(article, opts)


def fold(text: str) -> str:
    return " ".join(text.split())


def checks():
    for case in cases():
        expect = tomllib.loads((case / "expect.toml").read_text(encoding="utf-8"))
        cid = f"{case.parent.name}/{case.name}"
        if (case / "expected.txt").exists():
            yield pytest.param(case, "expected", None, id=f"{cid}:expected")
        for s in expect.get("must_contain", []):
            yield pytest.param(case, "contains", s, id=f"{cid}:contains:{s[:30]}")
        for s in expect.get("must_not_contain", []):
            yield pytest.param(case, "lacks", s, id=f"{cid}:lacks:{s[:30]}")
        for r in expect.get("dropped_by", []):
            yield pytest.param(case, "dropped_by", r, id=f"{cid}:dropped_by:{r}")
        for key, value in expect.get("metadata", {}).items():
            yield pytest.param(case, f"meta:{key}", value, id=f"{cid}:meta:{key}")


_cache: dict = {}


def result(case: Path):
    if case not in _cache:
        _cache[case] = load(case)
    return _cache[case]


@pytest.mark.parametrize("case,kind,value", list(checks()))
def test_fixture(case: Path, kind: str, value):
    expect, article, output = result(case)
    if kind == "expected":
        assert output == (case / "expected.txt").read_text(encoding="utf-8")
    elif kind == "contains":
        assert fold(value) in fold(output)
    elif kind == "lacks":
        assert fold(value) not in fold(output)
    elif kind == "dropped_by":
        assert value in {e["rule"] for e in article.removed}
    elif kind == "meta:paywall":
        assert article.paywall.detected is value
    else:
        field = kind.split(":", 1)[1]
        assert getattr(article, field) == value


def test_fixtures_exist():
    assert len(cases()) >= 12
