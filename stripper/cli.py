"""The `strip` command: a thin layer over `stripper.strip`.

Output goes to stdout (or -o FILE); messages go to stderr. Exit codes:
0 ok, 1 an input could not be read, 2 usage, 3 no article text found,
4 a page is paywalled (only with --fail-on-paywall), 5 internal error (a bug: the
message names it; never a traceback).
"""
from __future__ import annotations

import os
import re
import sys
import tempfile

import click

from . import __version__
from .errors import InputError, StripperError
from .options import Options

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_NO_ARTICLE, EXIT_PAYWALL, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)i?b?\s*$", re.I)

EPILOG = """\b
Examples:
  strip page.html                    print the article of one page
  curl -s URL | strip --url URL      read stdin, use the address for site rules
  strip a.html b.html.gz             several pages, each under a ==> name <== header
  strip page.html -o article.txt     write to a file
  strip --rules my.txt page.html     add your own rules (TOML or ##filters)
  strip --explain page.html          show what was removed and why (stderr)
  strip --format json page.html      headline, author, site, date, paywall and text as JSON
  strip --format markdown --links page.html
"""


class ByteSize(click.ParamType):
    """A size in bytes: 1000000, 500k, 64M, 1G."""

    name = "size"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        m = SIZE.match(str(value))
        if not m or int(m.group(1)) == 0:
            self.fail(f"{value!r} is not a size like 500k, 64M or 1G", param, ctx)
        return int(m.group(1)) * 1024 ** " kmg".index(m.group(2).lower() or " ")


def read_input(name: str, limit: int) -> bytes:
    """At most `limit` bytes: an endless stdin or a huge file is refused, not swallowed."""
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with open(name, "rb") as fh:
            data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"input is larger than the --max-bytes limit ({limit} bytes)")
    return data


def write_atomically(path: str, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: a failure never leaves half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".strip-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def render(article, opts: Options) -> str:
    from .output import render as render_output

    return render_output(article, opts)


def join_outputs(results: list[tuple[str, str]], fmt: str, several: bool) -> str:
    """Several inputs: a JSON array, JSON Lines one after another, else each under a ==> name <== header."""
    if not several:
        return "".join(body for _, body in results)
    if fmt == "json":
        return "[\n" + ",\n".join(body.rstrip("\n") for _, body in results) + "\n]\n"
    if fmt == "jsonl":
        return "".join(body for _, body in results)
    return "".join(f"==> {label} <==\n" + body + ("\n" if i < len(results) - 1 else "")
                   for i, (label, body) in enumerate(results))


def check_rules(rule_files: tuple[str, ...], drop: tuple[str, ...], keep: tuple[str, ...]) -> None:
    """Load --rules files and compile --drop/--keep before any page is read: mistakes exit 2."""
    from .errors import RulesError
    from .rules.filters import user_rules
    from .rules.selectors import compile_selector

    for flag, selectors in (("--drop", drop), ("--keep", keep)):
        for sel in selectors:
            try:
                compile_selector(sel)
            except ValueError as exc:
                raise click.UsageError(f"{flag}: {exc}") from None
    try:
        _, notes = user_rules(rule_files)
    except RulesError as exc:
        click.echo(f"strip: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for note in notes:
        click.echo(f"strip: note: {note}", err=True)


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="Write the result to this file instead of stdout.")
@click.option("--url", help="The page's address: picks site rules and fills metadata.")
@click.option("--no-title", is_flag=True, help="Print the body only, without the headline.")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "html", "json", "jsonl"]),
              default="text", show_default=True,
              help="text; markdown; html (minimal and safe); json (one object, an array for several "
                   "inputs) or jsonl (one object a line): metadata, paywall verdict and text.")
@click.option("--links", is_flag=True, help="markdown: keep links.")
@click.option("--images", is_flag=True, help="markdown: keep images.")
@click.option("--fail-on-paywall", is_flag=True, help="Exit 4 when a page is paywalled (output is still written).")
@click.option("--rules", "rule_files", multiple=True, metavar="FILE",
              help="Extra rules: a TOML pack or a uBlock/AdGuard cosmetic filter list (repeatable).")
