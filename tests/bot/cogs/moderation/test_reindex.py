"""Engines per guild, rebuilt off the event loop and swapped whole, also under load."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace

from doubles import GUILD, MEMBER, OTHER_GUILD, FakeInteraction, invoke

from bot.cogs.moderation import AdminCog
from bot.engines import EngineRegistry
from bot.library.uploaded import Library
from retrieval import SearchEngine

NOTES = b"Study notes\n\nThe zebrafish committee meets in the Pyongyang library on Tuesdays.\n"
ZEBRA = "When does the zebrafish committee meet?"
PHONES = "How many North Koreans have mobile phones?"


def docs(engine: SearchEngine) -> set[str]:
    return {doc.doc_id for doc in engine.documents}


async def test_an_upload_is_searched_in_its_guild_only(
    engines: EngineRegistry, library: Library
) -> None:
    seed = engines.for_guild(GUILD)
    library.add(GUILD, "notes.txt", NOTES)
    report = await engines.rebuild_guild(GUILD)
    assert (report.documents, report.uploaded) == (len(seed.documents) + 1, 1)
    assert report.passages == len(engines.for_guild(GUILD).chunks) > len(seed.chunks)
    (top, *_) = engines.for_guild(GUILD).search(ZEBRA, 3).hits
    assert top.chunk.doc_id == "notes.txt"
    assert "notes.txt" not in docs(engines.for_guild(OTHER_GUILD))
    assert engines.for_guild(None) is engines.for_guild(OTHER_GUILD) is seed


async def test_removing_the_last_upload_falls_back_to_the_seeds(
    engines: EngineRegistry, library: Library
) -> None:
    library.add(GUILD, "notes.txt", NOTES)
    await engines.rebuild_guild(GUILD)
    library.remove(GUILD, "notes.txt")
    report = await engines.rebuild_guild(GUILD)
    assert report.uploaded == 0
    assert engines.for_guild(GUILD) is engines.current.seed


async def test_rebuilding_one_guild_keeps_the_others(
    engines: EngineRegistry, library: Library
) -> None:
    library.add(OTHER_GUILD, "other.txt", b"Other guild text about kimchi.")
    await engines.rebuild_guild(OTHER_GUILD)
    other = engines.for_guild(OTHER_GUILD)
    library.add(GUILD, "notes.txt", NOTES)
    await engines.rebuild_guild(GUILD)
    assert engines.for_guild(OTHER_GUILD) is other


async def test_load_builds_engines_for_uploads_on_disk(
    engines: EngineRegistry, library: Library, corpus: Path, seed_engine: SearchEngine
) -> None:
    library.add(GUILD, "notes.txt", NOTES)  # e.g. uploaded before a restart
    restarted = EngineRegistry(corpus, engines.options, library, seed_engine)
    assert "notes.txt" not in docs(restarted.for_guild(GUILD))
    await restarted.load()
    assert "notes.txt" in docs(restarted.for_guild(GUILD))


async def test_reindex_rereads_the_seeds_from_disk(
    engines: EngineRegistry, library: Library, corpus: Path
) -> None:
    library.add(GUILD, "notes.txt", NOTES)
    (corpus / "new_seed.txt").write_text("New seed\n\nThe okapi library opens at nine.\n")
    (corpus / "004_5cecccfb3d421b5d.txt").unlink()
    report = await engines.reindex(GUILD)
    seeds = docs(engines.current.seed)
    assert "new_seed.txt" in seeds
    assert "004_5cecccfb3d421b5d.txt" not in seeds
    assert docs(engines.for_guild(GUILD)) == seeds | {"notes.txt"}  # uploads survive it
    assert (report.documents, report.uploaded) == (len(seeds) + 1, 1)
    assert report.passages == len(engines.for_guild(GUILD).chunks)
    assert report.seconds > 0


async def test_concurrent_uploads_are_both_indexed(
    engines: EngineRegistry, library: Library
) -> None:
    library.add(GUILD, "a.txt", b"Alpha text about the zebrafish.")
    build_a = asyncio.create_task(engines.rebuild_guild(GUILD))
    library.add(GUILD, "b.txt", b"Beta text about the okapi.")
    await asyncio.gather(build_a, engines.rebuild_guild(GUILD))
    assert {"a.txt", "b.txt"} <= docs(engines.for_guild(GUILD))


async def test_questions_during_reindex_see_a_whole_old_or_new_engine(
    engines: EngineRegistry, library: Library, corpus: Path
) -> None:
    """Searches in threads and tasks run throughout three reindexes: none fails, and each
    one sees an engine that is exactly one of the generations built (old or new, never a mix).
    """
    library.add(GUILD, "notes.txt", NOTES)
    await engines.rebuild_guild(GUILD)
    start = engines.for_guild(GUILD)
    generations = {(len(start.documents), len(start.chunks))}
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_once() -> None:
        engine = engines.for_guild(GUILD)  # what the ask service does per question
        result = engine.search(PHONES, 5)
        assert result.hits
        assert {hit.chunk.doc_id for hit in result.hits} <= docs(engine)
        seen.append((len(engine.documents), len(engine.chunks)))

    def asker() -> None:
        while not stop.wait(0.01):  # a pause, so the build gets its share of the GIL
            try:
                ask_once()
            except BaseException as error:
                errors.append(error)
                return

    async def async_asker() -> None:
        while not stop.is_set():
            await asyncio.to_thread(ask_once)
            await asyncio.sleep(0.01)

    threads = [threading.Thread(target=asker) for _ in range(2)]
    for thread in threads:
        thread.start()
    tasks = [asyncio.create_task(async_asker()) for _ in range(3)]
    try:
        for n in range(3):
            (corpus / f"added_{n}.txt").write_text(f"Seed {n}\n\nPhones are counted in round {n}.")
            report = await engines.reindex(GUILD)
            generations.add((report.documents, report.passages))
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        await asyncio.gather(*tasks)
    assert errors == []
    assert set(seen) <= generations
    assert len(set(seen)) >= 2, "the searches should span at least one swap"
    assert len(seen) > 50


async def test_reindex_command_reports_counts_and_time(
    services: SimpleNamespace, library: Library
) -> None:
    library.add(GUILD, "notes.txt", NOTES)
    cog = AdminCog(services)
    interaction = FakeInteraction()
    await invoke(cog.docqa.get_command("reindex"), interaction)  # type: ignore[arg-type]
    reply = interaction.only
    engine = services.engines.for_guild(GUILD)
    assert reply.ephemeral
    assert interaction.deferred is True
    assert f"now searches {len(engine.documents)} documents (1 uploaded)" in reply.content
    assert f"in {len(engine.chunks)} passages" in reply.content


async def test_reindex_is_refused_without_manage_server(services: SimpleNamespace) -> None:
    before = services.engines.current
    interaction = FakeInteraction(user_id=MEMBER, manage_guild=False)
    await invoke(AdminCog(services).docqa.get_command("reindex"), interaction)  # type: ignore[arg-type]
    assert interaction.only.ephemeral
    assert "missing manage server permission" in interaction.only.content.lower()
    assert interaction.deferred is None
    assert services.engines.current is before
