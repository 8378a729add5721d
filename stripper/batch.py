"""Batch mode: paths in, results out.

`iter_tasks` walks inputs and decides where each output goes; `run` strips the
pages in worker processes (`pool.Pool`), which write each output atomically (a
temporary file renamed into place), so the parent only counts and never holds a
parallel batch back. A worker that dies or is killed cannot leave a partial output
at a final path; its temporary file is removed by the next run (`clean_stray`).
Library code: nothing here prints or exits.
"""
from __future__ import annotations

import fnmatch
import gc
import os
import re
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from .errors import BatchError, InputError, StripperError
from .options import Options
from .pool import TASKS_PER_WORKER, Crash, Pool
from .storage import has_scheme, open_read, url_path
from .storage import walk as url_walk

# Inputs a directory walk picks when no --glob is given.
DEFAULT_GLOBS = ("*.html", "*.htm", "*.xhtml", "*.html.gz", "*.htm.gz", "*.xhtml.gz", "*.warc", "*.warc.gz")
# Output file extension per output format; unknown formats get DEFAULT_EXTENSION.
EXTENSIONS = {"text": ".txt", "markdown": ".md", "json": ".json", "jsonl": ".jsonl", "html": ".html"}
DEFAULT_EXTENSION = ".txt"
# Temporary outputs are `.strip-tmp-<pid>-<random>` next to their final path.
TMP_PREFIX = ".strip-tmp-"
TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-")
# Seconds one page may take before its worker is killed and replaced.
DEFAULT_TIMEOUT = 30.0


# -- planning: which inputs, which outputs ------------------------------------

@dataclass(frozen=True)
class Task:
    """One input and where its output goes (None: streamed, not written)."""

    path: str
    dest: str | None = None
    error: str | None = None  # known before any work: unlistable directory, output collision
    record: Any = None  # a warc.Record: the page is this record of the WARC file at path


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def compile_globs(globs: Iterable[str]) -> Callable[[str, str], bool]:
    """A matcher of (relative path, name): patterns with a / see the path, others the name; case ignored."""
    by_name = [fnmatch.translate(g) for g in globs if "/" not in g]
    by_path = [fnmatch.translate(g) for g in globs if "/" in g]
    name_re = re.compile("|".join(by_name), re.I) if by_name else None
    path_re = re.compile("|".join(by_path), re.I) if by_path else None

    def matches(rel: str, name: str) -> bool:
        return bool((name_re and name_re.match(name)) or (path_re and path_re.match(rel.replace(os.sep, "/"))))

    return matches


def output_name(name: str, output_format: str = "text") -> str:
    """`page.html.gz` -> `page.txt`: drop .gz, then the last extension, then add the format's."""
    if name.lower().endswith(".gz") and len(name) > 3:
        name = name[:-3]
    stem, _ = os.path.splitext(name)
    return stem + EXTENSIONS.get(output_format, DEFAULT_EXTENSION)


def output_path(outdir: str, rel: str, output_format: str = "text") -> str:
    head, name = os.path.split(rel)
    return os.path.join(outdir, head, output_name(name, output_format))


