"""Rewrite fixtures' expected.txt from the current output: `python -m tests.regen fixtures/core/x ...`.

Read the diff (`git diff fixtures/`) before committing: this is a deliberate act.
"""
import sys
from pathlib import Path

from tests.test_fixtures import load

for arg in sys.argv[1:]:
    case = Path(arg)
    _, _, output = load(case)
    (case / "expected.txt").write_text(output, encoding="utf-8")
    print(f"wrote {case / 'expected.txt'}")
