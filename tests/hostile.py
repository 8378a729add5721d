"""Hostile inputs: write them to a temporary folder and run `strip` on each.

    python -m tests.hostile            # the table: exit code, seconds, peak memory, verdict
    python -m tests.hostile --keep DIR # also keep the generated files in DIR

Each run gets a 20 s timeout; peak memory is the child's maximum resident set.
A verdict fails on a traceback, a hang, a run above 1.5 GB, a wrong exit code
or an article whose paragraphs (accents included) are not all in the output.
The last rows run binutils calls through our `strip` and compare the bytes
with the system strip's. The builders are also used by tests/test_hostile.py.
"""
from __future__ import annotations

import argparse
import codecs
import gzip
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20.0
MAX_RSS_MB = 1536

TITLE = "Le conseil adopte le budget de l'été"
PARAS = (
    "Le conseil municipal a adopté mardi soir, après un long débat, le budget de l'été, qui prévoit "
    "la rénovation du café de la place et de la façade de l'église Saint-Éloi.",
    "« C'est une décision naïve », a déclaré Zoë Müller, élue d'opposition, qui réclamait plus de "
    "crédits pour les crèches, les écoles et la piscine municipale de São Paulo-sur-Loire.",
    "Les travaux commenceront en septembre, a précisé le maire, et dureront dix-huit mois; la rue "
    "Straße-der-Einheit, jumelée depuis 1998, restera ouverte aux piétons pendant le chantier.",
    "Le budget, voté par vingt-trois voix contre onze, sera présenté aux habitants le 14 juillet, "
    "lors d'une réunion publique à la salle des fêtes, à partir de dix-neuf heures.",
)
SECRET = "TOP-SECRET-LOCAL-FILE-CONTENT-4471"


def article_html(paras=PARAS, *, charset: str | None = "utf-8", head: str = "", body_wrap=("", "")) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    ps = "".join(f"<p>{p}</p>\n" for p in paras)
    return (f"<!DOCTYPE html><html><head>{meta}<title>{TITLE}</title>{head}</head><body>"
            f"<nav><a href='/'>Accueil</a> <a href='/local'>Local</a></nav>"
            f"{body_wrap[0]}<article><h1>{TITLE}</h1>\n{ps}</article>{body_wrap[1]}"
            f"<footer>© Journal d'exemple</footer></body></html>")


def page(**kw) -> bytes:
    return article_html(**kw).encode("utf-8")


def sprinkle(data: bytes, junk: bytes, every: int) -> bytes:
    """Insert `junk` between tags, every `every`-th '>' (never inside a word)."""
    parts = data.split(b">")
    return b">".join(p + (junk if i % every == every - 1 else b"") for i, p in enumerate(parts))


def elf_bytes() -> bytes:
    rng = random.Random(1)
    return b"\x7fELF\x02\x01\x01" + bytes(57) + bytes(rng.randrange(256) for _ in range(4000))


def png_bytes() -> bytes:
    rng = random.Random(2)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))


