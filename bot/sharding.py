"""Which gateway shards this process runs: ``DOCQA_SHARD_COUNT`` and ``DOCQA_SHARD_IDS``.

Discord splits a bot's servers into ``count`` shards; a server belongs to shard
``(guild_id >> 22) % count`` and direct messages to shard 0 (Discord's developer docs,
"Gateway > Sharding"). Several processes share the load by each running a disjoint set of
shard ids of the same count, e.g. ``0,1`` and ``2,3`` of 4. Nothing set means one unsharded
connection, as a bot under 2,500 servers needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "AUTO",
    "ShardPlan",
    "check_shards",
    "parse_shard_count",
    "parse_shard_ids",
]

AUTO: Literal["auto"] = "auto"  # DOCQA_SHARD_COUNT=auto: the count Discord recommends


def parse_shard_count(value: object) -> object:
    """``"4"`` -> 4, ``"auto"`` (any case) -> ``AUTO``, None stays; else one ValueError."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip().lower()
        if value == AUTO:
            return AUTO
        value = int(value) if value.isdecimal() else value
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("expected a number of shards (1 or more) or 'auto'")
    return value


def parse_shard_ids(value: object) -> object:
    """``"0,1"`` or ``"0, 1"`` -> ``(0, 1)``; blank items are refused; non-strings pass on.

    Raises ValueError naming the item that is not a whole number.
    """
    if not isinstance(value, str):
        return value
    items = [item.strip() for item in value.split(",")]
    for item in items:
        if not item.isdecimal():
            raise ValueError(f"expected comma-separated shard numbers, got {item!r}")
    return tuple(int(item) for item in items)


def check_shards(count: int | Literal["auto"] | None, ids: tuple[int, ...] | None) -> None:
    """Raises ValueError (naming the variables) unless ``ids`` is a valid subset of ``count``.

    Valid: no ids at all, or a numeric count with distinct ids each in [0, count).
    """
    if ids is None:
        return
    if count is None or count == AUTO:
        raise ValueError("DOCQA_SHARD_IDS needs DOCQA_SHARD_COUNT set to a number of shards")
    if len(set(ids)) != len(ids):
        raise ValueError("DOCQA_SHARD_IDS lists a shard more than once")
    outside = [shard for shard in ids if not 0 <= shard < count]
    if outside:
        raise ValueError(
            f"DOCQA_SHARD_IDS: shard {outside[0]} is outside 0..{count - 1} "
            f"(DOCQA_SHARD_COUNT is {count})"
        )


@dataclass(frozen=True)
class ShardPlan:
    """The shards one process runs. ``count`` None: unsharded; ``AUTO``: Discord's choice.

    ``ids`` None means every shard of ``count`` in this process.
    """

    count: int | Literal["auto"] | None
    ids: tuple[int, ...] | None = None

    @property
    def sharded(self) -> bool:
        return self.count is not None

    def client_options(self) -> dict[str, Any]:
        """``shard_count``/``shard_ids`` keyword arguments for ``AutoShardedBot``."""
        options: dict[str, Any] = {}
        if isinstance(self.count, int):
            options["shard_count"] = self.count
        if self.ids is not None:
            options["shard_ids"] = list(self.ids)
        return options

    def describe(self) -> str:
        """For the log, e.g. ``shards 0, 1 of 4`` or ``all shards (Discord's count)``."""
        if self.count is None:
            return "unsharded"
        of = "Discord's count" if self.count == AUTO else str(self.count)
        if self.ids is None:
            return f"all shards ({of})"
        return f"shards {', '.join(map(str, self.ids))} of {of}"
