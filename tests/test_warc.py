"""WARC input: reading records, truncation, names, and the `strip` command on WARC files."""
from __future__ import annotations

import io
import json
import os
import re
import sys
from collections import Counter

import pytest
from click.testing import CliRunner

pytest.importorskip("warcio")

from stripper import warc  # noqa: E402
from stripper.cli import main  # noqa: E402
from stripper.errors import InputError  # noqa: E402
from tests.batch_pages import page, tree  # noqa: E402
from tests.warc_pages import news, write_warc  # noqa: E402

LATIN1 = ("<html><head><title>Caf\xe9 news</title></head><body><article><h1>Caf\xe9 news</h1>"
          + "<p>The caf\xe9 on the corner reopened on Tuesday after a long renovation, its owner said.</p>" * 3
          + "</article></body></html>").encode("latin-1")


def strip(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(params=["file", "stdin"])
def strip_warc(request):
    """`strip WARC ARGS…`, or the WARC piped into `strip ARGS…`; `.folder` is where -o puts its pages."""
    def invoke(path, *args):
        if request.param == "file":
            return CliRunner().invoke(main, [str(path), *map(str, args)])
        with open(path, "rb") as fh:
            return CliRunner().invoke(main, list(map(str, args)), input=fh.read())
    invoke.via = request.param
    invoke.label = (lambda path: str(path)) if request.param == "file" else (lambda path: "-")
    invoke.folder = (lambda path: os.path.basename(str(path)).split(".")[0]) if request.param == "file" \
        else (lambda path: "stdin")
    return invoke


def read(path, **kw):
    with open(path, "rb") as fh:
        return list(warc.records(fh, max_bytes=1 << 20, **kw))


@pytest.fixture(params=[True, False], ids=["gzip", "plain"])
def crawl(request, tmp_path):
    pages = news(3) + [("https://example.com/feed.json", '{"a": 1}', "application/json")]
    name = "crawl.warc.gz" if request.param else "crawl.warc"
    return write_warc(tmp_path / name, pages, gzip=request.param)


def test_records_are_the_html_responses_in_order(crawl):
    records = read(crawl)
    assert [r.uri for r in records] == [f"https://example.com/news/story-{i}" for i in range(3)]


def test_record_has_id_charset_and_body(crawl):
    record = read(crawl)[0]
    assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", record.record_id)
    assert record.charset == "utf-8"
    assert record.body.startswith(b"<html><head><title>Story 0</title>")


def test_other_records_are_counted_as_skipped(crawl):
    skipped = Counter()
    read(crawl, skipped=skipped)
    assert skipped == {"warcinfo": 1, "request": 4, "not HTML": 2}  # the JSON feed and the image


def test_page_without_content_type_is_sniffed(tmp_path):
    path = write_warc(tmp_path / "c.warc", [("https://example.com/a", page("A"), None),
                                            ("https://example.com/b", "just some words", None)], extras=False)
    assert [r.uri for r in read(path)] == ["https://example.com/a"]


def test_xhtml_is_a_page(tmp_path):
    path = write_warc(tmp_path / "c.warc", [("https://example.com/a", page("A"), "application/xhtml+xml")],
                      extras=False)
    assert [r.uri for r in read(path)] == ["https://example.com/a"]


def test_page_larger_than_the_limit_is_a_record_error(crawl):
    with open(crawl, "rb") as fh:
        records = list(warc.records(fh, max_bytes=100))
    assert [r.error for r in records] == ["page is larger than the --max-bytes limit (100 bytes)"] * 3
    assert records[0].body == b""


def cut_inside_third_page(path) -> bytes:
    data = open(path, "rb").read()
    third = read(path)[2]
    return data[:third.offset + 200]  # headers read, body cut


def test_truncated_warc_yields_whole_records_then_fails(crawl):
    data = cut_inside_third_page(crawl)
    got = []
    with pytest.raises(InputError, match=r"^truncated WARC: "):
        for record in warc.records(io.BytesIO(data), max_bytes=1 << 20):
            got.append(record.uri)
    assert got == ["https://example.com/news/story-0", "https://example.com/news/story-1"]


@pytest.mark.parametrize("cut", [6, 8, 30])  # a plain WARC ends with 4 bytes of blank lines
def test_warc_cut_near_its_end_is_truncated(crawl, cut):
    data = open(crawl, "rb").read()
    with pytest.raises(InputError, match=r"^truncated WARC: "):
        list(warc.records(io.BytesIO(data[:-cut]), max_bytes=1 << 20))


@pytest.mark.parametrize("cut", [1, 4])
def test_gzip_warc_without_its_last_checksum_is_truncated(tmp_path, cut):
    data = open(write_warc(tmp_path / "c.warc.gz", news(1), extras=False), "rb").read()
    with pytest.raises(InputError, match=r"lacks the end of its gzip data"):
        list(warc.records(io.BytesIO(data[:-cut]), max_bytes=1 << 20))


def test_garbage_between_records_is_corrupt(tmp_path):
    path = write_warc(tmp_path / "c.warc", news(2), extras=False, gzip=False)
    data = open(path, "rb").read()
    second = read(path)[1].offset
    broken = data[:second] + b"this is not a record\r\n\r\n" + data[second:]
    got = []
    with pytest.raises(InputError, match=r"^corrupt"):
        for record in warc.records(io.BytesIO(broken), max_bytes=1 << 20):
            got.append(record.uri)
    assert got == ["https://example.com/news/story-0"]


def test_chunks_read_by_offset_give_every_record_once(tmp_path):
    path = write_warc(tmp_path / "c.warc.gz", news(7))
    with open(path, "rb") as fh:
        offsets, pages, skipped, error = warc.chunk_offsets(fh, max_bytes=1 << 20, every=3)
    assert (len(offsets), pages, error) == (3, 7, None)
    assert skipped == {"warcinfo": 1, "request": 7, "not HTML": 1}
    ends = offsets[1:] + [None]
    got = []
    for start, end in zip(offsets, ends):
        with open(path, "rb") as fh:
            got += [r.uri for r in warc.records(fh, max_bytes=1 << 20, start=start, end=end)]
    assert got == [uri for uri, _, _ in news(7)]


def test_chunk_offsets_report_truncation(crawl):
    data = cut_inside_third_page(crawl)
    offsets, pages, _, error = warc.chunk_offsets(io.BytesIO(data), max_bytes=1 << 20, every=1)
    assert pages == 2
    assert error.startswith("truncated WARC")


# -- output names ---------------------------------------------------------------

def name_of(uri, record_id="<urn:uuid:1>"):
    return warc.record_name(warc.Record(uri, record_id, None, b""), ".txt")


def test_record_name_is_a_slug_and_a_hash():
    assert re.fullmatch(r"example\.com-news-2024-big-story\.html-[0-9a-f]{10}\.txt",
                        name_of("https://Example.com/news/2024/Big%20Story.html"))


def test_record_name_keeps_captures_of_one_uri_apart():
    assert name_of("https://example.com/a", "<urn:uuid:1>") != name_of("https://example.com/a", "<urn:uuid:2>")


def test_record_name_is_short_and_safe():
    name = name_of("https://example.com/" + "../" * 40 + "x?q=" + "é" * 100)
    assert len(name) <= warc.SLUG_CHARS + 1 + warc.HASH_CHARS + 4
    assert "/" not in name and not name.startswith(".")


def test_record_name_of_an_odd_uri():
    assert name_of("http://[oops/").startswith("http-oops-")
    assert name_of("").startswith("record-")


# -- the strip command on WARC files ------------------------------------------------

def test_jsonl_gives_one_object_per_page(crawl, strip_warc):
    result = strip_warc(crawl, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["url"] for line in lines] == [f"https://example.com/news/story-{i}" for i in range(3)]
    assert all(line["warc_record_id"].startswith("<urn:uuid:") for line in lines)
    assert lines[1]["title"] == "Story 1"
    assert lines[1]["text"].startswith("The council met on Tuesday")
    assert lines[1]["path"] == strip_warc.label(crawl)


def test_text_output_heads_each_page_with_its_uri(crawl, strip_warc):
    result = strip_warc(crawl)
    assert result.exit_code == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("==> ")]
    assert headers == [f"==> https://example.com/news/story-{i} <==" for i in range(3)]
    assert "\n\n==> https://example.com/news/story-1 <==\nStory 1\n\nThe council" in result.stdout


