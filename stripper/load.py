"""Bytes in, text out: gunzip, then BOM, then declared charset, then detection."""
from __future__ import annotations

import codecs
import re
import zlib

from .errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
# WHATWG: these labels mean windows-1252 in browsers, which is what pages rely on.
WINDOWS_1252_ALIASES = {"iso8859-1", "latin-1", "ascii", "us-ascii", "iso-8859-1", "latin1", "cp819"}
SINGLE_BYTE = re.compile(r"^(cp125\d|iso8859-\d+|latin|mac|koi8|cp8\d\d)")


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip data, refusing to grow past `max_bytes` (a gzip bomb stops early)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    chunk = data
    while chunk:
        try:
            out += inflater.decompress(chunk, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise InputError(f"broken gzip data ({exc})") from None
        if len(out) > max_bytes:
            raise InputError(f"gzip data expands past the --max-bytes limit ({max_bytes} bytes)")
        chunk = inflater.unconsumed_tail
        if inflater.eof:
            break
    return bytes(out)


def normalise_label(label: str) -> str | None:
    """A codec name for a declared charset, or None when the label means nothing."""
    label = label.strip().strip("\"'").lower()
    label = re.split(r"[\s,;]", label, maxsplit=1)[0]  # "utf-8, ie=edge" -> "utf-8"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in WINDOWS_1252_ALIASES or label in WINDOWS_1252_ALIASES:
        return "cp1252"
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return None  # a page that reached us as bytes ASCII-compatible enough to sniff is not UTF-16
    return name


def declared_charset(head: bytes) -> str | None:
    for pattern in (META_CHARSET, XML_ENCODING):
        m = pattern.search(head)
        if m:
            name = normalise_label(m.group(1).decode("ascii", "ignore"))
            if name:
                return name
    return None


def looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII markup is NUL."""
    sample = data[:200]
    if len(sample) < 4:
        return None
    evens, odds = sample[0::2], sample[1::2]
    if odds.count(0) > len(odds) * 0.7 and evens.count(0) < len(evens) * 0.1:
        return "utf-16-le"
    if evens.count(0) > len(evens) * 0.7 and odds.count(0) < len(odds) * 0.1:
        return "utf-16-be"
    return None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes the way a browser would, never raising on bad bytes.

    `declared` is a charset from outside the page (an HTTP header), tried
    after a BOM and before the page's own declaration.
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, "replace")
    utf16 = looks_utf16(data)
    if utf16:
        return data.decode(utf16, "replace")
    charset = (normalise_label(declared) if declared else None) or declared_charset(data[:SNIFF_BYTES])
    if charset and charset != "utf-8":
        # A single-byte label on bytes that are valid UTF-8 with non-ASCII in them is a
        # mislabelled UTF-8 page (common with CMS templates); the reverse never decodes.
        if SINGLE_BYTE.match(charset) and not data.isascii():
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if charset == "utf-8":
            # Declared UTF-8 with a few bad bytes: keep the rest rather than guess another charset.
            bad = sum(1 for _ in re.finditer(rb"[\x80-\xff]", data))
            text = data.decode("utf-8", "replace")
            if text.count("\ufffd") < max(10, bad // 10):
                return text
        return data.decode("cp1252", "replace")


def read_page(data: bytes | str, *, max_bytes: int, declared: str | None = None) -> str:
    """Turn what the caller gave us into text."""
    if isinstance(data, str):
        if len(data) > max_bytes:
            raise InputError(f"input is larger than the --max-bytes limit ({max_bytes} bytes)")
        return data
    if data.startswith(GZIP_MAGIC):
        data = gunzip(data, max_bytes)
    if len(data) > max_bytes:
        raise InputError(f"input is larger than the --max-bytes limit ({max_bytes} bytes)")
    return decode(data, declared)
