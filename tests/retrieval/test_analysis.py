from __future__ import annotations

import pytest

from retrieval.analysis import Analyzer

A = Analyzer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("imported $82 million in 2017", ["import", "$82", "million", "2017"]),
        ("MT6737 chipset on 3G", ["mt6737", "chipset", "3g"]),
        ("earns US$20,000 a month", ["earn", "us", "$20000", "month"]),
        ("exceed 2.5 million", ["exceed", "2.5", "million"]),
        ("North Korea’s “phones” — cheap", ["north", "korea", "phone", "cheap"]),
        ("Ｆｕｌｌｗｉｄｔｈ ﬁles", ["fullwidth", "file"]),
    ],
)
def test_numbers_money_and_unicode_normalisation(text: str, expected: list[str]) -> None:
    assert A.terms(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a 2.5x gain", ["a", "2", "5x", "gain"]),
        ("the 20,000th visitor", ["the", "20", "000th", "visitor"]),
        ("U.S.A today", ["u", "s", "a", "today"]),
        ("2.5中文 1,000円 U.S.中国", ["2.5", "中文", "1000", "円", "us", "中国"]),
    ],
)
def test_numbers_and_acronyms_glued_to_a_letter_split_but_not_before_cjk(
    text: str, expected: list[str]
) -> None:
    assert Analyzer(stem=False, stopwords=False).terms(text) == expected


def test_acronyms_are_not_stopwords_but_pronouns_are() -> None:
    assert A.terms("US firms hire IT staff; it helps us.") == [
        "us",
        "firm",
        "hire",
        "it",
        "staff",
        "help",
    ]
    assert A.terms("the U.S. government") == ["us", "govern"]
    assert A.terms("WHAT IS IT") == []


def test_query_frame_words_drop() -> None:
    question = "How much money do workers in China make?"
    assert A.query_terms(question) == ["money", "worker", "china", "make"]
    assert A.query_terms(question, drop_frame=False)[:2] == ["much", "money"]
    assert A.query_terms("What kinds of games?") == ["game"]


def test_switches_turn_stemming_and_stopwords_off() -> None:
    plain = Analyzer(stem=False, stopwords=False)
    assert plain.terms("The games") == ["the", "games"]


def test_token_spans_point_into_the_original_text() -> None:
    text = "Café — Nosotek’s games"
    for token in A.tokens(text):
        assert text[token.start : token.end].strip()
