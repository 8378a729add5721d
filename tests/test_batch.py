"""stripper.batch and stripper.pool: planning (walk, globs, output paths), workers, atomic writes, resuming."""
from __future__ import annotations

import io
import json
import os
import signal
import time

import pytest

from stripper import Options, batch, pool
from stripper.errors import BatchError
from tests.batch_pages import EMPTY, make_site, page, tree, write


def rel_tasks(tasks, root, outdir):
    return [(os.path.relpath(t.path, root), t.dest and os.path.relpath(t.dest, outdir), t.error) for t in tasks]


# -- planning -----------------------------------------------------------------

def test_walk_takes_default_pages_in_sorted_order(tmp_path):
    root = make_site(tmp_path / "in")
    found = [rel for _, rel, _ in batch.walk(root, batch.compile_globs(batch.DEFAULT_GLOBS))]
    assert found == ["a.html", "b.htm", os.path.join("news", "c.html.gz"), os.path.join("news", "empty.html"),
                     os.path.join("news", "deep", "d.xhtml")]


def test_glob_is_case_blind_and_repeatable(tmp_path):
    write(tmp_path / "in" / "UPPER.HTML", page("Upper"))
    write(tmp_path / "in" / "page.php", page("Php"))
    write(tmp_path / "in" / "page.asp", page("Asp"))
    matches = batch.compile_globs(["*.html", "*.php"])
    assert sorted(rel for _, rel, _ in batch.walk(str(tmp_path / "in"), matches)) == ["UPPER.HTML", "page.php"]


def test_glob_with_a_slash_matches_the_relative_path(tmp_path):
    write(tmp_path / "in" / "keep" / "a.html", page("A"))
    write(tmp_path / "in" / "skip" / "b.html", page("B"))
    matches = batch.compile_globs(["keep/*.html"])
    assert [rel for _, rel, _ in batch.walk(str(tmp_path / "in"), matches)] == [os.path.join("keep", "a.html")]


@pytest.mark.parametrize("name, fmt, expected", [
    ("page.html", "text", "page.txt"),
    ("page.html.gz", "text", "page.txt"),
    ("page.HTM.GZ", "text", "page.txt"),
    ("story.2024.xhtml", "text", "story.2024.txt"),
    ("noextension", "text", "noextension.txt"),
    ("page.html", "jsonl", "page.jsonl"),
    ("page.html", "markdown", "page.md"),
    ("page.html", "some-new-format", "page.txt"),
])
def test_output_name_follows_the_format(name, fmt, expected):
    assert batch.output_name(name, fmt) == expected


def test_outputs_mirror_the_tree_and_direct_files_go_to_the_top(tmp_path):
    root = make_site(tmp_path / "in")
    single = write(tmp_path / "elsewhere" / "single.html", page("Single"))
    out = str(tmp_path / "out")
    tasks = list(batch.iter_tasks([root, single], out))
    dests = sorted(os.path.relpath(t.dest, out) for t in tasks)
    assert dests == ["a.txt", "b.txt", os.path.join("news", "c.txt"), os.path.join("news", "deep", "d.txt"),
                     os.path.join("news", "empty.txt"), "single.txt"]


def test_listed_names_keep_their_path_and_directories_are_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("in/x/a.html", page("A"))
    out = str(tmp_path / "out")
    tasks = list(batch.iter_tasks([], out, listed=["./in/x/a.html", "in/x", "../up.html"]))
    assert [(t.path, t.dest and os.path.relpath(t.dest, out)) for t in tasks] == [
        ("./in/x/a.html", os.path.join("in", "x", "a.txt")), ("../up.html", None)]
    assert "leave the output directory" in tasks[1].error


