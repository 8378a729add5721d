"""What a batch shows on stderr: failures as they happen, a progress bar, a summary.

Part of the command-line layer (it prints). A rich bar and table when a person
watches (stderr is a terminal), plain lines otherwise, only failures with --quiet.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

from .batch import Result, Summary, display_name

# Redraw the bar at most this often: a batch yields many results a second.
REFRESH_SECONDS = 0.1
# The summary names this many failures; all were printed as they happened.
TABLE_FAILURES = 10


def summary_line(summary: Summary, interrupted: bool = False) -> str:
    unit = "page" if summary.warc_pages else "file"  # WARC records are pages, not files
    files = f"{summary.files} {unit}" + ("" if summary.files == 1 else "s")
    line = (f"strip: {'interrupted after ' if interrupted else ''}{files}: {summary.cleaned} cleaned, "
            f"{summary.no_article} no article, {summary.paywalled} paywalled, {summary.skipped} skipped, "
            f"{len(summary.failed)} failed in {summary.seconds:.1f} s ({summary.pages_per_second:.1f} pages/s)")
    if summary.warc_skipped:
        line += f"; {summary.warc_skipped} non-HTML WARC records skipped"
    return line


class PlainReporter:
    """One line per failure as it happens, one summary line at the end (none when quiet)."""

    wants_total = False

    def __init__(self, stream: TextIO, quiet: bool = False):
        self.stream, self.quiet = stream, quiet

    def start(self, total: int | None) -> None:
        pass

    def update(self, result: Result) -> None:
        if result.status == "failed":
            self.stream.write(f"strip: {display_name(result.task.path)}: {result.error}\n")
            self.stream.flush()

    def finish(self, summary: Summary, interrupted: bool = False) -> None:
        if not self.quiet or interrupted:
            self.stream.write(summary_line(summary, interrupted) + "\n")
            self.stream.flush()


class RichReporter:
    """A progress bar (files, pages/s, ETA, failures) and a summary table."""

    wants_total = True

    def __init__(self, stream: TextIO):
        from rich.console import Console

        self.console = Console(file=stream)
        self.progress = None
        self.task = None
        self.started = self.drawn = 0.0
        self.processed = self.failed = 0

    def start(self, total: int | None) -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeRemainingColumn)

        # No refresh thread: workers are forked, and a fork must not copy a thread holding a lock.
        self.progress = Progress(SpinnerColumn(), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]:.1f} pages/s"), TimeRemainingColumn(),
                                 TextColumn("[red]{task.fields[failed]} failed"),
                                 console=self.console, auto_refresh=False, transient=True)
        self.progress.start()
        self.task = self.progress.add_task("strip", total=total, rate=0.0, failed=0)
        self.started = time.monotonic()

    def update(self, result: Result) -> None:
        from rich.text import Text

        if result.status == "failed":
            self.failed += 1
            self.progress.console.print(Text(f"strip: {display_name(result.task.path)}: {result.error}",
                                             style="red"))
        if result.status != "skipped":
            self.processed += 1
        now = time.monotonic()
        rate = self.processed / (now - self.started) if now > self.started else 0.0
        self.progress.update(self.task, advance=1, rate=rate, failed=self.failed)
        if now - self.drawn >= REFRESH_SECONDS:
            self.drawn = now
            self.progress.refresh()

    def finish(self, summary: Summary, interrupted: bool = False) -> None:
        from rich.table import Table
        from rich.text import Text

        if self.progress is not None:
            self.progress.stop()
        table = Table(title="strip: interrupted" if interrupted else "strip: done", title_justify="left",
                      show_header=False)
        table.add_column(style="bold")
        table.add_column(justify="right")
        for label, value in (("pages" if summary.warc_pages else "files", summary.files), ("cleaned", summary.cleaned),
                             ("no article", summary.no_article), ("paywalled", summary.paywalled),
                             ("skipped", summary.skipped), ("failed", len(summary.failed)),
                             ("seconds", f"{summary.seconds:.1f}"), ("pages/s", f"{summary.pages_per_second:.1f}"),
                             *((("non-HTML records", summary.warc_skipped),) if summary.warc_skipped else ())):
            table.add_row(label, str(value), style="red" if label == "failed" and value else None)
        self.console.print(table)
        for path, error in summary.failed[:TABLE_FAILURES]:
            self.console.print(Text(f"  failed: {display_name(path)}: {error}", style="red"))
        if len(summary.failed) > TABLE_FAILURES:
            self.console.print(f"  … and {len(summary.failed) - TABLE_FAILURES} more failed (listed above)")


def reporter_for(stream: TextIO | None = None, quiet: bool = False):
    stream = stream or sys.stderr
    if not quiet and stream.isatty():
        return RichReporter(stream)
    return PlainReporter(stream, quiet)
