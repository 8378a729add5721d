"""Conditional cleaning (readability's), on a measured lxml region."""
from stripper import conditional, dom, locate
from stripper.options import Options
from stripper.trace import Trace

SENTENCE = ("A cold start is everything a service does before it can answer, from loading code, "
            "opening connections and warming caches to compiling templates, again and again. ")


def cleaned(body: str) -> tuple[str, Trace]:
    """Clean <main> of the page as the located region; (its text afterwards, the trace)."""
    root = dom.parse(f"<html><body><main>{body}</main></body></html>")
    _, stats = locate.measure(root)
    trace = Trace()
    main = root.find(".//main")
    conditional.clean([main], stats, Options(), trace)
    return " ".join("".join(main.itertext()).split()), trace


def test_negatively_named_box_beside_the_article_goes():
    text, trace = cleaned(f"<div><p>{SENTENCE * 4}</p></div>"
                          "<div class='newsletter-box'><div><div><p>Join 40,000 readers, every month.</p></div></div></div>")
    assert "Join 40,000 readers" not in text
    assert "negative-class" in trace.rule_ids()


def test_negatively_named_container_holding_the_article_is_looked_into():
    # A newsletter's own page names its article container after the newsletter.
    text, trace = cleaned(f"<section class='newsletter-hero'><div><div><p>{SENTENCE * 6}</p></div></div></section>"
                          "<div><p>" + "Get the free guide by email and we send it today. " * 12 + "</p></div>")
    assert text.count("A cold start is everything") == 6
    assert [e.action for e in trace.events if e.rule_id == "negative-class"] == ["revert"]


def test_comments_outgrowing_the_article_still_go():
    comments = "".join(f"<div><div><p>Reader {i}: I agree, mostly, but not quite, with this.</p></div></div>"
                       for i in range(30))
    text, trace = cleaned(f"<div><p>{SENTENCE * 4}</p></div><div class='comments-wrapper'>{comments}</div>")
    assert "Reader 3" not in text
    assert "A cold start is everything" in text


def test_inside_a_spared_container_furniture_names_are_judged_again():
    sidebar = "<div class='sidebar'><div><div><p>Follow us. Explore topics. Shop the store.</p></div></div></div>"
    widgets = "".join(f"<div class='ck-widget'><div><div><p>{SENTENCE * 2}</p></div></div></div>" for _ in range(3))
    text, trace = cleaned(f"<div class='sidebar-layout'>{widgets}{sidebar}</div>"
                          "<div><p>" + "Get the free guide by email and we send it today. " * 12 + "</p></div>")
    assert text.count("A cold start is everything") == 6  # the widgets of the layout hold the article
    assert "Follow us" not in text  # the real sidebar beside them does not


def test_a_furniture_named_wrapper_of_a_data_table_is_judged_by_its_table():
    rows = "".join(f"<tr><td>Week {i}</td><td>Run {i} km</td><td>Rest</td></tr>" for i in range(1, 6))
    text, trace = cleaned(f"<div><p>{SENTENCE * 4}</p></div><div class='scrollable-table'><table>{rows}</table></div>")
    assert "Week 3Run 3 km" in text
    assert "negative-class" not in trace.rule_ids()
    # A furniture-named table of links is still furniture.
    links = "".join(f"<tr><td><a href='/{i}'>Story {i} headline</a></td><td><a href='/{i}'>More</a></td></tr>"
                    for i in range(5))
    text, trace = cleaned(f"<div><p>{SENTENCE * 4}</p></div><div class='sidebar-table'><table>{links}</table></div>")
    assert "Story 3" not in text


def located(body: str) -> tuple[str, Trace]:
    """Locate the article of the page and clean it; (its text afterwards, the trace)."""
    root = dom.parse(f"<html><body><main>{body}</main></body></html>")
    region, stats = locate.locate(root, Options())
    trace = Trace()
    conditional.clean(region, stats, Options(), trace)
    return " ".join(" ".join("".join(el.itertext()) for el in region).split()), trace


def test_a_list_is_judged_by_its_links_not_by_its_tags_base_score():
    # A list scores below zero for its tag alone; one of prose items is article.
    items = "".join(f"<li><div><div><p>Item {i}: the cache now warms in the background, so the first request, "
                    f"and the second, no longer wait for it. {SENTENCE}</p></div></div></li>" for i in range(2))
    text, trace = located(f"<div><p>{SENTENCE * 4}</p><ul>{items}</ul></div>")
    assert "Item 1: the cache now warms" in text
    assert "negative-class" not in trace.rule_ids()
    # A furniture-named list still goes, and so does a list of links.
    tools = "<li>Copy the address</li><li>Print, or save as PDF</li>"
    text, _ = located(f"<div><p>{SENTENCE * 4}</p><ul>{items}</ul><ul class='share-tools'>{tools}</ul></div>")
    assert "Item 1" in text and "Copy the address" not in text
    links = "".join(f"<li><a href='/{i}'>Story number {i}</a></li>" for i in range(6))
    text, _ = located(f"<div><p>{SENTENCE * 4}</p><ul>{links}</ul></div>")
    assert "Story number 4" not in text
