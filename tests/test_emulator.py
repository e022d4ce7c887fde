"""The Discord emulator driven by a real, bare discord.py client in-process."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import discord  # noqa: TID251 (tests drive a real discord.py client)
import pytest
from discord import app_commands  # noqa: TID251
from discord.http import Route  # noqa: TID251
from discord_emulator import (
    ADMINISTRATOR,
    MANAGE_GUILD,
    EmuFile,
    Emulator,
    GuildSpec,
    point_discord_py_at,
    running_client,
)

log = logging.getLogger(__name__)

TEST_TIMEOUT = 10.0
TOPICS = ["bm25", "embeddings", "evaluation", "chunking", "citations"]
GUILD_COMMANDS = {
    "ask",
    "search",
    "docqa",
    "twice",
    "silent",
    "late",
    "huge",
    "export",
    "upload",
    "vote",
    "early",
}


async def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Poll for a bot-side effect that follows an emulator-side one."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@dataclass
class Seen:
    """What the demo bot observed, for assertions."""

    errors: list[discord.HTTPException] = field(default_factory=list)
    clicks: list[int] = field(default_factory=list)
    permissions: list[int] = field(default_factory=list)
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    messages: list[str] = field(default_factory=list)


class HelpfulView(discord.ui.View):
    def __init__(self, seen: Seen) -> None:
        super().__init__(timeout=60)
        self.seen = seen

    @discord.ui.button(
        label="Helpful", custom_id="answer:helpful", style=discord.ButtonStyle.success
    )
    async def helpful(
        self, interaction: discord.Interaction, _button: discord.ui.Button[HelpfulView]
    ) -> None:
        self.seen.clicks.append(interaction.user.id)
        await interaction.response.send_message("Thanks for the feedback!", ephemeral=True)


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.select(
        custom_id="vote:pick",
        options=[discord.SelectOption(label="BM25"), discord.SelectOption(label="Dense")],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[VoteView]
    ) -> None:
        await interaction.response.edit_message(content=f"Voted {select.values[0]}", view=None)

    @discord.ui.button(label="Refresh", custom_id="vote:refresh")
    async def refresh(
        self, interaction: discord.Interaction, _button: discord.ui.Button[VoteView]
    ) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="Refreshed")


def build_commands(
    tree: app_commands.CommandTree[DemoClient], guild: discord.Object, seen: Seen
) -> None:
    @tree.command(name="ask", description="Ask the documents a question", guild=guild)
    async def ask(interaction: discord.Interaction, question: str, top_k: int = 3) -> None:
        seen.permissions.append(interaction.permissions.value)
        await interaction.response.defer(thinking=True)
        embed = discord.Embed(title="Answer", description=f"{question} (top {top_k})")
        embed.add_field(name="Source", value="seeds/000.txt")
        await interaction.followup.send(embed=embed, view=HelpfulView(seen))

    @tree.command(name="search", description="Search a topic", guild=guild)
    async def search(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(f"searching {topic}")

    @search.autocomplete("topic")
    async def topic_choices(
        _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=t.title(), value=t) for t in TOPICS if current.lower() in t
        ]

    docqa = app_commands.Group(name="docqa", description="DocQA admin")

    @docqa.command(name="stats", description="Index statistics")
    @app_commands.default_permissions(manage_guild=True)
    async def stats(interaction: discord.Interaction) -> None:
        seen.permissions.append(interaction.permissions.value)
        await interaction.response.send_message("5 documents indexed", ephemeral=True)

    tree.add_command(docqa, guild=guild)

    @tree.command(name="twice", description="Acknowledges twice (a bug)", guild=guild)
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        route = Route(
            "POST",
            "/interactions/{interaction_id}/{token}/callback",
            interaction_id=interaction.id,
            token=interaction.token,
        )
        try:  # a second code path answering the same interaction, bypassing discord.py's guard
            await interaction.client.http.request(
                route, json={"type": 4, "data": {"content": "second"}}
            )
        except discord.HTTPException as exc:
            seen.errors.append(exc)

    @tree.command(name="silent", description="Never answers (a bug)", guild=guild)
    async def silent(_interaction: discord.Interaction) -> None:
        return

    @tree.command(name="late", description="Answers after the deadline (a bug)", guild=guild)
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(1.0)
        try:
            await interaction.response.send_message("too late")
        except discord.HTTPException as exc:
            seen.errors.append(exc)

    @tree.command(name="huge", description="Sends an over-long answer (a bug)", guild=guild)
    async def huge(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("x" * 2001)
        except discord.HTTPException as exc:
            seen.errors.append(exc)
            await interaction.response.send_message("x" * 2000)

    @tree.command(name="export", description="Sends a file", guild=guild)
    async def export(interaction: discord.Interaction) -> None:
        file = discord.File(io.BytesIO(b"question,answer\n"), filename="export.csv")
        await interaction.response.send_message("your export", file=file)

    @tree.command(name="vote", description="Posts a poll with components", guild=guild)
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Pick one", view=VoteView())

    @tree.command(name="early", description="Follows up before acknowledging (a bug)", guild=guild)
    async def early(interaction: discord.Interaction) -> None:
        try:
            await interaction.followup.send("too early")
        except discord.HTTPException as exc:
            seen.errors.append(exc)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("secret answer")

    @tree.command(name="ping", description="A global command")
    async def ping(interaction: discord.Interaction) -> None:
        where = "DM" if interaction.guild_id is None else "guild"
        await interaction.response.send_message(f"pong from {where}")


def add_upload_command(tree: app_commands.CommandTree[DemoClient], guild: discord.Object) -> None:
    @tree.command(name="upload", description="Reads an attached file", guild=guild)
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()  # from the emulator's CDN route
        await interaction.response.send_message(f"{file.filename}: {data.decode()}")


class DemoClient(discord.Client):
    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        intents = intents or discord.Intents.default()  # no message_content: a privileged intent
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.seen = Seen()
        self.guild_object = discord.Object(guild_id)
        self.tree: app_commands.CommandTree[DemoClient] = app_commands.CommandTree(self)
        build_commands(self.tree, self.guild_object, self.seen)
        add_upload_command(self.tree, self.guild_object)

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=self.guild_object)
        await self.tree.sync()

    async def on_resumed(self) -> None:
        self.seen.resumed.set()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None or message.author.id == self.user.id:
            return
        self.seen.messages.append(message.content)
        if message.guild is None:
            await message.channel.send(f"DM received: {message.content}")
        elif self.user.mentioned_in(message):
            await message.reply("pong", mention_author=False)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(ack_deadline=0.75) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[DemoClient]:
    async with running_client(emu, DemoClient(emu.guild.id)) as client:
        yield client


async def test_login_sync_and_ready(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        assert bot.user is not None
        assert bot.user.id == emu.bot_user.id
        assert [g.id for g in bot.guilds] == [emu.guild.id]
        assert bot.get_channel(emu.channel.id) is not None
        names = {c["name"] for c in emu.commands(emu.guild.id)}
        assert names == GUILD_COMMANDS
        assert [c["name"] for c in emu.commands()] == ["ping"]
        assert all(
            c["id"] and c["application_id"] == str(emu.application_id)
            for c in emu.commands(emu.guild.id)
        )
        put = emu.requests_to("PUT", f"/applications/{emu.application_id}/guilds/*/commands")
        assert len(put) == 1
        assert put[0].status == 200
        identify = emu.identify_payload
        assert identify is not None
        assert identify["intents"] == discord.Intents.default().value
        emu.assert_clean()


async def test_slash_defer_followup_embed_and_button(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handle = await emu.send_slash("ask", {"question": "What is BM25?", "top_k": 2})
        assert await handle.wait_ack(2) == 5
        answer = await handle.wait_response(2)
        assert answer["embeds"][0]["title"] == "Answer"
        assert answer["embeds"][0]["description"] == "What is BM25? (top 2)"
        assert answer["embeds"][0]["fields"] == [
            {"name": "Source", "value": "seeds/000.txt", "inline": True}
        ]
        # The first follow-up after a defer replaces the loading message.
        assert int(answer["id"]) == handle.original_message_id
        assert handle.ack_latency is not None
        assert handle.response_latency is not None
        assert 0 <= handle.ack_latency <= handle.response_latency < 2
        callback = emu.requests_to("POST", f"/interactions/{handle.id}/*/callback")[0]
        assert callback.query == {"with_response": "1"}
        assert callback.json == {"type": 5}
        assert bot.seen.permissions
        assert bot.seen.permissions[0] & discord.Permissions(send_messages=True).value

        clicker = emu.make_user("alice")
        click = await emu.click_button(answer, "answer:helpful", user=clicker)
        thanks = await click.wait_response(2)
        assert thanks["content"] == "Thanks for the feedback!"
        assert click.ack_type == 4
        assert click.ephemeral
        assert bot.seen.clicks == [clicker.id]
        emu.assert_clean()


async def test_group_subcommand_with_member_permissions(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        moderator = emu.make_user("mod")
        handle = await emu.send_slash(
            ["docqa", "stats"], user=moderator, permissions=MANAGE_GUILD | ADMINISTRATOR
        )
        reply = await handle.wait_response(2)
        assert reply["content"] == "5 documents indexed"
        assert handle.ephemeral
        assert reply["flags"] & 64
        assert discord.Permissions(bot.seen.permissions[-1]).administrator
        sent = handle.payload["data"]
        assert sent["options"] == [{"name": "stats", "type": 1, "options": []}]
        assert handle.payload["member"]["user"]["id"] == str(moderator.id)
        emu.assert_clean()


async def test_autocomplete_returns_choices(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        choices = await emu.send_autocomplete("search", {"topic": "ch"}, focused="topic", timeout=2)
        assert choices == [{"name": "Chunking", "value": "chunking"}]
        handle = emu.interactions[-1]
        assert handle.ack_type == 8
        assert handle.payload["type"] == 4
        emu.assert_clean()


async def test_mention_reply_and_content_intent(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        alice = emu.make_user("alice")
        emu.add_member(alice)
        plain = await emu.send_message("no mention here", author=alice)
        asked = await emu.send_message("hello bot", author=alice, mentions=[emu.bot_user])
        reply = await emu.wait_for_message(channel_id=emu.channel.id, after=asked)
        assert reply["content"] == "pong"
        assert reply["message_reference"]["message_id"] == asked["id"]
        allowed = emu.allowed_mentions(int(reply["id"]))
        assert allowed is not None
        assert allowed["replied_user"] is False
        assert set(allowed["parse"]) == {"users", "roles", "everyone"}
        assert reply["mentions"] == []  # replied_user False: alice is not pinged
        # Without the message_content intent, the unmentioned message arrived with no content.
        assert bot.seen.messages == ["", f"<@{emu.bot_user.id}> hello bot"]
        assert int(plain["id"]) < int(asked["id"])
        emu.assert_clean()


async def test_direct_message_round_trip(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        bob = emu.make_user("bob")
        sent = await emu.send_message("what is a citation?", author=bob, dm=True)
        reply = await emu.wait_for_message(after=sent)
        dm = emu.open_dm(bob)
        assert reply["channel_id"] == str(dm.id)
        assert reply["content"] == "DM received: what is a citation?"
        # The bot opening a DM itself goes through POST /users/@me/channels.
        user = await bot.fetch_user(bob.id)
        await user.send("hi from the bot")
        assert emu.messages(dm.id)[-1]["content"] == "hi from the bot"
        assert emu.requests_to("POST", "/users/@me/channels")[0].json == {"recipient_id": bob.id}
        # A global slash command used in the DM: no guild_id, `user` instead of `member`.
        handle = await emu.send_slash("ping", user=bob, dm=True)
        assert (await handle.wait_response(2))["content"] == "pong from DM"
        assert "member" not in handle.payload
        assert handle.payload["context"] == 1
        emu.assert_clean()


async def test_resume_after_drop_replays_missed_events(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        first = await emu.send_slash("search", {"topic": "bm25"})
        await first.wait_response(2)
        await emu.drop_gateway()
        missed = await emu.send_message("sent while disconnected", mentions=[emu.bot_user])
        await emu.wait_for_resume(5)
        await asyncio.wait_for(bot.seen.resumed.wait(), 2)
        await emu.wait_for_message(after=missed, timeout=2)  # the bot saw the replayed event
        second = await emu.send_slash("search", {"topic": "evaluation"})
        assert (await second.wait_response(2))["content"] == "searching evaluation"
        assert emu.gateway_count("IDENTIFY") == 1
        assert emu.gateway_count("RESUMED") == 1
        emu.assert_clean()


async def test_repeated_drops_then_resume(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        await emu.drop_gateway(times=3, abort=True)
        await emu.wait_for_resume(5)
        assert emu.gateway_count("DROP") == 3
        assert emu.gateway_count("IDENTIFY") == 1
        handle = await emu.send_slash("search", {"topic": "chunking"})
        assert (await handle.wait_response(2))["content"] == "searching chunking"


async def test_double_ack_is_rejected_and_recorded(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handle = await emu.send_slash("twice")
        await handle.wait_response(2)
        violation = await emu.wait_for_violation("double_ack", timeout=2)
        assert violation.interaction_id == handle.id
        assert handle.callback_attempts == 2
        await eventually(lambda: bool(bot.seen.errors))
        assert [e.code for e in bot.seen.errors] == [40060]
        assert bot.seen.errors[0].status == 400
        with pytest.raises(AssertionError, match="double_ack"):
            emu.assert_no_violations()


async def test_unacknowledged_and_late_interactions(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        silent = await emu.send_slash("silent")
        late = await emu.send_slash("late")
        await emu.wait_for_violation("late_ack", timeout=2)
        rules = sorted((v.rule, v.interaction_id) for v in emu.take_violations())
        assert rules == sorted(
            [("ack_timeout", silent.id), ("ack_timeout", late.id), ("late_ack", late.id)]
        )
        assert not silent.acked
        assert silent.expired
        await eventually(lambda: bool(bot.seen.errors))
        assert [(e.status, e.code) for e in bot.seen.errors] == [(404, 10062)]
        emu.assert_no_violations()


async def test_limits_answer_50035(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handle = await emu.send_slash("huge")
        reply = await handle.wait_response(2)
        assert len(reply["content"]) == 2000
        assert [(e.status, e.code) for e in bot.seen.errors] == [(400, 50035)]
        assert "content" in str(bot.seen.errors[0])
        [violation] = emu.take_violations()
        assert violation.rule == "invalid_form_body"
        assert "2001" in violation.detail

        channel = bot.get_channel(emu.channel.id)
        assert isinstance(channel, discord.TextChannel)
        embeds = [discord.Embed(description="d" * 4000) for _ in range(2)]
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send(embeds=embeds)
        assert caught.value.code == 50035
        assert "6000" in emu.take_violations()[0].detail


async def test_rate_limit_is_respected_and_retried(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        channel = bot.get_channel(emu.channel.id)
        assert isinstance(channel, discord.TextChannel)
        rule = emu.inject_rate_limit("POST", "/channels/*/messages", retry_after=0.25)
        message = await channel.send("after the rate limit")
        attempts = emu.requests_to("POST", f"/channels/{emu.channel.id}/messages")
        assert [(r.status, r.fault) for r in attempts] == [(429, "429"), (200, None)]
        assert attempts[1].received_at - attempts[0].received_at >= 0.25
        assert rule.fired == 1
        assert emu.message(message.id) is not None
        emu.assert_clean()


async def test_server_error_on_followup_is_retried(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        emu.inject_server_error("POST", "/webhooks/*/*", status=502)
        handle = await emu.send_slash("ask", {"question": "retry?"})
        answer = await handle.wait_response(5)
        assert answer["embeds"][0]["description"] == "retry? (top 3)"
        statuses = [r.status for r in emu.requests_to("POST", "/webhooks/*")]
        assert statuses == [502, 200]
        emu.assert_clean()


async def test_multipart_files(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handle = await emu.send_slash("export")
        reply = await handle.wait_response(2)
        assert reply["content"] == "your export"
        [attachment] = reply["attachments"]
        assert attachment["filename"] == "export.csv"
        assert attachment["size"] == 16
        callback = emu.requests_to("POST", "/interactions/*")[0]
        assert callback.json["data"]["attachments"] == [{"id": 0, "filename": "export.csv"}]
        assert [(f.field, f.filename, f.data) for f in callback.files] == [
            ("files[0]", "export.csv", b"question,answer\n")
        ]

        channel = bot.get_channel(emu.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send(
            "notes", file=discord.File(io.BytesIO(b"abc"), filename="notes.txt")
        )
        assert await sent.attachments[0].read() == b"abc"  # served by the emulator's CDN route
        emu.assert_clean()


async def test_attachment_option(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handle = await emu.send_slash("upload", {"file": EmuFile("notes.md", b"# Notes")})
        reply = await handle.wait_response(2)
    [option] = handle.payload["data"]["options"]
    [attachment] = handle.payload["data"]["resolved"]["attachments"].values()
    assert option == {"name": "file", "type": 11, "value": attachment["id"]}
    assert (attachment["filename"], attachment["size"]) == ("notes.md", 7)
    assert reply["content"] == "notes.md: # Notes"
    emu.assert_clean()


async def test_unknown_routes_are_recorded(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        with pytest.raises(discord.NotFound):
            await bot.http.request(
                Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=emu.guild.id)
            )
        [unknown] = emu.unknown_routes
        assert unknown.route == f"/guilds/{emu.guild.id}/audit-logs"
        with pytest.raises(AssertionError, match="audit-logs"):
            emu.assert_no_unknown_routes()


@pytest.mark.parametrize("compress", [True, False])
async def test_gateway_with_and_without_zlib_stream(compress: bool) -> None:
    async with asyncio.timeout(TEST_TIMEOUT), Emulator(compress_gateway=compress) as emu:
        async with running_client(emu, DemoClient(emu.guild.id)):
            handle = await emu.send_slash("search", {"topic": "citations"})
            assert (await handle.wait_response(2))["content"] == "searching citations"
        connect = next(e for e in emu.gateway_events if e.kind == "CONNECT")
        assert connect.detail["query"]["compress"] == "zlib-stream"
        emu.assert_clean()


async def test_point_discord_py_at_restores_globals() -> None:
    before = Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    spec = GuildSpec(name="Other", channels=("a", "b"))
    async with asyncio.timeout(TEST_TIMEOUT), Emulator(guilds=[spec]) as emu:
        with point_discord_py_at(emu):
            assert emu.api_base == Route.BASE
            assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == emu.gateway_url
        assert [c.name for c in emu.guild.channels] == ["a", "b"]
    assert before == (Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


async def test_latency_summary(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handles = [await emu.send_slash("search", {"topic": t}) for t in TOPICS]
        await asyncio.gather(*(h.wait_response(2) for h in handles))
        summary = emu.latency_summary()
        assert summary["ack"]["n"] == len(TOPICS)
        assert summary["response"]["p95"] < 2
        emu.assert_clean()


async def test_component_update_and_deferred_edit(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        poll = await (await emu.send_slash("vote")).wait_response(2)
        picked = await emu.select_menu(poll, "vote:pick", ["BM25"])
        assert await picked.wait_ack(2) == 7
        assert emu.message(int(poll["id"])) == (await picked.wait_response(2))
        updated = emu.message(int(poll["id"]))
        assert updated is not None
        assert updated["content"] == "Voted BM25"
        assert updated["components"] == []
        with pytest.raises(ValueError, match="no component"):
            await emu.click_button(poll, "vote:refresh")  # the view was removed

        second = await (await emu.send_slash("vote")).wait_response(2)
        refresh = await emu.click_button(second, "vote:refresh")
        edited = await refresh.wait_response(2)
        assert refresh.ack_type == 6
        assert edited["id"] == second["id"]
        assert edited["content"] == "Refreshed"
        emu.assert_clean()


async def test_followup_before_ack_is_a_violation(emu: Emulator, bot: DemoClient) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        handle = await emu.send_slash("early")
        answer = await handle.wait_response(2)
        assert answer["content"] == "secret answer"
        assert answer["flags"] & 64  # ephemeral, as the defer was
        assert int(answer["id"]) == handle.original_message_id
        assert [(e.status, e.code) for e in bot.seen.errors] == [(404, 10015)]
        assert [v.rule for v in emu.take_violations()] == ["followup_before_ack"]
        # Ephemeral messages are not in the channel history the bot can read back.
        channel = bot.get_channel(emu.channel.id)
        assert isinstance(channel, discord.TextChannel)
        assert [m.content async for m in channel.history(limit=10)] == []


async def test_reconnect_opcode_and_message_intents() -> None:
    async with asyncio.timeout(TEST_TIMEOUT), Emulator() as emu:
        intents = discord.Intents.default()
        intents.guild_messages = False  # a bot that forgot the intent
        client = DemoClient(emu.guild.id, intents=intents)
        async with running_client(emu, client):
            emu.send_reconnect()
            await emu.wait_for_resume(3)
            handle = await emu.send_slash("ping")
            assert (await handle.wait_response(2))["content"] == "pong from guild"
            await emu.send_message("anyone?", mentions=[emu.bot_user])
            await emu.send_message("hello in DM", dm=True)
            await emu.wait_for_message(predicate=lambda m: m["content"].startswith("DM received"))
        assert client.seen.messages == ["hello in DM"]  # no guild MESSAGE_CREATE without the intent
        assert emu.gateway_count("IDENTIFY") == 1
        emu.assert_clean()
