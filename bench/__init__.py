"""Benchmarks and the national-scale data generator (issue 5).

`generate` fills a database with a reproducible national data set; `run` measures the figures
of docs/performance.md, each next to its baseline taken in the same run.
"""
