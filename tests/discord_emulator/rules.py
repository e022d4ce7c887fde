"""Discord's limits and interaction-lifecycle rules, as pure checks.

Each check returns the errors Discord would answer with; the server turns them into
an HTTP error response and a recorded :class:`~.recorder.Violation`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

JSON = dict[str, Any]
Path = tuple[str | int, ...]

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_AUTHOR_NAME = 256
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_ROW_COMPONENTS = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_CHOICE_VALUE = 100
MAX_COMMAND_OPTIONS = 25
COMPONENTS_V2_FLAG = 1 << 15
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")

# Which callback types Discord accepts per interaction type.
ALLOWED_CALLBACKS: Mapping[int, frozenset[int]] = {
    2: frozenset({4, 5, 9}),  # application command
    3: frozenset({4, 5, 6, 7, 9}),  # message component
    4: frozenset({8}),  # autocomplete
    5: frozenset({4, 5, 6, 7}),  # modal submit
}


@dataclass(frozen=True)
class FieldError:
    path: Path
    code: str
    message: str


@dataclass(frozen=True)
class Rejection:
    """An error answer plus the violation to record for it."""

    status: int
    body: JSON
    rule: str
    detail: str


def error_body(code: int, message: str) -> JSON:
    return {"message": message, "code": code}


def invalid_form_body(errors: Sequence[FieldError]) -> JSON:
    tree: JSON = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return {"message": "Invalid Form Body", "code": 50035, "errors": tree}


def form_rejection(errors: Sequence[FieldError], what: str) -> Rejection:
    detail = "; ".join(f"{'.'.join(map(str, e.path)) or '<body>'}: {e.message}" for e in errors)
    return Rejection(400, invalid_form_body(errors), "invalid_form_body", f"{what}: {detail}")


def _too_long(path: Path, value: Any, limit: int) -> list[FieldError]:
    if isinstance(value, str) and len(value) > limit:
        msg = f"Must be {limit} or fewer in length (got {len(value)})."
        return [FieldError(path, "BASE_TYPE_MAX_LENGTH", msg)]
    return []


def _too_many(path: Path, items: Any, limit: int) -> list[FieldError]:
    if isinstance(items, list) and len(items) > limit:
        msg = f"Must be {limit} or fewer in length (got {len(items)})."
        return [FieldError(path, "BASE_TYPE_MAX_LENGTH", msg)]
    return []


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters counted towards the 6000 total: title, description, fields, footer, author."""
    parts: list[Any] = [embed.get("title"), embed.get("description")]
    parts.append((embed.get("footer") or {}).get("text"))
    parts.append((embed.get("author") or {}).get("name"))
    for item in embed.get("fields") or []:
        parts.extend([item.get("name"), item.get("value")])
    return sum(len(p) for p in parts if isinstance(p, str))


def check_embed(index: int, embed: Mapping[str, Any]) -> list[FieldError]:
    base: Path = ("embeds", index)
    errors = _too_long((*base, "title"), embed.get("title"), MAX_EMBED_TITLE)
    errors += _too_long((*base, "description"), embed.get("description"), MAX_EMBED_DESCRIPTION)
    errors += _too_long(
        (*base, "footer", "text"), (embed.get("footer") or {}).get("text"), MAX_FOOTER
    )
    errors += _too_long(
        (*base, "author", "name"), (embed.get("author") or {}).get("name"), MAX_AUTHOR_NAME
    )
    fields = embed.get("fields") or []
    errors += _too_many((*base, "fields"), fields, MAX_EMBED_FIELDS)
    for i, item in enumerate(fields):
        for key, limit in (("name", MAX_FIELD_NAME), ("value", MAX_FIELD_VALUE)):
            if not item.get(key):
                errors.append(
                    FieldError(
                        (*base, "fields", i, key), "BASE_TYPE_REQUIRED", "This field is required"
                    )
                )
            errors += _too_long((*base, "fields", i, key), item.get(key), limit)
    return errors


