"""A small query log whose every figure can be checked by hand, and a row counter.

Times are relative to now, so the ``days`` windows of the commands see them:

===  =====  ====  ==============================  ========  =======  ============  ===========
id   guild  user  question                        answered  latency  hits (docs)   votes
===  =====  ====  ==============================  ========  =======  ============  ===========
101  G      1     Who founded Nosotek?            yes       10 ms    A, B          u2 +1, u3 +1
102  G      1     who founded nosotek?            yes       20 ms    A             u1 -1
103  G      2     What is the capital of Mars?    no        30 ms    (none)        u1 -1
104  G      3     What is the capital of Mars?    no        40 ms    C             (none)
105  G      2     How much is a prepaid plan?     yes       100 ms   B             (none)
201  O      1     Other guild question            yes       50 ms    A             u2 -1, u1 +1
301  DM     1     A question in a DM              yes       5 ms     A             (none)
===  =====  ====  ==============================  ========  =======  ============  ===========

101 is an hour old, 102 a day, 103 and 104 two days, 105 ten days (outside a 7-day window).
"""

from __future__ import annotations

from datetime import timedelta

from doubles import GUILD, OTHER_GUILD
from storage_backends import read_rows

from bot.storage.database import Database
from bot.storage.records import HitRow, QueryLog, utc_now

A, B, C = "000_36680a99088c2fd4.txt", "001_5ddac0f6dba44465.txt", "002_98d01b565de9a77e.txt"
TABLES = ("queries", "hits", "feedback")


def _hits(*docs: str) -> tuple[HitRow, ...]:
    return tuple(
        HitRow(rank, doc, 100 * rank, 100 * rank + 90, 100 * rank + 10, 100 * rank + 50, 9.5 - rank)
        for rank, doc in enumerate(docs, start=1)
    )


async def log_sample(storage: Database) -> None:
    """Write the table above."""
    now = utc_now()
    rows = [
        (101, GUILD, 1, "Who founded Nosotek?", True, 10, _hits(A, B), timedelta(hours=1)),
        (102, GUILD, 1, "who founded nosotek?", True, 20, _hits(A), timedelta(days=1)),
        (103, GUILD, 2, "What is the capital of Mars?", False, 30, (), timedelta(days=2)),
        (104, GUILD, 3, "What is the capital of Mars?", False, 40, _hits(C), timedelta(days=2)),
        (105, GUILD, 2, "How much is a prepaid plan?", True, 100, _hits(B), timedelta(days=10)),
        (201, OTHER_GUILD, 1, "Other guild question", True, 50, _hits(A), timedelta(hours=1)),
        (301, None, 1, "A question in a DM", True, 5, _hits(A), timedelta(hours=1)),
    ]
    for query_id, guild, user, question, answered, latency, hits, age in rows:
        source = "dm" if guild is None else "slash"
        await storage.log_query(
            QueryLog(now - age, user, source, question, 5, answered, latency, hits, guild,
                     10, query_id)
        )  # fmt: skip
    for query_id, user, vote in [(101, 2, 1), (101, 3, 1), (102, 1, -1), (103, 1, -1),
                                 (201, 2, -1), (201, 1, 1)]:  # fmt: skip
        await storage.record_vote(query_id, user, vote)


async def count_rows(storage: Database) -> dict[str, int]:
    """Rows per table, read beside the code under test (``read_rows``)."""
    return {
        table: (await read_rows(storage, f"SELECT count(*) FROM {table}"))[0][0] for table in TABLES
    }


async def query_ids(storage: Database) -> list[int]:
    return [row[0] for row in await read_rows(storage, "SELECT id FROM queries ORDER BY id")]
