"""What the page says about itself: headline, author, publisher, date, language, description.

Read from the whole lxml tree before anything is pruned (scripts and <head>
go early). One XPath pass collects <meta>, JSON-LD, microdata and <time>;
visible bylines are looked for only when those name no author. For each
field the sources are tried in a fixed order, first usable value wins.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Iterable

from lxml import etree

from . import dom, jsonld
from .bylines import clean_names, dom_bylines, key as _key, printed_lines
from .dates import iso_date, url_date

TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/|\\)\s+")
HIERARCHY_SEPARATORS = re.compile(r"\s(?:/|\\|»|>)\s")
PATH_MARKS = re.compile(r"[|\-\\/>»]+")
DC_PREFIX = re.compile(r"^(?:dc|dcterms?)[:._]")

# What describes the page, found by tag: lxml's iter() matches tags in C, in document order.
# The <h1> elements come along for `title`, which would otherwise walk the page again.
HEAD_TAGS = ("meta", "title", "script", "time", "h1")
# Microdata: the itemprop attributes, each of which knows its element (getparent). Far
# cheaper than `//*[@itemprop]`, which tests a predicate on every element.
ITEMPROPS = etree.XPath("//@itemprop")
MAX_DATE_LINE_CHARS = 80

# <meta> names for each field, most specific first.
AUTHOR_META = ("dc.creator", "dcterms.creator", "author", "article:author", "article:author_name",
               "parsely-author", "sailthru.author", "byl", "citation_author", "dc.contributor", "cxenseparse:author",
               "og:article:author", "book:author", "twitter:data1-author")
SITE_META = ("og:site_name", "application-name", "al:android:app_name", "al:ios:app_name", "publisher",
             "dc.publisher", "dcterms.publisher", "provider", "twitter:app:name:iphone")
DATE_META = ("article:published_time", "og:article:published_time", "article:published", "published_time",
             "datepublished", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dc.date.created",
             "dcterms.created", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date",
             "publish_date", "date", "citation_publication_date", "citation_date")
DESCRIPTION_META = ("og:description", "description", "twitter:description", "dc.description")
TITLE_META = ("dc.title", "dcterms.title", "og:title", "twitter:title", "parsely-title", "sailthru.title",
              "citation_title", "headline", "title")
# Permalink anchors docs generators print after a heading ("Middleware¶").
PERMALINK_MARKS = "¶§#🔗 \u00a0"
# The <h1> is the headline when its text makes up at least this share of a declared title.
H1_TITLE_SHARE = 0.6

LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.I)


@dataclass
class Head:
    """What one pass over the page found, before any choice is made."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    nodes: list[dict] = field(default_factory=list)  # JSON-LD objects, flattened
    ids: dict[str, dict] = field(default_factory=dict)  # JSON-LD @id -> node
    unparsed: list[str] = field(default_factory=list)  # JSON-LD text that would not parse
    items: dict[str, list[Any]] = field(default_factory=dict)  # microdata itemprop -> elements
    doc_title: str | None = None
    times: list[tuple[str, bool]] = field(default_factory=list)  # (<time datetime>, has pubdate)
    lang: str | None = None
    h1s: list | None = None  # the <h1> elements under the root read, when the walk was of it alone

    def first_meta(self, names: Iterable[str]) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value:
                    return value
        return None

    @functools.cached_property
    def articles(self) -> list[dict]:
        """The JSON-LD nodes typed as articles (several fields read them)."""
        return [n for n in self.nodes if jsonld.types_of(n) & jsonld.ARTICLE_TYPES]