def _dir_key(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def walk(root: str, matches: Callable[[str, str], bool],
         exclude: frozenset[tuple[int, int]] = frozenset()) -> Iterator[tuple[str, str, str | None]]:
    """(path, path relative to root, error) for each matching file under root, sorted, directory by directory.

    Symlinked directories are followed once: real directories already seen
    (and those in `exclude`, e.g. the output directory) are not entered again,
    so a symlink loop ends. A directory that cannot be listed comes back as an error.
    """
    seen: set[tuple[int, int]] = set()
    stack = [(root, "")]
    while stack:
        path, rel = stack.pop()
        key = _dir_key(path)
        if key is None or key in seen or key in exclude:
            continue
        seen.add(key)
        try:
            with os.scandir(path) as it:
                # Keep names and kinds only: a huge flat directory costs little memory.
                entries = sorted((e.name, _is_dir(e)) for e in it)
        except OSError as exc:
            yield path, rel, f"cannot list directory: {exc.strerror or exc}"
            continue
        subdirs = []
        for name, is_dir in entries:
            sub = os.path.join(rel, name)
            if is_dir:
                subdirs.append((os.path.join(path, name), sub))
            elif not name.startswith(TMP_PREFIX) and matches(sub, name):
                yield os.path.join(path, name), sub, None
        stack.extend(reversed(subdirs))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows symlinks; a broken link is a file that fails to open
    except OSError:
        return False


class _Claims:
    """Output paths already promised to an input, to refuse a second input with the same output.

    With one directory walked only siblings can collide (a.html, a.htm), so
    only the current output directory's names are kept; otherwise all are.
    """

    def __init__(self, per_directory: bool):
        self.per_directory = per_directory
        self.folder: str | None = None
        self.owners: dict[str, str] = {}

    def claim(self, dest: str, path: str) -> str | None:
        """The input that already owns `dest`, or None after claiming it for `path`."""
        if self.per_directory:
            folder = os.path.dirname(dest)
            if folder != self.folder:
                self.folder, self.owners = folder, {}
        owner = self.owners.get(dest)
        if owner is None:
            self.owners[dest] = path
        return owner


def open_outdir(outdir: str) -> int:
    """Create the output directory and remove what died runs left there; returns how many strays.

    Call it before `iter_tasks`, so the walk can tell the output directory apart. Raises BatchError.
    """
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise BatchError(f"{display_name(outdir)} exists and is not a directory")
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot create {display_name(outdir)}: {exc.strerror or exc}") from None
    return clean_stray(outdir)


def iter_tasks(inputs: Iterable[str], outdir: str | None = None, *, output_format: str = "text",
               globs: Iterable[str] = DEFAULT_GLOBS, listed: Iterable[str] | None = None) -> Iterator[Task]:
    """The tasks for `inputs` (files and directories) and `listed` names (from --files-from), lazily.

    Outputs: `OUTDIR/<path relative to DIR>` for files under a directory,
    `OUTDIR/<name>` for files given directly, `OUTDIR/<path as listed>` for
    listed files (directories in the list are skipped: find lists their files).
    With no outdir every task's dest is None (the results are streamed).
    Raises BatchError at once when the output directory is an input directory.
    """
    inputs = list(inputs)
    exclude: frozenset[tuple[int, int]] = frozenset()
    key = _dir_key(outdir) if outdir is not None else None
    if key is not None:
        if any(_dir_key(name) == key for name in inputs):
            raise BatchError(f"the output directory {display_name(outdir)} is an input directory; choose another")
        exclude = frozenset([key])
    single_tree = len(inputs) == 1 and listed is None and os.path.isdir(inputs[0])
    return _tasks(inputs, listed or (), outdir, output_format, compile_globs(globs), exclude, _Claims(single_tree))


def _tasks(inputs, listed, outdir, output_format, matches, exclude, claims) -> Iterator[Task]:
    def task(path: str, rel: str | None, error: str | None = None) -> Task:
        if outdir is None or rel is None:
            return Task(path, None, error)
        dest = output_path(outdir, rel, output_format)
        owner = claims.claim(dest, path)
        if owner is not None:
            error = f"has the same output file as {display_name(owner)}"
        return Task(path, dest, error)

    for name in inputs:
        if has_scheme(name):  # a URL: a file, or a folder (prefix) walked through fsspec
            for path, rel in url_walk(name, matches):
                yield task(path, rel)
        elif os.path.isdir(name):
            for path, rel, error in walk(name, matches, exclude):
                yield task(path, None, error) if error else task(path, rel)
        else:
            yield task(name, os.path.basename(name))
    for name in listed:
        if os.path.isdir(name):
            continue
        rel = os.path.normpath(url_path(name) if has_scheme(name) else name).lstrip(os.sep)
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            yield task(name, None, "a listed name starting with .. would leave the output directory")
        else:
            yield task(name, rel)


def read_names(stream: BinaryIO, null: bool = False, chunk_size: int = 1 << 16) -> Iterator[str]:
    """File names from a --files-from stream, one per line (or NUL-separated), as they arrive."""
    sep = b"\0" if null else b"\n"
    read = getattr(stream, "read1", stream.read)  # read1: don't wait for a full chunk from a pipe
    rest = b""
    while True:
        chunk = read(chunk_size)
        if not chunk:
            break
        *names, rest = (rest + chunk).split(sep)
        yield from _names(names, null)
    yield from _names([rest], null)


def _names(raws: list[bytes], null: bool) -> Iterator[str]:
    for raw in raws:
        if not null:
            raw = raw.rstrip(b"\r")  # lists written on Windows
        if raw:
            yield os.fsdecode(raw)


def display_name(path: str) -> str:
    """A file name safe to print on one line: undecodable bytes and control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def json_name(path: str) -> str:
    """A file name for JSON output, which must be valid UTF-8: undecodable bytes become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


# -- the work one page needs: runs in a worker process ------------------------

@dataclass
class Outcome:
    """What a worker sends back for one page."""

    output: str = ""
    found: bool = False  # the page had article text
    paywalled: bool = False
    error: str | None = None
    written: bool = False  # the output is already at the task's dest (see write_in_worker)


def render_jsonl(article, opts: Options, path: str | None = None) -> str:
    """One JSON line: the input's `path`, then the article's fields."""
    import json

    record = {"path": json_name(path) if path is not None else None}
    record.update(article.to_dict())
    return json.dumps(record, ensure_ascii=False) + "\n"


def render(article, opts: Options, path: str | None = None) -> str:
    """An article in the batch's output format: JSON Lines carry the path; the rest as for one page."""
    if opts.output_format == "jsonl":
        return render_jsonl(article, opts, path)
    from .output import FORMATS, render as render_one

    if opts.output_format not in FORMATS:
        raise BatchError(f"unknown output format {opts.output_format!r}")
    return render_one(article, opts)


def render_failure(path: str, error: str, opts: Options, record=None) -> str | None:
    """What a stream gets for an input that failed: a record in JSON Lines, nothing in text."""
    if opts.output_format == "jsonl":
        import json

        fields = {"path": json_name(path)}
        if record is not None:
            fields.update(url=record.uri, warc_record_id=record.record_id)
        return json.dumps({**fields, "error": error}, ensure_ascii=False) + "\n"
    return None


def stream_text(result: "Result", opts: Options) -> str | None:
    """What a stream gets for one result; text outputs under a `==> name <==` header (a record's URI)."""
    if result.status == "failed":
        return render_failure(result.task.path, result.error, opts, result.task.record)
    if opts.output_format != "text":
        return result.output
    name = result.task.record.uri if result.task.record is not None else display_name(result.task.path)
    return f"==> {name} <==\n{result.output or ''}"


def strip_file(path: str, opts: Options, record=None) -> Outcome:
    """Read and strip one page (or one WARC record); every error becomes the outcome's message."""
    from . import strip

    if record is not None:
        from .warc import strip_record

        return strip_record(path, opts, record)
    try:
        with open_read(path) as fh:  # a path, or a URL through fsspec
            data = fh.read(opts.max_bytes + 1)  # never read more than the limit allows
        if len(data) > opts.max_bytes:
            raise InputError(f"input is larger than the --max-bytes limit ({opts.max_bytes} bytes)")
        article = strip(data, options=opts)
        return Outcome(render(article, opts, path), bool(article.text), article.paywall.detected)
    except OSError as exc:
        return Outcome(error=exc.strerror or str(exc))
    except StripperError as exc:
        return Outcome(error=str(exc))
    except Exception as exc:  # one page must not stop a batch of thousands
        return Outcome(error=f"internal error: {type(exc).__name__}: {exc}")


def write_failure(dest: str, exc: OSError) -> str:
    return f"cannot write {display_name(dest)}: {exc.strerror or exc}"


def write_in_worker(work: Callable[..., Outcome], dest: str | None, *args) -> Outcome:
    """`work(*args)`, its output written to `dest` (atomically) here in the worker: the parent
    is left only counting, so it never holds back a parallel batch."""
    outcome = work(*args)
    if dest is None or outcome.error is not None or has_scheme(dest):
        return outcome
    try:
        write_atomic(dest, outcome.output)
    except OSError as exc:
        return Outcome(error=write_failure(dest, exc))
    return Outcome("", outcome.found, outcome.paywalled, written=True)


def prepare(opts: Options) -> None:
    """Load rules and imports once in the parent: broken rules fail before the batch, and
    forked workers start warm. Raises RulesError."""
    from . import strip
    from .rules import builtin_packs
    from .rules.filters import user_rules
    from .rules.resolve import ruleset_for

    builtin_packs()
    user_rules(opts.rule_files)
    # The generic rule set, and that of each site profile too (0.2 s): built here once, not by
    # every worker that meets a page of that site, nor while a page waits.
    profiles = [(site,) for site in builtin_packs().sites] if opts.use_builtin_rules else []
    for sites in [(), *profiles]:
        ruleset_for(sites, None, opts.rule_files, opts.drop, opts.keep, opts.use_builtin_rules).compile_all(
            opts.max_phrase_block_chars)
    strip("<html><body><p>warm up</p></body></html>", options=opts.but(url=None))


# -- running a batch: the parent hands out pages and counts --------------------

@dataclass
class Result:
    """What became of one input."""

    task: Task
    status: str  # cleaned | empty (no article) | skipped | failed
    paywalled: bool = False
    error: str | None = None
    output: str | None = None  # the rendered output (streamed, or written to task.dest)


@dataclass
class Summary:
    files: int = 0
    cleaned: int = 0
    no_article: int = 0
    paywalled: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (input, reason)
    seconds: float = 0.0
    warc_pages: int = 0  # of `files`, how many were WARC records
    warc_skipped: int = 0  # WARC records that are not HTML pages (requests, images, metadata)

    def add(self, result: Result) -> None:
        self.files += 1
        self.warc_pages += result.task.record is not None
        if result.status == "cleaned":
            self.cleaned += 1
        elif result.status == "empty":
            self.no_article += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed.append((result.task.path, result.error or "failed"))
        self.paywalled += result.paywalled

    @property
    def processed(self) -> int:
        return self.files - self.skipped

    @property
    def pages_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def write_atomic(dest: str, text: str) -> None:
    """Write via a temporary file in dest's directory and rename it into place."""
    folder = os.path.dirname(dest) or "."
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f"{TMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}")
    try:
        # Inside the try: Ctrl-C can land just after the file is created, before `fd` is set.
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, dest)
    except FileExistsError:
        raise  # not ours (a name clash): leave it
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill there would terminate the process: keep strays rather than risk that
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def clean_stray(outdir: str) -> int:
    """Remove temporary files that runs which died left under outdir; returns how many.

    A file whose writer process is still alive (another run) is left alone.
    """
    return sum(_clean_folder(folder, names) for folder, _, names in os.walk(outdir))


