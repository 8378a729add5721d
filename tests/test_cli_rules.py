"""CLI: --rules, --drop, --keep, --explain, --list-rules. Each case runs through stdin and through a file."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from stripper.cli import main

PAGE = """<html><head><title>Bridge approved</title></head><body><article>
<p>The council voted on Tuesday to approve the new river bridge, ending a decade of delays and arguments.</p>
<div class="promo-box">Buy our mugs today</div>
<p>Sign up for our newsletter</p>
<p>Construction will begin in the spring, officials said, and the bridge should open within three years.</p>
<p>Residents who live near the crossing have asked for a footpath, and the design now includes one.</p>
</article></body></html>"""


@pytest.fixture(params=["stdin", "file"])
def run(request, tmp_path):
    src = tmp_path / "page.html"
    src.write_text(PAGE, encoding="utf-8")

    def invoke(*args: str):
        runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
        if request.param == "stdin":
            return runner.invoke(main, [*args, "-"], input=PAGE)
        return runner.invoke(main, [*args, str(src)])

    return invoke


def test_explain_leaves_stdout_byte_for_byte(run):
    plain = run()
    explained = run("--explain")
    assert plain.exit_code == explained.exit_code == 0
    assert explained.stdout_bytes == plain.stdout_bytes
    assert "newsletter-box" in explained.stderr
    assert '"Sign up for our newsletter"' in explained.stderr
    assert "newsletter" not in plain.stderr


def test_drop_removes_and_is_explained(run):
    result = run("--drop", ".promo-box", "--explain")
    assert result.exit_code == 0
    assert "Buy our mugs" not in result.stdout
    assert "--drop (.promo-box)" in result.stderr


def test_keep_wins_over_builtin_rules(run):
    result = run("--keep", "p")
    assert "Sign up for our newsletter" in result.stdout


def test_filter_list_rules_file(run, tmp_path):
    f = tmp_path / "my.txt"
    f.write_text("! mine\n##.promo-box\nexample.com#@#.x\n", encoding="utf-8")
    result = run("--rules", str(f))
    assert result.exit_code == 0
    assert "Buy our mugs" not in result.stdout
    assert f"{f}:3" in result.stderr  # the skipped exception is noted, not silently ignored


def test_broken_rules_file_exits_2_naming_file_and_line(run, tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('[[rule]]\nid = "x"\nreason = "r"\nselectors = ["[oops"]\n', encoding="utf-8")
    result = run("--rules", str(f))
    assert result.exit_code == 2
    assert f"{f}:4:" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_rules_file_exits_2(run, tmp_path):
    result = run("--rules", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr


def test_bad_drop_selector_is_a_usage_error(run):
    result = run("--drop", "div[")
    assert result.exit_code == 2
    assert "--drop" in result.stderr


def test_list_rules_prints_packs_and_profiles():
    result = CliRunner().invoke(main, ["--list-rules"])
    assert result.exit_code == 0
    assert "wall-prompt-de" in result.output
    assert "inkl (aggregator)" in result.output
    assert "nytimes.com" in result.output
