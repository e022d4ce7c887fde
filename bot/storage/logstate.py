"""Whether the query log's database and journal take writes, and the one line each change
of that is worth to an operator (not a line per question)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.storage.logstore import StorageUnavailableError

__all__ = ["WriteState"]

log = logging.getLogger(__name__)


class WriteState:
    """The writer's view of its two destinations; :attr:`stuck` is set while rows can only
    wait in memory (neither the database nor the journal takes them)."""

    def __init__(self, journal_path: Path) -> None:
        self.journal_path = journal_path
        self.failing: str | None = None  # why the database refuses writes, while it does
        self.stranded: str | None = None  # why the journal does too, while it does
        self.stuck = asyncio.Event()
        self.failed = asyncio.Event()  # set by each failed attempt on the database
        self.failures = 0

    @property
    def reason(self) -> str | None:
        return self.stranded or self.failing

    def outage(self, error: Exception) -> None:
        """An attempt on the database failed (and is retried)."""
        self.failures += 1
        self.failed.set()
        if self.failing is None and not isinstance(error, StorageUnavailableError):
            log.exception("Unexpected error writing the query log; it is retried")
        if self.failing is None:
            log.warning(
                "Cannot write the query log (%s); answering continues, questions wait in the "
                "journal %s, and the writes are retried until the database accepts them",
                error, self.journal_path,
            )  # fmt: skip
        self.failing = str(error)
        if self.stranded is not None:
            self.stuck.set()

    def landed(self) -> None:
        """The database took every delayed question."""
        if self.failing is not None:
            log.info("The query log accepts writes again; the delayed questions are saved")
            self.failing = None
            self.stuck.clear()

    def strand(self, error: str) -> None:
        """The journal could not be written."""
        if self.stranded is None:
            log.error("Cannot write the journal %s either (%s); answered questions wait in "
                      "memory until it or the database accepts them", self.journal_path,
                      error)  # fmt: skip
        self.stranded = error
        if self.failing is not None:
            self.stuck.set()

    def unstrand(self) -> None:
        """The journal was written again."""
        if self.stranded is not None:
            log.info("The journal %s accepts writes again", self.journal_path)
            self.stranded = None
            self.stuck.clear()