def check_embeds(embeds: Any) -> list[FieldError]:
    if not isinstance(embeds, list):
        return []
    errors = _too_many(("embeds",), embeds, MAX_EMBEDS)
    for index, embed in enumerate(embeds):
        errors += check_embed(index, embed)
    total = sum(embed_size(embed) for embed in embeds)
    if total > MAX_EMBED_TOTAL:
        msg = f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL} (got {total})"
        errors.append(FieldError(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", msg))
    return errors


def check_components(components: Any, flags: int) -> list[FieldError]:
    if not isinstance(components, list) or flags & COMPONENTS_V2_FLAG:
        return []
    errors = _too_many(("components",), components, MAX_ACTION_ROWS)
    seen: set[str] = set()
    for r, row in enumerate(components):
        children = row.get("components") or []
        errors += _too_many(("components", r, "components"), children, MAX_ROW_COMPONENTS)
        for c, child in enumerate(children):
            path: Path = ("components", r, "components", c)
            custom_id = child.get("custom_id")
            errors += _too_long((*path, "custom_id"), custom_id, MAX_CUSTOM_ID)
            errors += _too_long((*path, "label"), child.get("label"), MAX_BUTTON_LABEL)
            if isinstance(custom_id, str) and custom_id in seen:
                msg = f"Component custom id cannot be duplicated ({custom_id!r})"
                errors.append(
                    FieldError((*path, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", msg)
                )
            if isinstance(custom_id, str):
                seen.add(custom_id)
    return errors


def check_allowed_mentions(allowed: Any) -> list[FieldError]:
    if not isinstance(allowed, Mapping):
        return []
    parse = allowed.get("parse") or []
    errors = []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            msg = f"parse:[{kind}] and {kind}: [ids] are mutually exclusive."
            errors.append(
                FieldError(("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", msg)
            )
    return errors


def check_message(body: Mapping[str, Any]) -> list[FieldError]:
    """Length and count limits for a message create/edit body (JSON or payload_json)."""
    flags = body.get("flags") or 0
    errors = _too_long(("content",), body.get("content"), MAX_CONTENT)
    errors += check_embeds(body.get("embeds"))
    errors += check_components(body.get("components"), flags if isinstance(flags, int) else 0)
    errors += check_allowed_mentions(body.get("allowed_mentions"))
    return errors


def is_empty_message(body: Mapping[str, Any], file_count: int) -> bool:
    keys = ("embeds", "components", "sticker_ids", "poll", "attachments")
    return not body.get("content") and file_count == 0 and not any(body.get(k) for k in keys)


def empty_message_rejection(what: str) -> Rejection:
    body = error_body(50006, "Cannot send an empty message")
    return Rejection(400, body, "empty_message", f"{what}: no content, embeds, files or components")


def check_choices(choices: Any) -> list[FieldError]:
    if not isinstance(choices, list):
        return [FieldError(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")]
    errors = _too_many(("data", "choices"), choices, MAX_CHOICES)
    for i, choice in enumerate(choices):
        errors += _too_long(("data", "choices", i, "name"), choice.get("name"), MAX_CHOICE_NAME)
        errors += _too_long(("data", "choices", i, "value"), choice.get("value"), MAX_CHOICE_VALUE)
    return errors


def check_command(index: int, command: Mapping[str, Any]) -> list[FieldError]:
    base: Path = (index,)
    name = command.get("name")
    errors: list[FieldError] = []
    if not isinstance(name, str) or not COMMAND_NAME.match(name) or name != name.lower():
        msg = f"Command name {name!r} is invalid (1-32 lowercase letters, digits, - or _)."
        errors.append(FieldError((*base, "name"), "APPLICATION_COMMAND_INVALID_NAME", msg))
    if command.get("type", 1) == 1:
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            msg = "Description must be 1-100 characters."
            errors.append(FieldError((*base, "description"), "BASE_TYPE_BAD_LENGTH", msg))
    errors += _check_options((*base, "options"), command.get("options") or [])
    return errors


def _check_options(path: Path, options: list[Any]) -> list[FieldError]:
    errors = _too_many(path, options, MAX_COMMAND_OPTIONS)
    seen_optional = False
    for i, option in enumerate(options):
        if option.get("type") in (1, 2):
            errors += _check_options((*path, i, "options"), option.get("options") or [])
            continue
        if option.get("required") and seen_optional:
            msg = "Required options must be placed before non-required options"
            errors.append(
                FieldError(
                    (*path, i, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", msg
                )
            )
        seen_optional = seen_optional or not option.get("required")
        errors += _too_many((*path, i, "choices"), option.get("choices"), MAX_CHOICES)
    return errors


def check_callback(
    *, interaction_type: int, callback_type: int, acked: bool, expired: bool
) -> Rejection | None:
    """Interaction lifecycle: in time, once, and with a callback type fitting the interaction."""
    if expired:
        detail = "callback after the acknowledgement deadline (interaction expired)"
        return Rejection(404, error_body(10062, "Unknown interaction"), "late_ack", detail)
    if acked:
        body = error_body(40060, "Interaction has already been acknowledged.")
        return Rejection(400, body, "double_ack", "interaction acknowledged more than once")
    if callback_type not in ALLOWED_CALLBACKS.get(interaction_type, frozenset()):
        error = FieldError(("type",), "INTERACTION_CALLBACK_TYPE_INVALID", "Invalid callback type")
        detail = (
            f"callback type {callback_type} is not valid for interaction type {interaction_type}"
        )
        return Rejection(400, invalid_form_body([error]), "wrong_callback_type", detail)
    return None


def check_webhook_use(*, acked: bool, what: str) -> Rejection | None:
    """Follow-ups and @original edits need a prior acknowledgement."""
    if acked:
        return None
    return Rejection(
        404, error_body(10015, "Unknown Webhook"), f"{what}_before_ack", f"{what} before ack"
    )
