"""Benchmarks (``make bench``). Not collected by pytest: timing goals live here, not in tests."""
