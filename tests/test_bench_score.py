"""Scoring of the benchmark (bench/score.py), on tiny made-up strings."""
import sys
from pathlib import Path

# bench/ is not an installed package: make the worktree root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import score  # noqa: E402

TEXT = "The quick brown fox jumps over the lazy dog"  # 9 tokens -> 6 shingles


def test_tokens_are_casefolded_word_runs():
    assert score.tokens("Hello, WORLD_x -- 42 Straße") == ["hello", "world_x", "42", "strasse"]


def test_shingle_counts_and_short_texts():
    assert sum(score.shingles(TEXT).values()) == 6
    assert sum(score.shingles("one two three four").values()) == 1
    assert score.shingles("one two three") == {}
    assert score.counts("one two three", "one two three") == (0, 0, 0)
    assert score.page_pr(0, 0, 0) == (None, None)


def test_perfect_match():
    assert score.counts(TEXT, TEXT.upper()) == (6, 0, 0)
    p, r = score.page_pr(6, 0, 0)
    assert (p, r, score.f1(p, r)) == (1.0, 1.0, 1.0)


def test_disjoint():
    tp, fp, fn = score.counts("alpha beta gamma delta epsilon", TEXT)
    assert (tp, fp, fn) == (0, 2, 6)
    p, r = score.page_pr(tp, fp, fn)
    assert (p, r, score.f1(p, r)) == (0.0, 0.0, 0.0)


def test_multiset_counts_repeats():
    once = "one two three four"
    twice = once + "\n\n" + once  # 8 tokens: the same shingle twice plus 3 across the join
    assert score.counts(once, twice) == (1, 0, 4)  # a set comparison would give fn == 3
    assert score.counts(twice, once) == (1, 4, 0)


def test_partial_overlap():
    # prediction = the first 6 tokens of TEXT plus chrome
    tp, fp, fn = score.counts("The quick brown fox jumps over Share this", TEXT)
    assert (tp, fp, fn) == (3, 2, 3)
    assert score.page_pr(tp, fp, fn) == (0.6, 0.5)


def test_averaging_skips_undefined_pages():
    # page 2: tool gave no shingles (P undefined); page 3: truth had none (R undefined)
    p, r, f = score.aggregate([(1.0, 0.5), (None, 0.0), (0.5, None)])
    assert (p, r, f) == (0.75, 0.25, 0.375)
    assert score.aggregate([]) == (None, None, None)
    assert score.aggregate([(None, 1.0)]) == (None, 1.0, None)


def test_page_f1_for_worst_list():
    assert score.page_f1(None, 0.5) == 0.0  # nothing predicted counts as 0
    assert score.page_f1(1.0, None) is None  # no truth: not ranked
    assert score.page_f1(0.5, 1.0) == 2 / 3


def test_snippets_fold_whitespace_case_sensitive():
    out = "First  paragraph\nends here.\n\nSecond\u00a0one."
    assert score.contains(out, "paragraph ends here. Second one.")
    assert score.contains(out, "  First\tparagraph ")
    assert not score.contains(out, "first paragraph")
    assert score.snippets_found(out, ["ends here.", "Second one.", "Third"]) == 2


def test_leaks():
    chrome = ["Advertisement", "Share this article"]
    out = "Body text.\n\nAdvertisement\n\nShare this article\n\nMenu"
    # "Advertisement" is part of the true text here, so it is not a leak
    true = "Body text about the Advertisement Standards Authority."
    assert score.leaks(out, ["Menu", "Footer"], chrome, true) == ["Menu", "Share this article"]
    assert score.leaks(out, [], chrome, None) == ["Advertisement", "Share this article"]
    assert score.leaks("Body text.", ["Menu"], chrome, true) == []
