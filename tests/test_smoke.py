import stripper

PAGE = """<html><head><title>Council approves new bridge | Daily Example</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council approves new bridge</h1>
<p>The city council voted on Tuesday, after a long debate, to approve the new river bridge, ending years of delay.</p>
<p>Share this article</p>
<p>Construction will begin in the spring, officials said, and the bridge should open within three years.</p>
</article><footer>Copyright Daily Example</footer></body></html>"""


def test_strip_returns_title_and_body():
    article = stripper.strip(PAGE)
    assert article.title == "Council approves new bridge"
    assert article.text.startswith("The city council voted on Tuesday")
    assert "Construction will begin in the spring" in article.text


def test_chrome_is_gone_and_named():
    article = stripper.strip(PAGE)
    assert "Share this article" not in article.text
    assert "Copyright" not in article.text
    assert any(e["rule"] == "share-bar" for e in article.removed)


def test_the_collector_is_paused_for_a_page_and_left_as_found(monkeypatch):
    import gc

    from stripper import pipeline

    seen = []
    real = pipeline.attempt
    monkeypatch.setattr(pipeline, "attempt", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert gc.isenabled()
    stripper.strip(PAGE)
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:
        stripper.strip(PAGE)
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_a_page_leaves_no_cycles_for_the_collector():
    # Pausing the collector is safe only because extraction leaves nothing in a cycle.
    import gc
    from pathlib import Path

    pages = sorted(Path(__file__).parent.parent.glob("fixtures/*/*/source.html"))
    assert len(pages) > 20
    stripper.strip(PAGE)
    gc.collect()
    for page in pages:
        article = stripper.strip(page.read_bytes())
        assert article.text and gc.collect() == 0, page
