"""Page metadata: each source alone on a tiny page, then the order between sources."""
from __future__ import annotations

import json
import re

import pytest

import stripper
from stripper import bylines, dom, jsonld, metadata
from stripper.dates import iso_date, url_date
from stripper.rules import builtin_packs

BODY = "<p>" + "A sentence of article text that is long enough to count as prose. " * 12 + "</p>"


def page(head: str = "", body: str = "", lang: str = "") -> str:
    attr = f' lang="{lang}"' if lang else ""
    return f"<html{attr}><head>{head}</head><body><article>{body}{BODY}</article></body></html>"


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def meta_of(html: str, sites: tuple = ()) -> dict:
    root = dom.parse(html)
    return metadata.read(root, metadata.gather(root), sites)


# -- JSON-LD ------------------------------------------------------------------------------------

def test_jsonld_article_gives_every_field():
    m = meta_of(page(ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge opens",
                         "author": {"@type": "Person", "name": "Ann Lee"},
                         "publisher": {"@type": "Organization", "name": "Daily Example"},
                         "datePublished": "2025-05-14T09:12:00Z", "description": "About a bridge.",
                         "inLanguage": "en-GB"})))
    assert m == {"title": "Bridge opens", "author": "Ann Lee", "site": "Daily Example",
                 "published": "2025-05-14T09:12:00+00:00", "language": "en-GB", "description": "About a bridge."}


def test_without_metadata_only_headline_and_site_are_read():
    html = page(ld({"@type": "NewsArticle", "headline": "Bridge opens", "author": {"@type": "Person", "name": "Ann Lee"},
                    "publisher": {"@type": "Organization", "name": "Daily Example"},
                    "datePublished": "2025-05-14T09:12:00Z", "description": "About a bridge.", "inLanguage": "en"}))
    full, brief = stripper.strip(html), stripper.strip(html, metadata=False)
    assert (full.author, full.published, full.language) == ("Ann Lee", "2025-05-14T09:12:00+00:00", "en")
    assert (brief.title, brief.site, brief.text) == (full.title, full.site, full.text) == (
        "Bridge opens", "Daily Example", full.text)
    assert (brief.author, brief.published, brief.language, brief.description) == (None, None, None, None)


def test_jsonld_text_with_html_entities_is_unescaped():
    m = meta_of(page(ld({"@type": "NewsArticle", "headline": "The results? &#8216;Sobering&#8217; &amp; slow"})))
    assert m["title"] == "The results? ‘Sobering’ & slow"


def test_jsonld_graph_follows_id_references():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "#site", "name": "Fix It Folk"},
        {"@type": "Person", "@id": "#p1", "name": "Ruth Abernethy"},
        {"@type": "BlogPosting", "headline": "Repair café", "author": {"@id": "#p1"},
         "publisher": {"@id": "#org"}},
        {"@type": "Organization", "@id": "#org", "name": "Fix It Folk Ltd"},
    ]}
    m = meta_of(page(ld(graph)))
    assert m["author"] == "Ruth Abernethy"
    assert m["site"] == "Fix It Folk Ltd"


@pytest.mark.parametrize("author, expected", [
    ("Ann Lee", "Ann Lee"),
    ({"name": "Ann Lee"}, "Ann Lee"),
    ([{"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Chan"}], "Ann Lee, Bo Chan"),
    (["Ann Lee", "Ann Lee"], "Ann Lee"),
    ({"givenName": "Ann", "familyName": "Lee"}, "Ann Lee"),
])
def test_jsonld_author_shapes(author, expected):
    assert meta_of(page(ld({"@type": "Article", "headline": "H", "author": author})))["author"] == expected


def test_jsonld_array_of_blocks_and_type_list():
    blocks = [{"@type": "BreadcrumbList"}, {"@type": ["NewsArticle", "Thing"], "headline": "Two types",
                                            "author": "Ann Lee"}]
    assert meta_of(page(ld(blocks)))["author"] == "Ann Lee"