def test_two_inputs_with_one_output_name_are_refused_not_overwritten(tmp_path):
    write(tmp_path / "in" / "a.html", page("A"))
    write(tmp_path / "in" / "a.htm", page("A too"))
    out = str(tmp_path / "out")
    tasks = list(batch.iter_tasks([str(tmp_path / "in")], out))
    # Sorted order decides, so a resumed batch refuses the same one: a.htm comes before a.html.
    assert [os.path.basename(t.path) for t in tasks] == ["a.htm", "a.html"]
    assert tasks[0].error is None
    assert tasks[1].error == "has the same output file as " + str(tmp_path / "in" / "a.htm")


def test_direct_files_with_one_basename_collide(tmp_path):
    one = write(tmp_path / "x" / "page.html", page("X"))
    two = write(tmp_path / "y" / "page.html", page("Y"))
    tasks = list(batch.iter_tasks([one, two], str(tmp_path / "out")))
    assert tasks[0].error is None
    assert tasks[1].error.startswith("has the same output file as")


def test_outdir_inside_the_input_tree_is_not_walked(tmp_path):
    root = make_site(tmp_path / "in")
    out = os.path.join(root, "out")
    write(os.path.join(out, "old.html"), page("Old output"))
    batch.open_outdir(out)
    paths = [t.path for t in batch.iter_tasks([root], out)]
    assert paths and not any(p.startswith(out) for p in paths)


def test_outdir_equal_to_an_input_directory_is_an_error(tmp_path):
    root = make_site(tmp_path / "in")
    with pytest.raises(BatchError, match="is an input directory"):
        batch.iter_tasks([root], root)


def test_open_outdir_refuses_a_file(tmp_path):
    write(tmp_path / "file", "x")
    with pytest.raises(BatchError, match="not a directory"):
        batch.open_outdir(str(tmp_path / "file"))


def test_symlink_loop_terminates_and_lists_each_file_once(tmp_path):
    root = make_site(tmp_path / "in")
    os.symlink(root, os.path.join(root, "news", "loop"))
    os.symlink(os.path.join(root, "news"), os.path.join(root, "news", "deep", "back"))
    found = [rel for _, rel, _ in batch.walk(root, batch.compile_globs(batch.DEFAULT_GLOBS))]
    assert len(found) == 5
    assert len({os.path.basename(r) for r in found}) == 5


def test_an_unlistable_directory_is_reported(tmp_path, monkeypatch):
    root = make_site(tmp_path / "in")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "deep":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = list(batch.walk(root, batch.compile_globs(batch.DEFAULT_GLOBS)))
    errors = [(os.path.basename(p), e) for p, _, e in items if e]
    assert errors == [("deep", "cannot list directory: Permission denied")]
    assert len(items) == 5  # four pages and the error


@pytest.mark.parametrize("data, null, expected", [
    (b"a.html\nb c.html\n", False, ["a.html", "b c.html"]),
    (b"a.html\r\nb.html", False, ["a.html", "b.html"]),
    (b"a\nb.html\0c.html\0", True, ["a\nb.html", "c.html"]),
    (b"\n\nx.html\n\n", False, ["x.html"]),
    ("caf\u00e9.html\0".encode() + b"\xff.html", True, ["caf\u00e9.html", os.fsdecode(b"\xff.html")]),
])
def test_read_names(data, null, expected):
    assert list(batch.read_names(io.BytesIO(data), null, chunk_size=3)) == expected


def test_display_name_is_one_printable_line():
    assert batch.display_name("a\nb\tc.html") == "a\\nb\\tc.html"
    assert batch.display_name(os.fsdecode(b"caf\xe9.html")) == "caf\\xe9.html"
    assert batch.display_name("café.html") == "café.html"


# -- running ------------------------------------------------------------------

