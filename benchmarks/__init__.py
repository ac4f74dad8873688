"""Benchmarks run by `make bench` (benchmarks.run, owned by the lead, calls each module here)."""