def gather(root) -> Head:
    head = Head(lang=root.get("lang") or root.get("xml:lang"))
    blocks = []
    named: dict[str, list[str]] = {}  # from name=, itemprop=, http-equiv=: after property= values
    h1s = []
    elements, whole = _document_iter(root, HEAD_TAGS)
    for el in elements:
        tag = el.tag
        if tag == "meta":
            prop = el.get("property")
            keys = (prop or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
            content = el.get("content")
            if keys and content and content.strip():
                into = head.meta if prop else named
                for key in keys.split():  # property="og:title twitter:title" names both
                    if key.startswith("dc"):
                        key = DC_PREFIX.sub(lambda m: "dcterms." if "t" in m.group(0) else "dc.", key)
                    into.setdefault(key, []).append(" ".join(content.split()))
        elif tag == "script":
            if "ld+json" in (el.get("type") or "").lower():
                value = jsonld.parse(el.text or "")
                if value is None and (el.text or "").strip():
                    head.unparsed.append(el.text)
                blocks.append(value)
        elif tag == "title":
            if head.doc_title is None:
                head.doc_title = dom.text_of(el) or None
        elif tag == "h1":
            h1s.append(el)
        elif el.get("datetime") is not None:  # a <time>
            head.times.append((el.get("datetime"), el.get("pubdate") is not None))
    if whole:
        head.h1s = h1s
    for value in ITEMPROPS(root):
        for prop in value.split():
            head.items.setdefault(prop.lower(), []).append(value.getparent())
    for key, values in named.items():
        head.meta.setdefault(key, []).extend(values)
    if blocks:
        head.nodes = jsonld.nodes(blocks)
        head.ids = jsonld.by_id(head.nodes)
    return head


def _document_iter(root, tags: tuple) -> tuple[Iterable, bool]:
    """Elements with these tags in the whole document, in document order, as XPath's `//tag`
    finds them: the parser may leave elements beside the root (`<html></html><meta ...>`).
    And whether they are exactly those under `root`."""
    top = root.getroottree().getroot()
    if top.getprevious() is None and top.getnext() is None:  # nearly always
        return top.iter(*tags), top is root
    tops = [*reversed(list(top.itersiblings(etree.Element, preceding=True))), top,
            *top.itersiblings(etree.Element)]
    return chain.from_iterable(el.iter(*tags) for el in tops), False


# -- headline ---------------------------------------------------------------------------------

def strip_site(raw: str, sites: Iterable[str]) -> str:
    """Drop a known site name written before or after the headline: 'Headline | The Guardian'."""
    raw = " ".join(raw.split())
    keys = {_key(s) for s in sites if s and _key(s)}
    seps = list(TITLE_SEPARATORS.finditer(raw))
    if not keys or not seps:
        return raw
    if _key(raw[seps[-1].end():]) in keys:
        return raw[: seps[-1].start()]
    if _key(raw[: seps[0].start()]) in keys:
        return raw[seps[0].end():]
    return raw


def clean_title(raw: str, sites: Iterable[str] = ()) -> str:
    """A <title> without what sites add to it: a known site name, else (readability's way) the
    last part after a separator, or the first part when the rest would be too short."""
    raw = " ".join(raw.split())
    stripped = strip_site(raw, sites)
    if stripped != raw:
        return stripped
    seps = list(TITLE_SEPARATORS.finditer(raw))
    if not seps:
        return raw
    cleaned = raw[: seps[-1].start()]
    if len(cleaned.split()) < 3:
        cleaned = raw[seps[0].end():]
    # A cut that leaves four words or fewer, unless it dropped just one level of a path
    # ("Docs / Page"), more likely cut the headline itself.
    words = len(cleaned.split())
    if words <= 4 and (not HIERARCHY_SEPARATORS.search(raw)
                       or words != len(PATH_MARKS.sub("", raw).split()) - 1):
        return raw
    return cleaned


def _agrees(h1: str, declared: str, short: str) -> bool:
    """The visible headline and a declared title (`short`: without its site name) say the same."""
    h, full, short = _key(h1), _key(declared), _key(short)
    if not h or not short:
        return False
    # ...or the h1 is the title's first part ("Bridge approved | Daily Example"); a later
    # part is more likely the site's name printed as a heading.
    if h in (full, short) or h == _key(TITLE_SEPARATORS.split(declared)[0]):
        return True
    return h in full and len(h) >= H1_TITLE_SHARE * len(short) and len(h1.split()) >= 2


def title(root, head: Head | None = None, sites: Iterable[str] = ()) -> str | None:
    """The headline: the first declared title (JSON-LD headline, dc.title, og:title, ...; else
    <title>) without a site name, or the page's <h1> when it says the same.

    `sites` are names the page's site goes by. Declared titles are written as titles, so
    only a known site name is cut from them; <title> is cut readability's way.
    """
    head = head or gather(root)
    sites = [*sites, *(head.first_meta((n,)) for n in ("og:site_name", "application-name"))]
    declared = None
    for node in head.articles[:1]:
        name, headline = jsonld.text(node.get("name")), jsonld.text(node.get("headline"))
        # Wikipedia's headline is a description; the name is the title <title> starts with.
        if name and headline and name != headline and head.doc_title and _key(head.doc_title).startswith(_key(name)):
            declared = name
        else:
            declared = headline or name
    declared = declared or head.first_meta(TITLE_META)
    if declared:
        short = strip_site(declared, sites)
    elif head.doc_title:
        declared, short = head.doc_title, clean_title(head.doc_title, sites)
    else:
        declared = short = None
    for h in head.h1s if head.h1s is not None else root.iter("h1"):
        text = dom.read_text(h).rstrip(PERMALINK_MARKS)
        if declared is None:
            return text or None
        if text and _agrees(text, declared, short):
            return text
    return short


# -- author ---------------------------------------------------------------------------------------

def _joined(names: list[str]) -> str | None:
    return ", ".join(names) if names else None


def _microdata_names(elements: list) -> list[str]:
    out = []
    for el in elements:
        named = [n for n in el.iter() if n is not el and "name" in (n.get("itemprop") or "").split()]
        if named:
            out.extend(n.get("content") or dom.text_of(n) for n in named[:1])
        elif el.get("content"):
            out.append(el.get("content"))
        elif el.tag != "meta" and len(el) < 20:
            out.append(dom.text_of(el))
    return [o for o in out if o]


# -- the whole record ----------------------------------------------------------------------------

def profile_text(root, selectors: Iterable[str]) -> str | None:
    """Text of the first element a profile selector finds."""
    from .rules.selectors import parse_chain, select_lxml

    for selector in selectors:
        chain = parse_chain(selector)
        for el in select_lxml(root, chain) if chain else ():
            value = el.get("content") or dom.text_of(el) or el.get("alt") or el.get("title")
            if value:
                return " ".join(value.split())
    return None


def aggregator_words(sites: tuple) -> set[str]:
    """Words naming the aggregators among the page's profiles: their ids and domain names."""
    words: set[str] = set()
    for s in sites:
        if s.kind == "aggregator":
            words.add(_key(s.id).replace(" ", ""))
            words.update(d.split(".")[0] for d in s.domains)
            words.add(_key(s.name).replace(" ", ""))
    return words


def publisher_of(head: Head, nodes: list[dict]) -> str | None:
    for node in nodes:
        for name in jsonld.names(node.get("publisher") or node.get("sourceOrganization"), head.ids):
            return name
    return None


def language(head: Head) -> str | None:
    inlang = next((jsonld.text(n.get("inLanguage")) for n in head.articles if n.get("inLanguage")), None)
    for raw in (head.lang, head.first_meta(("content-language", "og:locale", "dc.language", "language")), inlang):
        value = (raw or "").strip().replace("_", "-").split(",")[0].strip()
        if value and LANG.match(value):
            lang, *rest = value.split("-")
            return "-".join([lang.lower()] + [r.upper() if len(r) == 2 else r for r in rest])
    return None


def published(head: Head, nodes: list[dict], url: str | None, printed) -> str | None:
    """Declared dates first (JSON-LD, <meta>, microdata, <time pubdate>), then the first <time>,
    the address, and at last a date printed in an element whose class says date or time."""
    candidates = chain(  # read in turn, up to the first that is a date
        (jsonld.text(n.get("datePublished")) for n in nodes),
        (head.first_meta(DATE_META),),
        (el.get("content") or el.get("datetime") for el in head.items.get("datepublished", [])),
        (t for t, pub in head.times if pub),
        (jsonld.text(n.get("dateCreated")) for n in nodes),
        (jsonld.text(n.get("datePublished")) for n in head.nodes if "datePublished" in n),
        (t for t, _ in head.times[:1]))
    for raw in candidates:
        value = iso_date(raw)
        if value:
            return value
    return url_date(url) or dom_date(printed.dated)


def dom_date(dated: Iterable) -> str | None:
    """The first date printed in a short element whose class or id says date, time or published
    (`dated`: such elements in document order)."""
    for el in dated:
        text = dom.text_of(el)
        if 0 < len(text) <= MAX_DATE_LINE_CHARS:
            value = iso_date(text)
            if value:
                return value
    return None


def site_name(root, head: Head, nodes: list[dict], sites: tuple) -> str | None:
    """The publisher: a profile's publisher selector, JSON-LD publisher, <meta> names, microdata,
    the JSON-LD WebSite; never the aggregator that served the page."""
    own = aggregator_words(sites)

    def usable(value: str | None) -> str | None:
        if not value or value.startswith(("http://", "https://")):
            return None
        if own and (own & set(_key(value).split()) or _key(value).replace(" ", "") in own):
            return None  # an aggregator's pages name the aggregator as their site
        return value

    for s in sites:
        site = usable(profile_text(root, s.publisher_selector))
        if site:
            return site
    site = usable(publisher_of(head, nodes))
    for name in SITE_META:
        site = site or usable(head.first_meta((name,)))
    site = site or usable(next(iter(_microdata_names(head.items.get("publisher", []))), None))
    return site or usable(next((jsonld.text(n.get("name")) for n in head.nodes
                                if jsonld.types_of(n) & {"website", "newsmediaorganization"}), None))


def authors(root, head: Head, nodes: list[dict], sites: tuple, site: str | None, printed) -> list[str]:
    """JSON-LD author, <meta> names, a profile's author selector, microdata, printed bylines."""
    for node in nodes:
        names = clean_names(jsonld.names(node.get("author") or node.get("creator"), head.ids))
        if names:
            return names
    for name in AUTHOR_META:
        values = [v for v in head.meta.get(name, ()) if not v.startswith(("http://", "https://", "@"))]
        names = clean_names(values) if values else []
        if names:
            return names
    for s in sites:
        names = clean_names([profile_text(root, s.author_selector) or ""], site) if s.author_selector else []
        if names:
            return names
    names = clean_names(_microdata_names(head.items.get("author", []) + head.items.get("creator", [])))
    return names or dom_bylines(printed.bylines, site)


def read(root, head: Head, sites: tuple = (), url: str | None = None, full: bool = True) -> dict[str, str | None]:
    """title, author, site, published, language and description of the page; without `full`,
    title and site only (Options.metadata).

    `sites` are the page's profiles, main first; an aggregator's profile says
    where the page names the original publisher and author.
    """
    nodes = head.articles
    site = site_name(root, head, nodes, sites)
    own_names = [s.name for s in sites if s.kind == "aggregator"]
    # Soft hyphens and zero-width spaces show nothing, in a headline as in the text (dom.INVISIBLE).
    headline = _visible(title(root, head, [site, *own_names] if site else own_names))
    if not full:
        return {"title": headline, "site": site}
    # The printed page is walked only as far as a missing author or date needs.
    body = root.find("body")
    printed = printed_lines(body if body is not None else root)
    author = _visible(_joined(authors(root, head, nodes, sites, site, printed)))
    printed.bylines_done()
    return {
        "title": headline,
        "author": author,
        "site": site,
        "published": published(head, nodes, url, printed),
        "language": language(head),
        "description": head.first_meta(DESCRIPTION_META) or next(
            (jsonld.text(n.get("description")) for n in nodes if n.get("description")), None),
    }


def _visible(text: str | None) -> str | None:
    return dom.visible(text) if text else text