def test_run_writes_every_output_and_counts(tmp_path):
    root = make_site(tmp_path / "in")
    out = str(tmp_path / "out")
    batch.open_outdir(out)
    seen = []
    summary = batch.run(batch.iter_tasks([root], out), Options(), jobs=2, on_result=seen.append)
    files = tree(out)
    assert sorted(files) == ["a.txt", "b.txt", os.path.join("news", "c.txt"), os.path.join("news", "deep", "d.txt"),
                             os.path.join("news", "empty.txt")]
    assert files["a.txt"].decode().startswith("Alpha\n\nThe council met on Tuesday")
    assert "Monday" in files["b.txt"].decode()
    assert "Gamma" in files[os.path.join("news", "c.txt")].decode()
    assert "Subscribe to continue reading" not in files[os.path.join("news", "deep", "d.txt")].decode()
    assert (summary.files, summary.cleaned, summary.no_article, summary.paywalled, summary.failed) == (5, 4, 1, 1, [])
    assert len(seen) == 5


def test_the_heap_is_frozen_for_the_batch_only(tmp_path):
    import gc

    root = make_site(tmp_path / "in")
    counts = []
    batch.run(batch.iter_tasks([root], str(tmp_path / "out")), Options(), jobs=1,
              on_result=lambda result: counts.append(gc.get_freeze_count()))
    assert len(counts) == 5 and min(counts) > 1000  # the rules and caches loaded before the batch
    assert gc.get_freeze_count() == 0


def test_failures_are_counted_and_the_rest_go_on(tmp_path):
    root = make_site(tmp_path / "in")
    write(os.path.join(root, "broken.html.gz"), b"")
    with open(os.path.join(root, "broken.html.gz"), "wb") as fh:
        fh.write(b"\x1f\x8bnot gzip at all")
    os.symlink(os.path.join(root, "gone.html"), os.path.join(root, "dangling.html"))
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([root], out), Options(), jobs=2)
    failed = {os.path.basename(p): e for p, e in summary.failed}
    assert sorted(failed) == ["broken.html.gz", "dangling.html"]
    assert "gzip" in failed["broken.html.gz"]
    assert "No such file" in failed["dangling.html"]
    assert summary.cleaned == 4
    assert not os.path.exists(os.path.join(out, "broken.txt"))


def test_an_output_that_is_the_input_is_refused(tmp_path):
    src = write(tmp_path / "d" / "x.txt", "<p>keep me</p>")
    summary = batch.run(batch.iter_tasks([src], str(tmp_path / "d")), Options())
    assert summary.failed and "refusing to overwrite" in summary.failed[0][1]
    assert open(src).read() == "<p>keep me</p>"


def test_weird_names_round_trip(tmp_path):
    names = ["with space.html", "new\nline.html", "caf\u00e9 \u65e5\u672c.html", os.fsdecode(b"bad\xffbyte.html")]
    for i, name in enumerate(names):
        write(os.path.join(tmp_path, "in", name), page(f"Title {i}"))
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([str(tmp_path / "in")], out), Options())
    assert summary.cleaned == 4
    assert sorted(os.listdir(out)) == sorted(n[:-5] + ".txt" for n in names)
    assert "Title 1" in open(os.path.join(out, "new\nline.txt"), encoding="utf-8").read()


def test_stream_is_in_input_order_and_parses_line_by_line(tmp_path):
    root = make_site(tmp_path / "in")
    write(os.path.join(root, "zz-missing.html"), b"")
    os.unlink(os.path.join(root, "zz-missing.html"))
    os.symlink("nowhere", os.path.join(root, "zz-missing.html"))
    buf = io.BytesIO()
    batch.run(batch.iter_tasks([root]), Options(output_format="jsonl"), jobs=2, stream=buf)
    records = [json.loads(line) for line in buf.getvalue().decode("utf-8").splitlines()]
    # A directory's files come before its subdirectories.
    assert [os.path.relpath(r["path"], root) for r in records] == [
        "a.html", "b.htm", "zz-missing.html", os.path.join("news", "c.html.gz"),
        os.path.join("news", "empty.html"), os.path.join("news", "deep", "d.xhtml")]
    assert records[0]["title"] == "Alpha" and "Tuesday" in records[0]["text"]
    assert records[5]["paywall"]["detected"] is True
    assert records[4]["text"] == ""
    assert "error" in records[2] and "text" not in records[2]


# -- safety: timeouts, dead workers, atomic writes, resuming -------------------

