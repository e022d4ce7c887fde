"""Scale benchmarks for docqa's retrieval engine (``python -m benchmarks.scale``)."""