def _clean_folder(folder: str, names: Iterable[str]) -> int:
    """clean_stray for the files `names` of one folder."""
    removed = 0
    for name in names:
        m = TMP_NAME.match(name)
        if m and (int(m.group(1)) == os.getpid() or not _pid_alive(int(m.group(1)))):
            try:
                os.unlink(os.path.join(folder, name))
                removed += 1
            except OSError:
                pass
    return removed


def _clean_folders(folders: Iterable[str]) -> None:
    """Remove what killed workers (a timeout, Ctrl-C) left mid-write in these output folders."""
    for folder in folders:
        try:
            _clean_folder(folder, os.listdir(folder))
        except OSError:
            pass


def _precheck(task: Task, skip_existing: bool) -> Result | None:
    """Decide a task without a worker: known errors, an output that is the input, resumed outputs."""
    if task.error:
        return Result(task, "failed", error=task.error)
    if task.dest is None:
        return None
    try:
        out = os.stat(task.dest)
    except OSError:
        return None
    try:
        src = os.stat(task.path)
    except OSError:
        src = None
    if src is not None and (src.st_dev, src.st_ino) == (out.st_dev, out.st_ino):
        return Result(task, "failed", error="output file is the input file; refusing to overwrite it")
    if skip_existing:
        return Result(task, "skipped")
    return None