def slow_or_dying(path: str, opts: Options) -> batch.Outcome:
    """A stand-in for strip_file whose pages hang or kill their worker."""
    name = os.path.basename(path)
    if name.startswith("hang"):
        time.sleep(60)
    if name.startswith("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("raise"):
        raise RuntimeError("a bug")
    return batch.strip_file(path, opts)


def test_a_stuck_page_is_killed_and_the_batch_goes_on(tmp_path):
    for name in ("a.html", "hang.html", "b.html", "c.html"):
        write(tmp_path / "in" / name, page(name))
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([str(tmp_path / "in")], out), Options(), jobs=1, timeout=0.5,
                        work=slow_or_dying)
    assert [(os.path.basename(p), e) for p, e in summary.failed] == [
        ("hang.html", "timed out after 0.5 s (worker killed)")]
    assert sorted(os.listdir(out)) == ["a.txt", "b.txt", "c.txt"]


def test_a_dying_worker_leaves_no_output_and_no_temporary_file(tmp_path):
    for name in ("a.html", "die.html", "raise.html", "z.html"):
        write(tmp_path / "in" / name, page(name))
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([str(tmp_path / "in")], out), Options(), jobs=2, work=slow_or_dying)
    failed = dict((os.path.basename(p), e) for p, e in summary.failed)
    assert failed == {"die.html": "worker process died (killed by signal 9)", "raise.html": "RuntimeError: a bug"}
    assert sorted(os.listdir(out)) == ["a.txt", "z.txt"]


def test_workers_are_recycled_and_results_still_complete(tmp_path):
    for i in range(7):
        write(tmp_path / "in" / f"p{i}.html", page(f"Page {i}"))
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([str(tmp_path / "in")], out), Options(), jobs=2, tasks_per_worker=2)
    assert summary.cleaned == 7
    assert all(f"Page {i}" in open(os.path.join(out, f"p{i}.txt")).read() for i in range(7))


def test_write_atomic_leaves_nothing_when_the_rename_fails(tmp_path, monkeypatch):
    dest = str(tmp_path / "o" / "x.txt")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        batch.write_atomic(dest, "text")
    assert os.listdir(tmp_path / "o") == []


def test_a_failed_write_is_a_failure(tmp_path, monkeypatch):
    write(tmp_path / "in" / "a.html", page("A"))
    monkeypatch.setattr(batch, "write_atomic", lambda dest, text: (_ for _ in ()).throw(OSError(28, "Disk full")))
    summary = batch.run(batch.iter_tasks([str(tmp_path / "in")], str(tmp_path / "out")), Options())
    assert summary.failed[0][1].endswith("a.txt: Disk full")


def test_stray_temporary_files_of_dead_runs_are_removed(tmp_path):
    out = tmp_path / "out"
    dead = write(out / "sub" / f"{batch.TMP_PREFIX}999999999-abcd", "half")
    alive = write(out / f"{batch.TMP_PREFIX}1-abcd", "another run is writing")  # pid 1 is always alive
    assert batch.open_outdir(str(out)) == 1
    assert not os.path.exists(dead)
    assert os.path.exists(alive)


def test_resume_with_skip_existing_gives_the_uninterrupted_result(tmp_path):
    root = make_site(tmp_path / "in")
    for i in range(6):
        write(os.path.join(root, "more", f"m{i}.html"), page(f"More {i}"))
    whole = str(tmp_path / "whole")
    batch.run(batch.iter_tasks([root], whole), Options(), jobs=2)

    part = str(tmp_path / "part")
    seen = []

    def interrupt(result):
        seen.append(result)
        if len(seen) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch.run(batch.iter_tasks([root], part), Options(), jobs=2, on_result=interrupt)
    # Workers write as they finish, so a page or two past the fourth result may be written too.
    written = [name for name in tree(part) if not os.path.basename(name).startswith(batch.TMP_PREFIX)]
    assert 4 <= len(written) < len(tree(whole))
    write(os.path.join(part, "more", f"{batch.TMP_PREFIX}999999999-dead"), "half-written")
    batch.open_outdir(part)
    summary = batch.run(batch.iter_tasks([root], part), Options(), jobs=2, skip_existing=True)
    assert summary.skipped == len(written)
    assert tree(part) == tree(whole)


