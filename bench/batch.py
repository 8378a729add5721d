"""Batch-mode figures: `python -m bench.batch DIR` (DIR holds pages, e.g. a corpus folder).

Measures, over the same pages (hard-linked into a temporary folder so every
tool sees only the pages):
  - speed: stripper in one process without a pool (extraction only, no writes),
    `strip DIR -o OUT -j1`, `-jN`, and trafilatura's own batch command
    (`trafilatura --input-dir DIR --output-dir OUT`, and with --parallel 1);
  - memory: peak memory of the whole process tree (the command and its workers)
    for a batch of --small files and of --large files, made by repeating the pages.
Peak memory is polled from /proc: the sum of PSS (shared pages split between the
processes that share them, so forked workers are not counted twice) and of RSS.
The machine may be shared: the load average and the CPUs actually free (busy
processes timed alone and together) are printed with the figures, and
--repeat keeps the fastest of interleaved runs.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the worktree's stripper, not an installed one

from stripper import Options, batch  # noqa: E402

# Reading smaps_rollup walks page tables: poll often enough to catch the peak, rarely enough not to
# steal CPU from the run being measured. Speed runs are not polled at all.
POLL_SECONDS = 0.25


def pages_in(folder: str, limit: int | None) -> list[str]:
    found = [path for path, _, error in batch.walk(folder, batch.compile_globs(batch.DEFAULT_GLOBS)) if not error]
    return found[:limit] if limit else found


def stage(pages: list[str], folder: Path, count: int | None = None) -> Path:
    """`count` files (default: one per page) in `folder`, hard links to the pages where possible."""
    folder.mkdir(parents=True)
    count = count or len(pages)
    for i in range(count):
        src = pages[i % len(pages)]
        dest = folder / f"{i:06d}-{os.path.basename(src)}"
        try:
            os.link(src, dest)
        except OSError:
            shutil.copyfile(src, dest)
    return folder


def in_process(pages: list[str]) -> dict:
    """Extraction alone: one process, no pool, no writes; the floor a batch can reach with one CPU."""
    opts = Options()
    batch.prepare(opts)
    start, cpu = time.perf_counter(), time.process_time()
    for path in pages:
        batch.strip_file(path, opts)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(x) for x in fh.read().split()]
    except OSError:
        return []
    return kids + [k for kid in kids for k in children(kid)]


def memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB, 0 when it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def timed(cmd: list[str], poll_memory: bool = False) -> dict:
    """Run cmd: wall and CPU seconds, exit code, and with poll_memory the tree's peak PSS and RSS (kB)."""
    peak = {"pss_kb": 0, "rss_kb": 0}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            sizes = [memory_kb(pid) for pid in [proc.pid] + children(proc.pid)]
            peak["pss_kb"] = max(peak["pss_kb"], sum(p for p, _ in sizes))
            peak["rss_kb"] = max(peak["rss_kb"], sum(r for _, r in sizes))
            stop.wait(POLL_SECONDS)

    poller = threading.Thread(target=poll, daemon=True)
    if poll_memory:
        poller.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    if poll_memory:
        poller.join()
    # Children's CPU time includes workers the command waited for: the whole tree's work.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": seconds, "cpu_seconds": cpu, "code": proc.returncode,
            "stderr": err.strip().splitlines()[-1:], **peak}


def strip_cmd(folder: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "stripper", str(folder), "-o", str(out), "-j", str(jobs), "--quiet"]


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def free_cores(jobs: int, seconds: float = 1.0) -> float:
    """How many CPUs are free now: `jobs` busy processes do jobs x the work of one in how much more time.

    On a shared machine another user's work takes cores away; a parallel speed-up
    can only be judged against what was free.
    """
    import multiprocessing

    start = time.perf_counter()
    _spin(seconds)
    one = time.perf_counter() - start
    procs = [multiprocessing.Process(target=_spin, args=(seconds,)) for _ in range(jobs)]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return jobs * one / (time.perf_counter() - start)


RUNS = ("floor", "j1", "jN", "trafilatura", "trafilatura1")


def speed(pages: list[str], work: Path, jobs: int, runs: tuple[str, ...] = RUNS, repeat: int = 1) -> list[dict]:
    """Each run `repeat` times, interleaved; the fastest of each is kept (others' load only slows a run down)."""
    folder = stage(pages, work / "pages")
    traf = ["trafilatura", "--input-dir", str(folder), "--output-dir"]
    known = {
        "floor": ("stripper in one process (no pool, no writes)", lambda out: in_process(pages)),
        "j1": ("strip DIR -o OUT -j1", lambda out: timed(strip_cmd(folder, out, 1))),
        "jN": (f"strip DIR -o OUT -j{jobs}", lambda out: timed(strip_cmd(folder, out, jobs))),
        "trafilatura": ("trafilatura --input-dir DIR --output-dir OUT", lambda out: timed(traf + [str(out)])),
        "trafilatura1": ("trafilatura ... --parallel 1", lambda out: timed(traf + [str(out), "--parallel", "1"])),
    }
    if not shutil.which("trafilatura"):
        runs = tuple(r for r in runs if not r.startswith("trafilatura"))
    chosen = [known[r] for r in runs]
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for label, run in chosen:
            out = work / "out"
            row = {"run": label, **run(out)}
            shutil.rmtree(out, ignore_errors=True)
            if label not in best or row["seconds"] < best[label]["seconds"]:
                best[label] = row
    rows = [best[label] for label, _ in chosen]
    for row in rows:
        row["pages_per_second"] = len(pages) / row["seconds"]
    return rows


