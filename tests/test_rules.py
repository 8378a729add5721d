"""Rule packs: loading and validation, phrase semantics, walls, safety valves, user rules, site resolution."""
from __future__ import annotations

from pathlib import Path

import pytest

import stripper
from stripper.errors import RulesError
from stripper.options import Options
from stripper.rules import PACKS_DIR, Rule, builtin_packs, host_matches, parse_pack
from stripper.rules.filters import load_rules_file, parse_filters
from stripper.rules.resolve import find_sites
from stripper.rules.ruleset import RuleSet, first_pairs
from stripper.rules.selectors import parse_chain
from stripper import dom

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"

PARAS = [
    "The council voted on Tuesday to approve the new river bridge, ending a decade of delays and arguments.",
    "Construction will begin in the spring, officials said, and the bridge should open within three years.",
    "Residents who live near the crossing have asked for a footpath, and the design now includes one.",
    "The cost, estimated at forty million pounds, will be shared between the city and the regional government.",
]


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Bridge approved</title>{head}</head><body><article>{body}</article></body></html>"


def prose(extra: str = "", where: int = 2) -> str:
    ps = [f"<p>{p}</p>" for p in PARAS]
    ps.insert(where, extra)
    return "".join(ps)


# -- the built-in packs ---------------------------------------------------------------------------

def test_every_builtin_pack_and_profile_loads():
    packs = builtin_packs()
    assert {"generic", "paywalls"} <= {name for name, _ in packs.names}
    assert len(packs.sites) >= 30


@pytest.mark.parametrize("path", sorted(PACKS_DIR.glob("**/*.toml")), ids=lambda p: p.stem)
def test_every_builtin_selector_and_regex_compiles(path):
    # Built-in packs load without compiling (start-up time): this is their full check.
    parse_pack(path.read_text(encoding="utf-8"), str(path), path.stem, compile_check=True)


def test_compile_check_names_a_broken_selector_or_regex():
    broken = '[[rule]]\nid = "x"\nreason = "r"\nselectors = ["div[["]\n'
    with pytest.raises(RulesError, match="rule 'x'"):
        parse_pack(broken, "mine.toml", "mine")
    assert parse_pack(broken, "mine.toml", "mine", compile_check=False)[0][0].selectors == ("div[[",)
    bad_regex = '[[rule]]\nid = "y"\nreason = "r"\npatterns = ["(unclosed"]\n'
    with pytest.raises(RulesError, match="bad regex"):
        parse_pack(bad_regex, "mine.toml", "mine")


def test_profiles_cover_the_aggregators_and_publishers():
    ids = {s.id for s in builtin_packs().sites}
    want = {"inkl", "msn", "yahoo", "flipboard", "pressreader", "newsbreak", "google-amp", "medium", "substack",
            "ghost", "wordpress-jetpack", "nytimes", "wsj", "ft", "bloomberg", "washingtonpost", "economist",
            "theatlantic", "newyorker", "telegraph", "thetimes", "businessinsider", "lemonde", "spiegel", "zeit",
            "faz", "elpais", "corriere", "folha", "nrc"}
    assert want <= ids
    assert sum(s.kind == "publisher" for s in builtin_packs().sites) >= 15


@pytest.mark.parametrize("site", builtin_packs().sites, ids=lambda s: s.id)
def test_profile_is_complete(site):
    assert site.domains and site.rules and site.fingerprints
    assert all(parse_chain(sel) for sel in site.content)


@pytest.mark.parametrize("site", builtin_packs().sites, ids=lambda s: s.id)
def test_profile_has_a_fixture_page(site):
    assert (FIXTURES / site.id / "expect.toml").exists()


def test_paywall_rules_exist_in_seven_languages():
    ids = {r.id for r in builtin_packs().generic}
    assert {f"wall-prompt-{lang}" for lang in ("en", "de", "fr", "es", "it", "pt", "nl")} <= ids


# -- validation: a broken file names file and line -----------------------------------------------

