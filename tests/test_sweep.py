"""The coarse lxml pass's shortcuts give the answers of the plain computations they replace."""
from __future__ import annotations

import random
import re

import pytest
from lxml import etree

from stripper import dom, locate, prune
from stripper.rules import Rule
from stripper.rules.ruleset import RuleSet
from stripper.rules.resolve import ruleset_for
from stripper.rules.selectors import SelectorIndex, parse_chain, select_lxml
from stripper.trace import Trace
from stripper.rules.wordsearch import WordSearch, literal_words
from stripper.trace import Trace

PARA = ("The council voted on Tuesday, after a long debate, to approve the new river bridge, "
        "ending a decade of delays, arguments and false starts.")


# -- WordSearch ------------------------------------------------------------------------------

def test_literal_words_expands_alternations_groups_and_character_sets():
    assert sorted(literal_words(re.compile(r"ab|c[de]|(?:x|y)z"))) == ["ab", "cd", "ce", "xz", "yz"]
    assert literal_words(re.compile(r"(?i)-ad-|banner")) == ["-ad-", "banner"]


@pytest.mark.parametrize("pattern", [r"^ad|x", r"\bad\b", r"ad\w+", r"a.b", r"[a-z]x", r"ad(?=x)"])
def test_literal_words_refuses_anything_but_words(pattern):
    assert literal_words(re.compile(pattern)) is None


