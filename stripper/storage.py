"""Reading inputs and writing outputs by path or by URL (`s3://…`, `file://…`).

A path with a scheme goes through fsspec (an optional extra, installed with
`.[dask]`), so workers of a cluster can read and write shared storage; plain
paths use the file system directly and never import fsspec.
"""
from __future__ import annotations

import posixpath
import re
from typing import BinaryIO, Callable, Iterator

from .errors import ExtraMissing

# `s3://bucket/key`, `gs://…`, `file:///…`; not `C:\…` (a drive letter is one character).
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
INSTALL_HINT = "URLs as inputs or outputs need fsspec: pip install 'stripper[dask]' (or: pip install fsspec)"


def has_scheme(path: str) -> bool:
    return bool(SCHEME.match(path))


def _fsspec():
    try:
        import fsspec
    except ImportError:
        raise ExtraMissing(INSTALL_HINT) from None
    return fsspec


def open_read(path: str) -> BinaryIO:
    """A binary file object for reading (seekable: WARC reading seeks). Raises OSError."""
    if not has_scheme(path):
        return open(path, "rb")
    fs, inner = _fsspec().core.url_to_fs(path)
    return fs.open(inner, "rb")


def write_text(dest: str, text: str) -> None:
    """Write `text` as UTF-8: atomically (temporary file, rename) on a file system, in one put to
    an object store (where an object appears whole or not at all). Raises OSError."""
    from .batch import write_atomic

    if not has_scheme(dest):
        write_atomic(dest, text)
        return
    fs, inner = _fsspec().core.url_to_fs(dest)
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
    if "file" in protocols:
        write_atomic(inner, text)
        return
    data = text.encode("utf-8")
    try:
        fs.pipe_file(inner, data)
    except FileNotFoundError:  # a file system with real folders (sftp, hdfs): make them, once
        fs.makedirs(posixpath.dirname(inner), exist_ok=True)
        fs.pipe_file(inner, data)


def exists(path: str) -> bool:
    if not has_scheme(path):
        import os

        return os.path.exists(path)
    fs, inner = _fsspec().core.url_to_fs(path)
    return fs.exists(inner)


def url_path(url: str) -> str:
    """The part of a URL after the scheme: `s3://bucket/a/b.html` -> `bucket/a/b.html`."""
    return SCHEME.sub("", url, count=1)


def walk(url: str, matches: Callable[[str, str], bool]) -> Iterator[tuple[str, str]]:
    """(URL, path relative to `url`) of each matching file under the URL, sorted; the URL itself when a file."""
    fs, root = _fsspec().core.url_to_fs(url)
    if not fs.isdir(root):
        yield url, posixpath.basename(root.rstrip("/"))
        return
    root = root.rstrip("/")
    for path in sorted(fs.find(root)):
        rel = path[len(root):].lstrip("/")
        if matches(rel, posixpath.basename(rel)):
            yield fs.unstrip_protocol(path), rel
