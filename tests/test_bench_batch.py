"""bench.batch's command line: bad settings are refused before any page is read."""
import sys
from pathlib import Path

import pytest

# bench/ is not an installed package: make the worktree root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import batch  # noqa: E402


@pytest.mark.parametrize("small, large", [("1000", "1000"), ("2000", "1000"), ("0", "10")])
def test_memory_runs_need_a_smaller_and_a_larger_batch(tmp_path, capsys, small, large):
    with pytest.raises(SystemExit) as exit:
        batch.main([str(tmp_path), "--small", small, "--large", large])
    assert exit.value.code == 2
    assert "--small must be at least 1 and fewer than --large" in capsys.readouterr().err


def test_without_memory_runs_the_sizes_are_not_checked(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        batch.main([str(tmp_path), "--no-memory", "--small", "5", "--large", "5"])
    assert exit.value.code == 2
    assert "no pages in" in capsys.readouterr().err
