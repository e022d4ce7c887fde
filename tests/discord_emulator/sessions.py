"""Gateway sessions and sharding: which session receives which guild's events.

Discord sends a guild's events to the session whose IDENTIFY said ``shard: [id, count]`` with
``id == (guild_id >> 22) % count``, and direct messages to shard 0 ("Gateway > Sharding" in
Discord's developer docs). An IDENTIFY without ``shard`` is shard ``[0, 1]``: it gets every
guild. A new IDENTIFY for the same ``[id, count]`` replaces the old session.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .payloads import JSON

if TYPE_CHECKING:
    from .gateway import Connection

__all__ = ["DISPATCH", "REPLAY_BUFFER", "Session", "Sessions", "shard_of", "spread_guild_ids"]

DISPATCH = 0
REPLAY_BUFFER = 5000


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard id that receives ``guild_id``'s events among ``shard_count`` shards."""
    return (guild_id >> 22) % shard_count


def spread_guild_ids(guilds: int, shard_count: int) -> list[int]:
    """``guilds`` snowflakes, the n-th on shard ``n % shard_count`` (timestamps a day apart).

    Ids the emulator makes in one millisecond share their timestamp bits, hence their shard;
    give these to ``GuildSpec(id=...)`` to spread a test's guilds over the shards.
    """
    step = 86_400_000 // shard_count * shard_count + 1  # about a day; steps one shard on
    first = 2_000 * step  # about 2020
    first -= first % shard_count  # guild 0 on shard 0
    return [(first + n * step) << 22 for n in range(guilds)]


def valid_shard(shard: object) -> bool:
    """``[id, count]`` with 0 <= id < count: what Discord accepts (else close code 4010)."""
    return (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
        and 0 <= shard[0] < shard[1]
    )


class Session:
    """A gateway session; outlives connections so RESUME can replay what was missed."""

    def __init__(self, intents: int, shard: list[int]) -> None:
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.buffer: deque[JSON] = deque(maxlen=REPLAY_BUFFER)
        self.connection: Connection | None = None

    @property
    def shard_id(self) -> int:
        return self.shard[0]

    @property
    def shard_count(self) -> int:
        return self.shard[1]

    def receives(self, guild_id: int | None) -> bool:
        """Whether this session gets ``guild_id``'s events (None: a DM, shard 0's)."""
        if guild_id is None:
            return self.shard_id == 0
        return shard_of(guild_id, self.shard_count) == self.shard_id

    def dispatch(self, event: str, data: JSON, *, buffered: bool = True) -> int:
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        if buffered:
            self.buffer.append(frame)
        if self.connection is not None:
            self.connection.send(frame)
        return self.seq

    def replay_after(self, seq: int) -> list[JSON]:
        return [frame for frame in self.buffer if frame["s"] > seq]


class Sessions:
    """The live sessions, one per ``[shard id, shard count]``, oldest identify first."""

    def __init__(self) -> None:
        self._by_shard: dict[tuple[int, int], Session] = {}

    def __iter__(self) -> Iterator[Session]:
        return iter(list(self._by_shard.values()))

    def __bool__(self) -> bool:
        return bool(self._by_shard)

    def replace(self, session: Session) -> Session | None:
        """Add ``session``; returns the session it replaces (same shard), if any."""
        key = (session.shard_id, session.shard_count)
        old = self._by_shard.pop(key, None)
        self._by_shard[key] = session
        return old

    def by_id(self, session_id: object) -> Session | None:
        return next((s for s in self._by_shard.values() if s.id == session_id), None)

    def for_guild(self, guild_id: int | None) -> list[Session]:
        """The sessions that receive ``guild_id``'s events (None: direct messages)."""
        return [s for s in self._by_shard.values() if s.receives(guild_id)]

    def pick(self, shard_id: int | None = None) -> Session | None:
        """The latest session holding ``shard_id`` (None: the latest session of all)."""
        matching = [s for s in self._by_shard.values() if shard_id in (None, s.shard_id)]
        return matching[-1] if matching else None
