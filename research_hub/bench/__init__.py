"""Benchmarks: each one measures against a baseline in the same run."""
