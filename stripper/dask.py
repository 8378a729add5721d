"""Batches on a Dask cluster, and pages already held in a Dask bag.

`run` is `batch.run` on dask.distributed workers instead of local processes:
the client plans (walks directories, reads --files-from), writes the stream
and counts; each worker reads its inputs and writes its outputs itself, so
paths and URLs must mean the same on every worker. Files go in chunks of
FILES_PER_TASK; a WARC is first indexed on a worker (`warc.chunk_offsets`),
then its runs of RECORDS_PER_TASK pages are stripped in parallel.
`strip_bag` strips the pages of a Dask bag. Library code: nothing prints.
"""
from __future__ import annotations

import logging
import multiprocessing.context
import multiprocessing.process
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from . import __version__, batch, storage, warc
from .batch import Result, Summary, Task
from .errors import ClusterError, ExtraMissing, StripperError
from .options import Options
from .pool import Pool

INSTALL_HINT = "--dask needs dask.distributed: pip install 'stripper[dask]'"
# Pages per Dask task: a task should take well over the scheduler's few ms per task.
FILES_PER_TASK = 16
RECORDS_PER_TASK = 64
# Tasks in flight per worker thread: enough that no worker waits, few enough that memory stays bounded.
TASKS_PER_THREAD = 4
# Seconds to reach a scheduler, and to wait for its first worker.
CONNECT_SECONDS = 10
WORKER_WAIT_SECONDS = 60


def require_distributed():
    try:
        import distributed
    except ImportError:
        raise ExtraMissing(INSTALL_HINT) from None
    return distributed


@contextmanager
def connect(address: str, jobs: int | None = None) -> Iterator[Any]:
    """A Client of the scheduler at `address`, or, for "local", of a LocalCluster of `jobs`
    single-threaded worker processes on this machine; closed (with the cluster) on exit.
    Raises ClusterError when the scheduler cannot be reached or its workers cannot run stripper."""
    distributed = require_distributed()
    cluster = client = None
    try:
        if address == "local":
            with _ctrl_c_ignored():  # by the workers, which inherit it: the client stops them
                cluster = distributed.LocalCluster(n_workers=jobs or batch.default_jobs(), threads_per_worker=1,
                                                   processes=True, dashboard_address=":0",
                                                   silence_logs=logging.CRITICAL)  # failures are ours to report
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(address, timeout=CONNECT_SECONDS)
        check_workers(client)
    except BaseException as exc:
        _close(client, cluster)
        if isinstance(exc, Exception) and not isinstance(exc, StripperError):  # unreachable, refused, failed to start
            raise ClusterError(f"cannot use the Dask scheduler at {address}: {exc}") from None
        raise
    try:
        yield client
    finally:
        _close(client, cluster)


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored while processes start, so they ignore it too (Python keeps an ignored SIGINT
    ignored): a Ctrl-C then stops the batch through the client, without a traceback from each worker."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _close(client, cluster) -> None:
    for thing in (client, cluster):
        if thing is not None:
            try:
                thing.close()
            except Exception:  # noqa: BLE001 - closing must not hide what went wrong before
                pass


def worker_version() -> str:
    return __version__


