"""Hostile input: never a traceback, a hang, a lost word or a read file; `strip` never breaks a build.

The figures (timings, peak memory on 50 MB pages) come from `python -m tests.hostile`;
these tests check behaviour only.
"""
from __future__ import annotations

import codecs
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import stripper
from stripper import binutils, dom, load, prune
from stripper.cli import main as cli_main
from stripper.errors import InputError, NotAPageError, StripperError
from stripper.trace import Trace
from tests.hostile import PARAS, SECRET, TITLE, article_html, compile_hello, deep, elf_bytes, gzip_bomb, page, \
    png_bytes, shim, sprinkle, strip_both, xxe

MB = 1 << 20


def assert_article(text: str) -> None:
    for para in PARAS:
        assert para in text


# -- bytes that are not a page ------------------------------------------------------------

@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(300), "PDF"),
    (png_bytes(), "PNG"),
    (elf_bytes(), "ELF"),
    (b"PK\x03\x04\x14\x00\x00\x00" + bytes(100), "zip"),
    (b"GIF89a\x01\x00\x01\x00" + bytes(50), "GIF"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "Windows executable"),
    (bytes(range(32)) * 20, "binary data"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_binary_input_is_refused_by_name(data, kind):
    with pytest.raises(NotAPageError, match=f"not an HTML or text page \\(looks like {kind}\\)"):
        stripper.strip(data)


def test_gzip_of_binary_is_refused_after_inflating():
    with pytest.raises(NotAPageError, match="looks like PNG"):
        stripper.strip(gzip.compress(png_bytes()))


@pytest.mark.parametrize("data", [b"", b"  \n\t ", b"\xef\xbb\xbf", gzip.compress(b"")],
                         ids=["empty", "whitespace", "bom-only", "gzip-of-nothing"])
def test_empty_input_is_an_input_error(data):
    with pytest.raises(InputError, match="empty input"):
        stripper.strip(data)


def test_gzip_bomb_stops_at_the_limit():
    with pytest.raises(InputError, match="expands past the --max-bytes limit"):
        stripper.strip(gzip_bomb(8 * MB), max_bytes=MB)


def test_corrupt_gzip_is_an_input_error():
    data = bytearray(gzip.compress(page()))
    data[20:40] = b"\xff" * 20
    with pytest.raises(InputError, match="broken gzip"):
        stripper.strip(bytes(data))


def test_truncated_gzip_keeps_what_was_inflated():
    from tests.hostile import _truncated_gzip

    assert_article(stripper.strip(_truncated_gzip(page())).text)


def test_gzip_twice_is_read():
    assert_article(stripper.strip(gzip.compress(gzip.compress(page()))).text)


def test_str_over_max_bytes_is_refused():
    with pytest.raises(InputError, match="larger than the --max-bytes limit"):
        stripper.strip("<p>" + "x" * 2000 + "</p>", max_bytes=1000)


# -- encodings ---------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["utf-8, ie=edge, chrome=1", "base64", "rot13", "undefined", "zip", "hex",
                                   "utf-7", "unicode_escape", "idna", "cp037", "no-such-charset", "utf-16"])
def test_nonsense_charset_labels_decode_as_utf8(label):
    assert_article(stripper.strip(page(charset=label)).text)


def test_single_byte_label_on_utf8_bytes_keeps_accents():
    assert_article(stripper.strip(page(charset="iso-8859-1")).text)


def test_real_cp1252_page_keeps_accents():
    assert_article(stripper.strip(article_html(charset="windows-1252").encode("cp1252")).text)


def test_undeclared_cp1252_page_keeps_accents():
    assert_article(stripper.strip(article_html(charset=None).encode("cp1252")).text)


@pytest.mark.parametrize("junk", [b"\xff", b"\xff\xfe\xc3", b"\xed\xa0\x80\xed\xbf\xbf", b"\x80\x80\x80\x80"],
                         ids=["ff", "fffe-c3", "encoded-surrogates", "continuations"])
def test_invalid_utf8_keeps_accents(junk):
    text = stripper.strip(sprinkle(page(charset=None), junk, 2)).text
    assert_article(text.replace("\ufffd", ""))


@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""),
    ("utf-16-be", b""), ("utf-32-le", b""), ("utf-32-be", b""), ("utf-32-le", codecs.BOM_UTF32_LE),
])
def test_utf16_and_utf32_with_and_without_bom(encoding, bom):
    assert_article(stripper.strip(bom + article_html(charset=None).encode(encoding)).text)


