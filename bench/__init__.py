"""Benchmarks (``make bench``): figures printed and written to bench/results.json.

Nothing here asserts a timing; tests never import this package.
"""
