"""Benchmarks for DESIGN.md §5 (`make bench`); not part of `make test`."""
