"""Paywall verdicts: declared signals, wall prompts and markup, and no alarm for free pages."""
from __future__ import annotations

import json

import pytest

import stripper

PARA = ("The council voted on Tuesday, after a long debate, to approve the new river bridge, "
        "ending a decade of delays, arguments and false starts. ")
FULL = "".join(f"<p>{PARA}{i}</p>" for i in range(8))


def page(head: str = "", header: str = "", article: str = FULL) -> str:
    return (f"<html><head><title>Bridge approved</title>{head}</head><body><header>{header}</header>"
            f"<article><h1>Bridge approved</h1>{article}</article></body></html>")


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def verdict(html: str):
    return stripper.strip(html).paywall


# -- free pages ------------------------------------------------------------------------------

def test_free_page_with_subscribe_links_in_header_is_not_flagged():
    header = ('<nav><a href="/subscribe">Subscribe</a> <a class="paywall-subscribe" href="/s">Subscribe now</a>'
              ' <a href="/login">Log in</a></nav>')
    p = verdict(page(header=header))
    assert p.detected is False
    assert p.signals == []


def test_empty_paywall_containers_are_not_evidence():
    article = FULL + '<aside class="PaywallModalWrapper paywall-modal"></aside><div class="paywall-bar"></div>'
    assert verdict(page(article=article)).detected is False


def test_subscribe_button_at_the_end_is_not_a_wall():
    assert verdict(page(article=FULL + "<p>Subscribe now</p>")).detected is False


def test_declared_free_is_not_flagged():
    assert verdict(page(ld({"@type": "NewsArticle", "isAccessibleForFree": True}))).detected is False


# -- declared --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [False, "False", "false", "http://schema.org/False"])
def test_jsonld_not_free(value):
    p = verdict(page(ld({"@type": "NewsArticle", "headline": "Bridge approved", "isAccessibleForFree": value})))
    assert p.detected is True
    assert "jsonld:isAccessibleForFree=false" in p.signals


def test_jsonld_not_free_in_broken_json():
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false,,}</script>'
    assert "jsonld:isAccessibleForFree=false" in verdict(page(broken)).signals


def test_haspart_names_the_locked_part_and_its_absence_means_truncated():
    declared = ld({"@type": "NewsArticle", "isAccessibleForFree": False,
                   "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".locked"}})
    teaser = verdict(page(declared, article=FULL))
    assert "jsonld:hasPart=.locked" in teaser.signals
    assert teaser.truncated is True
    full = verdict(page(declared, article=f'<div class="locked">{FULL}</div>'))
    assert full.detected is True
    assert full.truncated is False


@pytest.mark.parametrize("tier, detected", [("locked", True), ("metered", True), ("free", False)])
def test_content_tier(tier, detected):
    p = verdict(page(f'<meta property="article:content_tier" content="{tier}">'))
    assert p.detected is detected


def test_microdata_not_free():
    article = '<meta itemprop="isAccessibleForFree" content="false">' + FULL
    assert "microdata:isAccessibleForFree=false" in verdict(page(article=article)).signals


# -- what the page shows ----------------------------------------------------------------------

def test_wall_prompt_cuts_and_truncates():
    article = FULL[:400] + "<p>Subscribe to continue reading</p><p>Plans from $1 a week.</p>"
    p = verdict(page(article=article))
    assert p.detected is True
    assert p.truncated is True
    assert "rule:wall-prompt-en" in p.signals


@pytest.mark.parametrize("prompt, walled", [
    ("Um weiterzulesen, schließen Sie ein Abo ab.", True),
    ("Um diesen Artikel zu lesen, melden Sie sich an.", True),
    ("Zum Weiterlesen: Der Jahresbericht steht online.", False),  # "further reading", not a wall
])
def test_german_wall_prompts(prompt, walled):
    p = verdict(page(article=FULL[:400] + f"<p>{prompt}</p>" + FULL[400:]))
    assert p.detected is walled
    assert ("rule:wall-prompt-de" in p.signals) is walled


def test_paywall_markup_holding_a_prompt_is_a_wall():
    article = FULL + ('<div class="paywall"><h2>This post is for paid subscribers</h2>'
                      '<a href="/s">Subscribe</a> Already a paid subscriber? Sign in</div>')
    p = verdict(page(article=article))
    assert p.detected is True
    assert any(s.startswith("rule:") for s in p.signals)


def test_site_wall_marker_counts():
    html = open("fixtures/core/inkl-aggregator/source.html", "rb").read()
    p = stripper.strip(html, url="https://www.inkl.com/news/x").paywall
    assert p.detected is True
    assert "rule:inkl-wall" in p.signals


# -- the command line --------------------------------------------------------------------------

WALLED = page(ld({"@type": "NewsArticle", "isAccessibleForFree": False}))


def test_fail_on_paywall_exits_4_and_still_prints(strip_cli):
    result = strip_cli(WALLED, "--fail-on-paywall")
    assert result.exit_code == 4
    assert "paywalled" in result.stderr
    assert PARA.strip() in result.stdout


def test_paywalled_page_exits_0_without_the_flag(strip_cli):
    assert strip_cli(WALLED).exit_code == 0


def test_free_page_exits_0_with_the_flag(strip_cli):
    assert strip_cli(page(), "--fail-on-paywall").exit_code == 0
