"""Files to documents: loading a corpus, the file formats and markup, boilerplate,
structure (units with spans), sentences, and chunking into passages."""