def test_broken_jsonld_is_read_as_far_as_it_goes():
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "Ann Lee"},}</script>'
    assert meta_of(page(broken))["author"] == "Ann Lee"
    assert jsonld.parse("{not json") is None
    assert jsonld.parse('{"a": 1}{"b": 2}') == [{"a": 1}, {"b": 2}]


def test_jsonld_wrapped_in_comment_markers():
    assert jsonld.parse('<!-- {"a": 1} -->') == {"a": 1}
    assert jsonld.parse('//<![CDATA[\n{"a": 1}\n//]]>') == {"a": 1}
    assert jsonld.parse('{"a": "x-->"}') == {"a": "x-->"}


def test_gather_reads_elements_the_parser_left_beside_the_root():
    root = dom.parse('<html></html><meta name="author" content="Ann Lee"><div itemprop="publisher">Daily</div>')
    assert root.getnext() is not None  # the parser's second top-level element
    head = metadata.gather(root)
    assert head.meta["author"] == ["Ann Lee"]
    assert [el.text for el in head.items["publisher"]] == ["Daily"]


def test_embedded_video_is_not_the_article():
    video = ld({"@type": "VideoObject", "name": "A video about something else"})
    m = meta_of(page("<title>Real headline for the story here</title>" + video))
    assert m["title"] == "Real headline for the story here"


# -- meta tags, microdata, time, bylines ---------------------------------------------------------

@pytest.mark.parametrize("tag, expected", [
    ('<meta name="author" content="Ann Lee">', "Ann Lee"),
    ('<meta property="article:author" content="https://facebook.com/annlee">', None),
    ('<meta name="parsely-author" content="Ann Lee"><meta name="parsely-author" content="Bo Chan">', "Ann Lee, Bo Chan"),
    ('<meta name="sailthru.author" content="By Ann Lee">', "Ann Lee"),
    ('<meta name="DC.creator" content="Ann Lee">', "Ann Lee"),
    ('<meta name="author" content="Jared Kessler and Amy Tran">', "Jared Kessler, Amy Tran"),
    ('<meta name="author" content="Kooman, F.">', "Kooman, F"),
])
def test_author_meta_tags(tag, expected):
    assert meta_of(page(tag))["author"] == expected


def test_space_separated_meta_names_count_for_each():
    m = meta_of(page('<meta property="og:title twitter:title" content="Shared headline">'))
    assert m["title"] == "Shared headline"


def test_property_meta_wins_over_name_meta_of_the_same_key():
    # OpenGraph and RDFa are written with property=; a name= twin is often a stale copy.
    m = meta_of(page('<meta name="DC.title" content="Name title"><meta property="dc:title" content="Property title">'))
    assert m["title"] == "Property title"


def test_microdata_author_and_date():
    body = ('<div itemprop="author" itemscope><span itemprop="name">Ann Lee</span></div>'
            '<meta itemprop="datePublished" content="2024-03-01">')
    m = meta_of(page(body=body))
    assert m["author"] == "Ann Lee"
    assert m["published"] == "2024-03-01"


def test_visible_byline_by_line():
    assert meta_of(page(body="<p>By Ann Lee and Bo Chan · 3 min read</p>"))["author"] == "Ann Lee, Bo Chan"


def test_visible_byline_class_without_role():
    body = '<div class="author"><a href="/a/ann">Ann Lee</a><div class="author-title">Games Editor</div></div>'
    assert meta_of(page(body=body))["author"] == "Ann Lee"


def test_rel_author_link():
    assert meta_of(page(body='<a rel="author" href="/ann">Ann Lee</a>'))["author"] == "Ann Lee"


def test_comment_authors_are_not_bylines():
    body = '<div class="comment-author">commuter_kev</div>'
    assert meta_of(page(body=body))["author"] is None


def test_lowercase_by_line_is_no_byline():
    assert meta_of(page(body="<table><tr><th>By changesets</th></tr></table>"))["author"] is None


def test_time_element_gives_the_date():
    assert meta_of(page(body='<time datetime="2023-06-08T10:00:00+02:00">8 June</time>'))["published"] == \
        "2023-06-08T10:00:00+02:00"


