"""One tool, one process: `python -m bench.worker TOOL < cases.json > results.json`.

stdin:  JSON list of {"id", "html", "url"} (html = path to the page file).
stdout: JSON {"tool", "unavailable", "pages": [{"id", "text", "error", "seconds"}], "peak_kb"}.

Running each tool in its own process keeps its imports and memory apart from
the others, so the reported peak RSS is that tool's alone.
"""
from __future__ import annotations

import json
import logging
import resource
import sys
import time

from bench.peers import Unavailable, load


def warm_up(extract, case: dict) -> None:
    with open(case["html"], "rb") as f:
        html = f.read().decode("utf-8", errors="replace")
    try:
        extract(html, case["url"])
    except Exception:  # noqa: BLE001 - the timed run reports the page's error
        pass


def main() -> int:
    tool = sys.argv[1]
    cases = json.load(sys.stdin)
    # Keep our stdout for the result alone: a tool that prints would corrupt it.
    out, sys.stdout = sys.stdout, sys.stderr
    # Peers log a warning for many odd pages; that is noise in the progress.
    logging.disable(logging.WARNING)

    result = {"tool": tool, "unavailable": None, "pages": []}
    try:
        extract = load(tool)
    except Unavailable as e:
        result["unavailable"] = str(e)
        cases = []

    # One untimed call first: what a tool sets up once per process (rules compiled, models
    # loaded) is not a cost per page.
    if cases:
        warm_up(extract, cases[0])

    for i, case in enumerate(cases, 1):
        with open(case["html"], "rb") as f:
            html = f.read().decode("utf-8", errors="replace")  # corpora are UTF-8
        text, error = "", None
        start = time.perf_counter()
        try:
            text = extract(html, case["url"])
        except Exception as e:  # a failing page is an empty output, not a crash
            error = f"{type(e).__name__}: {e}"
        seconds = time.perf_counter() - start
        result["pages"].append({"id": case["id"], "text": text, "error": error, "seconds": seconds})
        if i % 100 == 0 or i == len(cases):
            print(f"  {tool}: {i}/{len(cases)}", file=sys.stderr, flush=True)

    # ru_maxrss is in kilobytes on Linux.
    result["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
