"""Names the dead-code check (``make lint``: vulture) cannot see used, each with who uses it.

Read by vulture only; never imported. Cog hooks, command callbacks and validators, which
discord.py and pydantic call by name, are allowed in pyproject.toml's ``[tool.vulture]``.
"""

# ruff: noqa: B018
import retrieval.semantic
from bot.library.uploaded import StoredDocument
from bot.storage.records import QueryRow
from bot.storage.sqlite import Storage
from retrieval.types import Chunk

_ = object()

# Attributes of other libraries' objects, set for them to read.
_.warn_nacl, _.warn_dave  # discord.VoiceClient: no voice-library warnings at start-up
_.BASE, _.DEFAULT_GATEWAY  # discord.py's REST base and gateway (bot/discord_patches.py)
_.row_factory  # aiosqlite: rows by column name
_.description  # discord.Embed
_.intra_op_num_threads, _.inter_op_num_threads  # onnxruntime.SessionOptions
_.graph_optimization_level, _.log_severity_level  # onnxruntime.SessionOptions

# Fields read through dataclasses.asdict (exports, caches, test checks).
QueryRow.hit_count  # an export column
StoredDocument.added_at  # kept in the upload folder's .library.json
Chunk.chunk_id  # a passage's position in the index

# Public API used outside the package.
retrieval.semantic.__getattr__  # PEP 562: the package imports onnxruntime on first use only
Storage.log_query  # one question with a database-chosen id: the storage tests' way in
