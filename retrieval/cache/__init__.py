"""The index cache file: writing, reading, and the fingerprints that say when it is stale."""
