"""Plain-text input: sniffing, the line pipeline, metadata, idempotence, CLI."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import stripper
from stripper.cli import main, render
from stripper.load import sniff_format
from stripper.options import Options
from stripper.textlines import split_lines, source_lines

ROOT = Path(__file__).resolve().parents[1]
# The shared folder sits next to the repository (CI and the main checkout); STRIPPER_SHARED
# points elsewhere, e.g. from a worktree.
SEED = Path(os.environ.get("STRIPPER_SHARED") or ROOT.parent / "shared") / "seed/inkl-article.txt"

PARAS = [
    "The city council voted on Tuesday to approve the new river bridge, ending a decade of delays and arguments "
    "over where it should go.",
    "Construction will begin in the spring, officials said, and the bridge should open to traffic within three "
    "years of the first pile being driven.",
    "Residents who live near the crossing had asked for a footpath and a cycle lane, and the final design now "
    "includes both of them.",
    "The cost, estimated at forty million pounds, will be shared between the city and the regional government, "
    "the council said.",
]
HEADLINE = "Council approves new river bridge after decade of delays"


def dump(top: list[str], bottom: list[str], paras: list[str] = PARAS, headline: str = HEADLINE) -> str:
    """A page as a browser shows it: chrome packed in lines, the article in paragraphs."""
    return "\n".join(top) + f"\n\n{headline}\n\n" + "\n\n".join(paras) + "\n\n" + "\n".join(bottom) + "\n"


def strip_text(page: str, **settings) -> stripper.Article:
    return stripper.strip(page, input_format="text", **settings)


def rules_of(article: stripper.Article, preview: str) -> set[str]:
    return {e["rule"] for e in article.removed if e["preview"].startswith(preview)}


# -- telling text from HTML ---------------------------------------------------------------------

@pytest.mark.parametrize("page", [
    "<!doctype html><html><body><p>Hello</p></body></html>",
    "<div><p>A fragment of markup</p><p>and more of it</p></div>",
    "HTTP/1.1 200 OK\nContent-Type: text/html\n\n<!DOCTYPE html>\n<html><head></head><body>x</body></html>",
    "\n\n  <html><script>" + "var x = 1;" * 500 + "</script></html>",
    "Headline <b>with</b> tags<br><p>" + "<span>word</span> " * 50,
])
def test_markup_is_html(page):
    assert sniff_format(page, min_tags_per_kb=3) == "html"


@pytest.mark.parametrize("page", [
    dump(["Sign in"], ["Related stories"]),
    "A headline\n\nAn article about markup: wrap a paragraph in <p> and a list in <ul>, then close them.\n",
    "Using HTML\n\nEvery page starts like this:\n\n<html>\n<head>\n<title>Hi</title>\n</head>\n" * 3,
    "Prices rose 3% < 5% forecast, and a<b was the rule in the model.\n",
])
def test_text_is_text(page):
    assert sniff_format(page, min_tags_per_kb=3) == "text"


def test_auto_input_reads_text_as_text_and_html_as_html():
    text = dump(["Get the app", "Sign in"], ["Related stories", "Other headline"])
    assert stripper.strip(text).title == HEADLINE
    html = f"<html><body><article><h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article></body></html>"
    assert PARAS[0] in stripper.strip(html).text
    assert stripper.strip(html, input_format="text").text.count("<p>") == len(PARAS)


# -- the article and what goes around it ----------------------------------------------------------

def test_chrome_above_and_below_goes_and_the_article_stays():
    page = dump(["Skip to main content", "The Daily Example", "Subscribe", "Sign in", "News", "Politics"],
                ["Share this article", "Related stories", "Bus fares to rise in April", "New park opens",
                 "© 2025 The Daily Example", "Privacy Policy"])
    article = strip_text(page)
    assert article.title == HEADLINE
    assert article.text == "\n\n".join(PARAS)


def test_every_dropped_line_is_traced_with_its_rule():
    page = dump(["Skip to main content", "Menu", "World"], ["Related stories", "New park opens"])
    article = strip_text(page)
    assert rules_of(article, "Skip to main content") == {"skip-link"}
    assert rules_of(article, "World") == {"text-above-headline"}
    assert rules_of(article, "New park opens") == {"text-below-article"}
    kept = set(article.text.split("\n\n")) | {article.title}
    for line in page.splitlines():
        if line.strip() and line not in kept:
            assert rules_of(article, line[:40]), line


def test_chrome_inside_the_article_goes():
    paras = PARAS[:2] + ["Advertisement", "Story continues", "Like Comment Share"] + PARAS[2:]
    article = strip_text(dump(["Sign in"], ["Related stories"], paras))
    assert article.text == "\n\n".join(PARAS)
    assert rules_of(article, "Story continues")


def test_wall_cuts_the_rest_and_is_a_paywall():
    article = strip_text(dump(["Sign in"], ["Subscribe to continue reading", "Already a subscriber? Log in.",
                                           "Choose your subscription"], PARAS[:2]))
    assert article.text == "\n\n".join(PARAS[:2])
    assert article.paywall.detected and article.paywall.truncated
    assert {e["action"] for e in article.removed if e["stage"] == "wall"} == {"cut"}


def test_wall_prompt_above_the_article_does_not_cut_it():
    article = strip_text(dump(["Open in app", "Subscribe to read the full story"], ["Related stories"]))
    assert article.text == "\n\n".join(PARAS)
    assert article.paywall.detected and not article.paywall.truncated


def test_wall_prompt_followed_by_an_article_of_prose_is_not_a_cut():
    paras = PARAS[:1] + ["Subscribe to continue reading"] + PARAS[1:] * 2
    article = strip_text(dump(["Sign in"], ["Related stories"], paras))
    assert PARAS[3] in article.text
    assert "Subscribe to continue reading" not in article.text


def test_repeated_publisher_line_and_wordless_lines_go():
    page = dump(["Sign in", "The Daily Example", "The Daily Example", "Jane Doe", "·", "482"], ["Related stories"])
    article = strip_text(page)
    assert rules_of(article, "The Daily Example") >= {"text-repeat"}
    assert rules_of(article, "·") == {"text-no-words"}
    assert article.text == "\n\n".join(PARAS)


def test_headline_is_the_line_naming_the_article_not_a_label_or_a_name():
    page = dump(["Sign in", "Politics", "The Daily Example", "Jane Doe"], ["Related stories"])
    assert strip_text(page).title == HEADLINE


def test_dek_under_the_headline_stays_and_byline_and_date_go():
    page = (f"Sign in\n\n{HEADLINE}\n\nThe crossing will link the two halves of the city for the first time.\n"
            "By Jane Doe\nUpdated 14 May 2025, 10:32 BST\n4 min read\n\n" + "\n\n".join(PARAS) + "\n")
    article = strip_text(page)
    assert article.title == HEADLINE
    assert article.text.startswith("The crossing will link the two halves of the city for the first time.\n\n")
    assert "Jane Doe" not in article.text and "BST" not in article.text
    assert article.author == "Jane Doe"


def test_declared_title_in_a_scraper_preamble():
    page = f"Title: {HEADLINE}\nURL Source: https://news.example.com/bridge\n\nMarkdown Content:\n" + dump(
        ["Sign in"], ["Related stories"])
    article = strip_text(page)
    assert article.title == HEADLINE
    assert article.url == "https://news.example.com/bridge"
    assert rules_of(article, "Title:") == {"text-preamble"}


def test_lines_in_one_per_line_layout_become_paragraphs_and_lists_stay_together():
    lines = ["Sign in", HEADLINE, PARAS[0], "- first point", "- second point", PARAS[1], PARAS[2], "Related stories"]
    article = strip_text("\n".join(lines))
    assert article.text == "\n\n".join([PARAS[0], "- first point\n- second point", PARAS[1], PARAS[2]])


def test_hard_wrapped_text_is_joined_into_paragraphs():
    import textwrap
    page = dump(["Sign in"], ["Related stories"], [textwrap.fill(p * 2, 72) for p in PARAS])
    lines = split_lines(source_lines(page))
    assert sum(1 for ln in lines if len(ln.srcs) > 1) == len(PARAS)
    assert strip_text(page).text == "\n\n".join(p * 2 for p in PARAS)


def test_a_packed_list_of_headlines_is_not_taken_for_wrapped_text():
    related = ["Storm leaves thousands without power in region", "Inside the race to build cheaper batteries",
               "Markets rally as inflation cools for third month", "Scientists find water ice near the south pole"]
    page = dump(["Sign in"], ["Recommended stories"] + related + ["Terms and Privacy Policy"])
    assert all(len(ln.srcs) == 1 for ln in split_lines(source_lines(page)))
    assert strip_text(page).text == "\n\n".join(PARAS)


def test_code_is_never_chrome():
    code = "for row in rows:\n    print(row)\n    save(row)"
    article = strip_text(dump(["Sign in"], ["Related stories"], PARAS[:2] + [code] + PARAS[2:]))
    assert code in article.text


def test_a_line_mostly_of_signs_is_never_chrome():
    grid = "..X....X..X...X"
    article = strip_text(dump(["Sign in"], ["Related stories"], PARAS[:2] + [grid] + PARAS[2:]))
    assert grid in article.text


def test_author_and_publication_from_the_header():
    page = dump(["Sign in", "The Daily Example"], ["Related stories"]).replace(
        f"{HEADLINE}\n", f"{HEADLINE}\nAssociated Press\nJane Doe\n")
    article = strip_text(page)
    assert (article.site, article.author) == ("Associated Press", "Jane Doe")


def test_masthead_names_the_publication():
    article = strip_text(dump(["Menu", "The Daily Example", "Subscribe", "News", "World"], ["Related stories"]))
    assert article.site == "The Daily Example"


def test_aggregator_found_by_its_logo_line():
    article = strip_text(dump(["MSN", "Sign in", "The Independent", "Follow"], ["More for You", "Feedback"]))
    assert article.aggregator == "msn"
    assert article.site == "The Independent"


def test_empty_and_tiny_text():
    for empty in ("", "\n \n"):
        with pytest.raises(stripper.InputError):
            strip_text(empty)
    assert strip_text("Just one short line").text == "Just one short line"
    assert strip_text("A headline\n\nAnd one short line.").text == "And one short line."


# -- the seed page (third party: read from the shared folder, never copied) ----------------------

@pytest.mark.skipif(not SEED.exists(), reason="shared seed page not present")
def test_inkl_seed_prints_headline_and_article_only():
    article = stripper.strip(SEED.read_bytes())
    out = render(article, Options())
    paras = out.rstrip("\n").split("\n\n")
    assert paras[0] == "Starmer to announce new crackdown on people smugglers on visit to Albania"
    assert paras[1].startswith("Sir Keir Starmer is set to increase co-operation")
    assert paras[-1].endswith("completely out of touch with what the country demands.”")
    assert all(p.startswith(("Sir Keir Starmer is in Tirana", "“", "He added")) or len(p) > 80 for p in paras[1:])
    for chrome in ("Get all your news", "Start reading", "Millie Cooke", "Sign up to read", "Our Picks", "inkl"):
        assert chrome not in out


@pytest.mark.skipif(not SEED.exists(), reason="shared seed page not present")
def test_inkl_seed_metadata():
    d = stripper.strip(SEED.read_bytes()).to_dict()
    assert d["site"] == "The Independent UK"
    assert d["author"] == "Millie Cooke"
    assert d["aggregator"] == "inkl"
    assert d["paywall"]["detected"] is True


# -- idempotence ---------------------------------------------------------------------------------

def outputs() -> list:
    cases = []
    for case in sorted((ROOT / "fixtures").glob("*/*/expect.toml")):
        case = case.parent
        if case.parent.name == "text" or len([c for c in cases if c.parent.name == case.parent.name]) < 6:
            cases.append(case)
    return [pytest.param(c, id=f"{c.parent.name}/{c.name}") for c in cases]


@pytest.mark.parametrize("case", outputs())
def test_stripping_stripper_output_changes_nothing(case):
    expect = tomllib.loads((case / "expect.toml").read_text(encoding="utf-8"))
    opts = Options(url=expect.get("url"))
    first = render(stripper.strip(next(case.glob("source.*")).read_bytes(), options=opts), opts)
    assert first.strip()
    again = stripper.strip(first.encode())
    assert render(again, Options()) == first


# -- the command line ------------------------------------------------------------------------------

@pytest.mark.parametrize("via", ["stdin", "file"])
def test_cli_strips_a_text_page(via, tmp_path):
    page = dump(["Skip to main content", "Sign in"], ["Related stories", "Bus fares to rise"])
    runner = CliRunner()
    if via == "file":
        path = tmp_path / "page.txt"
        path.write_text(page, encoding="utf-8")
        result = runner.invoke(main, [str(path)])
    else:
        result = runner.invoke(main, [], input=page)
    assert result.exit_code == 0
    assert result.output == HEADLINE + "\n\n" + "\n\n".join(PARAS) + "\n"


@pytest.mark.parametrize("via", ["stdin", "file"])
def test_cli_input_format_overrides_the_sniff(via, tmp_path):
    html = f"<div><h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
    runner = CliRunner()
    args = ["--input-format", "text"]
    if via == "file":
        path = tmp_path / "page.html"
        path.write_text(html, encoding="utf-8")
        result = runner.invoke(main, args + [str(path)])
    else:
        result = runner.invoke(main, args, input=html)
    assert result.exit_code == 0
    assert "<p>" in result.output


def test_cli_rejects_an_unknown_input_format():
    result = CliRunner().invoke(main, ["--input-format", "pdf"], input="x")
    assert result.exit_code == 2
