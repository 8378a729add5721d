"""Bytes in, text out: gunzip, then BOM, then binary sniffing, then declared charset, then detection.

Never raises on bad bytes: only `InputError`s for input that is empty, too
large or not a page at all (a PDF, an image, an executable).
"""
from __future__ import annotations

import codecs
import re
import zlib

from .errors import InputError, NotAPageError

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096
MAX_GZIP_LAYERS = 3  # servers sometimes gzip twice; more layers than this is not a page
# Magic bytes of files that are never pages, even when named .html.
MAGIC = (
    (b"%PDF-", "PDF"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"\xff\xd8\xff", "JPEG"), (b"\x7fELF", "ELF"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
    (b"!<arch>\n", "ar archive"), (b"!<thin>\n", "ar archive"), (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"), (b"\xce\xfa\xed\xfe", "Mach-O"), (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O or Java class"), (b"7z\xbc\xaf\x27\x1c", "7-Zip"), (b"Rar!\x1a\x07", "RAR"),
    (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"OggS", "Ogg"), (b"ID3", "MP3"),
    (b"\x00asm", "WebAssembly"), (b"SQLite format 3\x00", "SQLite"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office"),
    (b"wOFF", "WOFF font"), (b"wOF2", "WOFF font"),
)
BZIP2 = re.compile(rb"^BZh[1-9]1AY&SY")
RIFF = re.compile(rb"^RIFF....(WEBP|WAVE|AVI )", re.S)
ISO_MEDIA = re.compile(rb"^....ftyp", re.S)  # MP4, MOV, HEIC, AVIF
# Bytes that never occur in text: NUL and C0 controls other than tab, newlines, form feed, escape.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
MAX_CONTROL_SHARE = 0.1
BAD_RUNS = re.compile("\ufffd+")
UTF8_GOOD_PER_BAD = 10  # one valid multibyte character per ten invalid runs still means UTF-8

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
# Labels no browser decodes a page with (EBCDIC, escapes, UTF-7): a page declaring them is lying.
REFUSED_CODECS = frozenset({
    "utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined",
    "cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140",
})
# WHATWG decodes these labels with the superset a browser uses.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932", "euc_kr": "cp949", "big5": "big5hkscs",
             "utf-8-sig": "utf-8"}
SINGLE_BYTE = re.compile(r"^(cp125\d|iso8859-\d+|latin|mac|koi8|cp8\d\d)")


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip data, refusing to grow past `max_bytes` (a gzip bomb stops early).

    A truncated stream keeps what was inflated; a corrupt one is an InputError.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    chunk = data
    try:
        while chunk:
            out += inflater.decompress(chunk, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise InputError(f"gzip data expands past the --max-bytes limit ({max_bytes} bytes)")
            chunk = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise InputError(f"broken gzip data ({exc})") from None
    return bytes(out)


def binary_kind(data: bytes) -> str | None:
    """What a non-page file looks like ("PDF", "PNG", ...), or None for text."""
    for magic, name in MAGIC:
        if data.startswith(magic):
            return name
    head = data[:SNIFF_BYTES]
    if BZIP2.match(head):
        return "bzip2"
    m = RIFF.match(head)
    if m:
        return m.group(1).decode().strip()
    if ISO_MEDIA.match(head):
        return "MP4/QuickTime media"
    if looks_utf16(data):
        return None  # half NUL bytes, and still text
    controls = len(CONTROL.findall(head))
    if head and controls > len(head) * MAX_CONTROL_SHARE:
        if head.startswith(b"MZ"):
            return "Windows executable"
        return "binary data"
    return None


def normalise_label(label: str) -> str | None:
    """A codec name for a declared charset, or None when the label means nothing."""
    label = label.strip().strip("\"'").lower()
    label = re.split(r"[\s,;]", label, maxsplit=1)[0]  # "utf-8, ie=edge" -> "utf-8"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    name = info.name
    if not getattr(info, "_is_text_encoding", True) or name in REFUSED_CODECS:
        return None  # base64, zlib, rot13...: codecs, but not charsets
    if name in WINDOWS_1252_ALIASES or label in WINDOWS_1252_ALIASES:
        return "cp1252"
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return None  # a page that reached us as bytes ASCII-compatible enough to sniff is not UTF-16
    return SUPERSETS.get(name, name)


def declared_charset(head: bytes) -> str | None:
    for pattern in (META_CHARSET, XML_ENCODING):
        m = pattern.search(head)
        if m:
            name = normalise_label(m.group(1).decode("ascii", "ignore"))
            if name:
                return name
    return None


def looks_utf16(data: bytes) -> str | None:
    """UTF-16 (or UTF-32) without a BOM: every other (every fourth) byte of ASCII markup is NUL."""
    sample = data[:200]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 4 * 4]
    quads = [sample[i::4] for i in range(4)]
    nul = [q.count(0) > len(q) * 0.7 for q in quads]
    evens, odds = sample[0::2], sample[1::2]
    guess = None
    if nul == [False, True, True, True]:
        guess = "utf-32-le"
    elif nul == [True, True, True, False]:
        guess = "utf-32-be"
    elif odds.count(0) > len(odds) * 0.7 and evens.count(0) < len(evens) * 0.1:
        guess = "utf-16-le"
    elif evens.count(0) > len(evens) * 0.7 and odds.count(0) < len(odds) * 0.1:
        guess = "utf-16-be"
    if guess is None:
        return None
    # Object files have NUL-rich headers too: text decodes to printable characters.
    text = sample.decode(guess, "replace")
    printable = sum(1 for c in text if c.isprintable() or c in "\t\r\n")
    return guess if printable >= len(text) * 0.9 else None


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
        except (UnicodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # UTF-8 with a few bad bytes (a truncated download, a spliced ad) keeps its accents;
        # bytes that are mostly invalid UTF-8 are a legacy single-byte page.
        # Legacy bytes almost never form valid UTF-8 sequences by chance, so a page with
        # many valid ones is UTF-8 even when bad runs outnumber them.
        text = data.decode("utf-8", "replace")
        bad_runs = len(BAD_RUNS.findall(text))
        good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
        if good * UTF8_GOOD_PER_BAD >= bad_runs or (charset == "utf-8" and bad_runs < 10):
            return text
        return data.decode("cp1252", "replace")


def read_page(data: bytes | str, *, max_bytes: int, declared: str | None = None) -> str:
    """Turn what the caller gave us into text."""
    if isinstance(data, str):
        if len(data) > max_bytes:
            raise InputError(f"input is larger than the --max-bytes limit ({max_bytes} bytes)")
        if not data or data.isspace():
            raise InputError("empty input")
        return data
    for _ in range(MAX_GZIP_LAYERS):
        if not data.startswith(GZIP_MAGIC):
            break
        data = gunzip(data, max_bytes)
    if len(data) > max_bytes:
        raise InputError(f"input is larger than the --max-bytes limit ({max_bytes} bytes)")
    if not data or data.isspace():  # isspace stops at the first other byte: no copy of a big page
        raise InputError("empty input")
    if not any(data.startswith(bom) for bom, _ in BOMS):
        kind = binary_kind(data)
        if kind:
            raise NotAPageError(f"not an HTML or text page (looks like {kind})")
    text = decode(data, declared)
    if text.isspace() or not text:  # a BOM and nothing else
        raise InputError("empty input")
    return text


# A tag: "<name" then whitespace, "/" or ">" (so "a < b" and "x<y" in prose do not count).
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9:-]*(?=[\s/>])[^<>]{0,1000}>")
DOCUMENT_TAG = re.compile(r"(?m)^\s*<(?:!doctype|html|head|body|meta|title)\b", re.I)
DOCUMENT_TAG_CHARS = 512
# What may come before the document: an HTTP status line and headers (a saved response).
HEADER_LINE = re.compile(r"^(?:HTTP/[\d.]+ \d{3}|[\w-]+:\s)")


def sniff_format(text: str, *, min_tags_per_kb: float, sample_chars: int = SNIFF_BYTES) -> str:
    """"html" or "text": does the start of the page read as markup?

    HTML opens with a tag, or with a saved response's HTTP headers and then the
    document, or is a fragment whose first line has tags and which keeps having
    them. Text that quotes markup (articles about HTML, stripper's own output of
    them) stays text.
    """
    head = text[:sample_chars]
    stripped = head.lstrip().lstrip("\ufeff").lstrip()  # a BOM decoded into the text is not content
    if not stripped:
        return "html"
    if stripped.startswith(("<!", "<?")) or (stripped.startswith("<") and TAG.match(stripped)):
        return "html"
    doc = DOCUMENT_TAG.search(stripped[:DOCUMENT_TAG_CHARS])
    if doc and all(HEADER_LINE.match(ln) or not ln.strip() for ln in stripped[:doc.start()].splitlines()):
        return "html"
    first_line = stripped.split("\n", 1)[0]
    if not TAG.search(first_line):
        return "text"
    tags = len(TAG.findall(head))
    return "html" if tags * 1024 / len(head) >= min_tags_per_kb else "text"
