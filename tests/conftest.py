from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from discord_emulator import Emulator


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A started Discord emulator (one guild with #general, real 3 s ack deadline)."""
    async with Emulator() as emu:
        yield emu
