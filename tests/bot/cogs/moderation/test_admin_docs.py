"""``/docqa docs add|remove|list``, and the permission rule over every ``/docqa`` command."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from doubles import (
    GUILD,
    MEMBER,
    OTHER_GUILD,
    FakeAttachment,
    FakeInteraction,
    find,
    invoke,
)
from format_samples import (
    LECTURE_TITLE,
    corrupt_pdf,
    docx_bomb,
    encrypted_pdf,
    lecture_docx,
    lecture_pdf,
    navigation_only_html,
    scanned_pdf,
)
from sample_log import count_rows

from bot.cogs.moderation import AdminCog
from bot.library.uploaded import Library, LibraryLimits
from bot.storage.database import Database

NOTES = b"Zebrafish notes\n\nThe zebrafish committee meets in the Pyongyang library on Tuesdays.\n"
ZEBRA = "When does the zebrafish committee meet?"

# Uploads touch the log only to leave it alone: SQLite is enough (the storage suite has both).
pytestmark = pytest.mark.parametrize("open_storage", ["sqlite"], indirect=True)


async def run(
    services: SimpleNamespace, path: str, interaction: FakeInteraction, **kw: Any
) -> None:
    await invoke(find(AdminCog(services).docqa, path), interaction, **kw)


def uploaded(library: Library, guild_id: int = GUILD) -> list[str]:
    folder = library.guild_dir(guild_id)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_add_makes_the_document_searchable_at_once_in_this_guild_only(
    services: SimpleNamespace, library: Library
) -> None:
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=FakeAttachment("notes.md", NOTES))
    reply = interaction.only
    assert reply.ephemeral
    seeds = len(services.engines.current.seed.documents)
    assert reply.content is not None
    assert reply.content.startswith("Added “Zebrafish notes” as `notes.md`.")
    assert f"now searches {seeds + 1} documents (1 uploaded)" in reply.content
    top = services.engines.for_guild(GUILD).search(ZEBRA, 3).hits[0]
    assert top.chunk.doc_id == "notes.md"
    assert top.citation.title == "Zebrafish notes"
    assert all(h.chunk.doc_id != "notes.md" for h in services.engines.for_guild(OTHER_GUILD)
               .search(ZEBRA, 10).hits)  # fmt: skip
    assert uploaded(library) == [".library.json", "notes.md"]


async def test_add_with_a_title(services: SimpleNamespace) -> None:
    interaction = FakeInteraction()
    file = FakeAttachment("notes.md", NOTES)
    await run(services, "docs add", interaction, file=file, title="Week 3 notes")
    assert services.engines.for_guild(GUILD).document("notes.md").title == "Week 3 notes"


async def test_a_pdf_is_answered_from_its_text_and_titled_from_its_heading(
    services: SimpleNamespace, library: Library
) -> None:
    library.limits = LibraryLimits()  # a PDF embedding its font is over the fixture's 2 kB
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=FakeAttachment("lecture.pdf", lecture_pdf()))
    assert (interaction.only.content or "").startswith(f"Added “{LECTURE_TITLE}” as `lecture.pdf`.")
    top = services.engines.for_guild(GUILD).search("What is a spectrophotometer?", 3).hits[0]
    assert (top.chunk.doc_id, top.citation.title) == ("lecture.pdf", LECTURE_TITLE)
    assert "spectrophotometer, which compares" in top.chunk.text


async def test_a_docx_is_titled_from_its_heading(
    services: SimpleNamespace, library: Library
) -> None:
    library.limits = LibraryLimits()
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=FakeAttachment("week4.docx", lecture_docx()))
    assert (interaction.only.content or "").startswith(
        "Added “Tides and the Moon” as `week4.docx`."
    )
    top = services.engines.for_guild(GUILD).search("Where is the highest tidal range?", 3).hits[0]
    assert top.chunk.doc_id == "week4.docx"


HOSTILE = {
    "encrypted.pdf": (encrypted_pdf(), "the PDF is encrypted; use a copy saved without"),
    "corrupt.pdf": (corrupt_pdf(), "the PDF is damaged or not a PDF ("),
    "scan.pdf": (scanned_pdf(), "the PDF has no text layer (a scan?); OCR is not supported"),
    "bomb.docx": (docx_bomb(), "the DOCX unpacks to 60.8 MB; the limit is 50.0 MB"),
    "menu.html": (navigation_only_html(), "the page has no main content"),
}


@pytest.mark.parametrize(("name", "case"), HOSTILE.items(), ids=HOSTILE.keys())
async def test_a_hostile_document_is_refused_in_one_line_and_nothing_changes(
    services: SimpleNamespace, library: Library, name: str, case: tuple[bytes, str]
) -> None:
    library.limits = LibraryLimits()
    data, reason = case
    before = services.engines.current
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=FakeAttachment(name, data))
    content = interaction.only.content or ""
    assert content.startswith(f"Not added: {reason}")
    assert "\n" not in content
    assert uploaded(library) == []
    assert services.engines.current is before


@pytest.mark.parametrize(
    ("name", "data", "reason", "downloaded"),
    [
        ("big.txt", b"x" * 2001, "the file is 2.0 kB; the limit is 2.0 kB", False),
        ("blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary (it contains NUL bytes)", True),
        ("latin.txt", b"caf\xe9", "not UTF-8 text", True),
        ("../x.txt", NOTES, "is a path", False),
        ("/etc/passwd", NOTES, "is a path", False),
        ("CON.txt", NOTES, "reserved device name", False),
        ("slides.exe", NOTES, "is not a .txt, .md, .markdown, .rst, .docx", False),
        ("slides.pdf", NOTES, "the PDF is damaged or not a PDF", True),
        ("000_36680a99088c2fd4.txt", NOTES, "name of a built-in document", False),
    ],
)
async def test_bad_uploads_are_refused_in_one_line(
    services: SimpleNamespace,
    library: Library,
    *,
    name: str,
    data: bytes,
    reason: str,
    downloaded: bool,
) -> None:
    before = services.engines.current
    file = FakeAttachment(name, data)
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=file)
    reply = interaction.only
    assert reply.ephemeral
    assert reply.content is not None
    assert reply.content.startswith("Not added: ")
    assert reason in reply.content
    assert "\n" not in reply.content
    assert file.reads == int(downloaded)  # names and declared sizes are checked first
    assert uploaded(library) == []
    assert services.engines.current is before  # no rebuild
    assert not (library.root.parent / "x.txt").exists()


async def test_duplicate_content_is_refused(services: SimpleNamespace, library: Library) -> None:
    await run(services, "docs add", FakeInteraction(), file=FakeAttachment("notes.md", NOTES))
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=FakeAttachment("copy.txt", NOTES))
    assert interaction.only.content == "Not added: the same text is already indexed as 'notes.md'."
    assert uploaded(library) == [".library.json", "notes.md"]


async def test_the_guild_limit_is_enforced(services: SimpleNamespace, library: Library) -> None:
    for n in range(3):  # the fixture's library allows three
        file = FakeAttachment(f"n{n}.txt", f"Note {n}.".encode())
        await run(services, "docs add", FakeInteraction(), file=file)
    interaction = FakeInteraction()
    await run(services, "docs add", interaction, file=FakeAttachment("n3.txt", b"Note 3."))
    assert interaction.only.content == (
        "Not added: this server already has 3 documents, the limit; remove one first."
    )
    assert len(library.stored(GUILD)) == 3


async def test_remove_takes_it_out_of_the_index(
    services: SimpleNamespace, library: Library
) -> None:
    await run(services, "docs add", FakeInteraction(), file=FakeAttachment("notes.md", NOTES))
    interaction = FakeInteraction()
    await run(services, "docs remove", interaction, name="notes.md")
    assert (interaction.only.content or "").startswith("Removed `notes.md`. This server now")
    assert "notes.md" not in {d.doc_id for d in services.engines.for_guild(GUILD).documents}
    assert uploaded(library) == [".library.json"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing.md", "no uploaded document named 'missing.md' in this server"),
        ("../docqa.db", "no uploaded document named '../docqa.db'"),
        ("000_36680a99088c2fd4.txt", "is a built-in document; only uploaded documents"),
    ],
)
async def test_remove_an_unknown_document(
    services: SimpleNamespace, tmp_path: Path, name: str, reason: str
) -> None:
    interaction = FakeInteraction()
    await run(services, "docs remove", interaction, name=name)
    assert (interaction.only.content or "").startswith("Not removed: ")
    assert reason in (interaction.only.content or "")
    assert (tmp_path / "docqa.db").exists()


async def test_list_shows_uploads_and_passages(services: SimpleNamespace) -> None:
    await run(services, "docs add", FakeInteraction(), file=FakeAttachment("notes.md", NOTES))
    interaction = FakeInteraction()
    await run(services, "docs list", interaction)
    (embed,) = interaction.only.embeds
    passages = services.engines.for_guild(GUILD).chunk_counts()["notes.md"]
    assert embed.description == (
        f"`notes.md`: Zebrafish notes ({len(NOTES) / 1000:.1f} kB, {passages} passages)"
    )
    assert embed.footer.text == "1 of 3 uploads used · plus 5 built-in documents (/sources)"
    assert interaction.only.ephemeral


async def test_autocomplete_offers_uploads_to_moderators_only(services: SimpleNamespace) -> None:
    await run(services, "docs add", FakeInteraction(), file=FakeAttachment("notes.md", NOTES))
    remove = find(AdminCog(services).docqa, "docs remove")
    namespace = SimpleNamespace(name="zebra")
    moderator = FakeInteraction()
    await remove._invoke_autocomplete(moderator, "name", namespace)  # type: ignore[arg-type]
    assert [(c.name, c.value) for c in moderator.choices or []] == [
        ("notes.md: Zebrafish notes", "notes.md")
    ]
    member = FakeInteraction(user_id=MEMBER, manage_guild=False)
    await remove._invoke_autocomplete(member, "name", namespace)  # type: ignore[arg-type]
    assert member.choices == []


EVERY_COMMAND = [
    ("stats", {}),
    ("reindex", {}),
    ("export", {"days": 30, "fmt": "jsonl"}),
    ("forget", {"user": SimpleNamespace(id=1, mention="<@1>", display_name="ann")}),
    ("docs add", {"file": FakeAttachment("notes.md", NOTES)}),
    ("docs remove", {"name": "notes.md"}),
    ("docs list", {}),
    ("config show", {}),
    ("config set", {"default_k": 2}),
    ("config channel", {"action": "clear"}),
    ("config reset", {}),
]


def test_every_command_is_listed_here(services: SimpleNamespace) -> None:
    group = AdminCog(services).docqa
    commands = [c for c in group.walk_commands() if isinstance(c, discord.app_commands.Command)]
    assert {c.qualified_name.removeprefix("docqa ") for c in commands} == dict(EVERY_COMMAND).keys()
    assert group.guild_only
    assert group.default_permissions == discord.Permissions(manage_guild=True)


@pytest.mark.parametrize(("path", "params"), EVERY_COMMAND)
async def test_members_without_manage_server_are_refused_and_nothing_runs(
    sample: Any, services: SimpleNamespace, library: Library, storage: Database, *, path: str,
    params: dict[str, Any],
) -> None:  # fmt: skip
    library.add(GUILD, "notes.md", NOTES)
    files, rows, engines = uploaded(library), await count_rows(storage), services.engines.current
    interaction = FakeInteraction(user_id=MEMBER, manage_guild=False)
    await run(services, path, interaction, **params)
    reply = interaction.only
    assert reply.ephemeral
    assert reply.content == "You are missing Manage Server permission(s) to run this command."
    assert reply.file is None
    assert reply.embeds == []
    assert interaction.deferred is None
    assert (uploaded(library), await count_rows(storage)) == (files, rows)
    assert services.engines.current is engines
