"""Scale figures: `python -m bench.scale DIR` (DIR holds pages, e.g. /tmp/corpora/wcxb-dev).

Over the same --pages pages (default 400), each measured --repeat times with the
runs interleaved (the machine may be shared), medians reported:
  - Dask: a batch on a LocalCluster of 1 worker process and of 2 (one thread each),
    files in, files out, workers writing; the ratio is the speed-up;
  - WARC: the same pages as files and as one gzipped WARC written here with
    warcio (in a temporary folder, never in the repository), each with the
    local batch at -j1 and -jN; the ratio is what reading the WARC adds.
Each side runs once unmeasured first (workers start, load the rules). The load
average is printed with the figures.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the worktree's stripper, not an installed one

from bench.batch import pages_in, stage  # noqa: E402
from stripper import Options, batch, warc  # noqa: E402


def page_url(path: str) -> str:
    """The page's address from the corpus' CASE.json when there is one, else a file URL."""
    meta = os.path.splitext(path)[0] + ".json"
    try:
        with open(meta, encoding="utf-8") as fh:
            url = json.load(fh).get("url")
    except (OSError, ValueError):
        url = None
    return url or Path(path).resolve().as_uri()


def write_warc(pages: list[str], dest: str) -> str:
    """A gzipped WARC of the pages: one HTTP response record each (no charset: the pages declare theirs)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(dest, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for path in pages:
            with open(path, "rb") as page:
                body = page.read()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(page_url(path), "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    return dest


def fresh(outdir: str) -> str:
    shutil.rmtree(outdir, ignore_errors=True)
    return outdir


def run_local(inputs: list[str], outdir: str, jobs: int) -> float:
    opts = Options()
    summary = batch.Summary()
    tasks = warc.expand(batch.iter_tasks(inputs, fresh(outdir)), opts, summary)
    start = time.perf_counter()
    batch.run(tasks, opts, jobs=jobs, summary=summary)
    assert not summary.failed, summary.failed[:3]
    return time.perf_counter() - start


def run_dask(client, inputs: list[str], outdir: str) -> float:
    from stripper import dask as on_dask

    opts = Options()
    start = time.perf_counter()
    summary = on_dask.run(batch.iter_tasks(inputs, fresh(outdir)), opts, client)
    assert not summary.failed, summary.failed[:3]
    return time.perf_counter() - start


def measure(sides: dict, repeat: int) -> dict[str, list[float]]:
    """Each side once to warm up, then `repeat` interleaved rounds."""
    for run in sides.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, run in sides.items():
            times[name].append(run())
    return times


def paired(a: list[float], b: list[float]) -> float:
    """The median of a/b over rounds: both sides of a round ran back to back, under the same load."""
    return statistics.median(x / y for x, y in zip(a, b))


def report(title: str, times: dict[str, list[float]], pages: int) -> dict[str, float]:
    print(f"\n{title}")
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(f"  {name:<24} median {medians[name]:6.2f} s  {pages / medians[name]:6.1f} pages/s   "
              f"runs: {' '.join(f'{v:.2f}' for v in values)}")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", metavar="DIR")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("-j", "--jobs", type=int, default=2, help="local workers for the -jN WARC runs")
    parser.add_argument("--skip", choices=["dask", "warc"], action="append", default=[])
    args = parser.parse_args()

    pages = pages_in(args.folder, args.pages)
    tmp = tempfile.mkdtemp(prefix="stripper-scale-")
    try:
        files = str(stage(pages, Path(tmp) / "pages"))
        print(f"{len(pages)} pages from {args.folder}, {args.repeat} rounds; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
        if "warc" not in args.skip:
            crawl = write_warc(pages, os.path.join(tmp, "pages.warc.gz"))
            out = os.path.join(tmp, "out")
            sides = {"files -j1": lambda: run_local([files], out, 1), "WARC -j1": lambda: run_local([crawl], out, 1),
                     f"files -j{args.jobs}": lambda: run_local([files], out, args.jobs),
                     f"WARC -j{args.jobs}": lambda: run_local([crawl], out, args.jobs)}
            times = measure(sides, args.repeat)
            m = report("WARC against files (local batch)", times, len(pages))
            for jobs in (1, args.jobs):
                warc_, files_ = times[f"WARC -j{jobs}"], times[f"files -j{jobs}"]
                print(f"  WARC reading adds {m[f'WARC -j{jobs}'] / m[f'files -j{jobs}'] - 1:+.1%} at -j{jobs} "
                      f"(medians); {paired(warc_, files_) - 1:+.1%} (median of each round's ratio)")
        if "dask" not in args.skip:
            import distributed

            out = os.path.join(tmp, "out-dask")
            with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                          dashboard_address=":0", silence_logs=50) as one, \
                    distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                             dashboard_address=":0", silence_logs=50) as two, \
                    distributed.Client(one, set_as_default=False) as c1, \
                    distributed.Client(two, set_as_default=False) as c2:
                sides = {"Dask, 1 worker": lambda: run_dask(c1, [files], out),
                         "Dask, 2 workers": lambda: run_dask(c2, [files], out)}
                times = measure(sides, args.repeat)
                m = report("Dask LocalCluster (processes, 1 thread each), files in and out", times, len(pages))
                print(f"  2 workers are {m['Dask, 1 worker'] / m['Dask, 2 workers']:.2f}x one worker (medians); "
                      f"{paired(times['Dask, 1 worker'], times['Dask, 2 workers']):.2f}x (median of each round's ratio)")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
