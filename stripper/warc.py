"""WARC input: the HTML pages of a web archive, one record at a time.

`records` reads a WARC (plain or gzip, from a binary file object) and yields
each HTML response as a `Record`: target URI, record id, the charset of the
HTTP header, the body bytes. warcio parses; it is an optional extra (`.[warc]`).
warcio stops quietly at a truncated file, so truncation is checked here: a
record shorter than its Content-Length, or bytes left after the last whole
record, end the reading with an InputError after the whole records are yielded.
Library code: nothing here prints or exits.
"""
from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections import Counter
from typing import BinaryIO, Iterator, NamedTuple
from urllib.parse import unquote, urlsplit

from .errors import ExtraMissing, InputError, StripperError
from .storage import open_read

GZIP_MAGIC = b"\x1f\x8b"
# A WARC read from a stream is copied first (reading checks truncation by seeking): in memory up to this.
SPOOL_BYTES = 64 * 1024 * 1024
STDIN = "-"  # the path of a WARC read from `stdin`
INSTALL_HINT = "reading WARC files needs warcio: pip install 'stripper[warc]' (or: pip install warcio)"
# Record types that hold a fetched document, and the media types that make it a page.
PAGE_RECORD_TYPES = frozenset({"response", "resource"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A page record without a Content-Type is HTML when its start says so.
SNIFF_BYTES = 1024
LOOKS_HTML = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I)
CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.I)
# Output names: a slug of the URI this long at most, then this many hex digits of a hash.
SLUG_CHARS = 60
HASH_CHARS = 10


class Record(NamedTuple):
    """One HTML page of a WARC. `error` says why the body could not be taken (too large, bad encoding)."""

    uri: str
    record_id: str
    charset: str | None
    body: bytes
    offset: int = 0  # where the record starts in the (compressed) file
    error: str | None = None


def is_warc(name: str) -> bool:
    return name.lower().endswith((".warc", ".warc.gz"))


def looks_like_warc(head: bytes) -> bool:
    """Do these first bytes of a stream (plain or gzip) start a WARC?"""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def spool(stream: BinaryIO) -> BinaryIO:
    """A seekable copy of a stream (standard input): in memory while small, then in a temporary file."""
    import shutil
    import tempfile

    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    shutil.copyfileobj(stream, copy, 1 << 20)
    copy.seek(0)
    return copy


def require_warcio():
    """The warcio archive iterator module; ExtraMissing (exit 2) when warcio is not installed."""
    try:
        from warcio import archiveiterator
    except ImportError:
        raise ExtraMissing(INSTALL_HINT) from None
    return archiveiterator


def records(fh: BinaryIO, *, max_bytes: int, skipped: Counter | None = None, start: int = 0,
            end: int | None = None) -> Iterator[Record]:
    """The HTML page records of the WARC in `fh`, in file order.

    Records that are not HTML pages are counted in `skipped` (by record type,
    or "not HTML" for other documents). `start`/`end` read only the records
    that start in that byte range (offsets from `chunk_offsets`). Raises
    InputError, after yielding every whole record before it, when the file is
    truncated or corrupt.
    """
    for offset, rec in _scan(fh, max_bytes, start, end, skipped):
        if rec is not None:
            yield rec


def chunk_offsets(fh: BinaryIO, *, max_bytes: int, every: int) -> tuple[list[int], int, Counter, str | None]:
    """Offsets that split the WARC into runs of `every` page records, to read them in parallel.

    Returns (offsets of each run's first record, page count, skipped counts,
    error or None); runs end where the next begins, the last at the end of file.
    """
    offsets: list[int] = []
    pages = 0
    skipped: Counter = Counter()
    try:
        for offset, rec in _scan(fh, max_bytes, 0, None, skipped, keep_bodies=False):
            if rec is not None:
                if pages % every == 0:
                    offsets.append(offset)
                pages += 1
    except StripperError as exc:
        return offsets, pages, skipped, str(exc)
    return offsets, pages, skipped, None