@pytest.mark.parametrize("source,line,message", [
    ('[[rule]]\nid = "a"\nreason = "r"\nselectors = ["[bad"]\n', 4, "invalid CSS selector"),
    ('[[rule]]\nid = "a"\nreason = "r"\nselector = [".x"]\n', 2, "unknown key"),
    ('[[rule]]\nid = "a"\nreason = "r"\nselectors = [".x"]\n[[rule]]\nid = "a"\nreason = "r"\nselectors = [".y"]\n', 5,
     "duplicate rule id"),
    ('[[rule]]\nid = "a"\nselectors = [".x"]\n', 2, "needs a reason"),
    ('[site]\nid = "s"\nkind = "blog"\n', 3, "kind must be"),
    ('[site]\nid = "s"\ncontent = ["div > p"]\n', 3, "simple compounds"),
    ('[[rule]]\nid = "a"\nreason = "r"\npatterns = ["(unclosed"]\n', 2, "bad regex"),
    ('[rules]\nid = "a"\n', 1, "unknown table"),
])
def test_broken_pack_names_file_and_line(source, line, message):
    with pytest.raises(RulesError) as err:
        parse_pack(source, "mine.toml", "mine")
    assert f"mine.toml:{line}:" in str(err.value)
    assert message in str(err.value)


def test_toml_syntax_error_names_the_file_and_line():
    with pytest.raises(RulesError) as err:
        parse_pack('[[rule]]\nid = "a\n', "mine.toml", "mine")
    assert "mine.toml" in str(err.value) and "line 2" in str(err.value)


# -- phrase rules: blocks of chrome go, sentences that mention chrome stay -----------------------

RULES = RuleSet.build(builtin_packs().generic)


@pytest.mark.parametrize("text", [
    "Sign up for our newsletter",
    "SIGN UP FOR OUR NEWSLETTER!",
    "Share this article: Facebook Twitter Email",
    "Advertisement - Scroll to continue",
    "Already a member? Sign in here.",
    "You’ve reached your free article limit.",
    "Subscribe to The Daily Bugle to keep reading this post and get 7 days of free access to the full post archives.",
    "Keep reading with a 14-day free trial",
    "Read more: Council approves bridge after decade of delays",
    "Il vous reste 62.5% de cet article à lire. La suite est réservée aux abonnés.",
    "Loading paragraph...",
    "Was this content helpful? Yes No",
    "Want more from The Daily Bugle? Sign up for our newsletter and shop smarter.",
    "Copyright © 2023 Daily Bugle. All rights reserved.",
    'Embed < iframe src="https://example.org/player/embed/12/34" width="100%" height="290">',
    "1 of 24",
    "Buy Photo",
    "View Photos",
])
def test_chrome_blocks_are_recognised(text):
    from stripper.clean import is_chrome

    m = RULES.match_phrases(text)
    assert m is not None and is_chrome(m, Options()), text


@pytest.mark.parametrize("text", [
    "Subscribers to the newsletter rose to 2 million in the twelve months to June.",
    "“Subscribe,” she said, and walked away.",
    "Share prices fell sharply on Monday.",
    "Readers who sign up with an email address can read ten articles a month.",
    "Read more about it.",
    "The company said readers are asked to download the app rather than pay straight away.",
    "Loading the ferry took most of the morning...",
    "Was this content helpful to the jury? The judge thought not.",
    "Caption contests drew 1 of 24 entries from abroad.",
])
def test_sentences_mentioning_chrome_are_not_chrome(text):
    from stripper.clean import is_chrome

    m = RULES.match_phrases(text)
    assert m is None or not is_chrome(m, Options()), text


def test_article_about_subscriptions_keeps_its_sentences():
    body = prose("<p>Subscribers to the newsletter rose to 2 million, and sign-ups doubled after the app launched.</p>"
                 "<p>Sign up for our newsletter</p>")
    text = stripper.strip(page(body)).text
    assert "Subscribers to the newsletter rose to 2 million" in text
    assert "Sign up for our newsletter" not in text


def test_wall_prompt_cuts_the_rest():
    body = prose("<p>Subscribe to continue reading</p><p>Locked teaser text that should never be shown.</p>", where=4)
    article = stripper.strip(page(body))
    assert "Locked teaser text" not in article.text
    assert PARAS[3] in article.text
    assert article.paywall.detected and article.paywall.truncated


def test_wall_phrase_inside_a_sentence_does_not_cut():
    body = prose("<p>Read the full story of how the crossing was designed, and why it took so long to agree.</p>")
    text = stripper.strip(page(body)).text
    assert "Read the full story of how the crossing" in text
    assert PARAS[3] in text