def test_summary_counts_pages_and_skipped_records(crawl, strip_warc):
    result = strip_warc(crawl, "--format", "jsonl")
    assert result.stderr.startswith("strip: 3 pages: 3 cleaned, 0 no article")
    assert result.stderr.rstrip().endswith("; 7 non-HTML WARC records skipped")


def test_http_charset_decodes_the_page(tmp_path, strip_warc):
    path = write_warc(tmp_path / "c.warc.gz", [("https://example.com/cafe", LATIN1, "text/html; charset=ISO-8859-1")])
    result = strip_warc(path, "--format", "jsonl")
    line = json.loads(result.stdout)
    assert line["title"] == "Café news"
    assert "The café on the corner" in line["text"]


def test_outdir_gets_one_file_per_page(crawl, tmp_path, strip_warc):
    result = strip_warc(crawl, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    files = tree(tmp_path / "out")
    folder = strip_warc.folder(crawl)
    assert sorted(os.path.dirname(name) for name in files) == [folder] * 3
    names = sorted(os.path.basename(name) for name in files)
    assert [n[:-len("-0123456789.txt")] for n in names] == [f"example.com-news-story-{i}" for i in range(3)]
    story = next(body for name, body in files.items() if "story-2-" in name)
    assert story.decode().startswith("Story 2\n\nThe council met on Tuesday")


def test_outdir_names_are_the_same_every_run(crawl, tmp_path):
    strip(crawl, "-o", tmp_path / "one")
    strip(crawl, "-o", tmp_path / "two", "-j", "2")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_skip_existing_resumes_a_warc(crawl, tmp_path):
    strip(crawl, "-o", tmp_path / "out")
    result = strip(crawl, "-o", tmp_path / "out", "--skip-existing")
    assert "3 pages: 0 cleaned, 0 no article, 0 paywalled, 3 skipped" in result.stderr


def test_truncated_warc_fails_with_one_line_and_keeps_what_was_read(crawl, tmp_path, strip_warc):
    cut = tmp_path / ("cut" + crawl[crawl.index(".warc"):])
    cut.write_bytes(cut_inside_third_page(crawl))
    result = strip_warc(cut, "-o", tmp_path / "out", "-q")
    assert result.exit_code == 1
    assert re.fullmatch(rf"strip: {re.escape(strip_warc.label(cut))}: truncated WARC: [^\n]+\n", result.stderr)
    assert len(tree(tmp_path / "out")) == 2


def test_truncated_warc_streams_what_was_read_and_an_error_record(crawl, tmp_path, strip_warc):
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(cut_inside_third_page(crawl))
    result = strip_warc(cut, "--format", "jsonl")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("url") for line in lines] == ["https://example.com/news/story-0",
                                                   "https://example.com/news/story-1", None]
    assert lines[-1]["error"].startswith("truncated WARC")
    assert result.exit_code == 1