def _scan(fh, max_bytes, start, end, skipped, keep_bodies=True) -> Iterator[tuple[int, Record | None]]:
    archive = require_warcio()
    from warcio.exceptions import ArchiveLoadFailed

    if start:
        fh.seek(start)
    it = archive.ArchiveIterator(fh)
    offset = start
    last = None  # where the last record started
    try:
        for rec in it:
            offset = last = it.offset  # where this record starts: the end of the one before
            if end is not None and offset >= end:
                return
            if it.err_count:
                raise InputError(f"corrupt WARC: the record before byte {offset} is not as long as it says")
            length = rec.rec_headers.get_header("Content-Length") or ""
            if not length.strip().isdigit():  # required: headers cut short lack it
                raise InputError(f"truncated WARC: the record at byte {offset} has incomplete headers")
            page = _page(rec, offset, max_bytes, keep_bodies)
            it.read_to_end()  # drain the record, so a short one shows
            if getattr(rec.raw_stream, "limit", 0) > 0:
                raise InputError(f"truncated WARC: the record at byte {offset} ({_uri(rec) or rec.rec_type}) "
                                 "ends early")
            if page is None and skipped is not None:
                skipped[rec.rec_type if rec.rec_type not in PAGE_RECORD_TYPES else "not HTML"] += 1
            yield offset, page
        offset = it.offset
    except ArchiveLoadFailed as exc:
        raise InputError(f"corrupt WARC at byte {it.offset}: {_first_line(exc.msg)}") from None
    except StripperError:
        raise
    except Exception as exc:  # zlib and parser errors: one bad file must not stop a batch
        raise InputError(f"corrupt or truncated WARC: cannot read the record at byte {it.offset} "
                         f"({type(exc).__name__}: {exc})") from None
    if end is None and _rest(fh, offset):
        raise InputError(f"truncated WARC: an incomplete record starts at byte {offset}")
    if end is None and last is not None and not _gzip_member_ends(fh, last):
        raise InputError(f"truncated WARC: the record at byte {last} lacks the end of its gzip data")


def _rest(fh, offset: int) -> bool:
    """Anything but blank lines after `offset`, where the last whole record ended?"""
    try:
        fh.seek(offset)
    except (OSError, ValueError):
        return False  # not seekable: cannot tell
    while True:
        chunk = fh.read(1 << 16)
        if not chunk:
            return False
        if chunk.strip(b"\r\n"):
            return True


def _gzip_member_ends(fh, start: int) -> bool:
    """Does the gzip member at `start` (the file's last) end whole? warcio takes a member
    that lost only its checksum trailer as complete; true too for a file that is not gzip."""
    try:
        fh.seek(start)
        if fh.read(2) != GZIP_MAGIC:
            return True
        fh.seek(start)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not inflater.eof:
            chunk = inflater.unconsumed_tail or fh.read(1 << 16)
            if not chunk:
                return False
            inflater.decompress(chunk, 1 << 16)  # bounded: only whether it ends matters
        return True
    except (OSError, ValueError, zlib.error):
        return True  # not seekable or not gzip at all: the reading itself would have failed


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unreadable record"


def _uri(rec) -> str:
    return (rec.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


def _page(rec, offset: int, max_bytes: int, keep_body: bool) -> Record | None:
    """The record as a page, or None when it is not an HTML page."""
    if rec.rec_type not in PAGE_RECORD_TYPES:
        return None
    headers = rec.http_headers if rec.rec_type == "response" else rec.rec_headers
    if rec.rec_type == "response" and headers is None:
        return None  # a response that is not HTTP (dns:, ftp:)
    content_type = headers.get_header("Content-Type") or ""
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media not in HTML_TYPES:
        return None
    m = CHARSET.search(content_type)
    uri = _uri(rec)
    record_id = (rec.rec_headers.get_header("WARC-Record-ID") or "").strip()
    body, error = b"", None
    if keep_body or not media:
        try:
            body = rec.content_stream().read(max_bytes + 1)
        except Exception as exc:  # a broken Content-Encoding spoils this record only
            body, error = b"", f"cannot read the record's body: {type(exc).__name__}: {exc}"
        if len(body) > max_bytes:
            body, error = b"", f"page is larger than the --max-bytes limit ({max_bytes} bytes)"
        if not media and not error and not LOOKS_HTML.search(body[:SNIFF_BYTES]):
            return None
        if not keep_body:
            body = b""
    return Record(uri, record_id, m.group(1) if m else None, body, offset, error)


# -- names and output for one record -------------------------------------------

def record_name(record: Record, extension: str) -> str:
    """`example.com-news-story-1a2b3c4d5e.txt`: a slug of the URI, then a hash of the record id.

    The slug keeps letters, digits, `.` and `_` of host, path and query, lowercased, others
    become `-`; it never starts with a dot (no hidden files, no `.strip-tmp-` names). The hash
    keeps two captures of one URI apart; the same WARC always gives the same names.
    """
    try:
        parts = urlsplit(record.uri)
        where = (parts.hostname or "") + unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query else "")
    except ValueError:  # not a URL we can split ("http://[oops")
        where = record.uri
    slug = re.sub(r"[^a-z0-9._]+", "-", where.lower()).strip("-._")[:SLUG_CHARS].rstrip("-._") or "record"
    key = record.record_id or f"{record.uri}#{record.offset}"
    return f"{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:HASH_CHARS]}{extension}"