def test_cut_that_would_remove_the_article_is_reverted():
    body = "<p>Subscribe now</p>" + prose()
    article = stripper.strip(page(body))
    assert PARAS[0] in article.text
    assert any(e["rule"] == "safety-valve" and e["action"] == "revert" for e in article.removed)


def test_paywall_class_on_the_article_wrapper_does_not_remove_it():
    html = page(f'<div class="article-paywall-content">{prose()}</div><div class="paywall">Subscribe today</div>')
    article = stripper.strip(html)
    assert PARAS[0] in article.text and PARAS[3] in article.text
    assert "Subscribe today" not in article.text


def test_prune_valve_keeps_an_article_a_rule_would_swallow():
    html = page(f'<div class="promo-story">{prose()}</div>')
    article = stripper.strip(html, drop=(".promo-story",))
    assert PARAS[0] in article.text
    assert any(e["rule"] == "safety-valve" for e in article.removed)


# -- users' rules -------------------------------------------------------------------------------

def test_filter_list_lines_become_scoped_rules(tmp_path):
    rules, notes = parse_filters("! comment\nexample.com,other.org##.promo\n##.everywhere\n~skip.example.com##.x\n"
                                 "example.com#@#.kept\n||ads.example.com^\n", "my.txt")
    assert [r.domains for r in rules] == [("example.com", "other.org"), (), ("~skip.example.com",)]
    assert rules[0].origin == "my.txt:2"
    assert len(notes) == 2 and "my.txt:5" in notes[0]


def test_filter_domain_matching():
    rule = Rule(id="x", reason="r", origin="t", selectors=(".a",), domains=("example.com", "~shop.example.com"))
    assert rule.applies_to(["news.example.com"])
    assert not rule.applies_to(["shop.example.com"])
    assert not rule.applies_to(["example.org"])
    assert host_matches("www.example.co.uk", "example.*")


