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
