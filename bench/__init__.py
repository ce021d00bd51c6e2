"""Benchmarks of export, import and the directory tree at scale, each against a raw limit measured in the same
run. ``python -m bench --help``; ``make bench``; the figures and how to read them: docs/benchmarks.md."""