def gzip_bomb(expanded: int) -> bytes:
    """A gzip stream of `expanded` zero bytes, built in chunks (about 1 KB per MB)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        chunk = bytes(1 << 20)
        for _ in range(expanded >> 20):
            gz.write(chunk)
    return out.getvalue()


def deep(depth: int) -> bytes:
    return page(body_wrap=("<div>" * depth, "</div>" * depth))


def huge_page(target: int) -> bytes:
    """A 'real' big page: inline JSON state, the article, then related-story cards up to `target` bytes."""
    rng = random.Random(3)
    state = "<script>window.__STATE__=" + "[" + ",".join(f'{{"id":{i},"t":"x{i}"}}' for i in range(200_000)) + "]</script>"
    cards = []
    size = 0
    i = 0
    while size < target:
        card = (f'<div class="card story-{i % 7}"><a href="/story/{i}"><img src="/i/{i}.jpg" alt="">'
                f'<h3>Related story {i}: {rng.choice(["budget", "école", "météo"])}</h3></a>'
                f'<p class="teaser">Teaser number {i} says a few words.</p></div>\n')
        cards.append(card)
        size += len(card)
        i += 1
    return page(head=state, body_wrap=("", "<section class='related'>" + "".join(cards) + "</section>"))


def xxe(secret_path: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret_path}">'
            '<!ENTITY lol "lollollollollol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
            + article_html(body_wrap=("<p>&xxe; &lol3;</p>", ""))).encode("utf-8")


@dataclass
class Case:
    name: str
    build: object  # (folder) -> bytes
    expect: str = "article"  # article | refuse (exit 1 with a message)
    message: str = ""  # refuse: part of the message
    suffix: str = ".html"


def cases() -> list[Case]:
    return [
        Case("empty", lambda d: b"", "refuse", "empty input"),
        Case("whitespace-only", lambda d: b" \n\t\r\n  ", "refuse", "empty input"),
        Case("pdf-named-html", lambda d: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n" + bytes(range(256)) * 8,
             "refuse", "looks like PDF"),
        Case("png-named-html", lambda d: png_bytes(), "refuse", "looks like PNG"),
        Case("elf-named-html", lambda d: elf_bytes(), "refuse", "looks like ELF"),
        Case("zip-named-html", lambda d: _zip(page()), "refuse", "looks like zip"),
        Case("gzip-of-png", lambda d: gzip.compress(png_bytes()), "refuse", "looks like PNG", ".html.gz"),
        Case("gzip-bomb-1GB", lambda d: gzip_bomb(1 << 30), "refuse", "expands past", ".html.gz"),
        Case("gzip-twice", lambda d: gzip.compress(gzip.compress(page()))),
        Case("gzip-truncated", lambda d: _truncated_gzip(page()), suffix=".html.gz"),
        Case("invalid-utf8", lambda d: sprinkle(page(charset=None), b"\xff\xfe\xc3", 3)),
        Case("encoded-surrogates", lambda d: sprinkle(page(), b"\xed\xa0\x80\xed\xbf\xbf", 2)),
        Case("charset-nonsense", lambda d: page(charset="utf-8, ie=edge, chrome=1")),
        Case("charset-latin1-but-utf8", lambda d: page(charset="iso-8859-1")),
        Case("charset-base64", lambda d: page(charset="base64")),
        Case("charset-utf7", lambda d: page(charset="utf-7")),
        Case("latin1-really", lambda d: article_html(charset="windows-1252").encode("cp1252")),
        Case("utf16-bom", lambda d: codecs.BOM_UTF16_LE + article_html(charset=None).encode("utf-16-le")),
        Case("utf16le-no-bom", lambda d: article_html(charset=None).encode("utf-16-le")),
        Case("utf16be-no-bom", lambda d: article_html(charset=None).encode("utf-16-be")),
        Case("nul-bytes", lambda d: sprinkle(page(), b"\x00", 2)),
        Case("truncated-mid-tag", lambda d: page().split(b"</article>")[0] + b"<div class=\"x"),
        Case("unclosed-comment", lambda d: page().replace(b"</article>", b"</article><!-- ad slot ")),
        Case("xml-doctype-entities", lambda d: xxe(_secret(d))),
        Case("deep-300", lambda d: deep(300)),
        Case("deep-100000", lambda d: deep(100_000)),
        Case("page-50MB", lambda d: huge_page(50 << 20)),
        Case("million-elements", lambda d: page(body_wrap=("<div>" + "<span>a</span>" * 1_000_000 + "</div>", ""))),
        Case("attribute-10MB", lambda d: page(body_wrap=(f"<div data-x=\"{'x' * (10 << 20)}\"></div>", ""))),
        Case("word-20MB", lambda d: page(body_wrap=("", f"<p>{'y' * (20 << 20)}</p>"))),
        Case("junk-after-html", lambda d: page() + bytes(random.Random(4).randrange(256) for _ in range(200_000))),
    ]


def _zip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.html", data)
    return buf.getvalue()


def _truncated_gzip(data: bytes) -> bytes:
    """A gzip download cut off after the article: the inflated part is kept."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
    return head + comp.compress(b"<p>" + b"lost tail " * 1000) + comp.flush(zlib.Z_SYNC_FLUSH)[:5]


def _secret(folder: Path) -> str:
    path = folder / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return str(path)


def shim(folder: Path) -> Path:
    """A `strip` script that runs this worktree's entry point (no install needed)."""
    script = folder / "strip"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                      "from stripper.binutils import main\nmain()\n", encoding="utf-8")
    script.chmod(0o755)
    return script


# Runs one command with a timeout and reports its peak RSS. It is a separate small process so
# that the child's peak is not inflated by this generator's memory at fork time.
MEASURE = r"""
import json, os, subprocess, sys, time
timeout, result, argv = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
start = time.perf_counter()
with open(result + ".out", "wb") as out, open(result + ".err", "wb") as err:
    proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    code = None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.perf_counter() - start > timeout:
            proc.kill()
            _, _, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    proc.returncode = -1
with open(result, "w") as fh:
    json.dump({"code": code, "seconds": time.perf_counter() - start, "rss_mb": usage.ru_maxrss / 1024}, fh)
"""


