"""A fake Discord on 127.0.0.1 that the real discord.py client connects to.

REST under `{url}/api/v10` (users/@me, oauth2/applications/@me, channel messages and
typing) and the gateway WebSocket at `{url}/gateway` (HELLO, IDENTIFY -> READY +
GUILD_CREATE, heartbeat ACK, RESUME -> RESUMED, MESSAGE_CREATE dispatches). It runs on its
own event loop in a background thread, so in-process tests and a `rungateway` subprocess can
both use it. Everything under "test API" is synchronous and thread-safe.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord import payloads as p
from tests.fakes.loopthread import LoopThread

JSON = "application/json"  # exactly: discord.py ignores bodies with "; charset=..."


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type=JSON, headers=headers
    )


@dataclass
class Session:
    ws: web.WebSocketResponse
    session_id: str = ""
    seq: int = 0
    identified: bool = False
    zlib: Any = None  # a zlib compressor when the client asked for compress=zlib-stream

    async def send(self, frame: dict[str, Any]) -> None:
        text = json.dumps(frame)
        if self.zlib is None:
            await self.ws.send_str(text)
        else:  # one shared stream, each frame ends with a sync flush (Z_SYNC_FLUSH)
            data = self.zlib.compress(text.encode()) + self.zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)


@dataclass
class World:
    guilds: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {name, channels...}
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> message payload


class FakeDiscord:
    def __init__(
        self,
        token: str = "test-token-abc",
        bot_name: str = "epiloop-bot",
        bot_id: str = "1000001",
        port: int = 0,
    ) -> None:
        self.token = token
        self.port = port
        self.bot = p.user(bot_id, bot_name, bot=True)
        self.url = ""
        self.world = World()
        self.echo_own_messages = True
        self.compress = True  # answer compress=zlib-stream with compressed frames
        self.send_delay = 0.0
        # observable state (read under self._cond)
        self.sent: list[dict[str, Any]] = []
        self.typing: list[tuple[str, float]] = []
        self.events: list[tuple[str, str]] = []  # ("typing" | "message", channel_id) in order
        self.rest_calls: list[tuple[str, str]] = []
        self.dispatched_at: dict[str, float] = {}  # message id -> when MESSAGE_CREATE went out
        self.identifies = 0
        self.resumes = 0
        self.ready_count = 0
        self.compressed_sessions = 0
        # error injection
        self.reject_token = False
        self.close_on_identify: int | None = None
        self.rate_limits: list[float] = []  # retry_after values for the next message POSTs
        self.fail_sends: list[int] = []  # HTTP statuses for the next message POSTs
        self._sessions: list[Session] = []
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner_thread = LoopThread("fake-discord")
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return self.url + "/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway"

    def start(self) -> FakeDiscord:
        self._loop = self._runner_thread.start(self._serve)
        return self

    def stop(self) -> None:
        self._runner_thread.stop(self._shutdown)
        self._loop = None

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def _shutdown(self) -> None:
        for session in list(self._sessions):
            await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    def _call(self, coro: Any, timeout: float = 10) -> Any:
        return self._runner_thread.call(coro, timeout)

    # -- the world ---------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
        u = p.user(user_id, name, bot=bot)
        self.world.users[user_id] = u
        return u

    def add_guild(
        self,
        guild_id: str,
        name: str,
        channels: dict[str, str],
        threads: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        """`channels`: name -> id; `threads`: id -> (name, parent channel id)."""
        self.world.guilds[guild_id] = {"name": name, "channels": channels, "threads": threads or {}}

    def _guild_payload(self, guild_id: str) -> dict[str, Any]:
        g = self.world.guilds[guild_id]
        chans = [
            p.text_channel(cid, name, guild_id, i)
            for i, (name, cid) in enumerate(g["channels"].items())
        ]
        threads = [
            p.thread(tid, name, guild_id, parent, self.bot["id"])
            for tid, (name, parent) in g["threads"].items()
        ]
        members = [p.member(self.bot)] + [p.member(u) for u in self.world.users.values()]
        return p.guild(guild_id, g["name"], chans, members, threads, owner_id=self.bot["id"])

    def _guild_of(self, channel_id: str) -> str | None:
        for gid, g in self.world.guilds.items():
            if channel_id in g["channels"].values() or channel_id in g["threads"]:
                return gid
        return None

    # -- test API: input ---------------------------------------------------------------------

    def send_message(
        self,
        channel_id: str,
        content: str,
        *,
        author_id: str = "42",
        author_name: str = "alice",
        bot: bool = False,
        mention_bot: bool = False,
        reply_to: str | None = None,
        dm: bool = False,
    ) -> str:
        """Someone writes in `channel_id` (a DM channel when `dm`); returns the message id."""
        author = self.world.users.get(author_id) or self.add_user(author_id, author_name, bot=bot)
        mentions = []
        if mention_bot:
            content = f"<@{self.bot['id']}> {content}"
            mentions.append(self.bot)
        referenced = self.world.messages.get(reply_to) if reply_to else None
        data = p.message(
            message_id=p.snowflake(),
            channel_id=channel_id,
            author=author,
            content=content,
            guild_id=None if dm else self._guild_of(channel_id),
            mentions=mentions,
            referenced=referenced,
        )
        self.world.messages[str(data["id"])] = data
        with self._cond:
            self.dispatched_at[str(data["id"])] = time.monotonic()
        self._call(self._dispatch_all("MESSAGE_CREATE", data))
        return str(data["id"])

    def dm(self, content: str, *, author_id: str = "42", author_name: str = "alice") -> str:
        return self.send_message(
            f"7{author_id}", content, author_id=author_id, author_name=author_name, dm=True
        )

    # -- test API: output --------------------------------------------------------------------

    def wait_for_sent(
        self, count: int = 1, channel_id: str | None = None, timeout: float = 10
    ) -> list[dict[str, Any]]:
        def mine() -> list[dict[str, Any]]:
            return [m for m in self.sent if channel_id is None or m["channel_id"] == channel_id]

        with self._cond:
            self._cond.wait_for(lambda: len(mine()) >= count, timeout)
            found = mine()
        if len(found) < count:
            raise AssertionError(f"expected {count} messages from the bot, got {found!r}")
        return found

    def sent_to(self, channel_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return [m for m in self.sent if m["channel_id"] == channel_id]

    def wait_until(self, predicate: Any, timeout: float = 10) -> bool:
        with self._cond:
            return bool(self._cond.wait_for(predicate, timeout))

    def wait_ready(self, count: int = 1, timeout: float = 10) -> None:
        if not self.wait_until(lambda: self.ready_count >= count, timeout):
            raise AssertionError(f"the bot did not identify (READY sent {self.ready_count} times)")

    def clear(self) -> None:
        """Forget what the bot sent and did (between tests sharing one fake)."""
        with self._cond:
            self.sent.clear()
            self.typing.clear()
            self.events.clear()
            self.rest_calls.clear()
            self.dispatched_at.clear()
            self.rate_limits.clear()
            self.fail_sends.clear()

    # -- test API: faults --------------------------------------------------------------------

    def close_gateway(self, code: int = 4000) -> None:
        """Drop every gateway connection with `code` (4000: resumable, 4004: bad token)."""

        async def close() -> None:
            for s in list(self._sessions):
                await s.ws.close(code=code)

        self._call(close())

    def send_op(self, op: int, d: Any = None) -> None:
        """Send a raw opcode to every session (7 RECONNECT, 9 INVALID_SESSION)."""

        async def send() -> None:
            for s in list(self._sessions):
                await s.send({"op": op, "d": d, "s": None, "t": None})

        self._call(send())

    # -- REST --------------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        return not self.reject_token and request.headers.get("Authorization") == f"Bot {self.token}"

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        with self._cond:
            self.rest_calls.append((request.method, "/" + tail))
        if not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        parts = tail.split("/")
        if request.method == "GET" and tail == "users/@me":
            return _json(self.bot)
        if request.method == "GET" and tail == "oauth2/applications/@me":
            return _json(p.application(self.bot))
        if request.method == "GET" and tail in ("gateway", "gateway/bot"):
            return _json({"url": self.gateway_url, "shards": 1})
        if len(parts) == 3 and parts[0] == "channels" and parts[2] == "typing":
            with self._cond:
                self.typing.append((parts[1], time.monotonic()))
                self.events.append(("typing", parts[1]))
                self._cond.notify_all()
            return web.Response(status=204)
        if (
            request.method == "POST"
            and len(parts) == 3
            and parts[0] == "channels"
            and parts[2] == "messages"
        ):
            return await self._post_message(parts[1], await request.json())
        return _json({"message": "404: Not Found", "code": 0}, 404)

    async def _post_message(self, channel_id: str, body: dict[str, Any]) -> web.Response:
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        with self._cond:
            retry = self.rate_limits.pop(0) if self.rate_limits else None
            status = self.fail_sends.pop(0) if self.fail_sends and retry is None else None
        if retry is not None:
            data = {"message": "You are being rate limited.", "retry_after": retry, "global": False}
            return _json(data, 429, headers={"Via": "1.1 google", "Retry-After": str(retry)})
        if status is not None:
            return _json({"message": f"{status}: injected", "code": 0}, status)
        guild_id = self._guild_of(channel_id)
        ref = (body.get("message_reference") or {}).get("message_id")
        data = p.message(
            message_id=p.snowflake(),
            channel_id=channel_id,
            author=self.bot,
            content=body.get("content") or "",
            guild_id=guild_id,
            referenced=self.world.messages.get(str(ref)) if ref else None,
        )
        self.world.messages[str(data["id"])] = data
        with self._cond:
            self.sent.append(
                {
                    "id": data["id"],
                    "channel_id": channel_id,
                    "content": data["content"],
                    "reply_to": str(ref) if ref else None,
                    "at": time.monotonic(),
                }
            )
            self.events.append(("message", channel_id))
            self._cond.notify_all()
        if self.echo_own_messages:
            await self._dispatch_all("MESSAGE_CREATE", data)
        return _json(data)

    # -- gateway -----------------------------------------------------------------------------

    async def _dispatch(self, session: Session, event: str, data: Any) -> None:
        session.seq += 1
        await session.send({"op": 0, "t": event, "s": session.seq, "d": data})

    async def _dispatch_all(self, event: str, data: Any) -> None:
        for session in list(self._sessions):
            if session.identified and not session.ws.closed:
                await self._dispatch(session, event, data)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        session = Session(ws)
        if self.compress and request.query.get("compress") == "zlib-stream":
            session.zlib = zlib.compressobj()
            with self._cond:
                self.compressed_sessions += 1
        self._sessions.append(session)
        await session.send({"op": 10, "d": {"heartbeat_interval": 41250}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                await self._on_frame(session, frame["op"], frame.get("d"))
        finally:
            if session in self._sessions:
                self._sessions.remove(session)
        return ws

    async def _on_frame(self, session: Session, op: int, d: Any) -> None:
        if op == 1:
            await session.send({"op": 11})
        elif op == 2:
            await self._identify(session, d)
        elif op == 6:
            with self._cond:
                self.resumes += 1
                self._cond.notify_all()
            session.session_id = d.get("session_id") or ""
            session.seq = int(d.get("seq") or 0)
            session.identified = True
            await self._dispatch(session, "RESUMED", {})

    async def _identify(self, session: Session, d: dict[str, Any]) -> None:
        with self._cond:
            self.identifies += 1
            self.last_identify = d
        if self.close_on_identify is not None or d.get("token") != self.token or self.reject_token:
            await session.ws.close(code=self.close_on_identify or 4004)
            return
        session.session_id = f"session-{self.identifies}"
        session.identified = True
        ready = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": gid, "unavailable": True} for gid in self.world.guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.bot["id"], "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._dispatch(session, "READY", ready)
        for gid in self.world.guilds:
            await self._dispatch(session, "GUILD_CREATE", self._guild_payload(gid))
        with self._cond:
            self.ready_count += 1
            self._cond.notify_all()