@pytest.mark.parametrize("pattern", [
    r"(?i)-ad-|banner|breadcrumbs|share", r"(?i)and|article|post-text", r"Ab|cD", r"(?i)Ab|c[dD]",
    r"(?i)ſ|k", r"^hid |banner", r"(?i)straße|x", r"(?i)page|pager|pagination|ad|-ad-|share|sharebar",
])
def test_word_search_answers_like_the_regex(pattern):
    regex = re.compile(pattern)
    search = WordSearch(regex)
    rng = random.Random(7)
    alphabet = ["ad", "-", "AD", "Banner", "pag", "Pager", "ination", "share", "hid", " ", "ſ", "K", "k", "é", "STRASSE", "straße", "x", "Ab", "cd"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert search.search(text) == (regex.search(text) is not None), (pattern, text)


def test_word_search_takes_the_fast_route_only_for_ascii_words():
    assert WordSearch(re.compile(r"(?i)banner|menu")).words is not None
    assert WordSearch(re.compile(r"(?i)straße")).words is None  # ß has case rules of its own
    assert WordSearch(re.compile(r"^menu")).words is None


def test_negative_class_names_keep_their_meaning():
    el = etree.fromstring('<div class="hid"/>')
    assert locate.class_weight(el) == -25
    assert locate.class_weight(etree.fromstring('<div class="x hid y" id="Article"/>')) == 0  # -25, +25
    assert locate.class_weight(etree.fromstring('<div class="hidx"/>')) == 0
    assert locate.class_weight(etree.fromstring('<div class="SIDEBAR"/>')) == -25


def test_layout_utility_classes_are_not_furniture_names():
    weight = lambda cls: locate.class_weight(etree.fromstring(f'<div class="{cls}"/>'))
    assert weight("isolate overflow-x-scroll") == 0
    assert weight("grid overflow-hidden md:overflow-y-auto scroll-mt-4") == 0
    # The furniture words beside them still count, and so do words merely containing "scroll".
    assert weight("sidebar overflow-hidden") == -25
    assert weight("infinite-scroll") == -25
    assert weight("hidden") == -25


# -- selectors -------------------------------------------------------------------------------

def _index(*selectors: str) -> SelectorIndex:
    index = SelectorIndex()
    for sel in selectors:
        index.add(sel, sel)
    return index


def _matched(index: SelectorIndex, html: str) -> list[str]:
    el = etree.fromstring(html)
    return [payload for _, payload in index.match(el.tag, el.get, el.get("class"), el.keys())]


def test_tested_values_name_what_match_reads():
    index = _index("a[href='#main']", "[rel=tag]", "[data-ad]", "[id^=ad-]", "[title=x i]", ".promo")
    values = index.tested_values()
    assert values["href"] == {"#main"} and values["rel"] == {"tag"} and values["data-ad"] == frozenset()
    assert values["class"] is None and values["id"] is None and values["title"] is None


def test_attribute_buckets_still_match_after_the_substring_prefilter():
    index = _index("[class*=cookie-consent]", "[class^=ad-]", "[id^=div-gpt-ad]", "[id*=paywall]",
                   "[class|=promo]", "[class~=share]")
    assert _matched(index, '<div class="x cookie-consent-bar"/>') == ["[class*=cookie-consent]"]
    assert _matched(index, '<div class="ad-slot"/>') == ["[class^=ad-]"]
    assert _matched(index, '<div class="head-ad-"/>') == []  # "ad-" inside, but not at the start
    assert _matched(index, '<div id="div-gpt-ad-12"/>') == ["[id^=div-gpt-ad]"]
    assert _matched(index, '<div id="main-paywall"/>') == ["[id*=paywall]"]
    assert _matched(index, '<div class="promo-box"/>') == ["[class|=promo]"]
    assert _matched(index, '<div class="a share b"/>') == ["[class~=share]"]
    assert _matched(index, '<div class="sharebar" id="story"/>') == []


def test_can_match_is_false_only_where_match_finds_nothing():
    index = _index("a[href='#main']", "amp-ad", "#cookie-banner", ".promo", "div.share[data-x]", "[data-ad]",
                   "[class*=paywall]", "[id^=div-gpt-ad]", "section[class^=comment-]")
    pages = ['<a href="#main"/>', '<a/>', '<a href="/news"/>', "<amp-ad/>", '<div id="cookie-banner"/>',
             '<div id="story"/>', '<div class="x promo"/>', '<div class="promotion"/>',
             '<div class="share" data-x="1"/>', '<div class="share"/>', '<span data-ad=""/>',
             '<div class="top-paywall-bar"/>', '<div class="pay"/>', '<div id="div-gpt-ad-1"/>', '<p title="x"/>',
             "<p/>", '<section class="comment-list"/>', '<section class="commentary"/>']
    answers = []
    for markup in pages:
        el = etree.fromstring(markup)
        found = list(index.match(el.tag, el.get, el.get("class"), el.keys()))
        possible = index.can_match(el.tag, el.get, el.get("class"), el.get("id"), el.keys())
        assert possible or not found, markup
        answers.append(possible)
    # Elements that no bucket's key fits, or that lack the values the selectors of their
    # tag's or attribute's bucket need ("#main", "div-gpt-ad", "comment-"), are told apart
    # without matching.
    assert answers == [True, False, False, True, True, False, True, False, True, True, True, True, False, True,
                       False, False, True, False]


def test_select_lxml_prefilter_keeps_exact_matching():
    root = etree.fromstring('<html><body><div class="article-body-wrap"><p>x</p></div>'
                            '<div class="article body"><p>y</p></div>'
                            '<section data-body-id="1"><p>z</p></section>'
                            '<article><div class="body">w</div></article></body></html>')

    def found(selector: str) -> list[str]:
        return ["".join(el.itertext()) for el in select_lxml(root, parse_chain(selector))]

    assert found(".article") == ["y"]  # a class name, not a substring of one
    assert found("[class*=body-wrap]") == ["x"]
    assert found("section[data-body-id]") == ["z"]
    assert found("article .body") == ["w"]
    assert found("div[class=\"it's\"]") == []


# -- the sweep -------------------------------------------------------------------------------

def test_sweep_never_judges_inside_a_condemned_element_and_goes_on_after_it():
    root = etree.fromstring('<html><body><div id="a"><p id="a1"/><p id="a2"/></div>'
                            '<div id="b"><div id="c"><p id="c1"/></div></div><p id="d"/></body></html>')
    rule = Rule("r", "test", "test", selectors=("x",))
    judged = []

    def verdict(el, note):
        assert note is None
        judged.append(el.get("id"))
        return (rule, None, "prune", None) if el.get("id") in ("a", "c") else None

    trace = Trace()
    prune.sweep(root, verdict, trace)
    assert judged == [None, None, "a", "b", "c", "d"]
    assert [el.get("id") for el in root.iter("div", "p")] == ["b", "d"]
    assert len(trace.events) == 2


def test_sweep_stops_when_the_last_element_is_condemned():
    root = etree.fromstring('<html><body><p id="a"/><div id="z"><p id="z1"/></div></body></html>')
    rule = Rule("r", "test", "test", selectors=("x",))
    judged = []

    def verdict(el, note):
        assert note is None
        judged.append(el.get("id"))
        return (rule, None, "prune", None) if el.get("id") == "z" else None

    prune.sweep(root, verdict, Trace())
    assert judged == [None, None, "a", "z"]
    assert root.find(".//div") is None


def _ruleset(*rules: Rule) -> RuleSet:
    return RuleSet.build(rules)


def test_looks_share_a_signature_only_when_no_rule_tells_them_apart():
    rules = _ruleset(Rule("skip", "skip link", "test", selectors=("a[href='#main']",)))
    looks = prune.Looks(rules, unlikely=True)
    a, b, c = etree.fromstring('<p><a href="/one">1</a><a href="/two">2</a><a href="#main">3</a></p>')
    notable = dict(looks.notable([a, b, c]))
    assert len(looks.known) == 2  # a and b share one signature, c has its own
    assert a not in notable and b not in notable  # their look is NOTHING
    assert [rule.id for _, rule in notable[c].matches] == ["skip"]


def test_looks_tell_hidden_from_visible_and_name_furniture():
    rules = _ruleset(Rule("furniture", "class names", "test", class_pattern="(?i)sidebar|menu",
                          unless_pattern="(?i)content"))
    looks = prune.Looks(rules, unlikely=True)
    hidden, shown, side, kept = etree.fromstring(
        '<body><div style="display: none">x</div><div style="color: red">y</div>'
        '<div class="SideBar">z</div><div class="sidebar-content">w</div></body>')
    notable = dict(looks.notable([hidden, shown, side, kept]))
    assert notable[hidden].hidden and shown not in notable  # (NOTHING is not notable)
    assert notable[side].furniture.id == "furniture"
    assert kept not in notable
    assert not dict(prune.Looks(rules, unlikely=False).notable([side]))


def test_drop_chrome_removes_what_rules_name_and_keeps_look_alikes():
    rules = _ruleset(Rule("skip", "skip link", "test", selectors=("a[href='#main']",)),
                     Rule("big", "small promos", "test", selectors=(".promo",), max_chars=40))
    root = dom.parse(f'<html><body><a href="#main">Skip</a><a href="/main">Main page</a>'
                     f'<div class="promo">Buy now</div><div class="promo"><p>{PARA}</p></div>'
                     f'<p>{PARA}</p><p>{PARA}</p><p>{PARA}</p></body></html>')
    trace = Trace()
    prune.drop_chrome(root, rules, trace, set())
    text = dom.text_of(root)
    assert "Skip" not in text and "Main page" in text
    assert "Buy now" not in text and text.count(PARA) == 4  # the big promo is too big for the rule
    assert [(e.rule_id, e.selector) for e in trace.events] == [("skip", "a[href='#main']"), ("big", ".promo")]


def test_text_chars_counts_like_text_size():
    el = etree.fromstring("<div> Hello <b> big </b>\n<i></i> world <p>  </p>again</div>")
    assert dom.text_chars(el) == dom.text_size(el)[0] == len("Hello big world again")
    assert dom.text_size(el, preview_chars=8)[1] == "Hello bi"
    assert dom.text_chars(etree.fromstring("<div> </div>")) == 0


def test_text_bound_is_never_below_the_count_and_zero_only_without_text():
    for markup in ("<div> Hello <b> big </b>\n<i></i> world <p>  </p>again</div>", "<div>ab<b>c</b>d</div>",
                   "<div><i></i></div>", "<div> </div>", "<div>\xa0x\xa0<br/>y</div>"):
        el = etree.fromstring(markup)
        assert dom.text_chars_at_most(el) >= dom.text_chars(el)
        assert (dom.text_chars_at_most(el) == 0) <= (dom.text_chars(el) == 0)
    assert dom.text_chars_at_most(etree.fromstring("<div><i></i></div>")) == 0


def test_page_text_answers_like_the_whole_count():
    root = etree.fromstring("<body><p> one </p><p>two three</p><div> </div><p>four</p></body>")
    whole = dom.text_chars(root)  # "one two three four"
    for chars in range(0, whole + 3):
        for share in (0.1, 0.4, 1.0):
            assert prune.PageText(root).holds_more_than(chars, share) == (chars > whole * share), (chars, share)
    text = prune.PageText(root)
    assert not text.holds_more_than(2, 0.4) and not text.finished  # small: decided after the first piece
    assert text.holds_more_than(whole, 0.4) and text.size() == whole


def test_empty_hidden_element_and_paragraphless_hit_leave_page_totals_uncounted():
    root = dom.parse(f"<html><body><p>{PARA}</p><div hidden></div><div class=share>Share</div>"
                     f"<div class=aside><p>{PARA}</p></div></body></html>")
    page: dict = {}
    assert not prune.holds_article(root.find(".//div"), root, "text", page)
    assert not prune.holds_article(root.find(".//div[@class='share']"), root, "prose", page)
    assert not prune.holds_article(root.find(".//div[@class='share']"), root, "text", page)
    # The page's text was never counted, and its paragraphs only up to the first long one.
    assert "text" not in page and root not in page.get("paragraphs", {})
    assert prune._page_paragraphs(root, page).every == len(PARA) and not prune._page_paragraphs(root, page).finished
    assert prune.holds_article(root.find(".//div[@class='aside']"), root, "text", page)  # half the text
    assert "text" in page and prune._page_paragraphs(root, page).finished


def test_page_paragraphs_answer_like_the_whole_count():
    root = dom.parse(f"<html><body><p>{PARA}</p><p>Short one.</p><div><p>{PARA} {PARA}</p></div>"
                     f"<p>Another short.</p></body></html>")
    every, long = prune._paragraph_chars(root, {})
    assert long == 3 * len(PARA) + 1 and every == long + len("Short one.") + len("Another short.")
    for chars in range(0, long + 3, 7):
        assert prune.PageParagraphs(root).long_at_most(chars) == (long <= chars), chars
    for prose in range(0, every + 50, 11):
        for share in (0.3, 0.6, 1.0):
            assert prune.PageParagraphs(root).prose_below(prose, share) == (every > 0 and prose > every * share)
    assert prune.PageParagraphs(root).any_long()
    assert not prune.PageParagraphs(dom.parse("<html><body><p>Short.</p></body></html>")).any_long()
    counted = prune.PageParagraphs(root)
    assert not counted.long_at_most(10) and not counted.finished  # decided by the first paragraph


def test_paragraphless_element_holds_the_article_of_a_page_without_long_paragraphs():
    root = dom.parse("<html><body><div class=menu><a>Home</a> <a>News</a></div><p>Short.</p></body></html>")
    page: dict = {}
    assert prune.holds_article(root.find(".//div"), root, "text", page)


@pytest.mark.parametrize("tag, spared", [("footer", False), ("aside", False), ("div", True)])
def test_a_landmark_beside_main_is_never_the_article_container(tag, spared):
    """A page's <main> with a long paragraph says where the content is: a footer or sidebar
    holding more prose is not spared as the article; any other element still is."""
    root = dom.parse(f"<html><body><main><p>{PARA}</p></main>"
                     f"<{tag} class=site-footer><p>{PARA}</p><p>{PARA}</p><p>{PARA}</p></{tag}></body></html>")
    el = root.find(f".//{tag}[@class]")
    assert prune.holds_article(el, root, "text", {}) is spared
    assert prune.holds_article(el, root, "prose", {}) is spared


def test_teaser_cards_holding_most_of_the_text_are_not_the_article():
    # A "related" list of many short teasers outweighs the article's text, but holds no long
    # paragraph: it goes. A furniture-named wrapper of the article's long paragraphs stays.
    cards = "".join(f"<div class='card'><a href='/s/{i}'><h3>Story {i}</h3></a><p>Teaser {i} in a few words.</p></div>"
                    for i in range(60))
    article = f"<article><p>{PARA}</p><p>{PARA}</p></article>"
    root = dom.parse(f"<html><body>{article}<section class='related'>{cards}</section></body></html>")
    rules = ruleset_for((), None, (), (), (), True)
    prune.drop_chrome(root, rules, Trace(), set())
    assert root.find(".//section") is None
    assert PARA in "".join(root.itertext())
    wrapped = f"<div class='layout-sidebar-right'><p>{PARA}</p><p>{PARA}</p></div>"
    root = dom.parse(f"<html><body>{wrapped}<p>Short line.</p></body></html>")
    prune.drop_chrome(root, rules, Trace(), set())
    assert "".join(root.itertext()).count(PARA) == 2


def test_huge_page_loses_decorative_images_but_no_words():
    cards = "".join(f"<div><img src='/{i}.jpg' alt=''><img src='/{i}b.jpg' alt='Chart {i}'>Card {i}</div>"
                    for i in range(30))
    root = dom.parse(f"<html><body>{cards}</body></html>")
    root = prune.simplify_huge(root, 50, Trace())
    assert [img.get("alt") for img in root.iter("img")] == [f"Chart {i}" for i in range(30)]
    assert "Card 29" in "".join(root.itertext())


def test_noscript_prose_is_kept_only_when_it_is_most_of_the_page():
    """A page whose text is only inside <noscript> keeps it; a <noscript> copy beside the
    page's own text (a fallback) still goes, so nothing is printed twice."""
    only = dom.parse(f"<html><body><div id=app></div><noscript><p>{PARA}</p><p>{PARA}</p></noscript></body></html>")
    trace = Trace()
    prune.drop_non_content(only, trace)
    assert dom.text_of(only).count(PARA) == 2
    assert "safety-valve" in [e.rule_id for e in trace.events]
    beside = dom.parse(f"<html><body><article><p>{PARA}</p><p>{PARA}</p></article>"
                       f"<noscript><p>{PARA}</p></noscript></body></html>")
    prune.drop_non_content(beside, Trace())
    assert dom.text_of(beside).count(PARA) == 2


def test_attribute_selector_hits_come_in_the_same_order_in_every_process():
    # The attribute names were read from a set, whose order changes with the hash seed: which
    # selector the trace named for a dialog varied from run to run.
    index = SelectorIndex()
    for sel in ("[role=dialog]", "[aria-modal=true]", "[data-x]"):
        index.add(sel, sel)
    attrs = {"role": "dialog", "aria-modal": "true", "data-x": "1"}
    hits = [payload for _, payload in index.match("div", attrs.get, None, attrs)]
    assert hits == ["[aria-modal=true]", "[data-x]", "[role=dialog]"]
