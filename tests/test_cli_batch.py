"""The batch side of the `strip` command: directories, -o rules, --files-from, jsonl, exit codes."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from stripper import batch
from stripper.cli import main
from stripper.progress import PlainReporter, RichReporter
from tests.batch_pages import make_site, page, tree, write

REPO = Path(__file__).resolve().parent.parent
SITE_OUTPUTS = ["a.txt", "b.txt", os.path.join("news", "c.txt"), os.path.join("news", "deep", "d.txt"),
                os.path.join("news", "empty.txt")]


def strip(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.fixture
def site(tmp_path):
    return Path(make_site(tmp_path / "in"))


def test_directory_to_outdir_mirrors_the_tree(site, tmp_path):
    result = strip(site, "-o", tmp_path / "out", "-j", "2")
    assert result.exit_code == 0, result.output
    files = tree(tmp_path / "out")
    assert sorted(files) == SITE_OUTPUTS
    assert files["a.txt"].decode().startswith("Alpha\n\nThe council met on Tuesday")


def test_summary_is_one_plain_line_on_a_pipe(site, tmp_path):
    result = strip(site, "-o", tmp_path / "out")
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith(
        "strip: 5 files: 4 cleaned, 1 no article, 1 paywalled, 0 skipped, 0 failed in ")
    assert len(result.stderr.splitlines()) == 1


def test_failures_are_named_and_exit_1(site, tmp_path):
    (site / "bad.html.gz").write_bytes(b"\x1f\x8bnot gzip")
    result = strip(site, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"strip: {site / 'bad.html.gz'}: broken gzip data" in result.stderr
    assert "4 cleaned, 1 no article, 1 paywalled, 0 skipped, 1 failed" in result.stderr
    assert sorted(tree(tmp_path / "out")) == SITE_OUTPUTS


def test_quiet_prints_failures_only(site, tmp_path):
    (site / "bad.html.gz").write_bytes(b"\x1f\x8bnot gzip")
    result = strip(site, "-o", tmp_path / "out", "--quiet")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"strip: {site / 'bad.html.gz'}: broken gzip data (")


def test_no_article_is_counted_not_failed(tmp_path):
    write(tmp_path / "in" / "empty.html", "<html><body></body></html>")
    result = strip(tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "0 cleaned, 1 no article" in result.stderr


def test_glob_picks_inputs(site, tmp_path):
    result = strip(site, "-o", tmp_path / "out", "--glob", "*.htm", "--glob", "*.css")
    assert result.exit_code == 0
    assert sorted(tree(tmp_path / "out")) == ["b.txt", "style.txt"]


def test_skip_existing_keeps_outputs(site, tmp_path):
    strip(site, "-o", tmp_path / "out")
    (tmp_path / "out" / "a.txt").write_text("kept")
    result = strip(site, "-o", tmp_path / "out", "--skip-existing")
    assert result.exit_code == 0
    assert "0 cleaned, 0 no article, 0 paywalled, 5 skipped" in result.stderr
    assert (tmp_path / "out" / "a.txt").read_text() == "kept"


# -- what -o means ------------------------------------------------------------

def test_several_files_and_o_with_a_slash_write_one_file_each(site, tmp_path):
    result = strip(site / "a.html", site / "news" / "c.html.gz", "-o", f"{tmp_path / 'out'}/")
    assert result.exit_code == 0
    assert sorted(tree(tmp_path / "out")) == ["a.txt", "c.txt"]


def test_one_file_and_an_existing_directory(site, tmp_path):
    (tmp_path / "out").mkdir()
    result = strip(site / "a.html", "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "The council met" in (tmp_path / "out" / "a.txt").read_text()


def test_one_file_and_o_file_still_writes_that_file(site, tmp_path):
    result = strip(site / "a.html", "-o", tmp_path / "a.txt")
    assert result.exit_code == 0
    assert (tmp_path / "a.txt").read_text().startswith("Alpha\n\nThe council met")


def test_several_files_and_o_new_name_is_ambiguous(site, tmp_path):
    result = strip(site / "a.html", site / "b.htm", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "end it with /" in result.stderr
    assert not (tmp_path / "out").exists()


def test_directory_without_o_needs_a_destination(site):
    result = strip(site)
    assert result.exit_code == 2
    assert "-o DIR/" in result.stderr


def test_directory_into_an_existing_file_is_an_error(site, tmp_path):
    write(tmp_path / "file", "x")
    result = strip(site, "-o", tmp_path / "file")
    assert result.exit_code == 2
    assert "not a directory" in result.stderr


def test_outdir_equal_to_input_is_an_error(site):
    result = strip(site, "-o", site)
    assert result.exit_code == 2
    assert "is an input directory" in result.stderr


def test_outdir_inside_the_input_is_not_walked(site):
    first = strip(site, "-o", site / "out", "--glob", "*")
    second = strip(site, "-o", site / "out", "--glob", "*")
    assert first.exit_code == second.exit_code == 0
    assert "7 files" in first.stderr and "7 files" in second.stderr
    assert not (site / "out" / "out").exists()


def test_o_equal_to_the_input_file_is_refused(site):
    before = (site / "a.html").read_bytes()
    result = strip(site / "a.html", "-o", site / "a.html")
    assert result.exit_code == 2
    assert (site / "a.html").read_bytes() == before


def test_stdin_cannot_join_a_batch(site, tmp_path):
    result = strip(site, "-", "-o", tmp_path / "out", input=page("X"))
    assert result.exit_code == 2
    assert "standard input" in result.stderr


def test_stdin_into_a_directory_is_refused(tmp_path):
    result = strip("-o", f"{tmp_path / 'out'}/", "--url", "https://example.com/a", input=page("X"))
    assert result.exit_code == 2
    assert "standard input" in result.stderr


def test_several_files_to_stdout_keep_their_headers(site):
    result = strip(site / "a.html", site / "b.htm")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"==> {site / 'a.html'} <==\nAlpha\n")
    assert f"\n==> {site / 'b.htm'} <==\nBeta\n" in result.stdout


# -- --files-from ----------------------------------------------------------------

@pytest.mark.parametrize("via", ["stdin", "file"])
def test_files_from_nul_separated(site, tmp_path, monkeypatch, via):
    monkeypatch.chdir(site)
    names = b"a.html\0news/c.html.gz\0news\0"
    if via == "stdin":
        result = strip("--files-from", "-", "-0", "-o", tmp_path / "out", input=names)
    else:
        write(tmp_path / "list", names)
        result = strip("--files-from", tmp_path / "list", "-0", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(tree(tmp_path / "out")) == ["a.txt", os.path.join("news", "c.txt")]


@pytest.mark.parametrize("via", ["stdin", "file"])
def test_files_from_lines_with_odd_names(tmp_path, monkeypatch, via):
    monkeypatch.chdir(tmp_path)
    write("in/with space.html", page("Spaced"))
    write("in/caf\u00e9.html", page("Accented"))
    names = "in/with space.html\nin/caf\u00e9.html\n".encode()
    if via == "stdin":
        result = strip("--files-from", "-", "-o", "out", input=names)
    else:
        write("list.txt", names)
        result = strip("--files-from", "list.txt", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "Spaced" in Path("out/in/with space.txt").read_text()
    assert "Accented" in Path("out/in/caf\u00e9.txt").read_text()


def test_null_without_files_from_is_a_usage_error(site, tmp_path):
    assert strip(site, "-0", "-o", tmp_path / "out").exit_code == 2


# -- jsonl streaming -----------------------------------------------------------

def test_jsonl_streams_one_object_per_input(site):
    (site / "bad.html.gz").write_bytes(b"\x1f\x8bnot gzip")
    result = strip(site, "--format", "jsonl", "-j", "2")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [os.path.basename(r["path"]) for r in records] == [
        "a.html", "b.htm", "bad.html.gz", "c.html.gz", "empty.html", "d.xhtml"]
    assert records[0]["title"] == "Alpha" and records[0]["text"].startswith("The council met on Tuesday")
    assert set(records[0]) >= {"path", "url", "title", "text", "word_count", "paywall", "removed"}
    assert records[2]["error"].startswith("broken gzip data")
    assert records[5]["paywall"]["detected"] is True


@pytest.mark.parametrize("via", ["stdin", "file"])
def test_jsonl_for_one_page(site, via):
    if via == "stdin":
        result = strip("--format", "jsonl", input=(site / "a.html").read_bytes())
        path = None
    else:
        result = strip(site / "a.html", "--format", "jsonl")
        path = str(site / "a.html")
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["path"] == path and record["title"] == "Alpha"


def test_jsonl_into_a_directory_writes_jsonl_files(site, tmp_path):
    result = strip(site, "--format", "jsonl", "-o", tmp_path / "out")
    assert result.exit_code == 0
    record = json.loads((tmp_path / "out" / "a.jsonl").read_text())
    assert record["title"] == "Alpha"


def test_jsonl_paths_with_newlines_stay_one_line(tmp_path):
    write(tmp_path / "in" / "two\nlines.html", page("Newline"))
    result = strip(tmp_path / "in", "--format", "jsonl")
    [line] = result.stdout.splitlines()
    assert json.loads(line)["path"].endswith("two\nlines.html")


# -- the reporters ----------------------------------------------------------------

def a_summary() -> batch.Summary:
    summary = batch.Summary(files=3, cleaned=1, no_article=1, seconds=2.0)
    summary.failed.append(("x\ny.html", "broken gzip data"))
    return summary


def test_plain_reporter_lines():
    out = io.StringIO()
    reporter = PlainReporter(out)
    reporter.update(batch.Result(batch.Task("x\ny.html"), "failed", error="broken gzip data"))
    reporter.finish(a_summary())
    assert out.getvalue().splitlines() == [
        "strip: x\\ny.html: broken gzip data",
        "strip: 3 files: 1 cleaned, 1 no article, 0 paywalled, 0 skipped, 1 failed in 2.0 s (1.5 pages/s)"]


def test_rich_reporter_table_names_failures():
    out = io.StringIO()
    reporter = RichReporter(out)
    reporter.start(3)
    reporter.update(batch.Result(batch.Task("[bold]odd.html"), "cleaned"))
    reporter.finish(a_summary())
    text = out.getvalue()
    assert "no article" in text and "pages/s" in text
    assert "failed: x\\ny.html: broken gzip data" in text


# -- killing the whole command ---------------------------------------------------

def start_batch(pages: Path, out: Path, *args: str) -> subprocess.Popen:
    """Run a batch in its own process and return once it has written a few outputs."""
    proc = subprocess.Popen([sys.executable, "-m", "stripper", str(pages), "-o", str(out), *args],
                            cwd=REPO, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None and len(os.listdir(out) if out.exists() else ()) < 20:
        time.sleep(0.01)
    return proc


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def gone(pids: list[int], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not any(os.path.exists(f"/proc/{pid}") and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]
                   for pid in pids):
            return True
        time.sleep(0.05)
    return False


def many_pages(root: Path, n: int = 1000) -> dict[str, str]:
    """Enough pages that a batch is still running when a test interrupts it after 20 outputs."""
    for i in range(n):
        write(root / f"p{i:03}.html", page(f"Page {i}"))
    return {f"p{i:03}.txt": f"Page {i}" for i in range(n)}


def test_kill_9_mid_batch_leaves_only_whole_outputs_and_resume_completes(tmp_path):
    expected = many_pages(tmp_path / "in")
    out = tmp_path / "out"
    proc = start_batch(tmp_path / "in", out, "-j", "2")
    assert proc.poll() is None, "the batch finished before the test could interrupt it"
    workers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert gone(workers), "workers outlived their parent"
    done = tree(out)
    finals = {name: data for name, data in done.items() if not name.startswith(batch.TMP_PREFIX)}
    assert finals, "the batch was killed before writing anything"
    for name, data in finals.items():  # every final file is a whole output
        assert data.decode().startswith(expected[name] + "\n\nThe council met")
        assert data.decode().endswith("within three years.\n")
    result = subprocess.run([sys.executable, "-m", "stripper", str(tmp_path / "in"), "-o", str(out),
                             "--skip-existing"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    again = tree(out)
    assert sorted(again) == sorted(expected)  # no stray temporary file either
    assert all(again[name].decode().startswith(title) for name, title in expected.items())


def test_ctrl_c_stops_cleanly_with_a_summary(tmp_path):
    many_pages(tmp_path / "in")
    out = tmp_path / "out"
    # The names come through a pipe the test keeps open, so the batch is still running (on its
    # pages, or waiting for more names) when Ctrl-C comes, however busy the machine is.
    proc = subprocess.Popen([sys.executable, "-m", "stripper", "--files-from", "-", "-o", str(out), "-j", "2"],
                            cwd=REPO, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write("".join(f"{path}\n" for path in sorted((tmp_path / "in").iterdir())))
    proc.stdin.flush()
    while proc.poll() is None and sum(len(files) for _, _, files in os.walk(out)) < 20:
        time.sleep(0.01)  # (listed names' outputs go under OUTDIR/<path as listed>)
    assert proc.poll() is None
    workers = children(proc.pid)
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read()
    proc.wait()
    proc.stdin.close()
    assert proc.returncode == 130
    assert err.splitlines()[-1].startswith("strip: interrupted after ")
    assert "Traceback" not in err
    assert gone(workers)
    assert not [name for _, _, files in os.walk(out) for name in files if name.startswith(batch.TMP_PREFIX)]
