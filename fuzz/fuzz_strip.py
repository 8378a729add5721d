"""Fuzz `stripper.strip` with atheris: any exception other than a StripperError is a bug.

    pip install atheris
    python fuzz/fuzz_strip.py -max_total_time=300           # from the repository root
    python fuzz/fuzz_strip.py -dict=fuzz/html.dict -max_len=65536 corpus_dir/   # markup tokens, kept corpus

Inputs are used three ways: as bytes, as text (lone surrogates included) and gzipped.
A crash leaves `crash-<hash>` with the input; replay it with `python fuzz/fuzz_strip.py crash-<hash>`.
"""
from __future__ import annotations

import gzip
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

with atheris.instrument_imports(include=["stripper"]):
    import stripper
    import stripper.pipeline  # imported lazily by strip(); imported here so it is instrumented
    from stripper.errors import StripperError

MAX_BYTES = 1 << 20


def check(page) -> None:
    try:
        article = stripper.strip(page, max_bytes=MAX_BYTES)
    except StripperError:
        return
    if not isinstance(article.text, str):
        raise AssertionError(f"text is {type(article.text).__name__}")
    article.text.encode("utf-8")  # always encodable: surrogates never reach the output


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    rest = fdp.ConsumeBytes(fdp.remaining_bytes())
    if mode == 0:
        check(rest)
    elif mode == 1:
        check(rest.decode("utf-16-le", "surrogatepass") if len(rest) % 2 == 0 else rest.decode("latin-1"))
    else:
        check(gzip.compress(rest))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
