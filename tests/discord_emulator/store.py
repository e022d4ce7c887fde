"""Per-channel message store: builds Discord message payloads from request bodies."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .payloads import (
    JSON,
    EmuChannel,
    EmuFile,
    EmuUser,
    SnowflakeFactory,
    attachment_payload,
    iso_now,
    user_payload,
)
from .recorder import EventLog, RecordedFile

log = logging.getLogger(__name__)

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE = re.compile(r"@(everyone|here)\b")
KEPT_FLAGS = (1 << 2) | (1 << 6) | (1 << 12) | (1 << 15)  # suppress embeds, ephemeral, silent, v2
LOADING_FLAG = 1 << 7
DEFAULT_TYPE, REPLY_TYPE, CHAT_INPUT_TYPE = 0, 19, 20


@dataclass(frozen=True)
class MessageOrigin:
    """Who sends a message, where, and on behalf of which interaction."""

    channel: EmuChannel
    author: EmuUser
    source: str  # "user", "channel", "callback", "deferred", "followup"
    interaction: JSON | None = None  # interaction_metadata for interaction messages
    application_id: int | None = None
    can_mention_everyone: bool = False


@dataclass
class StoredMessage:
    payload: JSON
    channel_id: int
    source: str
    allowed_mentions: JSON | None
    ephemeral: bool
    unguarded_everyone: bool  # content has @everyone/@here that allowed_mentions did not forbid
    deleted: bool = False
    edits: int = 0

    @property
    def id(self) -> int:
        return int(self.payload["id"])


@dataclass(frozen=True)
class MessageEvent:
    kind: str  # "create", "update" or "delete"
    message: JSON
    source: str

    @property
    def channel_id(self) -> int:
        return int(self.message["channel_id"])


@dataclass
class Blob:
    data: bytes
    content_type: str | None


@dataclass
class MessageStore:
    snowflakes: SnowflakeFactory
    users: Mapping[int, EmuUser]
    attachment_base: str = ""
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    by_channel: dict[int, list[int]] = field(default_factory=dict)
    blobs: dict[str, Blob] = field(default_factory=dict)
    events: EventLog[MessageEvent] = field(default_factory=lambda: EventLog("messages"))

    def get(self, message_id: int) -> StoredMessage | None:
        stored = self.messages.get(message_id)
        return None if stored is None or stored.deleted else stored

    def in_channel(self, channel_id: int, *, include_ephemeral: bool = True) -> list[StoredMessage]:
        ids = self.by_channel.get(channel_id, [])
        found = [self.messages[i] for i in ids if not self.messages[i].deleted]
        return [m for m in found if include_ephemeral or not m.ephemeral]

    def create(
        self, origin: MessageOrigin, body: Mapping[str, Any], files: Sequence[RecordedFile]
    ) -> StoredMessage:
        message_id = self.snowflakes.next()
        payload = self._base_payload(message_id, origin)
        self._apply_body(payload, origin, body, files, creating=True)
        flags = int(payload["flags"])
        allowed = body.get("allowed_mentions")
        stored = StoredMessage(
            payload=payload,
            channel_id=origin.channel.id,
            source=origin.source,
            allowed_mentions=copy.deepcopy(allowed) if isinstance(allowed, dict) else None,
            ephemeral=bool(flags & (1 << 6)),
            unguarded_everyone=_unguarded_everyone(payload["content"], allowed),
        )
        self.messages[message_id] = stored
        self.by_channel.setdefault(origin.channel.id, []).append(message_id)
        self.events.append(MessageEvent("create", copy.deepcopy(payload), origin.source))
        return stored

    def edit(
        self,
        stored: StoredMessage,
        origin: MessageOrigin,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
    ) -> StoredMessage:
        self._apply_body(stored.payload, origin, body, files, creating=False)
        stored.payload["flags"] = int(stored.payload["flags"]) & ~LOADING_FLAG
        stored.payload["edited_timestamp"] = iso_now()
        stored.edits += 1
        if isinstance(body.get("allowed_mentions"), dict):
            stored.allowed_mentions = copy.deepcopy(body["allowed_mentions"])
        stored.unguarded_everyone = _unguarded_everyone(
            stored.payload["content"], stored.allowed_mentions
        )
        self.events.append(MessageEvent("update", copy.deepcopy(stored.payload), origin.source))
        return stored

    def delete(self, stored: StoredMessage) -> None:
        stored.deleted = True
        self.events.append(MessageEvent("delete", copy.deepcopy(stored.payload), stored.source))

    def _base_payload(self, message_id: int, origin: MessageOrigin) -> JSON:
        payload: JSON = {
            "id": str(message_id),
            "channel_id": str(origin.channel.id),
            "author": user_payload(origin.author),
            "content": "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "reactions": [],
            "pinned": False,
            "type": CHAT_INPUT_TYPE if origin.source in ("callback", "deferred") else DEFAULT_TYPE,
            "flags": 0,
        }
        if origin.application_id is not None:
            payload["webhook_id"] = str(origin.application_id)
            payload["application_id"] = str(origin.application_id)
        if origin.interaction is not None:
            payload["interaction_metadata"] = origin.interaction
        return payload

    def _apply_body(
        self,
        payload: JSON,
        origin: MessageOrigin,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
        *,
        creating: bool,
    ) -> None:
        if "content" in body or creating:
            payload["content"] = body.get("content") or ""
        if "embeds" in body or creating:
            payload["embeds"] = [{"type": "rich", **e} for e in body.get("embeds") or []]
        if "components" in body or creating:
            payload["components"] = copy.deepcopy(body.get("components") or [])
        if "flags" in body or creating:
            old = int(payload.get("flags") or 0) & (1 << 6)
            payload["flags"] = (int(body.get("flags") or 0) & KEPT_FLAGS) | old
        if creating:
            payload["tts"] = bool(body.get("tts", False))
            payload["nonce"] = body.get("nonce")
            self._apply_reference(payload, body.get("message_reference"))
        payload["attachments"] = self._attachments(payload, origin, body, files)
        self._apply_mentions(payload, origin, body.get("allowed_mentions"))

    def _apply_reference(self, payload: JSON, reference: Any) -> None:
        if not isinstance(reference, dict) or "message_id" not in reference:
            return
        referenced = self.get(int(reference["message_id"]))
        payload["message_reference"] = {
            "type": 0,
            "message_id": str(reference["message_id"]),
            "channel_id": str(reference.get("channel_id") or payload["channel_id"]),
        }
        if reference.get("guild_id"):
            payload["message_reference"]["guild_id"] = str(reference["guild_id"])
        payload["type"] = REPLY_TYPE
        payload["referenced_message"] = copy.deepcopy(referenced.payload) if referenced else None

    def _attachments(
        self,
        payload: JSON,
        origin: MessageOrigin,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
    ) -> list[JSON]:
        listed = body.get("attachments")
        current: list[JSON] = payload.get("attachments") or []
        if isinstance(listed, list):
            keep = {str(a.get("id")) for a in listed}
            current = [a for a in current if a["id"] in keep]
        metas = {str(a.get("id")): a for a in listed or [] if isinstance(a, dict)}
        for index, upload in enumerate(files):
            meta = metas.get(str(index), {})
            current.append(self._store_blob(origin.channel.id, upload, meta))
        return current

    def upload(self, channel_id: int, file: EmuFile) -> JSON:
        """Keep a file a user attaches to a command; its payload's url serves the bytes."""
        recorded = RecordedFile("file", file.filename, file.content_type, file.data)
        return self._store_blob(channel_id, recorded, {})

    def _store_blob(self, channel_id: int, upload: RecordedFile, meta: Mapping[str, Any]) -> JSON:
        attachment_id = self.snowflakes.next()
        filename = str(meta.get("filename") or upload.filename)
        path = f"/attachments/{channel_id}/{attachment_id}/{filename}"
        self.blobs[path] = Blob(upload.data, upload.content_type)
        data = attachment_payload(
            attachment_id,
            filename,
            len(upload.data),
            self.attachment_base + path,
            upload.content_type,
        )
        if meta.get("description"):
            data["description"] = meta["description"]
        return data

    def _apply_mentions(self, payload: JSON, origin: MessageOrigin, allowed: Any) -> None:
        content: str = payload["content"]
        allow = _mention_filter(allowed)
        ids = [int(m) for m in USER_MENTION.findall(content)]
        mentioned = [
            self.users[i] for i in dict.fromkeys(ids) if i in self.users and allow("users", i)
        ]
        referenced = payload.get("referenced_message")
        if referenced and _replied_user_pinged(allowed):
            author_id = int(referenced["author"]["id"])
            if author_id in self.users and all(u.id != author_id for u in mentioned):
                mentioned.append(self.users[author_id])
        payload["mentions"] = [user_payload(u) for u in mentioned]
        roles = [r for r in dict.fromkeys(ROLE_MENTION.findall(content)) if allow("roles", int(r))]
        payload["mention_roles"] = roles
        everyone = bool(EVERYONE.search(content)) and allow("everyone", 0)
        payload["mention_everyone"] = everyone and (
            origin.can_mention_everyone or origin.source == "user"
        )


def _mention_filter(allowed: Any) -> Callable[[str, int], bool]:
    if not isinstance(allowed, dict):
        return lambda _kind, _id: True
    parse = set(allowed.get("parse") or [])

    def allow(kind: str, ident: int) -> bool:
        if kind in parse:
            return True
        return kind != "everyone" and str(ident) in {str(x) for x in allowed.get(kind) or []}

    return allow


def _replied_user_pinged(allowed: Any) -> bool:
    return not isinstance(allowed, dict) or bool(allowed.get("replied_user", False))


def _unguarded_everyone(content: str, allowed: Any) -> bool:
    return bool(EVERYONE.search(content)) and _mention_filter(allowed)("everyone", 0)
