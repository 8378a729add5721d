"""Benchmark for stripper against peer extractors; run `python -m bench --help`."""