def test_ordered_stream_holds_results_back_within_a_window(tmp_path):
    # Results of later pages that finish first wait for the earlier ones; the order is the input order.
    items = [((i,), (0.05 if i % 3 == 0 else 0.0, i)) for i in range(20)]
    workers = pool.Pool(sleepy, jobs=2, timeout=None)
    assert [key for key, _ in workers.imap(items, ordered=True)] == [(i,) for i in range(20)]
    assert [value for _, value in pool.Pool(sleepy, jobs=2).imap(items, ordered=True)] == list(range(20))


def sleepy(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def test_empty_page_gets_an_empty_output_so_a_resume_skips_it(tmp_path):
    write(tmp_path / "in" / "e.html", EMPTY)
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([str(tmp_path / "in")], out), Options())
    assert summary.no_article == 1 and not summary.failed
    assert open(os.path.join(out, "e.txt")).read() == "Nothing\n"  # the title alone


def test_a_long_run_of_skipped_items_is_not_held_in_memory():
    # Items with nothing to run come back while the items are still being read, not all at the end.
    read = []

    def items():
        for i in range(1000):
            read.append(i)
            yield i, None

    workers = pool.Pool(sleepy, jobs=2)
    for key, result in workers.imap(items()):
        assert result is None
        assert len(read) - key <= pool.WINDOW_PER_JOB * 2


def test_spawned_workers_work_too(tmp_path, monkeypatch):
    # macOS and Windows start workers with spawn, not fork.
    import multiprocessing

    monkeypatch.setattr(pool, "_context", lambda: multiprocessing.get_context("spawn"))
    root = make_site(tmp_path / "in")
    out = str(tmp_path / "out")
    summary = batch.run(batch.iter_tasks([root], out), Options(), jobs=2)
    assert (summary.cleaned, summary.no_article) == (4, 1)
    assert open(os.path.join(out, "a.txt")).read().startswith("Alpha\n")


def test_workers_write_their_outputs_and_the_parent_does_not_write_again(tmp_path):
    src = tmp_path / "a.html"
    write(src, page("Written by the worker"))
    dest = str(tmp_path / "out" / "a.txt")
    outcome = batch.write_in_worker(batch.strip_file, dest, str(src), Options())
    assert outcome.written and outcome.found and outcome.output == ""
    assert "Written by the worker" in open(dest, encoding="utf-8").read()

    def no_second_write(path, text):
        raise AssertionError("written twice")

    task = batch.Task(str(src), dest)
    assert batch.settle(task, None, outcome, write=no_second_write).status == "cleaned"
    # An output that cannot be written fails its page, with the reason.
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    outcome = batch.write_in_worker(batch.strip_file, str(blocked / "a.txt"), str(src), Options())
    assert outcome.error.startswith("cannot write") and not outcome.written


def test_prepare_builds_every_site_profile_rule_set_before_the_pages(monkeypatch):
    import stripper
    from stripper.rules import builtin_packs
    from stripper.rules.resolve import _ruleset
    from stripper.rules.ruleset import RuleSet

    _ruleset.cache_clear()
    batch.prepare(Options())
    built = []
    real = RuleSet.build
    monkeypatch.setattr(RuleSet, "build", lambda *a, **k: built.append(a) or real(*a, **k))
    site = builtin_packs().sites[0]
    page = f"<html><body><article><p>{'A sentence of the article, long enough to be prose. ' * 12}</p></article></body></html>"
    stripper.strip(page, url=f"https://{site.domains[0]}/a-story")
    assert built == []  # its rule set was ready
    assert _ruleset.cache_info().currsize >= len(builtin_packs().sites) + 1
