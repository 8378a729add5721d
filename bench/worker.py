"""One tool, one process: `python -m bench.worker TOOL`, fed by the bench a case at a time.

stdin:  one JSON case a line: {"id", "html", "url"} (html = path to the page file).
stdout: one JSON line first, {"tool", "unavailable"}; then a line for each case,
        {"id", "text", "error", "seconds"}; and when stdin closes, {"peak_kb"}.

Running each tool in its own process keeps its imports and memory apart from
the others, so the reported peak RSS is that tool's alone. The bench keeps one
worker per tool and gives them the pages in turns (see bench.__main__.run_tools).
"""
from __future__ import annotations

import json
import logging
import resource
import sys
import time

from bench.peers import Unavailable, load


def read_page(case: dict) -> str:
    with open(case["html"], "rb") as f:
        return f.read().decode("utf-8", errors="replace")  # corpora are UTF-8


def warm_up(extract, case: dict) -> None:
    try:
        extract(read_page(case), case["url"])
    except Exception:  # noqa: BLE001 - the timed run reports the page's error
        pass


def run(extract, case: dict) -> dict:
    html = read_page(case)
    text, error = "", None
    start = time.perf_counter()
    try:
        text = extract(html, case["url"])
    except Exception as e:  # a failing page is an empty output, not a crash
        error = f"{type(e).__name__}: {e}"
    seconds = time.perf_counter() - start
    return {"id": case["id"], "text": text, "error": error, "seconds": seconds}


def main() -> int:
    tool = sys.argv[1]
    # Keep our stdout for the results alone: a tool that prints would corrupt them.
    out, sys.stdout = sys.stdout, sys.stderr
    # Peers log a warning for many odd pages; that is noise in the progress.
    logging.disable(logging.WARNING)

    unavailable = None
    try:
        extract = load(tool)
    except Unavailable as e:
        unavailable = str(e)
    print(json.dumps({"tool": tool, "unavailable": unavailable}), file=out, flush=True)

    warmed = unavailable is not None
    for line in sys.stdin:
        case = json.loads(line)
        if not warmed:
            # One untimed call first: what a tool sets up once per process (rules compiled,
            # models loaded) is not a cost per page.
            warm_up(extract, case)
            warmed = True
        print(json.dumps(run(extract, case)), file=out, flush=True)

    # ru_maxrss is in kilobytes on Linux.
    print(json.dumps({"peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), file=out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
