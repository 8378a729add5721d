"""Fingerprint tests: the cheap necessary tests never lose a site, and the exact pass keeps document order."""
from __future__ import annotations

import pytest
from lxml import etree

from stripper import dom
from stripper.rules import builtin_packs
from stripper.rules.fingerprints import (FINGERPRINT_TEXT_CHARS, markup_sites, probes, scan, sites_in_text,
                                         visible_text, xpath_of)
from stripper.rules.ruleset import fold, fold_words
from stripper.rules.selectors import parse_simple

PROSE = "<p>The council voted on Tuesday to approve the new river bridge.</p>"


def ids(sites) -> list[str]:
    return [s.id for s in sites]


def element_matching(selector: str) -> tuple[str, str, str]:
    """(tag, attributes, content) of an element that `selector` (a simple one) matches."""
    simple = parse_simple(selector)
    attrs = {}
    if simple.id:
        attrs["id"] = simple.id
    if simple.classes:
        attrs["class"] = "x " + " ".join(simple.classes) + " y"
    for name, op, value, _ in simple.attrs:
        attrs[name] = {None: "", "=": value, "*=": f"a{value}b", "^=": f"{value}b", "$=": f"a{value}",
                       "~=": f"a {value}", "|=": f"{value}-b"}[op]
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return simple.tag or "div", text, "x"


def page_with(selector: str) -> str:
    tag, attrs, content = element_matching(selector)
    if tag == "html":
        return f"<html {attrs}><head><title>t</title></head><body>{PROSE}</body></html>"
    return f"<html><head><title>t</title></head><body>{PROSE}<{tag} {attrs}>{content}</{tag}></body></html>"


FINGERPRINTS = [(site.id, sel) for site in builtin_packs().sites for sel in site.fingerprints]


@pytest.mark.parametrize("site_id,selector", FINGERPRINTS, ids=[f"{s}:{sel}" for s, sel in FINGERPRINTS])
def test_every_builtin_fingerprint_is_found(site_id, selector):
    assert site_id in ids(markup_sites(dom.parse(page_with(selector))))


def test_page_without_fingerprints_has_no_site():
    assert markup_sites(dom.parse(f"<html><head><title>t</title></head><body>{PROSE}</body></html>")) == []


def test_words_of_a_fingerprint_spread_over_elements_are_not_a_match():
    # Every word of meta[property='og:site_name'][content='Bloomberg'] is on the page, on other metas.
    head = '<meta property="og:title" content="Bloomberg"><meta property="og:site_name" content="Other">'
    assert markup_sites(dom.parse(f"<html><head>{head}</head><body>{PROSE}</body></html>")) == []
    # A class fingerprint's word in another attribute, and its id as a class.
    body = '<div title="caas-body">x</div><div class="gh-head">y</div>'
    assert markup_sites(dom.parse(f"<html><body>{body}{PROSE}</body></html>")) == []


def test_substring_fingerprint_needs_its_substring_on_its_tag():
    on_a_link = '<a href="https://images.inkl.com/x.jpg">x</a>'
    assert markup_sites(dom.parse(f"<html><body>{on_a_link}</body></html>")) == []
    on_an_img = '<img src="https://images.inkl.com/x.jpg">'
    assert ids(markup_sites(dom.parse(f"<html><body>{on_an_img}</body></html>"))) == ["inkl"]


def test_sites_come_in_the_order_of_their_first_element():
    amp, newsbreak = "<amp-img src='a.jpg'></amp-img>", '<div class="nb-body">x</div>'
    assert ids(markup_sites(dom.parse(f"<html><body>{amp}{newsbreak}</body></html>"))) == ["google-amp", "newsbreak"]
    assert ids(markup_sites(dom.parse(f"<html><body>{newsbreak}{amp}</body></html>"))) == ["newsbreak", "google-amp"]


def test_markup_after_the_html_end_tag_is_looked_at():
    # libxml2 makes a second <html> of what follows </html>: beside the root, not under it.
    html = '<html><body>d</body></html><meta property="og:site_name" content="The Washington Post"><amp-img>'
    root = dom.parse(html)
    assert list(root.itersiblings())  # the case this test is about
    assert ids(markup_sites(root)) == ["washingtonpost", "google-amp"]


@pytest.mark.parametrize("selector", [
    "div.a.b", "#main", "a[href$='.pdf']", "[data-x~=two]", "[lang|=en]", "[data-x=ONE i]", "p[title*=\"it's\"]",
    "[data-q='say \"hi\"']", "span[data-n]", "*",
])
def test_xpath_of_picks_every_element_the_selector_matches(selector):
    html = """<html><body><div class="a b" id="main"><a href="/f.pdf">f</a><a href="/f.pdfx">g</a></div>
        <p data-x="one two" lang="en-GB" title="it's">x</p><span data-n="">y</span><i data-q='say "hi"'>z</i>
        <b data-x="One">w</b></body></html>"""
    root = dom.parse(html)
    simple = parse_simple(selector)
    matched = [el for el in root.iter() if simple.matches(el.tag, el.get, set((el.get("class") or "").split()))]
    picked = etree.XPath(xpath_of(simple))(root)
    assert matched and set(matched) <= set(picked)


