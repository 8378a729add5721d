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
from .warc import is_warc, looks_like_warc

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_NO_ARTICLE, EXIT_PAYWALL, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
# Bytes of standard input looked at to tell a WARC (gzip needs a few hundred: its code tables come first).
WARC_SNIFF_BYTES = 4096
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
  strip pages/ -o clean/             every page under pages/ to clean/<same path>.txt
  find pages -name '*.html' -print0 | strip --files-from - -0 -o clean/
  strip pages/ --format jsonl | jq -r .title
  strip crawl.warc.gz --format jsonl one JSON line per HTML page of a web archive
  strip pages/ -o clean/ --dask tcp://host:8786   the same batch on a Dask cluster
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


def stdin_is_warc() -> bool:
    """Is standard input a WARC? Looks at its first bytes without taking them."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None or sys.stdin.isatty():
        return False
    try:
        if hasattr(stream, "peek"):
            head = stream.peek(WARC_SNIFF_BYTES)[:WARC_SNIFF_BYTES]
        elif stream.seekable():
            head = stream.read(WARC_SNIFF_BYTES)
            stream.seek(0)
        else:
            return False
    except (OSError, ValueError):
        return False
    return looks_like_warc(head)


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def render(article, opts: Options, name: str | None = None) -> str:
    """One page's output; JSON Lines carry the input's path, as in a batch."""
    from .batch import render as render_output

    return render_output(article, opts, name)


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
    from .rules.resolve import check_drop_keep

    try:
        check_drop_keep(drop, keep)
    except RulesError as exc:  # "drop: ...", the option as the command line names it
        raise click.UsageError(f"--{exc}") from None
    try:
        _, notes = user_rules(rule_files)
    except RulesError as exc:
        click.echo(f"strip: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for note in notes:
        click.echo(f"strip: note: {note}", err=True)


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(allow_dash=True),
              help="Write the result to this file; or, one file per input, under this directory: "
                   "when it ends with /, is a directory, or inputs include a directory or --files-from.")
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
@click.option("--glob", "globs", multiple=True, metavar="PATTERN",
              help="Which files a directory walk takes (repeatable; case ignored; "
                   "default *.html *.htm *.xhtml and their .gz, *.warc *.warc.gz).")
@click.option("--files-from", type=click.File("rb"), metavar="FILE",
              help="Also read input names from FILE (- for stdin), one per line.")
@click.option("-0", "--null", is_flag=True, help="--files-from names are NUL-separated (find -print0).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes for a batch [default: the number of CPUs].")
@click.option("--timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="In a batch, give up on a page after this long, 0 for never [default: 30].")
@click.option("--skip-existing", is_flag=True, help="In a batch, keep outputs that exist (resume a batch).")
@click.option("-q", "--quiet", is_flag=True, help="In a batch, no progress bar or summary; failures only.")
@click.option("--dask", "dask_address", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS", show_envvar=True,
              help="Run a batch on a Dask cluster: its scheduler (tcp://host:8786), or local for -j worker "
                   "processes here. Workers read inputs and write outputs themselves. Needs .[dask].")
@click.version_option(__version__, "-V", "--version", prog_name="stripper")
def main(inputs: tuple[str, ...], output: str | None, url: str | None, no_title: bool, output_format: str,
         links: bool, images: bool, fail_on_paywall: bool, rule_files: tuple[str, ...],
         drop: tuple[str, ...], keep: tuple[str, ...], no_builtin_rules: bool, explain: bool,
         list_rules: bool, max_bytes: int, input_format: str, globs: tuple[str, ...], files_from, null: bool,
         jobs: int | None, timeout: float | None, skip_existing: bool, quiet: bool,
         dask_address: str | None) -> None:
    """Print the article of scraped news pages, without paywall, aggregator and site chrome.

    INPUTS are HTML or text files (.gz is read transparently), WARC files (.warc,
    .warc.gz: each HTML page in them), directories (walked for pages, see
    --glob), or - for stdin; with none, stdin is read.
    """
    from . import strip
    from .rules.listing import describe_packs, explain_lines

    if list_rules:
        click.echo("\n".join(describe_packs()))
        sys.exit(EXIT_OK)
    check_rules(rule_files, drop, keep)
    opts = Options(url=url, include_title=not no_title, rule_files=rule_files, drop=drop, keep=keep,
                   use_builtin_rules=not no_builtin_rules, max_bytes=max_bytes, input_format=input_format,
                   output_format=output_format, links=links, images=images,
                   metadata=output_format in ("json", "jsonl"))  # the other formats print none of it
    if null and files_from is None:
        raise click.UsageError("-0 goes with --files-from")
    output = None if output == "-" else output
    has_dir = any(name != "-" and os.path.isdir(name) for name in inputs)
    has_warc = any(is_warc(name) for name in inputs)  # one file per record: always a batch
    batch_args = dict(globs=globs, null=null, jobs=jobs, timeout=timeout, skip_existing=skip_existing, quiet=quiet)
    if inputs in ((), ("-",)) and files_from is None and stdin_is_warc():
        run_batch(("-",), output, opts, files_from=None, stdin_warc=True, **batch_args)
    to_dir = output is not None and (output.endswith(("/", os.sep)) or os.path.isdir(output)
                                     or has_dir or has_warc or files_from is not None)
    if to_dir or (output is None and (has_dir or has_warc or files_from is not None or
                                      (output_format == "jsonl" and len(inputs) > 1))):
        run_batch(inputs, output, opts, files_from=files_from, dask_address=dask_address, **batch_args)
    if dask_address and click.get_current_context().get_parameter_source("dask_address").name == "COMMANDLINE":
        click.echo("strip: note: --dask runs batches (directories, --files-from, WARC files, -o DIR/); "
                   "this one page is stripped here", err=True)
    if output is not None and len(inputs) > 1:
        raise click.UsageError(f"-o {output} names one file, and there are {len(inputs)} inputs: for one file "
                               "per input give a directory (end it with /); to join them, use > FILE")
    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            raise click.UsageError("no input: give a file, or pipe a page into strip")
        inputs = ("-",)
    if output is not None and inputs[0] != "-" and same_file(inputs[0], output):
        raise click.UsageError(f"-o {output} is the input file; refusing to overwrite it")
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
        results.append((label, render(article, opts, None if name == "-" else name)))
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
        click.echo(f"strip: cannot write {output or 'standard output'}: {exc.strerror or exc}", err=True)
        status = EXIT_INPUT
    sys.exit(status)


def run_batch(inputs: tuple[str, ...], outdir: str | None, opts: Options, *, globs: tuple[str, ...], files_from,
              null: bool, jobs: int | None, timeout: float | None, skip_existing: bool, quiet: bool,
              dask_address: str | None = None, stdin_warc: bool = False) -> None:
    """One output per input, written under `outdir` or streamed to stdout; on a Dask cluster with
    `dask_address`; with `stdin_warc`, the pages of the WARC on standard input (read here); exits."""
    from contextlib import ExitStack

    from . import batch, warc
    from .progress import reporter_for
    from .storage import has_scheme

    if ("-" in inputs and not stdin_warc) or (not inputs and files_from is None):
        raise click.UsageError("standard input cannot be part of a batch; save it to a file first")
    only_files = files_from is None and not any(os.path.isdir(name) for name in inputs)
    has_warc = stdin_warc or any(is_warc(name) for name in inputs)
    if outdir is None and opts.output_format != "jsonl" and not (has_warc and only_files):
        raise click.UsageError("a batch needs -o DIR/ to write files into, or --format jsonl to stream")
    if opts.url and (len(inputs) > 1 or files_from is not None or os.path.isdir(inputs[0])):
        raise click.UsageError("--url names one page; in a batch each page's own address is used")
    if opts.url and has_warc:
        raise click.UsageError("--url names one page; each WARC record's own target URI is used")

    def plan(listed=None):
        if stdin_warc:  # its pages go under OUTDIR/stdin/
            return iter([batch.Task(warc.STDIN, batch.output_path(outdir, "stdin", opts.output_format)
                                    if outdir is not None else None)])
        return batch.iter_tasks(inputs, outdir, output_format=opts.output_format,
                                globs=globs or batch.DEFAULT_GLOBS, listed=listed)

    summary = batch.Summary()
    cluster = ExitStack()
    try:
        if has_warc and not dask_address:
            warc.require_warcio()
        batch.prepare(opts)
        if outdir is not None and not has_scheme(outdir):
            batch.open_outdir(outdir)
        tasks = plan(batch.read_names(files_from, null) if files_from is not None else None)
        if dask_address:
            from . import dask

            client = cluster.enter_context(dask.connect(dask_address, jobs))
        else:
            tasks = warc.expand(tasks, opts, summary, stdin=sys.stdin.buffer if stdin_warc else None)
    except StripperError as exc:
        click.echo(f"strip: {exc}", err=True)
        sys.exit(exc.exit_code)
    reporter = reporter_for(sys.stderr, quiet)
    stream = None if outdir else sys.stdout.buffer
    with cluster:  # a Dask client (and its local cluster) is closed whatever happens
        try:
            # The bar's total costs a second walk of the tree, worth it only when someone watches;
            # a WARC's pages are not known before it is read.
            total = None
            if reporter.wants_total and files_from is None:
                paths = [task.path for task in plan()]
                total = None if any(is_warc(path) for path in paths) else len(paths)
            reporter.start(total)
            timeout = batch.DEFAULT_TIMEOUT if timeout is None else timeout or None
            if dask_address:
                dask.run(tasks, opts, client, timeout=timeout, skip_existing=skip_existing, stream=stream,
                         on_result=reporter.update, summary=summary)
            else:
                batch.run(tasks, opts, jobs=jobs or batch.default_jobs(), timeout=timeout,
                          skip_existing=skip_existing, stream=stream, on_result=reporter.update, summary=summary)
        except StripperError as exc:  # warcio missing for a WARC found in a directory
            reporter.finish(summary, interrupted=True)
            click.echo(f"strip: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            reporter.finish(summary, interrupted=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader of our stream went away (| head): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_INPUT)
    reporter.finish(summary)
    sys.exit(EXIT_INPUT if summary.failed else EXIT_OK)
