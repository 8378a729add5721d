"""The command line: every case runs twice, once through stdin and once through a file."""
from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from stripper import __version__
from stripper.cli import main

PARA = ("The council voted on Tuesday, after a long debate, to approve the new river bridge, "
        "ending a decade of delays, arguments and false starts.")
PAGE = (f"<html><head><title>Bridge approved | Daily Example</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Bridge approved</h1><p>{PARA}</p>"
        f"<p>Share this article</p><p>{PARA.upper()}</p></article></body></html>")
EXPECTED = f"Bridge approved\n\n{PARA}\n\n{PARA.upper()}\n"


@pytest.fixture(params=["stdin", "file"])
def run(request, tmp_path):
    def invoke(page: bytes | str, *args: str):
        data = page.encode("utf-8") if isinstance(page, str) else page
        runner = CliRunner()
        if request.param == "stdin":
            return runner.invoke(main, list(args), input=data)
        path = tmp_path / "page.html"
        path.write_bytes(data)
        return runner.invoke(main, [*args, str(path)])
    return invoke


def test_prints_headline_blank_line_and_paragraphs(run):
    result = run(PAGE)
    assert result.exit_code == 0
    assert result.stdout == EXPECTED


def test_no_title(run):
    assert run(PAGE, "--no-title").stdout == f"{PARA}\n\n{PARA.upper()}\n"


def test_gzip_input(run):
    assert run(gzip.compress(PAGE.encode())).stdout == EXPECTED


def test_page_without_article_exits_3(run):
    result = run("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert result.exit_code == 3
    assert "no article text found" in result.stderr


def test_output_file(run, tmp_path):
    out = tmp_path / "out.txt"
    result = run(PAGE, "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == EXPECTED


def test_unwritable_output_file_is_one_line_and_exit_1(run, tmp_path):
    out = tmp_path / "missing" / "out.txt"
    result = run(PAGE, "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"strip: cannot write {out}: No such file or directory\n"


def test_several_files_get_headers(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text(PAGE, encoding="utf-8")
    b.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, [str(a), str(b)])
    assert result.stdout == f"==> {a} <==\n{EXPECTED}\n==> {b} <==\n{EXPECTED}"


def test_missing_file_is_reported_and_others_still_run(tmp_path):
    good = tmp_path / "good.html"
    good.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, [str(tmp_path / "missing.html"), str(good)])
    assert result.exit_code == 1
    assert "missing.html" in result.stderr
    assert PARA in result.stdout


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert __version__ in result.stdout


def test_json_output_reads_the_metadata_text_output_does_not_print(run):
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "Ann Lee"}, '
          '"datePublished": "2025-05-14"}</script>')
    page = PAGE.replace("</head>", ld + "</head>")
    record = json.loads(run(page, "--format", "json").stdout)
    assert (record["author"], record["published"]) == ("Ann Lee", "2025-05-14")
    line = json.loads(run(page, "--format", "jsonl").stdout)
    assert line["author"] == "Ann Lee"
    assert run(page).stdout == EXPECTED