def test_every_builtin_probe_has_an_xpath():
    for simple, _ in probes():
        etree.XPath(xpath_of(simple))  # compiles


def test_fold_words_are_the_words_of_fold():
    text = "Get ALL your\u00a0news — in “one” place:\tStraße ﬁnal ‘100’s’ « titles »\u2009\u202fK\n"
    assert fold_words(text) == ["get", "all", "your", "news", "—", "in", '"one"', "place:", "strasse", "final",
                                "'100's'", '"', "titles", '"', "k"]
    assert " ".join(fold_words(text)) == fold(text)


def test_visible_text_skips_scripts_and_styles_but_keeps_their_tails():
    root = dom.parse("<html><head><title>Head</title></head><body><p>One <b>two</b> three</p>"
                     "<script>var x;</script>after<style>p{}</style>"
                     "<noscript>nojs<i>i</i>tail</noscript></body></html>")
    assert visible_text(root).split() == ["One", "two", "three", "after", "i", "tail"]


@pytest.mark.parametrize("page", [
    '<html lang="en"><head><meta property="og:site_name" content="Daily"><script src="a.js"></script></head>'
    '<body class="single post"><div id="main" data-x="1"><p title="t">x</p></div><script src="b.js"></script>'
    '</body></html><p class="after">tail</p>',
    '<div class="no-body" id="d"><span role="note">x</span></div>',
])
def test_scan_reads_every_attribute_value_of_the_page(page):
    # Markup probes test words of every attribute value: in the head, the body, and whatever
    # the parser leaves outside them.
    root = dom.parse(page)
    assert sorted(scan(root).values) == sorted(root.xpath("//@*"))
    assert scan(root).text == visible_text(root)


def test_visible_text_reads_each_text_then_its_tail():
    # Tails come right after their element's own text, before its children: phrases are
    # matched against this text, and its order must not change.
    root = dom.parse("<html><body><div>a<p>b<b>c</b>d</p>e</div></body></html>")
    assert visible_text(root).split() == ["a", "b", "e", "c", "d"]


def test_sites_in_text_folds_case_quotes_and_spacing():
    assert ids(sites_in_text("intro  GET all\n your news IN ONE place. more")) == ["inkl"]
    assert ids(sites_in_text("See 100’s of premium titles")) == ["inkl"]
    assert ids(sites_in_text("Flipped\tinto a magazine")) == ["flipboard"]  # two words: no inner word
    assert sites_in_text("get all your new in one place") == []
    assert sites_in_text("") == []


def test_sites_in_text_phrase_may_begin_and_end_inside_words():
    assert ids(sites_in_text("xGet all your news in one placesy")) == ["inkl"]


def test_sites_in_text_looks_at_the_start_and_end_only():
    filler = "lorem ipsum " * (FINGERPRINT_TEXT_CHARS // 6)
    assert ids(sites_in_text(filler + "Get the NewsBreak app" + filler)) == []
    assert ids(sites_in_text(filler + filler + "Get the NewsBreak app")) == ["newsbreak"]
    assert ids(sites_in_text("Get the NewsBreak app" + filler + filler)) == ["newsbreak"]


def test_content_selectors_the_page_lacks_the_words_of_are_not_looked_for(monkeypatch):
    from stripper import pipeline
    from stripper.options import Options
    from stripper.rules.fingerprints import selector_words
    from stripper.rules.resolve import find_profiles

    assert selector_words("article .entry") == {"entry"}
    assert selector_words("[data-event-module='article body']") == {"article", "body"}
    assert selector_words("[class*=ArticleBody_root]") == frozenset()  # (a part of a value is no word)
    body = "".join(PROSE for _ in range(12))
    head = '<head><meta name="generator" content="WordPress 6.5"></head>'
    looked_for = []
    real = pipeline.select_lxml
    monkeypatch.setattr(pipeline, "select_lxml", lambda root, chain: looked_for.append(chain) or real(root, chain))
    for content, tried in [(f'<div class="post-content">{body}</div>', 1),  # only .post-content's words are there
                           (f'<article><div class="entry">{body}</div></article>', 1),
                           (f"<main>{body}</main>", 0)]:
        root = dom.parse(f"<html>{head}<body>{content}</body></html>")
        host, sites, words = find_profiles(root, "https://blog.example.org/a")
        assert ids(sites) == ["wordpress-jetpack"] and words is not None
        looked_for.clear()
        found = pipeline.content_region(root, sites, Options(), words)
        assert len(looked_for) == tried and (found is not None) == bool(tried)
        assert found == pipeline.content_region(root, sites, Options())  # the same as looking for them all
