"""python -m bench CORPUS_DIR [CORPUS_DIR...] [options]

Runs each tool on each corpus in its own worker process, the tools taking turns
of a few pages, scores the outputs (see bench/score.py) and prints one table row
per tool per corpus.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from statistics import fmean, median

from bench import score
from bench.peers import TOOLS

ROOT = Path(__file__).resolve().parent.parent  # worker runs here so `import stripper` is the local one
CHROME = [line.strip() for line in (Path(__file__).parent / "chrome_phrases.txt").read_text("utf-8").splitlines()
          if line.strip()]
PEER_MODULES = {"trafilatura": "trafilatura", "readability": "readability"}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench", description="Score stripper and peers on corpora.")
    ap.add_argument("corpora", nargs="+", type=Path, help="folders of CASE.html + CASE.json")
    ap.add_argument("--tools", help=f"comma-separated, from {','.join(TOOLS)} "
                                    "(default: stripper plus the peers that are installed)")
    ap.add_argument("--limit", type=int, help="first N cases of each corpus (after filters)")
    ap.add_argument("--page-type", help="keep cases with this page_type (cases without one are kept)")
    ap.add_argument("--skip-synthetic", action="store_true", help="drop cases marked synthetic: true")
    ap.add_argument("--readerable-only", action="store_true", help="drop cases marked readerable: false")
    ap.add_argument("--json", type=Path, help="write per-page results to this file")
    ap.add_argument("--worst", type=int, default=0, metavar="N", help="print the N lowest-F1 pages per tool")
    return ap.parse_args(argv)


def default_tools() -> list[str]:
    # find_spec, not import: importing peers here would only slow the parent down.
    return ["stripper"] + [t for t, mod in PEER_MODULES.items() if importlib.util.find_spec(mod)]


def load_cases(folder: Path, args) -> list[dict]:
    cases = []
    for meta_path in sorted(folder.glob("*.json")):
        html = meta_path.with_suffix(".html")
        if not html.exists():
            continue
        meta = json.loads(meta_path.read_text("utf-8"))
        # Filters only apply to corpora that carry the field.
        if args.page_type and meta.get("page_type", args.page_type) != args.page_type:
            continue
        if args.skip_synthetic and meta.get("synthetic") is True:
            continue
        if args.readerable_only and meta.get("readerable") is False:
            continue
        meta["id"] = meta.get("id") or meta_path.stem
        meta["html"] = str(html.resolve())
        cases.append(meta)
    return cases[:args.limit] if args.limit is not None else cases


# Pages a tool runs before the next tool takes its turn: short turns, so that a machine whose
# speed drifts (other load, frequency scaling) slows every tool alike, not the one running then.
TURN_PAGES = 20


def run_tools(tools: list[str], cases: list[dict], progress=None) -> dict[str, dict]:
    """Run the tools on the cases, each in a fresh process of its own, in turns of TURN_PAGES
    pages (one tool computing at a time). A worker that fails becomes 'unavailable'."""
    procs = {tool: subprocess.Popen([sys.executable, "-m", "bench.worker", tool], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, cwd=ROOT) for tool in tools}
    runs = {}
    for tool, proc in procs.items():
        head = _read(proc)
        runs[tool] = {"tool": tool, "pages": [], "peak_kb": None,
                      "unavailable": head["unavailable"] if head else _failed(proc)}
    for start in range(0, len(cases), TURN_PAGES):
        turn = cases[start:start + TURN_PAGES]
        for tool, proc in procs.items():
            if runs[tool]["unavailable"]:
                continue
            for case in turn:  # (one case, then its result: neither pipe ever fills)
                proc.stdin.write(json.dumps({"id": case["id"], "html": case["html"], "url": case.get("url")}) + "\n")
                proc.stdin.flush()
                page = _read(proc)
                if page is None:
                    runs[tool].update(unavailable=_failed(proc), pages=[])
                    break
                runs[tool]["pages"].append(page)
        if progress:
            progress(min(start + TURN_PAGES, len(cases)))
    for tool, proc in procs.items():
        proc.stdin.close()
        tail = _read(proc)
        proc.wait()
        if tail and not runs[tool]["unavailable"]:
            runs[tool]["peak_kb"] = tail["peak_kb"]
    return runs


def _read(proc) -> dict | None:
    line = proc.stdout.readline()
    try:
        return json.loads(line) if line else None
    except ValueError:
        return None


def _failed(proc) -> str:
    proc.kill()
    return f"worker failed (exit code {proc.wait()})"


def score_run(corpus: str, tool: str, cases: list[dict], run: dict) -> tuple[dict, list[dict]]:
    snippets = any("with" in c or "without" in c for c in cases)
    pages = []
    for case, out in zip(cases, run["pages"]):
        text, true = out["text"], case.get("text")
        if true is None:  # truth unknown (snippet-only corpus): no P/R for this page
            tp = fp = fn = None
            p = r = None
        else:
            tp, fp, fn = score.counts(text, true)
            p, r = score.page_pr(tp, fp, fn)
        with_, without = case.get("with") or [], case.get("without") or []
        pages.append({
            "corpus": corpus, "tool": tool, "id": case["id"], "page_type": case.get("page_type"),
            "precision": p, "recall": r, "f1": score.page_f1(p, r), "tp": tp, "fp": fp, "fn": fn,
            "empty": not text.strip(), "error": out["error"], "ms": out["seconds"] * 1000,
            "leaks": score.leaks(text, without, CHROME, true),
            "with_found": score.snippets_found(text, with_), "with_total": len(with_),
            "without_found": score.snippets_found(text, without), "without_total": len(without),
            "text": text,
        })
    p, r, f = score.aggregate([(pg["precision"], pg["recall"]) for pg in pages])
    ms = [pg["ms"] for pg in pages]
    with_total = sum(pg["with_total"] for pg in pages)
    without_total = sum(pg["without_total"] for pg in pages)
    row = {
        "corpus": corpus, "tool": tool, "unavailable": run["unavailable"], "pages": len(pages),
        "f1": f, "precision": p, "recall": r,
        "empty": sum(pg["empty"] for pg in pages), "errors": sum(pg["error"] is not None for pg in pages),
        "leaks": sum(bool(pg["leaks"]) for pg in pages),
        # Shares over all snippets of the corpus (not averaged per page).
        "with_found": sum(pg["with_found"] for pg in pages) / with_total if snippets and with_total else None,
        "without_kept_out": (1 - sum(pg["without_found"] for pg in pages) / without_total
                             if snippets and without_total else None),
        "ms_mean": fmean(ms) if ms else None, "ms_median": median(ms) if ms else None,
        "peak_mb": run["peak_kb"] / 1024 if run.get("peak_kb") else None,
    }
    return row, pages


COLUMNS = [  # header, row key, format
    ("corpus", "corpus", "{}"), ("tool", "tool", "{}"), ("pages", "pages", "{}"),
    ("F1", "f1", "{:.3f}"), ("P", "precision", "{:.3f}"), ("R", "recall", "{:.3f}"),
    ("empty", "empty", "{}"), ("errors", "errors", "{}"), ("leaks", "leaks", "{}"),
    ("with", "with_found", "{:.3f}"), ("w/o out", "without_kept_out", "{:.3f}"),
    ("ms/page", "ms_mean", "{:.1f}"), ("ms med", "ms_median", "{:.1f}"), ("peak MB", "peak_mb", "{:.0f}"),
]


def table(rows: list[dict]) -> str:
    cells = [[h for h, _, _ in COLUMNS]]
    for row in rows:
        if row["unavailable"]:
            cells.append([row["corpus"], row["tool"]] + ["-"] * (len(COLUMNS) - 2))
            continue
        cells.append([fmt.format(row[key]) if row[key] is not None else "-" for _, key, fmt in COLUMNS])
    widths = [max(len(r[i]) for r in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in cells]
    notes = [f"{row['tool']} on {row['corpus']}: NOT RUN -- {row['unavailable']}" for row in rows if row["unavailable"]]
    return "\n".join(lines + ([""] + notes if notes else []))


def worst(rows: list[dict], pages: list[dict], n: int) -> str:
    out = []
    for row in rows:
        if row["unavailable"]:
            continue
        mine = [pg for pg in pages if (pg["corpus"], pg["tool"]) == (row["corpus"], row["tool"])
                and pg["f1"] is not None]
        mine.sort(key=lambda pg: (pg["f1"], pg["id"]))
        out.append(f"\nworst {min(n, len(mine))} by F1: {row['tool']} on {row['corpus']}")
        for pg in mine[:n]:
            p = "-" if pg["precision"] is None else f"{pg['precision']:.3f}"
            out.append(f"  {pg['id']}  F1 {pg['f1']:.3f}  P {p}  R {pg['recall']:.3f}"
                       + ("  (error)" if pg["error"] else "  (empty)" if pg["empty"] else ""))
    return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",")] if args.tools else default_tools()
    rows, all_pages = [], []
    for folder in args.corpora:
        if not folder.is_dir():
            print(f"bench: {folder} is not a folder, skipped", file=sys.stderr)
            continue
        corpus = folder.resolve().name
        cases = load_cases(folder, args)
        print(f"{corpus}: {len(cases)} cases", file=sys.stderr)
        print(f"{corpus}: running {', '.join(tools)}, {TURN_PAGES} pages each in turn", file=sys.stderr, flush=True)

        def progress(done: int, n: int = len(cases), corpus: str = corpus) -> None:
            if done % 100 < TURN_PAGES or done == n:
                print(f"  {corpus}: {done}/{n}", file=sys.stderr, flush=True)
        runs = run_tools(tools, cases, progress)
        for tool in tools:
            run = runs[tool]
            if run["unavailable"]:
                print(f"{corpus}: {tool} NOT RUN -- {run['unavailable']}", file=sys.stderr)
            row, pages = score_run(corpus, tool, cases, run)
            failed = [pg for pg in pages if pg["error"]]
            if failed:
                print(f"{corpus}: {tool} raised on {len(failed)} pages, e.g. {failed[0]['id']}: "
                      f"{failed[0]['error']}", file=sys.stderr)
            rows.append(row)
            all_pages += pages
    print(table(rows))
    if args.worst:
        print(worst(rows, all_pages, args.worst))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "pages": all_pages}, indent=1), "utf-8")
        print(f"per-page results written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