def test_broken_filter_line_names_file_and_line(tmp_path):
    f = tmp_path / "list.txt"
    f.write_text("example.com##.ok\nexample.com##[broken\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules_file(str(f))
    assert f"{f}:2:" in str(err.value)


SCOPED = page(prose('<div class="promo-box">Buy our mugs today, from the shop that funds this paper.</div>'),
              head='<link rel="canonical" href="https://news.example.com/a">')


def test_filter_applies_on_its_site_by_canonical_link(tmp_path):
    f = tmp_path / "list.txt"
    f.write_text("example.com##.promo-box\n", encoding="utf-8")
    assert "Buy our mugs" in stripper.strip(SCOPED, use_builtin_rules=False).text
    text = stripper.strip(SCOPED, rule_files=(str(f),), use_builtin_rules=False).text
    assert "Buy our mugs" not in text and PARAS[0] in text


def test_filter_for_another_site_does_not_apply(tmp_path):
    f = tmp_path / "list.txt"
    f.write_text("example.org##.promo-box\n", encoding="utf-8")
    text = stripper.strip(SCOPED, rule_files=(str(f),), use_builtin_rules=False).text
    assert "Buy our mugs" in text


def test_url_overrides_canonical_for_scoping(tmp_path):
    f = tmp_path / "list.txt"
    f.write_text("other.org##.promo-box\n", encoding="utf-8")
    text = stripper.strip(SCOPED, url="https://other.org/x", rule_files=(str(f),), use_builtin_rules=False).text
    assert "Buy our mugs" not in text


def test_user_toml_rules_and_explain_name_them(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[[rule]]\nid = "mugs"\nreason = "shop promo"\nphrases = ["Buy our mugs today"]\n', encoding="utf-8")
    article = stripper.strip(page(prose("<p>Buy our mugs today</p>")), rule_files=(str(f),))
    assert "Buy our mugs" not in article.text
    assert any(e["rule"] == "mugs" and e["reason"] == "shop promo" for e in article.removed)


def test_keep_protects_what_a_rule_would_drop():
    html = page(prose('<div class="newsletter"><p>Our weekly letter has the best of the week.</p></div>'))
    assert "Our weekly letter" not in stripper.strip(html).text
    assert "Our weekly letter" in stripper.strip(html, keep=(".newsletter",)).text


# -- which profile a page gets ------------------------------------------------------------------

def sites_of(html: str, url: str | None = None) -> tuple[str | None, list[str]]:
    host, sites = find_sites(dom.parse(html), url)
    return host, [s.id for s in sites]


def test_profile_from_url_and_parent_domain():
    assert sites_of(page("<p>x</p>"), "https://edition.nytimes.com/2025/x.html")[1] == ["nytimes"]


def test_profile_from_canonical_and_og_url():
    head = '<meta property="og:url" content="https://www.ft.com/content/abc">'
    assert sites_of(page("<p>x</p>", head=head)) == ("www.ft.com", ["ft"])


def test_profile_from_markup_fingerprint():
    assert sites_of(page('<div class="caas-body"><p>x</p></div>'))[1] == ["yahoo"]


def test_inkl_page_without_address_is_recognised_by_its_text():
    html = page("<div><h4>Get all your news in one place.</h4><p>100’s of premium titles.</p></div>" + prose())
    assert sites_of(html)[1][0] == "inkl"
    assert stripper.strip(html).aggregator == "inkl"


def test_aggregator_fingerprint_wins_over_publisher_canonical():
    head = '<link rel="canonical" href="https://www.nytimes.com/2025/01/01/x.html">'
    html = page('<div class="nb-body">' + prose() + "</div>", head=head)
    assert sites_of(html)[1] == ["newsbreak", "nytimes"]


def test_wall_marker_followed_by_an_article_of_prose_is_not_a_cut():
    more = [f"<p>{p} It was the {n}th time the plan had been debated in public, and residents said so.</p>"
            for n, p in enumerate(PARAS * 2, 4)]
    body = prose("<p>Subscribe to continue reading</p>" + "".join(more), where=1)
    article = stripper.strip(page(body))
    assert "Subscribe to continue reading" not in article.text
    assert "the 11th time" in article.text
    assert any(e["rule"] == "safety-valve" and e["stage"] == "wall" for e in article.removed)


def test_label_led_box_goes_whole():
    html = page(prose('<div class="x1"><div class="y2">Sponsored</div><div class="z3">Cloud bills too high? Try us.</div></div>'))
    text = stripper.strip(html).text
    assert "Cloud bills too high" not in text and PARAS[2] in text


def test_fold_maps_quotes_and_spaces_as_translate_did():
    from stripper.rules.ruleset import QUOTES, fold

    text = "Don’t  “Miss” it «now» `ok´ ‘a’ „b“ ‚c’ x y z STRASSE Straße"
    assert fold(text) == " ".join(text.translate(QUOTES).casefold().split())
    assert fold(text) == "don't \"miss\" it \"now\" 'ok' 'a' \"b\" 'c' x y z strasse strasse"


def test_needles_say_which_blocks_a_pattern_cannot_match():
    from stripper.rules.ruleset import needles_of

    needles = needles_of([r"\bwe use cookies\b.{0,30}", r"\bby (using|visiting) this site,? you (agree|consent)"])
    assert needles.needles == ((("we use cookies",),),
                               ((" this site",), ("using", "visiting"), (" you ",), ("agree", "consent"), ("by ",)))
    assert needles.first == (" this site", "we use cookies")
    assert needles.allow("hello, we use cookies to track you")
    assert needles.allow("by visiting this site you consent")
    assert not needles.allow("by using this site you will see why")  # neither agree nor consent
    assert not needles.allow("the council voted on tuesday")
    # re.I lets an i in a pattern match a dotless ı: such text is always tried.
    assert needles.allow("by usıng thıs sıte you agree")
    # A pattern without fixed text, or with only non-ASCII fixed text, is always tried.
    assert needles_of([r"\bwe use cookies", r"^\w+ \d+$"]) is None
    assert needles_of([r"\bstraße gesperrt"]) is None


def test_needles_first_pieces_skip_those_containing_another():
    from stripper.rules.ruleset import needles_of

    needles = needles_of([r"\bsite uses cookies\b", r"\bcookies? (help|allow)", r"\b(continuing|using) to browse"])
    # A block with "site uses cookies" has "cookie": the longer need not be looked for.
    assert needles.first == (" to browse", "cookie")
    assert not needles.allow("the site uses a cookie jar")  # "cookie", but no "help" nor "allow"
    assert needles.allow("the cookie helps us")



def test_needles_gates_rule_out_needles_in_a_page_text_as_allow_would():
    from stripper.rules.ruleset import needles_of

    needles = needles_of([r"\bsite uses cookies\b", r"\bcookies? (help|allow)", r"\b(continuing|using) to browse"])
    # "cookie" missing rules out both cookie needles at once; the browse needle has its own gate.
    assert needles.gates == (("cookie", frozenset({0, 1})), (" to browse", frozenset({2})))
    for text in ["the site uses a cookie jar", "the cookie helps us", "by using to browse the site",
                 "the council voted on tuesday", "by usıng thıs sıte you agree"]:
        assert needles.in_text(text, "ı" in text) == needles.allow(text), text
    assert needles.in_text("the cookie helps us", False)
    assert not needles.in_text("the site uses a cookie jar", False)
    assert not needles.in_text("continuing our coverage", False)

def test_match_part_without_weak_leaves_out_prose_that_short_phrases_touch():
    from stripper.clean import is_chrome

    rules = RuleSet.build([Rule(id="buttons", reason="test", origin="test", phrases=("like", "share")),
                           Rule(id="prompt", reason="test", origin="test", phrases=("sign up for our newsletter",))])
    prose = "it looks like the council will vote on the bridge"
    m, _ = rules.match_part(prose)
    assert m is not None and m.rule.id == "buttons" and not is_chrome(m, Options())
    assert rules.match_part(prose, weak=False)[0] is None
    # Blocks short phrases make up, and strong phrases, still match.
    for block, rid in [("like share", "buttons"), ("like 12 share", "buttons"),
                       ("sign up for our newsletter today", "prompt")]:
        m, _ = rules.match_part(block, weak=False)
        assert m is not None and m.rule.id == rid and is_chrome(m, Options()), block


def test_a_pattern_is_not_run_on_blocks_without_its_needle_but_still_matches_with_it():
    rules = RuleSet.build([Rule(id="consent", reason="test", origin="test", patterns=(r"\bwe use cookies\b.{0,100}",))])
    assert rules.pattern_rules[0][2].needles == ((("we use cookies",),),)
    m = rules.match_phrases("Hello. We use cookies to improve your experience.")
    assert m is not None and m.rule.id == "consent" and m.covered > 0.8
    assert rules.match_phrases("The council voted to approve the bridge.") is None


def test_rules_within_a_page_leave_out_patterns_whose_needles_it_lacks():
    rules = RuleSet.build([Rule(id="consent", reason="test", origin="test", patterns=(r"\bwe use cookies\b.{0,100}",)),
                           Rule(id="rights", reason="test", origin="test", patterns=(r"^.{0,60}all rights reserved$",))])
    page = "the council voted. we use cookies here."
    within = rules.within(page)
    assert [r.id for _, r, _ in within.pattern_rules] == ["consent"] and within.needle_patterns == []
    assert len(rules.needle_patterns) == 1
    for block in ["the council voted.", "we use cookies here.", page]:
        assert within.match_folded(block) == rules.match_folded(block)
    assert within.match_folded("we use cookies here.").rule.id == "consent"


def test_rules_within_a_page_leave_out_patterns_with_only_their_fixed_run_in_it():
    rules = RuleSet.build([Rule(id="follow", reason="test", origin="test",
                                patterns=(r"^.{0,60}\b(follow|join) us on (twitter|facebook)$",))])
    assert len(rules.needle_patterns) == 1 and rules.within("they told us on monday.").needle_patterns == []
    for block in ["they told us on monday.", "please follow us on twitter"]:
        within = rules.within(block)
        assert within.match_folded(block) == rules.match_folded(block)
    assert rules.match_folded("please follow us on twitter").rule.id == "follow"


def test_a_phrase_is_looked_for_only_where_its_first_two_words_are():
    rules = RuleSet.build([Rule(id="more", reason="test", origin="test", phrases=("More stories", "Share"))])
    assert rules.phrase_singles == {"share"} and rules.phrase_pairs == {("more", "stories")}
    assert rules.match_phrases("More stories").rule.id == "more"
    assert rules.match_phrases("Share: more stories").residue == 0
    assert rules.match_phrases("More of the stories") is None


def test_a_part_of_a_block_where_no_phrase_may_start_is_matched_by_its_patterns_only():
    rules = RuleSet.build([Rule(id="more", reason="test", origin="test", phrases=("More stories", "Share")),
                           Rule(id="consent", reason="test", origin="test", patterns=(r"\bwe use cookies\b.{0,100}",))])
    assert rules.match_part("the council voted. we use cookies here.") == (
        rules.match_folded("the council voted. we use cookies here."), False)
    assert rules.match_part("share: more stories")[1] and not rules.match_part("more of the stories")[1]
    m, phrased = rules.match_part("we use cookies here.", phrased=False)
    assert m == rules.match_folded("we use cookies here.") and m.rule.id == "consent" and not phrased
    # Told wrongly that no phrase may start, the phrases are not looked for.
    assert rules.match_part("share", phrased=False) == (None, False)
    assert rules.match_part("---", phrased=False) == (None, False)


def test_long_blocks_are_tried_against_the_rules_that_allow_them_only():
    from stripper.clean import is_chrome

    rules = RuleSet.build([
        Rule(id="short", reason="test", origin="test", phrases=("Read more",)),
        Rule(id="consent", reason="test", origin="test", patterns=(r"^we use cookies\b.{0,600}$",), max_chars=700),
        Rule(id="huge", reason="test", origin="test", phrases=("Members only",), max_chars=1500),
    ])
    view = rules._long_rules(650)
    assert [r.id for r in view.rules] == ["consent", "huge"]
    assert rules._long_rules(650) is view  # built once
    assert [r.id for r in rules._long_rules(1000).rules] == ["huge"]
    assert rules._long_rules(2000) is None
    consent = "We use cookies to measure the audience of this site and to show you offers. " * 6
    m = rules.match_phrases(consent.strip())
    assert 300 < len(consent) <= 700 and m is not None and m.rule.id == "consent" and is_chrome(m, Options())
    prose = " ".join(PARAS) + " Read more about it in the council minutes."
    assert len(prose) > 300 and rules.match_phrases(prose) is None  # "Read more" only counts in short blocks
    assert rules.match_phrases("Read more about it.").rule.id == "short"


def test_anchored_patterns_first_in_the_rules_win_whether_bucketed_or_tried_alone():
    loose = Rule(id="loose", reason="test", origin="test", patterns=(r"^(\w+ )?(more|other) (stories|news)$",))
    exact = Rule(id="exact", reason="test", origin="test", patterns=(r"^(more|other) (stories|news)$",))
    for first, second in ((loose, exact), (exact, loose)):
        rules = RuleSet.build([first, second])
        assert [i for i, _, _ in rules.anchored_anywhere] == [[first, second].index(loose)]
        assert rules.anchored_anywhere[0][2].needles == ((("more", "other"), ("stories", "news")),)
        assert rules.match_phrases("More stories").rule is first
        assert rules.match_phrases("Even more stories").rule is loose


def test_anchored_patterns_are_tried_by_their_first_two_characters_as_one_regex_would():
    pair = Rule(id="pair", reason="test", origin="test", patterns=(r"^(sign up|subscribe) (now|today)$",))
    char = Rule(id="char", reason="test", origin="test", patterns=(r"^s[\w ]* (now|today)$",))
    assert first_pairs(pair.patterns[0]) == {"si", "su"} and first_pairs(char.patterns[0]) is None
    for first, second in ((pair, char), (char, pair)):
        rules = RuleSet.build([first, second])
        assert set(rules.anchored_by_pair) == {"si", "su"} and set(rules.anchored_loose) == {"s"}
        assert rules.match_phrases("Sign up now").rule is first
        assert rules.match_phrases("Save now").rule is char
        # With re.I an "i" in a pattern matches a dotless "ı" too: such a block tries them all.
        assert rules.match_phrases("Sıgn up today").rule is first


def test_an_anchored_pattern_that_could_start_anyhow_is_tried_only_with_its_needle():
    rules = RuleSet.build([Rule(id="credit", reason="test", origin="test",
                                patterns=(r"^[\w .-]{1,60}\s*[|/]\s*(getty images|reuters)$",))])
    needles = rules.anchored_anywhere[0][2]
    assert needles.allow("photo: john smith | reuters") and not needles.allow("photo: john smith, reuters")
    assert rules.match_phrases("John Smith / Getty Images").rule.id == "credit"
    assert rules.match_phrases("John Smith reports for Reuters") is None


def test_shared_rules_match_as_one_rule_set_would():
    # A site's rule set tries the built-in packs' anchored patterns (compiled once per process)
    # before its own: the rule that matches is the one a single regex of them all would find.
    generic = builtin_packs().generic
    site = next(s for s in builtin_packs().sites if any(p.startswith("^") for r in s.rules for p in r.patterns))
    rules = [*generic, *site.rules]
    split, whole = RuleSet.build(rules, shared=len(generic)), RuleSet.build(rules)
    lines = ["Sign up for our newsletter", "1 of 24", "Advertisement - Scroll to continue", "Read more: A bridge",
             *(p.strip("^$").replace("\\", "")[:40] for r in site.rules for p in r.patterns)]
    for line in lines:
        a, b = split.match_phrases(line), whole.match_phrases(line)
        assert (a and (a.rule.id, a.covered)) == (b and (b.rule.id, b.covered)), line
    assert any(split.match_phrases(line) for line in lines)


def test_buckets_compile_when_first_needed_or_all_at_once():
    from stripper.rules.ruleset import Sources

    def buckets(rs):
        return [v for d in (rs.anchored_by_char, rs.anchored_by_pair, rs.anchored_loose) for v in d.values()]

    lazy, eager = RuleSet.build(builtin_packs().generic), RuleSet.build(builtin_packs().generic)
    assert all(type(v) is Sources for v in buckets(lazy))
    eager.compile_all()
    assert not any(type(v) is Sources for v in buckets(eager))
    for block in ("Sign up for our newsletter", "Share this article", "The council voted on Tuesday."):
        assert lazy.match_phrases(block) == eager.match_phrases(block)
    assert lazy.match_phrases("Share this article") is not None
    assert type(lazy.anchored_by_pair["sh"]) is not Sources  # compiled by the match above


def test_compile_all_also_readies_long_block_views_and_complex_selectors():
    """What a page would otherwise compile on first need, while it is being timed."""
    rules = RuleSet.build(builtin_packs().generic)
    assert rules.index.complex, "the generic rules have selectors soupsieve matches"
    assert not rules.long_views and all(sel._made is None for _, sel, _ in rules.index.complex)
    rules.compile_all(300)
    assert sorted(rules.long_views) == [size for size in rules.phrase_sizes if size > 300]
    assert all(sel._made is not None for _, sel, _ in rules.index.complex)
    assert rules.index._needles is not None


@pytest.mark.parametrize("option", ["drop", "keep"])
def test_library_names_a_bad_drop_or_keep_selector(option):
    import stripper

    with pytest.raises(RulesError, match=f"^{option}: invalid CSS selector 'div\\[\\['"):
        stripper.strip("<html><body><p>Hello there, reader.</p></body></html>", **{option: ("div[[",)})


def test_captions_go_unless_kept():
    import stripper

    body = "".join(f"<p>{'The bridge opened on Tuesday after two years of work on the river crossing. ' * 3}</p>"
                   for _ in range(4))
    page = (f"<html><body><article><h1>Bridge opens</h1>{body}<figure><img src='b.jpg'>"
            "<figcaption>The new bridge at dusk, seen from the east bank.</figcaption></figure></article></body></html>")
    dropped = stripper.strip(page)
    assert "seen from the east bank" not in dropped.text
    assert "image-caption" in {e["rule"] for e in dropped.removed}
    assert "seen from the east bank" in stripper.strip(page, keep=("figcaption",)).text


def test_never_article_is_read_and_checked():
    source = '[[rule]]\nid = "cmp"\nreason = "consent box"\nselectors = ["#cmp"]\nnever_article = true\n'
    assert parse_pack(source, "mine.toml", "mine")[0][0].never_article is True
    with pytest.raises(RulesError, match="'never_article' must be true or false"):
        parse_pack(source.replace("true", '"yes"'), "mine.toml", "mine")


def _consent_page(wrapper_class: str, article_paragraphs: int) -> str:
    box = "".join(f"<p>{PARAS[i % 4]} Cookies help us, and you may refuse them here.</p>" for i in range(6))
    story = "".join(f"<p>{PARAS[i]}</p>" for i in range(article_paragraphs))
    return (f'<html><body><main><article><h1>Bridge approved</h1>{story}</article></main>'
            f'<div class="{wrapper_class}" aria-hidden="true"><div id="cmp">{box}</div></div></body></html>')


def test_a_box_that_is_never_the_article_goes_though_it_holds_most_of_the_prose(tmp_path):
    rules = tmp_path / "cmp.toml"
    rules.write_text('[[rule]]\nid = "cmp"\nreason = "consent box"\nselectors = ["#cmp"]\nnever_article = true\n',
                     encoding="utf-8")
    article = stripper.strip(_consent_page("consent", 2), rule_files=(str(rules),), use_builtin_rules=False)
    assert PARAS[0] in article.text and "you may refuse them" not in article.text
    assert "cmp" in {e["rule"] for e in article.removed}


def test_a_never_article_selector_spares_a_wrapper_holding_nearly_the_whole_page(tmp_path):
    rules = tmp_path / "cmp.toml"
    rules.write_text('[[rule]]\nid = "cmp"\nreason = "consent box"\nselectors = [".has-consent"]\n'
                     'never_article = true\n', encoding="utf-8")
    story = "".join(f"<p>{p}</p>" for p in PARAS)
    page = f'<html><body><div class="page has-consent"><main><article>{story}</article></main></div></body></html>'
    article = stripper.strip(page, rule_files=(str(rules),), use_builtin_rules=False)
    assert all(p in article.text for p in PARAS)
    assert any(e["rule"] == "safety-valve" and "cmp" in e["reason"] for e in article.removed)


def test_unless_pattern_spares_a_selector_hit():
    rule = Rule(id="wall", reason="r", origin="test", selectors=("[class*=paywall]",),
                unless_pattern=r"(?i)\bnon-paywall")
    assert rule.spares("row non-paywall") and not rule.spares("row paywall")
    assert not Rule(id="x", reason="r", origin="test", selectors=(".a",)).spares("a")


def test_table_of_contents_goes_but_not_a_wrapper_flagged_as_having_one():
    prose = "The ferry timetable changes next week, and the evening crossings move by half an hour. " * 4
    page = (f"<html><body><article class='post has-table-of-contents'><h1>Ferry times</h1><p>{prose}</p>"
            f"<div class='c-table-of-contents'><p>Contents</p><ul><li><a href='#a'>What changes</a></li></ul></div>"
            f"<p>{prose}</p></article></body></html>")
    article = stripper.strip(page)
    assert "What changes" not in article.text and article.text.count("ferry timetable") == 8
    # The wrapper is spared by the rule itself (unless_pattern), not saved by a safety valve.
    assert [e["rule"] for e in article.removed if e["rule"] in ("table-of-contents", "safety-valve")] == \
        ["table-of-contents"]


@pytest.mark.parametrize("text", ["subscribe to read: it's 100% free_trial (7-day)!", "tab\there\x0bvt\x1cfs end.",
                                  "#1 a_b __ -- ..", "", "   ", "café ünïcode naïve", "日本語のテキスト、です。"])
def test_tokens_are_the_regex_words_of_ascii_and_other_text(text):
    from stripper.rules.ruleset import TOKEN, tokens

    assert tokens(text) == TOKEN.findall(text)


def test_tokens_of_every_ascii_character_agree_with_the_regex():
    from stripper.rules.ruleset import TOKEN, tokens

    text = "".join(chr(c) + "a" for c in range(128))
    assert tokens(text) == TOKEN.findall(text)


@pytest.mark.parametrize("text", ["it`s “quoted” ‘here’ «là» a\u00a0b", "plain `ascii` text's", "", "„Zitat“"])
def test_plain_quotes_are_the_translation_of_quotes(text):
    from stripper.rules.ruleset import QUOTES, _plain_quotes

    # The ASCII shortcut holds while the backtick is the only ASCII character QUOTES maps.
    assert [chr(c) for c in QUOTES if c < 128] == ["`"]
    assert _plain_quotes(text) == text.translate(QUOTES)