def work_items(tasks: Iterable[Task], options: Options, skip_existing: bool,
               precheck: Callable[[Task, bool], Result | None] | None = None) -> Iterator[tuple]:
    """Pool.imap items for tasks: key (task, precheck verdict), args for strip_file (None when decided)."""
    for task in tasks:
        verdict = (precheck or _precheck)(task, skip_existing)
        args = (task.path, options) if task.record is None else (task.path, options, task.record)
        yield (task, verdict), (None if verdict else args)


def run(tasks: Iterable[Task], options: Options, *, jobs: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
        skip_existing: bool = False, stream: BinaryIO | None = None,
        on_result: Callable[[Result], None] | None = None, summary: Summary | None = None,
        work: Callable[..., Outcome] = strip_file,
        tasks_per_worker: int = TASKS_PER_WORKER) -> Summary:
    """Strip every task's page in `jobs` worker processes; write or stream each output.

    Outputs go to task.dest (atomically) or, for tasks without one, to `stream`
    in input order. Every input ends as one Result passed to `on_result` and
    counted in the returned Summary (pass `summary` to read it after Ctrl-C).
    Raises RulesError before any work when the rules are broken.
    """
    prepare(options)
    # What is loaded now lives as long as the batch: the collector need not walk it again, and
    # forked workers then share its memory pages instead of copying them as it walks.
    gc.freeze()
    summary = summary if summary is not None else Summary()
    started = time.perf_counter()
    ordered = stream is not None

    pool = Pool(partial(write_in_worker, work), jobs, timeout, tasks_per_worker)
    sink = Sink(options, summary, stream, on_result)
    folders: set[str] = set()  # where workers write: see _clean_folders

    def items() -> Iterator[tuple]:
        for (task, verdict), args in work_items(tasks, options, skip_existing):
            if args is not None and task.dest is not None and not has_scheme(task.dest):
                folders.add(os.path.dirname(task.dest) or ".")
            yield (task, verdict), None if args is None else (task.dest, *args)

    try:
        for (task, verdict), outcome in pool.imap(items(), ordered=ordered):
            sink.add(settle(task, verdict, outcome))
    finally:
        pool.close()
        _clean_folders(folders)
        gc.unfreeze()
        summary.seconds = time.perf_counter() - started
    return summary