def run(argv: list[str], timeout: float = TIMEOUT) -> tuple[int | None, float, float, str, str]:
    """(exit code or None on timeout, seconds, peak RSS in MB, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = os.path.join(tmp, "result.json")
        subprocess.run([sys.executable, "-c", MEASURE, str(timeout), result, *argv], check=True)
        with open(result, encoding="utf-8") as fh:
            r = json.load(fh)
        out = Path(result + ".out").read_bytes().decode("utf-8", "replace")
        err = Path(result + ".err").read_bytes().decode("utf-8", "replace")
    return r["code"], r["seconds"], r["rss_mb"], out, err


def verdict(case: Case, code, out: str, err: str, rss: float) -> str:
    if code is None:
        return "FAIL: hang"
    if "Traceback" in err:
        return "FAIL: traceback"
    if rss > MAX_RSS_MB:
        return "FAIL: memory"
    if SECRET in out:
        return "FAIL: entity resolved"
    if case.expect == "refuse":
        if code != 1 or case.message not in err:
            return f"FAIL: exit {code}"
        return "ok"
    if code != 0:
        return f"FAIL: exit {code}"
    missing = [p for p in PARAS if p not in out]
    return f"FAIL: {len(missing)} paragraphs lost" if missing else "ok"


def compile_hello(folder: Path) -> None:
    """hello.o and hello, with debug information, in `folder`."""
    src = folder / "hello.c"
    src.write_text('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n', encoding="utf-8")
    subprocess.run(["gcc", "-g", "-c", str(src), "-o", str(folder / "hello.o")], check=True)
    subprocess.run(["gcc", "-g", str(folder / "hello.o"), "-o", str(folder / "hello")], check=True)


def strip_both(folder: Path, ours: str, system: str, args: list[str], src: str, out: str | None,
               env: dict) -> list[tuple[int, bytes]]:
    """Run `strip ARGS [-o OUT] SRC` through our `strip` and the system one, each on its own copy:
    [(exit code, resulting bytes)] for ours, then the system's."""
    results = []
    for runner, tag in ((ours, "ours"), (system, "system")):
        copy = folder / f"{tag}-{src}"
        shutil.copy(folder / src, copy)
        target = folder / f"{tag}-{out}" if out else copy
        argv = [runner, *args, *([str(target)] if out else []), str(copy)]
        code = subprocess.run(argv, env=env, capture_output=True, timeout=120).returncode
        results.append((code, target.read_bytes()))
    return results


def binutils_rows(folder: Path, strip: Path) -> list[tuple[str, str]]:
    """Binutils calls through our `strip` against the system one: byte-identical or not."""
    system = shutil.which("strip", path="/usr/bin:/bin")
    if not system or not shutil.which("gcc"):
        return [("binutils", "skipped: no gcc or system strip")]
    compile_hello(folder)
    env = dict(os.environ, PATH=f"{folder}:{os.environ.get('PATH', '')}")
    rows = []
    for label, args, src, out in (
        ("strip a.out", [], "hello", None),
        ("strip -o out in", ["-o"], "hello", "out"),
        ("strip --strip-debug x.o", ["--strip-debug"], "hello.o", None),
        ("strip -g -S x.o", ["-g", "-S"], "hello.o", None),
    ):
        ours, theirs = strip_both(folder, str(strip), system, args, src, out, env)
        same = ours == theirs and ours[0] == 0 and ours[1] != (folder / src).read_bytes()
        rows.append((label, "byte-identical" if same else "FAIL: differs"))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    ap.add_argument("--only", help="run the cases whose name contains this")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    strip = shim(folder)
    failures = 0
    print(f"{'case':26} {'bytes':>11} {'exit':>4} {'seconds':>8} {'peak MB':>8}  verdict / message")
    try:
        for case in cases():
            if args.only and args.only not in case.name:
                continue
            path = folder / (case.name + case.suffix)
            path.write_bytes(case.build(folder))
            code, seconds, rss, out, err = run([str(strip), str(path)])
            result = verdict(case, code, out, err, rss)
            failures += result != "ok"
            message = err.strip().splitlines()[-1][-60:] if err.strip() else ""
            print(f"{case.name:26} {path.stat().st_size:>11,} {code if code is not None else '-':>4} "
                  f"{seconds:>8.2f} {rss:>8.0f}  {result}  {message}", flush=True)
            if not args.keep:
                path.unlink()
        if not args.only:
            for label, result in binutils_rows(folder, strip):
                failures += result.startswith("FAIL")
                print(f"{label:26} {result}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
