"""A fake Telegram Bot API on 127.0.0.1, driven by the real python-telegram-bot.

It speaks the wire format PTB uses: `POST {root}/bot{token}/{method}`, form-encoded (every
non-string value is JSON text) or JSON, answered with `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": ..., "parameters": {...}}`.

The server runs on its own event loop in a background thread, so in-process tests and a
`rungateway` subprocess can both talk to it. Everything under "test API" is synchronous.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, web

from tests.fakes.loopthread import LoopThread


@dataclass
class Failure:
    method: str
    status: int
    description: str
    times: int
    retry_after: int | None = None


class FakeTelegram:
    def __init__(
        self,
        token: str = "123456:test-token-abc",
        username: str = "epiloop_test_bot",
        bot_id: int = 7000001,
    ) -> None:
        self.token = token
        self.username = username
        self.bot_id = bot_id
        self.url = ""  # API root, e.g. http://127.0.0.1:PORT (set by start())
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._replays: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._call_times: list[float] = []  # time.monotonic() of each call, for bench/
        self._counts: dict[str, int] = {}
        self._failures: list[Failure] = []
        self._webhook: dict[str, Any] = {"url": "", "secret_token": ""}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner_thread = LoopThread("fake-telegram")
        self._runner: web.AppRunner | None = None
        self._new_update: asyncio.Condition | None = None
        self._changed = threading.Condition()
        self._closing = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        self._loop = self._runner_thread.start(self._serve)
        return self

    def stop(self) -> None:
        self._closing = True

        async def shutdown() -> None:
            if self._runner:
                await self._runner.cleanup()

        self._runner_thread.stop(shutdown)
        self._loop = None

    async def _serve(self) -> None:
        self._new_update = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    # -- test API: input ---------------------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for getUpdates; `update_id` is assigned when missing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        with self._lock:
            self._updates.append(update)
        if self._loop and self._new_update:
            asyncio.run_coroutine_threadsafe(self._notify(), self._loop)
        return update

    def replay(self, update: dict[str, Any]) -> None:
        """Return `update` again on the next getUpdates whatever its offset (what a poller
        sees after a crash that never confirmed it, or a Bot API hiccup)."""
        with self._lock:
            self._replays.append(dict(update))
        if self._loop and self._new_update:
            asyncio.run_coroutine_threadsafe(self._notify(), self._loop)

    async def _notify(self) -> None:
        assert self._new_update is not None
        async with self._new_update:
            self._new_update.notify_all()

    def message_update(
        self,
        text: str,
        *,
        chat_id: int,
        chat_type: str = "private",
        user_id: int = 42,
        username: str = "alice",
        first_name: str = "Alice",
        entities: list[dict[str, Any]] | None = None,
        reply_to_bot: bool = False,
        thread_id: int | None = None,
        chat_title: str = "",
    ) -> dict[str, Any]:
        """A `message` update as Telegram would send it (not queued; see `dm`/`group`)."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat.update(first_name=first_name, username=username)
        else:
            chat["title"] = chat_title or f"Group {chat_id}"
            if thread_id is not None:
                chat["is_forum"] = True
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "username": username,
            },
            "text": text,
        }
        if entities:
            message["entities"] = entities
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if reply_to_bot:
            message["reply_to_message"] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self._bot_user(),
                "text": "an earlier answer",
            }
        return {"message": message}

    def dm(self, text: str, *, user_id: int = 42, username: str = "alice", **kw: Any) -> dict:
        return self.queue_update(
            self.message_update(text, chat_id=user_id, user_id=user_id, username=username, **kw)
        )

    def group(self, text: str, *, chat_id: int = -100123, **kw: Any) -> dict:
        kw.setdefault("chat_type", "supergroup")
        return self.queue_update(self.message_update(text, chat_id=chat_id, **kw))

    def fail(
        self,
        method: str,
        status: int,
        description: str = "",
        *,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` calls of `method` fail with this HTTP status (-1 times: forever)."""
        description = description or {
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            409: "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
            429: f"Too Many Requests: retry after {retry_after or 1}",
        }.get(status, "Bad Request")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._failures.append(Failure(method, status, description, times, retry_after))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    # -- test API: output --------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [params for m, params in self._calls if method is None or m == method]

    def timed_calls(self, method: str) -> list[tuple[float, dict[str, Any]]]:
        """(time.monotonic() when it arrived, params) of each call of `method`."""
        with self._lock:
            return [
                (at, params)
                for (m, params), at in zip(self._calls, self._call_times, strict=True)
                if m == method
            ]

    def count(self, method: str) -> int:
        """How many successful calls of `method` arrived (cheap; for polling loops)."""
        with self._lock:
            return self._counts.get(method, 0)

    def methods(self) -> list[str]:
        with self._lock:
            return [m for m, _ in self._calls]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Every successful `sendMessage` (params as the bot sent them, values decoded)."""
        return [
            p
            for p in self.calls("sendMessage")
            if not p.get("_failed") and (chat_id is None or str(p.get("chat_id")) == str(chat_id))
        ]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Wait until `predicate()` returns something truthy; return it (or raise)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; calls so far: {self.methods()[-30:]}")
                self._changed.wait(min(left, 0.2))

    def wait_for_sent(self, count: int = 1, chat_id: int | None = None, timeout: float = 10.0):
        return self.wait_for(
            lambda: (lambda s: s if len(s) >= count else None)(self.sent(chat_id)), timeout
        )

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    @property
    def webhook(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._webhook)

    async def deliver_webhook(
        self, session: ClientSession, update: dict[str, Any], secret: str | None = None
    ) -> int:
        """POST one update to the registered webhook, as Telegram does; return the status."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        hook = self.webhook
        headers = {}
        token = hook["secret_token"] if secret is None else secret
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with session.post(hook["url"], json=update, headers=headers) as resp:
            await resp.read()
            return resp.status

    # -- the Bot API -------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Epiloop Test",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw: dict[str, Any] = await request.json() if request.can_read_body else {}
            return raw
        form = await request.post() if request.can_read_body else {}
        params: dict[str, Any] = dict(request.query)
        for key, value in form.items():
            if not isinstance(value, str):
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    def _take_failure(self, method: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.method == method:
                    if failure.times > 0:
                        failure.times -= 1
                        if failure.times == 0:
                            self._failures.remove(failure)
                    return failure
        return None

    def _record(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            self._calls.append((method, params))
            self._call_times.append(time.monotonic())
            if not params.get("_failed"):
                self._counts[method] = self._counts.get(method, 0) + 1
        with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.match_info["token"] != self.token:
            self._record(method, {**params, "_failed": 401})
            return _error(401, "Unauthorized")
        failure = self._take_failure(method)
        if failure:
            self._record(method, {**params, "_failed": failure.status})
            return _error(failure.status, failure.description, failure.retry_after)
        if method == "getUpdates":
            return await self._get_updates(params)
        self._record(method, params)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _ok(True)
        return handler(params)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        self._record("getUpdates", params)
        if self.webhook["url"]:
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        with self._lock:
            if offset:
                # Telegram forgets every update below the offset: they are confirmed.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        assert self._new_update is not None
        while True:
            with self._lock:
                ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
                ready, self._replays = self._replays + ready, []
            left = deadline - time.monotonic()
            if ready or left <= 0 or self._closing:
                return _ok(ready)
            async with self._new_update:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), min(left, 0.5))

    def _api_getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(self._bot_user())

    def _api_sendMessage(self, params: dict[str, Any]) -> web.Response:
        text = str(params.get("text", ""))
        if len(text.encode("utf-16-le")) // 2 > 4096:  # Telegram counts UTF-16 units
            return _error(400, "Bad Request: message is too long")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        chat_id = str(params.get("chat_id"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0},
            "from": self._bot_user(),
            "text": text,
        }
        message["chat"]["type"] = "private" if message["chat"]["id"] > 0 else "supergroup"
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
        return _ok(message)

    def _api_setWebhook(self, params: dict[str, Any]) -> web.Response:
        with self._lock:
            self._webhook = {
                "url": str(params.get("url", "")),
                "secret_token": str(params.get("secret_token", "")),
            }
        return _ok(True)

    def _api_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        with self._lock:
            self._webhook = {"url": "", "secret_token": ""}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return _ok(True)

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> web.Response:
        with self._lock:
            url = self._webhook["url"]
            pending = 0 if url else len(self._updates)
        return _ok({"url": url, "has_custom_certificate": False, "pending_update_count": pending})


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)