def test_date_in_address_when_the_page_has_none():
    root = dom.parse(page())
    m = metadata.read(root, metadata.gather(root), (), "https://example.com/news/2024/02/29/leap-day")
    assert m["published"] == "2024-02-29"


@pytest.mark.parametrize("lang_attr, head, expected", [
    ("en-gb", "", "en-GB"),
    ("", '<meta property="og:locale" content="fr_FR">', "fr-FR"),
    ("{{ lang }}", "", None),
])
def test_language(lang_attr, head, expected):
    assert meta_of(page(head, lang=lang_attr))["language"] == expected


def test_description_prefers_og():
    head = '<meta name="description" content="Plain."><meta property="og:description" content="Social.">'
    assert meta_of(page(head))["description"] == "Social."


# -- titles -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, sites, expected", [
    ("Council approves bridge plan | The Guardian", ["The Guardian"], "Council approves bridge plan"),
    ("The Guardian | Council approves bridge plan", ["The Guardian"], "Council approves bridge plan"),
    ("Council approves new bridge plan - Daily Example", [], "Council approves new bridge plan"),
    ("Minecraft 1.8 - The Bountiful Update", [], "Minecraft 1.8 - The Bountiful Update"),
    ("News | Council approves the new river bridge plan", [], "Council approves the new river bridge plan"),
])
def test_clean_title(raw, sites, expected):
    assert metadata.clean_title(raw, sites) == expected


def test_declared_title_keeps_its_dash_unless_it_names_the_site():
    head = ('<meta property="og:title" content="How we built it - an async task framework">'
            '<meta property="og:site_name" content="Dropbox">')
    assert meta_of(page(head))["title"] == "How we built it - an async task framework"
    head2 = head.replace("an async task framework", "Dropbox")
    assert meta_of(page(head2))["title"] == "How we built it"


def test_h1_wins_when_it_is_the_declared_title():
    head = "<title>Council approves bridge | Daily Example</title>"
    assert meta_of(page(head, body="<h1>Council approves bridge</h1>"))["title"] == "Council approves bridge"


def test_site_name_h1_is_not_the_headline():
    head = "<title>Evolve: Shared Mutable History — evolve extension for Mercurial</title>"
    m = meta_of(page(head, body="<h1>evolve extension for Mercurial</h1>"))
    # Cutting the last part would leave four words: readability's rule keeps the whole title.
    assert m["title"] == "Evolve: Shared Mutable History — evolve extension for Mercurial"


# -- aggregators ------------------------------------------------------------------------------------

def test_aggregator_page_names_the_publisher_not_itself():
    inkl = next(s for s in builtin_packs().sites if s.id == "inkl")
    head = '<meta property="og:site_name" content="inkl">' + ld({"@type": "NewsArticle", "headline": "H",
                                                                    "publisher": {"name": "inkl"}})
    body = '<div class="publisher-name">The Independent UK</div><div class="article-author"><span class="author-name">Harriet Lowe</span></div>'
    m = meta_of(page(head, body), (inkl,))
    assert m["site"] == "The Independent UK"
    assert m["author"] == "Harriet Lowe"


def test_aggregator_own_name_is_never_the_site():
    yahoo = next(s for s in builtin_packs().sites if s.id == "yahoo")
    head = '<meta property="og:site_name" content="Yahoo News">'
    assert meta_of(page(head), (yahoo,))["site"] is None


def test_strip_fills_the_article():
    html = page('<meta property="og:site_name" content="Daily Example"><meta name="author" content="Ann Lee">'
                '<meta property="article:published_time" content="2025-05-14T09:12:00Z">', lang="en")
    a = stripper.strip(html)
    assert (a.author, a.site, a.published, a.language) == ("Ann Lee", "Daily Example", "2025-05-14T09:12:00+00:00", "en")