def test_elf_is_not_mistaken_for_utf16():
    assert load.looks_utf16(elf_bytes()) is None


def test_nul_bytes_are_dropped_not_fatal():
    assert_article(stripper.strip(sprinkle(page(), b"\x00", 1)).text)


def test_control_characters_beside_removed_and_wrapped_elements():
    html = article_html().replace("<article>", "<article><div hidden>x</div>\x01tail\x0cend<p>block</p>\x02loose")
    text = stripper.strip(html).text
    assert_article(text)
    assert "tail end" in text
    assert "loose" in text


def test_lone_surrogates_in_str_input():
    html = article_html().replace("<article>", "<article><p>\ud800 broken \udfff pair</p>")
    article = stripper.strip(html)
    assert_article(article.text)
    article.text.encode("utf-8")  # the result is always encodable text


# -- broken markup and entities ------------------------------------------------------------

def test_truncated_html_keeps_the_article():
    assert_article(stripper.strip(page().split(b"</article>")[0] + b'<div class="x').text)


def test_unclosed_comment_after_the_article():
    assert_article(stripper.strip(page().replace(b"</article>", b"</article><!-- ad slot ")).text)


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    article = stripper.strip(xxe(str(secret)))
    assert_article(article.text)
    assert SECRET not in article.text
    assert "lollollol" not in article.text  # internal entities are not expanded either


def test_parser_is_configured_against_depth_limits_and_network():
    settings = dom.PARSER_SETTINGS
    assert settings["huge_tree"] is True
    assert settings["no_network"] is True


# -- depth -------------------------------------------------------------------------------

def test_article_nested_300_deep_comes_out_whole():
    text = stripper.strip(deep(300)).text
    assert text.split("\n\n") == list(PARAS)


def test_libxml2_depth_limit_loses_nothing_after_the_deep_part():
    html = "<html><body>" + "<div>" * 3000 + "<p>deep words</p>" + "</div>" * 3000 + "<p>after the tower</p></body></html>"
    text = " ".join(dom.parse(html).itertext())
    assert "deep words" in text
    assert "after the tower" in text


def test_100000_deep_keeps_every_paragraph():
    article = stripper.strip(deep(100_000))
    assert_article(article.text)
    assert any(e["rule"] == "flatten-deep" for e in article.removed)


def test_flatten_deep_turns_blocks_into_lines_and_drops_scripts():
    root = dom.parse("<html><body><div><div><p>one <b>bold</b></p><script>x()</script><p>two</p>"
                     "<p hidden>gone</p>tail</div></div></body></html>")
    trace = Trace()
    prune.flatten_deep(root, 4, trace)  # html/body/div/div: the inner div, at depth 4, is flattened
    inner = root.find("body/div/div")
    assert [inner.text] + [br.tail for br in inner] == ["one bold", "two", "tail"]
    assert trace.events[0].rule_id == "flatten-deep"


# -- size --------------------------------------------------------------------------------

def test_10mb_attribute_and_20mb_word():
    html = page(body_wrap=(f"<div data-x=\"{'x' * 10 * MB}\"></div>", f"<p>{'y' * 20 * MB}</p>"))
    text = stripper.strip(html).text
    assert_article(text)
    assert "y" * 20 * MB in text


def test_many_bare_spans_are_unwrapped_with_their_text():
    html = page(body_wrap=("", "<div>" + "<span>zq </span>" * 3000 + "</div>"))
    article = stripper.strip(html, max_elements=500)
    assert_article(article.text)
    assert article.text.count("zq") == 3000
    assert any(e["rule"] == "simplify-huge" for e in article.removed)


def test_huge_region_is_merged_into_at_most_max_elements_paragraphs():
    root = dom.parse("<html><body><div>" + "".join(f"<p>line {i}</p>" for i in range(1000)) + "</div></body></html>")
    region = prune.simplify_region([root.find("body/div")], 100, Trace())
    paras = region[0].findall("p")
    assert len(paras) <= 100
    assert " ".join(p.text for p in paras) == " ".join(f"line {i}" for i in range(1000))


def test_sweep_removes_outermost_hits_only():
    root = dom.parse("<html><body><div class=x><div class=x><p class=x>a</p></div></div>"
                     "<p class=x>b</p><p>c</p></body></html>")
    rule = prune.HIDDEN_RULE
    trace = Trace()
    prune.sweep(root, lambda el, _: (rule, None, "prune", None) if el.get("class") == "x" else None, trace)
    assert [e.preview for e in trace.events] == ["a", "b"]
    assert "".join(root.itertext()) == "c"