def check_workers(client) -> None:
    """Wait for a worker; every worker must import the same stripper as this client. Raises ClusterError."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        raise ClusterError(f"the Dask scheduler has no workers (waited {WORKER_WAIT_SECONDS} s)") from None
    try:
        versions = client.run(worker_version)
    except Exception as exc:  # noqa: BLE001 - e.g. ModuleNotFoundError on a worker
        raise ClusterError(f"Dask workers cannot run stripper ({type(exc).__name__}: {exc}); "
                           "install the same stripper on every worker") from None
    other = {v for v in versions.values() if v != __version__}
    if other:
        raise ClusterError(f"Dask workers run stripper {', '.join(sorted(other))}, this client {__version__}; "
                           "install the same version everywhere")


# -- on a worker ---------------------------------------------------------------

class _KeptPool(Pool):
    """A pool.Pool of one process that outlives `imap`: a Dask worker thread keeps it for all its tasks.

    Pages run in it, as locally, so a page past the timeout (or one that kills
    its process) fails alone and the Dask worker goes on.
    """

    def __init__(self, timeout: float):
        super().__init__(_work, 1, timeout)
        self.ctx = _Spawn()
        self.timeout = None
        for _ in self.imap([(None, ())]):  # start warm: a spawned process imports and loads rules first
            pass
        self.timeout = timeout

    def close(self) -> None:
        pass  # imap closes its pool when done; this one stays up (its process is a daemon)


_starting = threading.Lock()


class _Child(multiprocessing.context.SpawnProcess):
    """Spawned (forking a Dask worker, a process with threads, is not safe), and allowed in a daemon.

    Dask workers are daemon processes, which multiprocessing forbids to have
    children lest they outlive them. Ours cannot: it serves one pipe and ends
    when the worker's end closes (pool._serve), so the rule is lifted while it starts.
    """

    def start(self) -> None:
        config = multiprocessing.process.current_process()._config
        with _starting:
            daemon = config.pop("daemon", None)
            try:
                super().start()
            finally:
                if daemon is not None:
                    config["daemon"] = daemon


class _Spawn(multiprocessing.context.SpawnContext):
    Process = _Child


def _work(*args) -> batch.Outcome | None:
    """batch.strip_file in the child, which also writes a local output (batch.write_in_worker);
    with no arguments, load what stripping needs and return None."""
    if not args:
        batch.prepare(Options())
        return None
    return batch.write_in_worker(batch.strip_file, *args)


_threads = threading.local()


def _pool(timeout: float | None) -> _KeptPool | None:
    if not timeout:
        return None
    pool = getattr(_threads, "pool", None)
    if pool is None or pool.timeout != timeout:
        if pool is not None:
            Pool.close(pool)
        pool = _threads.pool = _KeptPool(timeout)
    return pool


def _precheck(task: Task, skip_existing: bool) -> Result | None:
    if task.dest is not None and storage.has_scheme(task.dest):
        return Result(task, "skipped") if skip_existing and storage.exists(task.dest) else None
    return batch._precheck(task, skip_existing)


def _strip_all(tasks: Iterable[Task], opts: Options, skip_existing: bool, timeout: float | None) -> list[Result]:
    """Strip pages (files, or WARC records) and write their outputs, as batch.run does."""
    # Each page's args lead with its dest: where it runs, the output is written (see _work).
    items = (((task, verdict), None if args is None else (task.dest, *args))
             for (task, verdict), args in batch.work_items(tasks, opts, skip_existing, _precheck))
    pool = _pool(timeout)
    done = pool.imap(items, ordered=True) if pool else (
        (key, None if args is None else batch.write_in_worker(batch.strip_file, *args)) for key, args in items)
    results = []
    for (task, verdict), outcome in done:
        result = batch.settle(task, verdict, outcome, write=storage.write_text)
        if task.dest is not None:
            result.output = None  # written here: don't send it back
        if task.record is not None:  # the client needs the record's names, not its body
            result.task = replace(task, record=task.record._replace(body=b""))
        results.append(result)
    return results


def strip_files(tasks: list[Task], opts: Options, skip_existing: bool, timeout: float | None) -> list[Result]:
    """A Dask task: strip a chunk of files."""
    return _strip_all(tasks, opts, skip_existing, timeout)


def index_warc(path: str, max_bytes: int, every: int) -> tuple[list[int], int, str | None]:
    """A Dask task: where each run of `every` pages starts, how many records are skipped, and
    the error that ends the WARC early (or None)."""
    try:
        with storage.open_read(path) as fh:
            offsets, _, skipped, error = warc.chunk_offsets(fh, max_bytes=max_bytes, every=every)
    except OSError as exc:
        return [], 0, exc.strerror or str(exc)
    return offsets, sum(skipped.values()), error


def strip_warc_part(task: Task, start: int, end: int | None, opts: Options, skip_existing: bool,
                    timeout: float | None) -> list[Result]:
    """A Dask task: strip the pages of the WARC of `task` whose records start in [start, end)."""
    extension = warc.record_extension(opts)
    failure: list[Result] = []

    def record_tasks():
        try:
            with storage.open_read(task.path) as fh:
                for record in warc.records(fh, max_bytes=opts.max_bytes, start=start, end=end):
                    yield warc.record_task(task, record, extension)
        except (OSError, StripperError) as exc:
            error = getattr(exc, "strerror", None) or str(exc)
            failure.append(Result(Task(task.path, error=error), "failed", error=error))

    return _strip_all(record_tasks(), opts, skip_existing, timeout) + failure


# -- on the client ---------------------------------------------------------------

@dataclass
class _Unit:
    """Inputs whose results go out together, in input order: a chunk of files, or one WARC
    (its parts known once it is indexed), or a task that failed before any work."""

    tasks: list[Task]
    parts: list[tuple] | None = None  # submit args per part; None: a WARC not indexed yet
    submitted: int = 0
    done: dict[int, list[Result]] = field(default_factory=dict)
    emitted: int = 0
    tail: list[Result] = field(default_factory=list)  # after the parts: a WARC's error

    @property
    def complete(self) -> bool:
        return self.parts is not None and self.emitted == len(self.parts)


def _failed(tasks: list[Task], exc: BaseException) -> list[Result]:
    error = f"Dask task failed: {type(exc).__name__}: {exc}"
    return [Result(task, "failed", error=error) for task in tasks]


def run(tasks: Iterable[Task], options: Options, client, *, timeout: float | None = batch.DEFAULT_TIMEOUT,
        skip_existing: bool = False, stream: BinaryIO | None = None,
        on_result: Callable[[Result], None] | None = None, summary: Summary | None = None,
        files_per_task: int = FILES_PER_TASK, records_per_task: int = RECORDS_PER_TASK) -> Summary:
    """batch.run on the workers of `client`: the same outputs, results, stream and summary.

    With a `timeout`, each worker thread strips in a child process of its own,
    so a page that hangs or crashes fails alone, as in a local batch.
    WARC tasks are expanded on workers (give the plan as it is, not warc.expand-ed).
    Raises RulesError before any work when the rules are broken.
    """
    batch.prepare(options)
    summary = summary if summary is not None else Summary()
    started = time.perf_counter()
    runner = _Runner(client, iter(tasks), options, batch.Sink(options, summary, stream, on_result),
                     timeout=timeout, skip_existing=skip_existing, ordered=stream is not None,
                     files_per_task=files_per_task, records_per_task=records_per_task)
    try:
        runner.run()
    finally:
        runner.cancel()
        summary.seconds = time.perf_counter() - started
    return summary


class _Runner:
    """Keeps at most `limit` Dask tasks in flight, pulling tasks from the plan as they finish, and hands
    results to the sink: in input order when streaming (ordered), else as they come."""

    def __init__(self, client, tasks: Iterator[Task], options: Options, sink: batch.Sink, *,
                 timeout: float | None, skip_existing: bool, ordered: bool, files_per_task: int,
                 records_per_task: int):
        from distributed import as_completed

        self.client, self.tasks, self.options, self.sink = client, tasks, options, sink
        self.work_args = (options, skip_existing, timeout)  # the last arguments of every stripping task
        self.ordered, self.files_per_task, self.records_per_task = ordered, files_per_task, records_per_task
        self.limit = TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))
        self.units: deque[_Unit] = deque()
        self.owners: dict[Any, tuple[_Unit, int | None]] = {}  # future -> (unit, part; None: a WARC's index)
        self.pending = as_completed(loop=client.loop)
        self.exhausted = False

    def run(self) -> None:
        while True:
            self.fill()
            self.emit()
            if self.owners:
                self.settle(next(self.pending))
            elif self.exhausted:
                return

    def cancel(self) -> None:
        if self.owners:
            self.client.cancel(list(self.owners))

    def submit(self, unit: _Unit, index: int | None, func, *args) -> None:
        future = self.client.submit(func, *args, pure=False)
        self.owners[future] = (unit, index)
        self.pending.add(future)

    def files(self, chunk: list[Task]) -> _Unit:
        return _Unit(chunk, parts=[(strip_files, chunk, *self.work_args)])

    def next_unit(self) -> _Unit | None:
        """The next unit of the plan: a chunk of files, ended early by a WARC or a failed task."""
        chunk: list[Task] = []
        for task in self.tasks:
            if task.error:
                unit = _Unit([task], parts=[()], done={0: [Result(task, "failed", error=task.error)]})
            elif warc.is_warc(task.path):
                unit = _Unit([task])
                self.submit(unit, None, index_warc, task.path, self.options.max_bytes, self.records_per_task)
            else:
                chunk.append(task)
                if len(chunk) < self.files_per_task:
                    continue
                return self.files(chunk)
            if chunk:  # the files before this one go first
                self.units.append(self.files(chunk))
            return unit
        return self.files(chunk) if chunk else None

    def fill(self) -> None:
        """Submit parts waiting in known units, then new units, while fewer than `limit` are in flight."""
        while len(self.owners) < self.limit:
            waiting = next((u for u in self.units if u.parts is not None and u.submitted < len(u.parts)
                            and u.parts[u.submitted]), None)
            if waiting is not None:
                self.submit(waiting, waiting.submitted, *waiting.parts[waiting.submitted])
                waiting.submitted += 1
                continue
            if self.exhausted or len(self.units) >= 2 * self.limit:  # held results stay bounded
                return
            unit = self.next_unit()
            if unit is None:
                self.exhausted = True
                return
            self.units.append(unit)

    def emit(self) -> None:
        for unit in list(self.units):
            while unit.parts is not None:
                index = unit.emitted if self.ordered else next(iter(unit.done), None)
                if index not in unit.done:
                    break
                for result in unit.done.pop(index):
                    self.sink.add(result)
                unit.emitted += 1
            if unit.complete:
                for result in unit.tail:
                    self.sink.add(result)
                self.units.remove(unit)
            elif self.ordered:
                return  # later units wait for this one

    def settle(self, future) -> None:
        unit, index = self.owners.pop(future)
        try:
            value = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker died, or the task failed: report, go on
            value = exc
        if index is None:
            self.indexed(unit, value)
        elif isinstance(value, BaseException):
            args = unit.parts[index]
            unit.done[index] = _failed(args[1] if args[0] is strip_files else [args[1]], value)
        else:  # when the index already said why this WARC ends early, its parts need not say it again
            unit.done[index] = [r for r in value if r.task.record is not None] if unit.tail else value

    def indexed(self, unit: _Unit, value) -> None:
        """A WARC's index is in: its parts (runs of pages) can go."""
        task = unit.tasks[0]
        if isinstance(value, BaseException):
            value = ([], 0, f"Dask task failed: {type(value).__name__}: {value}")
        offsets, skipped, error = value
        self.sink.summary.warc_skipped += skipped
        unit.parts = [(strip_warc_part, task, start, end, *self.work_args)
                      for start, end in zip(offsets, offsets[1:] + [None])]
        if error:
            unit.tail = [Result(task, "failed", error=error)]