def memory(pages: list[str], work: Path, jobs: int, sizes: tuple[int, ...]) -> list[dict]:
    rows = []
    for count in sizes:
        folder = stage(pages, work / f"mem-{count}", count)
        row = {"run": f"strip {count} files -j{jobs}", "files": count,
               **timed(strip_cmd(folder, work / f"mem-out-{count}", jobs), poll_memory=True)}
        row["pages_per_second"] = count / row["seconds"]
        rows.append(row)
        shutil.rmtree(work / f"mem-out-{count}", ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__.split("\n")[0])
    parser.add_argument("dir", help="folder of pages (*.html, *.htm, *.xhtml, .gz), walked recursively")
    parser.add_argument("--limit", type=int, help="use only the first N pages for the speed runs")
    parser.add_argument("--jobs", type=int, default=batch.default_jobs(), help="workers for the parallel runs")
    parser.add_argument("--small", type=int, default=1000, help="files in the smaller memory run")
    parser.add_argument("--large", type=int, default=10000, help="files in the larger memory run")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed runs")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--runs", default=",".join(RUNS),
                        help=f"speed runs, comma-separated, from {','.join(RUNS)} (floor: one process, no pool)")
    parser.add_argument("--repeat", type=int, default=1, help="run each speed run N times, keep the fastest")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    if not args.no_memory and not 0 < args.small < args.large:
        parser.error("--small must be at least 1 and fewer than --large (the runs are compared)")
    pages = pages_in(args.dir, args.limit)
    if not pages:
        parser.error(f"no pages in {args.dir}")
    figures: dict = {"pages": len(pages), "jobs": args.jobs, "repeat": args.repeat, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        if not args.no_speed:
            runs = tuple(r for r in args.runs.split(",") if r)
            if set(runs) - set(RUNS):
                parser.error(f"--runs takes {','.join(RUNS)}")
            figures["free_cores_before"] = free_cores(args.jobs)
            figures["speed"] = speed(pages, work, args.jobs, runs, args.repeat)
            figures["free_cores_after"] = free_cores(args.jobs)
        if not args.no_memory:
            figures["memory"] = memory(pages, work, args.jobs, (args.small, args.large))
    figures["load_after"] = os.getloadavg()
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
    else:
        report(figures)
    return 0


def report(figures: dict) -> None:
    print(f"{figures['pages']} pages, {figures['jobs']} jobs, best of {figures['repeat']}; load average before "
          f"{figures['load_before'][0]:.2f}, after {figures['load_after'][0]:.2f}")
    rows = figures.get("speed", [])
    if rows:
        print(f"free CPUs ({figures['jobs']} busy processes vs one): {figures['free_cores_before']:.2f} before, "
              f"{figures['free_cores_after']:.2f} after the speed runs")
        print(f"\n{'run':48} {'seconds':>8} {'CPU s':>8} {'pages/s':>8}")
        for row in rows:
            print(f"{row['run']:48} {row['seconds']:8.1f} {row['cpu_seconds']:8.1f} {row['pages_per_second']:8.1f}")
        by = {row["run"].split(" -o OUT ")[-1] if row["run"].startswith("strip") else row["run"]: row for row in rows}
        j1 = by.get("-j1")
        jn = by.get(f"-j{figures['jobs']}")
        if j1 and jn:
            print(f"\n-j{figures['jobs']} vs -j1: {j1['seconds'] / jn['seconds']:.2f}x faster")
        inproc = by.get("stripper in one process (no pool, no writes)")
        if j1 and inproc:
            wall = (j1["seconds"] - inproc["seconds"]) / figures["pages"] * 1000
            cpu = (j1["cpu_seconds"] - inproc["cpu_seconds"]) / figures["pages"] * 1000
            print(f"-j1 vs one process without a pool: {wall:+.1f} ms per page wall, {cpu:+.1f} ms CPU "
                  f"(start-up, walk, pipes, writes)")
        traf = by.get("trafilatura --input-dir DIR --output-dir OUT")
        if j1 and traf:
            print(f"-j1 vs trafilatura's batch: {traf['seconds'] / j1['seconds']:.2f}x as fast "
                  f"({traf['cpu_seconds'] / j1['cpu_seconds']:.2f}x in CPU time)")
    mem = figures.get("memory", [])
    if mem:
        print(f"\n{'run':48} {'seconds':>8} {'pages/s':>8} {'peak PSS MB':>12} {'peak RSS MB':>12}")
        for row in mem:
            print(f"{row['run']:48} {row['seconds']:8.1f} {row['pages_per_second']:8.1f} "
                  f"{row['pss_kb'] / 1024:12.0f} {row['rss_kb'] / 1024:12.0f}")
        if len(mem) == 2:
            small, large = mem
            print(f"\npeak memory, {large['files']} files vs {small['files']}: "
                  f"PSS {large['pss_kb'] / small['pss_kb']:.2f}x, RSS {large['rss_kb'] / small['rss_kb']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
