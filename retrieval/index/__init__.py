"""The BM25 index: statistics (rank-bm25's formulas over arrays), postings, scoring, and
streaming builds."""