# -- CLI ---------------------------------------------------------------------------------

def run_both(tmp_path, data: bytes, *args: str):
    """The same case through a file and through stdin."""
    path = tmp_path / "case.html"
    path.write_bytes(data)
    runner = CliRunner()
    return [runner.invoke(cli_main, [*args, str(path)]), runner.invoke(cli_main, list(args), input=data)]


@pytest.mark.parametrize("data, code, message", [
    (b"", 1, "empty input"),
    (b"%PDF-1.4\n" + bytes(500), 1, "not an HTML or text page (looks like PDF)"),
    (gzip.compress(png_bytes()), 1, "looks like PNG"),
], ids=["empty", "pdf", "gzip-png"])
def test_cli_bad_input_is_one_line_and_exit_code(tmp_path, data, code, message):
    for result in run_both(tmp_path, data):
        assert result.exit_code == code
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_cli_max_bytes(tmp_path):
    for result in run_both(tmp_path, page(), "--max-bytes", "1k"):
        assert result.exit_code == 1
        assert "larger than the --max-bytes limit (1024 bytes)" in result.stderr
    for result in run_both(tmp_path, page(), "--max-bytes", "1M"):
        assert result.exit_code == 0
        assert_article(result.stdout)


def test_cli_max_bytes_rejects_nonsense(tmp_path):
    result = CliRunner().invoke(cli_main, ["--max-bytes", "lots", "x.html"])
    assert result.exit_code == 2
    assert "is not a size like 500k" in result.stderr


def test_cli_internal_error_is_one_line_exit_5(tmp_path, monkeypatch):
    def broken(*a, **k):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(stripper, "strip", broken)
    for result in run_both(tmp_path, page()):
        assert result.exit_code == 5
        assert "internal error, please report: RecursionError" in result.stderr
        assert "Traceback" not in result.stderr


def test_cli_output_file_is_written_whole(tmp_path):
    out = tmp_path / "article.txt"
    src = tmp_path / "page.html"
    src.write_bytes(page())
    result = CliRunner().invoke(cli_main, ["-o", str(out), str(src)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(TITLE + "\n\n" + PARAS[0])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".strip-")] == []


# -- the `strip` name: binutils calls go to binutils ----------------------------------------

@pytest.mark.parametrize("args, reason", [
    (["--strip-debug", "x.o"], "binutils option --strip-debug"),
    (["--strip-d", "x.o"], "binutils option --strip-d"),
    (["-g", "x.o"], "binutils option -g"),
    (["-S", "x.o"], "binutils option -S"),
    (["-sx", "x.o"], "binutils option -s"),
    (["-R", ".comment", "x.o"], "binutils option -R"),
    (["-R.comment", "x.o"], "binutils option -R"),
    (["--enable-deterministic-archives", "lib.a"], "binutils option --enable-deterministic-archives"),
    (["--info"], "binutils option --info"),
    (["-w", "-K", "main", "a.out"], "binutils option -w"),
])
def test_binutils_options_are_recognised(args, reason):
    assert binutils.binutils_reason(args) == reason


@pytest.mark.parametrize("args", [
    ["page.html"], ["-o", "out.txt", "page.html"], ["--url", "https://example.com/a", "-"], ["-h"],
    ["--version"], ["-V"], ["--max-bytes", "1M", "page.html"], [], ["-"], ["--no-title", "a.html", "b.html"],
])
def test_stripper_calls_are_ours(args):
    assert binutils.binutils_reason(args) is None


