"""Batches on a real Dask cluster (a scheduler and two worker processes on loopback), and strip_bag.

Each run is compared with the same batch run locally: the same files, the same
stream, the same summary. Skipped when dask.distributed is not installed.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys

import pytest
from click.testing import CliRunner

distributed = pytest.importorskip("distributed")

from stripper import batch, strip, warc  # noqa: E402
from stripper import dask as on_dask  # noqa: E402
from stripper.cli import main  # noqa: E402
from stripper.options import Options  # noqa: E402
from tests.batch_pages import make_site, page, tree, write  # noqa: E402

try:
    import warcio  # noqa: F401
except ImportError:
    warcio = None
needs_warcio = pytest.mark.skipif(warcio is None, reason="warcio is not installed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  host="127.0.0.1", silence_logs=50) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        yield client


@pytest.fixture
def site(tmp_path):
    root = make_site(tmp_path / "in")
    with open(os.path.join(root, "bad.html.gz"), "wb") as fh:
        fh.write(b"\x1f\x8bnot gzip")
    if warcio is not None:
        from tests.warc_pages import news, write_warc

        write_warc(os.path.join(root, "crawl.warc.gz"), news(5))
        data = open(write_warc(tmp_path / "whole.warc", news(3, 10), gzip=False), "rb").read()
        with open(os.path.join(root, "cut.warc"), "wb") as fh:
            fh.write(data[:-300])  # the last page is cut short
    return root


def local(inputs, outdir=None, fmt="text", **kw):
    opts = Options(output_format=fmt)
    summary = batch.Summary()
    stream = io.BytesIO() if outdir is None else None
    batch.run(warc.expand(batch.iter_tasks(inputs, outdir, output_format=fmt), opts, summary), opts, jobs=2,
              stream=stream, summary=summary, **kw)
    return summary, stream


def on_cluster(client, inputs, outdir=None, fmt="text", **kw):
    opts = Options(output_format=fmt)
    stream = io.BytesIO() if outdir is None else None
    summary = on_dask.run(batch.iter_tasks(inputs, outdir, output_format=fmt), opts, client, stream=stream, **kw)
    return summary, stream


def counts(summary):
    return (summary.files, summary.cleaned, summary.no_article, summary.paywalled, summary.skipped,
            sorted(summary.failed), summary.warc_pages, summary.warc_skipped)


def test_outputs_equal_a_local_run(client, site, tmp_path):
    remote, _ = on_cluster(client, [site], str(tmp_path / "dask"), records_per_task=2, files_per_task=3)
    here, _ = local([site], str(tmp_path / "local"))
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    assert counts(remote) == counts(here)


def test_failures_are_reported_per_file(client, site, tmp_path):
    summary, _ = on_cluster(client, [site], str(tmp_path / "dask"))
    failed = dict((os.path.basename(path), error) for path, error in summary.failed)
    assert failed["bad.html.gz"].startswith("broken gzip data")
    if warcio is not None:
        assert failed["cut.warc"].startswith("truncated WARC")


def test_a_page_past_the_timeout_fails_alone(client, tmp_path):
    for name in ("a", "b", "c"):
        write(tmp_path / "in" / f"{name}.html", page(name.upper()))
    os.mkfifo(tmp_path / "in" / "hang.html")  # opening it waits for a writer that never comes
    summary, _ = on_cluster(client, [str(tmp_path / "in")], str(tmp_path / "out"), timeout=1)
    assert [(os.path.basename(path), error) for path, error in summary.failed] == [
        ("hang.html", "timed out after 1 s (worker killed)")]
    assert sorted(tree(tmp_path / "out")) == ["a.txt", "b.txt", "c.txt"]


def test_jsonl_stream_equals_a_local_run_in_order(client, site):
    _, remote = on_cluster(client, [site], fmt="jsonl", records_per_task=2, files_per_task=2)
    _, here = local([site], fmt="jsonl")
    assert remote.getvalue() == here.getvalue()
    paths = [json.loads(line)["path"] for line in remote.getvalue().splitlines()]
    assert paths[0].endswith("a.html")


@needs_warcio
def test_warc_parts_come_back_in_record_order(client, tmp_path):
    from tests.warc_pages import news, write_warc

    path = write_warc(tmp_path / "big.warc.gz", news(9))
    _, remote = on_cluster(client, [path], fmt="jsonl", records_per_task=2)
    assert [json.loads(line)["url"] for line in remote.getvalue().splitlines()] == [u for u, _, _ in news(9)]


def test_skip_existing_on_the_cluster(client, site, tmp_path):
    on_cluster(client, [site], str(tmp_path / "out"))
    again, _ = on_cluster(client, [site], str(tmp_path / "out"), skip_existing=True)
    assert again.cleaned == 0
    assert again.skipped == again.files - len(again.failed)


def test_urls_are_read_and_written_through_fsspec(client, site, tmp_path):
    pytest.importorskip("fsspec")
    on_cluster(client, ["file://" + site], "file://" + str(tmp_path / "url"))
    local([site], str(tmp_path / "local"))
    assert tree(tmp_path / "url") == tree(tmp_path / "local")


def test_cli_on_a_scheduler_writes_what_j2_writes(cluster, site, tmp_path):
    runner = CliRunner()
    remote = runner.invoke(main, [site, "-o", str(tmp_path / "dask"), "--dask", cluster.scheduler_address])
    here = runner.invoke(main, [site, "-o", str(tmp_path / "local"), "-j", "2"])
    assert remote.exit_code == here.exit_code == 1  # bad.html.gz
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    assert messages(remote.stderr) == messages(here.stderr)  # the same failures and counts


def messages(stderr: str) -> list[str]:
    """stderr's lines without timings, in a fixed order: which failure is reported first
    depends on which worker finishes first."""
    return sorted(re.sub(r" in [\d.]+ ?s \([^)]*\)", "", line) for line in stderr.splitlines())


def test_cli_takes_the_scheduler_from_the_environment(cluster, tmp_path):
    write(tmp_path / "in" / "a.html", page("Alpha"))
    result = CliRunner().invoke(main, [str(tmp_path / "in"), "--format", "jsonl"],
                                env={"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
    assert json.loads(result.stdout)["title"] == "Alpha"


def test_cli_dask_local_starts_its_own_cluster(tmp_path):
    for name in ("a", "b", "c"):
        write(tmp_path / "in" / f"{name}.html", page(name.upper()))
    result = CliRunner().invoke(main, [str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--dask", "local",
                                       "-j", "2"])
    assert result.exit_code == 0, result.stderr
    assert tree(tmp_path / "out")["b.txt"].decode().startswith("B\n\nThe council met")


def test_unreachable_scheduler_is_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(on_dask, "CONNECT_SECONDS", 0.5)
    write(tmp_path / "in" / "a.html", page("Alpha"))
    result = CliRunner().invoke(main, [str(tmp_path / "in"), "--format", "jsonl", "--dask", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.stderr.startswith("strip: cannot use the Dask scheduler at tcp://127.0.0.1:9")


def test_without_distributed_a_message_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    write(tmp_path / "in" / "a.html", page("Alpha"))
    result = CliRunner().invoke(main, [str(tmp_path / "in"), "--format", "jsonl", "--dask", "local"])
    assert result.exit_code == 2
    assert result.stderr == f"strip: {on_dask.INSTALL_HINT}\n"


# -- strip_bag ---------------------------------------------------------------------

def test_strip_bag_gives_article_dicts(client):
    import dask.bag as db

    pages = [page("Alpha"), page("Beta").encode("utf-8"),
             {"html": page("Gamma"), "url": "https://example.com/gamma"}]
    got = on_dask.strip_bag(db.from_sequence(pages, npartitions=2), include_title=False).compute()
    assert got[0] == strip(pages[0], include_title=False).to_dict()
    assert got[1]["title"] == "Beta"
    assert got[2]["url"] == "https://example.com/gamma"
    assert got[2]["text"].startswith("The council met on Tuesday")


def test_strip_bag_reports_a_bad_page_and_goes_on(client):
    import dask.bag as db

    got = on_dask.strip_bag(db.from_sequence([b"\x1f\x8bnot gzip", page("Alpha")])).compute()
    assert got[0]["error"].startswith("broken gzip data")
    assert got[1]["title"] == "Alpha"


def test_strip_bag_refuses_broken_rules_at_once(tmp_path):
    import dask.bag as db

    from stripper.errors import RulesError

    rules = tmp_path / "bad.toml"
    rules.write_text("[[rule]]\nid = 1\n")
    with pytest.raises(RulesError):
        on_dask.strip_bag(db.from_sequence([page("A")]), rule_files=[str(rules)])