# -- names and dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, site, expected", [
    ("By Rhys Morgan and Jenny Caldwell · 19 May 2025, 1:05pm · Comments (38)", None, ["Rhys Morgan", "Jenny Caldwell"]),
    ("Story by Kendra Mills", None, ["Kendra Mills"]),
    ("New Scientist · Helena Ruiz · 1d", "New Scientist", ["Helena Ruiz"]),
    ("Erin Walsh · Apr 3, 2025", None, ["Erin Walsh"]),
    ("Martin Untersinger (avec Damien Leloup et Morgane Tual)", None,
     ["Martin Untersinger (avec Damien Leloup et Morgane Tual)"]),
    ("Bradley M. Kuhn (http://ebb.org/bkuhn/)", None, ["Bradley M. Kuhn"]),
    ("Sign In | Sign Up", None, []),
    ("Updated 3 hours ago", None, []),
])
def test_clean_names(raw, site, expected):
    assert bylines.clean_names([raw], site) == expected


@pytest.mark.parametrize("raw, expected", [
    ("2025-05-14T09:12:00Z", "2025-05-14T09:12:00+00:00"),
    ("2020-11-11 12:00:00.000-0600", "2020-11-11T12:00:00-06:00"),
    ("2019-10-16", "2019-10-16"),
    ("20190419", "2019-04-19"),
    ("Wed, 14 May 2025 09:12:00 GMT", "2025-05-14T09:12:00+00:00"),
    ("May 14, 2025", "2025-05-14"),
    ("14 May 2025", "2025-05-14"),
    ("14. Mai 2025", "2025-05-14"),
    ("18 de septiembre de 2025", "2025-09-18"),
    ("Veröffentlicht am 05.11.2021", "2021-11-05"),
    ("2025/05/14", "2025-05-14"),
    ("1747213920", "2025-05-14T09:12:00+00:00"),
    ("2025-02-30", None),
    ("not a date", None),
    ("", None),
])
def test_iso_date(raw, expected):
    assert iso_date(raw) == expected


def test_url_date():
    assert url_date("https://x.com/2025/05/14/story") == "2025-05-14"
    assert url_date("https://x.com/story-20250514.html") is None
    assert url_date("https://x.com/p/2025-05-14-story") == "2025-05-14"


def test_jsonld_nested_deeper_than_the_recursion_limit_is_skipped():
    deep = '<script type="application/ld+json">' + "[" * 100000 + "]" * 100000 + "</script>"
    head = '<meta name="author" content="Ann Lee">' + deep
    assert meta_of(page(head))["author"] == "Ann Lee"


def test_profile_metadata_selectors_are_validated():
    from stripper.errors import RulesError
    from stripper.rules import parse_pack

    ok = '[site]\nid = "agg"\nkind = "aggregator"\npublisher_selector = [".source a"]\nauthor_selector = ".byline"\n'
    _, site, _ = parse_pack(ok, "agg.toml", "site:agg")
    assert (site.publisher_selector, site.author_selector) == ((".source a",), (".byline",))
    with pytest.raises(RulesError, match="simple compounds"):
        parse_pack(ok.replace(".source a", ".source > a"), "agg.toml", "site:agg")


@pytest.mark.parametrize("raw, expected", [
    ("De Vries", ["De Vries"]),
    ("di Giulia Benedetti", ["Giulia Benedetti"]),
    ("Veröffentlicht von Chris Jung", ["Chris Jung"]),
    ("Kab Niang le", ["Kab Niang"]),
    ("jungefreiheit.de", []),
    ("Powered by WordPress", []),
])
def test_clean_names_edges(raw, expected):
    assert bylines.clean_names([raw]) == expected


def test_byline_lines_in_document_order():
    root = dom.parse('<html><body><p>Intro</p><div class="Post-Author">Jane</div><span rel="author">R</span>'
                     '<p>By Ann Lee</p><div><b>x</b> by Tom</div><script>By nobody</script>'
                     '<div id="author-bio">bio</div></body></html>')
    lines = list(bylines.byline_lines(root.find("body")))
    assert [(el.tag, dom.text_of(el)) for el in lines] == [
        ("div", "Jane"), ("span", "R"), ("p", "By Ann Lee"), ("div", "x by Tom")]


def test_printed_date_from_a_dated_class():
    body = ('<script class="date">2020-01-01</script>'
            '<div class="post-date">' + "Filed under long words " * 5 + '2021-02-02</div>'
            '<span class="Post-Meta">Posted 14 May 2025</span>')
    assert meta_of(page(body=body))["published"] == "2025-05-14"


