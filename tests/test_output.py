"""Output formats: markdown and safe HTML from the article tree, JSON checked against the schema."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import stripper
from stripper import markdown, safe_html
from stripper.clean import to_soup
from stripper.cli import main
from stripper.model import Article
from stripper.options import Options
from stripper.output import render
from tests.schema_lite import errors

SCHEMA = json.loads((Path(stripper.__file__).parent / "article.schema.json").read_text("utf-8"))
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PARA = ("The council voted on Tuesday, after a long debate, to approve the new river bridge, "
        "ending a decade of delays, arguments and false starts.")
PAGE = (f"<html lang='en'><head><title>Bridge approved | Daily Example</title>"
        f"<meta name='author' content='Ann Lee'><meta property='og:site_name' content='Daily Example'></head>"
        f"<body><article><h1>Bridge approved</h1><p>{PARA} <em>Really</em> <a href='https://x.org/vote'>so</a>.</p>"
        f"<h2>What next</h2><ul><li>Design</li><li>Build</li></ul><blockquote><p>{PARA}</p></blockquote>"
        f"<p><img src='/bridge.jpg' alt='The bridge'> {PARA}</p></article></body></html>")


def region(html: str):
    return to_soup(f"<div>{html}</div>").find("div")


# -- markdown ---------------------------------------------------------------------------------

def test_markdown_structure():
    md = markdown.render(region("<h2>Sub</h2><p>One <strong>bold</strong> and <i>it</i>.</p>"
                                "<ol start='3'><li>three</li><li>four</li></ol><blockquote><p>Q1</p><p>Q2</p></blockquote>"
                                "<pre class='language-py'>x = 1\n</pre><p>Call <code>f()</code> now.</p><hr>"))
    assert md == ("## Sub\n\nOne **bold** and *it*.\n\n3. three\n4. four\n\n> Q1\n>\n> Q2\n\n"
                  "```py\nx = 1\n```\n\nCall `f()` now.\n\n---")


def test_markdown_leaves_out_paragraphs_that_show_nothing():
    # A zero-width joiner alone is a spacer; inside text it joins emoji and stays.
    md = markdown.render(region("<p>One.</p><p>\u200d</p><p>Two \U0001F469\u200d\U0001F52C.</p><p>\u200d </p>"))
    assert md == "One.\n\nTwo \U0001F469\u200d\U0001F52C."


def test_markdown_nested_list_is_tight_and_indented():
    md = markdown.render(region("<ul><li>One<ul><li>A</li><li>B</li></ul></li><li>Two</li></ul>"))
    assert md == "- One\n  - A\n  - B\n- Two"


def test_markdown_drops_links_and_images_unless_asked():
    html = "<p>See <a href='/a'>this</a> <img src='/i.png' alt='pic'></p>"
    assert markdown.render(region(html)) == "See this"
    assert markdown.render(region(html), links=True, images=True, base="https://ex.com/p/") == \
        "See [this](https://ex.com/a) ![pic](https://ex.com/i.png)"


def test_markdown_never_keeps_script_links():
    html = "<p><a href='javascript:alert(1)'>click</a> <a href=' JaVa\tscript:x'>two</a></p>"
    assert markdown.render(region(html), links=True) == "click two"


def test_markdown_escapes_text_that_would_be_syntax():
    md = markdown.render(region("<p># not a heading *x* [y] &lt;b&gt;</p><p>1. not a list</p>"))
    assert md == "\\# not a heading \\*x\\* \\[y\\] \\<b\\>\n\n\\1. not a list"


def test_markdown_emphasis_keeps_spaces_outside_markers():
    assert markdown.render(region("<p>a<em> b </em>c</p>")) == "a *b* c"


def test_markdown_br_br_is_a_paragraph_break():
    assert markdown.render(region("<p>one<br>two<br><br>three</p>")) == "one\\\ntwo\n\nthree"


def test_markdown_table():
    md = markdown.render(region("<table><tr><th>A</th><th>B|C</th></tr><tr><td>1</td><td>2</td></tr></table>"))
    assert md == "| A | B\\|C |\n|---|---|\n| 1 | 2 |"


# -- html -------------------------------------------------------------------------------------

HOSTILE = ("<p onclick='x()' style='color:red' class='c' id='i'>Hi <span>there</span>"
           "<script>alert(1)</script><style>p{}</style><iframe src='https://evil'></iframe></p>"
           "<a href='javascript:alert(1)'>bad</a> <a href='https://ok.org' target='_blank'>good</a>"
           "<img src='data:image/png;base64,AAAA' onerror='x()'><img src='/a.png' alt='a'>"
           "<form><input name='q'></form><object data='x.swf'></object><svg><script>1</script></svg>"
           "<section><div><div></div></div></section><custom-tag>kept text</custom-tag>")


def test_html_is_whitelisted():
    html = safe_html.render(region(HOSTILE), base="https://ex.com/")
    for banned in ("script", "style", "onclick", "onerror", "iframe", "javascript:", "data:", "<form", "<input",
                   "<object", "<svg", "class=", "id=", "target=", "<span", "custom-tag"):
        assert banned not in html
    assert '<p>Hi there</p>' in html
    assert '<a href="https://ok.org">good</a>' in html
    assert '<img src="https://ex.com/a.png" alt="a">' in html
    assert "kept text" in html
    assert "<div>" not in html  # containers left empty are not written


def test_html_escapes_text_and_attributes():
    html = safe_html.render(region('<p>a &lt;b&gt; &amp; "q"</p><a href="/x?a=1&amp;b=&quot;2&quot;">l</a>'))
    assert "<p>a &lt;b&gt; &amp; \"q\"</p>" in html
    assert 'href="/x?a=1&amp;b=&quot;2&quot;"' in html


# -- deep pages --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_renderers_survive_deep_nesting(fmt):
    depth = 5000
    tree = region("<div><blockquote><ul><li><em>" * depth + "deep" + "</em></li></ul></blockquote></div>" * depth)
    out = markdown.render(tree) if fmt == "markdown" else safe_html.render(tree)
    assert "deep" in out


# -- json ----------------------------------------------------------------------------------------

def fixture_articles():
    for source in sorted(FIXTURES.glob("*/*/source.html")):
        yield pytest.param(source, id=f"{source.parent.parent.name}/{source.parent.name}")


@pytest.mark.parametrize("source", list(fixture_articles()) or [pytest.param(None, marks=pytest.mark.skip)])
def test_json_output_matches_schema(source):
    opts = Options(output_format="json")
    record = json.loads(render(stripper.strip(source.read_bytes(), options=opts), opts))
    assert errors(record, SCHEMA) == []


def test_schema_catches_a_broken_record():
    record = Article(text="x").to_dict()
    record["paywall"]["detected"] = "yes"
    record["extra"] = 1
    del record["title"]
    found = errors(record, SCHEMA)
    assert any("detected" in e for e in found)
    assert any("extra" in e for e in found)
    assert any("'title'" in e for e in found)


def test_schema_agrees_with_jsonschema_when_installed():
    jsonschema = pytest.importorskip("jsonschema")
    record = Article(text="a b", title="T", published="2025-05-14T09:12:00+00:00", language="en-GB").to_dict()
    jsonschema.validate(record, SCHEMA)
    record["published"] = "14 May"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, SCHEMA)


def test_to_dict_has_the_documented_keys():
    keys = set(Article().to_dict())
    assert keys == set(SCHEMA["required"])


# -- the command line -------------------------------------------------------------------------------

def test_cli_json(strip_cli):
    result = strip_cli(PAGE, "--format", "json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert errors(record, SCHEMA) == []
    assert (record["title"], record["author"], record["site"], record["language"]) == \
        ("Bridge approved", "Ann Lee", "Daily Example", "en")
    assert record["text"].startswith(PARA)


def test_cli_jsonl_is_one_line(strip_cli):
    out = strip_cli(PAGE, "--format", "jsonl").stdout
    assert out.count("\n") == 1
    assert json.loads(out)["word_count"] > 40


def test_cli_markdown(strip_cli):
    out = strip_cli(PAGE, "--format", "markdown").stdout
    assert out.startswith("# Bridge approved\n\n" + PARA + " *Really* so.")
    assert "## What next\n\n- Design\n- Build" in out
    assert "> " + PARA in out
    assert "](" not in out


def test_cli_markdown_links_and_images(strip_cli):
    out = strip_cli(PAGE, "--format", "markdown", "--links", "--images", "--url", "https://daily.example/news/1").stdout
    assert "[so](https://x.org/vote)" in out
    assert "![The bridge](https://daily.example/bridge.jpg)" in out


def test_cli_html(strip_cli):
    out = strip_cli(PAGE, "--format", "html", "--no-title").stdout
    assert out.startswith("<article>\n")
    assert "<h1>" not in out
    assert "<ul>\n<li>Design</li>" in out or "<ul><li>Design</li>" in out
    assert out.endswith("</article>\n")


def test_cli_text_is_unchanged(strip_cli):
    out = strip_cli(PAGE).stdout
    assert out.startswith(f"Bridge approved\n\n{PARA} Really so.")


def test_cli_several_inputs_make_a_json_array(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text(PAGE, encoding="utf-8")
    b.write_text(PAGE.replace("Bridge approved", "Tunnel approved"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--format", "json", str(a), str(b)])
    records = json.loads(result.stdout)
    assert [r["title"] for r in records] == ["Bridge approved", "Tunnel approved"]
    lines = CliRunner().invoke(main, ["--format", "jsonl", str(a), str(b)]).stdout.splitlines()
    assert [json.loads(ln)["title"] for ln in lines] == ["Bridge approved", "Tunnel approved"]


def test_text_only_article_still_renders_every_format():
    article = Article(text="First *para*.\n\nSecond <b>para</b>.", title="T")
    assert render(article, Options(output_format="markdown")) == "# T\n\nFirst \\*para\\*.\n\nSecond \\<b\\>para\\</b\\>.\n"
    assert render(article, Options(output_format="html")) == \
        "<article>\n<h1>T</h1>\n<p>First *para*.</p>\n<p>Second &lt;b&gt;para&lt;/b&gt;.</p>\n</article>\n"


def test_formats_nobody_asked_for_are_not_rendered():
    article = stripper.strip(PAGE)
    assert article.markdown is None
    assert article.html is None


# -- Unicode form ---------------------------------------------------------------------------------

def test_text_and_title_come_out_composed_whatever_form_the_page_used():
    # "Café" written with a combining accent; Bengali RRA as the one character that NFC spells as two.
    decomposed, rra = "Cafe\u0301", "\u09dc"
    page = (f"<html><head><title>{decomposed} {rra} news</title></head><body><article><h1>{decomposed} {rra} news</h1>"
            f"<p>{PARA} The {decomposed} opened, {rra}.</p><p>{PARA}</p></article></body></html>")
    for given in (page, page.encode("utf-8")):
        article = stripper.strip(given, output_format="markdown")
        assert article.title == "Caf\u00e9 \u09a1\u09bc news"
        assert "The Caf\u00e9 opened, \u09a1\u09bc." in article.text
        assert "Cafe\u0301" not in article.text and rra not in article.text
        assert "The Caf\u00e9 opened" in article.markdown
    # Text input goes the same way.
    assert "Caf\u00e9" in stripper.strip(f"{decomposed} news\n\n{PARA} {decomposed}.\n", input_format="text").text
