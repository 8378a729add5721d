"""A small process pool with a per-task timeout, for batch mode.

concurrent.futures and multiprocessing.Pool cannot kill one stuck task: here
each worker has its own pipe and holds one task at a time, so the parent knows
which task a worker is on, kills a worker past its deadline and starts another.
Knows nothing of stripper: `func(*args)` runs in the workers.
"""
from __future__ import annotations

import signal
import sys
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator

# A worker process is replaced after this many tasks, so memory cannot creep.
TASKS_PER_WORKER = 500
# Results held back (out of order, or a long run of items with nothing to run): this many per worker.
WINDOW_PER_JOB = 8


class Crash:
    """A task that got no answer: its worker timed out or died."""

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"Crash({self.message!r})"


def _serve(conn, func, inherited=()) -> None:
    """A worker's loop: receive (args), send func(*args), until told to stop or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for other in inherited:  # the parent's ends, copied by fork: holding them, we would never see EOF
        other.close()
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return
        try:
            result = func(*args)
        except BaseException as exc:  # noqa: BLE001 - report, don't die silently
            result = Crash(f"{type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except (EOFError, OSError):
            return


def _context():
    import multiprocessing  # here, not at the top: a one-page run never needs it

    # fork starts workers warm (rules already loaded); elsewhere spawn is the safe choice.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn")


class _Worker:
    def __init__(self, ctx, func, others: Iterable["_Worker"] = ()):
        for stream in (sys.stdout, sys.stderr):  # a forked child must not flush our buffered output again
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        self.conn, child = ctx.Pipe()
        inherited = [self.conn] + [w.conn for w in others] if ctx.get_start_method() == "fork" else []
        self.proc = ctx.Process(target=_serve, args=(child, func, inherited), daemon=True)
        self.proc.start()
        child.close()
        self.seq: int | None = None
        self.deadline = float("inf")
        self.done = 0

    def give(self, seq: int, args: tuple, timeout: float | None) -> None:
        self.seq = seq
        self.deadline = time.monotonic() + timeout if timeout else float("inf")
        self.conn.send(args)

    def take(self):
        """The answer to the current task, or a Crash when the worker died."""
        try:
            if self.conn.poll():
                result = self.conn.recv()
                self.seq, self.deadline = None, float("inf")
                self.done += 1
                return result
        except (EOFError, OSError):
            pass
        self.proc.join(1)
        code = self.proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return Crash(f"worker process died ({how})")

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (EOFError, OSError):
            pass
        self.proc.join(2)
        self.kill()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()


class Pool:
    """`jobs` worker processes running `func(*args)`, each task at most `timeout` seconds.

    A worker past its deadline is killed and replaced and its task answered
    with a Crash; so is a task whose worker died. At most one task is in each
    worker, so memory in flight is bounded; workers are replaced after
    `tasks_per_worker` tasks.
    """

    def __init__(self, func: Callable, jobs: int = 1, timeout: float | None = None,
                 tasks_per_worker: int = TASKS_PER_WORKER):
        self.func, self.jobs, self.timeout, self.tasks_per_worker = func, max(1, jobs), timeout, tasks_per_worker
        self.ctx = _context()
        self.workers: list[_Worker] = []

    def imap(self, items: Iterable[tuple[Any, tuple | None]], ordered: bool = False) -> Iterator[tuple[Any, Any]]:
        """(key, result) for each (key, args) item; args None means nothing to run (result None).

        Unordered results come as they finish; ordered ones in the items' order.
        Either way at most WINDOW_PER_JOB * jobs results are held back, so a long
        run of items with nothing to run (a resumed batch) does not pile up.
        """
        items = iter(items)
        keys: dict[int, Any] = {}
        done: dict[int, Any] = {}  # finished, not yet yielded
        ready: deque[int] = deque()  # the order they finished in (unordered)
        window = WINDOW_PER_JOB * self.jobs
        next_seq = next_out = 0
        exhausted = False
        try:
            while True:
                # Hand out work while there are idle workers (or room to start one) and items left.
                while not exhausted and (next_seq - next_out if ordered else len(done)) < window:
                    idle = next((w for w in self.workers if w.seq is None), None)
                    if idle is None and len(self.workers) >= self.jobs:
                        break
                    item = next(items, None)
                    if item is None:
                        exhausted = True
                        break
                    key, args = item
                    seq, next_seq = next_seq, next_seq + 1
                    keys[seq] = key
                    if args is None:
                        done[seq] = None
                        ready.append(seq)
                        continue
                    if idle is None:
                        idle = _Worker(self.ctx, self.func, self.workers)
                        self.workers.append(idle)
                    idle.give(seq, args, self.timeout)
                # Yield what is finished.
                if ordered:
                    ready.clear()
                    while next_out in done:
                        yield keys.pop(next_out), done.pop(next_out)
                        next_out += 1
                else:
                    while ready:
                        seq = ready.popleft()
                        yield keys.pop(seq), done.pop(seq)
                busy = [w for w in self.workers if w.seq is not None]
                if not busy:
                    if exhausted and not done:
                        return
                    continue
                self._collect(busy, done, ready)
        finally:
            self.close()

    def _collect(self, busy: list[_Worker], done: dict[int, Any], ready: deque[int]) -> None:
        from multiprocessing.connection import wait as wait_for

        deadline = min(w.deadline for w in busy)
        wait = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
        handles = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
        fired = set(wait_for(handles, wait))
        now = time.monotonic()
        for w in busy:
            seq = w.seq
            if w.conn in fired or w.proc.sentinel in fired:
                result = w.take()
                if isinstance(result, Crash) and w.seq is not None:
                    self._replace(w)
            elif now >= w.deadline:
                result = Crash(f"timed out after {self.timeout:g} s (worker killed)")
                self._replace(w)
            else:
                continue
            done[seq] = result
            ready.append(seq)
            if w in self.workers and w.done >= self.tasks_per_worker:
                self.workers.remove(w)
                w.stop()

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.workers.remove(worker)  # a new one starts when there is work for it

    def close(self) -> None:
        workers, self.workers = self.workers, []
        for w in workers:
            if w.seq is None:
                w.stop()
            else:
                w.kill()
