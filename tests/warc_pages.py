"""Small WARC files for the WARC and Dask tests, written with warcio itself."""
from __future__ import annotations

import io
import os

from tests.batch_pages import page

IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def write_warc(path, pages, *, gzip: bool = True, extras: bool = True) -> str:
    """A WARC of `pages` [(uri, html bytes or str, content type)]: a warcinfo record, and with `extras`
    a request record before each response and an image response at the end."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = str(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path, {"software": "stripper tests"}))
        for uri, body, content_type in pages:
            if extras:
                request = StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "example.com")], is_http_request=True)
                writer.write_record(writer.create_warc_record(uri, "request", payload=io.BytesIO(b""),
                                                              http_headers=request))
            body = body.encode("utf-8") if isinstance(body, str) else body
            headers = [("Content-Type", content_type)] if content_type else []
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
        if extras:
            http = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record("https://example.com/logo.png", "response",
                                                          payload=io.BytesIO(IMAGE), http_headers=http))
    return path


def news(n: int, start: int = 0) -> list[tuple[str, str, str]]:
    """n article pages at https://example.com/news/story-<i>."""
    return [(f"https://example.com/news/story-{i}", page(f"Story {i}"), "text/html; charset=utf-8")
            for i in range(start, start + n)]