def test_object_files_are_recognised_by_magic(tmp_path):
    files = {"a.out": b"\x7fELF\x02\x01\x01" + bytes(60), "lib.a": b"!<arch>\n" + bytes(60),
             "x.dylib": b"\xcf\xfa\xed\xfe" + bytes(60), "x.exe": b"MZ\x90\x00" + bytes(60)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        assert binutils.binutils_reason([str(tmp_path / name)]) is not None
    (tmp_path / "page.html").write_bytes(elf_bytes())  # named as a page: reported, never stripped
    assert binutils.binutils_reason([str(tmp_path / "page.html")]) is None
    (tmp_path / "notes").write_bytes(b"MZ Wallace bags are back in stock")
    assert binutils.binutils_reason([str(tmp_path / "notes")]) is None


def test_other_strip_skips_our_scripts(tmp_path):
    ours, theirs, wrapper = tmp_path / "ours", tmp_path / "theirs", tmp_path / "wrapper"
    for folder in (ours, theirs, wrapper):
        folder.mkdir()
    own = shim(ours)
    (wrapper / "strip").write_text("#!/bin/sh\nexec python -m stripper \"$@\"\n", encoding="utf-8")
    (wrapper / "strip").chmod(0o755)
    (theirs / "strip").write_bytes(b"\x7fELF fake binutils")
    (theirs / "strip").chmod(0o755)
    path = os.pathsep.join(map(str, (ours, wrapper, theirs)))
    assert binutils.other_strip(str(own), path) == str(theirs / "strip")
    assert binutils.other_strip(str(own), os.pathsep.join(map(str, (ours, wrapper)))) is None


SYSTEM_STRIP = shutil.which("strip", path="/usr/bin:/bin")
needs_toolchain = pytest.mark.skipif(not (SYSTEM_STRIP and shutil.which("gcc")), reason="needs gcc and binutils")


@pytest.fixture
def toolchain(tmp_path):
    compile_hello(tmp_path)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = shim(bindir)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return tmp_path, script, env


@needs_toolchain
@pytest.mark.parametrize("args, src, out", [
    ([], "hello", None),
    (["-o"], "hello", "out"),
    (["--strip-debug"], "hello.o", None),
    (["-g", "-S", "-p"], "hello.o", None),
    (["--strip-all"], "hello", None),
])
def test_binutils_call_through_our_strip_is_byte_identical(toolchain, args, src, out):
    folder, script, env = toolchain
    ours, theirs = strip_both(folder, str(script), SYSTEM_STRIP, args, src, out, env)
    assert ours[0] == 0
    assert ours == theirs
    assert ours[1] != (folder / src).read_bytes()  # something was stripped


@needs_toolchain
def test_wrapper_that_calls_our_strip_back_is_passed_over(toolchain):
    # A pyenv shim is such a wrapper: it runs the first `strip` of its own PATH, which is ours again.
    folder, script, env = toolchain
    wrappers = folder / "shims"
    wrappers.mkdir()
    (wrappers / "strip").write_text(f'#!/bin/sh\nPATH="{script.parent}:$PATH" exec strip "$@"\n', encoding="utf-8")
    (wrappers / "strip").chmod(0o755)
    env = dict(env, PATH=os.pathsep.join([str(script.parent), str(wrappers), "/usr/bin", "/bin"]))
    ours, theirs = strip_both(folder, str(script), SYSTEM_STRIP, [], "hello", None, env)
    assert ours[0] == 0
    assert ours == theirs


def test_handover_chain_that_never_reaches_binutils_stops(tmp_path):
    bindir, loop = tmp_path / "bin", tmp_path / "loop"
    bindir.mkdir()
    loop.mkdir()
    script = shim(bindir)
    (loop / "strip").write_text(f'#!/bin/sh\nexec "{script}" "$@"\n', encoding="utf-8")
    (loop / "strip").chmod(0o755)
    obj = tmp_path / "prog"
    obj.write_bytes(elf_bytes())
    env = dict(os.environ, PATH=os.pathsep.join([str(bindir), str(loop)]))
    proc = subprocess.run([str(script), str(obj)], capture_output=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert b"no other `strip` is on PATH" in proc.stderr
    assert obj.read_bytes() == elf_bytes()


@needs_toolchain
def test_install_s_through_our_strip(toolchain):
    folder, script, env = toolchain
    subprocess.run(["install", "-s", str(folder / "hello"), str(folder / "installed-ours")], env=env, check=True)
    subprocess.run(["install", "-s", str(folder / "hello"), str(folder / "installed-system")], check=True)
    assert (folder / "installed-ours").read_bytes() == (folder / "installed-system").read_bytes()


def test_our_strip_still_strips_pages_and_refuses_without_binutils(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = shim(bindir)
    src = tmp_path / "page.html"
    src.write_bytes(page())
    proc = subprocess.run([str(script), str(src)], capture_output=True, env=dict(os.environ, PATH=str(bindir)))
    assert proc.returncode == 0
    assert_article(proc.stdout.decode("utf-8"))
    obj = tmp_path / "prog"
    obj.write_bytes(elf_bytes())
    proc = subprocess.run([str(script), str(obj)], capture_output=True, env=dict(os.environ, PATH=str(bindir)))
    assert proc.returncode == 2
    assert b"no other `strip` is on PATH" in proc.stderr
    assert obj.read_bytes() == elf_bytes()


def test_python_m_stripper_never_hands_over(tmp_path):
    obj = tmp_path / "prog"
    obj.write_bytes(elf_bytes())
    proc = subprocess.run([sys.executable, "-m", "stripper", "--strip-debug", str(obj)], capture_output=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 2
    assert b"No such option" in proc.stderr
    assert obj.read_bytes() == elf_bytes()


# -- properties --------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

# Short in CI; HOSTILE_PROFILE=hostile-long python -m pytest tests/test_hostile.py -k random for a campaign.
settings.register_profile("hostile-ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("hostile-long", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROPERTY = settings.get_profile(os.environ.get("HOSTILE_PROFILE", "hostile-ci"))
TAGS = ("div", "p", "span", "a", "article", "section", "h1", "h2", "table", "td", "script", "b", "br", "nav",
        "aside", "pre", "blockquote", "form")
CLASSES = ("", "content", "share-bar", "related", "ad", "comments", "article-body", "sidebar", "newsletter")
WORDS = st.sampled_from(["the", "council", "voted", "café", "naïve", "Zoë", "share", "subscribe", "bridge",
                         "rénovation", "«", "»", ",", ".", "&amp;", "<", "\u00a0", "\n", "\x01", "\x0c"])
text_runs = st.lists(WORDS, max_size=30).map(" ".join)


def _element(children):
    """An element around random children; lists hold only items (loose text in a <ul> is
    malformed, and the renderer gives it a meaning of its own)."""
    generic = st.builds(
        lambda tag, cls, text, kids, tail: f'<{tag} class="{cls}">{text}{"".join(kids)}</{tag}>{tail}',
        st.sampled_from(TAGS), st.sampled_from(CLASSES), text_runs, st.lists(children, max_size=5), text_runs)
    # Items hold inline text: the renderer prints text beside a block inside an item as a
    # paragraph, not as the item, and that page is not what this property is about.
    inline = st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>", st.sampled_from(("a", "b", "span")), text_runs)
    item = st.builds(lambda text, kids: f"<li>{text}{''.join(kids)}</li>", text_runs, st.lists(inline, max_size=2))
    lists = st.builds(lambda tag, cls, items, tail: f'<{tag} class="{cls}">{"".join(items)}</{tag}>{tail}',
                      st.sampled_from(("ul", "ol")), st.sampled_from(CLASSES), st.lists(item, max_size=4), text_runs)
    return st.one_of(generic, lists)


trees = st.recursive(text_runs, _element, max_leaves=60).map(lambda body: f"<html><body>{body}</body></html>")


def check_result(page_input, **settings_) -> stripper.Article | None:
    try:
        article = stripper.strip(page_input, **settings_)
    except StripperError:
        return None
    assert isinstance(article.text, str)
    article.text.encode("utf-8")
    return article


@PROPERTY
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_anything_else(data):
    check_result(data)


@PROPERTY
@given(st.binary(max_size=2000))
def test_random_bytes_in_gzip_never_raise_anything_else(data):
    check_result(gzip.compress(data))


@PROPERTY
@given(st.text(max_size=2000))  # any code points, lone surrogates included
def test_random_str_never_raise_anything_else(text):
    check_result(text)


def rebuild(text: str) -> str:
    """An HTML page made of the output paragraphs, lines kept with <br>."""
    from html import escape

    paras = "".join("<p>" + "<br>".join(escape(line) for line in block.split("\n")) + "</p>"
                    for block in text.split("\n\n"))
    return f"<html><body><article>{paras}</article></body></html>"


@PROPERTY
@given(trees)
def test_random_trees_give_text_and_stripping_is_idempotent(html):
    article = check_result(html)
    if article is None or not article.text:
        return
    if any(e["action"] == "revert" for e in article.removed):
        # The safety valve kept a block it judged as a whole; the rebuilt page splits it into
        # paragraphs that are judged one by one. That second look is allowed to differ.
        return
    again = check_result(rebuild(article.text))
    assert again is not None
    if any(e["rule"] == "repeated-run" for e in again.removed):
        # A passage printed twice as list items and loose text comes back as paragraphs, which the
        # repeated-run rule judges (it reads <p> only): the second copy may go on the second look.
        return
    assert fold_lines(again.text) == fold_lines(article.text)


def fold_lines(text: str) -> list[str]:
    """Lines with spacing folded: <pre> output keeps its spaces, a rebuilt <p> cannot."""
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]
