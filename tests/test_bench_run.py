"""bench's runner: the tools take turns on the pages, and each page's result comes back in order."""
import json
import sys
from pathlib import Path

# bench/ is not an installed package: make the worktree root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench.__main__ as bench_main  # noqa: E402

WORDS = ["harbour", "orchard", "lantern", "meadow", "granite"]


def make_corpus(folder: Path) -> list[dict]:
    for i, word in enumerate(WORDS):
        body = " ".join(f"The {word} report number {n} says the council met on Tuesday and agreed to act."
                        for n in range(12))
        (folder / f"case-{i}.html").write_text(
            f"<html><head><title>{word}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{word}</h1><p>{body}</p></article></body></html>", "utf-8")
        (folder / f"case-{i}.json").write_text(json.dumps({"url": f"https://example.com/{word}", "text": body}))
    args = bench_main.parse_args([str(folder)])
    return bench_main.load_cases(folder, args)


def test_tools_take_turns_and_results_come_back_in_order(tmp_path, monkeypatch):
    cases = make_corpus(tmp_path)
    monkeypatch.setattr(bench_main, "TURN_PAGES", 2)
    seen = []
    runs = bench_main.run_tools(["stripper", "nosuch"], cases, seen.append)
    assert seen == [2, 4, 5]  # progress after each turn
    stripper = runs["stripper"]
    assert stripper["unavailable"] is None and stripper["peak_kb"] > 0
    assert [p["id"] for p in stripper["pages"]] == [c["id"] for c in cases]
    for page, word in zip(stripper["pages"], WORDS):
        assert page["error"] is None and f"The {word} report number 11" in page["text"] and page["seconds"] > 0
    assert runs["nosuch"]["unavailable"].startswith("unknown tool 'nosuch'") and runs["nosuch"]["pages"] == []
