"""Lines of a terminal, pipe or file read on the event loop, so other tasks run while it waits.

A blocking ``readline`` would stall the loop (the query log's retries and journal replay) until
the next line; a reader thread would keep the process alive after Ctrl-C until a line arrived.
Here the loop watches the file descriptor and reads only what is there.
"""

from __future__ import annotations

import asyncio
import codecs
import os
from typing import TextIO

__all__ = ["LineReader"]

CHUNK = 65_536  # bytes per read


class LineReader:
    """``await reader.readline()``: the next line of ``stream`` with its newline, "" at its end.

    Bytes are decoded with the stream's encoding and error handler; a line may hold any
    character, NUL included. A regular file (which the loop cannot watch) is read directly:
    reading it never waits for anyone.
    """

    def __init__(self, stream: TextIO) -> None:
        self._fd = stream.fileno()
        decoder = codecs.getincrementaldecoder(stream.encoding or "utf-8")
        self._decoder = decoder(stream.errors or "strict")
        self._text = ""
        self._ended = False

    async def readline(self) -> str:
        while "\n" not in self._text and not self._ended:
            chunk = await self._chunk()
            self._ended = not chunk
            self._text += self._decoder.decode(chunk, final=self._ended)
        line, newline, self._text = self._text.partition("\n")
        return line + newline

    async def _chunk(self) -> bytes:
        """The next bytes available, b"" at end of input; waits on the loop, not in it."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        try:
            loop.add_reader(self._fd, _settle, ready)
        except OSError:  # a regular file or /dev/null: epoll cannot watch it, nor need to
            return os.read(self._fd, CHUNK)
        try:
            await ready
        finally:
            loop.remove_reader(self._fd)
        return os.read(self._fd, CHUNK)


def _settle(ready: asyncio.Future[None]) -> None:
    if not ready.done():  # the descriptor may be reported ready again before the read
        ready.set_result(None)
