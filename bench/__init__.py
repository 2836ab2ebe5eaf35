"""Benchmarks: each prints its figures next to a baseline measured in the same run.
Run them with ./scripts/bench (see the README)."""
