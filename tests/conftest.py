"""Shared fixtures."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from stripper.cli import main


@pytest.fixture(params=["stdin", "file"])
def strip_cli(request, tmp_path):
    """`strip_cli(page, *args)` runs the command on a page given once on stdin, once as a file."""
    def invoke(page: str | bytes, *args: str):
        data = page.encode("utf-8") if isinstance(page, str) else page
        if request.param == "stdin":
            return CliRunner().invoke(main, list(args), input=data)
        path = tmp_path / "page.html"
        path.write_bytes(data)
        return CliRunner().invoke(main, [*args, str(path)])
    return invoke