def test_directory_of_warcs_and_pages(tmp_path):
    folder = tmp_path / "in"
    write_warc(folder / "a.warc.gz", news(2))
    write_warc(folder / "sub" / "b.warc", news(1, 5), gzip=False)
    (folder / "page.html").write_text(page("Loose page"))
    result = strip(folder, "-o", tmp_path / "out", "-j", "2")
    assert result.exit_code == 0, result.stderr
    names = sorted(tree(tmp_path / "out"))
    assert [os.path.dirname(n) for n in names] == ["a", "a", "", os.path.join("sub", "b")]
    assert "page.txt" in names


def test_url_with_a_warc_is_a_usage_error(crawl, strip_warc):
    result = strip_warc(crawl, "--url", "https://example.com/")
    assert result.exit_code == 2
    assert "target URI" in result.stderr


def test_stdin_that_is_not_a_warc_is_one_page():
    result = CliRunner().invoke(main, [], input=page("Alpha").encode())
    assert result.stdout.startswith("Alpha\n\nThe council met")


@pytest.mark.parametrize("head, answer", [(b"WARC/1.1\r\n", True), (b"<html>", False), (b"", False)])
def test_looks_like_warc(head, answer):
    import gzip

    assert warc.looks_like_warc(head) is answer
    assert warc.looks_like_warc(gzip.compress(head + b"x" * 100)[:40]) is answer


def test_a_gzipped_warc_is_told_from_its_start(crawl):
    assert warc.looks_like_warc(open(crawl, "rb").read(2048))


def test_without_warcio_a_message_says_how_to_install(crawl, monkeypatch):
    for name in [m for m in sys.modules if m == "warcio" or m.startswith("warcio.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "warcio", None)  # import warcio now fails
    result = strip(crawl, "--format", "jsonl")
    assert result.exit_code == 2
    assert result.stderr == f"strip: {warc.INSTALL_HINT}\n"
    assert result.stdout == ""
