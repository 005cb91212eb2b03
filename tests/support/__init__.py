"""What the tests and the benchmarks share, importable from the repository root without
`sys.path` edits (`python -m benchmarks.bench_core`, pytest): the load driver (`load`) and
small helpers. The fakes at the network edge live beside it in `tests/fakes/`, the fake
embedder in `tests/fake_embedder.py`. Nothing here imports `benchmarks`: the dependency
goes one way, benchmarks -> tests.
"""