# -- pages in a Dask bag ------------------------------------------------------------

def _options(options: dict) -> Options:
    for key in ("rule_files", "drop", "keep"):
        if key in options and not isinstance(options[key], tuple):
            options[key] = tuple(options[key])
    return Options().but(**options)


def strip_page(item: Any, opts: Options) -> dict[str, Any]:
    """`Article.to_dict()` of one page: HTML (str or bytes) or a dict with "html" and maybe "url".
    A page that cannot be read gives {"url": …, "error": …} instead."""
    from . import strip

    url = None
    if isinstance(item, dict):
        item, url = item.get("html"), item.get("url")
    try:
        return strip(item or "", options=opts if url is None else opts.but(url=url)).to_dict()
    except StripperError as exc:
        return {"url": url, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one page must not stop a crawl
        return {"url": url, "error": f"internal error: {type(exc).__name__}: {exc}"}


def strip_bag(bag, **options):
    """A Dask bag of `Article.to_dict()` dicts, one per page of `bag`.

    Pages are HTML (str or bytes) or dicts with "html" and optionally "url".
    `options` are Options fields (`include_title=False`, `drop=[".promo"]`, …).
    A page that cannot be read gives {"url": …, "error": …}. Raises RulesError
    at once when `rule_files` are broken (workers must reach them at the same paths).
    """
    from .rules.filters import user_rules

    opts = _options(dict(options))
    user_rules(opts.rule_files)
    return bag.map(strip_page, opts)