def test_printed_lines_find_bylines_and_dates_in_one_walk(monkeypatch):
    root = dom.parse('<html><body><p class="byline">By Ann</p><p class="time">9:00</p><p>By Bo</p>'
                     '<p class="date">14 May 2025</p><style class="date"></style></body></html>')
    monkeypatch.setattr(bylines, "BYLINE_SEARCH_ELEMENTS", 3)  # body and its first two <p>
    found = bylines.printed_lines(root.find("body"))
    assert [dom.text_of(el) for el in found.bylines] == ["By Ann"]
    assert [dom.text_of(el) for el in found.dated] == ["By Ann", "9:00", "14 May 2025"]


def test_printed_lines_walk_only_as_far_as_read():
    root = dom.parse('<html><body><p class="author">By Ann</p><p>By Bo</p><p class="date">14 May 2025</p>'
                     '<p rel="author">Cy</p><p class="time">9:00</p></body></html>')
    found = bylines.printed_lines(root.find("body"))
    assert dom.text_of(next(found.bylines)) == "By Ann"
    assert found._dated == []  # nothing past the first byline has been walked
    assert [dom.text_of(el) for el in found.bylines] == ["By Ann", "By Bo", "Cy"]
    found = bylines.printed_lines(root.find("body"))
    next(found.bylines)
    found.bylines_done()  # from here on only dates are looked for
    assert [dom.text_of(el) for el in found.dated] == ["14 May 2025", "9:00"]
    assert [dom.text_of(el) for el in found.bylines] == ["By Ann"]


@pytest.mark.parametrize("names", ["Author", "post-AUTHOR x", "auth-or", "Ä Bylıne", "BYLİNE",
                                   "Datelıne", "über-meta", "pub"])
def test_class_words_match_as_a_case_blind_regex_does(names):
    pattern = "byline|author|dateline|meta"
    assert bylines.Words("byline", "author", "dateline", "meta").search(names) == bool(re.search(pattern, names, re.I))


def test_opens_byline_wants_a_by_word_then_a_space():
    assert bylines._opens_byline("\u00a0 By Jane")
    assert bylines._opens_byline("  Von ")
    assert not bylines._opens_byline("Bypass the ring road")
    assert not bylines._opens_byline("Byline")


@pytest.mark.parametrize("attrs, line, dated", [
    ('class="byline"', True, True), ('class="byline" id="bio"', False, True), ('class="x" id="Author"', True, False),
    ('class="about" id="author"', False, False), ('class="post-meta" id="byline-2"', True, True), ('id="tıme"', False, True),
])
def test_class_and_id_judged_as_one_name(attrs, line, dated):
    body = dom.parse(f'<html><body><div {attrs}>Jane Doe</div></body></html>').find("body")
    found = bylines.printed_lines(body)
    assert ([el.tag for el in found.bylines] == ["div"]) == line
    assert ([el.tag for el in found.dated] == ["div"]) == dated


def test_a_headline_in_ruby_text_is_read_without_its_readings():
    page = ("<html><body><article><h1><ruby>町<rt>まち</rt></ruby>の<ruby>図書館<rp>(</rp><rt>としょかん</rt><rp>)</rp>"
            "</ruby>が<ruby>開<rt>あ</rt></ruby>きます</h1><p>" + "町の図書館は、来月から夜九時まで開くことにしました。" * 12
            + "</p></article></body></html>")
    article = stripper.strip(page)
    assert article.title == "町の図書館が開きます"
    assert "町の図書館が開きます" not in article.text  # the headline is not printed twice either


def test_soft_hyphens_leave_the_headline():
    page = ("<html><head><title>Mit&shy;tel&shy;al&shy;ter im Tal</title></head><body><article>"
            "<h1>Mit&shy;tel&shy;al&shy;ter im Tal</h1><p>" + "Im Tal wurde im Mittelalter Wein angebaut. " * 15
            + "</p></article></body></html>")
    assert stripper.strip(page).title == "Mittelalter im Tal"
