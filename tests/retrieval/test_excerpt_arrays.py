"""The excerpt stage over stored arrays chooses what a straightforward implementation chooses.

``excerpt_reference`` is the excerpt stage as it was before units were stored at indexing:
every candidate's units re-analysed and every window counted with a ``Counter``. Over the seed
corpus and a Markdown file with lists, lead-ins, code, tables and long sentences, for every
candidate passage of many questions, the array path (numpy's, and the compiled kernel's) must
give the same window, score, matched terms, highlight spans and table header, to the bit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import SEEDS
from excerpt_reference import QueryWeights, UnitTokens, best_excerpt

from retrieval import EngineOptions, SearchEngine, Span, compiled, parse_document
from retrieval.documents.corpus import CorpusReader
from retrieval.search.excerpts import excerpt
from retrieval.search.windows import choose_windows

_MARKDOWN = """# Setting up

To get voice support you should run the following command:

```sh
python -m pip install -U discord.py[voice]
```

The steps are as follows:

- install Python 3.11 or newer, which ships with pip and venv
- create a virtual environment for the bot and activate it
- install the requirements listed in requirements.txt

A long sentence follows, and it keeps going with many words about the bot, the voice gateway, \
the opus library, the sodium library, the ffmpeg binary, the token, the intents, the cogs, the \
slash commands, the sync step, the shards, the heartbeat, the rate limits and the cache, so that \
no window of three units fits the limit, not even this one sentence on its own with its many \
clauses, and the stretch must be trimmed around the question's words near its end: ffmpeg opus.

| Course | Room | Time |
|---|---|---|
| CHEM 101 | Room 4 | Tue 09:00 |
| PSYC 270 | Room 62 | Mon 16:00 |
| MATH 2 | Room 1 | Wed 10:00 |

## Costs

It costs $5 million. (The others, he said, cost less.) How many rooms are there? Twelve.
"""


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    docs = [*CorpusReader(SEEDS), parse_document("setup.md", _MARKDOWN)]
    return SearchEngine.build(docs, EngineOptions(semantic=False))  # the reference is words only


@pytest.fixture(params=["numpy", "compiled"])
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which window chooser runs: numpy's, or the compiled kernel (skipped without numba)."""
    if request.param == "compiled":
        pytest.importorskip("numba")
        assert compiled.enable() is not None
    yield str(request.param)
    compiled.disable()


def _questions(engine: SearchEngine) -> list[str]:
    """Hand-written questions, and the first words of every fifth unit of every document."""
    found = [
        "How do I get voice support?",
        "How many rooms are there and how much does it cost?",
        "When is the PSYC 270 exam?",
        "Who founded Nosotek?",
        "opus sodium ffmpeg token intents heartbeat",
        "What are the steps to install the bot?",
    ]
    for doc in engine.documents:
        for i in range(0, len(doc.units), 5):
            words = doc.text[int(doc.units.start[i]) : int(doc.units.end[i])].split()[:7]
            found.append(" ".join(words))
    return [q for q in found if q.strip()]


def _reference_weights(engine: SearchEngine, question: str) -> QueryWeights:
    terms = engine._query_terms(question)
    counts = Counter(terms)
    idf = {t: w * n for t, n in counts.items() if (w := engine.index.idf(t)) is not None}
    o = engine.options
    if not (idf and o.quantity_bonus and engine.analyzer.expects_quantity(question)):
        return QueryWeights(idf, o.excerpt_k1)
    bonus = o.quantity_bonus * sum(idf.values()) / len(idf)
    return QueryWeights(idf, o.excerpt_k1, bonus, engine.analyzer.is_quantity)


def test_every_candidate_gets_the_reference_excerpt(engine: SearchEngine, path: str) -> None:
    tokens = UnitTokens(engine.analyzer, {d.doc_id: d for d in engine.documents})
    compared, seen = 0, set()
    for question in _questions(engine):
        weights = _reference_weights(engine, question)
        if not weights.idf:
            continue
        query = engine._excerpt_query(question, dict(weights.idf))
        candidates = engine.index.top(engine._query_terms(question), 40)
        positions = np.array([p for p, _ in candidates], dtype=np.int64)
        passages = engine.passage_units(positions)
        docs = passages[0]
        windows = choose_windows(
            engine.units, engine.documents, passages, query, engine.options.excerpt_chars
        )
        for n, position in enumerate(positions.tolist()):
            chunk = engine.chunks[position]
            doc = engine.document(chunk.doc_id)
            want = best_excerpt(doc, Span(chunk.start, chunk.end), weights, tokens)
            got = excerpt(engine.units, doc, int(docs[n]), windows, n, query=query)
            matched = {t for t, m in zip(query.terms, windows.matched[n], strict=True) if m}
            assert (question, got) == (question, want.excerpt)
            assert float(windows.score[n]) == want.score
            assert matched == set(want.matched)
            compared += 1
            seen |= {"header"} if got.header else set()
            seen |= {"marks"} if got.marks else set()
            seen |= {"extended"} if got.text.endswith("discord.py[voice]") else set()
            seen |= {"trimmed"} if got.text.startswith("opus library") else set()
    assert compared > 1000
    assert seen == {"header", "marks", "extended", "trimmed"}


def test_a_window_carries_the_best_cosine_of_its_units(path: str) -> None:
    """Also once the compiled loop is loaded: a question with a vector takes the numpy path."""
    docs = [*CorpusReader(SEEDS), parse_document("setup.md", _MARKDOWN)]
    engine = SearchEngine.build(docs)
    assert engine.encoder is not None, "the installed model is needed (make install)"
    assert engine.units.vectors is not None
    for question in ("How many rooms are there?", "Who founded Nosotek?"):
        terms = engine._query_terms(question)
        idf = {t: w for t in terms if (w := engine.index.idf(t)) is not None}
        query = engine._excerpt_query(question, idf)
        assert query.vector is not None
        positions = np.array([p for p, _ in engine.index.top(terms, 40)], dtype=np.int64)
        passages = engine.passage_units(positions)
        windows = choose_windows(engine.units, engine.documents, passages, query, 400)
        cosine = engine.units.vectors.astype(np.float32) @ query.vector
        for n in np.flatnonzero(windows.has_units).tolist():
            i, j = int(windows.first[n]), int(windows.last[n])
            assert windows.cosine[n] == pytest.approx(float(cosine[i : j + 1].max()), abs=1e-6)