def record_extension(opts) -> str:
    from .batch import DEFAULT_EXTENSION, EXTENSIONS

    return EXTENSIONS.get(opts.output_format, DEFAULT_EXTENSION)


def record_task(task, record: Record, extension: str):
    """The batch task of one record of the WARC of `task`: its output goes under the WARC's own
    output path less its extension (`out/crawl.txt` -> `out/crawl/<record_name>`)."""
    from .batch import Task

    dest = None
    if task.dest is not None:
        dest = os.path.join(os.path.splitext(task.dest)[0], record_name(record, extension))
    return Task(task.path, dest, record=record)


def render_record(article, opts, record: Record, path: str) -> str:
    from .batch import json_name, render

    if opts.output_format != "jsonl":
        return render(article, opts, path)
    import json

    fields = {"path": json_name(path), "url": record.uri, "warc_record_id": record.record_id}
    fields.update((key, value) for key, value in article.to_dict().items() if key != "url")
    return json.dumps(fields, ensure_ascii=False) + "\n"


def strip_record(path: str, opts, record: Record):
    """Strip one record of the WARC at `path`; every error becomes the outcome's message (like batch.strip_file)."""
    from . import load, strip
    from .batch import Outcome

    if record.error:
        return Outcome(error=f"{record.uri}: {record.error}")
    try:
        text = load.read_page(record.body, max_bytes=opts.max_bytes, declared=record.charset)
        article = strip(text, options=opts.but(url=record.uri))
        return Outcome(render_record(article, opts, record, path), bool(article.text), article.paywall.detected)
    except StripperError as exc:
        return Outcome(error=f"{record.uri}: {exc}")
    except Exception as exc:  # one page must not stop a crawl
        return Outcome(error=f"{record.uri}: internal error: {type(exc).__name__}: {exc}")


def expand(tasks, opts, summary=None, stdin: BinaryIO | None = None):
    """Batch tasks with each WARC's task replaced by one task per HTML record (`record_task`), in file order.

    A WARC that cannot be read to the end becomes a failed task after the tasks
    of the records read; skipped records are counted in `summary.warc_skipped`.
    A task whose path is "-" is a WARC read from `stdin`.
    Raises ExtraMissing when a WARC comes and warcio is not installed.
    """
    from .batch import Task

    extension = record_extension(opts)
    for task in tasks:
        from_stdin = task.path == STDIN and stdin is not None
        if task.error or task.record is not None or not (is_warc(task.path) or from_stdin):
            yield task
            continue
        skipped: Counter = Counter()
        try:
            with spool(stdin) if from_stdin else open_read(task.path) as fh:
                for rec in records(fh, max_bytes=opts.max_bytes, skipped=skipped):
                    yield record_task(task, rec, extension)
        except OSError as exc:
            yield Task(task.path, error=exc.strerror or str(exc))
        except InputError as exc:
            yield Task(task.path, error=str(exc))
        finally:
            if summary is not None:
                summary.warc_skipped += sum(skipped.values())