class Sink:
    """Where each result goes, in the order given: the stream (outputs without a dest), the summary, on_result."""

    def __init__(self, options: Options, summary: Summary, stream: BinaryIO | None = None,
                 on_result: Callable[[Result], None] | None = None):
        self.options, self.summary, self.stream, self.on_result = options, summary, stream, on_result
        self.streamed = 0

    def add(self, result: Result) -> None:
        if self.stream is not None and result.task.dest is None:
            text = stream_text(result, self.options)
            if text:
                if self.streamed and self.options.output_format == "text":
                    text = "\n" + text  # a blank line between headed outputs, as for several files
                self.stream.write(text.encode("utf-8"))
                self.stream.flush()
                self.streamed += 1
        self.summary.add(result)
        if self.on_result is not None:
            self.on_result(result)


def settle(task: Task, verdict: Result | None, outcome: Outcome | Crash | None,
           write: Callable[[str, str], None] | None = None) -> Result:
    """The result of a task: its precheck verdict, or its outcome with the output written to
    task.dest (by `write`, default write_atomic)."""
    result = verdict or _result(task, outcome)
    written = isinstance(outcome, Outcome) and outcome.written
    if result.status in ("cleaned", "empty") and task.dest is not None and not written:
        try:
            (write or write_atomic)(task.dest, result.output or "")
        except OSError as exc:
            result = Result(task, "failed", error=write_failure(task.dest, exc))
    return result


def _result(task: Task, outcome: Outcome | Crash) -> Result:
    if isinstance(outcome, Crash):
        return Result(task, "failed", error=outcome.message)
    if outcome.error is not None:
        return Result(task, "failed", error=outcome.error)
    return Result(task, "cleaned" if outcome.found else "empty", outcome.paywalled, output=outcome.output)