@click.option("--drop", multiple=True, metavar="CSS", help="Also remove elements matching this selector (repeatable).")
@click.option("--keep", multiple=True, metavar="CSS", help="Never remove elements matching this selector (repeatable).")
@click.option("--no-builtin-rules", is_flag=True, help="Use only --rules/--drop, not the built-in packs and profiles.")
@click.option("--explain", is_flag=True, help="List every removed block on stderr: rule, reason, preview.")
@click.option("--list-rules", is_flag=True, help="Print the built-in packs and site profiles, then exit.")
@click.option("--max-bytes", type=ByteSize(), default=Options.max_bytes, metavar="SIZE",
              help="Refuse inputs larger than this (after gunzip), e.g. 500k, 1G. Default 64M.")
@click.option("--input-format", type=click.Choice(["auto", "html", "text"]), default="auto", show_default=True,
              help="What the input is: HTML, or a page already scraped to text. auto tells them apart.")
@click.version_option(__version__, "-V", "--version", prog_name="stripper")
def main(inputs: tuple[str, ...], output: str | None, url: str | None, no_title: bool, output_format: str,
         links: bool, images: bool, fail_on_paywall: bool, rule_files: tuple[str, ...],
         drop: tuple[str, ...], keep: tuple[str, ...], no_builtin_rules: bool, explain: bool,
         list_rules: bool, max_bytes: int, input_format: str) -> None:
    """Print the article of scraped news pages, without paywall, aggregator and site chrome.

    INPUTS are HTML or text files (.gz is read transparently) or - for stdin; with none, stdin is read.
    """
    from . import strip
    from .rules.listing import describe_packs, explain_lines

    if list_rules:
        click.echo("\n".join(describe_packs()))
        sys.exit(EXIT_OK)
    check_rules(rule_files, drop, keep)
    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            raise click.UsageError("no input: give a file, or pipe a page into strip")
        inputs = ("-",)
    opts = Options(url=url, include_title=not no_title, rule_files=rule_files, drop=drop, keep=keep,
                   use_builtin_rules=not no_builtin_rules, max_bytes=max_bytes, input_format=input_format,
                   output_format=output_format, links=links, images=images)
    results: list[tuple[str, str]] = []
    status = EXIT_OK
    for name in inputs:
        label = "standard input" if name == "-" else name
        try:
            article = strip(read_input(name, opts.max_bytes), options=opts)
        except OSError as exc:
            click.echo(f"strip: {label}: {exc.strerror or exc}", err=True)
            status = EXIT_INPUT
            continue
        except StripperError as exc:
            click.echo(f"strip: {label}: {exc}", err=True)
            status = max(status, exc.exit_code) if exc.exit_code != EXIT_USAGE else EXIT_USAGE
            continue
        except Exception as exc:  # a bug: say so in one line, never with a traceback
            click.echo(f"strip: {label}: internal error, please report: {type(exc).__name__}: {exc}"[:500],
                       err=True)
            status = EXIT_INTERNAL
            continue
        if explain:
            for line in explain_lines(article.removed):
                click.echo(f"strip: {label}: {line}", err=True)
        if fail_on_paywall and article.paywall.detected:
            click.echo(f"strip: {label}: paywalled ({', '.join(article.paywall.signals)})", err=True)
            status = status or EXIT_PAYWALL
        if not article.text:
            click.echo(f"strip: {label}: no article text found", err=True)
            status = status or EXIT_NO_ARTICLE
        results.append((label, render(article, opts)))
    text = join_outputs(results, output_format, len(inputs) > 1)
    try:
        if output and output != "-":
            write_atomically(output, text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except BrokenPipeError:  # `strip page.html | head -1`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        click.echo(f"strip: {output or 'standard output'}: {exc.strerror or exc}", err=True)
        status = EXIT_INPUT
    sys.exit(status)
