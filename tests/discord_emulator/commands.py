"""Registered application commands, and interaction `data.options` built from them."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .payloads import JSON, EmuChannel, EmuFile, EmuUser, SnowflakeFactory

log = logging.getLogger(__name__)

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10
ATTACHMENT = 11
Uploader = Callable[[EmuFile], JSON]  # keeps the file, returns its attachment payload


class CommandRegistry:
    """Global and per-guild commands, keeping a command's id across overwrites of the same name."""

    def __init__(self, application_id: int, snowflakes: SnowflakeFactory) -> None:
        self.application_id = application_id
        self._snowflakes = snowflakes
        self._scopes: dict[int | None, dict[str, JSON]] = {}

    def _stored(self, guild_id: int | None, body: Mapping[str, Any], old: JSON | None) -> JSON:
        command: JSON = {
            "type": 1,
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "name_localizations": None,
            "description_localizations": None,
            **copy.deepcopy(dict(body)),
        }
        command["id"] = old["id"] if old else str(self._snowflakes.next())
        command["application_id"] = str(self.application_id)
        command["version"] = str(self._snowflakes.next())
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    def overwrite(self, guild_id: int | None, bodies: Sequence[Mapping[str, Any]]) -> list[JSON]:
        old = self._scopes.get(guild_id, {})
        fresh = {b["name"]: self._stored(guild_id, b, old.get(b["name"])) for b in bodies}
        self._scopes[guild_id] = fresh
        return self.list(guild_id)

    def upsert(self, guild_id: int | None, body: Mapping[str, Any]) -> JSON:
        scope = self._scopes.setdefault(guild_id, {})
        scope[body["name"]] = self._stored(guild_id, body, scope.get(body["name"]))
        return copy.deepcopy(scope[body["name"]])

    def list(self, guild_id: int | None) -> list[JSON]:
        return copy.deepcopy(list(self._scopes.get(guild_id, {}).values()))

    def by_id(self, guild_id: int | None, command_id: int) -> JSON | None:
        for command in self._scopes.get(guild_id, {}).values():
            if int(command["id"]) == command_id:
                return command
        return None

    def delete(self, guild_id: int | None, command_id: int) -> bool:
        command = self.by_id(guild_id, command_id)
        if command is not None:
            del self._scopes[guild_id][command["name"]]
        return command is not None

    def find(self, name: str, guild_id: int | None) -> JSON | None:
        """The command an interaction for `name` would refer to: guild scope first, then global."""
        if guild_id is not None and name in self._scopes.get(guild_id, {}):
            return self._scopes[guild_id][name]
        return self._scopes.get(None, {}).get(name)


@dataclass
class ResolvedRefs:
    users: list[EmuUser] = field(default_factory=list)
    channels: list[EmuChannel] = field(default_factory=list)
    attachments: list[JSON] = field(default_factory=list)


def split_path(command: str | Sequence[str]) -> list[str]:
    return command.split() if isinstance(command, str) else list(command)


def _leaf_schema(schema: JSON | None, path: Sequence[str]) -> list[JSON] | None:
    if schema is None:
        return None
    options: list[JSON] = schema.get("options") or []
    for name in path[1:]:
        match = next((o for o in options if o["name"] == name and o["type"] in (1, 2)), None)
        if match is None:
            raise ValueError(f"command {path[0]!r} has no subcommand/group {name!r}")
        options = match.get("options") or []
    return options


# bool before int: a bool is an int to isinstance.
_PYTHON_TYPES: tuple[tuple[type, int], ...] = (
    (bool, BOOLEAN),
    (int, INTEGER),
    (float, NUMBER),
    (EmuUser, USER),
    (EmuChannel, CHANNEL),
    (EmuFile, ATTACHMENT),
)


def _infer_type(value: Any) -> int:
    return next((kind for cls, kind in _PYTHON_TYPES if isinstance(value, cls)), STRING)


def _wire_value(kind: int, value: Any, refs: ResolvedRefs, upload: Uploader | None) -> Any:
    if isinstance(value, EmuFile):
        if upload is None:
            raise ValueError("attachment options need an uploader to keep the file")
        refs.attachments.append(upload(value))
        return refs.attachments[-1]["id"]
    if isinstance(value, EmuUser):
        refs.users.append(value)
        return str(value.id)
    if isinstance(value, EmuChannel):
        refs.channels.append(value)
        return str(value.id)
    if kind in (USER, CHANNEL, ROLE, MENTIONABLE):
        return str(value)
    return value


def build_options(
    schema: JSON | None,
    path: Sequence[str],
    values: Mapping[str, Any],
    focused: str | None = None,
    upload: Uploader | None = None,
) -> tuple[list[JSON], ResolvedRefs]:
    """Interaction `data.options` for `values`, nested under subcommand/group `path[1:]`.

    Option types come from the registered command when there is one, else from the
    Python types of the values. For autocomplete, the focused option is sent as the raw
    string the user has typed so far. An :class:`EmuFile` value is kept by `upload` and
    sent as its attachment id, the attachment itself going in `resolved`.
    """
    leaf_schema = _leaf_schema(schema, path)
    by_name = {o["name"]: o for o in leaf_schema or []}
    refs = ResolvedRefs()
    options: list[JSON] = []
    for name, value in values.items():
        if leaf_schema is not None and name not in by_name:
            raise ValueError(f"command {' '.join(path)!r} has no option {name!r}")
        kind = by_name[name]["type"] if name in by_name else _infer_type(value)
        option: JSON = {"name": name, "type": kind, "value": _wire_value(kind, value, refs, upload)}
        if name == focused:
            option.update(value=str(value), focused=True)
        options.append(option)
    for name in reversed(path[1:]):
        kind = SUB_COMMAND_GROUP if _is_group(schema, path, name) else SUB_COMMAND
        options = [{"name": name, "type": kind, "options": options}]
    return options, refs


def _is_group(schema: JSON | None, path: Sequence[str], name: str) -> bool:
    for option in (schema or {}).get("options") or []:
        if option["name"] == name:
            return bool(option["type"] == SUB_COMMAND_GROUP)
    return len(path) == 3 and path[1] == name
